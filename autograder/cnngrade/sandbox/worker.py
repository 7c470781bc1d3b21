"""The worker: the only process that ever runs student code.

Started as ``python -I worker.py CONFIG_JSON`` in a fresh directory that holds only the
submission. It imports the submission, then answers call requests from the grader over two
pipes with plain data (see protocol.py). It never compares, scores or writes results: a worker
that lies can only lie about its own answers.
"""

import builtins
import importlib.abc
import importlib.util
import json
import os
import sys
import traceback


def _load_sibling(name):
    # Loaded by path: the grader's package is deliberately not on this process's import path.
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"_cnngrade_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load_protocol():
    return _load_sibling("protocol")


class ForbiddenModuleFinder(importlib.abc.MetaPathFinder):
    """Refuses the assignment's forbidden packages (torch, scipy, ...) with a bilingual message."""

    def __init__(self, forbidden):
        self.forbidden = frozenset(forbidden)

    def find_spec(self, fullname, path=None, target=None):
        if fullname.partition(".")[0] in self.forbidden:
            raise ImportError(
                f"'{fullname}' 모듈은 사용할 수 없습니다: 이 과제는 NumPy만으로 구현해야 합니다. / "
                f"'{fullname}' is not allowed: this assignment must be implemented with NumPy only."
            )
        return None


def describe_exception(error, submission_path):
    """Type, message and the deepest line of the submission that was running."""
    file_name, line = os.path.basename(submission_path), None
    if isinstance(error, SyntaxError) and error.filename and os.path.basename(error.filename) == file_name:
        line = error.lineno
    for frame in traceback.extract_tb(error.__traceback__):
        if os.path.abspath(frame.filename) == submission_path:
            line = frame.lineno
    message = str(error) if not isinstance(error, SyntaxError) else (error.msg or str(error))
    return {"type": type(error).__name__, "bases": [cls.__name__ for cls in type(error).__mro__],
            "message": message[:2000], "file": file_name, "line": line}


def import_submission(path):
    """Import the submission under its file's name (cnn_layers), as the student's own tests do."""
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def builtins_restorer():
    """Undo whatever the submission did to ``builtins`` (a lying isinstance, a patched print):
    the worker's own code runs with the real ones. Uses only references captured now."""
    original, namespace, names = dict(vars(builtins)), vars(builtins), list

    def restore():
        for name in names(namespace):
            if name not in original:
                del namespace[name]
        namespace.update(original)

    return restore


def kind_of(value):
    return "callable" if callable(value) else "value"


def serve(config):
    protocol = _load_protocol()
    requests = os.fdopen(config["request_fd"], "rb", buffering=0)
    responses = os.fdopen(config["response_fd"], "wb", buffering=0)
    submission_path = os.path.abspath(config["submission"])

    def reply(message, request=None):
        if request is not None:
            message["nonce"] = request.get("nonce")
        try:
            protocol.write_message(responses, message)
        except protocol.ProtocolError as error:
            protocol.write_message(responses, {"status": "bad_return", "message": str(error),
                                               "nonce": message.get("nonce")})

    # The project tree (editable installs) must not be importable from the submission.
    sys.path[:] = [entry for entry in sys.path if entry and not any(
        os.path.abspath(entry).startswith(hidden) for hidden in config["hidden_paths"])]
    sys.path.insert(0, os.path.dirname(submission_path))
    sys.meta_path.insert(0, ForbiddenModuleFinder(config["forbidden_modules"]))
    # Plotting, IPython display and google.colab become silent stand-ins (see standins.py).
    _load_sibling("standins").install()

    restore_builtins = builtins_restorer()
    try:
        module = import_submission(submission_path)
    except BaseException as error:  # SystemExit and KeyboardInterrupt at import are failures too
        restore_builtins()
        reply({"status": "import_error", "error": describe_exception(error, submission_path)})
        return
    restore_builtins()
    names = {name: kind_of(value) for name, value in vars(module).items()
             if name in config["names"]}
    reply({"status": "ready", "names": names})

    while True:
        request = protocol.read_message(requests)
        if request is None:
            return
        target = getattr(module, request["name"], None)
        try:
            if request["op"] == "get":
                value = target
            else:
                value = target(*request["args"], **request["kwargs"])
        except BaseException as error:  # the student's SystemExit/KeyboardInterrupt fail only this call
            restore_builtins()
            reply({"status": "raised", "error": describe_exception(error, submission_path)}, request)
            continue
        restore_builtins()
        message = {"status": "ok", "value": value}
        if request.get("arguments_after"):  # the arguments as the call left them, for expect_unchanged
            message.update(args_after=request["args"], kwargs_after=request["kwargs"])
        reply(message, request)


if __name__ == "__main__":
    serve(json.loads(sys.argv[1]))
