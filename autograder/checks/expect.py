"""Assertions on plain data from a student, failing with messages that teach.

Each helper raises ``CheckFailed`` with a sentence that says what was wrong
and what was expected; checks call them in order, so the first problem found
is the one reported.

This is the one place where a student's value becomes numbers the grader
computes with: ``as_numbers`` accepts real numbers in any plain form (a
number, an array, nested lists of a regular shape) and refuses everything
else (strings, bools, dicts, None, ragged lists, complex numbers, integers
beyond a float) with ``CheckFailed``, so that no value a student returns can
raise anything else inside a check. ``expect_close`` compares only values of
the expected shape, and an empty value never matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder.core.errors import CheckFailed
from autograder.i18n import CATALOGUE, t
from autograder.runtime.plaindata import describe_type

SCALAR_TYPES = (float, np.float64)


@dataclass(frozen=True)
class Mismatch:
    """The worst element of a comparison, in the terms a student can act on."""

    name: str
    index: tuple[int, ...]
    got: float
    expected: float
    abs_error: float
    rel_error: float

    @property
    def where(self) -> str:
        return f"{self.name}[{', '.join(map(str, self.index))}]" if self.index else self.name

    def sentence(self, expected_label: str = "expected") -> str:
        """``expected_label``: a catalogue label (expected, numerical, reference)."""
        key = f"expect.label.{expected_label}"
        got, expected = distinct(self.got, self.expected)
        return t(
            "expect.mismatch",
            where=self.where,
            got=got,
            label=t(key) if key in CATALOGUE else expected_label,
            expected=expected,
            rel=self.rel_error,
        )


SHORTEST, LONGEST = 6, 17  # significant digits: readable, and float64's round trip


def distinct(a: float, b: float) -> tuple[str, str]:
    """``a`` and ``b`` with the fewest significant digits (at least 6) that tell them apart.

    Six digits read well but hide small errors ("-0.0138121 but the expected
    value is -0.0138121"); 17 digits always round-trip a float64, so two
    different numbers never print alike.
    """
    for digits in range(SHORTEST, LONGEST + 1):
        alike = "" if digits == SHORTEST else "#"  # beyond six, keep trailing zeros alike
        shown = f"{a:{alike}.{digits}g}", f"{b:{alike}.{digits}g}"
        if shown[0] != shown[1]:
            return shown
    return f"{a:.{SHORTEST}g}", f"{b:.{SHORTEST}g}"


REAL_KINDS = "iuf"
# A Python int beyond this is no float (the largest float64 is about 1.8e308).
LARGEST_INT = 2**1023


def _refusal(value: Any) -> str:
    """Why ``value`` is not real numbers ("" when it is), for ``as_numbers``."""
    kind = type(value)
    if kind is float or (kind is int and abs(value) < LARGEST_INT):
        return ""
    if kind is int:
        return t("expect.what.too_large")
    if (kind is np.ndarray or isinstance(value, np.generic)) and value.dtype.kind in REAL_KINDS:
        return ""
    if kind in (list, tuple):
        return next((why for item in value if (why := _refusal(item))), "")
    return t("expect.what.kind", kind=describe_type(value))


def as_numbers(name: str, value: Any) -> np.ndarray:
    """``value`` as a float64 array when it is real numbers of a regular shape.

    Accepts a number, an array of ints or floats, or (nested) lists and tuples
    of them; NaN and infinity are numbers (finiteness is a verdict of its
    own). Anything else fails with a sentence naming what was found.
    """
    why = _refusal(value)
    if not why:
        try:
            with np.errstate(over="ignore"):
                return np.asarray(value, dtype=np.float64)
        except (ValueError, TypeError, OverflowError):
            why = t("expect.what.ragged")
    raise CheckFailed(t("expect.not_numbers", name=name, what=why))


def worst_mismatch(name: str, got: Any, expected: Any, atol: float, rtol: float) -> Mismatch | None:
    """The element that most exceeds ``|g - e| <= atol + rtol * |e|``, or None.

    ``got`` and ``expected`` must be numbers of one shape (or broadcastable):
    ``expect_close`` checks that first, for values from a student.
    """
    got_array = np.asarray(got, dtype=np.float64)
    expected_array = np.asarray(expected, dtype=np.float64)
    # NaN and infinity are verdicts here (the worst element), not accidents:
    # no RuntimeWarning may leak into the grader's output.
    with np.errstate(over="ignore", invalid="ignore"):
        error = np.abs(got_array - expected_array)
        excess = error - (atol + rtol * np.abs(expected_array))
        if excess.size == 0 or excess.max() <= 0:  # a NaN is the max, and not <= 0
            return None
        excess = np.where(np.isnan(excess), np.inf, excess)
        index = np.unravel_index(int(np.argmax(excess)), excess.shape) if excess.ndim else ()
        g, e = float(got_array[index]), float(expected_array[index])
        rel = float(abs(g - e) / max(abs(e), np.finfo(float).tiny))
    return Mismatch(name, tuple(int(i) for i in index), g, e, abs(g - e), rel)


def expect_close(
    name: str, got: Any, expected: Any, atol: float, rtol: float, label: str = "expected"
) -> None:
    """``got`` (anything a student returned) is ``expected``'s shape and close to it."""
    got_array = as_numbers(name, got)
    expected_array = np.asarray(expected, dtype=np.float64)
    if got_array.shape != expected_array.shape:
        key = f"expect.label.{label}"
        raise CheckFailed(
            t(
                "expect.shape_differs",
                name=name,
                shape=got_array.shape,
                label=t(key) if key in CATALOGUE else label,
                expected=expected_array.shape,
            )
        )
    if got_array.size == 0:
        raise CheckFailed(t("expect.empty", name=name))
    mismatch = worst_mismatch(name, got_array, expected_array, atol, rtol)
    if mismatch is not None:
        raise CheckFailed(mismatch.sentence(label))


def expect_sequence(value: Any, length: int, what: str, names: str) -> list[Any]:
    """``value`` must be a tuple or list of ``length`` items, e.g. ``(dx, dW, db)``."""
    if type(value) not in (tuple, list):
        raise CheckFailed(t("expect.not_tuple", what=what, names=names, kind=describe_type(value)))
    if len(value) != length:
        raise CheckFailed(
            t("expect.wrong_count", what=what, length=length, names=names, count=len(value))
        )
    return list(value)


def expect_array_like(name: str, value: Any, like: Any) -> np.ndarray:
    """``value`` must be exactly what ``like`` is: same shape, float64, finite.

    No broadcasting leniency: a (3,) gradient for a (1, 3) input is wrong,
    because ``p -= lr * grad`` would then silently change p's shape.
    """
    if np.ndim(like) == 0 and not isinstance(like, np.ndarray):
        if type(value) not in SCALAR_TYPES and not (
            type(value) is np.ndarray and value.shape == ()
        ):
            raise CheckFailed(t("expect.not_number", name=name, kind=describe_type(value)))
        array = np.asarray(value)
    else:
        if type(value) is not np.ndarray:
            raise CheckFailed(t("expect.not_array", name=name, kind=describe_type(value)))
        array = value
        if array.shape != np.shape(like):
            raise CheckFailed(
                t("expect.wrong_shape", name=name, shape=array.shape, expected=np.shape(like))
            )
    if array.dtype != np.float64:
        raise CheckFailed(t("expect.wrong_dtype", name=name, dtype=array.dtype))
    if not np.all(np.isfinite(array)):
        raise CheckFailed(t("expect.not_finite", name=name))
    return np.asarray(array, dtype=np.float64)
