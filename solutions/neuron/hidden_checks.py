"""Hidden checks of the neuron assignment: the instructor's, never the students'.

Files named ``hidden*`` are left out of the student release, so this module
may use the reference solution beside it (neuron.py): it is imported into the
*grader's* process, where it is trusted, and the student's plain-data answers
are compared with its answers on inputs drawn from ``ctx.rng``. The engine
seeds that generator from the instructor's seed and the check's name, so one
seed option picks every hidden input, and the same seed gives the same ones.

They cover what the public checks cannot see: one sample or one feature,
other data, learning rates and starting weights, saturated neurons, other
targets, and arguments changed in place. A failure reads as one sentence of
the catalogue, naming the function and, for an exception, the student's own
line: never a hidden input, shape or value.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from autograder.checks import CheckSuite, Context
from autograder.core.errors import AutograderError, CheckFailed, StudentException
from autograder.grading.assignment import PUBLIC_CHECKS, load_module
from autograder.i18n import t

suite = CheckSuite(
    assignment="neuron",
    modules=("neuron",),
    components=("gradients", "update", "train"),
    hidden=True,
)

HERE = Path(__file__).resolve().parent
# Correct code differs from the reference by summation order only: ~1e-16
# relative on these O(1) sums. Bugs err by 1e-1 or more.
ATOL, RTOL = 1e-12, 1e-9
# Saturated neurons: the true gradient is below 1e-6 and may round to 0.
SATURATED_ATOL = 1e-12
SATURATED = np.array([15.0, 40.0, 100.0, 300.0, 800.0])
BINARY = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def tasks() -> list[tuple[np.ndarray, np.ndarray]]:
    """Linearly separable targets: every labelling of the slides' four inputs but
    the two XOR-like ones, and AND, OR, NAND, NOR of two bits. From any start
    in [-1, 1), the reference learns each within ~510 of its 1000 default
    epochs (measured by the tests)."""
    labels = [[(code >> (3 - i)) & 1 for i in range(4)] for code in range(1, 15)]
    separable = [y for y in labels if y not in ([0, 1, 1, 0], [1, 0, 0, 1])]
    gates = [[0, 0, 0, 1], [0, 1, 1, 1], [1, 1, 1, 0], [1, 0, 0, 0]]
    return [(public().SLIDES_X, np.array(y, dtype=float)) for y in separable] + [
        (BINARY, np.array(y, dtype=float)) for y in gates
    ]


# -- the trusted reference and the public helpers ---------------------------------------
@lru_cache(maxsize=1)
def reference() -> ModuleType:
    """neuron.py of the reference, under a name no student module can take."""
    path = HERE / "neuron.py"
    name = "autograder_reference_neuron_" + hashlib.sha256(str(path).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None or not path.is_file():
        raise AutograderError(
            f"the reference solution {path} is missing; hidden checks compare against it, "
            "so keep hidden_checks.py beside the complete neuron.py"
        )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def public() -> ModuleType:
    """The public checks beside this file (the same module the engine loaded)."""
    return load_module(HERE / PUBLIC_CHECKS)


@contextmanager
def verdict(key: str, **fields: Any) -> Iterator[None]:
    """Any failure inside becomes the catalogue sentence ``key``, with no hidden value.

    An exception keeps what the student can see of it anyway: the function,
    the exception's kind and the student's own line.
    """
    try:
        yield
    except StudentException as error:
        text = t(
            "neuron.hidden.raised", function=error.function.rsplit(".", 1)[-1], kind=error.kind
        )
        if error.where:
            text += "\n  " + t("error.where", where=error.where)
        raise CheckFailed(text) from None
    except CheckFailed:
        raise CheckFailed(t(key, **fields)) from None


def close(got: Any, want: Any, atol: float = ATOL, rtol: float = RTOL) -> bool:
    numbers = public().as_numbers(got)
    want = np.asarray(want, dtype=np.float64)
    return numbers is not None and public().Tolerance(atol, rtol).close(numbers, want)


def expect_like_reference(value: Any, expected: tuple[Any, ...], atol: float = ATOL) -> None:
    """``value`` must be a tuple or list of the reference's length, each item close."""
    if type(value) not in (tuple, list) or len(value) != len(expected):
        raise CheckFailed("structure")
    if not all(close(g, e, atol) for g, e in zip(value, expected)):
        raise CheckFailed("values")
    if np.ndim(value[1]) != 0:
        raise CheckFailed("b or db must be one number")


def same(now: Any, before: Any) -> bool:
    return np.shape(now) == np.shape(before) and bool(np.array_equal(now, before))


# -- hidden inputs ----------------------------------------------------------------------
def data(rng: np.random.Generator, n: int, d: int, scale: float = 2.0) -> tuple[np.ndarray, ...]:
    """X, y (targets in [0, 1], some soft), w, and b as an array to be made a number."""
    X = scale * rng.standard_normal((n, d))
    y = np.where(rng.random(n) < 0.7, rng.integers(0, 2, n), rng.random(n)).astype(float)
    return X, y, rng.standard_normal(d), rng.standard_normal(1)


def sizes(rng: np.random.Generator) -> list[tuple[int, int]]:
    n, d = (int(k) for k in rng.integers(2, 8, size=2))
    return [(1, d), (n, 1), (n, d), (1, 1)]


def start(rng: np.random.Generator, d: int) -> tuple[np.ndarray, float]:
    """Weights uniform in [-1, 1) (the slides' "random"), and a random bias."""
    return 2 * rng.random(d) - 1, float(2 * rng.random() - 1)


# -- gradients ----------------------------------------------------------------------------
@suite.check("hidden: gradients matches the reference on hidden data, one sample to many", points=2)
def gradients_shapes(ctx: Context) -> None:
    for n, d in sizes(ctx.rng):
        X, y, w, b = data(ctx.rng, n, d)
        bias = float(b[0]) if ctx.rng.random() < 0.5 else np.float64(b[0])
        expected = reference().gradients(X.copy(), y.copy(), w.copy(), bias)
        with verdict("neuron.hidden.gradients"):
            value = ctx.call("neuron.gradients", X, y, w, bias)["value"]
            expect_like_reference(value, expected)


@suite.check("hidden: gradients stays finite and right for saturated neurons", points=1)
def gradients_saturated(ctx: Context) -> None:
    """|v| from 15 to 800, both signs: y_hat rounds to 0 or 1 and the true
    gradient to (nearly) 0; exp(-v) overflows there, y_hat * (1 - y_hat) never."""
    magnitudes = ctx.rng.permutation(np.concatenate([SATURATED, SATURATED]))
    v = magnitudes * ctx.rng.choice([-1.0, 1.0], size=magnitudes.size)
    X = np.column_stack([v / 2, np.ones_like(v)])
    y = ctx.rng.integers(0, 2, v.size).astype(float)
    w, b = np.array([2.0, 0.0]), 0.0
    expected = reference().gradients(X.copy(), y.copy(), w.copy(), b)
    with verdict("neuron.hidden.saturated"):
        value = ctx.call("neuron.gradients", X, y, w, b)["value"]
        expect_like_reference(value, expected, SATURATED_ATOL)


@suite.check("hidden: gradients leaves X, y and w unmodified", points=1)
def gradients_untouched(ctx: Context) -> None:
    n, d = (int(k) for k in ctx.rng.integers(2, 8, size=2))
    X, y, w, b = data(ctx.rng, n, d)
    reply = ctx.call("neuron.gradients", X, y, w, float(b[0]))
    for name, after, before in zip(("X", "y", "w"), reply["args_after"], (X, y, w)):
        if not same(after, before):
            raise CheckFailed(t("neuron.hidden.modified", function="gradients", name=name))


# -- update -------------------------------------------------------------------------------
@suite.check("hidden: update matches the reference for hidden weights and learning rates", points=1)
def update_rates(ctx: Context) -> None:
    for lr in (1e-3, float(ctx.rng.uniform(0.2, 3.0)), 10.0):
        d = int(ctx.rng.integers(1, 7))
        w, dw = ctx.rng.standard_normal(d), ctx.rng.standard_normal(d)
        b, db = float(ctx.rng.standard_normal()), np.float64(ctx.rng.standard_normal())
        expected = reference().update(w.copy(), b, dw.copy(), db, lr)
        with verdict("neuron.hidden.update"):
            value = ctx.call("neuron.update", w, b, dw, db, lr)["value"]
            expect_like_reference(value, expected)


# -- train --------------------------------------------------------------------------------
def expect_reference_run(ctx: Context, X, y, w, b, lr: float, epochs: int) -> None:
    """train's (w, b, losses) must be the reference's, or descent with the student's parts."""
    expected = reference().train(X.copy(), y.copy(), w.copy(), b, lr=lr, epochs=epochs)
    value = ctx.call("neuron.train", X, y, w, b, lr=lr, epochs=epochs)["value"]
    try:
        expect_like_reference(value, expected)
    except CheckFailed:
        if not public().follows_own_parts(ctx, value, X, y, w, b, lr, epochs):
            raise


@suite.check("hidden: train matches the reference trainer from hidden starts and data", points=2)
def train_trajectory(ctx: Context) -> None:
    X, y = tasks()[int(ctx.rng.integers(len(tasks())))]
    w, b = start(ctx.rng, 2)
    with verdict("neuron.hidden.train"):
        expect_reference_run(ctx, X, y, w, b, float(ctx.rng.choice([0.5, 1.5, 3.0])), 60)
    # Features of unit scale and lr <= 1 keep descent stable: correct trainers
    # then agree to ~1e-13 relative (a loop-by-loop one, measured); with twice
    # the scale and lr, rounding grows chaotically to ~1e-6.
    n, d = int(ctx.rng.integers(3, 8)), int(ctx.rng.integers(1, 4))
    X, y, _, _ = data(ctx.rng, n, d, scale=1.0)
    w, b = start(ctx.rng, d)
    with verdict("neuron.hidden.train"):
        expect_reference_run(ctx, X, y, w, b, float(ctx.rng.uniform(0.2, 1.0)), 40)


@suite.check("hidden: train learns other linearly separable targets with its defaults", points=2)
def train_learns_others(ctx: Context) -> None:
    """Three targets from ``tasks``, each from a random start in [-1, 1): judged,
    like the public check, by the trusted forward pass on the returned w and b."""
    chosen = ctx.rng.choice(len(tasks()), size=3, replace=False)
    for index in chosen:
        X, y = tasks()[int(index)]
        w, b = start(ctx.rng, 2)
        with verdict("neuron.hidden.learns"):
            public().check_learns(ctx, X, y, w, b)


@suite.check("hidden: train leaves X, y and w unmodified", points=1)
def train_untouched(ctx: Context) -> None:
    X, y = copy.deepcopy(tasks()[int(ctx.rng.integers(len(tasks())))])
    w, b = start(ctx.rng, 2)
    reply = ctx.call("neuron.train", X, y, w, b, lr=1.0, epochs=3)
    changed = [
        n for n, a, o in zip(("X", "y", "w"), reply["args_after"], (X, y, w)) if not same(a, o)
    ]
    # Changed through the student's gradients or update: their own checks charge that.
    innocent = public().own_side_effects(ctx) if changed else set()
    for name in changed:
        if name not in innocent:
            raise CheckFailed(t("neuron.hidden.modified", function="train", name=name))
