"""A submission that normalises softmax over the first axis whatever it is asked."""

import numpy as np


def relu(x):
    return np.where(x > 0, x, 0.0)


def softmax(x, axis=-1):
    shifted = np.exp(x - x.max(axis=0, keepdims=True))
    return shifted / shifted.sum(axis=0, keepdims=True)
