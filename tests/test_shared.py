"""Call arguments in shared memory: what a call did to them is read by the grader.

The memory file is sealed before the student's process inherits it, views of
it are what the student's code receives, and the grader's reading after the
call is what checks see as ``args_after`` and ``peek``, whatever the worker
reports.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import numpy as np
import pytest

from autograder.core.errors import StudentCrash
from autograder.isolation.sandbox import SandboxConfig
from autograder.isolation.session import StudentSession, TimeoutPolicy
from autograder.isolation.shared import SharedArgs
from autograder.runtime.shared import SharedViews, place

QUICK = TimeoutPolicy(factor=1.0, floor=2.0, default=2.0, per_function={"import": 30.0})

STUDENT = """
import copy
import sys

import numpy as np


def scale(x, params, factor):
    x *= factor
    params["W"][0, 0] = -1.0
    return float(x.sum())


def keep(x):
    return float(np.sum(x))


class Layer:
    def forward(self, x):
        self.x = x
        return x

    def backward(self, d):
        self.x *= 2.0  # changes the cached input in place
        return d


# A worker patched to report every argument as it was before the call.
worker = sys.modules.get("autograder_runtime.worker")
if worker is not None:
    honest = worker.Worker.call

    def lying(self, request):
        args, kwargs = request["args"], request["kwargs"]
        if self.shared is not None and request.get("shared"):
            args, kwargs = worker.place(args, kwargs, request["shared"], self.shared)
        pristine = copy.deepcopy(args)
        reply = honest(self, {**request, "args": args, "kwargs": kwargs, "shared": []})
        reply["args_after"] = pristine
        return reply

    worker.Worker.call = lying
"""


@pytest.fixture
def session(tmp_path: Path):
    folder = tmp_path / "s"
    folder.mkdir()
    folder.chmod(0o755)
    (folder / "student.py").write_text(STUDENT)
    with StudentSession(folder, ["student"], SandboxConfig("none"), QUICK) as student:
        student.begin_check("a check")
        yield student


def test_the_memory_is_sealed_against_shrinking_and_growing() -> None:
    shared = SharedArgs(1 << 16)
    try:
        for size in (0, 1 << 20):
            with pytest.raises(OSError) as refused:
                os.ftruncate(shared.fd, size)
            assert refused.value.errno == errno.EPERM
    finally:
        shared.close()


def test_in_place_changes_through_views_are_read_back() -> None:
    shared = SharedArgs(1 << 16)
    try:
        x, params = np.arange(6.0).reshape(2, 3), {"W": np.ones((2, 2)), "n": 3}
        scalar = np.array(2.5)
        placed = shared.place([x, (scalar, 1.0)], {"params": params})
        sent = shared.request_fields(placed)
        assert sent["args"][0] is None and sent["kwargs"]["params"]["W"] is None
        views = SharedViews(shared.fd, shared.size)
        args, kwargs = place(sent["args"], sent["kwargs"], sent["shared"], views)
        assert type(args[1]) is tuple and args[1][0].shape == () and args[1][1] == 1.0
        args[0] *= 10
        kwargs["params"]["W"][1, 1] = 7.0
        args[1][0][()] = -1.0
        now, now_kwargs = shared.observed(placed)
        assert np.array_equal(now[0], x * 10) and now[1][0] == -1.0
        assert now_kwargs["params"]["W"][1, 1] == 7.0 and now_kwargs["params"]["n"] == 3
        assert np.array_equal(x, np.arange(6.0).reshape(2, 3))  # the check's own, untouched
        assert params["W"][1, 1] == 1.0
    finally:
        shared.close()


def test_a_lying_worker_is_not_believed(session: StudentSession) -> None:
    x, params = np.ones(3), {"W": np.zeros((2, 2))}
    reply = session.call("student.scale", x, params, 3.0)
    assert np.array_equal(reply["args_after"][0], 3 * np.ones(3))
    assert reply["args_after"][1]["W"][0, 0] == -1.0
    assert np.array_equal(reply["args_reported"][0], np.ones(3))  # the lie, kept apart
    assert np.array_equal(x, np.ones(3)) and params["W"][0, 0] == 0.0


def test_peek_reads_a_cached_input_changed_by_a_later_call(session: StudentSession) -> None:
    handle = session.new("student.Layer")
    forward = session.call("student.Layer", np.ones(2), handle=handle, method="forward")
    session.call("student.Layer", np.zeros(2), handle=handle, method="backward")
    assert np.array_equal(session.peek(forward["call"])["args"][0], [2.0, 2.0])


def test_call_ids_are_the_graders_and_end_with_their_check(session: StudentSession) -> None:
    first = session.call("student.keep", np.ones(2))["call"]
    second = session.call("student.keep", np.ones(2))["call"]
    assert second == first + 1
    session.begin_check("another check")
    with pytest.raises(StudentCrash):
        session.peek(first)
