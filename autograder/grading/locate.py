"""Where the reference is when `--assignment` is not given, and the seed a course was made with.

The search, in order: the option itself; an nbgrader course made by
``autograder export nbgrader`` (its ``grader/<assignment>/`` holds the
reference and the hidden checks), found as the submissions folder itself,
the parent of its ``submitted/``, or the current folder; then
``./solutions/<assignment>``. Never the installed package: a grade must
come from the instructor's own reference, and a refusal names every place
looked at. Among several assignments, the one the nbgrader submissions are
filed under (``submitted/<student>/<assignment>/``) is taken, else none.
"""

from __future__ import annotations

import re
from pathlib import Path

from autograder.core.errors import AutograderError
from autograder.grading.assignment import PUBLIC_CHECKS

COURSE_CONFIG = "nbgrader_config.py"
GRADER, SOLUTIONS, SUBMITTED = "grader", "solutions", "submitted"
SEED_LINE = re.compile(r"""setdefault\(\s*["']AUTOGRADER_SEED["']\s*,\s*["'](\d+)["']\s*\)""")


def course_folders(submissions: Path, cwd: Path) -> list[Path]:
    """nbgrader course folders the run may belong to (those with a grader/ folder)."""
    candidates = [submissions, cwd]
    if submissions.name == SUBMITTED:
        candidates.insert(1, submissions.parent)
    found: list[Path] = []
    for folder in candidates:
        if (folder / GRADER).is_dir() and folder.resolve() not in [f.resolve() for f in found]:
            found.append(folder)
    return found


def assignment_folders(parent: Path) -> list[Path]:
    if not parent.is_dir():
        return []
    return sorted(p for p in parent.iterdir() if (p / PUBLIC_CHECKS).is_file())


def submitted_names(submissions: Path) -> set[str]:
    """Assignment names the nbgrader layout files submissions under."""
    root = submissions / SUBMITTED if (submissions / SUBMITTED).is_dir() else submissions
    if not root.is_dir():
        return set()
    return {p.name for student in root.iterdir() if student.is_dir() for p in student.iterdir()}


def pick(found: list[Path], submissions: Path) -> Path | None:
    if len(found) <= 1:
        return found[0] if found else None
    named = [p for p in found if p.name in submitted_names(submissions)]
    if len(named) == 1:
        return named[0]
    names = ", ".join(str(p) for p in found)
    raise AutograderError(f"several assignments: {names}; say which with --assignment")


def find_assignment(given: Path | None, submissions: Path, cwd: Path | None = None) -> Path:
    """The reference folder to grade with; see the module docstring for the order."""
    if given is not None:
        return given
    cwd = cwd or Path.cwd()
    looked = []
    for course in course_folders(submissions, cwd):
        looked.append(f"{course / GRADER}/<assignment>/")
        chosen = pick(assignment_folders(course / GRADER), submissions)
        if chosen is not None:
            return chosen
    if not any(place.startswith(str(cwd / GRADER)) for place in looked):
        looked.append(f"{cwd / GRADER}/<assignment>/ (no nbgrader course here)")
    looked.append(f"{cwd / SOLUTIONS}/<assignment>/")
    chosen = pick(assignment_folders(cwd / SOLUTIONS), submissions)
    if chosen is not None:
        return chosen
    raise AutograderError(
        "no assignment to grade with: looked in " + "; ".join(looked) + ". Give --assignment "
        f"FOLDER: the reference folder holding {PUBLIC_CHECKS} and hidden_checks.py "
        "(e.g. solutions/backprop, or grader/backprop in an nbgrader course)"
    )


def course_seed(assignment: Path, submissions: Path, cwd: Path | None = None) -> int | None:
    """The seed recorded in the nbgrader course this run grades, if it is one."""
    folders = course_folders(submissions, cwd or Path.cwd())
    if assignment.resolve().parent.name == GRADER:
        folders.insert(0, assignment.resolve().parent.parent)
    for course in folders:
        config = course / COURSE_CONFIG
        try:
            found = SEED_LINE.search(config.read_text(encoding="utf-8"))
        except OSError:
            continue
        if found:
            return int(found.group(1))
    return None
