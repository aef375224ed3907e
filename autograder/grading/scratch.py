"""A submission's scratch folder, and (in a pool process) its student process started early.

Starting a student's process (the sandbox, Python, NumPy, the runtime's
confinement) takes about 70 ms before any check can run. A pool process
knows it will grade another student, so it launches the next student's
process while it grades this one: it boots on an idle core (or in the
gaps of this student's calls) and is ready when the next student begins.

The process is launched into an empty scratch folder of its own, with a
uid of its own (``uids``: never the current student's), and the
submission is written there only when its grading starts: no student code
runs, and nothing of any student is readable, before then. The boot's CPU
time is that student's start-up, as it would be anyway. A scratch that
is never used ends its process and frees its uid and folder.
"""

from __future__ import annotations

from pathlib import Path

from autograder.core.tempdirs import temporary_folder
from autograder.isolation.levels import resolve
from autograder.isolation.sandbox import SandboxConfig, SandboxUnavailable
from autograder.isolation.student_process import Launcher


class Scratch:
    """A scratch folder and its launcher. The folder is 0700 until a student's uid
    is leased for it, then shared with that uid alone (``share_with``): no other
    local user ever reads a submission while it is graded."""

    def __init__(self, slot: int) -> None:
        self.folder = temporary_folder("sub")
        self.path = Path(self.folder.name).resolve()
        self.launcher: Launcher | None = None
        self.slot = slot

    @classmethod
    def prestarted(cls, sandbox: SandboxConfig, slot: int) -> Scratch:
        """A scratch whose first student process is launched now. Where it cannot be
        (no sandbox at the level asked for), the student's own start says why."""
        scratch = cls(slot)
        launcher = Launcher(scratch.path, slot, own_folder=True)
        try:
            launcher.prestart(resolve(sandbox), sandbox.limits)
        except (SandboxUnavailable, OSError, RuntimeError):
            launcher.release()
            return scratch
        scratch.launcher = launcher
        return scratch

    def launcher_for(self, folder: Path) -> Launcher | None:
        """The launcher of ``folder`` (the laid-out submission) when it is ours: the
        prestarted one, else a new one that shares the folder with its uid."""
        if folder.resolve() != self.path:
            return None
        if self.launcher is None:
            self.launcher = Launcher(self.path, self.slot, own_folder=True)
        return self.launcher

    def close(self) -> None:
        if self.launcher is not None:
            self.launcher.release()
            self.launcher = None
        self.folder.cleanup()

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        self.close()
