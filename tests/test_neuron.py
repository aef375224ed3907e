"""The neuron assignment: its reference, its skeleton, its notebook and its API.

The reference is imported in this process and run directly, independently of
the engine, so these tests would catch a wrong reference even if the checks
made the same mistake. Grading here is unsandboxed and in-process; the
sandboxed route runs in test_readme_walkthrough.py (`autograder grade`).
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import nbformat
import numpy as np
import pytest
from conftest import REPO

from autograder.core.results import Report
from autograder.distribution.notebook_build import student_notebook, sync_notebook
from autograder.distribution.skeleton import render_skeleton
from autograder.grading.assignment import Assignment, load_assignment
from autograder.grading.runner import GradeOptions, grade_folder
from autograder.i18n import CATALOGUE, check_title
from autograder.isolation.sandbox import SandboxConfig

SOLUTION = REPO / "solutions" / "neuron"
SKELETON = REPO / "assignments" / "neuron"
PUBLIC_POINTS, HIDDEN_POINTS = 15, 10
# The student API: (argument names, how many have defaults).
CONTRACT = {
    "sigmoid": (["v"], 0),
    "predict": (["X", "w", "b"], 0),
    "loss": (["X", "y", "w", "b"], 0),
    "gradients": (["X", "y", "w", "b"], 0),
    "update": (["w", "b", "dw", "db", "lr"], 0),
    "train": (["X", "y", "w", "b", "lr", "epochs"], 2),
}
TASKS = ["gradients", "update", "train"]


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def neuron() -> ModuleType:
    return load(SOLUTION / "neuron.py", "neuron_reference_under_test")


@pytest.fixture(scope="module")
def assignment() -> Assignment:
    return load_assignment(SOLUTION, with_hidden=True)


def graded(folder: Path, assignment: Assignment, seed: int = 0, hidden: bool = True) -> Report:
    options = GradeOptions(seed=seed, include_hidden=hidden, sandbox=SandboxConfig("none"))
    return grade_folder(folder, assignment, options)[0]


# -- the reference -----------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2, 731904268])
def test_reference_scores_full_marks_on_public_and_hidden_checks(
    assignment: Assignment, seed: int
) -> None:
    report = graded(SOLUTION, assignment, seed)
    assert [(r.name, r.message) for r in report.results if not r.passed] == []
    assert report.score == report.max_score == PUBLIC_POINTS + HIDDEN_POINTS
    assert report.grader_errors == ()


def significant(x: float, digits: int) -> float:
    return float(f"{x:.{digits - 1}e}")


def test_the_reference_reproduces_the_slides_worked_example(neuron: ModuleType) -> None:
    """By hand, from the reference's own functions: the slides' numbers, typos fixed."""
    x, y, w, b = neuron.X[:1], neuron.Y[:1], neuron.W_START, neuron.B_START
    v = float((x @ w + b)[0])
    y_hat = float(neuron.predict(x, w, b)[0])
    dw, db = neuron.gradients(x, y, w, b)
    new_w, new_b = neuron.update(w, b, dw, db, 1.0)
    assert significant(v, 2) == 0.09  # the slides print -0.09: -0.05 + 0.14 = +0.09
    assert significant(y_hat, 3) == 0.522
    assert [significant(g, 2) for g in dw] == [-0.013, 0.026] and significant(db, 2) == 0.13
    assert [significant(x, 3) for x in new_w] == [0.513, 0.674]
    assert significant(new_b, 2) == -0.13  # the slides print -0.37: 0 - 1 * 0.13


def exact_descent(X, y, starts: np.ndarray, biases: np.ndarray, lr: float, epochs: int):
    """Gradient descent from many starts at once (rows), written here independently."""
    w, b, first = starts.copy(), biases.copy(), np.full(len(starts), -1)
    for epoch in range(epochs):
        y_hat = 1.0 / (1.0 + np.exp(-(w @ X.T + b[:, None])))
        learned = np.all((y_hat > 0.5) == (y > 0.5), axis=1)
        learned &= np.max(np.abs(y_hat - y), axis=1) < 0.1
        first = np.where((first < 0) & learned, epoch, first)
        delta = (y_hat - y) * y_hat * (1 - y_hat)
        w, b = w - lr * delta @ X, b - lr * delta.sum(axis=1)
    return first


def test_default_lr_and_epochs_learn_every_hidden_target_from_any_start(
    neuron: ModuleType, assignment: Assignment
) -> None:
    """The hidden convergence check's promise: every target of its list, from 500
    random starts in [-1, 1), is learned with nearly half the default epochs to spare."""
    hidden = load(SOLUTION / "hidden_checks.py", "neuron_hidden_under_test")
    rng = np.random.default_rng(2024)
    starts, biases = 2 * rng.random((500, 2)) - 1, 2 * rng.random(500) - 1
    for X, y in hidden.tasks():
        first = exact_descent(X, y, starts, biases, neuron.DEFAULT_LR, neuron.DEFAULT_EPOCHS)
        assert np.all(first >= 0) and first.max() < neuron.DEFAULT_EPOCHS / 1.8, (X, y)
    w, b, losses = neuron.train(neuron.X, neuron.Y, neuron.W_START, neuron.B_START)
    y_hat = neuron.predict(neuron.X, w, b)
    assert np.max(np.abs(y_hat - neuron.Y)) < 0.1 and len(losses) == neuron.DEFAULT_EPOCHS


def test_train_keeps_its_contract(neuron: ModuleType) -> None:
    w = neuron.W_START.copy()
    new_w, new_b, losses = neuron.train(neuron.X, neuron.Y, w, 0.0, lr=1.0, epochs=25)
    assert len(losses) == 25 and all(type(x) is float for x in losses)
    assert losses[0] == pytest.approx(neuron.loss(neuron.X, neuron.Y, neuron.W_START, 0.0))
    np.testing.assert_array_equal(w, neuron.W_START)
    assert new_w.shape == (2,) and new_w.dtype == np.float64 and np.ndim(new_b) == 0
    assert losses[-1] < losses[0]


# -- the generated student folder and notebook --------------------------------------------
def test_committed_skeleton_is_exactly_what_the_command_generates() -> None:
    rendered = render_skeleton(SOLUTION)
    committed = {
        p.relative_to(SKELETON): p.read_bytes()
        for p in SKELETON.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert (
        sorted(committed)
        == sorted(rendered)
        == [
            Path("neuron.ipynb"),
            Path("neuron.py"),
            Path("public_checks.py"),
        ]
    )
    for relative, data in rendered.items():
        assert committed[relative] == data, f"{relative}: run autograder skeleton"


def test_every_solution_region_became_a_stub_naming_its_task() -> None:
    text = (SKELETON / "neuron.py").read_text()
    assert re.findall(r'raise NotImplementedError\("implement (\w+)"\)', text) == TASKS
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_skeleton_keeps_the_student_api(name: str) -> None:
    functions = {
        node.name: node
        for node in ast.parse((SKELETON / "neuron.py").read_text()).body
        if isinstance(node, ast.FunctionDef)
    }
    names, defaults = CONTRACT[name]
    args = functions[name].args
    assert [a.arg for a in args.args] == names and len(args.defaults) == defaults


def test_skeleton_scores_zero_without_crashing(assignment: Assignment) -> None:
    report = graded(SKELETON, load_assignment(SKELETON, with_hidden=False), hidden=False)
    assert report.score == 0 and report.max_score == PUBLIC_POINTS
    assert report.grader_errors == ()
    assert all("is not implemented yet" in r.message for r in report.results)
    # With the hidden checks too (the instructor grading an untouched skeleton).
    report = graded(SKELETON, assignment)
    assert report.score == 0 and report.max_score == PUBLIC_POINTS + HIDDEN_POINTS
    assert report.grader_errors == ()


def test_the_notebook_is_what_sync_generates_and_the_student_copy_too() -> None:
    assert not sync_notebook(SOLUTION, write=False), "run: autograder notebook solutions/neuron"
    reference = (SOLUTION / "neuron.ipynb").read_text()
    assert (SKELETON / "neuron.ipynb").read_text() == student_notebook(reference)


def test_the_notebooks_test_cells_carry_every_check_once_with_its_points(
    assignment: Assignment,
) -> None:
    checks = assignment.checks(include_hidden=True)
    points = {c.name: c.points for c in checks}
    named: list[str] = []
    for cell in nbformat.read(str(SOLUTION / "neuron.ipynb"), as_version=4).cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            names = re.findall(r'^    ["\'](.+)["\'],$', cell.source, re.M)
            # A hidden cell names its component; its checks are that component's hidden ones.
            for component in re.findall(r'^run_hidden_checks\("(\w+)"\)$', cell.source, re.M):
                names += [c.name for c in checks if c.hidden and c.component == component]
            assert cell.metadata.nbgrader.points == sum(points[n] for n in names) > 0
            named += names
    assert sorted(named) == sorted(points)


def test_every_public_check_has_a_title_in_every_language(assignment: Assignment) -> None:
    for check in assignment.public.checks:
        assert check_title(check.name, "en") == check.name
        assert check_title(check.name, "id") != check.name, check.name


def test_components_are_the_three_functions(assignment: Assignment) -> None:
    by_component: dict[str, float] = {}
    for check in assignment.checks(include_hidden=True):
        assert check.name.removeprefix("hidden: ").startswith(check.component), check.name
        by_component[check.component] = by_component.get(check.component, 0) + check.points
    assert by_component == {"gradients": 9, "update": 4, "train": 12}


def test_every_mistake_the_checks_can_name_has_a_sentence_and_a_label(
    assignment: Assignment,
) -> None:
    public = load(SOLUTION / "public_checks.py", "neuron_public_under_test")
    X, y, w, b = public.SLIDES_X, public.SLIDES_Y, public.W_START, public.B_START
    keys = {key for key, _ in public.gradient_mistakes(X, y, w, b)}
    keys |= {key for key, _ in public.update_mistakes(w, b, w, b, 0.5)}
    keys |= {variant.mistake for variant in public.train_mistakes(X, y)}
    keys |= {"neuron." + k for k in ("unchanged", "not_trained", "trainer_unmatched")}
    keys |= {"neuron.swapped", "neuron.db_not_summed", "neuron.update_in_place"}
    assert len(keys) == 24
    for key in keys:
        assert f"diag.{key}" in CATALOGUE and f"mistake.{key}" in CATALOGUE, key
