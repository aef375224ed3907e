"""A submission's gradable files, read from a folder or a zip into memory, never followed.

Both readers give the same ``Tree``: the ``.py`` and ``.ipynb`` files of the
submission, by relative POSIX path, with their bytes. Nothing here writes a
file: the paths of a tree are data (grouped into folders, shown in messages),
and ``layout`` writes only names of the grammar in ``names``.

What is refused (``BadSubmission``, the one error a reader raises, whatever
the bytes): symbolic links at any depth (a link to the reference would
otherwise be graded), zip entries with absolute or ``..`` paths, files
that are not regular files, and submissions past the limits below, checked
before anything is decompressed or read whole. Hidden entries (``.git``,
``.ipynb_checkpoints``) and ``__MACOSX``/``__pycache__`` are not read at all.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograder.intake.names import shown

GRADABLE_SUFFIXES = (".py", ".ipynb")
SKIPPED = ("__MACOSX", "__pycache__")
MAX_ENTRIES = 10_000  # walked (folders) or listed (zips): a repository clone fits
MAX_DEPTH = 16
MAX_FILES = 200  # gradable files kept
MAX_UNZIPPED_BYTES = 50 << 20  # their bytes in all
MAX_ARCHIVE_BYTES = 50 << 20  # a .zip file itself
CENTRAL_ENTRY = b"PK\x01\x02"  # the signature of each entry of a zip's directory


class BadSubmission(Exception):
    """The submission cannot be read (a broken zip, a link, too large, ...)."""


@dataclass(frozen=True)
class Tree:
    """Gradable files of a submission: relative POSIX path -> bytes."""

    name: str  # the entry's name, for messages
    files: dict[str, bytes] = field(default_factory=dict)


def skipped(part: str) -> bool:
    return part.startswith(".") or part in SKIPPED


def gradable(name: str) -> bool:
    return name.endswith(GRADABLE_SUFFIXES)


class _Budget:
    """Counts entries, kept files and bytes against the limits."""

    def __init__(self, name: str) -> None:
        self.name, self.entries, self.bytes = name, 0, 0
        self.files: dict[str, bytes] = {}

    def too_large(self) -> BadSubmission:
        return BadSubmission(f"{shown(self.name)} is too large to be a submission")

    def count_entry(self) -> None:
        self.entries += 1
        if self.entries > MAX_ENTRIES:
            raise self.too_large()

    def reserve(self, size: int) -> None:
        """Room for one more file of ``size`` bytes (before reading it)."""
        if len(self.files) + 1 > MAX_FILES or self.bytes + size > MAX_UNZIPPED_BYTES:
            raise self.too_large()
        self.bytes += size

    def keep(self, path: str, data: bytes) -> None:
        if path in self.files:
            raise BadSubmission(f"{shown(self.name)} holds two entries named {shown(path)}")
        self.files[path] = data


# -- folders ---------------------------------------------------------------------------
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def read_folder(folder: Path) -> Tree:
    """The gradable files below ``folder``, opened relative to their parent, no link followed."""
    budget = _Budget(folder.name)
    try:
        fd = os.open(folder, DIR_FLAGS)
    except OSError as error:
        raise BadSubmission(f"{shown(folder.name)} cannot be read ({_why(error)})") from None
    try:
        _walk(fd, (), budget)
    except OSError as error:
        raise BadSubmission(f"{shown(folder.name)} cannot be read ({_why(error)})") from None
    finally:
        os.close(fd)
    return Tree(folder.name, budget.files)


def _why(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _walk(fd: int, parts: tuple[str, ...], budget: _Budget) -> None:
    if len(parts) > MAX_DEPTH:
        raise BadSubmission(f"{shown(budget.name)} nests folders too deeply")
    with os.scandir(fd) as entries:
        listed = sorted(entries, key=lambda e: e.name)
    for entry in listed:
        if skipped(entry.name):
            continue
        budget.count_entry()
        path = "/".join((*parts, entry.name))
        if entry.is_symlink():
            raise BadSubmission(
                f"{shown(path)} in {shown(budget.name)} is a symbolic link; hand in the files "
                "themselves, not links to them"
            )
        if entry.is_dir(follow_symlinks=False):
            child = os.open(entry.name, DIR_FLAGS, dir_fd=fd)
            try:
                _walk(child, (*parts, entry.name), budget)
            finally:
                os.close(child)
        elif gradable(entry.name):
            budget.keep(path, _read_file(fd, entry.name, path, budget))


def _read_file(dir_fd: int, name: str, path: str, budget: _Budget) -> bytes:
    fd = os.open(name, FILE_FLAGS, dir_fd=dir_fd)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise BadSubmission(f"{shown(path)} in {shown(budget.name)} is not a regular file")
        budget.reserve(info.st_size)
        data = _read_at_most(fd, info.st_size)
    finally:
        os.close(fd)
    return data


def _read_at_most(fd: int, size: int) -> bytes:
    """The file's bytes, never more than ``size`` (it may grow while being read)."""
    chunks, left = [], size
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_bounded(path: Path, limit: int) -> bytes:
    """A regular file's bytes, refused past ``limit`` (a .zip, a notebook)."""
    try:
        fd = os.open(path, FILE_FLAGS)
    except OSError as error:
        raise BadSubmission(f"{shown(path.name)} cannot be read ({_why(error)})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise BadSubmission(f"{shown(path.name)} is not a regular file")
        if info.st_size > limit:
            raise BadSubmission(f"{shown(path.name)} is too large to be a submission")
        return _read_at_most(fd, info.st_size)
    finally:
        os.close(fd)


# -- zips ------------------------------------------------------------------------------
def read_zip(data: bytes, name: str) -> Tree:
    """The gradable files of a zip archive held in memory."""
    if len(data) > MAX_ARCHIVE_BYTES:
        raise BadSubmission(f"{shown(name)} is too large to be a submission")
    if data.count(CENTRAL_ENTRY) > MAX_ENTRIES:  # before zipfile lists them all in memory
        raise BadSubmission(f"{shown(name)} is too large to be a submission")
    budget = _Budget(name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as bundle:
            for member, path in _members(bundle, budget):
                budget.reserve(member.file_size)
                with bundle.open(member) as stream:
                    content = stream.read(member.file_size + 1)
                if len(content) > member.file_size:
                    raise budget.too_large()
                budget.keep(path, content)
    except BadSubmission:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever the bytes: an unreadable zip
        raise BadSubmission(
            f"{shown(name)} is not a readable zip file ({type(exc).__name__}: {shown(str(exc))})"
        ) from None
    return Tree(name, budget.files)


def _members(bundle: zipfile.ZipFile, budget: _Budget) -> Iterator[tuple[zipfile.ZipInfo, str]]:
    """Gradable members and their checked paths; every member counted and screened."""
    members = bundle.infolist()
    if len(members) > MAX_ENTRIES:
        raise budget.too_large()
    for member in members:
        budget.count_entry()
        raw = member.filename.replace("\\", "/")
        parts = PurePosixPath(raw).parts
        is_link = stat.S_ISLNK(member.external_attr >> 16)
        if raw.startswith("/") or ".." in parts or (parts and ":" in parts[0]) or is_link:
            what = "a symbolic link" if is_link else "a path outside the archive"
            raise BadSubmission(
                f"{shown(budget.name)} has an unsafe entry {shown(member.filename)} ({what})"
            )
        if member.is_dir() or not parts or any(skipped(p) for p in parts):
            continue
        if len(parts) > MAX_DEPTH + 1:
            raise BadSubmission(f"{shown(budget.name)} nests folders too deeply")
        if gradable(parts[-1]):
            yield member, "/".join(parts)
