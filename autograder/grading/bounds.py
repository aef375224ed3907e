"""A student's report fits in 1 MB, whatever the student's code printed, raised or returned.

The parts of a report a student's code controls are bounded where they
enter (reply caps, output caps, reported texts cut), but a report gathers
many of them: this is the last guard, applied to every report by
``one.grade_one`` (so every executor's), before report.json and
results.json are written. While the larger of the two files would exceed
the budget, the largest student-controlled part is cut: a check's recorded
data is dropped (pages then show no curve), a text (printed output, message,
diagnosis) is cut by the excess, with a marker. The budget leaves room for what the
batch adds to report.json (student id, fingerprint, a grader error).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from autograder.core.results import CheckResult, Report, plain
from autograder.reports.gradescope import results_json

MAX_FILE_BYTES = 1 << 20
BUDGET = MAX_FILE_BYTES - (64 << 10)
TEXTS = ("output", "message", "diagnosis")
CUT = "\n[... cut to keep the report under 1 MB]"
DROPPED = "some recorded data was left out to keep the report under 1 MB"


def report_bytes(report: Report) -> int:
    """The size of the larger of report.json and results.json, as the batch writes them."""
    return max(
        len(json.dumps(report.to_dict(), indent=2)),
        len(json.dumps(results_json(report), indent=2)),
    )


def _parts(result: CheckResult) -> list[tuple[int, str, str]]:
    """(size, field, data key) of every student-controlled part of one result."""
    parts = [(len(json.dumps(getattr(result, name))), name, "") for name in TEXTS]
    parts += [(len(json.dumps(plain(v))), "data", k) for k, v in result.data.items()]
    return parts


def _cut(result: CheckResult, field: str, key: str, excess: int) -> CheckResult:
    """Drop a data entry, or cut a text by ``excess`` characters (each is >= 1 JSON byte)."""
    if field == "data":
        return replace(result, data={k: v for k, v in result.data.items() if k != key})
    text: str = getattr(result, field)
    changes: dict[str, Any] = {field: text[: max(len(text) - excess - len(CUT), 0)] + CUT}
    return replace(result, **changes)


def bounded(report: Report, budget: int = BUDGET) -> Report:
    """``report``, its largest parts cut until both of its files fit ``budget`` bytes."""
    while (total := report_bytes(report)) > budget:
        largest: tuple[int, int, str, str] | None = None
        for index, result in enumerate(report.results):
            for size, field, key in _parts(result):
                if largest is None or size > largest[0]:
                    largest = (size, index, field, key)
        if largest is None or largest[0] <= len(CUT) * 2:
            break  # nothing left a student controls: the report is the checks' own
        _, index, field, key = largest
        results = list(report.results)
        results[index] = _cut(results[index], field, key, total - budget)
        notes: Any = report.notes
        if field == "data" and DROPPED not in notes:
            notes = (*notes, DROPPED)
        report = replace(report, results=tuple(results), notes=notes)
    return report
