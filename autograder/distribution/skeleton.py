"""The student folder from the reference: files with stubs, and the student notebook.

See ``regions`` for the markers and the stub each solution region becomes.
Writing the folder never replaces a reference (it holds solution regions) or
a student's work (code where the skeleton has a stub) unless forced; it does
replace an earlier skeleton, which still holds every stub.
"""

from __future__ import annotations

from pathlib import Path

from autograder.core.errors import AutograderError
from autograder.distribution.public_stamp import stamped
from autograder.distribution.regions import is_private, solution_files, strip_solutions
from autograder.grading.assignment import PUBLIC_CHECKS
from autograder.intake.notebooks import parse_cells, python_only
from autograder.intake.skeletons import stub_count


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


def stubs_in(data: bytes, suffix: str) -> int | None:
    """The stubs of a .py file or of a notebook's code cells (0 in any other file);
    None when the file is not valid Python or not a valid notebook: not a skeleton.

    A notebook cell that is not Python counts no stub: a student's half-typed
    cell is work too, and an earlier skeleton's cells all parse.
    """
    if suffix == ".ipynb":
        try:
            cells = parse_cells(data, "notebook")
        except AutograderError:
            return None
        code = [c["source"] for c in cells if c.get("cell_type") == "code"]
        return sum(stub_count(python_only(source)) or 0 for source in code)
    if suffix != ".py":
        return 0
    try:
        return stub_count(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None


def filled_in(out: Path, rendered: dict[Path, bytes]) -> list[str]:
    """The files of ``out`` the skeleton would replace that hold a student's work, each
    with why: fewer stubs than the new skeleton has (gaps filled in), or not Python.

    An earlier skeleton still holds every stub, whatever else the reference
    changed since, so regenerating over it needs no --force; a file the new
    skeleton has no stub in (public_checks.py, data) is the instructor's.
    """
    found = []
    for relative, data in rendered.items():
        target = out / relative
        needed = stubs_in(data, relative.suffix)
        if needed == 0 or not target.is_file() or target.read_bytes() == data:
            continue
        held = stubs_in(target.read_bytes(), relative.suffix)
        kind = "a valid notebook" if relative.suffix == ".ipynb" else "valid Python"
        if held is None:
            found.append(f"{relative} (not {kind})")
        elif needed is None:
            found.append(f"{relative} (the reference's is not {kind}: its stubs cannot be counted)")
        elif held < needed:
            found.append(f"{relative} ({held} stubs where the skeleton has {needed})")
    return found


def refuse_student_work(out: Path, rendered: dict[Path, bytes]) -> None:
    """An AutograderError naming the files of ``out`` that hold a student's work, if any."""
    work = filled_in(out, rendered)
    if not work:
        return
    more = f"; and {len(work) - 3} more" if len(work) > 3 else ""
    raise AutograderError(
        f"refusing to write the skeleton into {out}: it would replace a student's work "
        f"(stubs filled in, or code that no longer parses), not an earlier skeleton: "
        f"{'; '.join(work[:3])}{more}; choose another folder as --out, or add --force to "
        "replace them with fresh stubs (also needed over an earlier skeleton when the "
        "reference gained solution regions since)"
    )


def write_skeleton(solution: Path, out: Path, force: bool = False) -> list[Path]:
    """Regenerate ``out`` from ``solution``; return the files written.

    ``out`` holding a solution region is a reference folder (most likely
    ``solution`` itself), and a file with fewer stubs than its skeleton is a
    student's work (see ``filled_in``): neither is overwritten unless ``force``.
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
        refuse_student_work(out, rendered)
    for relative, data in rendered.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return sorted(rendered)
