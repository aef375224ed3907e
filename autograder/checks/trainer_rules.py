"""The known trainer mistakes of a setup, the fitted ones, and how a match is named.

``standard_rules`` lists the update rules tried as they are (ascent, frozen
arrays, mistakes in the chain, per-sample steps, the default start or data);
``fitted_rules`` those with an unknown coefficient, fitted from the student's
losses at the first epoch the coefficient shows in (or from the parameters of
a run too short for that). ``trainer_names`` turns a match into a diagnosis.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import replace

import numpy as np

from autograder.checks.network import Chain
from autograder.checks.rules import (
    BEFORE,
    DESCENT,
    Recording,
    Rule,
    Setup,
    Trajectory,
    bias_entries,
)
from autograder.checks.trainer_names import number

# Coefficients a student is likely to write, tried first when fitting.
# Where a coefficient is looked for: a grid of the values students write, between
# which every sign change of the gap is refined into a root (so a loss that is not
# monotonic in the coefficient still gives up each of its roots).
SCALE_GRID = (-4.0, -2.0, -1.0, -0.5, -0.25, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 8.0)
MOMENTUM_GRID = (0.05, 0.2, 0.5, 0.8, 0.9, 0.95, 0.99, 0.999)
DECAY_GRID = (1e-5, 1e-4, 1e-3, 1e-2, 0.05, 0.1, 0.5)
LR_DECAY_GRID = (0.5, 0.8, 0.9, 0.95, 0.99, 0.999, 0.9999)


def standard_rules(setup: Setup) -> list[Rule]:
    layout, network = setup.network.layout, setup.network
    rules = [DESCENT, Rule("ascent", scale=-1.0)]
    if setup.samples > 1:
        rules.append(Rule("gradient_divided_by_n", scale=1.0 / setup.samples))
    biases = [len(shape) == 1 for shape in layout.shapes]
    if any(biases) and not all(biases):
        frozen = tuple(0.0 if bias else 1.0 for bias in biases)
        rules.append(Rule("biases_frozen", scales=frozen))
    rules += without_lr(setup, biases)
    for index, name in enumerate(layout.names):
        frozen = tuple(0.0 if i == index else 1.0 for i in range(len(layout.names)))
        rules.append(Rule("frozen", scales=frozen, fields=(("names", name),)))
    rules += array_rules(setup)
    activations = [i for i, piece in enumerate(network.pieces) if piece.elementwise]
    affines = [i for i, piece in enumerate(network.pieces) if not piece.elementwise]
    if activations:
        last = activations[-1]
        rules.append(Rule("no_output_derivative", chain=Chain(skipped=frozenset({last}))))
        for earlier in activations[:-1]:
            rules.append(Rule("shared_activation", chain=Chain(shared=((earlier, last),))))
            skipped = Chain(skipped=frozenset({earlier}))
            rules.append(Rule("no_hidden_derivative", chain=skipped))
    for index in affines[1:]:
        names = ", ".join(network.pieces[index].params)
        chain = Chain(updated_first=frozenset({index}))
        rules.append(Rule("w2_first", chain=chain, fields=(("names", names),)))
    rules.append(Rule("per_sample", per_sample=True))
    rules.append(Rule("restarts_each_epoch", restart=True))
    rules.append(Rule("normalised_gradient", normalise=True))
    rules.append(Rule("accumulated_gradients", momentum=1.0))
    if not np.array_equal(setup.start.astype(np.float32), setup.start):
        rules.append(Rule("float32", start="float32"))
    default_start = setup.default_start
    if (  # a default of another shape (another hidden size) is no run to re-make
        default_start is not None
        and np.shape(default_start) == np.shape(setup.start)
        and not np.array_equal(default_start, setup.start)
    ):
        rules.append(Rule("ignores_params", start="default"))
    if np.any(setup.start[bias_entries(setup.network.layout)] != 0):  # zeros it could not tell
        rules.append(Rule("zero_biases", start="zero_biases"))
    given = (setup.X, setup.y)
    if (  # default data of another width is no run to re-make either
        setup.default_data is not None
        and all(np.shape(a)[1:] == np.shape(b)[1:] for a, b in zip(setup.default_data, given))
        and not all(np.array_equal(a, b) for a, b in zip(setup.default_data, given))
    ):
        rules.append(Rule("ignores_data", data="default"))
    return rules


def without_lr(setup: Setup, biases: list[bool]) -> list[Rule]:
    """Steps that leave lr out on some arrays (``b -= db``): a gradient scaled by 1 / lr
    there. With lr = 1 nothing tells them from descent, so none is tried."""
    if setup.lr in (0.0, 1.0) or not math.isfinite(setup.lr):
        return []
    unscaled = 1.0 / setup.lr
    rules = []
    if any(biases) and not all(biases):
        for key, group in (("bias_step_without_lr", True), ("weight_step_without_lr", False)):
            scales = tuple(unscaled if bias == group else 1.0 for bias in biases)
            rules.append(Rule(key, scales=scales))
    for index, name in enumerate(setup.network.layout.names):
        scales = tuple(unscaled if i == index else 1.0 for i in range(len(biases)))
        rules.append(Rule("step_without_lr", scales=scales, fields=(("names", name),)))
    return rules


def array_rules(setup: Setup) -> list[Rule]:
    """Mistakes on one parameter array: ascent on it alone, or another array's gradient
    (one that broadcasts to its shape, so nothing fails)."""
    layout = setup.network.layout
    rules = []
    count = len(layout.names)
    for index, name in enumerate(layout.names):
        ascent = tuple(-1.0 if i == index else 1.0 for i in range(count))
        rules.append(Rule("partial_ascent", scales=ascent, fields=(("names", name),)))
    for target, name in enumerate(layout.names):
        for source, other in enumerate(layout.names):
            shapes = (layout.shapes[source], layout.shapes[target])
            if source != target and broadcasts(*shapes):
                fields = (("names", name), ("other", other))
                rules.append(Rule("wrong_gradient", grad_map=((target, source),), fields=fields))
    return rules


def broadcasts(source: tuple[int, ...], target: tuple[int, ...]) -> bool:
    try:
        return np.broadcast_shapes(source, target) == target
    except ValueError:
        return False


# -- fitted coefficients ---------------------------------------------------------------------
Family = tuple[str, Callable[[float], Rule], tuple[float, ...], int, tuple[float, float]]


def families() -> list[Family]:
    """(name, rule for a coefficient, grid, first epoch it shows in, allowed range)."""
    return [
        ("scale", lambda c: Rule("gradient_scaled", scale=c), SCALE_GRID, 1, (-1e3, 1e3)),
        ("momentum", lambda c: Rule("momentum", momentum=c), MOMENTUM_GRID, 2, (0.0, 1.0)),
        ("decay", lambda c: Rule("weight_decay", decay=c), DECAY_GRID, 1, (0.0, 1.0)),
        ("lr_decay", lambda c: Rule("lr_decay", lr_decay=c), LR_DECAY_GRID, 2, (0.0, 1.0)),
    ]


def fitted_rules(
    setup: Setup, losses: tuple[float, ...], theta: np.ndarray, steps: list[int]
) -> Iterator[tuple[Rule, Recording]]:
    """Each family's rule with its coefficient fitted, paired with each recording.

    The coefficient is fitted from the first loss it changes (under each
    recording); a run too short for that (one or two epochs) is fitted from
    its parameters instead, along the direction they moved. Either way the
    caller re-runs the fitted rule and keeps it only if the whole run matches.
    """
    start_loss = Trajectory(setup, DESCENT).loss(0)
    records = [BEFORE, Recording("loss_after_update", after=True)]
    scale = losses[0] / start_loss if losses and start_loss else math.nan
    if math.isfinite(scale) and not np.isclose(losses[0], start_loss, rtol=1e-6, atol=0):
        records.insert(1, Recording("loss_scaled", scale=nice(scale)))
    for _, make, grid, epoch, (low, high) in families():
        found: list[float] = []
        for recording in records:
            index = epoch - 1 if recording.after else epoch
            if index < len(losses):
                gap = loss_gap(setup, make, epoch, recording.scale, losses[index])
                found += roots(gap, grid, low, high)
        if len(losses) <= epoch:
            for count in [s for s in steps[:2] if s > 0]:
                found += roots(param_gap(setup, make, count, theta), grid, low, high)
        for value in unique(nice(c) for c in found):
            if low < value < high:
                rule = with_fields(make(value))
                yield from ((rule, recording) for recording in records)


def unique(values: Iterator[float]) -> list[float]:
    kept: list[float] = []
    for value in values:
        if all(abs(value - other) > 1e-9 * max(1.0, abs(other)) for other in kept):
            kept.append(value)
    return kept


def param_gap(
    setup: Setup, make: Callable[[float], Rule], count: int, theta: np.ndarray
) -> Callable[[float], float]:
    """c -> how far ``make(c)``'s parameters after ``count`` updates overshoot the
    student's, along the direction the student's parameters moved."""
    moved = np.asarray(theta, dtype=float) - setup.start
    norm = float(np.linalg.norm(moved))
    direction = moved / norm if norm > 0 else moved

    def gap(c: float) -> float:
        return float((Trajectory(setup, make(c)).theta(count) - theta) @ direction)

    return gap


def loss_gap(
    setup: Setup, make: Callable[[float], Rule], epoch: int, scale: float, target: float
) -> Callable[[float], float]:
    """c -> the loss recorded at ``epoch`` under ``make(c)``, minus the student's."""

    def gap(c: float) -> float:
        return scale * Trajectory(setup, make(c)).loss(epoch) - target

    return gap


def with_fields(rule: Rule) -> Rule:
    value = {
        "gradient_scaled": rule.scale,
        "momentum": rule.momentum,
        "weight_decay": rule.decay,
        "lr_decay": rule.lr_decay,
    }[rule.mistake]
    return replace(rule, fields=(("factor", number(value)),))


def nice(value: float) -> float:
    """``value``, or the simple number it equals to rounding (0.5, 0.9, 1/4...): a
    fitted coefficient is re-run as the student most likely wrote it. A value that is
    not finite (a student's infinite or NaN loss) stays as it is."""
    for denominator in (1, 2, 3, 4, 5, 8, 10, 16, 100, 1000, 10_000):
        if not math.isfinite(value * denominator):
            return value
        simple = round(value * denominator) / denominator
        if simple and abs(simple - value) <= 1e-9 * max(1.0, abs(value)):
            return simple
    return value


def roots(
    f: Callable[[float], float], grid: tuple[float, ...], low: float, high: float
) -> list[float]:
    """Zeros of ``f`` inside (low, high): grid points where it vanishes, and a root
    refined (regula falsi, Illinois) between each pair of grid points it changes sign."""
    values = [(c, f(c)) for c in grid]
    found = [c for c, v in values if abs(v) < 1e-13]
    for (a, fa), (b, fb) in zip(values, values[1:]):
        if np.isfinite(fa) and np.isfinite(fb) and fa * fb < 0:
            found.append(refine(f, a, fa, b, fb))
    for (a, fa), (_, fm), (b, fb) in zip(values, values[1:], values[2:]):
        if np.isfinite([fa, fm, fb]).all() and fa * fm > 0 and fm * fb > 0:
            if abs(fm) < min(abs(fa), abs(fb)):  # two roots may hide in (a, b)
                found += twin_roots(f, a, fa, b, fb, np.sign(fm))
    return [c for c in found if low < c < high and np.isfinite(c)]


def twin_roots(
    f: Callable[[float], float], a: float, fa: float, b: float, fb: float, sign: float
) -> list[float]:
    """The roots either side of f's extremum in (a, b), when it crosses zero there."""
    golden = (np.sqrt(5.0) - 1) / 2
    low, high = a, b
    for _ in range(50):  # golden-section search for the extremum of sign * f
        x1, x2 = high - golden * (high - low), low + golden * (high - low)
        if sign * f(x1) < sign * f(x2):
            high = x2
        else:
            low = x1
    middle = (low + high) / 2
    fm = f(middle)
    if abs(fm) < 1e-13:
        return [middle]
    if fm * sign > 0:
        return []
    return [refine(f, a, fa, middle, fm), refine(f, middle, fm, b, fb)]


def refine(f: Callable[[float], float], a: float, fa: float, b: float, fb: float) -> float:
    """The root of ``f`` between a and b, where f(a) and f(b) have opposite signs."""
    for _ in range(80):
        c = b - fb * (b - a) / (fb - fa)
        fc = f(c)
        if not np.isfinite(fc) or fc == 0 or abs(b - a) < 1e-15 * max(1.0, abs(c)):
            return c
        if fc * fb < 0:  # the root lies between b and c
            a, fa = b, fb
        else:  # Illinois: halve the stale end's value so the interval keeps shrinking
            fa /= 2
        b, fb = c, fc
    return b
