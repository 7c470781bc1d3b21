"""Plain-data messages between the grader and the worker that runs student code.

A message is a length-prefixed JSON header followed by ``.npy`` blobs (``allow_pickle=False``).
Only None, bool, int, float, str, list, tuple, dict (str keys), numpy scalars and numeric
ndarrays cross the boundary; anything else is refused by ``encode`` (worker side) and by
``decode`` (grader side), so no student object ever reaches the grader.

This module must import nothing but the standard library and numpy: the worker loads it by
file path before the submission is imported.
"""

import io
import json
import struct

import numpy as np

_LENGTH = struct.Struct("!Q")
# Numeric kinds only: bool, signed/unsigned int, float, complex. Never object ('O') or void.
ARRAY_KINDS = "biufc"
MAX_MESSAGE_BYTES = 1 << 30


class ProtocolError(Exception):
    """A message that is not plain data, or a broken stream."""


def _tag(value, blobs):
    if value is None or isinstance(value, (bool, str)) or type(value) in (int, float):
        return value
    if isinstance(value, np.ndarray):
        # A subclass (possibly with a lying __eq__ or __array_ufunc__) is reduced to its values.
        plain = np.array(value.view(np.ndarray), copy=True, subok=False)
        if plain.dtype.kind not in ARRAY_KINDS:
            raise ProtocolError(f"array of dtype {plain.dtype} is not numeric data")
        blobs.append(plain)
        return {"__ndarray__": len(blobs) - 1}
    if isinstance(value, np.generic):
        if value.dtype.kind not in ARRAY_KINDS:
            raise ProtocolError(f"numpy scalar of dtype {value.dtype} is not numeric data")
        return {"__scalar__": value.dtype.str, "value": _tag(value.item(), blobs)}
    if type(value) is tuple:
        return {"__tuple__": [_tag(item, blobs) for item in value]}
    if type(value) is list:
        return [_tag(item, blobs) for item in value]
    if type(value) is dict:
        if not all(type(key) is str for key in value):
            raise ProtocolError("dict keys must be strings")
        return {"__dict__": {key: _tag(item, blobs) for key, item in value.items()}}
    if isinstance(value, (int, float)):
        raise ProtocolError(f"a subclass of {type(value).__mro__[1].__name__} ({type(value).__name__}) is not plain data")
    raise ProtocolError(f"an object of type {type(value).__name__} is not plain data")


def _untag(value, blobs):
    if isinstance(value, list):
        return [_untag(item, blobs) for item in value]
    if not isinstance(value, dict):
        return value
    if "__ndarray__" in value:
        return blobs[value["__ndarray__"]]
    if "__scalar__" in value:
        dtype = np.dtype(value["__scalar__"])
        if dtype.kind not in ARRAY_KINDS:
            raise ProtocolError(f"scalar dtype {dtype} is not numeric")
        return dtype.type(value["value"])
    if "__tuple__" in value:
        return tuple(_untag(item, blobs) for item in value["__tuple__"])
    if "__dict__" in value:
        return {key: _untag(item, blobs) for key, item in value["__dict__"].items()}
    raise ProtocolError(f"unknown tag in {sorted(value)}")


def encode(value):
    """Serialise plain data into bytes; raises ProtocolError for anything else."""
    blobs = []
    header = json.dumps(_tag(value, blobs), allow_nan=True).encode()
    parts = [_LENGTH.pack(len(header)), header, _LENGTH.pack(len(blobs))]
    for array in blobs:
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        parts += [_LENGTH.pack(buffer.tell()), buffer.getvalue()]
    return b"".join(parts)


def decode(payload):
    """Inverse of ``encode``; never unpickles, never builds a non-numeric array."""
    view = memoryview(payload)
    offset = 0

    def take(size):
        nonlocal offset
        if offset + size > len(view):
            raise ProtocolError("truncated message")
        chunk = view[offset:offset + size]
        offset += size
        return chunk

    header = json.loads(bytes(take(_LENGTH.unpack(take(_LENGTH.size))[0])))
    blobs = []
    for _ in range(_LENGTH.unpack(take(_LENGTH.size))[0]):
        blob = take(_LENGTH.unpack(take(_LENGTH.size))[0])
        try:
            array = np.load(io.BytesIO(bytes(blob)), allow_pickle=False)
        except ValueError as error:
            raise ProtocolError(f"not a plain numeric array: {error}") from None
        if array.dtype.kind not in ARRAY_KINDS:
            raise ProtocolError(f"array of dtype {array.dtype} is not numeric")
        blobs.append(array)
    return _untag(header, blobs)


def frame(body):
    """An encoded message with its length prefix, as it travels on the pipe."""
    return _LENGTH.pack(len(body)) + body


def write_message(stream, value):
    """Frame and write one message to a binary file object."""
    stream.write(frame(encode(value)))
    stream.flush()


def read_message(stream):
    """Read one framed message from a binary file object; None at end of stream."""
    prefix = _read_exact(stream, _LENGTH.size)
    if prefix is None:
        return None
    body = _read_exact(stream, frame_length(prefix))
    if body is None:
        raise ProtocolError("truncated message")
    return decode(body)


def _read_exact(stream, size):
    chunks, remaining = [], size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def frame_length(prefix):
    """Length of the message announced by an 8-byte prefix."""
    (length,) = _LENGTH.unpack(prefix)
    if length > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {length} bytes is larger than allowed")
    return length


PREFIX_BYTES = _LENGTH.size
