"""수치 기울기 검사 도구 / Numerical gradient checking.

역전파 함수(conv2d_backward, max_pool2d_backward, avg_pool2d_backward)가 맞는지 확인할 때
씁니다. 중심 차분으로 기울기를 근사하고, 여러분의 해석적 기울기와 비교합니다.
Use it to check your backward functions (conv2d_backward, max_pool2d_backward,
avg_pool2d_backward): it approximates a gradient with centred differences, to be compared
with your analytic gradient.

예 / Example::

    import numpy as np
    import cnn_layers
    from gradcheck import numerical_gradient, relative_error

    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 5, 5))
    w = rng.standard_normal((4, 3, 3, 3))
    dout = rng.standard_normal((2, 4, 3, 3))
    dx, dw, db = cnn_layers.conv2d_backward(dout, x, w)
    dx_num = numerical_gradient(lambda v: cnn_layers.conv2d_forward(v, w), x, dout)
    print(relative_error(dx, dx_num))     # 1e-8 정도면 정답 / about 1e-8 when correct
"""

import numpy as np


def numerical_gradient(f, x, dout=None, h=1e-6):
    """중심 차분으로 구한 ``d sum(f(x) * dout) / dx`` / ``d sum(f(x) * dout) / dx`` by centred differences.

    원소마다 / For every element:

        grad[idx] = (sum(f(x + h e_idx) * dout) - sum(f(x - h e_idx) * dout)) / (2h)

    매개변수 / Parameters
        f: 배열을 받아 배열을 돌려주는 함수 / a function mapping an array to an array.
        x: 기울기를 구할 지점 (어떤 모양이든 가능) / the point (any shape).
        dout: f(x)와 같은 모양의 상류 기울기; None이면 모두 1 (즉 ``d sum(f(x)) / dx``).
            upstream gradient shaped like f(x); None means all ones (i.e. ``d sum(f(x)) / dx``).
        h: 차분 간격 / step size.

    반환 / Returns
        x와 같은 모양의 float64 배열 / a float64 array shaped like x.

    호출한 쪽의 x는 절대 바뀌지 않습니다: float64 복사본 위에서 계산하고, f에도 매번 새
    복사본을 넘깁니다 (f가 입력을 고쳐 써도 안전합니다).
    The caller's x is never modified: the work happens on a float64 copy, and f gets a fresh
    copy every call (safe even if f writes into its input).
    """
    point = np.array(x, dtype=np.float64, copy=True)
    if dout is None:
        dout = np.ones_like(np.asarray(f(point.copy()), dtype=np.float64))
    dout = np.asarray(dout, dtype=np.float64)
    grad = np.zeros_like(point)
    for idx in np.ndindex(point.shape):
        original = point[idx]
        point[idx] = original + h
        plus = np.sum(np.asarray(f(point.copy()), dtype=np.float64) * dout)
        point[idx] = original - h
        minus = np.sum(np.asarray(f(point.copy()), dtype=np.float64) * dout)
        point[idx] = original
        grad[idx] = (plus - minus) / (2 * h)
    return grad


def relative_error(a, b):
    """두 배열의 상대 오차 / Relative error between two arrays.

        max|a - b| / max(max|a|, max|b|, 1e-12)

    배열 전체의 크기로 나누므로 0에 가까운 원소 하나 때문에 값이 튀지 않습니다.
    float64에서 올바른 기울기는 보통 1e-7 보다 작습니다.
    Dividing by the scale of the whole array keeps one near-zero element from blowing it up.
    In float64 a correct gradient is usually below 1e-7.

    매개변수 / Parameters: a, b — 같은 모양의 배열 / arrays of the same shape.
    반환 / Returns: float.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"모양이 다릅니다 / shapes differ: {a.shape} vs {b.shape}")
    if a.size == 0:
        return 0.0
    scale = max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-12)
    return float(np.max(np.abs(a - b)) / scale)
