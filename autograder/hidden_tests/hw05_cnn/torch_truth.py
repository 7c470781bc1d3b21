"""HW05's ground truth, computed with PyTorch (float64, CPU): forward values, autograd gradients,
output sizes and parameter counts.

Named in assignment.toml as the assignment's truth module. Hidden tests reach these functions
only through the ``truth`` fixture (cnngrade/suite/truth.py), which memoizes them, records them
for the otter zip and reads them back there without importing PyTorch. Every function takes and
returns plain data (NumPy arrays, numbers, tuples) so hidden tests compare like with like.
"""

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)


def _tensor(array, grad=False):
    return torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=grad)


def _numpy(tensor):
    return tensor.detach().numpy().copy()


def _gradients(function, dout, tensors):
    """Run ``function`` on tensors, backpropagate ``dout`` and return each tensor's gradient."""
    function(*tensors).backward(_tensor(dout))
    return tuple(_numpy(t.grad) for t in tensors)


def conv2d(x, weight, bias=None, **options):
    tensors = (_tensor(x), _tensor(weight), None if bias is None else _tensor(bias))
    return _numpy(F.conv2d(*tensors, **options))


def conv2d_backward(dout, x, weight, **options):
    """(dx, dweight, dbias) of sum(conv2d(x, weight, bias) * dout)."""
    bias = torch.zeros(weight.shape[0], dtype=torch.float64, requires_grad=True)
    tensors = (_tensor(x, True), _tensor(weight, True), bias)
    return _gradients(lambda *t: F.conv2d(*t, **options), dout, tensors)


def max_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False):
    return _numpy(F.max_pool2d(_tensor(x), kernel_size, stride, padding, ceil_mode=ceil_mode))


def max_pool2d_backward(dout, x, kernel_size, stride=None, padding=0, ceil_mode=False):
    function = lambda t: F.max_pool2d(t, kernel_size, stride, padding, ceil_mode=ceil_mode)  # noqa: E731
    return _gradients(function, dout, (_tensor(x, True),))[0]


def avg_pool2d(x, kernel_size, stride=None, padding=0, count_include_pad=True):
    return _numpy(F.avg_pool2d(_tensor(x), kernel_size, stride, padding, count_include_pad=count_include_pad))


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


def lenet5_params(seed):
    """A LeNet-5 state_dict (PyTorch's own initialisation, seeded) as NumPy float64 arrays."""
    torch.manual_seed(seed)
    model = LeNet5().double()
    return {name: _numpy(value) for name, value in model.state_dict().items()}


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


def summary_rows(input_shape, layers):
    """What cnn_summary must return, read off a real torch network: (kind, shape, n_params) rows."""
    x, rows = torch.zeros((1,) + tuple(input_shape)), []
    with torch.no_grad():
        for kind, options in layers:
            module = _module(kind, dict(options), x.shape)
            x = module(x)
            rows.append((kind, tuple(x.shape[1:]), sum(p.numel() for p in module.parameters())))
    return rows


def _pair(value):
    return value if isinstance(value, tuple) else (value, value)


def _sizes(shape, *arguments):
    """PyTorch's spatial output shape, as an int when every argument was one, else as a pair."""
    return tuple(shape) if any(isinstance(value, tuple) for value in arguments) else shape[0]


def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    """The output size, or None where PyTorch refuses the arguments (the submission must raise)."""
    try:
        out = F.conv2d(torch.zeros((1, 1) + _pair(size)), torch.zeros((1, 1) + _pair(kernel)),
                       stride=stride, padding=padding, dilation=dilation).shape[2:]
    except RuntimeError:
        return None
    return _sizes(out, size, kernel, stride, padding, dilation)


def pool_output_size(size, kernel, stride=None, padding=0, ceil_mode=False):
    """The output size, or None where PyTorch refuses the arguments (the submission must raise)."""
    try:
        out = F.max_pool2d(torch.zeros((1, 1) + _pair(size)), kernel, stride, padding, ceil_mode=ceil_mode).shape[2:]
    except RuntimeError:
        return None
    return _sizes(out, size, kernel, stride, padding)


def conv2d_param_count(**options):
    return sum(p.numel() for p in torch.nn.Conv2d(**options).parameters())


def linear_param_count(in_features, out_features, bias=True):
    return sum(p.numel() for p in torch.nn.Linear(in_features, out_features, bias).parameters())
