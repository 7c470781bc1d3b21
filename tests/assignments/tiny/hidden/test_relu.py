"""ReLU against the math truth."""

import pytest

from cnngrade.suite import graded
from cnngrade.suite.checks import expect_array, expect_unchanged

pytestmark = pytest.mark.question("relu")
HINT = ("음수는 0, 나머지는 그대로입니다.", "negatives become 0, the rest stays.")


@graded(points=1.5)
@pytest.mark.parametrize("shape", [(5,), (3, 4)])
def test_relu(submission, truth, rng, shape):
    """ReLU 값 / ReLU values"""
    x = rng.standard_normal(shape)
    expect_array(submission.relu(x), truth.relu(x), "relu", HINT)


@graded(points=1)
def test_relu_keeps_input(submission, truth, rng):
    """입력을 수정하지 않음 / the input is not modified"""
    x = rng.standard_normal((4, 4))
    result = submission.call("relu", x)
    expect_array(result.value, truth.relu(x), "relu", HINT)
    expect_unchanged(result, (x,), "relu")
