"""Grading classes with the real ``autograder grade`` command, and reading the results.

Shared by the adversarial, batch and submissions tests and by
benchmarks/batch_throughput.py. Every run is a subprocess of the real CLI
(``python -m autograder grade ...``) with its own TMPDIR, so whatever a
hostile submission leaves in "temporary" folders stays inside the test's
tmp_path, where the test can look for it.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "backprop"
ADVERSARIAL = REPO / "tests" / "fixtures" / "adversarial"
VARIANTS = REPO / "tests" / "fixtures" / "variants"
MARKER = "@MARKER@"


def new_marker() -> str:
    """A string unique to one test run (argv of spawned processes, file names)."""
    return f"autograder-adversarial-{uuid.uuid4().hex[:12]}"


def copy_submission(source: Path, target: Path, marker: str = "") -> Path:
    """``source``'s .py files into ``target``, with ``@MARKER@`` replaced."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.py")):
        (target / path.name).write_text(path.read_text().replace(MARKER, marker))
    return target


def build_class(folder: Path, students: dict[str, Path], marker: str = "") -> Path:
    """A submissions folder: one subfolder per student, copied from ``students``."""
    for student, source in students.items():
        copy_submission(source, folder / student, marker)
    return folder


def grade_command(submissions: Path, out: Path, *options: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "autograder",
        "grade",
        str(submissions),
        "--out",
        str(out),
        "--assignment",
        str(SOLUTION),
        # Limits are CPU time, which a loaded machine hardly stretches: honest
        # calls take a few milliseconds of it; an endless loop ends at 1 s.
        "--timeout-floor",
        "1",
        *options,
    ]


def grade_env(scratch: Path) -> dict[str, str]:
    """The environment of a run: TMPDIR inside the test's own folder."""
    scratch.mkdir(parents=True, exist_ok=True)
    return {**os.environ, "TMPDIR": str(scratch)}


def run_grade(
    submissions: Path, out: Path, *options: str, scratch: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``autograder grade``; its working folder is the submissions' parent."""
    scratch = scratch or submissions.parent / "tmp"
    return subprocess.run(
        grade_command(submissions, out, *options),
        cwd=submissions.parent,
        env=grade_env(scratch),
        capture_output=True,
        text=True,
        timeout=600,
    )


def read_reports(out: Path) -> dict[str, dict[str, Any]]:
    """Every student's report.json under ``out``, by student id."""
    return {
        path.parent.name: json.loads(path.read_text()) for path in sorted(out.glob("*/report.json"))
    }


def check_points(report: dict[str, Any]) -> dict[str, float]:
    return {check["name"]: check["points"] for check in report["checks"]}


def failed_messages(report: dict[str, Any]) -> list[str]:
    return [c["message"] for c in report["checks"] if c["status"] != "passed"]


def tree_digest(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file below ``folder``."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def processes_with(marker: str) -> list[str]:
    """Command lines of live processes whose argv or environment mentions ``marker``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        try:
            environment = Path(f"/proc/{entry}/environ").read_bytes()
        except OSError:  # another user's (a grader not root, a student's own uid)
            environment = b""
        if state != "Z" and marker.encode() in b"\0".join(argv) + environment:
            found.append(" ".join(a.decode(errors="replace") for a in argv))
    return found
