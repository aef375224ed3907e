"""A class's grades as the LMS needs them: read back from a results folder.

`autograder grades RESULTS` runs after `grade`, maybe days later, maybe
with the LMS's fresh class list: it reads each student's report.json
(the one record of a finished student) and the roster (the one given, else
RESULTS/roster.json), and pairs them. Folders whose names are not ids as
``submissions.student_id`` makes them are not students and are skipped.

The class is the last finished `grade` run's, as its grades.csv lists it: a
student graded by an earlier run whose submission has gone since (withdrawn,
or renamed, so graded again under another id) keeps a report.json there,
which is never exported or handed back as if current (``last_run``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from autograder.core.errors import AutograderError
from autograder.core.files import read_report
from autograder.core.roster import MISSING, Roster, RosterEntry
from autograder.grading.classlist import load_roster
from autograder.intake.roster import match
from autograder.intake.submissions import student_id
from autograder.intake.tree import skipped
from autograder.reports.gradebook import GRADES_CSV, listed

GRADER_ERROR = "grader-error"


@dataclass(frozen=True)
class StudentGrade:
    """One line of an LMS file: who, and their score (None when nothing was handed in)."""

    student: str
    entry: RosterEntry | None
    score: float | None
    max_score: float
    status: str


@dataclass(frozen=True)
class ClassGrades:
    assignment: str
    max_score: float
    grades: tuple[StudentGrade, ...]  # rostered students (graded or missing), then the unlisted
    roster: Roster | None
    unlisted: tuple[str, ...]  # graded, but not on the roster: no LMS knows them
    earlier_only: tuple[str, ...] = ()  # graded once, not in the last run: left out

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(g.student for g in self.grades if g.status == MISSING)

    @property
    def grader_errors(self) -> tuple[str, ...]:
        return tuple(g.student for g in self.grades if g.status == GRADER_ERROR)


def last_run(results: Path) -> tuple[dict[str, dict], list[str]]:
    """The report.json documents of the last finished run's students, and the students
    graded only by an earlier run: those its grades.csv does not list, as their
    submission has gone since. With no grades.csv to read (a folder made by hand),
    every report is the class's."""
    found, folders = _reports(results)
    try:
        current = set(listed((results / GRADES_CSV).read_text(encoding="utf-8"), folders))
    except (OSError, UnicodeDecodeError, csv.Error):
        return found, []
    damaged = sorted(s for s in current if s not in found)
    if damaged:  # graded in the last run, their results unreadable: never left out silently
        raise AutograderError(
            f"the report.json of {', '.join(damaged)} in {results} is missing or damaged; "
            f"grade them again: autograder grade SUBMISSIONS --out {results} "
            + " ".join(f"--only {s}" for s in damaged)
        )
    earlier = [s for s in found if s not in current]
    if not current:
        raise AutograderError(
            f"no student of {results}/{GRADES_CSV} has a report.json there: "
            "run `autograder grade SUBMISSIONS --out RESULTS` again"
        )
    return {s: d for s, d in found.items() if s not in earlier}, earlier


def _reports(results: Path) -> tuple[dict[str, dict], list[str]]:
    """The readable report.json of each student folder, and every student folder."""
    if not results.is_dir():
        raise AutograderError(
            f"no results folder {results}: give the --out folder of `autograder grade`"
        )
    found, folders = {}, []
    for folder in sorted(results.iterdir()):
        # The folders discovery could have graded: a hidden one (.x) never is.
        if folder.is_dir() and not skipped(folder.name) and student_id(folder.name) == folder.name:
            folders.append(folder.name)
            document = read_report(folder)
            if document is not None:
                found[folder.name] = document
    if not found:
        raise AutograderError(
            f"{results} holds no graded student (no <student>/report.json): "
            "run `autograder grade SUBMISSIONS --out RESULTS` first"
        )
    one_assignment(results, found)
    return found, folders


def one_assignment(results: Path, documents: dict[str, dict]) -> None:
    """Refuse a folder mixing assignments: a score of one would be exported (or a page
    handed back) as the other's."""
    assignments = {str(d["assignment"]): s for s, d in documents.items() if "assignment" in d}
    if len(assignments) > 1:
        found = ", ".join(f"{a!r} ({s}/report.json)" for a, s in sorted(assignments.items()))
        raise AutograderError(
            f"{results} holds results of several assignments: {found}; "
            "grade each assignment into its own --out folder"
        )


def class_grades(results: Path, roster: Roster | None = None) -> ClassGrades:
    """Everyone's grade from ``results``, paired with ``roster`` (default: the saved one)."""
    documents, earlier = last_run(results)
    roster = roster if roster is not None else load_roster(results)
    first = next(iter(documents.values()))
    assignment, top = str(first.get("assignment", "")), float(first.get("max_score", 0.0))

    def grade(student: str, entry: RosterEntry | None) -> StudentGrade:
        document = documents[student]
        if document.get("grader_error"):  # the grader's fault, not a score: never uploaded
            return StudentGrade(student, entry, None, top, GRADER_ERROR)
        return StudentGrade(student, entry, float(document["score"]), top, str(document["status"]))

    if roster is None:
        grades = tuple(grade(s, None) for s in documents)
        return ClassGrades(assignment, top, grades, None, (), tuple(earlier))
    classes = match(roster, list(documents))
    by_entry = {e.student: s for s, e in classes.matched.items()}
    rostered = tuple(
        grade(by_entry[e.student], e)
        if e.student in by_entry
        else StudentGrade(e.student, e, None, top, MISSING)
        for e in roster.entries
    )
    unlisted = tuple(grade(s, None) for s in classes.unlisted)
    listed = rostered + unlisted
    return ClassGrades(assignment, top, listed, roster, classes.unlisted, tuple(earlier))
