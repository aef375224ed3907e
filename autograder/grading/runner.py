"""Grading one submission folder: a session, the checks, a report."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from autograder.checks.gates import run_checks
from autograder.checks.suite import FromReference
from autograder.core.results import CheckResult, Report
from autograder.grading.assignment import Assignment
from autograder.grading.ledger import Recorder, SpendLedger
from autograder.i18n import language
from autograder.isolation.policy import LimitRecord
from autograder.isolation.replies import ReplyPolicy
from autograder.isolation.sandbox import SandboxConfig
from autograder.isolation.session import StudentSession, TimeoutPolicy
from autograder.isolation.student_process import Launcher


@dataclass(frozen=True)
class GradeOptions:
    """How to grade: which checks, which seed, which limits."""

    seed: int = 0
    include_hidden: bool = True
    sandbox: SandboxConfig = field(default_factory=SandboxConfig)
    timeouts: TimeoutPolicy = field(default_factory=TimeoutPolicy)
    replies: ReplyPolicy = field(default_factory=ReplyPolicy)  # caps on reply sizes
    lang: str = "en"  # the language of the report's messages (i18n.LANGUAGES)
    # Compute the data only pages use (e.g. the expected loss curve, ~1 s of
    # exact descent); a plain `autograder check` skips it.
    report_data: bool = True
    # Where each submission's spending of its budget is kept across retries.
    ledger: SpendLedger | None = None
    # What the reference's own run recorded, per check (set by calibration):
    # the values of the checks' ``FromReference`` data.
    reference_data: Mapping[str, Mapping[str, Any]] | None = field(default=None, compare=False)
    # Graded while the batch calibrates (grading/provisional.py): the reference's
    # data are awaited, not computed, and the report is finished after.
    provisional: bool = False


@dataclass(frozen=True)
class AwaitingReference:
    """A ``FromReference`` datum of a run graded before the calibration that holds
    the reference's value: filled in place once it does (``provisional.settled``)."""

    key: str


def is_deferred(value: Any) -> bool:
    return callable(value) or isinstance(value, FromReference)


def resolve_data(
    result: CheckResult,
    wanted: bool,
    reference: Mapping[str, Any] | None = None,
    awaiting: bool = False,
) -> CheckResult:
    """Evaluate a check's deferred data, or drop it when no report wants it.

    A zero-argument callable is called; a ``FromReference`` takes the
    reference's value (``reference``: what the reference's run of this check
    recorded), else is computed, or, ``awaiting`` a calibration, is left as an
    ``AwaitingReference`` in its place (the order of the data is the report's).
    """
    deferred = {key: value for key, value in result.data.items() if is_deferred(value)}
    if not deferred:
        return result
    data = {key: value for key, value in result.data.items() if key not in deferred}
    for key, value in deferred.items():
        if isinstance(value, FromReference) and reference and value.key in reference:
            data[key] = reference[value.key]
        elif wanted and isinstance(value, FromReference) and awaiting:
            data[key] = AwaitingReference(value.key)
        elif wanted:
            data[key] = value.compute() if isinstance(value, FromReference) else value()
    return replace(result, data=data)


def resolve_all(
    results: tuple[CheckResult, ...], options: GradeOptions, is_reference: bool
) -> tuple[CheckResult, ...]:
    """Every result's data resolved: against the reference's data from calibration,
    or, when this run is the reference's own, against its own data."""
    known = options.reference_data or {}
    return tuple(
        resolve_data(
            r,
            options.report_data,
            r.data if is_reference else known.get(r.name),
            awaiting=options.provisional,
        )
        for r in results
    )


def grade_folder(
    folder: Path,
    assignment: Assignment,
    options: GradeOptions,
    slot: int = 0,
    reply_log: list[tuple[str, int]] | None = None,
) -> tuple[Report, list[tuple[str, float]]]:
    """Run every check on the code in ``folder``; never raises for student faults.

    Returns the report and the call log (per-call CPU times), which the batch
    grader uses to set timeouts from the reference's own times; ``reply_log``,
    when given, receives each call's reply size (for the reply caps).
    """
    report, log, _ = grade_costed(folder, assignment, options, slot, reply_log=reply_log)
    return report, log


def grade_costed(
    folder: Path,
    assignment: Assignment,
    options: GradeOptions,
    slot: int = 0,
    key: str = "",
    reply_log: list[tuple[str, int]] | None = None,
    is_reference: bool = False,
    limits: LimitRecord | None = None,
    launcher: Launcher | None = None,
) -> tuple[Report, list[tuple[str, float]], float]:
    """``grade_folder``, and what the submission cost (``session.spent``, seconds).

    ``key`` names the submission in ``options.ledger``: its spending there
    from earlier attempts counts against its budget, and this one's is added.
    ``is_reference``: the code graded is the reference (calibration), whose
    own data are then what its checks expect. ``limits``, when given,
    receives what the limits decided (``LimitRecord``); ``launcher``: one
    prestarted for ``folder`` (``grading/spare.py``).
    """
    started, grader_started = time.perf_counter(), time.process_time()
    timeouts = options.timeouts
    if not timeouts.per_function:
        timeouts = replace(timeouts, per_function=assignment.public.timeouts)
    checks = assignment.checks(options.include_hidden)
    record = Recorder(options.ledger, key)
    with StudentSession(
        Path(folder),
        list(assignment.modules),
        options.sandbox,
        timeouts,
        slot,
        spent_before=record.spent_before,
        reply_policy=options.replies,
        launcher=launcher,
    ) as session:
        session.limits.provisional = options.provisional
        with language(options.lang):
            results = run_checks(
                checks, session, options.seed, after_each=lambda: record(session.spent)
            )
            results = resolve_all(results, options, is_reference)
        log = session.limits.times
        if reply_log is not None:
            reply_log.extend(session.limits.sizes)
        if limits is not None:
            limits.calls.extend(session.limits.calls)
            limits.stopped = session.limits.stopped
    record(session.spent)
    timing = {
        "student_cpu": session.cpu,
        "student_budget": session.spent,
        "grader_cpu": time.process_time() - grader_started,
    }
    seconds = time.perf_counter() - started
    report = session_report(assignment, options, session, results, seconds, timing)
    return report, log, session.spent


def session_report(
    assignment: Assignment,
    options: GradeOptions,
    session: StudentSession,
    results: tuple[CheckResult, ...],
    seconds: float,
    timing: dict[str, float],
) -> Report:
    """The report of a finished session: its results, how the code ran, where."""
    ran_hidden = options.include_hidden and assignment.hidden is not None
    return Report(
        assignment.name,
        results,
        seconds,
        session.isolation.sandboxed,
        status=session.status,
        lang=options.lang,
        isolation=isolation_record(session),
        hidden_points=0.0 if ran_hidden else assignment.hidden_points,
        timing=timing,
    )


def isolation_record(session: StudentSession) -> dict[str, Any]:
    """The isolation level and what the confinement applied (as its first process
    said before any student code ran): the same for every student of a batch."""
    applied = session.confinement
    landlock = applied.get("landlock") if isinstance(applied.get("landlock"), dict) else {}
    return {
        **session.isolation.to_dict(),
        "landlock_applied": dict(landlock or {}),
        "seccomp": bool(applied.get("seccomp")),
        "unprivileged": applied.get("uid", 0) != 0,
    }
