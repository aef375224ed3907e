"""Gradient descent computed exactly, as it should run and as students get it wrong.

The trusted trainer differentiates the loss by complex step (exact to
rounding, see numgrad.py) on a flat parameter vector, so it knows no
backward formula and no training loop of the student's. ``trajectory`` runs
it, right or under a ``Variant`` (ascent, frozen biases, a scaled loss or
gradient, the loss recorded after the update, or a step of the assignment's
own making): the expected runs of the trajectory checks. Naming a student's
mistake re-makes their run under many more (``rules``, ``trainer``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder.checks.diagnosis import Diagnosis, Tolerance, diagnosis
from autograder.checks.numgrad import complex_step

Loss = Callable[[np.ndarray], Any]
Step = Callable[[np.ndarray, float], np.ndarray]


@dataclass(frozen=True)
class Layout:
    """Named parameter arrays <-> one flat vector."""

    names: tuple[str, ...]
    shapes: tuple[tuple[int, ...], ...]

    @classmethod
    def of(cls, params: dict[str, np.ndarray]) -> Layout:
        return cls(tuple(params), tuple(np.shape(params[name]) for name in params))

    @property
    def sizes(self) -> list[int]:
        return [math.prod(shape) for shape in self.shapes]

    @property
    def bounds(self) -> list[int]:
        """Where each array starts in the flat vector, and where the last ends."""
        return [0, *itertools.accumulate(self.sizes)]

    def flatten(self, params: dict[str, Any]) -> np.ndarray:
        return np.concatenate([np.ravel(params[name]) for name in self.names])

    def unflatten(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        bounds = self.bounds
        return {
            name: theta[bounds[i] : bounds[i + 1]].reshape(shape)
            for i, (name, shape) in enumerate(zip(self.names, self.shapes))
        }

    def mask(self, frozen: Iterable[str]) -> np.ndarray:
        """1.0 for every trained element, 0.0 for the elements of ``frozen`` arrays."""
        frozen = set(frozen)
        return np.concatenate(
            [
                np.full(size, 0.0 if name in frozen else 1.0)
                for name, size in zip(self.names, self.sizes)
            ]
        )

    def element(self, flat_index: int) -> str:
        """``W1[0, 3]`` for a flat index."""
        bounds = np.cumsum([0, *self.sizes])
        which = int(np.searchsorted(bounds, flat_index, side="right")) - 1
        index = np.unravel_index(flat_index - int(bounds[which]), self.shapes[which])
        return f"{self.names[which]}[{', '.join(str(int(i)) for i in index)}]"


@dataclass(frozen=True)
class Variant:
    """Gradient descent, right (``mistake`` empty) or under one known mistake.

    ``loss_scale`` scales the loss that is both recorded and differentiated
    (a mean instead of a half sum); ``gradient_scale`` only the gradient;
    ``step`` replaces the whole update (mistakes in how gradients flow).
    """

    mistake: str = ""
    sign: float = 1.0
    gradient_scale: float = 1.0
    loss_scale: float = 1.0
    frozen: tuple[str, ...] = ()
    record_after: bool = False
    step: Step | None = None


CORRECT = Variant()


@dataclass(frozen=True)
class Run:
    """A training run: the loss recorded each epoch and the final parameters."""

    losses: tuple[float, ...]
    theta: np.ndarray


def trajectory(
    loss: Loss,
    layout: Layout,
    theta: np.ndarray,
    lr: float,
    epochs: int,
    variant: Variant = CORRECT,
) -> Run:
    """``epochs`` steps of ``variant`` from ``theta``."""
    mask = layout.mask(variant.frozen)

    def scaled(t: np.ndarray) -> Any:
        return variant.loss_scale * loss(t)

    losses = []
    for _ in range(epochs):
        if not variant.record_after:
            losses.append(float(np.real(scaled(theta))))
        if variant.step is not None:
            theta = variant.step(theta, lr)
        else:
            gradient = variant.gradient_scale * mask * complex_step(scaled, theta)
            theta = theta - variant.sign * lr * gradient
        if variant.record_after:
            losses.append(float(np.real(scaled(theta))))
    return Run(tuple(losses), theta)


# -- naming a student's training mistake ------------------------------------------------
TRAINING_TOLERANCE = Tolerance(atol=1e-9, rtol=1e-6)


def same_run(got: Run, other: Run, tolerance: Tolerance) -> bool:
    return tolerance.close(got.losses, other.losses) and tolerance.close(got.theta, other.theta)


def diagnose_training(
    got: Run,
    start: np.ndarray,
    expected: Run,
    simulate: Callable[[Variant], Run],
    variants: Iterable[Variant],
    layout: Layout,
    tolerance: Tolerance = TRAINING_TOLERANCE,
    prefix: str = "",
) -> Diagnosis | None:
    """The mistake whose simulated run the student's run matches, or the best account.

    ``got`` must have as many losses as ``expected`` (a wrong count is its
    own, clearer message). ``start`` is the initial parameter vector.
    ``prefix`` picks an assignment's own wording of the three accounts every
    trainer gets (``<prefix>unchanged``, ``<prefix>not_trained``,
    ``<prefix>trainer_unmatched``), since their sentences name the trainer.
    """
    if len(got.losses) != len(expected.losses):
        return None
    if np.array_equal(got.theta, start) and not np.array_equal(expected.theta, start):
        return diagnosis(prefix + "unchanged")
    for variant in variants:
        if same_run(got, simulate(variant), tolerance):
            return diagnosis(variant.mistake)
    first, initial = got.losses[0], expected.losses[0]
    if not tolerance.close(first, initial):
        return diagnosis(prefix + "not_trained", got=first, expected=initial)
    return unmatched_training(got.theta - start, expected.theta - start, layout, prefix)


def unmatched_training(
    change: np.ndarray, expected: np.ndarray, layout: Layout, prefix: str = ""
) -> Diagnosis:
    """How the student's parameter change compares with gradient descent's."""
    norms = float(np.linalg.norm(change) * np.linalg.norm(expected))
    cosine = float(change @ expected / norms) if norms > 0 else 0.0
    scale = float(np.linalg.norm(change) / max(float(np.linalg.norm(expected)), 1e-300))
    worst = int(np.argmax(np.abs(change - expected)))
    return diagnosis(
        prefix + "trainer_unmatched",
        cosine=cosine,
        scale=scale,
        where=layout.element(worst),
        got=float(change[worst]),
        expected=float(expected[worst]),
    )
