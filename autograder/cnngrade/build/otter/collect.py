"""The hidden suite as otter test cases: question, id, points and visibility of every hidden test."""

import contextlib
import io

import pytest

from ... import grading
from ...reports import results_json
from ...suite.plugin import GradingPlugin


def collect_hidden_tests(assignment):
    """Every hidden test as a dict (question, name, title, points, visibility), in suite order.

    Runs pytest's collection with cnngrade's GradingPlugin, so the question/points/visibility come
    from the very code that grades, and its consistency checks (points add up per question) apply.
    """
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
