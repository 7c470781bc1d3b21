"""Every buggy and adversarial fixture gets exactly its expected per-question outcome, in time,
with no process left behind. Expectations live in each fixture's header (see tests/fixtures/*/README.md)."""

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from cnngrade import assignment as assignment_module
from cnngrade.sandbox import isolation
from conftest import load_fixtures
from leftovers import survivors

DEFINITION = assignment_module.load()
FIXTURES = [pytest.param(fixture, id=f"{kind}/{fixture.id}")
            for kind in ("buggy", "adversarial") for fixture in load_fixtures(kind, DEFINITION)]


@pytest.fixture(scope="module", autouse=True)
def worker_temp_root(tmp_path_factory):
    """Workers' folders (and so their TMPDIR) go under a folder of this module's own, so that
    processes they leave behind are recognisable by their environment wherever they end up.
    In the system temp dir and traversable, as a worker with a uid of its own needs."""
    tmp_path_factory.getbasetemp()  # pytest's own temp root stays where it is
    root = tempfile.mkdtemp(prefix="cnngrade-test-workers-")
    os.chmod(root, 0o755)
    saved, tempfile.tempdir = tempfile.tempdir, root
    yield Path(root)
    tempfile.tempdir = saved
    shutil.rmtree(root, ignore_errors=True)


def leftover_worker_processes(temp_root):
    """Every live process a worker of this module started: as root, any process of the worker uid
    too (isolation.kill_all_worker_processes' job), however it escaped the worker's session."""
    uid = isolation.worker_ids()[0] if isolation.current().uid else None
    return survivors(temp_root, uid)


@pytest.mark.parametrize("fixture", FIXTURES)
def test_fixture_scores_as_expected(fixture, solution_text, write_submission, grade, worker_temp_root):
    if not isolation.current().guards(fixture.needs):
        pytest.skip(f"needs {', '.join(sorted(fixture.needs))}: not in force here ({isolation.level()})")
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
    assert leftover_worker_processes(worker_temp_root) == []
    assert list(worker_temp_root.glob("cnngrade-worker-*")) == []
    # Payloads of the pickle/eval fixtures drop this marker wherever they run: the worker's /tmp
    # is private (or its own), so a marker in the grader's temp dir means the grader ran them.
    assert not (Path(tempfile.gettempdir()) / "adv-fixture-RCE-in-grader").exists()
