"""The README's "Writing a new assignment": its commands run as written, and do what it says.

Every `autograder ...` line of the section's bash blocks runs as a real
command (the installed script, a subprocess) in a copy of the neuron folders,
so the walk-through cannot drift from the tool. A line whose comment says
"exits 1" must exit 1; every other line must exit 0. `grade` runs in the
sandbox: the reference must score full marks there before the class is graded.
"""

from __future__ import annotations

import csv
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

SECTION = "## Writing a new assignment"
AUTOGRADER = Path(sys.executable).parent / "autograder"
FOLDERS = ("solutions/neuron", "assignments/neuron", "examples/neuron-class")


def walkthrough() -> list[tuple[str, int]]:
    """(command, expected exit status) for each command of the section, in order."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n## ", len(SECTION))]
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", section, re.S):
        for line in block.splitlines():
            command, _, comment = line.partition("#")
            if command.strip().startswith("autograder "):
                commands.append((command.strip(), 1 if "exits 1" in comment else 0))
    return commands


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    root = tmp_path_factory.mktemp("course")
    for folder in FOLDERS:
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    runs = []
    for command, status in walkthrough():
        args = [str(AUTOGRADER), *shlex.split(command)[1:]]
        done = subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=600)
        runs.append((command, status, done))
    return root, runs


def test_the_walkthrough_covers_every_step() -> None:
    steps = [shlex.split(command)[1:3] for command, _ in walkthrough()]
    for step in (["check"], ["notebook"], ["skeleton"], ["grade"], ["release"]):
        assert any(s[: len(step)] == step for s in steps), step
    assert ["export", "gradescope"] in steps and ["export", "nbgrader"] in steps


def test_every_command_exits_as_the_readme_says(walked: tuple[Path, list]) -> None:
    _, runs = walked
    for command, status, done in runs:
        assert done.returncode == status, f"{command}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stdout + done.stderr, command


def test_the_generated_student_folder_is_the_committed_one(walked: tuple[Path, list]) -> None:
    root, _ = walked
    written = root / "assignments" / "neuron"
    for path in (REPO / "assignments" / "neuron").iterdir():
        if path.is_file():
            assert (written / path.name).read_bytes() == path.read_bytes(), path.name


def test_the_class_is_graded_in_the_sandbox_with_the_reference_at_full_marks(
    walked: tuple[Path, list],
) -> None:
    root, _ = walked
    results = root / "results" / "neuron"
    with open(results / "grades.csv", newline="") as stream:
        rows = {row["student"]: row for row in csv.DictReader(stream)}
    assert set(rows) == {"ana", "budi", "citra", "dewi", "eko"}
    assert all(row["max"] == "25" and row["status"] == "ok" for row in rows.values())
    assert rows["ana"]["total"] == rows["dewi"]["total"] == "25"  # files and notebook
    assert all(float(rows[s]["total"]) < 25 for s in ("budi", "citra", "eko"))
    summary = json.loads((results / "summary.json").read_text())
    assert summary["sandboxed"] is True


def test_the_release_and_both_exports_are_written(walked: tuple[Path, list]) -> None:
    root, _ = walked
    assert (root / "dist" / "neuron-release.zip").is_file()
    assert (root / "dist" / "gradescope-neuron.zip").is_file()
    assert (root / "course" / "source" / "neuron" / "neuron.ipynb").is_file()
    assert (root / "course" / "grader" / "neuron" / "hidden_checks.py").is_file()
