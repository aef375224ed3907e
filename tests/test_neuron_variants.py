"""The neuron's catalogues of mistakes: each one costs its own function, and nothing else.

tests/fixtures/neuron_variants: complete submissions with one realistic
change; each is graded once with public and hidden checks, and must lose
points in exactly the components catalogue.py names (none for a
correct-but-different one), with the mistake named under a failed public
check. tests/fixtures/neuron_hidden: mistakes the public checks cannot see
(full public marks), each failing exactly its hidden checks, with their
catalogue sentence and nothing else.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from conftest import REPO

from autograder.core.results import FAILED, Report
from autograder.grading.assignment import Assignment, load_assignment
from autograder.grading.runner import GradeOptions, grade_folder
from autograder.i18n import t
from autograder.isolation.sandbox import SandboxConfig

SOLUTION = REPO / "solutions" / "neuron"
VARIANTS = REPO / "tests" / "fixtures" / "neuron_variants"
HIDDEN_FIXTURES = REPO / "tests" / "fixtures" / "neuron_hidden"

G_SHAPES = "hidden: gradients matches the reference on hidden data, one sample to many"
G_SATURATED = "hidden: gradients stays finite and right for saturated neurons"
G_UNTOUCHED = "hidden: gradients leaves X, y and w unmodified"
U_RATES = "hidden: update matches the reference for hidden weights and learning rates"
T_TRAJECTORY = "hidden: train matches the reference trainer from hidden starts and data"
T_LEARNS = "hidden: train learns other linearly separable targets with its defaults"
# fixture -> {failing hidden check: its catalogue sentence (key, fields)}
HIDDEN_TABLE: dict[str, dict[str, tuple[str, dict[str, str]]]] = {
    "gradients_sigmoid_derivative_from_exp": {G_SATURATED: ("neuron.hidden.saturated", {})},
    "gradients_alias_y": {
        G_UNTOUCHED: ("neuron.hidden.modified", {"function": "gradients", "name": "y"})
    },
    "gradients_squeezed": {G_SHAPES: ("neuron.hidden.gradients", {})},
    "update_lr_clipped": {U_RATES: ("neuron.hidden.update", {})},
    "train_uses_global_data": {
        T_TRAJECTORY: ("neuron.hidden.train", {}),
        T_LEARNS: ("neuron.hidden.learns", {}),
    },
}


def load_catalogue() -> ModuleType:
    spec = importlib.util.spec_from_file_location("neuron_catalogue", VARIANTS / "catalogue.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CATALOGUE = load_catalogue()


@pytest.fixture(scope="module")
def assignment() -> Assignment:
    return load_assignment(SOLUTION, with_hidden=True)


def graded(folder: Path, assignment: Assignment, seed: int = 0) -> Report:
    options = GradeOptions(seed=seed, sandbox=SandboxConfig("none"), report_data=False)
    return grade_folder(folder, assignment, options)[0]


def functions(source: str) -> dict[str, str]:
    """Each top-level function's code, markers and comments aside."""
    return {
        node.name: ast.unparse(node)
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef)
    }


def test_the_catalogue_matches_the_fixture_folders() -> None:
    folders = {p.name for p in VARIANTS.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == set(CATALOGUE.LOSES)
    assert set(CATALOGUE.MISTAKES) <= {n for n, loses in CATALOGUE.LOSES.items() if loses}
    assert sum(1 for loses in CATALOGUE.LOSES.values() if loses) >= 20
    assert sum(1 for loses in CATALOGUE.LOSES.values() if not loses) >= 5


@pytest.mark.parametrize(
    ("folder", "name"),
    [(VARIANTS, n) for n in sorted(CATALOGUE.LOSES) if CATALOGUE.LOSES[n]]
    + [(HIDDEN_FIXTURES, n) for n in sorted(HIDDEN_TABLE)],
)
def test_a_mistake_changes_one_function_of_the_reference(folder: Path, name: str) -> None:
    reference = functions((SOLUTION / "neuron.py").read_text())
    variant = functions((folder / name / "neuron.py").read_text())
    changed = sorted(f for f in reference if reference[f] != variant.get(f))
    assert len(changed) == 1, changed
    component = changed[0]
    if folder == VARIANTS:
        assert component in CATALOGUE.LOSES[name]


@pytest.mark.parametrize("name", sorted(CATALOGUE.LOSES))
def test_each_variant_loses_exactly_its_components(name: str, assignment: Assignment) -> None:
    report = graded(VARIANTS / name, assignment)
    failed = [r for r in report.results if not r.passed]
    assert {r.component for r in failed} == CATALOGUE.LOSES[name], [
        f"{r.name}: {r.message}" for r in failed
    ]
    assert all(r.status == FAILED and r.message for r in failed), "a grader error"
    public_failures = [r for r in failed if not r.hidden]
    assert bool(public_failures) == bool(CATALOGUE.LOSES[name]), "hidden checks only"
    mistake = CATALOGUE.MISTAKES.get(name)
    if mistake is not None:
        assert mistake in {r.mistake for r in public_failures}, [
            (r.name, r.mistake) for r in public_failures
        ]
        assert all(r.diagnosis for r in public_failures if r.mistake == mistake)


def test_a_first_loss_that_is_not_the_starts_is_not_called_untrained(
    assignment: Assignment,
) -> None:
    """A trainer that records mean((y_hat - y)^2) trains right: its losses do come from
    training. The sentence says what the run shows (losses[0] is not the loss of the
    given w and b) and both causes, not "do not come from training" alone."""
    report = graded(VARIANTS / "train_mean_loss_recorded", assignment)
    said = [r.diagnosis for r in report.results if r.mistake == "neuron.not_trained"]
    assert said and all("another way than loss(X, y, w, b)" in text for text in said), said


@pytest.mark.parametrize("name", sorted(HIDDEN_TABLE))
@pytest.mark.parametrize("seed", [0, 1])
def test_hidden_mistakes_fail_exactly_their_hidden_checks_with_one_sentence(
    name: str, seed: int, assignment: Assignment
) -> None:
    report = graded(HIDDEN_FIXTURES / name, assignment, seed)
    failed = {r.name: r for r in report.results if not r.passed}
    assert set(failed) == set(HIDDEN_TABLE[name]), {n: r.message for n, r in failed.items()}
    for check, (key, fields) in HIDDEN_TABLE[name].items():
        result = failed[check]
        assert result.hidden and result.status == FAILED
        assert result.message == t(key, **fields)
        assert result.diagnosis == "" and result.data == {}
