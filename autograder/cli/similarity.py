"""`autograder similarity`: which students' own code looks alike (copydetect)."""

from __future__ import annotations

from pathlib import Path

import click

from autograder.cli.base import TEMPLATES_OPTION, domain_errors
from autograder.core.files import writable_file, write_atomically
from autograder.distribution.skeleton import render_skeleton
from autograder.grading.assignment import load_assignment
from autograder.grading.locate import find_assignment
from autograder.grading.sources import class_sources, skeleton_code
from autograder.reports.pages import check_templates
from autograder.reports.similarity import compare
from autograder.reports.similarity_page import percent, similarity_html


@click.command()
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("similarity.html"),
    show_default=True,
    help="The HTML report: the most similar pairs, matching code side by side.",
)
@click.option(
    "--assignment",
    "assignment_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Reference folder, whose skeleton's code is left out of the comparison "
    "(found as for `grade` when not given).",
)
@click.option(
    "--top",
    type=click.IntRange(min=1, max=10_000),
    default=10,
    show_default=True,
    help="How many of the most similar pairs to print and show side by side.",
)
@TEMPLATES_OPTION
@domain_errors
def similarity(
    submissions: Path, out: Path, assignment_dir: Path | None, top: int, templates: Path | None
) -> None:
    """Compare the students' own code in SUBMISSIONS, most similar pairs first.

    Submissions are found as `grade` finds them (folders, zips, notebooks,
    nbgrader's submitted/). Renamed variables, rewritten comments and layout
    do not hide a copy; the skeleton's code is left out. Needs the
    [similarity] extra (copydetect). The scores rank what to read first:
    correct solutions of a small assignment look alike.

    Example:

        autograder similarity examples/class --out similarity.html
    """
    writable_file(out, "--out", (".html", ".htm"))
    check_templates(templates)
    folder = find_assignment(assignment_dir, submissions)
    assignment = load_assignment(folder, with_hidden=False)
    found = class_sources(submissions, assignment.modules, assignment.name)
    skeleton = skeleton_code(render_skeleton(folder), assignment.modules)
    pairs = compare(found.code, skeleton)
    page = similarity_html(pairs, found.code, assignment.name, top, found.unreadable, templates)
    write_atomically(out, page)  # 0600: it holds the students' code
    width = max([len(s) for s in found.code] + [7])
    click.echo(f"{'student':<{width}}  {'student':<{width}}  similarity")
    for pair in pairs[:top]:
        click.echo(f"{pair.first:<{width}}  {pair.second:<{width}}  {percent(pair.score):>10}")
    for student, why in sorted(found.unreadable.items()):
        click.echo(f"not compared: {student}: {why}", err=True)
    click.echo(f"Report: {out}")
