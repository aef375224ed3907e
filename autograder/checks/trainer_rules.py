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
SCALE_KEYS = frozenset({"ascent", "gradient_divided_by_n", "gradient_scaled", "ignores_lr"})


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


def fitted_rules(setup: Setup, losses: tuple[float, ...]) -> Iterator[tuple[Rule, Recording]]:
    """Each family's rule with its coefficient fitted from ``losses``, under each recording."""
    start_loss = Trajectory(setup, DESCENT).loss(0)
    scales = [BEFORE]
    if losses and start_loss and not np.isclose(losses[0], start_loss, rtol=1e-9, atol=0):
        scales.append(Recording("loss_scaled", scale=nice(losses[0] / start_loss)))
    for recording in [*scales, Recording("loss_after_update", after=True)]:
        for _, make, guesses, epoch, (low, high) in families():
            index = epoch - 1 if recording.after else epoch
            if index >= len(losses):
                continue

            gap = loss_gap(setup, make, epoch, recording.scale, losses[index])
            for root in roots(gap, guesses, low, high):
                yield with_fields(make(nice(root))), recording


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
    """Zeros of ``f`` found by the secant method from each guess, inside (low, high)."""
    found: list[float] = []
    for guess in guesses:
        a, b = guess, guess * 1.01 + 1e-4
        fa, fb = f(a), f(b)
        for _ in range(25):
            if not (np.isfinite(fa) and np.isfinite(fb)) or fa == fb or abs(fb) < 1e-15:
                break
            a, fa, b = b, fb, b - fb * (b - a) / (fb - fa)
            fb = f(b)
        if abs(fb) < 1e-12 and low < b < high and all(abs(b - r) > 1e-9 for r in found):
            found.append(float(b))
    return found


def number(value: float) -> str:
    return f"{value:.6g}"


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
    note = ""
    if setup.default_lr is not None and np.isclose(scale, setup.default_lr / setup.lr):
        note = t("diag.lr_note", default=number(setup.default_lr), lr=number(setup.lr))
    return "gradient_scaled", {"factor": number(scale), "note": note}


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
