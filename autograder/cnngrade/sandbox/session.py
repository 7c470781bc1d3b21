"""The grader's side of the boundary: one submission, run in worker processes, called by value.

``SubmissionSession`` starts a worker for the submission, sends calls as plain data and waits
with a deadline. A crash, a hang or an exit in one call fails that call only: the worker is
killed (its whole process group) and restarted for the next call. A submission that cannot be
imported, or that hangs at import, fails every call at once, so grading time stays bounded.
"""

import functools
import importlib.util
import json
import multiprocessing
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

from .. import notebook
from . import isolation, limits, protocol

SANDBOX_DIR = os.path.dirname(os.path.abspath(__file__))
# Copied next to the submission: the worker must run even where the project tree is hidden.
WORKER_FILES = ("worker.py", "protocol.py", "standins.py")


@dataclass
class SubmissionFault:
    """Why a call into the submission did not produce a value (student-facing, bilingual)."""

    # raised | not_implemented | missing | import_error | timeout | crashed | bad_return | protocol | budget
    kind: str
    message: str
    exception_type: str = ""
    line: int | None = None
    exception_bases: tuple = ()

    def raised(self, exception_name):
        """True when the submission raised ``exception_name`` or a subclass of it."""
        return self.kind == "raised" and exception_name in self.exception_bases


class SubmissionError(AssertionError):
    """Raised in a hidden test when the submission's call failed; the test fails with this reason."""

    def __init__(self, function, fault):
        self.function = function
        self.fault = fault
        super().__init__(f"{function}: {fault.message}")


@dataclass
class CallResult:
    value: object
    args_after: list | None = None  # only when the call asked for them (arguments_after=True)
    kwargs_after: dict | None = None


@dataclass
class CapturedOutput:
    """The worker's stdout/stderr, kept up to a cap; the rest is only counted."""

    cap: int
    chunks: list = field(default_factory=list)
    kept: int = 0
    total: int = 0

    def add(self, data):
        self.total += len(data)
        room = self.cap - self.kept
        if room > 0:
            self.chunks.append(data[:room])
            self.kept += min(room, len(data))

    def text(self):
        text = b"".join(self.chunks).decode("utf-8", "replace")
        if self.total > self.kept:
            text += f"\n... ({self.total - self.kept} more bytes of output not shown)"
        return text


@functools.lru_cache(maxsize=None)
def forbidden_package_dirs(names):
    """Installed folders of the forbidden packages: hidden from a root-isolated worker, so even
    code that removes the import hook cannot load them."""
    folders = []
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is not None and spec.submodule_search_locations:
            folders += list(spec.submodule_search_locations)
    return tuple(folders)


_OPEN_SESSIONS = set()


def _close_sessions_and_exit(signum, frame):
    """SIGTERM (a CI job cancelled, ``otter grade --timeout``, ``kill``): stop every worker (the
    cleaner kills what it left behind and its folder is removed), stop the batch's grading
    processes the same way, then exit without writing results of an unfinished grading."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    for session in list(_OPEN_SESSIONS):
        session.close()
    children = multiprocessing.active_children()
    for child in children:
        child.terminate()
    for child in children:
        child.join(timeout=10)
    os._exit(128 + signum)


def close_sessions_on_sigterm():
    """Install the SIGTERM handler above (main thread only, and only over the default action)."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _close_sessions_and_exit)


def _signal_name(returncode):
    try:
        return signal.Signals(-returncode).name
    except (ValueError, TypeError):
        return str(returncode)


class SubmissionSession:
    """Calls into one submission file, each call isolated and time-limited."""

    def __init__(self, submission_path, assignment):
        self.submission_path = os.path.abspath(submission_path)
        self.assignment = assignment
        self.limits = assignment.limits
        self.output = CapturedOutput(self.limits.output_bytes)
        self.started = time.monotonic()
        self.names = {}
        self.import_fault = None
        self._process = None
        self._workdir = None
        self._readers = []
        self._cleaner = None
        self._timed_out = set()
        self._hello_pending = False  # started by prestart(), its import not yet waited for

    # -- lifecycle -------------------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        self._stop_worker()
        _OPEN_SESSIONS.discard(self)

    def prestart(self):
        """Start the worker now and return: it imports numpy and the submission while the grader
        collects the hidden suite. A worker that cannot start is left to the first call, which
        reports it where it belongs."""
        if self._process is not None or self.import_fault is not None:
            return
        try:
            self._start_worker()
        except Exception:
            return
        self._hello_pending = True

    def _start_worker(self):
        self._workdir = tempfile.mkdtemp(prefix="cnngrade-worker-")
        _OPEN_SESSIONS.add(self)
        try:
            self._launch()
        except BaseException:
            # A worker that cannot start (an interpreter the isolation hides, a fork refused)
            # must not leave the student's file behind.
            self._stop_worker()
            raise

    def _launch(self):
        runtime = os.path.join(self._workdir, ".runtime")
        os.mkdir(runtime)
        for name in WORKER_FILES:
            shutil.copyfile(os.path.join(SANDBOX_DIR, name), os.path.join(runtime, name))
        submission_copy = os.path.join(self._workdir, self.assignment.submission_file)
        notebook.copy_as_source(self.submission_path, submission_copy)
        os.chmod(submission_copy, 0o644)
        isolation.prepare_workdir(self._workdir, isolation.worker_ids())
        hidden_paths = self.hidden_paths()
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        # The cleaner (isolation.py) kills what the worker leaves behind once the trigger closes.
        trigger_read, trigger_write = os.pipe()
        done_read, done_write = os.pipe()
        config = {
            "submission": submission_copy,
            "request_fd": request_read,
            "response_fd": response_write,
            "forbidden_modules": list(self.assignment.forbidden_modules),
            "hidden_paths": hidden_paths,
            "names": sorted(self.assignment.all_names()),
        }
        # One pipe for stdout and stderr, read by a thread that owns (and finally closes) its end:
        # a child the submission left behind may hold the write end open for a long time.
        output_read, output_write = os.pipe()
        try:
            self._process = self._popen(runtime, config, request_read, response_write, output_write, hidden_paths,
                                        (trigger_read, done_write))
        except BaseException:
            for fd in (request_read, request_write, response_read, response_write, output_read, output_write,
                       trigger_read, trigger_write, done_read, done_write):
                os.close(fd)
            raise
        for fd in (request_read, response_write, output_write, trigger_read, done_write):
            os.close(fd)
        self._cleaner = (trigger_write, done_read)
        os.set_blocking(request_write, False)
        self._requests = request_write
        self._responses = response_read
        self._readers = [threading.Thread(target=self._drain, args=(output_read,), daemon=True)]
        for reader in self._readers:
            reader.start()

    def _popen(self, runtime, config, request_read, response_write, output_write, hidden_paths, cleaner):
        return subprocess.Popen(
            [sys.executable, "-I", os.path.join(runtime, "worker.py"), json.dumps(config)],
            cwd=self._workdir,
            stdin=subprocess.DEVNULL,
            stdout=output_write,
            stderr=output_write,
            pass_fds=(request_read, response_write),
            start_new_session=True,
            env=limits.worker_environment(self._workdir),
            preexec_fn=limits.worker_preexec(self.limits, self._workdir, hidden_paths,
                                             self.assignment.forbidden_modules, cleaner),
        )

    def hidden_paths(self):
        """Folders the worker must not see: the project, the class's submissions, the grader's cwd."""
        paths = [str(path) for path in self.assignment.hidden_paths()]
        paths += [str(self.assignment.root), os.path.dirname(self.submission_path), os.getcwd(), "/autograder"]
        paths += [path for path in os.environ.get("CNNGRADE_HIDE", "").split(os.pathsep) if path]
        paths += forbidden_package_dirs(self.assignment.forbidden_modules)
        return [path for path in dict.fromkeys(paths) if os.path.isdir(path)]

    def _drain(self, fd):
        try:
            for chunk in iter(lambda: os.read(fd, 65536), b""):
                self.output.add(chunk)
        finally:
            os.close(fd)

    def _stop_worker(self):
        process, self._process = self._process, None
        if process is not None:
            cleaner, self._cleaner = self._cleaner, None
            limits.stop_worker(process, cleaner)
            for reader in self._readers:
                reader.join(timeout=2)  # a reader still blocked by a leftover child closes its pipe itself later
            os.close(self._requests)
            os.close(self._responses)
        workdir, self._workdir = self._workdir, None
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)

    # -- reading with deadlines ------------------------------------------------------------
    def _read_exact(self, size, deadline):
        data = bytearray()
        while len(data) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self._responses], [], [], remaining)
            if not ready:
                raise TimeoutError
            chunk = os.read(self._responses, min(size - len(data), 1 << 20))
            if not chunk:
                raise EOFError
            data += chunk
        return bytes(data)

    def _has_pending_output(self):
        """Bytes after a complete reply mean something besides the worker loop wrote to the channel."""
        return bool(select.select([self._responses], [], [], 0)[0])

    def _send(self, body, deadline):
        """Write a framed request without ever blocking past the deadline (a worker that stops
        reading, e.g. because student code closed or hijacked its pipe, must not hang the grader)."""
        data = memoryview(protocol.frame(body))
        while data:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            _, writable, _ = select.select([], [self._requests], [], remaining)
            if writable:
                try:
                    data = data[os.write(self._requests, data[:1 << 16]):]
                except BlockingIOError:
                    continue

    def _receive(self, seconds):
        deadline = time.monotonic() + seconds
        length = protocol.frame_length(self._read_exact(protocol.PREFIX_BYTES, deadline))
        return protocol.decode(self._read_exact(length, deadline))

    def _death_fault(self, what):
        try:
            returncode = self._process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            returncode = None
        if returncode is None:
            reason = "the worker closed its channel"
        elif returncode < 0:
            reason = f"killed by signal {_signal_name(returncode)}"
        else:
            reason = f"exit code {returncode}"
        if returncode == -signal.SIGKILL or returncode == -signal.SIGSEGV:
            hint = (" 메모리 한도를 넘었거나 비정상 종료되었습니다 / it exceeded the memory limit or crashed.")
        else:
            hint = " os._exit/sys.exit를 호출했나요? / did it call os._exit or sys.exit?"
        return SubmissionFault(
            "crashed", f"{what} 도중 프로세스가 종료되었습니다 ({reason}). / the process died during {what} ({reason}).{hint}")

    # -- starting and importing --------------------------------------------------------
    def _ensure_worker(self):
        """Start a worker and import the submission; returns a fault or None."""
        if self.import_fault is not None:
            return self.import_fault
        if not self._hello_pending:
            if self._process is not None and self._process.poll() is None:
                return None
            self._stop_worker()
            self._start_worker()
        self._hello_pending = False
        try:
            hello = self._receive(min(self.limits.import_seconds, self._budget_left()))
        except TimeoutError:
            self._stop_worker()
            self.import_fault = SubmissionFault(
                "import_error",
                f"제출 파일을 불러오는 데 {self.limits.import_seconds}초를 넘었습니다 (무한 루프?). / "
                f"importing the submission took more than {self.limits.import_seconds} s (an endless loop at import?).")
            return self.import_fault
        except (EOFError, protocol.ProtocolError):
            fault = self._death_fault("import")
            self._stop_worker()
            self.import_fault = SubmissionFault("import_error", fault.message)
            return self.import_fault
        if hello.get("status") == "import_error":
            error = hello["error"]
            where = f"{error['file']}, line {error['line']}" if error.get("line") else error["file"]
            self.import_fault = SubmissionFault(
                "import_error",
                f"제출 파일을 불러오지 못했습니다 / the submission could not be imported: "
                f"{error['type']}: {error['message']} ({where})",
                exception_type=error["type"], line=error.get("line"))
            self._stop_worker()
            return self.import_fault
        self.names = hello.get("names", {})
        return None

    def _budget_left(self):
        return self.limits.total_seconds - (time.monotonic() - self.started)

    # -- calls ---------------------------------------------------------------------------
    def _request(self, function, message):
        """Send one request and wait for its reply. A worker whose channel was corrupted by the
        student's code (stale or forged replies, junk) is replaced and the call is retried once
        on a fresh worker, so the damage stays with the function that caused it."""
        reply = self._request_once(function, message)
        if isinstance(reply, SubmissionFault) and reply.kind == "protocol":
            reply = self._request_once(function, message)
            if isinstance(reply, SubmissionFault) and reply.kind == "protocol":
                reply.kind = "bad_return"
        return reply

    def _request_once(self, function, message):
        if self._budget_left() <= 0:
            return SubmissionFault(
                "budget", f"제출물 전체 시간 한도({self.limits.total_seconds}초)를 넘었습니다. / "
                          f"the submission used up its total time limit ({self.limits.total_seconds} s).")
        fault = self._ensure_worker()
        if fault is not None:
            return fault
        if function not in self.names:
            return SubmissionFault(
                "missing", f"제출 파일에 '{function}'이(가) 없습니다. / the submission does not define '{function}'.")
        # A function that already hung gets a short leash: one endless loop must not cost
        # call_seconds in every test that calls it.
        call_limit = self.limits.retry_seconds if function in self._timed_out else self.limits.call_seconds
        seconds = min(call_limit, self._budget_left())
        nonce = secrets.token_hex(16)
        try:
            deadline = time.monotonic() + seconds
            self._send(protocol.encode(dict(message, nonce=nonce)), deadline)
            reply = self._receive(deadline - time.monotonic())
            if not isinstance(reply, dict) or reply.get("nonce") != nonce or self._has_pending_output():
                self._stop_worker()
                return SubmissionFault(
                    "protocol", f"{function}: 채점 통신 채널이 손상되었습니다 (제출 코드가 채널에 썼나요?). / "
                                f"{function}: the grading channel was corrupted (did the code write to it?).")
        except TimeoutError:
            self._stop_worker()
            self._timed_out.add(function)
            return SubmissionFault(
                "timeout", f"{function} 호출이 {seconds:.0f}초 안에 끝나지 않았습니다 (무한 루프?). / "
                           f"{function} did not return within {seconds:.0f} s (an endless loop?).")
        except (EOFError, BrokenPipeError, protocol.ProtocolError) as error:
            fault = self._death_fault(f"{function}")
            if isinstance(error, protocol.ProtocolError):
                fault = SubmissionFault("bad_return", f"{function}: unreadable reply ({error})")
            self._stop_worker()
            return fault
        return reply

    def call(self, function, args=(), kwargs=None, arguments_after=False):
        """Call ``function(*args, **kwargs)`` in the worker; returns a CallResult or raises
        SubmissionError. With ``arguments_after`` the worker also sends the arguments back as the
        call left them (only tests that check them pay for the copy)."""
        reply = self._request(function, {"op": "call", "name": function, "args": list(args),
                                         "kwargs": dict(kwargs or {}), "arguments_after": arguments_after})
        return self._unwrap(function, reply, arguments_after)

    def get(self, name):
        """The value of a module-level constant of the submission."""
        return self._unwrap(name, self._request(name, {"op": "get", "name": name})).value

    def _unwrap(self, function, reply, arguments_after=False):
        if isinstance(reply, SubmissionFault):
            raise SubmissionError(function, reply)
        status = reply.get("status")
        if status == "ok":
            if not arguments_after:
                return CallResult(reply["value"])
            if isinstance(reply.get("args_after"), list) and isinstance(reply.get("kwargs_after"), dict):
                return CallResult(reply["value"], reply["args_after"], reply["kwargs_after"])
            raise SubmissionError(function, SubmissionFault(
                "protocol", f"{function}: 채점 통신 응답에 호출 후의 인자가 없습니다. / "
                            f"the worker's reply lacks the arguments after the call."))
        if status == "raised":
            error = reply["error"]
            if error["type"] == "NotImplementedError":
                fault = SubmissionFault("not_implemented", "아직 구현하지 않았습니다 / not implemented yet",
                                        exception_type=error["type"], line=error.get("line"))
            else:
                where = f" ({error['file']}, line {error['line']})" if error.get("line") else ""
                fault = SubmissionFault("raised", f"{error['type']}: {error['message']}{where}",
                                        exception_type=error["type"], line=error.get("line"),
                                        exception_bases=tuple(error.get("bases", ())))
            raise SubmissionError(function, fault)
        if status == "bad_return":
            raise SubmissionError(function, SubmissionFault(
                "bad_return", f"반환값이 배열/숫자 같은 평범한 데이터가 아닙니다 / the return value is not plain data "
                              f"(arrays, numbers, tuples): {reply.get('message', '')}"))
        raise SubmissionError(function, SubmissionFault("bad_return", f"unexpected reply {status!r}"))
