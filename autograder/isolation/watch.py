"""One call into a student's code, watched until its reply is read whole.

A call's limit is CPU time summed over every process of the student (so a
busy machine never times out correct code, and busy children count). The
clock runs from the request until the last byte of the reply, so a reply
trickled out slowly is part of the call. Whatever happens, a call ends at a
wall cap of ``WALL_FACTOR`` x its limit + ``WALL_SLACK`` seconds; only the
time the worker waited for a CPU *while the student had no other live
process* extends it (a busy machine's excuse that a student's own busy
children never earn). The call also ends when the student's processes
together hold more than its memory, its scratch folder more than its disk
allowance, or the submission's whole budget is spent.

The *cost* of a call to the batch is max(wall time not excused, CPU time):
what a budget for the whole submission caps, however its sleeps are spread.
"""

from __future__ import annotations

import os
import select
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.core.errors import (
    StudentCpuTimeout,
    StudentError,
    StudentOverBudget,
    StudentOverLimit,
    StudentTimeout,
)
from autograder.isolation.accounting import StudentProcesses, Usage, folder_bytes

WALL_FACTOR = 3.0
WALL_SLACK = 1.0
POLL_SECONDS = 0.05  # between two looks at the student's processes
HEADER_BYTES = 8
CHUNK = 1 << 20


class Overrun(Exception):
    """The call went past a limit: ``kind`` is cpu, wall, memory, disk or budget."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class ReplyTooLarge(EOFError):
    """The student announced a reply above the cap: it is never read."""

    def __init__(self, size: int, cap: int) -> None:
        super().__init__(f"a reply of {size} bytes exceeds {cap}")
        self.size, self.cap = size, cap


@dataclass
class Watch:
    """The limits of one call and what it used so far."""

    processes: StudentProcesses
    limit: float  # CPU seconds
    budget_left: float  # seconds of cost the submission may still spend
    memory: int  # bytes, all processes together
    scratch: Path | None = None  # checked for size when the sandbox does not cap it
    scratch_bytes: int = 0
    started: float = field(default_factory=time.perf_counter)
    start: Usage = field(init=False)
    last: Usage = field(init=False)
    excused: float = 0.0
    next_look: float = 0.0

    def __post_init__(self) -> None:
        # The student as last measured (the end of its previous call): whatever
        # it ran since, in a thread or a child, counts towards this call. One
        # look per call, at its end, is then enough for a short call.
        self.start = self.last = self.processes.last
        self.next_look = self.started + POLL_SECONDS

    @property
    def cpu(self) -> float:
        return self.last.cpu - self.start.cpu

    @property
    def wall(self) -> float:
        return time.perf_counter() - self.started

    @property
    def cost(self) -> float:
        """What the call cost the batch so far: wall time not excused, or CPU time."""
        return max(self.wall - self.excused, self.cpu)

    def look(self, force: bool = False) -> None:
        """Measure the student (at most every POLL_SECONDS); Overrun past a limit."""
        now = time.perf_counter()
        if now < self.next_look and not force:
            return
        self.next_look = now + POLL_SECONDS
        usage = self.processes.scan()
        if usage.others == 0 and self.last.others == 0:
            self.excused += max(usage.run_delay - self.last.run_delay, 0.0)
        self.last = usage
        if usage.rss > self.memory:
            raise Overrun("memory")
        if self.scratch is not None and folder_bytes(self.scratch) > self.scratch_bytes:
            raise Overrun("disk")
        if self.cost > self.budget_left:
            raise Overrun("budget")
        if self.cpu >= self.limit:
            raise Overrun("cpu")
        if self.wall >= self.wall_cap:
            raise Overrun("wall")

    @property
    def wall_cap(self) -> float:
        return WALL_FACTOR * self.limit + WALL_SLACK + self.excused

    def wait(self, fd: int, writing: bool = False) -> bool:
        """Wait until ``fd`` is ready or the next look is due (which it takes).

        EOFError when nothing is ready and the worker has died: its children
        may hold the pipe open, and a crash must not pass for a timeout.
        """
        self.look()
        delay = max(self.next_look - time.perf_counter(), 0.0)
        ready = select.select([] if writing else [fd], [fd] if writing else [], [], delay)
        if not (ready[0] or ready[1]) and not self.last.worker_alive:
            raise EOFError
        return bool(ready[0] or ready[1])


def send(fd: int, payload: bytes, watch: Watch) -> None:
    """Write a framed message to a non-blocking pipe, under the call's limits."""
    view = memoryview(len(payload).to_bytes(HEADER_BYTES, "little") + payload)
    while view:
        watch.look()  # due only every POLL_SECONDS: a pipe with room costs no wait
        try:
            view = view[os.write(fd, view[:CHUNK]) :]
        except BlockingIOError:
            watch.wait(fd, writing=True)


def receive(fd: int, watch: Watch, cap: int) -> bytes:
    """Read one framed message whole from a non-blocking pipe, under the call's limits.

    EOFError when the pipe closes first; ReplyTooLarge when the announced
    size is above ``cap`` (the grader never reads or allocates it). What is
    already in the pipe is read without a wait (a reply's body follows its
    header at once), straight into one buffer of the announced size: the
    grader's own cost per call is part of every batch.
    """
    header = bytearray(HEADER_BYTES)
    _fill(fd, watch, memoryview(header))
    size = int.from_bytes(header, "little")
    if size > cap:
        raise ReplyTooLarge(size, cap)
    body = bytearray(size)
    _fill(fd, watch, memoryview(body))
    watch.look(force=True)
    return body  # type: ignore[return-value]  # read as bytes, never changed


def _fill(fd: int, watch: Watch, view: memoryview) -> None:
    """Read into ``view`` until it is full; EOFError when the pipe closes first."""
    filled = 0
    while filled < len(view):
        watch.look()
        try:
            count = os.readv(fd, [view[filled : filled + CHUNK]])
        except BlockingIOError:
            watch.wait(fd)
            continue
        if count == 0:
            raise EOFError
        filled += count


def overrun_error(
    kind: str, function: str, limit: float, budget: float, memory: int, disk: int
) -> StudentError:
    """What ``kind`` of overrun of a call to ``function`` is, for the student."""
    if kind == "budget":
        return StudentOverBudget(function, budget)
    if kind in ("memory", "disk"):
        return StudentOverLimit(function, kind, memory if kind == "memory" else disk)
    if kind == "cpu":
        return StudentCpuTimeout(function, limit)
    # the wall cap: sleeping, blocked, or a reply trickled out
    return StudentTimeout(function, WALL_FACTOR * limit + WALL_SLACK)
