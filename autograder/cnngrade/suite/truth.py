"""Expected values for the hidden suite, looked up by the exact arguments of each call.

An assignment names a truth module in its ``assignment.toml`` (for HW05, PyTorch computations).
Hidden tests never import it; they call it through the ``truth`` fixture, ``truth.conv2d(x, w, b)``,
and where the value comes from is decided here:

- live: the truth module is imported (PyTorch with it) and computes the value;
- recorded: a ``TruthTable`` file built by ``cnn-grade record-truth`` (and inside the otter zip) holds
  every value the hidden suite asks for, keyed by a digest of the function name and its arguments.
  A call the table does not hold raises ``TruthNotRecorded``: a grader error naming the test, never
  a silent pass or fail;
- auto (``cnn-grade`` by default): the user's cached table first, the live module for what it lacks
  (PyTorch is imported only then), and what was computed is added to the cache.

Every value is computed once per process and returned read-only: every submission of a batch gets
the same seeded inputs.
"""

import hashlib
import importlib.util
import io
import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

FORMAT = 1
INDEX = "index.json"


class TruthNotRecorded(LookupError):
    """The recorded table holds no value for a call of the hidden suite (an instructor error)."""


def fingerprint(truth_module_path):
    """What the recorded values depend on besides their arguments: the truth module's source."""
    return hashlib.blake2b(Path(truth_module_path).read_bytes(), digest_size=16).hexdigest()


def _feed(hasher, value):
    """A canonical byte encoding: the same arguments give the same key in every process and version."""
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        array = np.ascontiguousarray(value)
        hasher.update(f"nd{array.shape}{array.dtype.str};".encode())
        hasher.update(array.tobytes())
    elif isinstance(value, dict):
        hasher.update(f"dict{len(value)};".encode())
        for name in sorted(value):
            _feed(hasher, name)
            _feed(hasher, value[name])
    elif isinstance(value, (list, tuple)):
        hasher.update(f"{type(value).__name__}{len(value)};".encode())
        for item in value:
            _feed(hasher, item)
    elif value is None or isinstance(value, (bool, int, float, str)):
        hasher.update(f"{type(value).__name__}:{value!r};".encode())
    else:
        raise TypeError(f"truth arguments must be plain data, not {type(value).__name__}")


def call_key(function, args, kwargs):
    hasher = hashlib.blake2b(digest_size=16)
    _feed(hasher, function)
    _feed(hasher, tuple(args))
    _feed(hasher, dict(kwargs))
    return hasher.hexdigest()


def _describe(function, args, kwargs):
    """A call as an instructor can read it: shapes, not values (the log is not for students)."""
    def short(value):
        if isinstance(value, np.ndarray):
            return f"array{value.shape}"
        if isinstance(value, dict):
            return "{" + ", ".join(f"{name}: {short(item)}" for name, item in value.items()) + "}"
        return repr(value)
    parts = [short(arg) for arg in args] + [f"{name}={short(value)}" for name, value in kwargs.items()]
    return f"{function}({', '.join(parts)})"


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


# -- the table file: a zip of .npy arrays and one JSON index (no pickle: loading runs no code) --
def _encode(value, arrays):
    if isinstance(value, np.ndarray):
        arrays.append(value)
        return {"array": len(arrays) - 1}
    if isinstance(value, np.generic):
        return {"scalar": value.item(), "dtype": value.dtype.str}
    if isinstance(value, tuple):
        return {"tuple": [_encode(item, arrays) for item in value]}
    if isinstance(value, list):
        return {"list": [_encode(item, arrays) for item in value]}
    if isinstance(value, dict):
        return {"dict": [[name, _encode(item, arrays)] for name, item in value.items()]}
    if value is None or isinstance(value, (bool, int, float, str)):
        return {"value": value}
    raise TypeError(f"a truth value must be plain data, not {type(value).__name__}")


def _decode(tree, array):
    if "array" in tree:
        return array(tree["array"])
    if "scalar" in tree:
        return np.dtype(tree["dtype"]).type(tree["scalar"])
    if "tuple" in tree:
        return tuple(_decode(item, array) for item in tree["tuple"])
    if "list" in tree:
        return [_decode(item, array) for item in tree["list"]]
    if "dict" in tree:
        return {name: _decode(item, array) for name, item in tree["dict"]}
    return tree["value"]


def _write_member(archive, name, data):
    """A fixed date: the same values make the same bytes, so the otter zip builds reproducibly."""
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


class TruthTable:
    """Recorded expected values: ``{call key: value}``, with what they were computed by."""

    def __init__(self, fingerprint, values=None, recorded_with=None):
        self.fingerprint = fingerprint
        self.values = dict(values or {})
        self.recorded_with = dict(recorded_with or {})

    def __len__(self):
        return len(self.values)

    def __contains__(self, key):
        return key in self.values

    def get(self, key):
        return self.values[key]

    def save(self, path):
        """Write atomically (a batch's grading processes may save the same cache at once)."""
        arrays = []
        entries = {key: _encode(value, arrays) for key, value in sorted(self.values.items())}
        index = {"format": FORMAT, "fingerprint": self.fingerprint, "recorded_with": self.recorded_with,
                 "entries": entries}
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".truth-", suffix=".tmp")
        with os.fdopen(handle, "wb") as stream, zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
            _write_member(archive, INDEX, json.dumps(index, sort_keys=True).encode())
            for number, array in enumerate(arrays):
                buffer = io.BytesIO()
                np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
                _write_member(archive, f"{number}.npy", buffer.getvalue())
        os.replace(temporary, path)

    @classmethod
    def load(cls, path):
        with zipfile.ZipFile(path) as archive:
            index = json.loads(archive.read(INDEX))
            if index.get("format") != FORMAT:
                raise ValueError(f"{path}: truth table format {index.get('format')!r}, this engine reads {FORMAT}")

            def array(number):
                return np.load(io.BytesIO(archive.read(f"{number}.npy")), allow_pickle=False)

            values = {key: _freeze(_decode(tree, array)) for key, tree in index["entries"].items()}
        return cls(index["fingerprint"], values, index.get("recorded_with"))


def _versions():
    names = ("numpy", "hypothesis", "torch")
    found = {}
    for name in names:
        module = sys.modules.get(name)
        if module is not None:
            found[name] = getattr(module, "__version__", "")
    return found


def import_file(path, module_name):
    """Import a trusted file of the assignment (reference, truth, known bugs) under its own name."""
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


class Truth:
    """What the ``truth`` fixture is: ``truth.<function>(*args, **kwargs)`` gives the expected value.

    ``table``: recorded values to read first. ``live``: whether the truth module may compute what
    the table lacks. Values computed live are collected in ``table`` too, so the caller can save it."""

    def __init__(self, module_path, table=None, live=True):
        self.module_path = Path(module_path)
        self.fingerprint = fingerprint(self.module_path)
        if table is not None and table.fingerprint != self.fingerprint:
            raise ValueError(f"the truth table was recorded from another version of {self.module_path.name} "
                             f"({table.fingerprint} != {self.fingerprint}); record it again")
        self.table = table if table is not None else TruthTable(self.fingerprint)
        self.live = live
        self.computed = 0  # values computed live in this process (0: the module was never imported)
        self._module = None

    def _live_module(self):
        if self._module is None:
            name = f"cnngrade_truth_{self.fingerprint}"
            self._module = import_file(self.module_path, name)
        return self._module

    def value(self, function, *args, **kwargs):
        key = call_key(function, args, kwargs)
        if key in self.table:
            return self.table.get(key)
        if not self.live:
            raise TruthNotRecorded(
                f"the recorded truth holds no value for {_describe(function, args, kwargs)}: the hidden inputs "
                f"differ from those recorded (another Hypothesis or NumPy version than "
                f"{self.table.recorded_with}, or a changed hidden test); record the truth again "
                f"(cnn-grade record-truth / build-otter)")
        compute = getattr(self._live_module(), function)
        value = _freeze(compute(*args, **kwargs))
        self.table.values[key] = value
        self.table.recorded_with.update(_versions())
        self.computed += 1
        return value

    def __getattr__(self, function):
        if function.startswith("_"):
            raise AttributeError(function)
        return lambda *args, **kwargs: self.value(function, *args, **kwargs)


# -- where a grading run gets its truth ------------------------------------------------------------
LIVE, AUTO = "live", "auto"


def cache_path(assignment, truth_fingerprint):
    base = os.environ.get("CNNGRADE_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "cnngrade")
    return Path(base) / f"truth-{assignment.id}-{truth_fingerprint}.zip"


def _cached_table(path, truth_fingerprint):
    """The cache if it is readable and from this truth module; anything else is started afresh."""
    try:
        table = TruthTable.load(path)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None
    return table if table.fingerprint == truth_fingerprint else None


class TruthSource:
    """How a grading run gets expected values: ``live``, ``auto`` (cache + live), a table's path
    (recorded only: what it lacks is a grader error), or a ``Truth`` of the caller's."""

    def __init__(self, assignment, source=AUTO):
        self.source = source
        module_fingerprint = fingerprint(assignment.truth)
        self.cache = cache_path(assignment, module_fingerprint) if source == AUTO else None
        if isinstance(source, Truth):
            self.truth = source
            return
        if source == LIVE:
            table, live = None, True
        elif source == AUTO:
            table, live = _cached_table(self.cache, module_fingerprint), True
        else:
            table, live = TruthTable.load(source), False
        self.truth = Truth(assignment.truth, table, live=live)

    def finish(self):
        """Keep what was computed live for the next run (auto only; a cache that cannot be written
        costs only speed)."""
        if self.cache is None or not self.truth.computed:
            return
        merged = _cached_table(self.cache, self.truth.fingerprint)
        if merged is not None:
            self.truth.table.values = {**merged.values, **self.truth.table.values}
        try:
            self.truth.table.save(self.cache)
        except OSError:
            pass
