"""The student release, installed the way its README says, in a fresh venv."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, SOLUTION

from autograder.cli import cli
from autograder.core.errors import AutograderError
from autograder.distribution.release import build_release, release_files
from autograder.grading.assignment import load_assignment

SEED = "731904268"  # set while building: it must not end up in the release
TOP = "backprop-release"
NEURON = REPO / "solutions" / "neuron"
REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
# Loop scaffolding of the trainers that the engine's own trusted gradient descent
# (autograder/checks/descent.py) shares: not the solution's substance.
GENERIC = {"losses = []", "for _ in range(epochs):"}


def build(solution: Path, out: Path) -> Path:
    """The release zip, built by the command with a secret seed in the environment."""
    result = CliRunner().invoke(
        cli,
        ["release", "--solution", str(solution), "--out", str(out)],
        env={"AUTOGRADER_SEED": SEED},
    )
    assert result.exit_code == 0, result.output
    return Path(result.output.strip())


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(SOLUTION, tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def installed(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The zip unpacked and installed with the README's one install line in a fresh venv."""
    home = tmp_path_factory.mktemp("student")
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(home)
    readme = (home / TOP / "README.md").read_text()
    install = [line.strip() for line in readme.splitlines() if "pip install" in line]
    assert install == [f"pip install ./{TOP}"]
    subprocess.run([sys.executable, "-m", "venv", str(home / "venv")], check=True)
    pip = [str(home / "venv" / "bin" / "python"), "-m", *install[0].split()]
    done = subprocess.run(pip, cwd=home, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return home


def check(home: Path, *args: str) -> tuple[int, dict]:
    env = {"PATH": f"{home / 'venv' / 'bin'}{os.pathsep}{os.environ['PATH']}", "HOME": str(home)}
    done = subprocess.run(
        ["autograder", "check", "--json", *args],
        cwd=home / TOP / "assignments" / "backprop",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done.returncode, json.loads(done.stdout)


def test_the_venv_runs_the_engine_from_the_release(installed: Path) -> None:
    python = installed / "venv" / "bin" / "python"
    done = subprocess.run(
        [str(python), "-c", "import autograder, numpy; print(autograder.__file__)"],
        cwd=installed,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.startswith(str(installed / "venv")), done.stdout


@pytest.mark.parametrize("target", [[], ["backprop.ipynb"]])
def test_the_skeleton_scores_zero(installed: Path, target: list[str]) -> None:
    status, report = check(installed, *target)
    assert status == 1 and report["score"] == 0 and report["max_score"] > 0


def test_the_reference_files_score_full_marks(installed: Path) -> None:
    folder = installed / TOP / "assignments" / "backprop"
    for name in ("layers.py", "xor.py"):
        shutil.copy(SOLUTION / name, folder / name)
    status, report = check(installed)
    assert status == 0 and report["score"] == report["max_score"] > 0


def test_the_installed_release_speaks_indonesian(installed: Path) -> None:
    """`--lang id` from a fresh install: the compiled catalogues (.mo) are package data of
    the release's pyproject, read at run time by the standard library's gettext; the
    feedback page comes from the templates shipped the same way."""
    # the notebook: still the skeleton after the test above copied the reference's files
    status, report = check(installed, "backprop.ipynb", "--lang", "id", "--html", "report.html")
    messages = " ".join(c["message"] for c in report["checks"])
    assert status == 1 and "belum diimplementasikan" in messages, messages
    page = (installed / TOP / "assignments" / "backprop" / "report.html").read_text()
    assert '<html lang="id">' in page and "belum diimplementasikan" in page


def test_the_wheel_ships_the_compiled_catalogues_and_the_page_templates(tmp_path: Path) -> None:
    """pyproject's package-data: the grader reads these files at run time (gettext, Jinja2)."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "autograder", source / "autograder", ignore=IGNORED)
    pip = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), "."]
    done = subprocess.run(pip, cwd=source, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    package = REPO / "autograder"
    data = [*package.glob("i18n/locale/*/LC_MESSAGES/*.mo"), *package.glob("reports/templates/*")]
    assert len(data) >= 6
    assert {f"autograder/{p.relative_to(package).as_posix()}" for p in data} <= names


IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


def secrets(solution: Path = SOLUTION) -> dict[str, list[str]]:
    """What must never reach students, by kind."""
    assignment = load_assignment(solution, with_hidden=True)
    reference = "".join((solution / m).read_text() for m in assignment.student_files)
    notebook = json.loads((solution / f"{assignment.name}.ipynb").read_text())
    reference += "\n".join("".join(c["source"]) for c in notebook["cells"])
    regions = [line.strip() for r in REGION.findall(reference) for line in r.splitlines()]
    hidden = assignment.hidden
    assert hidden is not None
    # Lines hidden_checks.py shares with public code (imports, helpers of the
    # engine, the public checks) are public already; every other line is secret.
    public = "\n".join(
        path.read_text()
        for path in [*(REPO / "autograder").rglob("*.py"), solution / "public_checks.py"]
    )
    hidden_code = (solution / "hidden_checks.py").read_text().splitlines()
    return {
        "solution code": sorted({line for line in regions if line and line not in GENERIC}),
        "hidden check code": sorted(
            {s for s in map(str.strip, hidden_code) if len(s) >= 12 and s not in public}
        ),
        "hidden check names": [c.name for c in hidden.checks],
        "seed": [SEED],
    }


@pytest.mark.parametrize("solution", [SOLUTION, NEURON], ids=["backprop", "neuron"])
def test_no_file_of_the_release_holds_reference_code_hidden_checks_or_seeds(
    solution: Path, bundle: Path, tmp_path: Path
) -> None:
    found = secrets(solution)
    assert all(found.values()) and len(found["hidden check code"]) > 50
    if solution != SOLUTION:
        bundle = build(solution, tmp_path)
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        texts = {name: archive.read(name).decode("utf-8", "replace") for name in names}
    assert not [n for n in names if Path(n).name.startswith("hidden") or "solutions" in n]
    for name, text in texts.items():
        if name.endswith(".ipynb"):  # scan the cells' code, not its JSON escapes
            text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
        for kind, items in found.items():
            leaked = [item for item in items if item in text]
            assert not leaked, f"{name} holds {kind}: {leaked[:3]}"


def test_the_release_holds_the_assignment_and_the_engine(bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
    expected = {"README.md", "pyproject.toml"}
    expected |= {"autograder/cli/__init__.py", "autograder/runtime/worker.py"}
    expected |= {f"assignments/backprop/{n}" for n in ("layers.py", "xor.py", "backprop.ipynb")}
    expected |= {"assignments/backprop/public_checks.py"}
    assert {f"{TOP}/{n}" for n in expected} <= names


def test_a_release_leaking_a_solution_region_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "backprop"
    shutil.copytree(SOLUTION, folder, ignore=shutil.ignore_patterns("__pycache__"))
    leak = REGION.findall((SOLUTION / "layers.py").read_text())[1]
    (folder / "notes.txt").write_text(leak)
    with pytest.raises(AutograderError, match="refusing to release assignments/backprop/notes.txt"):
        release_files(folder)
    assert build_release(SOLUTION, tmp_path / "dist").is_file()
