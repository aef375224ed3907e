"""The feedback pages' pictures as PNG bytes (matplotlib, headless).

matplotlib is optional at run time: without it the pages say so in place
of the picture and everything else still works. The Agg backend is chosen
explicitly, so no display is ever needed (grading servers have none).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from autograder.i18n import t

Curve = Sequence[float | None]

YOURS, EXPECTED = "#d62728", "#1f77b4"


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def prepare() -> bool:
    """Import what drawing needs (about half a second, once per process); a batch
    calls it in the background while it calibrates. False without matplotlib."""
    if not available():
        return False
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401

    return True


# Fixed margins (inches of a 7 x 3.6 figure) instead of a layout engine, which
# draws every figure twice to measure it: the labels are short and known.
MARGINS = {"left": 0.1, "right": 0.98, "bottom": 0.14, "top": 0.91}


def _figure(width: float = 7.0, height: float = 3.6) -> Any:
    prepare()
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    figure.subplots_adjust(**MARGINS)
    return figure


def _png(figure: Any) -> bytes:
    stream = io.BytesIO()
    figure.savefig(stream, format="png")
    return stream.getvalue()


def _values(curve: Curve) -> list[float]:
    return [float("nan") if value is None else float(value) for value in curve]


def loss_curves_png(losses: Curve, expected: Curve, lang: str) -> bytes | None:
    """The student's loss per epoch beside gradient descent's (log scale when it spans decades).

    The same curves are drawn for a student's HTML and Markdown pages: cached.
    """
    return _loss_curves_png(tuple(losses), tuple(expected), lang)


@lru_cache(maxsize=4)
def _loss_curves_png(losses: Curve, expected: Curve, lang: str) -> bytes | None:
    if not available() or not (losses or expected):
        return None
    figure = _figure()
    axes = figure.add_subplot()
    if expected:
        axes.plot(_values(expected), color=EXPECTED, linewidth=2.5, label=t("plot.expected", lang))
    if losses:
        axes.plot(
            _values(losses), color=YOURS, linewidth=1.5, linestyle="--", label=t("plot.yours", lang)
        )
    positive = [v for v in _values(losses) + _values(expected) if v == v and v > 0]
    if positive and max(positive) / min(positive) > 100:
        axes.set_yscale("log")
    axes.set_xlabel(t("plot.epoch", lang))
    axes.set_ylabel(t("plot.loss", lang))
    axes.set_title(t("plot.loss_title", lang))
    axes.grid(alpha=0.3)
    axes.legend()
    return _png(figure)


def histogram_png(scores: Sequence[float], max_score: float, lang: str) -> bytes | None:
    """How many students got each total score (one bar per point, from 0 to the max)."""
    if not available() or not scores:
        return None
    figure = _figure(7.0, 3.2)
    axes = figure.add_subplot()
    top = max(max_score, max(scores), 1.0)
    edges = [i - 0.5 for i in range(int(top) + 2)]
    axes.hist(list(scores), bins=edges, color=EXPECTED, edgecolor="white")
    axes.set_xlabel(t("plot.score", lang))
    axes.set_ylabel(t("plot.students", lang))
    axes.set_title(t("plot.histogram_title", lang))
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _png(figure)
