"""Gradescope's results.json, from a report.

Format (Gradescope autograder specifications): top-level ``score``,
``execution_time`` and ``output``; ``tests`` with ``name``, ``score``,
``max_score``, ``status`` (passed/failed), ``output`` and ``visibility``.
Public checks are ``visible``; hidden ones ``after_published``, and their
output is their result only: a hidden check's message may quote hidden
inputs or reference values, which students must never see.
"""

from __future__ import annotations

from typing import Any

from autograder.results import CheckResult, Report

OUTPUT_SHOWN_BYTES = 4096


def test_output(result: CheckResult) -> str:
    if result.hidden:
        return "Passed." if result.passed else "Failed (hidden check: details are not shown)."
    if result.passed:
        return "Passed."
    text = result.message
    if result.diagnosis:
        text += f"\nLikely cause: {result.diagnosis}"
    if result.output:
        text += f"\nYour code printed:\n{result.output[:OUTPUT_SHOWN_BYTES]}"
    return text


def results_json(report: Report) -> dict[str, Any]:
    tests = [
        {
            "name": result.name,
            "score": result.points,
            "max_score": result.max_points,
            "status": "passed" if result.passed else "failed",
            "output": test_output(result),
            "visibility": "after_published" if result.hidden else "visible",
        }
        for result in report.results
    ]
    passed = sum(r.passed for r in report.results)
    output = f"{passed} of {len(report.results)} checks passed."
    if report.status != "ok":
        output += f" Your code's run status: {report.status}."
    return {
        "score": report.score,
        "execution_time": round(report.seconds, 3),
        "output": output,
        "stdout_visibility": "hidden",
        "tests": tests,
    }
