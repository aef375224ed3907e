"""What every command shares: domain errors turned into click's, shared options.

Every domain error (``AutograderError``) becomes a ``click.ClickException``
here, in one place, so users see one clear message and never a traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from autograder.core.errors import AutograderError
from autograder.grading.assignment import PUBLIC_CHECKS
from autograder.i18n import LANGUAGES
from autograder.isolation.sandbox import SandboxUnavailable

F = TypeVar("F", bound=Callable[..., Any])


def domain_errors(command: F) -> F:
    """Convert the library's errors into click's, with their message only.

    An ``OSError`` that reaches a command is the machine's answer about a file
    (a full disk, a read-only folder, a file removed meanwhile): it is said
    with the file's name, never as a traceback.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (AutograderError, SandboxUnavailable) as error:
            raise click.ClickException(str(error)) from None
        except OSError as error:
            where = f" {error.filename}" if error.filename else ""
            raise click.ClickException(
                f"cannot read or write{where}: {error.strerror or error}"
            ) from None

    return wrapper  # type: ignore[return-value]


# Options shared by several commands (defined once, so their help never drifts).
SEED_OPTION: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    envvar="AUTOGRADER_SEED",
    help="Seed of the hidden inputs (keep it secret; env AUTOGRADER_SEED).",
)


def only_assignment(parent: Path, option: str) -> Path:
    """The assignment a command works on when it is not told: the only folder of
    ``parent`` (``solutions`` or ``assignments``) holding a public_checks.py.

    A course with several assignments names one (``option`` says how): no
    assignment is ever chosen for the user by its name or by its order.
    """
    found = sorted(path.parent for path in Path(parent).glob(f"*/{PUBLIC_CHECKS}"))
    if len(found) == 1:
        return found[0]
    if not found:
        raise AutograderError(
            f"no assignment folder (one holding {PUBLIC_CHECKS}) in ./{parent}: "
            f"name the assignment with {option}"
        )
    names = ", ".join(str(path) for path in found)
    raise AutograderError(
        f"{len(found)} assignments in ./{parent} ({names}): name the one you mean with {option}"
    )


# Time limits: the floor is what keeps an honest call from timing out on a busy machine
# (0 or less failed every call, with exit 0): at least 0.1 s, at most an hour (a student's
# infinite loop holds the class that long). The factor only scales the reference's own
# time above the floor: any positive factor (a tiny one leaves the floor alone) up to 10^4.
TIMEOUT_FLOOR = click.FloatRange(min=0.1, max=3600)
TIMEOUT_FACTOR = click.FloatRange(min=0, min_open=True, max=10_000)

# The language a handed-out assignment speaks to students (the notebook's test cells, the
# Gradescope feedback): machine files (CSV headers, JSON keys) stay English whatever it is.
STUDENT_LANG_OPTION: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="Language of the students' messages: en (English) or id (Bahasa Indonesia).",
)

# A course's own page templates (Jinja2), each file replacing ours of the same name.
TEMPLATES_OPTION: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--templates",
    "templates",
    type=click.Path(path_type=Path),
    default=None,
    metavar="DIR",
    help="Your own page templates (Jinja2): a file of DIR replaces ours of the same name "
    "(base.html restyles every page; feedback.html, summary.html, students.html).",
)


EARLIER_ONLY = (
    "graded by an earlier run only, left out (not among the last `grade` run's "
    "submissions: grade again to include a late one, remove RESULTS/<id> of a withdrawn one)"
)


def note(what: str, students: list[str]) -> None:
    """A warning naming ``students`` (on stderr), when there are any."""
    if students:
        click.echo(f"{what} ({len(students)}): {', '.join(students)}", err=True)
