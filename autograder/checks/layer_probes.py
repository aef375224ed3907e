"""Probes of a layer against a trusted reference layer: values, side effects, state.

Generic over layers described by a ``LayerSpec`` (the inputs forward takes,
the gradients backward returns). A hidden checks file supplies the inputs,
the tolerances and a factory of reference layers (trusted, in the grader's
process); these helpers call the student's layer with the same plain data
and compare:

* ``check_untouched``: backward leaves its upstream gradient and the cached
  inputs as they were (``args_after``; ``peek`` at the arrays forward got);
* ``check_repeatable``: backward twice gives the same answer, and after a
  new forward on the same layer, the new one (no stale cache).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder.checks.diagnosis import Tolerance
from autograder.checks.expect import expect_array_like, expect_close, expect_sequence
from autograder.checks.suite import Context
from autograder.core.errors import CheckFailed, StudentError
from autograder.i18n import t
from autograder.runtime.plaindata import describe_type

Factory = Callable[[], Any]


@dataclass(frozen=True)
class LayerSpec:
    name: str
    inputs: tuple[str, ...]
    grads: tuple[str, ...]
    upstream: str

    @property
    def target(self) -> str:
        return f"layers.{self.name}"

    @property
    def grads_text(self) -> str:
        return f"({', '.join(self.grads)})"


def as_list(spec: LayerSpec, value: Any) -> list[Any]:
    return [value] if len(spec.grads) == 1 else list(value)


def reference_pass(
    spec: LayerSpec,
    reference: Factory,
    inputs: list[Any],
    rng: np.random.Generator,
    kind: Any = float,
) -> tuple[Any, Any, list[Any]]:
    """(output, upstream, gradients) of a reference layer; the upstream is random.

    A scalar output gets an upstream of type ``kind`` (float, np.float64 or
    np.array for a 0-d array). The reference works on copies, so the
    originals stay what the student was sent.
    """
    layer = reference()
    output = layer.forward(*copy.deepcopy(inputs))
    if np.ndim(output):
        upstream = rng.standard_normal(np.shape(output))
    else:
        upstream = kind(rng.standard_normal())
    return output, upstream, as_list(spec, layer.backward(copy.deepcopy(upstream)))


def student_gradients(spec: LayerSpec, value: Any, inputs: list[Any]) -> list[np.ndarray]:
    """Validate count, types and exact shapes; a scalar input takes any number type."""
    if len(spec.grads) == 1:
        grads = [value]
    else:
        grads = expect_sequence(value, len(spec.grads), f"{spec.name}.backward", spec.grads_text)
    likes = [0.0 if np.ndim(x) == 0 else x for x in inputs]
    return [expect_array_like(n, g, like) for n, g, like in zip(spec.grads, grads, likes)]


def expect_reference(
    names: Sequence[str], got: list[Any], expected: list[Any], tolerance: Tolerance
) -> None:
    for name, g, e in zip(names, got, expected):
        expect_close(name, g, e, tolerance.atol, tolerance.rtol, label="reference")


@contextmanager
def context(text: str) -> Iterator[None]:
    """Append where it happened (shapes, types, seed) to any failure inside."""
    try:
        yield
    except StudentError as error:
        raise CheckFailed(f"{error.message} [{text}]") from None
    except CheckFailed as failure:
        raise CheckFailed(
            f"{failure} [{text}]", failure.diagnosis, failure.mistake, failure.function,
            failure.variable,
        ) from None  # fmt: skip


def scalar_name(value: Any) -> str:
    """``a numpy.float64``, ``a NumPy 0-d array``: how a scalar was sent, for messages."""
    return "a NumPy 0-d array" if isinstance(value, np.ndarray) else f"a {describe_type(value)}"


def expect_finite(name: str, value: Any, why: str) -> None:
    """Fail naming how many NaN or infinite values ``value`` holds, then ``why``."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "fc":
        bad = int(np.sum(~np.isfinite(value)))
        if bad:
            raise CheckFailed(f"{name} contains {bad} NaN or infinite values {why}")


def same(now: Any, before: Any) -> bool:
    return np.shape(now) == np.shape(before) and bool(np.array_equal(now, before))


def check_untouched(
    ctx: Context, spec: LayerSpec, reference: Factory, inputs: list[Any], tolerance: Tolerance
) -> None:
    """backward leaves its upstream gradient and the cached inputs as they were.

    ``args_after`` is the upstream array as it is after backward, in the
    student's process; ``peek`` shows the very arrays forward received (and
    the layer cached), as they are now. In a network the caller still needs
    both, e.g. the upstream gradient may feed two branches.
    """
    _, upstream, expected = reference_pass(spec, reference, inputs, ctx.rng)
    layer = ctx.new(spec.target)
    forward_call = layer.call("forward", *inputs)["call"]
    reply = layer.call("backward", upstream)
    if not same(reply["args_after"][0], upstream):
        raise CheckFailed(
            f"{spec.name}.backward changed its argument {spec.upstream} in place; the caller "
            f"may still need it: compute each gradient into a new array "
            f"(d = {spec.upstream} * ..., not {spec.upstream} *= ...)",
            diagnosis=t("diag.upstream_modified"),
            mistake="upstream_modified",
            function=f"{spec.target}.backward",
        )
    cached = ctx.student.peek(forward_call)["args"]
    for name, now, before in zip(spec.inputs, cached, inputs):
        if not same(now, before):
            raise CheckFailed(
                f"{spec.name}.backward changed the cached input {name} (the array forward "
                f"received) in place; `d = self.{name}` does not copy, so `d *= ...` also "
                f"changes self.{name} and the caller's array: write `d = ... * self.{name}`",
                diagnosis=t("diag.input_modified", input=name),
                mistake="input_modified",
                function=f"{spec.target}.backward",
            )
    grads = student_gradients(spec, reply["value"], inputs)
    expect_reference(spec.grads, grads, expected, tolerance)


def check_repeatable(
    ctx: Context,
    spec: LayerSpec,
    reference: Factory,
    inputs: tuple[list[Any], list[Any]],
    change: str,
    tolerance: Tolerance,
) -> None:
    """backward twice gives the same answer; after a new forward, the new one."""
    first, second = inputs
    _, d1, expected1 = reference_pass(spec, reference, first, ctx.rng)
    _, d2, expected2 = reference_pass(spec, reference, second, ctx.rng)
    layer = ctx.new(spec.target)
    forward_call = layer.call("forward", *first)["call"]
    once = student_gradients(spec, layer.backward(d1), first)
    twice = student_gradients(spec, layer.backward(d1), first)
    for name, a, b in zip(spec.grads, once, twice):
        if not np.array_equal(a, b):
            raise CheckFailed(
                f"{spec.name}.backward gave a different {name} when called again with the "
                f"same {spec.upstream}: it must not change the layer's cache or keep state "
                "from one call to the next",
                **changed_cache(ctx, spec, forward_call, first),
            )
    expect_reference(spec.grads, once, expected1, tolerance)
    layer.forward(*second)
    with context(f"after a second forward on the same layer with {change}"):
        again = student_gradients(spec, layer.backward(d2), second)
        try:
            expect_reference(spec.grads, again, expected2, tolerance)
        except CheckFailed as failure:
            stale = t("diag.stale_cache", name=spec.grads_text)
            where = f"{spec.target}.forward"
            raise CheckFailed(str(failure), stale, "stale_cache", where) from None


def changed_cache(ctx: Context, spec: LayerSpec, forward_call: int, inputs: list[Any]) -> dict:
    """The diagnosis of drifting answers: a cached input changed in place, or the cache."""
    cached = ctx.student.peek(forward_call)["args"]
    for name, now, before in zip(spec.inputs, cached, inputs):
        if not same(now, before):
            mistake, text = "input_modified", t("diag.input_modified", input=name)
            break
    else:
        mistake, text = "cache_modified", t("diag.cache_modified")
    return {"diagnosis": text, "mistake": mistake, "function": f"{spec.target}.backward"}
