"""Naming the mistake behind a wrong gradient, by reproducing the student's numbers.

A failed gradient check knows the inputs, the upstream gradient, the expected
gradients (numerical: no reference needed, so self-checks diagnose too) and
what the student returned. Each known mistake (``candidates``) predicts the
gradient it would return; the first prediction equal to the student's answer
to rounding names the mistake, in one sentence the student can act on, with
the place in their own code added by the engine (``places``). A diagnosis is
shown only when it reproduces the student's values: when no prediction does,
the sentence says plainly how the answer differs (``difference``), and a
backward that raised for clashing shapes is reproduced on shapes
(``shapes``), so a line that already reads ``x.T @ dout`` is never told that a
transpose is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import permutations
from typing import Any

import numpy as np

from autograder.checks.candidates import HOW, SWAP_HOW, candidates
from autograder.checks.cases import BackwardCase
from autograder.checks.difference import describe
from autograder.checks.expect import as_numbers, worst_mismatch
from autograder.checks.shapes import analyse
from autograder.core.errors import CheckFailed
from autograder.i18n import t


@dataclass(frozen=True)
class Diagnosis:
    """A recognised mistake: its catalogue key (counted in class analytics) and sentence.

    ``function`` (``backward``, ``forward``, or empty for the checked function
    itself) and ``variable`` say where to look for it in the student's code.
    """

    mistake: str
    text: str
    variable: str = ""
    function: str = ""


# Keys that state how the numbers differ (or two causes they cannot tell apart)
# instead of naming one mistake.
DESCRIPTIONS = frozenset(
    {
        "unmatched",
        "trainer_unmatched",
        "shapes_clash",
        "lr_or_factor",
        "unchanged_or_stale",
        "forward_differs",
    }
)


def named(mistake: str) -> bool:
    """Whether ``mistake`` names a mistake (rather than describing a difference)."""
    return bool(mistake) and mistake not in DESCRIPTIONS


def diagnosis(mistake: str, variable: str = "", function: str = "", **fields: Any) -> Diagnosis:
    """The catalogue sentence of ``mistake`` (``a+b``: both sentences), filled in."""
    text = "; ".join(t(f"diag.{key}", **fields) for key in mistake.split("+"))
    return Diagnosis(mistake, text, variable, function)


def combine(found: Sequence[tuple[str, Diagnosis]]) -> Diagnosis | None:
    """Several gradients' diagnoses as one sentence each; the first names the mistake.

    ``found`` pairs a gradient's name with its diagnosis. A mistake repeated
    for several gradients is told once, naming the others ("same for db").
    """
    names: dict[str, list[str]] = {}
    first: dict[str, Diagnosis] = {}
    for name, found_one in found:
        names.setdefault(found_one.mistake, []).append(name)
        first.setdefault(found_one.mistake, found_one)
    texts = []
    for mistake, one in first.items():
        others = names[mistake][1:]
        same = t("diag.same_for", names=", ".join(others)) if others else ""
        texts.append(one.text + same)
    if not first:
        return None
    one = next(iter(first.values()))
    return Diagnosis(one.mistake, "; ".join(texts), one.variable, one.function)


@dataclass(frozen=True)
class Tolerance:
    atol: float
    rtol: float

    def close(self, got: Any, expected: Any) -> bool:
        if np.shape(got) != np.shape(expected):
            return False
        return worst_mismatch("", got, expected, self.atol, self.rtol) is None


# -- one backward call -----------------------------------------------------------------
# The gradient checks' tolerance, for callers comparing with exact values.
LOOSE = Tolerance(1e-7, 1e-5)


def diagnose_backward(case: BackwardCase, tolerance: Tolerance) -> Diagnosis | None:
    """The mistake behind a failed gradient check, or None when nothing can be said."""
    side_effect = modified_in_place(case)
    if side_effect is not None:
        return side_effect
    grads = case.returned()
    if grads is None:
        return None
    arrays = [as_array(g) for g in grads]
    order = wrong_order(case, arrays, tolerance)
    if order is not None:
        return order
    found = []
    for index, got in enumerate(arrays):
        if got is None or tolerance.close(got, case.expected[index]):
            continue
        one = per_gradient(case, index, got, tolerance)
        if one is not None:
            found.append((case.names[index], one))
    return combine(found)


def as_array(value: Any) -> np.ndarray | None:
    try:
        array = as_numbers("", value)
    except CheckFailed:
        return None
    return array if np.all(np.isfinite(array)) else None


def same(now: Any, before: Any) -> bool:
    return bool(np.shape(now) == np.shape(before) and np.array_equal(now, before, equal_nan=True))


def modified_in_place(case: BackwardCase) -> Diagnosis | None:
    if case.upstream_after is not None and not same(case.upstream_after, case.upstream):
        return diagnosis("upstream_modified")
    for index, after in enumerate(case.inputs_after or ()):
        if not same(after, case.inputs[index]):
            return diagnosis("input_modified", input=case.input_name(index))
    return None


def wrong_order(
    case: BackwardCase, arrays: list[np.ndarray | None], tolerance: Tolerance
) -> Diagnosis | None:
    """The right gradients, returned in another order (e.g. (dy, dx) for (dx, dy))."""
    if len(arrays) < 2 or any(a is None for a in arrays):
        return None
    for order in permutations(range(len(arrays))):
        if list(order) == sorted(order):
            continue
        if all(tolerance.close(arrays[i], case.expected[j]) for i, j in enumerate(order)):
            got = ", ".join(case.names[j] for j in order)
            key = "swapped" if len(arrays) == 2 else "wrong_order"
            inputs = ", ".join(case.input_name(i) for i in range(len(case.names)))
            how = t("diag.swap_how") if case.layer in SWAP_HOW else ""
            fields = {"got": got, "names": ", ".join(case.names), "inputs": inputs}
            return diagnosis(key, layer=case.layer, how=how, **fields)
    return None


def per_gradient(
    case: BackwardCase, index: int, got: np.ndarray, tolerance: Tolerance
) -> Diagnosis | None:
    """The first known mistake that reproduces ``got``, else how it differs."""
    expected = np.asarray(case.expected[index], dtype=float)
    name = case.names[index]
    for mistake, predicted, fields in candidates(case, index, got.shape):
        if tolerance.close(got, predicted) and not tolerance.close(predicted, expected):
            return diagnosis(mistake, variable=name, **fields)
    if got.shape == expected.shape:
        return unmatched(name, got, expected, tolerance, case.batch)
    return None


def unmatched(
    name: str, got: Any, expected: Any, tolerance: Tolerance = LOOSE, batch: int = 0
) -> Diagnosis:
    """No known mistake reproduces ``got``: say plainly how it differs from ``expected``
    (a factor, some rows, signs, zeros, the worst element), never a guess."""
    details = describe(name, got, expected, tolerance.close, batch)
    return Diagnosis("unmatched", t("diag.unmatched", name=name, details=details), name)


# -- a backward that raised --------------------------------------------------------------
def diagnose_exception(
    layer: str,
    names: Sequence[str],
    inputs: Sequence[Any],
    upstream: Any,
    error: tuple[str, str],
    source: str | None,
) -> Diagnosis | None:
    """A backward whose line combines shapes that do not line up: what is really there.

    ``error`` is the exception's kind and where it was raised (the worker's
    ``layers.py, line 57, in backward: ...``); ``source`` the student's module.
    """
    kind, where = error
    if kind not in ("ValueError", "TypeError") or source is None:
        return None
    shapes = tuple(tuple(np.shape(x)) for x in inputs)
    found = analyse(source, layer, where, tuple(names), shapes, tuple(np.shape(upstream)))
    if found is None:
        return None
    fields = dict(found.fields)
    how = HOW.get((layer, fields["name"]))
    fields["how"] = t("diag.how", formula=how) if how else ""
    if found.in_forward:
        return diagnosis(found.mistake, variable=fields["attr"], function="forward", **fields)
    return diagnosis(found.mistake, variable=fields["name"], function="backward", **fields)
