"""A Markdown summary of one graded submission, fit for $GITHUB_STEP_SUMMARY."""

from .feedback import render as render_feedback


def render(report):
    return render_feedback(report, report.submission)


def write(report, path):
    with open(path, "a", encoding="utf-8") as stream:  # GITHUB_STEP_SUMMARY is appended to
        stream.write(render(report))
