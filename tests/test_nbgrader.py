"""The nbgrader route, with the real tools: generate_assignment, autograde, export,
then `autograder grade` and `feedback` inside the course and nbgrader's release_feedback.

One course is set up, released, autograded and exported once for the whole
module (nbgrader starts a Jupyter kernel per notebook: seconds each), then
graded by `autograder grade` from inside it as the README says; the tests
read what nbgrader and the grader produced.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import SOLUTION

from autograder.core.errors import AutograderError
from autograder.distribution.nbgrader_course import write_course
from autograder.grading.assignment import load_assignment

ASSIGNMENT = "backprop"
REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
# Student -> (text in a solution cell, what the student wrote instead).
STUDENTS = {
    "correct": None,
    "buggy": ("db = dout.sum(axis=0)", "db = dout.mean(axis=0)"),
    "broken": ("dx = dz * self.y", "dx = dz * self.y)"),
}


def nbgrader(course: Path, *args: str) -> str:
    """Run an nbgrader command in the course; return what it printed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    done = subprocess.run(
        ["nbgrader", *args], cwd=course, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (course / f"{args[0]}.log").write_text(done.stdout + done.stderr)
    return done.stdout + done.stderr


def submission(release: Path, student: str) -> nbformat.NotebookNode:
    """The released notebook with the student's answers in its solution cells."""
    notebook = nbformat.read(str(release), as_version=4)
    answers = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in nbformat.read(str(SOLUTION / "backprop.ipynb"), as_version=4).cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    edit = STUDENTS[student]
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
            if edit and edit[0] in cell.source:
                cell.source = cell.source.replace(*edit)
    return notebook


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("course")
    write_course(SOLUTION, root, seed=0)
    nbgrader(root, "generate_assignment", ASSIGNMENT)
    release = root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    for student in STUDENTS:
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(submission(release, student), str(folder / f"{ASSIGNMENT}.ipynb"))
        # What nbgrader's submit writes beside a notebook (and collect keeps): its time and
        # the secret that names the student's feedback in the exchange.
        (folder / "timestamp.txt").write_text("2024-03-01 10:00:00.000000 UTC")
        (folder / "submission_secret.txt").write_text(f"secret-of-{student}")
    nbgrader(root, "autograde", ASSIGNMENT)
    nbgrader(root, "export")
    return root


def our_score(course: Path, student: str) -> float:
    """The same notebook graded by `autograder grade` in the course (see ``handed_back``)."""
    return float(json.loads((course / "results" / student / "report.json").read_text())["score"])


def exported(course: Path) -> dict[str, dict[str, str]]:
    with open(course / "grades.csv", newline="") as stream:
        return {row["student_id"]: row for row in csv.DictReader(stream)}


def test_the_released_notebook_has_no_solution_and_no_hidden_tests(course: Path) -> None:
    text = (course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    reference = (SOLUTION / "layers.py").read_text() + (SOLUTION / "xor.py").read_text()
    for region in REGION.findall(reference):
        for line in filter(None, map(str.strip, region.splitlines())):
            assert line not in text
    hidden = load_assignment(SOLUTION, with_hidden=True).hidden
    assert hidden is not None and hidden.checks
    for check in hidden.checks:
        assert check.name not in text
    for marker in ("BEGIN SOLUTION", "HIDDEN TESTS", "hidden:"):
        assert marker not in text
    assert sorted(p.name for p in (course / "release" / ASSIGNMENT).iterdir()) == [
        "backprop.ipynb",
        "public_checks.py",
    ]


@pytest.mark.parametrize("student", sorted(STUDENTS))
def test_nbgrader_gives_the_points_of_our_own_grader(
    course: Path, handed_back: Path, student: str
) -> None:
    row = exported(course)[student]
    ours = our_score(course, student)
    assert float(row["raw_score"]) == pytest.approx(ours)
    total = load_assignment(SOLUTION, with_hidden=True)
    maximum = sum(c.points for c in total.checks(include_hidden=True))
    assert float(row["max_score"]) == maximum
    expected = {"correct": maximum, "broken": 0.0}
    if student in expected:
        assert ours == expected[student]
    else:
        assert 0 < ours < maximum


def test_the_gradebook_charges_the_bug_to_its_own_cells(course: Path) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        cells = {
            student: {
                g.name: (g.score, g.max_score)
                for g in gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student).grades
            }
            for student in STUDENTS
        }
    assert all(score == top for score, top in cells["correct"].values())
    assert cells["correct"].keys() == cells["buggy"].keys()
    assert {"test-multiply", "hidden-multiplylayer", "test-affine"} <= cells["buggy"].keys()
    assert cells["buggy"]["test-multiply"][0] == cells["buggy"]["test-multiply"][1]
    assert cells["buggy"]["test-affine"][0] < cells["buggy"]["test-affine"][1]
    assert all(score == 0 for score, _ in cells["broken"].values())


def test_autograde_finds_every_locked_cell_unchanged(course: Path) -> None:
    """The hidden test cells hold no hidden region: no "checksum has changed" per student."""
    log = (course / "autograde.log").read_text()
    assert "Autograding" in log  # the log is nbgrader's own, not empty
    assert "has changed" not in log and "checksum" not in log.lower(), log[-2000:]


def autograder(course: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
    return subprocess.run(
        [sys.executable, "-m", "autograder", *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def handed_back(course: Path) -> Path:
    """From inside the course, as the README says: grade (the reference found in grader/,
    the course's seed), lay the feedback out, and release it with nbgrader itself."""
    done = autograder(course, "grade", "submitted", "--out", "results", "--seed", "0")
    assert done.returncode == 0, done.stderr[-3000:]
    graded = sorted(p.parent.name for p in (course / "results").glob("*/report.json"))
    assert graded == sorted(STUDENTS)  # grader/backprop found by itself, everyone graded
    done = autograder(course, "feedback", "results", "--out", ".", "--layout", "nbgrader")
    assert done.returncode == 0 and "needs them" not in done.stderr, done.stderr
    exchange = course.parent / "exchange"
    exchange.mkdir()
    nbgrader(course, "release_feedback", ASSIGNMENT, f"--Exchange.root={exchange}")
    return exchange


def test_a_seed_other_than_the_course_s_is_said(course: Path) -> None:
    done = autograder(course, "grade", "submitted", "--out", "/proc/no", "--seed", "5")
    assert done.returncode == 1  # refused for the unwritable --out, after the warning
    assert "exported with --seed 0 (nbgrader_config.py), this run uses --seed 5" in done.stderr


def test_release_feedback_hands_out_our_feedback_page(course: Path, handed_back: Path) -> None:
    released = sorted((handed_back / ASSIGNMENT / "feedback").glob("*.html"))
    assert len(released) == len(STUDENTS)
    pages = {(course / "results" / s / "feedback.html").read_bytes() for s in STUDENTS}
    assert {p.read_bytes() for p in released} == pages


def test_a_course_of_another_seed_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    """No nbgrader run: the export alone. Rerun unchanged, it succeeds; another seed or
    language changes files an instructor may rely on, so it needs ``force``."""
    written = write_course(SOLUTION, tmp_path, seed=1)
    assert write_course(SOLUTION, tmp_path, seed=1) == written
    before = {p: (tmp_path / p).read_bytes() for p in written}
    with pytest.raises(AutograderError) as refused:
        write_course(SOLUTION, tmp_path, seed=2, lang="id")
    assert f"{tmp_path / 'nbgrader_config.py'}, {tmp_path / 'source/backprop/backprop.ipynb'}" in (
        str(refused.value)
    )
    assert {p: (tmp_path / p).read_bytes() for p in written} == before
    assert write_course(SOLUTION, tmp_path, seed=2, lang="id", force=True) == written
    assert '"AUTOGRADER_SEED", "2"' in (tmp_path / "nbgrader_config.py").read_text()
