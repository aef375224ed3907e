"""Results of grading: plain frozen records, free of any rendering.

A report's ``status`` says how the student's code ran, apart from its score:
``ok``; ``timeout`` when a call ran out of time; ``error`` when a module could
not be imported or the student's process crashed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

PASSED, FAILED, ERROR = "passed", "failed", "error"


def plain(value: Any) -> Any:
    """``value`` as JSON: lists, numbers, strings (NaN and infinity as None)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if hasattr(value, "tolist"):  # a NumPy array or scalar
        return plain(value.tolist())
    return str(value)


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check on one submission.

    ``status`` is ``failed`` when the student's code earned less than full
    points, ``error`` only when the grader itself broke (a bug to report).
    ``hidden`` results are shown to students by name and score only.
    """

    name: str
    component: str
    points: float
    max_points: float
    status: str
    message: str = ""
    hidden: bool = False
    output: str = ""
    diagnosis: str = ""
    data: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    mistake: str = ""  # the diagnosed mistake's catalogue key, for class analytics
    # Where the diagnosed mistake lies in the student's own code (function, file
    # or notebook cell, line), and a hidden check's catalogue sentence for its
    # mistake: both built from the catalogue and the student's code only.
    where: str = ""
    hint: str = ""
    # The check could not run: the student's module did not import (the
    # message says why, once for every check it stopped).
    not_run: bool = False

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    @property
    def reason(self) -> str:
        """The first line of the message: the one-line reason in a table."""
        return self.message.split("\n", 1)[0]


@dataclass(frozen=True)
class Report:
    """All check results for one submission."""

    assignment: str
    results: tuple[CheckResult, ...]
    seconds: float = 0.0
    sandboxed: bool = False
    notes: tuple[str, ...] = ()
    status: str = "ok"
    lang: str = "en"  # the language of every message in ``results``
    student: str = ""  # whose submission (the batch's student id; empty for a self-check)
    # Points of hidden checks that exist but did not run here (a student's
    # `autograder check`): their total only, which the release tells students.
    hidden_points: float = 0.0
    # The isolation the student's code ran in: level, Landlock ABI, what applied.
    isolation: dict[str, Any] = field(default_factory=dict, compare=False)
    # The submission's files that were graded (relative paths): a student who
    # handed in several versions or a notebook beside .py files sees which.
    graded_files: tuple[str, ...] = ()
    # What grading it cost, in seconds: ``student_cpu`` (every process of the
    # student, start-up included), ``grader_cpu`` (the grading process). Not in
    # report.json (its bytes do not depend on the machine's speed): the batch
    # writes them to timings.json.
    timing: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def score(self) -> float:
        return round(sum(r.points for r in self.results), 6)

    @property
    def max_score(self) -> float:
        return round(sum(r.max_points for r in self.results), 6)

    @property
    def all_passed(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def grader_errors(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if r.status == ERROR)

    def to_dict(self) -> dict[str, Any]:
        results = [{**asdict(r), "data": plain(r.data)} for r in self.results]
        return {
            "assignment": self.assignment,
            "score": self.score,
            "max_score": self.max_score,
            "all_passed": self.all_passed,
            "seconds": round(self.seconds, 3),
            "sandboxed": self.sandboxed,
            "status": self.status,
            "lang": self.lang,
            "student": self.student,
            "hidden_points": self.hidden_points,
            "notes": list(self.notes),
            "isolation": dict(self.isolation),
            "graded_files": list(self.graded_files),
            "checks": results,
        }


@dataclass(frozen=True)
class StudentRow:
    """One student's line: scores per check, or an error that stopped grading."""

    student: str
    total: float
    max_total: float
    status: str
    points: dict[str, float]
    error: str = ""


@dataclass(frozen=True)
class Outcome:
    """What happened to one student in this run."""

    student: str
    row: StudentRow
    skipped: bool = False
    grader_error: str = ""


@dataclass(frozen=True)
class BatchSummary:
    outcomes: tuple[Outcome, ...]
    check_names: tuple[str, ...]
    statistics: dict[str, Any]
    sandboxed: bool
    isolation: dict[str, Any] = field(default_factory=dict)  # the level every student ran at
    missing: tuple[str, ...] = ()  # rostered students without a submission (rows, status missing)
    unlisted: tuple[str, ...] = ()  # graded submissions of students not on the roster
    pending: tuple[str, ...] = ()  # submissions never graded yet (a run with --only)
    names: dict[str, str] = field(default_factory=dict)  # student -> name, from the roster
    warnings: tuple[str, ...] = ()  # for the grader: the submissions folder, failed pages

    @property
    def grader_failures(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.grader_error)
