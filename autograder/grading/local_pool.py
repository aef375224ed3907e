"""Grading on this machine: a pool of processes, one sandbox slot each.

Each pool process loads the assignment once and keeps one slot (a sandbox
uid) for its whole life, so two students graded at once never share a uid's
process count. A pool broken by a dying process is rebuilt for the
submissions still pending; one that keeps dying on the same submission ends
as that student's grader error, never the batch's. A retried submission
starts from what its earlier attempts spent of its budget (``ledger``).

Submissions are handed to the pool a few at a time (``jobs + 1`` in flight),
not all at once, so that one to be graded again (a provisional grading a
limit stopped, or a retry) goes before all those not handed over yet:
queued behind the whole class, it was graded alone at the end while the
other cores waited. A regrade grades the quickest students of its last run
beside the calibration, not the slowest its longest-first order starts
with: most often one a limit stopped, whose provisional run would only be
thrown away (and the calibration slowed) before it is graded again.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from multiprocessing import get_context
from multiprocessing.util import Finalize
from pathlib import Path
from typing import Any

from autograder.core.results import Report
from autograder.core.tempdirs import temporary_folder
from autograder.grading.assignment import Assignment, load_assignment
from autograder.grading.calibration import Calibrating
from autograder.grading.config import BatchConfig
from autograder.grading.ledger import FileLedger
from autograder.grading.one import Graded, failed_report, grade_one
from autograder.grading.provisional import (
    counting,
    finished,
    grade_alone,
    provisional,
)
from autograder.grading.runner import GradeOptions
from autograder.grading.scratch import Scratch
from autograder.grading.timings import PROCESS, PROCESS_CPU, quickest
from autograder.i18n import t
from autograder.intake.submissions import Submission
from autograder.isolation.levels import resolve
from autograder.isolation.policy import LimitRecord
from autograder.isolation.sandbox import SandboxConfig, SandboxUnavailable

MAX_POOL_RESTARTS = 3

_WORKER: dict[str, Any] = {}


def _init_worker(
    assignment_dir: Path, slots: Any, seed: int, sandbox: SandboxConfig | None
) -> None:
    """``sandbox``: where to start each next student's process early (None: never)."""
    _WORKER["assignment"] = load_assignment(assignment_dir)
    _WORKER["slot"] = slots.get()
    _WORKER["sandbox"] = sandbox
    if sandbox is not None:
        _WORKER["next"] = Scratch.prestarted(sandbox, _WORKER["slot"])  # the first student's
        Finalize(None, _close_next, exitpriority=10)  # at exit: its process ended, uid freed
    _WORKER["assignment"].prepare(seed)  # while the batch calibrates: not on a first student


def _close_next() -> None:
    _WORKER.pop("next").close()


def _ready() -> None:
    """A task that only makes a pool process start (and run its initializer)."""


def _scratch() -> Scratch | None:
    """This student's scratch (prestarted during the last student), and the next one's
    launched now: it boots while this student is graded (``scratch``)."""
    if _WORKER["sandbox"] is None:
        return None
    scratch = _WORKER["next"]
    _WORKER["next"] = Scratch.prestarted(_WORKER["sandbox"], _WORKER["slot"])
    return scratch


def grade_submission(submission: Submission, options: GradeOptions) -> tuple[Report, str]:
    """Runs in a pool process (its assignment and slot set by ``_init_worker``)."""
    assignment, slot = _WORKER["assignment"], _WORKER["slot"]
    report, error = grade_one(submission, assignment, options, slot, scratch=_scratch())
    return stamped(report), error


def stamped(report: Report) -> Report:
    """The report with this pool process and its CPU so far (start-up, imports, every
    student it graded): the batch's ``timings`` keeps each process's last figure. Pool
    processes live for one batch, so the figure is this batch's (a Dask worker's,
    serving many batches, would not be)."""
    process = {PROCESS_CPU: time.process_time(), PROCESS: float(os.getpid())}
    return replace(report, timing={**report.timing, **process})


Provisional = tuple[Report, str, LimitRecord]


def grade_provisionally(submission: Submission, options: GradeOptions) -> Provisional:
    """Runs in a pool process: a grading beside the calibration, and its limits' record."""
    assignment, slot, record = _WORKER["assignment"], _WORKER["slot"], LimitRecord()
    report, error = grade_one(
        submission, assignment, options, slot, limits=record, scratch=_scratch()
    )
    return stamped(report), error, record


def kept(
    future: Future[Provisional], calibrated: GradeOptions
) -> tuple[tuple[Report, str] | None, float]:
    """A provisional grading as it stands under ``calibrated`` (None: grade it again),
    and the CPU time its student's processes used."""
    try:
        report, error, record = future.result()
    except BrokenProcessPool:
        return None, 0.0
    standing = finished((report, error), record, calibrated)
    return (None if standing is None else (standing, "")), report.timing.get("student_cpu", 0.0)


class InProcess:
    """One submission, graded in this process: starting a pool process (Python, numpy,
    the checks) would cost a good part of what grading it does. The student's code
    still runs in its own sandboxed process; ``grade_one`` never raises."""

    def __init__(self, assignment: Assignment, seed: int) -> None:
        self.assignment, self.seed = assignment, seed

    def __enter__(self) -> InProcess:
        self.assignment.prepare_in_background(self.seed)  # as a pool process does at start
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def grade(self, todo: list[Submission], calibration: Calibrating) -> Iterator[Graded]:
        for submission in todo:  # one (a pool would cost more): beside its calibration
            yield (submission, *grade_alone(submission, self.assignment, calibration))


class LocalPool:
    """A pool of processes on this machine; a broken pool is rebuilt for the rest."""

    def __init__(
        self, config: BatchConfig, assignment: Assignment, last: dict[str, float] | None = None
    ) -> None:
        """``last``: each student's seconds in the last run (``timings.last_seconds``)."""
        self.config, self.assignment, self.last = config, assignment, last or {}

    def __enter__(self) -> LocalPool:
        # What each submission spent of its budget, for a retry after a pool process died.
        self.ledger_dir = temporary_folder("ledger")
        # Started now, so that its processes start and load the assignment while the
        # batch calibrates on the reference: the first student waits for none of it.
        self.pool: ProcessPoolExecutor | None = started(self.config, self.assignment.folder)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
        self.ledger_dir.cleanup()

    def grade(self, todo: list[Submission], calibration: Calibrating) -> Iterator[Graded]:
        early = self._beside(todo, calibration)  # while the batch calibrates, in this thread
        options = replace(calibration(), ledger=FileLedger(self.ledger_dir.name))
        attempts = {s.student: 0 for s in todo}
        discarded: dict[str, float] = {}  # CPU of a provisional grading graded again
        beside = {s.student for s in early.values()}
        queue = deque(s for s in todo if s.student not in beside)
        while queue or early:
            pool, self.pool = self.pool or _pool(self.config, self.assignment.folder), None
            with pool:
                yield from self._drain(pool, early, queue, options, attempts, discarded)

    def _drain(
        self,
        pool: ProcessPoolExecutor,
        early: dict[Future[Provisional], Submission],
        queue: deque[Submission],
        options: GradeOptions,
        attempts: dict[str, int],
        discarded: dict[str, float],
    ) -> Iterator[Graded]:
        """Grade ``early`` and ``queue`` on ``pool`` until both are done or the pool breaks
        (what is left of ``queue`` is then for the next pool)."""
        futures: dict[Future[Any], Submission] = dict(early)
        while futures or queue:
            while queue and len(futures) <= self.config.jobs:
                try:
                    futures[pool.submit(grade_submission, queue[0], options)] = queue[0]
                except BrokenProcessPool:
                    break
                queue.popleft()
            if not futures:
                return  # the pool broke before the rest could be handed to it
            done, _ = wait(futures, return_when=FIRST_COMPLETED)
            for future in done:
                submission = futures.pop(future)
                if early.pop(future, None) is None:
                    result = self._collect(future, submission, attempts, queue)
                else:
                    result, cpu = kept(future, options)
                    if result is None:  # grade it again next, its CPU counted still
                        discarded[submission.student] = cpu
                        queue.appendleft(submission)
                if result is not None:
                    report = counting(result[0], discarded.pop(submission.student, 0.0))
                    yield (submission, report, result[1])

    def _beside(
        self, todo: list[Submission], calibration: Calibrating
    ) -> dict[Future[Provisional], Submission]:
        """The students graded while the batch calibrates, when it has no calibration yet
        (``provisional``): one per pool process, on the cores the calibration leaves idle
        (more would only slow each other and the calibration down); in a regrade, the
        quickest of the last run (``timings.quickest``)."""
        idle = (os.cpu_count() or 1) - 1
        if self.pool is None or idle < 1 or calibration.known() is not None:
            return {}
        options = provisional(calibration.options)  # no ledger: a provisional run is no attempt
        first = quickest(todo, self.last, min(self.config.jobs, idle))
        return {self.pool.submit(grade_provisionally, s, options): s for s in first}

    def _collect(
        self,
        future: Future[tuple[Report, str]],
        submission: Submission,
        attempts: dict[str, int],
        retry: deque[Submission],
    ) -> tuple[Report, str] | None:
        try:
            return future.result()
        except BrokenProcessPool:
            attempts[submission.student] += 1
            if attempts[submission.student] < MAX_POOL_RESTARTS:
                retry.appendleft(submission)
                return None
            message = t("error.grader", self.config.options.lang)
            report = failed_report(self.assignment, self.config.options, message)
            return report, "the grading process died repeatedly on this submission"


def started(config: BatchConfig, assignment_dir: Path) -> ProcessPoolExecutor:
    """A pool whose every process is starting (one ``_ready`` task each)."""
    pool = _pool(config, assignment_dir)
    for _ in range(config.jobs):
        pool.submit(_ready)
    return pool


def early_starts(config: BatchConfig) -> SandboxConfig | None:
    """Where the pool processes start each next student's process early: only while the
    pool leaves a core idle for it to boot on (measured: at -j 1 on 2 cores a student's
    wall time falls by about a sixth; with every core busy it only adds contention),
    and never without isolation, where only a uid (or nothing) keeps the student
    graded now out of the next one's folder."""
    sandbox = config.options.sandbox
    try:
        isolated = resolve(sandbox).level != "none"
    except SandboxUnavailable:
        return None  # each student's own start says why
    return sandbox if isolated and config.jobs < (os.cpu_count() or 1) else None


def _pool(config: BatchConfig, assignment_dir: Path) -> ProcessPoolExecutor:
    context = get_context("spawn")
    slots = context.Queue()
    for slot in range(config.jobs):
        slots.put(slot)
    return ProcessPoolExecutor(
        max_workers=config.jobs,
        mp_context=context,
        initializer=_init_worker,
        initargs=(assignment_dir, slots, config.options.seed, early_starts(config)),
    )
