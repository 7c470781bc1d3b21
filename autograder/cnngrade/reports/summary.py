"""The instructor's summary of a batch: per-question statistics, histogram, hardest tests, problems."""

from collections import Counter
from pathlib import Path

from ..sandbox.isolation import NOT_ISOLATED_WARNING

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


def render(results, problems, definition, histogram_file=None):
    count = len(results)
    lines = [f"# {definition.title_ko} / {definition.title_en} — summary", "",
             f"Submissions graded: **{count}**", ""]
    if any(result.get("sandbox") == "process" for result in results):
        lines += [f"**{NOT_ISOLATED}**", ""]
    if count:
        totals = sorted(result["score"] for result in results)
        lines += [f"Mean {sum(totals) / count:.1f}, median {totals[count // 2]:g}, "
                  f"min {totals[0]:g}, max {totals[-1]:g} (of {definition.total_points})", ""]
    lines += ["| question | max | mean | full marks |", "|---|---|---|---|"]
    for question in definition.questions:
        points = [result["questions"][question.id]["score"] for result in results]
        mean = sum(points) / count if count else 0
        full = sum(1 for p in points if p == question.points)
        lines.append(f"| {question.id} | {question.points} | {mean:.2f} | {full}/{count} |")
    if histogram_file:
        lines += ["", f"![histogram]({histogram_file})"]
    failures = Counter(test["name"] for result in results for test in result["tests"] if test["status"] != "passed")
    if failures:
        lines += ["", "## Most failed tests", "", "| test | students |", "|---|---|"]
        lines += [f"| {name} | {n} |" for name, n in failures.most_common(10)]
    trouble = [(result["student_id"], result["grading_status"], result["output"]) for result in results
               if result["grading_status"] != "graded"]
    faults = Counter((result["student_id"], test.get("fault", "")) for result in results for test in result["tests"]
                     if test.get("fault") in ("timeout", "crashed", "budget"))
    if trouble or faults:
        lines += ["", "## Crashed, timed out or not importable", ""]
        lines += [f"- {student}: {status} — {output.splitlines()[0] if output else ''}" for student, status, output in trouble]
        lines += [f"- {student}: {n} test(s) hit {fault}" for (student, fault), n in faults.items()]
    flagged = [(result["student_id"], finding) for result in results for finding in result.get("integrity", [])]
    if flagged:
        lines += ["", "## Integrity findings", ""]
        lines += [f"- {student}: line {f.get('line')}: {f.get('message')}" for student, f in flagged]
    if problems:
        lines += ["", "## Not graded", ""] + [f"- {problem}" for problem in problems]
    return "\n".join(lines) + "\n"


def write(results, problems, definition, out_dir):
    out_dir = Path(out_dir)
    histogram = "histogram.png" if results and _histogram_png(
        [result["score"] for result in results], out_dir / "histogram.png") else None
    (out_dir / "summary.md").write_text(render(results, problems, definition, histogram), encoding="utf-8")
