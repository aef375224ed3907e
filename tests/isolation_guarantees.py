"""What each isolation level guarantees: one table, asserted by the tests, printed in the README.

``GUARANTEES`` maps each row of the README's table (its first cell, word for
word) to the cell of each level. A cell is ``yes``, ``no``, or ``as root``
(holds when the grader runs as root: the student's process then drops to a
uid of its own). ``test_readme_guarantees`` checks that the README's table
is exactly this one; the tests of test_sandbox.py and test_adversarial.py
assert each row through ``holds``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

LEVELS = ("bwrap", "landlock", "none")
GUARANTEES: dict[str, dict[str, str]] = {
    "runs as an unprivileged user, no capabilities": {
        "bwrap": "as root",
        "landlock": "as root",
        "none": "as root",
    },
    "cannot read the reference, other students or the engine's checks": {
        "bwrap": "yes",
        "landlock": "yes",
        "none": "no",
    },
    "cannot write outside its own scratch folder": {
        "bwrap": "yes",
        "landlock": "yes",
        "none": "no",
    },
    "cannot delete the grader's or other students' files": {
        "bwrap": "yes",
        "landlock": "yes",
        "none": "as root",
    },
    "no TCP connection (no network)": {"bwrap": "yes", "landlock": "yes", "none": "no"},
    "no socket of any family (only socketpair)": {"bwrap": "yes", "landlock": "yes", "none": "no"},
    "no chmod, chown or xattr changes": {"bwrap": "yes", "landlock": "yes", "none": "no"},
    "cannot see the grader's processes (their command line holds --seed)": {
        "bwrap": "yes",
        "landlock": "yes",
        "none": "no",
    },
    "cannot signal the grader's processes": {"bwrap": "yes", "landlock": "yes", "none": "as root"},
    "CPU time, memory and processes counted for the student as a whole": {
        "bwrap": "yes",
        "landlock": "yes",
        "none": "yes",
    },
    "no process outlives the student, setsid or not": {
        "bwrap": "yes",
        "landlock": "yes",
        "none": "yes",
    },
    "memory, process-count and file-size limits per process": {
        "bwrap": "yes",
        "landlock": "yes",
        "none": "yes",
    },
}


def holds(row: str, level: str) -> bool:
    """Whether ``row`` holds for ``level`` on this machine (with this grader's user)."""
    cell = GUARANTEES[row][level]
    return cell == "yes" or (cell == "as root" and os.geteuid() == 0)


def readme_table(readme: Path) -> dict[str, dict[str, str]]:
    """The guarantees table of the README's sandbox section, as ``GUARANTEES``."""
    section = readme.read_text(encoding="utf-8").split("## What the sandbox guarantees", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    levels = [re.sub(r"[`*]", "", cell).split()[0] for cell in header[1:]]
    table: dict[str, dict[str, str]] = {}
    for line in rows[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        table[cells[0]] = dict(zip(levels, cells[1:]))
    return table
