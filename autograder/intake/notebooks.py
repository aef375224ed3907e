"""Notebook submissions: the student modules, read from a notebook's cells.

A course that teaches in Jupyter hands out one notebook instead of layers.py
and xor.py. Each code cell that belongs to a module carries the metadata
``{"autograder": {"module": "layers"}}`` (set when the notebook is generated
from the reference, see ``notebook_build``), and nbgrader and Jupyter keep
cell metadata. Concatenating a module's cells gives back the module, so a
notebook is graded by the same checks, in the same sandbox, as files.

In a notebook every cell sees the names of the cells above it; a module
therefore starts with ``from <earlier module> import *`` for each module
before it (xor.py sees layers.py's classes and its ``np``).
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.core.errors import AutograderError

META = "autograder"


class NotebookError(AutograderError):
    """The notebook cannot be read, or holds none of the assignment's code."""


@dataclass(frozen=True)
class ModuleCell:
    """A code cell that is part of a student module."""

    module: str
    index: int
    source: str


def load_notebook(path: Path) -> Any:
    """The notebook as an ``nbformat`` v4 node (older versions are upgraded)."""
    try:
        import nbformat
    except ImportError:
        raise AutograderError(
            "reading notebooks needs nbformat: pip install 'backprop-autograder[notebook]'"
        ) from None
    try:
        return nbformat.read(str(path), as_version=4)
    except Exception as exc:  # nbformat raises many kinds for a damaged file
        raise unreadable(path, f"{type(exc).__name__}: {exc}") from None


def unreadable(path: Path, why: str) -> NotebookError:
    return NotebookError(
        f"{Path(path).name} is not a readable Jupyter notebook ({why[:200]}); "
        "hand in the .ipynb file saved by Jupyter"
    )


def notebook_cells(path: Path) -> list[dict[str, Any]]:
    """The cells of a notebook file, each ``source`` one string.

    A v4 notebook is plain JSON and is read as such (importing nbformat and
    its schema validator costs more than grading a notebook); older formats
    are upgraded by nbformat.
    """
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise unreadable(path, f"{type(exc).__name__}: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("cells", []), list):
        raise unreadable(path, "no list of cells")
    if document.get("nbformat") != 4:
        return list(load_notebook(path).cells)
    cells = []
    for cell in document.get("cells", []):
        if isinstance(cell, dict):
            source = cell.get("source", "")
            joined = "".join(map(str, source)) if isinstance(source, list) else str(source)
            cells.append({**cell, "source": joined})
    return cells


def module_cells(cells: list[dict[str, Any]]) -> list[ModuleCell]:
    """The code cells that belong to a module, in notebook order."""
    found = []
    for index, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get(META, {})
        if cell.get("cell_type") == "code" and isinstance(meta, dict) and meta.get("module"):
            if not meta.get("demo"):
                found.append(ModuleCell(str(meta["module"]), index, str(cell.get("source", ""))))
    return found


def python_only(source: str) -> str:
    """Comment out IPython-only lines (magics, shell escapes): a module cannot run them."""
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            line = line[: len(line) - len(stripped)] + "# (notebook only) " + stripped
        lines.append(line)
    return "\n".join(lines)


def module_sources(cells: list[ModuleCell], notebook_name: str) -> dict[str, str]:
    """Module name -> source: its cells in order, after imports of earlier modules."""
    order: list[str] = []
    for cell in cells:
        if cell.module not in order:
            order.append(cell.module)
    sources = {}
    for position, module in enumerate(order):
        parts = [f"from {earlier} import *  # noqa: F403\n" for earlier in order[:position]]
        for cell in cells:
            if cell.module == module:
                header = f"# --- cell {cell.index + 1} of {notebook_name} ---\n"
                parts.append("\n" + header + python_only(cell.source).rstrip() + "\n")
        sources[module] = "".join(parts)
    return sources


def write_modules(sources: dict[str, str], into_dir: Path) -> None:
    into_dir.mkdir(parents=True, exist_ok=True)
    for module, source in sources.items():
        (into_dir / f"{module}.py").write_text(source, encoding="utf-8")


def extract_modules(ipynb_path: Path, into_dir: Path) -> None:
    """Write the notebook's modules (layers.py, xor.py, ...) into ``into_dir``."""
    path = Path(ipynb_path)
    cells = module_cells(notebook_cells(path))
    if not cells:
        raise NotebookError(
            f"{path.name} has no cells of the assignment's code (cells marked as part of "
            "one of its .py files); start from the notebook of the release and keep its cells"
        )
    write_modules(module_sources(cells, path.name), Path(into_dir))


def find_notebook(folder: Path) -> Path | None:
    """The notebook in ``folder``: the only one, else the first by name."""
    notebooks = sorted(p for p in Path(folder).glob("*.ipynb") if not p.name.startswith("."))
    return notebooks[0] if notebooks else None


@contextlib.contextmanager
def code_folder(path: Path, modules: tuple[str, ...]) -> Iterator[Path]:
    """A folder holding the student's modules, for ``autograder check``.

    ``path`` is a folder with the modules, a folder with a notebook and no
    modules, or a notebook file; notebooks are extracted into a temporary
    folder that lives as long as the context.
    """
    path = Path(path)
    notebook: Path | None = path if path.suffix == ".ipynb" else None
    if notebook is None and not any((path / f"{m}.py").is_file() for m in modules):
        notebook = find_notebook(path)
    if notebook is None:
        yield path
        return
    if not notebook.is_file():
        raise AutograderError(f"no notebook at {notebook}")
    with tempfile.TemporaryDirectory(prefix="autograder-nb-") as scratch:
        extract_modules(notebook, Path(scratch))
        yield Path(scratch)
