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
    # BEGIN SOLUTION
    def size(i, f, s, p, d):
        if min(i, f, s, d) < 1 or p < 0:
            raise ValueError(
                "크기, 커널, 스트라이드, 팽창은 1 이상, 패딩은 0 이상이어야 합니다 / "
                "size, kernel, stride and dilation must be >= 1 and padding >= 0"
            )
        out = (i + 2 * p - d * (f - 1) - 1) // s + 1
        if out < 1:
            raise ValueError(f"출력 크기가 {out}입니다 / the output size would be {out}")
        return out

    return _per_dimension(size, input_size, kernel_size, stride, padding, dilation)
    # END SOLUTION


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
    # BEGIN SOLUTION
    if stride is None:
        stride = kernel_size

    def size(i, f, s, p):
        if min(i, f, s) < 1 or p < 0:
            raise ValueError(
                "크기, 커널, 스트라이드는 1 이상, 패딩은 0 이상이어야 합니다 / "
                "size, kernel and stride must be >= 1 and padding >= 0"
            )
        if 2 * p > f:
            raise ValueError(
                "패딩은 커널 크기의 절반 이하여야 합니다 / padding must be at most half the kernel size"
            )
        span = i + 2 * p - f
        out = (-(-span // s) if ceil_mode else span // s) + 1
        if ceil_mode and (out - 1) * s >= i + p:
            out -= 1
        if out < 1:
            raise ValueError(f"출력 크기가 {out}입니다 / the output size would be {out}")
        return out

    return _per_dimension(size, input_size, kernel_size, stride, padding)
    # END SOLUTION


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
    # BEGIN SOLUTION
    if groups < 1 or in_channels % groups or out_channels % groups:
        raise ValueError(
            "groups는 in_channels와 out_channels를 모두 나누어야 합니다 / "
            "groups must divide both in_channels and out_channels"
        )
    kernel_h, kernel_w = _pair(kernel_size)
    weights = out_channels * (in_channels // groups) * kernel_h * kernel_w
    return int(weights + (out_channels if bias else 0))
    # END SOLUTION


def linear_param_count(in_features, out_features, bias=True):
    """완전 연결층(``nn.Linear``)의 파라미터 수 / Parameters of a fully connected layer.

    ``in_features * out_features`` 가중치 + (bias=True 이면) ``out_features`` 편향.
    ``in_features * out_features`` weights plus ``out_features`` biases when bias=True.

    예 / Example: ``linear_param_count(400, 120) == 48120``.
    """
    # BEGIN SOLUTION
    return int(in_features * out_features + (out_features if bias else 0))
    # END SOLUTION


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
    # BEGIN SOLUTION
    shape = tuple(int(size) for size in input_shape)
    rows = []
    for kind, options in layers:
        options = dict(options)
        n_params = 0
        if kind in ("conv2d", "maxpool2d", "avgpool2d") and len(shape) != 3:
            raise ValueError(f"{kind} needs a (C, H, W) input, got {shape}")
        if kind == "conv2d":
            channels, height, width = shape
            kernel = _pair(options["kernel_size"])
            dilation = _pair(options.get("dilation", 1))
            (top, bottom), (left, right) = _conv_padding(
                options.get("padding", 0), kernel, dilation, _pair(options.get("stride", 1))
            )
            # Asymmetric "same" padding: feed the total padding as the padded input size.
            out_h, out_w = conv_output_size(
                (height + top + bottom, width + left + right), kernel, options.get("stride", 1), 0, dilation
            )
            out_channels = options["out_channels"]
            n_params = conv2d_param_count(
                channels, out_channels, kernel, options.get("bias", True), options.get("groups", 1)
            )
            shape = (out_channels, out_h, out_w)
        elif kind in ("maxpool2d", "avgpool2d"):
            ceil_mode = options.get("ceil_mode", False) if kind == "maxpool2d" else False
            out_h, out_w = pool_output_size(
                shape[1:], options["kernel_size"], options.get("stride"), options.get("padding", 0), ceil_mode
            )
            shape = (shape[0], out_h, out_w)
        elif kind == "relu":
            pass
        elif kind == "flatten":
            shape = (int(np.prod(shape)),)
        elif kind == "linear":
            if len(shape) != 1:
                raise ValueError(f"linear needs a flattened input, got {shape}; add a 'flatten' layer")
            n_params = linear_param_count(shape[0], options["out_features"], options.get("bias", True))
            shape = (options["out_features"],)
        else:
            raise ValueError(f"알 수 없는 층 / unknown layer kind: {kind!r}")
        if min(shape) < 1:
            raise ValueError(f"{kind} produces an empty output {shape}")
        rows.append((kind, shape, n_params))
    return rows
    # END SOLUTION


# ---------------------------------------------------------------------------
# filters: 고전적인 필터 / classic filters
# ---------------------------------------------------------------------------

# 강의 슬라이드의 3x3 필터 (float 배열) / The slides' 3x3 kernels, as float arrays.
# BEGIN SOLUTION
OUTLINE = np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=np.float64)
EMBOSS = np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], dtype=np.float64)
BLUR = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=np.float64) / 16
# END SOLUTION


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
    # BEGIN SOLUTION
    image = np.asarray(image)
    kernel = np.asarray(kernel, dtype=image.dtype)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError("image and kernel must be 2-D arrays")
    return conv2d_forward(image[None, None], kernel[None, None], stride=stride, padding=padding)[0, 0]
    # END SOLUTION


# BEGIN SOLUTION
# ---------------------------------------------------------------------------
# Shared machinery of the reference solution: padding, sliding windows, im2col and col2im.
# ---------------------------------------------------------------------------
#
# 속도에 관한 메모 / Notes on speed (measured against PyTorch: see benchmarks/ in the repository)
#   1. A Python loop over pixels runs about 1000x slower than NumPy's loops in C. The functions below
#      loop in Python at most over the kH*kW kernel offsets (9 for a 3x3 kernel), never over pixels.
#   2. A convolution is one big matrix product (im2col, then matmul). BLAS runs a LARGE matmul close to
#      the processor's peak, so lay the data out to get one large matmul rather than many small ones.
#   3. Moving memory costs as much as arithmetic: avoid needless copies (np.pad, transposes, casting
#      float32 data to float64) and give big buffers back (``del``) as soon as they are no longer used.
#   4. Work on a few images at a time (see _batch_chunks below) so that temporaries stay in the cache.

def _conv_padding(padding, kernel, dilation, stride):
    """((top, bottom), (left, right)) for an int, a pair, "valid" or "same"."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding != "same":
            raise ValueError(f"padding must be an int, a pair, 'valid' or 'same', got {padding!r}")
        if stride != (1, 1):
            raise ValueError("padding='same' needs stride 1 / 'same' 패딩은 스트라이드 1에서만 가능합니다")
        sides = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            # PyTorch puts the odd leftover row/column at the bottom/right.
            sides.append((total // 2, total - total // 2))
        return tuple(sides)
    pad_h, pad_w = _pair(padding)
    if pad_h < 0 or pad_w < 0:
        raise ValueError("padding must be >= 0")
    return (pad_h, pad_h), (pad_w, pad_w)


def _pad(x, pads, fill=0):
    """x (N, C, H, W) surrounded by ``pads = ((top, bottom), (left, right))`` rows/columns of ``fill``.

    One pre-allocated buffer and one copy of x into its middle: what np.pad does, with less overhead.
    Nothing is copied when there is nothing to pad, so callers must only read the result.
    """
    (top, bottom), (left, right) = pads
    if top == bottom == left == right == 0:
        return x
    n, c, h, w = x.shape
    shape = (n, c, h + top + bottom, w + left + right)
    # np.zeros takes memory the operating system has already zeroed; np.full must write every cell.
    padded = np.zeros(shape, x.dtype) if fill == 0 else np.full(shape, fill, x.dtype)
    padded[:, :, top:top + h, left:left + w] = x
    return padded


def _windows(x_padded, kernel, stride, dilation, out_size):
    """A read-only view (N, C, kH, kW, H_out, W_out) of every receptive field (수용장).

    view[n, c, u, v, i, j] == x_padded[n, c, i*S_h + u*D_h, j*S_w + v*D_w]: the unit formula of
    the lecture, without copying anything.
    """
    n_stride, c_stride, h_stride, w_stride = x_padded.strides
    return np.lib.stride_tricks.as_strided(
        x_padded,
        shape=x_padded.shape[:2] + tuple(kernel) + tuple(out_size),
        strides=(
            n_stride, c_stride,
            h_stride * dilation[0], w_stride * dilation[1],
            h_stride * stride[0], w_stride * stride[1],
        ),
        writeable=False,
    )


def _offsets(kernel, stride, dilation, out_size):
    """For each kernel offset (u, v), row-major: ``(u, v, rows, cols)``, the slices it reads.

    Output pixel (i, j) reads x_pad[i*S_h + u*D_h, j*S_w + v*D_w] at offset (u, v); over all (i, j)
    that is ``x_pad[:, :, rows, cols]``, an (N, C, H_out, W_out) strided view (the "shifted input"),
    which equals ``_windows(...)[:, :, u, v]``. Loops over these kH*kW offsets replace loops over
    pixels, and ``grad[:, :, rows, cols] += ...`` adds gradients back with no scatter (np.add.at).
    """
    for u in range(kernel[0]):
        for v in range(kernel[1]):
            top, left = u * dilation[0], v * dilation[1]
            rows = slice(top, top + stride[0] * (out_size[0] - 1) + 1, stride[0])
            cols = slice(left, left + stride[1] * (out_size[1] - 1) + 1, stride[1])
            yield u, v, rows, cols


def _conv_geometry(x, weight, stride, padding, dilation, groups):
    """Validate a convolution and return (pads, stride, dilation, out_size)."""
    if x.ndim != 4 or weight.ndim != 4:
        raise ValueError(f"x and weight must be 4-D (NCHW), got {x.shape} and {weight.shape}")
    stride, dilation = _pair(stride), _pair(dilation)
    if groups < 1 or x.shape[1] % groups or weight.shape[0] % groups:
        raise ValueError("groups must divide in_channels and out_channels")
    if weight.shape[1] * groups != x.shape[1]:
        raise ValueError(
            f"채널 불일치 / channel mismatch: x has {x.shape[1]} channels, "
            f"weight expects {weight.shape[1]} x groups={groups}"
        )
    kernel = weight.shape[2:]
    pads = _conv_padding(padding, kernel, dilation, stride)
    padded = (x.shape[2] + sum(pads[0]), x.shape[3] + sum(pads[1]))
    out_size = conv_output_size(padded, kernel, stride, 0, dilation)
    return pads, stride, dilation, out_size


def _batch_chunks(n_images, bytes_per_image, budget=2 * 2**20):
    """Slices of the batch axis, each holding as many images as fit in ``budget`` bytes (at least one).

    Every layer below works on the batch a few images at a time, so that each big temporary (an
    im2col buffer, a padded copy) stays around 2 MB. A buffer that size stays in the processor's
    cache, and the memory allocator hands the same memory back for the next chunk; a brand-new
    large array instead costs page faults, since the operating system zeroes every new page first.
    For a whole-batch im2col buffer (58 MB for the VGG layer of benchmarks/) that zeroing alone
    takes about as long as the copy itself. Chunking also bounds the peak memory.
    """
    step = max(1, budget // max(1, bytes_per_image))
    return [slice(start, min(start + step, n_images)) for start in range(0, n_images, step)]


def _crop(grad_padded, pads, size):
    """The part of a padded-input gradient that belongs to the real input: drop the padding."""
    (top, _), (left, _) = pads
    return grad_padded[:, :, top:top + size[0], left:left + size[1]]


def _im2col(x_padded, kernel, stride, dilation, out_size, groups):
    """Every receptive field as a column: (G, C_in/G * kH * kW, N * H_out * W_out).

    Rows run over (channel, u, v) and columns over (image n, i, j): folding the images into the
    columns makes the convolution of all of them ONE matmul per group instead of one per image.
    This copy is the single big buffer of the convolution (kH*kW times the input's size).
    """
    windows = _windows(x_padded, kernel, stride, dilation, out_size)            # (N, C, kH, kW, H_out, W_out) view
    columns = np.ascontiguousarray(windows.transpose(1, 2, 3, 0, 4, 5))         # (C, kH, kW, N, H_out, W_out) copy
    return columns.reshape(groups, -1, x_padded.shape[0] * out_size[0] * out_size[1])


def _col2im(dcolumns, padded_shape, kernel, stride, dilation, out_size):
    """Inverse of _im2col for gradients: add every column entry back onto its (padded) input pixel.

    dcolumns: (C, kH, kW, N, H_out, W_out). Returns the gradient of x_padded, (N, C, H_p, W_p).
    One strided ``+=`` per kernel offset: overlapping receptive fields accumulate.
    """
    grad_padded = np.zeros(padded_shape, dcolumns.dtype)
    grad_by_channel = grad_padded.transpose(1, 0, 2, 3)          # (C, N, H_p, W_p) view, the order of dcolumns
    for u, v, rows, cols in _offsets(kernel, stride, dilation, out_size):
        grad_by_channel[:, :, rows, cols] += dcolumns[:, u, v]
    return grad_padded


def _matmul_conv(x_padded, weight, stride, dilation, out_size, groups, out):
    """im2col, then one matmul per group; writes the (N, C_out, H_out, W_out) result into out."""
    c_out = weight.shape[0]
    columns = _im2col(x_padded, weight.shape[2:], stride, dilation, out_size, groups)    # (G, K, N*L)
    # (G, C_out/G, K) @ (G, K, N*L) -> (G, C_out/G, N*L), that is (C_out, N, H_out, W_out):
    result = np.matmul(weight.reshape(groups, c_out // groups, -1), columns)
    out.transpose(1, 0, 2, 3)[...] = result.reshape(c_out, -1, *out_size)              # back to NCHW


def _matmul_conv_backward(dout, x_padded, weight, stride, dilation, out_size, groups, pads):
    """Gradients (dx, dweight) of _matmul_conv; dx has the shape of the unpadded input."""
    c_out, kernel = weight.shape[0], weight.shape[2:]
    weight_rows = weight.reshape(groups, c_out // groups, -1)                           # (G, C_out/G, K)
    columns = _im2col(x_padded, kernel, stride, dilation, out_size, groups)             # (G, K, N*L)
    # dout in the layout of the forward's matmul result, (G, C_out/G, N*L): a small copy.
    dout_rows = dout.reshape(-1, groups, c_out // groups, out_size[0] * out_size[1])
    dout_rows = dout_rows.transpose(1, 2, 0, 3).reshape(groups, c_out // groups, -1)
    # dweight: (C_out/G, N*L) @ (N*L, K) per group. The long inner dimension N*L sums over the
    # images and positions inside BLAS; columns.transpose is a free view, not a copy.
    dweight = np.matmul(dout_rows, columns.transpose(0, 2, 1)).reshape(weight.shape)
    del columns                                        # give the buffer back before dx needs as much
    x_shape = (x_padded.shape[0], x_padded.shape[1],
               x_padded.shape[2] - sum(pads[0]), x_padded.shape[3] - sum(pads[1]))
    # dx, way 1 (stride 1): a convolution again, the "transposed convolution". Input pixel y
    # collects dout[y + P - u*D] * w[u] over the kernel offsets u: that is a correlation of dout,
    # padded by D*(k-1) - P, with the kernel flipped in space and its in/out channels swapped.
    # Its im2col copy is cheaper than col2im's kH*kW scattered additions, so it wins whenever its
    # buffer is no bigger (it is as big when C_out = C_in and padding keeps the size, as in VGG).
    reach = [(dilation[i] * (kernel[i] - 1) - pads[i][0], dilation[i] * (kernel[i] - 1) - pads[i][1])
             for i in (0, 1)]
    if (stride == (1, 1) and min(min(r) for r in reach) >= 0
            and c_out * x_shape[2] * x_shape[3] <= x_shape[1] * out_size[0] * out_size[1]):
        c_in_group, kernel_h, kernel_w = weight.shape[1:]
        flipped = weight.reshape(groups, c_out // groups, c_in_group, kernel_h, kernel_w)[..., ::-1, ::-1]
        flipped = flipped.transpose(0, 2, 1, 3, 4).reshape(x_shape[1], c_out // groups, kernel_h, kernel_w)
        dx = np.empty(x_shape, x_padded.dtype)
        _matmul_conv(_pad(dout, reach), flipped, (1, 1), dilation, x_shape[2:], groups, dx)
        return dx, dweight
    # dx, way 2 (any stride): route each output gradient back through the kernel, then fold the
    # columns into images with col2im.
    if weight_rows.shape[1] == 1:
        # One output channel per group (depthwise): the product is an outer product, and a
        # broadcast multiply does it about 10x faster than matmul with an inner dimension of 1.
        dcolumns = weight_rows.transpose(0, 2, 1) * dout_rows                          # (G, K, N*L)
    else:
        dcolumns = np.matmul(weight_rows.transpose(0, 2, 1), dout_rows)                # (G, K, N*L)
    dcolumns = dcolumns.reshape((x_padded.shape[1],) + tuple(kernel) + (-1,) + tuple(out_size))
    grad_padded = _col2im(dcolumns, x_padded.shape, kernel, stride, dilation, out_size)
    return _crop(grad_padded, pads, x_shape[2:]), dweight


def _conv_image_bytes(x, weight, pads, out_size):
    """Bytes of the larger per-image temporary of a convolution: padded input or im2col columns."""
    padded = x.shape[1] * (x.shape[2] + sum(pads[0])) * (x.shape[3] + sum(pads[1]))
    columns = x.shape[1] * weight.shape[2] * weight.shape[3] * out_size[0] * out_size[1]
    return max(padded, columns) * x.itemsize
# END SOLUTION


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
    # BEGIN SOLUTION
    x = np.asarray(x)
    weight = np.asarray(weight, dtype=x.dtype)       # same dtype as x: no float64 upcast of float32 data
    pads, stride, dilation, out_size = _conv_geometry(x, weight, stride, padding, dilation, groups)
    out = np.empty((x.shape[0], weight.shape[0]) + tuple(out_size), x.dtype)
    for batch in _batch_chunks(x.shape[0], _conv_image_bytes(x, weight, pads, out_size)):
        # A few images at a time: pad them, im2col, one matmul per group, written into out.
        _matmul_conv(_pad(x[batch], pads), weight, stride, dilation, out_size, groups, out[batch])
    if bias is not None:
        out += np.asarray(bias, dtype=x.dtype).reshape(1, -1, 1, 1)         # broadcast over N, H, W
    return out
    # END SOLUTION


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
    # BEGIN SOLUTION
    x = np.asarray(x)
    weight = np.asarray(weight, dtype=x.dtype)
    dout = np.asarray(dout, dtype=x.dtype)
    pads, stride, dilation, out_size = _conv_geometry(x, weight, stride, padding, dilation, groups)
    if dout.shape != (x.shape[0], weight.shape[0]) + tuple(out_size):
        raise ValueError(f"dout has shape {dout.shape}, the forward output is "
                         f"{(x.shape[0], weight.shape[0]) + tuple(out_size)}")
    dx = np.empty_like(x)
    dweight = np.zeros_like(weight)
    for batch in _batch_chunks(x.shape[0], _conv_image_bytes(x, weight, pads, out_size)):
        dx[batch], dweight_batch = _matmul_conv_backward(dout[batch], _pad(x[batch], pads), weight,
                                                         stride, dilation, out_size, groups, pads)
        dweight += dweight_batch                                           # dweight sums over all images
    dbias = dout.sum(axis=(0, 2, 3))
    return dx, dweight, dbias
    # END SOLUTION


# ---------------------------------------------------------------------------
# max_pool / avg_pool: 풀링층 / pooling layers
# ---------------------------------------------------------------------------
# BEGIN SOLUTION

def _pool_geometry(x, kernel_size, stride, padding, ceil_mode):
    """Validate pooling; return (kernel, stride, out_size, pads) with pads as _pad takes them."""
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (NCHW), got shape {x.shape}")
    kernel = _pair(kernel_size)
    stride = kernel if stride is None else _pair(stride)
    padding = _pair(padding)
    out_size = pool_output_size(x.shape[2:], kernel, stride, padding, ceil_mode)
    # ceil_mode's last window may hang past the padded input: pad a little more on that side.
    pads = tuple(
        (p, p + max(0, (out - 1) * s + k - (size + 2 * p)))
        for out, s, k, size, p in zip(out_size, stride, kernel, x.shape[2:], padding)
    )
    return kernel, stride, out_size, pads


def _padded_image_bytes(x, pads):
    return x.shape[1] * (x.shape[2] + sum(pads[0])) * (x.shape[3] + sum(pads[1])) * x.itemsize

# Pooling has no weights to multiply, so no im2col: each function loops over the kH*kW kernel
# offsets and combines whole shifted views (see _offsets) with one vectorized operation each,
# a few images at a time (see _batch_chunks).
# END SOLUTION


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
    # BEGIN SOLUTION
    x = np.asarray(x)
    kernel, stride, out_size, pads = _pool_geometry(x, kernel_size, stride, padding, ceil_mode)
    out = np.empty(x.shape[:2] + tuple(out_size), x.dtype)
    for batch in _batch_chunks(x.shape[0], _padded_image_bytes(x, pads)):
        x_padded = _pad(x[batch], pads, -np.inf)            # -inf padding never wins a max
        out_batch = out[batch]                              # a view: writing to it fills out
        offsets = _offsets(kernel, stride, (1, 1), out_size)
        _, _, rows, cols = next(offsets)
        out_batch[...] = x_padded[:, :, rows, cols]
        for _, _, rows, cols in offsets:
            # A running maximum over the kernel offsets. np.maximum propagates NaN, like PyTorch.
            np.maximum(out_batch, x_padded[:, :, rows, cols], out=out_batch)
    return out
    # END SOLUTION


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
    # BEGIN SOLUTION
    x = np.asarray(x)
    dout = np.asarray(dout, dtype=x.dtype)
    kernel, stride, out_size, pads = _pool_geometry(x, kernel_size, stride, padding, ceil_mode)
    if dout.shape != x.shape[:2] + tuple(out_size):
        raise ValueError(f"dout has shape {dout.shape}, the forward output is {x.shape[:2] + tuple(out_size)}")
    offsets = list(_offsets(kernel, stride, (1, 1), out_size))
    # Offsets are numbered 0, 1, 2, ... in row-major order; the smallest integer type that holds
    # those numbers (uint8 up to 16x16 windows) keeps the bookkeeping cheap.
    number = np.min_scalar_type(len(offsets) - 1).type
    dx = np.empty_like(x)
    for batch in _batch_chunks(x.shape[0], _padded_image_bytes(x, pads)):
        x_padded = _pad(x[batch], pads, -np.inf)
        has_nan = np.isnan(x[batch]).any()                 # NaN is rare: test it once, not per offset
        # The forward pass again, remembering WHICH offset won each window.
        _, _, rows, cols = offsets[0]
        best = x_padded[:, :, rows, cols].copy()
        winner = np.zeros(best.shape, number)
        for index, (_, _, rows, cols) in enumerate(offsets[1:], start=1):
            value = x_padded[:, :, rows, cols]
            # Strictly greater: on a tie the earlier position keeps the win (PyTorch's first-maximum
            # rule). A NaN is the maximum that propagates, so it always wins (as in PyTorch's kernel).
            better = value > best
            if has_nan:
                better |= np.isnan(value)
            np.maximum(best, value, out=best)
            # The numbers grow with the loop, so "winner = index where better" is a maximum. Arithmetic
            # on whole arrays is branch-free, hence much faster than np.where / np.copyto(where=)
            # on the unpredictable masks of real data.
            np.maximum(winner, better * number(index), out=winner)
        grad_padded = np.zeros(x_padded.shape, x.dtype)
        for index, (_, _, rows, cols) in enumerate(offsets):
            # Each window's gradient goes to its winner only; overlapping windows add up. Multiplying
            # by the mask is branch-free too (an inf or NaN in dout would leak to its whole window).
            grad_padded[:, :, rows, cols] += dout[batch] * (winner == index)
        dx[batch] = _crop(grad_padded, pads, x.shape[2:])
    return dx
    # END SOLUTION


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
    # BEGIN SOLUTION
    x = np.asarray(x)
    kernel, stride, out_size, pads = _pool_geometry(x, kernel_size, stride, padding, False)
    out = np.zeros(x.shape[:2] + tuple(out_size), x.dtype)
    for batch in _batch_chunks(x.shape[0], _padded_image_bytes(x, pads)):
        x_padded = _pad(x[batch], pads, 0)
        for _, _, rows, cols in _offsets(kernel, stride, (1, 1), out_size):
            out[batch] += x_padded[:, :, rows, cols]       # window sums, one kernel offset at a time
    out /= _avg_divisor(x, kernel, stride, pads, out_size, count_include_pad)
    return out
    # END SOLUTION


def avg_pool2d_backward(dout, x, kernel_size, stride=None, padding=0, count_include_pad=True):
    """평균 풀링의 역전파: 각 창의 기울기를 창 안의 칸들에 똑같이 나눠 줍니다 (dout / 나눗수).
    Average pooling backward: each window's gradient is shared equally (dout / divisor) by its cells.

    매개변수 / Parameters
        dout: (N, C, H_out, W_out); 나머지는 순전파와 같음 / the rest as in the forward pass.

    반환 / Returns: dx, x와 같은 모양과 dtype / same shape and dtype as x.
    """
    # BEGIN SOLUTION
    x = np.asarray(x)
    dout = np.asarray(dout, dtype=x.dtype)
    kernel, stride, out_size, pads = _pool_geometry(x, kernel_size, stride, padding, False)
    if dout.shape != x.shape[:2] + tuple(out_size):
        raise ValueError(f"dout has shape {dout.shape}, the forward output is {x.shape[:2] + tuple(out_size)}")
    share = dout / _avg_divisor(x, kernel, stride, pads, out_size, count_include_pad)
    padded_size = (x.shape[2] + sum(pads[0]), x.shape[3] + sum(pads[1]))
    dx = np.empty_like(x)
    for batch in _batch_chunks(x.shape[0], _padded_image_bytes(x, pads)):
        grad_padded = np.zeros(share[batch].shape[:2] + padded_size, x.dtype)
        for _, _, rows, cols in _offsets(kernel, stride, (1, 1), out_size):
            grad_padded[:, :, rows, cols] += share[batch]  # every cell of a window gets an equal share
        dx[batch] = _crop(grad_padded, pads, x.shape[2:])
    return dx
    # END SOLUTION


# BEGIN SOLUTION
def _avg_divisor(x, kernel, stride, pads, out_size, count_include_pad):
    """kH*kW, or (count_include_pad=False) the number of real input cells in each window (H_out, W_out)."""
    if count_include_pad:
        return x.dtype.type(kernel[0] * kernel[1])
    # Along each axis, count the window's rows (columns) that lie inside the real input; the number
    # of real cells of window (i, j) is then rows[i] * cols[j], an outer product.
    counts = []
    for size, k, s, (before, _), out in zip(x.shape[2:], kernel, stride, pads, out_size):
        start = np.arange(out) * s - before                # first row of each window, in input coordinates
        counts.append(np.minimum(start + k, size) - np.maximum(start, 0))
    return np.outer(*counts).astype(x.dtype)
# END SOLUTION


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
    # BEGIN SOLUTION
    x = np.asarray(x)
    p = {name: np.asarray(value, dtype=x.dtype) for name, value in params.items()}
    h = np.maximum(conv2d_forward(x, p["conv1.weight"], p["conv1.bias"]), 0)
    h = max_pool2d_forward(h, 2)
    h = np.maximum(conv2d_forward(h, p["conv2.weight"], p["conv2.bias"]), 0)
    h = max_pool2d_forward(h, 2).reshape(x.shape[0], -1)
    h = np.maximum(h @ p["fc1.weight"].T + p["fc1.bias"], 0)
    h = np.maximum(h @ p["fc2.weight"].T + p["fc2.bias"], 0)
    return h @ p["fc3.weight"].T + p["fc3.bias"]
    # END SOLUTION
