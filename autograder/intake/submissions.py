"""Finding students' submissions and laying each one out as a module folder.

A submissions folder holds one entry per student, named by the student id:
a folder (with layers.py and xor.py, possibly one level down, or a
notebook), or a ``.zip`` of those. An nbgrader course is recognised from the
root the instructor names (it holds ``nbgrader_config.py`` or
``gradebook.db``): its ``submitted/`` folder holds the students. No entry's
name decides the layout: a student whose folder is named ``submitted`` is a
student like any other.

Every submission is read into memory (``tree``) and only the files that are
graded are written into a fresh folder (``layout``), so the student's process
never sees the original files or anyone else's, and nothing a submission
holds is ever followed or turned into a path. An entry that is a symbolic
link is refused (graded 0 with the reason), never followed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autograder.core.errors import AutograderError
from autograder.intake.layout import Layout, declared, lay_out
from autograder.intake.names import assign_ids, shown
from autograder.intake.names import student_id as student_id
from autograder.intake.tree import (
    MAX_ARCHIVE_BYTES,
    BadSubmission,
    Tree,
    read_bounded,
    read_folder,
    read_zip,
    skipped,
)

__all__ = ["BadSubmission", "Discovery", "Submission", "discover", "materialize", "student_id"]
NBGRADER_MARKERS = ("nbgrader_config.py", "gradebook.db")
DEFAULT_MODULES = ("layers", "xor")


@dataclass(frozen=True)
class Submission:
    """One student's work: ``path`` is a folder or a .zip file.

    ``refused`` says why the entry cannot be read at all (it is a symbolic
    link): such a submission is graded 0 with that reason, never opened.
    """

    student: str
    path: Path
    refused: str = ""

    @property
    def is_zip(self) -> bool:
        return self.path.suffix.lower() == ".zip"


@dataclass(frozen=True)
class Discovery:
    """The submissions of a folder, and what the instructor should be told."""

    root: Path
    submissions: list[Submission]
    warnings: tuple[str, ...] = ()


def students_root(root: Path) -> Path:
    """``root``, or the ``submitted`` folder of the nbgrader course ``root`` is."""
    if not any((root / marker).is_file() for marker in NBGRADER_MARKERS):
        return root
    submitted = root / "submitted"
    if not submitted.is_dir() or submitted.is_symlink():
        raise AutograderError(
            f"{root} is an nbgrader course (it holds {' or '.join(NBGRADER_MARKERS)}) without a "
            "submitted/ folder: collect the submissions first (nbgrader collect or zip_collect)"
        )
    return submitted


def _is_entry(path: Path) -> bool:
    return path.is_symlink() or path.is_dir() or path.suffix.lower() == ".zip"


def find_submissions(root: Path, modules: Sequence[str] = DEFAULT_MODULES) -> Discovery:
    """All submissions under ``root``, sorted by student id, with warnings."""
    if not root.is_dir():
        raise AutograderError(
            f"no submissions folder at {root}: give the folder that holds one entry per student"
        )
    root = students_root(root)
    _refuse_one_submission(root, modules)
    entries = sorted(p for p in root.iterdir() if not skipped(p.name) and _is_entry(p))
    ids = assign_ids(
        (p.name, p.stem if p.suffix.lower() == ".zip" and not p.is_dir() else p.name)
        for p in entries
    )
    warnings = list(ids.warnings)
    found = []
    for entry in entries:
        refused = ""
        if entry.is_symlink():
            refused = f"{shown(entry.name)} is a symbolic link; hand in the files themselves"
            warnings.append(f"the entry {shown(entry.name)} is a symbolic link: not followed")
        found.append(Submission(ids.by_entry[entry.name], entry, refused))
    if not found:
        raise AutograderError(
            f"{root} holds no submissions: it should hold one folder or .zip file per student, "
            "named by the student id (e.g. submissions/alice/layers.py or submissions/bob.zip)"
        )
    return Discovery(root, sorted(found, key=lambda s: s.student), tuple(warnings))


def _refuse_one_submission(root: Path, modules: Sequence[str]) -> None:
    """``root`` is one student's folder, not a class: say what `grade` expects."""
    own = [f"{m}.py" for m in modules if (root / f"{m}.py").is_file()]
    notebooks = [] if own else sorted(p.name for p in root.glob("*.ipynb"))
    students = [p for p in root.iterdir() if not skipped(p.name) and _is_entry(p)]
    if own or (notebooks and not students):
        held = ", ".join(own or notebooks)
        raise AutograderError(
            f"{root} holds {held} itself: it looks like one student's submission, not a class. "
            f"`autograder grade` takes the folder that holds one entry per student (e.g. its "
            f"parent, or a new folder with this one inside it); `autograder check {root}` "
            "checks this one submission"
        )


def discover(root: Path, modules: Sequence[str] = DEFAULT_MODULES) -> list[Submission]:
    """All submissions under ``root``, sorted by student id."""
    return find_submissions(root, modules).submissions


def read_submission(submission: Submission) -> Tree:
    """The submission's gradable files; BadSubmission when they cannot be read."""
    if submission.refused:
        raise BadSubmission(submission.refused)
    path = submission.path
    try:
        if submission.is_zip and not path.is_dir():
            return read_zip(read_bounded(path, MAX_ARCHIVE_BYTES), path.name)
        return read_folder(path)
    except OSError as error:  # a disk error mid-read: this submission only
        raise BadSubmission(f"{shown(path.name)} cannot be read ({error.strerror})") from None


def fingerprint(submission: Submission) -> str:
    """A hash of what is graded: the gradable files' names and bytes (same => same hash)."""
    digest = hashlib.sha256(submission.student.encode("utf-8", "surrogateescape"))
    try:
        tree = read_submission(submission)
    except BadSubmission as bad:
        digest.update(b"\0refused\0" + str(bad).encode("utf-8", "replace"))
        return digest.hexdigest()
    for path, data in sorted(tree.files.items()):
        digest.update(b"\0" + path.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def lay_out_submission(
    submission: Submission,
    into: Path,
    modules: Sequence[str],
    assignment: str = "",
    reference: Path | None = None,
    tree: Tree | None = None,
) -> Layout:
    """Read (unless ``tree`` is given) and lay out the submission in ``into``."""
    contents = tree if tree is not None else read_submission(submission)
    return lay_out(contents, into, declared(modules, assignment, reference))


def materialize(
    submission: Submission,
    into: Path,
    modules: Sequence[str],
    assignment: str = "",
    reference: Path | None = None,
) -> Path:
    """Lay the submission out in ``into``; return the folder holding its modules."""
    return lay_out_submission(submission, into, modules, assignment, reference).folder
