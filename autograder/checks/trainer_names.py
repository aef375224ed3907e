"""Naming a reproduced run: one diagnosis for its update rule, update count and recording.

The key joins the parts' keys with ``+`` (``biases_frozen+loss_after_update``);
the sentence joins their sentences. A step and a loss scaled by the same
factor are one mistake (the student differentiates their own loss: ``mean_loss``
for the mean of squared errors). ``confirmed`` says when a loss factor fitted
from the first loss is evidence at all. An update count is named with its
losses' count as evidence: one update too few with every epoch's loss
recorded is no loop one epoch short, but params returned from before the
last update.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checks.diagnosis import Diagnosis
from autograder.checks.rules import Recording, Rule, Setup
from autograder.i18n import t

SCALE_KEYS = frozenset({"ascent", "gradient_divided_by_n", "gradient_scaled"})


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


# -- the parts --------------------------------------------------------------------------
def named(setup: Setup, rule: Rule, count: int, losses: int, recording: Recording) -> Diagnosis:
    """One diagnosis for the rule, the number of updates and the recording that matched:
    their parts in that order, the key joining their keys with ``+``."""
    combined = rule_parts(setup, rule, recording)
    head = combined if combined is not None else rule_part(setup, rule)
    tail = [] if combined is not None else recording_part(setup, recording)
    step = step_part(setup, count, losses)
    parts = [*head, *step, *tail]
    key = "+".join(k for k, _ in parts)
    text = "; ".join(t(f"diag.{k}", **fields) for k, fields in parts)
    variable = "losses" if tail and not head else "p"
    if not head and [k for k, _ in step] == ["params_before_last_update"]:
        variable = ""  # no one line: a copy kept, a break; the update line is right
    if rule.start or rule.data:
        variable = ""  # where the run starts (params, data) is no one line: the function
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
    if count == epochs - 1 and losses == epochs:
        # every epoch ran and recorded its loss; the params returned are from before the
        # last update (a copy kept as the best, a break before the last update)
        return [("params_before_last_update", fields)]
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
