"""What a student may see of a report: the one place that decides it.

The feedback page, its Markdown twin and `autograder check`'s text are all
rendered from ``student_view``. A public check shows its message, diagnosis,
the place in the student's code and what the code printed. A hidden check
shows its title, result and points, and at most its *hint*: a catalogue
sentence chosen by the mistake's key, placed only with the student's own
code (see ``checks.findings``); never its message, diagnosis, output or
data, any of which may quote hidden inputs or reference values.

An error that stops checks from running (a module that does not import) is
stated once, at the top, with the checks it stopped listed as not run,
instead of once under every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from autograder.core.results import PASSED, Report
from autograder.i18n import check_title, t

OUTPUT_SHOWN = 4096
LOSSES, EXPECTED_LOSSES = "losses", "expected_losses"


@dataclass(frozen=True)
class Row:
    """One check as a student may see it."""

    title: str
    status: str
    points: float
    max_points: float
    hidden: bool
    message: str = ""
    diagnosis: str = ""
    where: str = ""
    hint: str = ""
    output: str = ""
    not_run: bool = False

    @property
    def passed(self) -> bool:
        return self.status == PASSED


@dataclass(frozen=True)
class StudentView:
    assignment: str
    lang: str
    score: float
    max_score: float
    status: str
    rows: tuple[Row, ...]
    student: str = ""
    hidden_points: float = 0.0  # hidden checks that exist but did not run here
    blocking: tuple[str, ...] = ()  # errors that stopped checks, each once

    @property
    def failures(self) -> tuple[Row, ...]:
        """Failed checks with something to tell: public ones, and hidden ones with a hint."""
        return tuple(
            r for r in self.rows if not r.passed and not r.not_run and (not r.hidden or r.hint)
        )

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.rows)

    @property
    def not_run(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.not_run)

    def points_of(self, hidden: bool) -> tuple[float, float]:
        rows = [r for r in self.rows if r.hidden == hidden]
        return sum(r.points for r in rows), sum(r.max_points for r in rows)


def student_view(report: Report) -> StudentView:
    lang = report.lang
    rows = []
    for r in report.results:
        row = Row(check_title(r.name, lang), r.status, r.points, r.max_points, r.hidden)
        row = replace(row, not_run=r.not_run)
        if r.hidden and not r.passed:
            row = replace(row, hint=r.hint)
        elif not r.passed and not r.not_run:
            row = replace(
                row,
                message=r.message,
                diagnosis=r.diagnosis,
                where=r.where,
                output=r.output[:OUTPUT_SHOWN],
            )
        rows.append(row)
    # A check not applicable (0 points at stake) repeats another's failure: never a cause.
    blocking = root_causes(
        [r.message for r in report.results if r.not_run and r.message and r.max_points]
    )
    return StudentView(
        report.assignment,
        lang,
        report.score,
        report.max_score,
        report.status,
        tuple(rows),
        report.student,
        report.hidden_points,
        blocking,
    )


def root_causes(messages: list[str]) -> tuple[str, ...]:
    """Each error once, leaving out the later ones that only repeat an earlier one's cause
    ("xor.py could not be imported because layers.py has a syntax error: <the same>"):
    checks run module by module, and a module fails to import because of one before it."""
    kept: list[str] = []
    for message in dict.fromkeys(messages):
        if not any(what_went_wrong(other) in message.splitlines()[0] for other in kept):
            kept.append(message)
    return tuple(kept)


def what_went_wrong(message: str) -> str:
    """What went wrong, without whose it was: the first line after its first ": "."""
    first = message.splitlines()[0]
    return first.split(": ", 1)[-1]


def curves(report: Report) -> tuple[list[Any], list[Any]]:
    """The student's and the expected loss curves, from a public check's data."""
    for result in report.results:
        if not result.hidden and EXPECTED_LOSSES in result.data:
            return list(result.data.get(LOSSES, [])), list(result.data[EXPECTED_LOSSES])
    return [], []


def points(value: float) -> str:
    return f"{value:g}"


# -- sentences shared by the page, its Markdown and the text report ----------------------
def whose(view: StudentView) -> str:
    """``Student: alice · Assignment: backprop`` (the assignment alone for a self-check)."""
    if view.student:
        return t("page.whose", view.lang, student=view.student, assignment=view.assignment)
    return t("page.assignment", view.lang, assignment=view.assignment)


def totals(view: StudentView) -> str:
    """Public and hidden points, stated apart, and hidden checks still to come."""
    lang = view.lang
    score, most = view.points_of(hidden=False)
    text = t("page.public_total", lang, score=points(score), max_score=points(most))
    hidden_score, hidden_most = view.points_of(hidden=True)
    if hidden_most:
        text += t(
            "page.hidden_total", lang, score=points(hidden_score), max_score=points(hidden_most)
        )
    elif view.hidden_points:
        text += t("page.hidden_later", lang, points=points(view.hidden_points))
    return text


def blocking_sentence(view: StudentView) -> str:
    return t("page.not_run", view.lang, count=len(view.not_run), total=len(view.rows))


def cause(row: Row, lang: str) -> str:
    """The diagnosis (or a hidden check's hint) as the student reads it."""
    return t("report.likely_cause", lang, diagnosis=row.diagnosis or row.hint)


def where(row: Row, lang: str) -> str:
    """Where to look in the student's own code ("" when unknown)."""
    return t("report.where", lang, where=row.where) if row.where else ""
