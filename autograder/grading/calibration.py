"""Calibration: the reference graded once per batch, the limits and data of every student.

The reference runs every check through the same sandbox as the students
and must pass them all. Its per-call CPU times set the time limits, its
replies' sizes the reply caps, its whole cost the budget of a submission,
and what its checks record (e.g. the loss curve of its own trainer) is the
expected data of every student's page (``FromReference``).

It is the same for every student and costs about one student, so it is
made once per batch (pool processes and cluster workers receive it inside
``GradeOptions``) and kept in the private cache (``cache``) for the next
run on this machine: keyed by the engine's source, the assignment's
content, the seed, the checks run, the isolation level and limits, and the
machine's fingerprint (its times are this machine's). Never cached where
student code runs without isolation. An export may ship one (``from_dict``
of a document made on the instructor's machine): its limits are generous
multiples of the reference's times, and the cost checks re-time their
calls on the grading machine anyway.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from autograder.core.errors import AutograderError
from autograder.grading import cache
from autograder.grading.assignment import Assignment
from autograder.grading.runner import GradeOptions, grade_costed
from autograder.isolation.levels import resolve
from autograder.isolation.sandbox import SandboxConfig, SandboxUnavailable

KIND = "calibration"


@dataclass(frozen=True)
class Calibration:
    """What grading the reference measured and recorded."""

    per_call: dict[str, float]  # call key -> the reference's CPU seconds (the most seen)
    reply_bytes: dict[str, int]  # call key -> its largest reply
    cost: float  # what the whole reference cost (seconds of budget)
    reference_data: dict[str, dict[str, Any]] = field(default_factory=dict)  # check -> data

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, document: Any) -> Calibration | None:
        """The calibration a document holds, or None when it is not one."""
        try:
            per_call = {str(k): float(v) for k, v in document["per_call"].items()}
            replies = {str(k): int(v) for k, v in document["reply_bytes"].items()}
            cost = float(document["cost"])
            data = {str(k): dict(v) for k, v in document["reference_data"].items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        numbers = [*per_call.values(), *replies.values(), cost]
        if not all(math.isfinite(n) and n >= 0 for n in numbers):
            return None
        return cls(per_call, replies, cost, data)


def measure(assignment: Assignment, options: GradeOptions) -> Calibration:
    """Grade the reference (it must pass everything) and keep what it measured."""
    sizes: list[tuple[str, int]] = []
    report, log, cost = grade_costed(
        assignment.folder, assignment, options, reply_log=sizes, is_reference=True
    )
    failing = [r for r in report.results if not r.passed]
    if failing:
        names = "; ".join(f"{r.name}: {r.reason}" for r in failing[:3])
        raise AutograderError(
            f"the reference solution in {assignment.folder} fails {len(failing)} check(s) "
            f"({names}); fix the reference or the checks before grading students"
        )
    per_call: dict[str, float] = {}
    for key, seconds in log:
        per_call[key] = max(per_call.get(key, 0.0), seconds)
    reply_bytes: dict[str, int] = {}
    for key, size in sizes:
        reply_bytes[key] = max(reply_bytes.get(key, 0), size)
    data = {r.name: dict(r.data) for r in report.results if r.data}
    return Calibration(per_call, reply_bytes, cost, data)


def applied(options: GradeOptions, calibration: Calibration) -> GradeOptions:
    """``options`` with the limits and reference data of ``calibration``."""
    timeouts = replace(options.timeouts, per_call=dict(calibration.per_call))
    return replace(
        options,
        timeouts=timeouts.with_budget(calibration.cost),
        replies=replace(options.replies, per_call=dict(calibration.reply_bytes)),
        reference_data=calibration.reference_data,
    )


def calibration_key(assignment: Assignment, options: GradeOptions, level: str) -> str:
    """Everything a calibration depends on, this machine included."""
    return cache.cache_key(
        KIND,
        cache.engine_hash(),
        cache.folder_hash(assignment.folder),
        options.seed,
        options.include_hidden,
        level,
        asdict(options.sandbox.limits),
        cache.machine_fingerprint(),
    )


def calibrate(
    assignment: Assignment, options: GradeOptions, use_cache: bool = True
) -> GradeOptions:
    """``options`` calibrated on the reference: from the cache when it holds this
    calibration, else measured now (and cached). No cache without isolation."""
    if not use_cache:
        return applied(options, measure(assignment, options))
    return applied(options, measured_or_cached(assignment, options))


def cached(assignment: Assignment, options: GradeOptions) -> Calibration | None:
    """The cached calibration for ``options`` on this machine (never without isolation)."""
    level = resolve(options.sandbox).level
    if level == "none":
        return None
    return Calibration.from_dict(
        cache.read_cached(KIND, calibration_key(assignment, options, level))
    )


def measured_or_cached(assignment: Assignment, options: GradeOptions) -> Calibration:
    """The cached calibration for ``options`` on this machine, else measured (and cached)."""
    calibration = cached(assignment, options)
    if calibration is None:
        calibration = measure(assignment, options)
        level = resolve(options.sandbox).level
        if level != "none":
            cache.write_cached(
                KIND, calibration_key(assignment, options, level), calibration.to_dict()
            )
    return calibration


class Calibrating:
    """A batch's calibration, made when first asked for (by any thread), once, timed.

    A grader asks ``known()`` first: a calibration already made or cached is
    used as is, and only an unknown one is worth grading beside (``provisional``).
    """

    def __init__(
        self, assignment: Assignment, options: GradeOptions, use_cache: bool = True
    ) -> None:
        self.assignment, self.options, self.use_cache = assignment, options, use_cache
        self.seconds = 0.0  # the measurement's wall time (0.0 when cached)
        self._lock = threading.Lock()
        self._calibrated: GradeOptions | None = None

    def known(self) -> GradeOptions | None:
        """The calibrated options, when made or cached already; else None."""
        with self._lock:
            if self._calibrated is None and self.use_cache:
                found = cached(self.assignment, self.options)
                self._calibrated = None if found is None else applied(self.options, found)
            return self._calibrated

    def __call__(self) -> GradeOptions:
        """The calibrated options: cached, or measured now (and cached)."""
        with self._lock:
            if self._calibrated is None:
                started = time.perf_counter()
                self._calibrated = calibrate(self.assignment, self.options, self.use_cache)
                self.seconds = time.perf_counter() - started
            return self._calibrated


# -- a calibration shipped in an export (made on the instructor's machine) --------------
def shipped(solution: Assignment, files: Mapping[str, bytes], seed: int) -> dict[str, Any] | None:
    """The reference calibrated here, for a bundle whose assignment folder holds
    ``files``: for the grading machine to start from (None where no isolation runs)."""
    options = GradeOptions(seed=seed, sandbox=SandboxConfig("auto"))
    try:
        calibrated = measured_or_cached(solution, options)
    except SandboxUnavailable:
        return None
    return {
        "engine": cache.engine_hash(),
        "assignment": cache.files_hash(files),
        "seed": seed,
        "calibration": calibrated.to_dict(),
    }


def from_shipped(
    document: Any, assignment: Assignment, options: GradeOptions
) -> Calibration | None:
    """The shipped calibration, when it was made by this engine for this assignment
    and seed with the hidden checks; else None (the grading machine calibrates)."""
    if not isinstance(document, dict) or not options.include_hidden:
        return None
    made_for = (document.get("engine"), document.get("assignment"), document.get("seed"))
    if made_for != (cache.engine_hash(), cache.folder_hash(assignment.folder), options.seed):
        return None
    return Calibration.from_dict(document.get("calibration"))
