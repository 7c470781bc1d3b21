"""One bilingual Markdown feedback file per student.

Failed tests are grouped by question: the question's hints and diagnoses come once, then the
numbered list of the failing cases with what was wrong in each.
"""

from .formatting import points


def _quote(text):
    """A Markdown quote with one paragraph per line (Korean, then English)."""
    return "\n>\n".join(f"> {line.strip()}" for line in text.strip().splitlines() if line.strip())


def _once(texts):
    return [text for text in dict.fromkeys(texts) if text]


def _case_line(number, test):
    detail = " / ".join(line.strip() for line in (test.detail or test.message).strip().splitlines() if line.strip())
    return f"{number}. **{test.name}** (−{points(test.points)}): {detail}"


def question_section(question, failed):
    """The Markdown of one question's failed tests."""
    lost = sum(test.points for test in failed)
    lines = [f"### {question.title} (−{points(lost)})", ""]
    for advice in _once(test.bug_hint for test in failed) + _once(test.hint for test in failed):
        lines += [_quote(advice), ""]
    lines += [f"틀린 경우 {len(failed)}개 / {len(failed)} failing case(s):", ""]
    lines += [_case_line(number, test) for number, test in enumerate(failed, 1)]
    return lines + [""]


def render(report, student_id):
    lines = [f"# 채점 결과 / Grading feedback — {student_id}", "",
             f"**합계 / Total: {points(report.score)} / {points(report.max_score)}**", ""]
    if report.import_error:
        lines += [_quote(report.import_error), ""]
    for note in report.notes:
        lines += [_quote(f"참고 / Note: {note}"), ""]
    lines += ["| 문항 / Question | 점수 / Score |", "|---|---|"]
    lines += [f"| {question.title} | {points(question.score)} / {points(question.max_score)} |"
              for question in report.questions]
    failed = [test for test in report.tests if test.status != "passed"]
    if failed and not report.import_error:
        lines += ["", "## 틀린 테스트 / Failed tests", ""]
        for question in report.questions:
            mine = [test for test in failed if test.question == question.id]
            if mine:
                lines += question_section(question, mine)
    elif not failed:
        lines += ["", "모든 테스트를 통과했습니다. 수고했어요! / Every test passed. Well done!"]
    return "\n".join(lines).rstrip("\n") + "\n"
