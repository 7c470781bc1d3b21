"""The recorded truth: every expected value of the hidden suite, computed once with the live
truth module (PyTorch) and stored in a table, so that grading needs no PyTorch (the otter zip).

The values are recorded by grading the reference solution: every hidden input is seeded by its
test (rng, derandomized Hypothesis), so any other submission asks for a subset of these calls.
The reference must earn every point, which cross-checks the truth against it.
"""

from .. import grading
from ..suite.truth import Truth


class ReferenceMismatch(RuntimeError):
    """The reference solution does not pass its own hidden suite with the live truth."""


def record(assignment, path):
    """Record the truth table at ``path``; returns it."""
    truth = Truth(assignment.truth, live=True)
    report = grading.grade(assignment.solution, assignment, truth=truth)
    lost = [f"{test.nodeid}: {test.summary}" for test in report.tests if test.status != "passed"]
    if report.grader_errors or lost or report.score != report.max_score:
        raise ReferenceMismatch("the reference solution does not pass its hidden suite with the live truth:\n"
                                + "\n".join(report.grader_errors + lost))
    truth.table.save(path)
    return truth.table
