"""The class list: plain rosters and Canvas exports read, matched to submissions, counted right.

`grade --roster` end to end (missing rows, students not on the roster,
--only keeping everyone else) runs in test_readme.py, through the README's
own commands; here are the rules underneath, on files made for each case.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from autograder.core.errors import AutograderError
from autograder.core.results import BatchSummary, Outcome, StudentRow
from autograder.core.roster import Roster
from autograder.intake.roster import match, read_roster
from autograder.reports import text
from autograder.reports.analytics import StudentDigest, analyse
from autograder.reports.gradebook import class_statistics, grades_csv

LMS = REPO / "tests" / "fixtures" / "lms"


def write(tmp_path: Path, text: str, name: str = "roster.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_a_plain_roster_with_optional_columns_in_any_order(tmp_path: Path) -> None:
    path = write(tmp_path, "Section;Student;Name\nA;ana;Ana A\nB; budi ;Budi B\n\n", bom=True)
    roster = read_roster(path)
    assert [(e.student, e.name, e.section) for e in roster.entries] == [
        ("ana", "Ana A", "A"),
        ("budi", "Budi B", "B"),
    ]
    assert roster.canvas is None


@pytest.mark.parametrize(
    "text",
    [
        "student,name\nalice,Alice,extra,cols\nbob,Bob\n",  # a row too long
        "student,name\nalice\nbob,Bob\n",  # a row too short
        "student;name\nalice;Alice\nbob;Bob\n",  # a semicolon file (Excel in many locales)
    ],
    ids=["long row", "short row", "semicolons"],
)
def test_a_ragged_row_does_not_make_a_comma_roster_a_semicolon_one(
    tmp_path: Path, text: str
) -> None:
    """Split by ';', a comma file with one ragged row is one field a line, consistently:
    it was read as a semicolon file whose header "student,name" has no student column."""
    path = tmp_path / "roster.csv"
    path.write_text(text)
    assert [e.student for e in read_roster(path).entries] == ["alice", "bob"]


def test_a_canvas_export_is_recognised_and_kept_whole() -> None:
    roster = read_roster(LMS / "canvas_export.csv")
    assert roster.canvas is not None and roster.canvas.header[5] == "Backprop (4471)"
    entries = {e.student: e for e in roster.entries}
    assert list(entries)[:2] == ["alice", "bob"]
    assert entries["alice"].name == "Anggraini, Alice" and entries["alice"].sis_id == "1001"
    assert entries["alice"].aliases == ("alice", "1001", "5001")
    assert entries["alice"].row == 1  # below the Points Possible row
    assert len(entries) == 7  # the Test Student too: Canvas lists it


def test_roster_json_round_trip() -> None:
    roster = read_roster(LMS / "canvas_export.csv")
    assert Roster.from_dict(roster.to_dict()) == roster


def test_submissions_match_any_id_of_a_student_without_case() -> None:
    roster = read_roster(LMS / "roster.csv")
    classes = match(roster, ["Alice", "bob@example.edu", "1003", "frank"])
    assert {s: e.student for s, e in classes.matched.items()} == {
        "Alice": "alice",
        "bob@example.edu": "bob",
        "1003": "carol",
    }
    assert [e.student for e in classes.missing] == ["dave", "dewi", "gita"]
    assert classes.unlisted == ("frank",)
    assert classes.names()["Alice"] == "Alice Anggraini"


def test_two_submissions_whose_ids_were_suffixed_are_still_one_students() -> None:
    """alice/ and alice.zip (or Alice/ and alice/) clash and are graded as
    alice~<hex> each: with a roster both were unlisted and alice reported missing."""
    roster = read_roster(LMS / "roster.csv")
    assert match(roster, ["alice~2bd806c9"]).matched["alice~2bd806c9"].student == "alice"
    assert match(roster, ["alice~2bd806c9~2"]).matched["alice~2bd806c9~2"].student == "alice"
    with pytest.raises(AutograderError, match="alice~2bd806c9 and alice~62dca8ff"):
        match(roster, ["alice~2bd806c9", "alice~62dca8ff"])
    assert match(roster, ["nobody~2bd806c9"]).unlisted == ("nobody~2bd806c9",)


def test_two_submissions_of_one_student_are_refused() -> None:
    roster = read_roster(LMS / "roster.csv")
    with pytest.raises(AutograderError, match="two submissions, alice and alice@example.edu"):
        match(roster, ["alice", "alice@example.edu"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("student,name\n,Nobody\n", "line 2: the student column is empty"),
        ("student,email\nana,x@e.edu\nbudi,x@e.edu\n", "gives the id 'x@e.edu' to two students"),
        # A quote never closed swallowed every later student into one name (silently),
        # or, in the header, read as a ';' file "with no 'student' column".
        ('student,name\nana,"Ana\nbudi,Budi\n', "line 2: unexpected end of data"),
        ('"student,name\nana,Ana\n', "line 1: unexpected end of data"),
        ('student,name\nana,"Ana\nbudi,Budi"\ncici,Cici\n', "line 2: a quoted cell runs over"),
        ('student,name\nana,Ana\nbudi,"Budi" x\n', "line 3: ',' expected after"),
    ],
)
def test_bad_rosters_are_refused_with_the_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(AutograderError, match=message):
        read_roster(write(tmp_path, text))


def test_a_roster_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes("student,name\nana,Ána\n".encode("latin-1"))
    with pytest.raises(AutograderError, match="is not UTF-8 text: save it as 'CSV UTF-8'"):
        read_roster(path)


ROWS = [
    StudentRow("ana", 30.0, 35.0, "ok", {"a": 30.0}),
    StudentRow("budi", 10.0, 35.0, "ok", {"a": 0.0}),
    StudentRow("cici", 0.0, 35.0, "grader-error", {"a": 0.0}),
    StudentRow("gita", 0.0, 35.0, "missing", {}),
]


def test_missing_students_are_out_of_the_class_numbers() -> None:
    stats = class_statistics(ROWS, ["a"])
    assert (stats["graded"], stats["mean"], stats["median"]) == (2, 20.0, 20.0)
    assert stats["pass_rate"] == {"a": pytest.approx(1 / 3)}  # rows with points, missing aside
    assert stats["status_counts"]["missing"] == 1
    digests = [
        StudentDigest(r.student, r.total, r.status, {"a": r.points.get("a", 0) > 0}) for r in ROWS
    ]
    analytics = analyse(digests, ["a"], 35.0)
    assert analytics.graded == 2 and analytics.pass_rate["a"] == 0.5
    assert analytics.flagged == () and ("gita", "missing") not in analytics.problems


def test_grades_csv_gives_missing_students_0_and_no_check_cells() -> None:
    lines = grades_csv(ROWS, ["a"]).splitlines()
    assert lines[0] == "student,total,max,status,a"
    assert lines[-1] == "gita,0,35,missing,"


def test_the_summary_names_missing_unlisted_and_ungraded_students() -> None:
    outcomes = tuple(Outcome(r.student, r) for r in ROWS)
    summary = BatchSummary(
        outcomes,
        ("a",),
        class_statistics(ROWS, ["a"]),
        True,
        missing=("gita",),
        unlisted=("zed",),
        pending=("yan",),
    )
    printed = text.batch_summary(summary)
    assert "Missing: on the roster, no submission (1): gita" in printed
    assert "Not on the roster, graded all the same (1): zed" in printed
    assert "Not graded yet, run without --only to grade them (1): yan" in printed
    assert "unchanged" not in printed and "kept from the last run" not in printed
