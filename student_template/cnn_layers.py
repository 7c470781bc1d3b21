"""HW05 합성곱 신경망 (CNN) — NumPy로 직접 구현하는 합성곱층과 풀링층.
HW05 Convolutional neural networks — convolution and pooling layers in NumPy.

배열 규약 / Array conventions
    - 모든 영상 배열은 PyTorch와 같은 NCHW 순서입니다: (배치 N, 채널 C, 높이 H, 너비 W).
      Every image array is NCHW, as in PyTorch: (batch N, channels C, height H, width W).
    - 입력의 실수 dtype(float64 또는 float32)을 결과에서도 유지합니다.
      Results keep the input's float dtype (float64 or float32).
    - 어떤 함수도 입력 배열을 수정하지 않습니다. NumPy만 사용하세요 (torch, scipy 금지).
      No function modifies its inputs. Use NumPy only (no torch, no scipy).
    - 의미는 ``torch.nn.functional`` 의 같은 연산과 같습니다.
      Semantics match the same operation in ``torch.nn.functional``.

스스로 확인하기 / Self-check:  ``pytest`` (이 폴더에서 / inside this folder).
"""

import numpy as np


def _pair(value):
    """정수 또는 (h, w) 쌍을 (h, w) 튜플로 바꿉니다.
    Turn an int or an (h, w) pair into an (h, w) tuple.

    예 / Example: ``_pair(3) == (3, 3)``, ``_pair((2, 1)) == (2, 1)``.
    """
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"expected an int or an (h, w) pair, got {value!r}")
        return int(value[0]), int(value[1])
    return int(value), int(value)


def _is_pair(value):
    return isinstance(value, (tuple, list))


def _per_dimension(function, *arguments):
    """Apply a size formula per spatial dimension; a pair result if any argument is a pair."""
    pairs = [_pair(argument) for argument in arguments]
    sizes = tuple(function(*(pair[axis] for pair in pairs)) for axis in (0, 1))
    return sizes if any(_is_pair(argument) for argument in arguments) else sizes[0]


# ---------------------------------------------------------------------------
# output_size: 출력 크기 / output size
# ---------------------------------------------------------------------------

def conv_output_size(input_size, kernel_size, stride=1, padding=0, dilation=1):
    """합성곱층의 출력 크기 / Output size of a convolution layer.

    강의 공식 / Lecture formula:  ``floor((I - F + 2P) / S + 1)``.
    팽창(dilation) D가 있으면 커널이 ``D*(F-1) + 1`` 칸을 덮으므로:
    With dilation D the kernel spans ``D*(F-1) + 1`` cells, so:

        out = floor((I + 2P - D*(F-1) - 1) / S) + 1

    매개변수 / Parameters
        input_size (I), kernel_size (F), stride (S), padding (P), dilation (D):
            각각 정수 또는 (h, w) 쌍 / each an int or an (h, w) pair.

    반환 / Returns
        하나라도 쌍이면 (h_out, w_out) 튜플, 아니면 정수.
        An (h_out, w_out) tuple when any argument is a pair, else an int.

    예외 / Raises
        ValueError: 크기·커널·스트라이드·팽창 < 1, 패딩 < 0, 또는 결과 < 1.
        ValueError: a size, kernel, stride or dilation < 1, padding < 0, or a result < 1.

    예 / Example: ``conv_output_size(9, 3) == 7`` (9x9 → 7x7),
    ``conv_output_size((32, 28), 5, padding=2) == (32, 28)``.

    힌트 / Hint: 파이썬의 ``//`` 는 내림 나눗셈입니다 / Python's ``//`` is floor division.
    """
    raise NotImplementedError("[output_size] conv_output_size: 아직 구현하지 않았습니다 / not implemented yet")


def pool_output_size(input_size, kernel_size, stride=None, padding=0, ceil_mode=False):
    """풀링층의 출력 크기 / Output size of a pooling layer.

    ``stride=None`` 이면 스트라이드 = 커널 크기 (강의의 2x2 풀링, 스트라이드 2).
    ``stride=None`` means stride = kernel size (the lecture's 2x2 pooling with stride 2).

        out = floor((I + 2P - F) / S) + 1            (ceil_mode=False)
        out = ceil((I + 2P - F) / S) + 1             (ceil_mode=True)

    ceil_mode에서 마지막 창이 오른쪽 패딩 안에서 시작하면 버립니다 (PyTorch 규칙):
    With ceil_mode, a last window that would start inside the right padding is dropped
    (PyTorch's rule):  ``if (out - 1) * S >= I + P: out -= 1``.

    매개변수 / Parameters
        input_size, kernel_size, stride, padding: 정수 또는 (h, w) 쌍 / int or (h, w) pair.
        ceil_mode (bool): 올림 사용 여부 / use ceil instead of floor.

    반환 / Returns
        하나라도 쌍이면 (h_out, w_out) 튜플, 아니면 정수 / a tuple if any argument is a pair, else an int.

    예외 / Raises
        ValueError: 크기·커널·스트라이드 < 1, 패딩 < 0, ``2P > F`` (패딩은 커널의 절반까지),
        또는 결과 < 1.
        ValueError: a size, kernel or stride < 1, padding < 0, ``2P > F`` (padding at most half
        the kernel), or a result < 1.

    예 / Example: ``pool_output_size(28, 2) == 14``, ``pool_output_size(5, 2, ceil_mode=True) == 3``.
    """
    raise NotImplementedError("[output_size] pool_output_size: 아직 구현하지 않았습니다 / not implemented yet")


# ---------------------------------------------------------------------------
# param_count: 파라미터 수 / parameter counts
# ---------------------------------------------------------------------------

def conv2d_param_count(in_channels, out_channels, kernel_size, bias=True, groups=1):
    """합성곱층의 파라미터 수 ("이 convolution layer 의 파라미터 수는?").
    Number of parameters of a convolution layer, like ``nn.Conv2d``.

    가중치 / weights:  ``out_channels * (in_channels / groups) * kH * kW``
    편향 / biases:      ``out_channels`` (bias=True 일 때 / when bias=True)

    매개변수 / Parameters
        in_channels, out_channels (int), kernel_size (int 또는 (kH, kW) / int or pair),
        bias (bool), groups (int): 각 그룹은 ``in_channels / groups`` 채널만 봅니다.
        each group sees only ``in_channels / groups`` channels.

    반환 / Returns: int.

    예외 / Raises: ValueError — groups가 두 채널 수를 모두 나누지 못할 때.
    ValueError when groups does not divide both channel counts.

    예 / Example: ``conv2d_param_count(3, 64, 3) == 1792``.
    """
    raise NotImplementedError("[param_count] conv2d_param_count: 아직 구현하지 않았습니다 / not implemented yet")


def linear_param_count(in_features, out_features, bias=True):
    """완전 연결층(``nn.Linear``)의 파라미터 수 / Parameters of a fully connected layer.

    ``in_features * out_features`` 가중치 + (bias=True 이면) ``out_features`` 편향.
    ``in_features * out_features`` weights plus ``out_features`` biases when bias=True.

    예 / Example: ``linear_param_count(400, 120) == 48120``.
    """
    raise NotImplementedError("[param_count] linear_param_count: 아직 구현하지 않았습니다 / not implemented yet")


def cnn_summary(input_shape, layers):
    """네트워크 전체의 층별 출력 모양과 파라미터 수 ("파라미터 수는?", torchinfo의 요약처럼).
    Per-layer output shape and parameter count of a whole network, like torchinfo's summary.

    매개변수 / Parameters
        input_shape: ``(C, H, W)`` — 배치 차원 없음 / no batch dimension.
        layers: ``(kind, kwargs)`` 쌍의 리스트 / a list of ``(kind, kwargs)`` pairs:
            - ``"conv2d"``: out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True
              (padding은 conv2d_forward와 같이 int, 쌍, "valid", "same" / padding as in conv2d_forward)
            - ``"maxpool2d"``: kernel_size, stride=None, padding=0, ceil_mode=False
            - ``"avgpool2d"``: kernel_size, stride=None, padding=0
            - ``"relu"``, ``"flatten"``: kwargs 없음 / no kwargs
            - ``"linear"``: out_features, bias=True
        in_channels와 in_features는 직전 층의 출력 모양에서 옵니다.
        in_channels and in_features come from the running shape.

    반환 / Returns
        층마다 튜플 ``(kind, output_shape, n_params)`` 의 리스트; output_shape는 배치 차원 없는 튜플.
        A list with one tuple ``(kind, output_shape, n_params)`` per layer; output_shape has no batch
        dimension, e.g. ``("conv2d", (6, 28, 28), 156)``, ``("flatten", (400,), 0)``.

    예외 / Raises
        ValueError: 알 수 없는 kind, flatten 하지 않은 모양 뒤의 linear, 출력이 비는 층.
        ValueError for an unknown kind, linear after an unflattened shape, or an empty output.

    힌트 / Hint: conv_output_size, pool_output_size, *_param_count를 재사용하세요.
    Reuse conv_output_size, pool_output_size and the *_param_count functions.
    """
    raise NotImplementedError("[param_count] cnn_summary: 아직 구현하지 않았습니다 / not implemented yet")


# ---------------------------------------------------------------------------
# filters: 고전적인 필터 / classic filters
# ---------------------------------------------------------------------------

# 강의 슬라이드의 3x3 필터 (float 배열) / The slides' 3x3 kernels, as float arrays.
OUTLINE = None  # TODO [filters]: 3x3 float 배열 / a 3x3 float array
EMBOSS = None  # TODO [filters]: 3x3 float 배열 / a 3x3 float array
BLUR = None  # TODO [filters]: 3x3 float 배열 / a 3x3 float array


def correlate2d(image, kernel, stride=1, padding=0):
    """흑백 영상 하나에 대한 2차원 교차상관 (커널을 뒤집지 않음) + 제로 패딩.
    2-D cross-correlation of one single-channel image (the kernel is NOT flipped), zero padding.

        out[i, j] = sum_u sum_v  x_pad[i*S_h + u, j*S_w + v] * kernel[u, v]

    매개변수 / Parameters
        image: (H, W) 배열 / array.  kernel: (kH, kW) 배열 / array.
        stride, padding: 정수 또는 (h, w) 쌍 / int or (h, w) pair.

    반환 / Returns
        (H_out, W_out) 배열, 크기는 conv_output_size와 같음 / array sized as conv_output_size says.

    예외 / Raises: ValueError — 커널이 패딩된 영상보다 클 때 / kernel larger than the padded image.

    예 / Example: 슬라이드의 제로 패딩 예시에서 모서리 값은 ``(-1 + 1 + 1 + 1) / 9 = 0.2222``.
    In the slide's zero-padding example the corner value is ``(-1 + 1 + 1 + 1) / 9 = 0.2222``.
    """
    raise NotImplementedError("[filters] correlate2d: 아직 구현하지 않았습니다 / not implemented yet")


# ---------------------------------------------------------------------------
# conv_forward / conv_backward: 합성곱층 / convolution layer
# ---------------------------------------------------------------------------

def conv2d_forward(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """합성곱층의 순전파 (``torch.nn.functional.conv2d`` 와 같음).
    Forward pass of a convolution layer (same as ``torch.nn.functional.conv2d``).

    강의의 유닛 출력 식 (NCHW로 쓰면) / The lecture's unit formula, written in NCHW:

        z[n, k, i, j] = b[k] + sum_u sum_v sum_k'  x_pad[n, k', i*S_h + u*D_h, j*S_w + v*D_w] * w[k, k', u, v]

    커널을 뒤집지 않습니다 (교차상관) / The kernel is not flipped (cross-correlation).
    groups = G 이면 입력 채널을 G 묶음으로 나누어 출력 채널 묶음 g는 입력 묶음 g만 봅니다.
    With groups = G the channels split into G blocks; output block g sees only input block g.

    매개변수 / Parameters
        x: (N, C_in, H, W) 입력 / input.
        weight: (C_out, C_in // groups, kH, kW) 커널 / kernels.
        bias: (C_out,) 또는 None / or None.
        stride, dilation: 정수 또는 (h, w) 쌍 / int or (h, w) pair.
        padding: 정수, 쌍, "valid"(=0) 또는 "same"(출력 크기 = 입력 크기, 스트라이드 1에서만;
            홀수로 남는 한 줄은 아래/오른쪽에 붙임).
            int, pair, "valid" (= 0) or "same" (output size = input size, stride 1 only; an odd
            leftover row/column of padding goes to the bottom/right, as in PyTorch).
        groups: int.

    반환 / Returns
        (N, C_out, H_out, W_out), x와 같은 dtype / same dtype as x;
        H_out = floor((H + 2P - D*(kH-1) - 1) / S) + 1 (W_out도 같음 / likewise).

    예외 / Raises
        ValueError: 채널 불일치, 채널을 나누지 못하는 groups, 스트라이드 > 1 인 "same",
        패딩된 입력보다 큰 커널.
        ValueError for mismatched channels, groups that do not divide the channels, "same" with
        stride > 1, or a kernel larger than the padded input.

    힌트 / Hint: 수용장마다 ``np.sum(window * w)`` 를 계산하는 반복문으로 시작하고,
    맞으면 im2col(수용장을 열로 펼친 뒤 행렬 곱 한 번)로 빠르게 만들어 보세요.
    Start with a loop computing ``np.sum(window * w)`` per receptive field; once correct, speed
    it up with im2col (receptive fields unrolled into columns, then one matrix product).
    """
    raise NotImplementedError("[conv_forward] conv2d_forward: 아직 구현하지 않았습니다 / not implemented yet")


def conv2d_backward(dout, x, weight, stride=1, padding=0, dilation=1, groups=1):
    """합성곱층의 역전파 / Backward pass of a convolution layer.

    ``L = sum(conv2d_forward(x, weight, bias, ...) * dout)`` 의 기울기를 구합니다.
    Computes the gradients of ``L = sum(conv2d_forward(x, weight, bias, ...) * dout)``.

        dbias[k]          = sum_{n,i,j} dout[n, k, i, j]
        dweight[k,k',u,v] = sum_{n,i,j} dout[n, k, i, j] * x_pad[n, k', i*S_h + u*D_h, j*S_w + v*D_w]
        dx                = 각 dout 값이 자신의 수용장으로 되돌아가 더해진 것 (패딩 부분은 잘라냄)
                            every dout value flowing back onto its receptive field (padding cropped)

    매개변수 / Parameters
        dout: (N, C_out, H_out, W_out) 상류 기울기 / upstream gradient.
        x, weight, stride, padding, dilation, groups: 순전파와 같음 / as in the forward pass.

    반환 / Returns
        (dx, dweight, dbias): x와 같은 모양 / shaped like x, weight와 같은 모양 / like weight, (C_out,).

    예외 / Raises: ValueError — dout의 모양이 순전파 출력과 다를 때 / dout does not match the
    forward output shape.

    힌트 / Hint: 겹치는 수용장의 기울기는 덮어쓰지 말고 더해야 합니다 (``+=``). 편향 기울기는
    배치와 공간 전체(N, H, W)에 대해 합합니다.
    Gradients of overlapping receptive fields add up (``+=``), never overwrite. The bias
    gradient sums over the batch and all positions (N, H, W).
    """
    raise NotImplementedError("[conv_backward] conv2d_backward: 아직 구현하지 않았습니다 / not implemented yet")


# ---------------------------------------------------------------------------
# max_pool / avg_pool: 풀링층 / pooling layers
# ---------------------------------------------------------------------------


def max_pool2d_forward(x, kernel_size, stride=None, padding=0, ceil_mode=False):
    """최대 풀링의 순전파 — 창 안에서 가장 강한 자극만 기억합니다.
    Max pooling forward — keeps only the strongest response in each window.

    매개변수 / Parameters
        x: (N, C, H, W).
        kernel_size, stride (None이면 kernel_size / None means kernel_size), padding:
            정수 또는 (h, w) 쌍 / int or pair. 패딩은 -inf로 채운 것처럼 다룹니다 / padding counts as -inf.
        ceil_mode: pool_output_size와 같은 규칙 / the same rule as pool_output_size.

    반환 / Returns
        (N, C, H_out, W_out), x와 같은 dtype / same dtype as x. 채널 수는 그대로 / channels unchanged.

    예 / Example: 강의의 2x2 풀링 커널, 스트라이드 2: ``max_pool2d_forward(x, 2)``.
    The lecture's 2x2 pooling kernel with stride 2: ``max_pool2d_forward(x, 2)``.
    """
    raise NotImplementedError("[max_pool] max_pool2d_forward: 아직 구현하지 않았습니다 / not implemented yet")


def max_pool2d_backward(dout, x, kernel_size, stride=None, padding=0, ceil_mode=False):
    """최대 풀링의 역전파 / Max pooling backward.

    각 창의 기울기는 그 창의 최댓값 위치 하나로만 갑니다. 최댓값이 여러 개(동점)이면
    행 우선 순서로 첫 번째 위치로 보냅니다 (PyTorch 규칙). 창이 겹치면 기울기를 더합니다.
    Each window's gradient goes to the position of its maximum only. On a tie it goes to the
    first maximum in row-major order (PyTorch's rule). Overlapping windows accumulate.

    매개변수 / Parameters
        dout: (N, C, H_out, W_out); x, kernel_size, stride, padding, ceil_mode: 순전파와 같음 / as forward.

    반환 / Returns: dx, x와 같은 모양과 dtype / same shape and dtype as x.
    """
    raise NotImplementedError("[max_pool] max_pool2d_backward: 아직 구현하지 않았습니다 / not implemented yet")


def avg_pool2d_forward(x, kernel_size, stride=None, padding=0, count_include_pad=True):
    """평균 풀링의 순전파 — 창 안의 평균 자극을 기억합니다.
    Average pooling forward — keeps the mean response of each window.

    매개변수 / Parameters
        x: (N, C, H, W); kernel_size, stride (None이면 kernel_size / None means kernel_size),
        padding: 정수 또는 (h, w) 쌍 / int or pair (제로 패딩 / zero padding).
        count_include_pad: True이면 패딩 칸도 나눗수에 셉니다 (나눗수 = kH*kW); False이면 실제
            입력 칸만 셉니다. True counts padding cells in the divisor (divisor = kH*kW); False
            counts only real input cells.

    반환 / Returns: (N, C, H_out, W_out), x와 같은 dtype / same dtype as x.
    """
    raise NotImplementedError("[avg_pool] avg_pool2d_forward: 아직 구현하지 않았습니다 / not implemented yet")


def avg_pool2d_backward(dout, x, kernel_size, stride=None, padding=0, count_include_pad=True):
    """평균 풀링의 역전파: 각 창의 기울기를 창 안의 칸들에 똑같이 나눠 줍니다 (dout / 나눗수).
    Average pooling backward: each window's gradient is shared equally (dout / divisor) by its cells.

    매개변수 / Parameters
        dout: (N, C, H_out, W_out); 나머지는 순전파와 같음 / the rest as in the forward pass.

    반환 / Returns: dx, x와 같은 모양과 dtype / same shape and dtype as x.
    """
    raise NotImplementedError("[avg_pool] avg_pool2d_backward: 아직 구현하지 않았습니다 / not implemented yet")


# ---------------------------------------------------------------------------
# lenet5: CNN 기본 구조 / the basic CNN structure
# ---------------------------------------------------------------------------

def lenet5_forward(x, params):
    """LeNet-5의 순전파 (로짓) / LeNet-5 forward pass (logits).

    구조 / Architecture (61,706 파라미터 / parameters):
        conv1 1→6 5x5 → ReLU → 최대 풀링 2 / max pool 2      (N, 6, 14, 14)
        conv2 6→16 5x5 → ReLU → 최대 풀링 2 / max pool 2     (N, 16, 5, 5)
        flatten (NCHW 순서로 400 / 400 in NCHW order)
        fc1 400→120 → ReLU → fc2 120→84 → ReLU → fc3 84→10

    매개변수 / Parameters
        x: (N, 1, 32, 32).
        params: PyTorch state_dict 이름의 dict / a dict with PyTorch state_dict names:
            conv1.weight (6, 1, 5, 5), conv1.bias (6,), conv2.weight (16, 6, 5, 5), conv2.bias (16,),
            fc1.weight (120, 400), fc1.bias (120,), fc2.weight (84, 120), fc2.bias (84,),
            fc3.weight (10, 84), fc3.bias (10,).

    반환 / Returns: (N, 10) 로짓 / logits, x와 같은 dtype / same dtype as x.

    힌트 / Hint: 완전 연결층은 ``x @ W.T + b`` 입니다 / a linear layer is ``x @ W.T + b``.
    직접 만든 conv2d_forward와 max_pool2d_forward를 쓰세요 / use your own conv2d_forward and
    max_pool2d_forward.
    """
    raise NotImplementedError("[lenet5] lenet5_forward: 아직 구현하지 않았습니다 / not implemented yet")
