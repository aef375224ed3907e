"""Declaring checks and running them against one student session.

An assignment's checks module creates a ``CheckSuite`` and decorates plain
functions with ``@suite.check(name, points)``. Each check receives a
``Context``: the student's session (to call their code), a seeded random
generator, and the trusted reference module when the grader has one. A check
passes by returning and fails by raising ``CheckFailed``; any ``StudentError``
(exception, timeout, crash) fails it with that error's message. Every check
is independent, so one failure never hides another.
"""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograder.checks.findings import findings
from autograder.core.errors import CheckFailed, StudentError, StudentImportFailure
from autograder.core.results import ERROR, FAILED, PASSED, CheckResult
from autograder.isolation.calls import CallOptions
from autograder.isolation.session import StudentSession

CheckFunction = Callable[["Context"], None]


@dataclass(frozen=True)
class FromReference:
    """Data a check expects, which the reference's own run of the same check records.

    Where the grader has graded the reference (calibration: a batch,
    Gradescope), the value is the reference's ``key`` datum of this check,
    computed once per batch by the reference's own code; elsewhere (a
    student's `check --html`) ``compute`` makes it, only when a page needs it.
    """

    key: str
    compute: Callable[[], Any]


@dataclass(frozen=True)
class Check:
    name: str
    component: str
    points: float
    function: CheckFunction
    hidden: bool = False
    # Components whose code this check also runs (e.g. the trainer on the
    # student's own layers): while one of their checks fails, this one is not
    # scored (see gates.py), so that mistake costs only its own component.
    requires: tuple[str, ...] = ()
    # Runs the student's code on the runtime's trusted classes: executed after the
    # checks of the student's own code (see gates.run_checks), since the student's
    # process is restarted before its own code runs again after such a call.
    trusted: bool = False


class RemoteObject:
    """An instance of a student's class living in the student's process."""

    def __init__(self, session: StudentSession, target: str) -> None:
        self.session = session
        self.target = target
        self.handle = session.new(target)

    def call(self, method: str, *args: Any, options: CallOptions = CallOptions()) -> dict[str, Any]:
        """The full reply: ``value``, ``args_after``, ``call`` (id for ``peek``)."""
        return self.session.call(
            self.target, *args, handle=self.handle, method=method, call_options=options
        )

    def __getattr__(self, method: str) -> Callable[..., Any]:
        if method.startswith("_"):
            raise AttributeError(method)
        return lambda *args: self.call(method, *args)["value"]


@dataclass
class Context:
    """What a check works with."""

    student: StudentSession
    rng: np.random.Generator
    seed: int
    reference: dict[str, Any] | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def record(self, key: str, value: Any) -> None:
        """Keep plain data for reports (e.g. a loss curve); never hidden inputs.

        ``value`` may be a zero-argument callable: it is evaluated only when a
        report needs the data (``GradeOptions.report_data``), so an expensive
        curve costs nothing in a plain `autograder check`.
        """
        self.data[key] = value

    def record_expected(self, key: str, reference_key: str, compute: Callable[[], Any]) -> None:
        """Record ``key``: what the reference records as ``reference_key`` in this check
        (e.g. its own loss curve as the expected one), else ``compute()`` (see
        ``FromReference``). Only for data that does not depend on the student."""
        self.data[key] = FromReference(reference_key, compute)

    def new(self, target: str) -> RemoteObject:
        return RemoteObject(self.student, target)

    def call(
        self, target: str, *args: Any, options: CallOptions = CallOptions(), **kwargs: Any
    ) -> dict[str, Any]:
        """``kwargs`` go to the student's function; ``options`` to the session."""
        return self.student.call(target, *args, call_options=options, **kwargs)


class CheckSuite:
    """The checks of one assignment (public or hidden), in declaration order."""

    def __init__(
        self,
        assignment: str,
        modules: tuple[str, ...],
        components: tuple[str, ...],
        hidden: bool = False,
        timeouts: dict[str, float] | None = None,
    ) -> None:
        self.assignment = assignment
        self.modules = modules
        self.components = components
        self.hidden = hidden
        self.timeouts = dict(timeouts or {})
        self.checks: list[Check] = []
        # The hidden checks' points in all, written by the release into the public
        # suite students get (``distribution.public_stamp``): their total only.
        self.hidden_points = 0.0
        self.preparations: list[Callable[[int], None]] = []

    def prepare(self, function: Callable[[int], None]) -> Callable[[int], None]:
        """Register work every grading with a seed needs and no student changes (e.g.
        the expected runs of trajectory checks, cached by the checks module; it is
        given the grading's seed, from which the checks draw their inputs): a batch's
        pool process does it when it starts, while the batch calibrates."""
        self.preparations.append(function)
        return function

    def check(
        self, name: str, points: float, requires: tuple[str, ...] = (), trusted: bool = False
    ) -> Callable[[CheckFunction], CheckFunction]:
        """Register a check; ``requires``: components whose code it also runs;
        ``trusted``: it calls the student's code with trusted classes swapped in."""
        component = next((c for c in self.components if c in name), None)
        if component is None:
            raise ValueError(f"check name {name!r} names none of {self.components}")
        if any(existing.name == name for existing in self.checks):
            raise ValueError(f"two checks are named {name!r}")
        if set(requires) - set(self.components):
            raise ValueError(f"check {name!r} requires components not in {self.components}")

        def register(function: CheckFunction) -> CheckFunction:
            check = Check(name, component, points, function, self.hidden, tuple(requires), trusted)
            self.checks.append(check)
            return function

        return register


def check_seed(seed: int, name: str) -> int:
    """A per-check seed: stable across runs and independent of check order."""
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def run_check(
    check: Check,
    session: StudentSession,
    seed: int,
    reference: dict[str, Any] | None = None,
) -> CheckResult:
    """Run one check; whatever happens, return a result."""
    session.begin_check(check.name)
    rng = np.random.default_rng(check_seed(seed, check.name))
    context = Context(session, rng, seed, reference)
    status, message, failed, not_run = PASSED, "", None, False
    try:
        check.function(context)
    except CheckFailed as failure:
        status, message, failed = FAILED, str(failure), failure
    except StudentImportFailure as error:
        status, message, not_run = FAILED, error.message, True
    except StudentError as error:
        status, message = FAILED, error.message
    except Exception:  # a bug in a check: recorded, never fatal
        status, message = ERROR, "internal grader error:\n" + traceback.format_exc(limit=-3)
    points = float(check.points) if status == PASSED else 0.0
    found = findings(failed, message, check.hidden, session.folder, session.modules)
    return CheckResult(
        name=check.name,
        component=check.component,
        points=points,
        max_points=float(check.points),
        status=status,
        message=found.message,
        hidden=check.hidden,
        output=session.take_output(),
        diagnosis=found.diagnosis,
        mistake=failed.mistake if failed is not None else "",
        data=context.data,
        where=found.where,
        hint=found.hint,
        not_run=not_run,
    )
