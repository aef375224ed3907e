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
import shutil
from pathlib import Path

from autograder.core.errors import AutograderError
from autograder.distribution.notebook_build import reference_notebook
from autograder.distribution.public_stamp import stamped
from autograder.grading.assignment import PUBLIC_CHECKS, load_assignment
from autograder.grading.jupyter import ASSIGNMENT_ENV, LANG_ENV, SEED_ENV
from autograder.intake.notebooks import META

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
    solution: Path, out: Path, seed: int = 0, course: str = "", lang: str = "en"
) -> list[Path]:
    """Write (or refresh) the course folder ``out``; return the files written."""
    assignment = load_assignment(solution, with_hidden=True)
    if assignment.hidden is None:
        raise AutograderError(f"{solution} has no hidden_checks.py: give the reference folder")
    notebook = reference_notebook(solution)
    if not notebook.is_file():
        raise AutograderError(f"no notebook {notebook}: run `autograder notebook` first")
    config = out / "nbgrader_config.py"
    if config.exists() and not config.read_text(encoding="utf-8").startswith(MARKER):
        raise AutograderError(
            f"{config} exists and was not written by this command; export into a new folder, "
            f"or add the {ASSIGNMENT_ENV} line of a generated config to yours"
        )
    name = assignment.name
    source, grader = out / "source" / name, out / "grader" / name
    for folder in (source, grader):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    (source / notebook.name).write_text(with_language(notebook, lang), encoding="utf-8")
    public = stamped((solution / PUBLIC_CHECKS).read_text(encoding="utf-8"), solution)
    (source / PUBLIC_CHECKS).write_text(public, encoding="utf-8")
    for path in sorted(solution.glob("*.py")):
        shutil.copy(path, grader / path.name)
    config.write_text(config_text(course or name, name, seed, lang), encoding="utf-8")
    written = [config, *sorted(source.iterdir()), *sorted(grader.iterdir())]
    return [p.relative_to(out) for p in written]


def with_language(notebook: Path, lang: str) -> str:
    """The source notebook, its test cells set to speak ``lang`` (metadata; English as is)."""
    text = notebook.read_text(encoding="utf-8")
    if lang == "en":
        return text
    document = json.loads(text)
    document.setdefault("metadata", {}).setdefault(META, {})["lang"] = lang
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"
