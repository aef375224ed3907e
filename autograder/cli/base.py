"""What every command shares: domain errors turned into click's, shared options.

Every domain error (``AutograderError``) becomes a ``click.ClickException``
here, in one place, so users see one clear message and never a traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from autograder.core.errors import AutograderError
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
