"""Generic checks of a layer's ``backward``: exact values, two layers at once, structure.

Works for any layer whose forward is a function of its inputs: the expected
gradients are complex-step derivatives of ``L = sum(dout * forward(*inputs))``
with the engine's own trusted ``forward`` (numgrad.complex_step_gradients):
exact to rounding, and never a copy of a backward formula. A random
``dout ~ N(0, 1)`` (never all ones) makes a forgotten upstream factor or a
transposed gradient visible: with ``dout = 1`` many wrong answers agree.

Tolerance: the rounding of float64 itself. A correct backward computes each
gradient element from a few products and sums; each rounding errs by at most
eps = 2.2e-16 relative to what it rounds, so ``|g - e| <= k eps S``, where S
is the sum of the magnitudes of the terms (for dx of Affine,
``sum_m |dout[n, m] W[d, m]|``) and k counts the roundings on the way. For a
layer built from + and * (Multiply, Affine), S is the gradient of
``sum(|dout| * forward(|inputs|))``: ``sum_of_terms``. A layer whose correct
formula loses digits passes its own budget (the sigmoid: ``1 - a`` near
saturation). ULPS = 16 leaves every correct variant a wide margin (measured
by benchmarks/tolerance_margins.py) and rejects what is less precise: finite
differences of any step (at best ~1e-11 relative on a sigmoid), a cache or
arithmetic in float32 (~1e-8), and the usual bugs (1e-1 and more).

Structure (linearity in the upstream gradient, repeatable answers) is
checked by structure.py. What these checks cannot see: a backward that *is*
exact but not backpropagation (complex step of its own forward, or finite differences of
a layer linear in its inputs, which are exact too). The static pass
(integrity.py) names those; the cost checks catch numerical Affine layers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from autograder.checks import Context, RemoteObject
from autograder.checks.cases import BackwardCase
from autograder.checks.diagnosis import Diagnosis, Tolerance, diagnose_backward, diagnose_exception
from autograder.checks.expect import Mismatch, expect_array_like, expect_sequence
from autograder.checks.numgrad import complex_step_gradients
from autograder.checks.places import read_source
from autograder.core.errors import CheckFailed, StudentException
from autograder.i18n import t

EPS = float(np.finfo(np.float64).eps)
ULPS = 16
# Naming a mistake compares with predictions of the same exactness, but a
# mistake is a mistake at any precision: matching stays loose.
ATOL, RTOL = 1e-7, 1e-5
TOLERANCE = Tolerance(ATOL, RTOL)

Budget = Callable[[Sequence[Any], Any], list[np.ndarray]]


def upstream_like(rng: np.random.Generator, output: Any) -> Any:
    """A random upstream gradient shaped like ``output`` (a float for a scalar)."""
    if isinstance(output, np.ndarray):
        return rng.standard_normal(output.shape)
    return float(rng.standard_normal())


def exact_gradients(forward: Callable[..., Any], inputs: Sequence[Any], upstream: Any) -> list:
    """dL/d(input) for ``L = sum(upstream * forward(*inputs))``, by complex step.

    Remembered per process: the checks' inputs come from the seed, so a pool
    process grading many students asks for the same gradients again (one
    complex step per input element: a third of the grader's own CPU per student).
    """
    key = (forward, _value_key(upstream), tuple(_value_key(x) for x in inputs))
    # Held here, not read back from the memo: a Dask worker's other grading thread
    # may clear it in between (a KeyError, a grader error).
    gradients = _EXACT.get(key)
    if gradients is None:
        if len(_EXACT) >= 512:
            _EXACT.clear()
        gradients = complex_step_gradients(lambda *xs: np.sum(upstream * forward(*xs)), inputs)
        _EXACT[key] = gradients
    return [g.copy() for g in gradients]


_EXACT: dict[tuple[Any, ...], list[np.ndarray]] = {}


def _value_key(value: Any) -> tuple[Any, ...]:
    """A hashable stand-in for a number or an array, equal only for equal bits."""
    array = np.asarray(value)
    return (type(value).__name__, array.dtype.str, array.shape, array.tobytes())


def sum_of_terms(forward: Callable[..., Any]) -> Budget:
    """The error budget's scale for a layer built from + and *: the sum of |terms|."""

    def scale(inputs: Sequence[Any], upstream: Any) -> list[np.ndarray]:
        magnitudes = [np.abs(np.asarray(x, dtype=np.float64)) for x in inputs]
        return exact_gradients(forward, magnitudes, np.abs(upstream))

    return scale


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


def beyond_budget(name: str, got: np.ndarray, expected: Any, allowed: Any) -> Mismatch | None:
    """The element that most exceeds ``|g - e| <= allowed`` (elementwise), or None."""
    g, e = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        excess = np.abs(g - e) - allowed
        excess = np.where(np.isnan(excess), np.inf, excess)
    if excess.size == 0 or excess.max() <= 0:
        return None
    index = np.unravel_index(int(np.argmax(excess)), excess.shape) if excess.ndim else ()
    at_g, at_e = float(g[index]), float(e[index])
    rel = abs(at_g - at_e) / max(abs(at_e), np.finfo(float).tiny)
    return Mismatch(name, tuple(int(i) for i in index), at_g, at_e, abs(at_g - at_e), rel)


@dataclass(frozen=True)
class Verdict:
    """A failed comparison: the message, and whether the answer was merely imprecise."""

    message: str
    imprecise: bool = False


def verdict(
    value: Any,
    target: str,
    names: Sequence[str],
    inputs: Sequence[Any],
    expected: list,
    scale: list,
) -> Verdict | None:
    """None when every returned gradient is within ULPS roundings of the exact one."""
    try:
        grads = student_gradients(value, target, names, inputs)
    except CheckFailed as wrong:
        return Verdict(str(wrong))
    failures = [
        found.sentence("exact")
        for name, g, e, s in zip(names, grads, expected, scale)
        if (found := beyond_budget(name, g, e, ULPS * EPS * np.asarray(s))) is not None
    ]
    if not failures:
        return None
    shapes = ", ".join(f"{n} {np.shape(x)}" for n, x in zip(names, inputs))
    message = t("gradcheck.failed", failures="; ".join(failures), shapes=shapes)
    imprecise = all(TOLERANCE.close(g, e) for g, e in zip(grads, expected))
    note = " " + t("gradcheck.imprecise", ulps=ULPS) if imprecise else ""
    return Verdict(message + note, imprecise)


def backward_reply(
    ctx: Context, layer: RemoteObject, upstream: Any, names: Sequence[str], inputs: Any
) -> dict:
    """The reply to ``layer.backward(upstream)``; a raised error is diagnosed from the
    student's own source (parsed, never run): which product's shapes clash, and why."""
    try:
        return layer.call("backward", upstream)
    except StudentException as error:
        target = layer.target
        source = read_source(ctx.student.folder, target.split(".")[0])
        kind_where = (error.kind, error.where)
        found = diagnose_exception(layer_name(target), names, inputs, upstream, kind_where, source)
        raise failure(error.message, found, target) from None


def check_gradients(
    ctx: Context,
    target: str,
    forward: Callable[..., Any],
    inputs: Sequence[Any],
    names: Sequence[str],
    budget: Budget | None = None,
) -> None:
    """Two layers in one pass must each match the exact gradients of ``forward``.

    The first layer first sees a forward on other inputs (backward answers for
    the most recent forward: a stale cache shows), then the second layer's
    forward comes between the first's forward and backward: a cache shared by
    all instances (a class attribute) shows too.
    """
    scale = budget or sum_of_terms(forward)
    first, second = ctx.new(target), ctx.new(target)
    first.forward(*earlier_inputs(inputs))
    forward_call = first.call("forward", *inputs)["call"]
    twin = twin_inputs(inputs)
    second.forward(*twin)
    dout, twin_dout = (
        upstream_like(ctx.rng, forward(*inputs)),
        upstream_like(ctx.rng, forward(*twin)),
    )
    reply = backward_reply(ctx, first, dout, names, inputs)
    twin_reply = backward_reply(ctx, second, twin_dout, names, twin)
    expected = exact_gradients(forward, inputs, dout)
    found = verdict(reply["value"], target, names, inputs, expected, scale(inputs, dout))
    if found is not None:
        if found.imprecise:
            raise CheckFailed(found.message)
        after = Observed(reply["args_after"][0], ctx.student.peek(forward_call)["args"])
        case = backward_case(target, forward, inputs, names, dout, expected, reply["value"], after)
        # What a cache shared by every instance answers: the gradients at the twin's inputs.
        case = replace(case, elsewhere=tuple(exact_gradients(forward, twin, dout)))
        raise failure(found.message, diagnose_backward(case, TOLERANCE), target)
    twin_expected = exact_gradients(forward, twin, twin_dout)
    found = verdict(twin_reply["value"], target, names, twin, twin_expected, scale(twin, twin_dout))
    if found is not None:
        raise CheckFailed(f"{found.message} {t('gradcheck.second_layer')}")


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
    return BackwardCase(
        layer=layer_name(target),
        forward=forward,
        names=tuple(names),
        inputs=tuple(inputs),
        upstream=dout,
        expected=tuple(expected),
        local=tuple(exact_gradients(forward, inputs, ones)),
        earlier=tuple(exact_gradients(forward, earlier_inputs(inputs), dout)),
        got=got,
        upstream_after=after.upstream,
        inputs_after=tuple(after.inputs),
    )


def earlier_inputs(inputs: Sequence[Any]) -> list[Any]:
    """Inputs of the same shapes and types as ``inputs``, with every value different."""
    return [2 * x + 1 for x in inputs]


def twin_inputs(inputs: Sequence[Any]) -> list[Any]:
    """A second layer's inputs: same shapes and types, every value different again."""
    return [0.25 - 0.5 * x for x in inputs]


def layer_name(target: str) -> str:
    return target.rsplit(".", 1)[-1]


def failure(message: str, found: Diagnosis | None, target: str = "") -> CheckFailed:
    """The check's verdict, with the diagnosis and where to look for it (``target``'s
    ``backward``, or the function the diagnosis names)."""
    if found is None:
        return CheckFailed(message)
    function = f"{target}.{found.function or 'backward'}" if target else ""
    return CheckFailed(message, found.text, found.mistake, function, found.variable)
