"""Reading a class list: a plain roster CSV, or Canvas's own gradebook export.

A plain roster has a ``student`` column (the id a submission is named by)
and optionally ``name``, ``email``, ``sis_id`` and ``section``. A Canvas
export is recognised as Canvas's importer recognises it (Canvas's
``GradebookImporter``: the first header cell holds "Student", the second
"ID", then the SIS columns and "Section"); its rows are kept whole so
``reports.lms`` can write the same file back with the grade column filled.
Either may be comma- or semicolon-separated (Canvas exports with ";" where
the decimal separator is ","), UTF-8 with or without a byte-order mark.

A submission belongs to a rostered student when its id equals one of the
student's ids (login, SIS id, email, Canvas id), compared as ids are made
from folder names (``submissions.student_id``) and without case.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from autograder.core.errors import AutograderError
from autograder.core.roster import CanvasSheet, ClassList, Roster, RosterEntry
from autograder.intake.names import unsuffixed
from autograder.intake.submissions import student_id

PLAIN_FIELDS = ("student", "name", "email", "sis_id", "section")
CANVAS_IDS = ("SIS Login ID", "SIS User ID", "ID")  # the primary id: the first one present


def read_roster(path: Path) -> Roster:
    """The roster in ``path`` (plain or a Canvas export); a clear error otherwise."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise AutograderError(f"cannot read the roster {path}: {error.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AutograderError(
            f"the roster {path} is not UTF-8 text: save it as 'CSV UTF-8' and try again"
        ) from None
    delimiter = sniff_delimiter(text)
    rows = parsed_rows(text, delimiter, path)
    if not rows:
        raise AutograderError(f"the roster {path} is empty")
    header = [cell.strip() for cell in rows[0]]
    if is_canvas_header(header):
        sheet = CanvasSheet(
            tuple(rows[0]),
            tuple(tuple(r) for r in rows[1:]),
            delimiter,
            raw.startswith(b"\xef\xbb\xbf"),
            "\r\n" if "\r\n" in text else "\n",
        )
        return Roster(canvas_entries(sheet, path), str(path), sheet)
    return Roster(plain_entries(header, rows[1:], path), str(path))


def parsed_rows(text: str, delimiter: str, path: Path) -> list[list[str]]:
    """The rows of ``text``; a clear error for a quote that is never closed, or one that
    is closed lines later (a roster cell never spans lines: it would swallow students)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    rows, line = [], 1
    try:
        for row in reader:
            if any("\n" in cell or "\r" in cell for cell in row):
                raise csv.Error("a quoted cell runs over several lines")
            rows.append(row)
            line = reader.line_num + 1
    except csv.Error as error:
        raise AutograderError(
            f"the roster {path}, line {line}: {error} (a quote that is not closed?); "
            "fix that line's quotes and try again"
        ) from None
    return rows


def sniff_delimiter(text: str) -> str:
    """Canvas's own rule: ';' when it splits the first lines consistently into more fields
    (more than one: a comma file with one ragged row is split by ';' into one field a
    line, consistently, and by ',' inconsistently)."""
    lines = text.splitlines()[:3]
    counts = {}
    for separator in (",", ";"):
        sizes = {len(next(csv.reader([line], delimiter=separator), [])) for line in lines}
        counts[separator] = sizes.pop() if len(sizes) == 1 else 0
    return ";" if counts[";"] > max(counts[","], 1) else ","


def is_canvas_header(header: list[str]) -> bool:
    first_last = len(header) > 4 and header[:2] == ["LastName", "FirstName"]
    student = len(header) > 3 and "Student" in header[0] and "ID" in header[1]
    return (student or first_last) and "Section" in header


def plain_entries(header: list[str], rows: list[list[str]], path: Path) -> tuple[RosterEntry, ...]:
    lowered = [h.lower() for h in header]
    if "student" not in lowered:
        raise AutograderError(
            f"the roster {path} has no 'student' column (its header is {', '.join(header)}); "
            f"give a CSV with the columns {', '.join(PLAIN_FIELDS)} (all but student optional), "
            "or Canvas's gradebook export"
        )
    where = {name: lowered.index(name) for name in PLAIN_FIELDS if name in lowered}
    entries = []
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in where.items()}
        if not cells["student"]:
            raise AutograderError(f"{path}, line {number}: the student column is empty")
        aliases = tuple(v for v in (cells["student"], cells.get("email"), cells.get("sis_id")) if v)
        entries.append(
            RosterEntry(
                cells["student"],
                cells.get("name", ""),
                cells.get("email", ""),
                cells.get("sis_id", ""),
                cells.get("section", ""),
                aliases,
            )
        )
    return unique(entries, path)


def canvas_entries(sheet: CanvasSheet, path: Path) -> tuple[RosterEntry, ...]:
    header = [h.strip() for h in sheet.header]
    column = {name: header.index(name) for name in (*CANVAS_IDS, "Section") if name in header}
    first_last = header[:2] == ["LastName", "FirstName"]
    entries = []
    for index, row in enumerate(sheet.rows):
        if not row or "Points Possible" in row[0] or is_posting_row(row):
            continue

        def cell(name: str, row: tuple[str, ...] = row) -> str:
            i = column.get(name, -1)
            return row[i].strip() if 0 <= i < len(row) else ""

        ids = [cell(name) for name in CANVAS_IDS]
        if not any(ids):
            continue
        name = f"{row[1]} {row[0]}".strip() if first_last else row[0].strip()
        aliases = tuple(i for i in ids if i)
        entries.append(
            RosterEntry(aliases[0], name, "", cell("SIS User ID"), cell("Section"), aliases, index)
        )
    return unique(entries, path)


def is_posting_row(row: tuple[str, ...]) -> bool:
    """Canvas's "Muted" / "Manual Posting" row below the header: no student in it."""
    cells = [c.strip().lower() for c in row if c.strip()]
    return bool(cells) and all(c == "muted" or c.startswith("manual posting") for c in cells)


def unique(entries: list[RosterEntry], path: Path) -> tuple[RosterEntry, ...]:
    seen: dict[str, str] = {}
    for entry in entries:
        for alias in {key(a) for a in entry.aliases}:
            if alias in seen and seen[alias] != entry.student:
                raise AutograderError(
                    f"the roster {path} gives the id {alias!r} to two students "
                    f"({seen[alias]} and {entry.student}); fix the roster"
                )
            seen[alias] = entry.student
    return tuple(entries)


def key(identifier: str) -> str:
    """An id as a submission's folder name becomes one (``student_id``), without case."""
    return student_id(identifier).casefold()


def match(roster: Roster, submitted: list[str]) -> ClassList:
    """Which submission is whose, who handed nothing in, who is not on the roster."""
    owner = {key(alias): entry for entry in roster.entries for alias in entry.aliases}
    matched: dict[str, RosterEntry] = {}
    unlisted = []
    for student in submitted:
        entry = owner.get(key(student)) or owner.get(key(unsuffixed(student)))
        if entry is None:
            unlisted.append(student)
        elif entry.student in {e.student for e in matched.values()}:
            other = next(s for s, e in matched.items() if e.student == entry.student)
            raise AutograderError(
                f"two submissions, {other} and {student}, belong to the rostered student "
                f"{entry.student}; keep one"
            )
        else:
            matched[student] = entry
    handed_in = {e.student for e in matched.values()}
    missing = tuple(e for e in roster.entries if e.student not in handed_in)
    return ClassList(matched, missing, tuple(unlisted))
