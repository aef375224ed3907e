"""The hidden cost checks: backpropagation passes, numerical differentiation fails, by CPU time.

Real student processes, real CPU time read from /proc by the grader. The
submissions come from the variant catalogue: the reference, the slowest
correct style (explicit Python loops), and the numerical shortcuts only a
cost check can judge (a central-difference AffineLayer is exact on a linear
layer; a central-difference trainer is within a hair of the trajectories).
The measured margins are printed by benchmarks/cost_checks.py, never
asserted here: a verdict is a verdict, a timing is a benchmark.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import SOLUTION, VARIANTS

from autograder.checks import CheckSuite
from autograder.core.results import Report
from autograder.grading.assignment import Assignment, load_assignment
from autograder.grading.runner import GradeOptions, grade_folder
from autograder.isolation.calls import CallOptions
from autograder.isolation.sandbox import SandboxConfig
from autograder.isolation.session import StudentSession, TimeoutPolicy

A_COST = "hidden: AffineLayer.backward costs a few forward passes (N=1, M=1, large D)"
T_COST = "hidden: train_xor costs a few forward passes on a wide network"
# A floor far above every cost limit: the cost checks must not be raised to it.
FLOOR = 60.0
NUMERICAL = "numerical differentiation (finite differences, complex steps"

# submission -> {cost check that fails: fragment}, cost checks not applicable
CASES: dict[str, tuple[dict[str, str], set[str]]] = {
    "reference": ({}, set()),
    "correct_loops": ({}, set()),
    "shortcut_affine_central_difference": ({A_COST: NUMERICAL}, {T_COST}),
    "shortcut_numerical_trainer": ({T_COST: NUMERICAL}, set()),
}


def cost_checks_only() -> Assignment:
    """The two cost checks, in their hidden order (the trainer's gated on AffineLayer)."""
    assignment = load_assignment(SOLUTION)
    assert assignment.hidden is not None
    hidden = CheckSuite(
        assignment.hidden.assignment,
        assignment.hidden.modules,
        assignment.hidden.components,
        hidden=True,
    )
    hidden.checks = [c for c in assignment.hidden.checks if c.name in (A_COST, T_COST)]
    empty = CheckSuite(assignment.public.assignment, assignment.modules, hidden.components)
    return dataclasses.replace(assignment, public=empty, hidden=hidden)


def grade(folder: Path) -> Report:
    options = GradeOptions(sandbox=SandboxConfig("none"), timeouts=TimeoutPolicy(floor=FLOOR))
    report, _ = grade_folder(folder, cost_checks_only(), options)
    return report


@pytest.mark.parametrize("name", sorted(CASES))
def test_cost_checks_pass_backpropagation_and_fail_numerical_differentiation(name: str) -> None:
    failing, not_applicable = CASES[name]
    report = grade(SOLUTION if name == "reference" else VARIANTS / name)
    results = {r.name: r for r in report.results}
    assert set(results) == {A_COST, T_COST}
    assert not report.grader_errors
    lost = {r.name for r in report.results if r.points < r.max_points}
    assert lost == set(failing), {r.name: r.message for r in report.results}
    for check, fragment in failing.items():
        message = results[check].message
        assert fragment in message, message
        # The numerical trainer finishes within FLOOR seconds (about 5 s): failing, it
        # proves the limit was the cost check's own, not raised to the timeout floor.
    assert {r.name for r in report.results if r.max_points == 0} == not_applicable
    for check in not_applicable:
        assert results[check].message.startswith("not applicable (0 points at stake)")


def test_the_cpu_of_child_processes_counts_in_a_cost_call(tmp_path: Path) -> None:
    """Work handed to a child process is the student's: counted by the grader's
    accounting of every process the student started, not reported by the worker."""
    (tmp_path / "layers.py").write_text(
        "import os, time\n\n"
        "def busy_child(seconds):\n"
        "    done, told = os.pipe()\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        end = time.process_time() + seconds\n"
        "        while time.process_time() < end: pass\n"
        "        os.write(told, b'1')\n"
        "        time.sleep(30)\n"
        "        os._exit(0)\n"
        "    os.read(done, 1)  # the child has spent its CPU, however loaded the machine\n"
        "    return pid\n"
    )
    (tmp_path / "xor.py").write_text("")
    config = SandboxConfig("none")
    with StudentSession(tmp_path, ["layers", "xor"], config) as session:
        session.call("layers.busy_child", 0.0)
        idle = session.last_cpu_seconds
        session.call("layers.busy_child", 0.6, call_options=CallOptions(limit=30.0))
        busy = session.last_cpu_seconds
    assert busy - idle >= 0.5
    assert [key for key, _ in session.limits.times][-2:] == ["#1", "#2"]


def test_a_cost_check_names_its_component_and_its_size() -> None:
    assignment = load_assignment(SOLUTION)
    assert assignment.hidden is not None
    checks = {c.name: c for c in assignment.hidden.checks}
    assert checks[A_COST].component == "AffineLayer" and checks[A_COST].requires == ()
    assert checks[T_COST].component == "train_xor"
    assert set(checks[T_COST].requires) == {"AffineLayer", "SigmoidLayer"}
    assert all(isinstance(c.function.__doc__, str) and "catch" in c.function.__doc__
               for c in (checks[A_COST], checks[T_COST]))  # fmt: skip
