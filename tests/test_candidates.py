"""Property: a layer diagnosis is shown only when it reproduces the student's values.

Random layers (an affine map or an elementwise product), random inputs and
upstream gradients, and random student answers: right, changed by a mistake
written here independently of the engine, or arbitrary. Whatever the engine
names must be a prediction that equals the student's gradient to rounding,
and is not the right gradient; an answer made by a known mistake is named.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.checks.candidates import candidates
from autograder.checks.cases import BackwardCase
from autograder.checks.diagnosis import Tolerance, named, per_gradient
from autograder.checks.numgrad import central_difference

TOLERANCE = Tolerance(1e-7, 1e-5)
Mistake = Callable[[BackwardCase, int, np.random.Generator], np.ndarray]

# A student's mistakes, written without the engine's candidates.
MISTAKES: dict[str, Mistake] = {
    "right": lambda c, i, r: c.expected[i],
    "sign": lambda c, i, r: -c.expected[i],
    "transposed": lambda c, i, r: c.expected[i].T,
    "half": lambda c, i, r: c.expected[i] / 2,
    "no_upstream": lambda c, i, r: c.local[i],
    "noise": lambda c, i, r: c.expected[i] + 1e-3 * r.standard_normal(c.expected[i].shape),
    "arbitrary": lambda c, i, r: r.standard_normal(np.shape(c.expected[i])),
    "one_element": lambda c, i, r: one_element_off(c.expected[i]),
}


def one_element_off(array: np.ndarray) -> np.ndarray:
    changed = np.array(array, dtype=float)
    changed.flat[0] += 1.0
    return changed


def case_for(layer: str, n: int, d: int, m: int, seed: int) -> BackwardCase:
    rng = np.random.default_rng(seed)
    if layer == "AffineLayer":
        inputs = [rng.standard_normal((n, d)), rng.standard_normal((d, m)), rng.standard_normal(m)]
        names: tuple[str, ...] = ("dx", "dW", "db")

        def forward(x, W, b):  # type: ignore[no-untyped-def]
            return x @ W + b
    else:
        inputs = [rng.standard_normal((n, d)), rng.standard_normal((n, d))]
        names = ("dx", "dy")

        def forward(x, y):  # type: ignore[no-untyped-def]
            return x * y

    upstream = rng.standard_normal(np.shape(forward(*inputs)))
    expected = central_difference(lambda *a: float(np.sum(upstream * forward(*a))), inputs)
    local = central_difference(lambda *a: float(np.sum(forward(*a))), inputs)
    earlier = [2 * x + 1 for x in inputs]
    before = central_difference(lambda *a: float(np.sum(upstream * forward(*a))), earlier)
    return BackwardCase(layer, forward, names, tuple(inputs), upstream, tuple(expected),
                        tuple(local), tuple(before), None)  # fmt: skip


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    layer=st.sampled_from(["AffineLayer", "MultiplyLayer"]),
    n=st.integers(1, 5),
    d=st.integers(1, 4),
    m=st.integers(1, 4),
    seed=st.integers(0, 10_000),
    mistake=st.sampled_from(sorted(MISTAKES)),
    index=st.integers(0, 2),
)
def test_a_named_diagnosis_always_reproduces_the_student_s_gradient(
    layer: str, n: int, d: int, m: int, seed: int, mistake: str, index: int
) -> None:
    case = case_for(layer, n, d, m, seed)
    index %= len(case.names)
    got = np.asarray(MISTAKES[mistake](case, index, np.random.default_rng(seed)), dtype=float)
    expected = case.expected[index]
    found = per_gradient(case, index, got, TOLERANCE)
    known = mistake in ("sign", "no_upstream") and not TOLERANCE.close(got, expected)
    if found is None or not named(found.mistake):
        assert not known, (mistake, found)  # a known mistake that shows is always named
        return
    predictions = [p for key, p, _ in candidates(case, index, got.shape) if key == found.mistake]
    assert any(TOLERANCE.close(got, p) and not TOLERANCE.close(p, expected) for p in predictions), (
        found.mistake,
        mistake,
    )
