"""Side-by-side timing of the reference CNN layers against PyTorch and a plain-loop baseline.

    python benchmarks/bench_layers.py              # the full table (a few minutes on 2 cores)
    python benchmarks/bench_layers.py --quick      # fewer repeats, smaller loop-baseline samples
    python benchmarks/bench_layers.py --markdown   # print the table as Markdown (for the README)
    python benchmarks/bench_layers.py --rows vgg,stem   # only rows whose name contains one of these
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_layers.py --no-loops   # both libraries on 1 thread
    python benchmarks/bench_layers.py --reference OTHER.py   # time another cnn_layers.py instead

What is compared, on one table of layer shapes (LeNet-5, a VGG-style 3x3 layer, a strided 7x7 stem,
a depthwise layer, a dilated layer, and the pools that go with them), all float32:

* ``ref``   -- solutions/cnn_layers.py, the NumPy reference solution (what the grader cross-checks
               against and what students read after the deadline).
* ``torch`` -- torch.nn.functional (conv2d, max_pool2d, avg_pool2d) on the CPU. Its backward is
               timed through autograd: the forward runs untimed with requires_grad, then only
               ``out.backward(dout)`` is timed (it yields dx, dweight and dbias for a convolution).
               The reference backward is timed as one call of ``conv2d_backward(dout, x, weight,
               ...)``, which by the assignment's contract gets x rather than a cache from the
               forward pass, so it redoes the im2col (and max pooling redoes the argmax, where
               PyTorch reuses the indices saved by its forward).
* ``loops`` -- assignments/hw05_cnn/examples/loops_student.py, a correct plain-loop student
               submission (one ``np.sum(window * w)`` per output value). It is far too slow to time
               on every full shape, so it runs on the first ``n`` images of the batch only, with one
               repeat (three when a call is short), and its time is scaled by ``N / n``: its outer
               loop runs over the images, so its time is linear in N. Rows where that happened say
               ``n/N`` in the ``loops on`` column.

Timing. Every number is a median over repeats. The machine is shared and noisy, so the repeats
alternate between the two sides (a round of the reference's forward and backward, then a round of
PyTorch's, and so on): a burst of load from elsewhere hits both sides of a ratio. Between rounds the
script sleeps ``--gap`` seconds (0.25 by default), because both libraries leave their worker threads
spinning for a while after a call (OpenBLAS's and OpenMP's); on this machine PyTorch's VGG-layer
backward ran about 2x slower right after NumPy's matmuls than after a pause. A short call is
repeated inside one sample until the sample lasts a few milliseconds, and the sample is divided by
the count. Ratios are ``median(ref) / median(torch)``: below 1 the reference is faster. Nothing here
asserts a time; the numbers are for reading.

Other load. With two threads per library on two cores, another process that takes a core for a
moment stalls a whole parallel call (one thread waits for its descheduled partner), so a busy
neighbour inflates timings far beyond its share. The script reads /proc/stat to measure how many
cores' worth of CPU other processes used while each row was timed (``other load``). A row timed
while that exceeded ``--max-other-load`` (0.1) is timed again, up to ``--attempts`` (3) times, each
after waiting up to ``--patience`` (60 s) for a quiet second, and the table keeps the attempt with
the least other load. Treat rows whose ``other load`` is above about 0.1 with suspicion.

Threads. ``torch.set_num_threads`` is set to the number of threads of NumPy's BLAS (OpenBLAS), and
both numbers are printed. Only NumPy's matmul uses several threads; its elementwise operations
(the im2col copy, col2im's additions, the pools) run on one core, while PyTorch's kernels use all of
its threads. OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, which some machines of this workplace set to
work around old OpenBLAS bugs, are left as they are and printed with the OpenBLAS kernel in use:
run the script with them unset to see the difference.

Memory. ``ref peak`` is the peak of NumPy allocations during one untimed call of the reference,
measured with tracemalloc (NumPy reports every array buffer it allocates to tracemalloc). It counts
the temporaries and the result, not the inputs, which exist before the call. ``im2col`` is the size
of one whole-batch im2col buffer of that layer (N * C_in * kH * kW * H_out * W_out values) for
comparison (the pools have none). PyTorch's memory is not measured: its allocations bypass
tracemalloc, and a resident-set delta would mostly measure its thread pools and caches.

Accuracy. Each row also prints the largest difference between the reference and PyTorch, relative
to the largest PyTorch value, over the forward output and over every gradient: float32 results of
the two should agree to about 1e-6 (different summation orders).
"""

import argparse
import ctypes
import importlib.util
import math
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from machine import cpu_model, load_average

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "solutions" / "cnn_layers.py"
LOOPS = ROOT / "assignments" / "hw05_cnn" / "examples" / "loops_student.py"


def conv(name, n, c_in, c_out, size, kernel, stride=1, padding=0, dilation=1, groups=1):
    return dict(name=name, kind="conv", x=(n, c_in, size, size), w=(c_out, c_in // groups, kernel, kernel),
                options=dict(stride=stride, padding=padding, dilation=dilation, groups=groups))


def maxpool(name, n, c, size, kernel, stride=None, padding=0, ceil_mode=False):
    return dict(name=name, kind="maxpool", x=(n, c, size, size), args=(kernel, stride, padding, ceil_mode))


def avgpool(name, n, c, size, kernel, stride=None, padding=0, count_include_pad=True):
    return dict(name=name, kind="avgpool", x=(n, c, size, size), args=(kernel, stride, padding, count_include_pad))


ROWS = [
    conv("lenet5 conv1", 64, 1, 6, 32, 5),
    maxpool("lenet5 pool1", 64, 6, 28, 2),
    conv("lenet5 conv2", 64, 6, 16, 14, 5),
    maxpool("lenet5 pool2", 64, 16, 10, 2),
    conv("vgg 3x3", 8, 64, 64, 56, 3, padding=1),
    maxpool("vgg pool 2x2", 8, 64, 56, 2),
    conv("stem 7x7 s2", 8, 3, 64, 224, 7, stride=2, padding=3),
    maxpool("stem pool 3x3 s2", 8, 64, 112, 3, stride=2, padding=1),
    conv("depthwise 3x3", 8, 64, 64, 56, 3, padding=1, groups=64),
    conv("dilated 3x3 d2", 8, 64, 64, 56, 3, padding=2, dilation=2),
    avgpool("avgpool 3x3 s1", 8, 64, 56, 3, stride=1, padding=1, count_include_pad=False),
]


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------
# Machine and thread information
# ---------------------------------------------------------------------------

def openblas_info():
    """(threads, kernel name, library) of the OpenBLAS that NumPy loaded, read with ctypes."""
    try:
        from threadpoolctl import threadpool_info  # optional; not a dependency of the project
        for pool in threadpool_info():
            if pool.get("user_api") == "blas":
                return pool["num_threads"], pool.get("architecture", "?"), Path(pool["filepath"]).name
    except ImportError:
        pass
    libraries = set()
    with open("/proc/self/maps", encoding="utf-8") as maps:
        for line in maps:
            path = line.split()[-1]
            if "blas" in Path(path).name.lower() and ".so" in path:
                libraries.add(path)
    for library in sorted(libraries):
        lib = ctypes.CDLL(library)
        threads = corename = None
        for symbol in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_", "openblas_get_num_threads"):
            if hasattr(lib, symbol):
                threads = getattr(lib, symbol)()
                break
        for symbol in ("scipy_openblas_get_corename64_", "openblas_get_corename64_", "openblas_get_corename"):
            if hasattr(lib, symbol):
                function = getattr(lib, symbol)
                function.restype = ctypes.c_char_p
                corename = function().decode()
                break
        if threads is not None:
            return threads, corename or "?", Path(library).name
    return None, "?", "unknown BLAS"


# ---------------------------------------------------------------------------
# Load from other processes (the machine is shared)
# ---------------------------------------------------------------------------

def _machine_busy_seconds():
    """CPU seconds spent busy on all cores since boot (Linux /proc/stat), or None elsewhere."""
    try:
        with open("/proc/stat", encoding="utf-8") as stat:
            values = [int(v) for v in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = values[3] + values[4]                      # idle + iowait; steal counts as busy
    return (sum(values) - idle) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds():
    times = os.times()
    return times.user + times.system                  # every thread of this process


class OtherLoad:
    """Average number of cores that OTHER processes kept busy between start() and stop()."""

    def start(self):
        self.machine, self.own, self.wall = _machine_busy_seconds(), _own_cpu_seconds(), time.perf_counter()
        return self

    def stop(self):
        machine = _machine_busy_seconds()
        if machine is None or self.machine is None:
            return float("nan")
        own = _own_cpu_seconds() - self.own
        return max(0.0, machine - self.machine - own) / max(time.perf_counter() - self.wall, 1e-9)


def wait_for_quiet(patience, threshold):
    """Wait (at most ``patience`` seconds) for one second in which other processes stay below threshold."""
    deadline = time.time() + patience
    while time.time() < deadline:
        probe = OtherLoad().start()
        time.sleep(1.0)
        if not probe.stop() >= threshold:             # NaN (no /proc/stat) counts as quiet
            return


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------

class Sampler:
    """Times one callable: each sample repeats it ``number`` times (calibrated once)."""

    def __init__(self, function, min_sample_seconds):
        self.function = function
        start = time.perf_counter()
        function()                                    # warm-up (first-touch of memory, caches)
        once = time.perf_counter() - start
        self.number = max(1, math.ceil(min_sample_seconds / max(once, 1e-7)))
        self.samples = []

    def sample(self):
        start = time.perf_counter()
        for _ in range(self.number):
            self.function()
        self.samples.append((time.perf_counter() - start) / self.number)

    def median(self):
        return statistics.median(self.samples)


def torch_backward_callable(forward, tensors, dout):
    """A callable timing only ``out.backward(dout)``; the forward runs untimed before it."""
    def run():
        for tensor in tensors:
            tensor.grad = None
        out = forward()
        start = time.perf_counter()
        out.backward(dout)
        return time.perf_counter() - start
    return run


class BackwardSampler(Sampler):
    """Like Sampler, for callables that return the time of their own timed part."""

    def __init__(self, function, min_sample_seconds):
        self.function = function
        once = function()
        self.number = max(1, math.ceil(min_sample_seconds / max(once, 1e-7)))
        self.samples = []

    def sample(self):
        total = sum(self.function() for _ in range(self.number))
        self.samples.append(total / self.number)


# ---------------------------------------------------------------------------
# One row
# ---------------------------------------------------------------------------

def make_case(row, rng):
    x = rng.standard_normal(row["x"], dtype=np.float32)
    case = dict(x=x)
    if row["kind"] == "conv":
        case["w"] = rng.standard_normal(row["w"], dtype=np.float32) / np.float32(math.sqrt(np.prod(row["w"][1:])))
        case["b"] = rng.standard_normal(row["w"][0], dtype=np.float32)
    return case


def numpy_calls(module, row, case, dout):
    """(forward, backward) callables of a cnn_layers-like module for this row."""
    x = case["x"]
    if row["kind"] == "conv":
        w, b, options = case["w"], case["b"], row["options"]
        return (lambda: module.conv2d_forward(x, w, b, **options),
                lambda: module.conv2d_backward(dout, x, w, **options))
    name = "max_pool2d" if row["kind"] == "maxpool" else "avg_pool2d"
    forward, backward = getattr(module, f"{name}_forward"), getattr(module, f"{name}_backward")
    return lambda: forward(x, *row["args"]), lambda: backward(dout, x, *row["args"])


def torch_forward(row, tensors):
    if row["kind"] == "conv":
        return lambda: F.conv2d(*tensors, **row["options"])
    kernel, stride, padding, flag = row["args"]
    if row["kind"] == "maxpool":
        return lambda: F.max_pool2d(tensors[0], kernel, stride, padding, ceil_mode=flag)
    return lambda: F.avg_pool2d(tensors[0], kernel, stride, padding, count_include_pad=flag)


def relative_error(actual, expected):
    expected = expected.detach().numpy() if isinstance(expected, torch.Tensor) else expected
    scale = max(float(np.abs(expected).max()), 1e-30)
    return float(np.abs(np.asarray(actual, dtype=np.float64) - expected).max()) / scale


def output_elements(row):
    """Output values per image, a proxy for the loop baseline's cost."""
    n, c, h, w = row["x"]
    if row["kind"] == "conv":
        k, s = row["w"][2], row["options"]["stride"]
        p, d = row["options"]["padding"], row["options"]["dilation"]
        size = (h + 2 * p - d * (k - 1) - 1) // s + 1
        return row["w"][0] * size * size
    kernel, stride, padding, _ = row["args"]
    stride = stride or kernel
    size = (h + 2 * padding - kernel) // stride + 1
    return c * size * size


def time_loops(loops, row, case, dout, budget):
    """Loop-baseline (forward, backward, images used): on the first n images, scaled to N."""
    n_total = row["x"][0]
    n = max(1, min(n_total, budget // output_elements(row)))
    small = dict(case, x=case["x"][:n])
    forward, backward = numpy_calls(loops, row, small, dout[:n])
    results = []
    for function in (forward, backward):
        start = time.perf_counter()
        function()
        once = time.perf_counter() - start
        samples = [once]
        if once < 0.5:                                # short: two more repeats for a median
            for _ in range(2):
                start = time.perf_counter()
                function()
                samples.append(time.perf_counter() - start)
        results.append(statistics.median(samples) * n_total / n)
    return results[0], results[1], n


def run_row(row, reference, loops, args, rng):
    case = make_case(row, rng)
    ref_forward_once = numpy_calls(reference, row, case, None)[0]
    out = ref_forward_once()
    dout = rng.standard_normal(out.shape, dtype=np.float32)
    ref_forward, ref_backward = numpy_calls(reference, row, case, dout)

    tensors = [torch.from_numpy(case["x"].copy()).requires_grad_()]
    if row["kind"] == "conv":
        tensors += [torch.from_numpy(case["w"].copy()).requires_grad_(),
                    torch.from_numpy(case["b"].copy()).requires_grad_()]
    forward = torch_forward(row, tensors)
    torch_dout = torch.from_numpy(dout)

    def torch_forward_no_grad():
        with torch.no_grad():
            return forward()

    # Accuracy, once, before timing.
    torch_out = forward()
    torch_out.backward(torch_dout)
    errors = dict(forward=relative_error(out, torch_out))
    grads = ref_backward()
    grads = grads if isinstance(grads, tuple) else (grads,)
    errors["backward"] = max(relative_error(g, t.grad) for g, t in zip(grads, tensors))

    min_sample = 0.002 if args.quick else 0.01
    pause = lambda: time.sleep(args.gap)  # noqa: E731  (let the other library's threads fall asleep)

    def attempt():
        samplers = dict(
            ref_forward=Sampler(ref_forward, min_sample),
            ref_backward=Sampler(ref_backward, min_sample),
        )
        pause()
        samplers.update(
            torch_forward=Sampler(torch_forward_no_grad, min_sample),
            torch_backward=BackwardSampler(torch_backward_callable(forward, tensors, torch_dout), min_sample),
        )
        for _ in range(args.repeats):
            for side in ("ref", "torch"):             # alternating rounds: load bursts hit both sides
                pause()
                for name, sampler in samplers.items():
                    if name.startswith(side):
                        sampler.sample()
        return {name: sampler.median() for name, sampler in samplers.items()}

    # Other processes on a shared machine can take a core for seconds; with 2 threads per library
    # that stalls both libraries far more than their share. Measure how busy the rest of the
    # machine was while this row was timed, and try again (up to --attempts times) when it was
    # busier than --max-other-load; the table reports the attempt with the least other load.
    best = None
    for _ in range(args.attempts):
        wait_for_quiet(args.patience, args.max_other_load)
        load = OtherLoad().start()
        timings = attempt()
        timings["other_load"] = load.stop()
        if best is None or timings["other_load"] < best["other_load"]:
            best = timings
        if not timings["other_load"] >= args.max_other_load:
            break
    result = dict(best, errors=errors, repeats=args.repeats)

    # Memory: one untimed call each, under tracemalloc.
    peaks = {}
    for name, function in (("forward", ref_forward), ("backward", ref_backward)):
        tracemalloc.start()
        tracemalloc.reset_peak()
        function()
        peaks[name] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    result["peak"] = peaks
    result["im2col"] = None
    if row["kind"] == "conv":
        values = output_elements(row) // row["w"][0] * row["x"][0] * row["x"][1] * row["w"][2] * row["w"][3]
        result["im2col"] = values * 4

    result["loops"] = None
    if not args.no_loops:
        pause()
        result["loops"] = time_loops(loops, row, case, dout, args.loop_budget)
    return result


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def describe(row):
    n, c, h, w = row["x"]
    if row["kind"] == "conv":
        c_out, _, k, _ = row["w"]
        o = row["options"]
        extra = "".join(f" {key[0]}{o[key]}" for key in ("stride", "padding", "dilation", "groups")
                        if o[key] != (0 if key == "padding" else 1))
        return f"N{n} {c}->{c_out} {h}x{w} k{k}{extra}"
    kernel, stride, padding, flag = row["args"]
    text = f"N{n} C{c} {h}x{w} k{kernel}" + (f" s{stride}" if stride else "") + (f" p{padding}" if padding else "")
    if row["kind"] == "avgpool" and not flag:
        text += " excl.pad"
    return text


def milliseconds(seconds):
    ms = seconds * 1e3
    return f"{ms:.3f}" if ms < 1 else f"{ms:.2f}" if ms < 10 else f"{ms:.1f}" if ms < 1000 else f"{ms:.0f}"


def mebibytes(size):
    return "-" if size is None else f"{size / 2**20:.1f}"


COLUMNS = ["layer", "shape", "fwd ref ms", "fwd torch ms", "fwd ratio", "bwd ref ms", "bwd torch ms",
           "bwd ratio", "loops fwd ms", "loops bwd ms", "loops on", "loops/ref fwd/bwd", "ref peak MiB fwd/bwd",
           "im2col MiB", "rel.err fwd/bwd", "other load"]


def table_rows(rows, results):
    lines = []
    for row, r in zip(rows, results):
        loops = r["loops"]
        lines.append([
            row["name"], describe(row),
            milliseconds(r["ref_forward"]), milliseconds(r["torch_forward"]),
            f"{r['ref_forward'] / r['torch_forward']:.2f}",
            milliseconds(r["ref_backward"]), milliseconds(r["torch_backward"]),
            f"{r['ref_backward'] / r['torch_backward']:.2f}",
            "-" if loops is None else milliseconds(loops[0]),
            "-" if loops is None else milliseconds(loops[1]),
            "-" if loops is None else f"{loops[2]}/{row['x'][0]}",
            "-" if loops is None else f"{loops[0] / r['ref_forward']:.0f}x / {loops[1] / r['ref_backward']:.0f}x",
            f"{mebibytes(r['peak']['forward'])} / {mebibytes(r['peak']['backward'])}",
            mebibytes(r["im2col"]),
            f"{r['errors']['forward']:.0e} / {r['errors']['backward']:.0e}",
            f"{r['other_load']:.2f}",
        ])
    return lines


def print_table(lines, markdown):
    if markdown:
        print("| " + " | ".join(COLUMNS) + " |")
        print("|" + "|".join("---" if i < 2 else "---:" for i in range(len(COLUMNS))) + "|")
        for line in lines:
            print("| " + " | ".join(line) + " |")
        return
    widths = [max(len(c), *(len(line[i]) for line in lines)) for i, c in enumerate(COLUMNS)]
    print("  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths)))
    for line in lines:
        print("  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths))))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and a smaller loop-baseline sample")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--repeats", type=int, help="samples per timing (default 15, --quick 5)")
    parser.add_argument("--rows", help="comma-separated substrings: only rows whose name contains one")
    parser.add_argument("--no-loops", action="store_true", help="skip the plain-loop baseline")
    parser.add_argument("--attempts", type=int, help="timing attempts per row while other processes "
                        "load the machine (default 3, --quick 1)")
    parser.add_argument("--max-other-load", type=float, default=0.1,
                        help="cores' worth of other processes' load that triggers another attempt (default 0.1)")
    parser.add_argument("--patience", type=float,
                        help="seconds to wait for a quiet machine before each attempt (default 60, --quick 0)")
    parser.add_argument("--gap", type=float,
                        help="seconds of pause whenever the timing switches library (default 0.25, --quick 0.1)")
    parser.add_argument("--reference", default=str(REFERENCE), help="the cnn_layers.py to time (default: the solution)")
    args = parser.parse_args(argv)
    args.repeats = args.repeats or (5 if args.quick else 15)
    args.gap = args.gap if args.gap is not None else (0.1 if args.quick else 0.25)
    args.attempts = max(1, args.attempts or (1 if args.quick else 3))
    args.patience = args.patience if args.patience is not None else (0 if args.quick else 60)
    # Output values the loop baseline computes per call (about 5 microseconds each).
    args.loop_budget = 20_000 if args.quick else 200_000

    rows = ROWS
    if args.rows:
        wanted = [part.strip() for part in args.rows.split(",") if part.strip()]
        rows = [row for row in ROWS if any(part in row["name"] for part in wanted)]

    blas_threads, corename, blas_library = openblas_info()
    torch.set_num_threads(blas_threads or os.cpu_count() or 1)
    reference = load(args.reference, "reference_cnn_layers")
    loops = load(LOOPS, "loops_student")

    print(f"# {time.strftime('%Y-%m-%d')}  {cpu_model()}  ({os.cpu_count()} cores, {platform.machine()})")
    print(f"# python {platform.python_version()}  numpy {np.__version__}  torch {torch.__version__}")
    print(f"# numpy BLAS: {blas_library}, kernel {corename}, {blas_threads} threads;  "
          f"torch threads: {torch.get_num_threads()}")
    env = {name: os.environ.get(name, "unset") for name in
           ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    print("# " + "  ".join(f"{k}={v}" for k, v in env.items()))
    print("# load average at start: " + load_average()
          + " (1, 5, 15 min; this machine has %d cores)" % (os.cpu_count() or 0))
    print(f"# float32, median of {args.repeats} interleaved samples; ratio = ref / torch "
          f"(< 1: the reference is faster){'; --quick' if args.quick else ''}")
    print()

    rng = np.random.default_rng(0)
    results = []
    for row in rows:
        print(f"... {row['name']}", file=sys.stderr, flush=True)
        results.append(run_row(row, reference, loops, args, rng))
    print_table(table_rows(rows, results), args.markdown)
    print()
    print("# load average at end: " + load_average())
    return 0


if __name__ == "__main__":
    sys.exit(main())
