"""A second, tiny assignment (tests/assignments/tiny: two functions, its own hidden suite, its own
truth without PyTorch, its own known bug) graded end to end by the same engine: the engine holds
nothing of HW05."""

import ast
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cnngrade import assignment as assignment_module

TINY = Path(__file__).resolve().parent / "assignments" / "tiny"
ENGINE = Path(assignment_module.__file__).resolve().parent


def cnn_grade(*args, cwd, tmp_path):
    completed = subprocess.run([sys.executable, "-m", "cnngrade.cli", "--assignment", str(TINY), *map(str, args)],
                               capture_output=True, text=True, timeout=600, cwd=cwd,
                               env=dict(os.environ, CNNGRADE_CACHE_DIR=str(tmp_path / "cache")))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed


def test_the_tiny_assignment_loads_relative_to_its_own_folder():
    tiny = assignment_module.load(TINY)
    assert tiny.id == "tiny_activations" and tiny.root == TINY
    assert tiny.solution == TINY / "solution" / "activations.py" and tiny.truth.is_file()
    assert [question.id for question in tiny.questions] == ["relu", "softmax"]


def test_one_submission_of_the_tiny_assignment_is_graded_with_its_own_truth_and_bugs(tmp_path):
    cnn_grade(TINY / "solution" / "activations.py", "--json", tmp_path / "right.json", cwd=tmp_path,
              tmp_path=tmp_path)
    right = json.loads((tmp_path / "right.json").read_text(encoding="utf-8"))
    assert (right["score"], right["max_score"], right["grading_status"]) == (10, 10, "graded")
    assert {name: value["score"] for name, value in right["questions"].items()} == {"relu": 4, "softmax": 6}

    cnn_grade(TINY / "examples" / "softmax_wrong_axis.py", "--json", tmp_path / "wrong.json", cwd=tmp_path,
              tmp_path=tmp_path)
    wrong = json.loads((tmp_path / "wrong.json").read_text(encoding="utf-8"))
    assert {name: value["score"] for name, value in wrong["questions"].items()} == {"relu": 4, "softmax": 4}
    failed = [test for test in wrong["tests"] if test["score"] < test["max_score"]]
    assert [test["name"].rsplit("[", 1)[-1] for test in failed] == ["rows]"]
    assert "다른 축으로 정규화했나요?" in failed[0]["output"] and "Did you normalise over another axis?" in failed[0]["output"]


def test_a_class_of_the_tiny_assignment_is_graded_in_batch(tmp_path):
    cnn_grade(TINY / "examples", "--out", tmp_path / "out", cwd=tmp_path, tmp_path=tmp_path)
    with open(tmp_path / "out" / "grades.csv", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [(row["student_id"], float(row["relu"]), float(row["softmax"]), float(row["total_points_earned"]))
            for row in rows] == [("softmax_wrong_axis", 4, 4, 8)]


@pytest.mark.parametrize("command", ["record-truth", "build-otter"])
def test_commands_that_record_the_truth_refuse_a_reference_that_fails_its_suite(tmp_path, command):
    tiny = tmp_path / "tiny"
    shutil.copytree(TINY, tiny, ignore=shutil.ignore_patterns("__pycache__"))
    solution = tiny / "solution" / "activations.py"
    solution.write_text(solution.read_text(encoding="utf-8") + "\n\ndef relu(x):\n    return x\n", encoding="utf-8")
    completed = subprocess.run([sys.executable, "-m", "cnngrade.cli", "--assignment", str(tiny), command,
                                str(tmp_path / "out")], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert completed.stderr.startswith(f"cnn-grade {command}: ") and "test_relu" in completed.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def _code_words(path):
    """Identifiers and string constants of a module, docstrings left out (they may give examples)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, ast.Attribute):
            yield node.attr
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.value


@pytest.mark.parametrize("module", sorted(ENGINE.rglob("*.py")), ids=lambda path: str(path.relative_to(ENGINE)))
def test_the_engine_names_nothing_of_hw05(module, definition):
    """No function, question or file name of HW05 in the engine's code: they come from assignment.toml."""
    hw05 = definition.all_names() | {question.id for question in definition.questions} | {
        definition.id, definition.submission_file, Path(definition.submission_file).stem}
    found = {name for word in _code_words(module) for name in hw05 if name in word}
    assert not found, f"{module.relative_to(ENGINE)} names {sorted(found)}"
