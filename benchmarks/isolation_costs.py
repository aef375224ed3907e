"""What isolation costs, and what one hostile submission can cost a batch, per level.

Run from the repository root, as root for the uid drop (bubblewrap for the
bwrap level)::

    python benchmarks/isolation_costs.py [--levels bwrap landlock none] [--repeat 10]

Printed, each a figure measured in this run (no timing is asserted):

1. The set-up of one student process at each level: seconds from its start
   to its *ready* message (limits, runtime and NumPy loaded, confinement
   applied), median of ``--repeat``; and the confinement step alone
   (``runtime.confine``: the uid drop, Landlock's ruleset and seccomp's
   filter), timed inside a process that applies the Landlock plan. The
   Landlock cost per student process is the difference between the
   ``landlock`` and ``none`` starts (both drop privileges) and the step alone.
2. The worst batch time one hostile submission can cause against an honest
   one's, at each level: every submission of tests/fixtures/adversarial is
   graded on its own (``grade_one``, the local pool's code path, after the
   reference's calibration with the default limits and budget), its wall
   time taken; the honest figure is the median of three gradings of
   ``twin_full``; ``naps_to_the_cap`` (built here) naps just under its wall
   cap in every call, the most a student can take per call: it meets the
   submission's budget. The ratio max(hostile) / honest is what any one
   student can cost the batch, however it spreads its sleeps or its
   children's work.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.grading.assignment import load_assignment
from autograder.grading.calibration import calibrate
from autograder.grading.one import grade_one
from autograder.grading.runner import GradeOptions
from autograder.intake.submissions import Submission
from autograder.isolation import launch, levels
from autograder.isolation.sandbox import Isolation, SandboxConfig
from autograder.isolation.session import TimeoutPolicy

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "backprop"
ADVERSARIAL = REPO / "tests" / "fixtures" / "adversarial"
CONFINE_ONLY = """
import json, sys, time
sys.path.insert(0, {repo!r})
from autograder.runtime import confine, plaindata  # NumPy loaded, as in the bootstrap
started = time.perf_counter()
applied = confine.confine(json.loads(sys.argv[1]))
print(json.dumps({{"seconds": time.perf_counter() - started, "applied": applied}}))
"""


# Every call naps just under its wall cap (3 x 1 s + 1 s at the default floor):
# each call within its limits, the most wall time per call a student can take.
NAP_TO_THE_CAP = "        import time\n\n        time.sleep(3.8)\n"


def isolation_at(level: str, pid_namespace: bool = True) -> Isolation:
    if level == "landlock":
        unshare = pid_namespace and bool(launch.pid_namespace_prefix())
        return Isolation("landlock", levels.abi_version(), unshare)
    return Isolation(level)


def start_seconds(isolation: Isolation, repeat: int) -> float:
    return statistics.median(levels.start_probe(isolation)[1] for _ in range(repeat))


def napping_to_the_cap(folder: Path) -> Path:
    """twin_full with every layer method napping to its call's wall cap."""
    folder.mkdir(parents=True)
    layers = (ADVERSARIAL / "twin_full" / "layers.py").read_text()
    for anchor in (
        "        return x * y\n",
        "        return x @ W + b\n",
        "        dx = dz * self.y\n",
    ):
        layers = layers.replace(anchor, NAP_TO_THE_CAP + anchor, 1)
    (folder / "layers.py").write_text(layers)
    (folder / "xor.py").write_text((ADVERSARIAL / "twin_full" / "xor.py").read_text())
    folder.chmod(0o755)
    return folder


def confine_seconds(repeat: int) -> tuple[float, dict[str, object]]:
    """The confinement step alone (Landlock plan), median over fresh processes."""
    figures, applied = [], {}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as scratch:
            os.chmod(scratch, 0o755)
            plan = launch.plan_for(isolation_at("landlock"), Path(scratch), Path(scratch), 63999)
            code = CONFINE_ONLY.format(repo=str(REPO))
            done = subprocess.run(
                [sys.executable, "-I", "-c", code, json.dumps(plan)],
                capture_output=True,
                text=True,
                env={"OPENBLAS_NUM_THREADS": "1"},
                check=True,
            )
            result = json.loads(done.stdout)
            figures.append(result["seconds"])
            applied = result["applied"]
    return statistics.median(figures), applied


def grade_seconds(submission: Path, assignment: object, options: GradeOptions) -> float:
    started = time.perf_counter()
    report, error = grade_one(Submission(submission.name, submission), assignment, options, 0)  # type: ignore[arg-type]
    assert not error, error
    return time.perf_counter() - started


def worst_case(level: str) -> None:
    assignment = load_assignment(SOLUTION)
    defaults = GradeOptions(sandbox=SandboxConfig(level), timeouts=TimeoutPolicy())
    options = calibrate(assignment, defaults)
    print(f"\n[{level}] budget per submission: {options.timeouts.budget:.1f} s")
    honest = statistics.median(
        grade_seconds(ADVERSARIAL / "twin_full", assignment, options) for _ in range(3)
    )
    times = {}
    for folder in sorted(p for p in ADVERSARIAL.iterdir() if p.is_dir()):
        if not folder.name.startswith("twin_"):
            times[folder.name] = grade_seconds(folder, assignment, options)
    with tempfile.TemporaryDirectory() as scratch:
        os.chmod(scratch, 0o755)
        capped = napping_to_the_cap(Path(scratch) / "naps_to_the_cap")
        times[capped.name] = grade_seconds(capped, assignment, options)
    worst = max(times, key=times.__getitem__)
    for name, seconds in sorted(times.items(), key=lambda item: -item[1])[:6]:
        print(f"  {name:24s} {seconds:7.2f} s  ({seconds / honest:5.1f} x honest)")
    print(
        f"  honest (twin_full, median of 3): {honest:.2f} s; worst: {worst} "
        f"{times[worst]:.2f} s = {times[worst] / honest:.1f} x honest"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--levels", nargs="+", default=["bwrap", "landlock", "none"])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--skip-worst", action="store_true", help="set-up costs only")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print("start to ready, median of", args.repeat)
    starts = {level: start_seconds(isolation_at(level), args.repeat) for level in args.levels}
    if "landlock" in args.levels and launch.pid_namespace_prefix():
        alone = isolation_at("landlock", pid_namespace=False)
        starts["landlock, no PID namespace"] = start_seconds(alone, args.repeat)
    for level, seconds in starts.items():
        print(f"  {level:28s} {seconds * 1000:7.1f} ms")
    step, applied = confine_seconds(args.repeat)
    print(f"confinement step alone (uid drop, Landlock, seccomp): {step * 1000:.2f} ms")
    print(f"  applied: {applied}")
    if "landlock" in starts and "none" in starts:
        extra = starts["landlock"] - starts["none"]
        print(f"Landlock route minus none, per student process: {extra * 1000:.1f} ms")
    if not args.skip_worst:
        for level in args.levels:
            worst_case(level)
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
