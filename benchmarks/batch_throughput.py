"""Throughput of `autograder grade`, and what the trust boundary costs per submission.

Run from the repository root (bubblewrap required)::

    python benchmarks/batch_throughput.py [--students 200] [--keep DIR]

A class of N submissions (default 200) is generated from the fixture
submissions, correct and buggy mixed (tests/fixtures/variants and the honest
twins of tests/fixtures/adversarial, cycled). It is graded by the real
command with the sandbox required, with -j 1 and with -j 2. Printed:

* submissions per second for each, end to end (start-up and the reference's
  calibration included), and at the margin (a one-student class's time taken
  off, i.e. what each further submission costs);
* the overhead per submission beyond the student code's own compute, in two
  parts: (1) a sandboxed ``grade_folder`` minus the same checks with the
  student's code called *in this process* (no process, no sandbox, no data
  passing; ``InProcessSession`` below stands in for ``StudentSession``), run
  back to back for every distinct source, median; (2) the batch's marginal
  -j 1 time per submission minus its ``grade_folder`` time (report.json):
  the pool, copying the submission, writing its results;
* two parts of (1) on their own: starting a student process and importing its
  modules (sandbox on and off), and one small call through the pipe.

Target: at most 0.2 s of overhead per submission with the sandbox on. The
machine may be shared: the load average is printed before and after, and
only the figures of one run should be compared with each other.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from autograder.checks import run_check
from autograder.core.errors import StudentException
from autograder.grading.assignment import Assignment, load_assignment
from autograder.grading.runner import GradeOptions, grade_folder
from autograder.isolation.sandbox import SandboxConfig
from autograder.isolation.session import StudentSession

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "backprop"
VARIANTS = REPO / "tests" / "fixtures" / "variants"
TWINS = REPO / "tests" / "fixtures" / "adversarial"
TARGET_SECONDS = 0.2


def sources() -> list[Path]:
    """Every fixture submission that is correct or honestly buggy (none hangs)."""
    variants = sorted(p for p in VARIANTS.iterdir() if (p / "layers.py").is_file())
    return variants + sorted(TWINS.glob("twin_*"))


def generate_class(folder: Path, count: int) -> dict[str, Path]:
    """``count`` student folders, cycling through the sources; student -> source."""
    pool, made = sources(), {}
    for index in range(count):
        source = pool[index % len(pool)]
        student = folder / f"s{index:03d}"
        student.mkdir(parents=True)
        for path in source.glob("*.py"):
            shutil.copyfile(path, student / path.name)
        made[student.name] = source
    return made


def grade(submissions: Path, out: Path, jobs: int) -> float:
    """Wall-clock seconds of one `autograder grade` run (sandbox required)."""
    command = [sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out)]
    command += ["--assignment", str(SOLUTION), "-j", str(jobs), "--require-sandbox"]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


# -- the same checks, student code called in this process ------------------------------
class InProcessSession:
    """StudentSession's interface, calling the student's code directly.

    Arguments are deep-copied as the pipe would copy them; exceptions become
    StudentException as the worker would report them. No process, no
    sandbox, no encoding: what is left is the checks' and the student's work.
    """

    def __init__(self, folder: Path, modules: tuple[str, ...]) -> None:
        self.modules = _import_isolated(folder, modules)
        self.objects: dict[int, Any] = {}
        self.calls: dict[int, tuple[list[Any], dict[str, Any]]] = {}
        self.call_log: list[tuple[str, float]] = []

    def begin_check(self, name: str) -> None:
        pass

    def take_output(self) -> str:
        return ""

    def _resolve(self, target: str) -> Any:
        module, _, attr = target.partition(".")
        try:
            return getattr(self.modules[module], attr)
        except (KeyError, AttributeError):
            raise StudentException(target, "AttributeError", target, "") from None

    def _run(self, function: str, call: Any, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return call(*args)
        except Exception as exc:
            raise StudentException(function, type(exc).__name__, str(exc), "") from None
        finally:
            self.call_log.append((function, time.perf_counter() - started))

    def new(self, target: str) -> int:
        handle = len(self.objects)
        self.objects[handle] = self._run(target, self._resolve(target))
        return handle

    def call(
        self,
        target: str,
        *args: Any,
        handle: int | None = None,
        method: str | None = None,
        **kw: Any,
    ) -> dict[str, Any]:
        function = (
            self._resolve(target) if handle is None else getattr(self.objects[handle], method)
        )
        args_copy, kw_copy = copy.deepcopy(list(args)), copy.deepcopy(kw)
        value = self._run(target, lambda: function(*args_copy, **kw_copy))
        call_id = len(self.calls)
        self.calls[call_id] = (args_copy, kw_copy)
        return {"value": value, "args_after": args_copy, "kwargs_after": kw_copy, "call": call_id}

    def peek(self, call_id: int) -> dict[str, Any]:
        args, kwargs = self.calls[call_id]
        return {"args": args, "kwargs": kwargs}


def _import_isolated(folder: Path, names: tuple[str, ...]) -> dict[str, Any]:
    saved = {name: sys.modules.pop(name) for name in names if name in sys.modules}
    sys.path.insert(0, str(folder))
    modules = {}
    try:
        for name in names:
            try:
                modules[name] = importlib.import_module(name)
            except Exception:  # a broken module: its checks fail, as in the grader
                pass
    finally:
        sys.path.remove(str(folder))
        for name in names:
            sys.modules.pop(name, None)
        sys.modules.update(saved)
    return modules


def in_process_seconds(folder: Path, assignment: Assignment) -> tuple[float, int]:
    """(seconds, number of calls) of every check, the student's code in-process."""
    started = time.perf_counter()
    # A diverging buggy trainer warns (overflow): in the student's process
    # that would be captured output, here it would clutter the figures.
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        session = InProcessSession(folder, assignment.modules)
        for check in assignment.checks(True):
            run_check(check, session, 0)  # type: ignore[arg-type]
    return time.perf_counter() - started, len(session.call_log)


def session_overhead(sources: list[Path], assignment: Assignment) -> tuple[float, float]:
    """Median (sandboxed grade_folder - in-process) over ``sources``, and the
    mean number of calls. Each pair runs back to back, so that a busy machine
    slows both sides alike."""
    options = GradeOptions(sandbox=SandboxConfig("bwrap"))
    differences, calls = [], []
    for source in sources:
        report, _ = grade_folder(source, assignment, options)
        seconds, count = in_process_seconds(source, assignment)
        differences.append(report.seconds - seconds)
        calls.append(count)
    return statistics.median(differences), statistics.fmean(calls)


# -- parts of the overhead -------------------------------------------------------------
def start_and_load_seconds(folder: Path, modules: tuple[str, ...], sandboxed: int) -> float:
    """Median seconds to start a student process, import its modules and stop it."""
    config = SandboxConfig("bwrap" if sandboxed else "none")
    times = []
    for _ in range(10):
        started = time.perf_counter()
        with StudentSession(folder, list(modules), config) as session:
            session.new("layers.MultiplyLayer")
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def round_trip_seconds(folder: Path, sandboxed: bool) -> tuple[float, float]:
    """Median seconds of one small call (5x4 arrays): through the pipe, in-process."""
    x, y = np.ones((5, 4)), np.full((5, 4), 2.0)
    config = SandboxConfig("bwrap" if sandboxed else "none")
    with StudentSession(folder, ["layers"], config) as session:
        handle = session.new("layers.MultiplyLayer")
        for _ in range(300):
            session.call("layers.MultiplyLayer", x, y, handle=handle, method="forward")
        remote = statistics.median(seconds for _, seconds in session.call_log[-300:])
    local = InProcessSession(folder, ("layers",))
    handle = local.new("layers.MultiplyLayer")
    for _ in range(300):
        local.call("layers.MultiplyLayer", x, y, handle=handle, method="forward")
    return remote, statistics.median(seconds for _, seconds in local.call_log[-300:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="keep the class and results here")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="batch-throughput-"))
    assignment = load_assignment(SOLUTION)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    made = generate_class(work / "class", args.students)
    generate_class(work / "one", 1)
    wall_one = grade(work / "one", work / "out-one", 1)
    walls = {jobs: grade(work / "class", work / f"out-j{jobs}", jobs) for jobs in (1, 2)}
    n = args.students
    print(f"\n{n} submissions ({len(set(made.values()))} distinct sources), sandbox required")
    print(f"  a 1-submission class (start-up, calibration, 1 student): {wall_one:6.1f} s")
    for jobs, wall in walls.items():
        each = (wall - wall_one) / (n - 1)
        print(
            f"  -j {jobs}: {wall:6.1f} s, {n / wall:5.2f} submissions/s end to end, "
            f"{1 / each:5.2f}/s at the margin ({each:.3f} s each)"
        )

    marginal = (walls[1] - wall_one) / (n - 1)
    reports = [json.loads(p.read_text()) for p in (work / "out-j1").glob("*/report.json")]
    pipeline_extra = marginal - statistics.fmean(r["seconds"] for r in reports)
    session, calls = session_overhead(sorted(set(made.values())), assignment)
    overhead = session + pipeline_extra
    print("\noverhead per submission beyond the student code's own compute:")
    rows = [
        (f"student process, sandbox, data passing ({calls:.0f} calls)", session),
        ("pool, copying the submission, writing its results", pipeline_extra),
        ("in all", overhead),
    ]
    for label, seconds in rows:
        print(f"  {label:<58} {seconds:7.3f} s")
    verdict = "within" if overhead <= TARGET_SECONDS else "OVER"
    print(f"  -> {verdict} the target of at most {TARGET_SECONDS} s per submission")

    honest = TWINS / "twin_full"
    starts = {mode: start_and_load_seconds(honest, assignment.modules, mode) for mode in (1, 0)}
    remote, in_process = round_trip_seconds(honest, True)
    print("\nparts of it (a correct submission, medians):")
    print(
        f"  start a student process + import its modules: sandbox {starts[1]:.3f} s, "
        f"plain {starts[0]:.3f} s"
    )
    print(
        f"  one small call: {remote * 1e3:.2f} ms through the sandbox's pipe, "
        f"{in_process * 1e3:.3f} ms in-process"
    )
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
