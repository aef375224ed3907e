"""The student folder from the reference: files with stubs, and the student notebook.

See ``regions`` for the markers and the stub each solution region becomes.
"""

from __future__ import annotations

from pathlib import Path

from autograder.core.errors import AutograderError
from autograder.distribution.public_stamp import stamped
from autograder.distribution.regions import is_private, solution_files, strip_solutions
from autograder.grading.assignment import PUBLIC_CHECKS


def release_files(solution: Path) -> list[Path]:
    """The reference folder's files that go to students, relative paths."""
    files = []
    for path in sorted(solution.rglob("*")):
        relative = path.relative_to(solution)
        if path.is_file() and not any(is_private(Path(part)) for part in relative.parts):
            files.append(relative)
    return files


def render_skeleton(solution: Path, lang: str = "") -> dict[Path, bytes]:
    """What the student folder must contain: relative path -> bytes (``lang``: the
    language of the notebook's test cells, unset by default)."""
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

            data = student_notebook(data.decode(), lang).encode()
        rendered[relative] = data
    return rendered


def write_skeleton(solution: Path, out: Path, force: bool = False) -> list[Path]:
    """Regenerate ``out`` from ``solution``; return the files written.

    ``out`` holding a solution region is a reference folder (most likely
    ``solution`` itself): it is never overwritten with stubs unless ``force``.
    """
    if not solution.is_dir():
        raise AutograderError(f"no reference folder at {solution}")
    if not solution_files(solution):  # a student's folder or an empty one: no stub to make
        raise AutograderError(
            f"{solution} holds no ### BEGIN SOLUTION region, so it is not a reference "
            "folder (a student's code, or an empty folder?) and there is nothing to turn "
            "into stubs; give the reference solution's folder (e.g. solutions/<name>)"
        )
    sources = solution_files(out)
    if sources and not force:
        names = ", ".join(str(p) for p in sources[:3])
        raise AutograderError(
            f"refusing to write the skeleton into {out}: it holds solution regions "
            f"({names}), so it is a reference, and the stubs would replace the solutions; "
            "give the student folder as --out (e.g. assignments/<name>), or add --force"
        )
    rendered = render_skeleton(solution)
    for relative, data in rendered.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return sorted(rendered)
