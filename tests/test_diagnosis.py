"""Mistake diagnosis: every catalogued buggy submission gets its own, right diagnosis.

Submissions come from two catalogues: tests/fixtures/variants (read-only,
shared with test_variants.py) and tests/fixtures/diagnosis (mistakes the
variants do not cover: in-place changes, stale caches, fallbacks). Each is
graded by the public checks; the failed checks of the buggy component must
name exactly the expected mistake. Correct submissions get no diagnosis, and
a passing check never shows one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, SOLUTION, VARIANTS, grade
from test_variants import CATALOGUE

from autograder.checks.diagnosis import BackwardCase, Tolerance, diagnose_backward
from autograder.checks.numgrad import central_difference
from autograder.core.results import Report
from autograder.grading.assignment import Assignment
from autograder.grading.runner import GradeOptions, grade_folder
from autograder.i18n import t
from autograder.isolation.sandbox import SandboxConfig

MINE = REPO / "tests" / "fixtures" / "diagnosis"
MULTIPLY, AFFINE, SIGMOID, TRAIN = "MultiplyLayer", "AffineLayer", "SigmoidLayer", "train_xor"

# submission -> (component whose failed checks carry the diagnosis, the mistake's key)
EXPECTED: dict[str, tuple[str, str]] = {
    # missing / extra transpose
    "affine_dW_missing_transpose": (AFFINE, "missing_transpose"),
    "affine_dx_missing_transpose": (AFFINE, "missing_transpose"),
    "affine_dW_transposed": (AFFINE, "transposed"),
    # db not summed over the batch, averaged, summed over the wrong axis
    "affine_db_not_summed": (AFFINE, "not_summed"),
    "affine_db_averaged": (AFFINE, "averaged"),
    "affine_db_wrong_axis": (AFFINE, "wrong_axis"),
    # scaled by 1/N or N; wrong sign
    "affine_grads_divided_by_N": (AFFINE, "divided_by_n"),
    "affine_dW_times_N": (AFFINE, "times_n"),
    "affine_dW_sign_error": (AFFINE, "sign"),
    "sigmoid_sign_error": (SIGMOID, "sign"),
    # upstream gradient not multiplied in (or added)
    "affine_no_upstream": (AFFINE, "no_upstream"),
    "multiply_no_upstream": (MULTIPLY, "no_upstream"),
    "sigmoid_no_upstream": (SIGMOID, "no_upstream"),
    "sigmoid_adds_upstream": (SIGMOID, "adds_upstream"),
    # sigmoid derivative applied to v, or to sigma(a)
    "sigmoid_derivative_of_v": (SIGMOID, "derivative_of_input"),
    "sigmoid_derivative_of_sigma_a": (SIGMOID, "derivative_twice"),
    # Multiply outputs swapped; gradients in the wrong order; one uses the wrong input
    "multiply_swapped_outputs": (MULTIPLY, "swapped"),
    "multiply_no_switch": (MULTIPLY, "swapped"),
    "affine_wrong_order": (AFFINE, "wrong_order"),
    "multiply_dy_uses_y": (MULTIPLY, "other_gradient"),
    # upstream gradient or cached input modified in place; stale cache
    "multiply_upstream_modified": (MULTIPLY, "upstream_modified"),
    "sigmoid_input_modified": (SIGMOID, "input_modified"),
    "sigmoid_cache_modified": (SIGMOID, "cache_modified"),
    "affine_stale_cache": (AFFINE, "stale_cache"),
    # the trainer
    "xor_gradient_ascent": (TRAIN, "ascent"),
    "xor_err_y_minus_a_with_minus_update": (TRAIN, "ascent"),
    "xor_biases_not_updated": (TRAIN, "biases_frozen"),
    "xor_w2_updated_before_layer1": (TRAIN, "w2_first"),
    "xor_mean_loss": (TRAIN, "mean_loss"),
    "xor_loss_after_update": (TRAIN, "loss_after_update"),
    "xor_fake_training": (TRAIN, "not_trained"),
    "xor_returns_given_params": (TRAIN, "unchanged"),
    "xor_gradient_divided_by_N": (TRAIN, "gradient_divided_by_n"),
    "xor_forgets_output_sigmoid_backward": (TRAIN, "no_output_derivative"),
    "xor_per_sample_updates": (TRAIN, "per_sample"),
    # nothing matches: cosine, scale and worst element instead
    "sigmoid_unknown_mistake": (SIGMOID, "unmatched"),
    "xor_weight_decay": (TRAIN, "trainer_unmatched"),
}
# Buggy variants whose failure message already says all (a dtype, an
# AttributeError, a loss count, an in-place change of the caller's params,
# defaults too small to learn): no check may claim a diagnosis for them.
NO_DIAGNOSIS = (
    "multiply_fails_on_floats",
    "multiply_uses_shape",
    "multiply_float32",
    "xor_shallow_copy_in_place",
    "xor_losses_off_by_one",
    "xor_default_lr_too_small",
)
CORRECT = sorted(name for name, loses in CATALOGUE.LOSES.items() if not loses)


def folder(name: str) -> Path:
    return MINE / name if (MINE / name).is_dir() else VARIANTS / name


def test_every_buggy_variant_is_catalogued_here() -> None:
    buggy = {name for name, loses in CATALOGUE.LOSES.items() if loses}
    assert buggy <= set(EXPECTED) | set(NO_DIAGNOSIS)
    mine = {p.name for p in MINE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert mine <= set(EXPECTED)


def assert_passing_checks_show_none(report: Report) -> None:
    for result in report.results:
        if result.passed:
            assert result.diagnosis == "" and result.mistake == "", result.name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_buggy_submission_gets_its_own_diagnosis(name: str, public_assignment: Assignment) -> None:
    component, mistake = EXPECTED[name]
    report = grade(folder(name), public_assignment)
    failed = [r for r in report.results if not r.passed and r.component == component]
    assert {r.mistake for r in failed if r.mistake} == {mistake}, [
        (r.name, r.mistake, r.diagnosis) for r in failed
    ]
    assert all(r.diagnosis for r in failed if r.mistake)
    assert_passing_checks_show_none(report)


@pytest.mark.parametrize("name", NO_DIAGNOSIS)
def test_self_explaining_failures_claim_no_diagnosis(
    name: str, public_assignment: Assignment
) -> None:
    report = grade(VARIANTS / name, public_assignment)
    assert not report.all_passed
    assert [r.name for r in report.results if r.diagnosis or r.mistake] == []


@pytest.mark.parametrize("name", [*CORRECT, "reference"])
def test_correct_submission_gets_no_diagnosis(name: str, public_assignment: Assignment) -> None:
    report = grade(SOLUTION if name == "reference" else VARIANTS / name, public_assignment)
    assert report.all_passed
    assert_passing_checks_show_none(report)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("affine_dW_transposed", ["W's shape (4, 3)", "x.T @ dout"]),
        ("affine_db_averaged", ["N = 5"]),
        ("sigmoid_unknown_mistake", ["cosine similarity", "times", "dv["]),
        ("xor_fake_training", ["losses[0] is 1 ", "0.517077"]),
    ],
)
def test_diagnosis_sentences_carry_what_to_act_on(
    name: str, words: list[str], public_assignment: Assignment
) -> None:
    report = grade(folder(name), public_assignment)
    text = " ".join(r.diagnosis for r in report.results)
    for word in words:
        assert word in text


@pytest.mark.parametrize("name", ["affine_dW_transposed", "xor_gradient_ascent"])
def test_diagnosis_is_in_the_run_s_language(name: str, public_assignment: Assignment) -> None:
    component, mistake = EXPECTED[name]
    options = GradeOptions(include_hidden=False, sandbox=SandboxConfig("none"), lang="id")
    report, _ = grade_folder(folder(name), public_assignment, options)
    failed = [r for r in report.results if r.mistake == mistake]
    opening = t(f"diag.{mistake}", "id", **FIELDS).split("{")[0][:12]
    assert failed and all(r.diagnosis.startswith(opening) for r in failed), failed[0].diagnosis


FIELDS = {"name": "dW", "input": "W", "shape": (4, 3), "how": "", "n": 5, "layer": "AffineLayer"}


# -- the generic matcher on a synthetic three-input layer: out = x @ W + b ---------------
def affine_case(got_from: dict[str, np.ndarray] | None = None) -> BackwardCase:
    rng = np.random.default_rng(7)
    x, W, b = rng.standard_normal((5, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3)
    dout = rng.standard_normal((5, 3))

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
}


@pytest.mark.parametrize("mistake", sorted(SYNTHETIC))
def test_each_candidate_is_recognised_from_its_prediction(mistake: str) -> None:
    case = affine_case()
    found = diagnose_backward(affine_case(SYNTHETIC[mistake](case)), Tolerance(1e-7, 1e-5))
    assert found is not None and found.mistake == mistake, found


def test_right_gradients_get_no_diagnosis() -> None:
    assert diagnose_backward(affine_case(), Tolerance(1e-7, 1e-5)) is None


def test_a_modified_upstream_is_named_before_any_value() -> None:
    case = affine_case()
    changed = BackwardCase(**{**case.__dict__, "upstream_after": case.upstream * 2})
    found = diagnose_backward(changed, Tolerance(1e-7, 1e-5))
    assert found is not None and found.mistake == "upstream_modified"
