"""Grade one submission: run the hidden pytest suite in this process against an isolated worker."""

import contextlib
import importlib.util
import io
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pytest

from .sandbox.session import SubmissionSession
from .suite.plugin import GradingPlugin


@dataclass
class QuestionScore:
    id: str
    title: str
    score: float
    max_score: float


@dataclass
class GradeReport:
    """Everything known about one graded submission; every output format is made from this."""

    submission: str
    assignment_id: str
    tests: list
    questions: list
    execution_time: float
    import_error: str = ""
    output: str = ""
    grader_errors: list = field(default_factory=list)
    integrity: list = field(default_factory=list)

    @property
    def score(self):
        return sum(question.score for question in self.questions)

    @property
    def max_score(self):
        return sum(question.max_score for question in self.questions)

    @property
    def status(self):
        if self.grader_errors:
            return "grader_error"
        return "import_error" if self.import_error else "graded"


@lru_cache(maxsize=None)
def load_reference(solution_path):
    """The reference solution, imported once into the grader (trusted code)."""
    spec = importlib.util.spec_from_file_location("cnngrade_reference_solution", solution_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pytest_arguments(assignment):
    hidden = Path(assignment.hidden_tests)
    return [str(hidden), "-c", str(hidden / "pytest.ini"), "--rootdir", str(hidden),
            "--import-mode=importlib", "-p", "no:cacheprovider", "-q", "-W", "ignore::UserWarning"]


def grade(submission_path, assignment, log=None):
    """Grade ``submission_path``; returns a GradeReport. Never raises for a bad submission."""
    started = time.monotonic()
    reference = load_reference(str(assignment.solution))
    pytest_output = io.StringIO()
    with SubmissionSession(submission_path, assignment) as session:
        plugin = GradingPlugin(assignment, session, reference)
        with contextlib.redirect_stdout(pytest_output), contextlib.redirect_stderr(pytest_output):
            pytest.main(pytest_arguments(assignment), plugins=[plugin])
    if plugin.config_error is not None:
        raise plugin.config_error
    if log is not None:
        log.write(pytest_output.getvalue())
    if not plugin.outcomes and not plugin.grader_errors:
        plugin.grader_errors.append("the hidden suite collected no tests:\n" + pytest_output.getvalue())
    tests = list(plugin.outcomes.values())
    questions = [
        QuestionScore(question.id, question.title,
                      sum(test.earned for test in tests if test.question == question.id), question.points)
        for question in assignment.questions
    ]
    return GradeReport(
        submission=str(submission_path), assignment_id=assignment.id, tests=tests, questions=questions,
        execution_time=time.monotonic() - started,
        import_error=session.import_fault.message if session.import_fault else "",
        output=session.output.text(), grader_errors=plugin.grader_errors,
    )
