"""Plain numeric data: exact round trips, and refusal of everything else."""

from __future__ import annotations

import json
import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograder.runtime.plaindata import MAX_DEPTH, PlainDataError, decode, encode

NUMERIC_DTYPES = ["float64", "float32", "float16", "int64", "int8", "uint16", "bool", "complex128"]

arrays = st.sampled_from(NUMERIC_DTYPES).flatmap(
    lambda dtype: hnp.arrays(
        dtype, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)
    )
)
numpy_scalars = arrays.filter(lambda a: a.size > 0).map(lambda a: a.flat[0])
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.complex_numbers(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    arrays,
    numpy_scalars,
)
plain = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.dictionaries(st.text(max_size=5), children, max_size=4),
    ),
    max_leaves=20,
)


def same(a: Any, b: Any) -> bool:
    """Equal values of exactly the same types; NaN equals NaN, -0.0 is not 0.0."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray | np.generic):
        a_arr, b_arr = np.asarray(a), np.asarray(b)
        return (
            a_arr.dtype == b_arr.dtype
            and a_arr.shape == b_arr.shape
            and a_arr.tobytes() == b_arr.tobytes()
        )
    if type(a) is float:
        return (math.isnan(a) and math.isnan(b)) or (
            a == b and math.copysign(1, a) == math.copysign(1, b)
        )
    if type(a) is complex:
        return same(a.real, b.real) and same(a.imag, b.imag)
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if type(a) is dict:
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return bool(a == b)


@settings(max_examples=300, deadline=None)
@given(plain)
def test_plain_data_round_trips_exactly(value: Any) -> None:
    assert same(decode(encode(value)), value)


@pytest.mark.parametrize(
    "value",
    [
        np.array(3.5),  # a 0-d array stays an array
        np.float64(3.5),  # a NumPy scalar stays a NumPy scalar
        3.5,  # a Python float stays a Python float
        np.float32(1.25),
        np.int64(-7),
        np.bool_(True),
        True,
        7,
        2**80,
        float("nan"),
        float("-inf"),
        -0.0,
        complex(1, float("inf")),
        np.zeros((0, 3)),
        np.array([np.nan, np.inf, -np.inf]),
        (1.0, [2.0, {"k": np.ones(2)}]),
        {"W1": np.eye(2), "losses": [0.5, 0.25]},
    ],
    ids=repr,
)
def test_types_are_preserved(value: Any) -> None:
    decoded = decode(encode(value))
    assert type(decoded) is type(value) and same(decoded, value)


class AlwaysEqual(np.ndarray):
    """What a hostile submission would return to pass every comparison."""

    def __eq__(self, other: object) -> Any:  # type: ignore[override]
        return True


class Float(float):
    pass


def matrix() -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        return np.matrix([[1.0, 2.0]])


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (np.array([object(), 1], dtype=object), "dtype object is not numeric"),
        (np.array(["a", "b"]), "is not numeric"),
        (np.array(["2020-01-01"], dtype="datetime64[D]"), "is not numeric"),
        (np.zeros(2, dtype=[("a", "f8")]), "is not numeric"),
        (np.str_("x"), "is not numeric"),
        (matrix(), "matrix (a subclass of numpy.ndarray)"),
        (np.zeros(3).view(AlwaysEqual), "AlwaysEqual (a subclass of numpy.ndarray)"),
        (np.ma.masked_array([1.0, 2.0]), "MaskedArray (a subclass of numpy.ndarray)"),
        (Float(1.0), "Float is not plain numeric data"),
        ({1, 2}, "a set is not plain numeric data"),
        (b"bytes", "a bytes is not plain numeric data"),
        (object(), "a object is not plain numeric data"),
        (len, "is not plain numeric data"),
        ({1: 2.0}, "dict keys must be strings"),
        ([np.zeros(2), {"x": (object(),)}], "a object is not plain numeric data"),
    ],
    ids=lambda v: type(v).__name__,
)
def test_everything_else_is_refused(value: Any, fragment: str) -> None:
    with pytest.raises(PlainDataError) as error:
        encode(value)
    assert fragment in str(error.value)


def test_nesting_deeper_than_the_limit_is_refused() -> None:
    value: Any = 1.0
    for _ in range(MAX_DEPTH + 1):
        value = [value]
    with pytest.raises(PlainDataError, match="nested more than"):
        encode(value)


@pytest.mark.parametrize("numbers", [[1.5, 2.5], [1.5, math.nan], [0.5, True], [], [1, 2.0]])
@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH])
def test_a_list_of_numbers_keeps_the_depth_limit_and_its_items(
    numbers: list[Any], depth: int
) -> None:
    """A loss curve takes a shortcut through both sides: the same limit, the same items."""
    value: Any = list(numbers)
    for _ in range(depth):
        value = [value]
    if depth == MAX_DEPTH and numbers:  # its items one level past the limit
        with pytest.raises(PlainDataError, match="nested more than"):
            encode(value)
        return
    decoded = decode(encode(value))
    for _ in range(depth):
        decoded = decoded[0]
    assert [type(x) for x in decoded] == [type(x) for x in numbers]
    assert decoded == numbers or math.isnan(decoded[-1])


def test_a_forged_list_of_numbers_nested_past_the_limit_is_refused() -> None:
    forged: Any = {"list": [1.0, 2.0]}
    for _ in range(MAX_DEPTH):
        forged = {"list": [forged]}
    with pytest.raises(PlainDataError, match="nested more than"):
        decode(message(forged))


def message(
    skeleton: Any, *arrays: np.ndarray, raw: bytes | None = None, table: Any = None
) -> bytes:
    """A hand-built payload: what a student's process could forge (``table``: the
    arrays' (dtype, shape) entries, by default the true ones)."""
    if table is None:
        table = [[array.dtype.str, list(array.shape)] for array in arrays]
    body = raw if raw is not None else json.dumps([skeleton, table]).encode()
    data = b"".join(array.tobytes() for array in arrays if array.dtype.kind != "O")
    return len(body).to_bytes(8, "little") + body + data


def nested_lists(depth: int) -> Any:
    node: Any = 1.0
    for _ in range(depth):
        node = {"list": [node]}
    return node


MALFORMED = {
    "empty": b"",
    "short header": b"\x01\x00",
    "truncated": (10**6).to_bytes(8, "little") + b"{}",
    "not json": message(None, raw=b"{not json"),
    "not utf-8": message(None, raw=b"\xff\xfe"),
    "json nested 100000 deep": message(None, raw=b"[" * 100_000),
    "array reference without array": message({"array": 0}),
    "negative array reference": message({"array": -1}, np.zeros(2)),
    "string array reference": message({"array": "0"}, np.zeros(2)),
    "two tags in one node": message({"array": 0, "list": []}, np.zeros(2)),
    "bare json list": message([1, 2]),
    "unknown tag": message({"set": [1]}),
    "float tag with a number": message({"float": "1e5"}),
    "complex with one part": message({"complex": [1.0]}),
    "dict with an int key": message({"dict": [[1, 2.0]]}),
    "dict entry without value": message({"dict": [["a"]]}),
    "pickled object array": message({"array": 0}, np.array([object()], dtype=object)),
    "string array": message({"array": 0}, np.array(["text"])),
    "bytes after the arrays": message({"array": 0}, np.zeros(2)) + b"\x00",
    "array bytes missing": message({"array": 0}, table=[["<f8", [2]]]),
    "object dtype code": message({"array": 0}, table=[["|O", [1]]]),
    "structured dtype code": message({"array": 0}, table=[["[('a', '<f8')]", [1]]]),
    "no such dtype": message({"array": 0}, table=[["<f3", [1]]]),
    "negative dimension": message({"array": 0}, np.zeros(2), table=[["<f8", [-2]]]),
    "float dimension": message({"array": 0}, np.zeros(2), table=[["<f8", [2.0]]]),
    "too many dimensions": message({"array": 0}, table=[["<f8", [1] * 33]]),
    "empty but absurdly wide": message({"array": 0}, table=[["<f8", [0, 10**30]]]),
    "overflowing size": message({"array": 0}, table=[["<f8", [2**62, 2**62]]]),
    "table not a list": message({"array": 0}, table={"a": 1}),
    "header not a pair": message(None, raw=b"[1, [], 3]"),
    "header not a list": message(None, raw=b'{"a": 1}'),
    "scalar of a 3-element array": message({"scalar": 0}, np.zeros(3)),
    "one array referenced twice": message({"list": [{"array": 0}, {"array": 0}]}, np.zeros(2)),
    "one 0-d array as two scalars": message({"list": [{"scalar": 0}, {"scalar": 0}]}, np.zeros(())),
    "array then scalar of it": message({"list": [{"array": 0}, {"scalar": 0}]}, np.zeros(())),
    "nested past the limit": message(nested_lists(MAX_DEPTH + 2)),
}


@pytest.mark.parametrize("payload", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_payloads_raise_plain_data_error(payload: bytes) -> None:
    with pytest.raises(PlainDataError):
        decode(payload)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_decode_or_raise_plain_data_error(payload: bytes) -> None:
    try:
        decode(payload)
    except PlainDataError:
        pass


@settings(max_examples=200, deadline=None)
@given(plain, st.data())
def test_corrupted_messages_decode_or_raise_plain_data_error(value: Any, data: Any) -> None:
    payload = bytearray(encode(value))
    index = data.draw(st.integers(0, len(payload) - 1))
    payload[index] = data.draw(st.integers(0, 255))
    try:
        decode(bytes(payload))
    except PlainDataError:
        pass


def test_a_lone_surrogate_never_reaches_the_graders_files() -> None:
    """Valid in JSON, in no UTF-8 file: an exception message holding one ended the whole
    batch with a traceback when the student's feedback page was written."""
    value = decode(encode({"message": "bad \ud800", "\udcff": ["x\ud800y"]}))
    assert value == {"message": "bad ?", "?": ["x?y"]}
    assert str(value).encode("utf-8")


def test_a_decoded_value_holds_no_more_array_bytes_than_its_message() -> None:
    """One array named many times was that array many times over once a check made
    numbers of it: a 262 KiB reply to train_xor (a 128 KiB array named 9,800 times as
    the losses) cost the grader 1.2 GB in ``as_numbers``, and a MemoryError (a grader
    error) at the larger caps of other calls. Each array is now referenced once."""
    array = np.arange(16384, dtype=np.float64)
    skeleton = {"dict": [["ok", True], ["value", {"tuple": [{"dict": []}, {"list": []}]}]]}
    skeleton["dict"][1][1]["tuple"][1]["list"] = [{"array": 0}] * 9800
    forged = message(skeleton, array)
    assert len(forged) < 300 << 10 and 9800 * array.nbytes > 1 << 30  # what it stood for
    with pytest.raises(PlainDataError, match="referenced once"):
        decode(forged)
