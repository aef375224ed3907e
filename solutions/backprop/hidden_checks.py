"""Hidden checks of the backprop assignment: the instructor's, never the students'.

Files named ``hidden*`` are left out of the student release, so this module
may use the reference solution that lives beside it (layers.py, xor.py),
imported into the *grader's* process, where it is trusted. Inputs are drawn
from ``ctx.rng``: the engine seeds it from the instructor's seed and the
check name, so one seed option picks the hidden inputs, always the same.

These checks cover what the public ones cannot see: saturated sigmoids,
degenerate shapes, NumPy scalars, side effects of ``backward`` and state
kept between calls, training on seeds, data and shapes the student has
never run, and the *cost* of backward and of training, which tells
backpropagation from numerical differentiation (checks/cost.py).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from autograder.checks import CheckSuite, Context
from autograder.checks.cost import within_cost
from autograder.checks.descent import Run
from autograder.checks.diagnosis import Tolerance
from autograder.checks.expect import expect_array_like
from autograder.checks.layer_probes import (
    LayerSpec,
    check_repeatable,
    check_untouched,
    context,
    expect_finite,
    expect_reference,
    reference_pass,
    scalar_name,
    student_gradients,
)
from autograder.checks.network import Network, Piece
from autograder.checks.reference import load_reference
from autograder.checks.rules import Setup
from autograder.checks.trainer import diagnose_run, failure_fields
from autograder.core.errors import CheckFailed
from autograder.grading.assignment import load_module
from autograder.i18n import t
from autograder.isolation.calls import CallOptions

MULTIPLY = LayerSpec("MultiplyLayer", ("x", "y"), ("dx", "dy"), "dz")
AFFINE = LayerSpec("AffineLayer", ("x", "W", "b"), ("dx", "dW", "db"), "dout")
SIGMOID = LayerSpec("SigmoidLayer", ("v",), ("dv",), "da")
suite = CheckSuite(
    assignment="backprop",
    modules=("layers", "xor"),
    components=(MULTIPLY.name, AFFINE.name, SIGMOID.name, "train_xor"),
    hidden=True,
)

REFERENCE_DIR = Path(__file__).resolve().parent
# The public checks beside this file: their trainer helpers (the call, its
# validation, the student's default epochs) are shared, not copied.
PUBLIC = load_module(REFERENCE_DIR / "public_checks.py")
# Correct code differs from the reference only by summation order: ~1e-16
# relative for these O(1) inputs. Bugs err by 1e-1 or more.
EXACT = Tolerance(atol=1e-12, rtol=1e-9)
# Saturated sigmoids: the true dv is below 1e-6 and may round to exactly 0,
# so only an absolute tolerance is meaningful there.
SATURATED_TOLERANCE = Tolerance(atol=1e-12, rtol=0.0)
SATURATED = np.array([15.0, 30.0, 40.0, 50.0, 100.0, 800.0])
# Trajectories with the trusted (complex-step) layers, at most 100 epochs:
# correct trainers agree with the reference's to ~1e-13 relative there.
TRAJECTORY = Tolerance(atol=1e-12, rtol=1e-8)
TRAJECTORY_EPOCHS = 100
SEED_RANGE = (100, 10_000)
CONVERGENCE_SEEDS, CONVERGENCE_NEEDED = 5, 4
PARAM_NAMES = ("W1", "b1", "W2", "b2")
OWN_LAYERS = CallOptions()  # the whole network: the student's trainer on their layers
# The checks that run the student's own layers too: scored while these pass.
NETWORK_LAYERS = (AFFINE.name, SIGMOID.name)
LEARNS = "hidden: train_xor learns XOR on at least 4 of 5 hidden seeds"
WIDE_COST = "hidden: train_xor costs a few forward passes on a wide network"
# Cost checks: a thin layer (one output, one sample, D inputs) and a wide hidden
# layer (one epoch); the limit is a factor times the reference's own CPU time on
# the same call. Measured (benchmarks/cost_checks.py): explicit Python loops take
# ~80x the reference on the thin layer and 140-280x on the wide network; numerical
# methods more than 17000x and 47000x (stopped after 60 s): >= 10x margins both ways.
THIN_D = 400_000
AFFINE_COST_FACTOR = 1000.0
WIDE_HIDDEN, WIDE_EPOCHS = 30_000, 1
TRAIN_COST_FACTOR = 2000.0


@lru_cache(maxsize=1)
def reference() -> tuple[Any, Any]:
    """(layers, xor) of the reference, imported into the grader under private names."""
    found = load_reference(REFERENCE_DIR, ("layers", "xor"))
    return found["layers"], found["xor"]


def made(spec: LayerSpec) -> Callable[[], Any]:
    return lambda: getattr(reference()[0], spec.name)()


# -- hidden inputs ---------------------------------------------------------------
def dims(rng: np.random.Generator, count: int, low: int = 2, high: int = 6) -> list[int]:
    return [int(k) for k in rng.integers(low, high, size=count)]


def multiply_inputs(rng: np.random.Generator, shape: tuple[int, ...]) -> list[Any]:
    return [rng.standard_normal(shape), rng.standard_normal(shape)]


def affine_inputs(rng: np.random.Generator, n: int, d: int, m: int) -> list[Any]:
    return [rng.standard_normal((n, d)), rng.standard_normal((d, m)), rng.standard_normal(m)]


def sigmoid_inputs(rng: np.random.Generator, shape: tuple[int, ...]) -> list[Any]:
    return [2 * rng.standard_normal(shape)]


def saturated_inputs(rng: np.random.Generator) -> np.ndarray:
    """|v| of 15..800 (exactly and jittered), both signs, among ordinary values."""
    magnitudes = np.concatenate([SATURATED, SATURATED + rng.random(SATURATED.size)])
    values = np.concatenate([magnitudes, -magnitudes, rng.standard_normal(4)])
    return rng.permutation(values).reshape(int(rng.choice([4, 7])), -1)


def training_seeds(rng: np.random.Generator, count: int) -> list[int]:
    return [int(s) for s in rng.choice(np.arange(*SEED_RANGE), size=count, replace=False)]


# -- MultiplyLayer -------------------------------------------------------------
# (x kind, y kind, dz kind): NumPy scalars, 0-d arrays, and mixtures with floats.
SCALAR_KINDS: list[tuple[Callable[[Any], Any], ...]] = [
    (np.float64, np.float64, np.float64),
    (np.array, np.array, float),
    (np.array, float, np.array),
    (float, np.float64, float),
]


@suite.check("hidden: MultiplyLayer works on NumPy scalars and 0-d arrays", points=1)
def multiply_scalars(ctx: Context) -> None:
    for x_kind, y_kind, dz_kind in SCALAR_KINDS:
        x, y = x_kind(ctx.rng.standard_normal()), y_kind(ctx.rng.standard_normal())
        output, dz, expected = reference_pass(MULTIPLY, made(MULTIPLY), [x, y], ctx.rng, dz_kind)
        with context(f"(x {scalar_name(x)}, y {scalar_name(y)}, dz {scalar_name(dz)})"):
            layer = ctx.new(MULTIPLY.target)
            z = expect_array_like("z", layer.forward(x, y), 0.0)
            expect_reference(["z"], [z], [output], EXACT)
            grads = student_gradients(MULTIPLY, layer.backward(dz), [x, y])
            expect_reference(MULTIPLY.grads, grads, expected, EXACT)


@suite.check("hidden: MultiplyLayer.backward leaves dz and the cached x, y unmodified", points=1)
def multiply_untouched(ctx: Context) -> None:
    inputs = multiply_inputs(ctx.rng, tuple(dims(ctx.rng, 2)))
    check_untouched(ctx, MULTIPLY, made(MULTIPLY), inputs, EXACT)


@suite.check(
    "hidden: MultiplyLayer.backward repeats its answer and follows a new forward", points=1
)
def multiply_repeatable(ctx: Context) -> None:
    shape = tuple(dims(ctx.rng, 2))
    inputs = (multiply_inputs(ctx.rng, shape), multiply_inputs(ctx.rng, shape))
    check_repeatable(ctx, MULTIPLY, made(MULTIPLY), inputs, "new values of the same shape", EXACT)


# -- AffineLayer ---------------------------------------------------------------
@suite.check("hidden: AffineLayer matches the reference on edge shapes (N=1, D=1, M=1)", points=2)
def affine_edge_shapes(ctx: Context) -> None:
    n, d, m = dims(ctx.rng, 3)
    # (d, d, d): a square W with as many rows in x, where a layer that picks its
    # transposes by trying which shapes fit (dout @ W, x @ dout) goes wrong.
    for shape in [(1, d, m), (n, 1, m), (n, d, 1), (1, 1, 1), (d, d, d)]:
        inputs = affine_inputs(ctx.rng, *shape)
        output, dout, expected = reference_pass(AFFINE, made(AFFINE), inputs, ctx.rng)
        with context(f"(N, D, M) = {shape}"):
            layer = ctx.new(AFFINE.target)
            out = expect_array_like("out", layer.forward(*inputs), output)
            expect_reference(["out"], [out], [output], EXACT)
            grads = student_gradients(AFFINE, layer.backward(dout), inputs)
            expect_reference(AFFINE.grads, grads, expected, EXACT)


@suite.check("hidden: AffineLayer.backward leaves dout and the cached x, W, b unmodified", points=1)
def affine_untouched(ctx: Context) -> None:
    check_untouched(ctx, AFFINE, made(AFFINE), affine_inputs(ctx.rng, *dims(ctx.rng, 3)), EXACT)


@suite.check("hidden: AffineLayer.backward repeats its answer and follows a new forward", points=1)
def affine_repeatable(ctx: Context) -> None:
    n, d, m = dims(ctx.rng, 3, low=3)
    smaller = int(ctx.rng.integers(1, n))
    inputs = (affine_inputs(ctx.rng, n, d, m), affine_inputs(ctx.rng, smaller, d, m))
    check_repeatable(ctx, AFFINE, made(AFFINE), inputs, "a smaller batch (fewer rows N)", EXACT)


@suite.check(
    "hidden: AffineLayer.backward costs a few forward passes (N=1, M=1, large D)", points=2
)
def affine_cost(ctx: Context) -> None:
    """Catches a numerical AffineLayer in any style: it needs one forward per input
    (2 D + 1 for x, W, b), explicit loops only D steps. Cannot catch a numerical
    Multiply or Sigmoid layer (elementwise: one vectorised step differentiates all)."""
    x, W, b = affine_inputs(ctx.rng, 1, THIN_D, 1)
    dout = ctx.rng.standard_normal((1, 1))
    trusted = made(AFFINE)()
    trusted.forward(x, W, b)
    layer = ctx.new(AFFINE.target)
    layer.forward(x, W, b)
    reply = within_cost(
        ctx,
        lambda options: layer.call("backward", dout, options=options),
        (lambda: trusted.backward(dout), [dout], AFFINE_COST_FACTOR),
        f"{AFFINE.name}.backward",
        t("backprop.expected_layer"),
    )
    grads = student_gradients(AFFINE, reply["value"], [x, W, b])
    expect_reference(AFFINE.grads, grads, list(trusted.backward(dout)), EXACT)


# -- SigmoidLayer --------------------------------------------------------------
SATURATED_INPUTS = "for saturated inputs (|v| from 15 to 800)"


@suite.check(
    "hidden: SigmoidLayer matches the reference on saturated inputs, without NaN", points=2
)
def sigmoid_saturated(ctx: Context) -> None:
    v = saturated_inputs(ctx.rng)
    output, da, expected = reference_pass(SIGMOID, made(SIGMOID), [v], ctx.rng)
    layer = ctx.new(SIGMOID.target)
    a = layer.forward(v)
    expect_finite("a", a, f"{SATURATED_INPUTS}: keep the given forward; 1 / (1 + exp(-v)) is 0")
    a = expect_array_like("a", a, v)
    expect_reference(["a"], [a], [output], SATURATED_TOLERANCE)
    dv = layer.backward(da)
    expect_finite("dv", dv, f"{SATURATED_INPUTS}: use the cached output, a * (1 - a)")
    got = [expect_array_like("dv", dv, v)]
    expect_reference(["dv"], got, expected, SATURATED_TOLERANCE)


@suite.check("hidden: SigmoidLayer.backward leaves da and the cached v unmodified", points=1)
def sigmoid_untouched(ctx: Context) -> None:
    inputs = sigmoid_inputs(ctx.rng, tuple(dims(ctx.rng, 2)))
    check_untouched(ctx, SIGMOID, made(SIGMOID), inputs, EXACT)


@suite.check("hidden: SigmoidLayer.backward repeats its answer and follows a new forward", points=1)
def sigmoid_repeatable(ctx: Context) -> None:
    shape = tuple(dims(ctx.rng, 2))
    inputs = (sigmoid_inputs(ctx.rng, shape), sigmoid_inputs(ctx.rng, shape))
    check_repeatable(ctx, SIGMOID, made(SIGMOID), inputs, "new values of the same shape", EXACT)


# -- train_xor -------------------------------------------------------------------
def hidden_data(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
    """Inputs, targets in (0, 1) and a hidden width the student has never trained on."""
    n, n_in = int(rng.integers(5, 9)), int(rng.integers(2, 4))
    return rng.uniform(-1, 1, (n, n_in)), rng.uniform(0.05, 0.95, (n, 1)), int(rng.integers(3, 7))


@suite.check(
    "hidden: train_xor matches the reference trainer on hidden seeds", points=2, trusted=True
)
def train_trajectory(ctx: Context) -> None:
    """With the trusted layers (so only the trainer is judged), hidden data, widths,
    lr, seeds and non-zero biases (init_params's are zeros): a trainer ignoring its
    X, y, params (its biases too) or lr, or stopping early, fails."""
    xor = reference()[1]
    for seed in training_seeds(ctx.rng, 2):
        X, y, hidden = hidden_data(ctx.rng)
        lr, epochs = float(ctx.rng.uniform(0.5, 2.0)), TRAJECTORY_EPOCHS
        params = xor.init_params(n_in=X.shape[1], n_hidden=hidden, seed=seed)
        params.update(b1=ctx.rng.uniform(-1, 1, hidden), b2=ctx.rng.uniform(-1, 1, 1))
        expected, expected_losses = xor.train_xor(X, y, copy.deepcopy(params), lr, epochs)
        run = f"hidden data, init_params(seed={seed}) with random biases, epochs={epochs}"
        with context(f"({run})"):
            trained, losses, _ = PUBLIC.student_training(ctx, params, X, y, lr=lr, epochs=epochs)
            setup = training_setup(params, X, y, lr, epochs)
            try:
                PUBLIC.expect_epochs(losses, epochs)
                expect_training(trained, losses, expected, expected_losses, TRAJECTORY)
            except CheckFailed as wrong:  # its hint, if the run is re-made under a mistake
                found = training_diagnosis(setup, losses, trained)
                raise CheckFailed(str(wrong), **found) from None


# -- naming a trainer's mistake (the engine re-makes the run under known mistakes) --------
def training_setup(params: dict, X: np.ndarray, y: np.ndarray, lr: float, epochs: int) -> Setup:
    """The hidden run, for the diagnosis: the reference's own forward pieces."""
    layers, xor = reference()
    pieces = [
        Piece(lambda x, W, b: layers.AffineLayer().forward(x, W, b), ("W1", "b1")),
        Piece(lambda v: layers.SigmoidLayer().forward(v)),
        Piece(lambda x, W, b: layers.AffineLayer().forward(x, W, b), ("W2", "b2")),
        Piece(lambda v: layers.SigmoidLayer().forward(v)),
    ]
    network = Network.chain(pieces, params, key="backprop reference")
    flat = network.layout.flatten
    return Setup(
        network, flat(params), X, y, lr, epochs,
        default_start=flat(xor.init_params()), default_data=(xor.XOR_X, xor.XOR_Y),
        default_lr=xor.DEFAULT_LR,
    )  # fmt: skip


def training_diagnosis(setup: Setup, losses: np.ndarray, trained: dict) -> dict[str, str]:
    theta = setup.network.layout.flatten(trained)
    found = diagnose_run(setup, Run(tuple(float(v) for v in losses), theta))
    return failure_fields(found, "xor.train_xor")


def expect_training(
    trained: dict, losses: Any, expected: dict, losses_: Any, tol: Tolerance
) -> None:
    got = [losses, *(trained[name] for name in PARAM_NAMES)]
    want = [losses_, *(expected[name] for name in PARAM_NAMES)]
    expect_reference(["losses", *PARAM_NAMES], got, want, tol)


@suite.check(LEARNS, points=2, requires=NETWORK_LAYERS)
def train_convergence(ctx: Context) -> None:
    """With the student's own layers, judged by the reference's forward pass on the
    returned params (trusted); scored only while every Affine and Sigmoid check passes.

    Of the seeds 100..9999 the reference fails only 1282 (measured), and the
    five seeds are distinct, so the reference passes for every instructor seed;
    a trainer that learns on about 70% of seeds (e.g. 335 epochs instead of
    2000) fails for about half of them.
    """
    xor, epochs = reference()[1], PUBLIC.default_epochs(ctx)
    failures = []
    for seed in training_seeds(ctx.rng, CONVERGENCE_SEEDS):
        with context(f"(params = init_params(seed={seed}), default lr and epochs)"):
            params = xor.init_params(seed=seed)
            trained, losses, _ = PUBLIC.student_training(ctx, params, options=OWN_LAYERS)
            PUBLIC.expect_epochs(losses, epochs)
        output = xor.predict(xor.XOR_X, trained)
        if not PUBLIC.learned(output, xor.XOR_Y):
            failures.append(f"seed {seed}: outputs {np.round(output.ravel(), 3)}")
    learned = CONVERGENCE_SEEDS - len(failures)
    ctx.record("converged", learned)
    if learned < CONVERGENCE_NEEDED:
        raise CheckFailed(
            f"with its default lr and epochs train_xor learned XOR on only {learned} of "
            f"{CONVERGENCE_SEEDS} hidden seeds ({CONVERGENCE_NEEDED} needed; every output within "
            f"0.1 of its target {xor.XOR_Y.ravel()}): " + "; ".join(failures)
        )


@suite.check(WIDE_COST, points=2, requires=NETWORK_LAYERS)
def train_cost(ctx: Context) -> None:
    """One epoch of the student's trainer on their own layers, with 30000 hidden units:
    catches a trainer differentiating the loss numerically (one forward per parameter,
    4 H + 1 of them), in any style. Scored only while every Affine and Sigmoid check
    passes, so the time measured is the trainer's: a slow layer is that layer's.
    Cannot catch a trainer that differentiates numerically only on small networks."""
    xor = reference()[1]
    X, y, lr = xor.XOR_X, xor.XOR_Y, xor.DEFAULT_LR
    params = xor.init_params(n_hidden=WIDE_HIDDEN, seed=training_seeds(ctx.rng, 1)[0])

    def run() -> Any:
        return xor.train_xor(X, y, copy.deepcopy(params), lr, WIDE_EPOCHS)

    def call(options: CallOptions) -> dict:
        return ctx.call("xor.train_xor", X, y, params, lr=lr, epochs=WIDE_EPOCHS, options=options)

    reference_run = (run, [X, y, params], TRAIN_COST_FACTOR)
    reply = within_cost(ctx, call, reference_run, "train_xor", t("backprop.expected_trainer"))
    trained, losses = PUBLIC.training_reply(reply, params)
    PUBLIC.expect_epochs(losses, WIDE_EPOCHS)
    expect_training(trained, losses, *run(), EXACT)
