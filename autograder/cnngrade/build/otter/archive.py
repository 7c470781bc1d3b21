"""Writing ``autograder.zip``: the bundle, the test files, the entry points and the environment."""

import json
import os
import tempfile
import zipfile
from pathlib import Path

from .. import recorded_truth
from . import collect, entry_points, environment, runtime, test_files

ZIP_DATE = (2024, 1, 1, 0, 0, 0)
# Files never copied into the bundle.
_SKIP_DIRS = {"__pycache__", ".pytest_cache", ".hypothesis", ".ipynb_checkpoints"}
_SKIP_SUFFIXES = (".pyc", ".pyo", ".egg-info")
OTTER_CONFIG = {
    "lang": "python",
    # per-question results are shown once grades are published; the visible cases always show
    "show_hidden": True,
    "show_stdout": False,
}
_EXECUTABLE = ("setup.sh", "run_autograder")


def bundle_sources(assignment):
    """(source path, path inside the bundle) for the engine, the hidden suite, solution and assignment."""
    root = Path(assignment.root)
    package = Path(__file__).resolve().parents[2]  # autograder/cnngrade
    trees = [(package, Path("autograder") / "cnngrade"),
             (Path(assignment.hidden_tests), Path(assignment.hidden_tests).relative_to(root))]
    # the engine reads only the definition, the solution and the suite's truth and known bugs
    single = [assignment.source, assignment.solution, assignment.truth] + (
        [assignment.known_bugs] if assignment.known_bugs is not None else [])
    entries = [(Path(path), Path(path).relative_to(root)) for path in single
               if Path(assignment.hidden_tests) not in Path(path).parents]
    for source, target in trees:
        for folder, dirs, files in os.walk(source):
            dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.endswith(_SKIP_SUFFIXES))
            for file_name in sorted(files):
                if file_name.endswith(_SKIP_SUFFIXES) or file_name.startswith("."):
                    continue
                path = Path(folder) / file_name
                entries.append((path, target / path.relative_to(source)))
    return entries


def _questions(assignment):
    """[(question, its test cases)] in the order of the assignment definition."""
    tests = collect.collect_hidden_tests(assignment)
    return [(question, [{"name": t["name"], "title": t["title"], "points": t["points"], "hidden": t["hidden"]}
                        for t in tests if t["question"] == question.id])
            for question in assignment.questions]


def _zip_write(archive, arcname, data, executable=False):
    info = zipfile.ZipInfo(arcname, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    archive.writestr(info, data)


def _zip_tree(archive, folder, prefix):
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        _zip_write(archive, f"{prefix}/{path.relative_to(folder).as_posix()}", path.read_bytes())


def build(assignment, out_dir):
    """Write ``out_dir/autograder.zip``; returns its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    questions = _questions(assignment)
    spec = {"assignment": str(assignment.source.relative_to(assignment.root)),
            "submission_file": assignment.submission_file, "bundle": runtime.BUNDLE,
            "truth_table": runtime.TRUTH_TABLE,
            # the engine bounds the submission to total_seconds; the rest is pytest's start-up
            "engine_timeout": int(assignment.limits.total_seconds) + 180}
    with tempfile.TemporaryDirectory(prefix="cnngrade-build-otter-") as staging:
        bundle_dir = Path(staging) / runtime.BUNDLE
        for source, target in bundle_sources(assignment):
            destination = bundle_dir / target
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(source.read_bytes())
        # PyTorch computes every expected value here, once; the grading image needs no PyTorch
        table = recorded_truth.record(assignment, bundle_dir / runtime.TRUTH_TABLE)
        requirements = environment.grading_requirements(table.recorded_with)
        cases = [{"id": question.id, "points": question.points, "cases": entries} for question, entries in questions]
        (bundle_dir / runtime.SPEC_FILE).write_text(json.dumps(dict(spec, questions=cases), ensure_ascii=False,
                                                               indent=1), encoding="utf-8")
        spec["bundle_manifest"] = runtime.file_manifest(bundle_dir)
        tests_dir = Path(staging) / "tests"
        test_files.write(tests_dir, questions, spec)
        plugin_config = {"bundle": runtime.BUNDLE, "bundle_manifest": spec["bundle_manifest"],
                         "tests_manifest": runtime.file_manifest(tests_dir)}
        top_level = {
            "otter_config.json": json.dumps(OTTER_CONFIG, indent=2) + "\n",
            "requirements.txt": requirements,
            "environment.yml": environment.environment_yml(requirements),
            "setup.sh": environment.setup_sh(),
            "run_autograder": entry_points.run_autograder(),
            "run_otter.py": entry_points.run_otter_py(plugin_config),
        }
        zip_path = out_dir / "autograder.zip"
        with zipfile.ZipFile(zip_path, "w") as archive:
            _zip_tree(archive, tests_dir, "tests")
            _zip_tree(archive, bundle_dir, f"files/{runtime.BUNDLE}")
            for name, text in top_level.items():
                _zip_write(archive, name, text, executable=name in _EXECUTABLE)
    return zip_path
