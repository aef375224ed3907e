"""The student release from the reference: solution regions become stubs.

The reference marks each student gap with nbgrader's markers::

    ### BEGIN SOLUTION
    ...reference code...
    ### END SOLUTION

and every region becomes the same two lines at the region's indentation,
``# YOUR CODE HERE`` and a ``raise NotImplementedError("implement
AffineLayer.backward")`` naming the enclosing function, so a student running anything learns which
gap they reached. Files named ``hidden*`` never leave the reference folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from autograder.errors import AutograderError

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
SKIPPED_NAMES = ("__pycache__", ".ipynb_checkpoints", ".pytest_cache")
DEF_LINE = re.compile(r"^(\s*)(def|class)\s+(\w+)")


def is_private(path: Path) -> bool:
    """Files the student release must never contain."""
    return path.name.startswith("hidden") or path.name in SKIPPED_NAMES or path.suffix == ".pyc"


def enclosing_task(lines: list[str], index: int) -> str:
    """``Class.method`` (or ``function``) around line ``index``."""
    names: list[str] = []
    indent = len(lines[index]) - len(lines[index].lstrip())
    for line in reversed(lines[:index]):
        match = DEF_LINE.match(line)
        if match and len(match.group(1)) < indent:
            names.insert(0, match.group(3))
            indent = len(match.group(1))
    return ".".join(names) or "this part"


def strip_solutions(source: str, filename: str = "<source>") -> str:
    """Replace every solution region in ``source`` with the uniform stub."""
    lines = source.splitlines(keepends=True)
    output: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if stripped == BEGIN:
            end = next((j for j in range(index + 1, len(lines)) if lines[j].strip() == END), None)
            if end is None:
                raise AutograderError(f"{filename}:{index + 1}: {BEGIN} without {END}")
            pad = line[: len(line) - len(line.lstrip())]
            task = enclosing_task(lines, index)
            output.append(f"{pad}# YOUR CODE HERE\n")
            output.append(f'{pad}raise NotImplementedError("implement {task}")\n')
            index = end + 1
            continue
        if stripped == HIDDEN_BEGIN:
            end = next(
                (j for j in range(index + 1, len(lines)) if lines[j].strip() == HIDDEN_END), None
            )
            if end is None:
                raise AutograderError(
                    f"{filename}:{index + 1}: {HIDDEN_BEGIN} without {HIDDEN_END}"
                )
            index = end + 1
            continue
        if stripped == END:
            raise AutograderError(f"{filename}:{index + 1}: {END} without {BEGIN}")
        output.append(line)
        index += 1
    return "".join(output)


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
        elif relative.suffix == ".ipynb":
            from autograder.notebook_build import student_notebook  # it imports this module

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
