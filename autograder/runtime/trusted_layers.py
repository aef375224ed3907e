"""Trusted layers: the lesson's forward passes, differentiated exactly by complex step.

The grader hands these to a student's ``train_xor`` for one call (the
worker swaps them in for the student's classes, then puts the student's
back), so that the trainer is graded on its own: a wrong layer then costs
only that layer's checks. They hold no backward formula of the assignment:
each backward is the complex-step derivative of the trusted forward,

    d/dx f(x) = Im f(x + i h) / h,  h = 1e-30,

which involves no subtraction, so it is exact to rounding (about 1e-16
relative) for forwards built from +, *, @ and exp. This module is public
code and lives in the student-side runtime: it imports only NumPy.

Cost. A complex step needs one forward per perturbation direction. Each
output element of Multiply and Sigmoid depends on one element of each
input, so one perturbation of *every* element at once gives the whole
gradient. For Affine, row n of the output depends only on row n of x and
column m only on column m of W: perturbing column d of x in every row (or
row d of W in every column) at once keeps those contributions apart, so
(dx, dW, db) take 2 D + 1 forwards. That is cheap for the XOR network
(D <= 8) and slow for wide layers, on purpose: the grader uses these only
for trajectory checks of at most 100 epochs on small networks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

STEP = 1e-30


def _complex(value: Any) -> Any:
    """``value`` as complex: a NumPy array (copy) or a Python complex number."""
    if isinstance(value, np.ndarray):
        return value.astype(np.complex128)
    return complex(value)


def _like(gradient: Any, value: Any) -> Any:
    """The gradient in the input's own kind: a float for a number, a float64 array of
    its shape. An upstream gradient that broadcast against the cache (a layer instance
    shared by two places of a network) stays broadcast, as the lesson's backward gives
    it: the trainer's own mistake then shows in its numbers, not as an error of ours."""
    if isinstance(value, np.ndarray):
        array = np.asarray(gradient, dtype=np.float64)
        return array.reshape(value.shape) if array.size == value.size else array
    return float(np.real(gradient))


def sigmoid(v: Any) -> Any:
    """1 / (1 + exp(-v)), branching on the real part so complex steps never overflow.

    For Re v >= 0, exp(-v) <= 1; for Re v < 0 the equal form exp(v) / (1 + exp(v))
    is used, whose exp(v) <= 1. Both are analytic, so the complex step stays exact.
    """
    z = np.asarray(v)
    negative = np.real(z) < 0
    safe = np.where(negative, z, -z)  # Re(safe) <= 0: exp never overflows
    e = np.exp(safe)
    out = np.where(negative, e / (1.0 + e), 1.0 / (1.0 + e))
    return out if isinstance(v, np.ndarray) else out[()]


class MultiplyLayer:
    """z = x * y, elementwise; backward by one complex step per input."""

    def forward(self, x: Any, y: Any) -> Any:
        self.x, self.y = x, y
        return x * y

    def backward(self, dz: Any) -> tuple[Any, Any]:
        dx = np.imag(dz * (_complex(self.x) + 1j * STEP) * self.y) / STEP
        dy = np.imag(dz * self.x * (_complex(self.y) + 1j * STEP)) / STEP
        return _like(dx, self.x), _like(dy, self.y)


def weighted(dout: np.ndarray, x: Any, W: Any, b: Any) -> np.ndarray:
    """Im(dout * forward) / h: each element's contribution to L = sum(dout * out)."""
    return np.imag(dout * (x @ W + b)) / STEP


class AffineLayer:
    """out = x @ W + b; backward by 2 D + 1 complex steps (see the module's docstring)."""

    def forward(self, x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.x, self.W, self.b = x, W, b
        return x @ W + b

    def backward(self, dout: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x, W, b = (np.asarray(a, dtype=np.float64) for a in (self.x, self.W, self.b))
        dx, dW = np.empty_like(x), np.empty_like(W)
        for d in range(x.shape[1]):
            shifted = x.astype(np.complex128)
            shifted[:, d] += 1j * STEP  # column d of every row: rows stay apart
            dx[:, d] = weighted(dout, shifted, W, b).sum(axis=1)
            shifted_w = W.astype(np.complex128)
            shifted_w[d, :] += 1j * STEP  # row d of every column: columns stay apart
            dW[d, :] = weighted(dout, x, shifted_w, b).sum(axis=0)
        db = weighted(dout, x, W, b + 1j * STEP).sum(axis=0)
        return dx, dW, _like(db, self.b)


class SigmoidLayer:
    """a = sigmoid(v), elementwise; backward by one complex step."""

    def forward(self, v: Any) -> Any:
        self.v = v
        self.a = np.real(sigmoid(v))
        return self.a

    def backward(self, da: Any) -> Any:
        dv = np.imag(da * sigmoid(_complex(self.v) + 1j * STEP)) / STEP
        return _like(dv, self.v)


CLASSES: dict[str, type] = {
    "MultiplyLayer": MultiplyLayer,
    "AffineLayer": AffineLayer,
    "SigmoidLayer": SigmoidLayer,
}


@contextmanager
def substituted(modules: Iterable[Any], originals: dict[str, Any]) -> Iterator[None]:
    """Within the block, every global of ``modules`` bound to an original class is trusted.

    ``originals`` maps a class name of ``CLASSES`` to the student's class it
    replaces. Every name bound to that class object (``AffineLayer``, an
    alias, ``layers.AffineLayer`` itself) is rebound, then restored, so the
    swap holds for one call only.
    """
    swaps: list[tuple[dict[str, Any], str, Any]] = []
    replacement = {id(cls): CLASSES[name] for name, cls in originals.items() if name in CLASSES}
    try:
        for module in modules:
            namespace = getattr(module, "__dict__", {})
            for key, value in list(namespace.items()):
                if id(value) in replacement and isinstance(value, type):
                    swaps.append((namespace, key, value))
                    namespace[key] = replacement[id(value)]
        yield
    finally:
        for namespace, key, value in reversed(swaps):
            namespace[key] = value
