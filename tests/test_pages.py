"""The page templates (reports/pages.py): a course's folder over ours, escaping, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from adversarial_harness import VARIANTS, build_class, run_grade
from click.testing import CliRunner
from conftest import SOLUTION

from autograder.cli import cli
from autograder.core.errors import AutograderError
from autograder.core.results import FAILED, CheckResult, Report
from autograder.reports.feedback import feedback_html
from autograder.reports.pages import check_templates, render

SCRIPT = "<script>alert('owned')</script>"
HOSTILE_ID = "<img src=x onerror=alert(1)>"  # a valid folder name: no slash, no control char
COURSE_BASE = """<!DOCTYPE html><html lang="{{ lang }}"><head><title>{% block title %}{% endblock %}
</title></head><body class="our-course">{% block content %}{% endblock %}
<footer>Course of Backprop 101 - {{ footer }}</footer></body></html>"""


def hostile_report() -> Report:
    """A failed check whose title, message and printed output all hold a script."""
    failed = CheckResult(
        f"MultiplyLayer {SCRIPT}",
        "MultiplyLayer",
        0.0,
        1.0,
        FAILED,
        message=f"dx is {SCRIPT}",
        output=f"printed {SCRIPT}\n",
    )
    return Report("backprop", (failed,), student=SCRIPT)


def test_student_text_is_escaped_on_our_feedback_page() -> None:
    page = feedback_html(hostile_report())
    assert "<script" not in page
    assert page.count("&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;") >= 4


def test_a_course_file_replaces_ours_of_the_same_name_and_the_rest_stays_ours(
    tmp_path: Path,
) -> None:
    (tmp_path / "base.html").write_text(COURSE_BASE, encoding="utf-8")
    page = feedback_html(hostile_report(), tmp_path)
    assert 'class="our-course"' in page and "Course of Backprop 101" in page  # theirs
    assert 'id="checks"' in page and "Score: 0 / 1 points" in page  # our feedback.html
    assert "<style>" not in page and "<script" not in page  # their frame, still escaped


def test_a_course_template_is_autoescaped_too(tmp_path: Path) -> None:
    (tmp_path / "feedback.html").write_text(
        '{% extends "base.html" %}{% block content %}<p id="mine">{{ view.student }} '
        '{{ t("page.hidden") }}</p>{% endblock %}',
        encoding="utf-8",
    )
    page = feedback_html(hostile_report(), tmp_path)
    assert '<p id="mine">&lt;script&gt;' in page and "hidden</p>" in page
    assert "<script" not in page


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda d: d / "nowhere", "no such folder"),
        (lambda d: d, "holds none of feedback.html"),
    ],
    ids=["missing folder", "folder without templates"],
)
def test_a_folder_that_cannot_be_a_template_folder_is_refused(
    tmp_path: Path, make: object, said: str
) -> None:
    folder = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(AutograderError, match=said):
        check_templates(folder)


def test_a_template_that_does_not_compile_names_its_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "summary.html").write_text("<p>\n{% if %}</p>", encoding="utf-8")
    with pytest.raises(AutograderError, match=r"summary\.html, line 2"):
        check_templates(tmp_path)


@pytest.mark.parametrize("name", ["feedback.html", "base.html"])  # a page, a part it extends
def test_a_template_that_is_not_utf8_is_refused_without_traceback(
    name: str, tmp_path: Path
) -> None:
    (tmp_path / name).write_bytes(b"\xff\xfe<p>")
    with pytest.raises(AutograderError, match="is not UTF-8 text"):
        check_templates(tmp_path)
        render("feedback.html", tmp_path, page={})


def test_a_misspelt_name_is_an_error_not_an_empty_string(tmp_path: Path) -> None:
    (tmp_path / "feedback.html").write_text("{{ page.titel }}", encoding="utf-8")
    with pytest.raises(AutograderError, match="template feedback.html: .*titel"):
        render("feedback.html", tmp_path, page={"title": "x"})


@pytest.mark.parametrize(
    ("template", "said"),
    [
        ("{% block %}", "feedback.html, line 1"),  # does not compile
        ('{% extends "base.html" %}{% block content %}{{ page.titel }}{% endblock %}', "titel"),
    ],
    ids=["syntax", "misspelt name"],
)
def test_check_refuses_a_broken_template_before_running_and_without_traceback(
    tmp_path: Path, template: str, said: str
) -> None:
    (tmp_path / "feedback.html").write_text(template, encoding="utf-8")
    command = ["check", str(SOLUTION), "--html", str(tmp_path / "page.html")]
    done = CliRunner().invoke(cli, [*command, "--templates", str(tmp_path)])
    assert done.exit_code == 1 and isinstance(done.exception, SystemExit)
    assert "Error: template" in done.output and said in done.output
    assert "PASS" not in done.output  # refused before any check ran
    assert "Traceback" not in done.output and not (tmp_path / "page.html").exists()


def test_a_missing_template_folder_is_refused_by_check_and_grade_before_grading(
    tmp_path: Path,
) -> None:
    missing = str(tmp_path / "none")
    check = ["check", str(SOLUTION), "--html", str(tmp_path / "p.html"), "--templates", missing]
    grade = ["grade", str(tmp_path), "--out", str(tmp_path / "out"), "--templates", missing]
    grade += ["--assignment", str(SOLUTION)]
    for command in (check, grade):
        done = CliRunner().invoke(cli, command)
        assert done.exit_code == 1 and "no such folder" in done.output, done.output
    assert not (tmp_path / "out").exists()


def test_grade_renders_both_pages_with_the_course_templates(tmp_path: Path) -> None:
    """One real batch: the course's base.html frames the feedback and the summary, and
    a student id holding markup is text on both."""
    course = tmp_path / "course-templates"
    course.mkdir()
    (course / "base.html").write_text(COURSE_BASE, encoding="utf-8")
    submissions = build_class(
        tmp_path / "submissions",
        {"ana": VARIANTS / "affine_dW_transposed", HOSTILE_ID: SOLUTION},
    )
    out = tmp_path / "results"
    done = run_grade(submissions, out, "-j", "2", "--templates", str(course))
    assert done.returncode == 0, done.stderr[-3000:]
    summary = (out / "summary.html").read_text()
    feedback = (out / "ana" / "feedback.html").read_text()
    for page in (summary, feedback):
        assert "Course of Backprop 101" in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in summary and 'id="students"' in summary
    assert "dW looks transposed" in feedback


def test_a_course_template_failing_on_one_student_s_data_stops_no_batch(tmp_path: Path) -> None:
    """Tried on one sample before grading (which has failures), the course's page divides
    by zero for a student with none: that student's page is ours, the instructor is told,
    and the batch goes on (it stopped at that student, the rest ungraded)."""
    course = tmp_path / "course-templates"
    course.mkdir()
    (course / "base.html").write_text(COURSE_BASE, encoding="utf-8")
    page = '{% extends "base.html" %}{% block content %}{{ page.failures|length }} '
    page += "to fix{% if not page.failures %}{{ 1 // 0 }}{% endif %}{% endblock %}"
    (course / "feedback.html").write_text(page, encoding="utf-8")
    students = {"ana": SOLUTION, "budi": VARIANTS / "affine_dW_transposed"}
    submissions = build_class(tmp_path / "submissions", students)
    out = tmp_path / "results"
    done = run_grade(submissions, out, "-j", "1", "--templates", str(course))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "to fix" in (out / "budi" / "feedback.html").read_text()
    ours = (out / "ana" / "feedback.html").read_text()
    assert "to fix" not in ours and "Course of Backprop 101" not in ours and "47" in ours
    warning = "template feedback.html: ZeroDivisionError: integer division or modulo by zero"
    assert f"{warning} (for ana)" in done.stderr and "--only ana" in done.stderr
    assert all((out / s / "report.json").is_file() for s in students)
    again = run_grade(submissions, out, "-j", "1", "--templates", str(course))  # ana kept
    assert again.returncode == 0 and f"{warning} (for ana)" in again.stderr
    assert f"{warning} (for ana)" in (out / "summary.json").read_text()
