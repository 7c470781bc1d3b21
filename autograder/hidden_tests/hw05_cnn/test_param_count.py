"""파라미터 수 / Parameter counts: against nn.Conv2d, nn.Linear and a real nn.Sequential."""

import pytest

from cnngrade.suite import graded
from cnngrade.suite.checks import expect_size, expect_value_error, fail

pytestmark = pytest.mark.question("param_count")

CONV_HINT = ("가중치 out * (in / groups) * kH * kW 에 편향 out 개를 더합니다.",
             "weights out * (in / groups) * kH * kW, plus out biases.")

CONV_CASES = {
    "lecture": dict(in_channels=3, out_channels=64, kernel_size=3),
    "no-bias-rect": dict(in_channels=6, out_channels=16, kernel_size=(5, 3), bias=False),
    "groups": dict(in_channels=8, out_channels=12, kernel_size=3, groups=4),
    "depthwise": dict(in_channels=32, out_channels=32, kernel_size=(3, 1), groups=32),
}


@graded(points=0.75)
@pytest.mark.parametrize("case", CONV_CASES.values(), ids=CONV_CASES.keys())
def test_conv2d_param_count(submission, truth, case):
    """합성곱층의 파라미터 수 / parameters of a convolution layer"""
    expected = truth.conv2d_param_count(**case)
    expect_size(submission.conv2d_param_count(**case), expected, "conv2d_param_count", CONV_HINT)


@graded(points=1, requires="test_conv2d_param_count[lecture]")
def test_conv2d_param_count_bad_groups(submission):
    """groups가 채널 수를 나누지 못하면 ValueError / ValueError when groups does not divide the channels"""
    for args in [(6, 16, 3, True, 4), (8, 10, 3, True, 4)]:
        expect_value_error(lambda: submission.conv2d_param_count(*args), "conv2d_param_count", CONV_HINT)


@graded(points=0.5)
@pytest.mark.parametrize("in_features, out_features, bias", [(400, 120, True), (84, 10, False)])
def test_linear_param_count(submission, truth, in_features, out_features, bias):
    """완전 연결층의 파라미터 수 / parameters of a linear layer"""
    expected = truth.linear_param_count(in_features, out_features, bias)
    expect_size(submission.linear_param_count(in_features, out_features, bias), expected,
                "linear_param_count", ("in * out 가중치 + out 편향", "in * out weights + out biases"))


LENET = [("conv2d", dict(out_channels=6, kernel_size=5)), ("relu", {}), ("maxpool2d", dict(kernel_size=2)),
         ("conv2d", dict(out_channels=16, kernel_size=5)), ("relu", {}), ("maxpool2d", dict(kernel_size=2)),
         ("flatten", {}), ("linear", dict(out_features=120)), ("relu", {}),
         ("linear", dict(out_features=84)), ("relu", {}), ("linear", dict(out_features=10))]
VARIED = [("conv2d", dict(out_channels=8, kernel_size=4, padding="same")),
          ("conv2d", dict(out_channels=8, kernel_size=3, stride=2, padding=1, groups=8, bias=False)),
          ("maxpool2d", dict(kernel_size=3, stride=2, ceil_mode=True)),
          ("conv2d", dict(out_channels=4, kernel_size=(3, 1), dilation=2, padding=(2, 0))),
          ("avgpool2d", dict(kernel_size=2, padding=1)), ("relu", {}),
          ("conv2d", dict(out_channels=5, kernel_size=2, padding="valid")),
          ("flatten", {}), ("linear", dict(out_features=7, bias=False))]
NETWORKS = {"lenet5": ((1, 32, 32), LENET), "varied": ((3, 23, 30), VARIED)}


@graded(points=2)
@pytest.mark.parametrize("network", NETWORKS.values(), ids=NETWORKS.keys())
def test_cnn_summary(submission, truth, network):
    """네트워크 전체의 출력 모양과 파라미터 수 / output shapes and parameters of a whole network"""
    input_shape, layers = network
    expected = truth.summary_rows(input_shape, layers)
    rows = submission.cnn_summary(input_shape, layers)
    if not isinstance(rows, list) or len(rows) != len(expected):
        fail(f"cnn_summary: 층마다 하나씩, 튜플 {len(expected)}개의 리스트를 반환해야 합니다.",
             f"cnn_summary: expected a list of {len(expected)} tuples, one per layer.")
    for index, (row, (kind, shape, n_params)) in enumerate(zip(rows, expected)):
        where = f"cnn_summary layer {index} ({kind})"
        if not isinstance(row, tuple) or len(row) != 3 or row[0] != kind:
            fail(f"{where}: (kind, output_shape, n_params) 튜플이어야 합니다.",
                 f"{where}: each row must be a (kind, output_shape, n_params) tuple.")
        expect_size(row[1], shape, f"{where} output_shape",
                    ("배치 차원 없이 (C, H, W) 또는 (features,) 입니다.", "(C, H, W) or (features,), no batch dimension."))
        expect_size(row[2], n_params, f"{where} n_params", CONV_HINT)


@graded(points=1, requires="test_cnn_summary[lenet5]")
def test_cnn_summary_errors(submission):
    """잘못된 네트워크에 ValueError / ValueError for an invalid network"""
    bad = {"unknown-kind": [("dropout", {})],
           "linear-before-flatten": [("linear", dict(out_features=3))],
           "empty-output": [("conv2d", dict(out_channels=2, kernel_size=7))]}
    for name, layers in bad.items():
        expect_value_error(lambda: submission.cnn_summary((1, 5, 5), layers), f"cnn_summary ({name})",
                           ("알 수 없는 kind, flatten 전의 linear, 빈 출력은 ValueError입니다.",
                            "an unknown kind, linear before flatten, or an empty output is a ValueError."))
