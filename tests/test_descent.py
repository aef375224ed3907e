"""Exact gradient descent (descent.py) and the network it runs on (network.py)."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import numpy as np
import pytest
from conftest import SOLUTION

from autograder.checks.descent import Layout, Variant, trajectory
from autograder.checks.network import RIGHT, Chain
from autograder.checks.numgrad import complex_step


def load_public_checks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("backprop_public", SOLUTION / "public_checks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PUBLIC = load_public_checks()
NETWORK = PUBLIC.NETWORK
X, Y = PUBLIC.XOR_X, PUBLIC.XOR_Y
THETA = PUBLIC.LAYOUT.flatten(PUBLIC.init_params(seed=3))


def test_layout_round_trips_and_names_elements() -> None:
    params = {"W": np.arange(6.0).reshape(2, 3), "b": np.array([7.0, 8.0])}
    layout = Layout.of(params)
    theta = layout.flatten(params)
    assert theta.tolist() == [0, 1, 2, 3, 4, 5, 7, 8]
    assert all(np.array_equal(layout.unflatten(theta)[k], v) for k, v in params.items())
    assert layout.element(4) == "W[1, 1]" and layout.element(7) == "b[1]"
    assert layout.mask(["b"]).tolist() == [1, 1, 1, 1, 1, 1, 0, 0]
    assert layout.bounds == [0, 6, 8]


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


def test_the_network_s_loss_and_gradient_are_the_checks_own() -> None:
    """One batched complex step gives exactly the per-direction complex steps."""
    assert NETWORK.loss(THETA, X, Y) == PUBLIC.flat_loss(THETA)
    exact = complex_step(PUBLIC.flat_loss, THETA)
    assert np.max(np.abs(NETWORK.gradient(THETA, X, Y) - exact)) == 0.0
    assert np.allclose(NETWORK.backprop(THETA, X, Y, RIGHT), exact, rtol=1e-13, atol=1e-16)


# The chain mistakes as public_checks.py wrote them by hand before they were generic.
def w2_first(theta: np.ndarray, lr: float) -> np.ndarray:
    p = PUBLIC.LAYOUT.unflatten(theta)
    grad = PUBLIC.LAYOUT.unflatten(complex_step(PUBLIC.flat_loss, theta))
    new_w2 = p["W2"] - lr * grad["W2"]
    z2 = PUBLIC.affine(PUBLIC.sigmoid(PUBLIC.affine(X, p["W1"], p["b1"])), p["W2"], p["b2"])
    half = lambda z: 0.5 * np.sum((PUBLIC.sigmoid(z.reshape(z2.shape)) - Y) ** 2)  # noqa: E731
    delta2 = complex_step(half, z2.ravel()).reshape(z2.shape)
    first = np.concatenate([p["W1"].ravel(), p["b1"]])

    def through_new_w2(t: np.ndarray) -> np.ndarray:
        a1 = PUBLIC.sigmoid(PUBLIC.affine(X, t[:8].reshape(2, 4), t[8:12]))
        return np.sum(delta2 * (a1 @ new_w2))

    layer1 = first - lr * complex_step(through_new_w2, first)
    return np.concatenate([layer1, new_w2.ravel(), p["b2"] - lr * grad["b2"]])


def no_output_derivative(theta: np.ndarray, lr: float) -> np.ndarray:
    error = PUBLIC.network_output(PUBLIC.LAYOUT.unflatten(theta)) - Y

    def linearised(t: np.ndarray) -> np.ndarray:
        p = PUBLIC.LAYOUT.unflatten(t)
        hidden = PUBLIC.sigmoid(PUBLIC.affine(X, p["W1"], p["b1"]))
        return np.sum(error * PUBLIC.affine(hidden, p["W2"], p["b2"]))

    return theta - lr * complex_step(linearised, theta)


@pytest.mark.parametrize(
    ("chain", "by_hand"),
    [
        (Chain(updated_first=frozenset({2})), w2_first),
        (Chain(skipped=frozenset({3})), no_output_derivative),
    ],
)
def test_chain_mistakes_are_the_hand_written_ones(chain: Chain, by_hand) -> None:  # type: ignore[no-untyped-def]
    step = THETA - 1.0 * NETWORK.backprop(THETA, X, Y, chain, 1.0)
    assert np.allclose(step, by_hand(THETA, 1.0), rtol=1e-13, atol=1e-15)


def test_a_shared_activation_uses_the_later_layer_s_derivative() -> None:
    """The hidden sigmoid's backward with the output sigmoid's cache: da1 * a2 (1 - a2)."""
    p = PUBLIC.LAYOUT.unflatten(THETA)
    a1 = PUBLIC.sigmoid(X @ p["W1"] + p["b1"])
    a2 = PUBLIC.sigmoid(a1 @ p["W2"] + p["b2"])
    delta2 = (a2 - Y) * a2 * (1 - a2)
    dz1 = (delta2 @ p["W2"].T) * a2 * (1 - a2)
    expected = np.concatenate([(X.T @ dz1).ravel(), dz1.sum(0), (a1.T @ delta2).ravel(),
                               delta2.sum(0)])  # fmt: skip
    got = NETWORK.backprop(THETA, X, Y, Chain(shared=((1, 3),)))
    assert np.allclose(got, expected, rtol=1e-12, atol=1e-15)
