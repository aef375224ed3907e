"""Grading one submission in a scratch copy: the one code path of every executor.

The local pool, the Dask workers and Gradescope's ``run_autograder`` all call
``grade_one``; ``calibration.calibrate`` grades the reference first, whose call
times set every student's time limits.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import replace

from autograder.core.results import FAILED, CheckResult, Report
from autograder.grading.assignment import Assignment
from autograder.grading.bounds import bounded
from autograder.grading.runner import GradeOptions, grade_costed
from autograder.grading.scratch import Scratch
from autograder.i18n import t
from autograder.intake.layout import Layout
from autograder.intake.submissions import BadSubmission, Submission, lay_out_submission
from autograder.intake.tree import Tree
from autograder.isolation.policy import LimitRecord

MAX_ERROR = 32 << 10  # characters of a grader error kept in report.json


def failed_report(assignment: Assignment, options: GradeOptions, message: str) -> Report:
    """Every check failed with the same reason (the submission could not be read)."""
    results = tuple(
        CheckResult(c.name, c.component, 0.0, c.points, FAILED, message, c.hidden, not_run=True)
        for c in assignment.checks(options.include_hidden)
    )
    return Report(assignment.name, results, status="error", lang=options.lang)


def grade_one(
    submission: Submission,
    assignment: Assignment,
    options: GradeOptions,
    slot: int,
    tree: Tree | None = None,
    key: str = "",
    limits: LimitRecord | None = None,
    scratch: Scratch | None = None,
) -> tuple[Report, str]:
    """Returns (report, grader error or ""); the one code path of every executor.

    ``tree``: the submission's files already read (a Dask worker receives them
    read by the client with the same reader); else they are read here. ``key``
    names this submission's attempts in ``options.ledger`` (by default its
    student id), so that its budget spans retries. ``limits`` receives what the
    limits decided; a provisional grading's report is left to be finished
    (``provisional.settled``) once the calibration is known. ``scratch``: the
    folder to lay the submission out in (its process maybe started already),
    closed here.
    """
    grader_started = time.process_time()
    try:
        scratch = scratch or Scratch(slot)
        with scratch as folder:
            try:
                layout = lay_out_submission(
                    submission, folder, assignment.modules, assignment.name, assignment.folder, tree
                )
            except BadSubmission as bad:
                return failed_report(
                    assignment, options, t("error.unreadable_submission", options.lang, reason=bad)
                ), ""
            key = key or submission.student
            launcher = scratch.launcher_for(layout.folder)
            report, _, _ = grade_costed(
                layout.folder, assignment, options, slot, key, limits=limits, launcher=launcher
            )
            notes = report.notes + graded_notes(layout, options.lang)
            report = replace(report, graded_files=layout.graded, notes=notes)
        grader_cpu = time.process_time() - grader_started  # the copy and layout too
        report = replace(report, timing={**report.timing, "grader_cpu": grader_cpu})
    except Exception:  # the grader's own failure: recorded, never fatal
        message = t("error.grader", options.lang)
        return failed_report(assignment, options, message), traceback.format_exc()[-MAX_ERROR:]
    errors = report.grader_errors
    report = report if options.provisional else bounded(report)
    return report, "\n".join(f"{r.name}: {r.message}" for r in errors)[-MAX_ERROR:]


def graded_notes(layout: Layout, lang: str) -> tuple[str, ...]:
    """Why the notebook was graded, when .py files were handed in beside it."""
    if not layout.skeleton:
        return ()
    files, notebook = ", ".join(layout.skeleton), layout.graded[0]
    return (t("report.graded_skeleton", lang, files=files, notebook=notebook),)


Graded = tuple[Submission, Report, str]
