"""Generic checks of a layer's ``backward`` against numerical differentiation.

Works for any layer whose forward is a function of its inputs: the expected
gradients are central differences of ``L = sum(dout * forward(*inputs))``
with the engine's own trusted ``forward``, never a copy of a backward formula.
A random ``dout ~ N(0, 1)`` (never all ones) makes a forgotten upstream factor
or a transposed gradient visible: with ``dout = 1`` many wrong answers agree.

Tolerances. Correct code differs from central differences (h = 1e-5) by
rounding, about eps * |L| / h ~ 1e-10 for these O(1) sums, plus
h^2 |f'''| / 6 <= 2e-12 of truncation for the sigmoid (|sigma'''| <= 1/8) and
none for layers linear in the perturbed input. Common bugs (a missing
transpose, a wrong sign, a forgotten factor) err by 1e-1 or more. Passing when
``|g - n| <= ATOL + RTOL * |n|`` with ATOL = 1e-7 and RTOL = 1e-5 leaves a
factor of about 1000 over the numerical noise and 10^4 under the bugs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder.checks import Context, RemoteObject
from autograder.checks.cases import BackwardCase, input_name
from autograder.checks.diagnosis import (
    Diagnosis,
    Tolerance,
    diagnose_backward,
    diagnose_exception,
    diagnosis,
)
from autograder.checks.expect import expect_array_like, expect_sequence, worst_mismatch
from autograder.checks.numgrad import central_difference
from autograder.checks.places import read_source
from autograder.core.errors import CheckFailed, StudentError, StudentException
from autograder.i18n import t

ATOL = 1e-7
RTOL = 1e-5
LINEARITY_RTOL = 1e-9
TOLERANCE = Tolerance(ATOL, RTOL)


def upstream_like(rng: np.random.Generator, output: Any) -> Any:
    """A random upstream gradient shaped like ``output`` (a float for a scalar)."""
    if isinstance(output, np.ndarray):
        return rng.standard_normal(output.shape)
    return float(rng.standard_normal())


def student_gradients(
    value: Any, target: str, names: Sequence[str], inputs: Sequence[Any]
) -> list[np.ndarray]:
    """Validate a backward's return value: count, types, exact shapes, float64."""
    what = f"{target.split('.')[-1]}.backward"
    if len(names) == 1:
        grads = [value]
    else:
        grads = expect_sequence(value, len(names), what, f"({', '.join(names)})")
    return [expect_array_like(name, g, x) for name, g, x in zip(names, grads, inputs)]


def check_gradients(
    ctx: Context,
    target: str,
    forward: Callable[..., Any],
    inputs: Sequence[Any],
    names: Sequence[str],
) -> None:
    """The student's backward must match central differences of ``forward``.

    The layer first sees a forward on other inputs: backward must answer for
    the most recent forward, and a stale cache shows up as a wrong gradient.
    """
    layer = ctx.new(target)
    layer.forward(*earlier_inputs(inputs))
    forward_call = layer.call("forward", *inputs)["call"]
    dout = upstream_like(ctx.rng, forward(*inputs))
    try:
        reply = layer.call("backward", dout)
    except StudentException as error:
        source = read_source(ctx.student.folder, target.split(".")[0])
        kind_where = (error.kind, error.where)
        found = diagnose_exception(layer_name(target), names, inputs, dout, kind_where, source)
        raise failure(error.message, found, target) from None
    numeric = central_difference(lambda *xs: float(np.sum(dout * forward(*xs))), inputs)
    try:
        grads = student_gradients(reply["value"], target, names, inputs)
        failures = [
            mismatch.sentence("numerical")
            for name, g, n in zip(names, grads, numeric)
            if (mismatch := worst_mismatch(name, g, n, ATOL, RTOL)) is not None
        ]
    except CheckFailed as wrong:
        message = str(wrong)
    else:
        if not failures:
            return
        shapes = ", ".join(f"{n} {np.shape(x)}" for n, x in zip(names, inputs))
        message = t("gradcheck.failed", failures="; ".join(failures), shapes=shapes)
    after = Observed(reply["args_after"][0], ctx.student.peek(forward_call)["args"])
    case = backward_case(target, forward, inputs, names, dout, numeric, reply["value"], after)
    raise failure(message, diagnose_backward(case, TOLERANCE), target)


@dataclass(frozen=True)
class Observed:
    """The upstream gradient and forward's inputs as they were after backward."""

    upstream: Any
    inputs: Sequence[Any]


def backward_case(
    target: str,
    forward: Callable[..., Any],
    inputs: Sequence[Any],
    names: Sequence[str],
    dout: Any,
    expected: list[np.ndarray],
    got: Any,
    after: Observed,
) -> BackwardCase:
    """What the diagnosis compares with: expected gradients under known mistakes' inputs."""
    ones = np.ones_like(dout) if isinstance(dout, np.ndarray) else 1.0
    local = central_difference(lambda *xs: float(np.sum(ones * forward(*xs))), inputs)
    earlier = central_difference(
        lambda *xs: float(np.sum(dout * forward(*xs))), earlier_inputs(inputs)
    )
    return BackwardCase(
        layer=layer_name(target),
        forward=forward,
        names=tuple(names),
        inputs=tuple(inputs),
        upstream=dout,
        expected=tuple(expected),
        local=tuple(local),
        earlier=tuple(earlier),
        got=got,
        upstream_after=after.upstream,
        inputs_after=tuple(after.inputs),
    )


def earlier_inputs(inputs: Sequence[Any]) -> list[Any]:
    """Inputs of the same shapes and types as ``inputs``, with every value different."""
    return [2 * x + 1 for x in inputs]


def layer_name(target: str) -> str:
    return target.rsplit(".", 1)[-1]


def failure(message: str, found: Diagnosis | None, target: str = "") -> CheckFailed:
    """The check's verdict, with the diagnosis and where to look for it (``target``'s
    ``backward``, or the function the diagnosis names)."""
    if found is None:
        return CheckFailed(message)
    function = f"{target}.{found.function or 'backward'}" if target else ""
    return CheckFailed(message, found.text, found.mistake, function, found.variable)


def check_linear_in_upstream(
    ctx: Context,
    target: str,
    forward: Callable[..., Any],
    inputs: Sequence[Any],
    names: Sequence[str],
) -> None:
    """backward(0) is 0 and backward(2 d1 - 3 d2) = 2 backward(d1) - 3 backward(d2).

    A backward that ignores its upstream gradient (returns only the local
    gradient) fails the first; one that adds instead of multiplying, the second.
    A backward that changes its cache in place fails too (its answers drift).
    """
    layer = ctx.new(target)
    forward_reply = layer.call("forward", *inputs)
    output = forward_reply["value"]
    zero = upstream_like(ctx.rng, output) * 0.0
    at_zero = student_gradients(layer.backward(zero), target, names, inputs)
    for name, grad in zip(names, at_zero):
        if np.any(grad != 0):
            raise CheckFailed(t("gradcheck.zero_upstream", name=name))
    d1, d2 = upstream_like(ctx.rng, output), upstream_like(ctx.rng, output)
    g1 = student_gradients(layer.backward(d1), target, names, inputs)
    g2 = student_gradients(layer.backward(d2), target, names, inputs)
    combined = student_gradients(layer.backward(2 * d1 - 3 * d2), target, names, inputs)
    for name, a, b, c in zip(names, g1, g2, combined):
        if worst_mismatch(name, c, 2 * a - 3 * b, 1e-12, LINEARITY_RTOL) is not None:
            message = t("gradcheck.not_linear", name=name)
            state = Repeat(layer, forward_reply["call"], d1, g1)
            raise failure(message, changed_state(ctx, state, target, names, inputs), target)


@dataclass(frozen=True)
class Repeat:
    """A layer after several backward calls, and its answer to an earlier one."""

    layer: RemoteObject
    forward_call: int
    upstream: Any
    answer: list[np.ndarray]


def changed_state(
    ctx: Context, state: Repeat, target: str, names: Sequence[str], inputs: Sequence[Any]
) -> Diagnosis | None:
    """Why answers drift between backward calls: a cached input or value changed in place."""
    try:
        cached = ctx.student.peek(state.forward_call)["args"]
        for index, (now, before) in enumerate(zip(cached, inputs)):
            if not np.array_equal(now, before):
                return diagnosis("input_modified", input=input_name(names[index]))
        again = state.layer.call("backward", state.upstream)["value"]
        grads = student_gradients(again, target, names, inputs)
    except (CheckFailed, StudentError):
        return None
    if all(np.array_equal(a, b) for a, b in zip(grads, state.answer)):
        return None
    return diagnosis("cache_modified")
