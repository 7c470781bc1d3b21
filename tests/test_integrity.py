"""The integrity scan flags tampering for the instructor without touching the score."""

import functools
import io
import re
import tokenize

import pytest

from cnngrade import assignment as assignment_module
from cnngrade import integrity
from conftest import load_fixtures


def test_reference_and_examples_are_clean(definition):
    for path in [definition.solution, *sorted(definition.examples.glob("*.py"))]:
        assert integrity.scan(path.read_text(encoding="utf-8"), definition.forbidden_modules) == [], path


@pytest.mark.parametrize("source, kind", [
    ("import numpy as np\nnp.allclose = lambda *a, **k: True\n", "monkey-patching"),
    ("import sys\nsys.meta_path.insert(0, object())\n", "import-system tampering"),
    ("import subprocess\n", "process access"),
    ("import torch\n", "forbidden module"),
    ("from scipy import signal\n", "forbidden module"),
    ("import builtins\nbuiltins.abs = max\n", "monkey-patching"),
    ("data = open('/etc/passwd').read()\n", "file access"),
    ("import os\nos._exit(0)\n", "process exit"),
])
def test_suspicious_constructs_are_reported_with_their_line(definition, source, kind):
    findings = integrity.scan(source, definition.forbidden_modules)
    assert any(f["kind"] == kind and f["line"] >= 1 for f in findings), findings


def test_findings_reach_results_without_changing_the_score(definition, solution_text, write_submission, grade):
    report = grade(write_submission(solution_text + "\nimport ctypes  # noqa\n"))
    assert report.score == 100
    assert [f["kind"] for f in report.integrity] == ["native code access"]


FIXTURE_KINDS = ("buggy", "adversarial", "container")
_IMPORT = re.compile(r"^\s*(?:import\s+([\w., ]+?)(?:\s+as\s+\w+)?|from\s+([\w.]+)\s+import\b.*)\s*$")
_ATTRIBUTE_ASSIGNMENT = re.compile(r"^\s*(?:np|numpy|builtins|torch|pytest|sys|os)(?:\.\w+)+\s*=[^=]")
_SETATTR = re.compile(r"^\s*setattr\(")


@functools.lru_cache(maxsize=None)
def _lines_outside_strings(source):
    """(number, text) of the physical lines of source that no string literal covers: read with
    tokenize, independently of the AST walk of the scan under test."""
    in_string = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING and token.start[0] != token.end[0]:
            in_string.update(range(token.start[0] + 1, token.end[0] + 1))
    return [(number, line) for number, line in enumerate(source.splitlines(), 1) if number not in in_string]


@functools.lru_cache(maxsize=None)
def _parses(source):
    try:
        compile(source, "<fixture>", "exec", dont_inherit=True)
    except SyntaxError:
        return False
    return True


@functools.lru_cache(maxsize=None)
def _scan(source):
    return integrity.scan(source, DEFINITION.forbidden_modules)


@functools.lru_cache(maxsize=None)
def _forbidden_imports(source, forbidden):
    """{(line, module)} of every import statement of a forbidden module, by text. A file that is
    not Python (the syntax-error fixtures) imports nothing: the scan reports nothing for it."""
    found = set()
    if not _parses(source):
        return found
    for number, line in _lines_outside_strings(source):
        match = _IMPORT.match(line)
        if match:
            names = match.group(1).split(",") if match.group(1) else [match.group(2)]
            tops = {name.split(" as ")[0].strip().split(".")[0] for name in names}
            found |= {(number, top) for top in tops if top in forbidden}
    return found


def _fixture_sources(definition, solution_text):
    return [pytest.param(fixture.source(solution_text), id=f"{kind}/{fixture.id}")
            for kind in FIXTURE_KINDS for fixture in load_fixtures(kind, definition)]


DEFINITION = assignment_module.load()
SOURCES = _fixture_sources(DEFINITION, DEFINITION.solution.read_text(encoding="utf-8"))


@pytest.mark.parametrize("source", SOURCES)
def test_forbidden_imports_are_flagged_with_their_module_and_line_and_nothing_else_is(source, definition):
    expected = _forbidden_imports(source, frozenset(definition.forbidden_modules))
    findings = _scan(source)
    flagged = {(f["line"], f["message"].split()[1].split(".")[0]) for f in findings if f["kind"] == "forbidden module"}
    assert flagged == expected


def test_the_fixtures_that_import_forbidden_modules_are_found_by_both(definition):
    """The oracle above finds something: the fixtures that import torch or scipy."""
    by_id = {source.id.split("/")[1]: _forbidden_imports(source.values[0], frozenset(definition.forbidden_modules))
             for source in SOURCES}
    importing = {fixture_id for fixture_id, imports in by_id.items() if imports}
    assert {"torch_in_conv_forward", "scipy_at_top", "forbidden_import_caught"} <= importing
    assert {module for imports in by_id.values() for _, module in imports} == {"torch", "scipy"}


@pytest.mark.parametrize("source", SOURCES)
def test_patching_of_modules_and_setattr_are_flagged_on_their_line(source):
    findings = _scan(source)
    for number, line in _lines_outside_strings(source) if _parses(source) else []:
        if _ATTRIBUTE_ASSIGNMENT.match(line):
            assert (number, "monkey-patching") in {(f["line"], f["kind"]) for f in findings}, line
        if _SETATTR.match(line):
            assert (number, "attribute patching") in {(f["line"], f["kind"]) for f in findings}, line
