"""``cnn-grade build-otter OUT_DIR``: an otter-grader 7 ``autograder.zip`` that scores like ``cnn-grade``.

What is in the zip::

    tests/<question_id>.py     one otter test file per question (exception format, OK_FORMAT = False),
                               one @test_case per hidden pytest test, same points, hidden unless "visible"
    files/cnngrade_bundle/     the engine: autograder/cnngrade, the hidden suite, the reference solution,
                               assignments/<id>/ and otter_spec.json (the test cases, for the plugin)
    otter_config.json, requirements.txt, environment.yml, setup.sh, run_autograder, run_otter.py

Where the verdicts come from. Every test case looks its verdict up in ONE isolated engine run on the
submission file (``python -m cnngrade.cli grade SUBMISSION --json /dev/fd/N``, the bundle on
PYTHONPATH), cached under ``<autograder>/cnngrade_otter/<sha256 of the submission>.json``. The engine
compares in its own process and runs the student's code only in its worker, so patching numpy or
pytest in the submission changes nothing. The JSON comes back through a pipe, not a file, so no
process of the student can overwrite it.

Two modes, one zip:

* ``otter run`` (no plugin; otter's CLI cannot import one from the zip): otter first executes the
  submission in a Jupyter kernel, then loads the test files in that same kernel; they verify the
  bundle against a digest taken at build time and run the engine. NOT protected against a deliberate
  attack: code that runs in the kernel before the tests can rewrite the tests or the bundle, forge the
  cache, or patch otter itself (its Checker, GradingResults, the results pickle). The digest only catches
  accidental changes. A hang or ``os._exit`` at import hangs or kills otter's kernel.
* Gradescope and ``otter grade`` (the container runs ``run_otter.py``, which puts the bundle on sys.path
  and registers :class:`EnginePlugin`): in the otter process, before any student code runs, the plugin
  checks the bundle and tests/ against digests kept in run_otter.py, runs the engine (before_grading),
  replaces the submission by an empty notebook so that the kernel never runs student code
  (before_execution), and rebuilds every result from the engine's verdicts (after_grading). The only
  process that runs student code is the engine's worker; what it can still do (it runs as the same
  user, with no filesystem isolation) is the engine's sandbox's business.
"""

import glob
import hashlib
import inspect
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import zipfile
from pathlib import Path

BUNDLE = "cnngrade_bundle"
SPEC_FILE = "otter_spec.json"
PYTHON_VERSION = "3.11"
ZIP_DATE = (2024, 1, 1, 0, 0, 0)
# Files never copied into the bundle.
_SKIP_DIRS = {"__pycache__", ".pytest_cache", ".hypothesis", ".ipynb_checkpoints"}
_SKIP_SUFFIXES = (".pyc", ".pyo", ".egg-info")

REQUIREMENTS = """\
# What the grading engine (files/cnngrade_bundle) needs; otter-grader itself is added by environment.yml.
numpy>=1.24
# PyTorch computes the hidden suite's ground truth; the CPU build is enough. From PyPI a bare torch
# resolves to the CUDA build (several GB). For a CPU-only image add an `--extra-index-url` line naming
# PyTorch's CPU wheel index (pip then prefers the +cpu wheels), or pin a CPU wheel your mirror serves.
torch>=2.2
pytest>=7.4
hypothesis>=6.80
"""

OTTER_CONFIG = {
    "lang": "python",
    # per-question results are shown once grades are published; the visible cases always show
    "show_hidden": True,
    "show_stdout": False,
}


# ============================================================================================
# Runtime: the functions below are copied verbatim into every generated test file (they may
# use only the standard-library modules imported there) and are used by EnginePlugin.
# ============================================================================================

def _file_manifest(root):
    """{relative path: sha256} of every file under ``root``, taken when the autograder is built."""
    manifest = {}
    for folder, dirs, files in os.walk(root):
        for file_name in files:
            path = os.path.join(folder, file_name)
            with open(path, "rb") as stream:
                manifest[os.path.relpath(path, root).replace(os.sep, "/")] = hashlib.sha256(stream.read()).hexdigest()
    return manifest


def _is_bytecode_cache_of(relative, manifest):
    """True for ``pkg/__pycache__/mod.<tag>.pyc`` when ``pkg/mod.py`` is a shipped file."""
    folder, _, name = relative.rpartition("/")
    parent, _, cache = folder.rpartition("/")
    if cache != "__pycache__" or not name.endswith(".pyc") or name.count(".") < 2:
        return False
    source = name.split(".", 1)[0] + ".py"
    return (f"{parent}/{source}" if parent else source) in manifest


def _manifest_problems(root, manifest):
    """What differs between ``root`` and its build-time manifest: missing, changed and extra files.

    A bytecode cache that Python wrote next to a shipped module is not a problem: Python itself only
    writes it from that very source, and it uses it only while the source's size and mtime match.
    Any other extra file is one (a .py or .pth could shadow a module of the engine)."""
    if not os.path.isdir(root):
        return [f"{root} is missing"]
    found = _file_manifest(root)
    problems = [f"missing {path}" for path in sorted(set(manifest) - set(found))]
    problems += [f"changed {path}" for path in sorted(manifest) if path in found and found[path] != manifest[path]]
    problems += [f"extra {path}" for path in sorted(set(found) - set(manifest))
                 if not _is_bytecode_cache_of(path, manifest)]
    return problems


def _find_submission(folder):
    """The file otter grades in ``folder``: the only .ipynb, else the only .py besides __init__.py."""
    notebooks = sorted(glob.glob(os.path.join(folder, "*.ipynb")))
    scripts = sorted(path for path in glob.glob(os.path.join(folder, "*.py"))
                     if os.path.basename(path) != "__init__.py")
    candidates = notebooks or scripts
    if len(candidates) != 1:
        raise FileNotFoundError(f"expected one .ipynb or .py submission in {folder}, found {candidates}")
    return candidates[0]


def _engine_report(submission, bundle, spec, cache_dir):
    """The engine's results.json for ``submission``: cached by content hash, else ONE isolated run."""
    with open(submission, "rb") as stream:
        key = hashlib.sha256(stream.read()).hexdigest()
    cached = os.path.join(cache_dir, key + ".json")
    if os.path.isfile(cached):
        with open(cached, encoding="utf-8") as stream:
            return json.load(stream)
    os.makedirs(cache_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="run-", dir=cache_dir)
    source = submission
    if submission.endswith(".ipynb"):
        # compiled and run by hand, not imported: an import would write bytecode into the bundle
        path = os.path.join(bundle, "autograder", "cnngrade", "notebook.py")
        with open(path, encoding="utf-8") as stream:
            converter = {"__name__": "_cnngrade_notebook", "__file__": path}
            exec(compile(stream.read(), path, "exec"), converter)
        source = os.path.join(work, spec["submission_file"])
        converter["copy_as_source"](submission, source)
    # -B: the engine writes no bytecode anywhere, so the bundle stays as built. No PYTHONPYCACHEPREFIX:
    # with one, Python would ignore the installed __pycache__ of torch and numpy and recompile them.
    environment = dict(os.environ, PYTHONPATH=os.path.join(bundle, "autograder"), PYTHONIOENCODING="utf-8",
                       PYTHONDONTWRITEBYTECODE="1")
    environment.pop("PYTHONPYCACHEPREFIX", None)
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
                [sys.executable, "-B", "-m", "cnngrade.cli", "--assignment", spec["assignment"], "grade", source,
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


def _find_verdict(report, question, number):
    """The engine's entry for one hidden test, or None."""
    for test in report.get("tests", []):
        if test.get("number") == number and question in (test.get("tags") or ()):
            return test
    return None


def _verdict_message(test):
    return f"{test.get('name', '')}: {test.get('output') or test.get('status', 'failed')}".strip(": ")


# ============================================================================================
# The generated test files
# ============================================================================================

_RUNTIME_FUNCTIONS = (_file_manifest, _is_bytecode_cache_of, _manifest_problems, _find_submission, _engine_report, _find_verdict, _verdict_message)

_TEST_FILE_HEAD = '''\
"""otter test file for question {question_id} ({points} points), generated by `cnn-grade build-otter`.

Do not edit. Each test case is one hidden pytest test of the cnngrade engine; its verdict comes from
one isolated engine run on the submission file (cached by the file's hash), never from this kernel.
"""

OK_FORMAT = False

name = {question_id!r}
points = None
all_or_nothing = False

import glob
import hashlib
import inspect
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading

from otter.test_files import test_case

SPEC = {spec!r}
# The tests folder (the file is exec'd without __file__; its code object still knows its path).
_TESTS_DIR = os.path.dirname(os.path.abspath(inspect.currentframe().f_code.co_filename))
_STATE = {{}}

'''

_TEST_FILE_CHECK = '''

def _report():
    if "report" not in _STATE:
        try:
            submission_dir = os.environ.get("CNNGRADE_SUBMISSION_DIR") or os.path.dirname(_TESTS_DIR)
            autograder_dir = os.path.dirname(os.path.abspath(submission_dir))
            candidates = [os.environ.get("CNNGRADE_BUNDLE"),
                          os.path.join(autograder_dir, "source", "files", SPEC["bundle"]),
                          os.path.join(submission_dir, SPEC["bundle"])]
            bundle = next(path for path in candidates if path and os.path.isdir(path))
            problems = _manifest_problems(bundle, SPEC["bundle_manifest"])
            if problems:
                raise RuntimeError(f"{bundle} was modified after the autograder was built: "
                                   + ", ".join(problems[:5]))
            _STATE["report"] = _engine_report(_find_submission(submission_dir), bundle, SPEC,
                                              os.path.join(autograder_dir, "cnngrade_otter"))
        except Exception as error:
            _STATE["report"] = None
            _STATE["error"] = f"{type(error).__name__}: {error}"
    if _STATE["report"] is None:
        raise AssertionError("채점기를 실행하지 못했습니다. 조교에게 알려 주세요. / "
                             "the grader could not run; please tell your TA.\\n" + _STATE["error"])
    return _STATE["report"]


def _check(question, number):
    report = _report()
    test = _find_verdict(report, question, number)
    if test is None:
        raise AssertionError(f"the grader reported no result for {question}::{number}. "
                             + (report.get("output") or ""))
    if test.get("status") != "passed":
        raise AssertionError(_verdict_message(test))

'''

_TEST_CASE = '''
@test_case(name={name!r}, points={points!r}, hidden={hidden!r})
def case_{index:03d}(env):
    _check({question!r}, {name!r})
'''


def _runtime_source():
    return "\n\n".join(inspect.getsource(function) for function in _RUNTIME_FUNCTIONS)


def render_test_file(question, cases, spec):
    """The otter test file of one question: one @test_case per hidden test."""
    parts = [_TEST_FILE_HEAD.format(question_id=question.id, points=question.points, spec=spec),
             _runtime_source(), _TEST_FILE_CHECK]
    for index, case in enumerate(cases, 1):
        parts.append(_TEST_CASE.format(name=case["name"], points=case["points"], hidden=case["hidden"],
                                       question=question.id, index=index))
    return "".join(parts)


# ============================================================================================
# Collecting the hidden suite (the grading plugin's own marker logic, collection only)
# ============================================================================================

def collect_hidden_tests(assignment):
    """Every hidden test as a dict (question, name, title, points, visibility), in suite order.

    Runs pytest's collection with cnngrade's GradingPlugin, so the question/points/visibility come
    from the very code that grades, and its consistency checks (points add up per question) apply.
    """
    import contextlib
    import io

    import pytest

    from .. import grading
    from ..reports import results_json
    from ..suite.plugin import GradingPlugin

    # no reference and no submissions: the plugin grades nothing, --collect-only runs no test
    plugin = GradingPlugin(assignment, None, None, None, lambda plugin: None)
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        code = pytest.main(grading.pytest_arguments(assignment) + ["--collect-only"], plugins=[plugin])
    if plugin.config_error is not None:
        raise plugin.config_error
    if plugin.collection_errors or not plugin.collected or code not in (0, pytest.ExitCode.OK):
        raise RuntimeError("collecting the hidden suite failed:\n" + "\n".join(plugin.collection_errors)
                           + output.getvalue()[-3000:])
    tests = []
    for outcome in plugin.collected.values():
        entry = results_json.test_entry(outcome)
        tests.append({"question": outcome.question, "name": entry["number"], "title": outcome.name,
                      "points": outcome.points, "visibility": outcome.visibility,
                      "hidden": outcome.visibility != "visible"})
    seen = set()
    for test in tests:
        key = (test["question"], test["name"])
        if key in seen:
            raise RuntimeError(f"two hidden tests of {key[0]} have the same id {key[1]!r}")
        seen.add(key)
    return tests


# ============================================================================================
# The zip
# ============================================================================================

def _bundle_sources(assignment):
    """(source path, path inside the bundle) for the engine, the hidden suite, solution and assignment."""
    root = Path(assignment.root)
    package = Path(__file__).resolve().parents[1]
    definition = root / "assignments" / assignment.id / "assignment.toml"
    trees = [(package, Path("autograder") / "cnngrade"),
             (Path(assignment.hidden_tests), Path(assignment.hidden_tests).relative_to(root))]
    # the engine reads only the definition and the solution of assignments/ and solutions/
    entries = [(definition, definition.relative_to(root)),
               (Path(assignment.solution), Path(assignment.solution).relative_to(root))]
    for source, target in trees:
        for folder, dirs, files in os.walk(source):
            dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.endswith(_SKIP_SUFFIXES))
            for file_name in sorted(files):
                if file_name.endswith(_SKIP_SUFFIXES) or file_name.startswith("."):
                    continue
                path = Path(folder) / file_name
                entries.append((path, target / path.relative_to(source)))
    return entries


def _otter_templates(requirements):
    """run_autograder, setup.sh, environment.yml and run_otter.py rendered by otter's own template code."""
    from otter.generate import (JINJA_ENV, MINIFORGE_VERSION, OTTER_ENV_NAME, OTTR_VERSION,
                                CondaEnvironment)

    context = dict(autograder_dir="/autograder", otter_env_name=OTTER_ENV_NAME, ottr_version=OTTR_VERSION,
                   channel_priority_strict=False, has_r_requirements=False, miniforge_version=MINIFORGE_VERSION)
    rendered = {Path(name).name: JINJA_ENV.get_template(name).render(**context)
                for name in ("common/run_autograder", "common/run_otter.py", "python/setup.sh")}
    packages = [line.strip() for line in requirements.splitlines()
                if line.strip() and not line.strip().startswith("#")]
    rendered["environment.yml"] = CondaEnvironment(PYTHON_VERSION, False, packages, False, None).to_str()
    rendered["run_autograder"] = render_run_autograder(rendered["run_autograder"], OTTER_ENV_NAME)
    return rendered


_RUN_OTTER_CALL = 'run_autograder("/autograder")'
# First thing in run_otter.py, before any import: with bytecode on (Gradescope and otter's image do not
# set PYTHONDONTWRITEBYTECODE), importing the engine would write __pycache__ into files/cnngrade_bundle,
# and the files there are what the manifest check is about. The environment variable carries the same
# to otter's kernel and every other child process.
_RUN_OTTER_NO_BYTECODE = '''import os as _os_bytecode
import sys as _sys_bytecode

_sys_bytecode.dont_write_bytecode = True
_os_bytecode.environ["PYTHONDONTWRITEBYTECODE"] = "1"

'''
_RUN_OTTER_PRELUDE = '''
# ---- added by `cnn-grade build-otter` -----------------------------------------------------------
# In the grading container (Gradescope, otter grade) this file is the entry point, so the engine
# plugin is registered here and not in otter_config.json: `otter run` cannot import it from the zip.
import json as _json
import os as _os
import sys as _sys

AUTOGRADER_DIR = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))  # /autograder
_sys.path.insert(0, _os.path.join(AUTOGRADER_DIR, "source", "files", {bundle!r}, "autograder"))
CNNGRADE_PLUGIN = {{"cnngrade.build.otter.EnginePlugin": {plugin_config!r}}}


def _valid_submission_metadata():
    """otter grade's image has an empty submission_metadata.json, which otter's plugin loader cannot parse."""
    path = _os.path.join(AUTOGRADER_DIR, "submission_metadata.json")
    try:
        with open(path, encoding="utf-8") as stream:
            _json.load(stream)
    except (OSError, ValueError):
        with open(path, "w", encoding="utf-8") as stream:
            stream.write("{{}}")
# ---------------------------------------------------------------------------------------------------
'''


def render_run_otter(template_text, plugin_config):
    if _RUN_OTTER_CALL not in template_text or 'if __name__ == "__main__":' not in template_text:
        raise RuntimeError("otter's run_otter.py template changed; update cnngrade.build.otter")
    head, main = template_text.split('if __name__ == "__main__":', 1)
    main = main.replace(_RUN_OTTER_CALL, "_valid_submission_metadata()\n    "
                                         "run_autograder(AUTOGRADER_DIR, plugins=[CNNGRADE_PLUGIN])")
    prelude = _RUN_OTTER_PRELUDE.format(bundle=BUNDLE, plugin_config=plugin_config)
    return (_RUN_OTTER_NO_BYTECODE + head.rstrip() + "\n\n" + prelude + "\n\nif __name__ == \"__main__\":"
            + main)


# Inserted after the shebang of otter's run_autograder. Why each line: README, "Security model",
# "In the grading container".
_RUN_AUTOGRADER_HARDENING = '''
# ---- added by `cnn-grade build-otter` -----------------------------------------------------------
# Gradescope and otter grade run this script as root. The student's code runs only in the engine's
# worker, under a uid of its own, which must not read or write anything of the grading: the engine
# gives the worker its own copy of the submission in a private folder, so all of /autograder (this
# script, source/ with run_otter.py, tests/, otter_config.json and the bundle, submission/, results/
# and the engine's cache) becomes root's alone.
chown -R root:root /autograder
chmod -R go-rwx /autograder
# That uid must still be able to run the Python environment, or the engine cannot drop to it and runs
# the student's code as root. Otter's image keeps the environment under /root (mode 700): make /root
# traversable but not listable, and the folders down to the environment readable.
chmod 711 /root
for folder in /root/miniforge3 /root/miniforge3/envs /root/miniforge3/envs/{env_name}; do
    if [ -d "$folder" ]; then chmod go+rx,go-w "$folder"; fi
done
# ---------------------------------------------------------------------------------------------------
'''


def render_run_autograder(template_text, env_name):
    shebang, newline, rest = template_text.partition("\n")
    if not shebang.startswith("#!") or "run_otter.py" not in rest:
        raise RuntimeError("otter's run_autograder template changed; update cnngrade.build.otter")
    return shebang + newline + _RUN_AUTOGRADER_HARDENING.format(env_name=env_name).lstrip("\n") + rest


def _zip_write(archive, arcname, data, executable=False):
    info = zipfile.ZipInfo(arcname, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    archive.writestr(info, data)


def build(assignment, out_dir):
    """Write ``out_dir/autograder.zip``; returns its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tests = collect_hidden_tests(assignment)
    questions = []
    for question in assignment.questions:
        cases = [{"name": t["name"], "title": t["title"], "points": t["points"], "hidden": t["hidden"]}
                 for t in tests if t["question"] == question.id]
        questions.append({"id": question.id, "points": question.points, "cases": cases})
    spec = {"assignment": assignment.id, "submission_file": assignment.submission_file, "bundle": BUNDLE,
            # the engine bounds the submission to total_seconds; the rest is pytest and torch start-up
            "engine_timeout": int(assignment.limits.total_seconds) + 180}
    with tempfile.TemporaryDirectory(prefix="cnngrade-build-otter-") as staging:
        bundle_dir = Path(staging) / BUNDLE
        for source, target in _bundle_sources(assignment):
            destination = bundle_dir / target
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(source.read_bytes())
        (bundle_dir / SPEC_FILE).write_text(json.dumps(dict(spec, questions=questions), ensure_ascii=False,
                                                       indent=1), encoding="utf-8")
        spec["bundle_manifest"] = _file_manifest(bundle_dir)
        tests_dir = Path(staging) / "tests"
        tests_dir.mkdir()
        for question, entry in zip(assignment.questions, questions):
            (tests_dir / f"{question.id}.py").write_text(render_test_file(question, entry["cases"], spec),
                                                         encoding="utf-8")
        templates = _otter_templates(REQUIREMENTS)
        plugin_config = {"bundle": BUNDLE, "bundle_manifest": spec["bundle_manifest"],
                         "tests_manifest": _file_manifest(tests_dir)}
        templates["run_otter.py"] = render_run_otter(templates["run_otter.py"], plugin_config)
        zip_path = out_dir / "autograder.zip"
        with zipfile.ZipFile(zip_path, "w") as archive:
            for path in sorted(tests_dir.iterdir()):
                _zip_write(archive, f"tests/{path.name}", path.read_bytes())
            for path in sorted(p for p in bundle_dir.rglob("*") if p.is_file()):
                _zip_write(archive, f"files/{BUNDLE}/{path.relative_to(bundle_dir).as_posix()}", path.read_bytes())
            _zip_write(archive, "otter_config.json", json.dumps(OTTER_CONFIG, indent=2) + "\n")
            _zip_write(archive, "requirements.txt", REQUIREMENTS)
            for name in ("environment.yml", "setup.sh", "run_autograder", "run_otter.py"):
                _zip_write(archive, name, templates[name], executable=name in ("setup.sh", "run_autograder"))
    return zip_path


# ============================================================================================
# The otter plugin (Gradescope / otter grade; registered by run_otter.py)
# ============================================================================================

NEUTRAL_CELL = ("# cnngrade: this submission was graded by the isolated cnngrade engine before this kernel\n"
                "# started; the kernel does not execute it.\n")


class EnginePlugin:
    """Runs the engine in otter's own process, keeps student code out of the kernel, owns the results.

    Duck-typed like ``otter.plugins.AbstractOtterPlugin`` (otter calls the events by name), so that
    importing this module does not import otter.
    """

    def __init__(self, submission_path, submission_metadata, plugin_config):
        self.submission_path = os.path.abspath(submission_path)
        self.submission_metadata = submission_metadata
        self.plugin_config = plugin_config or {}
        self.report = None
        self.spec = None

    def _fail(self, message):
        from otter.run.run_autograder.utils import OtterRuntimeError

        raise OtterRuntimeError(f"cnngrade: {message}")

    def before_grading(self, config):
        submission_dir = os.path.dirname(self.submission_path)
        autograder_dir = os.path.dirname(submission_dir)
        bundle = os.path.join(autograder_dir, "source", "files", self.plugin_config.get("bundle", BUNDLE))
        checks = [(bundle, self.plugin_config.get("bundle_manifest"))]
        checks += [(tests, self.plugin_config.get("tests_manifest"))
                   for tests in (os.path.join(autograder_dir, "source", "tests"), os.path.join(submission_dir, "tests"))]
        for folder, manifest in checks:
            problems = _manifest_problems(folder, manifest or {}) if manifest else ["no manifest"]
            if problems:
                self._fail(f"{folder} does not match the manifest taken when the autograder was built: "
                           + ", ".join(problems[:5]))
        with open(os.path.join(bundle, SPEC_FILE), encoding="utf-8") as stream:
            self.spec = json.load(stream)
        try:
            self.report = _engine_report(self.submission_path, bundle, self.spec,
                                         os.path.join(autograder_dir, "cnngrade_otter"))
        except RuntimeError as error:
            self._fail(str(error))

    def before_execution(self, submission):
        import nbformat

        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(NEUTRAL_CELL)])

    def after_grading(self, results):
        from otter.test_files.abstract_test import TestCase, TestCaseResult
        from otter.test_files.exception_test import ExceptionTestFile

        files = {}
        for question in sorted(self.spec["questions"], key=lambda entry: entry["id"]):
            cases, outcomes = [], []
            for case in question["cases"]:
                test_case = TestCase(name=case["name"], body=None, hidden=case["hidden"], points=case["points"],
                                     success_message=None, failure_message=None)
                verdict = _find_verdict(self.report, question["id"], case["name"])
                passed = verdict is not None and verdict.get("status") == "passed"
                if passed:
                    message = "✅ Test case passed"
                elif verdict is None:
                    message = "❌ Test case failed\nthe grader reported no result for this test"
                else:
                    message = "❌ Test case failed\n" + _verdict_message(verdict)
                cases.append(test_case)
                outcomes.append(TestCaseResult(test_case=test_case, message=message, passed=passed))
            test_file = ExceptionTestFile(question["id"], f"tests/{question['id']}.py", cases, all_or_nothing=False)
            test_file.test_case_results = outcomes
            files[question["id"]] = test_file
        results.results = files
        results._catastrophic_error = None
        if self.report.get("output"):
            results.set_output(self.report["output"])
        results.set_plugin_data("cnngrade.build.otter.EnginePlugin", {
            "score": self.report.get("score"), "grading_status": self.report.get("grading_status")})

    def generate_report(self):
        if self.report is None:
            return None
        return (f"cnngrade engine: {self.report.get('score')} / {self.report.get('max_score')} "
                f"({self.report.get('grading_status')}); sandbox level: {self.report.get('sandbox')}; "
                "the kernel did not execute the submission.")


# ============================================================================================
# Grading the way the container does, without a container
# ============================================================================================

def run_like_container(zip_path, submission, parent=None, timeout=1200, env=None):
    """Grade ``submission`` as Gradescope and ``otter grade`` do, with no Docker: the zip unpacked in
    ``<dir>/autograder/source``, the submission copied to ``<dir>/autograder/submission``, an empty
    ``submission_metadata.json`` (as in otter grade's image), and the zip's own run_otter.py as the
    entry point (so the engine plugin is active). Returns (results.json as a dict or None, the
    CompletedProcess, the directory). ``env``: the environment of run_otter.py (default: this one's)."""
    base = Path(tempfile.mkdtemp(prefix="cnngrade-container-", dir=parent))
    autograder_dir = base / "autograder"
    for name in ("source", "submission", "results"):
        (autograder_dir / name).mkdir(parents=True)
    (autograder_dir / "submission_metadata.json").write_text("", encoding="utf-8")
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(autograder_dir / "source")
    (autograder_dir / "submission" / Path(submission).name).write_bytes(Path(submission).read_bytes())
    completed = subprocess.run([sys.executable, str(autograder_dir / "source" / "run_otter.py")],
                               cwd=autograder_dir, capture_output=True, text=True, timeout=timeout, env=env)
    results_path = autograder_dir / "results" / "results.json"
    results = json.loads(results_path.read_text(encoding="utf-8")) if results_path.is_file() else None
    return results, completed, base


def question_scores(results):
    """{question: (score, max_score)} from an otter results.json (one entry per test file)."""
    return {test["name"]: (test["score"], test["max_score"]) for test in results.get("tests", [])
            if "score" in test and "max_score" in test}


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m cnngrade.build.otter",
        description="Grade one submission with autograder.zip exactly as the Gradescope/otter grade "
                    "container does (engine plugin active), without Docker.")
    parser.add_argument("zip", help="autograder.zip from `cnn-grade build-otter`")
    parser.add_argument("submission", help="the .py or .ipynb to grade")
    parser.add_argument("-o", "--output", help="copy results.json here")
    args = parser.parse_args(argv)
    results, completed, base = run_like_container(args.zip, args.submission)
    if results is None:
        sys.stderr.write(completed.stdout[-3000:] + completed.stderr[-3000:])
        return 1
    for name, (score, possible) in question_scores(results).items():
        print(f"{name:16s} {score:g} / {possible:g}")
    scores = question_scores(results).values()
    print(f"total            {sum(s for s, _ in scores):g} / {sum(p for _, p in scores):g}")
    if args.output:
        Path(args.output).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    import shutil

    shutil.rmtree(base, ignore_errors=True)
    return 0 if completed.returncode == 0 else completed.returncode


if __name__ == "__main__":
    sys.exit(main())
