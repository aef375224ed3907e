"""What a batch cost (timings.json), and the order a regrade takes from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from adversarial_harness import SOLUTION, copy_submission, run_grade

from autograder.grading.timings import TIMINGS_FILE, last_seconds, longest_first, quickest
from autograder.intake.submissions import Submission


def submissions(*students: str) -> list[Submission]:
    return [Submission(student, Path(student)) for student in students]


@pytest.mark.parametrize(
    ("seconds", "order"),
    [
        ({}, ["a", "b", "c", "d"]),  # a first run: the folder's order
        ({"c": 9.0, "a": 0.5, "b": 0.6, "d": 0.7}, ["c", "d", "b", "a"]),
        ({"d": 30.0, "a": 1.0, "b": 2.0}, ["d", "b", "c", "a"]),  # c, untimed: the median
        ({"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0}, ["a", "b", "c", "d"]),  # ties keep order
        ({"gone": 5.0}, ["a", "b", "c", "d"]),  # students of another run only
    ],
)
def test_a_regrade_takes_the_slowest_students_first(
    seconds: dict[str, float], order: list[str]
) -> None:
    todo = submissions("a", "b", "c", "d")
    assert [s.student for s in longest_first(todo, seconds)] == order


@pytest.mark.parametrize(
    ("seconds", "count", "beside"),
    [
        ({}, 1, ["a"]),  # a first run: the first of the folder's order
        ({}, 2, ["a", "b"]),
        ({"a": 9.0, "b": 0.5, "c": 0.6, "d": 0.7}, 1, ["b"]),
        ({"a": 9.0, "b": 0.5, "c": 0.6, "d": 0.4}, 2, ["b", "d"]),  # in todo's order
        ({"a": 30.0, "b": 3.0, "c": 1.0, "gone": 2.0}, 2, ["c", "d"]),  # d: the median, 2.5
        ({"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0}, 2, ["a", "b"]),  # ties keep order
        ({"a": 1.0}, 9, ["a", "b", "c", "d"]),  # more slots than students
    ],
)
def test_a_regrade_grades_its_quickest_students_beside_the_calibration(
    seconds: dict[str, float], count: int, beside: list[str]
) -> None:
    todo = submissions("a", "b", "c", "d")
    assert [s.student for s in quickest(todo, seconds, count)] == beside


@pytest.mark.parametrize(
    "document",
    [
        "not json",
        [1, 2],
        {"students": []},
        {"students": {"a": {"seconds": "slow"}}},
        {"students": {"a": {}}},
        {"students": {"a": 3}},
    ],
)
def test_an_unreadable_timings_file_only_loses_the_order(tmp_path: Path, document: Any) -> None:
    text = document if isinstance(document, str) else json.dumps(document)
    (tmp_path / TIMINGS_FILE).write_text(text)
    assert last_seconds(tmp_path) == {}


def test_infinite_or_missing_seconds_are_left_out(tmp_path: Path) -> None:
    assert last_seconds(tmp_path) == {}  # no file
    students = {"a": {"seconds": 2.5}, "b": {"seconds": float("nan")}, "c": {"seconds": 1e400}}
    (tmp_path / TIMINGS_FILE).write_text(json.dumps({"students": students}))
    assert last_seconds(tmp_path) == {"a": 2.5}


def test_a_forced_regrade_grades_the_last_runs_slowest_student_first(tmp_path: Path) -> None:
    """One job: the order of grading is the order the students are done in."""
    root = tmp_path / "class"
    for student in ("alice", "bob", "carol"):
        copy_submission(SOLUTION, root / student)
    out = tmp_path / "out"
    first = run_grade(root, out, "-j", "1")
    assert first.returncode == 0, first.stderr[-2000:]
    timings = json.loads((out / TIMINGS_FILE).read_text())
    assert [*timings["students"]] == ["alice", "bob", "carol"]  # a first run: by id
    timings["students"]["carol"]["seconds"] = 60.0  # as if carol had run into a time limit
    (out / TIMINGS_FILE).write_text(json.dumps(timings))
    again = run_grade(root, out, "-j", "1", "--force")
    assert again.returncode == 0, again.stderr[-2000:]
    done = json.loads((out / TIMINGS_FILE).read_text())["students"]
    assert sorted(done, key=lambda s: done[s]["done_at"])[0] == "carol"
