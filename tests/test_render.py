"""The terminal table: the reason, then the diagnosis, below each failed check."""

from __future__ import annotations

from autograder.core.results import FAILED, PASSED, CheckResult, Report
from autograder.reports.text import report_table

FAILING = CheckResult(
    "AffineLayer.backward matches numerical gradients (N=5, D=4, M=3)",
    "AffineLayer",
    0,
    2,
    FAILED,
    "dW has shape (3, 4) but must have the shape of its input (4, 3)",
    diagnosis="dW looks transposed: it must have W's shape (4, 3); compute it as x.T @ dout",
    mistake="transposed",
)
PASSING = CheckResult("MultiplyLayer ok", "MultiplyLayer", 1, 1, PASSED, diagnosis="never shown")
HIDDEN = CheckResult(
    "hidden: AffineLayer probe", "AffineLayer", 0, 1, FAILED, "reference 987.65", hidden=True
)


def test_diagnosis_follows_the_failure_reason() -> None:
    lines = report_table(Report("backprop", (FAILING, PASSING))).splitlines()
    reason = lines.index("        dW has shape (3, 4) but must have the shape of its input (4, 3)")
    assert lines[reason + 1].startswith(
        "        Likely cause: dW looks transposed: it must have W's"
    )
    assert "x.T @ dout" in lines[reason + 1] + lines[reason + 2]


def test_a_passing_check_shows_no_diagnosis_and_a_hidden_one_no_message() -> None:
    table = report_table(Report("backprop", (PASSING, HIDDEN)))
    assert "never shown" not in table and "987.65" not in table
    assert "FAIL    0/1  hidden: AffineLayer probe" in table


def test_english_total_unchanged_and_indonesian_on_request() -> None:
    english = report_table(Report("backprop", (FAILING, PASSING)))
    assert english.endswith("Total: 1/3 points (1 of 2 checks passed)")
    indonesian = report_table(Report("backprop", (FAILING, PASSING), lang="id"))
    assert indonesian.endswith("Total: 1/3 poin (1 dari 2 pemeriksaan lulus)")
    assert "Kemungkinan penyebab:" in indonesian
    assert "AffineLayer.backward cocok dengan gradien numerik (N=5, D=4, M=3)" in indonesian
