"""`autograder grade` writes feedback per student and the class summary (HTML and JSON).

One mixed class is graded once by the real command (sandbox on when bubblewrap
is there, hidden checks included); the tests read what it wrote, and open
summary.html and a feedback.html in a real headless Chromium.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from adversarial_harness import ADVERSARIAL, VARIANTS, build_class, read_reports, run_grade
from headless import chromium, colour_pixels, crop, probe_images, screenshot

BLUE, RED = (31, 119, 180), (214, 39, 40)
CLASS = {
    "ann": VARIANTS / "correct_loops",
    "ben": VARIANTS / "affine_dW_transposed",
    "cat": VARIANTS / "affine_dW_transposed",
    "dan": VARIANTS / "xor_gradient_ascent",
    "eve": ADVERSARIAL / "syntax_error",
    "fay": ADVERSARIAL / "loop_in_backward",
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("summary")
    submissions = build_class(root / "submissions", CLASS)
    out = root / "results"
    done = run_grade(submissions, out, "-j", "2")
    assert done.returncode == 0, done.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def summary(graded: Path) -> dict[str, Any]:
    return dict(json.loads((graded / "summary.json").read_text()))


def test_every_student_gets_feedback_html_and_md(graded: Path) -> None:
    for student in CLASS:
        page = (graded / student / "feedback.html").read_text()
        assert page.startswith("<!DOCTYPE html>") and "Feedback: backprop" in page
        assert (graded / student / "feedback.md").read_text().startswith("# Feedback: backprop")


def test_feedback_of_a_buggy_student_names_the_mistake(graded: Path) -> None:
    page = html.unescape((graded / "ben" / "feedback.html").read_text())  # W's: W&#39;s
    assert "dW looks transposed: it must have W's shape (4, 3)" in page
    assert "(hidden)" in page


def test_summary_json_keeps_the_batch_numbers_and_adds_analytics(
    summary: dict[str, Any], graded: Path
) -> None:
    assert summary["graded"] == len(CLASS)  # the batch's own numbers stay
    assert sum(bar["students"] for bar in summary["histogram"]) == len(CLASS)
    top = summary["common_mistakes"][0]
    assert (top["component"], top["mistake"], top["students"]) == ("AffineLayer", "transposed", 2)
    assert top["label"] == "gradient transposed"
    assert {
        "component": "train_xor",
        "mistake": "ascent",
        "students": 1,
        "label": "gradient ascent",
    } in (summary["common_mistakes"])
    problems = {p["student"]: p["status"] for p in summary["problem_submissions"]}
    assert problems == {"eve": "error", "fay": "timeout"}


def test_checks_most_of_the_class_fails_are_flagged(summary: dict[str, Any]) -> None:
    rates = summary["check_pass_rate"]
    assert summary["flagged_checks"] == [name for name, rate in rates.items() if rate < 0.5]
    # Two AffineLayer bugs, a syntax error and a timeout: the trainer's checks run
    # with trusted layers, so their failures are the trainer's own (one student's
    # ascent, the syntax error), never a flag raised by a layer bug.
    assert not any(name.startswith("train_xor") for name in summary["flagged_checks"])
    assert "MultiplyLayer.backward works on plain Python floats" not in summary["flagged_checks"]


def test_summary_page_lists_flags_mistakes_and_problems(
    graded: Path, summary: dict[str, Any]
) -> None:
    page = (graded / "summary.html").read_text()
    assert page.count('class="flagged"') == len(summary["flagged_checks"])
    assert '<td>gradient transposed</td><td>AffineLayer</td><td class="num">2</td>' in page
    assert "<td>fay</td><td>timeout</td>" in page and "<td>eve</td><td>error</td>" in page


def test_chromium_renders_the_histogram(graded: Path, tmp_path: Path) -> None:
    page = tmp_path / "summary.html"
    page.write_text((graded / "summary.html").read_text())
    histogram = probe_images(page)["histogram"]
    assert histogram["complete"] and histogram["natural"] == [700, 320]
    region = crop(screenshot(page, tmp_path / "summary.png"), histogram["box"])
    assert colour_pixels(region, BLUE, tolerance=20) > 2000  # the bars


def test_chromium_renders_a_student_plot_from_the_batch(graded: Path, tmp_path: Path) -> None:
    page = tmp_path / "feedback.html"
    page.write_text((graded / "dan" / "feedback.html").read_text())
    tall = (1100, 4000)  # the plot comes after every check's row (32 of them)
    plot = probe_images(page, tall)["loss-plot"]
    assert plot["natural"] == [700, 360]
    region = crop(screenshot(page, tmp_path / "dan.png", tall), plot["box"])
    assert colour_pixels(region, BLUE) > 300 and colour_pixels(region, RED) > 300


def test_report_json_keeps_the_plain_loss_curves(graded: Path) -> None:
    reports = read_reports(graded)
    data = [c["data"] for c in reports["dan"]["checks"] if "expected_losses" in c["data"]]
    assert len(data) == 1 and len(data[0]["expected_losses"]) == 2000
    assert all(isinstance(x, float) or x is None for x in data[0]["losses"])


SORT_PROBE = """<script>
window.addEventListener("load", () => {
  const score = document.querySelectorAll("#students th")[2];
  const order = () => Array.from(document.querySelectorAll("#students tbody tr"),
                                 (row) => row.cells[0].dataset.value);
  score.click();
  const up = order();
  score.click();
  document.body.setAttribute("data-sorted", JSON.stringify({up: up, down: order()}));
});
</script>"""


def test_summary_lists_every_student_with_a_link_to_their_feedback(graded: Path) -> None:
    page = (graded / "summary.html").read_text()
    table = page[
        page.index('<table id="students">') : page.index("</table>", page.index("students"))
    ]
    for student in CLASS:
        assert f'<td data-value="{student}">{student}</td>' in table
        assert f'<a href="{student}/feedback.html">' in table


def test_chromium_sorts_the_student_table_by_score(graded: Path, tmp_path: Path) -> None:
    """Clicking the Score header in a real browser sorts ascending, then descending."""
    page = tmp_path / "summary.html"
    page.write_text(
        (graded / "summary.html").read_text().replace("</body>", SORT_PROBE + "</body>")
    )
    done = chromium("--dump-dom", "--virtual-time-budget=5000", page.as_uri())
    found = re.search(r'data-sorted="([^"]*)"', done.stdout)
    assert found, done.stderr[-2000:]
    sorted_ids = json.loads(html.unescape(found.group(1)))
    totals = {
        row["student"]: float(row["total"])
        for row in csv.DictReader((graded / "grades.csv").read_text().splitlines())
    }
    up = sorted(sorted(CLASS), key=totals.__getitem__)  # a stable sort, like the page's
    assert sorted_ids["up"] == up
    assert sorted_ids["down"] == sorted(up, key=lambda s: -totals[s])
    assert len(set(totals.values())) > 2  # not vacuous: the scores differ
