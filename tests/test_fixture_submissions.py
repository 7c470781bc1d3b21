"""Every buggy and adversarial fixture gets exactly its expected per-question outcome, in time,
with no process left behind. Expectations live in each fixture's header (see tests/fixtures/*/README.md)."""

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from cnngrade import assignment as assignment_module
from cnngrade import grading
from cnngrade.sandbox import isolation
from conftest import load_fixtures
from fixture_streams import Streams, taken_now

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


# Grading processes for the corpus, as `cnn-grade CLASS -j 2` on this 2-core machine: the corpus
# waits on hangs and timeouts about as much as it computes.
STREAMS = 2


def _needs_own_grading(fixture):
    """A fixture whose expectation relies on the sandbox hiding files, signals or the network
    (it hunts other submissions, stops its grader, ...) is graded alone, as one submission."""
    return bool(fixture.needs)


def _write(folder, fixture, solution_text):
    path = folder / fixture.id / DEFINITION.submission_file
    path.parent.mkdir(parents=True)
    path.write_text(fixture.source(solution_text), encoding="utf-8")
    return path


_STARTED = {}  # the corpus, started by start_corpus() as soon as the session's selection is known


def _selected(items):
    return [item.callspec.params["fixture"] for item in items
            if item.module.__name__ == __name__ and "fixture" in getattr(getattr(item, "callspec", None), "params", ())]


def start_corpus(items):
    """Start grading the selected fixtures that need no grading of their own in STREAMS long-lived
    grading streams (instead of one pytest session per fixture), in the background: conftest calls
    this when collection ends, so the corpus is graded beside the rest of the session."""
    folder = Path(tempfile.mkdtemp(prefix="cnngrade-test-corpus-"))
    os.chmod(folder, 0o755)
    solution_text = DEFINITION.solution.read_text(encoding="utf-8")
    ids = {str(_write(folder / "submissions", fixture, solution_text)): fixture.id
           for fixture in _selected(items) if not _needs_own_grading(fixture)}
    _STARTED["corpus"] = (folder, ids, Streams(list(ids), DEFINITION, STREAMS, folder))


@pytest.fixture(scope="module")
def streamed(request):
    """{fixture id: Graded} of the corpus started by start_corpus (now, if nothing started it)."""
    if "corpus" not in _STARTED:
        start_corpus(request.session.items)
    folder, ids, streams = _STARTED.pop("corpus")
    try:
        yield {ids[path]: result for path, result in streams.results().items()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _grade_alone(fixture, solution_text, worker_temp_root, tmp_path):
    path = _write(tmp_path, fixture, solution_text)
    started = time.monotonic()
    report = grading.grade(path, DEFINITION)
    return taken_now(report, time.monotonic() - started, worker_temp_root)


@pytest.mark.parametrize("fixture", FIXTURES)
def test_fixture_scores_as_expected(fixture, request, solution_text, worker_temp_root, tmp_path):
    if not isolation.current().guards(fixture.needs):
        pytest.skip(f"needs {', '.join(sorted(fixture.needs))}: not in force here ({isolation.level()})")
    if _needs_own_grading(fixture):
        graded = _grade_alone(fixture, solution_text, worker_temp_root, tmp_path)
    else:
        graded = request.getfixturevalue("streamed").get(fixture.id)
        assert graded is not None, "its grading stream died before reporting it"
    report = graded.report
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
    assert graded.seconds <= fixture.seconds, f"took {graded.seconds:.0f} s (bound {fixture.seconds:.0f} s)"
    assert graded.leftover_processes == []
    assert graded.leftover_folders == []
    assert not graded.rce_marker
