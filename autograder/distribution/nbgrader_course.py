"""An nbgrader course folder for the assignment, ready for the nbgrader commands.

nbgrader releases everything in ``source/<assignment>/``, so only what
students may see goes there: the source notebook (nbgrader strips its
solutions and hidden tests) and the public checks its test cells run. The
hidden checks and the reference go to ``grader/<assignment>/``, outside
nbgrader's folders; ``nbgrader_config.py`` points the notebook's hidden test
cells at it through $AUTOGRADER_ASSIGNMENT while ``nbgrader autograde`` runs.

nbgrader runs students' cells in the same kernel as the test cells, so a
student can tamper with those grades; ``autograder grade`` on nbgrader's
``submitted/`` folder grades the same notebooks in the sandbox instead.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograder.core.errors import AutograderError, some
from autograder.distribution.notebook_build import reference_notebook
from autograder.distribution.public_stamp import stamped
from autograder.grading.assignment import PUBLIC_CHECKS, load_assignment
from autograder.grading.jupyter import ASSIGNMENT_ENV, LANG_ENV, SEED_ENV
from autograder.intake.notebooks import META

CONFIG_FILE = "nbgrader_config.py"
MARKER = "# nbgrader configuration written by `autograder export nbgrader`."
CONFIG = """{marker}
import os

c = get_config()  # noqa: F821 (nbgrader defines it)
c.CourseDirectory.course_id = {course}
# The hidden checks and the reference live in grader/, which nbgrader never
# releases; the notebook's hidden test cells find them here when autograding.
here = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault({assignment_env}, os.path.join(here, "grader", {name}))
# The seed of the hidden inputs: keep it secret, change it per term. Grade the same
# notebooks with `autograder grade submitted --out results --seed <this seed>`.
os.environ.setdefault({seed_env}, {seed})
# The language of the test cells' messages (en, id).
os.environ.setdefault({lang_env}, {lang})
"""


def config_text(course: str, assignment: str, seed: int, lang: str = "en") -> str:
    return CONFIG.format(
        marker=MARKER,
        course=json.dumps(course),
        assignment_env=json.dumps(ASSIGNMENT_ENV),
        name=json.dumps(assignment),
        seed_env=json.dumps(SEED_ENV),
        seed=json.dumps(str(seed)),
        lang_env=json.dumps(LANG_ENV),
        lang=json.dumps(lang),
    )


def write_course(
    solution: Path,
    out: Path,
    seed: int = 0,
    course: str = "",
    lang: str = "en",
    force: bool = False,
) -> list[Path]:
    """Write (or refresh) the course folder ``out``; return the files written.

    Only the files of ``course_files`` are written: nbgrader's own (release/,
    submitted/, gradebook.db...) and any file the instructor added are left as
    they are. One of ours edited since (another seed, a config the instructor
    changed) is replaced only with ``force``; nothing is written when refused.
    """
    assignment = load_assignment(solution, with_hidden=True)
    if assignment.hidden is None:
        raise AutograderError(f"{solution} has no hidden_checks.py: give the reference folder")
    notebook = reference_notebook(solution)
    if not notebook.is_file():
        raise AutograderError(f"no notebook {notebook}: run `autograder notebook` first")
    config = out / CONFIG_FILE
    if config.exists() and not config.read_text(encoding="utf-8").startswith(MARKER):
        raise AutograderError(
            f"{config} exists and was not written by this command; export into a new folder, "
            f"or add the {ASSIGNMENT_ENV} line of a generated config to yours"
        )
    settings = config_text(course or assignment.name, assignment.name, seed, lang)
    files = course_files(solution, notebook, settings, lang)
    if not force:
        refuse_changed(out, files)
    for relative, data in files.items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_bytes(data)
    return list(files)


def course_files(solution: Path, notebook: Path, config: str, lang: str) -> dict[Path, bytes]:
    """What the export writes, relative to the course folder, in the order it reports them.

    source/<assignment>/ gets what nbgrader releases (the notebook, the public
    checks); grader/<assignment>/ every .py of the reference, hidden checks too.
    The notebook is named after the assignment (``reference_notebook``).
    """
    source, grader = Path("source", notebook.stem), Path("grader", notebook.stem)
    public = stamped((solution / PUBLIC_CHECKS).read_text(encoding="utf-8"), solution)
    released = {
        source / notebook.name: with_language(notebook, lang).encode("utf-8"),
        source / PUBLIC_CHECKS: public.encode("utf-8"),
    }
    files = {Path(CONFIG_FILE): config.encode("utf-8"), **dict(sorted(released.items()))}
    files |= {grader / path.name: path.read_bytes() for path in sorted(solution.glob("*.py"))}
    return files


def refuse_changed(out: Path, files: dict[Path, bytes]) -> None:
    """An AutograderError when a file the export would write exists with other content.

    An identical file (the export run again unchanged) is no reason to refuse.
    """
    changed = [
        relative
        for relative, data in files.items()
        if (out / relative).exists()
        and not ((out / relative).is_file() and (out / relative).read_bytes() == data)
    ]
    if changed:
        verb = "exists" if len(changed) == 1 else "exist"
        shown = some([out / relative for relative in changed])
        raise AutograderError(
            f"refusing to export into {out}: {shown} already {verb} with other content "
            "(edited since the last export, a changed reference, another seed or language); "
            "add --force to replace them, or export into a new folder"
        )


def with_language(notebook: Path, lang: str) -> str:
    """The source notebook, its test cells set to speak ``lang`` (metadata; English as is)."""
    text = notebook.read_text(encoding="utf-8")
    if lang == "en":
        return text
    document = json.loads(text)
    document.setdefault("metadata", {}).setdefault(META, {})["lang"] = lang
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"
