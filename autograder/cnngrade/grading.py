"""Grade one submission: run the hidden pytest suite in this process against an isolated worker."""

import contextlib
import functools
import io
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from . import integrity, notebook
from .report import GradeReport, QuestionScore
from .sandbox import isolation
from .sandbox.session import SubmissionSession
from .suite.diagnosis import NO_KNOWN_BUGS
from .suite.plugin import GradingConfigError, GradingPlugin
from .suite.truth import AUTO, LIVE, TruthSource, import_file


@functools.lru_cache(maxsize=None)
def load_reference(solution_path):
    """The reference solution, imported once into the grader (trusted code)."""
    return import_file(solution_path, f"cnngrade_reference_{abs(hash(solution_path)):x}")


def load_known_bugs(assignment):
    if assignment.known_bugs is None:
        return NO_KNOWN_BUGS
    return import_file(assignment.known_bugs, f"cnngrade_known_bugs_{assignment.id}").KNOWN_BUGS


def pytest_arguments(assignment):
    hidden = Path(assignment.hidden_tests)
    return [str(hidden), "-c", str(hidden / "pytest.ini"), "--rootdir", str(hidden),
            "--import-mode=importlib", "-q", "-W", "ignore::UserWarning",
            # Failure messages come from our own checks; pytest's source-annotated tracebacks
            # cost ~50 ms per failed test (the plugin formats grader errors itself).
            "--tb=no",
            # The hidden tests compare through suite/checks.py, never with assert: rewriting every module of
            # hypothesis (a pytest plugin) costs ~2 s per start where no bytecode is cached (the zip, -B).
            "--assert=plain",
            # Not needed for grading; unraisableexception alone costs ~1.5 s of gc.collect() per run.
            "-p", "no:cacheprovider", "-p", "no:unraisableexception", "-p", "no:threadexception",
            "-p", "no:benchmark", "-p", "no:legacypath", "-p", "no:doctest", "-p", "no:junitxml"]


@dataclass(frozen=True)
class SessionFacts:
    """What grading one submission learnt besides the outcomes of its tests."""

    import_error: str
    output: str
    notes: list
    integrity: list
    sandbox: str


def session_facts(submission_path, assignment, session):
    """Read once the submission's session is closed (its output is then complete)."""
    source, encoding_note = notebook.read_submission(submission_path)
    return SessionFacts(import_error=session.import_fault.message if session.import_fault else "",
                        output=session.output.text(), notes=[encoding_note] if encoding_note else [],
                        integrity=integrity.scan(source, assignment.forbidden_modules), sandbox=isolation.level())


def build_report(submission_path, assignment, outcomes, collection_errors, facts, execution_time):
    """The GradeReport of one submission, from its outcomes and facts alone (no I/O)."""
    questions = [QuestionScore(question.id, question.title,
                               sum(test.earned for test in outcomes.tests if test.question == question.id),
                               question.points)
                 for question in assignment.questions]
    return GradeReport(
        submission=str(submission_path), assignment_id=assignment.id, tests=outcomes.tests, questions=questions,
        execution_time=execution_time, import_error=facts.import_error, output=facts.output,
        grader_errors=list(collection_errors) + outcomes.grader_errors, integrity=facts.integrity,
        sandbox=facts.sandbox, notes=facts.notes,
    )


def _sessions(first_path, first, submission_paths, assignment):
    """(path, session) for each submission; ``first`` is the first one's, already started."""
    if first is not None:
        yield first_path, first
    for path in submission_paths:
        yield path, SubmissionSession(path, assignment)


def _grade_each(sessions, assignment, on_report, plugin):
    """Called by the plugin once pytest has collected the suite: grade the submissions in turn."""
    for path, session in sessions:
        started = time.monotonic()
        with session:
            outcomes = plugin.grade(session)
        facts = session_facts(path, assignment, session)
        on_report(build_report(path, assignment, outcomes, plugin.collection_errors, facts,
                               time.monotonic() - started))


@contextlib.contextmanager
def _suite_modules_forgotten(suite_dir):
    """Import the hidden suite fresh and take it out of sys.modules afterwards.

    Its modules have plain names (``conftest``, ``test_lenet5``): left behind, they would shadow
    the host's own ``conftest`` or another suite with the same file names in this process."""
    suite_dir = Path(suite_dir).resolve()

    def from_suite(module):
        file = getattr(module, "__file__", None)
        return file is not None and suite_dir in Path(file).resolve().parents

    def clashes(name, module):
        return name == "conftest" or (name.startswith("test_") and (suite_dir / f"{name}.py").exists())

    saved = {name: module for name, module in sys.modules.items() if clashes(name, module)}
    for name in saved:
        del sys.modules[name]
    try:
        yield
    finally:
        for name, module in list(sys.modules.items()):
            if from_suite(module):
                del sys.modules[name]
        sys.modules.update(saved)


def grade_stream(submission_paths, assignment, on_report, log=None, truth=AUTO):
    """Grade each path of an iterable in ONE pytest session (the suite is collected once);
    ``on_report(report)`` receives each GradeReport as soon as it is ready. ``truth``: where the
    expected values come from (suite/truth.py: "auto", "live", a recorded table's path, a Truth)."""
    truth_source = TruthSource(assignment, truth)
    submission_paths = iter(submission_paths)
    first_path = next(submission_paths, None)
    # The first worker imports the submission while pytest collects the suite (the cold start).
    first = SubmissionSession(first_path, assignment) if first_path is not None else None
    if first is not None:
        first.prestart()
    plugin = GradingPlugin(assignment, load_reference(str(assignment.solution)), truth_source.truth,
                           load_known_bugs(assignment),
                           functools.partial(_grade_each, _sessions(first_path, first, submission_paths, assignment),
                                             assignment, on_report))
    pytest_output = io.StringIO()
    try:
        with contextlib.redirect_stdout(pytest_output), contextlib.redirect_stderr(pytest_output), \
                _suite_modules_forgotten(assignment.hidden_tests):
            pytest.main(pytest_arguments(assignment), plugins=[plugin])
    finally:
        if first is not None:
            first.close()  # graded and closed already, unless the suite refused to start
    truth_source.finish()
    if log is not None:
        log.write(pytest_output.getvalue())
    if plugin.config_error is not None:
        raise plugin.config_error
    if not plugin.collected:
        raise GradingConfigError("the hidden suite could not be collected (no tests):\n"
                                 + "\n".join(plugin.collection_errors))


def check_suite(assignment):
    """Collect the hidden suite without grading anything: raises GradingConfigError where grading
    would refuse to start (a batch checks this before it starts its grading processes)."""
    grade_stream([], assignment, on_report=None, truth=LIVE)  # live: imported only when called, so never


def grade(submission_path, assignment, log=None, truth=AUTO):
    """Grade one submission; returns a GradeReport. Never raises for a bad submission."""
    reports = []
    grade_stream([submission_path], assignment, reports.append, log=log, truth=truth)
    return reports[0]
