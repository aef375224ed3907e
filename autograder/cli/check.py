"""`autograder check`: a student's self-check (public checks, no sandbox: the
student's own code on their own machine; as root it still drops privileges)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from autograder.cli.base import TEMPLATES_OPTION, TIMEOUT_FLOOR, domain_errors, only_assignment
from autograder.core.errors import AutograderError
from autograder.core.files import PUBLIC, writable_file, write_atomically
from autograder.grading.assignment import PUBLIC_CHECKS, load_assignment
from autograder.grading.runner import GradeOptions, grade_folder
from autograder.i18n import LANGUAGES
from autograder.intake.notebooks import code_folder
from autograder.isolation.sandbox import SandboxConfig
from autograder.isolation.session import TimeoutPolicy
from autograder.reports import text as render


def default_check_dir() -> Path:
    """The current folder when it holds code or a notebook, else the only assignment
    of ./assignments (a course repository's student folders)."""
    here = Path.cwd()
    mine = any(here.glob("*.py")) or any(here.glob("*.ipynb"))
    return here if mine else only_assignment(Path("assignments"), "DIRECTORY")


def checked_target(target: Path) -> Path:
    """A folder, or a notebook: anything else gets a sentence saying what check expects."""
    if target.is_dir() or (target.suffix == ".ipynb" and target.is_file()):
        return target
    expected = (
        "a folder holding layers.py and xor.py (your assignment folder), or a .ipynb notebook"
    )
    if target.is_file():
        here = target.parent in (Path(), Path("."))
        how = (
            "run `autograder check` here, without arguments"
            if here
            else f"run `autograder check {target.parent}`"
        )
        raise AutograderError(f"{target} is one file; check takes {expected}: {how}")
    raise AutograderError(
        f"no folder or notebook {target}; check takes {expected}: run it in your assignment "
        "folder, or name that folder"
    )


@click.command()
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
    type=TIMEOUT_FLOOR,
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
@TEMPLATES_OPTION
@domain_errors
def check(
    directory: Path | None,
    as_json: bool,
    checks_dir: Path | None,
    timeout_floor: float,
    html_path: Path | None,
    lang: str,
    templates: Path | None,
) -> None:
    """Run the public checks on your code (or your notebook).

    DIRECTORY defaults to the current folder when it holds .py files or a
    notebook, else the only assignment in ./assignments. It may also be a
    .ipynb file, or a folder holding a notebook and none of the assignment's
    .py files: the notebook's code cells are checked. Exit status 0 when every
    check passes, 1 otherwise.

    Example:

        cd assignments/backprop && autograder check

        autograder check assignments/neuron/neuron.ipynb

        autograder check --html report.html --lang id
    """
    folder = checked_target(directory or default_check_dir())
    if templates is not None and html_path is None:
        raise click.UsageError("--templates styles the page of --html: give both")
    if html_path is not None:
        from autograder.reports.feedback import try_templates  # the page's modules: only here

        writable_file(html_path, "--html", (".html", ".htm"))  # before the checks run
        try_templates(templates)
    home = folder.parent if folder.suffix == ".ipynb" else folder
    assignment = load_assignment(checks_dir or home, with_hidden=False)
    options = GradeOptions(
        include_hidden=False,
        sandbox=SandboxConfig("none"),  # the student's own code, on their own machine
        timeouts=TimeoutPolicy(floor=timeout_floor),
        lang=lang,
        report_data=html_path is not None,
    )
    with code_folder(folder, assignment.modules) as code:
        report, _ = grade_folder(code, assignment, options)
    click.echo(render.report_json(report) if as_json else render.report_table(report))
    if html_path is not None:
        from autograder.reports.feedback import feedback_html

        write_atomically(html_path, feedback_html(report, templates), PUBLIC)
    sys.exit(0 if report.all_passed else 1)
