"""Mistake diagnosis: every catalogued mistake gets its own right diagnosis, no other.

The catalogue (tests/fixtures/diagnosis/catalogue.py) lists each buggy
submission with the key of the diagnosis that names it; 32 of them were
written before the diagnosis was built for them (``HELD_OUT``). Each is graded
by the instructor's assignment (public and hidden checks) and read as the
student reads it (``reports.view.student_view``): the named diagnoses shown,
public sentences and hidden hints alike, must be exactly the right one.
Five mistakes are documented misses (``MISSED``): a diagnosis never guesses
there. Correct submissions get no diagnosis, and a passing check never shows one.
"""

from __future__ import annotations

import copy
import importlib.util
from dataclasses import replace
from functools import cache
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from conftest import REPO, SOLUTION, VARIANTS
from test_variants import CATALOGUE as VARIANT_CATALOGUE

from autograder.checks.cases import BackwardCase
from autograder.checks.diagnosis import Tolerance, diagnose_backward, named
from autograder.checks.numgrad import central_difference
from autograder.core.results import Report
from autograder.grading.assignment import Assignment, load_assignment
from autograder.grading.runner import GradeOptions, grade_folder
from autograder.i18n import t
from autograder.isolation.sandbox import SandboxConfig
from autograder.reports.view import student_view

MINE = REPO / "tests" / "fixtures" / "diagnosis"
TOLERANCE = Tolerance(1e-7, 1e-5)


def load_catalogue() -> ModuleType:
    spec = importlib.util.spec_from_file_location("diagnosis_catalogue", MINE / "catalogue.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CATALOGUE = load_catalogue()
# What the student sees instead of the right diagnosis, and why no diagnosis is given.
MISSED: dict[str, set[str]] = {
    "sigmoid_unknown_mistake": set(),  # a * (1 - a) ** 2: no known mistake; said plainly
    "xor_ignores_lr": set(),  # DEFAULT_LR / lr = 2 = "a factor 2": both causes are named
    "xor_uses_default_lr": set(),  # the same mistake, written another way
    "affine_dx_zeros": set(),  # said plainly: "every element of dx is 0 times the right value"
    # losses[0] is not the loss of the given params: the forward pass or the loss differs
    "xor_forward_skips_hidden_sigmoid": set(),
}
MISSED_PLAIN = {
    "sigmoid_unknown_mistake": "unmatched",
    "xor_ignores_lr": "lr_or_factor",
    "xor_uses_default_lr": "lr_or_factor",
    "affine_dx_zeros": "unmatched",
    "xor_forward_skips_hidden_sigmoid": "forward_differs",
}
CORRECT = sorted(name for name, loses in VARIANT_CATALOGUE.LOSES.items() if not loses)


def folder(name: str) -> Path:
    return MINE / name if (MINE / name).is_dir() else VARIANTS / name


# Run 5 x 2000 epochs of the student's trainer, or a numerical shortcut for seconds, and
# never diagnose (their sentences say what is expected): left out for time.
SLOW = "hidden: train_xor learns XOR on at least 4 of 5 hidden seeds"
COSTS = (
    "hidden: AffineLayer.backward costs a few forward passes (N=1, M=1, large D)",
    "hidden: train_xor costs a few forward passes on a wide network",
)


@cache
def instructor() -> Assignment:
    assignment = load_assignment(SOLUTION, with_hidden=True)
    names = [c.name for c in assignment.hidden.checks]
    assert assignment.hidden is not None and {SLOW, *COSTS} <= set(names)
    hidden = copy.copy(assignment.hidden)
    hidden.checks = [c for c in assignment.hidden.checks if c.name not in (SLOW, *COSTS)]
    return replace(assignment, hidden=hidden)


@cache
def graded(name: str) -> Report:
    """Public and hidden checks, as the instructor grades (seed 0, no sandbox)."""
    options = GradeOptions(sandbox=SandboxConfig("none"), report_data=False)
    return grade_folder(SOLUTION if name == "reference" else folder(name), instructor(), options)[0]


def shown(report: Report) -> tuple[set[str], set[str]]:
    """(named mistakes, plain descriptions) the student reads, over every failed check."""
    names, plain = set(), set()
    for row, result in zip(student_view(report).rows, report.results):
        if not row.passed and (row.diagnosis or row.hint) and result.mistake:
            (names if named(result.mistake) else plain).add(result.mistake)
    return names, plain


def test_every_folder_and_buggy_variant_is_catalogued() -> None:
    catalogued = set(CATALOGUE.RIGHT) | set(CATALOGUE.SELF_EXPLAINING)
    mine = {p.name for p in MINE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    buggy = {name for name, loses in VARIANT_CATALOGUE.LOSES.items() if loses}
    assert mine <= catalogued and buggy <= catalogued
    assert len(CATALOGUE.HELD_OUT) >= 25 and not set(CATALOGUE.HELD_OUT) & set(CATALOGUE.ISSUE)


@pytest.mark.parametrize("name", sorted(CATALOGUE.RIGHT))
def test_each_mistake_gets_its_own_right_diagnosis(name: str) -> None:
    _, key = CATALOGUE.RIGHT[name]
    report = graded(name)
    names, plain = shown(report)
    assert not report.all_passed
    if name in MISSED:
        assert names == MISSED[name], (names, plain)
        assert MISSED_PLAIN.get(name, "") in plain | {""}
    else:
        assert names == {key}, [(r.name, r.mistake, r.diagnosis or r.hint) for r in report.results]
    for result in report.results:  # and says where, in the student's own code
        if not result.hidden and result.diagnosis and named(result.mistake):
            assert ".py, line " in result.where, (result.name, result.mistake)


@pytest.mark.parametrize("name", CATALOGUE.SELF_EXPLAINING)
def test_self_explaining_failures_claim_no_diagnosis(name: str) -> None:
    report = graded(name)
    assert not report.all_passed
    assert [r.name for r in report.results if named(r.mistake)] == []


@pytest.mark.parametrize("name", [*CORRECT, "reference"])
def test_correct_submission_gets_no_diagnosis(name: str) -> None:
    report = graded(name)
    assert report.all_passed
    assert [(r.name, r.mistake) for r in report.results if r.diagnosis or r.hint] == []


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("affine_dW_transposed", ["W's shape (4, 3)", "x.T @ dout"]),
        ("affine_db_averaged", ["N = 5"]),
        ("affine_cache_transposed", ["self.x = x", "(4, 5)", "`dW = self.x.T @ dout`"]),
        ("affine_dx_uses_x", ["self.x where self.W belongs", "dx = dout @ self.W.T"]),
        ("affine_dx_shape_guess", ["dx is computed as dout @ W", "write dx = dout @ W.T"]),
        ("xor_bias_update_without_lr", ["steps the biases without the learning rate", "lr * db"]),
        ("sigmoid_unknown_mistake", ["no known mistake reproduces dv", "dv["]),
        ("xor_fake_training", ["losses[0] is 1 ", "the loss of the params it was given is 0."]),
        ("xor_b1_frozen", ["never updates b1"]),
        ("xor_momentum", ["momentum 0.9"]),
        ("xor_mean_loss_recorded", ["records 0.5 times the loss"]),
    ],
)
def test_diagnosis_sentences_carry_what_to_act_on(name: str, words: list[str]) -> None:
    text = " ".join(r.diagnosis for r in graded(name).results)
    for word in words:
        assert word in text, text[:600]


@pytest.mark.parametrize(
    ("name", "never"),
    [  # each was said of a trainer that does not make the mistake, and no longer is
        ("xor_returns_best_params", ["range(epochs - 1)", "one epoch too few", ", unchanged:"]),
        ("xor_last_epoch_no_update", ["range(epochs - 1)", "one epoch too few"]),
        ("xor_forward_skips_hidden_sigmoid", ["do not come from training", "losses.append"]),
        ("xor_losses_every_10_epochs", ["no known trainer mistake", "is wrong"]),
    ],
)
def test_a_diagnosis_never_says_what_the_run_does_not_show(name: str, never: list[str]) -> None:
    said = [f"{r.diagnosis} {r.where} {r.hint}" for r in graded(name).results if r.mistake]
    assert said
    for words in never:
        assert not [text for text in said if words in text], words


@pytest.mark.parametrize("name", ["xor_zero_biases", "xor_ignores_params"])
def test_a_wrong_start_is_placed_at_the_trainer_not_its_update_line(name: str) -> None:
    """Where the run starts from is no one line; the update line it was pointed at is right."""
    places = {r.where for r in graded(name).results if r.mistake and not r.hidden}
    assert places and all(": def train_xor(" in where for where in places), places


def test_a_transpose_already_written_is_never_called_missing() -> None:
    """The issue's case: forward stores x.T, backward's own line reads x.T @ dout."""
    report = graded("affine_cache_transposed")
    mistakes = {r.mistake for r in report.results if r.component == "AffineLayer" and r.mistake}
    assert mistakes == {"cache_reshaped"}
    where = {r.where for r in report.results if r.mistake == "cache_reshaped"}
    assert where == {"AffineLayer.forward (layers.py, line 47: self.x = x.T)"}


@pytest.mark.parametrize("name", ["affine_dW_transposed", "xor_gradient_ascent"])
def test_diagnosis_is_in_the_run_s_language(name: str, public_assignment) -> None:  # type: ignore[no-untyped-def]
    _, mistake = CATALOGUE.RIGHT[name]
    options = GradeOptions(include_hidden=False, sandbox=SandboxConfig("none"), lang="id")
    report, _ = grade_folder(folder(name), public_assignment, options)
    failed = [r for r in report.results if r.mistake == mistake]
    opening = t(f"diag.{mistake}", "id", **FIELDS).split("{")[0][:12]
    assert failed and all(r.diagnosis.startswith(opening) for r in failed), failed[0].diagnosis
    assert all(", baris " in r.where for r in failed)


FIELDS = {"name": "dW", "input": "W", "shape": (4, 3), "how": "", "n": 5, "layer": "AffineLayer"}


# -- the generic matcher on a synthetic three-input layer: out = x @ W + b ---------------
def affine_case(got_from: dict[str, np.ndarray] | None = None, n: int = 5) -> BackwardCase:
    rng = np.random.default_rng(7)
    x, W, b = rng.standard_normal((n, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3)
    dout = rng.standard_normal((n, 3))

    def forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
        return x @ W + b

    expected = central_difference(lambda *a: float(np.sum(dout * forward(*a))), [x, W, b])
    local = central_difference(lambda *a: float(np.sum(forward(*a))), [x, W, b])
    grads = dict(zip(("dx", "dW", "db"), expected))
    grads.update(got_from or {})
    return BackwardCase(
        "AffineLayer", forward, ("dx", "dW", "db"), (x, W, b), dout, tuple(expected),
        tuple(local), None, (grads["dx"], grads["dW"], grads["db"]),
    )  # fmt: skip


SYNTHETIC = {
    "transposed": lambda c: {"dW": c.expected[1].T},
    "not_summed": lambda c: {"db": c.upstream},
    "wrong_axis": lambda c: {"db": c.upstream.sum(axis=1)},
    "averaged": lambda c: {"db": c.upstream.mean(axis=0)},
    "sign": lambda c: {"dx": -c.expected[0]},
    "divided_by_n": lambda c: {"dW": c.expected[1] / 5},
    "times_n": lambda c: {"dW": c.expected[1] * 5},
    "no_upstream": lambda c: {"dx": np.ones((5, 3)) @ c.inputs[1].T},
    "keepdims": lambda c: {"db": c.upstream.sum(axis=0, keepdims=True)},
    "summed_all": lambda c: {"db": np.float64(c.upstream.sum())},
    "transposed+sign": lambda c: {"dW": -c.expected[1].T},
    "sign+divided_by_n": lambda c: {"dx": -c.expected[0] / 5},
    "no_upstream+sign": lambda c: {"dx": -(np.ones((5, 3)) @ c.inputs[1].T)},
}


@pytest.mark.parametrize("mistake", sorted(SYNTHETIC))
def test_each_candidate_is_recognised_from_its_prediction(mistake: str) -> None:
    case = affine_case()
    found = diagnose_backward(affine_case(SYNTHETIC[mistake](case)), TOLERANCE)
    assert found is not None and found.mistake == mistake, found


def test_with_one_sample_a_reshape_and_not_summing_are_not_told_apart() -> None:
    case = affine_case(n=1)
    for db in (case.upstream, case.upstream.sum(axis=0, keepdims=True)):
        assert diagnose_backward(affine_case({"db": db}, n=1), TOLERANCE) is None


def test_right_gradients_get_no_diagnosis() -> None:
    assert diagnose_backward(affine_case(), TOLERANCE) is None


def test_a_modified_upstream_is_named_before_any_value() -> None:
    case = affine_case()
    changed = BackwardCase(**{**case.__dict__, "upstream_after": case.upstream * 2})
    found = diagnose_backward(changed, TOLERANCE)
    assert found is not None and found.mistake == "upstream_modified"


def test_a_cache_shared_by_instances_is_named() -> None:
    """What an interleaved check sees when the cache is a class attribute."""
    case = affine_case()
    rng = np.random.default_rng(8)
    x2 = rng.standard_normal((5, 4))
    other = central_difference(
        lambda *a: float(np.sum(case.upstream * case.forward(*a))), [x2, *case.inputs[1:]]
    )
    shared = BackwardCase(**{**case.__dict__, "elsewhere": tuple(other)})
    found = diagnose_backward(BackwardCase(**{**shared.__dict__, "got": tuple(other)}), TOLERANCE)
    assert found is not None and found.mistake == "shared_cache"


def test_an_unknown_mistake_is_described_plainly() -> None:
    case = affine_case()
    wrong = case.expected[1].copy()
    wrong[2] *= 3.0  # one whole row off
    found = diagnose_backward(affine_case({"dW": wrong}), TOLERANCE)
    assert found is not None and found.mistake == "unmatched"
    assert "only row(s) 2 of dW are wrong" in found.text and "cosine" not in found.text
