"""Measured error margins of the checks' tolerances, and the catalogue's verdicts.

Run from the repository root: ``python benchmarks/tolerance_margins.py``
(``--no-grading`` skips the last part, which grades the whole catalogue).

1. Layer gradients against the exact (complex-step) gradients of the
   trusted forward functions, on the public checks' inputs (zeros, ties and
   saturated values included), over many random draws: the error of each
   element in units of float64 rounding (``|g - e| / (eps S)``, S the
   element's budget scale: the sum of |terms|, or |da| for the sigmoid).
   A layer check fails above ULPS = 16 of them. Correct code must stay far
   below; buggy and shortcut code (finite differences, float32) far above.
2. train_xor with the trusted layers swapped in, 100 epochs from several
   seeds and data sets, against the trusted complex-step trajectory: the
   largest relative deviation (the check allows 1e-12 + 1e-8 |expected|).
3. Every fixture of tests/fixtures/variants graded with the public and the
   hidden checks (a real student process each): false fails (a correct
   variant losing a point), false passes (a buggy or shortcut variant with
   full marks) and wrong components (points lost elsewhere than its own).

Parts 1 and 2 run the student code in this process: only use them on the
trusted fixtures.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import numpy as np

import autograder.runtime
from autograder.checks.gradcheck import EPS, ULPS, exact_gradients, sum_of_terms
from autograder.grading.assignment import load_assignment, load_module
from autograder.grading.runner import GradeOptions, grade_folder
from autograder.isolation.sandbox import SandboxConfig
from autograder.runtime import trusted_layers

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "backprop"
VARIANTS = REPO / "tests" / "fixtures" / "variants"
DRAWS = 20
LAYERS = ("MultiplyLayer", "AffineLayer", "SigmoidLayer")
# The runtime as a student's process sees it (a shortcut fixture imports it).
sys.modules.setdefault("autograder_runtime", autograder.runtime)


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


def layer_cases(checks: ModuleType, rng: np.random.Generator) -> list[tuple[str, Callable, list]]:
    """(layer, trusted forward, inputs) as the public gradient checks draw them."""
    normal = rng.standard_normal
    x, y = checks.with_singular_points(normal((5, 4)), normal((5, 4)))
    xa, Wa, ba = normal((5, 4)), normal((4, 3)), normal(3)
    xa[1], xa[:, 2], Wa[0, 1], ba[2] = 0.0, 0.0, 0.0, 0.0
    singular = rng.permutation(checks.SIGMOID_SINGULAR.ravel()).reshape(3, 3)
    return [
        ("MultiplyLayer", checks.multiply, [x, y]),
        ("MultiplyLayer", checks.multiply, [normal((1, 3)), normal((1, 3))]),
        ("MultiplyLayer", checks.multiply, [float(normal()), float(normal())]),
        ("AffineLayer", checks.affine, [xa, Wa, ba]),
        ("AffineLayer", checks.affine, [normal((1, 3)), normal((3, 2)), normal(2)]),
        ("SigmoidLayer", checks.sigmoid, [2 * normal((5, 3))]),
        ("SigmoidLayer", checks.sigmoid, [singular]),
    ]


def ulps(layers: ModuleType, case: tuple[str, Callable, list], rng: Any, checks: Any) -> Any:
    """Each element's error in roundings of its budget scale (None: raises or bad shape)."""
    layer_name, forward, inputs = case
    layer = getattr(layers, layer_name)()
    output = layer.forward(*inputs)
    upstream = (
        rng.standard_normal(np.shape(output)) if np.ndim(output) else float(rng.standard_normal())
    )
    try:
        with np.errstate(all="ignore"):
            got = layer.backward(upstream)
    except Exception:
        return None
    got = [got] if len(inputs) == 1 else list(got)
    expected = exact_gradients(forward, inputs, upstream)
    budget = checks.sigmoid_budget if layer_name == "SigmoidLayer" else sum_of_terms(forward)
    scales = budget(inputs, upstream)
    if len(got) != len(expected) or any(np.shape(g) != np.shape(e) for g, e in zip(got, expected)):
        return None
    with np.errstate(all="ignore"):
        errors = [
            np.abs(np.asarray(g, float) - e) / (EPS * np.maximum(s, 1e-300))
            for g, e, s in zip(got, expected, scales)
        ]
    flat = np.concatenate([e.ravel() for e in errors])
    return np.where(np.isnan(flat), np.inf, flat)


def worst_ulps(folder: Path, checks: ModuleType, component: str | None) -> list[float] | None:
    """Per draw, the worst element's error in roundings (over the component's cases)."""
    layers = import_submission(folder).layers
    rng = np.random.default_rng(0)
    worst = []
    for _ in range(DRAWS):
        draw = []
        for case in layer_cases(checks, rng):
            if component is None or case[0] == component:
                measured = ulps(layers, case, rng, checks)
                if measured is None:
                    return None
                draw.append(float(measured.max()))
        worst.append(max(draw))
    return worst


# Variants exact on one layer alone, and the check that catches each.
BY_OTHERS = {
    "shortcut": "named by the integrity check",
    "multiply": "caught by two layers in one pass (a shared cache)",
    "affine_s": "caught by two layers in one pass (a shared cache)",
    "sigmoid_": "caught by two layers in one pass (a shared cache)",
}


def part_layers(checks: ModuleType, catalogue: ModuleType) -> None:
    print(f"1. Layer gradients vs exact complex-step gradients, {DRAWS} draws of the public")
    print(f"   cases; errors in float64 roundings of each element's scale (fails above {ULPS})")
    correct = [("reference", SOLUTION)] + [
        (n, VARIANTS / n) for n, loses in sorted(catalogue.LOSES.items()) if not loses
    ]
    top = 0.0
    for name, folder in correct:
        worst = worst_ulps(folder, checks, None)
        assert worst is not None, name
        top = max(top, max(worst))
        median = statistics.median(worst)
        print(f"   correct  {name:38s} worst {max(worst):6.2f}  median {median:5.2f}")
    lowest = np.inf
    for name, loses in sorted(catalogue.LOSES.items()):
        layer = next((c for c in LAYERS if c in loses), None)
        if layer is None:
            continue
        worst = worst_ulps(VARIANTS / name, checks, layer)
        if worst is None:
            print(f"   buggy    {name:38s} fails on structure first (raises or wrong shape)")
            continue
        closest, median = min(worst), statistics.median(worst)
        if closest <= ULPS:
            print(f"   buggy    {name:38s} exact on one layer alone: {BY_OTHERS[name[:8]]}")
            continue
        lowest = min(lowest, closest)
        print(f"   buggy    {name:38s} closest draw {closest:9.3g}  median {median:9.3g}")
    print(
        f"   => correct code: at most {top:.2f} roundings ({ULPS / top:.0f} x under the tolerance);"
        f" buggy code that is not exact: at least {lowest:.3g} ({lowest / ULPS:.3g} x over it)"
    )


def trajectory_deviation(xor: ModuleType, checks: ModuleType, case: Any) -> float | None:
    """Largest relative deviation from the trusted trajectory, with trusted layers."""
    losses, params = checks.trusted_trajectory(case)
    X, y = checks.DATASETS[case.data]
    swap = {name: getattr(xor, name) for name in LAYERS if hasattr(xor, name)}
    try:
        with trusted_layers.substituted([xor], swap), np.errstate(all="ignore"):
            got_params, got_losses = xor.train_xor(
                X, y, checks.start(case), lr=case.lr, epochs=case.epochs
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


def part_trajectories(checks: ModuleType, catalogue: ModuleType) -> None:
    cases = [checks.Case("xnor", 5, 100), checks.Case("xor", 9, 100), checks.Case("and", 7, 100)]
    print("\n2. train_xor with trusted layers, 100 epochs (xnor, xor, and) vs the trusted")
    print("   trajectory: largest relative deviation (the check allows 1e-8)")
    for name, loses in sorted(catalogue.LOSES.items()):
        if loses and loses != {"train_xor"}:
            continue
        xor = import_submission(VARIANTS / name).xor
        found = [trajectory_deviation(xor, checks, case) for case in cases]
        shown = " ".join("   raises" if d is None else f"{d:9.1e}" for d in found)
        print(f"   {'correct' if not loses else 'buggy  '}  {name:38s} {shown}")


def lost_components(name: str) -> tuple[str, set[str], bool]:
    """Grade one fixture with every check; the components that lost points."""
    assignment = load_assignment(SOLUTION)
    options = GradeOptions(sandbox=SandboxConfig("none"))
    report, _ = grade_folder(VARIANTS / name, assignment, options)
    lost: dict[str, float] = defaultdict(float)
    for result in report.results:
        lost[result.component] += result.max_points - result.points
    return name, {c for c, p in lost.items() if p > 0}, bool(report.grader_errors)


def part_catalogue(catalogue: ModuleType) -> None:
    names = sorted(catalogue.LOSES)
    print(f"\n3. The catalogue graded with public and hidden checks ({len(names)} fixtures)")
    false_fails, false_passes, wrong, errors = [], [], [], []
    with ProcessPoolExecutor(2) as pool:
        for name, lost, grader_error in pool.map(lost_components, names):
            expected = set(catalogue.LOSES[name])
            if grader_error:
                errors.append(name)
            if not expected and lost:
                false_fails.append(name)
            elif expected and not lost:
                false_passes.append(name)
            elif lost != expected:
                wrong.append(f"{name} lost {sorted(lost)}")
    correct = sum(not loses for loses in catalogue.LOSES.values())
    print(f"   correct variants: {correct}, buggy and shortcut variants: {len(names) - correct}")
    print(f"   false fails: {len(false_fails)} {false_fails}")
    print(f"   false passes: {len(false_passes)} {false_passes}")
    print(f"   wrong components: {len(wrong)} {wrong}")
    print(f"   grader errors: {len(errors)} {errors}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-grading", action="store_true")
    options = parser.parse_args()
    checks = load_module(SOLUTION / "public_checks.py")
    catalogue = load_module(VARIANTS / "catalogue.py")
    part_layers(checks, catalogue)
    part_trajectories(checks, catalogue)
    if not options.no_grading:
        part_catalogue(catalogue)


if __name__ == "__main__":
    main()
