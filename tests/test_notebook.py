"""Notebook submissions: modules from cells, graded by the same checks as files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from conftest import SKELETON, SOLUTION, grade, import_submission

from autograder.cli import cli
from autograder.core.errors import AutograderError
from autograder.grading.jupyter import (
    as_last_run,
    notebook_language,
    run_checks,
    run_hidden_checks,
)
from autograder.intake.notebooks import (
    ModuleCell,
    NotebookError,
    extract_modules,
    module_sources,
    python_only,
)

SOURCE = SOLUTION / "backprop.ipynb"
MODULES = ("layers", "xor")
STUDENT = SKELETON / "backprop.ipynb"


def notebook_with(tmp_path: Path, old: str, new: str, source: Path = SOURCE) -> Path:
    """A copy of ``source`` with ``old`` replaced by ``new`` in its code cells."""
    notebook = nbformat.read(str(source), as_version=4)
    hits = 0
    for cell in notebook.cells:
        if cell.cell_type == "code" and old in cell.source:
            cell.source = cell.source.replace(old, new)
            hits += 1
    assert hits, f"{old!r} is in no code cell"
    path = tmp_path / "backprop.ipynb"
    nbformat.write(notebook, str(path))
    return path


def test_the_reference_notebook_extracts_to_modules_with_full_marks(
    tmp_path: Path, public_assignment
) -> None:
    extract_modules(SOURCE, tmp_path, MODULES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["layers.py", "xor.py"]
    assert (tmp_path / "xor.py").read_text().startswith("from layers import *")
    report = grade(tmp_path, public_assignment)
    assert report.all_passed, report.results
    modules = import_submission(tmp_path)
    assert modules.xor.AffineLayer is modules.layers.AffineLayer


def test_the_student_notebook_extracts_to_stubs_with_zero_points(
    tmp_path: Path, public_assignment
) -> None:
    extract_modules(STUDENT, tmp_path, MODULES)
    report = grade(tmp_path, public_assignment)
    assert report.score == 0
    assert all("not implemented yet" in r.message for r in report.results)


def test_a_bug_in_a_solution_cell_loses_the_points_of_its_component(
    tmp_path: Path, public_assignment
) -> None:
    path = notebook_with(tmp_path, "db = dout.sum(axis=0)", "db = dout.mean(axis=0)")
    extract_modules(path, tmp_path / "modules", MODULES)
    report = grade(tmp_path / "modules", public_assignment)
    failed = {r.component for r in report.results if not r.passed}
    assert "AffineLayer" in failed and "MultiplyLayer" not in failed
    assert "cell" in (tmp_path / "modules" / "layers.py").read_text().split("\n")[1]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not a readable Jupyter notebook"),
        (b"", "not a readable Jupyter notebook"),
        (b"[1, 2]", "no list of cells"),
        (b"\xff\xfe", "not a readable Jupyter notebook"),
        (
            json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode(),
            "has no cells of the assignment's code",
        ),
        (b"[" * 100_000 + b"]" * 100_000, "RecursionError"),
        (b"[" + b"[]," * 200_000 + b"[]]", "too many nested lists"),
        (b'{"cells": ' + b"[" * 5000 + b"]" * 5000 + b"}", "RecursionError|not an object"),
        (json.dumps({"cells": [], "nbformat": 5}).encode(), "nbformat version 5"),
        (json.dumps({"cells": [], "nbformat": "4"}).encode(), "nbformat version '4'"),
        (json.dumps({"cells": [], "nbformat": True}).encode(), "nbformat version True"),
        (json.dumps({"cells": [7], "nbformat": 4}).encode(), "cell 1 is not an object"),
        (
            json.dumps({"cells": [{"metadata": [1]}], "nbformat": 4}).encode(),
            "metadata of cell 1 is not an object",
        ),
        (
            json.dumps({"cells": [{"source": [1, 2]}], "nbformat": 4}).encode(),
            "source of cell 1 is not text",
        ),
        (b'{"cells": [], "nbformat": 4, "x": ' + b"9" * 5000 + b"}", "not a readable"),
    ],
)
def test_a_broken_notebook_is_a_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "work.ipynb"
    path.write_bytes(content)
    with pytest.raises(NotebookError, match=message):
        extract_modules(path, tmp_path / "out", MODULES)


def test_an_old_format_notebook_is_upgraded(tmp_path: Path, public_assignment) -> None:
    old = nbformat.convert(nbformat.read(str(SOURCE), as_version=4), 3)
    path = tmp_path / "old.ipynb"
    nbformat.write(old, str(path), version=3)
    assert json.loads(path.read_text())["nbformat"] == 3
    extract_modules(path, tmp_path / "modules", MODULES)
    assert grade(tmp_path / "modules", public_assignment).all_passed


def test_magics_and_shell_lines_are_commented_out() -> None:
    source = "%matplotlib inline\nx = 1\n    !ls\ny = 2"
    assert python_only(source).splitlines() == [
        "# (notebook only) %matplotlib inline",
        "x = 1",
        "    # (notebook only) !ls",
        "y = 2",
    ]


def test_each_module_imports_every_module_before_it() -> None:
    cells = [ModuleCell("a", 0, "A = 1"), ModuleCell("b", 1, "B = A"), ModuleCell("c", 2, "C = B")]
    sources = module_sources(cells, "nb.ipynb")
    assert "import" not in sources["a"]
    assert sources["c"].startswith("from a import *  # noqa: F403\nfrom b import *")


def test_the_checks_grade_the_cells_as_last_run_in_the_kernel() -> None:
    saved = [
        ModuleCell("layers", 0, "import numpy as np"),
        ModuleCell("layers", 1, "class A:\n    old = 1"),
        ModuleCell("xor", 2, "def f():\n    return 1"),
    ]
    history = [
        "import numpy as np",
        "class A:\n    new = 2",
        "class A:\n    newest = 3\n\ndef helper(): pass",
        "import numpy as np\nscratch = 1",
        "print(A)",
    ]
    run = as_last_run(saved, history)
    assert [c.source for c in run] == [
        "import numpy as np",
        "class A:\n    newest = 3\n\ndef helper(): pass",
        "def f():\n    return 1",
    ]


def test_run_checks_in_the_notebook_folder_returns_the_points_with_a_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook_with(tmp_path, "dy = dz * self.x", "dy = dz * self.y")
    shutil.copy(SOLUTION / "public_checks.py", tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUTOGRADER_ASSIGNMENT", raising=False)
    score = run_checks(
        "MultiplyLayer.backward works on plain Python floats",
        "AffineLayer.backward matches numerical gradients for one sample (N=1)",
    )
    assert float(score) == 1.0
    assert "FAIL" in score.table and "PASS" in score.table and "<pre>" in score._repr_html_()
    with pytest.raises(AutograderError, match="hidden checks run only when grading"):
        run_checks("hidden: train_xor learns XOR on at least 4 of 5 hidden seeds", hidden=True)
    later = run_hidden_checks("MultiplyLayer")  # a student's Jupyter: a sentence, 0 points
    assert float(later) == 0 and "run when your notebook is graded" in later.table
    indonesian = run_hidden_checks("MultiplyLayer", lang="id")
    assert "dijalankan saat notebook Anda dinilai" in indonesian.table
    with pytest.raises(AutograderError, match="do not exist"):
        run_checks("MultiplyLayer is perfect")


def test_a_test_cell_judges_a_gated_check_as_a_batch_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cell's check runs the student's layers: their own checks run beside it,
    unscored in the cell, so a layer bug makes it not applicable, as in a batch."""
    notebook_with(tmp_path, "return da * self.a * (1.0 - self.a)", "return -da * self.a")
    shutil.copy(SOLUTION / "public_checks.py", tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUTOGRADER_ASSIGNMENT", raising=False)
    learns = "train_xor learns XOR with its default lr and epochs (seeds 1, 2, 3)"
    score = run_checks(learns)
    assert float(score) == 0.0
    assert "not applicable" in score.table and "SigmoidLayer" in score.table
    assert "SigmoidLayer.backward matches" not in score.table  # its gates are not shown


@pytest.mark.parametrize(
    ("target", "points"),
    [("solution", "28/28"), ("student", "0/26")],
)
def test_autograder_check_accepts_a_notebook_file_or_a_folder_with_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, points: str
) -> None:
    source = SOURCE if target == "solution" else STUDENT
    folder = tmp_path / "work"
    folder.mkdir()
    shutil.copy(source, folder / "backprop.ipynb")
    shutil.copy(SOLUTION / "public_checks.py", folder)
    runner = CliRunner()
    by_file = runner.invoke(cli, ["check", str(folder / "backprop.ipynb")])
    monkeypatch.chdir(folder)
    by_folder = runner.invoke(cli, ["check"])
    for result in (by_file, by_folder):
        assert f"Total: {points} points" in result.output, result.output
        assert result.exit_code == (0 if target == "solution" else 1)


def test_autograder_grade_grades_notebook_submissions_in_the_sandbox(tmp_path: Path) -> None:
    """Folders, a zip and nbgrader's submitted/ layout, each holding a notebook."""
    submitted = tmp_path / "submitted"
    for student, old, new in [
        ("alice", "dx = dz * self.y", "dx = self.y * dz"),
        ("bob", "db = dout.sum(axis=0)", "db = dout.mean(axis=0)"),
    ]:
        (submitted / student / "backprop").mkdir(parents=True)
        notebook_with(submitted / student / "backprop", old, new)
    (submitted / "carol" / "backprop").mkdir(parents=True)
    (submitted / "carol" / "backprop" / "backprop.ipynb").write_text("{broken")
    out = tmp_path / "results"
    result = CliRunner().invoke(
        cli,
        ["grade", str(submitted), "--out", str(out), "-j", "2", "--require-sandbox"]
        + ["--assignment", str(SOLUTION)],
    )
    assert result.exit_code == 0, result.output
    reports = {
        s: json.loads((out / s / "report.json").read_text()) for s in ("alice", "bob", "carol")
    }
    assert reports["alice"]["sandboxed"] and reports["bob"]["sandboxed"]
    assert reports["alice"]["score"] == reports["alice"]["max_score"] > 0
    assert 0 < reports["bob"]["score"] < reports["bob"]["max_score"]
    assert reports["carol"]["score"] == 0 and not reports["carol"]["grader_error"]
    assert "not a readable Jupyter notebook" in reports["carol"]["checks"][0]["message"]


def test_the_test_cells_language_comes_from_the_call_the_course_or_the_notebook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "backprop.ipynb"
    notebook = nbformat.read(str(SOURCE), as_version=4)
    monkeypatch.delenv("AUTOGRADER_LANG", raising=False)
    nbformat.write(notebook, str(path))
    assert notebook_language(path, None) == "en"
    notebook.metadata["autograder"] = {"lang": "id"}  # release --lang id
    nbformat.write(notebook, str(path))
    assert notebook_language(path, None) == "id"
    monkeypatch.setenv("AUTOGRADER_LANG", "en")  # the course's config, at autograde
    assert notebook_language(path, None) == "en"
    assert notebook_language(path, "id") == "id"  # the call itself
    notebook.metadata["autograder"] = {"lang": "fr"}
    nbformat.write(notebook, str(path))
    monkeypatch.delenv("AUTOGRADER_LANG")
    assert notebook_language(path, None) == "en"  # an unknown language: English


def module_cell(module: object, source: str = "x = 1\n") -> dict:
    return {
        "cell_type": "code",
        "metadata": {"autograder": {"module": module}},
        "source": source,
        "outputs": [],
        "execution_count": None,
    }


@pytest.mark.parametrize(
    "module",
    [
        "../sitecustomize",
        "/tmp/sitecustomize",
        "layers\nimport os",
        "layers.py",
        "sitecustomize",
        "1layers",
        "lay ers",
        "layérs",
        ["layers"],
        {"name": "layers"},
        7,
    ],
)
def test_a_cell_naming_another_module_refuses_the_notebook(tmp_path: Path, module: object) -> None:
    """Only declared modules become file names; nothing is written for the others."""
    document = {"cells": [module_cell("layers"), module_cell(module)], "nbformat": 4}
    path = tmp_path / "work.ipynb"
    path.write_text(json.dumps(document))
    with pytest.raises(NotebookError, match="not one of this assignment's modules"):
        extract_modules(path, tmp_path / "out", MODULES)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    assert not list(tmp_path.rglob("sitecustomize*"))


def test_metadata_that_is_not_a_dict_is_unreadable(tmp_path: Path) -> None:
    cell = {**module_cell("layers"), "metadata": {"autograder": "layers"}}
    path = tmp_path / "work.ipynb"
    path.write_text(json.dumps({"cells": [cell], "nbformat": 4}))
    with pytest.raises(NotebookError, match="metadata of cell 1 is not an object"):
        extract_modules(path, tmp_path / "out", MODULES)


def test_the_notebooks_name_is_never_pasted_into_code() -> None:
    cells = [ModuleCell("layers", 0, "A = 1")]
    source = module_sources(cells, "x\nimport os\n#.ipynb")["layers"]
    assert source.splitlines() == ["", "# --- cell 1 of x_import os__.ipynb ---", "A = 1"]


def test_a_lone_surrogate_in_a_code_cell_is_unreadable_not_a_grader_error(tmp_path: Path) -> None:
    """JSON escapes one ("\\ud800"); writing the module then raised UnicodeEncodeError."""
    cell = {**module_cell("layers"), "source": "x = 1  # \ud800\n"}
    path = tmp_path / "work.ipynb"
    path.write_text(json.dumps({"cells": [cell], "nbformat": 4}))
    with pytest.raises(NotebookError, match="lone surrogate"):
        extract_modules(path, tmp_path / "out", MODULES)
