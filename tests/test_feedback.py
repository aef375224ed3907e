"""A student's feedback.html and feedback.md: content, hidden checks, and a real browser."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from conftest import VARIANTS
from headless import colour_pixels, crop, probe_images, screenshot, svg_size

from autograder.core.results import FAILED, PASSED, CheckResult, Report
from autograder.grading.assignment import Assignment
from autograder.grading.runner import GradeOptions, grade_folder
from autograder.isolation.sandbox import SandboxConfig
from autograder.reports.feedback import feedback_html, feedback_markdown, page_of, write_feedback_md
from autograder.reports.text import report_table
from autograder.reports.view import student_view

BLUE, RED = (31, 119, 180), (214, 39, 40)  # plots.EXPECTED, plots.YOURS
SECRETS = ("987.654321", "SECRET-DIAGNOSIS", "SECRET-OUTPUT", "4242.4242")
DATA_URI = re.compile(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"')


@pytest.fixture(scope="module")
def ascent_report(public_assignment: Assignment) -> Report:
    """A real report: failed trainer checks with diagnoses, and both loss curves."""
    options = GradeOptions(include_hidden=False, sandbox=SandboxConfig("none"))
    report, _ = grade_folder(VARIANTS / "xor_gradient_ascent", public_assignment, options)
    return report


def with_hidden_failure(report: Report) -> Report:
    hidden = CheckResult(
        "hidden: MultiplyLayer probe",
        "MultiplyLayer",
        0.0,
        1.0,
        FAILED,
        message="dx[0] is 1 but the reference value is 987.654321",
        hidden=True,
        output="SECRET-OUTPUT 4242.4242",
        diagnosis="SECRET-DIAGNOSIS",
        data={"losses": [4242.4242], "expected_losses": [987.654321]},
        mistake="sign",
    )
    return Report(report.assignment, (hidden, *report.results), lang=report.lang)


def test_page_is_one_self_contained_file_with_an_svg_plot(ascent_report: Report) -> None:
    page = feedback_html(ascent_report)
    assert "<link" not in page and "http://" not in page and "https://" not in page
    images = DATA_URI.findall(page)
    assert len(images) == 1
    width, height = svg_size(base64.b64decode(images[0]))
    assert (width, height) == (700, 360)


def test_page_shows_scores_failures_and_their_diagnoses(ascent_report: Report) -> None:
    page = feedback_html(ascent_report)
    assert "Score: 20 / 28 points" in page
    assert page.count('class="failure"') == 5
    assert page.count("Likely cause: train_xor climbs the loss") == 3
    # the student's number and the expected one (the run's seed is drawn by the check)
    assert re.search(r"losses\[\d+\] is [-\d.e]+ but the expected value is [-\d.e]+", page)
    assert page.count("Where: train_xor (xor.py, line ") == 3


def test_hidden_checks_show_name_and_result_only(ascent_report: Report) -> None:
    report = with_hidden_failure(ascent_report)
    for text in (feedback_html(report), feedback_markdown(report)):
        assert "hidden: MultiplyLayer probe" in text
        for secret in SECRETS:
            assert secret not in text


def test_a_passing_check_never_shows_a_diagnosis() -> None:
    odd = CheckResult("MultiplyLayer x", "MultiplyLayer", 1, 1, PASSED, "note", diagnosis="D!")
    view = student_view(Report("backprop", (odd,)))
    assert view.rows[0].diagnosis == "" and view.rows[0].message == ""
    assert "D!" not in feedback_html(Report("backprop", (odd,)))


def test_the_plot_comes_from_public_data_only(ascent_report: Report) -> None:
    hidden_only = with_hidden_failure(Report("backprop", ()))
    assert page_of(hidden_only).plot is None
    assert page_of(with_hidden_failure(ascent_report)).curve_note == ""  # the curve is drawn


def test_markdown_has_the_table_failures_and_its_plot_beside_it(
    ascent_report: Report, tmp_path: Path
) -> None:
    """feedback.md links loss.svg, written beside it: no 40 KB base64 blob in the text."""
    write_feedback_md(ascent_report, tmp_path, None)
    text = (tmp_path / "feedback.md").read_text()
    assert "| Check | Result | Points |" in text
    assert "| train_xor matches gradient descent after 100 epochs | failed | 0/2 |" in text
    assert "> Likely cause: train_xor climbs the loss" in text
    assert "base64" not in text and len(text) < 8000
    assert re.search(r"!\[[^\]]+\]\(loss\.svg\)", text)
    assert svg_size((tmp_path / "loss.svg").read_bytes()) == (700, 360)
    assert (tmp_path / "loss.svg").stat().st_mode & 0o777 == 0o644  # handed to the student
    write_feedback_md(Report("backprop", ()), tmp_path, None)  # no curve: no stale picture
    assert not (tmp_path / "loss.svg").exists()


def test_indonesian_page(public_assignment: Assignment) -> None:
    options = GradeOptions(include_hidden=False, sandbox=SandboxConfig("none"), lang="id")
    report, _ = grade_folder(VARIANTS / "affine_dW_transposed", public_assignment, options)
    page = feedback_html(report)
    assert '<html lang="id">' in page and "Umpan balik: backprop" in page
    assert "Kemungkinan penyebab: dW tampaknya tertranspos" in page
    assert "AffineLayer.backward cocok dengan gradien numerik (N=5, D=4, M=3)" in page


def test_without_the_students_curve_the_page_says_so_and_plots_the_expected_one() -> None:
    expected_only = CheckResult(
        "train_xor learns", "train_xor", 0, 2, FAILED, "no", data={"expected_losses": [1.0, 0.5]}
    )
    page = feedback_html(Report("backprop", (expected_only,)))
    assert "No loss curve" in page and len(DATA_URI.findall(page)) == 1


def test_losses_that_cannot_be_drawn_are_named_not_called_missing(tmp_path: Path) -> None:
    """train_xor did return losses, every one NaN or infinite: the page says so, and
    where to look, rather than "did not return one"; the expected curve is still drawn."""
    nan = CheckResult(
        "train_xor learns", "train_xor", 0, 2, FAILED, "no",
        data={"losses": [float("nan"), float("inf")], "expected_losses": [1.0, 0.5]},
    )  # fmt: skip
    report = Report("backprop", (nan,))
    write_feedback_md(report, tmp_path, None)
    for text in (feedback_html(report), (tmp_path / "feedback.md").read_text()):
        assert "none of them is a finite number" in text and "No loss curve" not in text
    assert len(DATA_URI.findall(feedback_html(report))) == 1


def test_no_training_section_when_no_check_records_a_curve() -> None:
    """An assignment whose checks record no loss curve (e.g. neuron) has no such section."""
    for text in (feedback_html(Report("neuron", ())), feedback_markdown(Report("neuron", ()))):
        assert "<img" not in text and "Training on XOR" not in text and "No loss curve" not in text


def test_chromium_renders_the_plot(ascent_report: Report, tmp_path: Path) -> None:
    """Opened in a real browser, the embedded SVG decodes and both curves are visible."""
    page = tmp_path / "feedback.html"
    page.write_text(feedback_html(ascent_report), encoding="utf-8")
    found = probe_images(page)
    plot = found["loss-plot"]
    assert plot["complete"] and plot["natural"] == [700, 360]
    shot = screenshot(page, tmp_path / "feedback.png")
    region = crop(shot, plot["box"])
    assert region.shape[0] > 300 and region.shape[1] > 600
    assert colour_pixels(region, BLUE) > 300  # gradient descent's curve
    assert colour_pixels(region, RED) > 300  # the student's (ascending) curve
    outside = shot[: int(plot["box"][1]) - 10]
    assert colour_pixels(outside, BLUE) < 50  # the curves are in the plot, not elsewhere


# -- issue 11: whose page, totals apart, errors that stop every check, hidden hints -------
HINT = "Likely cause: backward answers for an earlier forward call"


def hinted(report: Report) -> Report:
    """A failed hidden check whose only student-facing text is its catalogue hint."""
    hidden = CheckResult(
        "hidden: AffineLayer probe", "AffineLayer", 0.0, 2.0, FAILED,
        message="dW[0, 0] is 1 but the reference value is 987.654321", hidden=True,
        diagnosis="SECRET-DIAGNOSIS", mistake="stale_cache",
        hint="backward answers for an earlier forward call; store the inputs on self in every "
        "forward; look at AffineLayer.forward (layers.py, line 40)",
    )  # fmt: skip
    return Report(report.assignment, (*report.results, hidden), lang=report.lang,
                  student="alice")  # fmt: skip


def test_the_top_says_whose_feedback_and_the_totals_apart(ascent_report: Report) -> None:
    page = feedback_html(hinted(ascent_report))
    assert '<p id="whose">Student: alice · Assignment: backprop</p>' in page
    assert "20/28 on the public checks; 0/2 on the hidden checks" in page
    check = Report("backprop", ascent_report.results, hidden_points=15)
    for text in (feedback_html(check), feedback_markdown(check), report_table(check)):
        assert "Assignment: backprop" in text
        assert (
            "20/28 on the public checks; the instructor also runs 15 points of hidden checks"
            in (text)
        )


def test_a_hidden_check_shows_its_hint_and_nothing_else(ascent_report: Report) -> None:
    report = hinted(ascent_report)
    for text in (feedback_html(report), feedback_markdown(report), report_table(report)):
        assert HINT in text and "look at AffineLayer.forward (layers.py, line 40)" in text
        assert "987.654321" not in text and "SECRET-DIAGNOSIS" not in text


@pytest.fixture(scope="module")
def syntax_error_report(public_assignment: Assignment, tmp_path_factory) -> Report:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("syntax")
    for name in ("layers.py", "xor.py"):
        (folder / name).write_text((VARIANTS / "correct_loops" / name).read_text())
    layers = folder / "layers.py"
    layers.write_text(
        layers.read_text().replace("def backward(self, dz):", "def backward(self, dz)")
    )
    options = GradeOptions(include_hidden=False, sandbox=SandboxConfig("none"))
    return grade_folder(folder, public_assignment, options)[0]


def test_an_error_that_stops_every_check_is_shown_once(syntax_error_report: Report) -> None:
    report = syntax_error_report
    assert all(r.not_run for r in report.results)
    for text in (feedback_html(report), feedback_markdown(report), report_table(report)):
        assert text.count("has a syntax error") == 1, text[:2000]
        assert "Your code could not be checked:" in text
        assert f"{len(report.results)} of the {len(report.results)} checks did not run" in text
    assert feedback_html(report).count(">not run<") == len(report.results)
    assert report_table(report).count("----") == len(report.results)
    assert student_view(report).failures == ()
