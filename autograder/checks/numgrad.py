"""Numerical derivatives: the trusted side of every gradient check.

Two methods, each chosen for its error budget:

* ``central_difference`` (f(x+h) - f(x-h)) / 2h: truncation error
  h^2 |f'''| / 6 plus rounding error about eps |f| / h. With h = 1e-5 in
  float64 (eps = 2.2e-16) both terms are near 1e-10 for the O(1) functions of
  this course, and exactly zero truncation for functions linear in the
  perturbed input (Multiply, Affine).
* ``complex_step`` Im f(x + ih) / h: no subtraction, so no cancellation; with
  h = 1e-30 the derivative is exact to rounding (about 1e-16 relative) for any
  forward pass built from +, *, @, exp and powers. It is used where errors
  would otherwise accumulate, as along a 100-step training trajectory, and
  for the expected gradients of layer checks (``complex_step_gradients``),
  whose tolerance can then be the rounding of float64 itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

CENTRAL_STEP = 1e-5
COMPLEX_STEP = 1e-30


def central_difference(
    f: Callable[..., float], inputs: Sequence[np.ndarray], h: float = CENTRAL_STEP
) -> list[np.ndarray]:
    """Gradient of the scalar ``f(*inputs)`` with respect to each input."""
    point = [np.array(x, dtype=np.float64) for x in inputs]
    grads = []
    for which, x in enumerate(point):
        grad = np.zeros_like(x)
        for index in np.ndindex(x.shape):
            saved = x[index]
            x[index] = saved + h
            upper = f(*point)
            x[index] = saved - h
            lower = f(*point)
            x[index] = saved
            grad[index] = (upper - lower) / (2 * h)
        grads.append(grad)
        point[which] = x
    return grads


def complex_step(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = COMPLEX_STEP
) -> np.ndarray:
    """Gradient of the real scalar ``f`` at the flat vector ``x``.

    ``f`` receives a complex vector and must use only analytic operations
    (no abs, no comparisons, no ``.real``).
    """
    x = np.asarray(x, dtype=np.float64)
    grad = np.empty_like(x)
    for i in range(x.size):
        shifted = x.astype(np.complex128)
        shifted[i] += 1j * h
        grad[i] = np.imag(f(shifted)) / h
    return grad


def complex_step_gradients(
    f: Callable[..., Any], inputs: Sequence[Any], h: float = COMPLEX_STEP
) -> list[np.ndarray]:
    """Gradient of the real scalar ``f(*inputs)`` with respect to each input, exactly.

    One complex step per element of each input (a Python number is a 0-d
    array). ``f`` receives complex arrays and must be analytic in them (+, *,
    @, exp; a sigmoid must branch on the real part, never overflow).
    """
    point = [np.array(x, dtype=np.complex128) for x in inputs]
    grads = []
    for which, x in enumerate(point):
        grad = np.zeros(x.shape)
        for index in np.ndindex(x.shape):
            shifted = x.copy()
            shifted[index] += 1j * h
            grad[index] = np.imag(f(*point[:which], shifted, *point[which + 1 :])) / h
        grads.append(grad)
    return grads
