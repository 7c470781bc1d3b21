"""The zip in a real container: the real `otter grade` and `run_autograder` run as Gradescope runs it.

Docker comes from Debian's packages, the test starts its own dockerd and stops it by its PID, the
base image is debootstrapped locally, and the grading image is built from the zip's own files with
the classic builder (tests/container_harness.py says how and why). Without root it is skipped with
the reason, unless CI=true or CNNGRADE_REQUIRE_DOCKER=1, where a missing Docker fails.

Every expected score comes from `cnn-grade` on the host, graded as a batch over the same class
folder; none is written down here. The attack fixtures (tests/fixtures/container/) are appended to
the template, so they gain nothing exactly when they score what `cnn-grade` gives them, the
template's 0.
"""

import json
import math
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import container_harness as harness
from cnngrade import assignment as assignment_module
from cnngrade.build.otter import archive, local_run
from cnngrade.build import otter_layout
from conftest import FIXTURES_DIR, load_fixtures

pytestmark = [pytest.mark.slow, pytest.mark.container]

BUGGY = ["kernel_flipped", "conv_output_size_ceil", "conv_dx_overwrite"]
ATTACKS = sorted(path.stem for path in (FIXTURES_DIR / "container").glob("*.py"))
# run_autograder the Gradescope way: the reference, the template and every attack
GRADESCOPE = ["reference", "template"] + ATTACKS
PICKLE_MARKER = Path("/tmp/cnngrade-container-attack-pickle-ran")  # see forge_results_pickle.py
EXAMPLES = sorted(path.stem for path in Path(assignment_module.load().examples).glob("*.py"))
CLASS = (["reference", "template"] + [f"example_{name}" for name in EXAMPLES] + [f"buggy_{name}" for name in BUGGY]
         + ATTACKS)


def class_sources(definition, solution_text):
    """{student id: source} of the class graded in the container."""
    sources = {"reference": solution_text, "template": definition.template.read_text(encoding="utf-8")}
    for name in EXAMPLES:
        sources[f"example_{name}"] = (Path(definition.examples) / f"{name}.py").read_text(encoding="utf-8")
    buggy = {fixture.id: fixture for fixture in load_fixtures("buggy", definition)}
    for fixture_id in BUGGY:
        sources[f"buggy_{fixture_id}"] = buggy[fixture_id].source(solution_text)
    for attack in ATTACKS:
        snippet = (FIXTURES_DIR / "container" / f"{attack}.py").read_text(encoding="utf-8")
        sources[attack] = f"{sources['template']}\n\n# ---- container attack {attack} ----\n{snippet}"
    return sources


@pytest.fixture(scope="module")
def docker():
    try:
        harness.ensure_tools()
    except harness.Unavailable as error:
        if harness.required():
            pytest.fail(f"real containers are required here (CI=true or CNNGRADE_REQUIRE_DOCKER=1): {error}")
        pytest.skip(f"no real containers: {error}")
    daemon = harness.Docker().start()
    try:
        yield daemon
    finally:
        daemon.stop()


@pytest.fixture(scope="module")
def otter_zip(tmp_path_factory, definition):
    return archive.build(definition, tmp_path_factory.mktemp("container-zip"))


@pytest.fixture(scope="module")
def image(docker, otter_zip):
    return harness.build_grading_image(docker, otter_zip)


@pytest.fixture(scope="module")
def classroom(tmp_path_factory, definition, solution_text):
    """The class in GitHub Classroom's layout (one folder per student), as instructors receive it."""
    root = tmp_path_factory.mktemp("classroom")
    for student_id, source in class_sources(definition, solution_text).items():
        (root / student_id).mkdir()
        (root / student_id / definition.submission_file).write_text(source, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def engine(classroom, tmp_path_factory):
    """{student id: results.json} from a `cnn-grade` batch on the host."""
    out = tmp_path_factory.mktemp("cnn-grade")
    subprocess.run([sys.executable, "-m", "cnngrade.cli", str(classroom), "--out", str(out), "-j", "2"],
                   check=True, capture_output=True, text=True, timeout=1800)
    return {folder.name: json.loads((folder / "results.json").read_text(encoding="utf-8"))
            for folder in (out / "students").iterdir()}


@pytest.fixture(scope="module")
def otter_layout_dir(classroom, tmp_path_factory, definition):
    out = tmp_path_factory.mktemp("otter-layout") / "class"
    written, problems = otter_layout.layout(classroom, out, definition.submission_file)
    assert problems == [] and len(written) == len(list(classroom.iterdir()))
    return out / "py"


@pytest.fixture(scope="module")
def final_grades(docker, image, otter_zip, otter_layout_dir, tmp_path_factory):
    """final_grades.csv of the real `otter grade` (2 containers) by row label."""
    PICKLE_MARKER.unlink(missing_ok=True)
    rows = harness.otter_grade(docker, image, otter_zip, [otter_layout_dir], tmp_path_factory.mktemp("otter-grade"),
                               containers=2)
    by_file = {row["file"]: row for row in rows}
    assert by_file.pop("points-per-question", None) is not None  # otter's row of possible points
    return by_file


@pytest.fixture(scope="module")
def gradescope(docker, image, otter_layout_dir, tmp_path_factory):
    """{student id: (results.json, log, processes alive after grading, digest of the grading files)}."""
    out = tmp_path_factory.mktemp("gradescope")
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {student_id: pool.submit(harness.gradescope_run, docker, image,
                                           staged_as_submission(otter_layout_dir / f"{student_id}.py", out),
                                           out / student_id)
                   for student_id in GRADESCOPE}
        return {student_id: future.result() for student_id, future in futures.items()}


def staged_as_submission(path, out):
    """Students upload cnn_layers.py to Gradescope."""
    folder = out / "uploads" / path.stem
    folder.mkdir(parents=True)
    shutil.copyfile(path, folder / "cnn_layers.py")
    return folder / "cnn_layers.py"


def engine_scores(report):
    return {question: entry["score"] for question, entry in report["questions"].items()}


def assert_close(got, want, what):
    differing = {key: (got.get(key), value) for key, value in want.items()
                 if got.get(key) is None or not math.isclose(got[key], value, abs_tol=1e-9)}
    assert differing == {}, f"{what}: (container, cnn-grade) per question"


# ---------------------------------------------------------------------------------------------
# otter grade
# ---------------------------------------------------------------------------------------------

def test_otter_grade_labels_each_row_with_the_student_id(final_grades, classroom):
    assert sorted(final_grades) == sorted(f"{folder.name}.py" for folder in classroom.iterdir())


@pytest.mark.parametrize("student_id", CLASS)
def test_otter_grade_scores_like_cnn_grade(final_grades, engine, student_id, definition):
    report = engine[student_id]
    row = final_grades[f"{student_id}.py"]
    assert_close({question: float(row[question]) for question in engine_scores(report)}, engine_scores(report),
                 student_id)
    assert math.isclose(float(row["total_points_earned"]), report["score"], abs_tol=1e-9)
    if student_id in ("reference", "example_loops_student"):  # sanity: the class is not all zeros
        assert report["score"] == definition.total_points
    if student_id == "template" or student_id in ATTACKS:
        assert report["score"] == 0  # the template's score: the attack gained nothing


def test_no_pickle_from_a_container_ran_code_here(final_grades):
    assert not PICKLE_MARKER.exists()


# ---------------------------------------------------------------------------------------------
# run_autograder, the way Gradescope runs it
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("student_id", GRADESCOPE)
def test_run_autograder_scores_like_cnn_grade_and_leaves_nothing_behind(gradescope, engine, student_id):
    results, log, alive, grading_files = gradescope[student_id]
    assert results is not None, log[-4000:]
    scores = {name: score for name, (score, _) in local_run.question_scores(results).items()}
    assert_close(scores, engine_scores(engine[student_id]), student_id)
    assert "forged" not in json.dumps(results)
    assert alive == [], "processes alive after run_autograder ended"
    clean_run = gradescope["template" if student_id == "reference" else "reference"][3]
    assert grading_files is not None and grading_files == clean_run, \
        "run_autograder, run_otter.py, otter_config.json, tests/ or the bundle differ from a clean run's"
    # the engine could drop to a uid of its own: the student's code did not run as root
    assert runs_as_own_uid(engine_sandbox_level(log)), log[-3000:]


def runs_as_own_uid(level):
    """Sandbox levels as results.json names them: before the Landlock work "namespace" and
    "unprivileged" switched uid; after it, names list the mechanisms, e.g. "landlock-7+uid"."""
    return level in ("namespace", "unprivileged") or "uid" in (level or "").split("+")


def engine_sandbox_level(log):
    """The sandbox level the engine reported in the container (the plugin's report says it)."""
    for line in log.splitlines():
        if line.startswith("cnngrade engine:") and "sandbox level: " in line:
            return line.split("sandbox level: ", 1)[1].split(";", 1)[0].strip()
    return None


def test_the_grading_image_has_no_pytorch(docker, image):
    """The zip ships the recorded truth: its image grades (the tests above) without PyTorch."""
    probe = docker.docker("run", "--rm", "--network", "none", "--entrypoint", "/bin/bash", image, "-c",
                          ". /root/miniforge3/envs/otter-env/bin/activate && python -c "
                          "'import importlib.util as u; print(u.find_spec(\"torch\") is None, u.find_spec(\"numpy\") is None)'")
    assert probe.stdout.split() == ["True", "False"], probe.stdout + probe.stderr
