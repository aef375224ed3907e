"""The time limits of a student: per call, and for the whole submission.

Kept apart from ``session`` so that the options of every command can name
them without the session's machinery (``session`` re-exports it).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NamedTuple


@dataclass(frozen=True)
class TimeoutPolicy:
    """Per-call CPU limits: ``factor`` times a baseline, never below ``floor``;
    and the budget of a whole submission.

    Baselines are the reference's own CPU time for the same call (measured
    when the reference is at hand), else a per-function figure from the
    assignment; ``default`` applies when neither is known. ``budget`` (set by
    ``with_budget`` from the reference's own cost) caps what one submission
    may cost the batch in all; None: no budget (a student's own self-check).
    """

    factor: float = 50.0
    floor: float = 1.0
    default: float = 2.0
    per_call: dict[str, float] = field(default_factory=dict)
    per_function: dict[str, float] = field(default_factory=dict)
    budget: float | None = None
    budget_factor: float = 20.0
    budget_floor: float = 30.0

    def seconds(self, call_key: str, function: str) -> float:
        baseline = self.per_call.get(call_key, self.per_function.get(function))
        if baseline is None:
            return max(self.floor, self.default)
        return max(self.floor, self.factor * baseline)

    def with_budget(self, reference_cost: float) -> TimeoutPolicy:
        """The budget: ``budget_factor`` x the reference's cost, at least ``budget_floor``."""
        return replace(self, budget=max(self.budget_floor, self.budget_factor * reference_cost))


class FinishedCall(NamedTuple):
    """One call that finished: its CPU seconds and unexcused wall seconds, its reply's
    bytes, and whether it had a limit of its own (a cost check's, which no
    calibration moves)."""

    key: str
    function: str
    cpu: float
    wall: float
    reply_bytes: int
    own_limit: bool = False


@dataclass
class LimitRecord:
    """What the limits a calibration sets decided in one run.

    ``calls``: each call that finished (also the calibration's per-call times and
    reply sizes, when the run is the reference's). ``stopped``: a call was stopped by a
    calibrated limit (its CPU or wall limit, the budget, or the reply cap).
    A run graded before its calibration stands when nothing was stopped and
    every call fits the calibrated limits: the same code then meets the same
    verdicts (``grading/provisional.py``).
    """

    calls: list[FinishedCall] = field(default_factory=list)
    stopped: bool = False
    # A provisional run: once stopped it is graded again, so nothing more of the
    # student runs in it (the session refuses every later call with that stop).
    provisional: bool = False

    @property
    def times(self) -> list[tuple[str, float]]:
        """(call key, CPU seconds) of each finished call."""
        return [(c.key, c.cpu) for c in self.calls]

    @property
    def sizes(self) -> list[tuple[str, int]]:
        """(call key, reply bytes) of each finished call."""
        return [(c.key, c.reply_bytes) for c in self.calls]
