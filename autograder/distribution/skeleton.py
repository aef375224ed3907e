"""The student folder from the reference: files with stubs, and the student notebook.

See ``regions`` for the markers and the stub each solution region becomes.
"""

from __future__ import annotations

from pathlib import Path

from autograder.core.errors import AutograderError
from autograder.distribution.public_stamp import stamped
from autograder.distribution.regions import is_private, strip_solutions
from autograder.grading.assignment import PUBLIC_CHECKS


def release_files(solution: Path) -> list[Path]:
    """The reference folder's files that go to students, relative paths."""
    files = []
    for path in sorted(solution.rglob("*")):
        relative = path.relative_to(solution)
        if path.is_file() and not any(is_private(Path(part)) for part in relative.parts):
            files.append(relative)
    return files


def render_skeleton(solution: Path) -> dict[Path, bytes]:
    """What the student folder must contain: relative path -> bytes."""
    rendered: dict[Path, bytes] = {}
    for relative in release_files(solution):
        data = (solution / relative).read_bytes()
        if relative.suffix == ".py":
            data = strip_solutions(data.decode(), str(relative)).encode()
            if relative == Path(PUBLIC_CHECKS):
                data = stamped(data.decode(), solution).encode()
        elif relative.suffix == ".ipynb":
            from autograder.distribution.notebook_build import (
                student_notebook,  # it imports this module
            )

            data = student_notebook(data.decode()).encode()
        rendered[relative] = data
    return rendered


def write_skeleton(solution: Path, out: Path) -> list[Path]:
    """Regenerate ``out`` from ``solution``; return the files written."""
    if not solution.is_dir():
        raise AutograderError(f"no reference folder at {solution}")
    rendered = render_skeleton(solution)
    for relative, data in rendered.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return sorted(rendered)
