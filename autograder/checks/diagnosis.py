"""Naming the mistake behind a wrong gradient, from the expected one.

A failed gradient check knows the inputs, the upstream gradient, the expected
gradients (numerical: no reference needed, so self-checks diagnose too) and
what the student returned. Each known mistake is a prediction computed from
those: the expected gradient transposed, negated, divided by the batch size,
without the upstream factor, for an earlier forward, and so on. The first
prediction that matches the student's answer (within the check's tolerance)
names the mistake in one sentence the student can act on; when none does,
the sentence gives the cosine similarity, the scale and the worst element.

Everything here is generic over layers (any forward, any number of inputs)
except two small tables at the end: how a few of the lesson's gradients are
computed (to say "compute it as x.T @ dout") and how an activation's
derivative is written through its output (for sigmoid: a * (1 - a)).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import permutations
from typing import Any

import numpy as np

from autograder.checks.expect import as_numbers, worst_mismatch
from autograder.core.errors import CheckFailed
from autograder.i18n import t


@dataclass(frozen=True)
class Diagnosis:
    """A recognised mistake: its catalogue key (counted in class analytics) and sentence."""

    mistake: str
    text: str


def input_name(gradient: str) -> str:
    """``dW`` -> ``W``: the input a gradient belongs to."""
    return gradient[1:] if gradient.startswith("d") and len(gradient) > 1 else gradient


def diagnosis(mistake: str, **fields: Any) -> Diagnosis:
    return Diagnosis(mistake, t(f"diag.{mistake}", **fields))


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
    return Diagnosis(next(iter(first)), "; ".join(texts)) if first else None


@dataclass(frozen=True)
class Tolerance:
    atol: float
    rtol: float

    def close(self, got: Any, expected: Any) -> bool:
        if np.shape(got) != np.shape(expected):
            return False
        return worst_mismatch("", got, expected, self.atol, self.rtol) is None


# -- comparing two arrays when no mistake matches ---------------------------------------
def unmatched(name: str, got: Any, expected: Any) -> Diagnosis:
    """Cosine similarity, norm ratio and worst element of ``got`` against ``expected``."""
    g = np.asarray(got, dtype=float).ravel()
    e = np.asarray(expected, dtype=float).ravel()
    norms = float(np.linalg.norm(g) * np.linalg.norm(e))
    cosine = float(g @ e / norms) if norms > 0 else 0.0
    scale = float(np.linalg.norm(g) / max(float(np.linalg.norm(e)), np.finfo(float).tiny))
    worst = worst_mismatch(name, got, expected, 0.0, 0.0)
    where, at_got, at_expected = (worst.where, worst.got, worst.expected) if worst else (name, 0, 0)
    return diagnosis(
        "unmatched",
        name=name,
        cosine=cosine,
        scale=scale,
        where=where,
        got=at_got,
        expected=at_expected,
    )


# -- one backward call -----------------------------------------------------------------
@dataclass(frozen=True)
class BackwardCase:
    """Everything known about one backward call, as plain data in the grader's process.

    ``expected`` are the gradients for ``upstream``; ``local`` those for an
    all-ones upstream (what a backward that forgets the upstream returns);
    ``earlier`` those of the forward call made just before the last one.
    """

    layer: str
    forward: Callable[..., Any]
    names: tuple[str, ...]
    inputs: tuple[Any, ...]
    upstream: Any
    expected: tuple[np.ndarray, ...]
    local: tuple[np.ndarray, ...]
    earlier: tuple[np.ndarray, ...] | None
    got: Any
    upstream_after: Any = None
    inputs_after: tuple[Any, ...] | None = None

    def input_name(self, index: int) -> str:
        return input_name(self.names[index])

    @property
    def batch(self) -> int:
        return int(np.shape(self.upstream)[0]) if np.ndim(self.upstream) else 1

    def returned(self) -> list[Any] | None:
        """The returned gradients as a list, or None when the structure is wrong."""
        if len(self.names) == 1:
            return [self.got]
        if type(self.got) in (tuple, list) and len(self.got) == len(self.names):
            return list(self.got)
        return None


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
    expected = case.expected[index]
    for mistake, predicted, fields in candidates(case, index):
        if tolerance.close(got, predicted) and not tolerance.close(predicted, expected):
            return diagnosis(mistake, **fields)
    if got.shape == expected.shape:
        return unmatched(case.names[index], got, expected)
    return None


Candidate = tuple[str, Any, dict[str, Any]]


def candidates(case: BackwardCase, index: int) -> Iterator[Candidate]:
    """Every known mistake's prediction of this gradient, most specific first."""
    name, expected, n = case.names[index], case.expected[index], case.batch
    fields = {
        "name": name,
        "input": case.input_name(index),
        "shape": tuple(np.shape(expected)),
        "n": n,
        "layer": case.layer,
    }
    if np.ndim(expected) == 2:
        how = HOW.get((case.layer, name))
        how_text = t("diag.how", formula=how) if how else ""
        yield "transposed", expected.T, {**fields, "how": how_text}
    upstream = np.asarray(case.upstream, dtype=float)
    if upstream.ndim >= 1 and upstream.shape[1:] == np.shape(expected):  # added to every row
        yield "not_summed", upstream, fields
        yield "wrong_axis", upstream.sum(axis=tuple(range(1, upstream.ndim))), fields
        yield "averaged", expected / n, fields
    yield "sign", -expected, fields
    if n > 1:
        yield "divided_by_n", expected / n, fields
        yield "times_n", expected * n, fields
    yield "no_upstream", case.local[index], fields
    if upstream.shape == np.shape(expected):
        yield "adds_upstream", case.local[index] + upstream, fields
    for other, value in enumerate(case.expected):
        if other != index:
            yield "other_gradient", value, {**fields, "other": case.names[other]}
    if case.earlier is not None:
        yield "stale_cache", case.earlier[index], fields
    derivative = OUTPUT_DERIVATIVES.get(case.layer)
    if derivative is not None and len(case.inputs) == 1:
        v = np.asarray(case.inputs[0], dtype=float)
        with np.errstate(over="ignore"):
            output = np.asarray(case.forward(v), dtype=float)
            twice = np.asarray(case.forward(output), dtype=float)
        yield "derivative_of_input", upstream * derivative(v), fields
        yield "derivative_twice", upstream * derivative(twice), fields


# -- a backward that raised --------------------------------------------------------------
MATMUL_ERROR = re.compile(r"matmul|not aligned|shapes .* mismatch", re.IGNORECASE)
ASSIGNED = re.compile(r":\s*(?:return\s+)?(\w+)\s*=")


def diagnose_exception(
    layer: str, names: Sequence[str], inputs: Sequence[Any], kind: str, message: str, where: str
) -> Diagnosis | None:
    """A matrix product that raised for mismatched shapes: a transpose is missing."""
    if kind != "ValueError" or not MATMUL_ERROR.search(message):
        return None
    assigned = ASSIGNED.search(where)
    name = assigned.group(1) if assigned else ""
    if name in names:
        index = list(names).index(name)
        how = HOW.get((layer, name))
        return diagnosis(
            "missing_transpose",
            name=name,
            input=name[1:],
            shape=tuple(np.shape(inputs[index])),
            how=t("diag.how", formula=how) if how else "",
        )
    shapes = ", ".join(f"{n} {tuple(np.shape(x))}" for n, x in zip(names, inputs))
    return diagnosis("missing_transpose_somewhere", shapes=shapes)


# -- the lesson's layers -------------------------------------------------------------------
HOW: dict[tuple[str, str], str] = {
    ("AffineLayer", "dW"): "x.T @ dout",
    ("AffineLayer", "dx"): "dout @ W.T",
}

# Layers whose two gradients are each other's swap (dz * y and dz * x).
SWAP_HOW = frozenset({"MultiplyLayer"})

OUTPUT_DERIVATIVES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "SigmoidLayer": lambda a: a * (1.0 - a),
}
