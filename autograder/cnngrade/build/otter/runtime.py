"""What runs inside the grading environment: checking the bundle, running the engine once, verdicts.

Two users, one file:

* :class:`~cnngrade.build.otter.plugin.EnginePlugin` imports it as ``cnngrade.build.otter.runtime``
  from the bundle.
* The generated test files (``tests/<question>.py``, run in otter's kernel) load the copy shipped as
  ``tests/_runtime/runtime.py`` by its path (:mod:`cnngrade.build.shipped_runtime`), before the
  bundle is found, and call :func:`check`. Its settings are ``tests/_runtime/spec.json``.

So this module imports only the standard library, and nothing of its own package.
"""

import glob
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading

BUNDLE = "cnngrade_bundle"  # files/<BUNDLE>/ in the zip: the engine, the hidden suite, the solution
SPEC_FILE = "otter_spec.json"  # inside the bundle: the questions and test cases, for the plugin
TRUTH_TABLE = "recorded_truth.zip"  # inside the bundle: the hidden suite's expected values (suite/truth.py)
RUNTIME_SPEC = "spec.json"  # beside the shipped copy of this file: the settings of the test files' side
CACHE_DIR = "cnngrade_otter"  # <autograder dir>/<CACHE_DIR>/<sha256 of the submission>.json


def file_manifest(root):
    """{relative path: sha256} of every file under ``root``, taken when the autograder is built."""
    manifest = {}
    for folder, dirs, files in os.walk(root):
        for file_name in files:
            path = os.path.join(folder, file_name)
            with open(path, "rb") as stream:
                manifest[os.path.relpath(path, root).replace(os.sep, "/")] = hashlib.sha256(stream.read()).hexdigest()
    return manifest


def is_bytecode_cache_of(relative, manifest):
    """True for ``pkg/__pycache__/mod.<tag>.pyc`` when ``pkg/mod.py`` is a shipped file."""
    folder, _, name = relative.rpartition("/")
    parent, _, cache = folder.rpartition("/")
    if cache != "__pycache__" or not name.endswith(".pyc") or name.count(".") < 2:
        return False
    source = name.split(".", 1)[0] + ".py"
    return (f"{parent}/{source}" if parent else source) in manifest


def manifest_problems(root, manifest):
    """What differs between ``root`` and its build-time manifest: missing, changed and extra files.

    A bytecode cache that Python wrote next to a shipped module is not a problem: Python itself only
    writes it from that very source, and it uses it only while the source's size and mtime match.
    Any other extra file is one (a .py or .pth could shadow a module of the engine)."""
    if not os.path.isdir(root):
        return [f"{root} is missing"]
    found = file_manifest(root)
    problems = [f"missing {path}" for path in sorted(set(manifest) - set(found))]
    problems += [f"changed {path}" for path in sorted(manifest) if path in found and found[path] != manifest[path]]
    problems += [f"extra {path}" for path in sorted(set(found) - set(manifest))
                 if not is_bytecode_cache_of(path, manifest)]
    return problems


def find_submission(folder):
    """The file otter grades in ``folder``: the only .ipynb, else the only .py besides __init__.py."""
    notebooks = sorted(glob.glob(os.path.join(folder, "*.ipynb")))
    scripts = sorted(path for path in glob.glob(os.path.join(folder, "*.py"))
                     if os.path.basename(path) != "__init__.py")
    candidates = notebooks or scripts
    if len(candidates) != 1:
        raise FileNotFoundError(f"expected one .ipynb or .py submission in {folder}, found {candidates}")
    return candidates[0]


def _as_source(submission, bundle, spec, work):
    """The submission as the engine grades it: a notebook becomes the equivalent .py in ``work``."""
    if not submission.endswith(".ipynb"):
        return submission
    # compiled and run by hand, not imported: an import would write bytecode into the bundle
    path = os.path.join(bundle, "autograder", "cnngrade", "notebook.py")
    with open(path, encoding="utf-8") as stream:
        converter = {"__name__": "_cnngrade_notebook", "__file__": path}
        exec(compile(stream.read(), path, "exec"), converter)
    source = os.path.join(work, spec["submission_file"])
    converter["copy_as_source"](submission, source)
    return source


def engine_report(submission, bundle, spec, cache_dir):
    """The engine's results.json for ``submission``: cached by content hash, else ONE isolated run."""
    with open(submission, "rb") as stream:
        key = hashlib.sha256(stream.read()).hexdigest()
    cached = os.path.join(cache_dir, key + ".json")
    if os.path.isfile(cached):
        with open(cached, encoding="utf-8") as stream:
            return json.load(stream)
    os.makedirs(cache_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="run-", dir=cache_dir)
    source = _as_source(submission, bundle, spec, work)
    # -B: the engine writes no bytecode anywhere, so the bundle stays as built. No PYTHONPYCACHEPREFIX:
    # with one, Python would ignore the installed __pycache__ of numpy and pytest and recompile them.
    environment = dict(os.environ, PYTHONPATH=os.path.join(bundle, "autograder"), PYTHONIOENCODING="utf-8",
                       PYTHONDONTWRITEBYTECODE="1")
    environment.pop("PYTHONPYCACHEPREFIX", None)
    # The JSON comes back through a pipe, not a file, so no process of the student can overwrite it.
    read_fd, write_fd = os.pipe()
    chunks = []

    def drain():
        for chunk in iter(lambda: os.read(read_fd, 1 << 16), b""):
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    log_path = os.path.join(work, "engine.log")
    try:
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-B", "-m", "cnngrade.cli", "--assignment", os.path.join(bundle, spec["assignment"]),
                 "grade", source, "--truth", os.path.join(bundle, spec["truth_table"]),
                 "--json", f"/dev/fd/{write_fd}"],
                cwd=work, env=environment, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                pass_fds=(write_fd,), start_new_session=True)
    finally:
        os.close(write_fd)
    reader.start()
    try:
        returncode = process.wait(timeout=spec["engine_timeout"])
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass
        process.wait()
        returncode = f"killed after {spec['engine_timeout']} s"
    reader.join(timeout=30)
    with open(log_path, encoding="utf-8", errors="replace") as stream:
        log_tail = stream.read()[-3000:]
    try:
        if returncode != 0 or reader.is_alive():
            raise ValueError(f"exit status {returncode}")
        report = json.loads(b"".join(chunks).decode("utf-8"))
    except ValueError as error:
        raise RuntimeError(f"the grading engine failed ({error}):\n{log_tail}") from None
    temporary = f"{cached}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as stream:
        json.dump(report, stream, ensure_ascii=False)
    os.replace(temporary, cached)
    return report


def find_verdict(report, question, number):
    """The engine's entry for one hidden test, or None."""
    for test in report.get("tests", []):
        if test.get("number") == number and question in (test.get("tags") or ()):
            return test
    return None


def verdict_message(test):
    return f"{test.get('name', '')}: {test.get('output') or test.get('status', 'failed')}".strip(": ")


# --------------------------------------------------------------------------------------------------
# In otter's kernel: the test files' side
# --------------------------------------------------------------------------------------------------

_KERNEL = {}  # the report (or the reason there is none) of this loaded copy, computed once


def _kernel_report():
    """The engine's report on the submission beside tests/, after checking the bundle's manifest."""
    if "report" not in _KERNEL:
        try:
            runtime_dir = os.path.dirname(os.path.abspath(__file__))
            with open(os.path.join(runtime_dir, RUNTIME_SPEC), encoding="utf-8") as stream:
                spec = json.load(stream)
            submission_dir = os.path.dirname(os.path.dirname(runtime_dir))  # <submission>/tests/_runtime
            autograder_dir = os.path.dirname(submission_dir)
            candidates = [os.path.join(autograder_dir, "source", "files", spec["bundle"]),
                          os.path.join(submission_dir, spec["bundle"])]
            bundle = next((path for path in candidates if os.path.isdir(path)), candidates[-1])
            problems = manifest_problems(bundle, spec["bundle_manifest"])
            if problems:
                raise RuntimeError(f"{bundle} was modified after the autograder was built: " + ", ".join(problems[:5]))
            _KERNEL["report"] = engine_report(find_submission(submission_dir), bundle, spec,
                                              os.path.join(autograder_dir, CACHE_DIR))
        except Exception as error:
            _KERNEL["report"] = None
            _KERNEL["error"] = f"{type(error).__name__}: {error}"
    if _KERNEL["report"] is None:
        raise AssertionError("채점기를 실행하지 못했습니다. 조교에게 알려 주세요. / "
                             "the grader could not run; please tell your TA.\n" + _KERNEL["error"])
    return _KERNEL["report"]


def check(question, number):
    """One otter test case: raises AssertionError unless the engine passed hidden test ``number``."""
    report = _kernel_report()
    test = find_verdict(report, question, number)
    if test is None:
        raise AssertionError(f"the grader reported no result for {question}::{number}. " + (report.get("output") or ""))
    if test.get("status") != "passed":
        raise AssertionError(verdict_message(test))
