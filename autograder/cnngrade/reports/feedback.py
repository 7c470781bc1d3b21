"""One bilingual Markdown feedback file per student."""


def _fmt(points):
    return f"{points:g}"


def render(report, student_id):
    lines = [f"# 채점 결과 / Grading feedback — {student_id}", "",
             f"**합계 / Total: {_fmt(report.score)} / {_fmt(report.max_score)}**", ""]
    if report.import_error:
        lines += ["> " + report.import_error, ""]
    lines += ["| 문항 / Question | 점수 / Score |", "|---|---|"]
    lines += [f"| {question.title} | {_fmt(question.score)} / {_fmt(question.max_score)} |"
              for question in report.questions]
    failed = [test for test in report.tests if test.status != "passed"]
    if failed and not report.import_error:
        lines += ["", "## 틀린 테스트 / Failed tests", ""]
        for test in failed:
            lines += [f"### {test.name} (−{_fmt(test.points)})", "", "```text", test.message.strip(), "```", ""]
    elif not failed:
        lines += ["", "모든 테스트를 통과했습니다. 수고했어요! / Every test passed. Well done!"]
    return "\n".join(lines) + "\n"
