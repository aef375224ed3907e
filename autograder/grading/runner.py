"""Grading one submission folder: a session, the checks, a report."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from autograder.checks import Check, run_check
from autograder.checks.findings import withhold_dependent
from autograder.core.results import CheckResult, Report
from autograder.grading.assignment import Assignment
from autograder.i18n import language
from autograder.isolation.sandbox import SandboxConfig
from autograder.isolation.session import StudentSession, TimeoutPolicy


@dataclass(frozen=True)
class GradeOptions:
    """How to grade: which checks, which seed, which limits."""

    seed: int = 0
    include_hidden: bool = True
    sandbox: SandboxConfig = field(default_factory=SandboxConfig)
    timeouts: TimeoutPolicy = field(default_factory=TimeoutPolicy)
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


def run_in_order(
    checks: list[Check], session: StudentSession, seed: int, depends: dict[str, tuple[str, ...]]
) -> tuple[CheckResult, ...]:
    """Every check in order, each told whether a component it runs through failed before."""
    results: list[CheckResult] = []
    failed: set[str] = set()
    for check in checks:
        blocked = any(c in failed for c in depends.get(check.component, ()))
        results.append(run_check(check, session, seed, blocked=blocked))
        if not results[-1].passed:
            failed.add(check.component)
    return tuple(results)


def grade_folder(
    folder: Path, assignment: Assignment, options: GradeOptions, slot: int = 0
) -> tuple[Report, list[tuple[str, float]]]:
    """Run every check on the code in ``folder``; never raises for student faults.

    Returns the report and the call log (per-call durations), which the batch
    grader uses to set timeouts from the reference's own times.
    """
    started = time.perf_counter()
    timeouts = options.timeouts
    if not timeouts.per_function:
        timeouts = replace(timeouts, per_function=assignment.public.timeouts)
    checks = assignment.checks(options.include_hidden)
    with StudentSession(
        Path(folder), list(assignment.modules), options.sandbox, timeouts, slot
    ) as session:
        with language(options.lang):
            results = run_in_order(checks, session, options.seed, assignment.public.depends)
            results = tuple(resolve_data(r, options.report_data) for r in results)
            results = withhold_dependent(results, assignment.public.depends)
        log = list(session.call_log)
        sandboxed, status = session.use_bwrap, session.status
    seconds = time.perf_counter() - started
    ran_hidden = options.include_hidden and assignment.hidden is not None
    report = Report(
        assignment.name, results, seconds, sandboxed, status=status, lang=options.lang,
        hidden_points=0.0 if ran_hidden else assignment.hidden_points,
    )  # fmt: skip
    return report, log
