"""Assertions on students' data: the worst element, exact shapes and types."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.checks.expect import (
    as_numbers,
    distinct,
    expect_array_like,
    expect_close,
    expect_sequence,
    worst_mismatch,
)
from autograder.core.errors import CheckFailed


def grid_with(index: tuple[int, int], value: float) -> np.ndarray:
    grid = np.zeros((3, 4))
    grid[index] = value
    return grid


@pytest.mark.parametrize(
    ("got", "expected", "atol", "rtol", "index"),
    [
        ([1.0, 2.0, 3.0], [1.0, 2.5, 3.1], 0.0, 0.01, (1,)),
        # the largest absolute error (at 0) is within its relative tolerance
        ([101.0, 1.5], [100.0, 1.0], 0.0, 0.02, (1,)),
        (grid_with((2, 1), 0.5), np.zeros((3, 4)), 1e-7, 1e-5, (2, 1)),
        (grid_with((0, 3), -9.0) + grid_with((1, 1), 2.0), np.zeros((3, 4)), 0, 0, (0, 3)),
        # NaN is worse than any finite error
        ([np.nan, 1e6], [0.0, 0.0], 0.0, 0.0, (0,)),
        ([5.0, 1.0], [5.0, np.inf], 0.0, 0.0, (1,)),
        (2.0, 1.0, 0.0, 0.0, ()),
    ],
)
def test_worst_mismatch_picks_the_element_most_out_of_tolerance(
    got: Any, expected: Any, atol: float, rtol: float, index: tuple[int, ...]
) -> None:
    mismatch = worst_mismatch("g", got, expected, atol, rtol)
    assert mismatch is not None and mismatch.index == index
    g = float(np.asarray(got, dtype=float)[index])
    e = float(np.asarray(expected, dtype=float)[index])
    assert mismatch.got == g or (np.isnan(g) and np.isnan(mismatch.got))
    assert mismatch.expected == e


@pytest.mark.parametrize(
    ("got", "expected"),
    [
        ([1.0, 2.0], [1.0, 2.0]),
        ([1.0 + 1e-9, 2.0], [1.0, 2.0]),
        (np.zeros((0, 3)), np.zeros((0, 3))),
        (0.0, 1e-8),
    ],
)
def test_worst_mismatch_is_none_within_tolerance(got: Any, expected: Any) -> None:
    assert worst_mismatch("g", got, expected, 1e-7, 1e-5) is None


def test_mismatch_sentence_names_element_values_and_relative_error() -> None:
    mismatch = worst_mismatch("dW", grid_with((2, 1), 1.5), grid_with((2, 1), 1.0), 0, 1e-5)
    assert mismatch is not None
    assert mismatch.rel_error == pytest.approx(0.5) and mismatch.abs_error == pytest.approx(0.5)
    assert mismatch.sentence("numerical") == (
        "dW[2, 1] is 1.5 but the numerical value is 1 (relative error 5.0e-01)"
    )
    scalar = worst_mismatch("dx", 3.0, 2.0, 0, 0)
    assert scalar is not None and scalar.sentence().startswith("dx is 3 but the expected value")


@pytest.mark.parametrize("got", [1e-3, 9.0, np.inf, np.nan])
def test_relative_error_against_an_exact_zero_is_huge_and_silent(got: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mismatch = worst_mismatch("db", [got], [0.0], 0, 0)
    assert mismatch is not None and not mismatch.rel_error < 1e100


def test_expect_close_raises_the_sentence() -> None:
    with pytest.raises(CheckFailed, match=r"losses\[1\] is 3 but the expected value is 2"):
        expect_close("losses", [1.0, 3.0], [1.0, 2.0], 1e-12, 1e-8)
    expect_close("losses", [1.0, 2.0], [1.0, 2.0], 1e-12, 1e-8)


def matrix() -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        return np.matrix([[1.0, 2.0, 3.0]])


ROW = np.zeros((1, 3))
VECTOR = np.zeros(3)


@pytest.mark.parametrize(
    ("value", "like", "fragment"),
    [
        (np.zeros(3), ROW, "has shape (3,) but must have the shape of its input (1, 3)"),
        (np.zeros((1, 3)), VECTOR, "has shape (1, 3) but must have the shape of its input (3,)"),
        (np.zeros((3, 1)), VECTOR, "has shape (3, 1)"),
        (np.zeros((3, 3)), VECTOR, "has shape (3, 3)"),
        (np.zeros(3, dtype=np.float32), VECTOR, "has dtype float32; it must be float64"),
        (np.zeros(3, dtype=np.int64), VECTOR, "has dtype int64; it must be float64"),
        (np.array([0.0, np.nan, 0.0]), VECTOR, "contains NaN or infinity"),
        (np.array([[0.0, -np.inf, 0.0]]), ROW, "contains NaN or infinity"),
        ([0.0, 0.0, 0.0], VECTOR, "should be a numpy array, but is a list"),
        ((0.0, 0.0, 0.0), VECTOR, "should be a numpy array, but is a tuple"),
        (matrix(), ROW, "should be a numpy array, but is a matrix (a subclass of numpy.ndarray)"),
        (0.0, VECTOR, "should be a numpy array, but is a float"),
        ([1.0], 1.0, "should be a number for scalar inputs, but is a list"),
        (np.zeros(1), 1.0, "should be a number for scalar inputs, but is a numpy.ndarray"),
        (1, 1.0, "should be a number for scalar inputs, but is a int"),
        (np.float32(1.0), 1.0, "should be a number for scalar inputs, but is a numpy.float32"),
        (float("nan"), 1.0, "contains NaN or infinity"),
        (1.0, np.array(1.0), "should be a numpy array, but is a float"),
    ],
)
def test_expect_array_like_rejects(value: Any, like: Any, fragment: str) -> None:
    with pytest.raises(CheckFailed) as failure:
        expect_array_like("grad", value, like)
    assert str(failure.value).startswith("grad ")
    assert fragment in str(failure.value)


@pytest.mark.parametrize(
    ("value", "like"),
    [
        (np.ones((1, 3)), ROW),
        (np.ones(3), VECTOR),
        (2.5, 1.0),
        (np.float64(2.5), 1.0),
        (np.array(2.5), 1.0),
        (np.array(2.5), np.array(1.0)),
    ],
)
def test_expect_array_like_accepts_exact_float64(value: Any, like: Any) -> None:
    result = expect_array_like("grad", value, like)
    assert result.dtype == np.float64 and result.shape == np.shape(like)
    np.testing.assert_array_equal(result, value)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ({"dx": 1.0, "dy": 2.0}, "must return a tuple (dx, dy), but returned a dict"),
        (np.zeros(2), "must return a tuple (dx, dy), but returned a numpy.ndarray"),
        (1.0, "but returned a float"),
        ((1.0,), "must return 2 values (dx, dy), but returned 1"),
        ([1.0, 2.0, 3.0], "must return 2 values (dx, dy), but returned 3"),
    ],
)
def test_expect_sequence_rejects(value: Any, fragment: str) -> None:
    with pytest.raises(CheckFailed) as failure:
        expect_sequence(value, 2, "MultiplyLayer.backward", "(dx, dy)")
    assert fragment in str(failure.value)


@pytest.mark.parametrize("value", [(1.0, 2.0), [1.0, 2.0]])
def test_expect_sequence_accepts_tuples_and_lists(value: Any) -> None:
    assert expect_sequence(value, 2, "MultiplyLayer.backward", "(dx, dy)") == [1.0, 2.0]


@pytest.mark.parametrize(
    ("got", "expected", "shown"),
    [
        (1.5, 1.0, ("1.5", "1")),  # six digits when they differ
        (-0.013812108, -0.013812099, ("-0.01381211", "-0.01381210")),
        (-0.0138121081234, -0.0138121071234, ("-0.013812108", "-0.013812107")),
        (0.1 + 0.2, 0.3, ("0.30000000000000004", "0.29999999999999999")),
    ],
)
def test_numbers_are_printed_with_the_digits_that_differ(
    got: float, expected: float, shown: tuple[str, str]
) -> None:
    """The issue's "-0.0138121 but the expected value is -0.0138121" never happens."""
    assert distinct(got, expected) == shown
    mismatch = worst_mismatch("b1", [got], [expected], 0, 0)
    assert mismatch is not None
    sentence = mismatch.sentence()
    assert f"is {shown[0]} but the expected value is {shown[1]}" in sentence
    assert "relative error" in sentence


# -- as_numbers and the strict expect_close: the one place a reply becomes numbers -------
@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("0.5", "a str"),
        ([0.1, "x"], "a str"),
        (True, "a bool"),
        ([1.0, np.bool_(True)], "a numpy.bool"),
        ({"a": 1.0}, "a dict"),
        (None, "a NoneType"),
        ([[1.0], [1.0, 2.0]], "lists of different lengths"),
        ([10**400], "an integer too large for a float"),
        (1 + 2j, "a complex"),
        (np.zeros(2, dtype=complex), "a numpy.ndarray"),
    ],
)
def test_as_numbers_refuses_what_is_not_real_numbers(value: Any, what: str) -> None:
    with pytest.raises(CheckFailed, match=f"losses must hold real numbers only, but holds {what}"):
        as_numbers("losses", value)


@pytest.mark.parametrize(
    ("value", "shape"),
    [(3, ()), (2.5, ()), ([1, 2.0, np.float32(3)], (3,)), ([[1.0], [2.0]], (2, 1)), ((), (0,))],
)
def test_as_numbers_accepts_real_numbers_of_a_regular_shape(value: Any, shape: tuple) -> None:
    array = as_numbers("x", value)
    assert array.dtype == np.float64 and array.shape == shape


@pytest.mark.parametrize(
    ("got", "expected", "fragment"),
    [
        (np.ones(1), 1.0, "has shape (1,) but the expected value has shape ()"),
        (np.ones(3), np.ones(5), "has shape (3,)"),
        (np.empty(0), np.empty(0), "is empty"),
        (np.empty((0, 3)), np.ones(3), "has shape (0, 3)"),
        (np.array(1.0), np.ones((1, 1)), "has shape ()"),
    ],
)
def test_wrong_shapes_and_empty_values_never_match(got: Any, expected: Any, fragment: str) -> None:
    with pytest.raises(CheckFailed) as failed:
        expect_close("g", got, expected, 1e9, 1e9)
    assert fragment in str(failed.value)


plain_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=3)
    | st.sampled_from([np.ones(3), np.empty(0), np.array(2.0), np.zeros((3, 1)), np.int64(4)]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(got=plain_values)
def test_expect_close_raises_nothing_but_a_verdict(got: Any) -> None:
    try:
        expect_close("g", got, np.ones(3), 1e-9, 1e-9)
    except CheckFailed:
        pass
