"""The CI workflow templates in ci/: fresh, valid YAML, and every command they run works as run."""

import shutil
import subprocess
import sys

import pytest
import yaml

from cnngrade.build import workflows


def test_committed_workflows_are_fresh(definition):
    for name, text in workflows.render_all(definition).items():
        assert (definition.root / "ci" / name).read_text(encoding="utf-8") == text, \
            "run `python -m cnngrade.build.workflows`"


def test_workflows_are_valid_yaml_with_the_expected_steps(definition):
    student = yaml.safe_load((definition.root / "ci" / workflows.STUDENT_FILE).read_text(encoding="utf-8"))
    steps = student["jobs"]["run-autograding-tests"]["steps"]
    graders = [step for step in steps if "autograding-command-grader" in step.get("uses", "")]
    assert sum(step["with"]["max-score"] for step in graders) == definition.total_points
    reporter = steps[-1]
    assert reporter["with"]["runners"].split(",") == [step["id"] for step in graders]
    assert set(reporter["env"]) == {f"{step['id'].upper().replace('-', '_')}_RESULTS" for step in graders}
    instructor = yaml.safe_load((definition.root / "ci" / workflows.INSTRUCTOR_FILE).read_text(encoding="utf-8"))
    runs = [step.get("run") for step in instructor["jobs"]["grade"]["steps"] if "run" in step]
    assert runs[:2] == workflows.INSTRUCTOR_COMMANDS


def _student_repo(tmp_path, definition, implementation):
    repo = tmp_path / "student-repo"
    shutil.copytree(definition.template.parent, repo, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    shutil.copyfile(implementation, repo / definition.submission_file)
    return repo


@pytest.mark.parametrize("implementation, passes", [("solution", True), ("template", False)])
def test_student_workflow_commands_run_in_a_student_repository(tmp_path, definition, implementation, passes):
    repo = _student_repo(tmp_path, definition, getattr(definition, implementation))
    for step_id, command, _ in workflows.student_commands(definition):
        completed = subprocess.run(command.replace("python", sys.executable, 1), shell=True, cwd=repo,
                                   capture_output=True, text=True, timeout=300)
        assert (completed.returncode == 0) == passes, (step_id, completed.stdout[-2000:])


@pytest.mark.slow  # pip installs the project again, then grades a class
def test_instructor_workflow_commands_run_in_the_instructor_repository(tmp_path, definition):
    install, grade = workflows.INSTRUCTOR_COMMANDS
    installed = subprocess.run(install.replace("pip", f"{sys.executable} -m pip"), shell=True, cwd=definition.root,
                               capture_output=True, text=True, timeout=900)
    assert installed.returncode == 0, installed.stderr[-2000:]
    repo = tmp_path / "instructor"
    shutil.copytree(definition.examples, repo / "submissions")
    graded = subprocess.run(grade, shell=True, cwd=repo, capture_output=True, text=True, timeout=900)
    assert graded.returncode == 0, graded.stderr[-2000:]
    assert (repo / "results" / "grades.csv").exists() and (repo / "results" / "summary.md").exists()
