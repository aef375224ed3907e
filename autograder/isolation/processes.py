"""The student's printed output: drained without ever blocking it, capped.

Caps are measured as the output will be stored, after JSON encoding (a
control or non-ASCII character takes up to 12 bytes there): at most
``CHECK_CAP_BYTES`` per check and ``STUDENT_CAP_BYTES`` per student, so that
no amount of printing grows a student's ``report.json`` past a small bound.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import threading
from typing import Any

CHECK_CAP_BYTES = 16 << 10
STUDENT_CAP_BYTES = 256 << 10
# The tap keeps this much raw output per check: enough to fill the JSON cap.
OUTPUT_CAP_BYTES = CHECK_CAP_BYTES


class OutputTap:
    """Drains the student's stdout and stderr, keeping at most a cap per check.

    The pipe is always read to its end, so a student printing hundreds of
    megabytes never blocks; what is past the cap is only counted. ``take``
    first reads whatever the pipe holds, under the same lock as the draining
    thread: the student's process flushes before it replies, so a check's
    output is exactly what was printed before its last reply, whichever
    thread happened to be scheduled (the same submission, the same output).
    """

    def __init__(self, stream: Any, cap: int = OUTPUT_CAP_BYTES) -> None:
        self.cap = cap
        self.kept = bytearray()
        self.dropped = 0
        self.ended = False
        self.lock = threading.Lock()
        self.stream = stream
        os.set_blocking(stream.fileno(), False)
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # the stream was closed
            while not self.ended:
                select.select([self.stream], [], [])
                with self.lock:
                    self._read_available()

    def _read_available(self) -> None:
        """Keep what the pipe holds now (the lock is held); note its end."""
        while not self.ended:
            try:
                chunk = os.read(self.stream.fileno(), 1 << 16)
            except BlockingIOError:
                return
            self.ended = not chunk
            room = self.cap - len(self.kept)
            self.kept += chunk[: max(room, 0)]
            self.dropped += max(len(chunk) - max(room, 0), 0)

    def take(self) -> str:
        with self.lock:
            with contextlib.suppress(OSError, ValueError):
                self._read_available()
            text = self.kept.decode("utf-8", "replace")
            if self.dropped:
                text += f"\n[... {self.dropped} more bytes of output not kept]"
            self.kept, self.dropped = bytearray(), 0
        return text


def json_bytes(text: str) -> int:
    """The size of ``text`` inside a JSON document (quotes excluded)."""
    return len(json.dumps(text)) - 2


def capped(text: str, cap: int) -> str:
    """``text`` cut so that it takes at most ``cap`` bytes of JSON, with a note
    saying so (when the note itself fits)."""
    if json_bytes(text) <= cap:
        return text
    note = f"\n[... output cut: {json_bytes(text)} bytes as JSON, {cap} kept at most]"
    if json_bytes(note) > cap:  # not even the note fits: nothing is kept
        return ""
    room, low, high = max(cap - json_bytes(note), 0), 0, min(len(text), cap)
    while low < high:  # the longest prefix that fits
        middle = (low + high + 1) // 2
        low, high = (middle, high) if json_bytes(text[:middle]) <= room else (low, middle - 1)
    return text[:low] + note


class OutputCaps:
    """What a student printed, kept within the caps: ``CHECK_CAP_BYTES`` per check and
    ``STUDENT_CAP_BYTES`` in all (as JSON), so no student can grow a report past them."""

    def __init__(self) -> None:
        self.pending: list[str] = []
        self.kept = 0

    def add(self, text: str) -> None:
        self.pending.append(text)

    def take(self) -> str:
        """What was added since the last take, cut to the room left."""
        text, self.pending = "".join(self.pending), []
        room = STUDENT_CAP_BYTES - self.kept
        text = capped(text, max(min(CHECK_CAP_BYTES, room), 0))
        self.kept += json_bytes(text)
        return text
