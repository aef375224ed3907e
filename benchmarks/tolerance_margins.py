"""Measured error margins of the public checks' tolerances.

Run from the repository root: ``python benchmarks/tolerance_margins.py``.

For the reference and every fixture submission in tests/fixtures/variants it
measures what the public checks compare:

* layer gradients against central differences of the trusted forward
  functions, with ``L = sum(dout * f(inputs))`` and a random ``dout``, on the
  public checks' shapes, over many random draws: the relative error of the
  worst element and the tolerance usage ``|g - n| / (ATOL + RTOL |n|)``
  (a check passes when it is at most 1);
* train_xor after 100 epochs from seed 0 against the trusted complex-step
  trajectory: the largest relative deviation over losses and parameters
  (the check allows 1e-12 + 1e-8 |expected|).

Buggy variants that raise, or return a wrong shape, fail on structure before
any tolerance applies and are listed as such. The student code runs in this
process: only use it on the trusted fixtures.
"""

from __future__ import annotations

import importlib
import importlib.util
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import numpy as np

from autograder.checks.gradcheck import ATOL, RTOL
from autograder.checks.numgrad import central_difference
from autograder.grading.assignment import load_module

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "backprop"
VARIANTS = REPO / "tests" / "fixtures" / "variants"
DRAWS = 20
TRAJECTORY_EPOCHS = 100


def import_submission(folder: Path) -> SimpleNamespace:
    """layers.py and xor.py of ``folder``, without leaking into sys.modules."""
    names = ("layers", "xor")
    saved: dict[str, ModuleType] = {n: sys.modules.pop(n) for n in names if n in sys.modules}
    sys.path.insert(0, str(folder))
    try:
        return SimpleNamespace(
            layers=importlib.import_module("layers"), xor=importlib.import_module("xor")
        )
    finally:
        sys.path.remove(str(folder))
        for name in ("layers", "xor"):
            sys.modules.pop(name, None)
        sys.modules.update(saved)


def load_catalogue() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalogue", VARIANTS / "catalogue.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def layer_cases(checks: ModuleType, rng: np.random.Generator) -> list[tuple[str, Callable, list]]:
    """(layer, trusted forward, inputs) as the public gradient checks draw them."""
    normal = rng.standard_normal
    return [
        ("MultiplyLayer", checks.multiply, [normal((5, 4)), normal((5, 4))]),
        ("MultiplyLayer", checks.multiply, [normal((1, 3)), normal((1, 3))]),
        ("MultiplyLayer", checks.multiply, [float(normal()), float(normal())]),
        ("AffineLayer", checks.affine, [normal((5, 4)), normal((4, 3)), normal(3)]),
        ("AffineLayer", checks.affine, [normal((1, 3)), normal((3, 2)), normal(2)]),
        ("SigmoidLayer", checks.sigmoid, [2 * normal((5, 3))]),
        ("SigmoidLayer", checks.sigmoid, [2 * normal((1, 4))]),
    ]


def gradient_errors(
    layers: ModuleType, layer: str, forward: Callable, inputs: list, rng: Any
) -> tuple[np.ndarray, np.ndarray] | None:
    """|g - n| and |n| for every element of one backward call (None: raises or bad shape)."""
    instance = getattr(layers, layer)()
    output = instance.forward(*inputs)
    dout = (
        rng.standard_normal(np.shape(output)) if np.ndim(output) else float(rng.standard_normal())
    )
    try:
        got = instance.backward(dout)
    except Exception:
        return None
    got = [got] if len(inputs) == 1 else list(got)
    numeric = central_difference(lambda *xs: float(np.sum(dout * forward(*xs))), inputs)
    if len(got) != len(numeric) or any(np.shape(g) != np.shape(n) for g, n in zip(got, numeric)):
        return None
    with np.errstate(all="ignore"):
        error = np.concatenate(
            [np.abs(np.asarray(g, float) - n).ravel() for g, n in zip(got, numeric)]
        )
    error = np.where(np.isnan(error), np.inf, error)
    return error, np.concatenate([np.abs(n).ravel() for n in numeric])


def layer_draws(
    layers: ModuleType, checks: ModuleType, component: str | None
) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """(errors, scales) of every element, per random draw of the public cases."""
    rng = np.random.default_rng(0)
    draws = []
    for _ in range(DRAWS):
        errors, scales = [], []
        for layer, forward, inputs in layer_cases(checks, rng):
            if component is None or layer == component:
                measured = gradient_errors(layers, layer, forward, inputs, rng)
                if measured is None:
                    return None
                errors.append(measured[0])
                scales.append(measured[1])
        draws.append((np.concatenate(errors), np.concatenate(scales)))
    return draws


def usage(error: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """How much of the tolerance each element uses: a check fails above 1."""
    return error / (ATOL + RTOL * scale)


def correct_summary(draws: list[tuple[np.ndarray, np.ndarray]]) -> tuple[float, float, float]:
    """Max absolute error, max relative error (where |n| >= 1e-3), max usage."""
    error = np.concatenate([e for e, _ in draws])
    scale = np.concatenate([s for _, s in draws])
    big = scale >= 1e-3
    return (
        float(error.max()),
        float((error[big] / scale[big]).max()),
        float(usage(error, scale).max()),
    )


def buggy_summary(draws: list[tuple[np.ndarray, np.ndarray]]) -> tuple[float, float]:
    """Median relative error of each draw's worst element, and the closest call.

    A bug passes a draw only when *every* element is within tolerance, so the
    closest call is the smallest, over draws, of the largest usage in the draw.
    """
    worst_usage, worst_rel = [], []
    for error, scale in draws:
        used = usage(error, scale)
        index = int(np.argmax(used))
        worst_usage.append(float(used[index]))
        worst_rel.append(float(error[index] / max(scale[index], 1e-300)))
    return statistics.median(worst_rel), min(worst_usage)


def trajectory_deviation(xor: ModuleType, checks: ModuleType) -> float | None:
    """Largest relative deviation from the trusted 100-epoch trajectory."""
    losses, params = checks.trusted_trajectory(0, 1.0, TRAJECTORY_EPOCHS)
    try:
        got_params, got_losses = xor.train_xor(
            checks.XOR_X, checks.XOR_Y, checks.init_params(seed=0), lr=1.0, epochs=TRAJECTORY_EPOCHS
        )
    except Exception:
        return None
    pairs = [(np.asarray(got_losses, float), np.asarray(losses))]
    pairs += [(np.asarray(got_params[k], float), params[k]) for k in checks.PARAM_NAMES]
    if any(g.shape != e.shape for g, e in pairs):
        return None
    with np.errstate(all="ignore"):
        deviation = max(float(np.max(np.abs(g - e) / np.abs(e))) for g, e in pairs)
    return float("inf") if np.isnan(deviation) else deviation


def main() -> None:
    checks = load_module(SOLUTION / "public_checks.py")
    catalogue = load_catalogue()
    correct = [("reference", SOLUTION)] + [
        (name, VARIANTS / name) for name, loses in catalogue.LOSES.items() if not loses
    ]
    buggy = {name: loses for name, loses in catalogue.LOSES.items() if loses}

    print(f"Layer gradients: ATOL = {ATOL:g}, RTOL = {RTOL:g}, {DRAWS} draws of the public cases")
    print("  (usage = |g - n| / (ATOL + RTOL |n|); a gradient check fails when usage > 1)")
    summaries = []
    for name, folder in correct:
        draws = layer_draws(import_submission(folder).layers, checks, None)
        assert draws is not None, name
        summaries.append(correct_summary(draws))
        abs_err, rel_err, used = summaries[-1]
        print(
            f"  correct  {name:36s} max abs error {abs_err:7.1e}  max rel error {rel_err:7.1e}"
            f"  max usage {used:7.1e}"
        )
    bug_errors = []
    for name, loses in sorted(buggy.items()):
        layer = next(
            (c for c in ("AffineLayer", "SigmoidLayer", "MultiplyLayer") if c in loses), None
        )
        if layer is None:
            continue
        draws = layer_draws(import_submission(VARIANTS / name).layers, checks, layer)
        if draws is None:
            print(f"  buggy    {name:36s} fails on structure first (raises or wrong shape)")
            continue
        rel_err, closest = buggy_summary(draws)
        bug_errors.append(rel_err)
        print(f"  buggy    {name:36s} median rel error {rel_err:7.1e}  min usage {closest:7.1e}")
    print(
        f"  => correct: abs error <= {max(s[0] for s in summaries):.1e}, "
        f"rel error <= {max(s[1] for s in summaries):.1e} (|n| >= 1e-3), "
        f"usage <= {max(s[2] for s in summaries):.1e}; "
        f"buggy: median rel error {statistics.median(bug_errors):.1e}"
    )

    print(f"\ntrain_xor after {TRAJECTORY_EPOCHS} epochs vs the trusted trajectory (rtol 1e-8)")
    for name, folder in correct:
        deviation = trajectory_deviation(import_submission(folder).xor, checks)
        print(f"  correct  {name:36s} max rel deviation {deviation:8.1e}")
    for name, loses in sorted(buggy.items()):
        if loses == {"train_xor"}:
            deviation = trajectory_deviation(import_submission(VARIANTS / name).xor, checks)
            shown = "wrong shape or raises" if deviation is None else f"{deviation:8.1e}"
            print(f"  buggy    {name:36s} max rel deviation {shown}")


if __name__ == "__main__":
    main()
