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
from autograder.isolation.sandbox import SandboxUnavailable

F = TypeVar("F", bound=Callable[..., Any])


def domain_errors(command: F) -> F:
    """Convert the library's errors into click's, with their message only."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (AutograderError, SandboxUnavailable) as error:
            raise click.ClickException(str(error)) from None

    return wrapper  # type: ignore[return-value]


# Options shared by several commands (defined once, so their help never drifts).
SEED_OPTION: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--seed",
    type=int,
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
