"""Turning a report into text for a terminal, or JSON."""

from __future__ import annotations

import json
import textwrap

from autograder.core.results import PASSED, BatchSummary, Report
from autograder.i18n import t
from autograder.reports.view import (
    blocking_sentence,
    cause,
    student_view,
    totals,
    where,
    whose,
)

MARKS = {PASSED: "PASS", "failed": "FAIL", "error": "ERR!"}
NOT_RUN = "----"
WIDTH = 100


def _points(value: float) -> str:
    return f"{value:g}"


def report_table(report: Report) -> str:
    """Whose work and the totals; an error that stopped checks, once; then one line per
    check (mark, points, name), with the reason, diagnosis and place below each failure.

    A hidden check shows its name and result, and at most its catalogue hint.
    """
    view = student_view(report)
    lang = view.lang
    lines = [whose(view), ""]
    if view.blocking:
        lines.append(t("page.blocking", lang))
        for message in view.blocking:
            lines += [textwrap.indent(line, " " * 8) for line in message.splitlines()[:6]]
        lines += [blocking_sentence(view), ""]
    for row in view.rows:
        mark = NOT_RUN if row.not_run else MARKS.get(row.status, "????")
        lines.append(
            f"{mark}  {_points(row.points) + '/' + _points(row.max_points):>5}  {row.title}"
        )
        for line in row.message.splitlines()[:6]:
            lines.append(textwrap.indent(line, " " * 8))
        for sentence in (cause(row, lang) if row.diagnosis or row.hint else "", where(row, lang)):
            if sentence:
                lines.append(
                    textwrap.fill(
                        sentence, WIDTH, initial_indent=" " * 8, subsequent_indent=" " * 10
                    )
                )
    total = t(
        "report.total",
        lang,
        score=_points(report.score),
        max_score=_points(report.max_score),
        passed=view.passed,
        count=len(view.rows),
    )
    return "\n".join([*lines, "", totals(view), total])


def report_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2)


def batch_summary(summary: BatchSummary) -> str:
    """The end-of-batch summary: counts, mean and median, pass rate per check."""
    stats = summary.statistics
    skipped = sum(o.skipped for o in summary.outcomes)
    # Only a rerun keeps results to speak of: a first run says nothing of them.
    unchanged = f" ({skipped} kept from the last run, not regraded)" if skipped else ""
    lines = [
        f"Graded {stats['graded']} submission(s){unchanged}; statuses: "
        + ", ".join(f"{k} {v}" for k, v in stats["status_counts"].items()),
        f"Score: mean {stats['mean']:.2f}, median {stats['median']:g} of {stats['max']:g}",
        "Pass rate per check:",
    ]
    for name, rate in stats["pass_rate"].items():
        lines.append(f"  {rate:6.0%}  {name}")
    lines += class_list_lines(summary)
    if summary.grader_failures:
        lines.append("GRADER FAILURES (a bug in the grader, not the students; please report):")
        lines += [
            f"  {o.student}: {o.grader_error.splitlines()[0]}" for o in summary.grader_failures
        ]
    else:
        lines.append("Grader failures: none.")
    return "\n".join(lines)


def class_table(summary: BatchSummary) -> str:
    """One line per student: total, status."""
    width = max([len(o.student) for o in summary.outcomes] + [7])
    lines = [f"{'student':<{width}}  {'score':>9}  status"]
    for outcome in summary.outcomes:
        row = outcome.row
        lines.append(f"{row.student:<{width}}  {row.total:>4g}/{row.max_total:<4g}  {row.status}")
    return "\n".join(lines)


def class_list_lines(summary: BatchSummary) -> list[str]:
    """Who is missing, who is not on the roster, who was never graded (a run with --only)."""
    lines = []
    for ids, label in (
        (summary.missing, "Missing: on the roster, no submission"),
        (summary.unlisted, "Not on the roster, graded all the same"),
        (summary.pending, "Not graded yet, run without --only to grade them"),
    ):
        if ids:
            lines.append(f"{label} ({len(ids)}): {', '.join(ids)}")
    return lines
