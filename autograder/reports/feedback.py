"""A student's feedback: one self-contained HTML page and a Markdown file.

Both are rendered from ``view.student_view``, the one place that decides
what a student may see (a hidden check: its title, result, points and at
most its catalogue hint). The top says whose feedback it is, for which
assignment, the public and hidden totals apart, and, once, any error that
stopped checks from running. The loss-curve plot is drawn from a public
check's recorded curves only and embedded as a base64 SVG, so the page is a
single file that opens anywhere, offline.

The HTML page is the template ``templates/feedback.html`` (``pages``): this
module gives it the student's view and every sentence already in the page's
language, and the template lays them out, escaping each one.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from autograder import __version__
from autograder.core.errors import AutograderError
from autograder.core.files import PUBLIC, write_atomically
from autograder.core.results import FAILED, PASSED, CheckResult, Report
from autograder.i18n import t
from autograder.reports import markdown, plots
from autograder.reports.graded_files import graded_line
from autograder.reports.pages import check_templates, render
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

LOSS_SVG = "loss.svg"  # feedback.md's plot, written beside it


@dataclass(frozen=True)
class Page:
    """The student's view and the loss-curve plot drawn from public data only."""

    view: StudentView
    plot: str | None  # SVG
    # Why the student's own curve is not in the plot (a sentence), "" when it is.
    curve_note: str
    # A public check recorded loss curves: only then has the page a training
    # section (an assignment whose checks record none, e.g. neuron, has none).
    training: bool = False


def page_of(report: Report) -> Page:
    view = student_view(report)
    losses, expected = curves(report)
    plot = plots.loss_curves_svg(losses, expected, report.lang) if (losses or expected) else None
    return Page(view, plot, curve_note(losses, report.lang), bool(losses or expected))


def curve_note(losses: list[Any], lang: str) -> str:
    """Why the student's curve cannot be drawn: none returned, or no finite loss in it."""
    if not losses:
        return t("page.no_curve", lang)
    return "" if plots.drawable_curve(losses) else t("page.curve_not_finite", lang)


def all_passed(view: StudentView) -> str:
    """Well done, unless hidden checks are still to come (then: so far, so good)."""
    key = "page.all_public_passed" if view.hidden_points else "page.all_passed"
    return t(key, view.lang)


def status_word(row: Row, lang: str) -> str:
    if row.not_run:
        return t("report.status.not_run", lang)
    known = ("passed", "failed", "error")
    return t(f"report.status.{row.status}", lang) if row.status in known else row.status


def score_line(view: StudentView) -> str:
    return t("page.score", view.lang, score=points(view.score), max_score=points(view.max_score))


def run_status(view: StudentView) -> str:
    key = f"report.run.{view.status}"
    return t(
        "report.run_status", view.lang, status=t(key, view.lang) if key in RUN else view.status
    )


RUN = {"report.run.timeout", "report.run.error"}


# -- HTML (templates/feedback.html) -------------------------------------------------------
def feedback_html(report: Report, templates: Path | None = None) -> str:
    """The page, from ``feedback.html`` (a course's own in ``templates``, else ours)."""
    page = page_of(report)
    lang = page.view.lang
    return render(
        "feedback.html",
        templates,
        view=page.view,
        page=html_strings(page, graded_line(report)),
        lang=lang,
        footer=t("page.footer", lang, version=__version__),
        t=functools.partial(t, lang=lang),
    )


def html_strings(page: Page, graded: str) -> dict[str, Any]:
    """Every sentence of the page, in its language: the template only lays them out."""
    view, lang = page.view, page.view.lang
    return {
        "title": t("page.title", lang, assignment=view.assignment),
        "whose": whose(view),
        "score": score_line(view),
        "totals": totals(view),
        "passed_count": t("page.passed_count", lang, passed=view.passed, count=len(view.rows)),
        "run_status": run_status(view) if view.status != "ok" else "",
        "graded": graded,
        "blocking_sentence": blocking_sentence(view) if view.blocking else "",
        "rows": [table_row(row, lang) for row in view.rows],
        "any_hidden": any(r.hidden for r in view.rows),
        "failures": [failure(row, lang) for row in view.failures],
        "all_passed": all_passed(view) if view.passed == len(view.rows) else "",
        "training": training(page),
    }


def table_row(row: Row, lang: str) -> dict[str, Any]:
    return {
        "title": row.title,
        "hidden": row.hidden,
        "kind": "not-run" if row.not_run else row.status,
        "status": status_word(row, lang),
        "amount": f"{points(row.points)}/{points(row.max_points)}",
    }


def failure(row: Row, lang: str) -> dict[str, str]:
    return {
        "title": row.title,
        "message": row.message,
        "cause": cause(row, lang) if row.diagnosis or row.hint else "",
        "where": where(row, lang) if row.where else "",
        "output": row.output,
    }


def training(page: Page) -> dict[str, Any] | None:
    """The loss-curve section: absent, a sentence saying why there is no plot, or the
    plot (with a sentence when the student's own curve is not in it)."""
    if not page.training:
        return None
    note = page.curve_note
    if page.plot is None:
        return {"missing": note}
    data = base64.b64encode(page.plot.encode("utf-8")).decode("ascii")
    return {"missing": "", "note": note, "has_curve": not note, "svg_base64": data}


# -- Markdown ----------------------------------------------------------------------------
def feedback_markdown(report: Report, image: str = "") -> str:
    """The page in Markdown; its plot is the file ``image`` (default LOSS_SVG) beside it."""
    page = page_of(report)
    view, lang = page.view, page.view.lang
    escaped = replace(view, student=markdown.text(view.student))  # an id is the student's
    lines = [f"# {t('page.title', lang, assignment=view.assignment)}", "", whose(escaped), ""]
    count = t("page.passed_count", lang, passed=view.passed, count=len(view.rows))
    lines += [f"**{score_line(view)}** ({count})", "", totals(view), ""]
    if view.status != "ok":
        lines += [run_status(view), ""]
    if graded := graded_line(report):
        lines += [markdown.text(graded), ""]
    if view.blocking:
        lines += [f"## {t('page.blocking', lang)}", ""]
        for message in view.blocking:
            lines += [*markdown.fenced(message), ""]
        lines += [blocking_sentence(view), ""]
    cols = [t(k, lang) for k in ("page.col.check", "page.col.result", "page.col.points")]
    lines += [f"| {' | '.join(cols)} |", "|---|---|---:|"]
    for row in view.rows:
        title = markdown.cell(row.title) + (f" ({t('page.hidden', lang)})" if row.hidden else "")
        amount = f"{points(row.points)}/{points(row.max_points)}"
        lines.append(f"| {title} | {status_word(row, lang)} | {amount} |")
    if any(r.hidden for r in view.rows):
        lines += ["", f"_{t('page.hidden_note', lang)}_"]
    lines += md_failures(view) + md_plot(page, image or LOSS_SVG)
    lines += ["", f"_{t('page.footer', lang, version=__version__)}_", ""]
    return "\n".join(lines)


def md_failures(view: StudentView) -> list[str]:
    if not view.failures:
        return ["", all_passed(view)] if view.passed == len(view.rows) else []
    lines = ["", f"## {t('page.to_fix', view.lang)}"]
    for row in view.failures:
        lines += ["", f"### {row.title}"]
        if row.message:
            lines += ["", *markdown.fenced(row.message)]
        if row.diagnosis or row.hint:
            lines += ["", f"> {cause(row, view.lang)}"]
        if row.where:
            lines += ["", markdown.text(where(row, view.lang))]
        if row.output:
            lines += ["", t("page.printed", view.lang), "", *markdown.fenced(row.output)]
    return lines


def md_plot(page: Page, image: str) -> list[str]:
    """The plot as an SVG file beside the Markdown (``image``), not an inline blob."""
    if not page.training:
        return []
    lang = page.view.lang
    lines = ["", f"## {t('page.training', lang)}", ""]
    note = [page.curve_note] if page.curve_note else []
    if page.plot is None:
        return lines + note
    return (
        lines
        + note
        + [""] * len(note)
        + [
            f"![{t('page.plot_alt', lang)}]({image})",
            "",
            f"_{t('page.plot_caption', lang)}_",
        ]
    )


# -- before grading: the templates tried on a made-up student ------------------------------
SAMPLE = Report(
    "assignment",
    (
        CheckResult("a passed check", "part", 1.0, 1.0, PASSED),
        CheckResult(
            "a failed check",
            "part",
            0.0,
            2.0,
            FAILED,
            message="a message",
            output="printed",
            diagnosis="a diagnosis",
            where="a place",
            data={"losses": [0.7, 0.5], "expected_losses": [0.7, 0.4]},
        ),
        CheckResult("a hidden check", "part", 0.0, 1.0, FAILED, hidden=True, hint="a hint"),
    ),
    student="student",
)


def try_templates(templates: Path | None) -> None:
    """Compile both pages, and render the feedback page once for ``SAMPLE``, before any
    grading: a course template that compiles but fails on data (a misspelt name) is
    refused up front, not at the first student graded. (The summary is written after
    the class, and a rerun with every student unchanged writes it again.) Ours are
    tried by the tests: nothing to do without a course folder."""
    if templates is not None:
        check_templates(templates)
        feedback_html(SAMPLE, templates)


# -- batch writers (batch.STUDENT_WRITERS) ----------------------------------------------
def write_feedback_html(report: Report, student_dir: Path, config: Any) -> str:
    """The page from the course's templates, else (they failed on this student's data,
    not on the sample tried before grading) ours and a warning: the batch goes on."""
    templates = getattr(config, "templates", None)
    try:
        page, warning = feedback_html(report, templates), ""
    except AutograderError as failure:
        if templates is None:
            raise
        page = feedback_html(report)
        warning = (
            f"{failure} (for {report.student}): their feedback.html was made from the built-in "
            f"template; fix the course's and regrade them with --only {report.student}"
        )
    write_atomically(student_dir / "feedback.html", page, PUBLIC)
    return warning


def write_feedback_md(report: Report, student_dir: Path, config: Any) -> None:
    """feedback.md and its plot, ``loss.svg``, beside it (a stale plot is removed)."""
    plot = page_of(report).plot  # drawn once for both pages: plots caches it
    if plot is not None:
        write_atomically(student_dir / LOSS_SVG, plot, PUBLIC)
    else:
        (student_dir / LOSS_SVG).unlink(missing_ok=True)
    write_atomically(student_dir / "feedback.md", feedback_markdown(report), PUBLIC)
