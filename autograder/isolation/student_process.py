"""One student process: started at an isolation level, confined, ready; ended whole.

Kept apart from ``session`` (which speaks the protocol, call by call): the
pipes, the scratch folder (owned by the student's uid, so that a confined
process can write there and nowhere else), the command line from ``launch``,
the output tap, and the accounting of every process the student starts.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import os
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.core.tempdirs import temporary_folder
from autograder.isolation import accounting, launch, processes, watch
from autograder.isolation.sandbox import Isolation, Limits, SandboxUnavailable
from autograder.isolation.shared import MAX_BYTES as SHARED_BYTES
from autograder.isolation.shared import SharedArgs
from autograder.isolation.uids import UidLease
from autograder.runtime import plaindata

# CPU seconds a new process may take to be confined and say it is ready (no
# student code runs before that: a failure there is the sandbox's).
START_LIMIT = 30.0
READY_BYTES = 1 << 20


# A reply's bytes pass through the pipe's buffer: at Linux's default 64 KiB, the
# 6.4 MB gradients of a thin layer's cost check take a hundred wake-ups of each
# side; at 1 MiB (the default /proc/sys/fs/pipe-max-size) seven.
PIPE_BYTES = 1 << 20


def widen(fd: int) -> None:
    """The pipe's buffer at ``PIPE_BYTES`` where the system allows it (else as it is:
    a user past pipe-user-pages-soft gets EPERM, which costs only speed)."""
    with contextlib.suppress(OSError, AttributeError):  # F_SETPIPE_SZ: Linux only
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


@dataclass
class StudentProcess:
    popen: subprocess.Popen[bytes]
    request_fd: int
    reply_fd: int
    tap: processes.OutputTap
    scratch: tempfile.TemporaryDirectory[str]
    accounts: accounting.StudentProcesses
    shared: SharedArgs  # the call arguments' memory, read back by the grader
    confinement: dict[str, Any]  # what its bootstrap applied (said before any student code)
    start_cost: float = 0.0  # seconds from start to ready (see ``watch.Watch.cost``)
    counted: float = 0.0  # CPU seconds of its processes already counted as spent

    def watch(
        self, limit: float, limits: Limits, level: str, budget_left: float | None
    ) -> watch.Watch:
        """A watch for one call: CPU, memory and (outside bwrap's own tmpfs) the scratch
        folder's disk, over every process of the student."""
        scratch = None if level == "bwrap" else Path(self.scratch.name)
        call = watch.Watch(
            self.accounts, limit, math.inf, limits.memory_bytes, scratch, limits.tmp_bytes
        )
        if budget_left is not None:
            call.budget_left = budget_left
        return call

    @classmethod
    def start(
        cls, isolation: Isolation, folder: Path, uid: int | None, limits: Limits
    ) -> StudentProcess:
        """Start one and wait until it is confined and ready; SandboxUnavailable
        when it dies or stalls first (that is the sandbox's failure)."""
        process = cls.launch(isolation, folder, uid, limits)
        process.confinement = process.ready(isolation, limits)
        return process

    @classmethod
    def launch(
        cls, isolation: Isolation, folder: Path, uid: int | None, limits: Limits
    ) -> StudentProcess:
        """Start one, not waiting for it to be ready (``ready`` does)."""
        request_r, request_w = os.pipe()
        reply_r, reply_w = os.pipe()
        os.set_blocking(request_w, False)
        os.set_blocking(reply_r, False)  # read by ``watch.receive`` without a wait when ready
        widen(reply_r)
        scratch = temporary_folder("student")
        if uid is not None:
            os.chown(scratch.name, uid, uid)
        fds = (request_r, reply_w)
        # RLIMIT_AS is per process: the mapped arguments take at most an eighth of it.
        shared = SharedArgs(min(SHARED_BYTES, limits.process_memory_bytes // 8))
        command = launch.student_command(isolation, folder, Path(scratch.name), fds, uid, limits)
        known = accounting.pids()
        popen = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(*fds, shared.fd),
            cwd=scratch.name,
            env=launch.student_env(isolation, Path(scratch.name)),
            start_new_session=True,
        )
        os.close(request_r)
        os.close(reply_w)
        accounts = accounting.StudentProcesses(popen, uid, known)
        tap = processes.OutputTap(popen.stdout)
        return cls(popen, request_w, reply_r, tap, scratch, accounts, shared, {})

    def ready(self, isolation: Isolation, limits: Limits) -> dict[str, Any]:
        """Wait until it is confined and ready: what its bootstrap applied. Its start
        costs the CPU it used since it was launched (however long ago)."""
        call = watch.Watch(self.accounts, START_LIMIT, float("inf"), limits.memory_bytes)
        try:
            reply = plaindata.decode(watch.receive(self.reply_fd, call, READY_BYTES))
        except (EOFError, OSError, watch.Overrun, plaindata.PlainDataError) as error:
            code = self.accounts.wait_root(1.0)
            output = self.tap.take().strip()[-500:]
            self.end()
            raise SandboxUnavailable(
                f"the student process could not start at isolation level {isolation.level} "
                f"({type(error).__name__}, exit status {code}): {output}"
            ) from None
        self.start_cost = call.cost
        self.counted = self.accounts.scan().cpu  # (finds the worker before any student code)
        return dict(reply.get("ready", {})) if type(reply) is dict else {}

    def uncounted(self, cpu: float) -> float:
        """CPU seconds up to a total of ``cpu`` not counted yet (now counted)."""
        extra, self.counted = max(cpu - self.counted, 0.0), max(cpu, self.counted)
        return extra

    def end(self) -> tuple[float, str]:
        """End every process of the student: (CPU seconds not counted yet,
        output not yet taken)."""
        self.accounts.end()
        output = self.tap.take()
        for fd in (self.request_fd, self.reply_fd):
            os.close(fd)
        self.tap.thread.join(timeout=1.0)
        self.scratch.cleanup()
        self.shared.close()
        return self.uncounted(self.accounts.last.cpu), output


def share_with(folder: Path, uid: int) -> None:
    """Let ``uid`` (whose group is its own: gid = uid) read ``folder``, and no other
    user: group ``uid``, mode 0750. What the folder holds is then out of every
    other local user's reach whatever its own modes (a submission is a student's
    work, not the machine's); the grader keeps owning it, so the student can
    neither change its modes nor remove it."""
    os.chown(folder, -1, uid)
    os.chmod(folder, 0o750)


def readable_copy(folder: Path, uid: int) -> tempfile.TemporaryDirectory[str] | None:
    """A copy of ``folder``'s files that ``uid`` may read, when it may not read the
    folder itself (a 0700 temporary folder, a notebook's modules): its regular
    files only, never a link, in a folder shared with ``uid`` alone. None when
    the folder will do."""
    files = [p for p in folder.iterdir() if p.is_file() and not p.is_symlink()]
    readable = stat.S_IROTH | stat.S_IXOTH
    if folder.stat().st_mode & readable == readable and all(
        p.stat().st_mode & stat.S_IROTH for p in files
    ):
        return None
    copy = temporary_folder("readable")
    share_with(Path(copy.name), uid)
    for path in files:
        target = Path(copy.name) / path.name
        shutil.copyfile(path, target, follow_symlinks=False)
        os.chmod(target, 0o644)
    return copy


class Launcher:
    """Starts a submission's processes, one after another, as one student.

    Holds what outlives each process for the whole session: the student's
    own uid (a lease, when the grader is root) and, when that uid may not read
    the submission's folder, a readable copy of it to import from.
    """

    def __init__(self, folder: Path, slot: int, own_folder: bool = False) -> None:
        """``own_folder``: ``folder`` is the grader's own scratch, shared with the
        student's uid (``share_with``) rather than copied for it."""
        self.folder, self.slot, self.own_folder = folder, slot, own_folder
        self.lease: UidLease | None = None
        self._copy: tempfile.TemporaryDirectory[str] | None = None
        self._early: tuple[Isolation, Limits, StudentProcess] | None = None

    @property
    def code(self) -> Path:
        """The folder the student's process imports from."""
        return Path(self._copy.name) if self._copy is not None else self.folder

    def prestart(self, isolation: Isolation, limits: Limits) -> None:
        """Launch the first process now, before the folder holds the submission (its uid
        must be able to read what will be written there: no copy is made), so that it
        boots while the grader does other work; ``start`` takes it once it is ready."""
        self.lease = UidLease(self.slot)
        self._share()
        process = StudentProcess.launch(isolation, self.folder, self.lease.uid, limits)
        self._early = (isolation, limits, process)

    def start(self, isolation: Isolation, limits: Limits) -> StudentProcess:
        if self._early is not None:
            early_isolation, early_limits, process = self._early
            self._early = None
            if (early_isolation, early_limits) == (isolation, limits):
                process.confinement = process.ready(isolation, limits)
                return process
            process.end()
        if self.lease is None:
            self.lease = UidLease(self.slot)
            self._share()
        return StudentProcess.start(isolation, self.code, self.lease.uid, limits)

    def _share(self) -> None:
        """Let the student's own uid (if it has one) read the submission, and nobody else."""
        assert self.lease is not None
        uid = self.lease.uid
        if uid is None or not self.folder.is_dir():
            return
        if self.own_folder:
            share_with(self.folder, uid)
        else:
            self._copy = readable_copy(self.folder, uid)

    def release(self) -> None:
        if self._early is not None:
            self._early[2].end()
            self._early = None
        if self.lease is not None:
            self.lease.release()
            self.lease = None
        if self._copy is not None:
            self._copy.cleanup()
            self._copy = None
