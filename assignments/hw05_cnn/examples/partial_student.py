"""Example submission of a student who ran out of time: pooling backward and LeNet-5 are
still stubs, and avg pooling ignores count_include_pad.

CNN layers with plain Python loops (an example student submission).

This file implements the whole hw05_cnn contract with NumPy only. It is
written the way a careful student would write it: explicit loops over the
output positions, and at most the innermost multiply-accumulate vectorised
with ``np.sum`` over a window slice. It is slow on purpose but correct, and
it doubles as the plain-loop baseline of the performance benchmark.

All arrays are NCHW, as in PyTorch. Every function keeps the input's float
dtype (float32 in, float32 out) and never modifies its inputs.
"""

import numpy as np


# ---------------------------------------------------------------------------
# Small helpers for checking arguments
# ---------------------------------------------------------------------------

def _is_int(value):
    """True for Python and NumPy integers (but not for booleans)."""
    if isinstance(value, (bool, np.bool_)):
        return False
    return isinstance(value, (int, np.integer))


def _is_pair(value):
    """True when value looks like an (h, w) pair rather than a single int."""
    if isinstance(value, np.ndarray):
        return value.ndim == 1
    return isinstance(value, (tuple, list))


def _pair(value, name):
    """Turn an int or an (h, w) pair into a tuple of two Python ints."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or an (h, w) pair, got {value!r}")
        h, w = value
    else:
        h, w = value, value
    if not (_is_int(h) and _is_int(w)):
        raise ValueError(f"{name} must be an int or an (h, w) pair of ints, got {value!r}")
    return int(h), int(w)


def _check_at_least(values, minimum, name):
    """Raise ValueError when any value of the pair is below minimum."""
    for v in values:
        if v < minimum:
            raise ValueError(f"{name} must be >= {minimum}, got {v}")


def _float_dtype(array):
    """The dtype to compute in: the array's float dtype, else float64."""
    if np.issubdtype(array.dtype, np.floating):
        return array.dtype
    return np.dtype(np.float64)


def _conv_padding(padding, kernel_hw, dilation_hw, stride_hw):
    """Resolve conv padding to ((top, bottom), (left, right)).

    padding may be an int, an (h, w) pair, "valid" (no padding) or "same"
    (output as large as the input; only with stride 1). For "same" an odd
    leftover row/column goes to the bottom/right, as in PyTorch.
    """
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "same":
            if stride_hw != (1, 1):
                raise ValueError("padding='same' is only allowed with stride 1")
            pads = []
            for k, d in zip(kernel_hw, dilation_hw):
                total = d * (k - 1)
                before = total // 2
                pads.append((before, total - before))
            return pads[0], pads[1]
        raise ValueError(f"padding must be an int, a pair, 'valid' or 'same', got {padding!r}")
    ph, pw = _pair(padding, "padding")
    _check_at_least((ph, pw), 0, "padding")
    return (ph, ph), (pw, pw)


def _conv_out_1d(size, kernel, stride, total_padding, dilation):
    """Conv output length along one axis: floor((I + pads - D*(F-1) - 1) / S) + 1."""
    return (size + total_padding - dilation * (kernel - 1) - 1) // stride + 1


def _pool_out_1d(size, kernel, stride, padding, ceil_mode):
    """Pool output length along one axis, with PyTorch's ceil_mode rule."""
    span = size + 2 * padding - kernel
    if ceil_mode:
        out = -(-span // stride) + 1  # ceil division
        # A last window that would start inside the right padding is dropped.
        if (out - 1) * stride >= size + padding:
            out -= 1
    else:
        out = span // stride + 1
    return out


# ---------------------------------------------------------------------------
# Question output_size
# ---------------------------------------------------------------------------

def conv_output_size(input_size, kernel_size, stride=1, padding=0, dilation=1):
    """Output size of a convolution: floor((I + 2P - D*(F-1) - 1) / S) + 1.

    Every argument is an int or an (h, w) pair. The result is an (h, w)
    tuple when any argument is a pair, otherwise an int.
    """
    args = (input_size, kernel_size, stride, padding, dilation)
    any_pair = any(_is_pair(a) for a in args)

    sizes = _pair(input_size, "input_size")
    kernels = _pair(kernel_size, "kernel_size")
    strides = _pair(stride, "stride")
    pads = _pair(padding, "padding")
    dilations = _pair(dilation, "dilation")
    _check_at_least(sizes, 1, "input_size")
    _check_at_least(kernels, 1, "kernel_size")
    _check_at_least(strides, 1, "stride")
    _check_at_least(dilations, 1, "dilation")
    _check_at_least(pads, 0, "padding")

    result = []
    for axis in range(2):
        out = _conv_out_1d(sizes[axis], kernels[axis], strides[axis],
                           2 * pads[axis], dilations[axis])
        if out < 1:
            raise ValueError(f"the convolution output would be empty (size {out})")
        result.append(out)

    if any_pair:
        return tuple(result)
    return result[0]


def pool_output_size(input_size, kernel_size, stride=None, padding=0, ceil_mode=False):
    """Output size of a pooling layer: floor (or ceil) of (I + 2P - F) / S, plus 1.

    stride=None means stride = kernel_size. With ceil_mode a last window
    that would start inside the right padding is dropped (PyTorch's rule).
    """
    if stride is None:
        stride = kernel_size
    args = (input_size, kernel_size, stride, padding)
    any_pair = any(_is_pair(a) for a in args)

    sizes = _pair(input_size, "input_size")
    kernels = _pair(kernel_size, "kernel_size")
    strides = _pair(stride, "stride")
    pads = _pair(padding, "padding")
    _check_at_least(sizes, 1, "input_size")
    _check_at_least(kernels, 1, "kernel_size")
    _check_at_least(strides, 1, "stride")
    _check_at_least(pads, 0, "padding")

    result = []
    for axis in range(2):
        # PyTorch: "pad should be at most half of kernel size".
        if 2 * pads[axis] > kernels[axis]:
            raise ValueError("padding must be at most half of the kernel size")
        out = _pool_out_1d(sizes[axis], kernels[axis], strides[axis],
                           pads[axis], bool(ceil_mode))
        if out < 1:
            raise ValueError(f"the pooling output would be empty (size {out})")
        result.append(out)

    if any_pair:
        return tuple(result)
    return result[0]


# ---------------------------------------------------------------------------
# Question param_count
# ---------------------------------------------------------------------------

def conv2d_param_count(in_channels, out_channels, kernel_size, bias=True, groups=1):
    """Number of parameters of nn.Conv2d: C_out * (C_in / groups) * kH * kW (+ C_out)."""
    for name, value in (("in_channels", in_channels), ("out_channels", out_channels),
                        ("groups", groups)):
        if not _is_int(value) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    kh, kw = _pair(kernel_size, "kernel_size")
    _check_at_least((kh, kw), 1, "kernel_size")
    if in_channels % groups != 0 or out_channels % groups != 0:
        raise ValueError("groups must divide both in_channels and out_channels")

    count = out_channels * (in_channels // groups) * kh * kw
    if bias:
        count += out_channels
    return int(count)


def linear_param_count(in_features, out_features, bias=True):
    """Number of parameters of nn.Linear: in * out (+ out for the bias)."""
    for name, value in (("in_features", in_features), ("out_features", out_features)):
        if not _is_int(value) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    count = in_features * out_features
    if bias:
        count += out_features
    return int(count)


# Keyword arguments each layer kind accepts in cnn_summary (and their defaults).
_LAYER_DEFAULTS = {
    "conv2d": {"out_channels": None, "kernel_size": None, "stride": 1, "padding": 0,
               "dilation": 1, "groups": 1, "bias": True},
    "maxpool2d": {"kernel_size": None, "stride": None, "padding": 0, "ceil_mode": False},
    "avgpool2d": {"kernel_size": None, "stride": None, "padding": 0, "ceil_mode": False,
                  "count_include_pad": True},
    "relu": {"inplace": False},
    "flatten": {},
    "linear": {"out_features": None, "bias": True},
}
_REQUIRED = {"conv2d": ("out_channels", "kernel_size"), "maxpool2d": ("kernel_size",),
             "avgpool2d": ("kernel_size",), "linear": ("out_features",)}


def _layer_options(kind, kwargs):
    """Merge the user's kwargs with the defaults of this layer kind."""
    if kind not in _LAYER_DEFAULTS:
        raise ValueError(f"unknown layer kind {kind!r}")
    options = dict(_LAYER_DEFAULTS[kind])
    for key, value in kwargs.items():
        if key not in options:
            raise ValueError(f"layer {kind!r} does not take the argument {key!r}")
        options[key] = value
    for key in _REQUIRED.get(kind, ()):
        if options[key] is None:
            raise ValueError(f"layer {kind!r} needs the argument {key!r}")
    return options


def cnn_summary(input_shape, layers):
    """Summarise a network like torchinfo: one (kind, output_shape, n_params) row per layer.

    input_shape is (C, H, W) without the batch dimension; layers is a list of
    (kind, kwargs) pairs. in_channels / in_features come from the running shape.
    """
    shape = tuple(input_shape)
    if len(shape) != 3 or not all(_is_int(s) and s >= 1 for s in shape):
        raise ValueError(f"input_shape must be (C, H, W) with positive ints, got {input_shape!r}")
    shape = tuple(int(s) for s in shape)

    rows = []
    for layer in layers:
        # Accept ("relu", {}) as well as the shorthand "relu" or ("relu",).
        if isinstance(layer, str):
            kind, kwargs = layer, {}
        elif len(layer) == 1:
            kind, kwargs = layer[0], {}
        else:
            kind, kwargs = layer
        if kwargs is None:
            kwargs = {}
        if not isinstance(kind, str):
            raise ValueError(f"unknown layer kind {kind!r}")
        kind = kind.lower()
        opts = _layer_options(kind, kwargs)

        if kind in ("conv2d", "maxpool2d", "avgpool2d") and len(shape) != 3:
            raise ValueError(f"{kind} needs a (C, H, W) input, got shape {shape}")

        if kind == "conv2d":
            c, h, w = shape
            out_channels = opts["out_channels"]
            kernel = _pair(opts["kernel_size"], "kernel_size")
            stride = _pair(opts["stride"], "stride")
            dilation = _pair(opts["dilation"], "dilation")
            _check_at_least(kernel, 1, "kernel_size")
            _check_at_least(stride, 1, "stride")
            _check_at_least(dilation, 1, "dilation")
            n_params = conv2d_param_count(c, out_channels, kernel, bias=opts["bias"],
                                          groups=opts["groups"])
            pad_h, pad_w = _conv_padding(opts["padding"], kernel, dilation, stride)
            out_h = _conv_out_1d(h, kernel[0], stride[0], sum(pad_h), dilation[0])
            out_w = _conv_out_1d(w, kernel[1], stride[1], sum(pad_w), dilation[1])
            if out_h < 1 or out_w < 1:
                raise ValueError(f"conv2d output would be empty ({out_h} x {out_w})")
            shape = (int(out_channels), out_h, out_w)

        elif kind in ("maxpool2d", "avgpool2d"):
            c, h, w = shape
            # pool_output_size raises ValueError for an empty output.
            out_h, out_w = pool_output_size((h, w), opts["kernel_size"], opts["stride"],
                                            opts["padding"], opts["ceil_mode"])
            shape = (c, out_h, out_w)
            n_params = 0

        elif kind == "relu":
            n_params = 0

        elif kind == "flatten":
            total = 1
            for s in shape:
                total *= s
            shape = (total,)
            n_params = 0

        else:  # linear
            if len(shape) != 1:
                raise ValueError(f"linear needs a flattened input, got shape {shape}")
            out_features = opts["out_features"]
            n_params = linear_param_count(shape[0], out_features, bias=opts["bias"])
            shape = (int(out_features),)

        rows.append((kind, shape, int(n_params)))
    return rows


# ---------------------------------------------------------------------------
# Question filters
# ---------------------------------------------------------------------------

# The 3x3 kernels from the slides.
OUTLINE = np.array([[-1.0, -1.0, -1.0],
                    [-1.0, 8.0, -1.0],
                    [-1.0, -1.0, -1.0]])

EMBOSS = np.array([[-2.0, -1.0, 0.0],
                   [-1.0, 1.0, 1.0],
                   [0.0, 1.0, 2.0]])

BLUR = np.array([[1 / 16, 1 / 8, 1 / 16],
                 [1 / 8, 1 / 4, 1 / 8],
                 [1 / 16, 1 / 8, 1 / 16]])


def correlate2d(image, kernel, stride=1, padding=0):
    """2-D cross-correlation (no kernel flip) of an (H, W) image with zero padding."""
    image = np.asarray(image)
    kernel = np.asarray(kernel)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError("image and kernel must both be 2-D arrays")
    dtype = _float_dtype(image)
    sh, sw = _pair(stride, "stride")
    ph, pw = _pair(padding, "padding")
    _check_at_least((sh, sw), 1, "stride")
    _check_at_least((ph, pw), 0, "padding")

    H, W = image.shape
    kh, kw = kernel.shape
    if kh < 1 or kw < 1:
        raise ValueError("the kernel must not be empty")
    if kh > H + 2 * ph or kw > W + 2 * pw:
        raise ValueError("the kernel is larger than the padded image")

    # Copy the image into a zero-padded array (the input stays untouched).
    padded = np.zeros((H + 2 * ph, W + 2 * pw), dtype=dtype)
    padded[ph:ph + H, pw:pw + W] = image
    k = kernel.astype(dtype)

    out_h = (H + 2 * ph - kh) // sh + 1
    out_w = (W + 2 * pw - kw) // sw + 1
    out = np.zeros((out_h, out_w), dtype=dtype)
    for i in range(out_h):
        for j in range(out_w):
            window = padded[i * sh:i * sh + kh, j * sw:j * sw + kw]
            out[i, j] = np.sum(window * k)
    return out


# ---------------------------------------------------------------------------
# Questions conv_forward and conv_backward
# ---------------------------------------------------------------------------

def _conv_setup(x, weight, stride, padding, dilation, groups):
    """Check conv arguments and return everything the loops need."""
    if x.ndim != 4:
        raise ValueError(f"x must be (N, C_in, H, W), got shape {x.shape}")
    if weight.ndim != 4:
        raise ValueError(f"weight must be (C_out, C_in // groups, kH, kW), got shape {weight.shape}")
    if not _is_int(groups) or groups < 1:
        raise ValueError(f"groups must be a positive int, got {groups!r}")
    N, C_in, H, W = x.shape
    C_out, C_in_g, kh, kw = weight.shape
    if C_in % groups != 0 or C_out % groups != 0:
        raise ValueError("groups must divide both the input and the output channels")
    if C_in_g != C_in // groups:
        raise ValueError(f"weight expects {C_in_g * groups} input channels, x has {C_in}")
    if kh < 1 or kw < 1 or C_out < 1:
        raise ValueError("the weight must not be empty")

    stride_hw = _pair(stride, "stride")
    dilation_hw = _pair(dilation, "dilation")
    _check_at_least(stride_hw, 1, "stride")
    _check_at_least(dilation_hw, 1, "dilation")
    pad_h, pad_w = _conv_padding(padding, (kh, kw), dilation_hw, stride_hw)

    # Size of the kernel once dilated, and of the padded input.
    eff_kh = dilation_hw[0] * (kh - 1) + 1
    eff_kw = dilation_hw[1] * (kw - 1) + 1
    Hp = H + pad_h[0] + pad_h[1]
    Wp = W + pad_w[0] + pad_w[1]
    if eff_kh > Hp or eff_kw > Wp:
        raise ValueError("the (dilated) kernel is larger than the padded input")
    out_h = (Hp - eff_kh) // stride_hw[0] + 1
    out_w = (Wp - eff_kw) // stride_hw[1] + 1
    return {
        "stride": stride_hw, "dilation": dilation_hw, "pad_h": pad_h, "pad_w": pad_w,
        "eff_kh": eff_kh, "eff_kw": eff_kw, "Hp": Hp, "Wp": Wp,
        "out_shape": (N, C_out, out_h, out_w),
    }


def _pad_input(x, pad_h, pad_w, dtype):
    """Return a zero-padded copy of x (N, C, H, W)."""
    N, C, H, W = x.shape
    padded = np.zeros((N, C, H + pad_h[0] + pad_h[1], W + pad_w[0] + pad_w[1]), dtype=dtype)
    padded[:, :, pad_h[0]:pad_h[0] + H, pad_w[0]:pad_w[0] + W] = x
    return padded


def conv2d_forward(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Forward pass of a 2-D convolution (PyTorch's cross-correlation).

    x (N, C_in, H, W), weight (C_out, C_in // groups, kH, kW), bias (C_out,)
    or None. Returns (N, C_out, H_out, W_out) in x's dtype.
    """
    x = np.asarray(x)
    weight = np.asarray(weight)
    dtype = _float_dtype(x)
    s = _conv_setup(x, weight, stride, padding, dilation, groups)
    N, C_out, out_h, out_w = s["out_shape"]
    C_in_g = weight.shape[1]
    c_out_per_group = C_out // groups
    sh, sw = s["stride"]
    dh, dw = s["dilation"]
    eff_kh, eff_kw = s["eff_kh"], s["eff_kw"]

    if bias is not None:
        bias = np.asarray(bias)
        if bias.shape != (C_out,):
            raise ValueError(f"bias must have shape ({C_out},), got {bias.shape}")
        bias = bias.astype(dtype)

    x_pad = _pad_input(x, s["pad_h"], s["pad_w"], dtype)
    w = weight.astype(dtype)
    out = np.zeros((N, C_out, out_h, out_w), dtype=dtype)

    for n in range(N):
        for co in range(C_out):
            # Output channel co only sees the input channels of its group.
            c_start = (co // c_out_per_group) * C_in_g
            for i in range(out_h):
                h0 = i * sh
                for j in range(out_w):
                    w0 = j * sw
                    # The window, taking every dh-th row and dw-th column (dilation).
                    window = x_pad[n, c_start:c_start + C_in_g,
                                   h0:h0 + eff_kh:dh, w0:w0 + eff_kw:dw]
                    value = np.sum(window * w[co])
                    if bias is not None:
                        value = value + bias[co]
                    out[n, co, i, j] = value
    return out


def conv2d_backward(dout, x, weight, stride=1, padding=0, dilation=1, groups=1):
    """Gradients (dx, dweight, dbias) of sum(conv2d_forward(x, weight, bias) * dout).

    dbias always has shape (C_out,): the sum of dout over N, H_out and W_out.
    """
    x = np.asarray(x)
    weight = np.asarray(weight)
    dout = np.asarray(dout)
    dtype = _float_dtype(x)
    w_dtype = _float_dtype(weight)
    s = _conv_setup(x, weight, stride, padding, dilation, groups)
    if dout.shape != s["out_shape"]:
        raise ValueError(f"dout must have shape {s['out_shape']}, got {dout.shape}")
    N, C_out, out_h, out_w = s["out_shape"]
    _, C_in, H, W = x.shape
    C_in_g = weight.shape[1]
    c_out_per_group = C_out // groups
    sh, sw = s["stride"]
    dh, dw = s["dilation"]
    eff_kh, eff_kw = s["eff_kh"], s["eff_kw"]
    pad_h, pad_w = s["pad_h"], s["pad_w"]

    x_pad = _pad_input(x, pad_h, pad_w, dtype)
    w = weight.astype(dtype)
    dx_pad = np.zeros_like(x_pad)
    dweight = np.zeros(weight.shape, dtype=w_dtype)
    dbias = np.zeros(C_out, dtype=_float_dtype(dout))

    for n in range(N):
        for co in range(C_out):
            c_start = (co // c_out_per_group) * C_in_g
            for i in range(out_h):
                h0 = i * sh
                for j in range(out_w):
                    w0 = j * sw
                    g = dout[n, co, i, j]
                    # out[n, co, i, j] = sum(window * w[co]), so:
                    #   d/d window = g * w[co]    and    d/d w[co] = g * window.
                    window = x_pad[n, c_start:c_start + C_in_g,
                                   h0:h0 + eff_kh:dh, w0:w0 + eff_kw:dw]
                    dx_pad[n, c_start:c_start + C_in_g,
                           h0:h0 + eff_kh:dh, w0:w0 + eff_kw:dw] += g * w[co]
                    dweight[co] += g * window

    # The bias is added to every output position of its channel.
    for co in range(C_out):
        dbias[co] = np.sum(dout[:, co])

    # Drop the gradient that fell on the padding.
    dx = dx_pad[:, :, pad_h[0]:pad_h[0] + H, pad_w[0]:pad_w[0] + W].copy()
    return dx, dweight, dbias


# ---------------------------------------------------------------------------
# Questions max_pool and avg_pool
# ---------------------------------------------------------------------------

def _pool_setup(x, kernel_size, stride, padding, ceil_mode):
    """Check pooling arguments; return (kernel, stride, padding, output (h, w))."""
    if x.ndim != 4:
        raise ValueError(f"x must be (N, C, H, W), got shape {x.shape}")
    if stride is None:
        stride = kernel_size
    kernel_hw = _pair(kernel_size, "kernel_size")
    stride_hw = _pair(stride, "stride")
    pad_hw = _pair(padding, "padding")
    # pool_output_size checks every argument and raises ValueError if needed.
    out_hw = pool_output_size(tuple(x.shape[2:]), kernel_hw, stride_hw, pad_hw, ceil_mode)
    return kernel_hw, stride_hw, pad_hw, out_hw


def _window_1d(index, kernel, stride, padding, size):
    """Window [start, end) along one axis, clipped to the real input."""
    start = index * stride - padding
    end = min(start + kernel, size)
    return max(start, 0), end


def max_pool2d_forward(x, kernel_size, stride=None, padding=0, ceil_mode=False):
    """Max pooling; padding counts as -inf, so it never wins."""
    x = np.asarray(x)
    dtype = _float_dtype(x)
    (kh, kw), (sh, sw), (ph, pw), (out_h, out_w) = _pool_setup(
        x, kernel_size, stride, padding, ceil_mode)
    N, C, H, W = x.shape
    out = np.zeros((N, C, out_h, out_w), dtype=dtype)
    for n in range(N):
        for c in range(C):
            for i in range(out_h):
                h0, h1 = _window_1d(i, kh, sh, ph, H)
                for j in range(out_w):
                    w0, w1 = _window_1d(j, kw, sw, pw, W)
                    # Only real pixels: a -inf padding value could never be the max.
                    out[n, c, i, j] = np.max(x[n, c, h0:h1, w0:w1])
    return out


def max_pool2d_backward(dout, x, kernel_size, stride=None, padding=0, ceil_mode=False):
    """Gradient of max pooling: each dout goes to the max of its window.

    A tie goes to the first maximum in row-major order; windows that
    overlap add up their gradients.
    """
    x = np.asarray(x)
    dout = np.asarray(dout)
    dtype = _float_dtype(x)
    (kh, kw), (sh, sw), (ph, pw), (out_h, out_w) = _pool_setup(
        x, kernel_size, stride, padding, ceil_mode)
    N, C, H, W = x.shape
    if dout.shape != (N, C, out_h, out_w):
        raise ValueError(f"dout must have shape {(N, C, out_h, out_w)}, got {dout.shape}")
    dx = np.zeros((N, C, H, W), dtype=dtype)
    for n in range(N):
        for c in range(C):
            for i in range(out_h):
                h0, h1 = _window_1d(i, kh, sh, ph, H)
                for j in range(out_w):
                    w0, w1 = _window_1d(j, kw, sw, pw, W)
                    window = x[n, c, h0:h1, w0:w1]
                    # np.argmax returns the first maximum in row-major order.
                    flat_index = int(np.argmax(window))
                    r, q = divmod(flat_index, window.shape[1])
                    dx[n, c, h0 + r, w0 + q] += dout[n, c, i, j]
    return dx


def _avg_window(i, j, kernel_hw, stride_hw, pad_hw, H, W, count_include_pad):
    """Clipped window bounds and the divisor for one average-pooling output."""
    (kh, kw), (sh, sw), (ph, pw) = kernel_hw, stride_hw, pad_hw
    h0 = i * sh - ph
    w0 = j * sw - pw
    # The window clipped to the padded input (this is PyTorch's divisor
    # when padding is counted).
    h1 = min(h0 + kh, H + ph)
    w1 = min(w0 + kw, W + pw)
    padded_count = (h1 - h0) * (w1 - w0)
    # The window clipped to the real input.
    h0, w0 = max(h0, 0), max(w0, 0)
    h1, w1 = min(h1, H), min(w1, W)
    if count_include_pad:
        divisor = padded_count
    else:
        divisor = (h1 - h0) * (w1 - w0)
    return h0, h1, w0, w1, divisor


def avg_pool2d_forward(x, kernel_size, stride=None, padding=0, count_include_pad=True):
    """Average pooling; padded zeros count in the divisor when count_include_pad."""
    x = np.asarray(x)
    dtype = _float_dtype(x)
    kernel_hw, stride_hw, pad_hw, (out_h, out_w) = _pool_setup(
        x, kernel_size, stride, padding, False)
    N, C, H, W = x.shape
    out = np.zeros((N, C, out_h, out_w), dtype=dtype)
    for n in range(N):
        for c in range(C):
            for i in range(out_h):
                for j in range(out_w):
                    h0, h1, w0, w1, divisor = _avg_window(
                        i, j, kernel_hw, stride_hw, pad_hw, H, W, count_include_pad)
                    out[n, c, i, j] = np.sum(x[n, c, h0:h1, w0:w1]) / divisor
    return out


def avg_pool2d_backward(dout, x, kernel_size, stride=None, padding=0, count_include_pad=True):
    """Gradient of average pooling: each dout is shared equally by its window."""
    x = np.asarray(x)
    dout = np.asarray(dout)
    dtype = _float_dtype(x)
    kernel_hw, stride_hw, pad_hw, (out_h, out_w) = _pool_setup(
        x, kernel_size, stride, padding, False)
    N, C, H, W = x.shape
    if dout.shape != (N, C, out_h, out_w):
        raise ValueError(f"dout must have shape {(N, C, out_h, out_w)}, got {dout.shape}")
    dx = np.zeros((N, C, H, W), dtype=dtype)
    for n in range(N):
        for c in range(C):
            for i in range(out_h):
                for j in range(out_w):
                    h0, h1, w0, w1, divisor = _avg_window(
                        i, j, kernel_hw, stride_hw, pad_hw, H, W, count_include_pad)
                    dx[n, c, h0:h1, w0:w1] += dout[n, c, i, j] / divisor
    return dx


# ---------------------------------------------------------------------------
# Question lenet5
# ---------------------------------------------------------------------------

def _relu(x):
    """ReLU that keeps the dtype."""
    return np.maximum(x, 0)


def _linear(x, weight, bias):
    """A linear layer x @ W.T + b, one output feature at a time."""
    weight = np.asarray(weight)
    bias = np.asarray(bias)
    N, in_features = x.shape
    out_features = weight.shape[0]
    if weight.shape != (out_features, in_features) or bias.shape != (out_features,):
        raise ValueError(f"linear layer expects {in_features} inputs, weight has shape {weight.shape}")
    out = np.zeros((N, out_features), dtype=x.dtype)
    for n in range(N):
        for o in range(out_features):
            out[n, o] = np.sum(x[n] * weight[o]) + bias[o]
    return out


def lenet5_forward(x, params):
    """LeNet-5 forward pass: x (N, 1, 32, 32) -> logits (N, 10).

    params uses PyTorch's state_dict names (conv1.weight, ..., fc3.bias).
    """
    x = np.asarray(x)
    if x.ndim != 4 or x.shape[1:] != (1, 32, 32):
        raise ValueError(f"x must be (N, 1, 32, 32), got shape {x.shape}")
    dtype = _float_dtype(x)
    p = {name: np.asarray(value, dtype=dtype) for name, value in params.items()}

    h = conv2d_forward(x.astype(dtype), p["conv1.weight"], p["conv1.bias"])  # (N, 6, 28, 28)
    h = max_pool2d_forward(_relu(h), 2)                                       # (N, 6, 14, 14)
    h = conv2d_forward(h, p["conv2.weight"], p["conv2.bias"])                 # (N, 16, 10, 10)
    h = max_pool2d_forward(_relu(h), 2)                                       # (N, 16, 5, 5)
    h = h.reshape(h.shape[0], -1)                 # flatten in NCHW order -> (N, 400)
    h = _relu(_linear(h, p["fc1.weight"], p["fc1.bias"]))                     # (N, 120)
    h = _relu(_linear(h, p["fc2.weight"], p["fc2.bias"]))                     # (N, 84)
    return _linear(h, p["fc3.weight"], p["fc3.bias"])                         # (N, 10)


# ---- not finished before the deadline -------------------------------------------------

def max_pool2d_backward(dout, x, kernel_size, stride=None, padding=0, ceil_mode=False):
    raise NotImplementedError("[max_pool] max_pool2d_backward: 아직 구현하지 않았습니다 / not implemented yet")


def avg_pool2d_backward(dout, x, kernel_size, stride=None, padding=0, count_include_pad=True):
    raise NotImplementedError("[avg_pool] avg_pool2d_backward: 아직 구현하지 않았습니다 / not implemented yet")


_avg_pool2d_forward_with_padding_rule = avg_pool2d_forward


def avg_pool2d_forward(x, kernel_size, stride=None, padding=0, count_include_pad=True):
    # Always divides by the full window size: wrong when count_include_pad=False.
    return _avg_pool2d_forward_with_padding_rule(x, kernel_size, stride, padding, True)


def lenet5_forward(x, params):
    raise NotImplementedError("[lenet5] lenet5_forward: 아직 구현하지 않았습니다 / not implemented yet")
