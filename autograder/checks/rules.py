"""Training re-run exactly, as it should go and under each known mistake of a trainer.

A trainer's mistake is one of two kinds, and they combine freely:

* an *update rule* (``Rule``): how the parameters change each epoch; gradient
  descent, or ascent, a scaled step, frozen arrays, momentum, weight decay,
  per-sample steps, the error flowing back through the chain wrongly (see
  ``network.Chain``), the wrong start or data;
* a *recording* (``Recording``): what the student appends to ``losses``; the
  loss before each update, or after it, scaled, or with a flattened target
  that broadcasts ``(N, 1) - (N,)`` to ``(N, N)``.

``Setup`` is the run a check made (start parameters, data, lr, epochs), so
every simulation starts where the student's did. ``trajectory`` extends a run
lazily, one epoch at a time, and keeps it in a cache shared by every check
and every student a process grades (a batch's workers grade many students
with the same setups), so a mistake is simulated once per batch.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograder.checks.descent import Layout
from autograder.checks.network import RIGHT, Chain, Network

CACHE_SIZE = 512


@dataclass(frozen=True)
class Setup:
    """The run a check made; ``default_*`` are what train_xor would use on its own."""

    network: Network
    start: np.ndarray
    X: np.ndarray
    y: np.ndarray
    lr: float
    epochs: int
    default_start: np.ndarray | None = None
    default_data: tuple[np.ndarray, np.ndarray] | None = None
    default_lr: float | None = None

    @property
    def key(self) -> str:
        digest = hashlib.sha256(self.network.key.encode())
        for array in (self.start, self.X, self.y):
            digest.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
        digest.update(repr(float(self.lr)).encode())
        return digest.hexdigest()

    @property
    def samples(self) -> int:
        return int(np.shape(self.X)[0])


@dataclass(frozen=True)
class Rule:
    """An update rule: gradient descent (``mistake`` empty) or a known mistake.

    ``scales`` multiply each parameter array's gradient (0 freezes it), ``scale``
    the whole step; ``momentum`` keeps a velocity v = momentum * v + g;
    ``decay`` adds decay * theta to the gradient; ``chain`` changes how the
    error flows back; ``start``/``data`` = "default" ignore the given ones,
    ``start`` = "float32" starts from the given params rounded to float32, and
    ``start`` = "zero_biases" from the given weights with every bias at zero.
    """

    mistake: str = ""
    scales: tuple[float, ...] = ()
    scale: float = 1.0
    momentum: float = 0.0
    decay: float = 0.0
    chain: Chain = RIGHT
    per_sample: bool = False
    start: str = ""
    data: str = ""
    grad_map: tuple[tuple[int, int], ...] = ()  # (array, the array whose gradient it takes)
    restart: bool = False  # every epoch starts again from the given params
    normalise: bool = False  # each array's gradient divided by its norm
    lr_decay: float = 0.0  # lr multiplied by this every epoch (0: constant)
    fields: tuple[tuple[str, Any], ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Recording:
    """What is appended to ``losses`` each epoch (``mistake`` empty: the right loss)."""

    mistake: str = ""
    after: bool = False
    scale: float = 1.0
    broadcast: bool = False
    fields: tuple[tuple[str, Any], ...] = field(default=(), compare=False)


def bias_entries(layout: Layout) -> np.ndarray:
    """Which entries of a flat theta are biases: those of the 1-D parameter arrays
    (a layer's weights are 2-D; a one-neuron model's scalars are neither)."""
    return np.repeat([len(shape) == 1 for shape in layout.shapes], layout.sizes)


DESCENT = Rule()
BEFORE = Recording()


class Trajectory:
    """One rule's run from one setup, extended on demand.

    A cached run is shared by the threads of one process (the calibration and a
    student graded beside it, a Dask worker's threads): it is extended under a
    lock, or two threads would each append the same step.
    """

    def __init__(self, setup: Setup, rule: Rule) -> None:
        self.setup, self.rule = setup, rule
        self.lock = threading.RLock()
        start = setup.default_start if rule.start == "default" else setup.start
        if rule.start == "float32":  # params cast to float32; numpy's float64 gradients
            start = np.asarray(setup.start, dtype=np.float32)  # then train them in float64
        if rule.start == "zero_biases":
            start = np.where(bias_entries(setup.network.layout), 0.0, setup.start)
        self.thetas = [np.asarray(start, dtype=np.float64)]
        self.velocity = np.zeros_like(self.thetas[0])
        self.losses: dict[tuple[bool, int], float] = {}
        if rule.data == "default" and setup.default_data is not None:
            self.X, self.y = setup.default_data
        else:
            self.X, self.y = setup.X, setup.y
        sizes = setup.network.layout.sizes
        self.mask = np.repeat(np.asarray(rule.scales or [1.0] * len(sizes)), sizes)

    def theta(self, step: int) -> np.ndarray:
        with self.lock:
            while len(self.thetas) <= step:
                try:
                    self.thetas.append(self.next(self.thetas[-1]))
                except (ValueError, ArithmeticError, IndexError, TypeError):
                    # a rule this setup cannot re-make (shapes that do not fit): NaN from
                    # here on, which reproduces no student's numbers, so it is never named
                    self.thetas.append(np.full_like(self.thetas[-1], np.nan))
            return self.thetas[step]

    def loss(self, step: int, broadcast: bool = False) -> float:
        """L at the parameters after ``step`` updates (with the given data and target)."""
        key = (broadcast, step)
        with self.lock:
            if key not in self.losses:
                y = self.y.reshape(-1) if broadcast else self.y
                try:
                    value = float(np.real(self.setup.network.loss(self.theta(step), self.X, y)))
                except (ValueError, ArithmeticError, IndexError, TypeError):
                    value = math.nan  # as in ``theta``: a run that cannot be re-made
                self.losses[key] = value
            return self.losses[key]

    def next(self, theta: np.ndarray) -> np.ndarray:
        rule, lr, network = self.rule, self.setup.lr, self.setup.network
        if rule.lr_decay:
            lr *= rule.lr_decay ** (len(self.thetas) - 1)
        if rule.restart:
            theta = self.thetas[0]
        if rule.per_sample:
            for row in range(len(self.X)):
                x, y = self.X[row : row + 1], self.y[row : row + 1]
                theta = theta - lr * network.gradient(theta, x, y)
            return theta
        with np.errstate(all="ignore"):
            if rule.chain == RIGHT:
                gradient = network.gradient(theta, self.X, self.y)
            else:
                gradient = network.backprop(theta, self.X, self.y, rule.chain, lr)
            if rule.grad_map or rule.normalise:
                gradient = self.rearranged(gradient)
            gradient = rule.scale * self.mask * gradient + rule.decay * theta
            if rule.momentum:
                self.velocity = rule.momentum * self.velocity + gradient
                gradient = self.velocity
            return theta - lr * gradient

    def rearranged(self, gradient: np.ndarray) -> np.ndarray:
        """Arrays updated with another array's gradient (broadcast), or normalised."""
        layout = self.setup.network.layout
        arrays = layout.unflatten(gradient)
        for target, source in self.rule.grad_map:
            name = layout.names[target]
            arrays[name] = np.broadcast_to(arrays[layout.names[source]], layout.shapes[target])
        if self.rule.normalise:
            arrays = {k: v / max(float(np.linalg.norm(v)), 1e-300) for k, v in arrays.items()}
        return layout.flatten(arrays)


_CACHE: OrderedDict[tuple[str, Rule], Trajectory] = OrderedDict()
# Students graded in threads of one process (a Dask worker, a student graded beside
# the calibration) share the cache: an eviction must not fall between a look and a move.
_CACHE_LOCK = threading.Lock()


def trajectory(setup: Setup, rule: Rule) -> Trajectory:
    """The cached run of ``rule`` from ``setup`` (extended, never recomputed)."""
    key = (setup.key, rule)
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is None:
            found = _CACHE[key] = Trajectory(setup, rule)
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
        else:
            _CACHE.move_to_end(key)
        return found


def recorded(run: Trajectory, recording: Recording, epoch: int) -> float:
    """What ``recording`` appends at ``epoch`` of ``run``."""
    step = epoch + 1 if recording.after else epoch
    if run.rule.restart and not recording.after:
        step = 0  # every epoch's forward pass sees the given params again
    return recording.scale * run.loss(step, recording.broadcast)
