"""The Gradescope autograder zip, run against a folder standing in for /autograder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SOLUTION

from autograder.cli import cli
from autograder.grading.assignment import load_assignment
from autograder.grading.calibration import from_shipped
from autograder.grading.runner import GradeOptions

# Gradescope's autograder specifications: the fields of results.json and their types.
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
NUMBER = (int, float)
TOP_FIELDS = {
    "score": NUMBER,
    "execution_time": NUMBER,
    "output": str,
    "output_format": FORMATS,
    "test_output_format": FORMATS,
    "test_name_format": FORMATS,
    "visibility": VISIBILITY,
    "stdout_visibility": VISIBILITY,
    "extra_data": dict,
    "tests": list,
    "leaderboard": list,
}
TEST_FIELDS = {
    "score": NUMBER,
    "max_score": NUMBER,
    "status": {"passed", "failed"},
    "name": str,
    "name_format": FORMATS,
    "number": str,
    "output": str,
    "output_format": FORMATS,
    "tags": list,
    "visibility": VISIBILITY,
    "extra_data": dict,
}


def validate(document: dict, fields: dict) -> None:
    unknown = set(document) - set(fields)
    assert not unknown, f"fields Gradescope does not know: {unknown}"
    for key, value in document.items():
        allowed = fields[key]
        if isinstance(allowed, set):
            assert value in allowed, f"{key}={value!r} is not one of {sorted(allowed)}"
        else:
            assert isinstance(value, allowed) and not isinstance(value, bool), (key, value)


def validate_results(document: dict) -> None:
    validate(document, TOP_FIELDS)
    assert document["tests"], "a result per check"
    for test in document["tests"]:
        validate(test, TEST_FIELDS)
        assert 0 <= test["score"] <= test["max_score"]
        if test["max_score"]:
            assert (test["status"] == "passed") == (test["score"] == test["max_score"])
        else:  # not applicable: its component's own check fails first (0 points at stake)
            assert test["status"] == "failed"
    assert document["score"] == pytest.approx(sum(t["score"] for t in document["tests"]))


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The exported zip, unpacked the way Gradescope does: into <root>/source."""
    dist = tmp_path_factory.mktemp("dist")
    command = ["export", "gradescope", "--solution", str(SOLUTION), "--out", str(dist)]
    result = CliRunner().invoke(cli, [*command, "--seed", "4242"])
    assert result.exit_code == 0, result.output
    folder = tmp_path_factory.mktemp("bundle") / "source"
    with zipfile.ZipFile(dist / "gradescope-backprop.zip") as archive:
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
        archive.extractall(folder)
    for script in ("setup.sh", "run_autograder"):
        assert modes[script] & 0o111, f"{script} must be executable"
        (folder / script).chmod(0o755)
    return folder


def run_autograder(source: Path, root: Path) -> tuple[subprocess.CompletedProcess, dict]:
    (root / "source").symlink_to(source)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [str(source / "run_autograder")], env=env, capture_output=True, text=True, timeout=600
    )
    return done, json.loads((root / "results" / "results.json").read_text())


def files(folder: Path, edit: tuple[str, str] = ("", "")) -> None:
    folder.mkdir(parents=True)
    for name in ("layers.py", "xor.py"):
        (folder / name).write_text((SOLUTION / name).read_text().replace(*edit))


def notebook(folder: Path, text: str = "") -> None:
    folder.mkdir(parents=True)
    shutil.copy(SOLUTION / "backprop.ipynb", folder / "backprop.ipynb")
    if text:
        (folder / "backprop.ipynb").write_text(text)


def hostile_notebook(folder: Path) -> None:
    """A notebook whose first module cell names ``../../../sitecustomize``."""
    document = json.loads((SOLUTION / "backprop.ipynb").read_text())
    cell = next(c for c in document["cells"] if c["metadata"].get("autograder", {}).get("module"))
    cell["metadata"]["autograder"]["module"] = "../../../sitecustomize"
    notebook(folder, json.dumps(document))


BUG = ("db = dout.sum(axis=0)", "db = dout.mean(axis=0)")
SUBMISSIONS = {
    "files": (lambda f: files(f), "full"),
    "files, nested": (lambda f: files(f / "my work"), "full"),
    "buggy files": (lambda f: files(f, BUG), "some"),
    "notebook": (lambda f: notebook(f), "full"),
    "broken notebook": (lambda f: notebook(f, "{not a notebook"), "none"),
    "nothing": (lambda f: f.mkdir(), "none"),
    "notebook naming ../ modules": (hostile_notebook, "none"),
}


@pytest.mark.parametrize("kind", sorted(SUBMISSIONS))
def test_run_autograder_writes_valid_results(source: Path, tmp_path: Path, kind: str) -> None:
    make, expected = SUBMISSIONS[kind]
    make(tmp_path / "submission")
    done, results = run_autograder(source, tmp_path)
    assert done.returncode == 0, done.stderr
    validate_results(results)
    maximum = sum(t["max_score"] for t in results["tests"])
    score = {"full": maximum, "none": 0.0}.get(expected)
    assert results["score"] == score if score is not None else 0 < results["score"] < maximum
    extra = results["extra_data"]
    assert extra["engine"] == str(source / "engine" / "autograder") and not extra["grader_error"]
    if expected != "none":  # what grading cost, observed by the grader, for the instructor
        assert extra["timing"]["student_cpu"] > 0 and extra["timing"]["grader_cpu"] > 0
    hidden = [t for t in results["tests"] if t["name"].startswith("hidden:")]
    assert hidden and all(t["visibility"] == "after_published" for t in hidden)
    escaped = [
        Path("/sitecustomize.py"),
        Path("/tmp/sitecustomize.py"),
        source / "sitecustomize.py",
    ]
    assert not list(tmp_path.rglob("sitecustomize*")) and not escaped[0].exists()
    assert not escaped[1].exists() and not list(escaped[2].rglob("sitecustomize*"))


def test_the_bundle_holds_the_engine_the_reference_and_the_hidden_checks(source: Path) -> None:
    names = {p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file()}
    assert {"setup.sh", "run_autograder", "config.json", "engine/pyproject.toml"} <= names
    assert {f"assignment/{n}" for n in ("layers.py", "xor.py", "hidden_checks.py")} <= names
    engine = {"engine/autograder/cli/__init__.py", "engine/autograder/grading/gradescope_run.py"}
    # the compiled catalogues (gettext reads them at run time), installed as package data
    engine |= {
        f"engine/autograder/i18n/locale/{lang}/LC_MESSAGES/autograder.mo"
        for lang in "en id".split()
    }
    assert engine <= names
    assert "i18n/locale/*/LC_MESSAGES/*.mo" in (source / "engine/pyproject.toml").read_text()
    assert json.loads((source / "config.json").read_text())["seed"] == 4242
    setup = (source / "setup.sh").read_text()
    assert "bubblewrap" in setup and 'pip" install' in setup
    done = subprocess.run(["bash", "-n", str(source / "setup.sh")], capture_output=True)
    assert done.returncode == 0, done.stderr


def test_an_indonesian_bundle_gives_indonesian_feedback(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """`export gradescope --lang id`: students read Gradescope's output in Indonesian;
    the results' machine fields (names of checks, statuses) stay as they are."""
    dist = tmp_path_factory.mktemp("dist-id")
    command = ["export", "gradescope", "--solution", str(SOLUTION), "--out", str(dist)]
    assert CliRunner().invoke(cli, [*command, "--lang", "id"]).exit_code == 0
    source = tmp_path / "unpacked" / "source"
    with zipfile.ZipFile(dist / "gradescope-backprop.zip") as archive:
        archive.extractall(source)
    (source / "run_autograder").chmod(0o755)
    assert json.loads((source / "config.json").read_text())["lang"] == "id"
    files(tmp_path / "root" / "submission", BUG)
    done, results = run_autograder(source, tmp_path / "root")
    assert done.returncode == 0, done.stderr
    validate_results(results)
    assert results["output"].splitlines()[0].endswith("pemeriksaan lulus.")
    assert any(t["name"].startswith("AffineLayer.backward") for t in results["tests"])


def test_the_bundle_ships_the_reference_calibrated_for_this_engine_and_seed(source: Path) -> None:
    """Each submission's run starts from the export's calibration (no reference graded
    per submission), only when the same engine, assignment and seed made it."""
    document = json.loads((source / "calibration.json").read_text())
    assignment = load_assignment(source / "assignment")
    options = GradeOptions(seed=4242)
    shipped = from_shipped(document, assignment, options)
    assert shipped is not None and shipped.per_call and shipped.reference_data
    assert from_shipped(document, assignment, replace(options, seed=1)) is None
    assert from_shipped({**document, "engine": "0" * 64}, assignment, options) is None
    assert from_shipped({**document, "assignment": "0" * 64}, assignment, options) is None
    assert from_shipped("not a document", assignment, options) is None


def test_a_bundle_without_its_calibration_grades_beside_the_reference_calibrated_there(
    source: Path, tmp_path: Path
) -> None:
    """A bundle whose calibration does not apply (another engine, seed or assignment, or
    none shipped) grades the reference in the container, the submission beside it:
    the same verdicts and messages as from the shipped calibration, for a correct and
    for a buggy student."""
    unshipped = tmp_path / "unshipped"
    shutil.copytree(source, unshipped, symlinks=True)
    (unshipped / "calibration.json").unlink()
    for name, edit in (("correct", ("", "")), ("buggy", BUG)):
        files(tmp_path / name / "shipped" / "submission", edit)
        files(tmp_path / name / "here" / "submission", edit)
        shipped = run_autograder(source, tmp_path / name / "shipped")
        here = run_autograder(unshipped, tmp_path / name / "here")
        assert shipped[0].returncode == here[0].returncode == 0, here[0].stderr
        verdicts = [
            [(t["name"], t["score"], t["status"], t.get("output")) for t in run[1]["tests"]]
            for run in (shipped, here)
        ]
        assert verdicts[0] == verdicts[1]
        assert here[1]["extra_data"]["timing"]["student_cpu"] > 0
