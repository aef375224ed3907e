"""A backward line that raised for clashing shapes, reproduced on shapes (checks.shapes)."""

from __future__ import annotations

import pytest

from autograder.checks.shapes import analyse

LAYER = """
class AffineLayer:
    def forward(self, x, W, b):
        self.x = {stored_x}
        self.W = W
        self.b = b
        return x @ W + b

    def backward(self, dout):
        dx = {dx}
        dW = {dW}
        db = dout.sum(axis=0)
        return dx, dW, db
"""
RIGHT = {"stored_x": "x", "dx": "dout @ self.W.T", "dW": "self.x.T @ dout"}
NAMES = ("dx", "dW", "db")
SHAPES = ((5, 4), (4, 3), (3,))
UPSTREAM = (5, 3)


def source(**changes: str) -> str:
    return LAYER.format(**{**RIGHT, **changes})


@pytest.mark.parametrize(
    ("changes", "line", "mistake", "fix"),
    [
        ({"dW": "self.x @ dout"}, 11, "missing_transpose", "self.x.T @ dout"),
        ({"dx": "dout @ self.W"}, 10, "missing_transpose", "dout @ self.W.T"),
        ({"dW": "dout @ self.x.T"}, 11, "operands_swapped", "self.x.T @ dout"),
        ({"dx": "dout.T @ self.W.T"}, 10, "extra_transpose", "dout @ self.W.T"),
        ({"dx": "dout @ self.x.T"}, 10, "wrong_operand", "dout @ self.W.T"),
        ({"dW": "self.x.T * dout"}, 11, "elementwise_product", "self.x.T @ dout"),
    ],
)
def test_the_smallest_change_that_gives_the_right_shape_names_the_mistake(
    changes: dict[str, str], line: int, mistake: str, fix: str
) -> None:
    text = source(**changes)
    code = text.splitlines()[line - 1].strip()
    found = analyse(text, "AffineLayer", f"layers.py, line {line}, in backward: {code}",
                    NAMES, SHAPES, UPSTREAM)  # fmt: skip
    assert found is not None and found.mistake == mistake and found.fields["fix"] == fix


def test_a_line_that_already_transposes_is_not_told_a_transpose_is_missing() -> None:
    """The issue's case: forward stored x.T, and backward's line reads x.T @ dout."""
    text = source(stored_x="x.T")
    found = analyse(text, "AffineLayer", "layers.py, line 11, in backward: dW = self.x.T @ dout",
                    NAMES, SHAPES, UPSTREAM)  # fmt: skip
    assert found is not None and found.mistake == "cache_reshaped" and found.in_forward
    assert found.fields["attr"] == "self.x" and found.fields["stored"] == (4, 5)


def test_shapes_that_no_small_change_fixes_are_stated_plainly() -> None:
    text = source(dW="self.b @ dout")
    found = analyse(text, "AffineLayer", "layers.py, line 11, in backward: dW = self.b @ dout",
                    NAMES, SHAPES, UPSTREAM)  # fmt: skip
    assert found is not None and found.mistake == "shapes_clash"
    assert (found.fields["left_shape"], found.fields["right_shape"]) == ((3,), (5, 3))


@pytest.mark.parametrize(
    "where",
    [
        "",  # no place: nothing to read
        "layers.py, line 6, in forward: return x @ W + b",  # forward raised, not backward
        "layers.py, line 12, in backward: db = dout.sum(axis=0)",  # not a clash of shapes
    ],
)
def test_nothing_is_said_without_a_clash_to_reproduce(where: str) -> None:
    assert analyse(source(), "AffineLayer", where, NAMES, SHAPES, UPSTREAM) is None


def test_unreadable_source_is_no_diagnosis() -> None:
    assert analyse("def (:", "AffineLayer", "layers.py, line 1, in backward: x", NAMES, SHAPES,
                   UPSTREAM) is None  # fmt: skip
