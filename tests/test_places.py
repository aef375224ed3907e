"""Places in the student's own code: functions, lines, and notebook cells (checks.places)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_notebook import notebook_with

from autograder.checks.places import line_place, locate, rewrite
from autograder.grading.assignment import Assignment
from autograder.grading.runner import GradeOptions, grade_folder
from autograder.intake.notebooks import ModuleCell, code_folder, module_sources
from autograder.isolation.sandbox import SandboxConfig
from autograder.reports.text import report_table

LAYERS = """import numpy as np


class AffineLayer:
    def forward(self, x, W, b):
        self.x = x  # cached
        return x @ W + b

    def backward(self, dout):
        dW = self.x.T @ dout
        dW = dW * 1.0  # the last assignment counts
        return dout, dW, dout.sum(0)
"""


def test_a_variable_is_found_at_its_last_assignment(tmp_path: Path) -> None:
    (tmp_path / "layers.py").write_text(LAYERS)
    place = locate(tmp_path, "layers.AffineLayer.backward", "dW")
    assert place is not None and place.where == "layers.py, line 11"
    assert place.code == "dW = dW * 1.0" and place.function == "AffineLayer.backward"
    stored = locate(tmp_path, "layers.AffineLayer.forward", "self.x")
    assert stored is not None and stored.code == "self.x = x"  # no comment
    assert stored.sentence() == "AffineLayer.forward (layers.py, line 6: self.x = x)"
    assert stored.sentence(with_code=False) == "AffineLayer.forward (layers.py, line 6)"


def test_without_the_variable_its_return_or_the_function_is_the_place(tmp_path: Path) -> None:
    (tmp_path / "layers.py").write_text(LAYERS)
    place = locate(tmp_path, "layers.AffineLayer.backward", "dq")
    assert place is not None and place.where == "layers.py, line 12"
    assert place.code == "return dout, dW, dout.sum(0)"
    whole = locate(tmp_path, "layers.AffineLayer.backward")
    assert whole is not None and whole.where == "layers.py, line 9"


BRANCHES = """class AffineLayer:
    def backward(self, dout):
        {first}:
            dx = dout @ self.W
        {second}:
            dx = dout @ self.W.T
        dW = self.x.T @ dout
        if dout.ndim == 1:
            dW = dW[:, None]
        return dx, dW, dout.sum(0)
"""


@pytest.mark.parametrize(
    ("first", "second"),
    [("try", "except ValueError"), ("if self.W.shape[0] == self.W.shape[1]", "else")],
)
def test_a_variable_set_in_two_branches_is_placed_at_its_function(
    tmp_path: Path, first: str, second: str
) -> None:
    """Which branch ran is not known from the code: the later line would be a guess
    (it named the right line `dx = dout @ self.W.T` for the square-W mistake)."""
    (tmp_path / "layers.py").write_text(BRANCHES.format(first=first, second=second))
    place = locate(tmp_path, "layers.AffineLayer.backward", "dx")
    assert place is not None and place.code == "def backward(self, dout):"
    assert place.where == "layers.py, line 2"
    one_armed = locate(tmp_path, "layers.AffineLayer.backward", "dW")  # an if without else
    assert one_armed is not None and one_armed.code == "dW = dW[:, None]"


def test_no_place_for_what_the_student_s_code_does_not_have(tmp_path: Path) -> None:
    (tmp_path / "layers.py").write_text(LAYERS)
    (tmp_path / "broken.py").write_text("def (:")
    assert locate(tmp_path, "layers.SigmoidLayer.backward", "dv") is None
    assert locate(tmp_path, "layers.987.654", "dv") is None
    assert locate(tmp_path, "broken.f", "x") is None
    assert locate(tmp_path, "missing.f", "x") is None


def test_a_notebook_module_line_maps_back_to_its_cell() -> None:
    cells = [
        ModuleCell("layers", 3, "import numpy as np"),
        ModuleCell("layers", 6, "class A:\n    def f(self):\n        return 1"),
    ]
    source = module_sources(cells, "work.ipynb")["layers"]
    line = source.splitlines().index("        return 1") + 1
    assert line_place(source, "layers", line) == "cell 7 of work.ipynb, line 3"
    assert line_place("x = 1\n", "layers", 1) == "layers.py, line 1"


def test_messages_of_a_notebook_submission_point_into_its_cells(tmp_path: Path) -> None:
    cells = [ModuleCell("layers", 4, "x = 1\ny = (")]
    (tmp_path / "layers.py").write_text(module_sources(cells, "hw.ipynb")["layers"])
    text = "layers.py has a syntax error: '(' was never closed (layers.py, line 4)"
    assert rewrite(text, tmp_path, ["layers"]) == (
        "layers.py has a syntax error: '(' was never closed (cell 5 of hw.ipynb, line 2)"
    )
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "layers.py").write_text("x = (\n")
    assert rewrite(text, tmp_path / "plain", ["layers"]) == text  # files keep their names


def test_a_notebook_student_is_pointed_at_cells_never_at_files(
    tmp_path: Path, public_assignment: Assignment
) -> None:
    notebook = notebook_with(tmp_path, "dW = self.x.T @ dout", "dW = self.x @ dout")
    options = GradeOptions(include_hidden=False, sandbox=SandboxConfig("none"))
    with code_folder(notebook, public_assignment.modules) as code:
        report, _ = grade_folder(code, public_assignment, options)
    failed = [r for r in report.results if r.component == "AffineLayer" and not r.passed]
    assert failed and all(r.mistake == "missing_transpose" for r in failed if r.mistake)
    text = report_table(report)
    assert "of backprop.ipynb, line" in text and "layers.py, line" not in text
    assert all("cell 11 of backprop.ipynb" in r.where for r in failed if r.where)
