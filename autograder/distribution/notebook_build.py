"""The assignment notebook, generated from the reference: one source of truth.

The reference notebook (``solutions/<assignment>/<assignment>.ipynb``) is an
nbgrader source notebook whose prose is written by hand but whose code is
not: every code cell names what it holds in its metadata, and ``sync``
rewrites its source from the .py files and the check suites.

* ``{"module": "layers", "span": ["MultiplyLayer"]}``: the lines of layers.py
  from the first to the last named top-level statement (a class, function,
  constant, or an import by its text), with the comments just above it.
* ``{"module": "xor", "span": ["__main__"], "demo": true}``: the body of
  xor.py's ``if __name__ == "__main__":`` block, a cell to try things out.
* ``{"tests": "multiply", "checks": [...]}``: an nbgrader test cell running
  the named public checks; its points are theirs.

After each first test cell of a component, ``sync`` adds a test cell for the
component's hidden checks: ``run_hidden_checks("<component>")``, which names
the component and no check, so it needs no ``### BEGIN HIDDEN TESTS`` region
(nbgrader strips such regions from the released notebook, then warns at every
autograde that the cell's checksum has changed). Its points are those of the
component's hidden checks. Solution cells are those whose code has ``###
BEGIN SOLUTION``. The committed notebook must equal ``sync`` of itself (a
test checks it), so the notebook and the .py files can never drift apart.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from autograder.checks import Check
from autograder.core.errors import AutograderError
from autograder.distribution.module_text import ModuleText
from autograder.distribution.regions import BEGIN, strip_solutions
from autograder.grading.assignment import Assignment, load_assignment
from autograder.intake.notebooks import META, load_notebook

NBGRADER_SCHEMA = 3


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def nbgrader_meta(grade_id: str, *, solution: bool, points: float | None = None) -> dict:
    meta: dict[str, Any] = {
        "grade": points is not None,
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": NBGRADER_SCHEMA,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return meta


def literal(text: str) -> str:
    """A string literal as ruff format writes it (double quotes unless they need escapes)."""
    if '"' in text and "'" not in text:
        return repr(text)
    return json.dumps(text, ensure_ascii=False)


def checks_call(checks: list[Check]) -> str:
    names = "".join(f"    {literal(c.name)},\n" for c in checks)
    return f"from autograder.grading.jupyter import run_checks\n\nrun_checks(\n{names})"


def test_source(checks: list[Check], label: str, hidden: bool) -> str:
    if not hidden:
        return f"# The public checks of {label}: the same as `autograder check`.\n" + checks_call(
            checks
        )
    return (
        f"# The hidden checks of {label} run here when your notebook is graded.\n"
        "from autograder.grading.jupyter import run_hidden_checks\n\n"
        f"run_hidden_checks({literal(label)})"
    )


def code_cell(source: str, metadata: dict) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": metadata,
        "outputs": [],
        "source": source,
    }


class Sync:
    """One pass over the reference notebook, regenerating every code cell."""

    def __init__(self, solution: Path) -> None:
        self.assignment: Assignment = load_assignment(solution, with_hidden=True)
        self.texts = {m: ModuleText(solution / f"{m}.py") for m in self.assignment.modules}
        self.covered: dict[str, set[str]] = {m: set() for m in self.texts}
        self.public = {c.name: c for c in self.assignment.public.checks}
        self.hidden = self.assignment.hidden.checks if self.assignment.hidden else []
        self.seen: list[str] = []
        self.placed: set[str] = set()
        self.markdown = 0

    def cell(self, cell: dict) -> list[dict]:
        meta = cell.get("metadata", {}).get(META)
        if cell["cell_type"] == "markdown":
            self.markdown += 1
            return [{**cell, "id": f"md-{self.markdown}"}]
        if not isinstance(meta, dict):
            source = str(cell.get("source", ""))[:60]
            raise AutograderError(
                f"a code cell has no {META!r} metadata ({source!r}...): every code cell of "
                "the reference notebook is generated; give it a module span or checks"
            )
        if "hidden_tests" in meta:
            return []  # regenerated after the public test cell of its component
        if "tests" in meta:
            return self.tests(meta)
        return [self.module(meta)]

    def module(self, meta: dict) -> dict:
        name, span = str(meta["module"]), [str(k) for k in meta["span"]]
        if name not in self.texts:
            raise AutograderError(f"a notebook cell names module {name!r}; there is no {name}.py")
        text = self.texts[name]
        if meta.get("demo"):
            self.covered[name].add("__main__")
            cell = code_cell(text.main_body(), {META: meta})
            return {**cell, "id": f"{name}-demo"}
        source = text.span(span[0], span[-1])
        self.covered[name].update(text.covered(span[0], span[-1]))
        grade_id = f"{name}-{slug(span[0])}"
        nbgrader = nbgrader_meta(grade_id, solution=BEGIN in source)
        return {**code_cell(source, {META: meta, "nbgrader": nbgrader}), "id": grade_id}

    def tests(self, meta: dict) -> list[dict]:
        label, names = str(meta["tests"]), [str(n) for n in meta["checks"]]
        unknown = [n for n in names if n not in self.public]
        if unknown:
            raise AutograderError(f"test cell {label!r} names unknown public checks: {unknown}")
        self.seen += names
        checks = [self.public[n] for n in names]
        components = [
            c for c in self.assignment.public.components if any(k.component == c for k in checks)
        ]
        title = str(meta.get("title") or ", ".join(components))
        cells = [self.test_cell(f"test-{slug(label)}", checks, title, meta, hidden=False)]
        for component in self.assignment.public.components:
            hidden = [c for c in self.hidden if c.component == component]
            if hidden and component in {c.component for c in checks}:
                if component not in self.placed:
                    self.placed.add(component)
                    cell_meta = {"hidden_tests": component}
                    grade_id = f"hidden-{slug(component)}"
                    cells.append(self.test_cell(grade_id, hidden, component, cell_meta, True))
        return cells

    def test_cell(self, grade_id: str, checks: list[Check], label: str, meta: dict, hidden: bool):
        points = float(sum(c.points for c in checks))
        source = test_source(checks, label, hidden)
        nbgrader = nbgrader_meta(grade_id, solution=False, points=points)
        return {**code_cell(source, {META: meta, "nbgrader": nbgrader}), "id": grade_id}

    def verify(self) -> None:
        """Every public check in one test cell; every component's hidden checks placed."""
        missing = [n for n in self.public if n not in self.seen]
        twice = sorted({n for n in self.seen if self.seen.count(n) > 1})
        unplaced = sorted({c.component for c in self.hidden} - self.placed)
        if missing or twice or unplaced:
            raise AutograderError(
                f"the notebook's test cells do not match the checks: in no cell {missing}, "
                f"in two cells {twice}, hidden checks of {unplaced} without a public test cell"
            )
        for name, text in self.texts.items():
            left = [
                k
                for k in text.keys
                if k not in self.covered[name]
                and k != "__doc__"
                and not k.startswith(("import ", "from "))
            ]
            if left:
                raise AutograderError(
                    f"{name}.py's {left} are in no cell of the notebook: add them to a cell's span"
                )


def synced(notebook_path: Path, solution: Path) -> str:
    """The reference notebook as it must be: its prose, with generated code cells."""
    import nbformat

    notebook = load_notebook(notebook_path)
    sync = Sync(solution)
    cells = [new for cell in notebook["cells"] for new in sync.cell(dict(cell))]
    sync.verify()
    result = nbformat.from_dict(
        {"cells": cells, "metadata": dict(notebook["metadata"]), "nbformat": 4, "nbformat_minor": 5}
    )
    nbformat.validate(result)
    return nbformat.writes(result)


def reference_notebook(solution: Path) -> Path:
    assignment = load_assignment(solution, with_hidden=False)
    return Path(solution) / f"{assignment.name}.ipynb"


def sync_notebook(solution: Path, write: bool = True, force: bool = False) -> bool:
    """Regenerate the reference notebook's code cells; True when it changed.

    A notebook without any solution region is a student's (the skeleton's, or
    handed in): it is never rewritten unless ``force``.
    """
    path = reference_notebook(solution)
    if not path.is_file():
        raise AutograderError(f"no reference notebook at {path}")
    current = path.read_text(encoding="utf-8")
    if write and not force and BEGIN not in current:
        raise AutograderError(
            f"refusing to rewrite {path}: it holds no solution region, so it is a student "
            "notebook, not the reference; give the reference folder (e.g. solutions/<name>), "
            "or add --force"
        )
    text = synced(path, solution)
    changed = text != current
    if changed and write:
        path.write_text(text, encoding="utf-8")
    return changed


def student_notebook(source_text: str, lang: str = "") -> str:
    """The student's notebook: solutions stubbed, hidden tests dropped, no outputs.

    With ``lang``, its test cells speak that language (``run_checks`` reads it
    from the notebook's metadata).
    """
    import nbformat

    notebook = nbformat.reads(source_text, as_version=4)
    if lang:
        notebook.metadata.setdefault(META, {})["lang"] = lang
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source, f"cell {cell.get('id', '')}").rstrip()
            cell.outputs = []
            cell.execution_count = None
    return nbformat.writes(notebook)
