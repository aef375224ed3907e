"""Plain numeric data across the trust boundary, in a format that cannot run code.

Everything that leaves a student's process is encoded here: a JSON header
(parsed by ``json``, which builds only dicts, lists, strings and numbers)
holding the value's skeleton and each array's dtype and shape, then the
arrays' raw bytes, read with ``np.frombuffer`` for a whitelisted numeric dtype.
Neither reader can execute code, unlike pickle, so a hostile submission can at
worst send wrong numbers, never objects with their own ``__eq__``. (Not the
``.npy`` format: ``np.load`` parses each array's header with
``ast.literal_eval``, a third of the grader's own CPU per call for the small
arrays of a check.)

Encoded values: ``None``, ``bool``, ``int``, ``float``, ``str`` (for messages),
NumPy scalars and arrays of a numeric dtype (kinds b, i, u, f, c), and tuples,
lists and ``str``-keyed dicts of them. ``decode`` re-checks all of it, since the
student's process may have replaced ``encode`` with anything; each array is
referenced once, so a decoded value holds no more array bytes than its message.
"""

from __future__ import annotations

import io
import json
import math
import re
from typing import Any

import numpy as np

NUMERIC_KINDS = "biufc"
MAX_DEPTH = 32
MAX_ARRAYS = 10_000
MAX_DIMENSIONS = 32
# Byte order, kind (bool, int, uint, float, complex), item size: '<f8', '|b1', '<c16'.
DTYPE_CODE = re.compile(r"[<>|][biufc][0-9]{1,2}")


class PlainDataError(ValueError):
    """A value is not plain numeric data (raised on either side of the pipe)."""


def describe_type(value: Any) -> str:
    """A short name for a value's type, for messages a student reads."""
    kind = type(value)
    if isinstance(value, np.ndarray) and kind is not np.ndarray:
        return f"{kind.__name__} (a subclass of numpy.ndarray)"
    return (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )


def _encode_float(x: float) -> Any:
    # JSON has no NaN or infinity; keep them exact and standard-conforming.
    return x if math.isfinite(x) else {"float": repr(x)}


def _finite_floats(items: list[Any] | tuple[Any, ...]) -> bool:
    """Every item a finite built-in float (each its own skeleton, as ``_encode_float`` says)."""
    return all(type(x) is float for x in items) and all(map(math.isfinite, items))


def _to_skeleton(value: Any, arrays: list[np.ndarray], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise PlainDataError(f"data nested more than {MAX_DEPTH} levels deep")
    kind = type(value)
    if value is None or kind is bool or kind is str or kind is int:
        return value
    if kind is float:
        return _encode_float(value)
    if kind is complex:
        return {"complex": [_encode_float(value.real), _encode_float(value.imag)]}
    if kind is np.ndarray or isinstance(value, np.generic):
        array = np.asarray(value) if kind is not np.ndarray else value
        if array.dtype.kind not in NUMERIC_KINDS:
            raise PlainDataError(f"an array of dtype {array.dtype} is not numeric")
        if len(arrays) >= MAX_ARRAYS:
            raise PlainDataError(f"more than {MAX_ARRAYS} arrays in one message")
        arrays.append(array)
        return {"scalar" if kind is not np.ndarray else "array": len(arrays) - 1}
    if kind is tuple or kind is list:
        if depth < MAX_DEPTH and _finite_floats(value):  # a loss curve: no call per number
            items = list(value)
        else:
            items = [_to_skeleton(item, arrays, depth + 1) for item in value]
        return {"tuple": items} if kind is tuple else {"list": items}
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise PlainDataError("dict keys must be strings")
        return {
            "dict": [[key, _to_skeleton(item, arrays, depth + 1)] for key, item in value.items()]
        }
    raise PlainDataError(f"a {describe_type(value)} is not plain numeric data")


def encode(value: Any) -> bytes:
    """Serialise ``value``; raise PlainDataError naming the first bad part."""
    arrays: list[np.ndarray] = []
    skeleton = _to_skeleton(value, arrays, 0)
    table = [[array.dtype.str, list(array.shape)] for array in arrays]
    header = json.dumps([skeleton, table], allow_nan=False).encode()
    stream = io.BytesIO()
    stream.write(len(header).to_bytes(8, "little"))
    stream.write(header)
    for array in arrays:
        stream.write(array.tobytes())  # C order, whatever the array's own layout
    return stream.getvalue()


def _layout(entry: Any) -> tuple[np.dtype[Any], tuple[int, ...]]:
    """An array's (dtype, shape) from the header, numeric and sane, or PlainDataError."""
    if type(entry) is not list or len(entry) != 2:
        raise PlainDataError("malformed array entry")
    code, shape = entry
    if type(code) is not str or not DTYPE_CODE.fullmatch(code):
        raise PlainDataError(f"an array of dtype {str(code)[:20]!r} is not numeric")
    if type(shape) is not list or len(shape) > MAX_DIMENSIONS:
        raise PlainDataError("malformed array shape")
    if not all(type(n) is int and n >= 0 for n in shape):
        raise PlainDataError("malformed array shape")
    try:
        dtype = np.dtype(code)
    except TypeError:  # '<f3': no such type
        raise PlainDataError(f"an array of dtype {code!r} is not numeric") from None
    if dtype.kind not in NUMERIC_KINDS:  # the pattern should already ensure it: numpy decides
        raise PlainDataError(f"an array of dtype {dtype} is not numeric")
    return dtype, tuple(shape)


def _read_arrays(data: memoryview, table: Any) -> list[np.ndarray]:
    """The arrays ``table`` lays out in ``data``, each a copy; every byte accounted for."""
    if type(table) is not list or len(table) > MAX_ARRAYS:
        raise PlainDataError(f"malformed array table (at most {MAX_ARRAYS} arrays)")
    arrays, offset = [], 0
    for entry in table:
        dtype, shape = _layout(entry)
        count = math.prod(shape)
        if count * dtype.itemsize > len(data) - offset:
            raise PlainDataError("truncated array data")
        try:
            flat = np.frombuffer(data, dtype, count, offset)
            arrays.append(flat.reshape(shape).copy())
        except (ValueError, TypeError, OverflowError) as exc:  # e.g. (0, 10**30)
            raise PlainDataError(f"malformed array data ({exc})") from None
        offset += count * dtype.itemsize
    if offset != len(data):
        raise PlainDataError("bytes after the last array")
    return arrays


def _decode_float(node: Any) -> float:
    if type(node) in (int, float):
        return float(node)
    if type(node) is dict and set(node) == {"float"} and node["float"] in ("nan", "inf", "-inf"):
        return float(node["float"])
    raise PlainDataError("malformed float")


def _text(node: str) -> str:
    """``node`` with any lone surrogate ("\\ud800", valid in JSON, in no UTF-8 file)
    replaced: a student's message holding one made writing its feedback page raise."""
    try:
        node.encode("utf-8")
        return node
    except UnicodeEncodeError:
        return node.encode("utf-8", "replace").decode("utf-8")


_NUMBERS = (float, int, bool)  # the nodes json.loads gives that decode to themselves


def _from_skeleton(node: Any, arrays: dict[int, np.ndarray], depth: int) -> Any:
    """The value ``node`` describes; each array of ``arrays`` is taken at its one reference."""
    if depth > MAX_DEPTH:
        raise PlainDataError(f"data nested more than {MAX_DEPTH} levels deep")
    if type(node) is str:
        return _text(node)
    if node is None or type(node) in (bool, int, float):
        return node
    if type(node) is not dict or len(node) != 1:
        raise PlainDataError("malformed data skeleton")
    ((tag, body),) = node.items()
    if tag in ("array", "scalar"):
        # Referenced once, as encode writes it: one array named many times would be
        # its bytes many times over once a check makes numbers of the value (a
        # 128 KiB array named 9,800 times in a 256 KiB reply: 1.2 GB).
        if type(body) is not int or body not in arrays:
            raise PlainDataError("malformed array reference (each array is referenced once)")
        if tag == "scalar" and arrays[body].ndim != 0:
            raise PlainDataError("a scalar must refer to a 0-d array")
        array = arrays.pop(body)
        return array if tag == "array" else array[()]
    if tag == "float":
        return _decode_float(node)
    if tag == "complex" and type(body) is list and len(body) == 2:
        return complex(_decode_float(body[0]), _decode_float(body[1]))
    if tag in ("tuple", "list") and type(body) is list:
        if depth < MAX_DEPTH and all(type(item) in _NUMBERS for item in body):
            items = list(body)  # a loss curve: each number is its own value
        else:
            items = [_from_skeleton(item, arrays, depth + 1) for item in body]
        return tuple(items) if tag == "tuple" else items
    if tag == "dict" and type(body) is list:
        pairs = {}
        for pair in body:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                raise PlainDataError("malformed dict entry")
            pairs[_text(pair[0])] = _from_skeleton(pair[1], arrays, depth + 1)
        return pairs
    raise PlainDataError(f"unknown data tag {tag!r}")


def decode(payload: bytes) -> Any:
    """Rebuild a value from ``encode``'s bytes, trusting none of them."""
    size = int.from_bytes(payload[:8], "little")
    if len(payload) < 8 or size > len(payload) - 8:
        raise PlainDataError("truncated message")
    try:
        header = json.loads(payload[8 : 8 + size])
    except (ValueError, RecursionError) as exc:
        raise PlainDataError(f"malformed data skeleton ({exc})") from None
    if type(header) is not list or len(header) != 2:
        raise PlainDataError("malformed message header")
    skeleton, table = header
    arrays = _read_arrays(memoryview(payload)[8 + size :], table)
    return _from_skeleton(skeleton, dict(enumerate(arrays)), 0)
