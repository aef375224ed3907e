"""Results on disk: files written atomically, and a student's finished report.

A student's ``report.json`` is written last of their files, so its presence
marks a finished student (see ``grading.batch``); readers here accept only a
complete one.

Modes: what holds hidden details or other students' grades (report.json,
summary.json, grades.csv, the class pages) is written ``PRIVATE`` (0600, the
default: secure unless said otherwise); what is handed to a student (their
feedback pages, results.json) is ``PUBLIC`` (0644), so a web server or a
teaching assistant's account can serve it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from autograder.core.errors import AutograderError

REPORT_FILE = "report.json"
PRIVATE, PUBLIC = 0o600, 0o644
# The class's own files at the top of a results folder, beside one folder per
# student: a student id never takes one of these names (``intake.names``), or a
# submission named ``summary.json`` would stop the batch from writing its summary.
# `autograder grades` writes its LMS file beside them by default: a student named
# canvas-import.csv made that command refuse to write (the name was a folder).
LMS_FILES = {"canvas": "canvas-import.csv", "moodle": "moodle-import.csv", "csv": "grades-list.csv"}
CLASS_FILES = frozenset(
    {"grades.csv", "summary.json", "summary.html", "timings.json", "roster.json"}
    | set(LMS_FILES.values())
)


def write_atomically(path: Path, text: str | bytes, mode: int = PRIVATE) -> None:
    """Write ``text`` so that readers see the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    data = text.encode("utf-8") if isinstance(text, str) else text
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    os.chmod(temporary, mode)
    os.replace(temporary, path)


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def writable_folder(folder: Path, what: str = "--out") -> Path:
    """Create ``folder`` if needed and prove it writable (a probe file), before any work.

    ``os.access`` says yes to root for read-only mounts and /proc; only a
    real write tells.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=folder, prefix=".autograder-probe-")
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise AutograderError(
            f"cannot write to {what} {folder}: {_reason(error)}; choose a folder you can write to"
        ) from None
    return folder


def writable_file(path: Path, what: str = "file", replaces: tuple[str, ...] = ()) -> Path:
    """Check, before any work, that ``path`` can be written: its folder exists and takes files.

    ``replaces``: the suffixes of the files it may replace (a page, a CSV the
    command wrote before). Any other existing file may be a source (a student's
    layers.py or notebook, a submission's zip): it is never overwritten.
    """
    folder = path.parent
    if not folder.is_dir():
        raise AutograderError(
            f"cannot write {what} {path}: there is no folder {folder}; create it first "
            "or choose another path"
        )
    if path.is_dir():
        raise AutograderError(f"cannot write {what} {path}: it is a folder; give a file name")
    if replaces and path.exists() and path.suffix.lower() not in replaces:
        raise AutograderError(
            f"cannot write {what} {path}: that file exists and is not a {' or '.join(replaces)} "
            "file this command writes (a source?); it is left as it is: choose another path"
        )
    writable_folder(folder, f"{what}'s folder")
    return path


def read_report(student_dir: Path) -> dict[str, Any] | None:
    try:
        document = json.loads((student_dir / REPORT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) and "fingerprint" in document else None
