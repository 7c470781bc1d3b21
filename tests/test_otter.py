"""otter-grader export: ``cnn-grade build-otter`` scores exactly like ``cnn-grade``.

The zip is built once per session. Every submission is graded by real otter (``otter run``, and the
Gradescope/otter-grade container path through the zip's run_otter.py) and by ``cnn-grade --json``,
and the per-question scores are compared; no expected score is written down here. The runs go
through a small thread pool, started for the selected tests only, so they overlap on two cores.
"""

import ast
import json
import math
import os
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from cnngrade import grading, notebook
from cnngrade.build import shipped_runtime
from cnngrade.build.otter import archive, collect, entry_points, local_run, runtime
from cnngrade.build.otter.plugin import PLUGIN_NAME
from cnngrade.suite.truth import TruthTable
from cnngrade.suite.truth import fingerprint as truth_fingerprint
from conftest import load_fixtures

TIMEOUT = 900
# Buggy fixtures that lose whole or partial questions, and adversarial ones whose trick happens in a
# function (so otter's kernel, which only imports the file, survives them).
BUGGY = ["kernel_flipped", "conv_output_size_ceil", "pool_stride_none_as_one", "conv_dx_overwrite",
         "lenet5_flatten_nhwc"]
ADVERSARIAL = ["patched_numpy_comparisons", "sys_exit_at_import", "os_exit_in_function"]
OTTER_RUN = ["reference", "template", "loops_student", "notebook"] + BUGGY + ADVERSARIAL
# The container path (plugin active): the kernel never runs student code, so attacks on otter itself
# and a hang at import are graded like cnn-grade too.
CONTAINER = ["reference", "patched_numpy_comparisons", "otter_attack", "hang_at_import_sleep"]
# What the tests that are not parametrized by submission need from the pool.
NEEDS = {"test_collection_matches_a_real_grading_run": [("cnn-grade", "reference")],
         "test_failure_messages_come_from_the_engine": [("otter", "kernel_flipped")]}

OTTER_ATTACK = '''

# ---- attack on otter itself: make its in-kernel test runner report every case as passed ----
try:
    import otter.test_files.exception_test as _et
    from otter.test_files.abstract_test import TestCaseResult as _Result

    def _run(self, env):
        self.test_case_results = [_Result(test_case=tc, message="ok", passed=True) for tc in self.test_cases]

    _et.ExceptionTestFile.run = _run
except Exception:
    pass
'''


def notebook_json(cells):
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": kind, "metadata": {}, "source": source, **({"outputs": [], "execution_count": None}
                                                                  if kind == "code" else {})}
        for kind, source in cells]})


def solution_as_notebook(solution_text):
    """The reference split into cells at every top-level def, with Colab-style magics and markdown."""
    chunks, current = [], []
    for line in solution_text.splitlines(keepends=True):
        if line.startswith("def ") and current:
            chunks.append("".join(current))
            current = []
        current.append(line)
    chunks.append("".join(current))
    cells = [("markdown", "# HW05 in Colab"), ("code", "!pip --version\n%matplotlib inline")]
    cells += [("code", chunk) for chunk in chunks]
    cells.append(("code", "%%time\nprint(conv_output_size(9, 3))"))
    return notebook_json(cells)


def submission_source(submission_id, definition, solution_text):
    if submission_id == "reference":
        return solution_text
    if submission_id == "template":
        return Path(definition.template).read_text(encoding="utf-8")
    if submission_id == "loops_student":
        return (Path(definition.examples) / "loops_student.py").read_text(encoding="utf-8")
    if submission_id == "otter_attack":
        return Path(definition.template).read_text(encoding="utf-8") + OTTER_ATTACK
    fixtures = {fixture.id: fixture for kind in ("buggy", "adversarial") for fixture in load_fixtures(kind, definition)}
    return fixtures[submission_id].source(solution_text)


def otter_command():
    return [sys.executable, "-m", "otter"]


def run_cnn_grade(path, out_dir):
    target = out_dir / "cnn-grade.json"
    subprocess.run([sys.executable, "-m", "cnngrade.cli", str(path), "--json", str(target)],
                   capture_output=True, text=True, timeout=TIMEOUT, check=True)
    return json.loads(target.read_text(encoding="utf-8"))


def run_otter(zip_path, path, out_dir):
    results_dir = out_dir / "otter-run"
    results_dir.mkdir()
    completed = subprocess.run(otter_command() + ["run", "--no-logo", "-a", str(zip_path), "-o", str(results_dir),
                                                  str(path)], capture_output=True, text=True, timeout=TIMEOUT)
    results = results_dir / "results.json"
    assert results.is_file(), f"otter run wrote no results.json:\n{completed.stdout[-2000:]}\n{completed.stderr[-3000:]}"
    return json.loads(results.read_text(encoding="utf-8")), completed


def run_container(zip_path, path, out_dir):
    results, completed, base = local_run.run_like_container(zip_path, path, parent=out_dir, timeout=TIMEOUT)
    assert results is not None, f"no results.json:\n{completed.stdout[-2000:]}\n{completed.stderr[-3000:]}"
    shutil.rmtree(base, ignore_errors=True)
    return results, completed


@pytest.fixture(scope="session")
def otter_zip(tmp_path_factory, definition):
    return archive.build(definition, tmp_path_factory.mktemp("otter-build"))


@pytest.fixture(scope="session")
def graded(request, tmp_path_factory, otter_zip, definition, solution_text):
    """Futures of every run the selected tests need, started at once on a small pool."""
    wanted = {"otter": [], "container": [], "cnn-grade": []}
    for item in request.session.items:
        if not item.module.__name__.endswith("test_otter"):
            continue
        callspec = getattr(item, "callspec", None)
        needs = NEEDS.get(item.originalname, [])
        if callspec is not None and "submission_id" in callspec.params:
            kind = "container" if "container" in item.originalname else "otter"
            needs = [(kind, callspec.params["submission_id"])]
        for kind, submission_id in needs:
            if submission_id not in wanted[kind]:
                wanted[kind].append(submission_id)
    root = tmp_path_factory.mktemp("otter-runs")
    paths = {}
    for submission_id in dict.fromkeys(wanted["cnn-grade"] + wanted["otter"] + wanted["container"]):
        folder = root / submission_id
        folder.mkdir()
        if submission_id == "notebook":
            path = folder / "cnn_layers.ipynb"
            path.write_text(solution_as_notebook(solution_text), encoding="utf-8")
        else:
            path = folder / definition.submission_file
            path.write_text(submission_source(submission_id, definition, solution_text), encoding="utf-8")
        paths[submission_id] = path
    pool = ThreadPoolExecutor(max_workers=2)
    futures = {}
    for submission_id, path in paths.items():
        # a notebook's equivalent .py is the reference itself
        engine_input = definition.solution if submission_id == "notebook" else path
        futures["cnn-grade", submission_id] = pool.submit(run_cnn_grade, engine_input, path.parent)
        if submission_id in wanted["otter"]:
            futures["otter", submission_id] = pool.submit(run_otter, otter_zip, path, path.parent)
        if submission_id in wanted["container"]:
            futures["container", submission_id] = pool.submit(run_container, otter_zip, path, path.parent)
    yield {key: future for key, future in futures.items()}
    pool.shutdown(wait=True, cancel_futures=True)


def engine_scores(report):
    return {question: (entry["score"], entry["max_score"]) for question, entry in report["questions"].items()}


def assert_same_scores(otter_results, engine_report):
    """Per question (score, max_score) and the total agree up to float rounding. Compared pair by pair:
    pytest.approx refuses nested structures since pytest 9.2."""
    otter_scores = local_run.question_scores(otter_results)
    expected = engine_scores(engine_report)
    assert otter_scores.keys() == expected.keys()
    differing = {question: (otter_scores[question], expected[question]) for question in expected
                 if not all(math.isclose(got, want, abs_tol=1e-9)
                            for got, want in zip(otter_scores[question], expected[question]))}
    assert differing == {}, "otter vs cnn-grade (score, max_score) per question"
    total = sum(score for score, _ in otter_scores.values())
    assert math.isclose(total, engine_report["score"], abs_tol=1e-9)  # final_grades.csv's total_points_earned


# ---------------------------------------------------------------------------------------------
# The zip itself (fast)
# ---------------------------------------------------------------------------------------------

def test_zip_layout(otter_zip, definition):
    with zipfile.ZipFile(otter_zip) as archive:
        names = set(archive.namelist())
        requirements = archive.read("requirements.txt").decode()
        environment = archive.read("environment.yml").decode()
        run_otter_py = archive.read("run_otter.py").decode()
        run_autograder = archive.read("run_autograder").decode()
        config = json.loads(archive.read("otter_config.json"))
    assert {f"tests/{q.id}.py" for q in definition.questions} == {n for n in names if n.startswith("tests/")
                                                                  and n.count("/") == 1}
    runtime_dir = f"tests/{shipped_runtime.FOLDER}"
    assert {n for n in names if n.startswith("tests/") and n.count("/") > 1} == {
        f"{runtime_dir}/{shipped_runtime.FILE_NAME}", f"{runtime_dir}/{runtime.RUNTIME_SPEC}"}
    assert {"otter_config.json", "requirements.txt", "environment.yml", "setup.sh", "run_autograder",
            "run_otter.py"} <= names
    files = [n for n in names if n.startswith("files/")]
    assert files and all(n.startswith("files/cnngrade_bundle/") for n in files)  # never a top-level .py
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or "/." in n]
    for needed in ("autograder/cnngrade/cli.py", "autograder/cnngrade/notebook.py", "solutions/cnn_layers.py",
                   f"assignments/{definition.id}/assignment.toml", "otter_spec.json"):
        assert f"files/cnngrade_bundle/{needed}" in names
    hidden = Path(definition.hidden_tests)
    for path in hidden.glob("*.py"):
        assert f"files/cnngrade_bundle/{path.relative_to(definition.root).as_posix()}" in names
    packages = [line.split(">")[0].split("=")[0].strip() for line in requirements.splitlines()
                if line.strip() and not line.startswith("#")]
    # no PyTorch in the image: the bundle carries the recorded truth, and the Hypothesis that drew its inputs
    assert packages == ["numpy", "pytest", "hypothesis"] and "torch" not in environment
    with zipfile.ZipFile(otter_zip) as archive:
        table_bytes = archive.read(f"files/cnngrade_bundle/{runtime.TRUTH_TABLE}")
    table_path = Path(otter_zip).parent / "table-from-zip.zip"
    table_path.write_bytes(table_bytes)
    table = TruthTable.load(table_path)
    assert f"hypothesis=={table.recorded_with['hypothesis']}" in requirements.splitlines()
    assert table.fingerprint == truth_fingerprint(definition.truth) and len(table) > 100
    assert "otter-grader[grading,plugins]==7.0.0" in environment and "python=3.11" in environment
    assert PLUGIN_NAME in run_otter_py and "plugins" not in config
    # bytecode off before the first import of run_otter.py
    assert run_otter_py.index("dont_write_bytecode = True") < run_otter_py.index("from otter")
    # run_autograder locks /autograder and opens /root before it starts otter
    lines = run_autograder.splitlines()
    start = next(index for index, line in enumerate(lines) if "run_otter.py" in line and not line.startswith("#"))
    assert lines[0] == "#!/bin/bash"
    assert {"chown -R root:root /autograder", "chmod -R go-rwx /autograder", "chmod 711 /root"} <= set(lines[:start])
    assert config["show_hidden"] is True


# Installed by otter's own setup.sh for PDF export, or for R, whenever its otter_config.json guard says so.
NOT_FOR_GRADING = ("texlive", "pandoc", "playwright", "chromium", "jq", "libgit2", "build-essential",
                   "nb_conda_kernels")


def commands(script):
    """The lines of a shell script that are not comments."""
    return [line.strip() for line in script.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_otters_own_setup_sh_installs_what_ours_leaves_out():
    """What the next test looks for is there in otter's template: the check can fail."""
    otter_setup = "\n".join(commands(entry_points.otter_template("python/setup.sh")))
    assert [word for word in NOT_FOR_GRADING if word in otter_setup] == list(NOT_FOR_GRADING)
    assert "otter_config.json" in otter_setup


def test_setup_sh_installs_the_grading_environment_and_nothing_else(otter_zip):
    with zipfile.ZipFile(otter_zip) as archive:
        setup = archive.read("setup.sh").decode()
        conda_environment = yaml.safe_load(archive.read("environment.yml"))
        requirements = archive.read("requirements.txt").decode()
        run_autograder = archive.read("run_autograder").decode()
    lines = commands(setup)
    assert [word for word in NOT_FOR_GRADING if word in "\n".join(lines)] == []
    # whatever the order of the image build: nothing of the zip but environment.yml is read
    assert not [line for line in lines if "/autograder/source/" in line and "environment.yml" not in line]
    # the environment run_autograder activates is the one environment.yml creates ...
    activated = [line.split()[-1] for line in commands(run_autograder) if line.startswith("mamba activate ")]
    assert activated == [conda_environment["name"]]
    assert "mamba env create -f /autograder/source/environment.yml" in lines
    # ... with otter and every grading requirement
    pip = next(entry["pip"] for entry in conda_environment["dependencies"] if isinstance(entry, dict))
    assert commands(requirements) and set(commands(requirements)) <= set(pip)
    assert "otter-grader[grading,plugins]==7.0.0" in pip
    assert subprocess.run(["bash", "-n"], input=setup, text=True, capture_output=True).returncode == 0


def test_test_cases_mirror_the_hidden_suite(otter_zip, definition, tmp_path):
    from otter.test_files.exception_test import ExceptionTestFile

    with zipfile.ZipFile(otter_zip) as archive:
        archive.extractall(tmp_path)
    collected = collect.collect_hidden_tests(definition)
    for question in definition.questions:
        test_file = ExceptionTestFile.from_file(str(tmp_path / "tests" / f"{question.id}.py"))
        assert test_file.name == question.id
        expected = [(t["name"], t["points"], t["visibility"] != "visible") for t in collected
                    if t["question"] == question.id]
        assert [(c.name, c.points, c.hidden) for c in test_file.test_cases] == expected
        assert test_file.possible == question.points
        # the cases and the loader of the shipped runtime, no code of the runtime pasted in
        source = ast.parse((tmp_path / "tests" / f"{question.id}.py").read_text(encoding="utf-8"))
        functions = [node.name for node in source.body if isinstance(node, ast.FunctionDef)]
        assert functions == ["_runtime"] + [f"case_{index:03d}" for index in range(1, len(expected) + 1)]
    assert sum(t["points"] for t in collected) == definition.total_points
    assert any(not t["hidden"] for t in collected) and any(t["hidden"] for t in collected)


@pytest.mark.slow
def test_collection_matches_a_real_grading_run(graded, definition):
    report = graded["cnn-grade", "reference"].result()
    collected = collect.collect_hidden_tests(definition)
    assert sorted((t["tags"][0], t["number"], t["max_score"], t["visibility"]) for t in report["tests"]) == \
        sorted((t["question"], t["name"], t["points"], t["visibility"]) for t in collected)


# ---------------------------------------------------------------------------------------------
# Equivalence with cnn-grade
# ---------------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("submission_id", OTTER_RUN)
def test_otter_run_scores_like_cnn_grade(graded, submission_id):
    engine_report = graded["cnn-grade", submission_id].result()
    otter_results, completed = graded["otter", submission_id].result()
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert_same_scores(otter_results, engine_report)
    if submission_id in ("reference", "loops_student", "notebook"):
        assert engine_report["score"] == engine_report["max_score"]
    if submission_id in ("template",) + tuple(BUGGY):
        assert engine_report["score"] < engine_report["max_score"]


@pytest.mark.slow
@pytest.mark.parametrize("submission_id", CONTAINER)
def test_container_path_scores_like_cnn_grade(graded, submission_id):
    engine_report = graded["cnn-grade", submission_id].result()
    results, completed = graded["container", submission_id].result()
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert_same_scores(results, engine_report)
    assert "the kernel did not execute the submission" in completed.stdout
    visible = [t for t in results["tests"] if t["name"] == "Public Tests"]
    assert visible and visible[0]["visibility"] == "visible"
    assert all(t["visibility"] == "after_published" for t in results["tests"] if "score" in t)


@pytest.mark.slow
def test_failure_messages_come_from_the_engine(graded):
    engine_report = graded["cnn-grade", "kernel_flipped"].result()
    otter_results, _ = graded["otter", "kernel_flipped"].result()
    failed = [t for t in engine_report["tests"] if t["status"] != "passed"]
    output = "\n".join(t.get("output", "") for t in otter_results["tests"])
    assert failed and all(t["number"] in output for t in failed)
    assert failed[0]["output"].splitlines()[0] in output


# ---------------------------------------------------------------------------------------------
# Integrity: a bundle changed after the build fails closed
# ---------------------------------------------------------------------------------------------

def tampered_zip(otter_zip, tmp_path):
    target = tmp_path / "autograder.zip"
    with zipfile.ZipFile(otter_zip) as source, zipfile.ZipFile(target, "w") as copy:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith("suite/checks.py"):
                data += b"\n# changed after the build\n"
            copy.writestr(info, data)
    return target


@pytest.mark.slow
def test_modified_bundle_fails_closed_under_otter_run(otter_zip, tmp_path, definition):
    results, completed = run_otter(tampered_zip(otter_zip, tmp_path), definition.solution, tmp_path)
    assert sum(score for score, _ in local_run.question_scores(results).values()) == 0
    assert "modified after the autograder was built: changed autograder/cnngrade/suite/checks.py" in \
        json.dumps(results, ensure_ascii=False)


@pytest.mark.slow
def test_modified_bundle_is_an_autograder_error_in_the_container(otter_zip, tmp_path, definition):
    results, completed, _ = local_run.run_like_container(tampered_zip(otter_zip, tmp_path), definition.solution,
                                                           parent=tmp_path)
    assert completed.returncode != 0
    assert results["score"] == 0 and "changed autograder/cnngrade/suite/checks.py" in results["tests"][0]["output"]


@pytest.mark.slow
def test_container_path_writes_no_bytecode_into_the_zip_files(otter_zip, tmp_path, definition):
    """Gradescope and otter's image do not set PYTHONDONTWRITEBYTECODE (this machine does): with
    bytecode on, importing the engine once wrote __pycache__ into the bundle and every submission
    scored 0."""
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    results, completed, base = local_run.run_like_container(otter_zip, definition.solution, parent=tmp_path,
                                                              env=environment)
    assert results is not None and completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-3000:]
    assert sum(score for score, _ in local_run.question_scores(results).values()) == definition.total_points
    source = base / "autograder" / "source"
    with zipfile.ZipFile(otter_zip) as archive:
        shipped = {name for name in archive.namelist() if not name.endswith("/")}
    written = {path.relative_to(source).as_posix() for path in source.rglob("*") if path.is_file()} - shipped
    assert written == set()


def test_manifest_check_names_what_differs(tmp_path):
    package = tmp_path / "bundle" / "pkg"
    package.mkdir(parents=True)
    (package / "mod.py").write_text("x = 1\n")
    (package / "data.json").write_text("{}")
    manifest = runtime.file_manifest(tmp_path / "bundle")
    assert runtime.manifest_problems(tmp_path / "bundle", manifest) == []
    # Python's own bytecode cache of a shipped module is tolerated; nothing else is
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"cache")
    assert runtime.manifest_problems(tmp_path / "bundle", manifest) == []
    (package / "__pycache__" / "numpy.cpython-311.pyc").write_bytes(b"shadow")
    (package / "numpy.py").write_text("shadow = True\n")
    (package / "mod.py").write_text("x = 2\n")
    (package / "data.json").unlink()
    assert runtime.manifest_problems(tmp_path / "bundle", manifest) == [
        "missing pkg/data.json", "changed pkg/mod.py", "extra pkg/__pycache__/numpy.cpython-311.pyc",
        "extra pkg/numpy.py"]
    assert runtime.manifest_problems(tmp_path / "nowhere", manifest) == [f"{tmp_path / 'nowhere'} is missing"]


# ---------------------------------------------------------------------------------------------
# Notebook submissions: the converter
# ---------------------------------------------------------------------------------------------

def test_notebook_cells_are_joined_and_magics_commented():
    text = notebook_json([
        ("markdown", "# title\n%not code"),
        ("code", ["!pip install numpy\n", "%matplotlib inline\n", "import numpy as np\n"]),
        ("code", "files = !ls\nnp.zeros?\ndef f(x):\n    if x:\n        %time g()\n    return x + 1\n"),
        ("code", "%%time\ny = f(1)\n"),
        ("code", "%%bash\necho hi\nexit 3\n"),
        ("raw", "raw text"),
        ("code", "z = 10 % 3  # already Python: untouched\n"),
    ])
    source = notebook.notebook_to_source(text)
    namespace = {}
    exec(compile(source, "nb.py", "exec"), namespace)
    assert namespace["y"] == 2 and namespace["z"] == 1 and "files" not in namespace
    assert "# !pip install numpy" in source and "# %matplotlib inline" in source
    assert "        pass  # %time g()" in source and "# %%bash" in source and "# echo hi" in source
    assert "title" not in source and "raw text" not in source
    assert source.index("[cell 2]") < source.index("[cell 3]") < source.index("[cell 7]")


def test_unreadable_notebook_becomes_an_import_error(tmp_path):
    broken = tmp_path / "cnn_layers.ipynb"
    broken.write_text("{ not json", encoding="utf-8")
    target = tmp_path / "out.py"
    notebook.copy_as_source(broken, target)
    with pytest.raises(ImportError, match="the notebook could not be read"):
        exec(compile(target.read_text(encoding="utf-8"), "out.py", "exec"), {})


def test_py_submissions_are_copied_byte_for_byte(tmp_path):
    source = tmp_path / "a.py"
    source.write_bytes(b"x = 1  # \xed\x95\x9c\n")
    notebook.copy_as_source(source, tmp_path / "b.py")
    assert (tmp_path / "b.py").read_bytes() == source.read_bytes()


@pytest.mark.slow
def test_converted_notebook_grades_like_the_py(tmp_path, definition, solution_text):
    path = tmp_path / "cnn_layers.py"
    path.write_text(notebook.notebook_to_source(solution_as_notebook(solution_text)), encoding="utf-8")
    report = grading.grade(path, definition)
    assert report.score == report.max_score, [t.message for t in report.tests if t.status != "passed"][:3]


def test_notebook_cli(tmp_path, capsys):
    path = tmp_path / "n.ipynb"
    path.write_text(notebook_json([("code", "%pwd\nx = 1\n")]), encoding="utf-8")
    assert notebook.main([str(path)]) == 0
    assert "# %pwd\nx = 1" in capsys.readouterr().out
