"""Numerical derivatives against analytic ones, within their error budgets.

central_difference (h = 1e-5): truncation h^2 |f'''| / 6 plus rounding
eps |f| / h, about 1e-10 for these O(1) functions, so 1e-8 is a safe bound.
complex_step: exact to rounding, so 1e-13 relative.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from autograder.checks.numgrad import central_difference, complex_step, complex_step_gradients

RNG = np.random.default_rng(20240601)
D = RNG.standard_normal((3, 2))  # a fixed "upstream gradient" for weighted sums
X, W, B = RNG.standard_normal((3, 4)), RNG.standard_normal((4, 2)), RNG.standard_normal(2)
V = 2 * RNG.standard_normal((3, 2))
P = RNG.uniform(0.5, 2.0, 5)


def sigmoid(v: Any) -> Any:
    return 1 / (1 + np.exp(-v))


@dataclass(frozen=True)
class Case:
    f: Callable[..., Any]
    gradient: Callable[..., list[Any]]
    inputs: tuple[Any, ...]
    analytic: bool = True  # usable with complex_step (one flat vector input)


CASES = {
    "sum of squares": Case(lambda x: np.sum(x**2), lambda x: [2 * x], (P,)),
    "sum of cubes": Case(lambda x: np.sum(x**3), lambda x: [3 * x**2], (P,)),
    "sine": Case(lambda x: np.sum(np.sin(x)), lambda x: [np.cos(x)], (P,)),
    "exponential": Case(lambda x: np.sum(np.exp(x)), lambda x: [np.exp(x)], (P,)),
    "logarithm": Case(lambda x: np.sum(np.log(x)), lambda x: [1 / x], (P,)),
    "product": Case(lambda x: np.prod(x), lambda x: [np.prod(x) / x], (P,)),
    "weighted sigmoid": Case(
        lambda v: np.sum(D * sigmoid(v)), lambda v: [D * sigmoid(v) * (1 - sigmoid(v))], (V,)
    ),
    "weighted affine": Case(
        lambda x, w, b: np.sum(D * (x @ w + b)),
        lambda x, w, b: [D @ w.T, x.T @ D, D.sum(axis=0)],
        (X, W, B),
        analytic=False,
    ),
    "product of Python floats": Case(
        lambda x, y: 0.7 * x * y, lambda x, y: [0.7 * y, 0.7 * x], (1.3, -0.4), analytic=False
    ),
    "half squared error of a neuron": Case(
        lambda w: 0.5 * (sigmoid(w[0] * -0.1 + w[1] * 0.2 + w[2]) - 0.0) ** 2,
        lambda w: [
            (s := sigmoid(w[0] * -0.1 + w[1] * 0.2 + w[2])) * s * (1 - s) * np.array([-0.1, 0.2, 1])
        ],
        (np.array([0.5, 0.7, 0.0]),),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_central_difference_matches_the_analytic_gradient(name: str) -> None:
    case = CASES[name]
    numeric = central_difference(case.f, list(case.inputs))
    expected = case.gradient(*case.inputs)
    assert len(numeric) == len(expected)
    for got, want in zip(numeric, expected):
        assert np.shape(got) == np.shape(want) and got.dtype == np.float64
        np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.analytic))
def test_complex_step_is_exact_to_rounding(name: str) -> None:
    case = CASES[name]
    (x,) = case.inputs  # complex_step takes a flat vector: reshape around it
    got = complex_step(lambda flat: case.f(flat.reshape(x.shape)), x.ravel())
    np.testing.assert_allclose(got, case.gradient(x)[0].ravel(), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", sorted(CASES))
def test_central_difference_leaves_its_inputs_alone(name: str) -> None:
    case = CASES[name]
    inputs = [np.array(x, copy=True) if isinstance(x, np.ndarray) else x for x in case.inputs]
    central_difference(case.f, inputs)
    for before, after in zip(case.inputs, inputs):
        np.testing.assert_array_equal(before, after)


def test_complex_step_leaves_its_input_alone() -> None:
    x = P.copy()
    complex_step(CASES["sine"].f, x)
    np.testing.assert_array_equal(x, P)


def test_central_difference_is_exact_to_rounding_for_linear_functions() -> None:
    """No truncation error in the perturbed input: only rounding, ~eps |f| / h."""
    numeric = central_difference(lambda x, w, b: np.sum(D * (x @ w + b)), [X, W, B])
    for got, want in zip(numeric, [D @ W.T, X.T @ D, D.sum(axis=0)]):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


def test_central_difference_accepts_lists_and_returns_float64() -> None:
    (grad,) = central_difference(lambda x: float(np.sum(np.asarray(x) ** 2)), [[1, 2, 3]])
    assert grad.dtype == np.float64
    np.testing.assert_allclose(grad, [2.0, 4.0, 6.0], rtol=1e-9)


@pytest.mark.parametrize("case", sorted(CASES))
def test_complex_step_gradients_are_exact_for_every_input(case: str) -> None:
    """Per element of each input (Python numbers too): exact to rounding, 1e-13 relative."""
    c = CASES[case]
    for got, expected in zip(complex_step_gradients(c.f, c.inputs), c.gradient(*c.inputs)):
        assert np.allclose(got, expected, rtol=1e-13, atol=1e-15)


def test_remembered_layer_gradients_are_the_same_bits_and_never_shared() -> None:
    """gradcheck.exact_gradients remembers its answers per process (the checks' inputs
    come from the seed): a repeat gives the same bits, other bits give other answers,
    and a caller changing what it got changes nothing remembered."""
    from autograder.checks.gradcheck import exact_gradients

    def affine(x: Any, w: Any, b: Any) -> Any:
        return x @ w + b

    first = exact_gradients(affine, (X, W, B), D)
    first[0][...] = 0.0
    again = exact_gradients(affine, (X, W, B), D)
    expected = [D @ W.T, X.T @ D, D.sum(axis=0)]
    for got, want in zip(again, expected):
        np.testing.assert_allclose(got, want, rtol=1e-13)
    moved = exact_gradients(affine, (X + 1.0, W, B), D)  # other inputs: another answer
    np.testing.assert_allclose(moved[1], (X + 1.0).T @ D, rtol=1e-13)


class ClearedByAnotherThread(dict):
    """The memo as a second grading thread (a Dask worker's ``--nthreads 2``) can leave
    it: cleared, at 512 entries, right after this thread stored its answer."""

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self.clear()


def test_remembered_gradients_survive_the_memo_cleared_by_another_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from autograder.checks import gradcheck

    def affine(x: Any, w: Any, b: Any) -> Any:
        return x @ w + b

    monkeypatch.setattr(gradcheck, "_EXACT", ClearedByAnotherThread())
    got = gradcheck.exact_gradients(affine, (X, W, B), D)  # read back: KeyError
    np.testing.assert_allclose(got[1], X.T @ D, rtol=1e-13)
