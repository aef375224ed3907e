"""The one line every student report gives about which of their files were graded.

A student who hands in a notebook beside the skeleton's .py files, or a
folder holding several versions, must be able to see what the grade is
about: the same line goes into feedback.md, feedback.html and Gradescope's
output.
"""

from __future__ import annotations

from autograder.core.results import Report
from autograder.i18n import t


def graded_line(report: Report) -> str:
    """``Files graded: ...`` and the report's notes (e.g. why the notebook); "" if none."""
    if not report.graded_files:
        return ""
    line = t("report.graded_files", report.lang, files=", ".join(report.graded_files))
    return " ".join([line, *report.notes])
