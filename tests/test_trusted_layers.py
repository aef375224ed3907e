"""The runtime's trusted layers: exact gradients by complex step, swapped in for one call.

The grader hands these layers to a student's train_xor so that the trainer
is graded on its own. They must be exact (to rounding, like a correct
analytic backward), safe at any input (the sigmoid at +-800), and present
only during the call that asked for them.
"""

from __future__ import annotations

import types
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import SOLUTION
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.core.errors import StudentException
from autograder.isolation.calls import CallOptions
from autograder.isolation.sandbox import SandboxConfig
from autograder.isolation.session import StudentSession
from autograder.runtime import trusted_layers
from autograder.runtime.trusted_layers import AffineLayer, MultiplyLayer, SigmoidLayer, sigmoid

EXACT = 4e-16  # relative to the sum of |terms|: a few roundings


def close(got: np.ndarray, expected: np.ndarray, scale: np.ndarray) -> bool:
    return bool(np.all(np.abs(np.asarray(got) - expected) <= EXACT * np.asarray(scale) + 1e-300))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_affine_is_exact_to_rounding(n: int, d: int, m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x, W, b, dout = (rng.standard_normal(s) for s in [(n, d), (d, m), (m,), (n, m)])
    layer = AffineLayer()
    layer.forward(x, W, b)
    dx, dW, db = layer.backward(dout)
    assert close(dx, dout @ W.T, np.abs(dout) @ np.abs(W).T)
    assert close(dW, x.T @ dout, np.abs(x).T @ np.abs(dout))
    assert close(db, dout.sum(axis=0), np.abs(dout).sum(axis=0))
    assert (dx.shape, dW.shape, db.shape) == (x.shape, W.shape, b.shape)


def test_multiply_is_exact_on_arrays_and_keeps_floats_floats() -> None:
    rng = np.random.default_rng(1)
    x, y, dz = (rng.standard_normal((3, 4)) for _ in range(3))
    layer = MultiplyLayer()
    layer.forward(x, y)
    dx, dy = layer.backward(dz)
    assert close(dx, dz * y, np.abs(dz * y)) and close(dy, dz * x, np.abs(dz * x))
    layer.forward(0.5, -2.0)
    dx, dy = layer.backward(3.0)
    assert (dx, dy) == (-6.0, 1.5) and type(dx) is float


def test_sigmoid_is_exact_and_safe_far_into_saturation() -> None:
    v = np.array([[-800.0, -40.0, -5.0, 0.0], [0.5, 5.0, 40.0, 800.0]])
    da = np.linspace(-1, 1, 8).reshape(v.shape)
    layer = SigmoidLayer()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, no invalid value
        a = layer.forward(v)
        dv = layer.backward(da)
        shifted = sigmoid(v + 1e-30j)
    assert np.all(np.isfinite(shifted)) and np.all(np.isfinite(dv))
    exact = np.exp(-np.abs(v)) / (1 + np.exp(-np.abs(v))) ** 2  # sigma'(v), no cancellation
    assert close(dv, da * exact, np.abs(da))
    assert close(a, 1 / (1 + np.exp(-np.clip(v, -700, 700))), np.ones_like(v))


def test_the_swap_covers_aliases_and_is_undone_even_on_error() -> None:
    class Student:
        pass

    first, second = types.ModuleType("first"), types.ModuleType("second")
    first.AffineLayer, second.Alias, second.other = Student, Student, object
    with (
        pytest.raises(RuntimeError),
        trusted_layers.substituted([first, second], {"AffineLayer": Student}),
    ):
        assert first.AffineLayer is AffineLayer and second.Alias is AffineLayer
        assert second.other is object
        raise RuntimeError
    assert first.AffineLayer is Student and second.Alias is Student


BROKEN = """
import numpy as np


class AffineLayer:
    def forward(self, x, W, b):
        return x @ W + b

    def backward(self, dout):
        raise RuntimeError("not written yet")


class SigmoidLayer:
    def forward(self, v):
        return 1.0 / (1.0 + np.exp(-v))

    def backward(self, da):
        raise RuntimeError("not written yet")
"""


def test_a_right_trainer_on_broken_layers_trains_with_trusted_ones_for_that_call_only(
    tmp_path: Path,
) -> None:
    (tmp_path / "layers.py").write_text(BROKEN)
    (tmp_path / "xor.py").write_text((SOLUTION / "xor.py").read_text())
    options = CallOptions(trusted=("layers.AffineLayer", "layers.SigmoidLayer"))
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    params = {
        "W1": np.full((2, 3), 0.5),
        "b1": np.zeros(3),
        "W2": np.ones((3, 1)),
        "b2": np.zeros(1),
    }
    with StudentSession(tmp_path, ["layers", "xor"], SandboxConfig("none")) as session:
        reply = session.call("xor.train_xor", X, y, params, lr=1.0, epochs=3, call_options=options)
        trained, losses = reply["value"]
        assert len(losses) == 3 and losses[2] < losses[0]
        with pytest.raises(StudentException, match="not written yet"):
            session.call("xor.train_xor", X, y, params, lr=1.0, epochs=3)


BORROWER = """
import sys


class AffineLayer:
    def forward(self, x, W, b):
        return x @ W + b


def trusted_in_reach():
    # what a layer could borrow: the runtime's module, or a class stashed earlier
    found = sorted(n for n, m in sys.modules.items() if hasattr(m, "AffineLayer") and n != __name__)
    return found + sorted(globals().get("STASH", {}))


def stash():
    global STASH
    STASH = {"AffineLayer": AffineLayer} if AffineLayer.__module__ != __name__ else {}
    return sorted(STASH)
"""


def test_the_students_own_code_never_runs_where_trusted_classes_were(tmp_path: Path) -> None:
    """A layer delegating to the runtime's trusted classes would get full marks without
    backpropagation: they are loaded only for a trusted call, and the next call of the
    student's own code runs in a new process (nothing stashed survives)."""
    (tmp_path / "layers.py").write_text(BORROWER)
    (tmp_path / "xor.py").write_text("")
    trusted = CallOptions(trusted=("layers.AffineLayer",))
    with StudentSession(tmp_path, ["layers", "xor"], SandboxConfig("none")) as session:
        assert session.call("layers.trusted_in_reach")["value"] == []
        assert session.call("layers.stash", call_options=trusted)["value"] == ["AffineLayer"]
        assert session.call("layers.trusted_in_reach", call_options=trusted)["value"] != []
        assert session.call("layers.trusted_in_reach")["value"] == []


READER = """
import os
import pkgutil
import sys


class AffineLayer:
    def forward(self, x, W, b):
        return x @ W + b


def borrow():
    # what a layer could reach without an import statement the static pass flags
    found = []
    try:
        cls = pkgutil.resolve_name("autograder_runtime.trusted_layers:AffineLayer")
        found.append(cls.__name__)
    except Exception:
        pass
    folder = sys.modules["autograder_runtime"].__path__[0]
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                with open(os.path.join(root, name)) as stream:
                    if "STEP = 1e-30" in stream.read():
                        found.append(name)
            except OSError:
                pass
    return found


def imported():
    from autograder_runtime import trusted_layers

    return sorted(name for name in vars(trusted_layers) if not name.startswith("_"))


def trainer(x):
    layer = AffineLayer()  # trusted during a trusted call
    layer.forward(x, x.T, x[:, 0])
    return [type(layer).__module__, layer.backward(x @ x.T)[1].tolist()]
"""


@pytest.mark.parametrize("level", ["bwrap", "landlock"])
def test_no_student_process_can_read_the_trusted_layers(tmp_path: Path, level: str) -> None:
    """Found by pkgutil.resolve_name (no import statement) or read from the runtime's
    folder, they gave a Multiply and a Sigmoid layer full marks without a backward:
    the sandbox shows no trusted layers, and a trusted call still gets them."""
    (tmp_path / "layers.py").write_text(READER)
    trusted = CallOptions(trusted=("layers.AffineLayer",))
    x = np.array([[1.0, 2.0]])
    with StudentSession(tmp_path, ["layers"], SandboxConfig(level)) as session:
        assert session.call("layers.borrow")["value"] == []
        module, dW = session.call("layers.trainer", x, call_options=trusted)["value"]
        assert module.endswith("trusted_layers") and dW == [[5.0], [10.0]]
        assert session.call("layers.borrow")["value"] == []


@pytest.mark.parametrize("level", ["bwrap", "landlock", "none"])
def test_an_import_of_the_trusted_layers_finds_nothing_at_every_level(
    tmp_path: Path, level: str
) -> None:
    """Importing them is an integrity finding and costs only the layer using them:
    the import itself succeeds (an empty module), whatever the level."""
    (tmp_path / "layers.py").write_text(READER)
    with StudentSession(tmp_path, ["layers"], SandboxConfig(level)) as session:
        assert session.call("layers.imported")["value"] == []
