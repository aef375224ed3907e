"""Turning a report into text for a terminal, or JSON."""

from __future__ import annotations

import json
import textwrap

from autograder.batch import BatchSummary
from autograder.results import PASSED, Report

MARKS = {PASSED: "PASS", "failed": "FAIL", "error": "ERR!"}


def _points(value: float) -> str:
    return f"{value:g}"


def report_table(report: Report) -> str:
    """One line per check (mark, points, name), the reason below each failure."""
    lines = []
    for result in report.results:
        points = f"{_points(result.points)}/{_points(result.max_points)}"
        lines.append(f"{MARKS.get(result.status, '????')}  {points:>5}  {result.name}")
        if not result.passed:
            for line in result.message.splitlines()[:6]:
                lines.append(textwrap.indent(line, " " * 8))
    passed = sum(r.passed for r in report.results)
    lines.append("")
    lines.append(
        f"Total: {_points(report.score)}/{_points(report.max_score)} points "
        f"({passed} of {len(report.results)} checks passed)"
    )
    return "\n".join(lines)


def report_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2)


def batch_summary(summary: BatchSummary) -> str:
    """The end-of-batch summary: counts, mean and median, pass rate per check."""
    stats = summary.statistics
    skipped = sum(o.skipped for o in summary.outcomes)
    lines = [
        f"Graded {stats['graded']} submission(s) ({skipped} unchanged since the last run, "
        f"not regraded); statuses: "
        + ", ".join(f"{k} {v}" for k, v in stats["status_counts"].items()),
        f"Score: mean {stats['mean']:.2f}, median {stats['median']:g} of {stats['max']:g}",
        "Pass rate per check:",
    ]
    for name, rate in stats["pass_rate"].items():
        lines.append(f"  {rate:6.0%}  {name}")
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
