"""sandbox/landlock.py on the running kernel: what each ABI knows, and a real confined process."""

import dataclasses
import os
import shutil
import socket
import subprocess
import sys

import pytest

from cnngrade.report import GradeReport, QuestionScore
from cnngrade.reports import class_summary
from cnngrade.sandbox import isolation, landlock

ABI = landlock.abi_version()


@pytest.mark.parametrize("abi, has_fs, lacks_fs, has_net, has_scope", [
    (1, landlock.FS_MAKE_SYM, landlock.FS_REFER | landlock.FS_TRUNCATE | landlock.FS_IOCTL_DEV, False, False),
    (2, landlock.FS_REFER, landlock.FS_TRUNCATE | landlock.FS_IOCTL_DEV, False, False),
    (3, landlock.FS_TRUNCATE, landlock.FS_IOCTL_DEV, False, False),
    (4, landlock.FS_TRUNCATE, landlock.FS_IOCTL_DEV, True, False),
    (5, landlock.FS_IOCTL_DEV, 0, True, False),
    (6, landlock.FS_IOCTL_DEV, 0, True, True),
    (7, landlock.FS_IOCTL_DEV, 0, True, True),
])
def test_rights_degrade_with_the_abi(abi, has_fs, lacks_fs, has_net, has_scope):
    fs, net, scoped = landlock.supported(abi)
    assert fs & has_fs == has_fs and fs & lacks_fs == 0
    assert (net, scoped) == ((landlock.NET_ALL if has_net else 0), (landlock.SCOPE_ALL if has_scope else 0))


def _confined_child(allowed, outside):
    """In a forked child: confine, then try what a submission would; the exit code's bits say what
    was refused (1: reading outside, 2: TCP connect, 4: signalling the parent; 8: the allowed
    folder was unusable)."""
    refused = 0
    landlock.no_new_privs()
    landlock.restrict(ABI, [landlock.rule(str(allowed), landlock.READ_WRITE)])
    try:
        (allowed / "scratch").write_text("mine")
    except OSError:
        refused |= 8
    try:
        open(outside).close()
    except PermissionError:
        refused |= 1
    try:
        socket.create_connection(("127.0.0.1", 9), timeout=0.5).close()
    except PermissionError:
        refused |= 2
    except OSError:
        pass  # refused by the (absent) listener, not by Landlock
    try:
        os.kill(os.getppid(), 0)
    except PermissionError:
        refused |= 4
    return refused


@pytest.mark.skipif(ABI == 0, reason="this kernel has no Landlock")
def test_a_confined_process_sees_only_its_allowlist(tmp_path):
    allowed, outside = tmp_path / "allowed", tmp_path / "secret.py"
    allowed.mkdir()
    outside.write_text("ANSWER = 42")
    pid = os.fork()
    if pid == 0:
        os._exit(_confined_child(allowed, outside))
    _, status = os.waitpid(pid, 0)
    expected = 1 | (2 if ABI >= 4 else 0) | (4 if ABI >= 6 else 0)
    assert os.waitstatus_to_exitcode(status) == expected
    assert (allowed / "scratch").read_text() == "mine"


def test_the_batch_summary_warns_when_files_were_not_hidden(definition):
    questions = [QuestionScore(question.id, question.title, 0, question.points) for question in definition.questions]
    report = GradeReport(submission="kim.py", assignment_id=definition.id, tests=[], questions=questions,
                         execution_time=1.0, sandbox="process")
    warning = isolation.NOT_ISOLATED_WARNING.removeprefix("cnn-grade: ")
    assert warning in class_summary.render({"kim": report}, [], definition)
    assert "WARNING" not in class_summary.render({"kim": dataclasses.replace(report, sandbox="landlock-7")}, [],
                                                 definition)


def test_site_packages_inside_the_stdlib_is_not_granted_with_it(tmp_path):
    """pyenv, conda and otter's Miniforge keep site-packages inside lib/python3.X: the stdlib rule
    must not cover it, or the forbidden packages are readable again."""
    stdlib = tmp_path / "lib" / "python3.11"
    (stdlib / "site-packages" / "torch").mkdir(parents=True)
    (stdlib / "json").mkdir()
    (stdlib / "os.py").write_text("")
    rules = isolation._beside(str(stdlib), [str(stdlib / "site-packages")])
    assert (str(stdlib), landlock.LIST) in rules
    assert {(str(stdlib / "json"), landlock.READ_EXECUTE), (str(stdlib / "os.py"), landlock.READ_EXECUTE)} <= set(rules)
    assert not [path for path, access in rules if access != landlock.LIST and
                (str(stdlib / "site-packages")).startswith(path)]


def test_the_worker_allowlist_never_covers_a_forbidden_package(definition):
    """On whatever Python runs the tests (a venv or not): no rule reaches torch's folder."""
    import importlib.util

    torch_dir = os.path.realpath(importlib.util.find_spec("torch").submodule_search_locations[0])
    rules = isolation.python_allowlist(tuple(sorted(definition.forbidden_modules)))
    assert not [path for path, access in rules
                if access != landlock.LIST and (torch_dir + "/").startswith(path.rstrip("/") + "/")]


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"), reason="needs root for PID namespaces")
def test_graders_with_the_same_pid_get_different_worker_uids():
    """Two containers on one host: each grader is the same pid in its own PID namespace."""
    command = ["unshare", "--pid", "--fork", sys.executable, "-c",
               "import os; from cnngrade.sandbox import isolation; print(os.getpid(), *isolation.worker_ids())"]
    runs = [subprocess.run(command, capture_output=True, text=True, check=True).stdout.split() for _ in range(2)]
    assert runs[0][0] == runs[1][0] == "1"
    assert runs[0][1] != runs[1][1] and runs[0][1] == runs[0][2]
