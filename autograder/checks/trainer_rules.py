"""The known trainer mistakes of a setup, the fitted ones, and how a match is named.

``standard_rules`` lists the update rules tried as they are (ascent, frozen
arrays, mistakes in the chain, per-sample steps, the default start or data);
``fitted_rules`` those with an unknown coefficient, fitted from the student's
losses at the first epoch the coefficient shows in; ``named`` turns a matched
(rule, update count, recording) into one diagnosis whose key joins its parts
with ``+`` (e.g. ``biases_frozen+loss_after_update``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from autograder.checks.diagnosis import Diagnosis
from autograder.checks.network import Chain
from autograder.checks.rules import BEFORE, DESCENT, Recording, Rule, Setup, Trajectory
from autograder.i18n import t

# Coefficients a student is likely to write, tried first when fitting.
SCALE_GUESSES = (2.0, 0.5, -1.0, 0.25)
MOMENTUM_GUESSES = (0.9, 0.5, 0.99)
DECAY_GUESSES = (1e-2, 1e-3, 1e-4)
SCALE_KEYS = frozenset({"ascent", "gradient_divided_by_n", "gradient_scaled"})


def standard_rules(setup: Setup) -> list[Rule]:
    layout, network = setup.network.layout, setup.network
    rules = [DESCENT, Rule("ascent", scale=-1.0)]
    if setup.samples > 1:
        rules.append(Rule("gradient_divided_by_n", scale=1.0 / setup.samples))
    biases = [len(shape) == 1 for shape in layout.shapes]
    if any(biases) and not all(biases):
        frozen = tuple(0.0 if bias else 1.0 for bias in biases)
        rules.append(Rule("biases_frozen", scales=frozen))
    for index, name in enumerate(layout.names):
        frozen = tuple(0.0 if i == index else 1.0 for i in range(len(layout.names)))
        rules.append(Rule("frozen", scales=frozen, fields=(("names", name),)))
    activations = [i for i, piece in enumerate(network.pieces) if piece.elementwise]
    affines = [i for i, piece in enumerate(network.pieces) if not piece.elementwise]
    if activations:
        last = activations[-1]
        rules.append(Rule("no_output_derivative", chain=Chain(skipped=frozenset({last}))))
        for earlier in activations[:-1]:
            rules.append(Rule("shared_activation", chain=Chain(shared=((earlier, last),))))
    for index in affines[1:]:
        names = ", ".join(network.pieces[index].params)
        chain = Chain(updated_first=frozenset({index}))
        rules.append(Rule("w2_first", chain=chain, fields=(("names", names),)))
    rules.append(Rule("per_sample", per_sample=True))
    if not np.array_equal(setup.start.astype(np.float32), setup.start):
        rules.append(Rule("float32", start="float32"))
    if setup.default_start is not None and not np.array_equal(setup.default_start, setup.start):
        rules.append(Rule("ignores_params", start="default"))
    if setup.default_data is not None and not all(
        np.array_equal(a, b) for a, b in zip(setup.default_data, (setup.X, setup.y))
    ):
        rules.append(Rule("ignores_data", data="default"))
    return rules


# -- fitted coefficients ---------------------------------------------------------------------
Family = tuple[str, Callable[[float], Rule], tuple[float, ...], int, tuple[float, float]]


def families() -> list[Family]:
    """(name, rule for a coefficient, guesses, first epoch it shows in, allowed range)."""
    return [
        ("scale", lambda c: Rule("gradient_scaled", scale=c), SCALE_GUESSES, 1, (-1e3, 1e3)),
        ("momentum", lambda c: Rule("momentum", momentum=c), MOMENTUM_GUESSES, 2, (0.0, 1.0)),
        ("decay", lambda c: Rule("weight_decay", decay=c), DECAY_GUESSES, 1, (0.0, 1.0)),
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
    if losses and start_loss and not np.isclose(losses[0], start_loss, rtol=1e-6, atol=0):
        records.insert(1, Recording("loss_scaled", scale=nice(losses[0] / start_loss)))
    for _, make, guesses, epoch, (low, high) in families():
        found: list[float] = []
        for recording in records:
            index = epoch - 1 if recording.after else epoch
            if index < len(losses):
                gap = loss_gap(setup, make, epoch, recording.scale, losses[index])
                found += roots(gap, guesses, low, high)
        if len(losses) <= epoch:
            for count in [s for s in steps[:2] if s > 0]:
                found += roots(param_gap(setup, make, count, theta), guesses, low, high)
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
    value = {"gradient_scaled": rule.scale, "momentum": rule.momentum}.get(rule.mistake)
    return replace(rule, fields=(("factor", number(rule.decay if value is None else value)),))


def nice(value: float) -> float:
    """``value``, or the simple number it equals to rounding (0.5, 0.9, 1/4...): a
    fitted coefficient is re-run as the student most likely wrote it."""
    for denominator in (1, 2, 3, 4, 5, 8, 10, 16, 100, 1000, 10_000):
        simple = round(value * denominator) / denominator
        if simple and abs(simple - value) <= 1e-9 * max(1.0, abs(value)):
            return simple
    return value


def roots(
    f: Callable[[float], float], guesses: tuple[float, ...], low: float, high: float
) -> list[float]:
    """Zeros of ``f`` found by the secant method from each guess (``low``/``high``
    bound the search: a run that wanders beyond them is dropped)."""
    found: list[float] = []
    for guess in guesses:
        a, b = guess, guess * 1.01 + 1e-4
        fa, fb = f(a), f(b)
        for _ in range(25):
            if not (np.isfinite(fa) and np.isfinite(fb)) or fa == fb or abs(fb) < 1e-15:
                break
            a, fa, b = b, fb, b - fb * (b - a) / (fb - fa)
            fb = f(b)
        if abs(fb) < 1e-12 and np.isfinite(b) and all(abs(b - r) > 1e-9 for r in found):
            found.append(float(b))
    return found


def number(value: float) -> str:
    return f"{value:.6g}"


def confirmed(rule: Rule, recording: Recording, count: int) -> bool:
    """A loss factor fitted from losses[0] is evidence only once another number confirms
    it: a second loss, an update scaled by the same factor (a loss differentiated), or
    the factor being a simple fraction."""
    if recording.mistake != "loss_scaled" or count >= 2 or simple(recording.scale):
        return True
    return rule.mistake in SCALE_KEYS and bool(np.isclose(abs(rule.scale), recording.scale))


def simple(value: float) -> bool:
    """A fraction with a small denominator (0.5, 0.25, 2): one loss equal to such a
    multiple of the loss to rounding is itself evidence (by chance: ~1e-9)."""
    return any(
        abs(value * d - round(value * d)) <= 1e-9 * max(1.0, abs(value * d)) and round(value * d)
        for d in (1, 2, 3, 4, 5, 8, 16)
    )


# -- naming a match --------------------------------------------------------------------------
def named(setup: Setup, rule: Rule, count: int, losses: int, recording: Recording) -> Diagnosis:
    """One diagnosis for the rule, the number of updates and the recording that matched:
    their parts in that order, the key joining their keys with ``+``."""
    combined = rule_parts(setup, rule, recording)
    head = combined if combined is not None else rule_part(setup, rule)
    tail = [] if combined is not None else recording_part(setup, recording)
    parts = [*head, *step_part(setup, count, losses), *tail]
    key = "+".join(k for k, _ in parts)
    text = "; ".join(t(f"diag.{k}", **fields) for k, fields in parts)
    variable = "losses" if tail and not head else "p"
    return Diagnosis(key, text, variable)


def rule_parts(setup: Setup, rule: Rule, recording: Recording) -> list[tuple[str, Any]] | None:
    """A scaled step with a loss scaled alike: the student differentiates their own loss."""
    if rule.mistake not in SCALE_KEYS or recording.mistake != "loss_scaled":
        return None
    loss, mean = recording.scale, 2.0 / (setup.samples * max(1, int(np.shape(setup.y)[-1])))
    same = "mean_loss" if np.isclose(loss, mean) else "scaled_loss"
    fields = {"factor": number(loss)}
    if np.isclose(rule.scale, loss):
        return [(same, fields)]
    if np.isclose(rule.scale, -loss):
        return [("ascent", {}), (same, fields)]
    return None


def rule_part(setup: Setup, rule: Rule) -> list[tuple[str, Any]]:
    if not rule.mistake:
        return []
    fields = dict(rule.fields)
    if rule.mistake == "gradient_scaled":
        return [scale_name(setup, rule.scale)]
    return [(rule.mistake, fields)]


def scale_name(setup: Setup, scale: float) -> tuple[str, dict[str, Any]]:
    if np.isclose(scale, -1.0):
        return "ascent", {}
    if np.isclose(scale, 1.0 / setup.samples):
        return "gradient_divided_by_n", {}
    fields = {"factor": number(scale)}
    if setup.default_lr is not None and np.isclose(scale, setup.default_lr / setup.lr):
        # the same run as a train_xor using DEFAULT_LR: the two cannot be told apart here
        return "lr_or_factor", {
            **fields,
            "default": number(setup.default_lr),
            "lr": number(setup.lr),
        }
    return "gradient_scaled", fields


def step_part(setup: Setup, count: int, losses: int) -> list[tuple[str, Any]]:
    epochs = setup.epochs
    if count == epochs:
        return []
    fields = {"epochs": epochs, "count": count, "losses": losses}
    if count == epochs - 1:
        return [("epochs_short", fields)]
    if count == epochs + 1:
        return [("epochs_extra", fields)]
    return [("early_stop", fields)] if count < epochs else [("epochs_extra", fields)]


def recording_part(setup: Setup, recording: Recording) -> list[tuple[str, Any]]:
    if not recording.mistake:
        return []
    if recording.mistake == "loss_scaled":
        return [("loss_scaled", {"factor": number(recording.scale)})]
    return [(recording.mistake, dict(recording.fields))]
