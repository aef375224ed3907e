"""Each student's code as text, found exactly as `grade` finds it (for the similarity report).

The same discovery (``submissions.discover``: the same ids, zips, nbgrader
layout) and the same safe copy (``materialize``: a notebook becomes its
modules) as grading, into a scratch folder; nothing is imported or run. A
student's modules are joined in the assignment's order, each under a
comment naming it, so a report can show where a match is.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.intake.submissions import BadSubmission, discover, materialize

MAX_MODULE_BYTES = 1 << 20  # a student module larger than this is not read (not a solution)


@dataclass(frozen=True)
class ClassSources:
    code: dict[str, str] = field(default_factory=dict)  # student -> their modules, joined
    unreadable: dict[str, str] = field(default_factory=dict)  # student -> why


def module_header(module: str) -> str:
    return f"# ===== {module}.py =====\n"


def joined(folder: Path, modules: tuple[str, ...]) -> str:
    parts = []
    for module in modules:
        path = folder / f"{module}.py"
        if path.is_file() and path.stat().st_size <= MAX_MODULE_BYTES:
            text = path.read_text(encoding="utf-8", errors="replace")
            parts.append(module_header(module) + text.rstrip() + "\n")
    return "\n".join(parts)


def class_sources(root: Path, modules: tuple[str, ...], assignment: str) -> ClassSources:
    """Every submission under ``root``: its code, or why it could not be read."""
    found = ClassSources()
    for submission in discover(root, modules):
        with tempfile.TemporaryDirectory(prefix="autograder-sim-") as scratch:
            try:
                folder = materialize(submission, Path(scratch), modules, assignment)
            except BadSubmission as bad:
                found.unreadable[submission.student] = str(bad)
                continue
            code = joined(folder, modules)
        if code.strip():
            found.code[submission.student] = code
        else:
            found.unreadable[submission.student] = f"no {', '.join(modules)} module"
    return found


def skeleton_code(files: dict[Path, bytes], modules: tuple[str, ...]) -> str:
    """The handed-out modules (``render_skeleton``'s output), joined like a student's."""
    parts = []
    for module in modules:
        data = files.get(Path(f"{module}.py"))
        if data is not None:
            parts.append(module_header(module) + data.decode("utf-8", "replace").rstrip() + "\n")
    return "\n".join(parts)
