"""The integrity scan flags tampering for the instructor without touching the score."""

import pytest

from cnngrade import integrity
from conftest import FIXTURES_DIR


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


def test_every_adversarial_fixture_that_patches_something_is_flagged(definition):
    patched = (FIXTURES_DIR / "adversarial" / "patched_numpy_comparisons.py").read_text(encoding="utf-8")
    assert integrity.scan(patched, definition.forbidden_modules)
