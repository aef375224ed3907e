"""`autograder grades`: files Canvas and Moodle import as they are.

The expected files in tests/fixtures/lms were written by hand from the
formats' documentation (see its README):

* Canvas: Instructor Guide, "How do I import grades in the Gradebook?" and
  "How do I export grades in the Gradebook?" (community.canvaslms.com);
  Canvas's own importer and exporter (instructure/canvas-lms,
  app/models/gradebook_importer.rb, lib/gradebook_exporter.rb), whose
  acceptance rules ``canvas_accepts`` restates below.
* Moodle: MoodleDocs, "Grade import" (CSV import: map from / map to, a blank
  grade sets none, an unknown user aborts the import); moodle/moodle,
  grade/import/csv/classes/load_data.php, whose rules ``moodle_accepts``
  restates.

The class is synthetic (report.json files written here), so every number
is known: alice 35, bob 16.5, carol 0 (her code crashed), dave a grader
error, dewi 37/3 (a name with a comma and quotes, no email), frank 25 but
not on the roster, gita on the roster with nothing handed in.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import REPO

from autograder.cli import cli
from autograder.core.errors import AutograderError
from autograder.core.files import write_atomically
from autograder.intake.roster import read_roster

FIXTURES = REPO / "tests" / "fixtures" / "lms"
# student -> (score, status, grader error)
CLASS = {
    "alice": (35.0, "ok", ""),
    "bob": (16.5, "ok", ""),
    "carol": (0.0, "error", ""),
    "dave": (0.0, "error", "Traceback: the grader broke"),
    "dewi": (37 / 3, "ok", ""),
    "frank": (25.0, "ok", ""),
}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture()
def results(tmp_path: Path) -> Path:
    folder = tmp_path / "results"
    for student, (score, status, error) in CLASS.items():
        document = {
            "assignment": "backprop",
            "score": score,
            "max_score": 35.0,
            "status": status,
            "grader_error": error,
            "fingerprint": "" if error else "f",
            "checks": [],
        }
        write_atomically(folder / student / "report.json", json.dumps(document))
    (folder / "not a student").mkdir()  # no id: skipped
    return folder


def rows(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))


NON_ASSIGNMENT = re.compile(
    "Current Score|Current Points|Current Grade|Final Score|Final Points|Final Grade|"
    "Override Score|Override Grade|Override Status"
)


def canvas_accepts(text: str, delimiter: str = ",") -> dict[str, dict[str, str]]:
    """Canvas's GradebookImporter rules; returns login -> {assignment column: cell}."""
    header, *body = rows(text, delimiter)
    assert len(header) > 3 and "Student" in header[0] and "ID" in header[1]
    columns = 3
    if re.search(r"SIS\s+Login\s+ID", header[2]):
        columns += 1
    elif re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3]):
        columns += 2 + bool(re.search(r"Integration\s+ID", header[4]))
    assert "Section" in header[columns - 1], "the last student column must be Section"
    end = len(header)  # strip_non_assignment_columns: totals are popped off the end only
    while end > columns and NON_ASSIGNMENT.search(header[end - 1]):
        end -= 1
    assignments = list(range(columns, end))
    login = header.index("SIS Login ID")
    found = {}
    for row in body:
        assert len(row) == len(header), row
        if "Points Possible" in row[0]:
            assert all(re.fullmatch(r"\d+([.,]\d+)?", row[i]) for i in assignments)
            continue
        for i in assignments:  # a score: blank (no change), EX, or a number
            assert row[i] in ("", "-", "EX") or re.fullmatch(r"-?\d+([.,]\d+)?", row[i]), row[i]
        found[row[login]] = {header[i]: row[i] for i in assignments}
    return found


def moodle_accepts(text: str, users: set[str]) -> dict[str, str]:
    """Moodle's CSV import rules: as many fields as the header, every identifier a known
    user (an unknown one aborts the whole import), grades numeric or blank."""
    header, *body = rows(text)
    assert len(header) == len({h.strip() for h in header}) == 2
    grades = {}
    for row in body:
        assert len(row) == len(header), "csvweirdcolumns"
        assert row[0] in users, f"user mapping error: {row[0]}"
        assert row[1] in ("", "-") or float(row[1]) >= 0
        grades[row[0]] = row[1]
    return grades


def test_canvas_from_a_plain_roster_is_the_documented_file(results: Path) -> None:
    done = run(
        "grades", str(results), "--format", "canvas", "--roster", str(FIXTURES / "roster.csv")
    )
    assert done.exit_code == 0, done.output
    written = (results / "canvas-import.csv").read_bytes()
    assert written == (FIXTURES / "canvas_import.csv").read_bytes()
    written.decode("utf-8")  # UTF-8, no byte-order mark
    assert not written.startswith(b"\xef\xbb\xbf") and b"\r\n" not in written
    scores = canvas_accepts(written.decode())
    assert scores["bob"] == {"backprop": "16.5"} and scores["gita"] == {"backprop": ""}
    assert "frank" not in scores  # not on the roster: left out, and said
    assert "not on the roster, left out" in done.output and "frank" in done.output
    assert "grader errors, left blank" in done.output and "dave" in done.output


def test_canvas_export_is_written_back_cell_for_cell(results: Path) -> None:
    export = FIXTURES / "canvas_export.csv"
    done = run("grades", str(results), "--format", "canvas", "--roster", str(export))
    assert done.exit_code == 0, done.output
    written = (results / "canvas-import.csv").read_text()
    assert written == (FIXTURES / "canvas_export_filled.csv").read_text()
    before, after = rows(export.read_text()), rows(written)
    column = before[0].index("Backprop (4471)")
    changed = {
        (r, c) for r, row in enumerate(after) for c, cell in enumerate(row) if cell != before[r][c]
    }
    assert {c for _, c in changed} == {column}  # nothing else touched
    scores = canvas_accepts(written)
    assert scores["gita"]["Backprop (4471)"] == "5.00"  # missing: Canvas keeps its own score


def test_canvas_export_in_a_semicolon_locale_keeps_its_bytes(results: Path, tmp_path: Path) -> None:
    """Canvas exports ';'-separated with a BOM where ',' is the decimal point: kept so."""
    text = (FIXTURES / "canvas_export.csv").read_text()
    semicolons = "\ufeff" + "\r\n".join(";".join(cells) for cells in rows(text)).replace(
        "Anggraini, Alice", "Anggraini; Alice"
    ).replace(".00", ",00")
    export = tmp_path / "export.csv"
    export.write_bytes(semicolons.replace("Anggraini; Alice", '"Anggraini; Alice"').encode())
    done = run(
        "grades", str(results), "--format", "canvas", "--roster", str(export), "--missing", "zero"
    )
    assert done.exit_code == 0, done.output
    written = (results / "canvas-import.csv").read_bytes()
    assert written.startswith(b"\xef\xbb\xbf") and b"\r\n" in written
    scores = canvas_accepts(written.decode("utf-8"), ";")
    assert scores["alice"]["Backprop (4471)"] == "35" and scores["gita"]["Backprop (4471)"] == "0"


def test_canvas_column_named_or_added(results: Path) -> None:
    export = str(FIXTURES / "canvas_export.csv")
    done = run(
        "grades", str(results), "--format", "canvas", "--roster", export, "--column", "Quiz 1"
    )
    assert (
        done.exit_code == 0
        and "Canvas's Points Possible for 'Quiz 1 (4470)' is 10.00" in done.output
    )
    assert (
        canvas_accepts((results / "canvas-import.csv").read_text())["bob"]["Quiz 1 (4470)"]
        == "16.5"
    )
    bad = run("grades", str(results), "--format", "canvas", "--roster", export, "--column", "Lab 9")
    assert (
        bad.exit_code == 1
        and "no column 'Lab 9'" in bad.output
        and "'Backprop (4471)'" in bad.output
    )


@pytest.mark.parametrize("total", ["Current Score", "Assignments Final Points", "final score"])
def test_canvas_totals_are_no_column_to_fill(results: Path, total: str) -> None:
    """Canvas computes them ("(read only)" in the export) and ignores them on import: the
    grades would silently not arrive."""
    export = str(FIXTURES / "canvas_export.csv")
    args = ["grades", str(results), "--format", "canvas", "--roster", export]
    done = run(*args, "--column", total)
    assert done.exit_code == 1 and "one of the columns Canvas computes" in done.output, done.output
    assert "'Backprop (4471)', 'Quiz 1 (4470)'" in done.output
    assert not (results / "canvas-import.csv").exists()


def test_an_assignment_named_like_a_total_is_filled_where_canvas_imports_it(
    results: Path, tmp_path: Path
) -> None:
    """Canvas's importer drops the run of total-like titles at the end of a row: an
    assignment so named among the others is imported (and filled), one just before
    the totals is dropped with them (and refused)."""
    text = (FIXTURES / "canvas_export.csv").read_text()
    exports = {}
    for old, new in (
        ("Backprop (4471)", "Backprop Final Score (4471)"),
        ("Quiz 1", "Quiz Final Grade"),
    ):
        exports[new] = tmp_path / f"{new}.csv"
        exports[new].write_text(text.replace(old, new, 1))
    args = ["grades", str(results), "--format", "canvas", "--roster"]
    done = run(
        *args, str(exports["Backprop Final Score (4471)"]), "--column", "Backprop Final Score"
    )
    assert done.exit_code == 0, done.output
    written = canvas_accepts((results / "canvas-import.csv").read_text())
    assert written["alice"]["Backprop Final Score (4471)"] == "35"
    dropped = run(*args, str(exports["Quiz Final Grade"]), "--column", "Quiz Final Grade")
    assert dropped.exit_code == 1 and "one of the columns Canvas computes" in dropped.output


def test_moodle_by_email_is_the_documented_file(results: Path) -> None:
    roster = str(FIXTURES / "roster.csv")
    done = run("grades", str(results), "--format", "moodle", "--roster", roster)
    assert done.exit_code == 0, done.output
    written = (results / "moodle-import.csv").read_text()
    assert written == (FIXTURES / "moodle_import_email.csv").read_text()
    emails = {e.email for e in read_roster(Path(roster)).entries if e.email}
    grades = moodle_accepts(written, emails)
    assert grades["gita@example.edu"] == "" and "dewi" not in written  # no email: left out, said
    assert "no email on the roster, left out (1): dewi" in done.output


@pytest.mark.parametrize(
    ("column", "header", "first"),
    [("idnumber", "ID number", "1001"), ("username", "Username", "alice")],
)
def test_moodle_other_identifiers(results: Path, column: str, header: str, first: str) -> None:
    out = results.parent / "moodle.csv"
    roster = str(FIXTURES / "roster.csv")
    done = run(
        "grades",
        str(results),
        "--format",
        "moodle",
        "--roster",
        roster,
        "--id-column",
        column,
        "--missing",
        "zero",
        "--out",
        str(out),
    )
    assert done.exit_code == 0, done.output
    header_row, first_row, *rest = rows(out.read_text())
    assert header_row == [header, "backprop"] and first_row == [first, "35"]
    assert rest[-1][1] == "0"  # gita, with --missing zero


def test_plain_list_has_everyone(results: Path) -> None:
    done = run("grades", str(results), "--format", "csv", "--roster", str(FIXTURES / "roster.csv"))
    assert done.exit_code == 0, done.output
    listed = list(csv.DictReader((results / "grades-list.csv").read_text().splitlines()))
    assert [r["student"] for r in listed] == [
        "alice",
        "bob",
        "carol",
        "dave",
        "dewi",
        "gita",
        "frank",
    ]
    by_id = {r["student"]: r for r in listed}
    assert by_id["dewi"]["name"] == 'Dewi "D", Q' and by_id["dewi"]["score"] == "12.3333"
    assert (by_id["frank"]["on_roster"], by_id["gita"]["status"]) == ("no", "missing")
    assert by_id["dave"]["status"] == "grader-error" and by_id["dave"]["score"] == ""


def test_without_a_roster_the_submission_ids_identify_students(results: Path) -> None:
    done = run("grades", str(results), "--format", "canvas")
    assert done.exit_code == 0, done.output
    scores = canvas_accepts((results / "canvas-import.csv").read_text())
    assert scores["frank"] == {"backprop": "25"}
    email = run("grades", str(results), "--format", "moodle")
    assert email.exit_code == 1 and "no student has a value for --id-column email" in email.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "'pdf' is not one of"),
        (
            ["--format", "csv", "--out", "/no/such/folder/x.csv"],
            "there is no folder /no/such/folder",
        ),
        (["--format", "csv", "--missing", "maybe"], "'maybe' is not one of"),
    ],
)
def test_bad_options_are_clear(results: Path, args: list[str], message: str) -> None:
    done = run("grades", str(results), *args)
    assert done.exit_code in (1, 2) and message in done.output and "Traceback" not in done.output


def test_a_results_folder_without_students_is_refused(tmp_path: Path) -> None:
    done = run("grades", str(tmp_path), "--format", "csv")
    assert done.exit_code == 1 and "holds no graded student" in done.output


def test_a_roster_without_a_student_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("name,email\nAna,ana@example.edu\n")
    with pytest.raises(AutograderError, match="has no 'student' column"):
        read_roster(path)


def test_a_canvas_export_without_the_assignment_gets_a_new_column(
    results: Path, tmp_path: Path
) -> None:
    """Canvas creates an assignment for an unknown column title: it goes before the totals."""
    export = tmp_path / "export.csv"
    export.write_text((FIXTURES / "canvas_export.csv").read_text().replace("Backprop", "Lab 1"))
    done = run("grades", str(results), "--format", "canvas", "--roster", str(export))
    assert done.exit_code == 0 and "a new one is added" in done.output
    header, points, *_ = rows((results / "canvas-import.csv").read_text())
    assert header[5:8] == ["Lab 1 (4471)", "Quiz 1 (4470)", "backprop"]
    assert header[8] == "Assignments Current Points" and points[7] == "35"
    scores = canvas_accepts((results / "canvas-import.csv").read_text())
    assert scores["alice"]["backprop"] == "35" and scores["alice"]["Lab 1 (4471)"] == ""


FORMULAS = ['=HYPERLINK("x")', "+1", "-cmd", "@SUM(A1)"]


@pytest.mark.parametrize("student", FORMULAS)
def test_an_id_a_spreadsheet_would_run_as_a_formula_is_written_as_text(student: str) -> None:
    """OWASP, CSV injection: a folder name is a student's choice; grades.csv and
    grades-list.csv are opened in spreadsheets."""
    from autograder.core.results import StudentRow
    from autograder.reports.gradebook import grades_csv

    row = StudentRow(student, 1.0, 2.0, "ok", {})
    line = grades_csv([row], []).splitlines()[1]
    assert next(csv.reader([line]))[0] == "'" + student


@pytest.mark.parametrize(
    ("form", "options"),
    [("canvas", []), ("moodle", ["--id-column", "username"]), ("csv", [])],
)
def test_no_lms_file_holds_a_formula_from_a_folder_name(
    results: Path, tmp_path: Path, form: str, options: list[str]
) -> None:
    """Without a roster the submissions' folder names are the students' names and
    logins in every LMS file: the Canvas and Moodle files wrote them as they were
    (a cell ``=HYPERLINK(...)`` an instructor's spreadsheet runs)."""
    for number, student in enumerate(FORMULAS):
        document = {"assignment": "backprop", "score": number, "max_score": 35.0}
        document |= {"status": "ok", "grader_error": "", "fingerprint": "f", "checks": []}
        write_atomically(results / student / "report.json", json.dumps(document))
    out = tmp_path / f"{form}.csv"
    done = run("grades", str(results), "--format", form, "--out", str(out), *options)
    assert done.exit_code == 0, done.output
    cells = [cell for row in rows(out.read_text())[1:] for cell in row]
    for student in FORMULAS:
        assert "'" + student in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@", "-"))]


@pytest.mark.parametrize("form", ["canvas", "moodle", "csv"])
def test_the_default_lms_file_is_a_class_file_no_student_is_named_after(
    results: Path, form: str
) -> None:
    """A submission named canvas-import.csv was a student folder of that name, and
    `grades RESULTS --format canvas` refused to write its file over it."""
    from autograder.core.files import CLASS_FILES
    from autograder.intake.submissions import student_id

    before = set(p.name for p in results.iterdir())
    options = ["--id-column", "username"] if form == "moodle" else []
    assert run("grades", str(results), "--format", form, *options).exit_code == 0
    (written,) = {p.name for p in results.iterdir()} - before
    assert written in CLASS_FILES and student_id(written) != written


@pytest.mark.parametrize("form", ["canvas", "csv"])
def test_a_roster_name_that_is_a_formula_is_written_as_text(
    results: Path, tmp_path: Path, form: str
) -> None:
    """Canvas lets students edit their display name: a roster's name column is theirs.
    grades-list.csv wrote it as it was (a formula in the instructor's spreadsheet)."""
    roster = tmp_path / "roster.csv"
    roster.write_text('student,name,email\nalice,"=HYPERLINK(""x"")",@alice\nbob,+Bob,\n')
    out = tmp_path / f"{form}.csv"
    done = run("grades", str(results), "--format", form, "--roster", str(roster), "--out", str(out))
    assert done.exit_code == 0, done.output
    cells = [cell for row in rows(out.read_text())[1:] for cell in row]
    assert '\'=HYPERLINK("x")' in cells and "'+Bob" in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@", "-"))]
