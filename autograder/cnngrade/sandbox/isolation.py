"""Keeping the worker away from everything it does not need, as root or not.

Every mechanism the machine allows is stacked, in the forked child before exec
(``confine``), and the set in force is probed once per grader process (``current()``):

- ``landlock-N`` (any user, Linux >= 5.13, allowed by Docker's default seccomp profile): an
  **allowlist**. The worker may read and execute only the interpreter, the standard library,
  the entries of its environment's site-packages (minus the forbidden packages and the
  project's own editable-install hooks) and the system's shared libraries; it may read and write
  only its own folder. With ABI >= 4 it cannot bind or connect TCP sockets, with ABI >= 6 it
  cannot signal, or reach the abstract unix sockets of, any process outside its own.
- ``uid`` (root, also without CAP_SYS_ADMIN): the worker drops to a user id of its own
  (200000 + grader pid), so it cannot read root-only files, raise its limits or signal the
  grader, and RLIMIT_NPROC caps its processes.
- ``nocaps`` (root when the worker cannot get a uid of its own, because the Python
  installation is readable by root only): the worker stays root without any capability, so it
  cannot raise its limits or override file permissions; Landlock does the rest.
- ``mntns`` + ``netns`` (root with CAP_SYS_ADMIN): a private mount namespace in which the
  hidden paths (project, submissions, /autograder, forbidden packages) are covered by empty
  tmpfs and /tmp holds only the worker's folder; a network namespace without any interface.

Nothing is left behind: a *cleaner* process, started in the child before the worker's own
Landlock domain (so the worker's processes can neither signal nor ptrace it), waits for the
grader to close a pipe (or to die) and then kills every process it may signal, which the
Landlock signal scope (or, as root, the worker uid) limits to the worker's processes, including
those that left the session with setsid or a double fork; then it removes the worker's folder.
"""

import ctypes
import functools
import os
import resource
import secrets
import shutil
import site
import stat
import sys
import sysconfig
import tempfile
from dataclasses import dataclass

from . import landlock

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MS_RDONLY = 0x1
PR_SET_PDEATHSIG = 1

_libc = ctypes.CDLL(None, use_errno=True)


@dataclass(frozen=True)
class Isolation:
    """The mechanisms in force for every worker of this grader process."""

    landlock_abi: int = 0  # 0: no Landlock
    namespaces: bool = False  # private mount namespace + empty network namespace
    uid: bool = False  # the worker runs as a user id of its own
    nocaps: bool = False  # root that cannot switch uid (Python under a root-only folder): no capabilities

    @property
    def name(self):
        """What results.json calls it, e.g. ``landlock-7+uid+mntns+netns``; ``process`` when none."""
        parts = [f"landlock-{self.landlock_abi}"] if self.landlock_abi else []
        parts += ["uid"] if self.uid else []
        parts += ["nocaps"] if self.nocaps else []
        parts += ["mntns", "netns"] if self.namespaces else []
        return "+".join(parts) or "process"

    @property
    def hides_files(self):
        """True when the worker cannot read the reference solution or the hidden suite."""
        return bool(self.landlock_abi) or self.namespaces

    @property
    def scoped_signals(self):
        return landlock.supported(self.landlock_abi)[2] != 0

    @property
    def isolates_signals(self):
        """The worker cannot signal (or ptrace) the grader or anything else outside its own
        processes; and, the same way, the cleaner's kill reaches only the worker's processes."""
        return self.scoped_signals or self.uid

    def guards(self, needs):
        """True when every protection named in ``needs`` (files, signals, netns) is in force."""
        have = {"files": self.hides_files, "signals": self.isolates_signals, "netns": self.namespaces}
        return all(have[need] for need in needs)


NOT_ISOLATED_WARNING = (
    "cnn-grade: WARNING: the worker can read every file your user can read (the reference solution, "
    "the hidden tests, other submissions): this kernel has no Landlock and the grader is not root. "
    "Grade untrusted submissions on Linux >= 5.13 (Landlock), as root, or in a container.")


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source, target, fstype, flags, data=None):
    _check(_libc.mount(source.encode(), str(target).encode(), fstype.encode() if fstype else None, flags,
                       data.encode() if data else None), f"mount {target}")


# -- what the worker's Python needs --------------------------------------------------------------
def needed_paths():
    """What the worker's Python needs to run: the interpreter, the stdlib and site-packages."""
    paths = {os.path.realpath(sys.executable), sys.prefix, sys.base_prefix,
             sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    return sorted({os.path.realpath(path) for path in paths})


# Shared libraries (numpy's BLAS, libc, the dynamic loader) and the few files libc reads.
SYSTEM_READ = ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/etc/ld.so.cache", "/etc/ld.so.preload",
               "/etc/localtime", "/dev/urandom", "/dev/random")
SYSTEM_READ_WRITE = ("/dev/null", "/dev/zero")
# The project's own hooks in site-packages: an editable install's finder and .pth point into the
# checkout, which the worker must not need (it runs the copies in its .runtime folder).
_PROJECT_ENTRIES = ("__editable__", "cnngrade", "_cnngrade")


def _site_packages():
    folders = site.getsitepackages()
    folders += [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    return [folder for folder in dict.fromkeys(os.path.realpath(f) for f in folders) if os.path.isdir(folder)]


def _is_forbidden_entry(name, forbidden):
    stem = name.split(".", 1)[0].split("-", 1)[0]
    return stem in forbidden or name.startswith(_PROJECT_ENTRIES)


def _beside(folder, site_packages):
    """Rules for ``folder`` without the site-packages folders inside it (a stdlib holds its
    installation's site-packages; a venv's lib/pythonX.Y holds nothing else): the folder and
    its ancestors of site-packages may only be listed, everything else in them is allowed."""
    if not os.path.isdir(folder) or not any(_covers(folder, path) for path in site_packages):
        return [(folder, landlock.READ_EXECUTE)]
    rules = [(folder, landlock.LIST)]
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if path not in site_packages:
            rules += _beside(path, site_packages)
    return rules


@functools.lru_cache(maxsize=None)
def python_allowlist(forbidden):
    """Landlock rules (path, access) for everything but the worker's own folder; computed once.

    Landlock rules cover whole hierarchies and cannot carve a hole into an allowed folder, so
    site-packages itself may only be listed and its entries are allowed one by one, except the
    forbidden packages (torch, scipy, ...), the project's hooks and the packages' metadata
    (``*.dist-info``: nothing a submission imports), which keeps the ruleset small."""
    site_packages = _site_packages()
    # The base installation's own site-packages (pip install into pyenv's or the system's Python)
    # is not the environment's: left out entirely, whatever it holds.
    not_stdlib = site_packages + [os.path.realpath(path) for path in site.getsitepackages([sys.base_prefix])]
    wanted = [(os.path.realpath(sys.executable), landlock.READ_EXECUTE)]
    paths = sysconfig.get_paths()
    for stdlib in dict.fromkeys(os.path.realpath(paths[key]) for key in ("stdlib", "platstdlib")):
        wanted += _beside(stdlib, not_stdlib)
    wanted += [(entry, landlock.READ_EXECUTE) for entry in sys.path if entry.endswith("lib-dynload")]
    if sysconfig.get_config_var("Py_ENABLE_SHARED"):
        library = os.path.join(sysconfig.get_config_var("LIBDIR") or "", sysconfig.get_config_var("LDLIBRARY") or "")
        wanted.append((os.path.realpath(library), landlock.READ_EXECUTE))
    if sys.prefix != sys.base_prefix:
        wanted.append((os.path.join(sys.prefix, "pyvenv.cfg"), landlock.READ_EXECUTE))
    for folder in site_packages:
        wanted.append((folder, landlock.LIST))
        wanted += [(os.path.join(folder, name), landlock.READ_EXECUTE) for name in sorted(os.listdir(folder))
                   if not _is_forbidden_entry(name, forbidden) and not name.endswith((".dist-info", ".egg-info"))]
    wanted += [(os.path.realpath(path), landlock.READ_EXECUTE) for path in SYSTEM_READ]
    wanted += [(path, landlock.READ_WRITE) for path in SYSTEM_READ_WRITE]
    return tuple(filter(None, (landlock.rule(path, access) for path, access in wanted)))


def allowlist(workdir, forbidden=()):
    return python_allowlist(tuple(sorted(forbidden))) + (landlock.rule(os.path.realpath(workdir), landlock.READ_WRITE),)


# -- namespaces (root with CAP_SYS_ADMIN) -------------------------------------------------------
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


def enter_namespaces(hidden_paths, workdir):
    """Private mount and network namespaces with the hidden paths covered (root only)."""
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET), "unshare")
    _mount("none", "/", None, MS_REC | MS_PRIVATE)
    # Staging for bind mounts lives in this namespace only: nothing is left on the machine.
    _mount("tmpfs", STAGING, "tmpfs", 0, "mode=0700,size=1m")
    needed = needed_paths()
    _reachable_python(needed)
    # A private /tmp (and /var/tmp, /dev/shm): other workers' folders and whatever else lies in
    # the machine's /tmp are out of sight; only this worker's own folder stays, and the Python
    # environment when it lives there (a venv under /tmp).
    temp = os.path.realpath(tempfile.gettempdir())
    _replace_with_only(temp, _outermost([workdir] + [path for path in needed if _covers(temp, path)]))
    for scratch in ("/var/tmp", STAGING):
        if os.path.isdir(scratch) and not any(_covers(scratch, path) for path in needed + [workdir]):
            _mount("tmpfs", scratch, "tmpfs", 0, "mode=1777,size=64m")
    keep = needed + [workdir]
    for hidden in _outermost(os.path.realpath(path) for path in hidden_paths):
        if hidden == "/" or not os.path.isdir(hidden):
            continue  # never hide everything
        inside = [path for path in keep if _covers(hidden, path)]
        if inside:
            # A venv inside the checkout (.venv): the checkout holds nothing but the venv.
            _replace_with_only(hidden, _outermost(inside))
        else:
            _mount("tmpfs", hidden, "tmpfs", MS_RDONLY, "mode=0000,size=4k")


# -- the worker's uid (root) --------------------------------------------------------------------
_WORKER_IDS = {}  # grader pid -> (uid, gid)


def worker_ids():
    """(uid, gid) of this grader process's workers, drawn at random once per grader process.

    Not derived from the pid: graders in two containers of one host usually have the same pid,
    and a shared uid would share its process limit (RLIMIT_NPROC) and its kill. Call it in the
    grader, never in a forked child, which would draw another uid."""
    pid = os.getpid()
    if pid not in _WORKER_IDS:
        uid = 200000 + secrets.randbelow(1000000)
        _WORKER_IDS[pid] = (uid, uid)
    return _WORKER_IDS[pid]


def drop_privileges(ids):
    uid, gid = ids
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)


def kill_all_worker_processes(ids):
    """As root with a worker uid: kill every process of that uid (computed in the grader, by the
    caller), whatever its session. A forked child drops to the uid and kills all it may signal."""
    if not current().uid:
        return
    pid = os.fork()
    if pid == 0:
        try:
            drop_privileges(ids)
            os.kill(-1, 9)  # as the worker uid: every process of that uid (this one excepted)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def prepare_workdir(workdir, ids, plan=None):
    """Only the worker may use its folder: 0700, and as root owned by the worker uid."""
    os.chmod(workdir, 0o700)
    if (plan or current()).uid:
        uid, gid = ids
        for folder, _, files in os.walk(workdir):
            os.chown(folder, uid, gid)
            for name in files:
                os.chown(os.path.join(folder, name), uid, gid)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


_LINUX_CAPABILITY_VERSION_3 = 0x20080522
PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 47, 4


def drop_capabilities():
    """Root without any capability, now and after exec (empty bounding set): it cannot raise hard
    limits (CAP_SYS_RESOURCE), bypass file modes (CAP_DAC_OVERRIDE) or change its uid."""
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    for capability in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0 and ctypes.get_errno() == 22:
            break  # EINVAL: past the last capability this kernel knows
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(_CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)), data), "capset")


# -- the cleaner ---------------------------------------------------------------------------------
CLEANER_SCRIPT = 'read _; kill -KILL -1; rm -rf -- "$1"'


def _start_cleaner(cleaner, workdir, ids):
    """Fork the cleaner (see the module docstring). It leaves the worker's session so that the
    grader's kill of the worker's process group spares it, and keeps only its two pipes."""
    trigger, done = cleaner
    if os.fork() != 0:
        return
    try:
        os.setsid()
        if ids is not None:
            drop_privileges(ids)
        os.dup2(trigger, 0)
        os.dup2(done, 1)
        os.dup2(done, 2)
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))
        os.execv("/bin/sh", ["cnngrade-cleaner", "-c", CLEANER_SCRIPT, "cnngrade-cleaner", workdir])
    finally:
        os._exit(127)


def confine(plan, hidden_paths, workdir, ids, rules, cleaner=None, max_processes=None):
    """Apply ``plan`` in the forked child, before exec. ``ids`` (worker_ids()) and ``rules``
    (allowlist()) are computed in the grader; ``cleaner`` is (trigger read end, done write end);
    ``max_processes`` (RLIMIT_NPROC) is set after the cleaner's fork, which must not fail."""
    abi = plan.landlock_abi
    if abi:
        landlock.no_new_privs()
        if plan.scoped_signals:
            # The outer domain: only the signal scope. The cleaner stays in it, the worker goes
            # one level deeper, so the worker can never signal the cleaner, but the cleaner can
            # signal the worker's processes and nothing outside this domain.
            landlock.restrict(abi, files=False, network=False, scope=True)
    if cleaner is not None and plan.isolates_signals:
        # Confined by the signal scope, the cleaner keeps the grader's uid, so that it can remove
        # the worker's folder wherever it is; otherwise only the worker uid confines its kill.
        _start_cleaner(cleaner, workdir, ids if plan.uid and not plan.scoped_signals else None)
    if max_processes is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (max_processes, max_processes))
    if plan.namespaces:
        enter_namespaces(hidden_paths, workdir)
    if plan.uid:
        drop_privileges(ids)
    if plan.nocaps:
        drop_capabilities()
    if abi:
        landlock.restrict(abi, rules)
    # After the uid change (which clears it): if the grader dies, even by SIGKILL, so does the worker.
    _libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)


# -- probing --------------------------------------------------------------------------------------
_CURRENT = None


_PENDING_PROBE = None  # (plan, pid, workdir, owner pid) of the probe start_probe() left running


def start_probe():
    """Start probing the best plan now and return at once: the probe's Python imports numpy while
    the grader imports its own modules (cli.main calls this first; no threads exist yet)."""
    global _PENDING_PROBE
    if _CURRENT is None and _PENDING_PROBE is None:
        candidates = _candidates()
        if candidates:
            _PENDING_PROBE = (candidates[0],) + _spawn_probe(candidates[0]) + (os.getpid(),)


def current():
    """The isolation of this machine's workers: probed once per grader process."""
    global _CURRENT, _PENDING_PROBE
    if _CURRENT is None:
        pending, _PENDING_PROBE = _PENDING_PROBE, None
        if pending is not None and pending[3] != os.getpid():
            pending = None  # a forked grading process: the probe is its parent's child, not its own
        if pending is not None and _probe_succeeded(*pending[1:3]):
            _CURRENT = pending[0]
        else:
            _CURRENT = _probe(skip=pending[0] if pending is not None else None)
    return _CURRENT


def level():
    """The name of current(), as written to results.json (``sandbox``)."""
    return current().name


def _candidates():
    abi = landlock.abi_version()
    if os.geteuid() != 0:
        return [Isolation(abi)] if abi else []
    stacks = [(abi, True, True), (abi, False, True), (abi, False, False, True), (0, True, True), (0, False, True)]
    return list(dict.fromkeys(Isolation(*stack) for stack in stacks if stack[0] or stack[2]))


def _spawn_probe(plan):
    """Start the worker's Python under ``plan`` once, importing numpy; returns (pid, workdir)."""
    ids = worker_ids()
    workdir = tempfile.mkdtemp(prefix="cnngrade-probe-")
    try:
        prepare_workdir(workdir, ids, plan)
        rules = allowlist(workdir)
        pid = os.fork()
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    if pid == 0:
        try:
            os.chdir(workdir)
            confine(plan, [], workdir, ids, rules)
            os.execv(sys.executable, [sys.executable, "-I", "-c", "import numpy"])
        except BaseException:
            os._exit(1)
    return pid, workdir


def _probe_succeeded(pid, workdir):
    try:
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status) == 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _probe(skip=None):
    for plan in _candidates():
        if plan != skip and _probe_succeeded(*_spawn_probe(plan)):
            return plan
    return Isolation()
