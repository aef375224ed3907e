"""`autograder feedback`: each student's feedback laid out for handing back."""

from __future__ import annotations

from pathlib import Path

import click

from autograder.cli.base import EARLIER_ONLY, domain_errors, note
from autograder.core.files import writable_folder
from autograder.distribution.handback import LAYOUTS, check_out_folder, hand_back


@click.command()
@click.argument("results", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to lay the feedback out in (created if missing); for --layout nbgrader, "
    "the nbgrader course folder.",
)
@click.option(
    "--layout",
    type=click.Choice(LAYOUTS),
    default="folders",
    show_default=True,
    help="folders: OUT/<student>/feedback.html; zip: OUT/<student>.zip; nbgrader: "
    "OUT/feedback/<student>/<assignment>/, for `nbgrader release_feedback`.",
)
@domain_errors
def feedback(results: Path, out: Path, layout: str) -> None:
    """Lay out each graded student's feedback page (and its Markdown) for return.

    Only student-facing files are copied: feedback.html, feedback.md and its
    loss.svg, never report.json. With --layout nbgrader, OUT is the course
    folder: the pages go where `nbgrader release_feedback` hands them out
    (run it after `nbgrader generate_feedback`, whose page it replaces).

    Example:

        autograder feedback results --out handback

        autograder feedback results --out course --layout nbgrader
    """
    check_out_folder(results, out)  # before a folder is made there
    writable_folder(out)
    done = hand_back(results, out, layout)
    for path in done.written:
        click.echo(str(path))
    if done.no_page:
        click.echo(f"no feedback.html (regrade them): {', '.join(done.no_page)}", err=True)
    note(EARLIER_ONLY, done.earlier_only)
    if done.no_keys:
        click.echo(
            f"no timestamp.txt and submission_secret.txt in {out}/autograded/ or "
            f"{out}/submitted/ for {', '.join(done.no_keys)}: `nbgrader release_feedback` "
            "needs them (nbgrader's submit and collect write them)",
            err=True,
        )
    click.echo(f"{len(done.written)} student(s)' feedback in {out}")
