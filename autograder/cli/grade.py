"""`autograder grade`: the instructor's batch command (thin; see batch.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from autograder.cli.base import (
    SEED_OPTION,
    TEMPLATES_OPTION,
    TIMEOUT_FACTOR,
    TIMEOUT_FLOOR,
    domain_errors,
)
from autograder.cli.progress import grading_bar
from autograder.core.results import BatchSummary
from autograder.grading.batch import Batch
from autograder.grading.config import BatchConfig
from autograder.grading.locate import course_seed, find_assignment
from autograder.grading.runner import GradeOptions
from autograder.i18n import LANGUAGES
from autograder.intake.roster import read_roster
from autograder.isolation.levels import describe, resolve
from autograder.isolation.sandbox import LEVELS, Isolation, Limits, SandboxConfig
from autograder.isolation.session import TimeoutPolicy
from autograder.reports import text as render
from autograder.reports.feedback import try_templates


@click.command()
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for the results (created if missing).",
)
@click.option(
    "--assignment",
    "assignment_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Reference folder: the solution, public_checks.py and hidden_checks.py "
    "(default: grader/<assignment>/ of an nbgrader course made by `export nbgrader`, "
    "else ./solutions/<assignment>/).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="number of CPUs",
    help="Submissions graded in parallel.",
)
@SEED_OPTION
@click.option("--force", is_flag=True, help="Regrade every submission, even unchanged ones.")
@click.option(
    "--isolation",
    type=click.Choice(LEVELS),
    default="auto",
    show_default=True,
    help="How student code is isolated: bwrap (bubblewrap), landlock (Landlock and seccomp, "
    "no namespaces needed), none, or auto: bwrap where it runs, else landlock, else refuse.",
)
@click.option(
    "--no-sandbox",
    is_flag=True,
    help="Run student code without any sandbox (= --isolation none; limits still apply).",
)
@click.option(
    "--require-sandbox", is_flag=True, help="Refuse --isolation none (auto never picks it)."
)
@click.option(
    "--timeout-factor",
    type=TIMEOUT_FACTOR,
    default=50.0,
    show_default=True,
    help="Time limit per call, as a multiple of the reference's own time.",
)
@click.option(
    "--timeout-floor",
    type=TIMEOUT_FLOOR,
    default=1.0,
    show_default=True,
    help="Shortest time limit per call, in seconds.",
)
@click.option(
    "--budget-factor",
    type=click.FloatRange(min=1, max=10_000),
    default=20.0,
    show_default=True,
    help="Time budget of a whole submission, as a multiple of the reference's own cost.",
)
@click.option(
    "--budget-floor",
    type=click.FloatRange(min=1, max=86_400),
    default=30.0,
    show_default=True,
    help="Smallest time budget of a whole submission, in seconds.",
)
@click.option(
    "--memory-mb",
    type=click.IntRange(min=256, max=1 << 20),
    default=1024,
    show_default=True,
    help="Memory limit of a student: all its processes together.",
)
@click.option(
    "--scheduler",
    default="",
    metavar="tcp://HOST:8786",
    help="Grade on this Dask cluster instead of local processes (-j is then ignored; "
    "needs the [cluster] extra).",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="Language of the students' feedback and messages (id: Indonesian).",
)
@click.option(
    "--roster",
    "roster_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The class list: a CSV with a student column (optional name, email, sis_id, "
    "section), or Canvas's gradebook export. Every rostered student gets a row in "
    "grades.csv (missing when nothing was handed in). Kept in OUT for the next runs.",
)
@click.option(
    "--only",
    multiple=True,
    metavar="ID",
    help="Regrade just this student (repeatable), keeping everyone else's results.",
)
@TEMPLATES_OPTION
@domain_errors
def grade(
    submissions: Path,
    out: Path,
    assignment_dir: Path | None,
    jobs: int,
    seed: int,
    force: bool,
    isolation: str,
    no_sandbox: bool,
    require_sandbox: bool,
    timeout_factor: float,
    timeout_floor: float,
    budget_factor: float,
    budget_floor: float,
    memory_mb: int,
    scheduler: str,
    lang: str,
    roster_path: Path | None,
    only: tuple[str, ...],
    templates: Path | None,
) -> None:
    """Grade every submission in SUBMISSIONS into --out.

    SUBMISSIONS holds one entry per student, named by the student id: a folder
    with the assignment's files (e.g. layers.py and xor.py), a .zip of them, or
    nbgrader's submitted/ layout.
    Writes OUT/<student>/results.json (Gradescope format), feedback.html and
    feedback.md, OUT/grades.csv, OUT/summary.json and OUT/summary.html.
    Rerunning skips unchanged submissions. Exit status 0 when every submission
    was graded, whatever the scores.

    Example:

        autograder grade examples/class --out results -j 2 --assignment solutions/backprop

        autograder grade examples/neuron-class --out results --assignment solutions/neuron

        autograder grade submissions --out results --scheduler tcp://10.0.0.5:8786

        autograder grade submissions --out results --roster roster.csv --only alice

    Student code runs only inside isolation (--isolation auto); --no-sandbox
    is the one way to run it without.
    """
    sandbox, resolved = chosen_isolation(isolation, no_sandbox, require_sandbox, memory_mb)
    assignment_dir = find_assignment(assignment_dir, submissions)
    warn_about_seed(assignment_dir, submissions, seed)
    roster = read_roster(roster_path) if roster_path else None
    try_templates(templates)  # a broken page template is refused before any grading
    timeouts = TimeoutPolicy(
        factor=timeout_factor,
        floor=timeout_floor,
        budget_factor=budget_factor,
        budget_floor=budget_floor,
    )
    config = BatchConfig(
        assignment_dir,
        GradeOptions(seed=seed, sandbox=sandbox, timeouts=timeouts),
        jobs=jobs,
        force=force,
        scheduler=scheduler,
        lang=lang,
        roster=roster,
        only=only,
        templates=templates,
    )
    batch = Batch(submissions, out, config)  # its refusals come before any progress bar
    with grading_bar() as progress:
        summary = batch.run(progress)
    print_summary(summary, resolved, out)
    sys.exit(1 if summary.grader_failures else 0)


def chosen_isolation(
    isolation: str, no_sandbox: bool, require_sandbox: bool, memory_mb: int
) -> tuple[SandboxConfig, Isolation]:
    """The sandbox of the options, resolved once here (it refuses, with what to do,
    when it cannot run; the workers then need not probe), and the level chosen."""
    level = "none" if no_sandbox else isolation
    if level == "none" and require_sandbox:
        raise click.UsageError("--require-sandbox refuses --no-sandbox / --isolation none")
    limits = Limits(memory_bytes=memory_mb << 20)
    resolved = resolve(SandboxConfig(level, limits))
    if not resolved.sandboxed:
        click.secho(f"warning: isolation: {describe(resolved)}", fg="yellow", err=True)
    return SandboxConfig(resolved.level, limits), resolved


def print_summary(summary: BatchSummary, resolved: Isolation, out: Path) -> None:
    for warning in summary.warnings:
        click.secho("warning: " + warning, fg="yellow", err=True)
    click.echo(render.class_table(summary))
    click.echo(render.batch_summary(summary))
    click.echo(f"Isolation: {describe(resolved)}")
    click.echo(
        f"Results: {out}/<student>/results.json and feedback.html, {out}/grades.csv, "
        f"{out}/summary.json, {out}/summary.html"
    )


def warn_about_seed(assignment_dir: Path, submissions: Path, seed: int) -> None:
    """An nbgrader course records its seed: grading with another draws other hidden inputs.
    Without one, the default seed is public: anyone can draw the hidden inputs (and the
    trajectory checks' runs) from the released checks, so a forgotten --seed is said."""
    recorded = course_seed(assignment_dir, submissions)
    source = click.get_current_context().get_parameter_source("seed")
    if recorded is None and source is click.core.ParameterSource.DEFAULT:
        click.secho(
            f"warning: grading with the default --seed {seed}, which everyone knows: the "
            "hidden inputs can be drawn from the released checks; pass a secret --seed N "
            "(or set AUTOGRADER_SEED), the same for every run of the class",
            fg="yellow",
            err=True,
        )
    if recorded is not None and recorded != seed:
        click.secho(
            f"warning: the nbgrader course was exported with --seed {recorded} "
            f"(nbgrader_config.py), this run uses --seed {seed}: the hidden checks draw other "
            f"inputs than nbgrader's did; pass --seed {recorded} for the same ones",
            fg="yellow",
            err=True,
        )
