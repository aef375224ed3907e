"""Grading beside the calibration: kept only where the calibration could not change it.

A batch grades the reference first: its call times set each call's time
limit (``factor`` x the reference's, never under the floor), its reply sizes
the reply caps, its cost the submission's budget, and its run the data the
feedback pages compare with (the expected loss curve). On an empty cache
that is a student's worth of grading before the first student, paid by a
one-student class in full (issue 14's one-student target).

So a student can be graded *provisionally* beside it, under the least
limits a calibration can set (each call's at the timeout floor, the budget
at its floor), with the reference's data awaited. Limits only ever
act by stopping a call (its CPU or wall limit, the budget, the reply cap),
so once the calibration is known the provisional run stands exactly when
no call was stopped by such a limit and every call fits the calibrated
ones (``LimitRecord``): the same code, inputs and seed then meet the same
verdicts, and the report is finished with the reference's data in place.
Otherwise, or after a grader error, the student is graded again under the
calibrated limits, as without this module. The price is the rare student
stopped provisionally: graded twice.

A pool grades its first students so in its processes, on the cores the
calibration leaves idle (``local_pool``); a one-student class grades its
student in a thread of this process (both mostly wait for their student
processes), which needs the two students told apart by uid or PID namespace
(``can_overlap``). The CPU time of a run graded again still counts in the
student's timing (``counting``): a class's floor counts every process.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from autograder.core.results import Report
from autograder.grading.assignment import Assignment
from autograder.grading.bounds import bounded
from autograder.grading.calibration import Calibrating
from autograder.grading.one import grade_one
from autograder.grading.runner import AwaitingReference, GradeOptions
from autograder.intake.submissions import Submission
from autograder.isolation.levels import resolve
from autograder.isolation.policy import LimitRecord
from autograder.isolation.watch import WALL_FACTOR, WALL_SLACK


def can_overlap(options: GradeOptions) -> bool:
    """Two students at once in one grading process are told apart: each has a uid of its
    own (a root grader), or lives in its own PID namespace (bubblewrap), so neither's
    orphans are counted as the other's."""
    return os.geteuid() == 0 or resolve(options.sandbox).level == "bwrap"


def provisional(options: GradeOptions) -> GradeOptions:
    """``options`` before calibration, as a provisional run uses them: the least limits
    a calibration can set (every call's at the floor, the budget at its floor), no
    per-call reply caps or reference data yet. A call a calibration would allow longer
    is stopped at the floor and graded again: an endless loop costs its provisional
    run (the floor for each function it hangs in) on top of its grading."""
    timeouts = replace(options.timeouts, factor=0.0, default=0.0).with_budget(0.0)
    return replace(options, timeouts=timeouts, provisional=True)


def within(record: LimitRecord, calibrated: GradeOptions) -> bool:
    """No call was stopped by a calibrated limit, and each call stays under its
    calibrated CPU limit and wall cap (as ``watch.Watch.look`` stops a call) and
    within its reply cap; a cost check's own limit is its own."""
    if record.stopped:
        return False
    timeouts, caps = calibrated.timeouts, calibrated.replies
    for call in record.calls:
        if call.reply_bytes > caps.cap(call.key):
            return False
        if call.own_limit:
            continue
        limit = timeouts.seconds(call.key, call.function)
        if call.cpu >= limit or call.wall >= WALL_FACTOR * limit + WALL_SLACK:
            return False
    return True


def settled(report: Report, calibrated: GradeOptions) -> Report | None:
    """``report`` with each awaited datum replaced in place by the reference's, then
    bounded as every report is; None when the reference recorded no such datum."""
    known = calibrated.reference_data or {}
    results = []
    for result in report.results:
        data = dict(result.data)
        for key, value in data.items():
            if isinstance(value, AwaitingReference):
                reference = known.get(result.name, {})
                if value.key not in reference:
                    return None
                data[key] = reference[value.key]
        results.append(replace(result, data=data))
    return bounded(replace(report, results=tuple(results)))


def finished(
    graded: tuple[Report, str], record: LimitRecord, calibrated: GradeOptions
) -> Report | None:
    """The provisional report as it stands under ``calibrated``, or None: grade again."""
    report, grader_error = graded
    if grader_error or not within(record, calibrated):
        return None
    return settled(report, calibrated)


def counting(report: Report, discarded_cpu: float) -> Report:
    """``report``, its student's CPU time counting a discarded grading beside the
    calibration: the processes ran, and a class's floor counts every one."""
    if not discarded_cpu:
        return report
    timing = dict(report.timing)
    timing["student_cpu"] = timing.get("student_cpu", 0.0) + discarded_cpu
    return replace(report, timing=timing)


def grade_while_calibrating(
    submission: Submission, assignment: Assignment, calibration: Calibrating
) -> tuple[Report, str]:
    """One submission graded beside ``calibration`` (measured in a thread); kept when
    the calibration cannot change it, else graded again under the calibrated options."""
    record = LimitRecord()
    options = provisional(calibration.options)
    with ThreadPoolExecutor(1, thread_name_prefix="autograder-calibration") as pool:
        calibrating = pool.submit(calibration)
        graded = grade_one(submission, assignment, options, 1, limits=record)
        calibrated = calibrating.result()
    report = finished(graded, record, calibrated)
    if report is None:
        again, error = grade_one(submission, assignment, calibrated, 0)
        return counting(again, graded[0].timing.get("student_cpu", 0.0)), error
    return report, ""


def grade_alone(
    submission: Submission, assignment: Assignment, calibration: Calibrating
) -> tuple[Report, str]:
    """One submission (a one-student class, a Gradescope run): under its calibration when
    known already, else beside it where two students can be told apart, else after it."""
    options = calibration.known()
    if options is None and can_overlap(calibration.options):
        return grade_while_calibrating(submission, assignment, calibration)
    return grade_one(submission, assignment, options or calibration(), 0)
