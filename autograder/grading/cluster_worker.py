"""What runs on a Dask worker: one shipped submission graded as the local pool would.

A task (``grade_parcel``) carries the submission's bytes, the assignment
folder's bytes and the calibrated options (see ``cluster``, the client). The
worker unpacks the assignment once per process, takes a sandbox slot no
other task on its machine holds, and runs ``one.grade_one``. What it sends
back is made plain (``transportable``), so the client can always unpickle it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from distributed import get_client, get_worker

from autograder import __version__
from autograder.core.results import Report, plain
from autograder.core.tempdirs import temporary_folder
from autograder.grading.assignment import Assignment, load_assignment
from autograder.grading.one import grade_one
from autograder.grading.parcels import Parcel, unpack_folder, unpack_submission
from autograder.grading.runner import GradeOptions
from autograder.isolation.levels import landlock_problem
from autograder.isolation.sandbox import bwrap_problem

# Sandbox slots of cluster tasks start here, apart from the local pool's 0..jobs-1,
# so a machine that also grades locally never gives two students one uid.
FIRST_SLOT = 1000
MAX_SLOTS = 1000
SLOT_DIR = Path(tempfile.gettempdir()) / "autograder-slots"
NUMPY_SCALARS = frozenset(np.dtype(c).type for c in "?bhilqBHILQefdgFDG")
LEDGER = "autograder-spent"

_ASSIGNMENTS: dict[str, tuple[Assignment, tempfile.TemporaryDirectory[str]]] = {}
_ASSIGNMENTS_LOCK = threading.Lock()


def _assignment(name: str, bundle: bytes) -> Assignment:
    """The shipped assignment, unpacked and loaded once per worker process.

    Its folder (0700, removed when the worker exits) is kept: the hidden
    checks load the reference that lives beside them.
    """
    key = hashlib.sha256(bundle).hexdigest()
    with _ASSIGNMENTS_LOCK:
        if key not in _ASSIGNMENTS:
            home = temporary_folder("assignment")
            folder = unpack_folder(bundle, Path(home.name) / name)
            _ASSIGNMENTS[key] = (load_assignment(folder), home)
        return _ASSIGNMENTS[key][0]


@contextlib.contextmanager
def sandbox_slot() -> Iterator[int]:
    """A slot no other task on this machine holds (its uid in the sandbox).

    An exclusive ``flock`` per slot file: it works across the worker processes
    of one machine and the threads of one worker, and the kernel releases it
    when a worker dies, so a killed worker never leaks its slot.
    """
    SLOT_DIR.mkdir(mode=0o700, exist_ok=True)
    for number in range(MAX_SLOTS):
        fd = os.open(SLOT_DIR / f"{number}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            yield FIRST_SLOT + number
        finally:
            os.close(fd)
        return
    raise RuntimeError(f"all {MAX_SLOTS} sandbox slots of this machine are in use")


@dataclass(frozen=True)
class SchedulerLedger:
    """Each submission's spending of its budget, kept by the Dask scheduler.

    Stored in the scheduler's metadata under the task's own key: a task
    retried on another worker (its worker died) keeps its key, so the retry
    reads what the earlier attempts recorded. A few bytes per submission
    stay on the scheduler until it stops.
    """

    def spent(self, key: str) -> float:
        try:
            return float(get_client().get_metadata([LEDGER, key], default=0.0))
        except (OSError, ValueError, TypeError):
            return 0.0

    def record(self, key: str, seconds: float) -> None:
        with contextlib.suppress(OSError):
            get_client().set_metadata([LEDGER, key], seconds)


def grade_parcel(
    parcel: Parcel, assignment_name: str, bundle: bytes, options: GradeOptions, version: str
) -> tuple[Report, str]:
    """A Dask task: grade one shipped submission exactly as the local pool would."""
    if version != __version__:
        raise RuntimeError(f"this worker runs autograder {__version__}, the client {version}")
    assignment = _assignment(assignment_name, bundle)
    key = str(get_worker().get_current_task())  # the same for every retry of the task
    submission, tree = unpack_submission(parcel)
    with sandbox_slot() as slot:
        report, error = grade_one(submission, assignment, options, slot, tree, key)
    results = tuple(replace(r, data=transportable(r.data)) for r in report.results)
    return replace(report, results=results), error


def transportable(value: Any) -> Any:
    """``value`` with whatever the client may not unpickle made plain (``results.plain``).

    A check's report data should be numbers and arrays, but an object of a
    class defined in a checks file would be pickled by reference to the
    worker's private module name for that file, which the client does not
    have: one such value would turn every student into a grader error.
    """
    kind = type(value)
    if kind is dict:
        return {k if type(k) in (str, int) else str(k): transportable(v) for k, v in value.items()}
    if kind in (list, tuple):
        return kind(transportable(v) for v in value)
    if value is None or kind in (bool, int, float, complex, str):
        return value
    if kind is np.ndarray and value.dtype.kind in "biufc" or kind in NUMPY_SCALARS:
        return value
    return plain(value)


def worker_facts() -> dict[str, Any]:
    """What the client checks on every worker before sending work."""
    levels = {"none": "", "bwrap": bwrap_problem(), "landlock": landlock_problem()}
    return {"version": __version__, "isolation": levels}
