"""A student's process started before the submission is in its folder (grading/scratch.py).

On the real sandbox: the early process imports what is written after it
started, whatever the grader's umask, and is the one the session uses; one
never used ends with its uid and folder; and a whole batch of pool
processes, each starting the next student early, leaves nothing behind.
A submission's folder (a scratch, or a copy of a private folder) is shared
with the student's uid alone: no other user of the machine reads it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from adversarial_harness import grade_command, processes_with, read_reports

from autograder.grading import cache
from autograder.grading.config import BatchConfig
from autograder.grading.local_pool import early_starts
from autograder.grading.runner import GradeOptions
from autograder.grading.scratch import Scratch
from autograder.intake.layout import write
from autograder.isolation.sandbox import Limits, SandboxConfig
from autograder.isolation.session import StudentSession, TimeoutPolicy
from autograder.isolation.student_process import readable_copy
from autograder.isolation.uids import FIRST_UID, LOCK_DIR

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "backprop"
SANDBOX = SandboxConfig("auto")
STUDENT = "import os\n\n\ndef pid():\n    return os.getpid()\n"


def test_an_early_process_runs_what_is_written_after_it_started() -> None:
    scratch = Scratch.prestarted(SANDBOX, 0)
    assert scratch.launcher is not None
    early = scratch.launcher._early
    assert early is not None and not any(scratch.path.iterdir())
    launched = early[2].popen.pid
    mask = os.umask(0o077)  # a grader's private umask: the student's uid must still read it
    try:
        write(scratch.path, "student.py", STUDENT.encode())
    finally:
        os.umask(mask)
    with scratch as folder:
        launcher = scratch.launcher_for(folder)
        with StudentSession(folder, ["student"], SANDBOX, launcher=launcher) as session:
            session.begin_check("a check")
            assert session.call("student.pid")["value"] > 0
            assert session.process is not None and session.process.popen.pid == launched
    assert not scratch.path.exists()


def read_as_another_user(path: Path) -> str:
    """What reading ``path`` as an unprivileged uid that is no student's gives."""
    command = ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"]
    done = subprocess.run([*command, "cat", str(path)], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else "refused"


@pytest.mark.parametrize("early", [True, False], ids=["started early", "started when graded"])
def test_no_other_local_user_reads_a_submission_while_it_is_graded(early: bool) -> None:
    # A scratch was 0755 and its files 0644: any user of the machine could copy a
    # classmate's work from /tmp while the batch ran.
    scratch = Scratch.prestarted(SANDBOX, 0) if early else Scratch(0)
    write(scratch.path, "student.py", STUDENT.encode())
    with scratch as folder:
        launcher = scratch.launcher_for(folder)
        with StudentSession(folder, ["student"], SANDBOX, launcher=launcher) as session:
            session.begin_check("a check")
            assert session.call("student.pid")["value"] > 0  # the student's own uid reads it
            mode, lease = folder.stat(), session.launcher.lease
            assert mode.st_mode & 0o007 == 0
            if lease is not None and lease.uid is not None:  # a root grader
                assert (mode.st_mode & 0o777, mode.st_gid) == (0o750, lease.uid)
                assert read_as_another_user(folder / "student.py") == "refused"


def test_an_early_process_for_other_limits_is_ended_and_a_fresh_one_started() -> None:
    scratch = Scratch.prestarted(SANDBOX, 0)
    assert scratch.launcher is not None and scratch.launcher._early is not None
    launched = scratch.launcher._early[2].popen
    (scratch.path / "student.py").write_text(STUDENT)
    other = SandboxConfig("auto", Limits(memory_bytes=Limits().memory_bytes // 2))
    with scratch as folder:
        launcher, timeouts = scratch.launcher, TimeoutPolicy()
        with StudentSession(folder, ["student"], other, timeouts, launcher=launcher) as session:
            session.begin_check("a check")
            session.call("student.pid")
            assert session.process is not None and session.process.popen.pid != launched.pid
        assert launched.poll() is not None


def test_an_early_process_never_used_ends_with_its_uid_and_folder() -> None:
    scratch = Scratch.prestarted(SANDBOX, 0)
    assert scratch.launcher is not None and scratch.launcher._early is not None
    popen, lease = scratch.launcher._early[2].popen, scratch.launcher.lease
    assert lease is not None
    scratch.close()
    assert popen.poll() is not None and not scratch.path.exists()
    if lease.uid is not None:  # a root grader: the uid's lock is free again
        fd = os.open(LOCK_DIR / str(lease.uid), os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
        assert lease.uid >= FIRST_UID


def test_a_batch_starting_each_next_student_early_grades_all_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under a private umask, five students on one pool process (a core left idle):
    it grades each while the next one's process boots; all get full marks, and no
    scratch folder or student process outlives the batch."""
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    submissions = tmp_path / "class"
    for name in ("a", "b", "c", "d", "e"):
        (submissions / name).mkdir(parents=True)
        for module in ("layers.py", "xor.py"):
            shutil.copy(SOLUTION / module, submissions / name / module)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    command = grade_command(submissions, tmp_path / "out", "-j", "1")
    done = subprocess.run(
        ["sh", "-c", 'umask 077 && exec "$@"', "sh", *command],
        env={**os.environ, "TMPDIR": str(scratch)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert {s: r["score"] for s, r in read_reports(tmp_path / "out").items()} == dict.fromkeys(
        "abcde", 47.0
    )
    assert list(scratch.iterdir()) == []
    assert processes_with(str(scratch)) == []


@pytest.mark.parametrize(
    ("jobs", "cores", "isolation", "early"),
    [
        (1, 2, "auto", True),
        (2, 2, "auto", False),  # every core busy: booting early only adds contention
        (3, 8, "auto", True),
        (1, 2, "none", False),  # no isolation: the next folder exists only when graded
    ],
)
def test_next_students_start_early_only_isolated_on_a_core_the_pool_leaves_idle(
    monkeypatch: pytest.MonkeyPatch, jobs: int, cores: int, isolation: str, early: bool
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    sandbox = SandboxConfig(isolation)
    config = BatchConfig(SOLUTION, GradeOptions(sandbox=sandbox), jobs=jobs)
    assert (early_starts(config) == sandbox) is early


PLANTER = """
import os as _os

_TMP = "@TMP@"
_found = _planted = 0
for _root in {_TMP, "/tmp", _os.environ.get("TMPDIR", "/tmp")}:
    try:
        _entries = _os.listdir(_root)
    except OSError:
        continue
    for _entry in _entries:
        if _entry.startswith("autograder-sub-"):
            _found += 1
            try:
                with open(_os.path.join(_root, _entry, "xor.py"), "x") as _file:
                    _file.write("raise SystemExit('planted')\\n")
                _planted += 1
            except OSError:
                pass
print(f"planter: found {_found} scratch folders, planted {_planted}")
"""


@pytest.mark.parametrize("level", ["bwrap", "landlock"])
def test_a_student_cannot_reach_the_next_students_early_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, level: str
) -> None:
    """The attack on early starts: while the first student is graded, the second one's
    process waits in its empty scratch folder. The first student's code looks for such
    folders (in the grader's TMPDIR, whose path it is given, and in /tmp) and writes a
    module into each it finds. It plants nothing: the second student gets full marks."""
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    submissions = tmp_path / "class"
    for name in ("a-planter", "b-next"):
        (submissions / name).mkdir(parents=True)
        for module in ("layers.py", "xor.py"):
            shutil.copy(SOLUTION / module, submissions / name / module)
    layers = submissions / "a-planter" / "layers.py"
    layers.write_text(PLANTER.replace("@TMP@", str(scratch)) + layers.read_text())
    command = grade_command(submissions, tmp_path / "out", "-j", "1", "--isolation", level)
    done = subprocess.run(
        command, env={**os.environ, "TMPDIR": str(scratch)}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    reports = read_reports(tmp_path / "out")
    assert reports["b-next"]["score"] == 47.0
    printed = "".join(c["output"] for c in reports["a-planter"]["checks"])
    lines = [line for line in printed.splitlines() if line.startswith("planter:")]
    assert lines and all(line.endswith("planted 0") for line in lines)
    assert not [p for p in scratch.rglob("xor.py") if "planted" in p.read_text()]


def test_a_readable_copy_of_a_private_folder_is_shared_with_the_students_uid_alone(
    tmp_path: Path,
) -> None:
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    (private / "student.py").write_text(STUDENT)
    uid = FIRST_UID if os.geteuid() == 0 else os.getgid()  # a group this user may give
    copy = readable_copy(private, uid)
    assert copy is not None
    try:
        shared = Path(copy.name).stat()
        assert (shared.st_mode & 0o777, shared.st_gid) == (0o750, uid)
        assert (Path(copy.name) / "student.py").read_text() == STUDENT
    finally:
        copy.cleanup()
