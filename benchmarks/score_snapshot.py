"""Scores of the example classes and the fixture catalogue, without their timing fields.

Run from the repository root (bubblewrap required)::

    python benchmarks/score_snapshot.py OUT.json            # grade and save
    python benchmarks/score_snapshot.py OUT.json --compare BEFORE.json
    python benchmarks/score_snapshot.py AFTER.json --compare BEFORE.json --only-compare

Each fixture folder (tests/fixtures/<group>/<name>) becomes a student of a
class of its group; every class is graded by the real `autograder grade`
(sandbox required, -j 2). What is kept per student: report.json and
results.json with every ``seconds`` and ``execution_time`` field removed, and
the time limits quoted in messages masked (multiples of the reference's CPU
time, measured by each run), and the class's grades.csv. ``--compare``
prints the students whose normalized files differ from a saved snapshot: a
change of speed must leave that list empty. The adversarial fixtures that
are judged by a time or memory limit are graded too, but listed apart, as
their verdict may depend on the machine's load.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
TIMING = {"seconds", "execution_time", "timing"}
EXPECTED = "expected_losses"
# (class name, its students' folder, its reference)
CLASSES = [
    ("examples-class", REPO / "examples" / "class", "backprop"),
    ("examples-neuron", REPO / "examples" / "neuron-class", "neuron"),
    ("variants", FIXTURES / "variants", "backprop"),
    ("diagnosis", FIXTURES / "diagnosis", "backprop"),
    ("hidden", FIXTURES / "hidden", "backprop"),
    ("adversarial", FIXTURES / "adversarial", "backprop"),
    ("neuron_variants", FIXTURES / "neuron_variants", "neuron"),
    ("neuron_hidden", FIXTURES / "neuron_hidden", "neuron"),
]
# Judged by a time/memory/process limit: their verdict may depend on the load.
LOAD_DEPENDENT = {
    "busy_children",
    "fork_bomb",
    "loop_in_backward",
    "memory_children",
    "memory_hog",
    "naps_everywhere",
    "print_flood",
    "sleep_at_import",
    "spawn_children",
    "spawn_daemon",
    "trickle_reply",
}


# A time limit quoted in a message ("used more than 2.0 s of CPU time", "did not
# finish within 2.51 s of CPU time"): a multiple of the reference's own time,
# measured by this run's calibration or cost check, so it differs run to run.
TIME_LIMIT = re.compile(r"\d+(?:\.\d+)? s of CPU time")


def normalized(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items() if k not in TIMING}
    if isinstance(value, list):
        return [normalized(v) for v in value]
    if isinstance(value, str):
        return TIME_LIMIT.sub("<limit> s of CPU time", value)
    return value


def class_folder(source: Path, scratch: Path) -> Path:
    """The examples as they are; a fixture group without its catalogue/scripts."""
    if source.parent.name == "examples":
        return source
    folder = scratch / source.name
    folder.mkdir()
    for entry in sorted(source.iterdir()):
        if entry.is_dir() and not entry.name.startswith(("_", ".")):
            shutil.copytree(entry, folder / entry.name)
    return folder


def grade_class(name: str, source: Path, reference: str, scratch: Path) -> dict[str, Any]:
    out = scratch / f"out-{name}"
    command = [sys.executable, "-m", "autograder", "grade", str(class_folder(source, scratch))]
    command += ["--out", str(out), "--assignment", str(REPO / "solutions" / reference)]
    command += ["-j", "2", "--require-sandbox", "--force"]
    subprocess.run(command, capture_output=True, cwd=REPO)  # exit 1 on grader errors: kept
    students: dict[str, Any] = {}
    for report in sorted(out.glob("*/report.json")):
        student = report.parent.name
        results = report.parent / "results.json"
        students[student] = {
            "report": normalized(json.loads(report.read_text())),
            "results": normalized(json.loads(results.read_text())) if results.exists() else None,
        }
    grades = out / "grades.csv"
    return {"students": students, "grades.csv": grades.read_text() if grades.exists() else ""}


def without_expected(document: Any) -> tuple[Any, list[tuple[list, list]]]:
    """The document with every check's ``expected_losses`` taken out, and those curves."""
    curves: list[tuple[list, list]] = []
    if not isinstance(document, dict):
        return document, curves
    # The hash of the checks' sources (what makes a rerun regrade): it changes with
    # any edit of public_checks.py, whatever the scores; not a result.
    document.get("report", {}).pop("fingerprint", None)
    for check in document.get("report", {}).get("checks", []):
        curve = check.get("data", {}).pop(EXPECTED, None)
        curves.append(curve)
    return document, curves


def largest_difference(old: list, new: list) -> float:
    """The largest |difference| of two expected curves (inf when they cannot be paired)."""
    old, new = old or [], new or []
    if len(old) != len(new) or any((a is None) != (b is None) for a, b in zip(old, new)):
        return float("inf")
    return max((abs(a - b) for a, b in zip(old, new) if a is not None), default=0.0)


def steady_rows(grades: str) -> list[str]:
    """grades.csv without the rows of the load-dependent fixtures."""
    return [row for row in grades.splitlines() if row.split(",", 1)[0] not in LOAD_DEPENDENT]


def compare(before: dict[str, Any], after: dict[str, Any]) -> int:
    """Byte for byte, apart from the timing fields; the expected curves apart.

    ``expected_losses`` (the feedback plot's expected curve) is the one field a
    faster grader changes on purpose: it is now the reference trainer's own
    run, no longer a complex-step simulation of it; its largest difference is
    printed. ``fingerprint`` (a hash of the checks' files, for skipping
    unchanged submissions) changes with any edit of them. Everything else must
    be identical.
    """
    differing, load, curve_gap = [], [], 0.0
    for name in before:
        old, new = before[name], after.get(name, {})
        if steady_rows(old.get("grades.csv", "")) != steady_rows(new.get("grades.csv", "")):
            differing.append(f"{name}/grades.csv")
        for student in sorted(set(old["students"]) | set(new.get("students", {}))):
            a, old_curves = without_expected(copy.deepcopy(old["students"].get(student)))
            b, new_curves = without_expected(copy.deepcopy(new.get("students", {}).get(student)))
            for x, y in zip(old_curves, new_curves):
                curve_gap = max(curve_gap, largest_difference(x, y))
            if a != b:
                (load if student in LOAD_DEPENDENT else differing).append(f"{name}/{student}")
    total = sum(len(c["students"]) for c in before.values())
    print(f"{total} students compared; differing: {differing or 'none'}")
    print(f"load-dependent fixtures that differ (time/memory limits): {load or 'none'}")
    print(f"expected loss curves: largest difference {curve_gap:.3g}")
    return 1 if differing else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--compare", type=Path)
    parser.add_argument("--only-compare", action="store_true", help="compare OUT, do not grade")
    args = parser.parse_args()
    if args.only_compare:
        return compare(json.loads(args.compare.read_text()), json.loads(args.out.read_text()))
    with tempfile.TemporaryDirectory(prefix="score-snapshot-") as scratch:
        snapshot = {
            name: grade_class(name, source, reference, Path(scratch))
            for name, source, reference in CLASSES
        }
    args.out.write_text(json.dumps(snapshot, indent=1, sort_keys=True))
    if args.compare:
        return compare(json.loads(args.compare.read_text()), snapshot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
