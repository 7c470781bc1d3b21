"""Softmax against the math truth."""

import pytest

from cnngrade.suite import graded
from cnngrade.suite.checks import expect_array

pytestmark = pytest.mark.question("softmax")
HINT = ("exp(x - max)를 같은 축의 합으로 나눕니다.", "divide exp(x - max) by its sum over the same axis.")


@graded(points=2)
@pytest.mark.parametrize("shape, axis", [((6,), -1), ((3, 5), -1), ((4, 3), 0)], ids=["vector", "rows", "columns"])
def test_softmax(submission, truth, rng, shape, axis):
    """소프트맥스 값 / softmax values"""
    x = rng.standard_normal(shape) * 3
    expect_array(submission.softmax(x, axis=axis), truth.softmax(x, axis=axis), "softmax", HINT)
