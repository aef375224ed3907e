"""Handing feedback back: each student's pages laid out for return.

Only what a student may see leaves the results folder: feedback.html,
feedback.md and its loss.svg (never report.json, which holds hidden
details). Students are the results folder's graded ids (``student_id``'s
rules: a folder whose name is not such an id is skipped). Three layouts:

* ``folders``: OUT/<student>/feedback.html (and .md, .svg): one folder each,
  for a file share or an LMS's per-student upload;
* ``zip``: OUT/<student>.zip holding the same files (fixed timestamps, so the
  same feedback gives the same bytes);
* ``nbgrader``: OUT/feedback/<student>/<assignment>/<assignment>.html, where
  ``nbgrader release_feedback`` looks (nbgrader names a notebook's feedback
  after the notebook, <assignment>.ipynb here), with the timestamp.txt and
  submission_secret.txt of the student's submission (nbgrader's submit writes
  them, collect and autograde copy them to OUT/autograded/<student>/<assignment>/;
  release_feedback needs them), when OUT is the course folder.

A hand-back replaces only what a hand-back wrote: an OUT holding a student's
zip or folder of other files where a page would go (the submissions folder,
given by mistake) is refused before anything is written.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from autograder.core.errors import AutograderError, some
from autograder.core.files import PUBLIC, write_atomically
from autograder.grading.classgrades import last_run
from autograder.reports.feedback import LOSS_SVG

PAGES = ("feedback.html", "feedback.md", LOSS_SVG)
LAYOUTS = ("folders", "zip", "nbgrader")
NBGRADER_KEYS = ("timestamp.txt", "submission_secret.txt")
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class HandBack:
    written: list[Path] = field(default_factory=list)
    no_page: list[str] = field(default_factory=list)  # graded, but no feedback.html to return
    no_keys: list[str] = field(default_factory=list)  # nbgrader: no autograde keys to copy
    earlier_only: list[str] = field(default_factory=list)  # not in the last run: no page


def student_pages(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in PAGES if (folder / name).is_file()}


def check_out_folder(results: Path, out: Path) -> None:
    """Refuse an ``out`` inside ``results``: its folders are student ids, so a hand-back
    there writes into them, or a ``<id>.zip`` where a student "<id>.zip" has a folder."""
    if out.resolve().is_relative_to(results.resolve()):
        raise AutograderError(
            f"--out {out} is inside the results folder {results}: "
            "hand the feedback back into a folder of its own (e.g. --out handback)"
        )


def foreign(target: Path, layout: str) -> bool:
    """Would handing back replace, or write into, something this command did not write?

    ``--out`` may be given the submissions folder by mistake: there ``<id>.zip``
    is a student's submission and ``<id>/`` a student's files. Only a hand-back
    zip (its entries all pages) is replaced, and only a folder of pages written
    into; nbgrader's feedback folder is meant to be, so it is never foreign.
    """
    if layout == "zip" and (target.exists() or target.is_symlink()):
        try:
            with zipfile.ZipFile(target) as bundle:
                return not set(bundle.namelist()) <= set(PAGES)
        except (OSError, zipfile.BadZipFile):
            return True
    if layout == "folders" and (target.exists() or target.is_symlink()):
        if target.is_symlink() or not target.is_dir():
            return True
        try:
            return not all(is_page(entry.name) for entry in target.iterdir())
        except OSError:  # a folder it may not read is no hand-back of its own
            return True
    return False


def is_page(name: str) -> bool:
    """A page, or the temporary file a killed hand-back left of one (``write_atomically``)."""
    return name in PAGES or any(name.startswith(f".{page}.") for page in PAGES)


def check_targets(out: Path, students: Iterable[str], layout: str) -> None:
    """Refuse, before anything is written, a hand-back into a folder holding a student's
    submission: ``<id>.zip`` or ``<id>/`` that is not handed-back feedback, whichever
    the layout (pages beside ana.zip made the next `grade` see two students "ana")."""
    if layout not in ("zip", "folders"):
        return
    places = [(out / f"{s}.zip", "zip") for s in students] + [
        (out / s, "folders") for s in students
    ]
    taken = [target for target, kind in places if foreign(target, kind)]
    if taken:
        raise AutograderError(
            f"--out {out} already holds files that are not handed-back feedback ({some(taken)}): "
            "a submissions folder? Nothing was written; hand the feedback back into a "
            "folder of its own (e.g. --out handback)"
        )


def hand_back(results: Path, out: Path, layout: str = "folders") -> HandBack:
    """Lay every graded student's pages out under ``out``; see the module docstring."""
    check_out_folder(results, out)
    graded, earlier = last_run(results)
    check_targets(out, graded, layout)
    done = HandBack(earlier_only=earlier)
    for student, document in graded.items():
        pages = student_pages(results / student)
        if "feedback.html" not in pages:
            done.no_page.append(student)
            continue
        if layout == "zip":
            done.written.append(write_zip(out / f"{student}.zip", pages))
        elif layout == "nbgrader":
            assignment = str(document.get("assignment") or "assignment")
            done.written.append(nbgrader_page(out, student, assignment, pages, done))
        else:
            for name, data in pages.items():
                write_atomically(out / student / name, data, PUBLIC)
            done.written.append(out / student / "feedback.html")
    return done


def write_zip(target: Path, pages: dict[str, bytes]) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in sorted(pages):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.external_attr = PUBLIC << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, pages[name])
    temporary.chmod(PUBLIC)
    temporary.replace(target)
    return target


def nbgrader_page(
    course: Path, student: str, assignment: str, pages: dict[str, bytes], done: HandBack
) -> Path:
    folder = course / "feedback" / student / assignment
    page = folder / f"{assignment}.html"
    write_atomically(page, pages["feedback.html"], PUBLIC)
    for stage in ("autograded", "submitted"):  # autograde copies them from submitted/
        keys = course / stage / student / assignment
        if all((keys / key).is_file() for key in NBGRADER_KEYS):
            for key in NBGRADER_KEYS:
                shutil.copyfile(keys / key, folder / key)
            return page
    done.no_keys.append(student)
    return page
