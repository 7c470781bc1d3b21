"""Resource limits, environment and clean-up for worker processes."""

import os
import resource
import select
import signal
import subprocess

from . import isolation

CLEANER_SECONDS = 5  # the cleaner kills and removes one folder: far less, even on a loaded machine
# Student code gets one BLAS thread: deterministic, and the grader's cores stay for grading.
_SINGLE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def worker_environment(workdir):
    """A minimal environment: nothing of the grader's leaks to the submission."""
    environment = {"PATH": "/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir, "LANG": "C.UTF-8",
                   "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    environment.update({name: "1" for name in _SINGLE_THREAD})
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if name in os.environ:
            environment[name] = os.environ[name]
    return environment


def worker_preexec(limits, workdir, hidden_paths, forbidden, cleaner):
    """Runs in the forked child before exec: the cleaner and the Landlock signal scope first
    (isolation.confine), hard limits the student cannot raise again, then the rest of the
    strongest isolation the machine allows. Everything that needs the grader's state (its pid,
    the allowlist) is computed here, in the grader, not in the child."""
    memory = limits.memory_mb * 1024 * 1024
    cpu_seconds = int(limits.total_seconds) + 5
    plan = isolation.current()  # probe in the parent, not in every child
    ids = isolation.worker_ids()  # the grader's pid, not the child's
    rules = isolation.allowlist(workdir, forbidden)

    def apply():
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_mb << 20, limits.file_mb << 20))
        os.umask(0o022)
        isolation.confine(plan, hidden_paths, workdir, ids, rules, cleaner, limits.max_processes)
        # Last: until exec the child is a copy of the grader, whose address space can already exceed
        # the limit (a CUDA build of torch maps several GB), and every allocation here would fail.
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return apply


def stop_worker(process, cleaner):
    """Kill the worker's whole process group (its session), then let the cleaner kill every other
    process of the worker (children that left the session too) and, as root, every process of
    the worker uid; then reap the worker. ``cleaner`` is (trigger write end, done read end)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if cleaner is not None:
        trigger, done = cleaner
        os.close(trigger)  # the cleaner reads end-of-file: it kills, removes the folder, exits
        select.select([done], [], [], CLEANER_SECONDS)
        os.close(done)
    isolation.kill_all_worker_processes(isolation.worker_ids())
    try:
        process.kill()
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
