"""The `autograder` command: a thin layer over the library.

Every domain error (``AutograderError``) becomes a ``click.ClickException``
here, in one place, so users see one clear message and never a traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from autograder import render
from autograder.assignment import PUBLIC_CHECKS, load_assignment
from autograder.errors import AutograderError
from autograder.feedback import feedback_html
from autograder.i18n import LANGUAGES
from autograder.notebook import code_folder
from autograder.runner import GradeOptions, grade_folder
from autograder.sandbox import SandboxConfig, SandboxUnavailable
from autograder.session import TimeoutPolicy
from autograder.skeleton import write_skeleton

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_ASSIGNMENT = Path("assignments/backprop")


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


@click.group()
@click.version_option(package_name="backprop-autograder")
def cli() -> None:
    """Autograder for the backpropagation assignment.

    Students: `autograder check` in your assignment folder.
    Instructors: `autograder grade SUBMISSIONS --out RESULTS`.
    """


def default_check_dir() -> Path:
    here = Path.cwd()
    mine = (here / "layers.py").exists() or any(here.glob("*.ipynb"))
    return here if mine else DEFAULT_ASSIGNMENT


@cli.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--checks",
    "checks_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help=f"Folder holding {PUBLIC_CHECKS} (default: DIRECTORY itself).",
)
@click.option(
    "--timeout-floor",
    default=1.0,
    show_default=True,
    help="Shortest time limit, in seconds, for one call into your code.",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write your feedback page (one HTML file, with a plot of your loss curve).",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="Language of the messages: en (English) or id (Bahasa Indonesia).",
)
@domain_errors
def check(
    directory: Path | None,
    as_json: bool,
    checks_dir: Path | None,
    timeout_floor: float,
    html_path: Path | None,
    lang: str,
) -> None:
    """Run the public checks on your layers.py and xor.py (or your notebook).

    DIRECTORY defaults to the current folder when it holds layers.py or a
    notebook, else assignments/backprop. It may also be a .ipynb file, or a
    folder holding a notebook and no layers.py: the notebook's code cells are
    checked. Exit status 0 when every check passes, 1 otherwise.

    Example:

        cd assignments/backprop && autograder check

        autograder check assignments/backprop/backprop.ipynb

        autograder check --html report.html --lang id
    """
    folder = directory or default_check_dir()
    if not (folder.is_dir() or (folder.suffix == ".ipynb" and folder.is_file())):
        raise AutograderError(
            f"no folder or notebook {folder}: run this in your assignment folder, or name it"
        )
    home = folder.parent if folder.suffix == ".ipynb" else folder
    assignment = load_assignment(checks_dir or home, with_hidden=False)
    options = GradeOptions(
        include_hidden=False,
        sandbox=SandboxConfig(use_bwrap=False),
        timeouts=TimeoutPolicy(floor=timeout_floor),
        lang=lang,
        report_data=html_path is not None,
    )
    with code_folder(folder, assignment.modules) as code:
        report, _ = grade_folder(code, assignment, options)
    click.echo(render.report_json(report) if as_json else render.report_table(report))
    if html_path is not None:
        html_path.write_text(feedback_html(report), encoding="utf-8")
    sys.exit(0 if report.all_passed else 1)


@cli.command()
@click.argument("solution", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the student files into.",
)
@domain_errors
def skeleton(solution: Path, out: Path) -> None:
    """Write the student skeleton generated from a reference folder.

    Every `### BEGIN SOLUTION` ... `### END SOLUTION` region becomes a
    `raise NotImplementedError` stub; hidden files are left out.

    Example:

        autograder skeleton solutions/backprop --out assignments/backprop
    """
    for relative in write_skeleton(solution, out):
        click.echo(str(out / relative))


# Commands that live in their own modules register here, one line each.
from autograder.cli_grade import grade  # noqa: E402

cli.add_command(grade)
from autograder.cli_distribution import export, notebook, release  # noqa: E402

cli.add_command(notebook)
cli.add_command(export)
cli.add_command(release)


def main() -> None:
    cli(prog_name="autograder")
