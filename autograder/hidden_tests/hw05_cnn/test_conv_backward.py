"""합성곱층 역전파 / Convolution backward: conv2d_backward against PyTorch autograd."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnngrade.suite import graded
from cnngrade.suite.checks import expect_array, expect_unchanged, expect_value_error, fail

pytestmark = pytest.mark.question("conv_backward")

HINTS = {
    "dx": ("dx: 각 dout[n, k, i, j]가 자신의 수용장 전체에 w[k]를 곱해 더해집니다. 겹치는 곳은 += 로 누적하고, "
           "패딩 부분은 잘라냅니다.",
           "dx: each dout[n, k, i, j] adds w[k] times itself onto its whole receptive field; overlaps "
           "accumulate (+=) and the padding is cropped."),
    "dweight": ("dweight[k, k', u, v] = sum_{n,i,j} dout[n,k,i,j] * x_pad[n, k', i*S+u*D, j*S+v*D] — 배치 전체를 더합니다.",
                "dweight[k, k', u, v] = sum_{n,i,j} dout[n,k,i,j] * x_pad[n, k', i*S+u*D, j*S+v*D], summed over the batch."),
    "dbias": ("dbias는 배치와 모든 위치(N, H, W)에 대해 dout을 더한 (C_out,) 배열입니다.",
              "dbias sums dout over the batch and all positions (N, H, W): shape (C_out,)."),
}


def check_gradients(submission, truth, x, w, options, rng, dtype=None):
    dout_shape = truth.conv2d(x, w, **options).shape
    dout = rng.standard_normal(dout_shape).astype(x.dtype)
    result = submission.call("conv2d_backward", dout, x, w, **options)
    expected = truth.conv2d_backward(dout, x, w, **options)
    if not isinstance(result.value, tuple) or len(result.value) != 3:
        fail("conv2d_backward: (dx, dweight, dbias) 튜플을 반환해야 합니다.",
             "conv2d_backward: must return a (dx, dweight, dbias) tuple.")
    for name, actual, wanted in zip(("dx", "dweight", "dbias"), result.value, expected):
        expect_array(actual, wanted, f"conv2d_backward {name}", HINTS[name], dtype=dtype)
    return result, dout


def backward_case(x, w, points, **options):
    return pytest.param(dict(x=x, w=w, options=options), marks=graded(points=points))


CASES = {
    "basic": backward_case((1, 1, 5, 5), (1, 1, 3, 3), 2),
    "batch-bias-sum": backward_case((3, 2, 6, 6), (4, 2, 3, 3), 2),
    "stride-overlap": backward_case((2, 2, 9, 9), (3, 2, 3, 3), 2, stride=2),
    "padding-pair": backward_case((2, 2, 5, 8), (2, 2, 3, 3), 2, padding=(2, 1)),
    "dilation": backward_case((2, 2, 9, 8), (2, 2, 3, 2), 2, dilation=(2, 3), padding=1),
    "groups": backward_case((2, 4, 6, 6), (6, 2, 3, 3), 2, groups=2),
    "same-even": backward_case((2, 2, 6, 7), (3, 2, 4, 2), 2, padding="same"),
    "stride-larger-than-kernel": backward_case((2, 2, 9, 9), (2, 2, 2, 2), 1, stride=3),
    "batch1-1x1": backward_case((1, 3, 4, 5), (2, 3, 1, 1), 1),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_conv2d_backward(submission, truth, rng, case):
    """합성곱층 역전파 (dx, dweight, dbias) / convolution backward pass"""
    x, w = rng.standard_normal(case["x"]), rng.standard_normal(case["w"])
    check_gradients(submission, truth, x, w, case["options"], rng)


@graded(points=1)
def test_conv2d_backward_float32(submission, truth, rng):
    """float32 입력은 float32 기울기 / float32 in, float32 gradients"""
    x = rng.standard_normal((2, 2, 6, 6)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    check_gradients(submission, truth, x, w, dict(stride=1, padding=1), rng, dtype=np.float32)


@graded(points=1)
def test_conv2d_backward_keeps_inputs(submission, truth, rng):
    """입력 배열을 수정하지 않음 / inputs are not modified"""
    for padding in (0, 1):  # without padding, x_pad may alias x
        x, w = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((2, 2, 3, 3))
        result, dout = check_gradients(submission, truth, x, w, dict(padding=padding), rng)
        expect_unchanged(result, (dout, x, w), "conv2d_backward")


@graded(points=1, requires="test_conv2d_backward[basic]")
def test_conv2d_backward_bad_dout(submission, rng):
    """dout 모양이 틀리면 ValueError / ValueError when dout has the wrong shape"""
    x, w = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))
    expect_value_error(lambda: submission.conv2d_backward(rng.standard_normal((2, 3, 5, 5)), x, w),
                       "conv2d_backward", ("dout의 모양은 순전파 출력 (N, C_out, H_out, W_out)과 같아야 합니다.",
                                           "dout must have the forward output's shape (N, C_out, H_out, W_out)."))


@graded(points=1)
@given(seed=st.integers(0, 2**31 - 1), groups=st.sampled_from([1, 2]), kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       stride=st.tuples(st.integers(1, 3), st.integers(1, 3)), dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
       padding=st.one_of(st.tuples(st.integers(0, 2), st.integers(0, 2)), st.just("same")),
       extra=st.tuples(st.integers(0, 4), st.integers(0, 4)))
def test_conv2d_backward_property(submission, truth, seed, groups, kernel, stride, dilation, padding, extra):
    """여러 조합의 역전파 (속성 기반) / backward over many settings (property-based)"""
    if padding == "same":
        stride = (1, 1)
    rng = np.random.default_rng(seed)
    size = tuple(d * (k - 1) + 1 + e for d, k, e in zip(dilation, kernel, extra))
    x = rng.standard_normal((2, groups * 2) + size)
    w = rng.standard_normal((groups * 2, 2) + kernel)
    check_gradients(submission, truth, x, w, dict(stride=stride, padding=padding, dilation=dilation, groups=groups), rng)
