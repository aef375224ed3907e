"""The reference notebook: generated code cells, one source of truth with the .py files."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import SKELETON, SOLUTION

from autograder.core.errors import AutograderError
from autograder.distribution.module_text import ModuleText
from autograder.distribution.notebook_build import student_notebook, sync_notebook, synced
from autograder.grading.assignment import load_assignment

NOTEBOOK = SOLUTION / "backprop.ipynb"
REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


def solution_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "backprop"
    shutil.copytree(SOLUTION, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def cells(path: Path = NOTEBOOK) -> list:
    return nbformat.read(str(path), as_version=4).cells


def test_the_committed_notebook_is_exactly_what_sync_generates() -> None:
    assert not sync_notebook(SOLUTION, write=False), "regenerate: autograder notebook"


@pytest.mark.parametrize("module", ["layers.py", "xor.py"])
def test_every_solution_region_of_the_py_files_is_in_a_solution_cell(module: str) -> None:
    regions = REGION.findall((SOLUTION / module).read_text())
    solution_cells = [c.source for c in cells() if c.metadata.get("nbgrader", {}).get("solution")]
    assert regions
    for region in regions:
        assert sum(region in source for source in solution_cells) == 1


@pytest.mark.parametrize(
    ("edit", "old", "new"),
    [
        ("solution code", "db = dout.sum(axis=0)", "db = np.sum(dout, axis=0)"),
        ("given code", "return x @ W + b", "return np.dot(x, W) + b"),
        ("constants", "DEFAULT_EPOCHS = 2000", "DEFAULT_EPOCHS = 3000"),
    ],
)
def test_a_change_in_the_py_files_makes_the_notebook_out_of_date(
    tmp_path: Path, edit: str, old: str, new: str
) -> None:
    folder = solution_copy(tmp_path)
    for path in (folder / "layers.py", folder / "xor.py"):
        path.write_text(path.read_text().replace(old, new))
    assert sync_notebook(folder, write=False), f"a change of the {edit} went unnoticed"
    assert sync_notebook(folder) and not sync_notebook(folder, write=False)
    assert new in (folder / "backprop.ipynb").read_text().replace('\\"', '"')


def test_points_of_each_test_cell_are_the_points_of_its_checks() -> None:
    """A public cell names its checks; a hidden cell names its component (no secret)."""
    assignment = load_assignment(SOLUTION, with_hidden=True)
    points = {c.name: c.points for c in assignment.checks(include_hidden=True)}
    assert assignment.hidden is not None
    named: list[str] = []
    for cell in cells():
        if cell.metadata.get("nbgrader", {}).get("grade"):
            names = re.findall(r'^    ["\'](.+)["\'],$', cell.source, re.M)
            component = re.findall(r'^run_hidden_checks\("(\w+)"\)$', cell.source, re.M)
            if component:
                assert not names
                names = [c.name for c in assignment.hidden.checks if c.component == component[0]]
            assert cell.metadata.nbgrader.points == sum(points[n] for n in names) > 0
            named += names
    assert sorted(named) == sorted(points), "every check runs in exactly one test cell"


def test_hidden_test_cells_are_the_same_in_source_and_release() -> None:
    """No hidden region to strip, so nbgrader finds each locked cell's checksum unchanged."""
    source = [c for c in cells() if "hidden_tests" in meta(c)]
    released = {c.id: c for c in nbformat.reads(student_notebook(NOTEBOOK.read_text()), 4).cells}
    assert len(source) == 4
    for cell in source:
        assert "HIDDEN TESTS" not in cell.source and "hidden:" not in cell.source
        assert released[cell.id].source == cell.source


def test_a_student_notebook_is_never_rewritten_without_force(tmp_path: Path) -> None:
    folder = tmp_path / "backprop"
    shutil.copytree(SKELETON, folder)
    before = (folder / "backprop.ipynb").read_text()
    with pytest.raises(AutograderError, match="it holds no solution region, so it is a student"):
        sync_notebook(folder)
    assert (folder / "backprop.ipynb").read_text() == before
    sync_notebook(folder, write=False)  # --check writes nothing: allowed
    sync_notebook(folder, force=True)  # --force: the instructor said so


def edit_cells(folder: Path, change) -> None:
    path = folder / "backprop.ipynb"
    notebook = json.loads(path.read_text())
    change(notebook["cells"])
    path.write_text(json.dumps(notebook))


def meta(cell: dict) -> dict:
    return cell["metadata"].get("autograder", {})


def drop_first_test_cell(all_cells: list) -> None:
    all_cells.remove(next(c for c in all_cells if "tests" in meta(c)))


def add_plain_code_cell(all_cells: list) -> None:
    all_cells.append(
        {"cell_type": "code", "id": "x", "metadata": {}, "source": "x = 1", "outputs": []}
    )


def drop_given_xor_cell(all_cells: list) -> None:
    all_cells.remove(
        next(
            c
            for c in all_cells
            if c["metadata"].get("autograder", {}).get("span") == ["XOR_X", "predict"]
        )
    )


def name_missing_check(all_cells: list) -> None:
    cell = next(c for c in all_cells if "tests" in meta(c))
    cell["metadata"]["autograder"]["checks"].append("AffineLayer does something else")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (drop_first_test_cell, "in no cell"),
        (add_plain_code_cell, "has no 'autograder' metadata"),
        (drop_given_xor_cell, "are in no cell of the notebook"),
        (name_missing_check, "unknown public checks"),
    ],
)
def test_a_notebook_that_does_not_match_the_reference_is_refused(
    tmp_path: Path, change, message: str
) -> None:
    folder = solution_copy(tmp_path)
    edit_cells(folder, change)
    with pytest.raises(AutograderError, match=message):
        synced(folder / "backprop.ipynb", folder)


def test_a_span_naming_a_missing_statement_is_refused(tmp_path: Path) -> None:
    text = ModuleText(SOLUTION / "layers.py")
    with pytest.raises(AutograderError, match="no top-level 'ReluLayer'"):
        text.span("ReluLayer", "ReluLayer")


def test_the_student_notebook_has_no_solution_no_hidden_tests_and_no_outputs() -> None:
    student = student_notebook(NOTEBOOK.read_text())
    for region in REGION.findall(
        (SOLUTION / "layers.py").read_text() + (SOLUTION / "xor.py").read_text()
    ):
        for line in filter(None, map(str.strip, region.splitlines())):
            assert line not in student
    notebook = nbformat.reads(student, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    text = "\n".join(c.source for c in code)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "hidden:"):
        assert marker not in text
    stubs = re.findall(r'raise NotImplementedError\("implement ([\w.]+)"\)', text)
    assert stubs == [
        "MultiplyLayer.backward",
        "AffineLayer.backward",
        "SigmoidLayer.backward",
        "train_xor",
    ]


def test_the_committed_student_notebook_is_the_generated_one() -> None:
    assert (SKELETON / "backprop.ipynb").read_text() == student_notebook(NOTEBOOK.read_text())


def test_a_course_exported_in_indonesian_says_so_to_its_test_cells(tmp_path: Path) -> None:
    """export nbgrader --lang id: the config sets the language for autograde, the source
    notebook's metadata for students' own Jupyter (run_checks reads either)."""
    from autograder.distribution.nbgrader_course import write_course

    write_course(SOLUTION, tmp_path / "course", seed=4711, lang="id")
    config = (tmp_path / "course" / "nbgrader_config.py").read_text()
    assert 'os.environ.setdefault("AUTOGRADER_LANG", "id")' in config
    assert 'os.environ.setdefault("AUTOGRADER_SEED", "4711")' in config
    source = tmp_path / "course" / "source" / "backprop" / "backprop.ipynb"
    assert nbformat.read(str(source), as_version=4).metadata["autograder"]["lang"] == "id"
    english = tmp_path / "english"
    write_course(SOLUTION, english)
    assert (english / "source" / "backprop" / "backprop.ipynb").read_text() == NOTEBOOK.read_text()
