"""Gradescope's results.json, from a report.

Format (Gradescope autograder specifications): top-level ``score``,
``execution_time`` and ``output``; ``tests`` with ``name``, ``score``,
``max_score``, ``status`` (passed/failed), ``output`` and ``visibility``.
Public checks are ``visible``; hidden ones ``after_published``, and their
output is their result and at most their catalogue hint (see
``checks.findings``): a hidden check's message may quote hidden inputs or
reference values, which students must never see.
"""

from __future__ import annotations

from typing import Any

from autograder.core.results import CheckResult, Report
from autograder.i18n import t
from autograder.reports.graded_files import graded_line

OUTPUT_SHOWN_BYTES = 4096


def test_output(result: CheckResult, lang: str = "en") -> str:
    if result.hidden:
        if result.passed:
            return t("gradescope.passed", lang)
        hint = "\n" + t("report.likely_cause", lang, diagnosis=result.hint) if result.hint else ""
        return t("gradescope.hidden_failed", lang) + hint
    if result.passed:
        return t("gradescope.passed", lang)
    text = result.message
    if result.diagnosis:
        text += "\n" + t("report.likely_cause", lang, diagnosis=result.diagnosis)
        if result.where:
            text += "\n" + t("report.where", lang, where=result.where)
    if result.output:
        text += f"\n{t('page.printed', lang)}\n{result.output[:OUTPUT_SHOWN_BYTES]}"
    return text


def results_json(report: Report) -> dict[str, Any]:
    tests = [
        {
            "name": result.name,
            "score": result.points,
            "max_score": result.max_points,
            "status": "passed" if result.passed else "failed",
            "output": test_output(result, report.lang),
            "visibility": "after_published" if result.hidden else "visible",
        }
        for result in report.results
    ]
    passed = sum(r.passed for r in report.results)
    output = t("gradescope.summary", report.lang, passed=passed, count=len(report.results))
    if report.status != "ok":
        output += " " + t("report.run_status", report.lang, status=report.status)
    if graded := graded_line(report):
        output += "\n" + graded
    return {
        "score": report.score,
        "execution_time": round(report.seconds, 3),
        "output": output,
        "stdout_visibility": "hidden",
        "tests": tests,
    }
