"""평균 풀링 / Average pooling: forward and backward against F.avg_pool2d and autograd."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnngrade.suite import graded
from cnngrade.suite.checks import expect_array, expect_unchanged

pytestmark = pytest.mark.question("avg_pool")

FORWARD_HINT = ("창의 합 / 나눗수. count_include_pad=True면 나눗수는 kH*kW, False면 창 안의 실제 입력 칸 수입니다.",
                "window sum / divisor: kH*kW with count_include_pad=True, else the number of real input cells in the window.")
BACKWARD_HINT = ("창마다 dout / 나눗수를 창의 모든 칸에 더합니다 (겹치면 누적).",
                 "each window adds dout / divisor to every cell of the window (overlaps accumulate).")

CASES = {
    "lecture-2x2": dict(x=(2, 3, 8, 8), kernel=2),
    "stride-not-kernel": dict(x=(2, 2, 9, 8), kernel=3, stride=2),
    "padding-include": dict(x=(1, 2, 7, 7), kernel=3, stride=2, padding=1),
    "padding-exclude": dict(x=(1, 2, 7, 6), kernel=(3, 2), stride=(2, 1), padding=(1, 1), count_include_pad=False),
    "nonsquare": dict(x=(2, 1, 5, 12), kernel=(2, 4)),
}


def pool_args(case):
    return (case["kernel"], case.get("stride"), case.get("padding", 0), case.get("count_include_pad", True))


@graded(points=1)
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_avg_pool2d_forward(submission, truth, rng, case):
    """평균 풀링 순전파 / average pooling forward"""
    x = rng.standard_normal(case["x"])
    expect_array(submission.avg_pool2d_forward(x, *pool_args(case)), truth.avg_pool2d(x, *pool_args(case)),
                 "avg_pool2d_forward", FORWARD_HINT)


BACKWARD_CASES = {
    "lecture-2x2": dict(x=(2, 2, 6, 6), kernel=2),
    "overlapping": dict(x=(1, 2, 7, 7), kernel=3, stride=1),
    "padding-include": dict(x=(2, 1, 6, 5), kernel=3, stride=2, padding=1),
    "padding-exclude": dict(x=(2, 1, 6, 5), kernel=3, stride=2, padding=1, count_include_pad=False),
}


@graded(points=1)
@pytest.mark.parametrize("case", BACKWARD_CASES.values(), ids=BACKWARD_CASES.keys())
def test_avg_pool2d_backward(submission, truth, rng, case):
    """평균 풀링 역전파 / average pooling backward"""
    x = rng.standard_normal(case["x"])
    dout = rng.standard_normal(truth.avg_pool2d(x, *pool_args(case)).shape)
    result = submission.call("avg_pool2d_backward", dout, x, *pool_args(case))
    expect_array(result.value, truth.avg_pool2d_backward(dout, x, *pool_args(case)), "avg_pool2d_backward", BACKWARD_HINT)
    expect_unchanged(result, (dout, x), "avg_pool2d_backward")


@graded(points=1)
@given(seed=st.integers(0, 2**31 - 1), kernel=st.integers(1, 3), stride=st.one_of(st.none(), st.integers(1, 3)),
       padding=st.integers(0, 1), count_include_pad=st.booleans(), size=st.tuples(st.integers(3, 8), st.integers(3, 8)),
       float32=st.booleans())
def test_avg_pool2d_property(submission, truth, seed, kernel, stride, padding, count_include_pad, size, float32):
    """여러 조합의 평균 풀링, float32 포함 (속성 기반) / average pooling over many settings, float32 too"""
    padding = min(padding, kernel // 2)
    rng = np.random.default_rng(seed)
    dtype = np.float32 if float32 else np.float64
    x = rng.standard_normal((2, 2) + size).astype(dtype)
    args = (kernel, stride, padding, count_include_pad)
    expected = truth.avg_pool2d(x, *args)
    expect_array(submission.avg_pool2d_forward(x, *args), expected, "avg_pool2d_forward", FORWARD_HINT, dtype=dtype)
    dout = rng.standard_normal(expected.shape).astype(dtype)
    expect_array(submission.avg_pool2d_backward(dout, x, *args), truth.avg_pool2d_backward(dout, x, *args),
                 "avg_pool2d_backward", BACKWARD_HINT, dtype=dtype)
