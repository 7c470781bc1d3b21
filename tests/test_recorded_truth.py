"""Recorded truth: the expected values of the hidden suite recorded once with PyTorch, so that
grading (the otter zip) needs no PyTorch, and gives exactly the scores live PyTorch gives."""

import dataclasses
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from cnngrade import grading
from cnngrade.build import recorded_truth
from cnngrade.suite.truth import Truth, TruthTable, call_key
from conftest import load_fixtures

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def table_path(definition, tmp_path_factory):
    path = tmp_path_factory.mktemp("truth") / "truth.zip"
    recorded_truth.record(definition, path)
    return path


def outcomes(report):
    """What the truth decides, test by test. Not the fault's kind: whether a hanging call is cut by
    its timeout or by a crash first depends on the machine's load, not on the truth."""
    return {test.nodeid: (test.status, test.earned) for test in report.tests}


def test_values_of_every_kind_survive_the_table(tmp_path):
    values = {
        "array": np.arange(6, dtype=np.float32).reshape(2, 3),
        "gradients": (np.ones((1, 2)), np.zeros(3, dtype=np.int64), np.float64(2.5)),
        "rows": [("conv2d", (6, 28, 28), 156), ("relu", (6, 28, 28), 0)],
        "params": {"conv1.weight": np.full((2, 1, 3, 3), -1.5), "conv1.bias": np.zeros(2)},
        "size": 7, "pair": (3, 4), "refused": None, "flag": True, "name": "same",
    }
    TruthTable("f" * 32, values, {"numpy": np.__version__}).save(tmp_path / "t.zip")
    loaded = TruthTable.load(tmp_path / "t.zip")
    assert loaded.fingerprint == "f" * 32 and loaded.recorded_with == {"numpy": np.__version__}
    assert loaded.values.keys() == values.keys()
    for name, value in values.items():
        got = loaded.values[name]
        assert type(got) is type(value), name
        if name == "array":
            assert got.dtype == np.float32 and np.array_equal(got, value) and not got.flags.writeable
    assert loaded.values["gradients"][1].dtype == np.int64 and loaded.values["gradients"][2] == np.float64(2.5)
    assert loaded.values["rows"] == values["rows"] and loaded.values["pair"] == (3, 4)


@pytest.mark.parametrize("left, right", [
    ((np.zeros((2, 3)),), (np.zeros((3, 2)),)),                   # shape
    ((np.zeros(3),), (np.zeros(3, dtype=np.float32),)),             # dtype
    (((1, 2),), ([1, 2],)),                                          # tuple vs list
    ((1,), (1.0,)),                                                  # int vs float
    ((1,), (True,)),                                                 # int vs bool
    (({"a": 1},), ({"a": 2},)),
])
def test_call_keys_tell_different_arguments_apart(left, right):
    assert call_key("f", left, {}) != call_key("f", right, {})
    assert call_key("f", left, {}) == call_key("f", left, {})
    assert call_key("f", left, {}) != call_key("g", left, {})


def test_call_keys_are_the_same_in_another_process():
    """Keys are digests of the bytes, not Python's per-process hash()."""
    program = ("import numpy as np; from cnngrade.suite.truth import call_key; "
               "print(call_key('conv2d', (np.arange(4.0).reshape(2, 2), None), {'padding': (1, 'same')}))")
    keys = {subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True,
                           env=dict(os.environ, PYTHONHASHSEED=seed)).stdout for seed in ("1", "2")}
    assert len(keys) == 1


def test_the_reference_is_graded_from_the_table_without_pytorch(definition, table_path):
    """In the otter zip PyTorch is not installed: grading reads the table and never imports it."""
    program = (f"import sys, json; from cnngrade import assignment, grading\n"
               f"report = grading.grade({str(definition.solution)!r}, assignment.load(), truth={str(table_path)!r})\n"
               f"print(json.dumps([report.score, report.max_score, report.grader_errors, 'torch' in sys.modules]))")
    completed = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    score, max_score, errors, torch_imported = json.loads(completed.stdout.splitlines()[-1])
    assert (score, errors, torch_imported) == (max_score, [], False)


def test_a_call_the_table_lacks_is_a_grader_error_naming_the_test(definition, table_path, tmp_path):
    table = TruthTable.load(table_path)
    truth = Truth(definition.truth, table, live=False)
    dropped = call_key("linear_param_count", (400, 120, True), {})
    assert dropped in table.values
    del table.values[dropped]
    report = grading.grade(definition.solution, definition, truth=truth)
    failed = [test for test in report.tests if test.status != "passed"]
    assert [test.nodeid.split("::")[-1] for test in failed] == ["test_linear_param_count[400-120-True]"]
    assert failed[0].status == "error" and failed[0].earned == 0
    assert report.status == "grader_error" and report.score == report.max_score - failed[0].points
    assert any("test_linear_param_count[400-120-True]" in error and "holds no value for linear_param_count(400, 120, True)"
               in error for error in report.grader_errors)


def test_a_table_of_another_truth_module_is_refused(definition, table_path, tmp_path):
    changed = tmp_path / "torch_truth.py"
    changed.write_text(definition.truth.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    with pytest.raises(ValueError, match="record it again"):
        Truth(changed, TruthTable.load(table_path), live=False)


def test_a_reference_that_fails_its_suite_records_nothing(definition, tmp_path, solution_text):
    broken = tmp_path / "solution.py"
    broken.write_text(solution_text + "\n\ndef linear_param_count(in_features, out_features, bias=True):\n"
                      "    return in_features * out_features\n", encoding="utf-8")
    with pytest.raises(recorded_truth.ReferenceMismatch, match="test_linear_param_count"):
        recorded_truth.record(dataclasses.replace(definition, solution=broken), tmp_path / "t.zip")
    assert not (tmp_path / "t.zip").exists()


def test_auto_truth_caches_what_pytorch_computed(definition, tmp_path):
    """cnn-grade's default: the first run computes with PyTorch and keeps the values; the next
    one needs no PyTorch at all."""
    program = (f"import sys, json; from cnngrade import assignment, grading\n"
               f"report = grading.grade({str(definition.solution)!r}, assignment.load())\n"
               f"print(json.dumps([report.score, 'torch' in sys.modules]))")
    environment = dict(os.environ, CNNGRADE_CACHE_DIR=str(tmp_path / "cache"))
    runs = []
    for _ in range(2):
        completed = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=600,
                                   env=environment)
        assert completed.returncode == 0, completed.stderr[-3000:]
        runs.append(tuple(json.loads(completed.stdout.splitlines()[-1])))
    assert runs == [(100, True), (100, False)]
    assert len(list((tmp_path / "cache").iterdir())) == 1


def _graded_outcomes(paths, truth):
    """{submission: (score, outcomes, recorded-truth errors)} of one grading stream (run in a process)."""
    from cnngrade import assignment

    graded = {}

    def keep(report):
        misses = [error for error in report.grader_errors if "recorded truth" in error]
        graded[report.submission] = (report.score, outcomes(report), misses)

    grading.grade_stream(paths, assignment.load(), keep, truth=truth)
    return graded


@pytest.mark.slow
def test_recorded_and_live_truth_give_identical_scores_on_the_whole_corpus(definition, table_path, solution_text,
                                                                            tmp_path):
    import multiprocessing

    paths = [str(definition.solution)] + [str(path) for path in sorted(definition.examples.glob("*.py"))]
    for kind in ("buggy", "adversarial"):
        for fixture in load_fixtures(kind, definition):
            folder = tmp_path / kind / fixture.id
            folder.mkdir(parents=True)
            (folder / definition.submission_file).write_text(fixture.source(solution_text), encoding="utf-8")
            paths.append(str(folder / definition.submission_file))
    # the two streams side by side, in fresh interpreters (a fork of a process that ran PyTorch is not safe)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        live, recorded = pool.starmap(_graded_outcomes, [(paths, "live"), (paths, str(table_path))])
    assert live.keys() == recorded.keys() == set(paths)
    for submission in paths:
        assert recorded[submission][2] == [], submission
        assert recorded[submission][1] == live[submission][1], submission
        assert recorded[submission][0] == live[submission][0], submission


def test_the_same_values_make_the_same_table_bytes(tmp_path):
    """The otter zip carries the table: the same truth must give the same zip (and image tag)."""
    values = {"a": np.arange(3.0), "b": (1, None)}
    for name in ("one.zip", "two.zip"):
        TruthTable("f" * 32, values, {"numpy": np.__version__}).save(tmp_path / name)
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()
