"""A broken hidden test is the instructor's problem: it awards nothing, is reported loudly, and a
suite whose points do not add up refuses to grade at all."""

import dataclasses

import pytest

from cnngrade import grading
from cnngrade.suite.plugin import GradingConfigError


def write_suite(tmp_path, definition, body_for, points_for=lambda question: question.points):
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "pytest.ini").write_text("[pytest]\n")
    for question in definition.questions:
        (suite / f"test_{question.id}.py").write_text(
            "import pytest\nfrom cnngrade.suite import graded\n"
            f"pytestmark = pytest.mark.question({question.id!r})\n\n"
            f"@graded(points={points_for(question)})\n"
            f"def test_{question.id}(submission):\n    {body_for(question)}\n")
    return dataclasses.replace(definition, hidden_tests=suite)


def test_a_crashing_hidden_test_awards_nothing_and_is_reported(tmp_path, definition):
    broken = write_suite(tmp_path, definition, lambda q: "1 / 0" if q.id == "lenet5" else "submission.linear_param_count(1, 1)")
    report = grading.grade(definition.solution, broken)
    scores = {question.id: question.score for question in report.questions}
    assert scores["lenet5"] == 0 and scores["param_count"] == 10
    assert report.status == "grader_error"
    assert any("ZeroDivisionError" in error and "test_lenet5" in error for error in report.grader_errors)
    lenet = next(test for test in report.tests if test.question == "lenet5")
    assert lenet.status == "error" and "grader error" in lenet.message


def test_points_that_do_not_add_up_refuse_to_grade(tmp_path, definition):
    wrong = write_suite(tmp_path, definition, lambda q: "pass", points_for=lambda q: q.points - 1)
    with pytest.raises(GradingConfigError, match="do not add up"):
        grading.grade(definition.solution, wrong)


SIDE_PROPERTY_ONLY = ("import numpy as np\n    from cnngrade.suite.checks import expect_unchanged\n"
                      "    x = np.ones((3, 3))\n"
                      "    expect_unchanged(submission.call('correlate2d', x, np.ones((2, 2))), (x,), 'correlate2d')")


def test_a_side_property_without_its_value_is_a_grader_error(tmp_path, definition):
    suite = write_suite(tmp_path, definition,
                   lambda q: SIDE_PROPERTY_ONLY if q.id == "filters" else "submission.linear_param_count(1, 1)")
    report = grading.grade(definition.solution, suite)
    filters = next(test for test in report.tests if test.question == "filters")
    assert filters.status == "error" and filters.earned == 0
    assert any("side property of correlate2d" in error and "requires=" in error for error in report.grader_errors)


def test_requires_must_name_a_collected_test(tmp_path, definition):
    suite = write_suite(tmp_path, definition, lambda q: "pass")
    test_file = suite.hidden_tests / "test_filters.py"
    test_file.write_text(test_file.read_text().replace("@graded(points=5)",
                                                       "@graded(points=5, requires='test_nowhere[basic]')"))
    with pytest.raises(GradingConfigError, match="requires= names no collected test"):
        grading.grade(definition.solution, suite)


def test_a_skipped_hidden_test_awards_nothing(tmp_path, definition):
    """Points come only from a test that ran and passed, never from one that was skipped."""
    skipping = write_suite(tmp_path, definition,
                           lambda q: "pytest.skip('later')" if q.id == "lenet5" else "submission.linear_param_count(1, 1)")
    report = grading.grade(definition.solution, skipping)
    lenet = next(test for test in report.tests if test.question == "lenet5")
    assert (lenet.status, lenet.earned) == ("error", 0)
    assert report.score == report.max_score - 10 and report.status == "grader_error"
    assert any("test_lenet5" in error and "did not run" in error for error in report.grader_errors)


@pytest.mark.parametrize("target", ["file", "class"])
def test_the_cli_refuses_a_suite_whose_points_do_not_add_up(tmp_path, definition, target):
    """One clear line and exit 2, no traceback, and no grades written for anybody."""
    import shutil
    import subprocess
    import sys

    project = tmp_path / "assignment"
    shutil.copytree(definition.hidden_tests, project / "hidden")
    shutil.copy(definition.solution, project / "solution.py")
    shutil.copy(definition.truth, project / "hidden" / "torch_truth.py")
    toml = (definition.root / "assignments" / definition.id / "assignment.toml").read_text(encoding="utf-8")
    toml = (toml.replace('root = "../.."', 'root = "."').replace('solution = "solutions/cnn_layers.py"', 'solution = "solution.py"')
            .replace('hidden_tests = "autograder/hidden_tests/hw05_cnn"', 'hidden_tests = "hidden"')
            .replace('truth = "autograder/hidden_tests/hw05_cnn/torch_truth.py"', 'truth = "hidden/torch_truth.py"')
            .replace('known_bugs = "autograder/hidden_tests/hw05_cnn/known_bugs.py"', 'known_bugs = "hidden/known_bugs.py"')
            .replace("points = 10\nfunctions = [\"lenet5_forward\"]", "points = 12\nfunctions = [\"lenet5_forward\"]"))
    (project / "assignment.toml").write_text(toml, encoding="utf-8")
    submissions = tmp_path / "class"
    submissions.mkdir()
    shutil.copy(definition.solution, submissions / "student.py")
    subject = submissions / "student.py" if target == "file" else submissions
    completed = subprocess.run([sys.executable, "-m", "cnngrade.cli", "--assignment", str(project), str(subject),
                                "--out" if target == "class" else "--json", str(tmp_path / "out")],
                               capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert completed.returncode == 2, completed.stdout + completed.stderr
    assert "Traceback" not in completed.stderr
    assert "do not add up" in completed.stderr and "lenet5 has 10 of 12" in completed.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.csv"))
