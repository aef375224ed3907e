"""The untouched skeleton, recognised by syntax tree against the reference's regions."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.distribution.regions import strip_solutions
from autograder.intake.skeletons import is_untouched

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "backprop"
SKELETON = REPO / "assignments" / "backprop"


@pytest.mark.parametrize("module", ["layers", "xor"])
def test_the_generated_skeleton_is_untouched(module: str) -> None:
    reference = (SOLUTION / f"{module}.py").read_bytes()
    generated = strip_solutions(reference.decode()).encode()
    assert is_untouched(generated, reference)
    assert is_untouched((SKELETON / f"{module}.py").read_bytes(), reference)


@pytest.mark.parametrize("module", ["layers", "xor"])
def test_reformatting_keeps_it_untouched(module: str) -> None:
    skeleton = (SKELETON / f"{module}.py").read_text()
    reformatted = "# my notes\n\n" + skeleton.replace("\ndef ", "\n\n# a comment\ndef ")
    reformatted = reformatted.replace("import numpy as np", "import numpy as np  # arrays")
    assert reformatted != skeleton
    assert is_untouched(reformatted.encode(), (SOLUTION / f"{module}.py").read_bytes())


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('raise NotImplementedError("implement MultiplyLayer.backward")', "return dz, dz"),
        ("# YOUR CODE HERE", "x = 1"),
        ("import numpy as np", "import numpy"),
    ],
)
def test_any_statement_changed_is_touched(old: str, new: str) -> None:
    skeleton = (SKELETON / "layers.py").read_text()
    assert old in skeleton
    changed = skeleton.replace(old, new, 1).encode()
    assert not is_untouched(changed, (SOLUTION / "layers.py").read_bytes())


@pytest.mark.parametrize("student", [b"", b"\xff\xfe", b"def (:", b"(" * 500 + b")" * 500])
def test_unparsable_files_are_touched_not_errors(student: bytes) -> None:
    assert not is_untouched(student, (SOLUTION / "layers.py").read_bytes())


def test_the_reference_itself_is_touched() -> None:
    reference = (SOLUTION / "xor.py").read_bytes()
    assert not is_untouched(reference, reference)
