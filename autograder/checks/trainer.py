"""Naming a trainer's mistakes by reproducing its whole run, losses and parameters apart.

The student's run (the losses they recorded, the parameters they returned)
is compared with runs re-made from the same setup under every known update
rule and recording (``rules``). Losses and parameters are matched
separately, so two mistakes are told apart and combined: losses 0.25 times
the loss with exactly right parameters is a recording mistake alone, never
"the losses do not come from training". Losses are matched first, epoch by
epoch, so a rule that cannot have made them is dropped after an epoch or two
and only the rule that did runs to the end.

Rules with an unknown coefficient (a scaled step, momentum, weight decay) are
fitted from the first epochs the coefficient changes, and then re-run: the
fitted run must match the whole trajectory like any other. Reduced precision
(float32 parameters) cannot be re-run bit for bit; it is named when every
returned parameter is a float32 value and the run matches gradient descent
to a tolerance scaled to float32 rounding.

A diagnosis is only ever a reproduced run. When none is, the sentence says
plainly how the run differs (``describe_run``), its parameters compared with
descent's after the ``epochs`` asked for, however many losses were recorded.
Losses whose first is not the loss of the given params are said not to come
from training only when no forward pass reproduces it (the slides', or one
with an activation left out, the loss a simple multiple): otherwise the
sentence says the forward pass or the loss differs, which is what is known.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from autograder.checks.descent import Run
from autograder.checks.diagnosis import Diagnosis, Tolerance, diagnosis
from autograder.checks.difference import describe
from autograder.checks.network import Network
from autograder.checks.rules import (
    BEFORE,
    DESCENT,
    Recording,
    Rule,
    Setup,
    Trajectory,
    recorded,
    trajectory,
)
from autograder.checks.trainer_names import confirmed, named, simple
from autograder.checks.trainer_rules import fitted_rules, nice, standard_rules
from autograder.i18n import t

# Exact runs agree to ~1e-12 relative over 100 epochs (and correct trainers with
# the reference to ~1e-11 after 2000); known mistakes differ by 1e-3 or more
# after one epoch. The trajectory checks' own tolerance, so that a run failing
# them is never "reproduced" by gradient descent itself.
TOLERANCE = Tolerance(atol=1e-12, rtol=1e-8)
# float32 keeps 24 bits (eps 6e-8); a 100-epoch run drifts by ~1e-6 relative.
FLOAT32_PARAMS = Tolerance(atol=1e-5, rtol=1e-4)
FLOAT32_LOSSES = Tolerance(atol=1e-6, rtol=2e-5)
FLOAT32_EPOCHS = 10


def step_counts(count: int, epochs: int) -> list[int]:
    """Update counts that could have made ``count`` losses in ``epochs`` epochs."""
    found = []
    for steps in (epochs, count, epochs - 1, epochs + 1, count - 1, count + 1):
        if steps >= 0 and steps not in found:
            found.append(steps)
    return found


def recordings(run: Trajectory, losses: tuple[float, ...]) -> Iterator[Recording]:
    """The recordings to try on ``run``: right, after the update, a flattened target,
    and a constant factor fitted from the first loss (checked on all the others)."""
    yield BEFORE
    yield Recording("loss_after_update", after=True)
    if np.ndim(run.setup.y) == 2 and np.shape(run.setup.y)[1] == 1 and run.setup.samples > 1:
        yield Recording("target_broadcast", broadcast=True)
    if losses and run.loss(0) != 0:
        factor = losses[0] / run.loss(0)
        if np.isfinite(factor) and not TOLERANCE.close(factor, 1.0):
            yield Recording("loss_scaled", scale=nice(factor))


def losses_match(run: Trajectory, recording: Recording, losses: tuple[float, ...]) -> bool:
    return all(
        TOLERANCE.close(value, recorded(run, recording, epoch))
        for epoch, value in enumerate(losses)
    )


def params_steps(run: Trajectory, theta: np.ndarray, steps: list[int]) -> int | None:
    for count in steps:
        if TOLERANCE.close(theta, run.theta(count)):
            return count
    return None


@dataclass(frozen=True)
class Match:
    """A re-made run that reproduces the student's: the update rule, how many updates
    it made, and what it recorded (``wrong_loss``: the losses are not reproduced)."""

    rule: Rule
    count: int
    recording: Recording


def diagnose_run(setup: Setup, got: Run, rules: list[Rule] | None = None) -> Diagnosis | None:
    """The mistakes that reproduce the student's run, or how it differs from descent's."""
    descent = trajectory(setup, DESCENT)
    if (
        len(got.losses) == setup.epochs
        and np.array_equal(got.theta, setup.start)
        and not np.array_equal(descent.theta(setup.epochs), setup.start)
    ):
        if setup.epochs == 1 and losses_match(descent, BEFORE, got.losses):
            # the given params are also the params before the one update: returning
            # them or a copy kept from before the update make the same run
            return diagnosis("unchanged_or_stale")
        return diagnosis("unchanged", variable="p")
    found = reproduce(setup, got, rules)
    if found is not None:
        match = named(setup, found.rule, found.count, len(got.losses), found.recording)
        if match.mistake:  # else the run is gradient descent's: nothing to name
            return match
    return reduced_precision(setup, got, descent) or describe_run(setup, got, descent)


def reproduce(setup: Setup, got: Run, rules: list[Rule] | None = None) -> Match | None:
    """The first rule, update count and recording whose re-made run is the student's."""
    rules = standard_rules(setup) if rules is None else rules
    steps = step_counts(len(got.losses), setup.epochs)
    # a fitted rule that reproduces losses and parameters explains more than a fixed
    # one that reproduces the parameters alone (and spares re-running every rule)
    found = (
        by_losses_then_params(setup, got, rules, steps)
        or (None if float32_values(got) else by_fitted_rules(setup, got, steps))
        or by_params_alone(setup, got, rules, steps)
    )
    return counted(found, len(got.losses))


def counted(found: Match | None, losses: int) -> Match | None:
    """A match whose losses are only a prefix of its run (one loss for ten updates) has
    not reproduced them: one loss is recorded per update, give or take a loop that
    stops between recording and updating. Its parameters alone are reproduced."""
    if found is None or found.recording.mistake == "wrong_loss":
        return found
    if abs(losses - found.count) <= 1:
        return found
    return replace(found, recording=Recording("wrong_loss"))


def by_losses_then_params(
    setup: Setup, got: Run, rules: list[Rule], steps: list[int]
) -> Match | None:
    for rule in rules:
        run = trajectory(setup, rule)
        for recording in recordings(run, got.losses):
            if confirmed(rule, recording, len(got.losses)) and losses_match(
                run, recording, got.losses
            ):
                count = params_steps(run, got.theta, steps)
                if count is not None:
                    return Match(rule, count, recording)
    return None


def by_params_alone(setup: Setup, got: Run, rules: list[Rule], steps: list[int]) -> Match | None:
    """Parameters reproduced, losses not: the losses are not the loss of the run."""
    for rule in rules:
        count = params_steps(trajectory(setup, rule), got.theta, steps)
        if count is not None:
            return Match(rule, count, Recording("wrong_loss"))
    return None


def by_fitted_rules(setup: Setup, got: Run, steps: list[int]) -> Match | None:
    """A fitted rule whose whole re-run matches, and whose coefficient matters."""
    descent = trajectory(setup, DESCENT)
    for rule, recording in fitted_rules(setup, got.losses, got.theta, steps):
        run = Trajectory(setup, rule)
        if not confirmed(rule, recording, len(got.losses)):
            continue
        if losses_match(run, recording, got.losses):
            count = params_steps(run, got.theta, steps)
            if count is not None and not TOLERANCE.close(run.theta(count), descent.theta(count)):
                return Match(rule, count, recording)
    return None


def float32_values(got: Run) -> bool:
    """Every nonzero parameter a float32 value (a float64 run has almost none)."""
    values = got.theta[got.theta != 0]
    return bool(values.size) and np.array_equal(values.astype(np.float32).astype(float), values)


def reduced_precision(setup: Setup, got: Run, descent: Trajectory) -> Diagnosis | None:
    """Every parameter a float32 value, and descent's run to float32 rounding."""
    if not float32_values(got) or len(got.losses) != setup.epochs:
        return None
    shown = min(len(got.losses), FLOAT32_EPOCHS)
    first = [descent.loss(epoch) for epoch in range(shown)]
    if FLOAT32_LOSSES.close(got.losses[:shown], first) and FLOAT32_PARAMS.close(
        got.theta, descent.theta(setup.epochs)
    ):
        return diagnosis("float32", variable="p")
    return None


# -- when nothing reproduces the run --------------------------------------------------------
def describe_run(setup: Setup, got: Run, descent: Trajectory) -> Diagnosis:
    """Plainly: where the losses part from descent's, and how each array's change differs."""
    layout = setup.network.layout
    if not got.losses or not any(
        TOLERANCE.close(got.losses[0], value) for value in (descent.loss(0), descent.loss(1))
    ):
        first = f"{got.losses[0]:.6g}" if got.losses else "-"
        fields = {"got": first, "expected": f"{descent.loss(0):.6g}"}
        if got.losses and from_a_forward_pass(setup, got.losses[0]):
            return diagnosis("forward_differs", **fields)
        return diagnosis("not_trained", variable="losses", **fields)
    # the params after the epochs asked for: a wrong count of losses says nothing of
    # how many updates were made
    expected = descent.theta(setup.epochs)
    got_change = layout.unflatten(got.theta - setup.start)
    want_change = layout.unflatten(expected - setup.start)
    parts = [
        describe(
            t("trainer.change_of", name=name), got_change[name], want_change[name], TOLERANCE.close
        )  # fmt: skip
        for name in layout.names
        if not TOLERANCE.close(got_change[name], want_change[name])
    ]
    parted = next(
        (e for e, v in enumerate(got.losses) if not TOLERANCE.close(v, descent.loss(e))), None
    )
    losses = t("trainer.losses_part", epoch=parted) if parted is not None else ""
    text = t("diag.trainer_unmatched", details="; ".join(parts) or "-", losses=losses)
    return Diagnosis("trainer_unmatched", text)


def forward_variants(network: Network) -> list[Network]:
    """The chain with one activation left out, and with every one left out."""
    activations = [i for i, piece in enumerate(network.pieces) if piece.elementwise]
    skips = [{i} for i in activations] + ([set(activations)] if len(activations) > 1 else [])
    return [
        Network(
            tuple(p for i, p in enumerate(network.pieces) if i not in skip),
            network.layout,
            network.ndim,
            network.key,
        )
        for skip in skips
    ]


def from_a_forward_pass(setup: Setup, first: float) -> bool:
    """Whether ``first`` is a simple multiple (a mean, a doubled loss: 1, 1/2, 2/N...) of
    the loss of the given params under the slides' forward pass or one with an
    activation left out: losses from a forward pass, if not the slides'."""
    if not np.isfinite(first):
        return False
    for network in (setup.network, *forward_variants(setup.network)):
        try:
            with np.errstate(all="ignore"):
                value = float(np.real(network.loss(setup.start, setup.X, setup.y)))
        except (ValueError, ArithmeticError, IndexError, TypeError):
            continue
        if not np.isfinite(value) or value == 0:
            continue
        if TOLERANCE.close(first, value) or simple(first / value):
            return True
    return False


def failure_fields(found: Diagnosis | None, function: str) -> dict[str, str]:
    """``CheckFailed``'s diagnosis fields for a run of the student's ``function``."""
    if found is None:
        return {}
    return {
        "diagnosis": found.text,
        "mistake": found.mistake,
        "function": function,
        "variable": found.variable,
    }
