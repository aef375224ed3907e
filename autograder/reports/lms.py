"""Grade files an LMS imports as they are: Canvas's gradebook CSV, Moodle's grade import CSV.

The formats, from their documentation and their importers' source:

* **Canvas** (Instructor Guide, "How do I import grades in the Gradebook?";
  Canvas's ``GradebookImporter`` and ``GradebookExporter``): the header row
  starts with ``Student``, ``ID``, then ``SIS User ID``, ``SIS Login ID`` and
  ``Section`` (the last student column must be Section), then one column per
  assignment, titled ``Title`` or ``Title (canvas id)``; the row below may be
  ``    Points Possible`` with each assignment's points. Students are found by
  Canvas ID, else SIS User ID, else SIS Login ID, else name; a blank score
  changes nothing. Written back into Canvas's own export, every cell stays as
  exported except the assignment's column.
* **Moodle** (MoodleDocs, "Grade import", CSV import): a header row, then one
  row per student with as many fields as the header; at import the
  instructor maps one column to a user field (``useremail``, ``useridnumber``
  or ``username``) and the grade column to a grade item. A blank (or ``-``)
  grade sets no grade; a row whose identifier matches no user aborts the
  whole import, so only rostered students with that identifier are written.

Both: UTF-8, comma-separated (Canvas's write-back keeps the export's own
separator, byte-order mark and line ends), fields quoted only when they
hold a separator, a quote or a line end, quotes doubled (RFC 4180, which
Canvas's CSV documentation restates). Scores use a decimal point and at most
4 decimals, never an exponent. Headers are English whatever ``--lang``:
machines read them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

from autograder.core.errors import AutograderError
from autograder.core.roster import CanvasSheet
from autograder.reports.gradebook import spreadsheet_safe

CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_POINTS = "    Points Possible"  # as Canvas's exporter writes it (the importer looks for it)
CANVAS_TOTALS = re.compile(r"(Current|Final|Unposted|Override) (Score|Points|Grade|Status)")
CANVAS_ID = re.compile(r"\s*\((\d+)\)$")  # an assignment's title ends with its id


def totals_start(header: Sequence[str]) -> int:
    """Where the columns Canvas's importer ignores begin: as its
    ``strip_non_assignment_columns`` does, the run of titles matching a total at the
    end of the row (an assignment titled "Lab Final Score (4480)" among the others is
    imported; the same title just before the totals is dropped with them)."""
    end = len(header)
    while end > 0 and CANVAS_TOTALS.search(header[end - 1]):
        end -= 1
    return end


MOODLE_ID_COLUMNS = {"email": "Email address", "idnumber": "ID number", "username": "Username"}
BLANK, ZERO = "blank", "zero"


def number(value: float) -> str:
    """12.5 -> "12.5", 35.0 -> "35", 1/3 -> "0.3333": plain decimals an importer parses."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def score_cell(grade: Any, missing: str) -> str:
    if grade.score is None:
        return "0" if (missing == ZERO and grade.status == "missing") else ""
    return number(grade.score)


def write_rows(rows: Sequence[Sequence[str]], delimiter: str = ",", newline: str = "\n") -> str:
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=delimiter, lineterminator=newline)
    writer.writerows(rows)
    return stream.getvalue()


# -- Canvas ------------------------------------------------------------------------------
def canvas_csv(grades: Any, title: str, missing: str = BLANK) -> str:
    """A Canvas import file made from the roster (or the submissions' ids, without one)."""
    rows: list[list[str]] = [[*CANVAS_STUDENT_COLUMNS, title]]
    rows.append([CANVAS_POINTS, "", "", "", "", number(grades.max_score)])
    for grade in grades.grades:
        entry = grade.entry
        if entry is None and grades.roster is not None:
            continue  # not on the roster: Canvas has no such student
        # A name is never Canvas's key when a login is there; a login is the key, so only
        # one that is a folder's name (no roster), a student's choice, is made text.
        name = spreadsheet_safe((entry.name if entry else "") or grade.student)
        sis_id = entry.sis_id if entry else ""
        section = entry.section if entry else ""
        login = entry.student if entry else spreadsheet_safe(grade.student)
        rows.append([name, "", sis_id, login, section, score_cell(grade, missing)])
    return write_rows(rows)


def canvas_column(sheet: CanvasSheet, assignment: str, wanted: str = "") -> int:
    """The column to fill: ``wanted`` (a title, with or without its id), else the one
    titled like the assignment; -1 when there is none (a new column is added)."""
    header = [h.strip() for h in sheet.header]
    first = header.index("Section") + 1  # the assignments follow the student columns
    target = (wanted or assignment).strip().casefold()
    totals = totals_start(header)
    titles = header[first:totals]
    for index, title in enumerate(header[first:], start=first):
        bare = CANVAS_ID.sub("", title).casefold()
        if target not in (title.casefold(), bare):
            continue
        if wanted and index >= totals:  # Canvas computes it, and ignores it on import
            raise AutograderError(
                f"--column {wanted!r} is one of the columns Canvas computes (or, titled like "
                "one, placed among them), which an import leaves as they are; name an "
                "assignment's column: " + ", ".join(repr(t) for t in titles)
            )
        return index
    if wanted:
        raise AutograderError(
            f"the Canvas export has no column {wanted!r}; its assignments are: "
            + ", ".join(repr(t) for t in titles)
        )
    return -1


def canvas_writeback(grades: Any, sheet: CanvasSheet, column: int, missing: str = BLANK) -> str:
    """Canvas's export as read, the assignment's column filled (a new one if ``column`` < 0)."""
    header = list(sheet.header)
    rows = [list(r) for r in sheet.rows]
    if column < 0:
        column = totals_start(header)
        header.insert(column, grades.assignment)
        for row in rows:
            row.insert(column, number(grades.max_score) if is_points_row(row) else "")
    by_row = {g.entry.row: g for g in grades.grades if g.entry is not None and g.entry.row >= 0}
    for index, row in enumerate(rows):
        grade = by_row.get(index)
        if grade is None:
            continue
        cell = score_cell(grade, missing)
        if cell or grade.score is not None:  # blank for a missing student: left as exported
            row.extend([""] * (column + 1 - len(row)))
            row[column] = cell
    text = write_rows([header, *rows], sheet.delimiter, sheet.newline)
    return ("\ufeff" if sheet.bom else "") + text


def is_points_row(row: Sequence[str]) -> bool:
    return bool(row) and "Points Possible" in row[0]


def same_points(cell: str, points: float) -> bool:
    """Canvas writes points in the user's locale ("35.00", "35,00"): compare the numbers."""
    try:
        return abs(float(cell.replace(",", ".")) - points) < 1e-9
    except ValueError:
        return False


def canvas_points(sheet: CanvasSheet, column: int) -> str:
    """The export's Points Possible for ``column`` ("" when there is none)."""
    for row in sheet.rows:
        if is_points_row(row) and column < len(row):
            return row[column].strip()
    return ""


# -- Moodle ------------------------------------------------------------------------------
def moodle_value(grade: Any, id_column: str) -> str:
    entry = grade.entry
    if id_column == "email":
        return entry.email if entry else ""
    if id_column == "idnumber":
        return entry.sis_id if entry else ""
    return entry.student if entry else spreadsheet_safe(grade.student)


def moodle_csv(grades: Any, id_column: str, missing: str = BLANK) -> tuple[str, list[str]]:
    """Moodle's import file, and the students left out (no value for the id column)."""
    rows = [[MOODLE_ID_COLUMNS[id_column], grades.assignment]]
    left_out = []
    for grade in grades.grades:
        if grade.entry is None and grades.roster is not None:
            continue  # not on the roster: an unknown user aborts Moodle's whole import
        value = moodle_value(grade, id_column)
        if not value:
            left_out.append(grade.student)
            continue
        rows.append([value, score_cell(grade, missing)])
    if len(rows) == 1:
        raise AutograderError(
            f"no student has a value for --id-column {id_column} to identify them in Moodle: "
            "give a roster with that column, or choose another --id-column"
        )
    return write_rows(rows), left_out


# -- a plain class list ------------------------------------------------------------------
PLAIN_COLUMNS = ("student", "name", "email", "sis_id", "section", "score", "max", "status")


def plain_csv(grades: Any, missing: str = BLANK) -> str:
    """Everyone, rostered or not, with the roster's columns and an on_roster flag."""
    rows: list[list[str]] = [[*PLAIN_COLUMNS, "on_roster"]]
    for grade in grades.grades:
        entry = grade.entry
        # The roster's cells too: a display name is the student's choice in Canvas.
        cells = [entry.name, entry.email, entry.sis_id, entry.section] if entry else [""] * 4
        fields = [spreadsheet_safe(cell) for cell in cells]
        listed = "" if grades.roster is None else ("yes" if entry else "no")
        rows.append(
            [
                spreadsheet_safe(grade.student),
                *fields,
                score_cell(grade, missing),
                number(grade.max_score),
                grade.status,
                listed,
            ]
        )
    return write_rows(rows)
