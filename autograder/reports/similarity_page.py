"""The similarity report: the most similar pairs, and their matching code side by side.

One self-contained HTML file for the instructor (it holds students' code:
written 0600), from the template ``templates/similarity.html`` (``pages``).
Every piece of student code and every id is escaped by the template; the
matching regions are handed to it as segments it wraps in ``<mark>``, so
nothing a student wrote is ever interpreted as markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from autograder import __version__
from autograder.reports.pages import render
from autograder.reports.similarity import Pair

NOTE = (
    "Similarity of the students' own code (the skeleton's code left out), most similar "
    "first. Variable names, comments and layout do not count. Correct solutions of a "
    "small assignment look alike: read the code of the top pairs before concluding."
)


def percent(value: float) -> str:
    return f"{value:.0%}"


def segments(code: str, regions: Sequence[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``code`` cut into (text, matched) pieces, in order; overlapping regions merged."""
    parts, position = [], 0
    for start, end in sorted(regions):
        start, end = max(start, position), min(end, len(code))
        if start >= end:
            continue
        parts += [(code[position:start], False), (code[start:end], True)]
        position = end
    parts.append((code[position:], False))
    return [(text, matched) for text, matched in parts if text]


def pair_row(rank: int, pair: Pair, sources: Mapping[str, str]) -> dict[str, Any]:
    return {
        "rank": rank,
        "first": pair.first,
        "second": pair.second,
        "score": percent(pair.score),
        "share_first": percent(pair.share_first),
        "share_second": percent(pair.share_second),
        "left": segments(sources[pair.first], pair.regions_first),
        "right": segments(sources[pair.second], pair.regions_second),
    }


def similarity_html(
    pairs: Sequence[Pair],
    sources: Mapping[str, str],
    assignment: str,
    shown: int,
    unreadable: Mapping[str, str],
    templates: Path | None = None,
) -> str:
    """The page: the ``shown`` most similar pairs, then each one side by side."""
    page = {
        "assignment": assignment,
        "note": NOTE,
        "submissions": len(sources),
        "pair_count": len(pairs),
        "pairs": [pair_row(rank, p, sources) for rank, p in enumerate(pairs[:shown], start=1)],
        "unreadable": sorted(unreadable.items()),
    }
    footer = f"backprop-autograder {__version__}, copydetect"
    return render("similarity.html", templates, page=page, lang="en", footer=footer)
