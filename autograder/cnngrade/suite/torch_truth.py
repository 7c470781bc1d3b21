"""Ground truth computed live with PyTorch (float64, CPU): forward values and autograd gradients.

Every function takes and returns NumPy arrays so hidden tests compare like with like. Results are
memoized by the exact input bytes: every submission of a batch gets the same seeded inputs, so
PyTorch computes each expected value once per grading process, not once per student. Returned
arrays are read-only for that reason.
"""

import functools
import hashlib

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)


def _key(value):
    if isinstance(value, np.ndarray):
        return ("ndarray", value.shape, value.dtype.str, hashlib.blake2b(np.ascontiguousarray(value).data).digest())
    if isinstance(value, dict):
        return ("dict", tuple((name, _key(item)) for name, item in sorted(value.items())))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_key(item) for item in value))
    return (type(value).__name__, value)


def _freeze(value):
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, (tuple, list)):
        for item in value:
            _freeze(item)
    elif isinstance(value, dict):
        for item in value.values():
            _freeze(item)
    return value


def memoized(function):
    cache = {}

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        key = (_key(args), _key(kwargs))
        if key not in cache:
            cache[key] = _freeze(function(*args, **kwargs))
        return cache[key]

    return wrapper


def _tensor(array, grad=False):
    return torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=grad)


def _numpy(tensor):
    return tensor.detach().numpy().copy()


def _gradients(function, dout, tensors):
    """Run ``function`` on tensors, backpropagate ``dout`` and return each tensor's gradient."""
    function(*tensors).backward(_tensor(dout))
    return tuple(_numpy(t.grad) for t in tensors)


@memoized
def conv2d(x, weight, bias=None, **options):
    tensors = (_tensor(x), _tensor(weight), None if bias is None else _tensor(bias))
    return _numpy(F.conv2d(*tensors, **options))


@memoized
def conv2d_backward(dout, x, weight, **options):
    """(dx, dweight, dbias) of sum(conv2d(x, weight, bias) * dout)."""
    bias = torch.zeros(weight.shape[0], dtype=torch.float64, requires_grad=True)
    tensors = (_tensor(x, True), _tensor(weight, True), bias)
    return _gradients(lambda *t: F.conv2d(*t, **options), dout, tensors)


@memoized
def max_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False):
    return _numpy(F.max_pool2d(_tensor(x), kernel_size, stride, padding, ceil_mode=ceil_mode))


@memoized
def max_pool2d_backward(dout, x, kernel_size, stride=None, padding=0, ceil_mode=False):
    function = lambda t: F.max_pool2d(t, kernel_size, stride, padding, ceil_mode=ceil_mode)  # noqa: E731
    return _gradients(function, dout, (_tensor(x, True),))[0]


@memoized
def avg_pool2d(x, kernel_size, stride=None, padding=0, count_include_pad=True):
    return _numpy(F.avg_pool2d(_tensor(x), kernel_size, stride, padding, count_include_pad=count_include_pad))


@memoized
def avg_pool2d_backward(dout, x, kernel_size, stride=None, padding=0, count_include_pad=True):
    function = lambda t: F.avg_pool2d(t, kernel_size, stride, padding, count_include_pad=count_include_pad)  # noqa: E731
    return _gradients(function, dout, (_tensor(x, True),))[0]


class LeNet5(torch.nn.Module):
    """LeNet-5 as in the lecture (ReLU and max pooling), with the state_dict names of the contract."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 6, 5)
        self.conv2 = torch.nn.Conv2d(6, 16, 5)
        self.fc1 = torch.nn.Linear(400, 120)
        self.fc2 = torch.nn.Linear(120, 84)
        self.fc3 = torch.nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


@memoized
def lenet5_params(seed):
    """A LeNet-5 state_dict (PyTorch's own initialisation, seeded) as NumPy float64 arrays."""
    torch.manual_seed(seed)
    model = LeNet5().double()
    return {name: _numpy(value) for name, value in model.state_dict().items()}


@memoized
def lenet5(x, params):
    model = LeNet5().double()
    model.load_state_dict({name: torch.tensor(value) for name, value in params.items()})
    with torch.no_grad():
        return _numpy(model(_tensor(x)))


def _module(kind, options, shape):
    if kind == "conv2d":
        return torch.nn.Conv2d(shape[1], **options)
    if kind == "linear":
        return torch.nn.Linear(shape[1], **options)
    modules = {"maxpool2d": torch.nn.MaxPool2d, "avgpool2d": torch.nn.AvgPool2d,
               "relu": torch.nn.ReLU, "flatten": torch.nn.Flatten}
    return modules[kind](**options)


@memoized
def summary_rows(input_shape, layers):
    """What cnn_summary must return, read off a real torch network: (kind, shape, n_params) rows."""
    x, rows = torch.zeros((1,) + tuple(input_shape)), []
    with torch.no_grad():
        for kind, options in layers:
            module = _module(kind, dict(options), x.shape)
            x = module(x)
            rows.append((kind, tuple(x.shape[1:]), sum(p.numel() for p in module.parameters())))
    return rows
