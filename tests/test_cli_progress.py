"""`autograder grade`'s live view: the last student done, failures so far, count and ETA."""

from __future__ import annotations

import io

import pytest

from autograder.cli.progress import Tally, grading_bar
from autograder.core.results import Outcome, StudentRow


def outcome(student: str, status: str = "ok", total: float = 26, skipped: bool = False) -> Outcome:
    return Outcome(student, StudentRow(student, total, 28, status, {}), skipped=skipped)


@pytest.mark.parametrize(
    ("outcomes", "line"),
    [
        ([], ""),
        ([outcome("ana")], "ana (26/28) · failures so far: 0"),
        ([outcome("ana"), outcome("ben", "timeout", 0)], "ben (timeout) · failures so far: 1"),
        (
            [outcome("ben", "error", 0), outcome("cat", "grader-error", 0), outcome("dan")],
            "dan (26/28) · failures so far: 2",
        ),
        ([outcome("eve", skipped=True)], "eve (26/28, unchanged) · failures so far: 0"),
        ([outcome("x" * 40)], "x" * 23 + "… (26/28) · failures so far: 0"),
    ],
)
def test_the_tally_names_the_last_student_done_and_counts_failures(
    outcomes: list[Outcome], line: str
) -> None:
    tally = Tally()
    for done in outcomes:
        tally.add(done)
    assert tally.line() == line


class Terminal(io.StringIO):
    """A text stream that says it is a terminal, so click draws its bar into it."""

    def isatty(self) -> bool:
        return True


def test_the_bar_shows_count_student_and_failures_on_a_terminal() -> None:
    screen = Terminal()
    with grading_bar(screen) as progress:
        progress(outcome("ana"), 1, 3)
        progress(outcome("ben", "timeout", 0), 2, 3)
        progress(outcome("cat"), 3, 3)
    drawn = screen.getvalue()
    assert "grading" in drawn and "1/3" in drawn and "3/3" in drawn
    assert "ben (timeout) · failures so far: 1" in drawn
    last_frame = drawn.split("\r")[-1]  # each frame redraws the line
    assert "3/3  cat (26/28) · failures so far: 1" in last_frame


def test_off_a_terminal_the_bar_writes_no_control_codes() -> None:
    log = io.StringIO()
    with grading_bar(log) as progress:
        progress(outcome("ana"), 1, 1)
    assert "\r" not in log.getvalue() and "\x1b" not in log.getvalue()
