"""Turning a report into text for a terminal, or JSON."""

from __future__ import annotations

import json
import textwrap

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
