"""The similarity report: the most similar pairs, and their matching code side by side.

One self-contained HTML file for the instructor (it holds students' code:
written 0600). Every piece of student code and every id is escaped; the
matching regions are marked with ``<mark>``, nothing else is interpreted.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from autograder import __version__
from autograder.reports.similarity import Pair

STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem; color: #1a1a1a; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #ddd; }
td.num { text-align: right; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
pre { background: #f6f6f6; padding: .5rem; overflow-x: auto; font-size: 13px; }
mark { background: #ffd54f; }
footer { color: #777; font-size: .85rem; margin-top: 2rem; }
"""


def percent(value: float) -> str:
    return f"{value:.0%}"


def highlighted(code: str, regions: Sequence[tuple[int, int]]) -> str:
    """``code`` escaped, each matching region inside <mark>."""
    parts, position = [], 0
    for start, end in sorted(regions):
        start, end = max(start, position), min(end, len(code))
        if start >= end:
            continue
        parts.append(html.escape(code[position:start]))
        parts.append(f"<mark>{html.escape(code[start:end])}</mark>")
        position = end
    parts.append(html.escape(code[position:]))
    return "".join(parts)


def overview(pairs: Sequence[Pair]) -> str:
    e = html.escape
    rows = "".join(
        f'<tr><td class="num">{rank}</td><td><a href="#pair-{rank}">{e(p.first)}</a></td>'
        f'<td><a href="#pair-{rank}">{e(p.second)}</a></td>'
        f'<td class="num">{percent(p.score)}</td><td class="num">{percent(p.share_first)}</td>'
        f'<td class="num">{percent(p.share_second)}</td></tr>'
        for rank, p in enumerate(pairs, start=1)
    )
    head = "<th>#</th><th>student</th><th>student</th><th>similarity</th><th>of first</th>"
    return (
        f'<table id="pairs"><thead><tr>{head}<th>of second</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def side_by_side(rank: int, pair: Pair, sources: Mapping[str, str]) -> str:
    e = html.escape
    left = highlighted(sources[pair.first], pair.regions_first)
    right = highlighted(sources[pair.second], pair.regions_second)
    return (
        f'<section id="pair-{rank}"><h2>{rank}. {e(pair.first)} and {e(pair.second)}: '
        f'{percent(pair.score)}</h2><div class="side">'
        f"<div><h3>{e(pair.first)}</h3><pre>{left}</pre></div>"
        f"<div><h3>{e(pair.second)}</h3><pre>{right}</pre></div></div></section>"
    )


def similarity_html(
    pairs: Sequence[Pair],
    sources: Mapping[str, str],
    assignment: str,
    shown: int,
    unreadable: Mapping[str, str],
) -> str:
    """The page: the ``shown`` most similar pairs, then each one side by side."""
    e = html.escape
    top = list(pairs[:shown])
    note = (
        "Similarity of the students' own code (the skeleton's code left out), most similar "
        "first. Variable names, comments and layout do not count. Correct solutions of a "
        "small assignment look alike: read the code of the top pairs before concluding."
    )
    skipped = "".join(f"<li>{e(s)}: {e(why)}</li>" for s, why in sorted(unreadable.items()))
    parts = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        f"<title>Similarity: {e(assignment)}</title><style>{STYLE}</style></head><body>",
        f"<h1>Similarity: {e(assignment)}</h1><p>{e(note)}</p>",
        f"<p>{len(sources)} submissions, {len(pairs)} pairs; the {len(top)} most similar:</p>",
        overview(top),
        f"<h2>Not compared</h2><ul>{skipped}</ul>" if skipped else "",
        *(side_by_side(rank, p, sources) for rank, p in enumerate(top, start=1)),
        f"<footer>backprop-autograder {e(__version__)}, copydetect</footer></body></html>",
    ]
    return "\n".join(part for part in parts if part)
