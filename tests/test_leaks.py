"""Nothing hidden reaches a student: grep every student-facing file for it.

A copy of the instructor's assignment gets one more hidden check, seeded
with a recognisable hidden input, a reference value and a diagnosis, that
fails for a submission which prints its inputs (so the hidden input also
lands in the captured output). The class is graded by the real command; then
feedback.html, feedback.md and results.json of every student, and the output
of `autograder check --json` and `--html`, must contain none of: the seeded
secrets, the hidden checks' source lines, the messages, diagnoses and
printed output of failed hidden checks (unless a public check failed with
the very same text, e.g. the same exception), or the hidden recorded data.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from typing import Any

import pytest
from adversarial_harness import SOLUTION, VARIANTS, copy_submission, read_reports, run_grade

SECRET_INPUT, SECRET_REFERENCE = "987.654321", "123.456789"
SECRET_DIAGNOSIS = "seeded-hidden-diagnosis"
# Seeded into the placeholders of a hidden check's hint (the function and variable
# the engine looks for in the student's code, and the mistake's key).
SECRET_FUNCTION, SECRET_VARIABLE = "seeded_secret_function", "seeded_secret_variable"
SEEDED_CHECK = f'''

# -- seeded by tests/test_leaks.py ----------------------------------------------------
SEEDED_HIDDEN_INPUT = {SECRET_INPUT}


@suite.check("hidden: MultiplyLayer seeded probe", points=1)
def seeded_hidden_probe(ctx: Context) -> None:
    layer = ctx.new("layers.MultiplyLayer")
    layer.forward(np.array([SEEDED_HIDDEN_INPUT]), np.array([2.0]))
    dx = np.asarray(layer.backward(np.array([1.0]))[0])
    ctx.record("losses", [SEEDED_HIDDEN_INPUT, {SECRET_REFERENCE}])
    if not np.allclose(dx, 2.0):
        raise CheckFailed(
            f"seeded probe: dx = {{dx}} for x = {{SEEDED_HIDDEN_INPUT}}; "
            f"reference {SECRET_REFERENCE}",
            diagnosis="{SECRET_DIAGNOSIS}",
            mistake="swapped",
            function="layers.MultiplyLayer.backward",
            variable="{SECRET_VARIABLE}",
        )


@suite.check("hidden: MultiplyLayer seeded placeholders", points=1)
def seeded_placeholders(ctx: Context) -> None:
    layer = ctx.new("layers.MultiplyLayer")
    layer.forward(np.array([SEEDED_HIDDEN_INPUT]), np.array([2.0]))
    dx = np.asarray(layer.backward(np.array([1.0]))[0])
    if not np.allclose(dx, 2.0):
        raise CheckFailed(
            f"placeholder probe: dx = {{dx}} for x = {{SEEDED_HIDDEN_INPUT}}",
            diagnosis="{SECRET_DIAGNOSIS}",
            mistake="swapped+{SECRET_INPUT}",
            function="layers.{SECRET_FUNCTION}",
            variable="{SECRET_VARIABLE}",
        )
'''
PRINTS_INPUTS = (
    "    def forward(self, x, y):\n",
    '    def forward(self, x, y):\n        print("inputs", x, y)\n',
)
STUDENT_FILES = ("feedback.html", "feedback.md", "results.json")


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("leaks")
    assignment = root / "assignment"
    shutil.copytree(SOLUTION, assignment, ignore=shutil.ignore_patterns("__pycache__", "*.ipynb"))
    hidden = assignment / "hidden_checks.py"
    hidden.write_text(hidden.read_text() + SEEDED_CHECK)
    submissions = root / "submissions"
    printer = copy_submission(VARIANTS / "multiply_swapped_outputs", submissions / "pat")
    layers = printer / "layers.py"
    assert PRINTS_INPUTS[0] in layers.read_text()
    layers.write_text(layers.read_text().replace(*PRINTS_INPUTS))
    copy_submission(VARIANTS / "affine_dW_transposed", submissions / "quinn")
    out = root / "results"
    done = run_grade(submissions, out, "-j", "2", "--assignment", str(assignment))
    assert done.returncode == 0, done.stderr[-3000:]
    return {"root": root, "assignment": assignment, "out": out, "printer": printer}


def student_facing(setup: dict[str, Any]) -> dict[str, str]:
    texts = {
        f"{student}/{name}": (setup["out"] / student / name).read_text(encoding="utf-8")
        for student in ("pat", "quinn")
        for name in STUDENT_FILES
    }
    for flag in ("--json", "--html"):
        texts[f"check {flag}"] = run_check(setup, flag)
    return texts


def run_check(setup: dict[str, Any], flag: str) -> str:
    page = setup["root"] / "check.html"
    extra = [flag, str(page)] if flag == "--html" else [flag]
    command = [sys.executable, "-m", "autograder", "check", str(setup["printer"])]
    command += ["--checks", str(setup["assignment"]), *extra]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    return done.stdout + (page.read_text() if flag == "--html" else "")


def forbidden(setup: dict[str, Any]) -> list[str]:
    """Everything hidden that a student file must not contain."""
    source = (setup["assignment"] / "hidden_checks.py").read_text()
    lines = [line.strip() for line in source.splitlines() if len(line.strip()) >= 30]
    found = [SECRET_INPUT, SECRET_REFERENCE, SECRET_DIAGNOSIS, "seeded_hidden_probe", *lines]
    found += [SECRET_FUNCTION, SECRET_VARIABLE, "seeded_placeholders"]
    for report in read_reports(setup["out"]).values():
        public = [c for c in report["checks"] if not c["hidden"]]
        shown = {c["message"] for c in public} | {c["diagnosis"] for c in public}
        shown_output = "\n".join(c["output"] for c in public)
        for check in report["checks"]:
            if not check["hidden"] or check["status"] == "passed":
                continue
            found += [t for t in (check["message"], check["diagnosis"]) if t and t not in shown]
            found += [
                line
                for line in check["output"].splitlines()
                if len(line) >= 12 and line not in shown_output
            ]
    return found


def test_the_seeded_hidden_check_failed_and_saw_the_secret(setup: dict[str, Any]) -> None:
    """Else the grep below would prove nothing."""
    report = read_reports(setup["out"])["pat"]
    seeded = next(c for c in report["checks"] if c["name"] == "hidden: MultiplyLayer seeded probe")
    assert seeded["status"] == "failed" and SECRET_REFERENCE in seeded["message"]
    assert SECRET_INPUT in seeded["output"] and seeded["diagnosis"] == SECRET_DIAGNOSIS
    assert len(forbidden(setup)) > 50


def test_no_student_facing_file_contains_anything_hidden(setup: dict[str, Any]) -> None:
    leaks = [
        (where, secret[:80])
        for where, text in student_facing(setup).items()
        for secret in forbidden(setup)
        if secret in text
    ]
    assert leaks == []


def test_hidden_checks_still_show_their_name_and_result(setup: dict[str, Any]) -> None:
    results = json.loads((setup["out"] / "pat" / "results.json").read_text())
    seeded = next(t for t in results["tests"] if t["name"] == "hidden: MultiplyLayer seeded probe")
    assert seeded["status"] == "failed" and seeded["visibility"] == "after_published"
    page = (setup["out"] / "pat" / "feedback.html").read_text()
    assert "hidden: MultiplyLayer seeded probe" in page


def test_a_hidden_check_shows_its_catalogue_hint_placed_in_the_student_s_own_code(
    setup: dict[str, Any],
) -> None:
    """The hint reaches the student (else the grep above would prove little about it),
    placed by the student's function and line; the seeded placeholders never do."""
    report = read_reports(setup["out"])["pat"]
    probe = next(c for c in report["checks"] if c["name"] == "hidden: MultiplyLayer seeded probe")
    assert probe["hint"].startswith("the gradients come back swapped")
    assert "; look at MultiplyLayer.backward (layers.py, line " in probe["hint"]
    placeholders = next(
        c for c in report["checks"] if c["name"] == "hidden: MultiplyLayer seeded placeholders"
    )
    assert placeholders["status"] == "failed" and placeholders["hint"] == ""
    for name in ("feedback.html", "feedback.md", "results.json"):
        text = (setup["out"] / "pat" / name).read_text(encoding="utf-8")
        assert (
            "the gradients come back swapped" in text
            and "MultiplyLayer.backward (layers.py" in text
        )
