"""The instructor's summary of a batch: per-question statistics, histogram, hardest tests, problems."""

from collections import Counter
from pathlib import Path

from ..sandbox.isolation import NOT_ISOLATED_WARNING
from . import results_json
from .formatting import first_line, points

NOT_ISOLATED = NOT_ISOLATED_WARNING.removeprefix("cnn-grade: ")


def _histogram_png(scores, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    figure, axes = plt.subplots(figsize=(6, 3))
    axes.hist(scores, bins=range(0, 105, 5), color="#3b6ea5", edgecolor="white")
    axes.set_xlabel("score")
    axes.set_ylabel("students")
    axes.set_title("Score histogram")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True


def render(reports, problems, assignment, histogram_file=None):
    """``reports``: student id -> GradeReport; ``problems``: what the batch could not grade."""
    count = len(reports)
    lines = [f"# {assignment.title_ko} / {assignment.title_en} — summary", "",
             f"Submissions graded: **{count}**", ""]
    if any(report.sandbox == "process" for report in reports.values()):
        lines += [f"**{NOT_ISOLATED}**", ""]
    if count:
        totals = sorted(report.score for report in reports.values())
        lines += [f"Mean {sum(totals) / count:.1f}, median {points(totals[count // 2])}, "
                  f"min {points(totals[0])}, max {points(totals[-1])} (of {assignment.total_points})", ""]
    lines += ["| question | max | mean | full marks |", "|---|---|---|---|"]
    for question in assignment.questions:
        scores = [report.question_score(question.id) for report in reports.values()]
        mean = sum(scores) / count if count else 0
        full = sum(1 for score in scores if score == question.points)
        lines.append(f"| {question.id} | {question.points} | {mean:.2f} | {full}/{count} |")
    if histogram_file:
        lines += ["", f"![histogram]({histogram_file})"]
    failures = Counter(test.name for report in reports.values() for test in report.tests if test.status != "passed")
    if failures:
        lines += ["", "## Most failed tests", "", "| test | students |", "|---|---|"]
        lines += [f"| {name} | {n} |" for name, n in failures.most_common(10)]
    trouble = [(student, report.status, first_line(results_json.student_output(report)))
               for student, report in reports.items() if report.status != "graded"]
    faults = Counter((student, test.fault) for student, report in reports.items() for test in report.tests
                     if test.fault in ("timeout", "crashed", "budget"))
    if trouble or faults:
        lines += ["", "## Crashed, timed out or not importable", ""]
        lines += [f"- {student}: {status} — {reason}" for student, status, reason in trouble]
        lines += [f"- {student}: {n} test(s) hit {fault}" for (student, fault), n in faults.items()]
    flagged = [(student, finding) for student, report in reports.items() for finding in report.integrity]
    if flagged:
        lines += ["", "## Integrity findings", ""]
        lines += [f"- {student}: line {f.get('line')}: {f.get('message')}" for student, f in flagged]
    if problems:
        lines += ["", "## Not graded", ""] + [f"- {problem}" for problem in problems]
    return "\n".join(lines) + "\n"


def write(reports, problems, assignment, out_dir):
    out_dir = Path(out_dir)
    histogram = "histogram.png" if reports and _histogram_png(
        [report.score for report in reports.values()], out_dir / "histogram.png") else None
    (out_dir / "summary.md").write_text(render(reports, problems, assignment, histogram), encoding="utf-8")
