"""The student folder from the reference: files with stubs, and the student notebook.

See ``regions`` for the markers and the stub each solution region becomes.
Writing the folder never replaces a reference (it holds solution regions) or
anyone's work (a file changed since the command wrote it, whose hash it
keeps in ``.autograder-skeleton.json``) unless forced; it does replace an
earlier skeleton it wrote.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from autograder.core.errors import AutograderError, some
from autograder.distribution.public_stamp import stamped
from autograder.distribution.regions import is_private, solution_files, strip_solutions
from autograder.grading.assignment import PUBLIC_CHECKS
from autograder.intake.skeletons import is_untouched


def release_files(solution: Path) -> list[Path]:
    """The reference folder's files that go to students, relative paths."""
    files = []
    for path in sorted(solution.rglob("*")):
        relative = path.relative_to(solution)
        if path.is_file() and not any(is_private(Path(part)) for part in relative.parts):
            files.append(relative)
    return files


def render_skeleton(solution: Path, lang: str = "") -> dict[Path, bytes]:
    """What the student folder must contain: relative path -> bytes (``lang``: the
    language of the notebook's test cells, unset by default)."""
    rendered: dict[Path, bytes] = {}
    for relative in release_files(solution):
        data = (solution / relative).read_bytes()
        if relative.suffix == ".py":
            data = strip_solutions(data.decode(), str(relative)).encode()
            if relative == Path(PUBLIC_CHECKS):
                data = stamped(data.decode(), solution).encode()
        elif relative.suffix == ".ipynb":
            from autograder.distribution.notebook_build import (
                student_notebook,  # it imports this module
            )

            data = student_notebook(data.decode(), lang).encode()
        rendered[relative] = data
    return rendered


MANIFEST = ".autograder-skeleton.json"


def written_before(out: Path) -> dict[str, str]:
    """What `autograder skeleton` last wrote into ``out``: relative path -> sha256.

    Only ever looked up by the names about to be written: a manifest edited by
    hand can at worst make the command refuse, or replace a file it names.
    """
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def not_ours(out: Path, rendered: dict[Path, bytes], solution: Path) -> list[str]:
    """The files of ``out`` the skeleton would replace that it did not write there as
    they are: edited since (a student's work: code above a stub, a helper, a cell
    added), or never written by this command.

    A file is ours to replace when it holds what the new skeleton holds, what
    this command last wrote there (``MANIFEST``), or, for a module without a
    manifest entry, the skeleton of the current reference up to formatting
    (``is_untouched``, compared by AST). Counting stubs would not do: a student
    who writes the answer above the stub keeps it.
    """
    before, found = written_before(out), []
    for relative, data in rendered.items():
        target = out / relative
        if not (target.exists() or target.is_symlink()):
            continue
        if target.is_symlink() or not target.is_file():
            found.append(f"{relative} (not a file)")
            continue
        current = target.read_bytes()
        if current == data or before.get(relative.as_posix()) == digest(current):
            continue
        reference = solution / relative
        if relative.suffix == ".py" and is_untouched(current, reference.read_bytes()):
            continue
        found.append(str(relative))
    return found


def refuse_replacing(out: Path, rendered: dict[Path, bytes], solution: Path) -> None:
    """An AutograderError naming the files of ``out`` that are not the skeleton's to replace."""
    work = not_ours(out, rendered, solution)
    if not work:
        return
    raise AutograderError(
        f"refusing to write the skeleton into {out}: {some(work)} "
        "changed since `autograder skeleton` wrote them, or were not written by it "
        "(a student's work?); nothing was written. Choose another folder as --out, or add "
        "--force to replace them with the fresh skeleton"
    )


def write_skeleton(solution: Path, out: Path, force: bool = False) -> list[Path]:
    """Regenerate ``out`` from ``solution``; return the files written.

    ``out`` holding a solution region is a reference folder (most likely
    ``solution`` itself), and a file changed since this command wrote it is
    someone's work (``not_ours``): neither is overwritten unless ``force``.
    Nothing is written when either refuses.
    """
    if not solution.is_dir():
        raise AutograderError(f"no reference folder at {solution}")
    if not solution_files(solution):  # a student's folder or an empty one: no stub to make
        raise AutograderError(
            f"{solution} holds no ### BEGIN SOLUTION region, so it is not a reference "
            "folder (a student's code, or an empty folder?) and there is nothing to turn "
            "into stubs; give the reference solution's folder (e.g. solutions/<name>)"
        )
    sources = solution_files(out)
    if sources and not force:
        names = ", ".join(str(p) for p in sources[:3])
        raise AutograderError(
            f"refusing to write the skeleton into {out}: it holds solution regions "
            f"({names}), so it is a reference, and the stubs would replace the solutions; "
            "give the student folder as --out (e.g. assignments/<name>), or add --force"
        )
    rendered = render_skeleton(solution)
    if not force:
        refuse_replacing(out, rendered, solution)
    for relative, data in rendered.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    manifest = {relative.as_posix(): digest(data) for relative, data in sorted(rendered.items())}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return sorted(rendered)
