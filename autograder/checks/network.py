"""A feed-forward network as a chain of trusted forward pieces, differentiated exactly.

The trainer diagnosis re-runs training under known mistakes, and many of
them are mistakes in how the error flows back through the chain: an
activation's backward skipped, one activation instance shared by two layers
(so the earlier one's backward uses the later one's cache), a layer's
weights updated before the error flows back through them. So the engine
needs the chain, not only its loss. A ``Network`` is that chain: pieces whose
``forward`` is the assignment's trusted forward function (``x @ W + b``, a
sigmoid), the parameter names each piece takes, and the loss
``L = 0.5 * sum((output - y) ** 2)``.

No backward formula is written anywhere: every derivative is a complex step
(exact to rounding, see ``numgrad``), batched over a leading axis so that
one call of a piece differentiates it in every direction at once. A piece's
forward must therefore broadcast over a leading batch axis, which NumPy's
``@`` and elementwise operations do; a piece without parameters is taken to
be elementwise (an activation).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograder.checks.descent import Layout
from autograder.checks.numgrad import COMPLEX_STEP

H = COMPLEX_STEP


@dataclass(frozen=True)
class Piece:
    """One layer of the chain: ``forward(x, *params)``; no params: elementwise."""

    forward: Callable[..., Any]
    params: tuple[str, ...] = ()

    @property
    def elementwise(self) -> bool:
        return not self.params


@dataclass(frozen=True)
class Chain:
    """How the error flows back, right or under known mistakes (by piece index).

    ``skipped``: activations whose backward is skipped; ``shared``: activation
    -> the later activation whose cache its backward uses; ``updated_first``:
    pieces whose parameters are updated before the error flows back through them.
    """

    skipped: frozenset[int] = frozenset()
    shared: tuple[tuple[int, int], ...] = ()
    updated_first: frozenset[int] = frozenset()


RIGHT = Chain()


@dataclass(frozen=True)
class Network:
    pieces: tuple[Piece, ...]
    layout: Layout
    ndim: int = 2  # of the data: batched parameters are padded to it
    key: str = field(default="", compare=False)

    @classmethod
    def chain(cls, pieces: Sequence[Piece], params: dict[str, Any], key: str = "") -> Network:
        return cls(tuple(pieces), Layout.of(params), key=key)

    # -- forward ----------------------------------------------------------------------
    def activations(self, theta: np.ndarray, X: np.ndarray) -> list[Any]:
        """[X, out of piece 0, out of piece 1, ...] at a flat (or batched (K, P)) theta."""
        params = self.unflatten(theta)
        values = [X]
        for piece in self.pieces:
            with np.errstate(over="ignore"):
                values.append(piece.forward(values[-1], *(params[p] for p in piece.params)))
        return values

    def unflatten(self, theta: np.ndarray) -> dict[str, Any]:
        if np.ndim(theta) == 1:
            return self.layout.unflatten(theta)
        count, bounds = theta.shape[0], self.layout.bounds
        arrays = {}
        for i, (name, shape) in enumerate(zip(self.layout.names, self.layout.shapes)):
            pad = (1,) * max(0, self.ndim - len(shape))
            arrays[name] = theta[:, bounds[i] : bounds[i + 1]].reshape((count, *pad, *shape))
        return arrays

    def loss(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> Any:
        """0.5 * sum((output - y) ** 2), one value per row of a batched theta."""
        squared = (self.activations(theta, X)[-1] - y) ** 2
        if np.ndim(theta) == 1:
            return 0.5 * np.sum(squared)
        return 0.5 * np.sum(squared.reshape(squared.shape[0], -1), axis=1)

    def gradient(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dL/dtheta by complex step in every direction at once (one batched forward)."""
        theta = np.asarray(theta, dtype=np.float64)
        directions = theta + 1j * H * np.eye(theta.size)
        return np.asarray(np.imag(self.loss(directions, X, y)) / H, dtype=np.float64)

    # -- backward, layer by layer -----------------------------------------------------
    def backprop(
        self, theta: np.ndarray, X: np.ndarray, y: np.ndarray, chain: Chain, lr: float = 0.0
    ) -> np.ndarray:
        """The gradient as layer-by-layer backpropagation computes it under ``chain``."""
        params = self.layout.unflatten(np.asarray(theta, dtype=np.float64))
        values = self.activations(theta, X)
        delta = np.asarray(values[-1], dtype=float) - y  # dL/d(output) of the half sum
        grads: dict[str, np.ndarray] = {}
        for index in range(len(self.pieces) - 1, -1, -1):
            piece, x = self.pieces[index], values[index]
            if piece.elementwise:
                if index not in chain.skipped:
                    source = dict(chain.shared).get(index, index)
                    delta = delta * local_derivative(self.pieces[source], values[source])
                continue
            args = [x, *(params[p] for p in piece.params)]
            found = vjp(piece.forward, args, delta, range(1, len(args)))
            grads.update(zip(piece.params, found))
            if index == 0:
                break
            if index in chain.updated_first:
                args = [x, *(params[p] - lr * grads[p] for p in piece.params)]
            delta = vjp(piece.forward, args, delta, [0])[0]
        return self.layout.flatten(grads)


def local_derivative(piece: Piece, v: Any) -> np.ndarray:
    """f'(v) of an elementwise piece, by one complex step."""
    with np.errstate(over="ignore"):
        return np.asarray(np.imag(piece.forward(np.asarray(v) + 1j * H)) / H, dtype=float)


def vjp(
    forward: Callable[..., Any], args: list[Any], delta: np.ndarray, wrt: Sequence[int] | range
) -> list[np.ndarray]:
    """d sum(delta * forward(*args)) / d args[i] for each i in ``wrt``, by batched complex step."""
    found = []
    out_ndim = np.ndim(delta)
    for i in wrt:
        a = np.asarray(args[i], dtype=np.float64)
        size = a.size
        pad = (1,) * max(0, out_ndim - a.ndim)
        basis = np.eye(size).reshape((size, *pad, *a.shape))
        trial = list(args)
        trial[i] = a + 1j * H * basis
        with np.errstate(over="ignore"):
            out = forward(*trial)
        summed = np.sum((out * delta).reshape(size, -1), axis=1)
        found.append(np.asarray(np.imag(summed) / H, dtype=np.float64).reshape(a.shape))
    return found
