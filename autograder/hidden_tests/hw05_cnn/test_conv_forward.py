"""합성곱층 순전파 / Convolution forward: conv2d_forward against torch.nn.functional.conv2d."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnngrade.suite import graded
from cnngrade.suite.checks import expect_array, expect_unchanged, expect_value_error

pytestmark = pytest.mark.question("conv_forward")


def conv_case(x, w, points, bias=True, **options):
    return pytest.param(dict(x=x, w=w, bias=bias, options=options), marks=graded(points=points))


CASES = {
    "single-channel": conv_case((1, 1, 6, 6), (1, 1, 3, 3), 1, bias=False),
    "multi-channel-bias": conv_case((2, 3, 7, 7), (4, 3, 3, 3), 1),
    "asymmetric-kernel": conv_case((2, 2, 8, 7), (3, 2, 3, 2), 2),
    "stride-2": conv_case((2, 3, 9, 9), (2, 3, 3, 3), 2, stride=2),
    "padding": conv_case((2, 2, 6, 6), (3, 2, 3, 3), 2, padding=1),
    "padding-pair-nonsquare": conv_case((2, 2, 5, 9), (2, 2, 3, 3), 2, padding=(2, 0)),
    "stride-pair-nonsquare": conv_case((1, 2, 11, 8), (3, 2, 3, 2), 1, stride=(3, 2)),
    "dilation": conv_case((2, 2, 10, 9), (2, 2, 3, 3), 2, dilation=(2, 3), padding=1),
    "groups": conv_case((2, 4, 7, 7), (6, 2, 3, 3), 2, groups=2),
    "depthwise": conv_case((2, 3, 6, 6), (3, 1, 3, 3), 1, groups=3, padding=1),
    "same-odd": conv_case((2, 2, 7, 6), (3, 2, 3, 5), 1, padding="same"),
    "same-even": conv_case((2, 2, 7, 6), (2, 2, 4, 2), 1, padding="same", dilation=(1, 1)),
    "valid": conv_case((1, 2, 6, 5), (2, 2, 2, 3), 1, padding="valid"),
    "batch1-1x1": conv_case((1, 5, 4, 3), (2, 5, 1, 1), 1),
    "kernel-equals-input": conv_case((3, 2, 4, 5), (3, 2, 4, 5), 1),
}
HINT = ("교차상관입니다 (커널을 뒤집지 않음). 수용장 x_pad[n, :, i*S_h + u*D_h, j*S_w + v*D_w] 와 커널 w[k] 의 곱의 합에 b[k]를 더합니다. "
                "패딩은 H에 P_h, W에 P_w 입니다. 'same'은 남는 한 줄을 아래/오른쪽에 둡니다.",
                "It is cross-correlation (no kernel flip): sum the receptive field x_pad[n, :, i*S_h + u*D_h, j*S_w + v*D_w] times kernel w[k], plus b[k]. "
                "Padding P_h goes on H, P_w on W; 'same' puts an odd leftover at the bottom/right.")


def random_case(rng, case):
    x = rng.standard_normal(case["x"])
    w = rng.standard_normal(case["w"])
    b = rng.standard_normal(case["w"][0]) if case["bias"] else None
    return x, w, b


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_conv2d_forward(submission, truth, rng, case):
    """합성곱층 순전파 / convolution forward pass"""
    x, w, b = random_case(rng, case)
    result = submission.call("conv2d_forward", x, w, b, **case["options"])
    expect_array(result.value, truth.conv2d(x, w, b, **case["options"]), "conv2d_forward", HINT)


@graded(points=1)
def test_conv2d_forward_float32(submission, truth, rng):
    """float32 입력은 float32 결과 / float32 in, float32 out"""
    x, w = rng.standard_normal((2, 3, 6, 6)).astype(np.float32), rng.standard_normal((2, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(2).astype(np.float32)
    expect_array(submission.conv2d_forward(x, w, b, padding=1), truth.conv2d(x, w, b, padding=1),
                 "conv2d_forward (float32)", ("입력의 dtype을 유지하세요 (np.zeros(..., dtype=x.dtype)).",
                                              "keep the input's dtype (np.zeros(..., dtype=x.dtype))."),
                 dtype=np.float32)


@graded(points=1)
def test_conv2d_forward_keeps_inputs(submission, truth, rng):
    """입력 배열을 수정하지 않음 / inputs are not modified"""
    for padding in (0, 1):  # without padding, x_pad may alias x
        x, w, b = random_case(rng, dict(x=(2, 2, 5, 5), w=(2, 2, 3, 3), bias=True))
        result = submission.call("conv2d_forward", x, w, b, 1, padding)
        expect_array(result.value, truth.conv2d(x, w, b, padding=padding), "conv2d_forward", HINT)
        expect_unchanged(result, (x, w, b), "conv2d_forward")


@graded(points=1, requires="test_conv2d_forward[single-channel]")
def test_conv2d_forward_errors(submission, rng):
    """잘못된 인자에 ValueError / ValueError for invalid arguments"""
    x = rng.standard_normal((1, 4, 6, 6))
    bad = {
        "channel-mismatch": (x, rng.standard_normal((2, 3, 3, 3)), None, 1, 0, 1, 1),
        "groups-not-dividing": (x, rng.standard_normal((3, 2, 3, 3)), None, 1, 0, 1, 2),
        "same-with-stride": (x, rng.standard_normal((2, 4, 3, 3)), None, 2, "same", 1, 1),
        "kernel-too-large": (x, rng.standard_normal((2, 4, 7, 7)), None, 1, 0, 1, 1),
    }
    for name, args in bad.items():
        expect_value_error(lambda: submission.conv2d_forward(*args), f"conv2d_forward ({name})",
                           ("채널 수, groups, 'same'+스트라이드, 커널 크기를 확인하고 ValueError를 발생시키세요.",
                            "check channels, groups, 'same' with stride, and kernel size; raise ValueError."))


@graded(points=1)
@given(seed=st.integers(0, 2**31 - 1), batch=st.integers(1, 2), groups=st.sampled_from([1, 2]),
       channels=st.integers(1, 2), kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
       stride=st.tuples(st.integers(1, 3), st.integers(1, 3)), dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
       padding=st.one_of(st.tuples(st.integers(0, 2), st.integers(0, 2)), st.just("same"), st.just("valid")),
       extra=st.tuples(st.integers(0, 5), st.integers(0, 5)))
def test_conv2d_forward_property(submission, truth, seed, batch, groups, channels, kernel, stride, dilation, padding, extra):
    """여러 조합의 합성곱 (속성 기반) / convolution over many settings (property-based)"""
    if padding == "same":
        stride = (1, 1)
    rng = np.random.default_rng(seed)
    size = tuple(d * (k - 1) + 1 + e for d, k, e in zip(dilation, kernel, extra))
    x = rng.standard_normal((batch, groups * channels) + size)
    w = rng.standard_normal((groups * 2, channels) + kernel)
    b = rng.standard_normal(groups * 2)
    options = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    expect_array(submission.conv2d_forward(x, w, b, **options), truth.conv2d(x, w, b, **options),
                 "conv2d_forward", HINT)
