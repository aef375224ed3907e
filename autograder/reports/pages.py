"""The HTML pages' templates: Jinja2, autoescaped, ours overridable by a course's folder.

The feedback page, the class summary and the similarity report are
templates in ``templates/`` of this package (``feedback.html``,
``summary.html`` and ``similarity.html``, all extending ``base.html``; the
summary includes ``students.html``). Jinja2 does what the
pages did by hand before (strings and ``html.escape``): with ``autoescape``
every value is escaped unless a template says otherwise, so a student's
output, id or roster name (``<script>`` included) is text, never markup, and
forgetting an escape is no longer possible. Markup lives in the templates;
what a student may see is still decided in ``view.student_view``: a
template gets the student's view, never the report.

A course restyles its pages with ``--templates DIR``: Jinja2's
``ChoiceLoader`` looks in DIR first and in our folder next, so a file of DIR
replaces ours of the same name (only ``base.html`` to restyle both pages,
``feedback.html`` to rewrite one) and every other file stays ours. Every
template may call ``t(key, **fields)``, the catalogue in the page's language.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)

from autograder.core.errors import AutograderError

PAGES = ("feedback.html", "summary.html", "similarity.html")  # what the commands render
PARTS = ("base.html", "students.html")  # what the pages extend or include
OURS = Path(__file__).resolve().parent / "templates"


def course_folder(folder: Path) -> Path:
    """A course's template folder, refused with what to do when it cannot be one."""
    if not folder.is_dir():
        raise AutograderError(
            f"--templates {folder}: no such folder; give the folder holding your own "
            f"{', '.join(PAGES + PARTS)} (any of them)"
        )
    if not any((folder / name).is_file() for name in PAGES + PARTS):
        raise AutograderError(
            f"--templates {folder}: it holds none of {', '.join(PAGES + PARTS)}, so it would "
            f"change nothing; copy the one to change from {OURS}"
        )
    return folder


@functools.lru_cache(maxsize=8)
def environment(course: Path | None = None) -> Environment:
    """The course's folder first (when given), ours next; compiled templates are cached."""
    loaders: list[Any] = [PackageLoader("autograder.reports", "templates")]
    if course is not None:
        loaders.insert(0, FileSystemLoader(course_folder(course)))
    return Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,  # every page is HTML, including a course's templates
        undefined=StrictUndefined,  # a misspelt name is an error, not an empty string
        trim_blocks=True,
        lstrip_blocks=True,
    )


def template(name: str, course: Path | None = None) -> Template:
    try:
        return environment(course).get_template(name)
    except TemplateSyntaxError as error:
        raise AutograderError(
            f"template {error.filename or error.name or name}, line {error.lineno}: {error.message}"
        ) from None
    except TemplateNotFound as error:
        raise AutograderError(f"template {name}: {error.message} is missing") from None
    except UnicodeDecodeError as error:
        raise not_utf8(name, error) from None


def check_templates(course: Path | None) -> None:
    """Load every page once, before any grading: a missing folder or a template that
    does not compile is refused up front, not after the first student is graded."""
    for name in PAGES:
        template(name, course)


def render(name: str, course: Path | None = None, **context: Any) -> str:
    """The page ``name`` filled with ``context`` (each value escaped by the template)."""
    try:
        return template(name, course).render(**context)
    except TemplateError as error:
        raise AutograderError(f"template {name}: {error.message or type(error).__name__}") from None
    except UnicodeDecodeError as error:  # a part it extends or includes, read as it renders
        raise not_utf8(name, error) from None
    except Exception as error:  # a course's expression on data it did not expect (x + "s")
        if course is None:
            raise  # ours: a bug to see whole
        raise AutograderError(f"template {name}: {type(error).__name__}: {error}") from None


def not_utf8(name: str, error: UnicodeDecodeError) -> AutograderError:
    return AutograderError(
        f"template {name} (or a part it uses): a file of --templates is not UTF-8 text "
        f"({error.reason} at byte {error.start}); save it as UTF-8"
    )
