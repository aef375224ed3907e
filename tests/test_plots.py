"""The pages' SVG pictures: well-formed for any data a student returns, honest axes.

Rendering in a real browser is tested with the pages (test_feedback.py,
test_summary_page.py); here, the drawing itself.
"""

from __future__ import annotations

import math
import re
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.reports import plots

SVG = "{http://www.w3.org/2000/svg}"
ANY_VALUE = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True))


def parsed(svg: str | None) -> ElementTree.Element:
    assert svg is not None
    return ElementTree.fromstring(svg)


def tick_labels(svg: str | None, anchor: str) -> list[str]:
    """The tick labels of the y axis (anchored at their end) or the x axis (middle)."""
    texts = parsed(svg).iter(f"{SVG}text")
    return [
        e.text or ""
        for e in texts
        if e.get("text-anchor") == anchor and "transform" not in e.attrib
    ]


@settings(max_examples=400, deadline=None)
@given(st.lists(ANY_VALUE, max_size=60), st.lists(ANY_VALUE, max_size=60))
def test_any_curves_give_a_well_formed_picture_or_none(
    losses: list[float | None], expected: list[float | None]
) -> None:
    """A student's losses are untrusted: NaN, inf, None, 1e308 or 5e-324 never raise
    and never reach a coordinate (a NaN coordinate would silently hide the curve)."""
    svg = plots.loss_curves_svg(losses, expected, "en")
    if svg is None:
        assert not [v for v in losses + expected if v is not None and abs(v) <= plots.LARGEST]
        return
    parsed(svg)
    assert not re.search(r"nan|inf", svg, re.IGNORECASE)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(min_value=0, max_value=500), max_size=80),
    st.floats(min_value=0, max_value=500),
)
def test_any_scores_give_a_well_formed_histogram(scores: list[float], max_score: float) -> None:
    svg = plots.histogram_svg(scores, max_score, "en")
    if not scores:
        assert svg is None
        return
    bars = list(parsed(svg).iter(f"{SVG}rect"))[2:]  # after the background and the frame
    assert len(bars) == len({min(round(s), int(max(max_score, max(scores), 1))) for s in scores})
    assert all(float(bar.get("width", "0")) > 0 for bar in bars)


@pytest.mark.parametrize(
    ("losses", "log", "first", "last"),
    [
        ([0.5, 0.4, 0.3, 0.2], False, "0.2", "0.5"),  # ticks at 0.05 steps, ending on ticks
        ([0.7, 0.07, 0.007, 0.0007], True, "0.0001", "1"),  # three decades: log axis
        ([1e-12, 1.0], True, "1e-12", "1"),  # decades beyond 1e-4 written as powers
        ([3.0, 3.0, 3.0], False, "1.5", "4.5"),  # a flat curve still gets an axis around it
    ],
)
def test_the_y_axis_covers_the_data_with_round_ticks(
    losses: list[float], log: bool, first: str, last: str
) -> None:
    labels = tick_labels(plots.loss_curves_svg(losses, [], "en"), "end")
    assert labels[0] == first and labels[-1] == last
    decades = all(re.fullmatch(r"1e-?\d+|0\.0*1|10*", label) for label in labels)
    assert decades is log


def test_a_negative_loss_keeps_a_linear_axis_and_stays_visible() -> None:
    """A log axis would hide a sign slip's negative losses, however many decades the
    expected curve spans."""
    svg = plots.loss_curves_svg([-0.5, -0.4], [0.7, 0.07, 0.007, 0.0007], "en")
    assert len(list(parsed(svg).iter(f"{SVG}polyline"))) == 2
    labels = tick_labels(svg, "end")
    assert labels[0] == "-0.6" and labels[-1] == "0.8"


def test_a_long_curve_keeps_its_spikes_in_at_most_two_points_a_pixel() -> None:
    curve: list[float | None] = [1.0 - epoch / 10_000 for epoch in range(5000)]
    curve[3210] = 40.0  # one bad epoch must stay visible: the axis ends at 40
    (line,) = parsed(plots.loss_curves_svg(curve, [], "en")).iter(f"{SVG}polyline")
    points = line.get("points", "").split()
    assert len(points) <= 2 * (700 - plots.LEFT - plots.RIGHT)
    top = min(float(p.split(",")[1]) for p in points)
    assert math.isclose(top, plots.TOP, abs_tol=0.5)  # the spike is the top of the axis


def test_missing_values_break_the_curve_and_a_lone_value_is_a_dot() -> None:
    svg = parsed(plots.loss_curves_svg([0.5, 0.4, None, 0.3, float("nan"), 0.25, 0.2], [], "en"))
    assert len(list(svg.iter(f"{SVG}polyline"))) == 2  # [0.5, 0.4] and [0.25, 0.2]
    assert len(list(svg.iter(f"{SVG}circle"))) == 1  # 0.3, alone between two gaps


def test_text_is_escaped_never_markup() -> None:
    """Titles come from the catalogue, but a course's translation is text, not SVG."""
    frame = plots.frame(
        700,
        360,
        plots.Axis(0, 1, 70, 686),
        plots.Axis(0, 1, 312, 32),
        ("<script>x</script>", "a & b", '"q"'),
    )
    svg = "\n".join([*frame, "</svg>"])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    parsed(svg)
