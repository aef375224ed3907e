"""Grading on a Dask cluster against the local pool, on the same class and machine.

Run from the repository root (bubblewrap and the [cluster] extra required)::

    python benchmarks/cluster_throughput.py [--students 200] [--keep DIR]

A class of N submissions (default 200) is made from the fixture submissions,
correct and buggy mixed (tests/fixtures/variants, cycled). It is graded by
the real command with the sandbox required, twice: locally with ``-j 2``, and
with ``--scheduler`` on a local cluster of 2 single-threaded worker processes
(``LocalCluster(processes=True)``). Printed: both throughputs end to end
(calibration included) and their ratio, i.e. what the cluster costs per task
on top of the grading itself.

Then the parts that decide where the bottleneck goes with more machines:

* the scheduler's own cost per task: no-op tasks carrying a real task's
  arguments, pushed through the same cluster;
* bytes per task, there and back (a task's pickled arguments, a report);
* the client's serial work per student: packing the submission and writing
  its results (``Batch.record``: results.json and report.json, each fsynced).

The machine may be shared: the load average is printed before and after;
compare the figures of one run with each other, not across runs.
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from distributed import Client, LocalCluster

from autograder import __version__
from autograder.grading.batch import Batch
from autograder.grading.cluster_worker import sandbox_slot
from autograder.grading.config import BatchConfig
from autograder.grading.one import grade_one
from autograder.grading.parcels import pack_folder, pack_submission
from autograder.grading.runner import GradeOptions
from autograder.intake.submissions import discover

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "backprop"
VARIANTS = REPO / "tests" / "fixtures" / "variants"
NOOP_TASKS = 400


def generate_class(folder: Path, count: int) -> None:
    """``count`` student folders, cycling through the fixture variants."""
    pool = sorted(p for p in VARIANTS.iterdir() if (p / "layers.py").is_file())
    for index in range(count):
        student = folder / f"s{index:03d}"
        student.mkdir(parents=True)
        for path in pool[index % len(pool)].glob("*.py"):
            shutil.copyfile(path, student / path.name)


def grade(submissions: Path, out: Path, *where: str) -> float:
    """Wall-clock seconds of one `autograder grade` run (sandbox required)."""
    command = [sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out)]
    command += ["--assignment", str(SOLUTION), "--require-sandbox", "--force", *where]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def noop(*args: object) -> int:
    return len(args)


def scheduler_seconds_per_task(client: Client, args: tuple[object, ...]) -> float:
    """Round-trip cost of a task that does nothing but carries ``args``."""
    client.gather(client.map(noop, range(20), pure=False))  # warm up
    started = time.perf_counter()
    futures = [client.submit(noop, *args, i, pure=False) for i in range(NOOP_TASKS)]
    client.gather(futures)
    return (time.perf_counter() - started) / NOOP_TASKS


def client_side(submissions: Path, scratch: Path) -> tuple[dict[str, float], tuple[object, ...]]:
    """Bytes per task, the client's serial seconds per student (pack, record); a task's args."""
    options = GradeOptions()
    config = BatchConfig(SOLUTION, options, force=True)
    batch = Batch(submissions, scratch / "records", config)
    students = discover(submissions)[:40]
    bundle = pack_folder(SOLUTION)
    started = time.perf_counter()
    parcels = [pack_submission(s) for s in students]
    pack = (time.perf_counter() - started) / len(students)
    with sandbox_slot() as slot:
        report, error = grade_one(students[0], batch.assignment, options, slot)
    started = time.perf_counter()
    for student in students:
        batch.record(student, report, error)
    record = (time.perf_counter() - started) / len(students)
    arguments = (parcels[0], SOLUTION.name, bundle, options, __version__)
    figures = {
        "task_bytes": len(pickle.dumps(arguments)),
        "bundle_bytes": len(bundle),
        "parcel_bytes": len(parcels[0].data),
        "result_bytes": len(pickle.dumps((report, error))),
        "pack_s": pack,
        "record_s": record,
    }
    return figures, arguments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=1, help="alternate runs; keep each best")
    parser.add_argument("--keep", type=Path, help="keep the class and results here")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="cluster-bench-"))
    submissions = work / "class"
    if submissions.exists():
        shutil.rmtree(submissions)
    generate_class(submissions, args.students)
    print(f"{args.students} submissions; load average before: {os.getloadavg()}")

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    with cluster:
        locals_, remotes = [], []
        for _ in range(args.rounds):  # alternated, so that both see the same load
            locals_.append(grade(submissions, work / "local", "-j", "2"))
            where = ("--scheduler", cluster.scheduler_address)
            remotes.append(grade(submissions, work / "remote", *where))
        local, remote = min(locals_), min(remotes)
        parts, arguments = client_side(submissions, work)
        with Client(cluster) as client:
            per_task = scheduler_seconds_per_task(client, arguments)
            small = scheduler_seconds_per_task(client, ())

    n = args.students
    print(f"local -j 2 runs (s)  : {', '.join(f'{t:.1f}' for t in locals_)}")
    print(f"cluster runs (s)     : {', '.join(f'{t:.1f}' for t in remotes)}")
    print(f"local -j 2           : {local:7.1f} s  {n / local:6.2f} submissions/s (best)")
    print(f"cluster, 2 workers   : {remote:7.1f} s  {n / remote:6.2f} submissions/s (best)")
    print(f"ratio cluster / local: {(n / remote) / (n / local):.3f} (throughput)")
    extra = (remote - local) * 2 / n
    print(f"cluster cost per task: {extra * 1000:+.0f} ms of a worker's time")
    print(f"scheduler round trip per no-op task: {per_task * 1000:.2f} ms with a real task's")
    print(f"  arguments, {small * 1000:.2f} ms without (2 workers, {NOOP_TASKS} tasks)")
    print(
        f"bytes per task: {parts['task_bytes']:.0f} there (assignment {parts['bundle_bytes']:.0f},"
        f" submission {parts['parcel_bytes']:.0f}), {parts['result_bytes']:.0f} back"
    )
    print(
        f"client, per student: pack {parts['pack_s'] * 1000:.2f} ms, "
        f"record {parts['record_s'] * 1000:.2f} ms"
    )
    print(f"load average after: {os.getloadavg()}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
