"""Shared fixtures: the repository's paths, the public checks, grading a folder.

Grading here always uses the *public* checks only (``with_hidden=False``):
hidden checks are added to solutions/backprop by others and must never change
what these tests expect. No sandbox, so the tests run where bubblewrap does not.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from autograder.core.results import Report
from autograder.grading.assignment import Assignment, load_assignment
from autograder.grading.runner import GradeOptions, grade_folder
from autograder.isolation.sandbox import SandboxConfig

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "backprop"
SKELETON = REPO / "assignments" / "backprop"
VARIANTS = REPO / "tests" / "fixtures" / "variants"
STUDENT_MODULES = ("layers", "xor")


@pytest.fixture(scope="session")
def public_assignment() -> Assignment:
    return load_assignment(SOLUTION, with_hidden=False)


def grade(folder: Path, assignment: Assignment) -> Report:
    """Public checks on ``folder``, unsandboxed, seed 0."""
    options = GradeOptions(include_hidden=False, sandbox=SandboxConfig("none"))
    report, _ = grade_folder(folder, assignment, options)
    return report


def import_submission(folder: Path) -> SimpleNamespace:
    """Import ``folder``'s layers.py and xor.py in this process, in isolation.

    xor.py does ``from layers import ...``, so both must be importable under
    their plain names while loading; afterwards sys.modules and sys.path are
    restored, so two submissions (or a test importing another ``layers``)
    never see each other's modules.
    """
    saved = {name: sys.modules.pop(name) for name in STUDENT_MODULES if name in sys.modules}
    sys.path.insert(0, str(folder))
    try:
        modules = {name: importlib.import_module(name) for name in STUDENT_MODULES}
    finally:
        sys.path.remove(str(folder))
        for name in STUDENT_MODULES:
            sys.modules.pop(name, None)
        sys.modules.update(saved)
    return SimpleNamespace(**modules)


@pytest.fixture(scope="session")
def reference() -> SimpleNamespace:
    """The reference's modules: ``reference.layers`` and ``reference.xor``."""
    return import_submission(SOLUTION)


def copy_submission(source: Path, target: Path) -> Path:
    """A student's copy of ``source``: its .py files, no caches, no hidden files."""
    target.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.py"):
        if not path.name.startswith("hidden"):
            shutil.copy(path, target / path.name)
    return target


def files_in(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes): what a command left there."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def unmarked(source: str) -> str:
    """The reference's source without its solution markers (what a student hands in)."""
    markers = ("### BEGIN SOLUTION", "### END SOLUTION")
    return "".join(line for line in source.splitlines(keepends=True) if line.strip() not in markers)
