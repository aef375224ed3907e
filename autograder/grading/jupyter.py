"""Checks run from a notebook's test cells, inside the student's Jupyter kernel.

A notebook handed out through nbgrader has test cells calling
``run_checks("check name", ...)``: the checks of ``autograder check``, on the
code the kernel last ran (the saved file may be older than what the student
just executed), in a separate process. The cell's value is the points earned,
which nbgrader reads as partial credit.

A hidden test cell calls ``run_hidden_checks("MultiplyLayer")``: it names a
component, not the checks, so it holds no secret and needs no ``### BEGIN
HIDDEN TESTS`` region. Its source is therefore the same in the source and the
released notebook, and ``nbgrader autograde`` has no "checksum has changed"
to report. It runs the component's hidden checks only where the instructor's
folder is set ($AUTOGRADER_ASSIGNMENT, set by the exported course's
nbgrader_config.py); in a student's Jupyter it says when they run.

The language of the messages: ``lang=``, else $AUTOGRADER_LANG (the exported
course sets it), else the notebook's metadata ``{"autograder": {"lang":
"id"}}`` (set by ``release --lang`` and ``export nbgrader --lang``), else English.
"""

from __future__ import annotations

import ast
import json
import os
import tempfile
from dataclasses import replace
from pathlib import Path

from autograder.checks import CheckSuite
from autograder.core.errors import AutograderError
from autograder.grading.assignment import Assignment, load_assignment
from autograder.intake.notebooks import (
    META,
    ModuleCell,
    find_notebook,
    module_cells,
    module_sources,
    notebook_cells,
    python_only,
    write_modules,
)

ASSIGNMENT_ENV = "AUTOGRADER_ASSIGNMENT"
SEED_ENV = "AUTOGRADER_SEED"
LANG_ENV = "AUTOGRADER_LANG"


def defined_names(source: str) -> set[str]:
    """Top-level functions and classes a cell defines (empty if it does not parse)."""
    try:
        tree = ast.parse(python_only(source))
    except SyntaxError:
        return set()
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return {node.name for node in tree.body if isinstance(node, kinds)}


def kernel_history() -> list[str]:
    """The cells this IPython kernel ran, oldest first ([] outside IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return []
    shell = get_ipython()
    if shell is None:
        return []
    return [str(entry) for entry in shell.history_manager.input_hist_raw]


def as_last_run(cells: list[ModuleCell], history: list[str]) -> list[ModuleCell]:
    """Replace each cell by the latest run of it: the latest input defining its names.

    Only cells that define functions or classes are replaced (the given cells
    of constants and imports stay as saved); during nbgrader's autograde the
    history holds exactly the saved cells, so nothing changes.
    """
    updated = []
    for cell in cells:
        names = defined_names(cell.source)
        latest = next((s for s in reversed(history) if names and names <= defined_names(s)), None)
        updated.append(replace(cell, source=latest) if latest is not None else cell)
    return updated


def subset(suite: CheckSuite | None, names: set[str]) -> CheckSuite | None:
    if suite is None:
        return None
    chosen = CheckSuite(suite.assignment, suite.modules, suite.components, suite.hidden)
    chosen.timeouts = dict(suite.timeouts)
    chosen.checks = [c for c in suite.checks if c.name in names]
    return chosen


def select_checks(assignment: Assignment, names: tuple[str, ...], hidden: bool) -> Assignment:
    """The assignment reduced to the named checks (an unknown name is an error)."""
    known = {c.name for c in assignment.checks(include_hidden=hidden)}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise AutograderError(
            f"the notebook names checks that do not exist: {unknown}; regenerate it "
            "with `autograder notebook` from the reference folder"
        )
    wanted = set(names) | gate_checks(assignment, names, hidden)
    public = subset(assignment.public, wanted)
    assert public is not None
    return replace(assignment, public=public, hidden=subset(assignment.hidden, wanted))


def gate_checks(assignment: Assignment, names: tuple[str, ...], hidden: bool) -> set[str]:
    """The checks of the components that the named checks require (``requires=``): they
    run beside them, unscored in this cell, so that a gated check is judged as in a
    batch (not applicable while a layer it runs fails its own checks)."""
    checks = assignment.checks(include_hidden=hidden)
    required = {c for check in checks if check.name in names for c in check.requires}
    return {c.name for c in checks if c.component in required and not c.requires}


class NotebookScore(float):
    """The points a test cell earned, with the check table as its rich display.

    nbgrader reads a test cell's numeric result as partial credit, so the
    cell's value is the points; Jupyter shows the table instead of the number.
    """

    table: str = ""

    def _repr_html_(self) -> str:
        import html

        return f"<pre>{html.escape(self.table)}</pre>"


def notebook_in(folder: Path, assignment: Assignment | None) -> Path:
    named = folder / f"{assignment.name if assignment else 'notebook'}.ipynb"
    found = named if named.is_file() else find_notebook(folder)
    if found is None:
        raise AutograderError(
            f"no {named.name} in {folder}: open the notebook from its own folder "
            "(the checks read your code from the notebook file)"
        )
    return found


def notebook_language(path: Path, lang: str | None) -> str:
    """``lang``, else $AUTOGRADER_LANG, else the notebook's metadata, else English."""
    from autograder.i18n import DEFAULT_LANGUAGE, LANGUAGES

    chosen = lang or os.environ.get(LANG_ENV, "")
    if not chosen:
        try:
            metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
            chosen = str(metadata.get(META, {}).get("lang", ""))
        except (OSError, ValueError, AttributeError):
            chosen = ""
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def run_checks(*names: str, hidden: bool = False, lang: str | None = None) -> NotebookScore:
    """Run the named checks on this notebook's code; return the points earned.

    The checks and the grading are those of ``autograder check``: the
    modules are written from the notebook's cells (as last run in this
    kernel) into a temporary folder and graded in a separate process. The
    assignment folder is $AUTOGRADER_ASSIGNMENT (the instructor's, with the
    hidden checks) or the current folder; the seed is $AUTOGRADER_SEED or 0.
    """
    folder = Path(os.environ.get(ASSIGNMENT_ENV) or ".")
    assignment = load_assignment(folder, with_hidden=hidden)
    if hidden and assignment.hidden is None:
        raise AutograderError(
            f"hidden checks run only when grading: set {ASSIGNMENT_ENV} to the instructor's "
            "folder with hidden_checks.py (`autograder export nbgrader` does it)"
        )
    return graded(select_checks(assignment, names, hidden), hidden, lang, names)


def run_hidden_checks(component: str, lang: str | None = None) -> NotebookScore:
    """Run ``component``'s hidden checks when the notebook is graded; say so otherwise."""
    folder = os.environ.get(ASSIGNMENT_ENV)
    if not folder:  # a student's Jupyter: nothing to run, nothing to fail
        from autograder.i18n import t

        path = notebook_in(Path.cwd(), None)
        score = NotebookScore(0.0)
        score.table = t("notebook.hidden_later", notebook_language(path, lang), component=component)
        return score
    assignment = load_assignment(Path(folder), with_hidden=True)
    hidden = assignment.hidden.checks if assignment.hidden else []
    names = tuple(c.name for c in hidden if c.component == component)
    if not names:
        raise AutograderError(
            f"{folder} has no hidden checks of {component}: {ASSIGNMENT_ENV} must name the "
            "instructor's folder with hidden_checks.py (`autograder export nbgrader` sets it)"
        )
    return graded(select_checks(assignment, names, True), True, lang, names)


def graded(
    assignment: Assignment, hidden: bool, lang: str | None, names: tuple[str, ...]
) -> NotebookScore:
    """Grade this notebook's code with ``assignment``'s checks, in a separate process;
    the cell scores and shows the ``names``d ones (the others are its gates)."""
    from autograder.grading.runner import GradeOptions, grade_folder
    from autograder.isolation.sandbox import SandboxConfig
    from autograder.isolation.session import TimeoutPolicy
    from autograder.reports import text as render

    path = notebook_in(Path.cwd(), assignment)
    cells = module_cells(notebook_cells(path), assignment.modules, path.name)
    cells = as_last_run(cells, kernel_history())
    # Hidden checks run the instructor's secrets beside the student's code: isolated
    # (auto: bubblewrap, else Landlock, else a refusal). The public ones are the
    # student's own self-check, on their own machine.
    options = GradeOptions(
        seed=int(os.environ.get(SEED_ENV) or 0),
        include_hidden=hidden,
        sandbox=SandboxConfig("auto" if hidden else "none"),
        timeouts=TimeoutPolicy(floor=1.0),
        lang=notebook_language(path, lang),
    )
    with tempfile.TemporaryDirectory(prefix="autograder-nb-") as scratch:
        write_modules(module_sources(cells, path.name), Path(scratch), assignment.modules)
        report, _ = grade_folder(Path(scratch), assignment, options)
    report = replace(report, results=tuple(r for r in report.results if r.name in names))
    score = NotebookScore(report.score)
    score.table = render.report_table(report)
    return score
