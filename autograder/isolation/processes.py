"""The student's process from the outside: its output, its exit, its death.

Kept apart from ``session`` (which speaks the protocol) because these are
plain process mechanics: draining a pipe without ever blocking the child,
reading an exit status, and killing a process together with everything it
started.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

OUTPUT_CAP_BYTES = 64 << 10


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


def exit_code(popen: subprocess.Popen[bytes]) -> int | None:
    """The exit status of a process whose reply pipe just closed, if it ends soon."""
    try:
        return popen.wait(timeout=0.5)
    except subprocess.TimeoutExpired:
        return None


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, for every process (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    return children


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (read from /proc before anything is killed)."""
    children = _children()
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def python_pid(popen: subprocess.Popen[bytes]) -> int | None:
    """The Python process nearest below (or at) ``popen``: the student's worker.

    bwrap and setpriv wrap it; processes the student starts lie deeper, so a
    breadth-first search meets the worker first. None when not (yet) found.
    """
    python = os.path.realpath(sys.executable)
    children, queue = _children(), collections.deque([popen.pid])
    while queue:
        pid = queue.popleft()
        with contextlib.suppress(OSError):
            if os.path.realpath(f"/proc/{pid}/exe") == python:
                return pid
        queue.extend(children.get(pid, []))
    return None


def run_delay(pid: int) -> float:
    """Seconds ``pid`` has spent runnable but waiting for a CPU (0.0 if unknown).

    From /proc/<pid>/schedstat (Linux): the time a busy machine took from it.
    """
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def kill_tree(popen: subprocess.Popen[bytes]) -> None:
    """Kill the student's process, its process group and every descendant."""
    victims = descendants(popen.pid) if popen.poll() is None else []
    kills = [functools.partial(os.killpg, popen.pid, signal.SIGKILL)]
    kills += [functools.partial(os.kill, pid, signal.SIGKILL) for pid in victims]
    for kill in kills:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill()
    popen.wait()


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int, tree: bool = False) -> float:
    """CPU seconds (user + system) of ``pid``, its threads and its reaped children.

    From /proc/<pid>/stat, in clock ticks (10 ms). With ``tree``, the live
    descendants are added (a scan of /proc, ~5 ms): work handed to child
    processes counts as the student's too. 0.0 for a process that is gone
    (or pid 0: not known).
    """
    if not pid:
        return 0.0
    pids = [pid, *descendants(pid)] if tree else [pid]
    total = 0
    for each in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / CLOCK_TICKS
