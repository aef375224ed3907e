"""Known mistakes of a backward pass, each as a prediction of the gradient it returns.

Every prediction is computed from what the check knows (inputs, upstream
gradient, the expected gradients for it, for an all-ones upstream and for an
earlier forward call), never from a reference backward. A mistake matches
when the student's gradient equals its prediction to rounding: the diagnosis
then *reproduces* the student's numbers, which is the only ground on which
one is shown.

Two mistakes often come together (a transposed and negated dW), so besides
single mistakes the candidates include each single one combined with one of
the four *modifiers* (transpose, sign, divided or multiplied by the batch
size), keyed ``first+second``.

Generic over layers except for three small tables at the end: how a few of
the lesson's gradients are computed (to say "compute it as x.T @ dout"),
layers whose two gradients are each other's swap, and how an activation's
derivative is written through its output (for sigmoid: a * (1 - a)).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from autograder.checks.cases import BackwardCase
from autograder.i18n import t

Candidate = tuple[str, Any, dict[str, Any]]
Modifier = Callable[[np.ndarray, int], np.ndarray | None]

MODIFIERS: dict[str, Modifier] = {
    "transposed": lambda a, n: a.T if a.ndim == 2 else None,
    "sign": lambda a, n: -a,
    "divided_by_n": lambda a, n: a / n if n > 1 else None,
    "times_n": lambda a, n: a * n if n > 1 else None,
}


def fields_for(case: BackwardCase, index: int) -> dict[str, Any]:
    name, expected = case.names[index], case.expected[index]
    how = HOW.get((case.layer, name))
    return {
        "name": name,
        "input": case.input_name(index),
        "shape": tuple(np.shape(expected)),
        "n": case.batch,
        "layer": case.layer,
        "how": t("diag.how", formula=how) if how else "",
    }


def candidates(
    case: BackwardCase, index: int, got_shape: tuple[int, ...] | None = None
) -> Iterator[Candidate]:
    """Every known mistake's prediction of gradient ``index``: single mistakes, then
    pairs; ``got_shape`` (the student's) adds the mistakes that only reshape."""
    expected = np.asarray(case.expected[index], dtype=float)
    singles = list(single_mistakes(case, index))
    yield from singles
    # with one sample, keeping an axis or summing over all is also "not summed over the batch"
    if got_shape is not None and got_shape != expected.shape and case.batch > 1:
        yield from reshaped(expected, got_shape, singles[0][2] if singles else {})
    n = case.batch
    modifiers = list(MODIFIERS)
    for position, first in enumerate(modifiers):  # two modifiers on the right gradient
        once = MODIFIERS[first](expected, n)
        if once is None:
            continue
        for second in modifiers[position + 1 :]:
            twice = MODIFIERS[second](once, n)
            if twice is not None and {first, second} != {"divided_by_n", "times_n"}:
                yield f"{first}+{second}", twice, singles[0][2]
    for key, predicted, fields in singles:  # one modifier on another mistake
        array = np.asarray(predicted, dtype=float)
        if key in MODIFIERS or array.shape != expected.shape:
            continue
        for modifier, change in MODIFIERS.items():
            changed = change(array, n)
            if changed is not None:
                yield f"{key}+{modifier}", changed, fields


def reshaped(
    expected: np.ndarray, got_shape: tuple[int, ...], fields: dict[str, Any]
) -> Iterator[Candidate]:
    """The right values in another shape: an axis kept (keepdims) or all summed."""
    fields = {**fields, "got_shape": got_shape}
    squeezed = tuple(d for d in got_shape if d != 1)
    if int(np.prod(got_shape)) == expected.size and squeezed == tuple(
        d for d in expected.shape if d != 1
    ):
        yield "keepdims", expected.reshape(got_shape), fields
    if int(np.prod(got_shape)) == 1 and expected.size > 1:
        yield "summed_all", np.full(got_shape, expected.sum()), fields


def single_mistakes(case: BackwardCase, index: int) -> Iterator[Candidate]:
    """One known mistake each, most specific first."""
    expected, n = case.expected[index], case.batch
    fields = fields_for(case, index)
    if np.ndim(expected) == 2:
        yield "transposed", expected.T, fields
    yield from untransposed(case, index, fields)
    upstream = np.asarray(case.upstream, dtype=float)
    # added to every row of a batch (with one row, summing changes only the shape)
    if upstream.ndim >= 1 and upstream.shape[1:] == np.shape(expected) and n > 1:
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
    if elementwise(case):  # chained through another gradient: dy = dx * x
        for other, value in enumerate(case.expected):
            if other != index:
                other_fields = {**fields, "other": case.names[other]}
                yield "chained_gradient", value * case.local[index], other_fields
    if case.earlier is not None:
        yield "stale_cache", case.earlier[index], fields
    if case.elsewhere is not None:
        yield "shared_cache", case.elsewhere[index], fields
    yield from activation_mistakes(case, upstream, fields)


def untransposed(case: BackwardCase, index: int, fields: dict[str, Any]) -> Iterator[Candidate]:
    """A product missing its transpose that still runs: ``dout @ W`` with a square W
    (D = M), ``x @ dout`` with N = D. Raising on every other shape, it is caught by
    the static reading of the line (``shapes``); on these it returns numbers."""
    product = UNTRANSPOSED.get((case.layer, case.names[index]))
    if product is None:
        return
    written, formula, predict = product
    try:
        predicted = np.asarray(predict(*case.inputs, case.upstream), dtype=float)
    except (ValueError, TypeError, IndexError):
        return  # the shapes do not allow the mistake here
    if predicted.shape == np.shape(case.expected[index]):
        yield "square_untransposed", predicted, {**fields, "written": written, "fix": formula}


def activation_mistakes(
    case: BackwardCase, upstream: np.ndarray, fields: dict[str, Any]
) -> Iterator[Candidate]:
    """An activation's derivative taken of the wrong value (the input, or its output)."""
    derivative = OUTPUT_DERIVATIVES.get(case.layer)
    if derivative is None or len(case.inputs) != 1:
        return
    v = np.asarray(case.inputs[0], dtype=float)
    with np.errstate(over="ignore"):
        output = np.asarray(case.forward(v), dtype=float)
        twice = np.asarray(case.forward(output), dtype=float)
    yield "derivative_of_input", upstream * derivative(v), fields
    yield "derivative_twice", upstream * derivative(twice), fields
    for key, wrong in DERIVATIVE_MISTAKES.get(case.layer, ()):
        yield key, upstream * wrong(output), fields


def elementwise(case: BackwardCase) -> bool:
    """Every input, and the upstream gradient, of one shape (z = x * y)."""
    shape = np.shape(case.upstream)
    return len(case.inputs) > 1 and all(np.shape(x) == shape for x in case.inputs)


# -- the lesson's layers -------------------------------------------------------------------
HOW: dict[tuple[str, str], str] = {
    ("AffineLayer", "dW"): "x.T @ dout",
    ("AffineLayer", "dx"): "dout @ W.T",
}

# A gradient's product with the transpose left out: (what is written, the fix, its value
# from the forward's inputs and the upstream gradient).
UNTRANSPOSED: dict[tuple[str, str], tuple[str, str, Callable[..., Any]]] = {
    ("AffineLayer", "dx"): ("dout @ W", "dout @ W.T", lambda x, W, b, dout: dout @ W),
    ("AffineLayer", "dW"): ("x @ dout", "x.T @ dout", lambda x, W, b, dout: x @ dout),
}

# Layers whose two gradients are each other's swap (dz * y and dz * x).
SWAP_HOW = frozenset({"MultiplyLayer"})

OUTPUT_DERIVATIVES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "SigmoidLayer": lambda a: a * (1.0 - a),
}

# The derivative through the output, written wrong: a factor dropped, a sign inside.
DERIVATIVE_MISTAKES: dict[str, tuple[tuple[str, Callable[[np.ndarray], np.ndarray]], ...]] = {
    "SigmoidLayer": (
        ("missing_factor", lambda a: a),
        ("missing_factor", lambda a: 1.0 - a),
        ("local_sign", lambda a: a * (1.0 + a)),
    ),
}
