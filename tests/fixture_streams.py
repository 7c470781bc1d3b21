"""Grade many fixture submissions in a few long-lived grading streams (grading.grade_stream: one
pytest session each, as a batch process grades a class), side by side, and take what each
submission's grading left behind as soon as it is done.

The streams are fresh interpreters (multiprocessing "spawn"): a fork of the test process, which
may already have run PyTorch's thread pools, is not safe. Each stream has a temp root of its own,
so that what one stream's workers leave behind is never blamed on the other's."""

import multiprocessing
import os
import queue
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cnngrade import grading
from cnngrade.sandbox import isolation
from leftovers import survivors

# Payloads of the pickle/eval fixtures drop this marker wherever they run: the worker's /tmp is
# private (or its own), so a marker in the grader's temp dir means the grader ran them.
RCE_MARKER = "adv-fixture-RCE-in-grader"


@dataclass
class Graded:
    """A submission's report, and what its grading left behind, taken right after it."""

    report: object  # grading.GradeReport
    seconds: float
    leftover_processes: list  # (pid, comm, cmdline)
    leftover_folders: list
    rce_marker: bool


def leftover_worker_processes(temp_root):
    """Every live process a worker under temp_root started: as root, any process of this grader's
    worker uid too (isolation.kill_all_worker_processes' job), however it escaped the worker's session."""
    uid = isolation.worker_ids()[0] if isolation.current().uid else None
    return survivors(temp_root, uid)


def taken_now(report, seconds, temp_root):
    """Graded, with the leftovers of temp_root (the workers' TMPDIR) as they are now."""
    return Graded(report, seconds, leftover_worker_processes(temp_root),
                  list(Path(temp_root).glob("cnngrade-worker-*")), (Path(tempfile.gettempdir()) / RCE_MARKER).exists())


def _stream(definition, temp_root, inbox, outbox):
    tempfile.tempdir = temp_root

    def paths():
        while (path := inbox.get()) is not None:
            yield path

    try:
        grading.grade_stream(paths(), definition, lambda report: outbox.put(
            ("graded", report.submission, taken_now(report, report.execution_time, temp_root))))
    finally:
        outbox.put(("done", None, None))


class Streams:
    """Grading streams started at once over ``paths``; ``results()`` waits for them: {path: Graded}.
    A path whose stream died is missing from the answer."""

    def __init__(self, paths, definition, streams, temp_parent):
        context = multiprocessing.get_context("spawn")
        self._inbox, self._outbox = context.Queue(), context.Queue()
        for path in paths:
            self._inbox.put(str(path))
        self._processes = []
        for index in range(streams):
            self._inbox.put(None)
            root = tempfile.mkdtemp(prefix=f"stream{index}-", dir=temp_parent)
            os.chmod(root, 0o755)  # a worker with a uid of its own must reach its folder
            self._processes.append(context.Process(target=_stream, args=(definition, root, self._inbox, self._outbox),
                                                   daemon=True))
        for process in self._processes:
            process.start()
        self._graded = None

    def results(self):
        if self._graded is not None:
            return self._graded
        graded, done = {}, 0
        while done < len(self._processes):
            try:
                kind, path, payload = self._outbox.get(timeout=5)
            except queue.Empty:
                if not any(process.is_alive() for process in self._processes):
                    break
                continue
            if kind == "graded":
                graded[path] = payload
            done += kind == "done"
        for process in self._processes:
            process.join(timeout=30)
        self._graded = graded
        return graded
