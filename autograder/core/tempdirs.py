"""Temporary folders named after their process, so that a killed process's are removed.

A grader killed by SIGKILL (an instructor's ``kill -9``, the OOM killer, a
Dask nanny restarting its worker) runs no clean-up: its temporary folders
stay in the system's temporary folder for good, some holding a student's
submission or an assignment's reference and hidden checks (private to the
grader, yet kept). So each folder of a kind that can hold such things is
named ``autograder-<kind>-<pid namespace>-<pid>-<random>``, and the first
process of a kind to make one removes those whose process is dead:

* in this pid namespace only: another container sharing the folder has pids
  of its own, whose processes this one cannot see;
* real directories only, never a link, removed without following any link
  inside (``shutil.rmtree`` works by file descriptor);
* owned by this user, or by anyone when the grader is root (a student's
  scratch is chowned to the student's uid).

A dead pid that was given again to a live process keeps its folders until
that process ends: the rule errs on the side of keeping.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile

PREFIX = "autograder-"
_SWEPT: set[str] = set()  # the kinds this process has looked for leftovers of


def temporary_folder(kind: str) -> tempfile.TemporaryDirectory[str]:
    """A new 0700 temporary folder of ``kind``, leftovers of its kind removed first."""
    if kind not in _SWEPT:
        _SWEPT.add(kind)
        remove_leftovers(kind)
    return tempfile.TemporaryDirectory(prefix=f"{_head(kind)}{os.getpid()}-")


def remove_leftovers(kind: str, root: str | None = None) -> list[str]:
    """Remove the folders of ``kind`` whose process is dead; the names removed."""
    root = root or tempfile.gettempdir()
    head, removed = _head(kind), list[str]()
    try:
        names = os.listdir(root)
    except OSError:
        return removed
    for name in names:
        pid = name[len(head) :].split("-", 1)[0] if name.startswith(head) else ""
        if pid.isdigit() and not _alive(int(pid)) and _ours(os.path.join(root, name)):
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)
            removed.append(name)
    return removed


def _head(kind: str) -> str:
    return f"{PREFIX}{kind}-{_pid_namespace()}-"


def _pid_namespace() -> int:
    try:
        return os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return 0


def _alive(pid: int) -> bool:
    """A process that has not ended. A zombie has: its parent (maybe a subreaper that
    took a killed grader's children) has yet to reap it. Without /proc (not Linux),
    every process ``kill`` finds counts as alive."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat_file:
            return stat_file.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")
    except (OSError, IndexError):
        return True


def _ours(path: str) -> bool:
    try:
        info = os.lstat(path)
    except OSError:
        return False
    euid = os.geteuid()
    return stat.S_ISDIR(info.st_mode) and (info.st_uid == euid or euid == 0)
