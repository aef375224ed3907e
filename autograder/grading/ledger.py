"""What each submission has spent of its budget, kept where a retry can read it.

A submission's budget must hold across attempts: when the grading process
dies mid-submission (the local pool rebuilds itself, Dask gives the task to
another worker), the retry starts from what the earlier attempts spent, as
far as it was recorded. Attempts record their spending after each check
(when it grew by ``STEP`` seconds at least), so a retry can under-count by at
most one check's worth: the cost of what ran after the last record.

Two ledgers: ``FileLedger`` (a private folder on this machine: the local
pool) and, in ``cluster``, one kept by the Dask scheduler. Both are picklable
and travel inside ``GradeOptions``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

STEP = 0.25  # seconds: a record at most every quarter second of spending


class SpendLedger(Protocol):
    def spent(self, key: str) -> float:
        """Seconds of budget the submission ``key`` spent in earlier attempts."""
        ...

    def record(self, key: str, seconds: float) -> None:
        """The submission ``key`` has spent ``seconds`` in all so far."""
        ...


@dataclass(frozen=True)
class FileLedger:
    """One small file per submission in ``folder`` (0700, owned by the grader)."""

    folder: str

    def _path(self, key: str) -> Path:
        return Path(self.folder) / hashlib.sha256(key.encode()).hexdigest()[:32]

    def spent(self, key: str) -> float:
        try:
            return float(self._path(key).read_text())
        except (OSError, ValueError):
            return 0.0

    def record(self, key: str, seconds: float) -> None:
        path = self._path(key)
        partial = path.with_suffix(".part")
        partial.write_text(repr(seconds))
        os.replace(partial, path)


class Recorder:
    """Records a session's spending in a ledger, every ``STEP`` seconds of it."""

    def __init__(self, ledger: SpendLedger | None, key: str) -> None:
        self.ledger, self.key = (ledger, key) if key else (None, "")
        self.recorded = self.spent_before = ledger.spent(key) if ledger and key else 0.0

    def __call__(self, spent: float) -> None:
        if self.ledger is not None and spent >= self.recorded + STEP:
            self.ledger.record(self.key, spent)
            self.recorded = spent
