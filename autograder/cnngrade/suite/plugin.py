"""The pytest plugin that turns a hidden-suite run into per-test points.

Hidden tests declare their question once per module and their points per test::

    pytestmark = pytest.mark.question("conv_forward")

    @graded(points=2)
    def test_stride(submission, rng): ...

They receive ``submission`` (calls into the isolated worker, by value), ``reference`` (the
reference solution, trusted, in this process) and ``rng`` (a generator seeded by the test id).

One pytest session grades a stream of submissions: the suite is collected once, then
``pytest_runtestloop`` runs every test for each submission in turn (see grading.py).
"""

import copy
import traceback
import zlib
from dataclasses import dataclass, field

import numpy as np
import pytest

from ..report import TestOutcome
from ..sandbox.session import SubmissionError
from . import side_properties
from .checks import Mismatch

INTERNAL_ERROR = "채점기 내부 오류입니다. 조교에게 알려 주세요. / internal grader error; please tell your TA."
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
# Faults after which calling the same function again in the same test only wastes time.
STICKY_FAULTS = ("timeout", "crashed", "budget", "import_error")


def graded(points, visibility="after_published", requires=()):
    """Mark a hidden test: how many points it is worth and when students see it (Gradescope).

    ``requires`` names value tests (``"test_conv2d_forward[single-channel]"``) that must pass for
    this test to award its points: a side-property test (inputs kept, ValueError) of a function
    whose values it does not check itself (see side_properties.py)."""
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {VISIBILITIES}")
    requires = (requires,) if isinstance(requires, str) else tuple(requires)
    return pytest.mark.graded(points=points, visibility=visibility, requires=requires)


class GradingConfigError(Exception):
    """The hidden suite does not match the assignment definition (an instructor error)."""


class SubmissionProxy:
    """``submission.conv2d_forward(...)`` returns the worker's answer as plain data."""

    def __init__(self, session):
        self._session = session
        self._sticky = {}
        self.calls = []  # (function, args, kwargs, value) of this test, for the bug diagnosis

    def reset(self):
        self._sticky = {}
        self.calls = []

    def call(self, name, *args, **kwargs):
        """The full CallResult: the value, and the arguments as they were after the call (for
        ``expect_unchanged``). Only these calls have the worker send the arguments back."""
        return self._call(name, args, kwargs, arguments_after=True)

    def _call(self, name, args, kwargs, arguments_after):
        if name in self._sticky:
            raise SubmissionError(name, self._sticky[name])
        try:
            result = self._session.call(name, args, kwargs, arguments_after=arguments_after)
        except SubmissionError as error:
            if error.fault.kind in STICKY_FAULTS:
                self._sticky[name] = error.fault
            raise
        self.calls.append((name, args, kwargs, result.value))
        return result

    def constant(self, name):
        return self._session.get(name)

    def __getattr__(self, name):
        """``submission.conv2d_forward(x, w)``: the value only."""
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self._call(name, args, kwargs, arguments_after=False).value


def _test_name(item):
    doc = (getattr(item, "function", None).__doc__ or item.name).strip().splitlines()[0]
    callspec = getattr(item, "callspec", None)
    return f"{doc} [{callspec.id}]" if callspec is not None else doc


@dataclass
class SubmissionOutcomes:
    """What the hidden suite found in one submission."""

    tests: list  # a TestOutcome per collected test, in suite order
    grader_errors: list = field(default_factory=list)  # errors of the hidden suite while grading it


class GradingPlugin:
    """Collects the hidden suite once per pytest session, then grades submissions one by one.

    After collection, pytest's run loop calls ``grade_submissions(plugin)``, which calls
    ``plugin.grade(submission_session)`` for each submission of the stream. What was collected
    (``collected``, ``collection_errors``, ``config_error``) stays apart from what one submission
    produced, which ``grade`` returns."""

    def __init__(self, assignment, reference, truth, known_bugs, grade_submissions):
        self.assignment = assignment
        self._reference_module = reference
        self._truth = truth
        self._known_bugs = known_bugs
        self._grade_submissions = grade_submissions
        self.collected = {}  # node id -> TestOutcome as collected, never run
        self.collection_errors = []
        self.config_error = None
        self._items = []
        # Only while grade() runs: the submission's proxy (the fixture), its outcomes and errors.
        self.proxy = None
        self._outcomes = None
        self._grader_errors = None

    def grade(self, submission_session):
        """Run every collected test against one submission; returns its SubmissionOutcomes."""
        self.proxy = SubmissionProxy(submission_session)
        self._outcomes, self._grader_errors = copy.deepcopy(self.collected), []
        try:
            for index, item in enumerate(self._items):
                # nextitem=None after the last test tears every fixture down: submissions share nothing.
                nextitem = self._items[index + 1] if index + 1 < len(self._items) else None
                item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
            self._refuse_tests_that_did_not_run()
            _apply_requirements(self._outcomes)
            return SubmissionOutcomes(list(self._outcomes.values()), self._grader_errors)
        finally:
            self.proxy = self._outcomes = self._grader_errors = None

    def _refuse_tests_that_did_not_run(self):
        """A test that was skipped or never reached its call earns nothing: points come only from a
        test that ran and passed."""
        for record in self._outcomes.values():
            if record.status == "pending":
                record.status = "error"
                record.message = record.summary = record.detail = INTERNAL_ERROR
                self._grader_errors.append(f"{record.nodeid}: did not run (skipped?); it awards nothing")

    # -- fixtures --------------------------------------------------------------------
    @pytest.fixture
    def submission(self):
        return self.proxy

    @pytest.fixture
    def reference(self):
        return self._reference_module

    @pytest.fixture
    def truth(self):
        return self._truth

    @pytest.fixture
    def rng(self, request):
        return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))

    # -- collection --------------------------------------------------------------------
    def pytest_configure(self, config):
        config.addinivalue_line("markers", "question(id): the assignment question a hidden test belongs to")
        config.addinivalue_line("markers", "graded(points, visibility): points of a hidden test")

    def pytest_collectreport(self, report):
        if report.failed:
            self.collection_errors.append(f"collection of {report.nodeid} failed:\n{report.longreprtext}")

    def pytest_collection_modifyitems(self, session, config, items):
        try:
            self._register(items)
        except GradingConfigError as error:
            self.config_error = error
            items.clear()

    def _register(self, items):
        totals = {question.id: 0 for question in self.assignment.questions}
        by_name = {item.nodeid.split("::", 1)[-1]: item.nodeid for item in items}
        for item in items:
            question, mark = item.get_closest_marker("question"), item.get_closest_marker("graded")
            if question is None or mark is None:
                raise GradingConfigError(f"{item.nodeid} needs a question marker and @graded(points=...)")
            question_id = question.args[0]
            if question_id not in totals:
                raise GradingConfigError(f"{item.nodeid}: unknown question {question_id!r}")
            totals[question_id] += mark.kwargs["points"]
            unknown = [name for name in mark.kwargs.get("requires", ()) if name not in by_name]
            if unknown:
                raise GradingConfigError(f"{item.nodeid}: requires= names no collected test: {unknown}")
            self.collected[item.nodeid] = TestOutcome(
                item.nodeid, _test_name(item), question_id, mark.kwargs["points"],
                mark.kwargs.get("visibility", "after_published"),
                requires=tuple(by_name[name] for name in mark.kwargs.get("requires", ())))
        wrong = {qid: (total, self.assignment.question(qid).points) for qid, total in totals.items()
                 if abs(total - self.assignment.question(qid).points) > 1e-9}
        if wrong:
            raise GradingConfigError(
                "hidden test points do not add up to the question totals: "
                + ", ".join(f"{qid} has {got} of {want}" for qid, (got, want) in wrong.items()))

    # -- running -------------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        self._items = list(session.items)
        if self.collected and self.config_error is None:
            self._grade_submissions(self)
        return True

    def _diagnose(self):
        """Replay this test's calls, newest first, through the known-bug variants."""
        for function, args, kwargs, value in reversed(self.proxy.calls):
            try:
                bug = self._known_bugs.diagnose(self._reference_module, function, args, kwargs, value)
            except Exception:  # a diagnosis must never turn a failed test into a grader error
                bug = None
            if bug is not None:
                return bug
        return None

    def pytest_runtest_setup(self, item):
        self.proxy.reset()
        side_properties.begin(self.proxy.calls)

    def _check_side_properties(self, item, record):
        """A passed test that checked a side property without the function's values (and has no
        ``requires``) is an error of the hidden suite: it awards nothing."""
        unbacked = side_properties.current_unbacked()
        if not unbacked or record.requires:
            return
        record.status = "error"
        record.message = record.summary = record.detail = INTERNAL_ERROR
        self._grader_errors.append(
            f"{item.nodeid}: checks a side property of {', '.join(unbacked)} without checking its values; "
            f"check them in the same test or name a value test with @graded(requires=...)")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        record = self._outcomes[item.nodeid]
        record.duration += report.duration
        if report.when == "call" and report.passed and record.status == "pending":
            self._check_side_properties(item, record)
            if record.status == "pending":
                record.status = "passed"
        if not report.failed or record.status not in ("pending", "passed"):
            return
        error = call.excinfo.value if call.excinfo else None
        if isinstance(error, SubmissionError):
            record.status, record.message, record.fault = "failed", str(error), error.fault.kind
            record.summary = record.detail = record.message
        elif isinstance(error, Mismatch):
            record.status, record.message, record.summary = "failed", str(error), error.summary
            record.detail, record.hint = error.detail, error.hint
            bug = self._diagnose()
            if bug is not None:
                record.message += "\n" + bug.hint
                record.summary = f"{bug.korean} / {bug.english}"
                record.diagnosis, record.bug_hint = bug.id, bug.hint
        else:
            record.status = "error"
            record.message = record.summary = record.detail = INTERNAL_ERROR
            details = "".join(traceback.format_exception(error)) if error is not None else report.longreprtext
            self._grader_errors.append(f"{item.nodeid} ({call.when}):\n{details}")


def _apply_requirements(outcomes):
    """A passed test whose required value tests did not all pass awards nothing."""
    for record in outcomes.values():
        if record.status != "passed" or not record.requires:
            continue
        unmet = [outcomes[nodeid].name for nodeid in record.requires if outcomes[nodeid].status != "passed"]
        if unmet:
            record.status = "failed"
            record.message = record.detail = side_properties.unmet_requirement_message(unmet)
            record.summary = record.message.replace("\n", " / ")
