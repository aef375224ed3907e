"""Cost checks: backpropagation is told apart from numerical differentiation by its cost.

Reverse-mode gradients cost a small multiple of one forward pass whatever
the number of inputs; any numerical method (finite differences, complex
steps, forward mode one input at a time) costs at least one forward pass
per input. On a shape with many inputs and a cheap forward (a thin layer,
a wide hidden layer) the two differ by orders of magnitude, and an
assignment's cost check sizes its call so that they do (benchmarks/
cost_checks.py measures both).

The verdict is on CPU time, observed by the grader from /proc (the
student's worker and its child processes; session.last_cpu_seconds), so a
busy machine slows nothing down on paper. The limit is ``factor`` times the
reference's own CPU time on the same call, measured in the grader each time
(never reused across machines): the reference computes, then the reply is
encoded as the student's worker encodes it, so both sides pay the same
transport. The call's time limit is the session's ``CallOptions.limit``,
taken as is: the timeout floor does not raise it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from autograder.checks.suite import Context
from autograder.core.errors import CheckFailed, StudentTimeout
from autograder.i18n import t
from autograder.isolation.calls import CallOptions
from autograder.runtime import plaindata

# A call is stopped at this many times its CPU limit (wall time minus CPU waits).
WAIT_FACTOR = 1.5
REPEATS = 3


@dataclass(frozen=True)
class CostLimit:
    """A call's CPU limit: ``factor`` times the reference's seconds on the same call."""

    reference: float
    factor: float

    @property
    def limit(self) -> float:
        return self.factor * self.reference


def reference_seconds(run: Callable[[], Any], args: Sequence[Any], repeats: int = REPEATS) -> float:
    """The least CPU time, over ``repeats`` runs in the grader, of what the worker does:
    decode the arguments, call, encode the reply with the arguments as they are after."""
    request = plaindata.encode({"args": list(args)})
    best = math.inf
    for _ in range(repeats):
        started = time.process_time()
        plaindata.decode(request)
        value = run()
        plaindata.encode({"ok": True, "value": value, "args_after": list(args), "call": 0})
        best = min(best, time.process_time() - started)
    return max(best, 1e-6)


def timed_call(
    ctx: Context, call: Callable[[CallOptions], dict], budget: CostLimit, what: str, expected: str
) -> dict[str, Any]:
    """The reply of ``call`` (given its CallOptions), unless it costs more than the budget.

    ``what`` names the call in the message (e.g. ``AffineLayer.backward``);
    ``expected`` says what to do instead.
    """
    try:
        reply = call(CallOptions(limit=WAIT_FACTOR * budget.limit))
    except StudentTimeout:
        message = t("cost.timeout", what=what, factor=budget.factor, expected=expected)
        raise CheckFailed(message) from None
    if ctx.student.last_cpu_seconds > budget.limit:  # the measured time varies: not said
        raise CheckFailed(t("cost.too_slow", what=what, factor=budget.factor, expected=expected))
    return reply


def within_cost(
    ctx: Context,
    call: Callable[[CallOptions], dict],
    reference: tuple[Callable[[], Any], Sequence[Any], float],
    what: str,
    expected: str,
) -> dict[str, Any]:
    """``timed_call`` with its limit measured now: ``reference`` is (the reference's
    run of the same call, its arguments, the factor allowed over its CPU time)."""
    run, args, factor = reference
    return timed_call(ctx, call, CostLimit(reference_seconds(run, args), factor), what, expected)
