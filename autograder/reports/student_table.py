"""The instructor's per-student table on summary.html: id, name, score, status, feedback.

The rows, as plain strings; ``templates/students.html`` lays them out (and
makes them sortable by a click on a column) and escapes every cell: ids
come from folder names and names from the roster, so either may hold
markup. A student's feedback link is relative (``<student>/feedback.html``),
so the results folder can move.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import quote

from autograder.core.results import Outcome
from autograder.i18n import t


def student_rows(
    outcomes: Sequence[Outcome],
    names: Mapping[str, str],
    unlisted: Sequence[str],
    out: Path,
    lang: str,
) -> list[dict[str, str | float]]:
    """One row per student (missing ones included), in the order of ``outcomes``."""
    return [student_row(o, names, set(unlisted), out, lang) for o in outcomes]


def student_row(
    outcome: Outcome, names: Mapping[str, str], unlisted: set[str], out: Path, lang: str
) -> dict[str, str | float]:
    row = outcome.row
    name = names.get(outcome.student, "")
    if outcome.student in unlisted:
        name = f"({t('summary.not_on_roster', lang)})"
    page = out / outcome.student / "feedback.html"
    return {
        "id": outcome.student,
        "name": name,
        "score": f"{row.total:g}/{row.max_total:g}",
        "score_value": row.total,
        "status": row.status,
        "feedback_href": f"{quote(outcome.student)}/feedback.html" if page.is_file() else "",
    }
