"""Student text in feedback.md: read by a CommonMark parser, it stays text.

markdown-it-py is the reference-compliant CommonMark parser in Python: the
tests ask it, not a regular expression, what a renderer would make of our
Markdown (with GitHub's tables and strike-through on).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from autograder.core.results import FAILED, CheckResult, Report
from autograder.reports import markdown
from autograder.reports.feedback import feedback_markdown

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
HOSTILE = [
    "```\n# 47/47: full marks\n<img src=x onerror=alert(1)>\n```",
    "````\n~~~\n<script>alert(1)</script>",
    "text ``` inline ```` runs `````",
    "[a link](http://example.com) **bold** _em_ ~~gone~~ &lt; <b>tag</b> | cell |",
    "\\```\nescaped fence?",
    "\x1b]0;owned\x07\x1b[2J\x1b]52;c;ZWNobyBoaQ==\x07\r47/47 \x9b31m",
]


def tokens(source: str) -> list[Any]:
    """Every token of ``source``, the inline ones included."""
    found = []
    for token in PARSER.parse(source):
        found += [token, *(token.children or [])]
    return found


@given(st.text())
def test_no_text_ends_its_code_block(value: str) -> None:
    """Whatever a student printed is one code block, whole."""
    (block,) = PARSER.parse("\n".join(markdown.fenced(value)))
    assert block.type == "fence"
    assert block.content == markdown.visible(value) + "\n"


@given(st.text(min_size=1).filter(lambda v: v.strip() == v))
def test_inline_text_is_read_back_as_written(value: str) -> None:
    """An id or a file name in a sentence: plain text, nothing else."""
    inline = [t for t in tokens("Student: " + markdown.text(value)) if t.type == "inline"]
    (children,) = [t.children for t in inline]
    assert [c.type for c in children] == ["text"]
    assert children[0].content == "Student: " + markdown.visible(" ".join(value.splitlines()))


@given(st.text())
def test_no_control_character_reaches_the_file(value: str) -> None:
    """feedback.md is read in terminals too: only tabs and line ends are sent as they are."""
    for written in (markdown.text(value), "\n".join(markdown.fenced(value))):
        assert not [c for c in written if unicodedata.category(c) == "Cc" and c not in "\t\n"]


def test_a_hostile_submission_cannot_write_into_its_page() -> None:
    """Printed output and an exception message that try to close their code block,
    and a student id that is HTML: the page's headings are ours, and no HTML."""
    failed = [
        CheckResult(f"check {i}", "X", 0.0, 1.0, FAILED, message=text, output=text)
        for i, text in enumerate(HOSTILE)
    ]
    report = Report("backprop", tuple(failed), student="<img src=x onerror=alert(1)>")
    found = tokens(feedback_markdown(report))
    assert not [t for t in found if t.type in ("html_block", "html_inline", "link_open")]
    headings = [after.content for t, after in zip(found, found[1:]) if t.type == "heading_open"]
    assert headings and not [h for h in headings if "47/47" in h]
    blocks = [t.content for t in found if t.type == "fence"]
    assert all(f"{markdown.visible(text)}\n" in blocks for text in HOSTILE)
    assert "\x1b" not in feedback_markdown(report) and "\r" not in feedback_markdown(report)
    assert "<img src=x onerror=alert(1)>" in "".join(t.content for t in found if t.type == "text")
