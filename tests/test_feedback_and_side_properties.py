"""Side properties count only with their values, and the feedback a student reads: one hint and
diagnosis per question, then the numbered failing cases; Gradescope renders it as Markdown."""

import re

import numpy as np
import pytest

from cnngrade.reports import feedback, results_json
from cnngrade.sandbox.session import CallResult
from cnngrade.suite import side_properties
from conftest import FIXTURES_DIR


@pytest.fixture(scope="module")
def flipped(definition, tmp_path_factory):
    """kernel_flipped: wrong values everywhere conv2d_forward is used, the right ValueErrors."""
    from cnngrade import grading

    path = tmp_path_factory.mktemp("flipped") / definition.submission_file
    path.write_text(definition.solution.read_text(encoding="utf-8") + "\n"
                    + (FIXTURES_DIR / "buggy" / "kernel_flipped.py").read_text(encoding="utf-8"), encoding="utf-8")
    return grading.grade(path, definition)


def _outcome(report, nodeid_end):
    return next(test for test in report.tests if test.nodeid.endswith(nodeid_end))


def test_valueerror_test_needs_its_value_test(flipped):
    errors = _outcome(flipped, "::test_conv2d_forward_errors")
    assert _outcome(flipped, "::test_conv2d_forward[single-channel]").status == "failed"
    assert errors.status == "failed" and errors.earned == 0
    assert "기본 값 테스트" in errors.message and "basic value test" in errors.message
    # The other questions' ValueError tests, whose value tests pass, keep their points.
    assert _outcome(flipped, "::test_conv2d_backward_bad_dout").status == "passed"


def test_keeps_inputs_test_checks_the_values_of_the_same_call(flipped):
    assert _outcome(flipped, "::test_conv2d_forward_keeps_inputs").status == "failed"
    assert _outcome(flipped, "::test_conv2d_backward_keeps_inputs").status == "passed"


def test_feedback_gives_each_hint_once_then_numbered_cases(flipped):
    text = feedback.render(flipped, "student")
    conv = text.split("### 합성곱층 순전파 / Convolution forward")[1].split("\n### ")[0]
    failed = [test for test in flipped.tests if test.question == "conv_forward" and test.status != "passed"]
    assert len(failed) > 3
    hint = _outcome(flipped, "::test_conv2d_forward[single-channel]").hint
    assert hint and conv.count(hint.splitlines()[0]) == 1
    assert conv.count("진단: 커널을 뒤집었나요?") == 1  # the diagnosis, once
    assert conv.index("진단:") < conv.index("1. **")
    numbers = [int(number) for number in re.findall(r"^(\d+)\. \*\*", conv, flags=re.M)]
    assert numbers == list(range(1, len(failed) + 1))
    assert f"틀린 경우 {len(failed)}개 / {len(failed)} failing case(s)" in conv


def test_results_json_is_markdown(flipped):
    results = results_json.to_results(flipped)
    assert results["output_format"] == "md" and results["test_output_format"] == "md"
    failed = next(test for test in results["tests"] if test["status"] == "failed")
    assert "\n\n" in failed["output"] and "\n\n\n" not in failed["output"]


# -- the ledger behind the rule ----------------------------------------------------------------
def _ledger_with_call(function, value):
    calls = [(function, (), {}, value)]
    side_properties.begin(calls)
    return CallResult(value, [], {})


def test_inputs_kept_without_a_value_check_is_unbacked():
    result = _ledger_with_call("conv2d_forward", np.zeros(1))
    side_properties.inputs_kept(result)
    assert side_properties.current_unbacked() == ["conv2d_forward"]


def test_inputs_kept_with_every_array_of_the_call_checked_is_backed():
    value = (np.zeros(2), np.ones(3))
    result = _ledger_with_call("conv2d_backward", value)
    side_properties.inputs_kept(result)
    side_properties.value_right(value[0])
    assert side_properties.current_unbacked() == ["conv2d_backward"]  # dweight not checked yet
    side_properties.value_right(value[1])
    assert side_properties.current_unbacked() == []


def test_value_error_is_backed_by_a_right_value_of_the_same_function():
    value = np.zeros(1)
    _ledger_with_call("correlate2d", value)
    side_properties.value_error_raised("correlate2d")
    side_properties.value_error_raised("conv2d_forward")
    side_properties.value_right(value)
    assert side_properties.current_unbacked() == ["conv2d_forward"]
