"""The live view of ``autograder grade``: click's progress bar, told who was just graded.

Why click's bar and not rich's: click is already the CLI's one dependency
and its bar has what a grading run needs, a count, a percentage and an ETA,
plus ``item_show_func`` for a line of our own: the student just graded (with
their score, or what went wrong) and how many submissions failed so far
(their code errored or timed out, or the grader could not grade them).
Submissions finish out of order in the pool, so the bar names the last one
*done*, never a guess at the one in progress. On a pipe or a CI log click
writes no control codes (the label once, then the final line), so the view
degrades cleanly without a terminal. rich would draw the same facts with
more colour for one more run-time dependency; that is not worth it here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO

import click

from autograder.core.results import Outcome
from autograder.grading.batch import Progress

CLEAN = "ok"  # a run that completed; any other status is a failure to count
WIDTH = 24  # a long student id is cut so the line keeps to one terminal row


@dataclass
class Tally:
    """What the bar shows beside the count: the last student done, failures so far."""

    last: Outcome | None = None
    failures: int = 0

    def add(self, outcome: Outcome) -> None:
        self.last = outcome
        self.failures += outcome.row.status != CLEAN

    def line(self) -> str:
        if self.last is None:
            return ""
        row = self.last.row
        student = self.last.student
        shown = student if len(student) <= WIDTH else student[: WIDTH - 1] + "…"
        result = f"{row.total:g}/{row.max_total:g}" if row.status == CLEAN else row.status
        kept = ", unchanged" if self.last.skipped else ""
        return f"{shown} ({result}{kept}) · failures so far: {self.failures}"


@contextmanager
def grading_bar(file: TextIO | None = None) -> Iterator[Progress]:
    """A callback for ``Batch.run``: it advances the bar (on ``file``, default stderr)
    and shows the tally."""
    tally = Tally()
    # (typed Any: click types a length-only bar's items as int, and ours shows the tally)
    progressbar: Any = click.progressbar(
        length=1,
        label="grading",
        file=file or sys.stderr,
        show_eta=True,
        show_pos=True,
        item_show_func=lambda _: tally.line() or None,
    )
    with progressbar as bar:

        def progress(outcome: Outcome, done: int, total: int) -> None:
            tally.add(outcome)
            bar.length = total
            bar.update(1)

        yield progress
