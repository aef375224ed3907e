"""The instructor's class summary: RESULTS/summary.html, and analytics in summary.json.

Both class writers read what the batch already wrote (each student's
report.json), so they summarise every student of a resumed batch. The page
is one self-contained file (the histogram is an embedded PNG).
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

from autograder import __version__
from autograder.core.files import read_report, write_atomically
from autograder.i18n import CATALOGUE, check_title, t
from autograder.reports import plots
from autograder.reports.analytics import ClassAnalytics, analyse, digest
from autograder.reports.student_table import students_section

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
    summary: Any, analytics: ClassAnalytics, lang: str, assignment: str, students: str = ""
) -> str:
    e = html.escape
    stats = summary.statistics
    title = t("summary.title", lang, assignment=assignment)
    overview = t(
        "summary.overview",
        lang,
        graded=analytics.graded,
        mean=stats.get("mean", 0.0),
        median=stats.get("median", 0.0),
        max_score=analytics.max_score,
    )
    parts = [
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title><style>{STYLE}</style></head><body>",
        f'<h1>{e(title)}</h1><p id="overview">{e(overview)}</p>',
        students,  # the per-student table (student_table), when the writer has it
        histogram_section(summary, analytics, lang),
        pass_rate_section(analytics, lang),
        mistakes_section(analytics, lang),
        problems_section(analytics, lang),
        f"<footer>{e(t('page.footer', lang, version=__version__))}</footer></body></html>",
    ]
    return "\n".join(parts)


STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; max-width: 64rem; margin: 2rem auto;
       padding: 0 1rem; color: #1a1a1a; background: #ffffff; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #ddd; }
td.num { text-align: right; white-space: nowrap; }
.bar { background: #1f77b4; height: .8rem; display: inline-block; vertical-align: middle; }
tr.flagged td { background: #fff3e0; } .flag { color: #e65100; font-weight: 600; }
figure img { max-width: 100%; border: 1px solid #ddd; }
footer { color: #777; font-size: .85rem; margin-top: 2rem; }
"""


def histogram_section(summary: Any, analytics: ClassAnalytics, lang: str) -> str:
    heading = f"<h2>{html.escape(t('summary.histogram', lang))}</h2>"
    scores = [score for score, n in analytics.histogram for _ in range(n)]
    png = plots.histogram_png(scores, analytics.max_score, lang)
    if png is None:
        return heading + f"<p>{html.escape(t('page.no_matplotlib', lang))}</p>"
    data = base64.b64encode(png).decode("ascii")
    alt = html.escape(t("plot.histogram_title", lang))
    image = f'<img id="histogram" alt="{alt}" src="data:image/png;base64,{data}">'
    return f"{heading}<figure>{image}</figure>"


def pass_rate_section(analytics: ClassAnalytics, lang: str) -> str:
    e = html.escape
    rows = []
    for name, rate in analytics.pass_rate.items():
        flagged = name in analytics.flagged
        flag = f' <span class="flag">{e(t("summary.flag", lang))}</span>' if flagged else ""
        bar = f'<span class="bar" style="width:{rate * 8:.2f}rem"></span>'
        css = ' class="flagged"' if flagged else ""
        rows.append(
            f"<tr{css}><td>{e(check_title(name, lang))}{flag}</td>"
            f'<td class="num">{rate:.0%}</td><td>{bar}</td></tr>'
        )
    cells = "".join(f"<th>{e(t(k, lang))}</th>" for k in ("page.col.check", "summary.col.rate"))
    head = f"<tr>{cells}<th></th></tr>"
    return (
        f"<h2>{e(t('summary.pass_rate', lang))}</h2>"
        f'<table id="pass-rate"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'
    )


def mistakes_section(analytics: ClassAnalytics, lang: str) -> str:
    e = html.escape
    heading = f"<h2>{e(t('summary.mistakes', lang))}</h2>"
    if not analytics.mistakes:
        return heading + f"<p>{e(t('summary.no_mistakes', lang))}</p>"
    cols = ("summary.col.mistake", "summary.col.component", "summary.col.students")
    head = "".join(f"<th>{e(t(k, lang))}</th>" for k in cols)
    rows = "".join(
        f"<tr><td>{e(mistake_label(m.mistake, lang))}</td><td>{e(m.component)}</td>"
        f'<td class="num">{m.students}</td></tr>'
        for m in analytics.mistakes
    )
    return (
        heading
        + f'<table id="mistakes"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    )


def problems_section(analytics: ClassAnalytics, lang: str) -> str:
    e = html.escape
    heading = f"<h2>{e(t('summary.problems', lang))}</h2>"
    if not analytics.problems:
        return heading + f"<p>{e(t('summary.no_problems', lang))}</p>"
    head = "".join(
        f"<th>{e(t(k, lang))}</th>" for k in ("summary.col.student", "summary.col.status")
    )
    rows = "".join(
        f"<tr><td>{e(s)}</td><td>{e(status)}</td></tr>" for s, status in analytics.problems
    )
    return (
        heading
        + f'<table id="problems"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    )


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
    students = students_section(summary.outcomes, summary.names, summary.unlisted, out, config.lang)
    page = summary_html(summary, analytics, config.lang, name, students)
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
