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

A notebook is untrusted data. Only a module the assignment declares can be
named by a cell (anything else, from ``../x`` to a name holding a newline,
refuses the notebook), the notebook's own file name is never pasted into
generated code, and every way the bytes can be malformed (bad JSON, deep
nesting, cells or metadata that are not dicts, an unknown nbformat) is one
``NotebookError`` that says the notebook is unreadable.
"""

from __future__ import annotations

import contextlib
import json
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.core.errors import AutograderError
from autograder.intake.names import is_module_name, module_file, shown

META = "autograder"
MAX_NOTEBOOK_BYTES = 16 << 20
# json.loads builds one Python object per [ or {: a few MB of "[[[]]]" would
# cost the grader gigabytes. Real notebooks hold a few thousand.
MAX_CONTAINERS = 200_000
UPGRADABLE = (1, 2, 3)  # older nbformat versions nbformat itself converts to 4
LABEL_CHARS = re.compile(r"[^A-Za-z0-9_.\- ]")


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
    nbformat = _nbformat()
    try:
        return nbformat.read(str(path), as_version=4)
    except Exception as exc:  # nbformat raises many kinds for a damaged file
        raise unreadable(path, f"{type(exc).__name__}: {exc}") from None


def _nbformat() -> Any:
    try:
        import nbformat
    except ImportError:
        raise AutograderError(
            "reading notebooks needs nbformat: pip install 'backprop-autograder[notebook]'"
        ) from None
    return nbformat


def unreadable(path: Path | str, why: str) -> NotebookError:
    return NotebookError(
        f"{shown(Path(path).name)} is not a readable Jupyter notebook ({why[:200]}); "
        "hand in the .ipynb file saved by Jupyter"
    )


def notebook_cells(path: Path) -> list[dict[str, Any]]:
    """The cells of a notebook file, each ``source`` one string."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_NOTEBOOK_BYTES + 1)
    except OSError as exc:
        raise unreadable(path, f"{type(exc).__name__}: {exc.strerror}") from None
    return parse_cells(data, Path(path).name)


def parse_cells(data: bytes, name: str) -> list[dict[str, Any]]:
    """The cells of a notebook's bytes, validated; NotebookError for anything else.

    A v4 notebook is plain JSON and is read as such (importing nbformat and
    its schema validator costs more than grading a notebook); versions 1-3
    are upgraded by nbformat, any other version is refused.
    """
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise unreadable(name, f"over {MAX_NOTEBOOK_BYTES >> 20} MiB")
    if data.count(b"[") + data.count(b"{") > MAX_CONTAINERS:
        raise unreadable(name, "too many nested lists and objects")
    try:
        document = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise unreadable(name, f"{type(exc).__name__}: {shown(str(exc))}") from None
    if not isinstance(document, dict) or not isinstance(document.get("cells", []), list):
        raise unreadable(name, "no list of cells")
    version = document.get("nbformat")
    if type(version) is int and version in UPGRADABLE:
        document = _upgraded(data, name)
    elif version != 4 or type(version) is not int:
        raise unreadable(name, f"nbformat version {shown(version)}; version 4 is expected")
    return [_cell(cell, number, name) for number, cell in enumerate(document.get("cells", []), 1)]


def _upgraded(data: bytes, name: str) -> dict[str, Any]:
    nbformat = _nbformat()
    try:
        node = nbformat.reads(data.decode("utf-8"), as_version=4)
        return json.loads(json.dumps(node))  # plain dicts and lists, as a v4 file gives
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds for a damaged file
        raise unreadable(name, f"{type(exc).__name__}: {shown(str(exc))}") from None


def _cell(cell: Any, number: int, name: str) -> dict[str, Any]:
    if not isinstance(cell, dict):
        raise unreadable(name, f"cell {number} is not an object")
    metadata = cell.get("metadata", {})
    if not isinstance(metadata, dict):
        raise unreadable(name, f"the metadata of cell {number} is not an object")
    source = cell.get("source", "")
    if isinstance(source, list) and all(type(line) is str for line in source):
        source = "".join(source)
    if type(source) is not str:
        raise unreadable(name, f"the source of cell {number} is not text")
    return {**cell, "metadata": metadata, "source": source}


def module_cells(
    cells: list[dict[str, Any]], modules: Sequence[str] | None = None, name: str = "the notebook"
) -> list[ModuleCell]:
    """The code cells that belong to a module, in notebook order.

    A cell naming a module the assignment does not declare (``modules``; with
    none, anything but a plain identifier) refuses the whole notebook: that
    name would otherwise become a file name.
    """
    found = []
    for index, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get(META)
        if cell.get("cell_type") != "code" or meta is None:
            continue
        if not isinstance(meta, dict):
            raise unreadable(name, f"the {META!r} metadata of cell {index + 1} is not an object")
        module = meta.get("module")
        if not module or meta.get("demo"):
            continue
        if not is_module_name(module, modules):
            raise NotebookError(
                f"cell {index + 1} of {shown(name)} names the module {shown(module)} in its "
                f"metadata, which is not one of this assignment's modules "
                f"({', '.join(modules or ['identifiers'])}); start from the notebook of the "
                "release and keep its cells' metadata"
            )
        found.append(ModuleCell(module, index, cell["source"]))
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


def label(notebook_name: str) -> str:
    """The notebook's name as generated code may quote it in a comment: one safe line."""
    return LABEL_CHARS.sub("_", notebook_name)[:80] or "notebook"


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
                header = f"# --- cell {cell.index + 1} of {label(notebook_name)} ---\n"
                parts.append("\n" + header + python_only(cell.source).rstrip() + "\n")
        sources[module] = "".join(parts)
        try:  # JSON may escape a lone surrogate, which no .py file can hold
            sources[module].encode("utf-8")
        except UnicodeEncodeError:
            raise unreadable(notebook_name, "a code cell holds a lone surrogate") from None
    return sources


def write_modules(sources: dict[str, str], into_dir: Path, modules: Sequence[str]) -> list[str]:
    """Write each declared module's source as ``<module>.py``; return the names written."""
    into_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for module, source in sources.items():
        name = module_file(module, modules)  # raises for anything undeclared
        (into_dir / name).write_text(source, encoding="utf-8")
        written.append(name)
    return written


def notebook_modules(data: bytes, name: str, modules: Sequence[str]) -> dict[str, str]:
    """Module name -> source, from a notebook's bytes; NotebookError if it has none."""
    cells = module_cells(parse_cells(data, name), modules, name)
    if not cells:
        raise NotebookError(
            f"{shown(name)} has no cells of the assignment's code (cells marked as part of "
            f"{' or '.join(f'{m}.py' for m in modules)}); start from the notebook of the release "
            "and keep its cells"
        )
    return module_sources(cells, name)


def extract_modules(ipynb_path: Path, into_dir: Path, modules: Sequence[str]) -> list[str]:
    """Write the notebook's modules (layers.py, xor.py, ...) into ``into_dir``."""
    path = Path(ipynb_path)
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_NOTEBOOK_BYTES + 1)
    except OSError as exc:
        raise unreadable(path, f"{type(exc).__name__}: {exc.strerror}") from None
    return write_modules(notebook_modules(data, path.name, modules), Path(into_dir), modules)


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
        extract_modules(notebook, Path(scratch), modules)
        yield Path(scratch)
