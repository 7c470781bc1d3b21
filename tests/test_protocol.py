"""Only plain data crosses the worker boundary: no pickles, no objects, no lying subclasses."""

import numpy as np
import pytest

from cnngrade.sandbox import protocol


@pytest.mark.parametrize("value", [
    None, True, 3, -2.5, float("nan"), "문자열", (1, 2), [1, (2, 3)], {"conv1.weight": np.ones((2, 2))},
    np.int64(7), np.float32(1.5), np.arange(6.0).reshape(2, 3), np.ones(3, np.float32),
    np.array([1 + 2j]), np.zeros((0, 4)),
])
def test_plain_values_round_trip(value):
    decoded = protocol.decode(protocol.encode(value))
    if isinstance(value, np.ndarray):
        assert type(decoded) is np.ndarray and decoded.dtype == value.dtype
        np.testing.assert_array_equal(decoded, value)
    elif isinstance(value, float) and value != value:
        assert decoded != decoded
    elif isinstance(value, dict):
        np.testing.assert_array_equal(decoded["conv1.weight"], value["conv1.weight"])
    else:
        assert decoded == value and type(decoded) is type(value)


class LyingArray(np.ndarray):
    def __eq__(self, other):
        return True

    def __array_ufunc__(self, *args, **kwargs):
        return np.True_


def test_array_subclass_is_reduced_to_its_plain_values():
    lying = np.array([1.0, 2.0]).view(LyingArray)
    decoded = protocol.decode(protocol.encode(lying))
    assert type(decoded) is np.ndarray
    assert decoded.tolist() == [1.0, 2.0]


class FakeInt(int):
    pass


class ArrayLike:
    def __array__(self, dtype=None, copy=None):
        return np.zeros(3)


@pytest.mark.parametrize("value", [
    np.array([object()], dtype=object), FakeInt(3), ArrayLike(), {1: 2}, {"a": object()}, {1, 2},
    np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")]),
], ids=["object-array", "int-subclass", "array-like", "int-key", "object-value", "set", "structured"])
def test_non_plain_values_are_refused(value):
    with pytest.raises(protocol.ProtocolError):
        protocol.encode(value)


def test_decoder_refuses_pickled_object_arrays():
    """A forged message carrying a pickled object array is rejected, never unpickled."""
    import io
    import json
    import struct

    buffer = io.BytesIO()
    np.save(buffer, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    header = json.dumps({"__ndarray__": 0}).encode()
    blob = buffer.getvalue()
    message = struct.pack("!Q", len(header)) + header + struct.pack("!Q", 1) + struct.pack("!Q", len(blob)) + blob
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(message)


def test_truncated_message_is_an_error():
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(protocol.encode(np.ones(10))[:-5])
