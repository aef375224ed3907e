"""No value a student returns can raise inside a check: every check ends passed or failed.

A replay stands in for the student's process: the real worker (``runtime.worker``)
runs the reference in this process, and for each call hypothesis either keeps
its true reply, mutates it (a (1,) array for a scalar, an empty array, a
wrong tuple length, a string among the losses, ...) or replaces it by
arbitrary plain data (strings, ragged and nested lists, huge ints, 0-d, 1-d
and empty arrays, NaN, inf, bools, dicts), now and then an error report or a
malformed protocol field. Every reply goes through the real boundary:
``plaindata.encode`` as the worker would, then the session's own
``replies.decode_reply`` / ``checked_fields`` / ``error_from``, with the
reply caps applied; arguments go through the real shared memory.

The property: ``run_check`` of every public and hidden check returns
``passed`` or ``failed``, never ``error`` (a grader error).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from autograder.checks import run_check
from autograder.core.errors import StudentCrash, StudentReplyTooLarge
from autograder.core.results import ERROR, FAILED, PASSED
from autograder.grading.assignment import load_assignment
from autograder.isolation import replies
from autograder.isolation.calls import CallOptions
from autograder.isolation.policy import FinishedCall
from autograder.isolation.sandbox import SandboxConfig
from autograder.isolation.session import StudentSession
from autograder.isolation.shared import SharedArgs
from autograder.runtime import plaindata
from autograder.runtime.worker import Worker, reply_for

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "backprop"
ASSIGNMENT = load_assignment(SOLUTION, with_hidden=True)
CHECKS = {check.name: check for check in ASSIGNMENT.checks(include_hidden=True)}
TRAINING = {name for name in CHECKS if "train_xor" in name}

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
numbers = st.one_of(
    finite,
    st.sampled_from([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e308]),
    st.integers(-(2**70), 2**70),
    st.sampled_from([400, -1000, 1023, 5000]).map(lambda e: (-1) ** (e < 0) * 10 ** abs(e)),
)
# The wire carries each array's dtype code and raw bytes: a big-endian float64, a
# float16, a long double and a bool holding a byte other than 0 or 1 all arrive as such.
dtypes = st.sampled_from(
    ["<f8", "<f4", "<i8", "|u1", "|b1", "<c16", ">f8", "<f2", "<f16", ">i4", "raw bool"]
)
shapes = st.sampled_from([(), (0,), (1,), (2,), (4,), (1, 1), (2, 3), (0, 3), (4, 1), (5, 4)])


@st.composite
def arrays(draw: Any) -> np.ndarray:
    shape, dtype = draw(shapes), draw(dtypes)
    if dtype == "raw bool":
        size = int(np.prod(shape))
        return np.frombuffer(bytes([draw(st.integers(2, 255))] * size), "|b1").reshape(shape)
    values = draw(st.lists(finite | st.sampled_from([np.nan, np.inf]), min_size=1, max_size=1))
    with np.errstate(all="ignore"):
        array = np.full(shape, values[0]).astype(dtype)
    return array


scalars = st.builds(
    lambda v, kind: kind(v),
    st.floats(-1e6, 1e6),
    st.sampled_from([np.float64, np.float32, np.int64, np.bool_, np.complex128]),
)
leaves = st.one_of(
    st.none(), st.booleans(), numbers, st.text(max_size=8), arrays(), scalars, st.complex_numbers()
)
junk = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.sampled_from(["W1", "b1", "W2", "b2", "x", ""]), inner, max_size=4),
    ),
    max_leaves=12,
)


def mutations(value: Any) -> st.SearchStrategy[Any]:
    """Near misses of a true value: deep enough to reach every validation step."""
    options: list[st.SearchStrategy[Any]] = [st.just(value), junk]
    if isinstance(value, np.ndarray):
        options += [
            st.just(value.reshape((1, *value.shape))),
            st.just(value.ravel()),
            st.just(np.empty((0,))),
            st.just(value.astype(np.float32)),
            st.just(value.astype(">f8")),
            st.just(value.tolist()),
            st.just(np.full(value.shape, np.nan)),
        ]
    elif type(value) in (float, np.float64):
        options += [
            st.just(np.array([value])),
            st.just(np.empty(0)),
            st.just(np.array(value)),
            st.just(str(value)),
            st.just(400).map(lambda e: 10**e),
        ]
    elif type(value) in (tuple, list) and value:
        items = list(value)
        options += [
            st.just(type(value)(items[:-1])),
            st.just(type(value)([*items, items[0]])),
            st.integers(0, len(items) - 1).flatmap(
                lambda i: mutations(items[i]).map(
                    lambda new: type(value)([*items[:i], new, *items[i + 1 :]])
                )
            ),
        ]
    elif type(value) is dict and value:
        keys = sorted(value)
        options += [
            st.sampled_from(keys).flatmap(
                lambda k: mutations(value[k]).map(lambda new: {**value, k: new})
            ),
            st.sampled_from(keys).map(lambda k: {n: v for n, v in value.items() if n != k}),
        ]
    return st.one_of(options)


class ReplaySession(StudentSession):
    """A session whose 'process' is the real worker in this process, answers replaced at will."""

    def __init__(self, draw: Any) -> None:
        super().__init__(SOLUTION, ["layers", "xor"], SandboxConfig("none"))
        self.draw = draw
        self.worker = Worker()
        self.cache: dict[bytes, bytes] = {}

    def _start(self) -> None:
        shared = SharedArgs(16 << 20)  # the cost checks pass arrays of a few MiB
        self.process = SimpleNamespace(shared=shared)  # type: ignore[assignment]
        self._load()

    def close(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            process.shared.close()

    def take_output(self) -> str:
        return ""

    def _exchange(
        self, request: dict[str, Any], function: str, options: CallOptions = CallOptions()
    ) -> dict[str, Any]:
        assert self.process is not None
        if function != "import":
            self._calls_in_check += 1
        call_key = function if function == "import" else f"{self.check_name}#{self._calls_in_check}"
        self.last_cpu_seconds = 0.0  # a replay costs nothing: cost checks see a fast call
        cap = self.reply_policy.cap(call_key)
        payload = self.answer(request)
        self.limits.calls.append(FinishedCall(call_key, function, 0.0, 0.0, len(payload)))
        if len(payload) > cap:
            self.close()
            raise StudentReplyTooLarge(function, len(payload), cap)
        reply = replies.decode_reply(payload, function, cap)
        if reply["ok"]:
            return replies.checked_fields(reply, str(request.get("op")), function)
        raise replies.error_from(reply.get("error"), function)

    def answer(self, request: dict[str, Any]) -> bytes:
        """The worker's true reply to ``request``, or what hypothesis makes of it."""
        if request["op"] == "load":
            return reply_for(self.worker, plaindata.decode(plaindata.encode(request)))
        true = plaindata.decode(self.true_reply(request))
        choice = self.draw(st.sampled_from(["true", "true", "mutated", "junk", "error", "field"]))
        if choice == "mutated" and "value" in true:
            true["value"] = self.draw(mutations(true["value"]))
        elif choice == "junk":
            true = {"ok": True, **true, "value": self.draw(junk)}
        elif choice == "error":
            true = {"ok": False, "error": self.draw(junk)}
        elif choice == "field":
            true = {**true, self.draw(st.sampled_from(["handle", "value", "ok"])): self.draw(junk)}
        try:
            return plaindata.encode(true)
        except Exception:  # noqa: BLE001 - the real worker dies on what it cannot encode
            raise StudentCrash(request.get("target", "call"), None) from None

    def true_reply(self, request: dict[str, Any]) -> bytes:
        """The reference's reply (train_xor's cached: the same call, the same answer)."""
        key = b""
        if "xor.train_xor" == request.get("target"):
            memory = self.process.shared  # type: ignore[union-attr]
            key = plaindata.encode({k: v for k, v in request.items() if k != "shared"})
            key += b"".join(memory.read(s).tobytes() for s in self._slots(request))
            if key in self.cache:
                return self.cache[key]
        payload = reply_for(self.worker, plaindata.decode(plaindata.encode(request)))
        if key:
            self.cache[key] = payload
        return payload

    def _slots(self, request: dict[str, Any]) -> list[Any]:
        from autograder.isolation.shared import Slot

        return [Slot(tuple(p), o, d, tuple(s)) for p, o, d, s in request.get("shared", [])]


@pytest.fixture(scope="module", autouse=True)
def reference_modules() -> Any:
    """The worker imports the reference as ``layers``/``xor``: put sys back afterwards."""
    saved = {name: sys.modules.pop(name) for name in ("layers", "xor") if name in sys.modules}
    path = list(sys.path)
    yield
    for name in ("layers", "xor"):
        sys.modules.pop(name, None)
    sys.modules.update(saved)
    sys.path[:] = path


def settings_for(name: str) -> settings:
    return settings(
        max_examples=8 if name in TRAINING else 20,
        deadline=None,  # correctness, not speed: CI machines are loaded
        suppress_health_check=list(HealthCheck),
        derandomize=False,
    )


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_every_check_ends_passed_or_failed(name: str) -> None:
    check = CHECKS[name]

    @settings_for(name)
    @given(data=st.data(), seed=st.integers(0, 3))
    def run(data: Any, seed: int) -> None:
        with ReplaySession(data.draw) as session:
            result = run_check(check, session, seed)
        event(result.status)
        assert result.status != ERROR, result.message

    run()


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_the_replay_of_true_replies_passes_every_check(name: str) -> None:
    """The property is not vacuous: unaltered, the replay is the reference, full marks."""
    with ReplaySession(lambda strategy: "true") as session:
        result = run_check(CHECKS[name], session, 0)
    assert result.status == PASSED, result.message


# Replies the issue found making checks raise (a grader error): each is now a failed
# check with a message. (check, the call whose reply is replaced, the reply.)
HOSTILE = [
    ("train_xor matches gradient descent after 10 epochs", "losses", [0.1] * 9 + ["x"]),
    ("train_xor matches gradient descent after 10 epochs", "losses", [[0.1], [0.1, 0.2]] * 5),
    ("train_xor matches gradient descent after 10 epochs", "losses", [10**400] * 10),
    ("hidden: train_xor matches the reference trainer on hidden seeds", "losses", [2**2000]),
    ("train_xor learns XOR with its default lr and epochs (seeds 1, 2, 3)", "losses", "abc"),
    ("SigmoidLayer reproduces the slides' single neuron: dL/dv = 0.13", "backward", np.empty(0)),
    ("SigmoidLayer reproduces the slides' single neuron: dL/dv = 0.13", "backward", np.ones(1)),
    (
        "MultiplyLayer reproduces the slides' single neuron: dL/dw and one step",
        "backward",
        (np.full((1,), -0.013), 0.0),
    ),
    ("hidden: MultiplyLayer works on NumPy scalars and 0-d arrays", "forward", np.ones((2, 2))),
    ("hidden: AffineLayer matches the reference on edge shapes (N=1, D=1, M=1)", "forward", 7),
]


@pytest.mark.parametrize(("name", "where", "reply"), HOSTILE)
def test_the_replies_that_made_checks_raise_now_fail_them(
    name: str, where: str, reply: Any
) -> None:
    def draw(strategy: Any) -> Any:
        return "replace"

    class Hostile(ReplaySession):
        def answer(self, request: dict[str, Any]) -> bytes:
            payload = super().answer(request)
            if request["op"] != "call":
                return payload
            true = plaindata.decode(payload)
            if where == "losses" and request["target"] == "xor.train_xor":
                true["value"] = (true["value"][0], reply)
            elif request.get("method") == where:
                true["value"] = reply
            return plaindata.encode(true)

    with Hostile(lambda strategy: "true") as session:
        result = run_check(CHECKS[name], session, 0)
    assert result.status == FAILED and result.message


def test_one_array_named_many_times_fails_the_check_without_costing_the_grader() -> None:
    """A forged reply to train_xor whose losses name one 14 MiB array 70,000 times
    (16 MiB on the wire, within the cap) stood for 0.9 TiB of losses: ``as_numbers``
    raised MemoryError inside the grader. Decoding now refuses the second reference."""
    losses = np.zeros(14 << 17)  # 14 MiB

    class Aliasing(ReplaySession):
        def answer(self, request: dict[str, Any]) -> bytes:
            payload = super().answer(request)
            if request.get("target") != "xor.train_xor":
                return payload
            true = plaindata.decode(payload)
            params = plaindata.encode(true["value"][0])  # the true trained params, re-laid
            header_size = int.from_bytes(params[:8], "little")
            params_skeleton, params_table = json.loads(params[8 : 8 + header_size])
            refs = [{"array": len(params_table)}] * 70_000
            value = {"tuple": [params_skeleton, {"list": refs}]}
            skeleton = {"dict": [["ok", True], ["value", value]]}
            table = [*params_table, ["<f8", [losses.size]]]
            header = json.dumps([skeleton, table]).encode()
            arrays = params[8 + header_size :] + losses.tobytes()
            return len(header).to_bytes(8, "little") + header + arrays

    with Aliasing(lambda strategy: "true") as session:
        result = run_check(CHECKS["train_xor matches gradient descent after 1 epoch"], session, 0)
    assert result.status == FAILED and "referenced once" in result.message
