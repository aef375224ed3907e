"""`autograder grades`: a results folder's grades as a file Canvas or Moodle imports."""

from __future__ import annotations

from pathlib import Path

import click

from autograder.cli.base import EARLIER_ONLY, domain_errors, note
from autograder.core.errors import AutograderError
from autograder.core.files import LMS_FILES, writable_file, write_atomically
from autograder.grading.classgrades import ClassGrades, class_grades
from autograder.intake.roster import read_roster
from autograder.reports import lms
from autograder.reports.gradebook import GRADES_CSV


@click.command()
@click.argument("results", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--format",
    "form",
    type=click.Choice(["canvas", "moodle", "csv"]),
    required=True,
    help="canvas: Canvas's gradebook import; moodle: Moodle's grade import; "
    "csv: a plain list with the roster's columns.",
)
@click.option(
    "--roster",
    "roster_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The class list (default: the one given to `grade --roster`). Canvas's own "
    "gradebook export is written back with the assignment's column filled.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (default: RESULTS/canvas-import.csv, moodle-import.csv or "
    "grades-list.csv).",
)
@click.option(
    "--id-column",
    type=click.Choice(sorted(lms.MOODLE_ID_COLUMNS)),
    default="email",
    show_default=True,
    help="Moodle: the column identifying each student (map it to the same user field "
    "when importing).",
)
@click.option(
    "--missing",
    type=click.Choice([lms.BLANK, lms.ZERO]),
    default=lms.BLANK,
    show_default=True,
    help="Grade of a rostered student who handed nothing in: blank (the LMS keeps what it "
    "has) or zero.",
)
@click.option(
    "--column",
    default="",
    help="Canvas: the assignment column to fill in a Canvas export (default: the one "
    "titled like the assignment; a new column if there is none).",
)
@domain_errors
def grades(
    results: Path,
    form: str,
    roster_path: Path | None,
    out: Path | None,
    id_column: str,
    missing: str,
    column: str,
) -> None:
    """Write RESULTS' grades as a file the LMS imports as it is.

    Canvas: import it in Grades > Import. Moodle: Grades > Import > CSV file,
    map the first column to the user field of --id-column (e.g. useremail)
    and the second to the assignment's grade item. Students not on the
    roster are left out (and listed); grader errors are never uploaded.

    Example:

        autograder grades results --format canvas --roster canvas-export.csv

        autograder grades results --format moodle --id-column idnumber --out moodle.csv
    """
    # The default files are class files of RESULTS: never a student id (core.files).
    target = lms_target(out or results / LMS_FILES[form], results, roster_path)
    roster = read_roster(roster_path) if roster_path else None
    graded = class_grades(results, roster)
    if form == "canvas":
        text = canvas_text(graded, column, missing)
    elif form == "moodle":
        text, left_out = lms.moodle_csv(graded, id_column, missing)
        note(f"no {id_column} on the roster, left out", left_out)
    else:
        text = lms.plain_csv(graded, missing)
    write_atomically(target, text)
    if form != "csv":
        note(
            "not on the roster, left out (add them to the roster, or enter by hand)",
            list(graded.unlisted),
        )
    note("grader errors, left blank: regrade them first", list(graded.grader_errors))
    note(EARLIER_ONLY, list(graded.earlier_only))
    note(f"missing, {'0' if missing == lms.ZERO else 'left blank'}", list(graded.missing))
    click.echo(str(target))


def canvas_text(graded: ClassGrades, column: str, missing: str) -> str:
    sheet = graded.roster.canvas if graded.roster else None
    if sheet is None:
        if column:
            raise AutograderError("--column names a column of a Canvas export: give it as --roster")
        return lms.canvas_csv(graded, graded.assignment, missing)
    index = lms.canvas_column(sheet, graded.assignment, column)
    if index < 0:
        click.secho(
            f"note: the Canvas export has no column {graded.assignment!r}: a new one is added "
            "(Canvas creates the assignment on import); name an existing one with --column",
            err=True,
        )
    else:
        points = lms.canvas_points(sheet, index)
        if points and not lms.same_points(points, graded.max_score):
            click.secho(
                f"warning: Canvas's Points Possible for {sheet.header[index]!r} is {points}, "
                f"the scores are out of {lms.number(graded.max_score)}",
                fg="yellow",
                err=True,
            )
    return lms.canvas_writeback(graded, sheet, index, missing)


def lms_target(target: Path, results: Path, roster: Path | None) -> Path:
    """Where the LMS file goes: never onto the grader's own grades.csv (which the
    next ``grades`` and ``feedback`` read) or onto the roster it is made from."""
    writable_file(target, "--out", (".csv",))
    sources = {(results / GRADES_CSV).resolve(): f"the grader's own {GRADES_CSV} of {results}"}
    if roster is not None:
        sources[roster.resolve()] = "the --roster file it is made from"
    if target.resolve() in sources:
        raise AutograderError(
            f"cannot write --out {target}: it is {sources[target.resolve()]}; choose another name"
        )
    return target
