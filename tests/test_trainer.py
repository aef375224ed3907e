"""Naming a trainer's mistakes by re-making its run (checks.trainer, rules, trainer_rules).

Runs are made here by the engine's own rules and by independent float32
arithmetic; each must be named as the mistake that made it, losses and
parameters apart, and a diagnosis must always be a run that reproduces the
student's numbers (a property test).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_descent import NETWORK, PUBLIC, X, Y

from autograder.checks import rules
from autograder.checks.descent import Run
from autograder.checks.diagnosis import named as diagnosis_named
from autograder.checks.rules import BEFORE, DESCENT, Recording, Rule, Setup, Trajectory, recorded
from autograder.checks.trainer import TOLERANCE, diagnose_run, reproduce
from autograder.checks.trainer_names import named
from autograder.checks.trainer_rules import standard_rules

AND_Y = np.array([[0.0], [0.0], [0.0], [1.0]])
EPOCHS = 8


def setup_for(seed: int = 3, y: np.ndarray = Y, epochs: int = EPOCHS, lr: float = 1.0) -> Setup:
    start = PUBLIC.LAYOUT.flatten(PUBLIC.init_params(seed=seed))
    return Setup(
        NETWORK, start, X, y, lr, epochs,
        default_start=PUBLIC.LAYOUT.flatten(PUBLIC.init_params()), default_data=(X, Y),
        default_lr=2.0,
    )  # fmt: skip


def student_run(
    setup: Setup, rule: Rule, recording: Recording = BEFORE, steps: int | None = None
) -> Run:
    """What a student's train_xor with this mistake returns (a fresh, uncached run)."""
    run = Trajectory(setup, rule)
    count = setup.epochs if steps is None else steps
    losses = tuple(recorded(run, recording, epoch) for epoch in range(count))
    return Run(losses, run.theta(count))


SETUP = setup_for(y=AND_Y)  # AND targets: a trainer on XOR's defaults shows


def rule_ids(rule: Rule) -> str:
    return rule.mistake + "".join(f"-{v}" for _, v in rule.fields) or "descent"


@pytest.mark.parametrize("rule", standard_rules(SETUP)[1:], ids=rule_ids)
def test_each_known_rule_is_named_as_itself(rule: Rule) -> None:
    found = diagnose_run(SETUP, student_run(SETUP, rule))
    expected = named(SETUP, rule, EPOCHS, EPOCHS, BEFORE)
    assert found is not None and (found.mistake, found.text) == (expected.mistake, expected.text)


def test_gradient_descent_itself_is_no_mistake() -> None:
    found = reproduce(SETUP, student_run(SETUP, DESCENT))
    assert found is not None and found.rule == DESCENT and found.recording == BEFORE


@pytest.mark.parametrize(
    ("recording", "key"),
    [
        (Recording("loss_after_update", after=True), "loss_after_update"),
        (Recording("target_broadcast", broadcast=True), "target_broadcast"),
        (Recording("loss_scaled", scale=0.25), "loss_scaled"),  # right params, scaled losses
        (Recording("loss_scaled", scale=2.0), "loss_scaled"),
    ],
)
def test_a_recording_mistake_with_right_parameters_is_that_alone(
    recording: Recording, key: str
) -> None:
    """The issue's shadowing: losses off by a factor, parameters exact, is no
    "the losses do not come from training"."""
    found = diagnose_run(SETUP, student_run(SETUP, DESCENT, recording))
    assert found is not None and found.mistake == key


def test_two_mistakes_are_told_apart_and_combined() -> None:
    frozen = next(r for r in standard_rules(SETUP) if dict(r.fields).get("names") == "b2")
    run = student_run(SETUP, frozen, Recording("loss_after_update", after=True))
    found = diagnose_run(SETUP, run)
    assert found is not None and found.mistake == "frozen+loss_after_update"
    assert "never updates b2" in found.text and "after the update" in found.text


@pytest.mark.parametrize(
    ("steps", "key"),
    [(EPOCHS - 1, "epochs_short"), (EPOCHS + 1, "epochs_extra"), (3, "early_stop")],
)
def test_update_counts_off_by_one_or_stopped_early(steps: int, key: str) -> None:
    found = diagnose_run(SETUP, student_run(SETUP, DESCENT, steps=steps))
    assert found is not None and found.mistake == key


def test_every_loss_recorded_but_params_from_before_the_last_update() -> None:
    """A copy kept as the best, or a break before the last update: EPOCHS right losses,
    the params after EPOCHS - 1 updates. No loop one epoch short (that records
    EPOCHS - 1 losses): its sentence named a range(epochs - 1) the student never wrote."""
    run = student_run(SETUP, DESCENT)
    stale = Run(run.losses, student_run(SETUP, DESCENT, steps=EPOCHS - 1).theta)
    found = diagnose_run(SETUP, stale)
    assert found is not None and found.mistake == "params_before_last_update"
    assert "range(epochs - 1)" not in found.text and found.variable == ""


def test_after_one_epoch_unchanged_params_may_be_from_before_the_update() -> None:
    """One epoch: returning the given params and returning the params from before the
    one update make the same run; the sentence names both, no mistake alone."""
    one = setup_for(y=AND_Y, epochs=1)
    run = student_run(one, DESCENT)
    found = diagnose_run(one, Run(run.losses, one.start.copy()))
    assert found is not None and found.mistake == "unchanged_or_stale"
    assert not diagnosis_named(found.mistake)
    wrong_loss = diagnose_run(one, Run((run.losses[0] + 0.1,), one.start.copy()))
    assert wrong_loss is not None and wrong_loss.mistake == "unchanged"


def test_right_params_with_too_few_losses_are_right_updates() -> None:
    """A loss recorded every few epochs: the params are descent's after EPOCHS updates,
    so the updates are right, however many losses there are."""
    run = student_run(SETUP, DESCENT)
    for losses in (run.losses[:1], run.losses[::4]):
        found = diagnose_run(SETUP, Run(losses, run.theta))
        assert found is not None and found.mistake == "wrong_loss", (len(losses), found)


def test_a_run_with_too_few_losses_is_compared_with_the_epochs_asked_for() -> None:
    run = student_run(SETUP, DESCENT)
    nudged = run.theta + 0.3 * (run.theta - SETUP.start)  # every change 1.3 times too big
    found = diagnose_run(SETUP, Run(run.losses[:1], nudged))
    assert found is not None and found.mistake == "trainer_unmatched"
    assert "is 1.3 times the right value" in found.text, found.text


def skipped_activation(setup: Setup, index: int) -> Setup:
    """The setup's network with the activation at ``index`` left out of the forward."""
    network = setup.network
    pieces = tuple(p for i, p in enumerate(network.pieces) if i != index)
    return replace(setup, network=replace(network, pieces=pieces))


def test_losses_from_another_forward_pass_are_not_called_untrained() -> None:
    """The output layer fed z1 instead of a1: the student trains, on a forward pass that
    is not the slides'. Said plainly, never "the losses do not come from training"."""
    run = student_run(skipped_activation(SETUP, 1), DESCENT)
    found = diagnose_run(SETUP, run)
    assert found is not None and found.mistake == "forward_differs", found
    assert "do not come from training" not in found.text and found.variable == ""
    mean = Run(tuple(v / 2 for v in run.losses), run.theta)  # and its mean over 4 samples
    found = diagnose_run(SETUP, mean)
    assert found is not None and found.mistake == "forward_differs", found


@pytest.mark.parametrize(
    ("rule", "key", "words"),
    [
        (Rule("momentum", momentum=0.9), "momentum", "momentum 0.9"),
        (Rule("weight_decay", decay=0.01), "weight_decay", "weight decay 0.01"),
        (Rule("gradient_scaled", scale=3.0), "gradient_scaled", "exactly 3 times"),
        (Rule("gradient_scaled", scale=2.7), "gradient_scaled", "exactly 2.7 times"),
        (Rule("momentum", momentum=0.85), "momentum", "momentum 0.85"),
        (Rule("lr_decay", lr_decay=0.95), "lr_decay", "by 0.95 every epoch"),
        (Rule("gradient_scaled", scale=2.0), "lr_or_factor", "DEFAULT_LR / lr (2 / 1)"),
    ],
)
def test_unknown_coefficients_are_fitted_and_the_fitted_run_must_match(
    rule: Rule, key: str, words: str
) -> None:
    found = diagnose_run(SETUP, student_run(SETUP, rule))
    assert found is not None and found.mistake == key and words in found.text


def test_a_mean_loss_differentiated_is_one_mistake_even_after_one_epoch() -> None:
    """One loss can confirm no factor; an update scaled by the same factor does."""
    one = setup_for(y=AND_Y, epochs=1)
    run = student_run(one, Rule("gradient_scaled", scale=0.5), Recording("loss_scaled", scale=0.5))
    found = diagnose_run(one, run)
    assert found is not None and found.mistake == "mean_loss"


def test_ignoring_the_data_shows_on_other_targets() -> None:
    found = diagnose_run(SETUP, student_run(SETUP, Rule("ignores_data", data="default")))
    assert found is not None and found.mistake == "ignores_data"


def float32_training(setup: Setup) -> Run:
    """Gradient descent written with float32 arrays throughout (independent of the engine)."""
    p = {k: v.astype(np.float32) for k, v in PUBLIC.LAYOUT.unflatten(setup.start).items()}
    x, y, lr = setup.X.astype(np.float32), setup.y.astype(np.float32), np.float32(setup.lr)
    losses = []
    for _ in range(setup.epochs):
        a1 = 1 / (1 + np.exp(-(x @ p["W1"] + p["b1"])))
        a2 = 1 / (1 + np.exp(-(a1 @ p["W2"] + p["b2"])))
        losses.append(float(0.5 * np.sum((a2 - y) ** 2)))
        d2 = (a2 - y) * a2 * (1 - a2)
        d1 = (d2 @ p["W2"].T) * a1 * (1 - a1)
        grads = {"W1": x.T @ d1, "b1": d1.sum(0), "W2": a1.T @ d2, "b2": d2.sum(0)}
        p = {k: p[k] - lr * grads[k] for k in p}
    trained = {k: v.astype(np.float64) for k, v in p.items()}
    return Run(tuple(losses), PUBLIC.LAYOUT.flatten(trained))


def test_float32_training_is_named_to_float32_rounding() -> None:
    found = diagnose_run(SETUP, float32_training(SETUP))
    assert found is not None and found.mistake == "float32"


def test_a_run_nothing_reproduces_is_described_plainly() -> None:
    run = student_run(SETUP, DESCENT)
    nudged = run.theta + 0.3 * (run.theta - SETUP.start)  # every change 1.3 times too big
    found = diagnose_run(SETUP, Run(run.losses, nudged))
    assert found is not None and found.mistake == "trainer_unmatched"
    assert "is 1.3 times the right value" in found.text and "cosine" not in found.text


def test_right_parameters_with_losses_from_elsewhere() -> None:
    run = student_run(SETUP, DESCENT)
    found = diagnose_run(SETUP, Run(tuple(np.sqrt(run.losses)), run.theta))
    assert found is not None and found.mistake == "wrong_loss"
    made_up = diagnose_run(SETUP, Run(tuple(1.0 / (1 + i) for i in range(EPOCHS)), run.theta + 1))
    assert made_up is not None and made_up.mistake == "not_trained"


def test_unchanged_parameters_are_named() -> None:
    run = student_run(SETUP, DESCENT)
    found = diagnose_run(SETUP, Run(run.losses, SETUP.start.copy()))
    assert found is not None and found.mistake == "unchanged"


def test_runs_are_simulated_once_per_setup_and_rule() -> None:
    """The cache a batch's workers share across checks and students."""
    run = student_run(SETUP, Rule("ascent", scale=-1.0))
    diagnose_run(SETUP, run)
    cached = rules.trajectory(SETUP, DESCENT)
    diagnose_run(setup_for(y=AND_Y), run)  # an equal setup, made anew
    assert rules.trajectory(setup_for(y=AND_Y), DESCENT) is cached
    assert len(cached.thetas) > 1


# -- the property: a diagnosis is a run that reproduces the student's numbers -------------
KNOWN = standard_rules(SETUP)
PERTURB = st.sampled_from([0.0, 1e-13, 1e-6, 1e-3])


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    rule=st.sampled_from(KNOWN),
    epochs=st.integers(1, 5),
    seed=st.integers(0, 50),
    noise=PERTURB,
    where=st.sampled_from(["losses", "params"]),
)
def test_a_diagnosis_always_reproduces_the_student_s_run(
    rule: Rule, epochs: int, seed: int, noise: float, where: str
) -> None:
    setup = setup_for(seed=seed, y=AND_Y, epochs=epochs)
    run = student_run(setup, rule)
    rng = np.random.default_rng(seed)
    if where == "losses":
        losses = tuple(v * (1 + noise * rng.standard_normal()) for v in run.losses)
        run = Run(losses, run.theta)
    else:
        run = Run(run.losses, run.theta * (1 + noise * rng.standard_normal(run.theta.shape)))
    found = reproduce(setup, run)
    if found is None:
        assert noise >= 1e-6  # an exact run of a known rule is always reproduced
        return
    again = Trajectory(setup, found.rule)  # made anew: no cache involved
    assert TOLERANCE.close(run.theta, again.theta(found.count))
    if found.recording.mistake != "wrong_loss":
        made = [recorded(again, found.recording, e) for e in range(len(run.losses))]
        assert TOLERANCE.close(run.losses, made)


@pytest.mark.parametrize("value", [np.inf, -np.inf, np.nan, 1e308])
@pytest.mark.parametrize("where", ["first", "every"])
@pytest.mark.parametrize("epochs", [1, EPOCHS])
def test_a_loss_that_is_not_finite_is_no_grader_error(
    value: float, where: str, epochs: int
) -> None:
    """An infinite, NaN or overflowing first loss made the fit of a scaled loss raise
    (round(inf)): the trajectory checks ended as grader errors instead of failing."""
    setup = setup_for(y=AND_Y, epochs=epochs)
    run = student_run(setup, DESCENT)
    losses = (value, *run.losses[1:]) if where == "first" else (value,) * len(run.losses)
    with np.errstate(all="ignore"):
        diagnose_run(setup, Run(losses, run.theta))  # raised OverflowError or ValueError


def test_a_run_extended_by_threads_at_once_is_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cached run is shared by the threads of one process (the calibration and a
    student graded beside it; the trajectory checks' expected runs are cached runs):
    two extending it at once appended the same step twice, a wrong run for both."""
    import threading
    import time

    computed = Trajectory.next

    def slow(self: Trajectory, theta: np.ndarray) -> np.ndarray:
        time.sleep(0.001)  # a thread switch here, as a longer step would give
        return computed(self, theta)

    monkeypatch.setattr(Trajectory, "next", slow)
    shared, alone = Trajectory(SETUP, DESCENT), Trajectory(SETUP, DESCENT)
    threads = [threading.Thread(target=shared.theta, args=(30,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(shared.thetas) == 31
    assert np.array_equal(shared.theta(30), alone.theta(30))
    assert shared.loss(30) == alone.loss(30)
