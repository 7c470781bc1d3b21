"""The per-question table printed by ``cnn-grade`` for one submission."""

from .formatting import first_line, points


def render(report):
    lines = [f"{report.submission}"]
    if report.import_error:
        lines.append(f"  !! {report.import_error}")
    lines += [f"  note: {note}" for note in report.notes]
    width = max(len(question.title) for question in report.questions)
    for question in report.questions:
        mark = "✓" if question.score == question.max_score else "✗"
        lines.append(f"  {mark} {question.title:<{width}}  {points(question.score):>5} / {points(question.max_score)}")
        if report.import_error:
            continue
        by_reason = {}
        for test in report.tests:
            if test.question == question.id and test.status != "passed":
                by_reason.setdefault(test.summary or first_line(test.message), []).append(test)
        for reason, tests in by_reason.items():
            who = tests[0].name if len(tests) == 1 else f"{len(tests)} tests"
            lines.append(f"      - {who}: {reason}")
    lines.append(f"  합계 / Total: {points(report.score)} / {points(report.max_score)}"
                 f"   ({report.execution_time:.1f} s)")
    if report.integrity:
        kinds = sorted({finding["kind"] for finding in report.integrity})
        lines.append(f"  integrity: {len(report.integrity)} finding(s) for the instructor: {', '.join(kinds)}")
    for error in report.grader_errors:
        lines.append(f"  !! grader error: {first_line(error)}")
    return "\n".join(lines)
