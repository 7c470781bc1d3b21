"""Shared helpers for the project's own tests: the assignment, fixture submissions, grading."""

import contextlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from cnngrade import assignment as assignment_module
from cnngrade import grading
from cnngrade.build import derived

TESTS_DIR = Path(__file__).resolve().parent
FIXTURES_DIR = TESTS_DIR / "fixtures"
_HEADER = re.compile(r"^#\s*(purpose|bug|expect-zero|expect-lose|expect-seconds|needs|diagnosis|base):\s*(.*?)\s*$")


@dataclass
class Fixture:
    """A fixture submission: its base (the reference solution, or the bundled example that its
    ``# base:`` header names) with the fixture's replace blocks made and the rest of its text
    appended (cnngrade.build.derived), or a standalone file."""

    path: Path
    standalone: bool
    purpose: str
    expect_zero: frozenset
    expect_lose: frozenset
    seconds: float
    needs: frozenset  # what the expectation relies on: files | signals | netns (isolation.Isolation.guards)
    diagnosis: str
    base: Path  # the bundled example the fixture changes; None: the reference solution

    @property
    def id(self):
        return self.path.stem

    def source(self, solution_text):
        text = self.path.read_text(encoding="utf-8")
        if self.standalone:
            return text
        change = derived.parse(text, self.path)
        base_text = solution_text if self.base is None else self.base.read_text(encoding="utf-8")
        return f"{change.apply(base_text, self.path)}\n\n# ---- fixture {self.id} ----\n{change.rest}"


def _ids(value, all_ids):
    names = {name.strip() for name in value.split(",") if name.strip()}
    return frozenset(all_ids) if names == {"all"} else frozenset(names)


def load_fixtures(kind, definition):
    all_ids = [question.id for question in definition.questions]
    fixtures = []
    for path in sorted((FIXTURES_DIR / kind).glob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        fields = {}
        for line in lines[:12]:
            match = _HEADER.match(line)
            if match:
                fields[match.group(1)] = match.group(2)
        fixture = Fixture(
            path=path, standalone=bool(lines) and lines[0].strip() == "# standalone",
            purpose=fields.get("purpose", fields.get("bug", "")),
            expect_zero=_ids(fields.get("expect-zero", ""), all_ids),
            expect_lose=_ids(fields.get("expect-lose", ""), all_ids),
            seconds=float(fields.get("expect-seconds", 120)),
            needs=frozenset(name.strip() for name in fields.get("needs", "").split(",") if name.strip()),
            diagnosis=fields.get("diagnosis", ""),
            base=None if "base" not in fields else Path(definition.examples) / f"{fields['base']}.py",
        )
        unknown = (fixture.expect_zero | fixture.expect_lose) - set(all_ids)
        if unknown:
            raise ValueError(f"{path}: unknown question ids {sorted(unknown)}")
        fixtures.append(fixture)
    return fixtures


def pytest_collection_finish(session):
    """The fixture corpus is graded in the background from here on, beside the other tests
    (test_fixture_submissions collects the reports when its tests run)."""
    module = next((item.module for item in session.items if item.module.__name__ == "test_fixture_submissions"), None)
    if module is not None and not session.config.option.collectonly:
        module.start_corpus(session.items)


@contextlib.contextmanager
def environment(**values):
    """Set (a string) or unset (None) environment variables of this process for a block, then
    restore them: for code that reads os.environ itself (nbclient's kernels, python_on_whales)."""
    saved = {name: os.environ.get(name) for name in values}

    def apply(settings):
        for name, value in settings.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    apply(values)
    try:
        yield
    finally:
        apply(saved)


@pytest.fixture(scope="session")
def definition():
    return assignment_module.load()


@pytest.fixture(scope="session")
def solution_text(definition):
    return definition.solution.read_text(encoding="utf-8")


@pytest.fixture
def write_submission(tmp_path, definition):
    """Write submission source into a fresh folder as cnn_layers.py and return its path."""

    def write(source, name=None):
        folder = tmp_path / (name or "submission")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / definition.submission_file
        path.write_text(source, encoding="utf-8")
        return path

    return write


@pytest.fixture
def grade(definition):
    def run(path):
        return grading.grade(path, definition)

    return run


def scores(report):
    return {question.id: question.score for question in report.questions}


def full_marks(definition):
    return {question.id: question.points for question in definition.questions}
