"""Scores of the example classes and the fixture catalogue, without their timing fields.

Run from the repository root (bubblewrap required)::

    python benchmarks/score_snapshot.py OUT.json            # grade and save
    python benchmarks/score_snapshot.py OUT.json --compare BEFORE.json

Each fixture folder (tests/fixtures/<group>/<name>) becomes a student of a
class of its group; every class is graded by the real `autograder grade`
(sandbox required, -j 2). What is kept per student: report.json and
results.json with every ``seconds`` and ``execution_time`` field removed (the
only fields a rerun may change), and the class's grades.csv. ``--compare``
prints the students whose normalized files differ from a saved snapshot: a
change of speed must leave that list empty. The adversarial fixtures that
are judged by a time or memory limit are graded too, but listed apart, as
their verdict may depend on the machine's load.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
TIMING = {"seconds", "execution_time"}
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


def normalized(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items() if k not in TIMING}
    if isinstance(value, list):
        return [normalized(v) for v in value]
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


def compare(before: dict[str, Any], after: dict[str, Any]) -> int:
    differing, load = [], []
    for name in before:
        old, new = before[name], after.get(name, {})
        if old.get("grades.csv") != new.get("grades.csv"):
            print(f"{name}: grades.csv differs")
        for student in sorted(set(old["students"]) | set(new.get("students", {}))):
            if old["students"].get(student) != new.get("students", {}).get(student):
                (load if student in LOAD_DEPENDENT else differing).append(f"{name}/{student}")
    total = sum(len(c["students"]) for c in before.values())
    print(f"{total} students compared; differing: {differing or 'none'}")
    print(f"load-dependent fixtures that differ (time/memory limits): {load or 'none'}")
    return 1 if differing else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--compare", type=Path)
    args = parser.parse_args()
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
