"""최대 풀링 / Max pooling: forward and backward against F.max_pool2d and autograd."""

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cnngrade.suite import graded
from cnngrade.suite.checks import expect_array, expect_unchanged

pytestmark = pytest.mark.question("max_pool")

FORWARD_HINT = ("창마다 최댓값; 패딩은 -inf로 채우고, stride=None이면 kernel_size를 씁니다.",
                "the max of each window; padding counts as -inf, and stride=None means kernel_size.")
BACKWARD_HINT = ("기울기는 창마다 첫 번째 최댓값(행 우선) 한 곳으로만 가고, 겹치는 창은 += 로 누적합니다.",
                 "each window's gradient goes only to its first maximum (row-major); overlapping windows add up (+=).")

CASES = {
    "lecture-2x2": dict(x=(2, 3, 8, 8), kernel=2),
    "overlapping-3x3-s2": dict(x=(2, 2, 9, 9), kernel=3, stride=2),
    "padding": dict(x=(1, 2, 7, 7), kernel=3, stride=2, padding=1),
    "ceil-mode": dict(x=(2, 2, 7, 8), kernel=(3, 2), stride=2, padding=(1, 0), ceil_mode=True),
    "nonsquare-pairs": dict(x=(1, 3, 10, 7), kernel=(2, 3), stride=(3, 1)),
}


def pool_args(case):
    return (case["kernel"], case.get("stride"), case.get("padding", 0), case.get("ceil_mode", False))


@graded(points=1)
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_max_pool2d_forward(submission, truth, rng, case):
    """최대 풀링 순전파 / max pooling forward"""
    x = rng.standard_normal(case["x"])
    expect_array(submission.max_pool2d_forward(x, *pool_args(case)), truth.max_pool2d(x, *pool_args(case)),
                 "max_pool2d_forward", FORWARD_HINT)


BACKWARD_CASES = {
    "lecture-2x2": dict(x=(2, 2, 6, 6), kernel=2),
    "ties": dict(x=(2, 2, 6, 6), kernel=2, ties=True),
    "overlapping-ties": dict(x=(1, 2, 7, 7), kernel=3, stride=1, ties=True),
    "ceil-padding": dict(x=(2, 2, 7, 6), kernel=3, stride=2, padding=1, ceil_mode=True),
}


@graded(points=1)
@pytest.mark.parametrize("case", BACKWARD_CASES.values(), ids=BACKWARD_CASES.keys())
def test_max_pool2d_backward(submission, truth, rng, case):
    """최대 풀링 역전파 / max pooling backward"""
    # Small integers make ties: the gradient must go to the first maximum only.
    x = rng.integers(-2, 3, case["x"]).astype(np.float64) if case.get("ties") else rng.standard_normal(case["x"])
    dout = rng.standard_normal(truth.max_pool2d(x, *pool_args(case)).shape)
    result = submission.call("max_pool2d_backward", dout, x, *pool_args(case))
    expect_array(result.value, truth.max_pool2d_backward(dout, x, *pool_args(case)), "max_pool2d_backward", BACKWARD_HINT)
    expect_unchanged(result, (dout, x), "max_pool2d_backward")


@graded(points=1)
@given(seed=st.integers(0, 2**31 - 1), kernel=st.integers(1, 3), stride=st.one_of(st.none(), st.integers(1, 3)),
       padding=st.integers(0, 1), ceil_mode=st.booleans(), size=st.tuples(st.integers(3, 8), st.integers(3, 8)),
       float32=st.booleans())
# Pinned, so that no Hypothesis release can draw around them: the ceil_mode drop rule (a last window
# that would start inside the right padding) and float32 through the backward pass.
@example(seed=0, kernel=2, stride=2, padding=1, ceil_mode=True, size=(5, 5), float32=False)
@example(seed=1, kernel=2, stride=None, padding=0, ceil_mode=False, size=(6, 6), float32=True)
def test_max_pool2d_property(submission, truth, seed, kernel, stride, padding, ceil_mode, size, float32):
    """여러 조합의 최대 풀링, float32 포함 (속성 기반) / max pooling over many settings, float32 too"""
    padding = min(padding, kernel // 2)
    rng = np.random.default_rng(seed)
    dtype = np.float32 if float32 else np.float64
    x = rng.integers(-3, 4, (2, 2) + size).astype(dtype)
    args = (kernel, stride, padding, ceil_mode)
    expected = truth.max_pool2d(x, *args)
    expect_array(submission.max_pool2d_forward(x, *args), expected, "max_pool2d_forward", FORWARD_HINT, dtype=dtype)
    dout = rng.standard_normal(expected.shape).astype(dtype)
    expect_array(submission.max_pool2d_backward(dout, x, *args), truth.max_pool2d_backward(dout, x, *args),
                 "max_pool2d_backward", BACKWARD_HINT, dtype=dtype)
