"""Running a suite: a check that runs another component's code is scored only when
that code is right.

Each mistake must cost its own component and no other. Some checks cannot
help running another component's code: the trainer learning XOR with the
student's own layers (trusted layers are too slow for 2000 epochs), or its
cost on a wide network. Such a check declares ``requires`` (components). It
always runs (its loss curve still feeds the student's page, and its calls are
bounded by their time limits), and once every check has run:

* if it failed while a check of a required component fails (before or after
  it, public or hidden), its failure is *not applicable*: 0 of 0 points, with
  a sentence saying why, so nothing is at stake for that student (their
  total is out of fewer points);
* if it passed, it keeps its points: that verdict is its own.

Class analytics leave not-applicable results out of the pass rates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from autograder.checks.suite import Check, run_check
from autograder.core.results import PASSED, CheckResult
from autograder.i18n import t
from autograder.isolation.session import StudentSession


def failing_components(check: Check, results: Sequence[CheckResult]) -> list[str]:
    """The required components of ``check`` that have a failed, scored check in ``results``."""
    found = {
        r.component
        for r in results
        if r.component in check.requires and r.status != PASSED and r.max_points > 0
    }
    return sorted(found)


def not_applicable(result: CheckResult, components: list[str]) -> CheckResult:
    """``result`` scored 0 of 0, its message opened by why (it names ``components``)."""
    why = t("gate.not_scored", components=", ".join(components))
    message = f"{why}\n{result.message}" if result.message else why
    return replace(result, points=0.0, max_points=0.0, message=message, diagnosis="", mistake="")


def run_checks(
    checks: Sequence[Check],
    session: StudentSession,
    seed: int,
    reference: dict[str, Any] | None = None,
    after_each: Callable[[], None] = lambda: None,
) -> tuple[CheckResult, ...]:
    """Every check, each independent, results in the given order; gated checks settled
    at the end. ``after_each`` runs after each check (the budget ledger's record).

    The order they run in: every public check before any hidden one, so that
    nothing a hidden check handed the student's process (its inputs, kept by the
    student's code in the process or in its scratch folder) can come back in a
    public check's message, output or verdict, which the student sees; and within
    each, the checks on trusted classes last: the student's process is restarted
    before the student's own code runs after one (``StudentSession.request``), so
    once per suite.
    """
    ran: dict[int, CheckResult] = {}
    order = sorted(range(len(checks)), key=lambda i: (checks[i].hidden, checks[i].trusted))
    for index in order:
        ran[index] = run_check(checks[index], session, seed, reference)
        after_each()
    results = [ran[index] for index in range(len(checks))]
    return tuple(settle(check, result, results) for check, result in zip(checks, results))


def settle(check: Check, result: CheckResult, results: Sequence[CheckResult]) -> CheckResult:
    """A gated check that failed while a required component fails is not applicable."""
    if result.passed or result.max_points == 0 or not check.requires:
        return result
    failing = failing_components(check, results)
    return not_applicable(result, failing) if failing else result
