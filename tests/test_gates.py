"""Gated checks: scored only while the components whose code they also run are right.

The checks here never call the student's code, so the session never starts
a process; what is tested is how run_checks scores them.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import SOLUTION, VARIANTS, grade

from autograder.checks import CheckSuite, Context
from autograder.checks.gates import run_checks
from autograder.core.errors import CheckFailed
from autograder.core.results import FAILED, PASSED, CheckResult
from autograder.grading.assignment import Assignment
from autograder.isolation.session import StudentSession


def suite_of(layer_passes: bool, trainer_passes: bool, layer_last: bool = False) -> CheckSuite:
    suite = CheckSuite("demo", ("layers", "xor"), ("AffineLayer", "train_xor"))
    ran: list[str] = []

    def verdict(passes: bool, name: str):  # type: ignore[no-untyped-def]
        def check(ctx: Context) -> None:
            ran.append(name)
            if not passes:
                raise CheckFailed(f"{name} is wrong")

        return check

    layer = ("AffineLayer gradients", 2, verdict(layer_passes, "layer"))
    trainer = ("train_xor on the student's layers", 3, verdict(trainer_passes, "trainer"))
    own = ("train_xor with trusted layers", 1, verdict(trainer_passes, "own"))
    order = [trainer, own, layer] if layer_last else [layer, trainer, own]
    for name, points, function in order:
        requires = ("AffineLayer",) if "student's layers" in name else ()
        suite.check(name, points, requires=requires)(function)
    suite.ran = ran  # type: ignore[attr-defined]
    return suite


def graded(suite: CheckSuite) -> dict[str, CheckResult]:
    with StudentSession(SOLUTION, ["layers", "xor"]) as session:
        results = run_checks(suite.checks, session, seed=0)
    return {r.name: r for r in results}


GATED = "train_xor on the student's layers"


def test_a_layer_failure_makes_the_gated_check_s_failure_not_applicable() -> None:
    suite = suite_of(layer_passes=False, trainer_passes=False)
    results = graded(suite)
    gated = results[GATED]
    assert (gated.points, gated.max_points, gated.status) == (0.0, 0.0, FAILED)
    assert gated.message.startswith("not applicable (0 points at stake)")
    assert "AffineLayer" in gated.message
    assert suite.ran == ["layer", "trainer", "own"]  # type: ignore[attr-defined]
    assert results["train_xor with trusted layers"].max_points == 1.0


def test_a_later_layer_failure_settles_a_failed_gated_check_as_not_applicable() -> None:
    results = graded(suite_of(layer_passes=False, trainer_passes=False, layer_last=True))
    gated = results[GATED]
    assert (gated.points, gated.max_points) == (0.0, 0.0)
    assert "train_xor is wrong" not in gated.message.splitlines()[0]
    assert gated.message.splitlines()[1] == "trainer is wrong"


def test_a_gated_check_that_passed_keeps_its_points_whatever_fails_later() -> None:
    results = graded(suite_of(layer_passes=False, trainer_passes=True, layer_last=True))
    assert (results[GATED].points, results[GATED].max_points) == (3.0, 3.0)
    assert results[GATED].status == PASSED


@pytest.mark.parametrize("trainer_passes", [True, False])
def test_with_right_layers_a_gated_check_is_scored_as_any_other(trainer_passes: bool) -> None:
    results = graded(suite_of(layer_passes=True, trainer_passes=trainer_passes))
    assert results[GATED].max_points == 3.0
    assert results[GATED].points == (3.0 if trainer_passes else 0.0)


def test_checks_on_trusted_classes_run_last_and_report_in_their_place() -> None:
    """The student's process restarts before the student's own code runs after a call
    on trusted classes: running those checks last spares every restart."""
    suite = suite_of(layer_passes=True, trainer_passes=True)
    trusted = suite.checks[2]
    suite.checks[2] = replace(trusted, trusted=True)
    suite.checks.insert(0, suite.checks.pop(2))  # declared first
    results = list(graded(suite))
    assert suite.ran == ["layer", "trainer", "own"]  # type: ignore[attr-defined]
    assert results == ["train_xor with trusted layers", "AffineLayer gradients", GATED]


def test_a_gate_must_name_a_component_of_the_suite() -> None:
    suite = CheckSuite("demo", ("layers",), ("AffineLayer",))
    with pytest.raises(ValueError, match="requires components"):
        suite.check("AffineLayer twice", 1, requires=("SigmoidLayer",))


def test_the_runner_scores_gates(public_assignment: Assignment) -> None:
    """grade_folder goes through run_checks: a layer bug leaves train_xor's max lower."""
    report = grade(VARIANTS / "affine_db_keepdims", public_assignment)
    gated = [r for r in report.results if r.max_points == 0]
    assert [r.name for r in gated] == [
        "train_xor learns XOR with its default lr and epochs (seeds 1, 2, 3)"
    ]
    assert report.max_score == 26.0
