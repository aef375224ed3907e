"""Grading a whole class: in parallel, resumable, one student never stopping another.

The pipeline, in the spirit of nbgrader's small steps:

1. find the submissions (``submissions.find_submissions``);
2. skip every student whose submission and checks are unchanged since their
   last ``report.json`` (a content hash), unless ``force``; with ``only``,
   grade just those students and keep everyone else's last results;
3. calibrate timeouts on the reference: it runs every check through the same
   sandbox, must score full marks, and its per-call times set the limits;
4. grade the rest in a pool of processes, each submission copied into a
   fresh folder and graded by ``runner.grade_folder``;
5. write each student's files atomically as their result arrives, then the
   class files (grades.csv, summary.json) from every report on disk, with a
   row for each rostered student who handed nothing in (``classlist``).

A student's ``report.json`` is written last, so its presence marks a
finished student: an interrupted batch (Ctrl-C, kill -9) loses nothing and
the rerun grades only the rest.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from autograder import __version__
from autograder.core.files import (
    PUBLIC,
    REPORT_FILE,
    read_report,
    writable_folder,
    write_atomically,
)
from autograder.core.results import BatchSummary, Outcome, Report, StudentRow
from autograder.grading.assignment import Assignment, load_assignment
from autograder.grading.calibration import Calibrating
from autograder.grading.classlist import (
    check_results_folder,
    check_same_assignment,
    class_list,
    class_roster,
    missing_outcomes,
    only_students,
)
from autograder.grading.config import BatchConfig
from autograder.grading.one import Graded
from autograder.grading.runner import GradeOptions
from autograder.grading.timings import BatchTimings, last_seconds, longest_first
from autograder.intake.submissions import Submission, find_submissions, fingerprint
from autograder.reports import gradebook
from autograder.reports.feedback import write_feedback_html, write_feedback_md
from autograder.reports.gradescope import results_json
from autograder.reports.summary_page import write_summary_analytics, write_summary_html

GRADER_ERROR = "grader-error"


StudentWriter = Callable[[Report, Path, BatchConfig], str | None]  # a warning, or none
ClassWriter = Callable[[BatchSummary, Path, BatchConfig], None]
Progress = Callable[[Outcome, int, int], None]


def write_results_json(report: Report, student_dir: Path, config: BatchConfig) -> None:
    document = results_json(report)
    document["extra_data"] = {"isolation": report.isolation}  # Gradescope shows it to staff only
    write_atomically(student_dir / "results.json", json.dumps(document, indent=2), PUBLIC)


def write_grades_csv(summary: BatchSummary, out: Path, config: BatchConfig) -> None:
    rows = [o.row for o in summary.outcomes]
    text = gradebook.grades_csv(rows, list(summary.check_names))
    write_atomically(out / gradebook.GRADES_CSV, text)


def write_summary_json(summary: BatchSummary, out: Path, config: BatchConfig) -> None:
    document = dict(summary.statistics)
    document["grader_failures"] = {o.student: o.grader_error for o in summary.grader_failures}
    document["sandboxed"] = summary.sandboxed
    document["isolation"] = summary.isolation
    document["missing"] = list(summary.missing)
    document["not_on_roster"] = list(summary.unlisted)
    document["warnings"] = list(summary.warnings)
    write_atomically(out / "summary.json", json.dumps(document, indent=2))


STUDENT_WRITERS: list[StudentWriter] = [write_results_json, write_feedback_html, write_feedback_md]
CLASS_WRITERS: list[ClassWriter] = [
    write_grades_csv,
    write_summary_json,
    write_summary_analytics,  # adds to summary.json: after write_summary_json
    write_summary_html,
]


def checks_fingerprint(assignment: Assignment, options: GradeOptions) -> str:
    """Everything besides the submission that decides the scores: the checks, the seed,
    and the limits the instructor sets (a rerun with a higher --timeout-floor or
    --memory-mb regrades the students those limits stopped); not the calibrated
    per-call figures, which each run measures anew, nor the isolation level, which
    changes no honest student's score."""
    policy, sandbox = options.timeouts, options.sandbox.limits
    limits = [policy.factor, policy.floor, policy.default, policy.budget_factor]
    limits += [policy.budget_floor, sandbox.memory_bytes, sandbox.processes, sandbox.file_bytes]
    limits += [sandbox.cpu_seconds, sandbox.tmp_bytes]
    digest = hashlib.sha256(
        f"{__version__}:{options.seed}:{options.include_hidden}:{options.lang}:{limits}".encode()
    )
    for path in sorted(assignment.folder.glob("*.py")):
        digest.update(path.name.encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def row_from_report(student: str, document: dict[str, Any]) -> StudentRow:
    points = {c["name"]: c["points"] for c in document["checks"]}
    return StudentRow(student, document["score"], document["max_score"], document["status"], points)


class Grader(Protocol):
    """Where submissions are graded: the local pool, or a cluster (cluster.py)."""

    def __enter__(self) -> Grader: ...

    def __exit__(self, *exc: object) -> None: ...

    def grade(self, todo: list[Submission], calibration: Calibrating) -> Iterator[Graded]:
        """Yield (submission, report, grader error) as each one is done, under the
        options ``calibration`` gives."""
        ...


def make_grader(
    config: BatchConfig,
    assignment: Assignment,
    count: int = 2,
    last: dict[str, float] | None = None,
) -> Grader:
    """The local pool (this process alone for ``count`` = 1 submission), or a Dask
    cluster (imported only when asked for). ``last``: each student's seconds in the
    last run, which the pool grades beside the calibration (``timings.quickest``)."""
    if not config.scheduler:
        from autograder.grading.local_pool import InProcess, LocalPool

        if count == 1:
            return InProcess(assignment, config.options.seed)
        return LocalPool(config, assignment, last)
    from autograder.grading.cluster import DaskGrader

    return DaskGrader(config.scheduler, assignment)


# -- the batch -------------------------------------------------------------------
class Batch:
    """One run of the grader over a submissions folder."""

    def __init__(self, root: Path, out: Path, config: BatchConfig) -> None:
        # One language for the whole run: the messages (options) and the pages (config).
        config = replace(config, options=replace(config.options, lang=config.lang))
        self.assignment = load_assignment(config.assignment_dir)
        found = find_submissions(root, self.assignment.modules)
        self.submissions, self.warnings = found.submissions, found.warnings
        check_results_folder(root, out, self.submissions)
        check_same_assignment(out, self.assignment.name)
        writable_folder(out)  # now, not after grading the class
        self.only = only_students(config.only, self.submissions) if config.only else set()
        config = replace(config, roster=class_roster(config.roster, out))
        self.classes = class_list(config.roster, self.submissions)
        self.root, self.out, self.config = root, out, config
        self.checks_hash = checks_fingerprint(self.assignment, config.options)
        self.fingerprints = {s.student: self._fingerprint(s) for s in self.submissions}
        self.timings = BatchTimings(config.jobs)

    def _fingerprint(self, submission: Submission) -> str:
        return hashlib.sha256(f"{fingerprint(submission)}:{self.checks_hash}".encode()).hexdigest()

    def pending(self) -> list[Submission]:
        if self.only:  # regraded whatever their fingerprint: that is what --only asks
            return [s for s in self.submissions if s.student in self.only]
        if self.config.force:
            return list(self.submissions)
        return [s for s in self.submissions if not self._up_to_date(s)]

    def _up_to_date(self, submission: Submission) -> bool:
        document = read_report(self.out / submission.student)
        return (
            document is not None
            and document["fingerprint"] == self.fingerprints[submission.student]
        )

    def record(self, submission: Submission, report: Report, grader_error: str) -> Outcome:
        """Write one student's files; report.json last (it marks the student done)."""
        student_dir = self.out / submission.student
        report = replace(report, student=submission.student)
        record_started = time.process_time()
        said = [writer(report, student_dir, self.config) for writer in STUDENT_WRITERS]
        warnings = [warning for warning in said if warning]
        self.warnings += tuple(warnings)
        document = report.to_dict()
        document.update(
            student=submission.student,
            fingerprint="" if grader_error else self.fingerprints[submission.student],
            grader_error=grader_error,
        )
        if warnings:
            document["page_warnings"] = warnings  # said again by each run that keeps them
        write_atomically(student_dir / REPORT_FILE, json.dumps(document, indent=2))
        self.timings.student(submission.student, report, time.process_time() - record_started)
        status = GRADER_ERROR if grader_error else report.status
        row = replace(row_from_report(submission.student, document), status=status)
        return Outcome(submission.student, row, grader_error=grader_error)

    def kept_outcome(self, submission: Submission) -> Outcome | None:
        """A student not graded in this run: their last results, if they have any."""
        document = read_report(self.out / submission.student)
        if document is None:
            return None  # never graded (a run with --only): no row until they are
        warnings = document.get("page_warnings")
        if isinstance(warnings, list):
            self.warnings += tuple(w for w in warnings if isinstance(w, str))
        status = GRADER_ERROR if document.get("grader_error") else document["status"]
        row = replace(row_from_report(submission.student, document), status=status)
        return Outcome(submission.student, row, True)

    def run(self, progress: Progress | None = None) -> BatchSummary:
        todo = self.pending()
        graded_now = {s.student for s in todo}
        kept = [self.kept_outcome(s) for s in self.submissions if s.student not in graded_now]
        outcomes = {o.student: o for o in kept if o is not None}
        total, count = len(outcomes) + len(todo), len(outcomes)
        for outcome in outcomes.values():
            if progress:
                progress(outcome, count, total)
        for outcome in self._grade_all(todo):
            outcomes[outcome.student] = outcome
            count += 1
            if progress:
                progress(outcome, count, total)
        return self.finish([outcomes[s.student] for s in self.submissions if s.student in outcomes])

    def _grade_all(self, todo: list[Submission]) -> Iterator[Outcome]:
        """Yield outcomes as they arrive, each recorded on disk first."""
        if not todo:
            return
        last = last_seconds(self.out)
        todo = longest_first(todo, last)  # a regrade: slowest first
        config = replace(self.config, jobs=max(1, min(self.config.jobs, len(todo))))
        with make_grader(config, self.assignment, len(todo), last) as grader:  # processes start
            calibration = Calibrating(self.assignment, self.config.options)
            for submission, report, error in grader.grade(todo, calibration):
                self.timings.calibration_seconds = calibration.seconds
                yield self.record(submission, report, error)

    def finish(self, outcomes: list[Outcome]) -> BatchSummary:
        checks = self.assignment.checks(self.config.options.include_hidden)
        names = tuple(c.name for c in checks)
        if self.classes.missing:
            top = float(sum(c.points for c in checks))
            outcomes = outcomes + missing_outcomes(self.classes, top)
            outcomes.sort(key=lambda o: o.student.casefold())
        rows = [o.row for o in outcomes]
        listed = {o.student for o in outcomes}
        summary = BatchSummary(
            tuple(outcomes),
            names,
            gradebook.class_statistics(rows, list(names)),
            **_isolation(self.config),
            missing=tuple(e.student for e in self.classes.missing),
            unlisted=self.classes.unlisted,
            pending=tuple(s.student for s in self.submissions if s.student not in listed),
            names=self.classes.names(),
            warnings=self.warnings,
        )
        for writer in CLASS_WRITERS:
            writer(summary, self.out, self.config)
        self.timings.write(self.out)
        return summary


def _isolation(config: BatchConfig) -> dict[str, Any]:
    """The isolation level of the batch, for the class summary."""
    from autograder.isolation.levels import resolve

    isolation = resolve(config.options.sandbox)
    return {"sandboxed": isolation.sandboxed, "isolation": isolation.to_dict()}


def grade_batch(
    root: Path, out: Path, config: BatchConfig, progress: Progress | None = None
) -> BatchSummary:
    """Grade every submission under ``root`` into ``out``; see the module docstring."""
    return Batch(root, out, config).run(progress)
