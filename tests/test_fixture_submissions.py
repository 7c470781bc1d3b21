"""Every buggy and adversarial fixture gets exactly its expected per-question outcome, in time,
with no process left behind. Expectations live in each fixture's header (see tests/fixtures/*/README.md)."""

import os
import tempfile
import time
from pathlib import Path

import pytest

from cnngrade import assignment as assignment_module
from cnngrade.sandbox import isolation
from conftest import load_fixtures

DEFINITION = assignment_module.load()
FIXTURES = [pytest.param(fixture, id=f"{kind}/{fixture.id}")
            for kind in ("buggy", "adversarial") for fixture in load_fixtures(kind, DEFINITION)]


def _status(pid):
    with open(f"/proc/{pid}/status") as stream:
        return dict(line.split(":", 1) for line in stream if ":" in line)


def leftover_worker_processes():
    """Processes of this test run's workers that are still alive: as root, every process of the
    worker uid (escapees from the session included); otherwise our descendants."""
    uid, me = str(isolation.worker_ids()[0]), os.getpid()
    parents, owners = {}, {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = _status(pid)
        except OSError:
            continue
        if status.get("State", "").split()[:1] == ["Z"]:
            continue
        parents[int(pid)] = int(status["PPid"])
        owners[int(pid)] = status["Uid"].split()[0]
    if isolation.level() != "process":
        return [pid for pid, owner in owners.items() if owner == uid]

    def descends(pid):
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == me:
                return True
        return False

    return [pid for pid in parents if descends(pid)]


@pytest.mark.parametrize("fixture", FIXTURES)
def test_fixture_scores_as_expected(fixture, solution_text, write_submission, grade):
    if fixture.needs_root and isolation.level() != "namespace":
        pytest.skip("only guaranteed when the grader runs as root with namespaces")
    path = write_submission(fixture.source(solution_text), name=fixture.id)
    started = time.monotonic()
    report = grade(path)
    elapsed = time.monotonic() - started
    got = {question.id: question.score for question in report.questions}
    expected_zero = {q: 0 for q in fixture.expect_zero}
    assert {q: got[q] for q in fixture.expect_zero} == expected_zero, fixture.purpose
    for question in DEFINITION.questions:
        if question.id in fixture.expect_lose:
            assert got[question.id] < question.points, f"{question.id} should lose points: {fixture.purpose}"
        elif question.id not in fixture.expect_zero:
            assert got[question.id] == question.points, (
                question.id, [t.message for t in report.tests if t.question == question.id and t.status != "passed"])
    assert report.grader_errors == []
    if fixture.diagnosis:
        diagnosed = {test.diagnosis for test in report.tests if test.status == "failed"}
        assert fixture.diagnosis in diagnosed, f"feedback should name the bug {fixture.diagnosis}: got {diagnosed}"
    assert elapsed <= fixture.seconds, f"took {elapsed:.0f} s (bound {fixture.seconds:.0f} s)"
    assert leftover_worker_processes() == []
    # Payloads of the pickle/eval fixtures drop this marker wherever they run: the worker's /tmp
    # is private (or its own), so a marker in the grader's temp dir means the grader ran them.
    assert not (Path(tempfile.gettempdir()) / "adv-fixture-RCE-in-grader").exists()
