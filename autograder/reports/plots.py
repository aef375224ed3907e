"""The feedback pages' pictures, drawn as SVG text.

Why not a plotting library: importing matplotlib costs about 0.3 s of CPU and
drawing one PNG about 0.1 s, more than the grader's own work for a student,
and every student's page has a picture. The two pictures are simple (loss
curves on a linear or log axis, a histogram of scores); as SVG they take a
few milliseconds, stay sharp at any zoom, and every browser and Markdown
viewer shows them. Labels are escaped, so no text of a report becomes markup.

The picture is ``WIDTH`` x ``HEIGHT`` user units with fixed margins, sized for
short labels (the plot's are known). Values that are None, NaN or infinite
(or not positive on a log axis) break a curve instead of bending it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from autograder.i18n import t

Curve = Sequence[float | None]

YOURS, EXPECTED = "#d62728", "#1f77b4"
FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12"'
LEFT, RIGHT, TOP, BOTTOM = 70.0, 14.0, 32.0, 48.0


@dataclass(frozen=True)
class Axis:
    """One axis: data from ``low`` to ``high`` onto pixels ``start`` to ``end``."""

    low: float
    high: float
    start: float
    end: float
    log: bool = False
    integer: bool = False  # ticks on whole numbers only (counts, points)
    step: float = 0.0  # between linear ticks; 0: a nice step for the span

    def to_pixel(self, value: float) -> float:
        return self._pixel(math.log10(value) if self.log else value)

    def ticks(self) -> list[tuple[float, str]]:
        """(pixel, label) of each tick: on a log axis at decades, at most about eight."""
        if self.log:
            every = max(math.ceil((self.high - self.low) / 8), 1)
            exponents = range(int(self.low), int(self.high) + 1, every)
            return [(self._pixel(k), decade(k)) for k in exponents]
        spacing = self.step or nice_step(self.high - self.low)
        ticks = nice_ticks(self.low, self.high, max(spacing, 1.0) if self.integer else spacing)
        return [(self.to_pixel(v), label(v)) for v in ticks]

    def _pixel(self, position: float) -> float:
        return self.start + (position - self.low) / (self.high - self.low) * (self.end - self.start)


def nice_step(span: float, count: int = 6) -> float:
    """A step of 1, 2 or 5 times a power of ten giving about ``count`` ticks over ``span``."""
    raw = span / count
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def nice_ticks(low: float, high: float, step: float) -> list[float]:
    first = math.ceil(low / step - 1e-9)
    return [k * step for k in range(first, math.floor(high / step + 1e-9) + 1)]


def value_axis(values: list[float], start: float, end: float, log: bool) -> Axis:
    """An axis ending on ticks around ``values`` (decades on a log axis)."""
    if log:
        low, high = math.log10(min(values)), math.log10(max(values))
        return Axis(math.floor(low), max(math.ceil(high), math.floor(low) + 1), start, end, True)
    low, high = min(values), max(values)
    if high - low <= 1e-12 * max(abs(low), abs(high), 1e-300):
        low, high = low - max(abs(low), 1.0) * 0.5, high + max(abs(high), 1.0) * 0.5
    step = nice_step(high - low)
    bounds = math.floor(low / step) * step, math.ceil(high / step) * step
    return Axis(*bounds, start, end, step=step)


def label(value: float) -> str:
    return f"{value:.6g}"


def decade(exponent: int) -> str:
    """10**exponent as a tick label: 0.001 to 100000 written out, 1e-7 beyond."""
    return f"{10.0**exponent:g}" if -4 <= exponent <= 5 else f"1e{exponent}"


# Values drawn: beyond these an axis's arithmetic could overflow (a student's
# losses are untrusted data); a value off this chart breaks its curve.
LARGEST, SMALLEST = 1e300, 1e-300


def drawable(value: float, log: bool) -> bool:
    if not abs(value) <= LARGEST:  # also False for NaN
        return False
    return value >= SMALLEST if log else True


def runs(curve: Curve, log: bool) -> Iterator[list[tuple[int, float]]]:
    """The curve's drawable stretches: (epoch, value) runs between missing values."""
    run: list[tuple[int, float]] = []
    for epoch, value in enumerate(curve):
        if value is not None and drawable(value, log):
            run.append((epoch, float(value)))
        elif run:
            yield run
            run = []
    if run:
        yield run


def drawable_curve(curve: Curve) -> bool:
    """Whether ``curve`` has a value a plot can show (finite, within the chart)."""
    return next(runs(curve, False), None) is not None


def thinned(run: list[tuple[int, float]], columns: int) -> list[tuple[int, float]]:
    """At most two points per pixel column (its lowest and highest, in order): a
    2000-epoch curve on 600 pixels keeps its spikes and a third of its size."""
    if len(run) <= 2 * columns:
        return run
    size = len(run) / columns
    kept: list[tuple[int, float]] = []
    for column in range(columns):
        bucket = run[int(column * size) : int((column + 1) * size)] or run[-1:]
        low, high = min(bucket, key=lambda p: p[1]), max(bucket, key=lambda p: p[1])
        kept += sorted({low, high})
    return kept


def polylines(curve: Curve, x: Axis, y: Axis, colour: str, style: str) -> list[str]:
    """The curve's runs as polylines; a run of one value (a lone epoch between
    missing ones, a one-epoch curve) as a dot, which a polyline would not show."""
    columns = max(int(abs(x.end - x.start)), 1)
    drawn = []
    for run in runs(curve, y.log):
        points = [(x.to_pixel(e), y.to_pixel(v)) for e, v in thinned(run, columns)]
        if len(points) == 1:
            drawn.append(f'<circle cx="{points[0][0]:.1f}" cy="{points[0][1]:.1f}" r="3" '
                         f'fill="{colour}"/>')  # fmt: skip
            continue
        joined = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        drawn.append(f'<polyline fill="none" stroke="{colour}" {style} points="{joined}"/>')
    return drawn


def frame(width: float, height: float, x: Axis, y: Axis, titles: tuple[str, str, str]) -> list[str]:
    """The opening tag, background, grid, ticks and the three titles (plot, x, y)."""
    title, x_title, y_title = (escape(text) for text in titles)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
        f'viewBox="0 0 {width:g} {height:g}" {FONT}>',
        f"<title>{title}</title>",
        f'<rect width="{width:g}" height="{height:g}" fill="#ffffff"/>',
    ]
    for px, text in x.ticks():
        parts.append(f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{y.end:g}" y2="{y.start:g}" '
                     'stroke="#dddddd"/>')  # fmt: skip
        parts.append(f'<text x="{px:.1f}" y="{y.start + 16:g}" text-anchor="middle">'
                     f"{text}</text>")  # fmt: skip
    for py, text in y.ticks():
        parts.append(f'<line x1="{x.start:g}" x2="{x.end:g}" y1="{py:.1f}" y2="{py:.1f}" '
                     'stroke="#dddddd"/>')  # fmt: skip
        parts.append(f'<text x="{x.start - 6:g}" y="{py + 4:.1f}" text-anchor="end">'
                     f"{text}</text>")  # fmt: skip
    middle_x, middle_y = (x.start + x.end) / 2, (y.start + y.end) / 2
    parts += [
        f'<rect x="{x.start:g}" y="{y.end:g}" width="{x.end - x.start:g}" '
        f'height="{y.start - y.end:g}" fill="none" stroke="#444444"/>',
        f'<text x="{middle_x:g}" y="20" text-anchor="middle" font-size="14">{title}</text>',
        f'<text x="{middle_x:g}" y="{height - 8:g}" text-anchor="middle">{x_title}</text>',
        f'<text transform="translate(16 {middle_y:g}) rotate(-90)" text-anchor="middle">'
        f"{y_title}</text>",
    ]
    return parts


def legend(entries: list[tuple[str, str, str]], right: float, top: float) -> list[str]:
    """Line samples (name, colour, style) in a box at the plot's top right corner."""
    width = 44 + 7 * max(len(name) for name, _, _ in entries)
    left = right - width - 8
    parts = [f'<rect x="{left:g}" y="{top + 8:g}" width="{width:g}" '
             f'height="{8 + 18 * len(entries):g}" fill="#ffffff" stroke="#cccccc"/>']  # fmt: skip
    for row, (name, colour, style) in enumerate(entries):
        y = top + 24 + 18 * row
        parts.append(f'<line x1="{left + 8:g}" x2="{left + 32:g}" y1="{y - 4:g}" y2="{y - 4:g}" '
                     f'stroke="{colour}" {style}/>')  # fmt: skip
        parts.append(f'<text x="{left + 38:g}" y="{y:g}">{escape(name)}</text>')
    return parts


def loss_curves_svg(losses: Curve, expected: Curve, lang: str) -> str | None:
    """The student's loss per epoch beside gradient descent's (log scale when it spans
    more than two decades); None when neither curve has a drawable value. A
    student's HTML and Markdown pages show the same picture: drawn once."""
    return _loss_curves_svg(tuple(losses), tuple(expected), lang)


@lru_cache(maxsize=4)
def _loss_curves_svg(losses: Curve, expected: Curve, lang: str) -> str | None:
    width, height = 700.0, 360.0
    values = [v for run in (*runs(losses, False), *runs(expected, False)) for _, v in run]
    if not values:
        return None
    # Log only when every value can be drawn on it: a negative loss (a sign slip)
    # must stay visible.
    log = min(values) >= SMALLEST and max(values) / min(values) > 100
    epochs = max(len(losses), len(expected), 2) - 1
    x = Axis(0.0, float(epochs), LEFT, width - RIGHT)
    y = value_axis(values, height - BOTTOM, TOP, log)
    titles = (t("plot.loss_title", lang), t("plot.epoch", lang), t("plot.loss", lang))
    styles = {EXPECTED: 'stroke-width="2.5"', YOURS: 'stroke-width="1.5" stroke-dasharray="6 3"'}
    parts = frame(width, height, x, y, titles)
    parts += polylines(expected, x, y, EXPECTED, styles[EXPECTED])
    parts += polylines(losses, x, y, YOURS, styles[YOURS])
    shown = [(t("plot.expected", lang), EXPECTED, styles[EXPECTED])] if expected else []
    shown += [(t("plot.yours", lang), YOURS, styles[YOURS])] if losses else []
    return "\n".join([*parts, *legend(shown, x.end, y.end), "</svg>"]) + "\n"


def histogram_svg(scores: Sequence[float], max_score: float, lang: str) -> str | None:
    """How many students got each total score (one bar per point, from 0 to the max)."""
    if not scores:
        return None
    width, height = 700.0, 320.0
    top = int(max(max_score, max(scores), 1.0))
    counts = [0] * (top + 1)
    for score in scores:
        counts[min(max(int(round(score)), 0), top)] += 1
    x = Axis(-0.5, top + 0.5, LEFT, width - RIGHT, integer=True)
    step = max(nice_step(max(counts)), 1.0)  # the axis ends on a whole tick above the top bar
    top_count = math.ceil(max(counts) / step) * step
    y = Axis(0.0, top_count, height - BOTTOM, TOP, integer=True, step=step)
    titles = (t("plot.histogram_title", lang), t("plot.score", lang), t("plot.students", lang))
    parts = frame(width, height, x, y, titles)
    bar = (x.end - x.start) / (top + 1)
    gap = min(2.0, bar / 5)  # white between bars, even for a maximum of hundreds of points
    for score, count in enumerate(counts):
        if count:
            left, upper = x.to_pixel(score - 0.5), y.to_pixel(count)
            parts.append(f'<rect x="{left + gap / 2:.2f}" y="{upper:.1f}" width="{bar - gap:.2f}" '
                         f'height="{y.start - upper:.1f}" fill="{EXPECTED}"/>')  # fmt: skip
    return "\n".join([*parts, "</svg>"]) + "\n"
