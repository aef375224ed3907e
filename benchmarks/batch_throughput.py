"""Throughput of `autograder grade` against its floor, and what each submission costs.

Run from the repository root (bubblewrap required)::

    python benchmarks/batch_throughput.py [--students 200] [--jobs 2] [--parts] [--keep DIR]

A class of N submissions (default 200) is generated from the fixture
submissions, correct and buggy mixed (tests/fixtures/variants and the honest
twins of tests/fixtures/adversarial, cycled). Each run is the real command
with the sandbox required and a fresh, empty calibration cache (so every
run pays one calibration) unless said "warm". Printed, from one run each:

* the class at each -j: its wall time beside its *floor*, the sum of the
  students' own CPU time (every sandboxed process of each student, start-up
  included, from timings.json) divided by the cores, plus one calibration;
  the grader's own CPU (checks, transport, pages) apart;
* one student end to end (a one-submission class), cold and warm cache,
  and through the Gradescope bundle's ``run_autograder``, beside 2x that
  student's own compute + 0.3 s;
* the first student of the class beside the median one (their checks' wall
  time, from timings.json);
* `autograder check` on the reference, beside 2x the public checks' own
  compute (the student process's CPU, start-up included) + 0.3 s.

``--parts`` adds the older breakdown of the overhead per submission (a
sandboxed ``grade_folder`` against the same checks in-process, the start of
a student process, one call through the pipe): slower, it grades every
distinct source twice more. The machine may be shared: the load average is
printed before and after; compare the figures of one run with each other.
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
import zipfile
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


def grade(submissions: Path, out: Path, jobs: int, cache: Path) -> tuple[float, dict[str, Any]]:
    """Wall-clock seconds of one `autograder grade` run (sandbox required, calibration
    cache ``cache``), and its timings.json."""
    command = [sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out)]
    command += ["--assignment", str(SOLUTION), "-j", str(jobs), "--require-sandbox", "--force"]
    environment = {**os.environ, "AUTOGRADER_CACHE_DIR": str(cache)}
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=environment)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: some submission was a grader error (recorded)
        raise SystemExit(f"grade failed:\n{done.stderr.decode()[-2000:]}")
    errors = [
        p.parent.name
        for p in out.glob("*/report.json")
        if '"grader_error": ""' not in p.read_text()
    ]
    if errors:
        named = ", ".join(sorted(errors)[:4])
        print(f"  ({len(errors)} grader errors, recorded as such: {named}...)")
    return wall, json.loads((out / "timings.json").read_text())


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
        remote = statistics.median(seconds for _, seconds in session.limits.times[-300:])
    local = InProcessSession(folder, ("layers",))
    handle = local.new("layers.MultiplyLayer")
    for _ in range(300):
        local.call("layers.MultiplyLayer", x, y, handle=handle, method="forward")
    return remote, statistics.median(seconds for _, seconds in local.call_log[-300:])


def class_figures(label: str, wall: float, timings: dict[str, Any]) -> None:
    """The class's wall time beside its floor, and the grader's CPU apart."""
    students = timings["students"].values()
    cores = min(timings["cpus"], timings["jobs"])
    own = sum(s["student_cpu"] for s in students)
    grader = sum(s["grader_cpu"] + s["record_cpu"] for s in students)
    floor = own / cores + timings["calibration_seconds"]
    print(
        f"  {label}: {wall:6.1f} s wall; floor {floor:6.1f} s (students' own CPU "
        f"{own:.1f} s / {cores} cores + calibration {timings['calibration_seconds']:.2f} s): "
        f"{wall / floor:.2f}x the floor"
    )
    print(f"      grader CPU apart: {grader:.1f} s ({grader / len(students):.3f} s per student)")
    processes = timings["grader_processes_cpu"]  # with start-up, calibration, class files
    print(f"      the grader's processes in all: {processes:.1f} s of CPU")
    busy = (own + processes) / cores
    print(
        f"      all the run's CPU (students' and grader's processes) / {cores} cores: "
        f"{busy:.1f} s, {busy / floor:.2f}x the floor (the wall time of an idle machine)"
    )


def first_and_median(timings: dict[str, Any], made: dict[str, Path]) -> None:
    """The first student each pool process graded, beside the median student and
    beside the same submission graded later in the batch (the class cycles through
    its sources, so each first student has later copies: like against like)."""
    done = sorted(timings["students"], key=lambda s: timings["students"][s]["done_at"])
    seconds = {s: timings["students"][s]["seconds"] for s in done}
    median = statistics.median(seconds.values())
    for first in done[: timings["jobs"]]:
        copies = [seconds[s] for s in done if made[s] == made[first] and s != first]
        later = f"{statistics.median(copies):.3f} s" if copies else "none"
        print(
            f"  first student {first} ({made[first].name}): {seconds[first]:.3f} s; the same "
            f"submission later: {later}; the class's median: {median:.3f} s"
        )


def one_student(work: Path) -> None:
    """A correct student alone, cold then warm cache, beside 2x own compute + 0.3 s."""
    student = work / "one" / "s000"
    student.mkdir(parents=True)
    for path in (TWINS / "twin_full").glob("*.py"):
        shutil.copyfile(path, student / path.name)
    cache = work / "cache-one"
    for label in ("cold cache (calibrates)", "warm cache"):
        wall, timings = grade(work / "one", work / "out-one", 1, cache)
        (student,) = timings["students"].values()
        target = 2 * student["student_cpu"] + 0.3
        print(
            f"  one student, {label}: {wall:.2f} s wall; own compute "
            f"{student['student_cpu']:.3f} s -> target {target:.2f} s: {wall / target:.2f}x it "
            f"(calibration {timings['calibration_seconds']:.2f} s, grader CPU "
            f"{student['grader_cpu'] + student['record_cpu']:.3f} s)"
        )


def gradescope_student(work: Path) -> None:
    """A correct student through the Gradescope bundle's ``run_autograder`` (its shipped
    calibration, as on Gradescope), beside 2x that student's own compute + 0.3 s."""
    bundle = work / "gradescope"
    export = [sys.executable, "-m", "autograder", "export", "gradescope", "--solution"]
    export += [str(SOLUTION), "--out", str(bundle), "--seed", "4711"]
    subprocess.run(export, capture_output=True, check=True)
    root = work / "gradescope-root"
    with zipfile.ZipFile(next(bundle.glob("*.zip"))) as archive:
        archive.extractall(root / "source")
    (root / "source" / "run_autograder").chmod(0o755)
    shutil.copytree(TWINS / "twin_full", root / "submission")
    environment = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    environment.pop("PYTHONPATH", None)
    started = time.perf_counter()
    subprocess.run([str(root / "source" / "run_autograder")], env=environment, check=True)
    wall = time.perf_counter() - started
    results = json.loads((root / "results" / "results.json").read_text())
    timing = results["extra_data"]["timing"]
    own, target = timing["student_cpu"], 2 * timing["student_cpu"] + 0.3
    print(
        f"  one student on Gradescope (run_autograder, shipped calibration): {wall:.2f} s wall; "
        f"own compute {own:.3f} s -> target {target:.2f} s: {wall / target:.2f}x it "
        f"(grader CPU {timing['grader_cpu']:.3f} s, score {results['score']:g})"
    )


def check_on_reference() -> None:
    """`autograder check` on the reference: median wall of 5 against its own compute."""
    walls = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "autograder", "check", str(SOLUTION)], capture_output=True
        )
        walls.append(time.perf_counter() - started)
    assignment = load_assignment(SOLUTION, with_hidden=False)
    options = GradeOptions(include_hidden=False, sandbox=SandboxConfig("none"), report_data=False)
    own = statistics.median(
        grade_folder(SOLUTION, assignment, options)[0].timing["student_cpu"] for _ in range(3)
    )
    wall, target = statistics.median(walls), 2 * own + 0.3
    print(
        f"  check on the reference: {wall:.2f} s wall (median of 5); public checks' own "
        f"compute {own:.3f} s -> target {target:.2f} s: {wall / target:.2f}x it"
    )


def parts(made: dict[str, Path], assignment: Assignment, work: Path) -> None:
    """The older breakdown of the overhead per submission (``--parts``)."""
    session, calls = session_overhead(sorted(set(made.values())), assignment)
    print("\noverhead per submission beyond the student code's own compute:")
    print(f"  student process, sandbox, data passing ({calls:.0f} calls): {session:7.3f} s")
    honest = TWINS / "twin_full"
    starts = {mode: start_and_load_seconds(honest, assignment.modules, mode) for mode in (1, 0)}
    remote, in_process = round_trip_seconds(honest, True)
    print(
        f"  start a student process + import its modules: sandbox {starts[1]:.3f} s, "
        f"plain {starts[0]:.3f} s"
    )
    print(
        f"  one small call: {remote * 1e3:.2f} ms through the sandbox's pipe, "
        f"{in_process * 1e3:.3f} ms in-process"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--jobs", type=int, nargs="+", default=[2])
    parser.add_argument("--parts", action="store_true", help="the overhead breakdown too")
    parser.add_argument("--keep", type=Path, help="keep the class and results here")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="batch-throughput-"))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"on {os.cpu_count()} CPUs, sandbox required; each run with an empty calibration cache")
    one_student(work)
    gradescope_student(work)
    check_on_reference()
    made = generate_class(work / "class", args.students)
    print(f"\n{args.students} submissions ({len(set(made.values()))} distinct sources)")
    for jobs in args.jobs:
        wall, timings = grade(work / "class", work / f"out-j{jobs}", jobs, work / f"cache-{jobs}")
        class_figures(f"-j {jobs}", wall, timings)
        first_and_median(timings, made)
    if args.parts:
        parts(made, load_assignment(SOLUTION), work)
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
