"""The hidden checks' points total travels in the public suite, and nothing else hidden.

`autograder check` runs the public checks only, yet says the hidden ones
exist and what they are worth. The release (through the skeleton), the
nbgrader course and the Gradescope bundle write one line into the public
checks they ship: ``suite.hidden_points = <total>``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SKELETON, SOLUTION, VARIANTS

from autograder.cli import cli
from autograder.distribution.gradescope_export import bundle_files
from autograder.distribution.nbgrader_course import write_course
from autograder.distribution.regions import strip_solutions
from autograder.distribution.release import release_files
from autograder.distribution.skeleton import render_skeleton
from autograder.grading.assignment import PUBLIC_CHECKS, load_assignment

STAMP = "suite.hidden_points = "


def hidden_total() -> float:
    hidden = load_assignment(SOLUTION, with_hidden=True).hidden
    assert hidden is not None
    return sum(check.points for check in hidden.checks)


def test_the_skeleton_s_public_checks_add_the_total_and_nothing_else() -> None:
    stripped = strip_solutions((SOLUTION / PUBLIC_CHECKS).read_text(), PUBLIC_CHECKS)
    stamped = render_skeleton(SOLUTION)[Path(PUBLIC_CHECKS)].decode()
    assert stamped.startswith(stripped.rstrip("\n"))
    added = [line for line in stamped[len(stripped.rstrip("\n")) :].splitlines() if line.strip()]
    code = [line for line in added if not line.startswith("#")]
    assert code == [f"{STAMP}{hidden_total():g}"]
    assert hidden_total() == 19


def test_the_released_public_suite_knows_the_total_but_has_no_hidden_check() -> None:
    student = load_assignment(SKELETON, with_hidden=False)
    assert student.hidden is None and student.hidden_points == hidden_total()
    assert not (SKELETON / "hidden_checks.py").exists()


@pytest.mark.parametrize("where", ["release", "gradescope", "nbgrader"])
def test_every_export_writes_the_total(where: str, tmp_path: Path) -> None:
    if where == "release":
        text = release_files(SOLUTION)["assignments/backprop/public_checks.py"].decode()
    elif where == "gradescope":
        text = bundle_files(SOLUTION, seed=0)["assignment/public_checks.py"][0].decode()
    else:
        write_course(SOLUTION, tmp_path, seed=0)
        text = (tmp_path / "source" / "backprop" / PUBLIC_CHECKS).read_text()
    assert text.count(STAMP) == 1 and f"{STAMP}{hidden_total():g}" in text


def test_autograder_check_tells_the_student_the_hidden_points() -> None:
    result = CliRunner().invoke(cli, ["check", str(VARIANTS / "correct_loops"), "--checks",
                                      str(SKELETON)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "28/28 on the public checks; the instructor also runs 19 points of hidden checks" in (
        result.output
    )
    assert "Well done" not in result.output
