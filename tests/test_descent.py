"""Exact gradient descent, its known-mistake variants, and naming a run's mistake."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import numpy as np
import pytest
from conftest import SOLUTION

from autograder.checks.descent import CORRECT, Layout, Run, Variant, diagnose_training, trajectory


def load_public_checks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("backprop_public", SOLUTION / "public_checks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PUBLIC = load_public_checks()
MISTAKES = {variant.mistake: variant for variant in PUBLIC.TRAINER_MISTAKES}
EPOCHS = 10


def test_layout_round_trips_and_names_elements() -> None:
    params = {"W": np.arange(6.0).reshape(2, 3), "b": np.array([7.0, 8.0])}
    layout = Layout.of(params)
    theta = layout.flatten(params)
    assert theta.tolist() == [0, 1, 2, 3, 4, 5, 7, 8]
    assert all(np.array_equal(layout.unflatten(theta)[k], v) for k, v in params.items())
    assert layout.element(4) == "W[1, 1]" and layout.element(7) == "b[1]"
    assert layout.mask(["b"]).tolist() == [1, 1, 1, 1, 1, 1, 0, 0]


def test_descent_on_a_quadratic_is_exact() -> None:
    """L = 0.5 |theta|^2: each step multiplies theta by (1 - lr)."""
    layout = Layout(("t",), ((3,),))
    start = np.array([1.0, -2.0, 4.0])
    run = trajectory(lambda t: 0.5 * np.sum(t * t), layout, start, 0.25, 3)
    assert np.allclose(run.theta, start * 0.75**3, rtol=1e-14)
    assert run.losses[0] == pytest.approx(0.5 * 21.0)


@pytest.mark.parametrize(
    ("variant", "factor"),
    [(Variant("ascent", sign=-1.0), 1.25), (Variant("half", gradient_scale=0.5), 0.875)],
)
def test_sign_and_scale_variants_change_the_step(variant: Variant, factor: float) -> None:
    layout = Layout(("t",), ((2,),))
    start = np.array([1.0, 2.0])
    run = trajectory(lambda t: 0.5 * np.sum(t * t), layout, start, 0.25, 1, variant)
    assert np.allclose(run.theta, start * factor)


def test_recording_after_the_update_shifts_the_losses_by_one() -> None:
    right = PUBLIC.simulate(0, 1.0, EPOCHS)
    after = PUBLIC.simulate(0, 1.0, EPOCHS, MISTAKES["loss_after_update"])
    assert after.losses[:-1] == right.losses[1:]
    assert np.array_equal(after.theta, right.theta)


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_each_simulated_mistake_is_named_as_itself(mistake: str) -> None:
    """Distinct mistakes give distinct runs, so the first match is the right one."""
    got = PUBLIC.simulate(0, 1.0, EPOCHS, MISTAKES[mistake])
    found = diagnose(got)
    assert found is not None and found.mistake == mistake


def diagnose(got: Run):  # type: ignore[no-untyped-def]
    start = PUBLIC.LAYOUT.flatten(PUBLIC.init_params(seed=0))
    return diagnose_training(
        got,
        start,
        PUBLIC.simulate(0, 1.0, EPOCHS),
        lambda v: PUBLIC.simulate(0, 1.0, EPOCHS, v),
        PUBLIC.TRAINER_MISTAKES,
        PUBLIC.LAYOUT,
    )


def test_unchanged_params_and_made_up_losses_are_named() -> None:
    right = PUBLIC.simulate(0, 1.0, EPOCHS, CORRECT)
    start = PUBLIC.LAYOUT.flatten(PUBLIC.init_params(seed=0))
    unchanged = diagnose(Run(right.losses, start.copy()))
    made_up = diagnose(Run(tuple(1.0 / (1 + i) for i in range(EPOCHS)), right.theta + 1.0))
    assert unchanged is not None and unchanged.mistake == "unchanged"
    assert made_up is not None and made_up.mistake == "not_trained"


def test_an_unknown_run_gets_cosine_scale_and_worst_element() -> None:
    right = PUBLIC.simulate(0, 1.0, EPOCHS)
    start = PUBLIC.LAYOUT.flatten(PUBLIC.init_params(seed=0))
    nudged = right.theta + 0.3 * (right.theta - start)  # same direction, 1.3 times the size
    found = diagnose(Run(right.losses, nudged))
    assert found is not None and found.mistake == "trainer_unmatched"
    assert "cosine similarity 1.000" in found.text and "1.3 times" in found.text


def test_a_run_with_the_wrong_number_of_losses_is_left_to_its_message() -> None:
    right = PUBLIC.simulate(0, 1.0, EPOCHS)
    assert diagnose(Run(right.losses[:-1], right.theta)) is None
