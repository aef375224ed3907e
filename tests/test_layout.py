"""Which files of a submission are graded, and only names of the grammar written."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.intake.layout import declared, lay_out
from autograder.intake.tree import BadSubmission, Tree

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "backprop"
SKELETON = REPO / "assignments" / "backprop"
MODULES = ("layers", "xor")
WORK = declared(MODULES, "backprop", SOLUTION)
FILLED = {f"{m}.py": (SOLUTION / f"{m}.py").read_bytes() for m in MODULES}
STUBS = {f"{m}.py": (SKELETON / f"{m}.py").read_bytes() for m in MODULES}
NOTEBOOK = (SOLUTION / "backprop.ipynb").read_bytes()


def under(folder: str, files: dict[str, bytes]) -> dict[str, bytes]:
    return {f"{folder}/{name}" if folder else name: data for name, data in files.items()}


def written(into: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in into.iterdir()}


def test_modules_and_top_level_helpers_are_written_nothing_else(tmp_path: Path) -> None:
    files = {
        **FILLED,
        "helper_1.py": b"H = 1\n",
        "Bad-name.py": b"",
        "ümlaut.py": b"",
        "sub/helper.py": b"",
        "notes.ipynb.py": b"",
    }
    layout = lay_out(Tree("alice", files), tmp_path, WORK)
    assert layout.graded == ("layers.py", "xor.py") and layout.skeleton == ()
    assert sorted(written(tmp_path)) == ["helper_1.py", "layers.py", "xor.py"]


@pytest.mark.parametrize(
    ("files", "graded"),
    [
        (under("handin", FILLED), ("handin/layers.py", "handin/xor.py")),
        ({**under("backprop", FILLED), **under("autodiff", STUBS)}, ("backprop/layers.py",)),
        ({**FILLED, **under("v1", STUBS)}, ("layers.py", "xor.py")),
        (under("a/b/c", {"xor.py": FILLED["xor.py"]}), ("a/b/c/xor.py",)),
    ],
)
def test_the_module_folder(tmp_path: Path, files: dict[str, bytes], graded: tuple) -> None:
    layout = lay_out(Tree("alice", files), tmp_path, WORK)
    assert layout.graded[: len(graded)] == graded


def test_two_versions_are_refused_by_name(tmp_path: Path) -> None:
    files = {**under("v1", FILLED), **under("v2", FILLED)}
    with pytest.raises(BadSubmission, match=r"more than one folder \('v1/', 'v2/'\)"):
        lay_out(Tree("alice", files), tmp_path, WORK)
    assert not list(tmp_path.iterdir())


def test_the_untouched_skeleton_beside_a_notebook_grades_the_notebook(tmp_path: Path) -> None:
    files = {**STUBS, "backprop.ipynb": NOTEBOOK, "helper.py": b"H = 1\n"}
    layout = lay_out(Tree("alice", files), tmp_path, WORK)
    assert layout.graded == ("backprop.ipynb",)
    assert layout.skeleton == ("layers.py", "xor.py")
    assert sorted(written(tmp_path)) == ["helper.py", "layers.py", "xor.py"]
    assert b"cell" in written(tmp_path)["layers.py"].splitlines()[1]


def test_filled_files_beside_a_notebook_are_graded(tmp_path: Path) -> None:
    files = {**FILLED, "backprop.ipynb": NOTEBOOK}
    layout = lay_out(Tree("alice", files), tmp_path, WORK)
    assert layout.graded == ("layers.py", "xor.py")
    assert written(tmp_path)["layers.py"] == FILLED["layers.py"]


def test_without_a_reference_the_files_are_graded(tmp_path: Path) -> None:
    files = {**STUBS, "backprop.ipynb": NOTEBOOK}
    layout = lay_out(Tree("alice", files), tmp_path, declared(MODULES, "backprop", None))
    assert layout.graded == ("layers.py", "xor.py")


@pytest.mark.parametrize(
    ("names", "graded"),
    [
        (["work/backprop.ipynb"], "work/backprop.ipynb"),
        (["backprop.ipynb", "backprop-Copy1.ipynb"], "backprop.ipynb"),
        (["mine.ipynb"], "mine.ipynb"),
    ],
)
def test_the_notebook(tmp_path: Path, names: list[str], graded: str) -> None:
    layout = lay_out(Tree("alice", dict.fromkeys(names, NOTEBOOK)), tmp_path, WORK)
    assert layout.graded == (graded,)


def test_several_notebooks_none_named_after_the_assignment_are_refused(tmp_path: Path) -> None:
    files = {"a.ipynb": NOTEBOOK, "b/c.ipynb": NOTEBOOK}
    with pytest.raises(BadSubmission, match="several notebooks"):
        lay_out(Tree("alice", files), tmp_path, WORK)


def test_nothing_to_grade_writes_nothing(tmp_path: Path) -> None:
    layout = lay_out(Tree("alice", {"notes.py": b""}), tmp_path, WORK)
    assert layout.graded == () and written(tmp_path) == {}
