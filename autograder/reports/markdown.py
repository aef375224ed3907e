"""Student text inside Markdown: shown as written, never read as Markdown or HTML.

``feedback.md`` quotes what a submission controls: its printed output and
exception messages (in code blocks), its student id and file names (in
sentences). Markdown renderers (GitHub, GitLab, an LMS) would otherwise
read them: a printed "```" ends the code block, and what follows, a fake
"47/47" heading or raw HTML, becomes part of the page. CommonMark's own
rules close that door: a code fence ends only at a fence at least as long as
the one that opened it, so ours is longer than any run of backticks inside;
and any ASCII punctuation may be backslash-escaped, so inline text escapes
every character that starts inline markup, a link or HTML (the sentences it
goes into never start with it, so block markup such as "#" cannot apply, and
"layers.py" stays readable in the raw file).

Control characters are shown, not sent: feedback.md is also read with
``cat`` or ``less`` in a terminal, where a printed ESC sequence would run
(clear the screen, set the title, write the clipboard with OSC 52) and a
carriage return would overwrite a line. Each becomes its Python escape
(``\\x1b``); tabs and line ends stay.
"""

from __future__ import annotations

import re

# What starts inline markup (emphasis, code, strike-through), a link or image, an
# autolink or HTML tag, an entity, or a table cell; and the escape itself.
SPECIAL = re.compile(r"([\\`*_\[\]<>!|~&])")
BACKTICKS = re.compile(r"`+")
# C0 controls but tab and newline, DEL and the C1 controls (a terminal reads
# U+009B as CSI, like ESC [).
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(value: str) -> str:
    """``value`` with every control character but tab and newline as its escape."""
    return CONTROLS.sub(lambda found: f"\\x{ord(found.group()):02x}", value)


def text(value: str) -> str:
    """``value`` as literal inline text, on one line."""
    return SPECIAL.sub(r"\\\1", visible(" ".join(value.splitlines())))


def cell(value: str) -> str:
    """``value`` for a table cell: its pipes escaped, on one line (the text is ours)."""
    return value.replace("|", "\\|").replace("\n", " ")


def fenced(value: str, info: str = "text") -> list[str]:
    """``value`` as a fenced code block whose fence no line of it can close."""
    value = visible(value)
    longest = max((len(run) for run in BACKTICKS.findall(value)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, value, fence]
