"""Measured figures of the hidden cost checks, and the grading time they add.

Run from the repository root: ``python benchmarks/cost_checks.py`` (about
five minutes on a laptop; ``--quick`` skips the numerical submissions'
full runs). Optional ``--baseline PATH``: a checkout of the grader before
these checks (e.g. ``git worktree add /tmp/base main``), graded the same
way for the time per student.

For each cost check (AffineLayer.backward on a thin layer, one epoch of
train_xor on a wide network), with the sizes of solutions/backprop/
hidden_checks.py, it measures what the check measures:

* the reference's CPU time on the same call in the grader
  (``cost.reference_seconds``, the check's own baseline);
* the CPU time of the call in a real student process (sandboxed when
  bubblewrap works; ``session.last_cpu_seconds``, read from /proc) for
  the reference and every correct variant of tests/fixtures/variants;
* the same for the numerical submissions (finite differences, complex
  steps, the engine's trusted layers), each stopped after a cap.

Printed: ratios to the reference, the limit (factor x reference), the
margin of the slowest correct variant under it and of the fastest
numerical one over it. Every figure is a ratio within this run.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from autograder.checks.cost import reference_seconds
from autograder.core.errors import StudentError
from autograder.grading.assignment import load_module
from autograder.isolation.calls import CallOptions
from autograder.isolation.sandbox import SandboxConfig
from autograder.isolation.session import StudentSession

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "backprop"
VARIANTS = REPO / "tests" / "fixtures" / "variants"
NUMERICAL = {
    "affine": [
        "shortcut_affine_central_difference",
        "shortcut_affine_complex_step",
        "shortcut_affine_engine_layer",
    ],
    "train": ["shortcut_numerical_trainer", "shortcut_complex_step_trainer"],
}
REPEATS = 3


def correct_folders() -> list[tuple[str, Path]]:
    catalogue = load_module(VARIANTS / "catalogue.py")
    names = sorted(n for n, loses in catalogue.LOSES.items() if not loses)
    return [("reference", SOLUTION)] + [(n, VARIANTS / n) for n in names]


class CostCase:
    """One cost check's call: how the reference runs it, how a student is called."""

    def __init__(self, kind: str, hidden: Any) -> None:
        self.kind = kind
        rng = np.random.default_rng(0)
        layers, xor = hidden.reference()
        if kind == "affine":
            x, W, b = hidden.affine_inputs(rng, 1, hidden.THIN_D, 1)
            self.dout = rng.standard_normal((1, 1))
            self.inputs = [x, W, b]
            trusted = layers.AffineLayer()
            trusted.forward(x, W, b)
            self.run: Callable[[], Any] = lambda: trusted.backward(self.dout)
            self.args: list[Any] = [self.dout]
            self.factor = hidden.AFFINE_COST_FACTOR
        else:
            params = xor.init_params(n_hidden=hidden.WIDE_HIDDEN, seed=123)
            X, y, lr, epochs = xor.XOR_X, xor.XOR_Y, xor.DEFAULT_LR, hidden.WIDE_EPOCHS
            self.run = lambda: xor.train_xor(X, y, copy.deepcopy(params), lr, epochs)
            self.args = [X, y, params]
            self.call_kwargs = {"lr": lr, "epochs": epochs}
            self.factor = hidden.TRAIN_COST_FACTOR

    def reference(self) -> float:
        return min(reference_seconds(self.run, self.args) for _ in range(REPEATS))

    def student(self, folder: Path, cap: float) -> float | None:
        """CPU seconds of the call in a student process, or None past ``cap``."""
        options = CallOptions(limit=cap)
        with StudentSession(folder, ["layers", "xor"], SandboxConfig()) as session:
            try:
                if self.kind == "affine":
                    handle = session.new("layers.AffineLayer")
                    session.call(
                        "layers.AffineLayer", *self.inputs, handle=handle, method="forward"
                    )
                    session.call(
                        "layers.AffineLayer",
                        self.dout,
                        handle=handle,
                        method="backward",
                        call_options=options,
                    )
                else:
                    session.call(
                        "xor.train_xor", *self.args, call_options=options, **self.call_kwargs
                    )
            except StudentError:
                return None
            return session.last_cpu_seconds


def measure(case: CostCase, quick: bool) -> None:
    reference = case.reference()
    limit = case.factor * reference
    print(
        f"\n== {case.kind} cost check: reference {reference * 1e3:.2f} ms of CPU in the grader, "
        f"limit {case.factor:g} x = {limit:.2f} s"
    )
    slowest = 0.0
    for name, folder in correct_folders():
        runs = [case.student(folder, 10 * limit) for _ in range(REPEATS)]
        seconds = [r for r in runs if r is not None]
        worst = max(seconds) if len(seconds) == len(runs) else float("inf")
        slowest = max(slowest, worst)
        print(
            f"  correct   {name:36s} median {statistics.median(seconds):7.3f} s  "
            f"max {worst:7.3f} s  = {worst / reference:8.1f} x reference  "
            f"margin under the limit {limit / worst:6.1f} x"
        )
    print(
        f"  => slowest correct variant: {slowest / reference:.0f} x the reference, "
        f"{limit / slowest:.1f} x under the limit"
    )
    cap = 3 * limit if quick else 60.0
    for name in NUMERICAL[case.kind]:
        started = time.perf_counter()
        seconds = case.student(VARIANTS / name, cap)
        shown = f"{seconds:7.2f} s" if seconds is not None else f"> {cap:5.1f} s (stopped)"
        low = seconds if seconds is not None else cap
        print(
            f"  numerical {name:36s} {shown}  >= {low / reference:8.0f} x reference, "
            f">= {low / limit:6.1f} x the limit  ({time.perf_counter() - started:.0f} s wall)"
        )


def grading_cost(root: Path, folders: list[Path]) -> list[tuple[float, float, float]]:
    """(wall, grader CPU, student CPU) seconds to grade each folder with the grader in
    ``root`` (public + hidden checks). CPU times hardly depend on the machine's load;
    the student's is that of its reaped processes, so without the sandbox (bubblewrap,
    killed at the end of a session, never hands on its children's times)."""
    code = (
        "import resource, sys, time\nfrom pathlib import Path\n"
        "from autograder.grading.assignment import load_assignment\n"
        "from autograder.grading.runner import GradeOptions, grade_folder\n"
        "from autograder.isolation.sandbox import SandboxConfig\n"
        f"a = load_assignment(Path({str(root / 'solutions' / 'backprop')!r}))\n"
        "for folder in sys.argv[1:]:\n"
        "    kids = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "    t, c = time.perf_counter(), time.process_time()\n"
        "    grade_folder(Path(folder), a, GradeOptions(sandbox=SandboxConfig('none')))\n"
        "    after = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "    student = after.ru_utime + after.ru_stime - kids.ru_utime - kids.ru_stime\n"
        "    print(time.perf_counter() - t, time.process_time() - c, student)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *map(str, folders)],
        capture_output=True,
        text=True,
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    numbers = [float(x) for x in done.stdout.split()]
    return [tuple(numbers[i : i + 3]) for i in range(0, len(numbers), 3)]  # type: ignore[misc]


def summary(costs: list[tuple[float, float, float]]) -> str:
    wall, grader, student = (statistics.median(c[i] for c in costs) for i in range(3))
    return f"median wall {wall:.2f} s, grader CPU {grader:.2f} s, student CPU {student:.2f} s"


def grading_time(baseline: Path | None) -> None:
    folders = [folder for _, folder in correct_folders()]
    print(f"\n== grading time per student ({len(folders)} correct submissions, all checks)")
    new = grading_cost(REPO, folders)
    print(f"  this grader: {summary(new)}")
    if baseline is not None:
        old = grading_cost(baseline, folders)
        print(f"  baseline   : {summary(old)}")
        extra = [(n[1] + n[2]) - (o[1] + o[2]) for n, o in zip(new, old)]
        ratio = statistics.median(n[1] + n[2] for n in new) / statistics.median(
            o[1] + o[2] for o in old
        )
        print(
            f"  => extra CPU per student (grader + student): median "
            f"{statistics.median(extra):.2f} s, max {max(extra):.2f} s ({ratio:.1f} x)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--only", choices=["affine", "train", "time"])
    options = parser.parse_args()
    hidden = load_module(SOLUTION / "hidden_checks.py")
    for kind in ("affine", "train"):
        if options.only in (None, kind):
            measure(CostCase(kind, hidden), options.quick)
    if options.only in (None, "time"):
        grading_time(options.baseline)


if __name__ == "__main__":
    main()
