"""The Gradescope autograder zip: the engine, the reference, the hidden checks.

Layout (Gradescope unpacks it into ``/autograder/source``)::

    setup.sh          installs Python, bubblewrap and the engine (once, as root)
    run_autograder    grades /autograder/submission (see gradescope_run)
    engine/           the autograder package and its pyproject
    assignment/       the reference folder: solution, public and hidden checks
    config.json       the seed of the hidden inputs, where the assignment is, the language
    calibration.json  the reference graded at export (limits, expected data), where
                      isolation ran there: the per-submission run skips grading it

This zip is the instructor's: it holds the reference and the hidden checks,
so it goes to Gradescope only, never to students.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from autograder import __version__
from autograder.core.errors import AutograderError
from autograder.distribution.public_stamp import stamped
from autograder.distribution.release import (
    DISTRIBUTION,
    PACKAGE_DATA,
    PYPROJECT,
    ZIP_TIME,
    engine_files,
    requirements,
)
from autograder.grading.assignment import PUBLIC_CHECKS, load_assignment
from autograder.grading.calibration import shipped

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image
# (choose an Ubuntu 22.04 or newer base image: the engine needs Python 3.10+).
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3 python3-venv python3-pip bubblewrap
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install -q "$ROOT/source/engine"
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade $ROOT/submission (files or a
# notebook) into $ROOT/results/results.json. AUTOGRADER_ROOT (default /autograder)
# and AUTOGRADER_PYTHON (default the venv made by setup.sh) override the paths.
set -eu
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
export AUTOGRADER_ROOT="$ROOT"
export PYTHONPATH="$ROOT/source/engine${PYTHONPATH:+:$PYTHONPATH}"
cd "$ROOT"
exec "$PYTHON" -m autograder.grading.gradescope_run
"""

EXECUTABLE, READABLE = 0o755, 0o644
CALIBRATION = "calibration.json"  # the reference calibrated at export (see calibration.py)


def bundle_files(solution: Path, seed: int, lang: str = "en") -> dict[str, tuple[bytes, int]]:
    """Path in the zip -> (bytes, mode)."""
    assignment = load_assignment(solution, with_hidden=True)
    if assignment.hidden is None:
        raise AutograderError(
            f"{solution} has no hidden_checks.py: export from the reference folder"
        )
    files: dict[str, tuple[bytes, int]] = {
        "setup.sh": (SETUP.encode(), EXECUTABLE),
        "run_autograder": (RUN.encode(), EXECUTABLE),
        "config.json": (
            json.dumps({"assignment": "assignment", "seed": seed, "lang": lang}).encode(),
            READABLE,
        ),
    }
    for relative, data in engine_files().items():
        files[f"engine/{relative}"] = (data, READABLE)
    dependencies = ", ".join(f'"{r}"' for r in requirements())
    pyproject = PYPROJECT.format(
        distribution=DISTRIBUTION,
        version=__version__,
        name=assignment.name,
        dependencies=dependencies,
        package_data=", ".join(f'"{pattern}"' for pattern in PACKAGE_DATA),
    )
    files["engine/pyproject.toml"] = (pyproject.encode(), READABLE)
    for path in sorted(solution.iterdir()):
        if path.is_file() and path.suffix in (".py", ".ipynb"):
            files[f"assignment/{path.name}"] = (path.read_bytes(), READABLE)
    public = stamped((solution / PUBLIC_CHECKS).read_text(encoding="utf-8"), solution)
    files[f"assignment/{PUBLIC_CHECKS}"] = (public.encode(), READABLE)
    shipped_folder = {
        name.removeprefix("assignment/"): data
        for name, (data, _) in files.items()
        if name.startswith("assignment/")
    }
    calibrated = shipped(assignment, shipped_folder, seed)
    if calibrated is not None:  # Gradescope starts from it instead of grading the reference
        files[CALIBRATION] = (json.dumps(calibrated).encode(), READABLE)
    return files


def build_gradescope(solution: Path, out: Path, seed: int, lang: str = "en") -> Path:
    """Write ``out/gradescope-<name>.zip``, files at the zip's root; return its path."""
    name = load_assignment(solution, with_hidden=False).name
    files = bundle_files(solution, seed, lang)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"gradescope-{name}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        for relative in sorted(files):
            data, mode = files[relative]
            info = zipfile.ZipInfo(relative, ZIP_TIME)
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, data)
    return target
