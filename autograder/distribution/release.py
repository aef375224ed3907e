"""The student release: one zip with the assignment, the engine and one install line.

``<name>-release/`` holds ``assignments/<name>/`` (the skeleton files and the
student notebook, generated from the reference exactly as ``autograder
skeleton`` does), the ``autograder`` package with a pyproject, so that
``pip install ./<name>-release`` gives the student ``autograder check``, and a
README. Nothing else leaves the reference folder: no reference code, no
hidden checks (files named ``hidden*`` are never copied), no seed. A last
guard refuses to build a zip in which any solution region of the reference
appears.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import zipfile
from pathlib import Path

from autograder import __version__
from autograder.core.errors import AutograderError
from autograder.distribution.skeleton import render_skeleton
from autograder.grading.assignment import Assignment, load_assignment
from autograder.i18n import LANGUAGE_NAMES
from autograder.isolation.sandbox import ENGINE_DIR

DISTRIBUTION = "backprop-autograder"
# Reading notebooks (autograder check on a .ipynb) needs nbformat.
EXTRA_REQUIREMENTS = ("nbformat>=5",)
REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed: the same inputs give the same zip, byte for byte

PYPROJECT = """[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "{distribution}"
version = "{version}"
description = "Self-checks for the {name} assignment: autograder check"
requires-python = ">=3.10"
dependencies = [{dependencies}]

[project.scripts]
autograder = "autograder.cli:main"

[tool.setuptools.packages.find]
include = ["autograder*"]

[tool.setuptools.package-data]
autograder = [{package_data}]
"""
# Files of the package that are not Python and that it reads at run time: the
# compiled gettext catalogues and the page templates (pyproject.toml lists the same).
PACKAGE_DATA = ("py.typed", "i18n/locale/*/LC_MESSAGES/*.mo", "reports/templates/*.html")

README = """# The {name} assignment

Install the checker once (Python 3.10 or newer), from the folder that holds `{top}/`:

    pip install ./{top}

Your work is in `{top}/assignments/{name}/`. Either fill in the gaps of {quoted}
(each `raise NotImplementedError(...)`), or work in the notebook
`{name}.ipynb`. Then check your work, as often as you like:

    cd {top}/assignments/{name}
    autograder check                  # checks {files}
    autograder check {name}.ipynb     # checks the notebook's code cells

Each check prints PASS or FAIL with the reason; the total is at the bottom.
When your work is graded, hidden checks run as well: make your code correct
in general, not only for the checks you can see.

    autograder check --html report.html   # also your feedback page, with your loss curve
    autograder check --lang {lang_example}   # the messages in {language}

`--lang` chooses the language of the messages: `en` (English) or `id` (Bahasa
Indonesia).{notebook_lang}
"""


def requirements() -> list[str]:
    """The engine's run-time requirements (no extras), plus notebook reading."""
    try:
        declared = importlib.metadata.requires(DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        declared = ["numpy>=1.23", "click>=8.1", "nbformat>=5", "jinja2>=3.0"]
    core = [r for r in declared if "extra ==" not in r]
    return core + [r for r in EXTRA_REQUIREMENTS if not any(c.startswith(r[:8]) for c in core)]


def engine_files() -> dict[str, bytes]:
    """The autograder package as it is installed here, without caches."""
    return {
        f"autograder/{path.relative_to(ENGINE_DIR).as_posix()}": path.read_bytes()
        for path in sorted(ENGINE_DIR.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def release_files(solution: Path, lang: str = "en") -> dict[str, bytes]:
    """Every file of the release, by its path inside the top folder."""
    name = load_assignment(solution, with_hidden=False).name
    files = {
        f"assignments/{name}/{relative.as_posix()}": data
        for relative, data in render_skeleton(solution, "" if lang == "en" else lang).items()
    }
    files.update(engine_files())
    dependencies = ", ".join(f'"{r}"' for r in requirements())
    files["pyproject.toml"] = PYPROJECT.format(
        distribution=DISTRIBUTION,
        version=__version__,
        name=name,
        dependencies=dependencies,
        package_data=", ".join(f'"{pattern}"' for pattern in PACKAGE_DATA),
    ).encode()
    files["README.md"] = readme(load_assignment(solution, with_hidden=False), lang).encode()
    guard(files, solution)
    return files


def readme(assignment: Assignment, lang: str) -> str:
    """The release's README: the assignment's own files, and how to choose the language
    (and which one the notebook speaks)."""
    names = list(assignment.student_files)
    other = "id" if lang == "en" else "en"
    notebook_lang = (
        f" The notebook's test cells answer in {LANGUAGE_NAMES[lang]}." if lang != "en" else ""
    )
    return README.format(
        name=assignment.name,
        top=top_folder(assignment.name),
        files=listing(names),
        quoted=listing([f"`{n}`" for n in names]),
        lang_example=other,
        language=LANGUAGE_NAMES[other],
        notebook_lang=notebook_lang,
    )


def listing(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return " and ".join([", ".join(items[:-1]), items[-1]] if len(items) > 1 else items)


def top_folder(name: str) -> str:
    return f"{name}-release"


def guard(files: dict[str, bytes], solution: Path) -> None:
    """Refuse a release holding a solution region of the reference or a hidden file."""
    regions = []
    for path in sorted(solution.glob("*.py")):
        regions += [r.strip() for r in REGION.findall(path.read_text(encoding="utf-8"))]
    for relative, data in files.items():
        text = data.decode("utf-8", "replace")
        if relative.endswith(".ipynb"):  # the cells' code, not its JSON encoding
            text = "\n".join("".join(c.get("source", "")) for c in json.loads(text)["cells"])
        leaked = [r for r in regions if r and r in text]
        if leaked or Path(relative).name.startswith("hidden"):
            raise AutograderError(
                f"refusing to release {relative}: it holds reference code or hidden checks"
            )


def build_release(solution: Path, out: Path, lang: str = "en") -> Path:
    """Write ``out/<name>-release.zip``; return its path."""
    name = load_assignment(solution, with_hidden=False).name
    files = release_files(solution, lang)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{top_folder(name)}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        for relative in sorted(files):
            info = zipfile.ZipInfo(f"{top_folder(name)}/{relative}", ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, files[relative])
    return target
