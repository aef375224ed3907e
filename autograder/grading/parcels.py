"""Submissions and assignments as bytes, for graders on other machines.

A Dask worker shares no file system with the instructor's machine, so each
task carries its submission. The client reads the submission with the very
reader the local pool uses (``submissions.read_submission``: links refused,
limits checked, only the gradable files kept, a .zip read without ever
being extracted), and the worker lays that ``Tree`` out with the very code
the local pool uses (``one.grade_one``). Nothing a student handed in is
unpacked on a worker by any other path, so the same submission earns the
same verdict, word for word, wherever it is graded; a submission the reader
refuses travels as its refusal.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from autograder.intake.submissions import BadSubmission, Submission, read_submission
from autograder.intake.tree import Tree

SKIPPED_NAMES = ("__pycache__",)


@dataclass(frozen=True)
class Parcel:
    """One submission in transit: its files as read on the client, or why not."""

    student: str
    name: str
    tree: Tree | None
    refused: str = ""


def pack_submission(submission: Submission) -> Parcel:
    """The submission's gradable files, ready to travel with its task."""
    try:
        tree: Tree | None = read_submission(submission)
    except BadSubmission as bad:
        return Parcel(submission.student, submission.path.name, None, str(bad))
    return Parcel(submission.student, submission.path.name, tree)


def unpack_submission(parcel: Parcel) -> tuple[Submission, Tree | None]:
    """The submission as the worker grades it: (its record, its files or None if refused)."""
    refused = parcel.refused if parcel.tree is None else ""
    return Submission(parcel.student, Path(parcel.name), refused), parcel.tree


def _zip_files(top: Path, files: list[Path]) -> bytes:
    """An in-memory zip of ``files`` (paths under ``top``): the grader's own folders."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in files:
            bundle.writestr(path.relative_to(top).as_posix(), path.read_bytes())
    return buffer.getvalue()


def pack_folder(folder: Path) -> bytes:
    """An assignment folder (checks, reference, data files) as one archive."""
    files = [
        p
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(part in SKIPPED_NAMES for part in p.relative_to(folder).parts)
    ]
    return _zip_files(folder, files)


def unpack_folder(data: bytes, into: Path) -> Path:
    """The inverse of ``pack_folder`` (the instructor's own archive); returns ``into``."""
    into.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        for member in bundle.infolist():
            parts = Path(member.filename).parts
            if member.filename.startswith("/") or ".." in parts:
                raise ValueError(f"unexpected entry {member.filename!r} in an assignment bundle")
            target = into.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(bundle.read(member))
    return into
