"""A uid of its own for each student graded at once on this machine.

A grader running as root drops each student's process to an unprivileged
uid. RLIMIT_NPROC counts processes per uid, and the grader's accounting
tells students apart by uid, so two students graded at the same time, by
any grader on this machine (two batches, a Dask worker, a notebook's hidden
checks), must never share one. Each session therefore *leases* its uid with
an exclusive ``flock`` on a file in a machine-wide folder (not $TMPDIR, which
differs between runs); the kernel releases the lock when a grader dies, so
a killed grader never leaks its uid.

Searches start just past the uid leased last, machine-wide (a counter in
the same folder, under whose lock the search runs), so students graded one
after another get different uids too, whatever uids other graders hold at
the time: a uid comes back only after UID_COUNT leases. Without a sandbox (isolation
``none``, where only the uid protects files) a student therefore cannot
delete or change what an earlier student of the batch left outside its
scratch folder, as it could when each slot reused its uid.

The range (63000-64999) is apart from the fixed uids earlier versions gave
by slot (61000 and up), which hold no lease: a machine running both never
shares a uid between them.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

FIRST_UID = 63000
UID_COUNT = 2000
LOCK_DIR = Path("/tmp/autograder-uids")
NEXT = "next"  # the counter: not a uid, so never a lock of one


class UidLease:
    """An unprivileged uid held for one session (None when the grader is not root)."""

    def __init__(self, slot: int) -> None:
        self.uid: int | None = None
        self._fd: int | None = None
        if os.geteuid() == 0:
            self.uid, self._fd = _lease(slot)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _lease(slot: int) -> tuple[int, int]:
    LOCK_DIR.mkdir(mode=0o700, exist_ok=True)
    if LOCK_DIR.is_symlink() or LOCK_DIR.stat().st_uid != 0:
        raise RuntimeError(f"{LOCK_DIR} is not root's own folder: refusing to use it")
    counter = os.open(LOCK_DIR / NEXT, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    try:
        # The search runs under the counter's lock, and the counter moves past the uid
        # found: uids other graders hold are skipped, never handed out twice in a row.
        fcntl.flock(counter, fcntl.LOCK_EX)
        start = _counter(counter) + slot
        for offset in range(UID_COUNT):
            index = (start + offset) % UID_COUNT
            fd = os.open(
                LOCK_DIR / str(FIRST_UID + index), os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600
            )
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            os.pwrite(counter, str((index + 1) % UID_COUNT).encode().ljust(8), 0)  # fixed width
            return FIRST_UID + index, fd
    finally:
        os.close(counter)
    raise RuntimeError(f"all {UID_COUNT} student uids of this machine are in use")


def _counter(fd: int) -> int:
    """Where the next search starts (0 when never written whole: a grader killed mid-write)."""
    try:
        return int(os.pread(fd, 16, 0) or b"0") % UID_COUNT
    except ValueError:
        return 0
