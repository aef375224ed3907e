"""Every process of one student, found and accounted for by the grader itself.

The rlimits bind each process; a student is more than one process. So the
grader looks at the student as a whole, from outside (its facts, never the
student's word):

* *which processes*: those descending from the student's first process, and
  those reparented to the grading process. The grading process is a *child
  subreaper* (``PR_SET_CHILD_SUBREAPER``), so a process leaving its tree by
  ``setsid`` and a double fork lands on the grader, never on init, and is
  still the student's. Under bubblewrap (and on the Landlock route where the
  kernel lets root make one) they also share a PID namespace.
* *CPU time*: user and system time of each process plus that of the
  children it waited for (``/proc/PID/stat``), summed over the processes
  alive or zombie, plus the rusage of those the grader reaped itself: each
  CPU second is counted once, whoever reaps the process.
* *memory*: resident sets, summed.

cgroup v2 (``memory.max``, ``pids.max``, ``cpu.stat``) would do this in the
kernel where a delegated subtree exists; the grader never creates or changes
cgroups (on cgroup v1 the hierarchy belongs to the machine's supervisor).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
# The first processes of the live students of this grading process: a
# reparented process is never one of them.
_ROOTS: set[int] = set()


@functools.cache
def become_subreaper() -> None:
    """Make this process the reaper of every orphan below it (once)."""
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def pids() -> set[int]:
    return {int(entry) for entry in os.listdir("/proc") if entry.isdigit()}


@dataclass(frozen=True)
class ProcStat:
    """What /proc/PID/stat says of one process."""

    ppid: int
    state: str
    cpu: float  # seconds: its own and its waited-for children's, user and system
    rss: int  # bytes
    command: str

    @property
    def alive(self) -> bool:
        return self.state not in "ZX"


def _read(path: str) -> str:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        return os.read(fd, 4096).decode(errors="replace")
    finally:
        os.close(fd)


def last_pid() -> int:
    """The pid the kernel gave last (/proc/loadavg): unchanged, no process was born."""
    try:
        return int(_read("/proc/loadavg").split()[-1])
    except (OSError, ValueError, IndexError):
        return -1


def read_stat(pid: int) -> ProcStat | None:
    try:
        text = _read(f"/proc/{pid}/stat")
    except OSError:
        return None
    command, rest = text[text.index("(") + 1 : text.rindex(")")], text.rsplit(")", 1)[1].split()
    ticks = sum(int(field) for field in rest[11:15])  # utime stime cutime cstime
    return ProcStat(int(rest[1]), rest[0], ticks / TICK, int(rest[21]) * PAGE, command)


def real_uid(pid: int) -> int | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Uid:"):
                return int(line.split()[1])
    return None


def run_delay(pid: int) -> float:
    """Seconds ``pid`` has spent runnable but waiting for a CPU (0.0 if unknown)."""
    try:
        return int(_read(f"/proc/{pid}/schedstat").split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


@dataclass(frozen=True)
class Usage:
    """The student as a whole at one moment."""

    cpu: float  # seconds of CPU used by all its processes so far, the dead included
    rss: int  # bytes resident in its live processes
    others: int  # live processes besides its worker and the wrappers above it
    run_delay: float  # seconds its worker waited for a CPU so far
    worker_alive: bool = True


class StudentProcesses:
    """The processes of one student: found, measured, ended together.

    ``known`` are the pids that existed before the student's first process
    was started: none of them is ever the student's.
    """

    def __init__(self, popen: subprocess.Popen[bytes], uid: int | None, known: set[int]) -> None:
        become_subreaper()
        self.popen, self.uid = popen, uid
        self.members: set[int] = {popen.pid}
        self.strangers = known - {popen.pid}
        self.chain: list[int] = []  # the first process down to the worker
        self.banked = 0.0  # CPU seconds of processes the grader reaped
        self.last = Usage(0.0, 0, 0, 0.0)
        self.newest = -1  # the last pid the kernel gave, at the last full look
        _ROOTS.add(popen.pid)

    def _escaped(self, pid: int, stat: ProcStat) -> bool:
        """Reparented to the grader: a student's orphan (of this student, by uid)."""
        if stat.ppid != os.getpid() or pid in _ROOTS:
            return False
        return self.uid is None or real_uid(pid) == self.uid

    def _classify(self, fresh: set[int]) -> dict[int, ProcStat]:
        """Stats of the student's processes among ``fresh`` (the rest are strangers)."""
        pending = {pid: stat for pid in fresh if (stat := read_stat(pid)) is not None}
        found: dict[int, ProcStat] = {}
        progress = True
        while progress:
            progress = False
            for pid, stat in list(pending.items()):
                if stat.ppid in self.members or self._escaped(pid, stat):
                    self.members.add(pid)
                    found[pid] = pending.pop(pid)
                    progress = True
        self.strangers.update(pending)
        return found

    def scan(self) -> Usage:
        """Measure the student now (and reap its orphans that ended)."""
        stats: dict[int, ProcStat] = {}
        newest = last_pid()
        if newest != self.newest:  # a process was born somewhere: look at them all
            self.newest = newest
            present = pids()
            self.members &= present
            self.strangers &= present
            stats = self._classify(present - self.members - self.strangers)
        for pid in self.members - stats.keys():
            if (stat := read_stat(pid)) is not None:
                stats[pid] = stat
            else:
                self.members.discard(pid)
        for pid, stat in list(stats.items()):
            if stat.ppid == os.getpid() and pid != self.popen.pid and not stat.alive:
                self._reap(pid)
                stats.pop(pid)
        if not self.chain:
            self.chain = _chain_to_worker(self.popen.pid, stats)
        others = [p for p, s in stats.items() if s.alive and p not in self.chain]
        delay = run_delay(self.chain[-1]) if self.chain else 0.0
        cpu = self.banked + sum(s.cpu for s in stats.values())
        worker = stats.get(self.chain[-1] if self.chain else self.popen.pid)
        alive = worker is not None and worker.alive
        rss = sum(s.rss for s in stats.values())
        self.last = Usage(max(cpu, self.last.cpu), rss, len(others), delay, alive)
        return self.last

    def _reap(self, pid: int, block: bool = False) -> int | None:
        """Wait for ``pid`` (a child of the grader); bank its CPU; its wait status."""
        try:
            done, status, usage = os.wait4(pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            return None
        if done == 0:
            return None
        self.banked += usage.ru_utime + usage.ru_stime
        self.members.discard(pid)
        return status

    def wait_root(self, timeout: float) -> int | None:
        """The first process's exit code once it ends (within ``timeout``), reaped here."""
        if self.popen.returncode is not None:
            return self.popen.returncode
        deadline = time.monotonic() + timeout
        while True:
            status = self._reap(self.popen.pid)
            if status is not None:
                self.popen.returncode = os.waitstatus_to_exitcode(status)
                return self.popen.returncode
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.01)

    def end(self) -> None:
        """Kill every process of the student and wait until none is left, not even
        a zombie (it would still count towards the uid's process limit): those
        that fall to the grader are reaped here."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            self.scan()  # (reaps the grader's own zombies)
            self.wait_root(0.0)
            for pid in self.members:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            if not self.members and self.popen.returncode is not None:
                break
            time.sleep(0.005)
        _ROOTS.discard(self.popen.pid)


def _chain_to_worker(root: int, stats: dict[int, ProcStat]) -> list[int]:
    """The first process down to the student's Python worker (bwrap, unshare and
    setpriv wrap it; the student's own processes lie deeper). [] until it exists."""
    chain, pid = [root], root
    while pid in stats and not stats[pid].command.startswith("python"):
        children = [p for p, s in stats.items() if s.ppid == pid]
        if len(children) != 1:
            return []
        pid = children[0]
        chain.append(pid)
    return chain if pid in stats else []


def folder_bytes(folder: Path, max_entries: int = 10_000) -> int:
    """Bytes of the files below ``folder`` (counting stops past ``max_entries``:
    then the size is reported as unbounded)."""
    total, seen, stack = 0, 0, [str(folder)]
    while stack:
        with contextlib.suppress(OSError), os.scandir(stack.pop()) as entries:
            for entry in entries:
                seen += 1
                if seen > max_entries:
                    return 1 << 62
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_blocks * 512
    return total
