"""The class around the submissions: the roster, `--only`, and where results may go.

The batch grades submissions; a course also has students who handed nothing
in (``missing``: on the roster, no submission), submissions of students the
roster does not know (graded, and listed as such), and reruns that regrade a
few students only. The roster given to ``grade --roster`` is kept in
RESULTS/roster.json (0600: it names the class), so a rerun, ``grades`` and
the summary page know the class without being told again.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograder.core.errors import AutograderError, some
from autograder.core.files import read_report, write_atomically
from autograder.core.results import Outcome, StudentRow
from autograder.core.roster import MISSING, ROSTER_FILE, ClassList, Roster
from autograder.intake.roster import match
from autograder.intake.submissions import Submission, student_id

RESULTS_MARKERS = ("summary.json", "grades.csv")


def class_roster(given: Roster | None, out: Path) -> Roster | None:
    """The roster of this run: the one given (saved for the next runs), else the saved one."""
    path = out / ROSTER_FILE
    if given is not None:
        write_atomically(path, json.dumps(given.to_dict(), indent=1))
        return given
    return load_roster(out)


def load_roster(out: Path) -> Roster | None:
    path = out / ROSTER_FILE
    if not path.is_file():
        return None
    try:
        return Roster.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        raise AutograderError(
            f"{path} is damaged; delete it and give the roster again with --roster"
        ) from None


def class_list(roster: Roster | None, submissions: list[Submission]) -> ClassList:
    if roster is None:
        return ClassList()
    return match(roster, [s.student for s in submissions])


def missing_outcomes(classes: ClassList, max_total: float) -> list[Outcome]:
    """A row per rostered student without a submission: status missing, 0 points."""
    return [
        Outcome(e.student, StudentRow(e.student, 0.0, max_total, MISSING, {}))
        for e in classes.missing
    ]


def only_students(only: tuple[str, ...], submissions: list[Submission]) -> set[str]:
    """The ids `--only` names, each the id of a submission (case aside; else a clear error)."""
    known = {s.student for s in submissions}
    folded: dict[str, list[str]] = {}
    for student in known:
        folded.setdefault(student.casefold(), []).append(student)
    wanted, unknown = set(), []
    for name in only:
        exact = student_id(name)
        same = folded.get(exact.casefold(), [])
        if exact in known or len(same) == 1:
            wanted.add(exact if exact in known else same[0])
        else:
            unknown.append(name)
    if unknown:
        sample = ", ".join(sorted(known)[:8]) + (", ..." if len(known) > 8 else "")
        raise AutograderError(
            f"--only {', '.join(unknown)}: no submission by that id (the ids are the "
            f"submissions' names: {sample})"
        )
    return wanted


def check_results_folder(root: Path, out: Path, submissions: list[Submission]) -> None:
    """Results never go where the next run would take them for a student's submission.

    The folders discovery took submissions from are those to keep clear (in an
    nbgrader course, submitted/; results beside it in the course are fine).
    """
    results = out.resolve()
    scanned = {s.path.resolve().parent for s in submissions}  # where discovery looked
    if any(results.is_relative_to(folder) for folder in scanned):
        raise AutograderError(
            f"--out {out} is inside the submissions folder {root}: the next run would grade "
            "the results as a student's submission; choose a folder outside it"
        )
    for submission in submissions:
        folder = submission.path
        if folder.is_dir() and all(readable_file(folder / name) for name in RESULTS_MARKERS):
            raise AutograderError(
                f"{folder} holds {' and '.join(RESULTS_MARKERS)}: it is a results folder, not "
                "a student's submission; move it out of the submissions folder"
            )
    check_student_folders(out, submissions)


def check_student_folders(out: Path, submissions: list[Submission]) -> None:
    """Refuse, before any grading, an ``out`` where a student's results folder cannot be:
    a file (or link) of the instructor's named after the student. Found only after the
    student was graded, it stopped the batch there (and the rest went ungraded)."""
    taken = [out / s.student for s in submissions if not_a_folder(out / s.student)]
    if taken:
        raise AutograderError(
            f"--out {out} holds {some(taken)}, where a student's results folder goes (the student "
            "of that name has a submission); move it away, or choose another --out"
        )


def not_a_folder(path: Path) -> bool:
    """Something is at ``path``, and it is not a real folder (a file, or any link)."""
    return path.is_symlink() or (path.exists() and not path.is_dir())


def readable_file(path: Path) -> bool:
    """``path.is_file()``, False when it cannot be looked at: a student's folder the
    grader may not read is that student's failure (reading it says so), not the batch's."""
    try:
        return path.is_file()
    except OSError:
        return False


def check_same_assignment(out: Path, assignment: str) -> None:
    """Results of one assignment only: a student graded into ``out`` for another
    assignment and absent from this run kept their report.json, and `grades` then
    exported that score (47 of backprop's 47) as this assignment's grade."""
    if not out.is_dir():
        return
    for folder in sorted(out.iterdir()):
        document = read_report(folder) if folder.is_dir() else None
        other = document.get("assignment") if document is not None else None
        if other is not None and other != assignment:
            raise AutograderError(
                f"--out {out} holds results of the assignment {str(other)!r} "
                f"({folder.name}/report.json), not {assignment!r}: grading {assignment!r} "
                "there would mix the two classes' grades; choose another --out folder"
            )


def has_report(out: Path, student: str) -> bool:
    return read_report(out / student) is not None
