"""Submissions and assignments as bytes, for graders on other machines.

A Dask worker shares no file system with the instructor's machine, so each
task carries its submission's bytes and the worker lays them out again under
the entry's own name. The worker then grades that copy with exactly the code
the local pool uses (``submissions.materialize`` and ``runner.grade_folder``),
so the same submission earns the same verdict, word for word, wherever it is
graded: a .zip travels as the file itself (a broken zip is reported by the
same code), a folder as an in-memory zip of the files ``materialize`` would
copy.

A folder bigger than ``materialize`` accepts is shipped only up to one file
and one byte past its limits: the worker's copy is still too large, so it is
refused with the same message, and no one ships gigabytes to be refused.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from autograder.intake.submissions import MAX_FILES, MAX_UNZIPPED_BYTES, Submission

SKIPPED_NAMES = ("__pycache__",)


@dataclass(frozen=True)
class Parcel:
    """One submission in transit: ``name`` is its entry's name (folder or .zip)."""

    student: str
    name: str
    is_zip: bool
    data: bytes


def _zip_files(top: Path, files: list[Path], byte_budget: int | None = None) -> bytes:
    """An in-memory zip of ``files`` (paths under ``top``), cut at ``byte_budget``."""
    buffer = io.BytesIO()
    left = byte_budget
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in files:
            data = path.read_bytes()
            if left is not None:
                data, left = data[: max(left, 0)], left - len(data)
            bundle.writestr(path.relative_to(top).as_posix(), data)
    return buffer.getvalue()


def pack_submission(submission: Submission) -> Parcel:
    """The submission's bytes, ready to travel with its task."""
    path = submission.path
    if submission.is_zip:
        return Parcel(submission.student, path.name, True, path.read_bytes())
    # The very files submissions._copy_files would copy, capped just past its limits.
    files = [p for p in path.rglob("*") if p.is_file() and not p.is_symlink()]
    data = _zip_files(path, files[: MAX_FILES + 1], MAX_UNZIPPED_BYTES + 1)
    return Parcel(submission.student, path.name, False, data)


def _extract(data: bytes, into: Path) -> None:
    """Unpack an archive made by ``_zip_files`` (the grader's own, not a student's)."""
    into.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        for member in bundle.infolist():
            parts = Path(member.filename).parts
            if member.filename.startswith("/") or ".." in parts:
                raise ValueError(f"unexpected entry {member.filename!r} in a parcel")
            target = into.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(bundle.read(member))


def unpack_submission(parcel: Parcel, into: Path) -> Submission:
    """Lay the parcel out under ``into``: the submission as it was on the client."""
    target = into / parcel.name
    if parcel.is_zip:
        into.mkdir(parents=True, exist_ok=True)
        target.write_bytes(parcel.data)
    else:
        _extract(parcel.data, target)
    return Submission(parcel.student, target)


def pack_folder(folder: Path) -> bytes:
    """An assignment folder (checks, reference, data files) as one archive."""
    files = [
        p
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(part in SKIPPED_NAMES for part in p.relative_to(folder).parts)
    ]
    return _zip_files(folder, files)


def unpack_folder(data: bytes, into: Path) -> Path:
    """The inverse of ``pack_folder``; returns ``into``."""
    _extract(data, into)
    return into
