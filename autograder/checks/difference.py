"""Saying plainly how a wrong array differs from the right one, when no mistake matches.

A student cannot act on a cosine similarity. They can act on "every element
is 0.25 times the right value", "only row 2 differs", "the sign is wrong in 3
of 12 elements" or "dv is 0 where it should not be". ``describe`` looks for
the simplest such pattern that holds *exactly* (to the check's tolerance);
each is a fact about the numbers, not a guess at the cause, so none claims
a mistake. When nothing simpler holds, the sentence gives the worst element
with enough digits and its relative error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograder.checks.expect import distinct, worst_mismatch
from autograder.i18n import t

Close = Callable[[Any, Any], bool]
SHOWN = 3  # elements named in a sentence


def number(value: float) -> str:
    return f"{value:.4g}"


def elements(name: str, indices: np.ndarray, shape: tuple[int, ...]) -> str:
    """``dW[0, 1], dW[2, 0]`` for the first few flat ``indices``."""
    shown = []
    for flat in indices[:SHOWN]:
        index = np.unravel_index(int(flat), shape) if shape else ()
        shown.append(f"{name}[{', '.join(str(int(i)) for i in index)}]" if index else name)
    return ", ".join(shown) + (", ..." if len(indices) > SHOWN else "")


def describe(name: str, got: Any, expected: Any, close: Close, batch: int = 0) -> str:
    """One sentence on how ``got`` differs from ``expected`` (same shape), for ``name``."""
    g = np.asarray(got, dtype=float)
    e = np.asarray(expected, dtype=float)
    text = pattern(name, g, e, close) or worst(name, g, e)
    if batch == 1:
        text += t("differs.single_sample")
    return text


def pattern(name: str, g: np.ndarray, e: np.ndarray, close: Close) -> str:
    flat_g, flat_e = g.ravel(), e.ravel()
    wrong = np.flatnonzero([not close(a, b) for a, b in zip(flat_g, flat_e)])
    energy = float(flat_e @ flat_e)
    if energy > 0:
        factor = float(flat_g @ flat_e) / energy
        if close(g, factor * e):
            return t("differs.scaled", name=name, factor=number(factor))
    offset = float(np.mean(flat_g - flat_e)) if flat_g.size else 0.0
    if flat_g.size > 1 and close(g, e + offset):
        return t("differs.offset", name=name, offset=number(offset))
    if g.ndim == 2 and 0 < wrong.size < g.size:
        rows = sorted({int(i) // g.shape[1] for i in wrong})
        columns = sorted({int(i) % g.shape[1] for i in wrong})
        if len(rows) < g.shape[0] and len(rows) * g.shape[1] == wrong.size:
            return t("differs.rows", name=name, rows=", ".join(map(str, rows[:SHOWN])))
        if len(columns) < g.shape[1] and len(columns) * g.shape[0] == wrong.size:
            return t("differs.columns", name=name, columns=", ".join(map(str, columns[:SHOWN])))
    if wrong.size and close(np.abs(g), np.abs(e)):
        return t(
            "differs.signs",
            name=name,
            count=wrong.size,
            total=g.size,
            where=elements(name, wrong, g.shape),
        )
    zero = wrong[flat_g[wrong] == 0.0]
    if wrong.size and zero.size == wrong.size:
        return t("differs.zeros", name=name, where=elements(name, zero, g.shape))
    if 0 < wrong.size <= g.size // 2:
        first = int(wrong[0])
        got, want = distinct(float(flat_g[first]), float(flat_e[first]))
        return t(
            "differs.some",
            count=wrong.size,
            total=g.size,
            where=elements(name, wrong, g.shape),
            first=elements(name, wrong[:1], g.shape),
            got=got,
            expected=want,
        )
    return ""


def worst(name: str, g: np.ndarray, e: np.ndarray) -> str:
    """The element furthest out, with digits that show the difference."""
    mismatch = worst_mismatch(name, g, e, 0.0, 0.0)
    if mismatch is None:
        return t("differs.none", name=name)
    got, want = distinct(mismatch.got, mismatch.expected)
    return t("differs.everywhere", name=name, where=mismatch.where, got=got, expected=want,
             rel=mismatch.rel_error)  # fmt: skip
