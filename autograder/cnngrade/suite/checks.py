"""Comparisons for hidden tests, with failure messages that teach (Korean first, then English).

A message says what was expected and what came back (type, shape, dtype, max error, first wrong
index) and gives a hint, but never prints the hidden inputs or expected values.
"""

import numpy as np

from ..sandbox.session import SubmissionError
from . import side_properties

FLOAT64_TOLERANCE = {"rtol": 1e-7, "atol": 1e-9}
FLOAT32_TOLERANCE = {"rtol": 1e-4, "atol": 1e-4}


class Mismatch(AssertionError):
    """A wrong answer from the submission; its text is shown to the student."""

    def __init__(self, korean, english, hint=None):
        super().__init__(f"{korean}\n{english}{hint_text(hint)}")
        self.summary = f"{korean} / {english}"
        self.detail = f"{korean}\n{english}"
        self.hint = hint_text(hint).strip()


def hint_text(hint):
    if not hint:
        return ""
    korean, english = hint
    return f"\n힌트: {korean}\nHint: {english}"


def fail(korean, english, hint=None):
    raise Mismatch(korean, english, hint)


def tolerance_for(dtype):
    return FLOAT32_TOLERANCE if np.dtype(dtype) == np.float32 else FLOAT64_TOLERANCE


def _type_name(value):
    if isinstance(value, np.ndarray):
        return f"numpy.ndarray (dtype {value.dtype})"
    return type(value).__name__


def expect_array(actual, expected, what, hint=None, dtype=None):
    """``actual`` must be an ndarray with expected's shape, the given dtype and close values."""
    expected = np.asarray(expected)
    dtype = np.dtype(dtype or expected.dtype)
    if not isinstance(actual, np.ndarray):
        fail(f"{what}: numpy 배열을 반환해야 하는데 {_type_name(actual)}을(를) 반환했습니다.",
             f"{what}: expected a numpy array, got {_type_name(actual)}.", hint)
    if actual.shape != expected.shape:
        fail(f"{what}: 모양이 다릅니다. 기대 {expected.shape}, 받은 값 {actual.shape}.",
             f"{what}: wrong shape: expected {expected.shape}, got {actual.shape}.", hint)
    if actual.dtype != dtype:
        fail(f"{what}: dtype이 다릅니다. 기대 {dtype}, 받은 값 {actual.dtype}. 입력의 dtype을 유지하세요.",
             f"{what}: wrong dtype: expected {dtype}, got {actual.dtype}. Keep the input's dtype.", hint)
    finite = np.isfinite(actual)
    if not finite.all():
        index = tuple(int(i) for i in np.argwhere(~finite)[0])
        fail(f"{what}: NaN 또는 inf가 있습니다 (처음 위치 {index}).",
             f"{what}: contains NaN or inf (first at index {index}).", hint)
    tolerance = tolerance_for(dtype)
    actual64, expected64 = actual.astype(np.float64), expected.astype(np.float64)
    close = np.isclose(actual64, expected64, **tolerance)
    if not close.all():
        error = np.abs(actual64 - expected64)
        relative = (error / np.maximum(np.abs(expected64), 1e-12)).max()
        index = tuple(int(i) for i in np.argwhere(~close)[0])
        wrong = int((~close).sum())
        fail(f"{what}: 값이 틀렸습니다. 최대 절대 오차 {error.max():.3g}, 최대 상대 오차 {relative:.3g}, "
             f"틀린 원소 {wrong}/{close.size}개, 처음 틀린 위치 {index}.",
             f"{what}: wrong values: max abs error {error.max():.3g}, max rel error {relative:.3g}, "
             f"{wrong}/{close.size} elements wrong, first wrong index {index}.", hint)
    side_properties.value_right(actual)


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def expect_size(actual, expected, what, hint=None):
    """A size or count: an int (Python or numpy), or a tuple of ints, equal to ``expected``."""
    if isinstance(expected, tuple):
        if not isinstance(actual, tuple) or len(actual) != len(expected) or not all(map(_is_int, actual)):
            fail(f"{what}: 정수 {len(expected)}개의 튜플을 반환해야 합니다 (받은 값의 타입: {type(actual).__name__}).",
                 f"{what}: expected a tuple of {len(expected)} ints, got {type(actual).__name__}.", hint)
    elif not _is_int(actual):
        fail(f"{what}: 정수를 반환해야 하는데 {type(actual).__name__}을(를) 반환했습니다.",
             f"{what}: expected an int, got {type(actual).__name__}.", hint)
    if tuple(np.atleast_1d(actual)) != tuple(np.atleast_1d(expected)):
        fail(f"{what}: 값이 틀렸습니다.", f"{what}: wrong value.", hint)
    side_properties.value_right(actual)


def expect_value_error(call, what, hint=None):
    """``call()`` must make the submission raise ValueError (or a subclass). Counts only with the
    function's values (see side_properties.py)."""
    try:
        call()
    except SubmissionError as error:
        if error.fault.raised("ValueError"):
            side_properties.value_error_raised(error.function)
            return
        if error.fault.kind != "raised":
            raise
        fail(f"{what}: ValueError를 발생시켜야 하는데 {error.fault.exception_type}이(가) 발생했습니다.",
             f"{what}: expected ValueError, got {error.fault.exception_type}.", hint)
    fail(f"{what}: 잘못된 입력인데 ValueError 없이 값을 반환했습니다.",
         f"{what}: invalid input, but no ValueError was raised.", hint)


def expect_size_or_value_error(call, expected, what, hint, error_hint):
    """``call()`` must return the size ``expected``, or raise ValueError when ``expected`` is None
    (settings for which no output exists)."""
    if expected is None:
        expect_value_error(call, what, error_hint)
    else:
        expect_size(call(), expected, what, hint)


def _arrays(value, path):
    """(path, array) for every array inside nested args: positions, dict keys."""
    if isinstance(value, np.ndarray):
        yield path, value
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _arrays(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _arrays(item, f"{path}[{key!r}]")


def expect_unchanged(result, original_args, what):
    """The call must not have modified any of its array arguments. Counts only when the values of
    the same call are checked too (see side_properties.py)."""
    if result.args_after is None:
        raise TypeError(f"expect_unchanged({what}) needs the result of submission.call(...), which carries "
                        f"the arguments after the call")
    after = dict(_arrays(result.args_after, "args"))
    for path, before in _arrays(list(original_args), "args"):
        changed = after.get(path)
        if not (isinstance(changed, np.ndarray) and changed.shape == before.shape
                and np.array_equal(changed, before)):
            fail(f"{what}: 입력 배열 {path}을(를) 수정했습니다. 입력은 바꾸지 마세요.",
                 f"{what}: modified its input {path}. Never modify inputs.",
                 ("np.pad나 .copy()로 새 배열을 만들고, 입력에 +=, *= 를 쓰지 마세요.",
                  "create new arrays (np.pad, .copy()) instead of using +=, *= on inputs."))
    side_properties.inputs_kept(result)
