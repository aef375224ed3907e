"""Generic checks of a layer's ``backward`` structure: linear in its upstream gradient,
and repeatable whatever calls came before.

A backward that ignores its upstream gradient (returns the local gradient
alone), adds it instead of multiplying, or changes its own cache in place
(``self.y *= dz``) can still return the right values once; these checks
call it several times, each upstream on a fresh layer and then all of them
on one layer, so the order of the calls can hide nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograder.checks import Context
from autograder.checks.cases import input_name
from autograder.checks.diagnosis import Diagnosis, diagnosis
from autograder.checks.expect import worst_mismatch
from autograder.checks.gradcheck import failure, student_gradients, upstream_like
from autograder.core.errors import CheckFailed, StudentError
from autograder.i18n import t

LINEARITY_RTOL = 1e-9


def check_linear_in_upstream(
    ctx: Context,
    target: str,
    forward: Callable[..., Any],
    inputs: Sequence[Any],
    names: Sequence[str],
) -> None:
    """backward is linear in its upstream gradient, and repeatable in any order.

    Each upstream (d1, d2, 2 d1 - 3 d2, 0) goes to a layer of its own, fresh
    from forward: zero must give zero (a backward returning the local
    gradient alone fails) and the combination the combination (one adding
    the upstream fails). Then one layer gets them all in turn, zero first:
    each answer must be the fresh layer's, so a backward that changes its
    cache (``self.y *= dz``) fails whatever order its calls come in.
    """
    output = forward(*inputs)
    d1, d2 = upstream_like(ctx.rng, output), upstream_like(ctx.rng, output)
    upstreams = [d1, d2, 2 * d1 - 3 * d2, d1 * 0.0]
    fresh = []
    for upstream in upstreams:
        layer = ctx.new(target)
        layer.forward(*inputs)
        fresh.append(student_gradients(layer.backward(upstream), target, names, inputs))
    g1, g2, combined, at_zero = fresh
    for name, grad in zip(names, at_zero):
        if np.any(grad != 0):
            raise CheckFailed(t("gradcheck.zero_upstream", name=name))
    for name, a, b, c in zip(names, g1, g2, combined):
        if worst_mismatch(name, c, 2 * a - 3 * b, 1e-12, LINEARITY_RTOL) is not None:
            raise CheckFailed(t("gradcheck.not_linear", name=name))
    check_repeatable(ctx, target, inputs, names, list(zip(upstreams, fresh))[::-1])


def check_repeatable(
    ctx: Context, target: str, inputs: Sequence[Any], names: Sequence[str], calls: list
) -> None:
    """One layer, several backward calls: each must equal the fresh layer's answer."""
    layer = ctx.new(target)
    forward_call = layer.call("forward", *inputs)["call"]
    for upstream, expected in calls:
        got = student_gradients(layer.backward(upstream), target, names, inputs)
        for name, a, b in zip(names, got, expected):
            if not np.array_equal(a, b):
                message = t("gradcheck.not_repeatable", name=name)
                found = changed_state(ctx, forward_call, names, inputs)
                raise failure(message, found, target)


def changed_state(
    ctx: Context, forward_call: int, names: Sequence[str], inputs: Sequence[Any]
) -> Diagnosis:
    """Why answers drift between backward calls: a cached input, or the cache, changed."""
    try:
        cached = ctx.student.peek(forward_call)["args"]
    except StudentError:
        cached = inputs
    for index, (now, before) in enumerate(zip(cached, inputs)):
        if not np.array_equal(now, before):
            return diagnosis("input_modified", input=input_name(names[index]))
    return diagnosis("cache_modified")
