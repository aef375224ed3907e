"""Solution regions: the nbgrader markers of the reference, and their stubs.

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

from autograder.core.errors import AutograderError

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


def solution_files(folder: Path) -> list[Path]:
    """Files under ``folder`` that hold a solution region: a reference, never an output."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        if path.suffix not in (".py", ".ipynb") or not path.is_file():
            continue
        if any(part in SKIPPED_NAMES for part in path.parts):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if BEGIN in text:  # in a notebook's JSON too: the marker has no character to escape
            found.append(path)
    return found
