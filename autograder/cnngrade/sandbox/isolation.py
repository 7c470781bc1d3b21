"""Keeping the worker away from what it must not see, when the grader runs as root.

As root on Linux (Docker, Gradescope, CI containers, these machines) the worker, between fork
and exec:
1. enters a private mount namespace and a new network namespace (no network at all);
2. mounts an empty tmpfs over every hidden path (the project tree with the reference solution
   and the hidden suite, the folder of the submissions, /autograder, the grader's cwd),
   after re-binding the Python installation so that it stays reachable;
3. drops to an unprivileged user id of its own (one per grader process, owned by nobody else),
   so it cannot undo the mounts, read root-only files, raise its limits or signal the grader;
   RLIMIT_NPROC then caps its processes, and at the end every process of that uid is killed,
   even children that left the worker's session.
Without root none of this is possible; see "Security model" in the README for what remains.
"""

import ctypes
import os
import stat
import sys
import sysconfig
import tempfile

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MS_RDONLY = 0x1

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source, target, fstype, flags, data=None):
    _check(_libc.mount(source.encode(), str(target).encode(), fstype.encode() if fstype else None, flags,
                       data.encode() if data else None), f"mount {target}")


def needed_paths():
    """What the worker's Python needs to run: the interpreter, the stdlib and site-packages."""
    paths = {os.path.realpath(sys.executable), sys.prefix, sys.base_prefix,
             sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    return sorted({os.path.realpath(path) for path in paths})


def _blocked_ancestor(path):
    """The highest ancestor of ``path`` that 'others' cannot traverse, or None."""
    current, blocked = os.path.realpath(path), None
    while True:
        parent = os.path.dirname(current)
        if parent == current:
            return blocked
        if not os.stat(parent).st_mode & stat.S_IXOTH:
            blocked = parent
        current = parent


def _covers(hidden, path):
    return path == hidden or path.startswith(hidden.rstrip("/") + "/")


def _outermost(paths):
    """The paths not inside another path of the list."""
    paths = sorted(set(paths))
    return [path for path in paths if not any(other != path and _covers(other, path) for other in paths)]


STAGING = "/dev/shm"  # a private tmpfs in the worker's namespace, replaced again at the end


def _replace_with_only(parent, keep):
    """Mount a fresh tmpfs over ``parent`` that holds nothing but the ``keep`` paths (re-bound)."""
    staging = tempfile.mkdtemp(prefix="bind-", dir=STAGING)
    staged = []
    for index, path in enumerate(keep):
        stage = os.path.join(staging, str(index))
        if os.path.isdir(path):
            os.mkdir(stage)
        else:
            open(stage, "w").close()
        _mount(path, stage, None, MS_BIND | MS_REC)
        staged.append((stage, path))
    _mount("tmpfs", parent, "tmpfs", 0, "mode=0755,size=1m")
    for stage, path in staged:
        if os.path.isdir(stage):
            os.makedirs(path, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "w").close()
        _mount(stage, path, None, MS_BIND | MS_REC)


def _reachable_python(needed):
    """Make the interpreter's folders traversable for the worker's uid in the private namespace:
    a root-only ancestor (e.g. /root of a pyenv or miniforge install) is replaced by a tmpfs
    that holds nothing but the re-bound Python folders."""
    by_blocked = {}
    for path in _outermost(needed):
        blocked = _blocked_ancestor(path)
        if blocked is not None:
            by_blocked.setdefault(blocked, []).append(path)
    for blocked in _outermost(by_blocked):
        _replace_with_only(blocked, [path for key, paths in by_blocked.items() if _covers(blocked, key)
                                     for path in paths])


def isolate_as_root(hidden_paths, workdir, ids=None):
    """Called in the forked child before exec (root only). Raises OSError if it cannot."""
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET), "unshare")
    _mount("none", "/", None, MS_REC | MS_PRIVATE)
    # Staging for bind mounts lives in this namespace only: nothing is left on the machine.
    _mount("tmpfs", STAGING, "tmpfs", 0, "mode=0700,size=1m")
    needed = needed_paths()
    _reachable_python(needed)
    # A private /tmp (and /var/tmp, /dev/shm): other workers' folders and whatever else lies in
    # the machine's /tmp are out of sight; only this worker's own folder stays.
    _replace_with_only(tempfile.gettempdir(), [workdir])
    for scratch in ("/var/tmp", STAGING):
        if os.path.isdir(scratch) and not any(_covers(scratch, path) for path in needed + [workdir]):
            _mount("tmpfs", scratch, "tmpfs", 0, "mode=1777,size=64m")
    for hidden in hidden_paths:
        hidden = os.path.realpath(hidden)
        # Never hide the interpreter, the worker's own folder, or everything.
        if hidden == "/" or not os.path.isdir(hidden) or any(_covers(hidden, path) for path in needed + [workdir]):
            continue
        _mount("tmpfs", hidden, "tmpfs", MS_RDONLY, "mode=0000,size=4k")
    drop_privileges(ids)


def worker_ids(grader_pid=None):
    """(uid, gid) of the workers of the grader process ``grader_pid`` (default: this process).

    Call it in the grader, never in the forked child, whose own pid would give another uid."""
    uid = 200000 + (grader_pid or os.getpid()) % 1000000
    return uid, uid


def drop_privileges(ids=None):
    uid, gid = ids or worker_ids()
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)


def kill_all_worker_processes():
    """Kill every process of this grader's worker uid (root only): nothing a submission spawned survives."""
    if level() == "process":
        return
    pid = os.fork()
    if pid == 0:
        try:
            drop_privileges()
            os.kill(-1, 9)  # as the worker uid: every process of that uid (this one too)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def prepare_workdir(workdir):
    """As root, give the folder to the unprivileged user so the student can write scratch files there."""
    if level() != "process":
        uid, gid = worker_ids()
        for folder, _, files in os.walk(workdir):
            os.chown(folder, uid, gid)
            for name in files:
                os.chown(os.path.join(folder, name), uid, gid)


_LEVEL = None


def level():
    """How strongly workers are isolated on this machine: probed once per grader process."""
    global _LEVEL
    if _LEVEL is None:
        _LEVEL = _probe()
    return _LEVEL


def _probe():
    if os.geteuid() != 0:
        return "process"  # separate process, limits; files readable by this user stay readable
    for candidate in ("namespace", "unprivileged"):
        pid = os.fork()
        if pid == 0:
            try:
                if candidate == "namespace":
                    isolate_as_root([], tempfile.gettempdir())
                else:
                    if any(_blocked_ancestor(path) for path in needed_paths()):
                        os._exit(1)
                    drop_privileges()
                os.execv(sys.executable, [sys.executable, "-I", "-c", "import numpy"])
            except BaseException:
                os._exit(1)
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) == 0:
            return candidate
    return "process"


PR_SET_PDEATHSIG = 1


def isolate(hidden_paths, workdir, ids):
    """Apply the strongest isolation this machine allows (in the forked child, before exec);
    ``ids`` is worker_ids() computed in the grader."""
    mode = level()
    if mode == "namespace":
        isolate_as_root(hidden_paths, workdir, ids)
    elif mode == "unprivileged":
        drop_privileges(ids)
    # After the uid change (which clears it): if the grader dies, even by SIGKILL, so does the worker.
    _libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)
