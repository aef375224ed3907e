"""The `autograder` command: a thin layer over the library, one module per command group.

``base`` turns domain errors into click's in one place; each command lives in
its own module and registers here. Nothing below ``autograder.cli`` imports it.
"""

from __future__ import annotations

import click

from autograder.cli.check import check
from autograder.cli.distribution import export, notebook, release, skeleton
from autograder.cli.feedback import feedback
from autograder.cli.grade import grade
from autograder.cli.grades import grades
from autograder.cli.similarity import similarity


@click.group()
@click.version_option(package_name="backprop-autograder")
def cli() -> None:
    """Autograder for the lesson's assignments (backprop, neuron, or a course's own).

    Students: `autograder check` in your assignment folder.
    Instructors: `autograder release` to hand out, `autograder grade SUBMISSIONS
    --out RESULTS` to grade, then `similarity`, `feedback` and `grades`.
    """


for command in (
    check,
    skeleton,
    grade,
    grades,
    similarity,
    feedback,
    notebook,
    export,
    release,
):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="autograder")
