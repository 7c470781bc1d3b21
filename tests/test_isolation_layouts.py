"""The sandbox wherever instructors grade (issue 11): every layout is a real ``cnn-grade`` run,
in a subprocess, with ``PYTHONDONTWRITEBYTECODE`` unset as on users' machines.

Each layout grades a class of five in one batch, inside the instructor's course folder (the
project checkout with ``submissions/`` in it): the reference (100), a submission that hunts the
disk for the reference solution and the hidden tests (0), one that looks for another student's
file (0), one whose setsid child double-forks an ``adv-escapee`` sleeper (100, and the sleeper
must be seen alive during grading and found nowhere in /proc afterwards), and one that removes
the import hook and imports torch anyway (0 where it uses torch: the allowlist leaves it out). The reference is also
graded alone with ``--json``. No worker folder may be left in the grader's temp dir.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from cnngrade import assignment as assignment_module
from cnngrade.sandbox import isolation, landlock
from conftest import load_fixtures
from leftovers import survivors

PROJECT = Path(__file__).resolve().parent.parent
ADVERSARIAL = PROJECT / "tests" / "fixtures" / "adversarial"
NOBODY = 65534
ABI = landlock.abi_version()
CLASS = {"alice": "reference", "hunter": "hunt_reference_on_disk", "mallory": "read_other_submission",
         "escapee": "setsid_double_fork", "tinkerer": "forbidden_import_bypass"}
DEFINITION = assignment_module.load()
FIXTURES = {fixture.id: fixture for fixture in load_fixtures("adversarial", DEFINITION)}


def expected_scores(fixture):
    """Per question: 0 where the fixture's header says expect-zero, full marks elsewhere."""
    zero = FIXTURES[fixture].expect_zero if fixture in FIXTURES else frozenset()
    return {question.id: 0 if question.id in zero else question.points for question in DEFINITION.questions}
LANDLOCK = f"landlock-{ABI}"
WITHOUT_CAP_SYS_ADMIN = ("setpriv", "--inh-caps=-sys_admin", "--bounding-set=-sys_admin")  # Docker's default caps

needs_root_and_landlock = pytest.mark.skipif(
    os.geteuid() != 0 or ABI < 6 or not shutil.which("setpriv"),
    reason="the layout matrix needs root (to play the other users), setpriv and Landlock ABI >= 6")


@dataclass
class Layout:
    python: Path  # the environment's interpreter
    project: Path  # the instructor's course folder: a checkout of the project
    sandbox: str  # what results.json must say
    prefix: tuple = ()  # how the grader is started (setpriv ...)
    owner: int = 0  # the user the grader runs as


def _run(command, **kwargs):
    completed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **kwargs)
    assert completed.returncode == 0, f"{' '.join(map(str, command))} failed:\n{completed.stderr[-4000:]}"


def _copy_project(destination, owner=0):
    """The project's files as a fresh clone has them (tracked and new, not ignored ones)."""
    try:
        listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=PROJECT, check=True,
                                capture_output=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (an unpacked archive)
        shutil.copytree(PROJECT, destination, ignore=shutil.ignore_patterns(
            ".git", ".venv", "__pycache__", "*.egg-info", ".hypothesis", ".pytest_cache"))
        listed = []
    for name in filter(None, listed):
        source = PROJECT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    if owner:
        _run(["chown", "-R", f"{owner}:{owner}", str(destination)])
    return destination


def _linked_venv(venv, project):
    """A venv of this interpreter whose site-packages are hard links of the running environment's
    (same files, new folders: Landlock rules are per folder), with ``project`` installed editable.
    Hard links keep the matrix fast; nothing ever writes into an existing file of a venv."""
    _run([os.path.join(sys.base_prefix, "bin", "python3"), "-m", "venv", "--without-pip", str(venv)])
    source = Path(sys.prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    target = next((venv / "lib").glob("python*/site-packages"))
    entries = [str(entry) for entry in source.iterdir() if not entry.name.startswith(("__editable__", "cnn_assignment"))]
    _run(["cp", "-al", *entries, str(target)])
    _run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q", "--no-deps",
          "--no-build-isolation", "-e", str(project)])
    return venv / "bin" / "python"


def _system_python_venv(venv, project, owner):
    """A venv of /usr/bin/python3, made and filled with pip by ``owner``, as that user would."""
    user = ["setpriv", f"--reuid={owner}", f"--regid={owner}", "--clear-groups",
            "env", f"HOME={venv.parent}", "PIP_NO_CACHE_DIR=1"]
    _run(user + ["/usr/bin/python3", "-m", "venv", str(venv)])
    python = str(venv / "bin" / "python")
    _run(user + [python, "-m", "pip", "install", "-q", "-r", str(project / "requirements" / "cpu-torch.txt"),
                 "numpy", "pytest", "hypothesis"])
    _run(user + [python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "-e", str(project)])
    return venv / "bin" / "python"


@pytest.fixture(scope="session")
def layouts():
    """Each layout is built on first use and kept for the session (venvs cost time)."""
    roots = [Path(tempfile.mkdtemp(prefix="cnngrade-layouts-", dir="/var/tmp")),
             Path(tempfile.mkdtemp(prefix="cnngrade-layouts-"))]
    for root in roots:
        os.chmod(root, 0o755)
    outside_tmp, under_tmp = roots
    built = {}

    def course():
        if "course" not in built:
            built["course"] = _copy_project(outside_tmp / "course")
        return built["course"]

    def make(name):
        if name in built:
            return built[name]
        if name == "venv-in-project":
            project = course()
            layout = Layout(_linked_venv(project / ".venv", project), project, f"{LANDLOCK}+uid+mntns+netns")
        elif name == "venv-under-tmp":
            project = course()
            layout = Layout(_linked_venv(under_tmp / "venv", project), project, f"{LANDLOCK}+uid+mntns+netns")
        elif name == "root-without-cap-sys-admin":
            # This environment, under the root-only /root: the worker cannot get a uid of its own.
            layout = Layout(Path(sys.executable), course(), f"{LANDLOCK}+nocaps", WITHOUT_CAP_SYS_ADMIN)
        elif name == "root-without-cap-sys-admin-system-python":
            # The system Python, which other users can run: the worker gets a uid of its own.
            user = make("unprivileged-user")
            layout = Layout(user.python, user.project, f"{LANDLOCK}+uid", WITHOUT_CAP_SYS_ADMIN)
        else:
            home = outside_tmp / "nobody"
            home.mkdir(mode=0o755)
            os.chown(home, NOBODY, NOBODY)
            project = _copy_project(home / "course", owner=NOBODY)
            layout = Layout(_system_python_venv(home / "venv", project, NOBODY), project, LANDLOCK,
                            ("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"), NOBODY)
        built[name] = layout
        return layout

    yield make
    for root in roots:
        shutil.rmtree(root, ignore_errors=True)


def _grader_environment(temp):
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    environment.update(TMPDIR=str(temp), HOME=str(temp.parent))
    return environment


def _grade(layout, arguments, temp):
    """Run cnn-grade in the layout; returns (exit code, stderr, names of the processes its workers
    had alive at some point while it ran)."""
    command = list(layout.prefix) + [str(layout.python), "-m", "cnngrade.cli"] + arguments
    process = subprocess.Popen(command, cwd=layout.project, env=_grader_environment(temp),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen = set()
    while process.poll() is None:
        seen |= {name for _, name, _ in survivors(temp)}
        time.sleep(0.1)
    return process.returncode, process.stderr.read(), seen


def _source(fixture):
    solution = (PROJECT / "solutions" / "cnn_layers.py").read_text(encoding="utf-8")
    if fixture == "reference":
        return solution
    text = (ADVERSARIAL / f"{fixture}.py").read_text(encoding="utf-8")
    return text if text.startswith("# standalone") else f"{solution}\n\n{text}"


def _class_folder(layout, name):
    """``submissions-<layout>/<student>/cnn_layers.py`` inside the course folder, as instructors keep it."""
    folder = layout.project / f"submissions-{name}"
    shutil.rmtree(folder, ignore_errors=True)
    for student, fixture in CLASS.items():
        (folder / student).mkdir(parents=True)
        (folder / student / "cnn_layers.py").write_text(_source(fixture), encoding="utf-8")
        os.chown(folder / student / "cnn_layers.py", layout.owner, layout.owner)
    for path in (folder, *folder.iterdir()):
        os.chown(path, layout.owner, layout.owner)
    return folder


def _scratch(layout, name):
    """The grader's own temp dir and output folder, owned by the user it runs as."""
    scratch = Path(tempfile.mkdtemp(prefix=f"cnngrade-{name}-"))
    temp, out = scratch / "tmp", scratch / "out"
    for folder in (scratch, temp, out):
        folder.mkdir(exist_ok=True)
        os.chmod(folder, 0o755)
        os.chown(folder, layout.owner, layout.owner)
    return scratch, temp, out


LAYOUTS = ["venv-in-project", "venv-under-tmp", "root-without-cap-sys-admin", "unprivileged-user",
           "root-without-cap-sys-admin-system-python"]


@pytest.mark.slow
@needs_root_and_landlock
@pytest.mark.parametrize("name", LAYOUTS)
def test_layout_isolates_and_leaves_nothing(layouts, name):
    layout = layouts(name)
    scratch, temp, out = _scratch(layout, name)
    try:
        classroom = _class_folder(layout, name)
        code, stderr, _ = _grade(layout, [str(layout.project / "solutions" / "cnn_layers.py"),
                                          "--json", str(out / "reference.json")], temp)
        assert code == 0, stderr
        reference = json.loads((out / "reference.json").read_text())
        assert (reference["score"], reference["sandbox"]) == (100, layout.sandbox), stderr
        assert "WARNING" not in stderr

        code, stderr, seen = _grade(layout, [str(classroom), "--out", str(out / "batch"), "-j", "2"], temp)
        assert code == 0, stderr
        results = {student: json.loads((out / "batch" / "students" / student / "results.json").read_text())
                   for student in CLASS}
        scores = {student: {question: value["score"] for question, value in result["questions"].items()}
                  for student, result in results.items()}
        assert scores == {student: expected_scores(fixture) for student, fixture in CLASS.items()}
        assert {result["sandbox"] for result in results.values()} == {layout.sandbox}
        assert "adv-escapee" in seen, "the setsid double fork never ran: this test would prove nothing"
        assert survivors(temp) == []
        assert list(temp.iterdir()) == []  # no cnngrade-worker-* folder, nothing else either
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(layout.project / f"submissions-{name}", ignore_errors=True)


HANGING_WITH_ESCAPEE = (ADVERSARIAL / "setsid_double_fork.py").read_text(encoding="utf-8") + \
    "\nimport time\ntime.sleep(600)  # the worker stays busy importing until the grader is stopped\n"


@pytest.mark.parametrize("stop, exit_code", [(signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGKILL, -signal.SIGKILL)],
                         ids=["SIGTERM", "SIGKILL"])
def test_a_stopped_grader_leaves_no_process_and_no_folder(tmp_path, stop, exit_code):
    """SIGTERM: cnn-grade stops its workers itself. SIGKILL: the cleaners see their pipe close."""
    temp = Path(tempfile.mkdtemp(prefix="cnngrade-stopped-"))
    os.chmod(temp, 0o755)
    try:
        submission = tmp_path / "cnn_layers.py"
        submission.write_text(HANGING_WITH_ESCAPEE, encoding="utf-8")
        grader = subprocess.Popen([sys.executable, "-m", "cnngrade.cli", str(submission)], cwd=tmp_path,
                                  env=_grader_environment(temp), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while "adv-escapee" not in {name for _, name, _ in survivors(temp)}:
            assert grader.poll() is None and time.monotonic() < deadline, grader.stderr.read()
            time.sleep(0.1)
        assert list(temp.glob("cnngrade-worker-*"))
        grader.send_signal(stop)
        assert grader.wait(timeout=30) == exit_code
        deadline = time.monotonic() + 10
        while (survivors(temp) or list(temp.iterdir())) and time.monotonic() < deadline:
            time.sleep(0.1)  # after SIGKILL the cleaners work on their own
        assert survivors(temp) == []
        assert list(temp.iterdir()) == []
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def test_a_worker_that_cannot_start_leaves_no_folder(tmp_path):
    """The interpreter the worker would run is missing (what a venv hidden by the sandbox did):
    grading fails, and the copy of the student's file is gone."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    script = ("import sys\nfrom cnngrade import assignment, grading\nsys.executable = '/nonexistent/bin/python3'\n"
              f"report = grading.grade({str(PROJECT / 'solutions' / 'cnn_layers.py')!r}, assignment.load())\n"
              "print(report.score)\n")
    done = subprocess.run([sys.executable, "-c", script], env=_grader_environment(temp), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout.split()[-1]) == 0
    assert list(temp.iterdir()) == []


@pytest.mark.skipif(os.geteuid() != 0 or not isolation.current().uid, reason="the worker uid exists only as root")
def test_kill_all_worker_processes_finds_setsid_escapees_by_uid():
    """Computed in the grader, the worker uid reaches a process that left every session and
    process group of the worker (it used to be computed from a forked child's pid)."""
    ids = isolation.worker_ids()
    child = os.fork()
    if child == 0:
        try:
            os.setsid()
            isolation.drop_privileges(ids)
            if os.fork() == 0:
                os.execv("/bin/sleep", ["sleep", "120"])
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    owned = [pid for pid in filter(str.isdigit, os.listdir("/proc")) if _owner(pid) == ids[0]]
    assert owned, "the escapee did not start"
    isolation.kill_all_worker_processes(ids)
    time.sleep(0.2)
    assert [pid for pid in owned if _alive(pid)] == []


def _owner(pid):
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return False
