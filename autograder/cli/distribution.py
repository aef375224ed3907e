"""Commands that hand the assignment out: the notebook, the release, the exports.

Thin wrappers over ``notebook_build``, ``release``, ``gradescope_export`` and
``nbgrader_course``; registered in cli.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from autograder.cli.base import SEED_OPTION, STUDENT_LANG_OPTION, domain_errors, only_assignment
from autograder.core.files import writable_folder
from autograder.distribution.notebook_build import reference_notebook, sync_notebook
from autograder.distribution.skeleton import write_skeleton

SOLUTIONS = Path("solutions")


def solution_or_default(solution: Path | None, option: str) -> Path:
    """The reference folder named, else the only one in ./solutions."""
    return solution or only_assignment(SOLUTIONS, option)


@click.command()
@click.argument(
    "solution",
    required=False,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option("--check", is_flag=True, help="Only report whether the notebook is up to date.")
@click.option("--force", is_flag=True, help="Rewrite it even if it holds no solution region.")
@domain_errors
def notebook(solution: Path | None, check: bool, force: bool) -> None:
    """Regenerate the code cells of the reference notebook from the .py files.

    The notebook's prose is hand-written; its code cells come from the
    assignment's .py files and check suites (see each cell's metadata). Run
    this after changing the reference or the checks, then `autograder
    skeleton`. With --check, exit 1 when the notebook is out of date (nothing
    written). SOLUTION defaults to the only folder in ./solutions.

    Example:

        autograder notebook solutions/backprop

        autograder skeleton solutions/backprop --out assignments/backprop
    """
    solution = solution_or_default(solution, "SOLUTION")
    changed = sync_notebook(solution, write=not check, force=force)
    path = reference_notebook(solution)
    if check:
        click.echo(f"{path} is {'out of date' if changed else 'up to date'}")
        sys.exit(1 if changed else 0)
    click.echo(f"{path} {'regenerated' if changed else 'already up to date'}")


@click.group()
def export() -> None:
    """Export the assignment for another grading platform (nbgrader, Gradescope).

    Example:

        autograder export nbgrader --solution solutions/backprop --out course
    """


ZIP_OUT_OPTION = click.option(
    "--out",
    default=Path("dist"),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the zip.",
)
SOLUTION_OPTION = click.option(
    "--solution",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Reference folder: the solution, its notebook, public and hidden checks "
    "(default: the only folder in ./solutions).",
)


@export.command("nbgrader")
@SOLUTION_OPTION
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The nbgrader course folder (created if missing).",
)
@SEED_OPTION
@STUDENT_LANG_OPTION
@click.option(
    "--force",
    is_flag=True,
    help="Replace the files of an earlier export even if they were edited since.",
)
@domain_errors
def export_nbgrader(solution: Path | None, out: Path, seed: int, lang: str, force: bool) -> None:
    """Write an nbgrader course folder: nbgrader_config.py, source/, grader/.

    Then, in that folder, the usual nbgrader commands: generate_assignment,
    (collect the submissions into submitted/<student>/<assignment>/), autograde
    and export. The notebook's test cells run the same checks as
    `autograder check`; the hidden ones find the hidden checks in grader/.
    Grade the same notebooks in the sandbox with the same seed:
    `autograder grade submitted --out results --seed SEED` in the course folder.
    Run again unchanged, it writes the same files; one of them that differs
    (edited since, a changed reference, another seed or language) is replaced
    only with --force. nbgrader's files (release/, submitted/, gradebook.db)
    and any other are left as they are.

    Example:

        autograder export nbgrader --solution solutions/backprop --out course

        cd course && nbgrader generate_assignment backprop
    """
    from autograder.distribution.nbgrader_course import write_course

    solution = solution_or_default(solution, "--solution")
    writable_folder(out)
    for relative in write_course(solution, out, seed, lang=lang, force=force):
        click.echo(str(out / relative))


@click.command()
@SOLUTION_OPTION
@ZIP_OUT_OPTION
@STUDENT_LANG_OPTION
@domain_errors
def release(solution: Path | None, out: Path, lang: str) -> None:
    """Build the student release: one zip to hand out.

    It holds the assignment (skeleton files and the student notebook, made
    from the reference), the public checks and the engine for `autograder
    check`, and a README whose one install line is `pip install ./<name>-release`.
    No reference code, no hidden checks, no seed.

    Example:

        autograder release --solution solutions/neuron --out dist

        autograder release --solution solutions/backprop --out dist --lang id
    """
    from autograder.distribution.release import build_release

    writable_folder(out)
    click.echo(str(build_release(solution_or_default(solution, "--solution"), out, lang)))


@export.command("gradescope")
@SOLUTION_OPTION
@ZIP_OUT_OPTION
@SEED_OPTION
@STUDENT_LANG_OPTION
@domain_errors
def export_gradescope(solution: Path | None, out: Path, seed: int, lang: str) -> None:
    """Build the Gradescope autograder zip (upload it as the assignment's autograder).

    It holds setup.sh, run_autograder, the engine, the reference and the
    hidden checks: keep it away from students. Each submission (the
    assignment's .py files, or the notebook) is graded like `autograder grade`
    grades one student, in the sandbox when the container allows it.

    Example:

        autograder export gradescope --solution solutions/backprop --out dist --seed 12345
    """
    from autograder.distribution.gradescope_export import build_gradescope

    solution = solution_or_default(solution, "--solution")
    writable_folder(out)
    click.echo(str(build_gradescope(solution, out, seed, lang)))


@click.command()
@click.argument("solution", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the student files into.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Write even over solution regions (a reference) or filled-in stubs (a student's work).",
)
@domain_errors
def skeleton(solution: Path, out: Path, force: bool) -> None:
    """Write the student skeleton generated from a reference folder.

    Every `### BEGIN SOLUTION` ... `### END SOLUTION` region becomes a
    `raise NotImplementedError` stub; hidden files are left out. An earlier
    skeleton in --out is replaced; a reference (solution regions) or a
    student's work (a stub filled in, a file that no longer parses) is not,
    unless --force.

    Example:

        autograder skeleton solutions/backprop --out assignments/backprop
    """
    writable_folder(out)
    for relative in write_skeleton(solution, out, force):
        click.echo(str(out / relative))
