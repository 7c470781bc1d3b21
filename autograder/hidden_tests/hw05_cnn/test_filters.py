"""고전적인 필터 / Classic filters: the slide kernels and correlate2d against F.conv2d."""

import numpy as np
import pytest

from cnngrade.suite import graded
from cnngrade.suite.checks import expect_array, expect_unchanged, expect_value_error

pytestmark = pytest.mark.question("filters")

SLIDE_KERNELS = {
    "OUTLINE": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "EMBOSS": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
    "BLUR": [[1 / 16, 1 / 8, 1 / 16], [1 / 8, 1 / 4, 1 / 8], [1 / 16, 1 / 8, 1 / 16]],
}
FLIP_HINT = ("교차상관은 커널을 뒤집지 않습니다: out[i, j] = sum x[i*S+u, j*S+v] * k[u, v].",
             "cross-correlation does not flip the kernel: out[i, j] = sum x[i*S+u, j*S+v] * k[u, v].")


@graded(points=1, visibility="visible")
def test_slide_kernels(submission):
    """슬라이드의 Outline, Emboss, Blur 필터 / the slides' outline, emboss and blur kernels"""
    for name, kernel in SLIDE_KERNELS.items():
        expect_array(submission.constant(name), np.array(kernel, dtype=np.float64), name,
                     ("슬라이드의 3x3 값을 float 배열로 적으세요.", "write the slide's 3x3 values as a float array."))


CASES = {
    "asymmetric-kernel": dict(image=(7, 9), kernel=(3, 2)),
    "stride-padding-pairs": dict(image=(10, 8), kernel=(3, 3), stride=(2, 1), padding=(1, 2)),
    "kernel-equals-image": dict(image=(4, 5), kernel=(4, 5)),
}


@graded(points=1)
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_correlate2d(submission, truth, rng, case):
    """흑백 영상의 교차상관 / cross-correlation of a single-channel image"""
    image, kernel = rng.standard_normal(case["image"]), rng.standard_normal(case["kernel"])
    stride, padding = case.get("stride", 1), case.get("padding", 0)
    result = submission.call("correlate2d", image, kernel, stride, padding)
    expected = truth.conv2d(image[None, None], kernel[None, None], stride=stride, padding=padding)[0, 0]
    expect_array(result.value, expected, "correlate2d", FLIP_HINT)
    expect_unchanged(result, (image, kernel), "correlate2d")


@graded(points=1, requires="test_correlate2d[asymmetric-kernel]")
def test_correlate2d_kernel_too_large(submission, rng):
    """패딩된 영상보다 큰 커널은 ValueError / a kernel larger than the padded image is a ValueError"""
    expect_value_error(lambda: submission.correlate2d(rng.standard_normal((3, 3)), rng.standard_normal((5, 2))),
                       "correlate2d", ("커널이 패딩된 영상보다 크면 출력이 없습니다.",
                                       "a kernel larger than the padded image leaves no output."))
