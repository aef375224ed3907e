"""The reference solution: full marks, converging defaults, the slides' numbers.

The reference is imported in this process (conftest.import_submission) and
run directly, independently of the engine, so these tests would catch a wrong
reference even if the checks had the same mistake.
"""

from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import SOLUTION, grade

from autograder.grading.assignment import Assignment, load_assignment
from autograder.grading.runner import GradeOptions, grade_folder
from autograder.isolation.sandbox import SandboxConfig

SEEDS = range(100)


def test_reference_scores_full_marks_on_the_public_checks(public_assignment: Assignment) -> None:
    report = grade(SOLUTION, public_assignment)
    assert [r.name for r in report.results if not r.passed] == []
    assert report.score == report.max_score == 28
    assert report.grader_errors == ()


def converged(reference: SimpleNamespace, seed: int) -> bool:
    """Every output on the right side of 0.5 and within 0.1 of its target."""
    xor = reference.xor
    trained, _ = xor.train_xor(xor.XOR_X, xor.XOR_Y, xor.init_params(seed=seed))
    output = xor.predict(xor.XOR_X, trained)
    right_side = np.all((output > 0.5) == (xor.XOR_Y > 0.5))
    return bool(right_side and np.max(np.abs(output - xor.XOR_Y)) < 0.1)


def test_default_lr_and_epochs_converge_for_99_of_100_seeds(reference: SimpleNamespace) -> None:
    failures = [seed for seed in SEEDS if not converged(reference, seed)]
    assert len(failures) <= 1, f"did not converge for seeds {failures}"


def test_train_xor_keeps_its_contract(reference: SimpleNamespace) -> None:
    xor = reference.xor
    params = xor.init_params(seed=7)
    before = {k: v.copy() for k, v in params.items()}
    trained, losses = xor.train_xor(xor.XOR_X, xor.XOR_Y, params, lr=1.0, epochs=25)
    assert len(losses) == 25 and all(type(loss) is float for loss in losses)
    initial = 0.5 * np.sum((xor.predict(xor.XOR_X, before) - xor.XOR_Y) ** 2)
    assert losses[0] == pytest.approx(initial, rel=1e-12)
    assert set(trained) == {"W1", "b1", "W2", "b2"}
    for name, value in params.items():
        np.testing.assert_array_equal(value, before[name])
        assert trained[name].shape == value.shape and trained[name].dtype == np.float64
    assert losses[-1] < losses[0]


def test_init_params_shapes_and_ranges(reference: SimpleNamespace) -> None:
    params = reference.xor.init_params(n_in=3, n_hidden=5, n_out=2, seed=1)
    assert {k: v.shape for k, v in params.items()} == {
        "W1": (3, 5),
        "b1": (5,),
        "W2": (5, 2),
        "b2": (2,),
    }
    assert all(np.all((-1 <= params[k]) & (params[k] < 1)) for k in ("W1", "W2"))
    assert not params["b1"].any() and not params["b2"].any()


def worked_example(layers: SimpleNamespace) -> dict[str, float]:
    """The slides' neuron through the reference's own layers, by hand."""
    w1, w2, b, x1, x2, y = 0.5, 0.7, 0.0, -0.1, 0.2, 0.0
    mul1, mul2, sig = layers.MultiplyLayer(), layers.MultiplyLayer(), layers.SigmoidLayer()
    v = mul1.forward(w1, x1) + mul2.forward(w2, x2) + b
    y_hat = sig.forward(v)
    dv = sig.backward(y_hat - y)  # dL/dy_hat = y_hat - y for L = (y_hat - y)^2 / 2
    dw1, _ = mul1.backward(dv)
    dw2, _ = mul2.backward(dv)
    alpha = 1.0
    return {
        "v": v,
        "y_hat": y_hat,
        "dL/dw1": dw1,
        "dL/dw2": dw2,
        "dL/db": dv,
        "w1'": w1 - alpha * dw1,
        "w2'": w2 - alpha * dw2,
        "b'": b - alpha * dv,
    }


def significant(x: float, digits: int) -> float:
    return float(f"{x:.{digits - 1}e}")


@pytest.mark.parametrize(
    ("name", "digits", "slides"),
    [
        ("v", 2, 0.09),  # the slides print -0.09: a typo, -0.05 + 0.14 = +0.09
        ("y_hat", 3, 0.522),
        ("dL/dw1", 2, -0.013),
        ("dL/dw2", 2, 0.026),
        ("dL/db", 2, 0.13),
        ("w1'", 3, 0.513),
        ("w2'", 3, 0.674),
        ("b'", 2, -0.13),  # the slides print -0.37: a typo, 0 - 1 * 0.13 = -0.13
    ],
)
def test_reference_layers_reproduce_the_slides_worked_example(
    reference: SimpleNamespace, name: str, digits: int, slides: float
) -> None:
    assert significant(float(worked_example(reference.layers)[name]), digits) == slides


@pytest.mark.parametrize("seed", [0, 20261205])
def test_the_preparation_makes_every_run_the_trajectory_checks_draw(seed: int) -> None:
    """A pool process prepares the expected runs for the batch's seed when it starts: the
    checks, which draw their seeds from the same generators, then compute none."""
    assignment = load_assignment(SOLUTION, with_hidden=False)
    module = sys.modules[assignment.public.checks[0].function.__module__]
    module.simulate.cache_clear()
    assignment.prepare(seed)
    prepared = module.simulate.cache_info()
    # (report_data off: the pages' expected curve is another simulation, of 2000 epochs)
    none = SandboxConfig("none")
    options = GradeOptions(seed=seed, include_hidden=False, sandbox=none, report_data=False)
    report, _ = grade_folder(SOLUTION, assignment, options)
    assert report.all_passed
    after = module.simulate.cache_info()
    assert prepared.misses == 7 and after.misses == prepared.misses and after.hits > 0
