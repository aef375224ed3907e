"""Grading one submission folder: a session, the checks, a report."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from autograder.checks import run_check
from autograder.core.results import CheckResult, Report
from autograder.grading.assignment import Assignment
from autograder.i18n import language
from autograder.isolation.replies import ReplyPolicy
from autograder.isolation.sandbox import SandboxConfig
from autograder.isolation.session import StudentSession, TimeoutPolicy


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


def resolve_data(result: CheckResult, wanted: bool) -> CheckResult:
    """Evaluate a check's deferred data (zero-argument callables), or drop it."""
    deferred = {key for key, value in result.data.items() if callable(value)}
    if not deferred:
        return result
    data = {key: value for key, value in result.data.items() if key not in deferred}
    if wanted:
        data.update((key, result.data[key]()) for key in deferred)
    return replace(result, data=data)


def grade_folder(
    folder: Path,
    assignment: Assignment,
    options: GradeOptions,
    slot: int = 0,
    reply_log: list[tuple[str, int]] | None = None,
) -> tuple[Report, list[tuple[str, float]]]:
    """Run every check on the code in ``folder``; never raises for student faults.

    Returns the report and the call log (per-call durations), which the batch
    grader uses to set timeouts from the reference's own times; ``reply_log``,
    when given, receives each call's reply size (for the reply caps).
    """
    started = time.perf_counter()
    timeouts = options.timeouts
    if not timeouts.per_function:
        timeouts = replace(timeouts, per_function=assignment.public.timeouts)
    checks = assignment.checks(options.include_hidden)
    with StudentSession(
        Path(folder), list(assignment.modules), options.sandbox, timeouts, slot, options.replies
    ) as session:
        with language(options.lang):
            results = tuple(run_check(check, session, options.seed) for check in checks)
            results = tuple(resolve_data(r, options.report_data) for r in results)
        log = list(session.call_log)
        if reply_log is not None:
            reply_log.extend(session.reply_log)
        sandboxed, status = session.use_bwrap, session.status
    seconds = time.perf_counter() - started
    report = Report(assignment.name, results, seconds, sandboxed, status=status, lang=options.lang)
    return report, log
