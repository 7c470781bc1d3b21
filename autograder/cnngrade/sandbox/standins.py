"""Harmless stand-ins for display-only modules, served to the worker instead of the real ones.

A Colab notebook plots (matplotlib, seaborn), shows things (IPython.display) and mounts Google
Drive (google.colab). None of that is graded, and in the worker none of it may reach the screen,
the network or a forbidden module: the real matplotlib imports PIL, which the assignment forbids.
So these names never load from disk in the worker. Every attribute, call, index or operator on a
stand-in returns the same silent sink, and ``subplots`` returns the usual (figure, axes) pair so
that ``fig, (ax1, ax2) = plt.subplots(1, 2)`` still unpacks. Because the real libraries never load,
nothing they would import (PIL) is in ``sys.modules`` for the submission to pick up.

Loaded by path from worker.py (the grader's package is not importable in the worker).
"""

import importlib.abc
import importlib.machinery
import sys
import types

# Top-level names whose whole package tree is replaced.
STAND_IN_PACKAGES = frozenset({"matplotlib", "mpl_toolkits", "seaborn", "IPython", "ipywidgets", "google.colab"})


def is_stand_in(fullname):
    if fullname == "google":  # only as the parent of google.colab
        return True
    return any(fullname == name or fullname.startswith(name + ".") for name in STAND_IN_PACKAGES)


class Sink:
    """Accepts any use and does nothing; falsy and empty, so loops over it end at once."""

    __slots__ = ()

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self

    def __setattr__(self, name, value):
        pass

    def __delattr__(self, name):
        pass

    def __call__(self, *args, **kwargs):
        return self

    def __getitem__(self, key):
        return self

    def __setitem__(self, key, value):
        pass

    def __delitem__(self, key):
        pass

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0

    def __bool__(self):
        return False  # `while plt.fignum_exists(1):` must not spin forever

    def __contains__(self, item):
        return False

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def __repr__(self):
        return "<display stand-in>"

    def subplots(self, nrows=1, ncols=1, *args, squeeze=True, **kwargs):
        """(figure, axes) shaped like matplotlib's: one axes, a 1-D or a 2-D object array."""
        import numpy as np

        axes = np.empty((nrows, ncols), dtype=object)
        axes.fill(SINK)
        if squeeze:
            axes = axes.item() if axes.size == 1 else axes.squeeze()
        return SINK, axes


def _operator(self, *args):
    return self


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or", "xor"):
    setattr(Sink, f"__{_name}__", _operator)
    setattr(Sink, f"__r{_name}__", _operator)
for _name in ("neg", "pos", "abs", "invert"):
    setattr(Sink, f"__{_name}__", _operator)

SINK = Sink()


class StandInModule(types.ModuleType):
    """A module whose every public attribute is the sink; a package, so submodules import too."""

    def __init__(self, name):
        super().__init__(name, "display-only stand-in (not graded) / 채점하지 않는 표시용 대체 모듈")
        self.__path__ = []
        self.__version__ = "0+stand-in"

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return getattr(SINK, name)  # plt.subplots is Sink.subplots, anything else the sink


class StandInLoader(importlib.abc.Loader):
    def create_module(self, spec):
        return StandInModule(spec.name)

    def exec_module(self, module):
        pass


class StandInFinder(importlib.abc.MetaPathFinder):
    """Put first on sys.meta_path: display-only names resolve here, never to the real files."""

    _loader = StandInLoader()

    def find_spec(self, fullname, path=None, target=None):
        if not is_stand_in(fullname):
            return None
        return importlib.machinery.ModuleSpec(fullname, self._loader, is_package=True)


def install():
    # Anything the worker's own start-up imported under these names would bypass the finder.
    for name in [name for name in sys.modules if is_stand_in(name)]:
        del sys.modules[name]
    sys.meta_path.insert(0, StandInFinder())
