"""LeNet-5 순전파 / LeNet-5 forward: logits against an nn.Module loaded from the same state_dict."""

import numpy as np
import pytest

from cnngrade.suite import graded
from cnngrade.suite.checks import expect_array, expect_unchanged

pytestmark = pytest.mark.question("lenet5")

HINT = ("conv1 → ReLU → 최대 풀링 2 → conv2 → ReLU → 최대 풀링 2 → NCHW 순서로 펼치기(400) → fc1 → ReLU → fc2 → ReLU → fc3, "
        "완전 연결층은 x @ W.T + b 입니다.",
        "conv1 → ReLU → max pool 2 → conv2 → ReLU → max pool 2 → flatten in NCHW order (400) → fc1 → ReLU → fc2 → "
        "ReLU → fc3; a linear layer is x @ W.T + b.")


@graded(points=3)
@pytest.mark.parametrize("batch, seed", [(4, 0), (1, 1)], ids=["batch4", "batch1"])
def test_lenet5_logits(submission, truth, rng, batch, seed):
    """LeNet-5 로짓 / LeNet-5 logits"""
    params = truth.lenet5_params(seed)
    x = rng.standard_normal((batch, 1, 32, 32))
    expect_array(submission.lenet5_forward(x, params), truth.lenet5(x, params), "lenet5_forward", HINT)


@graded(points=2)
def test_lenet5_float32(submission, truth, rng):
    """float32 LeNet-5 / LeNet-5 in float32"""
    params = {name: value.astype(np.float32) for name, value in truth.lenet5_params(2).items()}
    x = rng.standard_normal((2, 1, 32, 32)).astype(np.float32)
    expect_array(submission.lenet5_forward(x, params), truth.lenet5(x, params), "lenet5_forward (float32)", HINT,
                 dtype=np.float32)


@graded(points=2)
def test_lenet5_keeps_inputs(submission, truth, rng):
    """입력과 파라미터를 수정하지 않음 / inputs and parameters are not modified"""
    params = truth.lenet5_params(3)
    x = rng.standard_normal((2, 1, 32, 32))
    result = submission.call("lenet5_forward", x, params)
    expect_array(result.value, truth.lenet5(x, params), "lenet5_forward", HINT)
    expect_unchanged(result, (x, params), "lenet5_forward")
