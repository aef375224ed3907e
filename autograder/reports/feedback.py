"""A student's feedback: one self-contained HTML page and a Markdown file.

Both are rendered from ``view.student_view``, the one place that decides
what a student may see (a hidden check: its title, result, points and at
most its catalogue hint). The top says whose feedback it is, for which
assignment, the public and hidden totals apart, and, once, any error that
stopped checks from running. The loss-curve plot is drawn from a public
check's recorded curves only and embedded as a base64 PNG, so the page is a
single file that opens anywhere, offline.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder import __version__
from autograder.core.files import PUBLIC, write_atomically
from autograder.core.results import Report
from autograder.i18n import t
from autograder.reports import plots
from autograder.reports.graded_files import graded_line
from autograder.reports.view import (
    Row,
    StudentView,
    blocking_sentence,
    cause,
    curves,
    points,
    student_view,
    totals,
    where,
    whose,
)

LOSS_PNG = "loss.png"  # feedback.md's plot, written beside it


@dataclass(frozen=True)
class Page:
    """The student's view and the loss-curve plot drawn from public data only."""

    view: StudentView
    plot: bytes | None
    has_curve: bool
    # A public check recorded loss curves: only then has the page a training
    # section (an assignment whose checks record none, e.g. neuron, has none).
    training: bool = False


def page_of(report: Report) -> Page:
    view = student_view(report)
    losses, expected = curves(report)
    plot = plots.loss_curves_png(losses, expected, report.lang) if (losses or expected) else None
    return Page(view, plot, bool(losses), bool(losses or expected))


def all_passed(view: StudentView) -> str:
    """Well done, unless hidden checks are still to come (then: so far, so good)."""
    key = "page.all_public_passed" if view.hidden_points else "page.all_passed"
    return t(key, view.lang)


def status_word(row: Row, lang: str) -> str:
    if row.not_run:
        return t("report.status.not_run", lang)
    known = ("passed", "failed", "error")
    return t(f"report.status.{row.status}", lang) if row.status in known else row.status


# -- HTML --------------------------------------------------------------------------------
STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #1a1a1a; background: #ffffff; }
h1 { margin-bottom: .2rem; } .score { font-size: 1.3rem; font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #ddd; }
td.points { text-align: right; white-space: nowrap; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: .6rem; color: #fff; }
.passed { background: #2e7d32; } .failed { background: #c62828; } .error { background: #6a1b9a; }
.not-run { background: #757575; }
.hidden-tag { color: #666; font-size: .85rem; }
.failure { border-left: 4px solid #c62828; padding: .2rem 1rem; margin: 1rem 0;
           background: #fdf3f3; }
pre { white-space: pre-wrap; background: #f6f6f6; padding: .5rem; }
.diagnosis { background: #fff8e1; border-left: 4px solid #f9a825; padding: .4rem .8rem; }
figure { margin: 1rem 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
footer { color: #777; font-size: .85rem; margin-top: 2rem; }
"""


def feedback_html(report: Report) -> str:
    page = page_of(report)
    view = page.view
    lang, e = view.lang, html.escape
    title = t("page.title", lang, assignment=view.assignment)
    parts = [
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f'<p id="whose">{e(whose(view))}</p>',
        f'<p class="score" id="score">{e(score_line(view))}</p>',
        f'<p id="totals">{e(totals(view))}</p>',
        f"<p>{e(t('page.passed_count', lang, passed=view.passed, count=len(view.rows)))}</p>",
    ]
    if view.status != "ok":
        parts.append(f"<p>{e(run_status(view))}</p>")
    if graded := graded_line(report):
        parts.append(f'<p class="graded" id="graded">{e(graded)}</p>')
    parts += [html_blocking(view), html_table(view), html_failures(view), html_plot(page)]
    parts.append(f"<footer>{e(t('page.footer', lang, version=__version__))}</footer></body></html>")
    return "\n".join(p for p in parts if p)


def html_blocking(view: StudentView) -> str:
    if not view.blocking:
        return ""
    e = html.escape
    errors = "".join(f"<pre>{e(message)}</pre>" for message in view.blocking)
    heading = e(t("page.blocking", view.lang))
    return (
        f'<section class="failure" id="blocking"><h2>{heading}</h2>{errors}'
        f"<p>{e(blocking_sentence(view))}</p></section>"
    )


def score_line(view: StudentView) -> str:
    return t("page.score", view.lang, score=points(view.score), max_score=points(view.max_score))


def run_status(view: StudentView) -> str:
    key = f"report.run.{view.status}"
    return t(
        "report.run_status", view.lang, status=t(key, view.lang) if key in RUN else view.status
    )


RUN = {"report.run.timeout", "report.run.error"}


def html_table(view: StudentView) -> str:
    lang, e = view.lang, html.escape
    head = "".join(
        f"<th>{e(t(k, lang))}</th>"
        for k in ("page.col.check", "page.col.result", "page.col.points")
    )
    body = []
    for row in view.rows:
        tag = (
            f' <span class="hidden-tag">({e(t("page.hidden", lang))})</span>' if row.hidden else ""
        )
        kind = "not-run" if row.not_run else row.status
        badge = f'<span class="badge {e(kind)}">{e(status_word(row, lang))}</span>'
        amount = f"{points(row.points)}/{points(row.max_points)}"
        body.append(
            f'<tr><td>{e(row.title)}{tag}</td><td>{badge}</td><td class="points">{amount}</td></tr>'
        )
    note = (
        f'<p class="hidden-tag">{e(t("page.hidden_note", lang))}</p>'
        if any(r.hidden for r in view.rows)
        else ""
    )
    rows = "".join(body)
    return f'<table id="checks"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{note}'


def html_failures(view: StudentView) -> str:
    lang, e = view.lang, html.escape
    if not view.failures:
        return f"<p>{e(all_passed(view))}</p>" if view.passed == len(view.rows) else ""
    items = [f"<h2>{e(t('page.to_fix', lang))}</h2>"]
    for row in view.failures:
        items.append(f'<section class="failure"><h3>{e(row.title)}</h3>')
        if row.message:
            items.append(f"<pre>{e(row.message)}</pre>")
        if row.diagnosis or row.hint:
            items.append(f'<p class="diagnosis">{e(cause(row, lang))}</p>')
        if row.where:
            items.append(f'<p class="where">{e(where(row, lang))}</p>')
        if row.output:
            items.append(f"<p>{e(t('page.printed', lang))}</p><pre>{e(row.output)}</pre>")
        items.append("</section>")
    return "\n".join(items)


def html_plot(page: Page) -> str:
    if not page.training:
        return ""
    lang, e = page.view.lang, html.escape
    heading = f"<h2>{e(t('page.training', lang))}</h2>"
    if page.plot is None:
        missing = "page.no_curve" if plots.available() else "page.no_matplotlib"
        return f"{heading}<p>{e(t(missing, lang))}</p>"
    data = base64.b64encode(page.plot).decode("ascii")
    alt, caption = e(t("page.plot_alt", lang)), e(t("page.plot_caption", lang))
    note = "" if page.has_curve else f"<p>{e(t('page.no_curve', lang))}</p>"
    return (
        f'{heading}{note}<figure><img id="loss-plot" alt="{alt}" '
        f'src="data:image/png;base64,{data}"><figcaption>{caption}</figcaption></figure>'
    )


# -- Markdown ----------------------------------------------------------------------------
def md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def feedback_markdown(report: Report, image: str = "") -> str:
    """The page in Markdown; its plot is the file ``image`` (default LOSS_PNG) beside it."""
    page = page_of(report)
    view, lang = page.view, page.view.lang
    lines = [f"# {t('page.title', lang, assignment=view.assignment)}", "", whose(view), ""]
    count = t("page.passed_count", lang, passed=view.passed, count=len(view.rows))
    lines += [f"**{score_line(view)}** ({count})", "", totals(view), ""]
    if view.status != "ok":
        lines += [run_status(view), ""]
    if graded := graded_line(report):
        lines += [md_cell(graded), ""]
    if view.blocking:
        lines += [f"## {t('page.blocking', lang)}", ""]
        for message in view.blocking:
            lines += ["```text", message, "```", ""]
        lines += [blocking_sentence(view), ""]
    cols = [t(k, lang) for k in ("page.col.check", "page.col.result", "page.col.points")]
    lines += [f"| {' | '.join(cols)} |", "|---|---|---:|"]
    for row in view.rows:
        title = md_cell(row.title) + (f" ({t('page.hidden', lang)})" if row.hidden else "")
        amount = f"{points(row.points)}/{points(row.max_points)}"
        lines.append(f"| {title} | {status_word(row, lang)} | {amount} |")
    if any(r.hidden for r in view.rows):
        lines += ["", f"_{t('page.hidden_note', lang)}_"]
    lines += md_failures(view) + md_plot(page, image or LOSS_PNG)
    lines += ["", f"_{t('page.footer', lang, version=__version__)}_", ""]
    return "\n".join(lines)


def md_failures(view: StudentView) -> list[str]:
    if not view.failures:
        return ["", all_passed(view)] if view.passed == len(view.rows) else []
    lines = ["", f"## {t('page.to_fix', view.lang)}"]
    for row in view.failures:
        lines += ["", f"### {row.title}"]
        if row.message:
            lines += ["", "```text", row.message, "```"]
        if row.diagnosis or row.hint:
            lines += ["", f"> {cause(row, view.lang)}"]
        if row.where:
            lines += ["", where(row, view.lang)]
        if row.output:
            lines += ["", t("page.printed", view.lang), "", "```text", row.output, "```"]
    return lines


def md_plot(page: Page, image: str) -> list[str]:
    """The plot as a PNG file beside the Markdown (``image``), not an inline blob."""
    if not page.training:
        return []
    lang = page.view.lang
    lines = ["", f"## {t('page.training', lang)}", ""]
    if page.plot is None:
        missing = "page.no_curve" if plots.available() else "page.no_matplotlib"
        return lines + [t(missing, lang)]
    return lines + [
        f"![{t('page.plot_alt', lang)}]({image})",
        "",
        f"_{t('page.plot_caption', lang)}_",
    ]


# -- batch writers (batch.STUDENT_WRITERS) ----------------------------------------------
def write_feedback_html(report: Report, student_dir: Path, config: Any) -> None:
    write_atomically(student_dir / "feedback.html", feedback_html(report), PUBLIC)


def write_feedback_md(report: Report, student_dir: Path, config: Any) -> None:
    """feedback.md and its plot, ``loss.png``, beside it (a stale plot is removed)."""
    plot = page_of(report).plot  # drawn once: plots caches the PNG
    if plot is not None:
        write_atomically(student_dir / LOSS_PNG, plot, PUBLIC)
    else:
        (student_dir / LOSS_PNG).unlink(missing_ok=True)
    write_atomically(student_dir / "feedback.md", feedback_markdown(report), PUBLIC)
