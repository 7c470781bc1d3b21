"""HW05's classic student bugs (named in assignment.toml), each a variant of a reference function.

The engine (cnngrade/suite/diagnosis.py) replays a failed call through these variants and names
the one the student's answer matches. A variant gets the failed call's bound arguments ``a`` and
changes only what the bug changes.
"""

import numpy as np

from cnngrade.suite.diagnosis import KnownBugs, rerun

KNOWN_BUGS = KnownBugs()


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


# -- convolution --------------------------------------------------------------------------
@KNOWN_BUGS.variant("conv2d_forward", "kernel_flipped",
                    "커널을 뒤집었나요? PyTorch의 conv2d(와 강의의 합성곱 식)는 교차상관입니다: 커널을 뒤집지 않습니다.",
                    "Did you flip the kernel? PyTorch's conv2d (and the lecture's formula) is cross-correlation: no flip.")
def _conv_kernel_flipped(ref, a):
    return rerun(ref.conv2d_forward, a, weight=a["weight"][..., ::-1, ::-1])


@KNOWN_BUGS.variant("conv2d_forward", "padding_axes_swapped",
                    "패딩을 반대 축에 넣었나요? padding=(P_h, P_w)에서 P_h는 높이(H), P_w는 너비(W)입니다.",
                    "Did you pad the wrong axes? In padding=(P_h, P_w), P_h is for the height (H), P_w for the width (W).")
def _conv_padding_swapped(ref, a):
    if isinstance(a["padding"], str) or _pair(a["padding"])[0] == _pair(a["padding"])[1]:
        return None
    padding = _pair(a["padding"])[::-1]
    return rerun(ref.conv2d_forward, a, padding=padding)


@KNOWN_BUGS.variant("conv2d_forward", "stride_ignored",
                    "스트라이드를 빠뜨렸나요? 수용장의 시작 위치는 i*S_h, j*S_w 입니다.",
                    "Did you ignore the stride? Receptive fields start at i*S_h, j*S_w.")
def _conv_stride_ignored(ref, a):
    if _pair(a["stride"]) == (1, 1):
        return None
    return rerun(ref.conv2d_forward, a, stride=1)


@KNOWN_BUGS.variant("conv2d_forward", "dilation_ignored",
                    "팽창(dilation)을 빠뜨렸나요? 커널 원소 사이 간격은 D입니다: x[i*S + u*D, j*S + v*D].",
                    "Did you ignore the dilation? Kernel taps are D apart: x[i*S + u*D, j*S + v*D].")
def _conv_dilation_ignored(ref, a):
    if _pair(a["dilation"]) == (1, 1) or a["padding"] == "same":
        return None
    return rerun(ref.conv2d_forward, a, dilation=1)


@KNOWN_BUGS.variant("conv2d_forward", "same_padding_top_left",
                    "'same' 패딩에서 홀수로 남는 한 줄을 위/왼쪽에 두었나요? PyTorch는 아래/오른쪽에 둡니다.",
                    "With 'same', did you put the odd leftover row/column at the top/left? PyTorch puts it bottom/right.")
def _conv_same_top_left(ref, a):
    if a["padding"] != "same":
        return None
    pads = []
    for k, d in zip(a["weight"].shape[2:], _pair(a["dilation"])):
        total = d * (k - 1)
        pads.append((total - total // 2, total // 2))
    if all(top == bottom for top, bottom in pads):
        return None
    x = np.pad(a["x"], ((0, 0), (0, 0)) + tuple(pads))
    return rerun(ref.conv2d_forward, a, x=x, stride=1, padding=0)


@KNOWN_BUGS.variant("conv2d_forward", "bias_ignored",
                    "편향 b[k]를 더하지 않았나요?", "Did you forget to add the bias b[k]?")
def _conv_bias_ignored(ref, a):
    if a["bias"] is None:
        return None
    return rerun(ref.conv2d_forward, a, bias=None)


@KNOWN_BUGS.variant("conv2d_backward", "dbias_one_sample",
                    "dbias를 첫 번째 샘플에서만 구했나요? 배치 N 전체와 모든 위치에 대해 더해야 합니다.",
                    "Did you compute dbias from the first sample only? Sum over the whole batch N and all positions.")
def _dbias_one_sample(ref, a):
    if a["dout"].shape[0] < 2:
        return None
    dx, dweight, _ = ref.conv2d_backward(**a)
    return dx, dweight, a["dout"][0].sum(axis=(1, 2))


@KNOWN_BUGS.variant("conv2d_backward", "dweight_one_sample",
                    "dweight를 첫 번째 샘플에서만 구했나요? 배치 전체의 기여를 더해야 합니다.",
                    "Did you compute dweight from the first sample only? Add up the contributions of the whole batch.")
def _dweight_one_sample(ref, a):
    if a["dout"].shape[0] < 2:
        return None
    dx, _, dbias = ref.conv2d_backward(**a)
    _, dweight, _ = rerun(ref.conv2d_backward, a, dout=a["dout"][:1], x=a["x"][:1])
    return dx, dweight, dbias


# -- pooling ------------------------------------------------------------------------------
def _max_pool_windows(ref, a):
    kernel = _pair(a["kernel_size"])
    stride = kernel if a["stride"] is None else _pair(a["stride"])
    padding = _pair(a["padding"])
    out = rerun(ref.max_pool2d_forward, a, kernel_size=kernel, stride=stride, padding=padding)
    return kernel, stride, padding, out


@KNOWN_BUGS.variant("max_pool2d_backward", "all_tied_maxima",
                    "최댓값이 여러 개일 때 모두에게 기울기를 보냈나요? 창마다 첫 번째 최댓값(행 우선) 한 곳으로만 보냅니다.",
                    "On ties, did you send the gradient to every maximum? Send it only to the first maximum (row-major).")
def _max_all_ties(ref, a):
    kernel, stride, padding, out = _max_pool_windows(ref, a)
    x = a["x"]
    n, c, height, width = x.shape
    padded = np.full((n, c, height + 2 * padding[0] + kernel[0] * 2, width + 2 * padding[1] + kernel[1] * 2), -np.inf)
    padded[:, :, padding[0]:padding[0] + height, padding[1]:padding[1] + width] = x
    grad = np.zeros_like(padded)
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            rows = slice(i * stride[0], i * stride[0] + kernel[0])
            cols = slice(j * stride[1], j * stride[1] + kernel[1])
            window = padded[:, :, rows, cols]
            grad[:, :, rows, cols] += (window == out[:, :, i:i + 1, j:j + 1]) * a["dout"][:, :, i:i + 1, j:j + 1]
    return grad[:, :, padding[0]:padding[0] + height, padding[1]:padding[1] + width]


@KNOWN_BUGS.variant("max_pool2d_backward", "overwrite_not_accumulate",
                    "겹치는 창의 기울기를 덮어썼나요? 같은 칸이 여러 창의 최댓값이면 기울기를 더해야 합니다 (+=).",
                    "Did you overwrite gradients of overlapping windows? A cell that is the max of several windows sums them (+=).")
def _max_overwrite(ref, a):
    kernel, stride, padding, out = _max_pool_windows(ref, a)
    x = a["x"]
    n, c, height, width = x.shape
    grad = np.zeros_like(x)
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            single = np.zeros_like(a["dout"])
            single[:, :, i, j] = a["dout"][:, :, i, j]
            contribution = rerun(ref.max_pool2d_backward, a, dout=single)
            grad = np.where(contribution != 0, contribution, grad)
    return grad


def _include_pad_inverted(function):
    """``function`` (the forward or the backward pass) with count_include_pad flipped."""

    def compute(ref, a):
        if not np.any(_pair(a["padding"])):
            return None
        return rerun(getattr(ref, function), a, count_include_pad=not a["count_include_pad"])

    return compute


for _function, _korean, _english in [
    ("avg_pool2d_forward",
     "count_include_pad를 반대로 처리했나요? True면 나눗수는 kH*kW, False면 창 안의 실제 입력 칸 수입니다.",
     "Did you invert count_include_pad? True divides by kH*kW, False by the real input cells in the window."),
    ("avg_pool2d_backward",
     "count_include_pad를 반대로 처리했나요? 역전파의 나눗수도 순전파와 같아야 합니다.",
     "Did you invert count_include_pad? The backward pass divides by the same divisor as the forward."),
]:
    KNOWN_BUGS.variant(_function, "count_include_pad_inverted", _korean, _english)(_include_pad_inverted(_function))


# -- sizes and LeNet-5 ----------------------------------------------------------------------
@KNOWN_BUGS.variant("pool_output_size", "ceil_without_drop",
                    "ceil_mode에서 오른쪽 패딩 안에서 시작하는 마지막 창을 버리지 않았나요? (out - 1) * S >= I + P 이면 out -= 1.",
                    "With ceil_mode, did you keep a last window that starts inside the right padding? "
                    "If (out - 1) * S >= I + P then out -= 1.")
def _pool_size_no_drop(ref, a):
    if not a["ceil_mode"]:
        return None
    stride = a["kernel_size"] if a["stride"] is None else a["stride"]
    sizes = tuple(-(-(i + 2 * p - f) // s) + 1 for i, f, s, p in zip(
        _pair(a["input_size"]), _pair(a["kernel_size"]), _pair(stride), _pair(a["padding"])))
    pairs = any(isinstance(a[name], (tuple, list)) for name in ("input_size", "kernel_size", "stride", "padding"))
    return sizes if pairs else sizes[0]


@KNOWN_BUGS.variant("lenet5_forward", "flatten_nhwc",
                    "펼치기(flatten)를 NHWC 순서로 했나요? PyTorch는 (N, C, H, W) 순서 그대로 펼칩니다: reshape(N, -1).",
                    "Did you flatten in NHWC order? PyTorch flattens (N, C, H, W) as is: reshape(N, -1).")
def _lenet_nhwc(ref, a):
    x, p = np.asarray(a["x"]), a["params"]
    h = ref.max_pool2d_forward(np.maximum(ref.conv2d_forward(x, p["conv1.weight"], p["conv1.bias"]), 0), 2)
    h = ref.max_pool2d_forward(np.maximum(ref.conv2d_forward(h, p["conv2.weight"], p["conv2.bias"]), 0), 2)
    h = h.transpose(0, 2, 3, 1).reshape(x.shape[0], -1)
    h = np.maximum(h @ p["fc1.weight"].T + p["fc1.bias"], 0)
    h = np.maximum(h @ p["fc2.weight"].T + p["fc2.bias"], 0)
    return h @ p["fc3.weight"].T + p["fc3.bias"]
