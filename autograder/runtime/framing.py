"""Length-prefixed messages over pipes, shared by the grader and the worker.

Each message is an 8-byte little-endian length, then the payload. Reads can
carry a deadline (the grader's per-call timeout) and a size cap (a student's
process may claim any length).
"""

from __future__ import annotations

import os
import select
import time

HEADER_BYTES = 8


class MessageTooLarge(EOFError):
    """The peer announced a message above the cap: it is never read."""

    def __init__(self, size: int, cap: int) -> None:
        super().__init__(f"message of {size} bytes exceeds {cap}")
        self.size, self.cap = size, cap


def write_message(fd: int, payload: bytes) -> None:
    view = memoryview(len(payload).to_bytes(HEADER_BYTES, "little") + payload)
    while view:
        view = view[os.write(fd, view) :]


def read_exactly(fd: int, size: int, deadline: float | None = None) -> bytes | None:
    """``size`` bytes, or None at end of file; TimeoutError past ``deadline``."""
    chunks, remaining = [], size
    while remaining:
        if deadline is not None:
            left = deadline - time.perf_counter()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_message(fd: int, deadline: float | None = None, cap: int | None = None) -> bytes | None:
    """One message, or None when the pipe closed before a new one began."""
    header = read_exactly(fd, HEADER_BYTES, deadline)
    if header is None:
        return None
    size = int.from_bytes(header, "little")
    if cap is not None and size > cap:
        raise MessageTooLarge(size, cap)
    body = read_exactly(fd, size, deadline)
    if body is None:
        raise EOFError("truncated message")
    return body
