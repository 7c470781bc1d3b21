"""The README's commands as an instructor runs them: one submission, and a whole class (resumable)."""

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from cnngrade import batch
from cnngrade.reports import grades_csv
from conftest import load_fixtures
from leftovers import survivors

CLI = [sys.executable, "-m", "cnngrade.cli"]


def test_single_submission_cli_writes_gradescope_json(definition, tmp_path):
    out = tmp_path / "r.json"
    completed = subprocess.run(CLI + [str(definition.solution), "--json", str(out)],
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert "100 / 100" in completed.stdout
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["score"] == results["max_score"] == 100
    assert set(results["questions"]) == {question.id for question in definition.questions}
    for test in results["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)


def test_cli_exit_code_is_zero_for_a_failing_submission_and_two_for_a_missing_file(definition, tmp_path):
    completed = subprocess.run(CLI + [str(definition.template)], capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0 and "0 / 100" in completed.stdout
    missing = subprocess.run(CLI + [str(tmp_path / "nope.py")], capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_discovery_understands_instructor_layouts(tmp_path, definition):
    source = definition.solution.read_text(encoding="utf-8")
    root = tmp_path / "subs"
    (root / "kim_minji").mkdir(parents=True)
    (root / "kim_minji" / "cnn_layers.py").write_text(source)
    (root / "lee.py").write_text(source)
    (root / "submission_4242").mkdir()
    (root / "submission_4242" / "my_answer.py").write_text(source)
    with zipfile.ZipFile(root / "park.zip", "w") as archive:
        archive.writestr("hw05/cnn_layers.py", source)
    (root / "empty_student").mkdir()
    (root / "submission_metadata.yml").write_text("{}")
    found, problems = batch.discover(root, definition.submission_file, tmp_path / "unpack")
    assert sorted(s.student_id for s in found) == ["4242", "kim_minji", "lee", "park"]
    assert len(problems) == 1 and "empty_student" in problems[0]


def test_batch_grades_examples_writes_outputs_and_resumes_without_regrading(definition, tmp_path):
    submissions = tmp_path / "subs"
    shutil.copytree(definition.examples, submissions)
    out = tmp_path / "results"
    first = subprocess.run(CLI + [str(submissions), "--out", str(out), "-j", "2"],
                           capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    with open(out / "grades.csv", newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == grades_csv.columns(definition)
    by_id = {row["student_id"]: row for row in rows}
    assert set(by_id) == {path.stem for path in definition.examples.glob("*.py")}
    assert float(by_id["loops_student"]["total_points_earned"]) == 100
    assert float(by_id["flipped_kernel_student"]["conv_forward"]) < 25
    for student in by_id:
        assert (out / "students" / student / "feedback.md").read_text(encoding="utf-8").startswith("# 채점 결과")
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "| conv_forward |" in summary

    stamp = {p: p.stat().st_mtime_ns for p in (out / "students").glob("*/results.json")}
    second = subprocess.run(CLI + [str(submissions), "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert second.returncode == 0 and "already graded" in second.stderr
    assert {p: p.stat().st_mtime_ns for p in (out / "students").glob("*/results.json")} == stamp

    # The CI flags mean the same for a class (resumed, so nothing is graded again).
    step_summary = tmp_path / "step-summary.md"
    below = subprocess.run(CLI + [str(submissions), "--out", str(out), "--fail-under", "50", "--summary",
                                  str(step_summary)], capture_output=True, text=True, timeout=600)
    assert below.returncode == 1
    assert "partial_student scored" in below.stderr and "loops_student scored" not in below.stderr
    assert step_summary.read_text(encoding="utf-8").startswith(summary)
    passing = min(float(row["total_points_earned"]) for row in rows)
    assert subprocess.run(CLI + [str(submissions), "--out", str(out), "--fail-under", str(passing)],
                          capture_output=True, text=True, timeout=600).returncode == 0


def test_flags_for_the_other_kind_of_input_are_refused(definition, tmp_path):
    for argv, flag in (([str(definition.examples), "--json", str(tmp_path / "r.json")], "--json"),
                       ([str(definition.examples), "--junit", str(tmp_path / "j.xml")], "--junit"),
                       ([str(definition.solution), "--out", str(tmp_path / "out")], "--out")):
        completed = subprocess.run(CLI + argv, capture_output=True, text=True, timeout=120)
        assert completed.returncode == 2 and flag in completed.stderr, completed.stderr
    assert not (tmp_path / "r.json").exists() and not (tmp_path / "out").exists()


def _run_watching(command, worker_root, tmp_path, timeout):
    """Run command with its workers under worker_root; (returncode, stderr, names of the
    fixture-made processes seen alive meanwhile: comm "adv-fixture" or argv[0] "adv-fixture-child")."""
    seen = set()
    with open(tmp_path / "stdout", "w") as stdout, open(tmp_path / "stderr", "w") as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, text=True,
                                   env={**os.environ, "TMPDIR": str(worker_root)})
        deadline = time.monotonic() + timeout
        while process.poll() is None and time.monotonic() < deadline:
            for _, comm, cmdline in survivors(worker_root):
                seen |= {name for name in (comm, cmdline.split(" ")[0]) if name.startswith("adv-fixture")}
            time.sleep(0.1)
        if process.poll() is None:
            process.kill()
        process.wait()
    return process.returncode, (tmp_path / "stderr").read_text(), seen


@pytest.mark.slow
def test_batch_survives_adversarial_submissions(definition, tmp_path, solution_text):
    """Hangs, exits, crashes and floods in a class folder cost only their own points."""
    chosen = {"hang_at_import_sleep", "os_exit_in_function", "print_50mb", "spawn_children", "syntax_error"}
    submissions = tmp_path / "class"
    shutil.copytree(definition.examples, submissions)
    fixtures = [f for f in load_fixtures("adversarial", definition) if f.id in chosen]
    assert {f.id for f in fixtures} == chosen
    for fixture in fixtures:
        (submissions / f"{fixture.id}.py").write_text(fixture.source(solution_text), encoding="utf-8")
    out = tmp_path / "results"
    # The workers' folders, and so the TMPDIR every process they start inherits, go under a
    # folder of this test's own: what spawn_children leaves behind is recognisable by it.
    worker_root = Path(tempfile.mkdtemp(prefix="cnngrade-test-batch-workers-"))
    os.chmod(worker_root, 0o755)  # a worker with a uid of its own must reach its folder
    try:
        returncode, stderr, spawned_while_grading = _run_watching(
            CLI + [str(submissions), "--out", str(out), "-j", "2"], worker_root, tmp_path, timeout=900)
        left_behind = survivors(worker_root)
        worker_folders = list(worker_root.glob("cnngrade-worker-*"))
    finally:
        shutil.rmtree(worker_root, ignore_errors=True)
    assert returncode == 0, stderr
    with open(out / "grades.csv", newline="", encoding="utf-8") as stream:
        rows = {row["student_id"]: row for row in csv.DictReader(stream)}
    assert float(rows["loops_student"]["total_points_earned"]) == 100
    assert float(rows["print_50mb"]["total_points_earned"]) == 100
    # spawn_children starts Popen, fork, new-session and setsid sleepers (300 s) from
    # avg_pool2d_forward, with right answers: full marks, and not one of them outlives the batch.
    assert float(rows["spawn_children"]["total_points_earned"]) == 100
    spawned = json.loads((out / "students" / "spawn_children" / "results.json").read_text(encoding="utf-8"))
    assert spawned["grading_status"] == "graded" and spawned["score"] == 100
    # Its forked sleepers ran (the Popen'd ones only where the sandbox lets a worker exec /bin/sleep).
    assert "adv-fixture" in spawned_while_grading
    assert left_behind == [] and worker_folders == []
    assert float(rows["syntax_error"]["total_points_earned"]) == 0
    assert rows["syntax_error"]["grading_status"] == "import_error"
    assert float(rows["hang_at_import_sleep"]["total_points_earned"]) == 0
    assert float(rows["os_exit_in_function"]["conv_backward"]) == 0
    assert float(rows["os_exit_in_function"]["conv_forward"]) == 25
    assert "not importable" in (out / "summary.md").read_text(encoding="utf-8")


def test_grade_is_the_default_command(definition):
    from cnngrade.cli import _with_default_command

    path = str(definition.solution)
    assert _with_default_command([path, "--json", "r.json"]) == ["grade", path, "--json", "r.json"]
    assert _with_default_command(["--assignment", "hw05_cnn", path]) == ["--assignment", "hw05_cnn", "grade", path]
    assert _with_default_command(["--assignment=hw05_cnn", path]) == ["--assignment=hw05_cnn", "grade", path]
    assert _with_default_command(["template", "--check"]) == ["template", "--check"]
