"""The instructor's per-student table on summary.html: id, name, score, status, feedback.

Sortable by any column with a click (a few lines of inline script; the page
stays one file that opens offline). Every cell is escaped: ids come from
folder names and names from the roster. A student's feedback link is
relative (``<student>/feedback.html``), so the results folder can move.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import quote

from autograder.core.results import Outcome
from autograder.i18n import t

SORT_SCRIPT = """
document.querySelectorAll('#students th').forEach(function (th, column) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0];
    var rows = Array.from(body.rows);
    var up = th.getAttribute('aria-sort') !== 'ascending';
    var numeric = th.dataset.type === 'number';
    rows.sort(function (a, b) {
      var x = a.cells[column].dataset.value, y = b.cells[column].dataset.value;
      var order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
      return up ? order : -order;
    });
    th.parentNode.querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', up ? 'ascending' : 'descending');
    rows.forEach(function (row) { body.appendChild(row); });
  });
});
"""

STYLE = "#students th { cursor: pointer; } #students th[aria-sort]::after { content: ' \u2195'; }"


def cell(text: str, value: str | float | None = None, css: str = "") -> str:
    shown = html.escape(text)
    sort = html.escape(str(text if value is None else value), quote=True)
    klass = f' class="{css}"' if css else ""
    return f'<td data-value="{sort}"{klass}>{shown}</td>'


def students_section(
    outcomes: Sequence[Outcome],
    names: Mapping[str, str],
    unlisted: Sequence[str],
    out: Path,
    lang: str,
) -> str:
    """The section: a heading, a hint, and one row per student (missing ones included)."""
    e = html.escape
    columns = [
        ("summary.col.student", "text"),
        ("summary.col.name", "text"),
        ("summary.col.score", "number"),
        ("summary.col.status", "text"),
        ("summary.col.feedback", "text"),
    ]
    head = "".join(f'<th data-type="{kind}">{e(t(key, lang))}</th>' for key, kind in columns)
    rows = [student_row(o, names, set(unlisted), out, lang) for o in outcomes]
    return (
        f"<h2>{e(t('summary.students', lang))}</h2>"
        f"<p>{e(t('summary.sort_hint', lang))}</p>"
        f"<style>{STYLE}</style>"
        f'<table id="students"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
        f"</table><script>{SORT_SCRIPT}</script>"
    )


def student_row(
    outcome: Outcome, names: Mapping[str, str], unlisted: set[str], out: Path, lang: str
) -> str:
    row = outcome.row
    name = names.get(outcome.student, "")
    if outcome.student in unlisted:
        name = f"({t('summary.not_on_roster', lang)})"
    page = out / outcome.student / "feedback.html"
    link = ""
    if page.is_file():
        href = html.escape(f"{quote(outcome.student)}/feedback.html", quote=True)
        link = f'<a href="{href}">{html.escape(t("summary.open", lang))}</a>'
    score = f"{row.total:g}/{row.max_total:g}"
    return (
        "<tr>"
        + cell(outcome.student)
        + cell(name)
        + cell(score, row.total, "num")
        + cell(row.status)
        + f'<td data-value="{1 if link else 0}">{link}</td>'
        + "</tr>"
    )
