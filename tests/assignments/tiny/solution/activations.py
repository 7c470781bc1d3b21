"""The reference solution of the tiny test assignment."""

import numpy as np


def relu(x):
    return np.maximum(x, 0)


def softmax(x, axis=-1):
    shifted = np.exp(x - x.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)
