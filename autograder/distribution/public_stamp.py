"""The hidden checks' points total, written into the public suite students receive.

A student's `autograder check` runs the public checks only; it should still
say that hidden checks exist and what they are worth ("20/20 on the public
checks; the instructor also runs 15 points of hidden checks"), so that full
public marks never read as a full grade. The release, the skeleton and the
nbgrader and Gradescope exports append one line to the public checks they
ship, setting ``suite.hidden_points``: the total alone, never a check's
name, input or code.
"""

from __future__ import annotations

from pathlib import Path

from autograder.grading.assignment import HIDDEN_CHECKS, load_assignment

STAMP = """
# Written by the release: the instructor's hidden checks are worth this many points in
# all (`autograder check` cannot run them; it tells you they exist).
suite.hidden_points = {points:g}
"""


def hidden_total(solution: Path) -> float | None:
    """The points of the hidden checks beside the reference, or None without any."""
    if not (Path(solution) / HIDDEN_CHECKS).is_file():
        return None
    return load_assignment(solution, with_hidden=True).hidden_points


def stamped(public_source: str, solution: Path) -> str:
    """``public_checks.py``'s text with the hidden total appended (unchanged without one)."""
    total = hidden_total(solution)
    if total is None:
        return public_source
    return public_source.rstrip("\n") + "\n" + STAMP.format(points=total)
