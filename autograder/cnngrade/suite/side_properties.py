"""Side properties earn points only together with the value they belong to.

"Keeps its inputs" and "raises ValueError on bad arguments" are worth nothing for a function that
computes garbage. So a hidden test that checks one of them for a function passes only when

- the same test also checked that function's values and they were right (for ``expect_unchanged``:
  the values of that very call), or
- the test names a value test, ``@graded(points=1, requires="test_conv2d_forward[single-channel]")``,
  and that test passed for this submission (the plugin applies this after the whole suite ran).

A test with neither is an instructor error: it fails as a grader error and awards nothing. dtype
needs no rule of its own: ``expect_array`` checks the dtype and the values together.

checks.py reports what it verified to the ledger of the running test, which the plugin opens.
"""

import numpy as np

_current = None


class Ledger:
    """What one hidden test verified, keyed by the identity of the values the worker returned."""

    def __init__(self, calls):
        self.calls = calls  # the proxy's (function, args, kwargs, value) list, appended as the test runs
        self.verified = set()  # ids of values checked right ...
        self._alive = []  # ... kept alive, so that no later object can reuse one of those ids
        self.kept_inputs = []  # CallResult objects whose arguments were checked unchanged
        self.raised_value_error = set()  # function names

    def mark_right(self, value):
        self.verified.add(id(value))
        self._alive.append(value)

    def _function_of(self, value):
        return next((function for function, _, _, returned in self.calls if returned is value), None)

    def _call_verified(self, value):
        leaves = list(_leaves(value))
        arrays = [leaf for leaf in leaves if isinstance(leaf, np.ndarray)]
        if arrays:
            return all(id(leaf) in self.verified for leaf in arrays)
        return any(id(leaf) in self.verified for leaf in leaves)

    def _function_verified(self, function):
        return any(self._call_verified(value) for name, _, _, value in self.calls if name == function)

    def unbacked(self):
        """Functions whose side property this test checked without checking their values."""
        missing = [self._function_of(result.value) or "?" for result in self.kept_inputs
                   if not self._call_verified(result.value)]
        missing += [function for function in sorted(self.raised_value_error) if not self._function_verified(function)]
        return list(dict.fromkeys(missing))


def _leaves(value):
    yield value
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)


def begin(calls):
    """Open the ledger of the test about to run (the previous one is dropped)."""
    global _current
    _current = Ledger(calls)


def current_unbacked():
    return _current.unbacked() if _current is not None else []


def value_right(value):
    if _current is not None:
        _current.mark_right(value)


def inputs_kept(result):
    if _current is not None:
        _current.kept_inputs.append(result)


def value_error_raised(function):
    if _current is not None:
        _current.raised_value_error.add(function)


def unmet_requirement_message(required):
    names = ", ".join(required)
    return (f"이 테스트의 점수는 기본 값 테스트({names})를 통과해야 인정됩니다. 값이 틀린 함수는 입력 보존, dtype, "
            f"ValueError 점수를 받지 못합니다.\n"
            f"This test's points count only when the basic value test ({names}) passes: a function that "
            f"returns wrong values earns nothing for keeping its inputs, its dtype or raising ValueError.")
