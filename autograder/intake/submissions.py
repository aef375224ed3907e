"""Finding students' submissions and laying each one out as a module folder.

A submissions folder holds one entry per student, named by the student id:
a folder (with layers.py and xor.py, possibly one level down), a ``.zip`` of
those, or nbgrader's ``submitted/<student>/<assignment>/`` layout. Every
submission is copied (or safely unzipped) into a fresh folder before grading,
so the student's process never sees the original files or anyone else's.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from autograder.core.errors import AutograderError

MAX_UNZIPPED_BYTES = 50 << 20
MAX_FILES = 200
SAFE_ID = re.compile(r"[^A-Za-z0-9._@+-]")
IGNORED = (".", "__")


@dataclass(frozen=True)
class Submission:
    """One student's work: ``path`` is a folder or a .zip file."""

    student: str
    path: Path

    @property
    def is_zip(self) -> bool:
        return self.path.suffix.lower() == ".zip"


class BadSubmission(Exception):
    """The submission cannot be read (a broken zip, no files at all)."""


def student_id(name: str) -> str:
    """A file-system-safe id (the entry's name, unsafe characters replaced)."""
    cleaned = SAFE_ID.sub("_", name).strip(".")
    return cleaned or "_"


def _entries(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if not p.name.startswith(IGNORED))


def discover(root: Path) -> list[Submission]:
    """All submissions under ``root``, sorted by student id."""
    if not root.is_dir():
        raise AutograderError(
            f"no submissions folder at {root}: give the folder that holds one entry per student"
        )
    if (root / "submitted").is_dir() and not any(root.glob("*.py")):
        root = root / "submitted"  # an nbgrader course folder
    submissions: dict[str, Submission] = {}
    for entry in _entries(root):
        if entry.is_dir() or entry.suffix.lower() == ".zip":
            name = entry.stem if entry.is_file() else entry.name
            sid = student_id(name)
            if sid in submissions:
                raise AutograderError(f"two submissions for student {sid!r} in {root}; keep one")
            submissions[sid] = Submission(sid, entry)
    if not submissions:
        raise AutograderError(
            f"{root} holds no submissions (folders or .zip files, one per student)"
        )
    return list(submissions.values())


def fingerprint(submission: Submission) -> str:
    """A hash of the submission's bytes and file names (unchanged => same hash)."""
    digest = hashlib.sha256()
    paths = [submission.path] if submission.path.is_file() else sorted(submission.path.rglob("*"))
    for path in paths:
        if path.is_file() and not path.is_symlink():
            digest.update(str(path.relative_to(submission.path.parent)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _unzip(archive: Path, into: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = [m for m in bundle.infolist() if not m.is_dir()]
            if len(members) > MAX_FILES or sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
                raise BadSubmission(f"{archive.name} is too large to be a submission")
            for member in members:
                parts = Path(member.filename).parts
                is_link = (member.external_attr >> 28) == 0xA
                if member.filename.startswith("/") or ".." in parts or is_link:
                    raise BadSubmission(f"{archive.name} has an unsafe entry {member.filename!r}")
                target = into.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(bundle.read(member))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BadSubmission(f"{archive.name} is not a readable zip file ({exc})") from None


def _copy_files(source: Path, into: Path) -> None:
    files = [p for p in source.rglob("*") if p.is_file() and not p.is_symlink()]
    if len(files) > MAX_FILES or sum(p.stat().st_size for p in files) > MAX_UNZIPPED_BYTES:
        raise BadSubmission(f"{source.name} is too large to be a submission")
    for path in files:
        target = into / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def module_folder(top: Path, modules: tuple[str, ...], assignment: str = "") -> Path:
    """The folder holding the student's modules: ``top`` or the one below it.

    Below ``top``, a folder named after the assignment comes first: nbgrader
    keeps every assignment of a student side by side (``<student>/<assignment>/``).
    """
    below = sorted(
        (p for p in top.rglob("*") if p.is_dir() and "__MACOSX" not in p.parts),
        key=lambda p: (p.name != assignment, p),
    )
    candidates = [top, *below]
    for folder in candidates:
        if any((folder / f"{m}.py").is_file() for m in modules):
            return folder
    for folder in candidates:
        notebooks = sorted(folder.glob("*.ipynb"))
        if notebooks:
            return _from_notebook(notebooks[0], folder)
    return top


def _from_notebook(notebook: Path, folder: Path) -> Path:
    from autograder.intake.notebooks import NotebookError, extract_modules

    try:
        extract_modules(notebook, folder)
    except NotebookError as error:
        raise BadSubmission(str(error)) from None
    return folder


def materialize(
    submission: Submission, into: Path, modules: tuple[str, ...], assignment: str = ""
) -> Path:
    """Copy or unzip the submission into ``into``; return its module folder."""
    into.mkdir(parents=True, exist_ok=True)
    if submission.is_zip:
        _unzip(submission.path, into)
    else:
        _copy_files(submission.path, into)
    return module_folder(into, modules, assignment)
