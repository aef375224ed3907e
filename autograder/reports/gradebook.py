"""Class-level results: grades.csv and the numbers of the batch summary.

grades.csv is read by machines (spreadsheets, LMS scripts): its header is
the same in every run and every language (``student,total,max,status``,
then the checks' names, which are English identifiers). A rostered student
without a submission has status ``missing``, 0 points and no check cells;
missing students and grader errors are left out of the class numbers.
"""

from __future__ import annotations

import csv
import io
import statistics
from typing import Any

from autograder.core.results import StudentRow
from autograder.core.roster import MISSING

GRADES_CSV = "grades.csv"
STATUS_COLUMNS = ("student", "total", "max", "status")
NOT_GRADED = ("grader-error", MISSING)  # no score of the student's to count


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A student id as a spreadsheet reads it as text: one starting like a formula
    (``=HYPERLINK(...)``, a folder name a student chose) gets a leading ``'``, as
    OWASP's advice on CSV injection says; every other id is written as it is."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def grades_csv(rows: list[StudentRow], check_names: list[str]) -> str:
    """One row per student: id, total, max, status, then one column per check."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([*STATUS_COLUMNS, *check_names])
    for row in rows:
        cells = [f"{row.points[name]:g}" if name in row.points else "" for name in check_names]
        totals = [f"{row.total:g}", f"{row.max_total:g}", row.status]
        writer.writerow([spreadsheet_safe(row.student), *totals, *cells])
    return stream.getvalue()


def listed(text: str, students: list[str]) -> list[str]:
    """Those of ``students`` a grades.csv ``text`` has a row for (ids are matched as
    ``grades_csv`` writes them: ``spreadsheet_safe``)."""
    rows = csv.reader(io.StringIO(text))
    next(rows, None)  # the header
    cells = {row[0] for row in rows if row}
    return [s for s in students if spreadsheet_safe(s) in cells]


def class_statistics(rows: list[StudentRow], check_names: list[str]) -> dict[str, Any]:
    """Mean, median and pass rate per check over the graded students."""
    totals = [row.total for row in rows if row.status not in NOT_GRADED]
    pass_rate = {}
    for name in check_names:
        graded = [row for row in rows if name in row.points]
        full = [row for row in graded if row.points[name] > 0]
        pass_rate[name] = len(full) / len(graded) if graded else 0.0
    return {
        "graded": len(totals),
        "mean": statistics.fmean(totals) if totals else 0.0,
        "median": statistics.median(totals) if totals else 0.0,
        # A student's max is lower when a check was not applicable (0 of 0).
        "max": max((row.max_total for row in rows), default=0.0),
        "pass_rate": pass_rate,
        "status_counts": {
            s: sum(r.status == s for r in rows) for s in sorted({r.status for r in rows})
        },
    }
