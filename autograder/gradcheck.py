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
from typing import Any

import numpy as np

from autograder.checks import Context
from autograder.errors import CheckFailed
from autograder.expect import expect_array_like, expect_sequence, worst_mismatch
from autograder.numgrad import central_difference

ATOL = 1e-7
RTOL = 1e-5
LINEARITY_RTOL = 1e-9


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
    """The student's backward must match central differences of ``forward``."""
    layer = ctx.new(target)
    layer.forward(*inputs)
    dout = upstream_like(ctx.rng, forward(*inputs))
    grads = student_gradients(layer.backward(dout), target, names, inputs)
    numeric = central_difference(lambda *xs: float(np.sum(dout * forward(*xs))), inputs)
    failures = [
        mismatch.sentence("numerical")
        for name, g, n in zip(names, grads, numeric)
        if (mismatch := worst_mismatch(name, g, n, ATOL, RTOL)) is not None
    ]
    if failures:
        shapes = ", ".join(f"{n} {np.shape(x)}" for n, x in zip(names, inputs))
        raise CheckFailed(f"{'; '.join(failures)} [inputs {shapes}]")


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
    """
    layer = ctx.new(target)
    output = layer.forward(*inputs)
    zero = upstream_like(ctx.rng, output) * 0.0
    at_zero = student_gradients(layer.backward(zero), target, names, inputs)
    for name, grad in zip(names, at_zero):
        if np.any(grad != 0):
            raise CheckFailed(
                f"backward(0) should give {name} = 0 but gives nonzero values: multiply the "
                "local gradient by the upstream gradient (chain rule)"
            )
    d1, d2 = upstream_like(ctx.rng, output), upstream_like(ctx.rng, output)
    g1 = student_gradients(layer.backward(d1), target, names, inputs)
    g2 = student_gradients(layer.backward(d2), target, names, inputs)
    combined = student_gradients(layer.backward(2 * d1 - 3 * d2), target, names, inputs)
    for name, a, b, c in zip(names, g1, g2, combined):
        if worst_mismatch(name, c, 2 * a - 3 * b, 1e-12, LINEARITY_RTOL) is not None:
            raise CheckFailed(
                f"{name} is not linear in the upstream gradient: backward(2*d1 - 3*d2) differs "
                f"from 2*backward(d1) - 3*backward(d2); the chain rule multiplies, it never adds"
            )
