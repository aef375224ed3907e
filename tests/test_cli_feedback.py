"""`autograder check --html/--lang` and `autograder grade --lang` as users run them."""

from __future__ import annotations

import json
from pathlib import Path

from adversarial_harness import VARIANTS, build_class, run_grade
from click.testing import CliRunner, Result
from conftest import SKELETON, SOLUTION, copy_submission

from autograder.cli import cli


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_check_html_writes_the_feedback_page(tmp_path: Path) -> None:
    """With the students' release only (no reference anywhere): diagnoses still come."""
    folder = copy_submission(VARIANTS / "affine_dW_transposed", tmp_path / "student")
    page = tmp_path / "report.html"
    result = run("check", str(folder), "--checks", str(SKELETON), "--html", str(page))
    assert result.exit_code == 1 and "Traceback" not in result.output
    text = page.read_text()
    assert "Likely cause: dW looks transposed" in text and 'id="loss-plot"' in text
    assert "Likely cause: dW looks transposed" in result.output  # the table says it too


def test_check_in_indonesian(tmp_path: Path) -> None:
    folder = copy_submission(VARIANTS / "sigmoid_no_upstream", tmp_path / "student")
    result = run("check", str(folder), "--checks", str(SOLUTION), "--lang", "id", "--json")
    report = json.loads(result.output)
    assert report["lang"] == "id"
    diagnoses = [c["diagnosis"] for c in report["checks"] if c["diagnosis"]]
    assert any(d.startswith("dv mengabaikan gradien dari hulu") for d in diagnoses)


def test_an_unknown_language_is_a_clear_error(tmp_path: Path) -> None:
    result = run("check", str(tmp_path), "--lang", "fr")
    assert result.exit_code == 2 and "'fr' is not one of 'en', 'id'" in result.output


def test_grade_in_indonesian(tmp_path: Path) -> None:
    submissions = build_class(tmp_path / "submissions", {"rina": VARIANTS / "affine_db_averaged"})
    out = tmp_path / "results"
    done = run_grade(submissions, out, "-j", "1", "--lang", "id")
    assert done.returncode == 0, done.stderr[-2000:]
    page = (out / "rina" / "feedback.html").read_text()
    assert '<html lang="id">' in page and "db tampaknya dirata-ratakan" in page
    assert (out / "rina" / "feedback.md").read_text().startswith("# Umpan balik: backprop")
    assert "Ringkasan kelas: backprop" in (out / "summary.html").read_text()
    results = json.loads((out / "rina" / "results.json").read_text())
    summary, graded = results["output"].splitlines()
    assert summary.endswith("pemeriksaan lulus.")
    assert graded == "Berkas yang dinilai: layers.py, xor.py."
    # Pages are translated, machine files are not: grades.csv keeps its English header.
    header = (out / "grades.csv").read_text().splitlines()[0].split(",")
    assert header[:4] == ["student", "total", "max", "status"]
    assert "MultiplyLayer.backward works on plain Python floats" in header
