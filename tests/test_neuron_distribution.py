"""The neuron handed out by the same commands as backprop: release, Gradescope, nbgrader.

What backprop's tests do not already cover: a one-module assignment's release
and README, Gradescope's run_autograder grading neuron submissions, and the
neuron notebook's test cells, run the way nbgrader runs them (run_checks from
the notebook's folder, hidden ones through $AUTOGRADER_ASSIGNMENT) without
nbgrader's own (slow) kernels: test_nbgrader.py runs the real tools once.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from conftest import REPO
from test_gradescope_export import run_autograder, validate_results

from autograder.cli import cli
from autograder.grading.jupyter import ASSIGNMENT_ENV, SEED_ENV, run_checks, run_hidden_checks

SOLUTION = REPO / "solutions" / "neuron"
CLASS = REPO / "examples" / "neuron-class"
TOP = "neuron-release"


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_the_release_holds_the_neuron_folder_and_a_readme_naming_its_file(tmp_path: Path) -> None:
    bundle = Path(invoke("release", "--solution", str(SOLUTION), "--out", str(tmp_path)).strip())
    assert bundle == tmp_path / f"{TOP}.zip"
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        readme = archive.read(f"{TOP}/README.md").decode()
    folder = f"{TOP}/assignments/neuron"
    assert {f"{folder}/{n}" for n in ("neuron.py", "neuron.ipynb", "public_checks.py")} <= names
    engine = f"{TOP}/autograder/"  # the grader's package (its runtime's trusted layers too)
    others = [n for n in names if not n.startswith(engine)]
    assert not [n for n in others if "layers" in n or "xor" in n or "backprop" in n]
    assert "fill in the gaps of `neuron.py`" in readme and "# checks neuron.py" in readme
    assert [line.strip() for line in readme.splitlines() if "pip install" in line] == [
        f"pip install ./{TOP}"
    ]


@pytest.fixture(scope="module")
def gradescope(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The exported zip, unpacked the way Gradescope does: into <root>/source."""
    dist = tmp_path_factory.mktemp("dist")
    invoke("export", "gradescope", "--solution", str(SOLUTION), "--out", str(dist), "--seed", "7")
    folder = tmp_path_factory.mktemp("bundle") / "source"
    with zipfile.ZipFile(dist / "gradescope-neuron.zip") as archive:
        archive.extractall(folder)
    for script in ("setup.sh", "run_autograder"):
        (folder / script).chmod(0o755)
    return folder


@pytest.mark.parametrize(("student", "full"), [("ana", True), ("budi", False)])
def test_run_autograder_grades_neuron_submissions(
    gradescope: Path, tmp_path: Path, student: str, full: bool
) -> None:
    shutil.copytree(CLASS / student, tmp_path / "submission")
    done, results = run_autograder(gradescope, tmp_path)
    assert done.returncode == 0, done.stderr
    validate_results(results)
    assert not results["extra_data"]["grader_error"]
    maximum = sum(t["max_score"] for t in results["tests"])
    assert maximum == 25 and (results["score"] == maximum) == full and results["score"] > 0
    names = {t["name"] for t in results["tests"]}
    assert "hidden: train learns other linearly separable targets with its defaults" in names


def test_the_gradescope_bundle_holds_the_neuron_reference(gradescope: Path) -> None:
    # The bundle graded submissions in the tests above: Python may have left its
    # bytecode cache beside the modules (where PYTHONDONTWRITEBYTECODE is not set).
    shipped = (gradescope / "assignment").iterdir()
    assignment = {p.name for p in shipped if p.name != "__pycache__"}
    assert assignment == {"neuron.py", "neuron.ipynb", "public_checks.py", "hidden_checks.py"}
    assert json.loads((gradescope / "config.json").read_text())["seed"] == 7


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("course")
    invoke("export", "nbgrader", "--solution", str(SOLUTION), "--out", str(root), "--seed", "7")
    return root


def test_the_nbgrader_course_releases_only_the_notebook_and_public_checks(course: Path) -> None:
    assert sorted(p.name for p in (course / "source" / "neuron").iterdir()) == [
        "neuron.ipynb",
        "public_checks.py",
    ]
    grader = {p.name for p in (course / "grader" / "neuron").iterdir()}
    assert grader == {"neuron.py", "public_checks.py", "hidden_checks.py"}
    assert '"neuron"' in (course / "nbgrader_config.py").read_text()


def test_the_notebooks_test_cells_earn_their_points(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each graded cell's run_checks, from the notebook's folder, as nbgrader runs it:
    the reference notebook earns every cell's points, public and hidden."""
    shutil.copy(course / "source" / "neuron" / "neuron.ipynb", tmp_path / "neuron.ipynb")
    shutil.copy(course / "source" / "neuron" / "public_checks.py", tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(ASSIGNMENT_ENV, str(course / "grader" / "neuron"))
    monkeypatch.setenv(SEED_ENV, "7")
    earned = 0.0
    for cell in nbformat.read(str(tmp_path / "neuron.ipynb"), as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            component = re.findall(r'^run_hidden_checks\("(\w+)"\)$', cell.source, re.M)
            names = re.findall(r'^    ["\'](.+)["\'],$', cell.source, re.M)
            score = run_hidden_checks(*component) if component else run_checks(*names)
            assert float(score) == meta["points"], score.table
            earned += float(score)
    assert earned == 25
