"""Which files of a submission are graded, written into the grader's scratch folder.

From a ``Tree`` (the submission's .py and .ipynb files, in memory), the
graded folder is chosen and only names of the grammar (``names``) are
written: the declared modules, helper files beside them, or the modules a
notebook's cells make. The choice is stated in the report (``graded``):

1. A folder holding a declared module (``layers.py`` or ``xor.py``) is the
   module folder: the top of the submission first, then a folder named after
   the assignment (nbgrader keeps ``<student>/<assignment>/``), then the only
   such folder. Two candidates (``v1/`` and ``v2/``) refuse the submission with
   their names: which version counts is the student's word to give, not the
   grader's guess.
2. When every module file there is the untouched skeleton (``skeletons``) and
   the submission holds a notebook, the notebook is graded instead.
3. With no module file, the notebook is graded: the one named after the
   assignment, else the only one (several refuse the submission).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from autograder.intake.names import is_helper_file, module_file, shown
from autograder.intake.notebooks import NotebookError, notebook_modules
from autograder.intake.skeletons import is_untouched
from autograder.intake.tree import BadSubmission, Tree

Folder = tuple[str, ...]
WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


@dataclass(frozen=True)
class Layout:
    """Where the graded modules were written, and what was graded."""

    folder: Path
    graded: tuple[str, ...] = ()  # the submission's files graded, relative paths
    # Module files handed in beside the graded notebook as the untouched skeleton.
    skeleton: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assignment:
    """What the layout needs of the assignment: its modules and reference."""

    modules: tuple[str, ...]
    name: str = ""
    reference: Mapping[str, bytes] | None = None  # module name -> the reference's source


def folders(tree: Tree) -> dict[Folder, dict[str, bytes]]:
    """Folder (path parts) -> its own files by name."""
    grouped: dict[Folder, dict[str, bytes]] = {}
    for path, data in tree.files.items():
        parts = PurePosixPath(path).parts
        grouped.setdefault(tuple(parts[:-1]), {})[parts[-1]] = data
    return grouped


def shown_folder(folder: Folder) -> str:
    return shown("/".join(folder) + "/") if folder else "the top folder"


def _one(candidates: list[Folder], what: str, tree: Tree) -> Folder | None:
    if len(candidates) > 1:
        listed = ", ".join(shown_folder(c) for c in sorted(candidates))
        raise BadSubmission(
            f"{shown(tree.name)} holds {what} in more than one folder ({listed}); keep one "
            "version, or put the files to grade at the top of the submission"
        )
    return candidates[0] if candidates else None


def module_folder(
    grouped: dict[Folder, dict[str, bytes]], work: Assignment, tree: Tree
) -> Folder | None:
    """The folder holding the modules, or None."""
    holding = [f for f, files in grouped.items() if any(f"{m}.py" in files for m in work.modules)]
    if () in holding:
        return ()
    named = [f for f in holding if f[-1] == work.name]
    found = _one(named or holding, " and ".join(f"{m}.py" for m in work.modules), tree)
    return found


def notebook(
    grouped: dict[Folder, dict[str, bytes]], work: Assignment, tree: Tree
) -> tuple[Folder, str] | None:
    """(folder, name) of the notebook to grade, or None."""
    found = [(f, n) for f, files in grouped.items() for n in files if n.endswith(".ipynb")]
    named = [(f, n) for f, n in found if n == f"{work.name}.ipynb"]
    chosen = named or found
    if len(chosen) > 1:
        listed = ", ".join(shown("/".join((*f, n))) for f, n in sorted(chosen))
        raise BadSubmission(
            f"{shown(tree.name)} holds several notebooks ({listed}); hand in one, "
            f"named {work.name or 'after the assignment'}.ipynb"
        )
    return chosen[0] if chosen else None


def untouched(files: dict[str, bytes], work: Assignment) -> bool:
    """Every module file present is the skeleton (False when the reference is unknown)."""
    present = [m for m in work.modules if f"{m}.py" in files]
    return bool(present) and all(
        work.reference is not None
        and m in work.reference
        and is_untouched(files[f"{m}.py"], work.reference[m])
        for m in present
    )


def write(into: Path, name: str, data: bytes) -> None:
    """One file of the grammar into the scratch folder; never through a link."""
    if "/" in name or name in (".", ".."):
        raise ValueError(f"{shown(name)} is not a file name")
    fd = os.open(into / name, WRITE_FLAGS, 0o644)
    os.fchmod(fd, 0o644)  # whatever the umask: the student's uid reads it (``Launcher.prestart``)
    with os.fdopen(fd, "wb") as stream:
        stream.write(data)


def relative(folder: Folder, name: str) -> str:
    """A path of the submission as the report shows it (escaped where it must be)."""
    path = "/".join((*folder, name))
    return path if path.isprintable() and len(path) <= 200 else shown(path, 200)


def lay_out(tree: Tree, into: Path, work: Assignment) -> Layout:
    """Write the graded files of ``tree`` into ``into`` (an empty scratch folder)."""
    into.mkdir(parents=True, exist_ok=True)
    grouped = folders(tree)
    modules_at = module_folder(grouped, work, tree)
    book = notebook(grouped, work, tree)
    if modules_at is not None and (book is None or not untouched(grouped[modules_at], work)):
        files = grouped[modules_at]
        _write_files(into, files, work, with_modules=True)
        graded = tuple(relative(modules_at, f"{m}.py") for m in work.modules if f"{m}.py" in files)
        return Layout(into, graded)
    if book is None:
        return Layout(into)
    folder, name = book
    try:
        sources = notebook_modules(grouped[folder][name], name, work.modules)
    except NotebookError as error:
        raise BadSubmission(str(error)) from None
    for module, source in sources.items():
        write(into, module_file(module, work.modules), source.encode("utf-8"))
    _write_files(into, grouped[folder], work, with_modules=False)
    skeleton = (
        ()
        if modules_at is None
        else tuple(
            relative(modules_at, f"{m}.py")
            for m in work.modules
            if f"{m}.py" in grouped[modules_at]
        )
    )
    return Layout(into, (relative(folder, name),), skeleton)


def _write_files(into: Path, files: dict[str, bytes], work: Assignment, with_modules: bool) -> None:
    """The declared modules (``with_modules``) and the helper files of one folder."""
    module_files = {f"{m}.py" for m in work.modules}
    for name, data in sorted(files.items()):
        if with_modules if name in module_files else is_helper_file(name):
            write(into, name, data)


def declared(modules: Sequence[str], name: str, reference: Path | None) -> Assignment:
    """The layout's view of an assignment; the reference's modules read from ``reference``."""
    sources: dict[str, bytes] | None = None
    if reference is not None:
        sources = {}
        for module in modules:
            path = reference / f"{module}.py"
            if path.is_file():
                sources[module] = path.read_bytes()
    return Assignment(tuple(modules), name, sources)
