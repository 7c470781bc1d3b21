"""``cnn-grade``: grade submissions and build what the assignment hands out.

    cnn-grade SUBMISSION [--json PATH]      grade one .py/.ipynb file (the default command)
    cnn-grade SUBMISSIONS_DIR --out DIR      grade a whole class in parallel (resumable)
    cnn-grade template [--check]            regenerate (or check) the student template
    cnn-grade build-otter OUT_DIR            the otter-grader / Gradescope autograder.zip
    cnn-grade record-truth PATH              the hidden suite's expected values, recorded with PyTorch
    cnn-grade build-student OUT_DIR          what is handed out to students
"""

import argparse
import functools
import sys
from pathlib import Path

from . import assignment as assignment_module
from .sandbox import isolation

# Each command imports what it needs when it runs: a student's one-file grading should not wait for
# the builders, the batch or the report formats it does not use (see cold start in README).

COMMANDS = ("grade", "template", "build-otter", "build-student", "otter-layout", "record-truth")


def _refuse(flags, why):
    """Flags that mean nothing for this kind of input are refused, never silently dropped."""
    given = [flag for flag, value in flags if value is not None]
    if given:
        print(f"cnn-grade: {', '.join(given)} {why}", file=sys.stderr)
        return 2
    return None


def _grade(args, assignment):
    from . import grading
    from .reports import feedback, junit, results_json, terminal_table
    from .reports.formatting import points

    submission = Path(args.submission)
    if submission.is_dir():
        return _grade_batch(args, assignment)
    if not submission.is_file():
        print(f"cnn-grade: no such file: {submission}", file=sys.stderr)
        return 2
    refused = _refuse((("--out", args.out), ("--jobs", args.jobs)), "grade a folder of submissions, not one file")
    if refused is not None:
        return refused
    log = sys.stderr if args.verbose else None
    report = grading.grade(submission, assignment, log=log, truth=args.truth)
    print(terminal_table.render(report))
    _warn_if_not_isolated()
    if args.json:
        results_json.write(report, args.json)
    if args.junit:
        junit.write(report, args.junit)
    if args.summary:
        _append(args.summary, feedback.render(report, report.submission))
    for error in report.grader_errors:
        print(error, file=sys.stderr)
    if args.fail_under is not None and report.score < args.fail_under:
        print(f"cnn-grade: score {points(report.score)} is below --fail-under {points(args.fail_under)}",
              file=sys.stderr)
        return 1
    return 0


def _grade_batch(args, assignment):
    from . import batch
    from .progress import Progress
    from .reports.formatting import points

    refused = _refuse((("--json", args.json), ("--junit", args.junit)),
                      "grade one file; a class gets students/<id>/results.json and grades.csv under --out")
    if refused is not None:
        return refused
    out_dir = Path(args.out or "results")
    reports = batch.grade_batch(args.submission, out_dir, assignment, jobs=args.jobs, progress=Progress(),
                                truth=args.truth)
    print(f"{len(reports)} submission(s): {out_dir / 'grades.csv'}, {out_dir / 'summary.md'}, "
          f"{out_dir / 'students'}/<id>/{{results.json,feedback.md,report.json}}")
    _warn_if_not_isolated()
    if args.summary:
        _append(args.summary, (out_dir / "summary.md").read_text(encoding="utf-8") + "\n")
    if args.fail_under is not None:
        below = {student: report for student, report in reports.items() if report.score < args.fail_under}
        for student, report in below.items():
            print(f"cnn-grade: {student} scored {points(report.score)}, below --fail-under "
                  f"{points(args.fail_under)}", file=sys.stderr)
        if below:
            return 1
    return 0


def _append(path, markdown):
    """--summary appends: $GITHUB_STEP_SUMMARY may already hold other steps' summaries."""
    with open(path, "a", encoding="utf-8") as stream:
        stream.write(markdown)


def _warn_if_not_isolated():
    if not isolation.current().hides_files:
        print(isolation.NOT_ISOLATED_WARNING, file=sys.stderr)


def _template(args, assignment):
    from .build import template

    if args.check:
        if template.is_stale(assignment):
            print(f"{assignment.template} is stale: run `cnn-grade template`", file=sys.stderr)
            return 1
        print(f"{assignment.template} is up to date")
        return 0
    template.write(assignment)
    print(f"wrote {assignment.template}")
    return 0


def _reference_checked(run):
    """For the commands that compute the expected values: they first check the reference solution
    against them, and a mismatch is exit 1 with its reason."""
    @functools.wraps(run)
    def checked(args, assignment):
        from .build.recorded_truth import ReferenceMismatch

        try:
            return run(args, assignment)
        except ReferenceMismatch as error:
            print(f"cnn-grade {args.command}: {error}", file=sys.stderr)
            return 1
    return checked


@_reference_checked
def _build_otter(args, assignment):
    from .build.otter import archive as otter_archive

    path = otter_archive.build(assignment, args.out_dir)
    print(f"wrote {path}  (otter run -a {path} SUBMISSION; Gradescope: upload it as the autograder)")
    return 0


@_reference_checked
def _record_truth(args, assignment):
    from .build import recorded_truth

    table = recorded_truth.record(assignment, args.path)
    versions = ", ".join(f"{name} {version}" for name, version in table.recorded_with.items())
    print(f"wrote {args.path}: {len(table)} expected values ({versions})")
    return 0


def _build_student(args, assignment):
    from .build import student_bundle

    files = student_bundle.build(assignment, args.out_dir)
    print(f"wrote {len(files)} files to {args.out_dir}  (pytest; otter check {assignment.submission_file} -t tests)")
    return 0


def _otter_layout(args, assignment):
    from .build import otter_layout

    try:
        written, problems = otter_layout.layout(args.class_dir, args.out_dir, assignment.submission_file)
    except (ValueError, OSError) as error:
        print(f"cnn-grade otter-layout: {error}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"skipped {problem}", file=sys.stderr)
    print(f"wrote {len(written)} submission(s) to {args.out_dir}, one file per student id; grade them with:")
    for command in otter_layout.otter_commands(args.out_dir, written):
        print(f"  {command}")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="cnn-grade", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assignment", help="assignment id (a folder of assignments/), its folder or its "
                                             "assignment.toml (default: the only one in assignments/)")
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser("grade", help="grade one submission")
    grade.add_argument("submission", help="the student's .py/.ipynb file, or a folder of submissions")
    grade.add_argument("--json", metavar="PATH", help="write Gradescope-style results.json here")
    grade.add_argument("--junit", metavar="PATH", help="write JUnit XML (one testcase per hidden test)")
    grade.add_argument("--summary", metavar="PATH", help="append a Markdown summary (e.g. $GITHUB_STEP_SUMMARY); "
                                                          "batch: the class summary")
    grade.add_argument("--fail-under", type=float, metavar="SCORE",
                       help="exit 1 when the score is below SCORE; batch: when any student's is")
    grade.add_argument("--out", metavar="DIR", help="batch: where grades.csv, summary.md and feedback go "
                                                    "(default: results)")
    grade.add_argument("-j", "--jobs", type=int, help="batch: submissions graded in parallel (default: cores)")
    grade.add_argument("-v", "--verbose", action="store_true", help="show the hidden suite's pytest log")
    grade.add_argument("--truth", default="auto", metavar="auto|live|TABLE",
                       help="expected values: auto (a cache of what PyTorch computed, PyTorch for the rest; "
                            "default), live (PyTorch only), or a table of cnn-grade record-truth (nothing else)")
    grade.set_defaults(run=_grade)
    make_template = commands.add_parser("template", help="generate the student template from the solution")
    make_template.add_argument("--check", action="store_true", help="fail if the committed template is stale")
    make_template.set_defaults(run=_template)
    build_otter = commands.add_parser("build-otter", help="build the otter-grader/Gradescope autograder.zip")
    build_otter.add_argument("out_dir", metavar="OUT_DIR", help="folder that receives autograder.zip")
    build_otter.set_defaults(run=_build_otter)
    make_layout = commands.add_parser("otter-layout", help="lay out a class folder for `otter grade` "
                                                            "(one file per student id, so final_grades.csv names them)")
    make_layout.add_argument("class_dir", metavar="CLASS", help="submissions in any layout the batch reads")
    make_layout.add_argument("out_dir", metavar="OUT", help="empty folder that receives py/<id>.py and ipynb/<id>.ipynb")
    make_layout.set_defaults(run=_otter_layout)
    record = commands.add_parser("record-truth", help="record the hidden suite's expected values with PyTorch")
    record.add_argument("path", metavar="PATH", help="the table file to write")
    record.set_defaults(run=_record_truth)
    build_student = commands.add_parser("build-student", help="build the bundle handed to students")
    build_student.add_argument("out_dir", metavar="OUT_DIR", help="folder that receives the student bundle")
    build_student.set_defaults(run=_build_student)
    return parser


def _with_default_command(argv):
    """``cnn-grade FILE ...`` means ``cnn-grade grade FILE ...``."""
    index = 0
    while index < len(argv) and argv[index].startswith("-"):
        index += 1 if "=" in argv[index] or argv[index] in ("-h", "--help") else 2  # skip --assignment X
    if index < len(argv) and argv[index] not in COMMANDS:
        return argv[:index] + ["grade"] + argv[index:]
    return argv


def main(argv=None):
    argv = _with_default_command(list(sys.argv[1:] if argv is None else argv))
    args = build_parser().parse_args(argv)
    if args.command == "grade":
        isolation.start_probe()  # runs while the grader imports pytest and numpy
    from .sandbox import session
    from .suite.plugin import GradingConfigError

    assignment = assignment_module.load(args.assignment)
    session.close_sessions_on_sigterm()
    try:
        return args.run(args, assignment)
    except GradingConfigError as error:
        print(f"cnn-grade: the hidden suite of {assignment.id} cannot grade: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
