"""A broken submission is graded 0 on what it breaks, with the real reason (file, line, exception)."""

from conftest import full_marks, scores


def test_syntax_error_gives_zero_with_file_and_line(solution_text, write_submission, grade):
    report = grade(write_submission("import numpy as np\n\ndef broken(:\n    pass\n" + solution_text))
    assert report.score == 0
    assert "SyntaxError" in report.import_error and "cnn_layers.py, line 3" in report.import_error
    assert all(report.import_error in test.message for test in report.tests)


def test_import_error_names_the_missing_module(solution_text, write_submission, grade):
    report = grade(write_submission("import not_a_real_module_xyz\n" + solution_text))
    assert report.score == 0
    assert "ModuleNotFoundError" in report.import_error and "line 1" in report.import_error


def test_forbidden_module_is_refused_with_a_bilingual_message(solution_text, write_submission, grade):
    report = grade(write_submission("import torch\n" + solution_text))
    assert report.score == 0
    assert "NumPy" in report.import_error and "이 과제는 NumPy만으로" in report.import_error


def test_missing_function_costs_only_its_question(solution_text, write_submission, grade, definition):
    report = grade(write_submission(solution_text + "\ndel linear_param_count\n"))
    expected = full_marks(definition)
    got = scores(report)
    assert got["param_count"] < expected["param_count"]
    assert {k: v for k, v in got.items() if k != "param_count"} == {
        k: v for k, v in expected.items() if k != "param_count"}
    messages = [t.message for t in report.tests if t.status == "failed"]
    # cnn_summary calls linear_param_count, so its tests fail with the NameError it raises, and its
    # ValueError test with them (it counts only when its value test passes).
    assert messages and all("does not define 'linear_param_count'" in m or "NameError" in m
                            or "basic value test (" in m for m in messages)
    assert sum("basic value test (" in m for m in messages) == 1


def test_exception_inside_a_function_reports_type_and_line(solution_text, write_submission, grade):
    source = solution_text + "\n\ndef avg_pool2d_forward(x, *args, **kwargs):\n    return x[99]\n"
    line = source.count("\n") - 0
    report = grade(write_submission(source))
    failed = [t for t in report.tests if t.status == "failed" and "avg_pool2d_forward" in t.message]
    assert failed and all("IndexError" in t.message and f"line {line}" in t.message for t in failed)


def test_grading_is_deterministic(definition, write_submission, grade):
    """The same submission graded twice gives the same results, test by test (timings aside)."""
    path = definition.examples / "partial_student.py"
    first, second = grade(path), grade(path)
    outcome = lambda report: [(t.nodeid, t.status, t.message) for t in report.tests]  # noqa: E731
    assert outcome(first) == outcome(second)
    assert first.score == second.score


def test_workers_start_when_the_grader_maps_more_than_their_memory_limit(solution_text, write_submission, grade,
                                                                          definition):
    """A grader with a CUDA build of torch maps several GB: the worker's address-space limit must not
    apply before exec, when the child is still a copy of the grader."""
    import mmap

    reserved = mmap.mmap(-1, 2 * definition.limits.memory_mb << 20)  # address space only, never touched
    try:
        report = grade(write_submission(solution_text))
    finally:
        reserved.close()
    assert report.grader_errors == [] and scores(report) == full_marks(definition)
