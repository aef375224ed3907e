"""The `autograder` command: a thin layer over the library, one module per command group.

``base`` turns domain errors into click's in one place; each command lives in
its own module and is imported only when it runs (``LazyGroup``, click's
documented pattern): a student's `autograder check` loads none of the
instructor's commands and their libraries (templates, the LMS formats, the
exports). Nothing below ``autograder.cli`` imports it.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

# name -> "module:attribute" of each command, imported when it is looked up
COMMANDS = {
    "check": "autograder.cli.check:check",
    "skeleton": "autograder.cli.distribution:skeleton",
    "grade": "autograder.cli.grade:grade",
    "grades": "autograder.cli.grades:grades",
    "similarity": "autograder.cli.similarity:similarity",
    "feedback": "autograder.cli.feedback:feedback",
    "notebook": "autograder.cli.distribution:notebook",
    "export": "autograder.cli.distribution:export",
    "release": "autograder.cli.distribution:release",
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use (listed by name, as click does)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute = COMMANDS[cmd_name].split(":")
        command: Any = getattr(importlib.import_module(module), attribute)
        return command if isinstance(command, click.Command) else None


@click.group(cls=LazyGroup)
@click.version_option(package_name="backprop-autograder")
def cli() -> None:
    """Autograder for the lesson's assignments (backprop, neuron, or a course's own).

    Students: `autograder check` in your assignment folder.
    Instructors: `autograder release` to hand out, `autograder grade SUBMISSIONS
    --out RESULTS` to grade, then `similarity`, `feedback` and `grades`.
    """


def main() -> None:
    cli(prog_name="autograder")
