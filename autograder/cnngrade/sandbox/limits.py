"""Resource limits, environment and clean-up for worker processes."""

import os
import resource
import signal
import subprocess

from . import isolation

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


def worker_preexec(limits, workdir, hidden_paths):
    """Runs in the forked child before exec: hard limits the student cannot raise again,
    then the strongest isolation the machine allows (isolation.py)."""
    memory = limits.memory_mb * 1024 * 1024
    cpu_seconds = int(limits.total_seconds) + 5
    isolation.level()  # probe in the parent, not in every child
    ids = isolation.worker_ids()  # the grader's pid, not the child's

    def apply():
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.max_processes, limits.max_processes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_mb << 20, limits.file_mb << 20))
        os.umask(0o022)
        isolation.isolate(hidden_paths, workdir, ids)
        # Last: until exec the child is a copy of the grader, whose address space can already exceed
        # the limit (a CUDA build of torch maps several GB), and every allocation here would fail.
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return apply


def kill_process_tree(process):
    """Kill the worker's whole process group (its session) and, as root, every process of the
    worker uid (children that left the session too); then reap the worker."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    isolation.kill_all_worker_processes()
    try:
        process.kill()
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
