"""Call arguments in memory the grader reads itself: what a call did to them is observed.

Whether ``train_xor`` changed the arrays it was given, or a layer's
``backward`` changed its upstream gradient or the inputs ``forward`` cached,
cannot be taken from the student's process: its worker may report anything.
So the arrays a check passes live in a memory file the grader creates
(``memfd_create``), sized once and sealed against shrinking and growing
before the student's process inherits it. The worker maps it and hands the
student's code NumPy views of it (``runtime.shared``), so an in-place change
by the student's code is a change of that memory, and the grader reads the
arrays back with ``os.pread`` after the call (and again later, for ``peek``).

The grader never maps the file: a student who could shrink a mapped file
would crash the grader with SIGBUS; the seals make shrinking impossible, and
``pread`` could only return short reads, never fault. What stays the
student's word is what lives only in the student's process: a dict argument
whose entries were rebound (``params["W1"] = ...``), or an object's own
cache; the worker's account of those is passed on as ``args_reported``.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder.core.errors import AutograderError

ALIGN = 64
MAX_BYTES = 64 << 20  # also at most an eighth of the student's memory limit
SEALS = fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SEAL
Path = tuple[Any, ...]  # ("args", 2, "W1"): where an array sits in a call's arguments


@dataclass(frozen=True)
class Slot:
    """One array of a call, at ``offset`` in the shared memory."""

    path: Path
    offset: int
    dtype: str
    shape: tuple[int, ...]

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * np.dtype(self.dtype).itemsize

    def wire(self) -> list[Any]:
        return [list(self.path), self.offset, self.dtype, list(self.shape)]


@dataclass(frozen=True)
class Placed:
    """A call's arguments as the check gave them, and where their arrays live."""

    args: list[Any]
    kwargs: dict[str, Any]
    slots: tuple[Slot, ...]


def arrays_in(value: Any, path: Path) -> Iterator[tuple[Path, np.ndarray]]:
    """Every ndarray inside ``value`` (lists, tuples, dicts), with its path."""
    if type(value) is np.ndarray:
        yield path, value
    elif type(value) in (list, tuple):
        for index, item in enumerate(value):
            yield from arrays_in(item, (*path, index))
    elif type(value) is dict:
        for key, item in value.items():
            yield from arrays_in(item, (*path, key))


def replaced(value: Any, path: Path, new: Any) -> Any:
    """``value`` with the item at ``path`` replaced; containers along it copied."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if type(value) is dict:
        return {**value, head: replaced(value[head], rest, new)}
    items = list(value)
    items[head] = replaced(items[head], rest, new)
    return tuple(items) if type(value) is tuple else items


class SharedArgs:
    """The memory file of one student process, and the calls placed in it."""

    def __init__(self, size: int = MAX_BYTES) -> None:
        self.size = size
        self.fd = os.memfd_create("autograder-args", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        os.ftruncate(self.fd, size)
        fcntl.fcntl(self.fd, fcntl.F_ADD_SEALS, SEALS)
        self.used = 0
        self.calls: dict[int, Placed] = {}
        self.next_id = 0

    def share_fields(self) -> list[int]:
        """What a load request tells the worker to map: the inherited fd, its size."""
        return [self.fd, self.size]

    def place(self, args: list[Any], kwargs: dict[str, Any]) -> Placed:
        """Copy each array of the call into the file; the arguments themselves stay as given."""
        slots = []
        for path, array in arrays_in({"args": list(args), "kwargs": dict(kwargs)}, ()):
            data = np.asarray(array, order="C")  # (ascontiguousarray makes 0-d arrays 1-d)
            offset = -(-self.used // ALIGN) * ALIGN
            if offset + data.nbytes > self.size:
                raise AutograderError(
                    f"a check passes more than {self.size >> 20} MiB of arrays in one check; "
                    "the shared argument memory cannot hold them"
                )
            os.pwrite(self.fd, data.tobytes(), offset)
            self.used = offset + data.nbytes
            slots.append(Slot(path, offset, data.dtype.str, tuple(data.shape)))
        return Placed(list(args), dict(kwargs), tuple(slots))

    def request_fields(self, placed: Placed) -> dict[str, Any]:
        """``args``/``kwargs`` with each shared array replaced by None, and the slots."""
        sent: Any = {"args": placed.args, "kwargs": placed.kwargs}
        for slot in placed.slots:
            sent = replaced(sent, slot.path, None)
        return {**sent, "shared": [slot.wire() for slot in placed.slots]}

    def call(
        self, request: dict[str, Any], exchange: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> dict[str, Any]:
        """Make the call ``request`` through ``exchange`` with its arrays in the memory.

        The reply's ``args_after``/``kwargs_after`` are the grader's reading of
        the memory after the call; the worker's own account of them is kept as
        ``args_reported``/``kwargs_reported``; ``call`` is the grader's id.
        """
        placed = self.place(request["args"], request["kwargs"])
        reply = exchange({**request, **self.request_fields(placed)})
        args, kwargs = self.observed(placed)
        return {
            **reply,
            "args_reported": reply.get("args_after"),
            "kwargs_reported": reply.get("kwargs_after"),
            "args_after": args,
            "kwargs_after": kwargs,
            "call": self.remember(placed),
        }

    def read(self, slot: Slot) -> np.ndarray:
        """The array as the memory holds it now (a copy the grader owns)."""
        data = os.pread(self.fd, slot.nbytes, slot.offset)
        if len(data) != slot.nbytes:  # cannot happen to a sealed file: say so if it does
            raise AutograderError("the shared argument memory was cut short")
        return np.frombuffer(data, dtype=slot.dtype).reshape(slot.shape).copy()

    def observed(self, placed: Placed) -> tuple[list[Any], dict[str, Any]]:
        """The call's arguments with every array read back from the memory."""
        now: Any = {"args": placed.args, "kwargs": placed.kwargs}
        for slot in placed.slots:
            now = replaced(now, slot.path, self.read(slot))
        return now["args"], now["kwargs"]

    def remember(self, placed: Placed) -> int:
        """A call id of the grader's own (the worker's id is never trusted)."""
        call_id, self.next_id = self.next_id, self.next_id + 1
        self.calls[call_id] = placed
        return call_id

    def reset(self) -> None:
        """A new check: its calls start over at the beginning of the memory.

        Objects live within one check (``Context.new``), so no later call
        peeks at an earlier check's arguments.
        """
        self.used = 0
        self.calls.clear()

    def close(self) -> None:
        os.close(self.fd)
