"""Example submission of a student who ran out of time.

The sizes, parameter counts and filters are done; the convolution handles stride and padding
but not dilation or groups; pooling and LeNet-5 are still stubs. Expect partial credit.
"""

import numpy as np


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def _sizes(formula, *arguments):
    pairs = [_pair(argument) for argument in arguments]
    result = tuple(formula(*(pair[axis] for pair in pairs)) for axis in range(2))
    if min(result) < 1:
        raise ValueError("output would be empty")
    return result if any(isinstance(argument, (tuple, list)) for argument in arguments) else result[0]


def conv_output_size(input_size, kernel_size, stride=1, padding=0, dilation=1):
    for value in (input_size, kernel_size, stride, dilation):
        if min(_pair(value)) < 1:
            raise ValueError("sizes, kernel, stride and dilation must be positive")
    if min(_pair(padding)) < 0:
        raise ValueError("padding must be >= 0")
    return _sizes(lambda i, f, s, p, d: (i + 2 * p - d * (f - 1) - 1) // s + 1,
                  input_size, kernel_size, stride, padding, dilation)


def pool_output_size(input_size, kernel_size, stride=None, padding=0, ceil_mode=False):
    stride = kernel_size if stride is None else stride
    for value in (input_size, kernel_size, stride):
        if min(_pair(value)) < 1:
            raise ValueError("sizes, kernel and stride must be positive")
    for p, f in zip(_pair(padding), _pair(kernel_size)):
        if p < 0 or 2 * p > f:
            raise ValueError("padding must be between 0 and half the kernel")

    def size(i, f, s, p):
        out = (i + 2 * p - f + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (out - 1) * s >= i + p:
            out -= 1
        return out

    return _sizes(size, input_size, kernel_size, stride, padding)


def conv2d_param_count(in_channels, out_channels, kernel_size, bias=True, groups=1):
    if in_channels % groups or out_channels % groups:
        raise ValueError("groups must divide the channels")
    kh, kw = _pair(kernel_size)
    return out_channels * (in_channels // groups) * kh * kw + (out_channels if bias else 0)


def linear_param_count(in_features, out_features, bias=True):
    return in_features * out_features + (out_features if bias else 0)


def cnn_summary(input_shape, layers):
    raise NotImplementedError("[param_count] cnn_summary: 아직 구현하지 않았습니다 / not implemented yet")


OUTLINE = np.array([[-1.0, -1, -1], [-1, 8, -1], [-1, -1, -1]])
EMBOSS = np.array([[-2.0, -1, 0], [-1, 1, 1], [0, 1, 2]])
BLUR = np.array([[1.0, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16


def correlate2d(image, kernel, stride=1, padding=0):
    return conv2d_forward(np.asarray(image)[None, None], np.asarray(kernel)[None, None],
                          stride=stride, padding=padding)[0, 0]


def conv2d_forward(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    # TODO: dilation, groups and padding="same"/"valid" are not supported yet.
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    n, c, h, w = x.shape
    c_out, c_in, kh, kw = weight.shape
    if c_in != c:
        raise ValueError("channel mismatch")
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    h_out, w_out = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    if h_out < 1 or w_out < 1:
        raise ValueError("kernel larger than the padded input")
    out = np.zeros((n, c_out, h_out, w_out), dtype=x.dtype)
    for i in range(h_out):
        for j in range(w_out):
            window = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            out[:, :, i, j] = np.tensordot(window, weight, axes=([1, 2, 3], [1, 2, 3]))
    if bias is not None:
        out += bias.reshape(1, -1, 1, 1)
    return out


def conv2d_backward(dout, x, weight, stride=1, padding=0, dilation=1, groups=1):
    raise NotImplementedError("[conv_backward] conv2d_backward: 아직 구현하지 않았습니다 / not implemented yet")


def max_pool2d_forward(x, kernel_size, stride=None, padding=0, ceil_mode=False):
    raise NotImplementedError("[max_pool] max_pool2d_forward: 아직 구현하지 않았습니다 / not implemented yet")


def max_pool2d_backward(dout, x, kernel_size, stride=None, padding=0, ceil_mode=False):
    raise NotImplementedError("[max_pool] max_pool2d_backward: 아직 구현하지 않았습니다 / not implemented yet")


def avg_pool2d_forward(x, kernel_size, stride=None, padding=0, count_include_pad=True):
    raise NotImplementedError("[avg_pool] avg_pool2d_forward: 아직 구현하지 않았습니다 / not implemented yet")


def avg_pool2d_backward(dout, x, kernel_size, stride=None, padding=0, count_include_pad=True):
    raise NotImplementedError("[avg_pool] avg_pool2d_backward: 아직 구현하지 않았습니다 / not implemented yet")


def lenet5_forward(x, params):
    raise NotImplementedError("[lenet5] lenet5_forward: 아직 구현하지 않았습니다 / not implemented yet")
