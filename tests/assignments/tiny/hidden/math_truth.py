"""The tiny assignment's truth, from Python's math module one element at a time: no PyTorch and
no NumPy vector arithmetic, so that it is independent of the solution it checks."""

import math

import numpy as np


def relu(x):
    return np.array([max(value, 0.0) for value in x.ravel().tolist()]).reshape(x.shape)


def softmax(x, axis=-1):
    moved = np.moveaxis(x, axis, -1)
    rows = []
    for row in moved.reshape(-1, moved.shape[-1]).tolist():
        top = max(row)
        exps = [math.exp(value - top) for value in row]
        rows.append([value / math.fsum(exps) for value in exps])
    return np.moveaxis(np.array(rows).reshape(moved.shape), -1, axis)
