"""Sources written as a base plus a change (cnngrade.build.derived): the bundled example
flipped_kernel_student.py and the fixtures that change loops_student.py."""

import dataclasses
import shutil

import pytest

from cnngrade.build import derived
from conftest import load_fixtures

FLIPPED = "flipped_kernel_student"


def test_committed_examples_are_generated_from_their_change(definition):
    assert FLIPPED in {target.stem for target in derived.example_changes(definition)}
    assert derived.stale_examples(definition) == [], \
        "run `python -m cnngrade.build.derived` and commit assignments/hw05_cnn/examples/"


def test_an_edited_base_makes_its_example_stale(definition, tmp_path):
    assignment_dir = tmp_path / "hw"
    shutil.copytree(definition.examples, assignment_dir / "examples")
    shutil.copytree(definition.examples.parent / derived.CHANGES_FOLDER, assignment_dir / derived.CHANGES_FOLDER)
    copy = dataclasses.replace(definition, examples=assignment_dir / "examples")
    assert derived.stale_examples(copy) == []
    base = assignment_dir / "examples" / "loops_student.py"
    base.write_text(base.read_text(encoding="utf-8").replace("def _relu(x):", "def _relu(x):  # edited"),
                    encoding="utf-8")
    assert derived.stale_examples(copy) == [assignment_dir / "examples" / f"{FLIPPED}.py"]
    assert derived.main(["--check"]) == 0  # the real assignment is untouched


@pytest.mark.parametrize("base, change, message", [
    ("a = 1\n", "# <<< replace\nb = 2\n# === with\nb = 3\n# >>>\n", "occurs 0 times"),
    ("a = 1\na = 1\n", "# <<< replace\na = 1\n# === with\na = 2\n# >>>\n", "occurs 2 times"),
    ("a = 1\n", "# <<< replace\na = 1\n# === with\na = 2\n", "not closed"),
    ("a = 1\n", "# === with\na = 2\n# >>>\n", "out of order"),
])
def test_a_change_that_does_not_fit_its_base_is_refused(base, change, message):
    with pytest.raises(ValueError, match=message):
        derived.parse(change, "change.py").apply(base, "change.py")


def test_a_change_keeps_what_stands_outside_its_blocks():
    change = derived.parse("# base: loops_student\n# <<< replace\na = 1\n# === with\na = 2\n# >>>\nb = 3\n", "c")
    assert change.base == "loops_student"
    assert change.apply("x = 0\na = 1\n", "c") == "x = 0\na = 2\n"
    assert change.rest == "# base: loops_student\nb = 3\n"


def test_fixtures_on_an_example_change_it_and_keep_its_other_functions(definition, solution_text):
    loops = (definition.examples / "loops_student.py").read_text(encoding="utf-8")
    on_loops = [fixture for fixture in load_fixtures("buggy", definition) if fixture.base is not None]
    assert len(on_loops) >= 6
    for fixture in on_loops:
        source = fixture.source(solution_text)
        assert source != loops and "BUG" in source and "# <<< replace" not in source, fixture.id
        assert source.count("def conv2d_backward(") == 1, fixture.id  # changed in place, not appended


def test_the_grading_benchmark_class_holds_every_fixture_as_a_whole_submission(definition, solution_text, tmp_path):
    """benchmarks/bench_grading.py times a class of honest submissions: a fixture pasted as text
    instead of made from its change does not even compile, and is graded in no time."""
    import importlib.util
    import sys

    benchmarks = definition.root / "benchmarks"
    sys.path.insert(0, str(benchmarks))  # bench_grading imports its neighbour machine.py
    try:
        spec = importlib.util.spec_from_file_location("bench_grading", benchmarks / "bench_grading.py")
        bench = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bench)
    finally:
        sys.path.remove(str(benchmarks))
    fixtures = load_fixtures("buggy", definition)
    count = len(list(definition.examples.glob("*.py"))) + len(fixtures) + 1
    sources = [path.read_text(encoding="utf-8") for path in bench.build_class(tmp_path, count)]
    for path, source in zip(sorted(tmp_path.glob("*.py")), sources):
        compile(source, str(path), "exec")
    assert all(fixture.source(solution_text) in sources for fixture in fixtures)
