"""Grading one Gradescope submission: what the bundle's ``run_autograder`` runs.

Gradescope unpacks the autograder zip into ``/autograder/source``, puts the
student's files in ``/autograder/submission`` and reads
``/autograder/results/results.json``. The root is $AUTOGRADER_ROOT when set
(tests use a temporary folder), else ``/autograder``.

The submission is graded exactly as ``autograder grade`` grades one student:
copied into a fresh folder (a notebook becomes its modules), timeouts
calibrated on the reference (the calibration shipped in the bundle, made at
export, when this engine made it for this assignment and seed; else the
reference graded here), every check, public and hidden, in the sandbox.
Gradescope runs containers that may forbid the namespaces bubblewrap needs:
the isolation is ``auto``, so the student's process then confines itself
with Landlock and seccomp; where neither works, grading
stops with a message saying so (student code never runs unisolated here).
The isolation used is written into the results' ``extra_data``, which
students do not see.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

from autograder.core.errors import AutograderError
from autograder.core.files import PUBLIC, write_atomically
from autograder.grading.assignment import Assignment, load_assignment
from autograder.grading.calibration import Calibrating, applied, from_shipped
from autograder.grading.one import grade_one
from autograder.grading.provisional import grade_alone
from autograder.grading.runner import GradeOptions
from autograder.intake.submissions import Submission
from autograder.isolation.sandbox import ENGINE_DIR, SandboxConfig, SandboxUnavailable
from autograder.reports.gradescope import results_json

ROOT_ENV = "AUTOGRADER_ROOT"
DEFAULT_ROOT = Path("/autograder")
CONFIG = "config.json"
CALIBRATION = "calibration.json"  # shipped by the export (distribution.gradescope_export)


def gradescope_root() -> Path:
    return Path(os.environ.get(ROOT_ENV) or DEFAULT_ROOT)


def submission_in(folder: Path) -> Submission:
    """The upload: its files, or the one .zip it holds when there is nothing else."""
    if not folder.is_dir():
        raise AutograderError(f"no submission folder at {folder}")
    entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    zips = [p for p in entries if p.suffix.lower() == ".zip"]
    if len(zips) == 1 and not any(p.suffix in (".py", ".ipynb") for p in entries):
        return Submission("submission", zips[0])
    return Submission("submission", folder)


def grade(root: Path) -> dict[str, Any]:
    """Grade ``root/submission``; write and return ``root/results/results.json``."""
    source = root / "source"
    config = json.loads((source / CONFIG).read_text(encoding="utf-8"))
    assignment = load_assignment(source / config["assignment"], with_hidden=True)
    options = GradeOptions(
        seed=int(config["seed"]),
        sandbox=SandboxConfig("auto"),
        lang=str(config.get("lang", "en")),  # the students' feedback, in results.json
    )
    assignment.prepare_in_background(options.seed)
    submission = submission_in(root / "submission")
    shipped = shipped_calibration(source / CALIBRATION, assignment, options)
    if shipped is not None:
        report, grader_error = grade_one(submission, assignment, shipped, 0)
    else:  # one container, one run: calibrated here (not cached), graded beside it
        calibration = Calibrating(assignment, options, use_cache=False)
        report, grader_error = grade_alone(submission, assignment, calibration)
    document = results_json(report)
    document["extra_data"] = {
        "sandboxed": report.sandboxed,
        "isolation": report.isolation,
        "grader_error": grader_error,
        "engine": str(ENGINE_DIR),
        # What grading cost, observed by the grader: the student's own CPU (every
        # process, start-up included) and the grader's (as in a batch's timings.json).
        "timing": {name: round(seconds, 4) for name, seconds in report.timing.items()},
    }
    write_atomically(root / "results" / "results.json", json.dumps(document, indent=2), PUBLIC)
    return document


def shipped_calibration(
    path: Path, assignment: Assignment, options: GradeOptions
) -> GradeOptions | None:
    """``options`` calibrated as the export shipped (made by this engine, for this
    assignment and seed), else None: the reference is graded here. Its limits are
    generous multiples of the reference's times on the instructor's machine; the
    cost checks re-time their calls here, on every submission."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        document = None
    calibration = from_shipped(document, assignment, options)
    return None if calibration is None else applied(options, calibration)


def main() -> int:
    """The process entry point: exit 1 only when the grader itself failed."""
    try:
        document = grade(gradescope_root())
    except SandboxUnavailable as refused:  # what to do, not a traceback
        sys.stderr.write(f"autograder: {refused}\n")
        return 1
    except Exception:
        sys.stderr.write(traceback.format_exc())
        return 1
    error = document["extra_data"]["grader_error"]
    if error:
        sys.stderr.write(error + "\n")
    return 1 if error else 0


if __name__ == "__main__":
    sys.exit(main())
