"""The student's side of the shared argument memory: arrays handed over as views of it.

The grader writes each array argument of a call into a memory file it
created and sealed (``isolation.shared``), and sends where each one lies.
The worker maps that file once and gives the student's code NumPy arrays
that *are* that memory, so whatever the code does to its arguments in place
the grader reads back itself. Nothing here is trusted: a student's code may
replace it, and gains nothing by it (unmapped, its arguments never arrive).
"""

from __future__ import annotations

import mmap
from typing import Any

import numpy as np


class SharedViews:
    """The mapped memory file, and views of its arrays."""

    def __init__(self, fd: int, size: int) -> None:
        self.memory = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)

    def array(self, offset: int, dtype: str, shape: list[int]) -> np.ndarray:
        count = int(np.prod(shape, dtype=np.int64))
        view = np.frombuffer(self.memory, dtype=np.dtype(dtype), count=count, offset=offset)
        return view.reshape(tuple(shape))


def _put(value: Any, path: list[Any], new: Any) -> Any:
    """``value`` with the item at ``path`` set to ``new`` (tuples rebuilt)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if type(value) is tuple:
        items = list(value)
        items[head] = _put(items[head], rest, new)
        return tuple(items)
    value[head] = _put(value[head], rest, new)
    return value


def place(
    args: list[Any], kwargs: dict[str, Any], slots: list[Any], views: SharedViews
) -> tuple[list[Any], dict[str, Any]]:
    """The call's arguments with each shared slot filled by its view."""
    both: Any = {"args": args, "kwargs": kwargs}
    for path, offset, dtype, shape in slots:
        both = _put(both, list(path), views.array(offset, dtype, shape))
    return both["args"], both["kwargs"]
