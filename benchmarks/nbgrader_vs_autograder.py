"""Side by side: `nbgrader autograde` and `autograder grade` on the same 20 notebooks.

Run from the repository root (needs the notebook extra, and bubblewrap)::

    python benchmarks/nbgrader_vs_autograder.py [--keep DIR]

A class of 20 notebook submissions is made from the released notebook: 12
correct (some written differently), 7 with a classic bug, 1 whose train_xor
never returns. Both graders run the same checks, public and hidden, with the
same seed: nbgrader through the notebook's test cells (which call our
checks in the student's kernel), ours through `autograder grade` with the
sandbox required. Printed: each grader's wall time for the class, the time
per submission (nbgrader's from its log timestamps, ours from each
report.json), both scores per student, the ratio, and each of our runs'
floor (the students' own CPU over the cores, plus the calibration each run
pays: it starts with an empty calibration cache), the CPU of the grader's own
processes (timings.json) and, when every core is used, all the run's CPU over
them, and the ratio at each bound beside the targets (12x at -j 1, 20x at
-j 2). Timings on a shared
machine are noisy: compare the two columns of one run, not runs.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat

# Both sides run in the environment this script was started in: importing the
# engine sets one BLAS thread for its own processes (autograder/core/blas.py),
# which must not carry over to nbgrader's kernels.
STARTED_WITH = dict(os.environ)

from autograder.distribution.nbgrader_course import write_course  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "backprop"
ASSIGNMENT = "backprop"
# (count, edits in the solution cells): what each kind of student wrote.
CORRECT = [
    [],
    [("dx = dz * self.y", "dx = self.y * dz")],
    [("dW = self.x.T @ dout", "dW = np.dot(self.x.T, dout)")],
    [("return da * self.a * (1.0 - self.a)", "return da * (self.a - self.a**2)")],
]
BUGGY = [
    [("db = dout.sum(axis=0)", "db = dout.mean(axis=0)")],
    [("dW = self.x.T @ dout", "dW = (dout.T @ self.x).T.T")],
    [("return da * self.a * (1.0 - self.a)", "return self.a * (1.0 - self.a)")],
    [("dx = dz * self.y\n        dy = dz * self.x", "dx = dz * self.x\n        dy = dz * self.y")],
    [("p[name] - lr * grads[name]", "p[name] + lr * grads[name]")],
    [('"b1": db1', '"b1": 0 * db1')],
    [("dx = dout @ self.W.T", "dx = dout @ self.W.T * 2")],
]
INFINITE = [("for _ in range(epochs):", "while True:")]
STUDENTS = (
    {f"s{i:02d}-correct": CORRECT[i % len(CORRECT)] for i in range(12)}
    | {f"s{12 + i:02d}-buggy": edits for i, edits in enumerate(BUGGY)}
    | {"s19-infinite-loop": INFINITE}
)


def run(
    command: list[str], cwd: Path, extra: dict[str, str] | None = None
) -> tuple[float, subprocess.CompletedProcess]:
    env = {k: v for k, v in STARTED_WITH.items() if not k.startswith("AUTOGRADER_")}
    env.update(extra or {})
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds, done


def make_class(course: Path) -> None:
    """submitted/<student>/backprop/backprop.ipynb: the release with answers filled in."""
    release = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    reference = nbformat.read(str(SOLUTION / f"{ASSIGNMENT}.ipynb"), as_version=4)
    answers = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in reference.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    for student, edits in STUDENTS.items():
        notebook = nbformat.read(str(release), as_version=4)
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                cell.source = answers[grade_id]
                for old, new in edits:
                    cell.source = cell.source.replace(old, new)
        changed = sum(old in "".join(answers.values()) for old, _ in edits)
        assert changed == len(edits), f"{student}: an edit matches no solution cell"
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(notebook, str(folder / f"{ASSIGNMENT}.ipynb"))


STAMP = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) .*Creating/updating student with ID '([^']+)'"
)


def nbgrader_times(log: str, end: datetime) -> dict[str, float]:
    """Per student: from its first log line to the next student's (or the end)."""
    starts = []
    for line in log.splitlines():
        match = STAMP.match(line)
        if match:
            starts.append(
                (match.group(2), datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S.%f"))
            )
    bounds = [t for _, t in starts[1:]] + [end]
    return {s: (b - t).total_seconds() for (s, t), b in zip(starts, bounds)}


def nbgrader_side(course: Path) -> tuple[float, dict[str, float], dict[str, float]]:
    command = [
        "nbgrader",
        "autograde",
        ASSIGNMENT,
        "--Application.log_format=%(asctime)s.%(msecs)03d %(message)s",
    ]
    wall, done = run(command, course)
    end = datetime.now()
    run(["nbgrader", "export"], course)
    with open(course / "grades.csv", newline="") as stream:
        scores = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(stream)}
    return wall, nbgrader_times(done.stdout + done.stderr, end), scores


def our_side(
    course: Path, out: Path, jobs: int
) -> tuple[float, dict[str, float], dict[str, float], dict[str, float]]:
    command = ["autograder", "grade", str(course / "submitted"), "--out", str(out)]
    command += ["--assignment", str(SOLUTION), "-j", str(jobs), "--require-sandbox", "--force"]
    # An empty calibration cache: the run pays its calibration, as a first run would.
    wall, _ = run(command, REPO, {"AUTOGRADER_CACHE_DIR": str(out.parent / f"cache-{out.name}")})
    reports = {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/report.json")}
    timings = json.loads((out / "timings.json").read_text())
    own = sum(s["student_cpu"] for s in timings["students"].values())
    cores = min(jobs, timings["cpus"])
    floor = own / cores + timings["calibration_seconds"]
    print(f"-j {jobs}: {wall:.1f} s wall, floor {floor:.1f} s (students' own CPU {own:.1f} s)")
    grader = timings["grader_processes_cpu"]  # start-up, calibration, checking, writing
    # Every core busy (-j = cores): no run is shorter than all its CPU over them (less
    # the calibration's student processes, not counted: a lower bound). With fewer
    # jobs, the grader's own work runs on the idle cores: no such bound.
    bound = (own + grader) / cores if cores == timings["cpus"] else math.nan
    print(
        f"      the grader's own processes' CPU {grader:.1f} s"
        + (
            f"; with the students', over {cores} cores: {bound:.1f} s"
            if not math.isnan(bound)
            else ""
        )
    )
    bounds = {"floor": floor, "cpu": bound}
    return (
        wall,
        {s: r["seconds"] for s, r in reports.items()},
        {s: r["score"] for s, r in reports.items()},
        bounds,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="nbgrader-bench-") as scratch:
        work = args.keep or Path(scratch)
        course = work / "course"
        write_course(SOLUTION, course, seed=0)
        run(["nbgrader", "generate_assignment", ASSIGNMENT, "--force"], course)
        make_class(course)
        nb_wall, nb_times, nb_scores = nbgrader_side(course)
        j1_wall, j1_times, j1_scores, j1_bounds = our_side(course, work / "results-j1", 1)
        j2_wall, _, j2_scores, j2_bounds = our_side(course, work / "results-j2", 2)
    mismatches = [
        s for s in STUDENTS if not nb_scores.get(s) == j1_scores.get(s) == j2_scores.get(s)
    ]
    print(f"{'student':20} {'nbgrader s':>10} {'ours s':>8}  {'nbgrader pts':>12} {'ours pts':>8}")
    for student in STUDENTS:
        print(
            f"{student:20} {nb_times.get(student, float('nan')):10.2f} {j1_times[student]:8.2f}  "
            f"{nb_scores.get(student, float('nan')):12g} {j1_scores[student]:8g}"
            + ("  MISMATCH" if student in mismatches else "")
        )
    count = len(STUDENTS)
    print(f"\nclass of {count} notebooks, same checks (public + hidden), same seed")
    for label, wall in [
        ("nbgrader autograde", nb_wall),
        ("autograder grade -j 1, sandbox", j1_wall),
        ("autograder grade -j 2, sandbox", j2_wall),
    ]:
        print(f"{label:31} {wall:7.1f} s wall ({wall / count:.2f} s per submission)")
    print(
        f"ratio nbgrader / ours: {nb_wall / j1_wall:.1f}x at -j 1, {nb_wall / j2_wall:.1f}x at -j 2"
    )
    for jobs, target, bounds in ((1, 12, j1_bounds), (2, 20, j2_bounds)):
        line = f"-j {jobs}: {target}x needs {nb_wall / target:.1f} s; at the floor "
        line += f"{nb_wall / bounds['floor']:.1f}x (these students' own code, start-up included)"
        if not math.isnan(bounds["cpu"]):
            line += f"; at all this run's CPU over the cores {nb_wall / bounds['cpu']:.1f}x"
        print(line)
    print(f"score mismatches: {mismatches or 'none'}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
