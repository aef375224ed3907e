"""Temporary folders of a killed process are removed by the next one (core/tempdirs.py)."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from autograder.core import tempdirs


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def zombie_pid() -> subprocess.Popen[bytes]:
    """A child that ended and is not reaped yet (as a killed grader's are, under a
    subreaper that has not waited for them)."""
    process = subprocess.Popen(["true"])
    deadline = time.monotonic() + 10
    while b") Z" not in Path(f"/proc/{process.pid}/stat").read_bytes():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return process


def leftover(root: Path, kind: str, pid: int, name: str = "x") -> Path:
    folder = root / f"{tempdirs._head(kind)}{pid}-{name}"
    (folder / "inner").mkdir(parents=True)
    (folder / "inner" / "layers.py").write_text("a student's work")
    return folder


def test_only_folders_of_dead_processes_of_the_kind_asked_are_removed(tmp_path: Path) -> None:
    dead, outside = dead_pid(), tmp_path / "outside"
    outside.mkdir()
    (outside / "keep").write_text("not the grader's")
    gone = leftover(tmp_path, "sub", dead)
    mine = leftover(tmp_path, "sub", os.getpid())  # alive: this very process
    other_kind = leftover(tmp_path, "assignment", dead)
    other_namespace = tmp_path / f"{tempdirs.PREFIX}sub-1-{dead}-x"  # another container's
    other_namespace.mkdir()
    link = tmp_path / f"{tempdirs._head('sub')}{dead}-link"
    link.symlink_to(outside)
    (link.parent / f"{link.name}-inside").symlink_to(outside)
    gone_inner_link = leftover(tmp_path, "sub", dead, "y")
    (gone_inner_link / "inner" / "escape").symlink_to(outside)
    zombie = zombie_pid()
    of_zombie = leftover(tmp_path, "sub", zombie.pid)

    removed = tempdirs.remove_leftovers("sub", str(tmp_path))
    zombie.wait()

    assert sorted(removed) == sorted([gone.name, gone_inner_link.name, of_zombie.name])
    assert not gone.exists() and not gone_inner_link.exists()
    assert mine.is_dir() and other_kind.is_dir() and other_namespace.is_dir()
    assert link.is_symlink() and (outside / "keep").read_text() == "not the grader's"


def test_a_kind_is_swept_once_per_process_when_its_first_folder_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(tempdirs, "_SWEPT", set())
    first = leftover(tmp_path, "ledger", dead_pid())
    made = tempdirs.temporary_folder("ledger")
    assert not first.exists()
    assert Path(made.name).name.startswith(f"{tempdirs._head('ledger')}{os.getpid()}-")
    assert Path(made.name).stat().st_mode & 0o777 == 0o700
    second = leftover(tmp_path, "ledger", dead_pid())
    tempdirs.temporary_folder("ledger").cleanup()
    assert second.exists()  # swept once: a batch's many scratch folders list /tmp once
    made.cleanup()


def test_without_proc_a_process_kill_finds_is_alive(monkeypatch: pytest.MonkeyPatch) -> None:
    # Not Linux (a student's Mac): reading /proc fails, and no live process's folders
    # may be taken for a dead one's.
    def no_proc(path: str, *args: object, **kwargs: object) -> object:
        raise FileNotFoundError(path)

    monkeypatch.setattr(tempdirs, "open", no_proc, raising=False)
    assert tempdirs._alive(os.getpid())
    assert not tempdirs._alive(dead_pid())
