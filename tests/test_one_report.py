"""One report type: GradeReport.from_dict(to_dict()) gives back the very report, on real graded
submissions, through JSON as a batch stores it; a resumed batch writes the class outputs of a fresh
one; the worker sends arguments back only when a test asks for them."""

import json
import shutil

import numpy as np
import pytest

from cnngrade import batch, grading
from cnngrade.report import GradeReport
from cnngrade.reports import feedback, junit, results_json, terminal_table
from cnngrade.sandbox.session import SubmissionSession
from test_grader_errors import write_suite

IMPORT_ERROR = "import numpy as np\nraise RuntimeError('a cell that fails at import')\n"


@pytest.fixture(scope="module")
def graded(definition, tmp_path_factory):
    """Real reports of four kinds: every test passed, some failed, no import, a grader error."""
    folder = tmp_path_factory.mktemp("reports")
    sources = {"passing": definition.solution.read_text(encoding="utf-8"),
               "partial": (definition.examples / "partial_student.py").read_text(encoding="utf-8"),
               "import_error": IMPORT_ERROR}
    paths = []
    for name, source in sources.items():
        (folder / name).mkdir()
        paths.append(folder / name / definition.submission_file)
        paths[-1].write_text(source, encoding="utf-8")
    reports = []
    grading.grade_stream(paths, definition, reports.append)
    by_kind = dict(zip(sources, reports))
    crashing = write_suite(folder, definition,
                           lambda q: "1 / 0" if q.id == "lenet5" else "submission.linear_param_count(1, 1)")
    by_kind["grader_error"] = grading.grade(definition.solution, crashing)
    return by_kind


def test_the_four_kinds_are_what_they_claim(graded):
    assert graded["passing"].score == graded["passing"].max_score == 100
    assert 0 < graded["partial"].score < 100
    assert any(test.requires for test in graded["partial"].tests)  # tuples, which JSON turns into lists
    assert any(test.diagnosis or test.hint for test in graded["partial"].tests)
    assert graded["import_error"].status == "import_error" and graded["import_error"].score == 0
    assert graded["grader_error"].status == "grader_error"


@pytest.mark.parametrize("kind", ["passing", "partial", "import_error", "grader_error"])
def test_from_dict_of_to_dict_is_the_same_report(graded, kind):
    report = graded[kind]
    stored = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    reloaded = GradeReport.from_dict(stored)
    assert reloaded == report
    assert reloaded.to_dict() == report.to_dict()
    # ... and so every format made from it is the same, to the byte.
    assert json.dumps(results_json.to_results(reloaded)) == json.dumps(results_json.to_results(report))
    assert feedback.render(reloaded, "kim") == feedback.render(report, "kim")
    assert junit.to_xml(reloaded) == junit.to_xml(report)
    assert terminal_table.render(reloaded) == terminal_table.render(report)


def test_from_dict_refuses_what_is_not_a_report(graded):
    with pytest.raises(ValueError, match="not fields of a GradeReport"):
        GradeReport.from_dict(dict(graded["passing"].to_dict(), score=100))


def test_a_resumed_batch_writes_the_grades_and_summary_of_a_fresh_one(definition, tmp_path):
    submissions = tmp_path / "class"
    shutil.copytree(definition.examples, submissions)
    (submissions / "broken.py").write_text(IMPORT_ERROR, encoding="utf-8")
    fresh = tmp_path / "fresh"
    batch.grade_batch(submissions, fresh, definition, jobs=2)
    class_files = ("grades.csv", "summary.md")
    written = {name: (fresh / name).read_bytes() for name in class_files}

    # Half resumed: two students come from their stored report.json, the others are graded again.
    resumed = tmp_path / "resumed"
    for student in ("broken", "partial_student"):
        shutil.copytree(fresh / "students" / student, resumed / "students" / student)
    stored = {path: path.stat().st_mtime_ns for path in (resumed / "students").glob("*/report.json")}
    batch.grade_batch(submissions, resumed, definition, jobs=2)
    assert {path: path.stat().st_mtime_ns for path in stored} == stored  # not graded again
    assert {name: (resumed / name).read_bytes() for name in class_files} == written

    # Wholly resumed: nothing is graded, the class files are written again from report.json alone.
    for name in class_files:
        (fresh / name).unlink()
    reports = batch.grade_batch(submissions, fresh, definition, jobs=2)
    assert {name: (fresh / name).read_bytes() for name in class_files} == written
    assert reports["loops_student"].score == 100 and reports["broken"].status == "import_error"


def test_a_changed_file_is_graded_again(definition, tmp_path):
    submissions = tmp_path / "class"
    submissions.mkdir()
    student = submissions / "kim.py"
    student.write_text(IMPORT_ERROR, encoding="utf-8")
    out = tmp_path / "out"
    assert batch.grade_batch(submissions, out, definition, jobs=1)["kim"].score == 0
    shutil.copy(definition.solution, student)
    assert batch.grade_batch(submissions, out, definition, jobs=1)["kim"].score == 100


@pytest.mark.parametrize("arguments_after", [False, True])
def test_the_worker_sends_the_arguments_back_only_when_asked(definition, write_submission, arguments_after):
    function = sorted(definition.all_names())[0]
    path = write_submission(f"def {function}(x):\n    x *= 2\n    return float(x.sum())\n")
    x = np.ones(3)
    message = {"op": "call", "name": function, "args": [x], "kwargs": {}, "arguments_after": arguments_after}
    with SubmissionSession(path, definition) as session:
        reply = session._request(function, message)  # the reply as it crossed, before it becomes a CallResult
        result = session.call(function, (x,), arguments_after=arguments_after)
    assert reply["status"] == "ok" and reply["value"] == 6.0
    assert ("args_after" in reply) is arguments_after and ("kwargs_after" in reply) is arguments_after
    assert result.value == 6.0 and x.tolist() == [1.0, 1.0, 1.0]  # the grader's copy is never touched
    if arguments_after:
        assert result.args_after[0].tolist() == [2.0, 2.0, 2.0] and result.kwargs_after == {}
    else:
        assert result.args_after is None and result.kwargs_after is None
