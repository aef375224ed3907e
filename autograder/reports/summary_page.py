"""The instructor's class summary: RESULTS/summary.html, and analytics in summary.json.

Both class writers read what the batch already wrote (each student's
report.json), so they summarise every student of a resumed batch. The page
is one self-contained file (the histogram is an embedded SVG), from the
template ``templates/summary.html`` (``pages``; the class table is
``students.html``), given every sentence and row in the page's language.
"""

from __future__ import annotations

import base64
import functools
import json
from pathlib import Path
from typing import Any

from autograder import __version__
from autograder.core.files import read_report, write_atomically
from autograder.i18n import CATALOGUE, check_title, t
from autograder.reports import plots
from autograder.reports.analytics import ClassAnalytics, analyse, digest
from autograder.reports.pages import render
from autograder.reports.student_table import student_rows

SUMMARY_HTML, SUMMARY_JSON = "summary.html", "summary.json"


def class_analytics(summary: Any, out: Path) -> ClassAnalytics:
    """Analytics of a ``BatchSummary`` whose reports are under ``out``."""

    students = [
        digest(o.student, o.row.status, read_report(out / o.student) or {})
        for o in summary.outcomes
    ]
    return analyse(students, summary.check_names, float(summary.statistics.get("max", 0.0)))


def mistake_label(key: str, lang: str) -> str:
    return t(f"mistake.{key}", lang) if f"mistake.{key}" in CATALOGUE else key


def summary_html(
    summary: Any,
    analytics: ClassAnalytics,
    lang: str,
    assignment: str,
    students: list[dict[str, Any]] | None = None,
    templates: Path | None = None,
) -> str:
    """The page, from ``summary.html`` (a course's own in ``templates``, else ours);
    ``students`` are the per-student table's rows (student_table), when the writer has them."""
    return render(
        "summary.html",
        templates,
        page=summary_strings(summary, analytics, lang, assignment),
        students=students,
        lang=lang,
        footer=t("page.footer", lang, version=__version__),
        t=functools.partial(t, lang=lang),
    )


def summary_strings(
    summary: Any, analytics: ClassAnalytics, lang: str, assignment: str
) -> dict[str, Any]:
    """Every sentence and row of the page, in its language: the template lays them out."""
    stats = summary.statistics
    overview = t(
        "summary.overview",
        lang,
        graded=analytics.graded,
        mean=stats.get("mean", 0.0),
        median=stats.get("median", 0.0),
        max_score=analytics.max_score,
    )
    scores = [score for score, n in analytics.histogram for _ in range(n)]
    svg = plots.histogram_svg(scores, analytics.max_score, lang)
    return {
        "title": t("summary.title", lang, assignment=assignment),
        "overview": overview,
        "histogram_svg": base64.b64encode(svg.encode("utf-8")).decode("ascii") if svg else "",
        "pass_rate": [
            {
                "title": check_title(name, lang),
                "flagged": name in analytics.flagged,
                "rate": f"{rate:.0%}",
                "bar_rem": f"{rate * 8:.2f}",
            }
            for name, rate in analytics.pass_rate.items()
        ],
        "mistakes": [
            {
                "label": mistake_label(m.mistake, lang),
                "component": m.component,
                "students": m.students,
            }
            for m in analytics.mistakes
        ],
        "problems": list(analytics.problems),
    }


# -- batch writers (batch.CLASS_WRITERS, after write_summary_json) ------------------------
def assignment_name(summary: Any, out: Path, config: Any) -> str:

    for outcome in summary.outcomes:
        document = read_report(out / outcome.student)
        if document and document.get("assignment"):
            return str(document["assignment"])
    return Path(config.assignment_dir).name


def write_summary_html(summary: Any, out: Path, config: Any) -> None:

    analytics = class_analytics(summary, out)
    name = assignment_name(summary, out, config)
    students = student_rows(summary.outcomes, summary.names, summary.unlisted, out, config.lang)
    templates = getattr(config, "templates", None)
    page = summary_html(summary, analytics, config.lang, name, students, templates)
    write_atomically(out / SUMMARY_HTML, page)


def write_summary_analytics(summary: Any, out: Path, config: Any) -> None:
    """Add the analytics to summary.json (written just before by batch.write_summary_json)."""

    path = out / SUMMARY_JSON
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        document = {}
    analytics = class_analytics(summary, out)
    document.update(analytics.to_dict())
    document["common_mistakes"] = [
        {**m, "label": mistake_label(m["mistake"], "en")} for m in document["common_mistakes"]
    ]
    write_atomically(path, json.dumps(document, indent=2))
