"""Results on disk: files written atomically, and a student's finished report.

A student's ``report.json`` is written last of their files, so its presence
marks a finished student (see ``grading.batch``); readers here accept only a
complete one.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

REPORT_FILE = "report.json"


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` so that readers see the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)


def read_report(student_dir: Path) -> dict[str, Any] | None:
    try:
        document = json.loads((student_dir / REPORT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) and "fingerprint" in document else None
