"""``cnn-grade build-student``: the student bundle holds no hidden test, no reference code and no
expected value of the grader, and both ``pytest`` and ``otter check`` run in it."""

import ast
import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cnngrade.build import shipped_runtime, student_bundle, student_runtime

TEXT_SUFFIXES = (".py", ".md", ".txt", ".toml", ".ini", ".cfg", ".json")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, definition):
    out = tmp_path_factory.mktemp("student") / "hw05"
    student_bundle.build(definition, out)
    return out


def bundle_files(folder):
    return sorted(path for path in Path(folder).rglob("*") if path.is_file())


def texts(folder):
    return {path: path.read_text(encoding="utf-8") for path in bundle_files(folder) if path.suffix in TEXT_SUFFIXES}


def solution_regions(solution_text):
    regions, current = [], None
    for line in solution_text.splitlines():
        stripped = line.strip()
        if stripped == "# BEGIN SOLUTION":
            current = []
        elif stripped == "# END SOLUTION":
            regions.append(current)
            current = None
        elif current is not None:
            current.append(stripped)
    return regions


def statements(source):
    """Every statement inside every function of ``source``, unparsed (so formatting does not matter)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for statement in node.body:
                if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)):
                    found.add(ast.unparse(statement))
    return found


def test_bundle_contents(bundle, definition):
    names = {path.relative_to(bundle).as_posix() for path in bundle_files(bundle)}
    template_dir = Path(definition.template).parent
    copied = {path.name for path in template_dir.iterdir()
              if path.is_file() and not path.name.startswith(".") and path.suffix != ".pyc"}
    assert copied <= names and "cnn_layers.py" in names and "test_public.py" in names
    assert "requirements.txt" in names
    if (Path(definition.root) / "assignments" / definition.id / "handout.md").is_file():
        assert "handout.md" in names
    assert {"lab.ipynb", "scene.png"} <= names
    runtime = f"tests/{shipped_runtime.FOLDER}/{shipped_runtime.FILE_NAME}"
    assert {f"tests/{question.id}.py" for question in definition.questions} | {runtime} == {
        name for name in names if name.startswith("tests/")}
    assert (bundle / runtime).read_bytes() == Path(student_runtime.__file__).read_bytes()
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
    assert (bundle / "cnn_layers.py").read_bytes() == Path(definition.template).read_bytes()
    requirements = (bundle / "requirements.txt").read_text(encoding="utf-8")
    packages = [line.split(">")[0].strip() for line in requirements.splitlines() if line and not line.startswith("#")]
    assert packages[:2] == ["numpy", "pytest"] and "torch" not in packages


def test_no_file_of_the_grader_or_the_solution(bundle, definition):
    root = Path(definition.root)
    # the public tests' runtime is the one file of autograder/ that is handed out, on purpose
    handed_out = Path(student_runtime.__file__).resolve()
    secret = {hashlib.sha256(path.read_bytes()).hexdigest()
              for folder in (root / "autograder", root / "solutions") for path in folder.rglob("*")
              if path.is_file() and path.resolve() != handed_out}
    for path in bundle_files(bundle):
        assert hashlib.sha256(path.read_bytes()).hexdigest() not in secret, path
    for path, text in texts(bundle).items():
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, path
        if path.suffix == ".py":
            assert not re.search(r"^\s*(from|import)\s+(cnngrade|torch)\b", text, re.M), path
            assert "@graded(" not in text and "hidden_tests" not in text, path


def test_no_reference_code(bundle, solution_text):
    bundle_lines = {line.strip() for text in texts(bundle).values() for line in text.splitlines()}
    region_lines = [line for region in solution_regions(solution_text) for line in region
                    if len(line) >= 12 and not line.startswith("#")]
    assert region_lines, "the solution has no BEGIN/END SOLUTION regions?"
    leaked = [line for line in region_lines if line in bundle_lines]
    assert not leaked, f"solution lines found in the student bundle: {leaked[:5]}"
    # function bodies, compared statement by statement after unparsing
    solution_statements = {s for s in statements(solution_text) if len(s) >= 30}
    template = (Path(bundle) / "cnn_layers.py").read_text(encoding="utf-8")
    given = statements(template)  # helpers the template keeps on purpose (_pair, ...)
    for path, text in texts(bundle).items():
        if path.suffix == ".py":
            common = (statements(text) & solution_statements) - given
            assert not common, f"{path}: solution code {sorted(common)[:3]}"


def test_no_hidden_test(bundle, definition):
    bundle_text = "\n".join(texts(bundle).values())
    bundle_lines = {line.strip() for line in bundle_text.splitlines()}
    bundle_statements = set().union(*(statements(t) for p, t in texts(bundle).items() if p.suffix == ".py"))
    for path in sorted(Path(definition.hidden_tests).glob("*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                body = [ast.unparse(s) for s in node.body
                        if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
                assert not (len(body) > 1 and set(body) <= bundle_statements), f"{path.name}::{node.name}"
        # a few generic lines (rng = ..., the slides' kernels) may coincide, a copied suite would not
        distinctive = [line.strip() for line in source.splitlines()
                       if len(line.strip()) >= 30 and not line.strip().startswith("#")]
        shared = [line for line in distinctive if line in bundle_lines]
        assert len(shared) <= max(3, len(distinctive) // 10), f"{path.name} shares {shared}"


def run_pytest(folder):
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=folder,
                          capture_output=True, text=True, timeout=600)


def run_otter_check(folder):
    return subprocess.run([sys.executable, "-m", "otter", "check", "cnn_layers.py", "-t", "tests"], cwd=folder,
                          capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def solved_bundle(bundle, definition, tmp_path_factory):
    solved = tmp_path_factory.mktemp("student-solved") / "hw05"
    shutil.copytree(bundle, solved)
    shutil.copyfile(definition.solution, solved / "cnn_layers.py")
    return solved


def test_pytest_fails_cleanly_on_the_template(bundle):
    completed = run_pytest(bundle)
    summary = completed.stdout.strip().splitlines()[-1]
    assert completed.returncode == 1, completed.stdout[-2000:]
    assert re.fullmatch(r"\d+ failed in [\d.]+s", summary), summary  # failures only: no error, no crash


def test_pytest_passes_with_the_reference(solved_bundle):
    completed = run_pytest(solved_bundle)
    assert completed.returncode == 0, completed.stdout[-3000:]


@pytest.mark.slow
def test_otter_check_fails_cleanly_on_the_template(bundle, definition):
    completed = run_otter_check(bundle)
    output = completed.stdout
    assert completed.returncode == 0, completed.stderr[-3000:]  # otter check exits 0 either way
    for question in definition.questions:
        assert f"{question.id} results:" in output
        assert "not implemented" in output
    assert "All tests passed!" not in output
    assert "did not run" not in output and "Traceback" not in output and "Error at line" in output


@pytest.mark.slow
def test_otter_check_passes_with_the_reference(solved_bundle):
    completed = run_otter_check(solved_bundle)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "All tests passed!" in completed.stdout, completed.stdout[-3000:]


@pytest.mark.slow
def test_otter_check_one_question(bundle):
    completed = subprocess.run([sys.executable, "-m", "otter", "check", "cnn_layers.py", "-t", "tests",
                                "-q", "conv_forward"], cwd=bundle, capture_output=True, text=True, timeout=900)
    assert "conv_forward results:" in completed.stdout and "lenet5 results:" not in completed.stdout
