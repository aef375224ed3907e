"""Hidden checks of the backprop assignment: the instructor's, never the students'.

Files named ``hidden*`` are left out of the student release, so this module
may use the reference solution that lives beside it (layers.py, xor.py). It
imports that reference into the *grader's* process, where it is trusted, and
compares the student's plain-data answers with the reference's on inputs drawn
from ``ctx.rng``: the engine seeds it from the instructor's seed and the check
name, so the instructor picks the hidden inputs with one seed option, and the
same seed always gives the same inputs.

These checks cover what the public ones cannot see: saturated sigmoids,
degenerate shapes, NumPy scalars, side effects of ``backward`` (a modified
upstream gradient or cache) and state kept between calls, and training on
seeds the student has never run.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from autograder.checks import CheckSuite, Context
from autograder.checks.descent import Run
from autograder.checks.expect import as_numbers, expect_array_like, expect_close, expect_sequence
from autograder.checks.network import Network, Piece
from autograder.checks.rules import Setup
from autograder.checks.trainer import diagnose_run, failure_fields
from autograder.core.errors import AutograderError, CheckFailed, StudentError
from autograder.i18n import t
from autograder.runtime.plaindata import describe_type

suite = CheckSuite(
    assignment="backprop",
    modules=("layers", "xor"),
    components=("MultiplyLayer", "AffineLayer", "SigmoidLayer", "train_xor"),
    hidden=True,
)

REFERENCE_DIR = Path(__file__).resolve().parent
# Correct code differs from the reference only by summation order: ~1e-16
# relative for these O(1) inputs. Bugs err by 1e-1 or more.
ATOL, RTOL = 1e-12, 1e-9
# Saturated sigmoids: the true dv is below 1e-6 and may round to exactly 0,
# so only an absolute tolerance is meaningful there.
SATURATED_ATOL = 1e-12
SATURATED = np.array([15.0, 30.0, 40.0, 50.0, 100.0, 800.0])
# Trajectories of correct trainers agree to ~1e-11 relative after 2000
# epochs at lr = 2 (measured against an einsum/np.dot reimplementation).
TRAJECTORY_RTOL, TRAJECTORY_ATOL = 1e-8, 1e-12
# 800 epochs: 99.5% of seeds reach loss < 0.005 by then, so a trainer that
# stops early instead of running all its epochs is caught.
TRAJECTORY_EPOCHS = 800
SEED_RANGE = (100, 10_000)
CONVERGENCE_SEEDS, CONVERGENCE_NEEDED = 5, 4
PARAM_NAMES = ("W1", "b1", "W2", "b2")
_LOAD_LOCK = threading.Lock()


# -- the trusted reference ----------------------------------------------------
def _exec_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None or not path.is_file():
        raise AutograderError(
            f"the reference solution {path} is missing; hidden checks compare against it, "
            "so keep hidden_checks.py beside the complete layers.py and xor.py"
        )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@lru_cache(maxsize=1)
def reference() -> tuple[ModuleType, ModuleType]:
    """(layers, xor) of the reference, under names no student module can take.

    xor.py does ``from layers import ...``: while it executes, ``layers`` in
    sys.modules is the reference's, then whatever was there is put back.
    """
    prefix = "autograder_reference_" + hashlib.sha256(str(REFERENCE_DIR).encode()).hexdigest()[:12]
    with _LOAD_LOCK:
        layers = _exec_module(REFERENCE_DIR / "layers.py", prefix + "_layers")
        missing = object()
        saved = sys.modules.get("layers", missing)
        sys.modules["layers"] = layers
        try:
            xor = _exec_module(REFERENCE_DIR / "xor.py", prefix + "_xor")
        finally:
            if saved is missing:
                del sys.modules["layers"]
            else:
                sys.modules["layers"] = saved  # type: ignore[assignment]
    return layers, xor


# -- layers: what each one takes and returns ----------------------------------
@dataclass(frozen=True)
class LayerSpec:
    name: str
    inputs: tuple[str, ...]
    grads: tuple[str, ...]
    upstream: str

    @property
    def target(self) -> str:
        return f"layers.{self.name}"

    @property
    def grads_text(self) -> str:
        return f"({', '.join(self.grads)})"


MULTIPLY = LayerSpec("MultiplyLayer", ("x", "y"), ("dx", "dy"), "dz")
AFFINE = LayerSpec("AffineLayer", ("x", "W", "b"), ("dx", "dW", "db"), "dout")
SIGMOID = LayerSpec("SigmoidLayer", ("v",), ("dv",), "da")


def as_list(spec: LayerSpec, value: Any) -> list[Any]:
    return [value] if len(spec.grads) == 1 else list(value)


def reference_pass(
    spec: LayerSpec, inputs: list[Any], rng: np.random.Generator, kind: Any = float
) -> tuple[Any, Any, list[Any]]:
    """(output, upstream, gradients) of the reference; the upstream is random.

    A scalar output gets an upstream of type ``kind`` (float, np.float64 or
    np.array for a 0-d array). The reference works on copies, so the
    originals stay what the student was sent.
    """
    layer = getattr(reference()[0], spec.name)()
    output = layer.forward(*copy.deepcopy(inputs))
    if np.ndim(output):
        upstream = rng.standard_normal(np.shape(output))
    else:
        upstream = kind(rng.standard_normal())
    return output, upstream, as_list(spec, layer.backward(copy.deepcopy(upstream)))


def student_gradients(spec: LayerSpec, value: Any, inputs: list[Any]) -> list[np.ndarray]:
    """Validate count, types and exact shapes; a scalar input takes any number type."""
    if len(spec.grads) == 1:
        grads = [value]
    else:
        grads = expect_sequence(value, len(spec.grads), f"{spec.name}.backward", spec.grads_text)
    likes = [0.0 if np.ndim(x) == 0 else x for x in inputs]
    return [expect_array_like(n, g, like) for n, g, like in zip(spec.grads, grads, likes)]


def expect_reference(
    names: Sequence[str],
    got: list[Any],
    expected: list[Any],
    atol: float = ATOL,
    rtol: float = RTOL,
) -> None:
    for name, g, e in zip(names, got, expected):
        expect_close(name, g, e, atol, rtol, label="reference")


@contextmanager
def context(text: str) -> Iterator[None]:
    """Append where it happened (shapes, types, seed) to any failure inside."""
    try:
        yield
    except StudentError as error:
        raise CheckFailed(f"{error.message} [{text}]") from None
    except CheckFailed as failure:
        raise CheckFailed(
            f"{failure} [{text}]", failure.diagnosis, failure.mistake, failure.function,
            failure.variable,
        ) from None  # fmt: skip


def same(now: Any, before: Any) -> bool:
    return np.shape(now) == np.shape(before) and bool(np.array_equal(now, before))


def check_untouched(ctx: Context, spec: LayerSpec, inputs: list[Any]) -> None:
    """backward leaves its upstream gradient and the cached inputs as they were.

    ``args_after`` is the upstream array as it is after backward and ``peek``
    the very arrays forward received (and the layer cached, if it kept them),
    as they are now: both read back by the grader from the memory it handed
    them over in, never reported by the student's process. In a network the
    caller still needs both, e.g. the upstream gradient may feed two branches.
    """
    _, upstream, expected = reference_pass(spec, inputs, ctx.rng)
    layer = ctx.new(spec.target)
    forward_call = layer.call("forward", *inputs)["call"]
    reply = layer.call("backward", upstream)
    if not same(reply["args_after"][0], upstream):
        raise CheckFailed(
            f"{spec.name}.backward changed its argument {spec.upstream} in place; the caller "
            f"may still need it: compute each gradient into a new array "
            f"(d = {spec.upstream} * ..., not {spec.upstream} *= ...)",
            diagnosis=t("diag.upstream_modified"),
            mistake="upstream_modified",
            function=f"{spec.target}.backward",
        )
    cached = ctx.student.peek(forward_call)["args"]
    for name, now, before in zip(spec.inputs, cached, inputs):
        if not same(now, before):
            raise CheckFailed(
                f"{spec.name}.backward changed the cached input {name} (the array forward "
                f"received) in place; `d = self.{name}` does not copy, so `d *= ...` also "
                f"changes self.{name} and the caller's array: write `d = ... * self.{name}`",
                diagnosis=t("diag.input_modified", input=name),
                mistake="input_modified",
                function=f"{spec.target}.backward",
            )
    grads = student_gradients(spec, reply["value"], inputs)
    expect_reference(spec.grads, grads, expected)


def check_repeatable(
    ctx: Context, spec: LayerSpec, first: list[Any], second: list[Any], change: str
) -> None:
    """backward twice gives the same answer; after a new forward, the new one."""
    _, d1, expected1 = reference_pass(spec, first, ctx.rng)
    _, d2, expected2 = reference_pass(spec, second, ctx.rng)
    layer = ctx.new(spec.target)
    forward_call = layer.call("forward", *first)["call"]
    once = student_gradients(spec, layer.backward(d1), first)
    twice = student_gradients(spec, layer.backward(d1), first)
    for name, a, b in zip(spec.grads, once, twice):
        if not np.array_equal(a, b):
            raise CheckFailed(
                f"{spec.name}.backward gave a different {name} when called again with the "
                f"same {spec.upstream}: it must not change the layer's cache or keep state "
                "from one call to the next",
                **changed_cache(ctx, spec, forward_call, first),
            )
    expect_reference(spec.grads, once, expected1)
    layer.forward(*second)
    with context(f"after a second forward on the same layer with {change}"):
        again = student_gradients(spec, layer.backward(d2), second)
        try:
            expect_reference(spec.grads, again, expected2)
        except CheckFailed as failure:
            stale = t("diag.stale_cache", name=spec.grads_text)
            where = f"{spec.target}.forward"
            raise CheckFailed(str(failure), stale, "stale_cache", where) from None


def changed_cache(ctx: Context, spec: LayerSpec, forward_call: int, inputs: list[Any]) -> dict:
    """The diagnosis of drifting answers: a cached input changed in place, or the cache."""
    cached = ctx.student.peek(forward_call)["args"]
    for name, now, before in zip(spec.inputs, cached, inputs):
        if not same(now, before):
            mistake, text = "input_modified", t("diag.input_modified", input=name)
            break
    else:
        mistake, text = "cache_modified", t("diag.cache_modified")
    return {"diagnosis": text, "mistake": mistake, "function": f"{spec.target}.backward"}


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


def scalar_name(value: Any) -> str:
    return "a NumPy 0-d array" if isinstance(value, np.ndarray) else f"a {describe_type(value)}"


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
        output, dz, expected = reference_pass(MULTIPLY, [x, y], ctx.rng, dz_kind)
        with context(f"(x {scalar_name(x)}, y {scalar_name(y)}, dz {scalar_name(dz)})"):
            layer = ctx.new(MULTIPLY.target)
            z = expect_array_like("z", layer.forward(x, y), 0.0)
            expect_reference(["z"], [z], [output])
            grads = student_gradients(MULTIPLY, layer.backward(dz), [x, y])
            expect_reference(MULTIPLY.grads, grads, expected)


@suite.check("hidden: MultiplyLayer.backward leaves dz and the cached x, y unmodified", points=1)
def multiply_untouched(ctx: Context) -> None:
    check_untouched(ctx, MULTIPLY, multiply_inputs(ctx.rng, tuple(dims(ctx.rng, 2))))


@suite.check(
    "hidden: MultiplyLayer.backward repeats its answer and follows a new forward", points=1
)
def multiply_repeatable(ctx: Context) -> None:
    shape = tuple(dims(ctx.rng, 2))
    first, second = multiply_inputs(ctx.rng, shape), multiply_inputs(ctx.rng, shape)
    check_repeatable(ctx, MULTIPLY, first, second, "new values of the same shape")


# -- AffineLayer ---------------------------------------------------------------
@suite.check("hidden: AffineLayer matches the reference on edge shapes (N=1, D=1, M=1)", points=2)
def affine_edge_shapes(ctx: Context) -> None:
    n, d, m = dims(ctx.rng, 3)
    for shape in [(1, d, m), (n, 1, m), (n, d, 1), (1, 1, 1)]:
        inputs = affine_inputs(ctx.rng, *shape)
        output, dout, expected = reference_pass(AFFINE, inputs, ctx.rng)
        with context(f"(N, D, M) = {shape}"):
            layer = ctx.new(AFFINE.target)
            out = expect_array_like("out", layer.forward(*inputs), output)
            expect_reference(["out"], [out], [output])
            grads = student_gradients(AFFINE, layer.backward(dout), inputs)
            expect_reference(AFFINE.grads, grads, expected)


@suite.check("hidden: AffineLayer.backward leaves dout and the cached x, W, b unmodified", points=1)
def affine_untouched(ctx: Context) -> None:
    check_untouched(ctx, AFFINE, affine_inputs(ctx.rng, *dims(ctx.rng, 3)))


@suite.check("hidden: AffineLayer.backward repeats its answer and follows a new forward", points=1)
def affine_repeatable(ctx: Context) -> None:
    n, d, m = dims(ctx.rng, 3, low=3)
    smaller = int(ctx.rng.integers(1, n))
    first, second = affine_inputs(ctx.rng, n, d, m), affine_inputs(ctx.rng, smaller, d, m)
    check_repeatable(ctx, AFFINE, first, second, "a smaller batch (fewer rows N)")


# -- SigmoidLayer --------------------------------------------------------------
def expect_finite(name: str, value: Any, remedy: str) -> None:
    if isinstance(value, np.ndarray) and value.dtype.kind in "fc":
        bad = int(np.sum(~np.isfinite(value)))
        if bad:
            raise CheckFailed(
                f"{name} contains {bad} NaN or infinite values for saturated inputs "
                f"(|v| from 15 to 800): {remedy}",
            )


@suite.check(
    "hidden: SigmoidLayer matches the reference on saturated inputs, without NaN", points=2
)
def sigmoid_saturated(ctx: Context) -> None:
    v = saturated_inputs(ctx.rng)
    output, da, expected = reference_pass(SIGMOID, [v], ctx.rng)
    layer = ctx.new(SIGMOID.target)
    a = layer.forward(v)
    expect_finite("a", a, "keep the given forward; 1 / (1 + exp(-v)) is exactly 0 there")
    a = expect_array_like("a", a, v)
    expect_reference(["a"], [a], [output], SATURATED_ATOL, 0.0)
    dv = layer.backward(da)
    expect_finite("dv", dv, "use the cached output, a * (1 - a), which never overflows")
    expect_reference(["dv"], [expect_array_like("dv", dv, v)], expected, SATURATED_ATOL, 0.0)


@suite.check("hidden: SigmoidLayer.backward leaves da and the cached v unmodified", points=1)
def sigmoid_untouched(ctx: Context) -> None:
    check_untouched(ctx, SIGMOID, sigmoid_inputs(ctx.rng, tuple(dims(ctx.rng, 2))))


@suite.check("hidden: SigmoidLayer.backward repeats its answer and follows a new forward", points=1)
def sigmoid_repeatable(ctx: Context) -> None:
    shape = tuple(dims(ctx.rng, 2))
    first, second = sigmoid_inputs(ctx.rng, shape), sigmoid_inputs(ctx.rng, shape)
    check_repeatable(ctx, SIGMOID, first, second, "new values of the same shape")


# -- train_xor -------------------------------------------------------------------
def student_training(ctx: Context, params: dict, **kwargs: Any) -> tuple[dict, np.ndarray]:
    """Call the student's train_xor; validate and return (trained params, losses)."""
    xor = reference()[1]
    reply = ctx.call("xor.train_xor", xor.XOR_X, xor.XOR_Y, params, **kwargs)
    trained, losses = expect_sequence(reply["value"], 2, "train_xor", "(trained_params, losses)")
    if type(trained) is not dict or set(trained) != set(PARAM_NAMES):
        raise CheckFailed("train_xor must return a dict with keys W1, b1, W2, b2 first")
    arrays = {k: expect_array_like(f"trained {k}", trained[k], params[k]) for k in PARAM_NAMES}
    if type(losses) not in (list, tuple, np.ndarray):
        raise CheckFailed("train_xor must return the list of losses, one float per epoch")
    curve = as_numbers("losses", losses)
    if curve.ndim != 1:
        raise CheckFailed("train_xor must return the list of losses, one float per epoch")
    return arrays, curve


@suite.check("hidden: train_xor matches the reference trainer on hidden seeds", points=2)
def train_trajectory(ctx: Context) -> None:
    xor = reference()[1]
    lr, epochs = xor.DEFAULT_LR, TRAJECTORY_EPOCHS
    for seed in training_seeds(ctx.rng, 2):
        params = xor.init_params(seed=seed)
        expected, expected_losses = xor.train_xor(
            xor.XOR_X, xor.XOR_Y, copy.deepcopy(params), lr=lr, epochs=epochs
        )
        with context(f"(params = init_params(seed={seed}), lr={lr}, epochs={epochs})"):
            trained, losses = student_training(ctx, params, lr=lr, epochs=epochs)
            setup = training_setup(params, lr, epochs)
            if losses.size != epochs:
                raise CheckFailed(
                    f"losses has {losses.size} entries after {epochs} epochs; train for "
                    "exactly `epochs` epochs (no early stopping), one loss per epoch",
                    **training_diagnosis(ctx, setup, losses, trained),
                )
            try:
                expect_close(
                    "losses", losses, expected_losses, TRAJECTORY_ATOL, TRAJECTORY_RTOL,
                    "reference",
                )  # fmt: skip
                for name in PARAM_NAMES:
                    expect_close(
                        f"trained {name}",
                        trained[name],
                        expected[name],
                        TRAJECTORY_ATOL,
                        TRAJECTORY_RTOL,
                        label="reference",
                    )
            except CheckFailed as wrong:
                raise CheckFailed(
                    str(wrong), **training_diagnosis(ctx, setup, losses, trained)
                ) from None


# -- naming a trainer's mistake (the engine re-makes the run under known mistakes) --------
def training_setup(params: dict, lr: float, epochs: int) -> Setup:
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
        network, flat(params), xor.XOR_X, xor.XOR_Y, lr, epochs,
        default_start=flat(xor.init_params()), default_data=(xor.XOR_X, xor.XOR_Y),
        default_lr=xor.DEFAULT_LR,
    )  # fmt: skip


def training_diagnosis(
    ctx: Context, setup: Setup, losses: np.ndarray, trained: dict
) -> dict[str, str]:
    if ctx.blocked:  # a layer it runs through fails: the runner says so instead
        return {}
    theta = setup.network.layout.flatten(trained)
    found = diagnose_run(setup, Run(tuple(float(v) for v in losses), theta))
    return failure_fields(found, "xor.train_xor")


def learned(output: np.ndarray, target: np.ndarray) -> bool:
    """The public criterion: every output on the right side, within 0.1 of its target."""
    return bool(np.all((output > 0.5) == (target > 0.5)) and np.max(np.abs(output - target)) < 0.1)


@suite.check("hidden: train_xor learns XOR on at least 4 of 5 hidden seeds", points=2)
def train_convergence(ctx: Context) -> None:
    """Judged by the reference's forward pass on the returned params (trusted).

    Of the seeds 100..9999 the reference fails only 1282 (measured), and the
    five seeds are distinct, so the reference passes for every instructor seed;
    a trainer that learns on about 70% of seeds (e.g. 335 epochs instead of
    2000) fails for about half of them.
    """
    xor = reference()[1]
    failures = []
    for seed in training_seeds(ctx.rng, CONVERGENCE_SEEDS):
        with context(f"(params = init_params(seed={seed}), default lr and epochs)"):
            trained, _ = student_training(ctx, xor.init_params(seed=seed))
        output = xor.predict(xor.XOR_X, trained)
        if not learned(output, xor.XOR_Y):
            failures.append(f"seed {seed}: outputs {np.round(output.ravel(), 3)}")
    ctx.record("converged", CONVERGENCE_SEEDS - len(failures))
    if CONVERGENCE_SEEDS - len(failures) < CONVERGENCE_NEEDED:
        raise CheckFailed(
            f"with its default lr and epochs train_xor learned XOR on only "
            f"{CONVERGENCE_SEEDS - len(failures)} of {CONVERGENCE_SEEDS} hidden seeds "
            f"({CONVERGENCE_NEEDED} needed; every output within 0.1 of its target "
            f"{xor.XOR_Y.ravel()}): " + "; ".join(failures)
        )
