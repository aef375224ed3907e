"""The grader's regression suite: a catalogue of buggy and correct submissions.

Each fixture folder in tests/fixtures/variants is graded with the public
checks; the components listed in catalogue.py must lose points and every
other component must keep full marks, so a check that stops catching a bug,
or starts blaming the wrong component, fails here.
"""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pytest
from conftest import SOLUTION, VARIANTS, grade, unmarked

from autograder.core.results import PASSED
from autograder.grading.assignment import Assignment


def load_catalogue() -> ModuleType:
    spec = importlib.util.spec_from_file_location("variant_catalogue", VARIANTS / "catalogue.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CATALOGUE = load_catalogue()
BUGGY = sorted(name for name, loses in CATALOGUE.LOSES.items() if loses)
CORRECT = sorted(name for name, loses in CATALOGUE.LOSES.items() if not loses)


def lost_points(folder: Path, assignment: Assignment) -> tuple[dict[str, float], list]:
    """Points lost per component, and the results of the checks that failed."""
    report = grade(folder, assignment)
    lost: dict[str, float] = defaultdict(float)
    for result in report.results:
        lost[result.component] += result.max_points - result.points
    failed = [r for r in report.results if not r.passed]
    return {c: p for c, p in lost.items() if p > 0}, failed


def test_catalogue_matches_the_fixture_folders() -> None:
    folders = {p.name for p in VARIANTS.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == set(CATALOGUE.LOSES)
    assert set(CATALOGUE.HINTS) <= set(BUGGY)
    assert len(BUGGY) >= 60 and len(CORRECT) >= 19


@pytest.mark.parametrize("name", sorted(CATALOGUE.LOSES))
def test_variant_is_a_complete_submission_without_markers(name: str) -> None:
    folder = VARIANTS / name
    assert sorted(p.name for p in folder.glob("*.py")) == ["layers.py", "xor.py"]
    for path in folder.glob("*.py"):
        text = path.read_text()
        assert "### BEGIN SOLUTION" not in text and "### END SOLUTION" not in text
        assert "NotImplementedError" not in text
        compile(text, str(path), "exec")


@pytest.mark.parametrize("name", BUGGY)
def test_variant_is_one_change_away_from_the_reference(name: str) -> None:
    """A buggy variant differs from the reference, in layers.py or xor.py, not both."""
    changed = [
        file
        for file in ("layers.py", "xor.py")
        if unmarked((SOLUTION / file).read_text()) != (VARIANTS / name / file).read_text()
    ]
    assert len(changed) == 1


@pytest.mark.parametrize("name", BUGGY)
def test_buggy_variant_loses_points_on_exactly_its_components(
    name: str, public_assignment: Assignment
) -> None:
    lost, failed = lost_points(VARIANTS / name, public_assignment)
    assert set(lost) == CATALOGUE.LOSES[name], [f"{r.name}: {r.reason}" for r in failed]
    assert all(r.status == "failed" for r in failed), "a grader error, not a verdict"
    assert all(r.message for r in failed)
    hint = CATALOGUE.HINTS.get(name)
    if hint is not None:
        assert any(hint in r.message for r in failed), [r.message for r in failed]


@pytest.mark.parametrize("name", CORRECT)
def test_correct_variant_gets_full_marks(name: str, public_assignment: Assignment) -> None:
    report = grade(VARIANTS / name, public_assignment)
    assert report.score == report.max_score > 0, [
        f"{r.name}: {r.message}" for r in report.results if r.status != PASSED
    ]


@pytest.mark.parametrize("bom_in", ["layers.py", "xor.py"])
def test_a_byte_order_mark_costs_nothing(
    bom_in: str, tmp_path: Path, public_assignment: Assignment
) -> None:
    """Python imports a file that starts with a UTF-8 BOM (Windows editors write one):
    the static pass must read it as Python does, not call it a syntax error."""
    correct = VARIANTS / "correct_loops"
    for name in ("layers.py", "xor.py"):
        text = (correct / name).read_text()
        (tmp_path / name).write_text(text, encoding="utf-8-sig" if name == bom_in else "utf-8")
    assert (tmp_path / bom_in).read_bytes().startswith(b"\xef\xbb\xbf")
    report = grade(tmp_path, public_assignment)
    assert report.score == report.max_score > 0, [r.message for r in report.results if r.message]
