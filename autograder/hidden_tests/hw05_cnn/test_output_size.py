"""출력 크기 / Output size: conv_output_size and pool_output_size against PyTorch's shapes."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnngrade.suite import graded
from cnngrade.suite.checks import expect_size, expect_size_or_value_error, expect_value_error

pytestmark = pytest.mark.question("output_size")

FORMULA_HINT = ("out = floor((I + 2P - D*(F-1) - 1) / S) + 1, 파이썬에서는 // 로 내림하세요.",
                "out = floor((I + 2P - D*(F-1) - 1) / S) + 1; use // to floor in Python.")
POOL_HINT = ("stride=None이면 stride = kernel_size입니다. ceil_mode는 올림 후, 오른쪽 패딩 안에서 "
             "시작하는 마지막 창을 버립니다.",
             "stride=None means stride = kernel_size. ceil_mode rounds up, then drops a last window "
             "that would start inside the right padding.")


@graded(points=0.5, visibility="visible")
@pytest.mark.parametrize("size", [9, 7, 5, 3])
def test_conv_lecture_chain(submission, truth, size):
    """강의 예시 9→7→5→3→1 (3x3 커널) / the lecture's 9→7→5→3→1 chain (3x3 kernel)"""
    expect_size(submission.conv_output_size(size, 3), truth.conv_output_size(size, 3), "conv_output_size",
                FORMULA_HINT)


CONV_CASES = {
    "stride-floor": dict(size=10, kernel=3, stride=2),
    "padding": dict(size=28, kernel=5, padding=2),
    "dilation": dict(size=12, kernel=3, dilation=2, padding=1, stride=2),
    "pairs": dict(size=(32, 20), kernel=(5, 3), stride=(2, 1), padding=(1, 0), dilation=(1, 2)),
}


@graded(points=0.5)
@pytest.mark.parametrize("case", CONV_CASES.values(), ids=CONV_CASES.keys())
def test_conv_output_size(submission, truth, case):
    """합성곱 출력 크기 / convolution output size"""
    expect_size(submission.conv_output_size(case["size"], case["kernel"], case.get("stride", 1),
                                            case.get("padding", 0), case.get("dilation", 1)),
                truth.conv_output_size(case["size"], case["kernel"], case.get("stride", 1),
                                case.get("padding", 0), case.get("dilation", 1)),
                "conv_output_size", FORMULA_HINT)


@graded(points=1)
@given(size=st.integers(1, 40), kernel=st.integers(1, 7), stride=st.integers(1, 4),
       padding=st.integers(0, 3), dilation=st.integers(1, 3), as_pair=st.booleans())
def test_conv_output_size_property(submission, truth, size, kernel, stride, padding, dilation, as_pair):
    """여러 조합의 합성곱 출력 크기 (속성 기반) / conv output size over many settings (property-based)"""
    size_arg = (size, size + 1) if as_pair else size
    expected = truth.conv_output_size(size_arg, kernel, stride, padding, dilation)
    expect_size_or_value_error(lambda: submission.conv_output_size(size_arg, kernel, stride, padding, dilation),
                               expected, "conv_output_size", FORMULA_HINT,
                               ("결과가 1보다 작으면 ValueError입니다.", "a result below 1 is a ValueError."))


BAD_CONV = {
    "zero-stride": (8, 3, 0, 0, 1), "negative-padding": (8, 3, 1, -1, 1), "zero-kernel": (8, 0, 1, 0, 1),
    "zero-dilation": (8, 3, 1, 0, 0), "kernel-too-big": (4, 7, 1, 1, 1),
}


@graded(points=0.5, requires="test_conv_output_size[stride-floor]")
def test_conv_output_size_errors(submission):
    """잘못된 인자에 ValueError / ValueError for invalid arguments"""
    for name, args in BAD_CONV.items():
        expect_value_error(lambda: submission.conv_output_size(*args), f"conv_output_size ({name})",
                           ("크기·커널·스트라이드·팽창 < 1, 패딩 < 0, 결과 < 1 이면 ValueError입니다.",
                            "size, kernel, stride or dilation < 1, padding < 0, or a result < 1 is a ValueError."))


POOL_CASES = {
    "lecture-2x2": dict(size=28, kernel=2),
    "stride-none-3": dict(size=10, kernel=3),
    "overlapping": dict(size=13, kernel=3, stride=2),
    "padding": dict(size=7, kernel=3, stride=2, padding=1),
    "ceil": dict(size=5, kernel=2, ceil_mode=True),
    "ceil-drop-last": dict(size=5, kernel=2, stride=2, padding=1, ceil_mode=True),
    "pairs": dict(size=(9, 14), kernel=(3, 2), stride=(2, 3), padding=(1, 0), ceil_mode=True),
}


@graded(points=0.5)
@pytest.mark.parametrize("case", POOL_CASES.values(), ids=POOL_CASES.keys())
def test_pool_output_size(submission, truth, case):
    """풀링 출력 크기 / pooling output size"""
    args = (case["size"], case["kernel"], case.get("stride"), case.get("padding", 0), case.get("ceil_mode", False))
    expect_size(submission.pool_output_size(*args), truth.pool_output_size(*args), "pool_output_size", POOL_HINT)


@graded(points=0.5)
@given(size=st.integers(1, 30), kernel=st.integers(1, 5), stride=st.one_of(st.none(), st.integers(1, 4)),
       padding=st.integers(0, 2), ceil_mode=st.booleans())
def test_pool_output_size_property(submission, truth, size, kernel, stride, padding, ceil_mode):
    """여러 조합의 풀링 출력 크기 (속성 기반) / pooling output size over many settings (property-based)"""
    expected = truth.pool_output_size(size, kernel, stride, padding, ceil_mode)
    expect_size_or_value_error(lambda: submission.pool_output_size(size, kernel, stride, padding, ceil_mode),
                               expected, "pool_output_size", POOL_HINT,
                               ("2P > F 또는 결과 < 1 이면 ValueError입니다.", "2P > F or a result < 1 is a ValueError."))


@graded(points=0.5, requires="test_pool_output_size[lecture-2x2]")
def test_pool_output_size_errors(submission):
    """잘못된 풀링 인자에 ValueError / ValueError for invalid pooling arguments"""
    bad = {"padding-over-half": (8, 2, 2, 2, False), "zero-stride": (8, 2, 0, 0, False),
           "kernel-too-big": (3, 5, 1, 0, False), "negative-padding": (8, 3, 1, -1, False)}
    for name, args in bad.items():
        expect_value_error(lambda: submission.pool_output_size(*args), f"pool_output_size ({name})",
                           ("패딩은 커널의 절반 이하(2P <= F)여야 하고, 결과가 1 이상이어야 합니다.",
                            "padding must be at most half the kernel (2P <= F) and the result >= 1."))
