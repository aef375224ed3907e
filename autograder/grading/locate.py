"""Where the reference is when `--assignment` is not given, and the seed a course was made with.

The search, in order: the option itself; an nbgrader course made by
``autograder export nbgrader`` (its ``grader/<assignment>/`` holds the
reference and the hidden checks), found as the submissions folder itself,
the parent of its ``submitted/``, or the current folder; then
``./solutions/<assignment>``. Never the installed package: a grade must
come from the instructor's own reference, and a refusal names every place
looked at. Among several assignments, the one the nbgrader submissions are
filed under (``submitted/<student>/<assignment>/``) is taken, else the one
whose modules (or notebook) the submissions hold, else none.
"""

from __future__ import annotations

import contextlib
import re
import zipfile
from pathlib import Path, PurePosixPath

from autograder.core.errors import AutograderError
from autograder.grading.assignment import PUBLIC_CHECKS, load_assignment

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


def handed_in_files(submissions: Path, limit: int = 2000) -> set[str]:
    """Names of the files in the submissions (folders and zips), to tell assignments apart."""
    names: set[str] = set()
    for count, path in enumerate(submissions.rglob("*")):
        if count >= limit:
            break
        if path.suffix.lower() == ".zip" and path.is_file() and not path.is_symlink():
            with contextlib.suppress(OSError, zipfile.BadZipFile):
                with zipfile.ZipFile(path) as bundle:
                    names.update(PurePosixPath(n).name for n in bundle.namelist()[:limit])
        else:
            names.add(path.name)
    return names


def matches(assignment: Path, files: set[str]) -> bool:
    """Whether the submissions hold this assignment's modules or its notebook."""
    try:
        modules = load_assignment(assignment, with_hidden=False).modules
    except AutograderError:  # a folder that is no assignment matches nothing
        return False
    return any(f"{m}.py" in files for m in modules) or f"{assignment.name}.ipynb" in files


def pick(found: list[Path], submissions: Path, where: str) -> Path | None:
    """The one assignment the submissions belong to: by nbgrader's folders, else by the
    files handed in (layers.py and xor.py are backprop's, neuron.py the neuron's)."""
    if len(found) <= 1:
        return found[0] if found else None
    named = [p for p in found if p.name in submitted_names(submissions)]
    if len(named) == 1:
        return named[0]
    files = handed_in_files(submissions) if submissions.is_dir() else set()
    handed_in = [p for p in found if matches(p, files)]
    if len(handed_in) == 1:
        return handed_in[0]
    names = ", ".join(f"{where}/{p.name}" for p in found)
    raise AutograderError(
        f"several assignments ({names}) and the submissions do not say which: "
        "name it with --assignment"
    )


def shown(path: Path, cwd: Path) -> str:
    """``path`` as a user reads it: ``./solutions`` under the current folder, else absolute."""
    try:
        return f"./{path.relative_to(cwd)}" if path != cwd else "."
    except ValueError:
        return str(path)


def find_assignment(given: Path | None, submissions: Path, cwd: Path | None = None) -> Path:
    """The reference folder to grade with; see the module docstring for the order."""
    if given is not None:
        return given
    cwd = cwd or Path.cwd()
    looked = []
    for course in course_folders(submissions, cwd):
        looked.append(f"{shown(course / GRADER, cwd)}/<assignment>/")
        chosen = pick(assignment_folders(course / GRADER), submissions, shown(course / GRADER, cwd))
        if chosen is not None:
            return chosen
    if not any(place.startswith(shown(cwd / GRADER, cwd)) for place in looked):
        looked.append(f"{shown(cwd / GRADER, cwd)}/<assignment>/ (no nbgrader course here)")
    looked.append(f"{shown(cwd / SOLUTIONS, cwd)}/<assignment>/")
    chosen = pick(assignment_folders(cwd / SOLUTIONS), submissions, shown(cwd / SOLUTIONS, cwd))
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
