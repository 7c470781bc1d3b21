"""Batch progress: a live bar (count, rate, ETA) on a terminal, plain lines in CI logs."""

import sys
import time

from .reports.formatting import points


class Progress:
    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.total = self.done = self.skipped = 0
        self.started = time.monotonic()

    def start(self, total, done):
        self.total, self.done, self.skipped = total, done, done
        self.started = time.monotonic()
        if done:
            self._line(f"resuming: {done} of {total} already graded")

    def advance(self, student_id, report):
        self.done += 1
        graded = self.done - self.skipped
        elapsed = time.monotonic() - self.started
        rate = graded / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate else 0.0
        status = f"{points(report.score)}/{points(report.max_score)}" + ("" if report.status == "graded" else f" {report.status}")
        if self.live:
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
                              f"{rate * 60:.1f}/min ETA {eta:.0f}s  {student_id}: {status}\033[K")
            self.stream.flush()
        else:
            self._line(f"[{self.done}/{self.total}] {student_id}: {status} ({rate * 60:.1f}/min, ETA {eta:.0f}s)")

    def finish(self):
        elapsed = time.monotonic() - self.started
        if self.live:
            self.stream.write("\n")
        self._line(f"graded {self.done - self.skipped} submission(s) in {elapsed:.1f} s")

    def _line(self, text):
        self.stream.write(text + "\n")
        self.stream.flush()
