"""``cnn-grade``: grade submissions and build what the assignment hands out.

    cnn-grade SUBMISSION [--json PATH]      grade one .py/.ipynb file (the default command)
    cnn-grade SUBMISSIONS_DIR --out DIR      grade a whole class in parallel (resumable)
    cnn-grade template [--check]            regenerate (or check) the student template
    cnn-grade build-otter OUT_DIR            the otter-grader / Gradescope autograder.zip
    cnn-grade build-student OUT_DIR          what is handed out to students
"""

import argparse
import sys
from pathlib import Path

from . import assignment as assignment_module
from . import batch, grading
from .progress import Progress
from .build.otter import archive as otter_archive
from .build import otter_layout, student_bundle, template
from .reports import junit, markdown_summary, results_json, table
from .sandbox import isolation, session

COMMANDS = ("grade", "template", "build-otter", "build-student", "otter-layout")


def _refuse(flags, why):
    """Flags that mean nothing for this kind of input are refused, never silently dropped."""
    given = [flag for flag, value in flags if value is not None]
    if given:
        print(f"cnn-grade: {', '.join(given)} {why}", file=sys.stderr)
        return 2
    return None


def _grade(args, definition):
    submission = Path(args.submission)
    if submission.is_dir():
        return _grade_batch(args, definition)
    if not submission.is_file():
        print(f"cnn-grade: no such file: {submission}", file=sys.stderr)
        return 2
    refused = _refuse((("--out", args.out), ("--jobs", args.jobs)), "grade a folder of submissions, not one file")
    if refused is not None:
        return refused
    log = sys.stderr if args.verbose else None
    report = grading.grade(submission, definition, log=log)
    print(table.render(report))
    _warn_if_not_isolated()
    if args.json:
        results_json.write(report, args.json)
    if args.junit:
        junit.write(report, args.junit)
    if args.summary:
        markdown_summary.write(report, args.summary)
    for error in report.grader_errors:
        print(error, file=sys.stderr)
    if args.fail_under is not None and report.score < args.fail_under:
        print(f"cnn-grade: score {report.score:g} is below --fail-under {args.fail_under:g}", file=sys.stderr)
        return 1
    return 0


def _grade_batch(args, definition):
    refused = _refuse((("--json", args.json), ("--junit", args.junit)),
                      "grade one file; a class gets students/<id>/results.json and grades.csv under --out")
    if refused is not None:
        return refused
    out_dir = Path(args.out or "results")
    results = batch.grade_batch(args.submission, out_dir, definition, jobs=args.jobs, progress=Progress())
    print(f"{len(results)} submission(s): {out_dir / 'grades.csv'}, {out_dir / 'summary.md'}, "
          f"{out_dir / 'students'}/<id>/{{results.json,feedback.md}}")
    _warn_if_not_isolated()
    if args.summary:
        with open(args.summary, "a", encoding="utf-8") as stream:
            stream.write((out_dir / "summary.md").read_text(encoding="utf-8") + "\n")
    if args.fail_under is not None:
        below = [result for result in results if result["score"] < args.fail_under]
        for result in below:
            print(f"cnn-grade: {result['student_id']} scored {result['score']:g}, below --fail-under "
                  f"{args.fail_under:g}", file=sys.stderr)
        if below:
            return 1
    return 0


def _warn_if_not_isolated():
    if not isolation.current().hides_files:
        print(isolation.NOT_ISOLATED_WARNING, file=sys.stderr)


def _template(args, definition):
    if args.check:
        if template.is_stale(definition):
            print(f"{definition.template} is stale: run `cnn-grade template`", file=sys.stderr)
            return 1
        print(f"{definition.template} is up to date")
        return 0
    template.write(definition)
    print(f"wrote {definition.template}")
    return 0


def _build_otter(args, definition):
    path = otter_archive.build(definition, args.out_dir)
    print(f"wrote {path}  (otter run -a {path} SUBMISSION; Gradescope: upload it as the autograder)")
    return 0


def _build_student(args, definition):
    files = student_bundle.build(definition, args.out_dir)
    print(f"wrote {len(files)} files to {args.out_dir}  (pytest; otter check cnn_layers.py -t tests)")
    return 0


def _otter_layout(args, definition):
    try:
        written, problems = otter_layout.layout(args.class_dir, args.out_dir, definition.submission_file)
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
    parser.add_argument("--assignment", default=assignment_module.DEFAULT_ASSIGNMENT,
                        help="assignment id (a folder of assignments/) or path of its assignment.toml")
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
    definition = assignment_module.load(args.assignment)
    session.close_sessions_on_sigterm()
    return args.run(args, definition)


if __name__ == "__main__":
    sys.exit(main())
