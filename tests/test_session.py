"""StudentSession: every way a student's process can misbehave becomes a StudentError.

Small student modules written per test exercise one behaviour each. Most run
as plain subprocesses (the session logic is the same); those whose outcome
depends on the process's wrapper (exit codes, signals) run in both modes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from autograder.core.errors import (
    StudentCrash,
    StudentException,
    StudentImportFailure,
    StudentReplyTooLarge,
    StudentTimeout,
    StudentUnplain,
)
from autograder.isolation import replies
from autograder.isolation.replies import ReplyPolicy
from autograder.isolation.sandbox import SandboxConfig
from autograder.isolation.session import StudentSession, TimeoutPolicy

# Calls get half a second; the import (numpy, on a loaded machine) far more.
QUICK = TimeoutPolicy(factor=1.0, floor=0.5, default=0.5, per_function={"import": 30.0})
MODES = {"sandboxed": True, "unsandboxed": False}

STUDENT = """
import ctypes
import os

import numpy as np


class Liar(np.ndarray):
    def __eq__(self, other):
        return True


def pid():
    return os.getpid()


def spin():
    while True:
        pass


def leave(code):
    os._exit(code)


def segfault():
    ctypes.string_at(0)


def liar():
    return np.zeros(3).view(Liar)


def an_object():
    return object()


def big(n):
    return np.zeros(n)


def forge(size):
    # A reply written by hand: a JSON list of size zeros, which json.loads
    # would turn into size Python objects in the grader.
    import sys

    skeleton = b'{"dict": [["ok", true], ["value", {"list": [' + b"0," * size + b'0]}]]}'
    message = len(skeleton).to_bytes(8, "little") + skeleton
    os.write(int(sys.argv[2]), len(message).to_bytes(8, "little") + message)
    os._exit(0)


def fails():
    return [1][2]


def shout(text):
    print(text)
    return len(text)
"""


def write_modules(folder: Path, **modules: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    for name, text in modules.items():
        (folder / f"{name}.py").write_text(text)
    return folder


def open_session(folder: Path, modules: list[str], sandboxed: bool = False) -> StudentSession:
    config = SandboxConfig(use_bwrap=sandboxed, require_bwrap=sandboxed)
    return StudentSession(folder, modules, config, QUICK)


@pytest.fixture
def student(tmp_path: Path):
    with open_session(write_modules(tmp_path / "s", student=STUDENT), ["student"]) as session:
        session.begin_check("a check")
        yield session


def value(session: StudentSession, function: str, *args: object) -> object:
    return session.call(f"student.{function}", *args)["value"]


def test_a_function_that_timed_out_is_never_called_again(student: StudentSession) -> None:
    with pytest.raises(StudentTimeout) as first:
        value(student, "spin")
    assert student.process is None  # the looping process was killed
    with pytest.raises(StudentTimeout) as again:
        value(student, "spin")
    assert again.value is first.value  # the recorded verdict, no new call
    assert student.process is None  # not even a process was started for it
    assert isinstance(value(student, "pid"), int)  # other functions go on
    assert student.status == "timeout"


@pytest.mark.parametrize("mode", list(MODES))
def test_a_crash_fails_one_call_and_a_fresh_process_takes_over(tmp_path: Path, mode: str) -> None:
    folder = write_modules(tmp_path / "s", student=STUDENT)
    with open_session(folder, ["student"], MODES[mode]) as session:
        value(session, "pid")
        first_process = session.process
        with pytest.raises(StudentCrash) as crash:
            value(session, "leave", 3)
        assert crash.value.exit_code == 3
        assert isinstance(value(session, "pid"), int)
        assert session.process is not first_process
        assert session.status == "error"


@pytest.mark.parametrize("mode", list(MODES))
def test_a_segfault_is_named(tmp_path: Path, mode: str) -> None:
    folder = write_modules(tmp_path / "s", student=STUDENT)
    with open_session(folder, ["student"], MODES[mode]) as session:
        with pytest.raises(StudentCrash) as crash:
            value(session, "segfault")
        assert "SIGSEGV" in crash.value.message
        assert isinstance(value(session, "pid"), int)


@pytest.mark.parametrize("function", ["liar", "an_object"])
def test_what_is_not_plain_data_is_refused(student: StudentSession, function: str) -> None:
    with pytest.raises(StudentUnplain):
        value(student, function)
    assert isinstance(value(student, "pid"), int)


def test_a_reply_above_its_cap_is_refused_unread(student: StudentSession) -> None:
    student.reply_policy = ReplyPolicy(floor=1024, ceiling=4096)
    with pytest.raises(StudentReplyTooLarge, match="returned 80,") as large:
        value(student, "big", 10_000)
    assert large.value.cap == 4096 and large.value.size > 80_000
    assert value(student, "big", 10).shape == (10,)  # type: ignore[attr-defined]


def test_the_cap_is_a_multiple_of_the_references_reply(student: StudentSession) -> None:
    value(student, "big", 10)
    size = dict(student.reply_log)["a check#1"]
    student.reply_policy = ReplyPolicy(factor=2.0, floor=0, per_call={"a check#2": size})
    assert value(student, "big", 10).shape == (10,)  # type: ignore[attr-defined]
    with pytest.raises(StudentReplyTooLarge):
        value(student, "big", 200)  # call #3: an unknown key gets the largest cap
    assert student.reply_policy.cap("a check#3") == 2 * size


def test_a_forged_reply_of_millions_of_numbers_is_refused_unparsed(
    student: StudentSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(payload: bytes) -> None:
        raise AssertionError("the grader parsed it")

    value(student, "pid")  # started and imported
    student.reply_policy = ReplyPolicy(ceiling=64 << 20)
    monkeypatch.setattr(replies.plaindata, "decode", never)
    with pytest.raises(StudentUnplain, match="KiB of numbers outside arrays"):
        value(student, "forge", 5_000_000)


def test_an_exception_names_the_students_line(student: StudentSession) -> None:
    with pytest.raises(StudentException) as raised:
        value(student, "fails")
    assert raised.value.kind == "IndexError"
    assert "student.py" in raised.value.where and "[1][2]" in raised.value.where


def test_output_is_kept_per_check(student: StudentSession) -> None:
    value(student, "shout", "first")
    assert student.take_output().strip() == "first"
    student.begin_check("another")
    value(student, "shout", "second")
    assert student.take_output().strip() == "second"


def test_the_call_log_times_every_call_under_its_check_and_number(
    student: StudentSession,
) -> None:
    value(student, "pid")
    value(student, "pid")
    keys = [key for key, _ in student.call_log]
    assert keys == ["import", "a check#1", "a check#2"]
    assert all(seconds >= 0 for _, seconds in student.call_log)


# -- imports ----------------------------------------------------------------------
GOOD = "def answer():\n    return 42\n"
USES_BAD = "import bad\n\n\ndef answer():\n    return 43\n"
IMPORT_TROUBLE = {
    "exits": "import os\n\nos._exit(0)\n",
    "hangs": "import time\n\ntime.sleep(10**6)\n",
    "segfaults": "import ctypes\n\nctypes.string_at(0)\n",
    "raises": "raise ImportError('not finished')\n",
    "syntax": "def f(:\n    pass\n",
}


@pytest.mark.parametrize("trouble", list(IMPORT_TROUBLE))
def test_a_module_failing_at_import_fails_alone(tmp_path: Path, trouble: str) -> None:
    folder = write_modules(tmp_path / "s", bad=IMPORT_TROUBLE[trouble], good=GOOD, user=USES_BAD)
    with open_session(folder, ["bad", "good", "user"]) as session:
        assert session.call("good.answer")["value"] == 42
        for module in ("bad", "user"):
            with pytest.raises(StudentImportFailure) as failure:
                session.call(f"{module}.answer")
            assert f"{module}.py" in failure.value.message
        assert session.call("good.answer")["value"] == 42
        killed = trouble in ("exits", "hangs", "segfaults")
        if killed:
            assert "it imports bad.py, which could not be imported" in failure.value.message
        assert list(session.broken_imports) == (["bad"] if killed else [])
        # Imports that answered: "bad" (unless it killed the process), good, user;
        # "bad" is never retried, even after the restart.
        assert [key for key, _ in session.call_log].count("import") == (2 if killed else 3)
        assert session.status == ("timeout" if trouble == "hangs" else "error")


def test_a_module_that_hangs_at_import_costs_one_timeout(tmp_path: Path) -> None:
    folder = write_modules(tmp_path / "s", bad=IMPORT_TROUBLE["hangs"], good=GOOD, user=USES_BAD)
    with open_session(folder, ["bad", "good", "user"]) as session:
        session.call("good.answer")
        first = session.broken_imports["bad"]
        session.close()  # a later restart does not try the module again
        session.call("good.answer")
        assert session.broken_imports == {"bad": first}
        assert isinstance(first, StudentTimeout)


# -- a busy machine ------------------------------------------------------------------
WORK = """
import time


def work(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return seconds
"""
HOG = [sys.executable, "-c", "while True: pass"]


@pytest.fixture
def one_busy_cpu() -> Iterator[None]:
    """This process and its children share CPU 0 with three busy loops."""
    saved = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(saved)})
    # Each hog in a session of its own, like the student's process: with the
    # kernel's autogroup scheduling, CPU is shared fairly between sessions.
    hogs = [subprocess.Popen(HOG, start_new_session=True) for _ in range(3)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
        os.sched_setaffinity(0, saved)


def test_a_busy_machine_slows_a_call_down_without_timing_it_out(
    tmp_path: Path, one_busy_cpu: None
) -> None:
    policy = TimeoutPolicy(factor=1.0, floor=0.6, default=0.6, per_function={"import": 30.0})
    with StudentSession(
        write_modules(tmp_path / "s", w=WORK), ["w"], SandboxConfig(False), policy
    ) as session:
        session.call("w.work", 0.01)  # imported and warm
        started = time.perf_counter()
        assert session.call("w.work", 0.3)["value"] == 0.3
        wall = time.perf_counter() - started
        ran = session.call_log[-1][1]
    # Not vacuous: by the clock the call took longer than its limit (it shared
    # its CPU), but its own running time stayed well within it.
    assert wall > 0.6 > ran


def test_on_a_busy_machine_an_endless_loop_still_times_out(
    student: StudentSession, one_busy_cpu: None
) -> None:
    with pytest.raises(StudentTimeout):
        value(student, "spin")
