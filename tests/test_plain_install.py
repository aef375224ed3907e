"""After the README's plain `pip install -e .` (no extras), every command works or says what to add.

One fresh venv for the module: the repository installed without any extra.
Handing out (release, skeleton, notebook --check), checking a notebook and
grading run; `similarity`, whose library is an extra, names the extra.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SOLUTION, copy_submission

from autograder.reports.similarity import EXTRA


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("plain")
    subprocess.run([sys.executable, "-m", "venv", str(home / "venv")], check=True)
    python = str(home / "venv" / "bin" / "python")
    pip = [python, "-m", "pip", "install", "-q", "--no-compile", "-e", str(REPO)]
    done = subprocess.run(pip, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return home


def autograder(venv: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
    environment["PATH"] = f"{venv / 'venv' / 'bin'}{os.pathsep}{environment['PATH']}"
    done = subprocess.run(
        ["autograder", *args],
        cwd=cwd or venv,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    return done


def test_the_venv_has_no_extra(venv: Path) -> None:
    python = str(venv / "venv" / "bin" / "python")
    for module in ("copydetect", "nbgrader", "dask"):
        missing = subprocess.run([python, "-c", f"import {module}"], capture_output=True)
        assert missing.returncode != 0, f"{module} is installed: not a plain install"


def test_handing_out_works(venv: Path) -> None:
    release = autograder(venv, "release", "--solution", str(SOLUTION), "--out", str(venv / "dist"))
    assert release.returncode == 0 and (venv / "dist" / "backprop-release.zip").is_file()
    skeleton = autograder(venv, "skeleton", str(SOLUTION), "--out", str(venv / "student"))
    assert skeleton.returncode == 0 and (venv / "student" / "backprop.ipynb").is_file()
    synced = autograder(venv, "notebook", str(SOLUTION), "--check")
    assert synced.returncode == 0 and "up to date" in synced.stdout
    checked = autograder(venv, "check", str(venv / "student" / "backprop.ipynb"))
    assert checked.returncode == 1 and "Total: 0/26 points" in checked.stdout


def test_grading_works(venv: Path) -> None:
    copy_submission(SOLUTION, venv / "class" / "ana")
    done = autograder(
        venv, "grade", "class", "--out", "results", "--assignment", str(SOLUTION), cwd=venv
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert (venv / "results" / "ana" / "feedback.html").is_file()


def test_similarity_says_which_extra_to_install(venv: Path) -> None:
    copy_submission(SOLUTION, venv / "pair" / "ana")
    copy_submission(SOLUTION, venv / "pair" / "budi")
    done = autograder(venv, "similarity", "pair", "--assignment", str(SOLUTION), cwd=venv)
    assert done.returncode == 1 and EXTRA in done.stderr
