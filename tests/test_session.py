"""StudentSession: every way a student's process can misbehave becomes a StudentError.

Small student modules written per test exercise one behaviour each. Most run
at isolation level none (the session logic is the same); those whose outcome
depends on the process's wrapper (exit codes, signals) run at every level.
The limits of the student as a whole (CPU time summed over its processes,
the wall cap, memory, the submission's budget) are tested here for real.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from adversarial_harness import new_marker, processes_with

from autograder.core.errors import (
    StudentCpuTimeout,
    StudentCrash,
    StudentException,
    StudentImportFailure,
    StudentOverBudget,
    StudentOverLimit,
    StudentReplyTooLarge,
    StudentTimeout,
    StudentUnplain,
)
from autograder.isolation import processes, replies, watch
from autograder.isolation.replies import ReplyPolicy
from autograder.isolation.sandbox import Limits, SandboxConfig
from autograder.isolation.session import StudentSession, TimeoutPolicy

# Calls get half a second of CPU; the import far more.
QUICK = TimeoutPolicy(factor=1.0, floor=0.5, default=0.5, per_function={"import": 1.0})
LEVELS = ("bwrap", "landlock", "none")
SLOT = 5  # where the search for a free uid starts (uids.UidLease)

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


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("str fails")


class Nameless(type):
    @property
    def __name__(cls):
        raise RuntimeError("no name")


class Anonymous(Exception, metaclass=Nameless):
    pass


def fails_unprintably():
    raise Unprintable()


def fails_namelessly():
    raise Anonymous("its message")


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


def open_session(
    folder: Path,
    modules: list[str],
    level: str = "none",
    timeouts: TimeoutPolicy = QUICK,
    limits: Limits = Limits(),
) -> StudentSession:
    return StudentSession(folder, modules, SandboxConfig(level, limits), timeouts, SLOT)


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


@pytest.mark.parametrize("level", LEVELS)
def test_a_crash_fails_one_call_and_a_fresh_process_takes_over(tmp_path: Path, level: str) -> None:
    folder = write_modules(tmp_path / "s", student=STUDENT)
    with open_session(folder, ["student"], level) as session:
        value(session, "pid")
        first_process = session.process
        with pytest.raises(StudentCrash) as crash:
            value(session, "leave", 3)
        assert crash.value.exit_code == 3
        assert isinstance(value(session, "pid"), int)
        assert session.process is not first_process
        assert session.status == "error"


@pytest.mark.parametrize("level", LEVELS)
def test_a_segfault_is_named(tmp_path: Path, level: str) -> None:
    folder = write_modules(tmp_path / "s", student=STUDENT)
    with open_session(folder, ["student"], level) as session:
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
    size = dict(student.limits.sizes)["a check#1"]
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


def test_an_exception_that_cannot_be_printed_is_still_the_students_exception(
    student: StudentSession,
) -> None:
    """Its ``__str__`` or its class's ``__name__`` raising ended the worker: a crash
    ("exited with code 1"), the engine's traceback in the student's output."""
    with pytest.raises(StudentException) as raised:
        value(student, "fails_unprintably")
    assert raised.value.kind == "Unprintable" and "could not be read" in str(raised.value)
    with pytest.raises(StudentException) as raised:
        value(student, "fails_namelessly")
    assert raised.value.kind == "Exception" and "its message" in str(raised.value)
    assert "worker.py" not in student.take_output() and student.crashes == 0


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
    keys = [key for key, _ in student.limits.times]
    assert keys == ["import", "a check#1", "a check#2"]
    assert all(seconds >= 0 for _, seconds in student.limits.times)


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
        assert [key for key, _ in session.limits.times].count("import") == (2 if killed else 3)
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
HOGS = 8  # on one CPU: a call there gets a ninth of it


@pytest.fixture
def one_busy_cpu() -> Iterator[None]:
    """This process and its children share CPU 0 with three busy loops."""
    saved = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(saved)})
    # Each hog in a session of its own, like the student's process: with the
    # kernel's autogroup scheduling, CPU is shared fairly between sessions.
    hogs = [subprocess.Popen(HOG, start_new_session=True) for _ in range(HOGS)]
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
    with open_session(write_modules(tmp_path / "s", w=WORK), ["w"], timeouts=policy) as session:
        session.call("w.work", 0.01)  # imported and warm
        started = time.perf_counter()
        assert session.call("w.work", 0.3)["value"] == 0.3
        wall = time.perf_counter() - started
        ran = session.limits.times[-1][1]
    # Not vacuous: by the clock the call took longer than its limit (it shared
    # its CPU), but its own running time stayed well within it.
    assert wall > 0.6 > ran


def test_on_a_busy_machine_an_endless_loop_still_times_out(
    student: StudentSession, one_busy_cpu: None
) -> None:
    with pytest.raises(StudentTimeout):
        value(student, "spin")


# -- the student as a whole: limits that cannot be stretched --------------------------
TRICKS = """
import os
import signal
import subprocess
import sys
import time

import numpy as np


def trickle():
    # A reply written by hand, one byte every 0.2 s: its first byte comes at
    # once, its last after minutes.
    reply = sys.argv[2]
    body = b'{"dict": [["ok", true], ["value", 1]]}'
    message = len(body).to_bytes(8, "little") + body
    os.write(int(reply), len(message).to_bytes(8, "little"))
    for byte in message:
        os.write(int(reply), bytes([byte]))
        time.sleep(0.2)


def busy_children(count, marker):
    for _ in range(count):
        subprocess.Popen(["sh", "-c", "while :; do :; done", marker])
    time.sleep(60)


def escape_busy(marker):
    # setsid and a double fork: the spinning shell leaves the student's tree.
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execvp("sh", ["sh", "-c", "while :; do :; done", marker])
        os._exit(0)
    os.wait()
    return 1


def nap(seconds):
    time.sleep(seconds)
    return seconds


def idle_child_then_work(seconds, child):
    if child:
        subprocess.Popen(["sleep", "30"])
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return seconds


def orphan_then_exit(code):
    if os.fork() == 0:  # the child keeps the reply pipe open
        time.sleep(60)
        os._exit(0)
    os._exit(code)


def half_reply_then_exit(code):
    # Half a reply in the pipe, a child holding it open, and the worker gone.
    reply = int(sys.argv[2])
    if os.fork() == 0:
        time.sleep(60)
        os._exit(0)
    os.write(reply, (1000).to_bytes(8, "little") + b"x" * 500)
    os._exit(code)


def hoard(count, megabytes):
    # Children that each take what they can, then hold it; returns once they all have.
    done_r, done_w = os.pipe()
    for _ in range(count):
        if os.fork() == 0:
            blocks = []
            try:
                for _ in range(megabytes // 16):
                    blocks.append(np.ones(2 << 20))
            except MemoryError:
                pass
            os.write(done_w, b"x")
            time.sleep(60)
            os._exit(0)
    for _ in range(count):
        os.read(done_r, 1)
    return count
"""


# Memory is slow to fill on a loaded machine (page faults cost CPU time too).
SLOW = TimeoutPolicy(floor=20.0, per_function={"import": 1.0})


@pytest.fixture
def tricks(tmp_path: Path) -> Path:
    return write_modules(tmp_path / "s", tricks=TRICKS)


def test_a_trickled_reply_is_part_of_its_call(tricks: Path) -> None:
    """The reply's first byte comes at once; the call still ends at its wall cap."""
    with open_session(tricks, ["tricks"]) as session:
        session.call("tricks.nap", 0)
        started = time.perf_counter()
        with pytest.raises(StudentTimeout):
            session.call("tricks.trickle")
        elapsed = time.perf_counter() - started
    cap = watch.WALL_FACTOR * 0.5 + watch.WALL_SLACK
    assert cap <= elapsed < cap + 1.5  # not the 10 s of the whole reply


# (the trick, its exit code): the worker exits while a child holds the reply pipe
# open, with nothing of its reply written, or half of it (read at once; the rest
# never comes).
CRASHES = [("orphan_then_exit", 3), ("half_reply_then_exit", 5)]


@pytest.mark.parametrize(("trick", "code"), CRASHES)
@pytest.mark.parametrize("level", LEVELS)
def test_a_crash_is_a_crash_though_a_child_holds_the_pipe(
    tricks: Path, level: str, trick: str, code: int
) -> None:
    with open_session(tricks, ["tricks"], level) as session:
        session.call("tricks.nap", 0)
        started = time.perf_counter()
        with pytest.raises(StudentCrash) as crash:
            session.call(f"tricks.{trick}", code)
        assert crash.value.exit_code == code
        assert time.perf_counter() - started < 1.5  # not the 2.5 s wall cap
        assert session.call("tricks.nap", 0)["value"] == 0  # a fresh process answers


def test_busy_children_count_towards_the_calls_cpu_time(tricks: Path) -> None:
    """The worker only sleeps while three children spin: their CPU time is the
    call's, and the call ends at its CPU limit, or on a machine too loaded to
    give them that much, at its plain wall cap: never later."""
    marker = new_marker()
    policy = TimeoutPolicy(factor=1.0, floor=1.0, per_function={"import": 1.0})
    with open_session(tricks, ["tricks"], timeouts=policy) as session:
        session.call("tricks.nap", 0)
        assert session.process is not None
        before = session.process.accounts.last.cpu
        started = time.perf_counter()
        with pytest.raises(StudentTimeout) as stopped:
            session.call("tricks.busy_children", 3, marker)
        elapsed = time.perf_counter() - started
        assert processes_with(marker) == []  # ended with the student
        assert session.spent - before >= 0.2  # the children's CPU time, counted
    cap = watch.WALL_FACTOR * 1.0 + watch.WALL_SLACK
    assert elapsed < cap + 2.5  # (the grader's own looks are late on a loaded machine)
    if isinstance(stopped.value, StudentCpuTimeout):
        assert "every process it started" in stopped.value.message


def test_a_process_escaping_by_setsid_is_still_the_students(tricks: Path) -> None:
    """Reparented to the grader (a child subreaper): its CPU time counts, and it ends."""
    marker = new_marker()
    with open_session(tricks, ["tricks"]) as session:
        assert session.call("tricks.escape_busy", marker)["value"] == 1
        assert session.process is not None
        before = session.process.accounts.scan()
        time.sleep(1.0)
        after = session.process.accounts.scan()
        assert processes_with(marker) and after.others >= 1
        assert after.cpu - before.cpu >= 0.1  # the escaped shell's spinning
        session.close()
        assert processes_with(marker) == []
        assert session.spent >= after.cpu


def test_sleeps_spread_over_many_calls_meet_the_submissions_budget(tricks: Path) -> None:
    policy = TimeoutPolicy(factor=1.0, floor=0.5, per_function={"import": 30.0}, budget=2.0)
    with open_session(tricks, ["tricks"], timeouts=policy) as session:
        started, naps = time.perf_counter(), 0
        with pytest.raises(StudentOverBudget, match="whole submission"):
            for _ in range(100):
                session.call("tricks.nap", 0.3)  # each call well within its limits
                naps += 1
        elapsed = time.perf_counter() - started
        with pytest.raises(StudentOverBudget):
            session.call("tricks.nap", 0)  # at once, without a process
        assert session.process is None and session.status == "timeout"
    assert 2 <= naps <= 7  # 0.3 s each, and the start: about 2 s in all
    assert elapsed < 2.0 + watch.WALL_FACTOR * 0.5 + watch.WALL_SLACK  # at most one call more


def test_processes_together_stay_within_the_memory_of_one_student(tricks: Path) -> None:
    """RLIMIT_AS is the student's memory over its process count: however many
    children take all they can, together they hold at most the student's memory."""
    limits = Limits(memory_bytes=768 << 20, processes=4)
    with open_session(tricks, ["tricks"], timeouts=SLOW, limits=limits) as session:
        session.call("tricks.hoard", 3, 400)
        assert session.process is not None
        usage = session.process.accounts.scan()
    assert 3 * 40 << 20 < usage.rss <= limits.memory_bytes
    assert usage.others == 3


class LooseLimits(Limits):
    """Limits whose per-process fence is looser than the student's memory."""

    @property
    def process_memory_bytes(self) -> int:
        return 1 << 30


def test_the_grader_ends_a_student_whose_processes_together_take_too_much(
    tricks: Path,
) -> None:
    limits = LooseLimits(memory_bytes=256 << 20, processes=4)
    with open_session(tricks, ["tricks"], timeouts=SLOW, limits=limits) as session:
        with pytest.raises(StudentOverLimit, match="more than 256 MiB of memory"):
            session.call("tricks.hoard", 3, 200)
        assert session.process is None and session.status == "error"


def test_a_busy_machine_excuses_a_call_only_while_the_student_has_no_other_process(
    tricks: Path, one_busy_cpu: None
) -> None:
    """The same work, alone or beside an idle child of its own: the machine's load
    extends the wall cap of the first only."""
    policy = TimeoutPolicy(factor=1.0, floor=0.6, default=0.6, per_function={"import": 30.0})
    with open_session(tricks, ["tricks"], timeouts=policy) as session:
        session.call("tricks.nap", 0)
        started = time.perf_counter()
        assert session.call("tricks.idle_child_then_work", 0.5, False)["value"] == 0.5
        alone = time.perf_counter() - started
        with pytest.raises(StudentTimeout):
            session.call("tricks.idle_child_then_work", 0.5, True)
    assert alone > watch.WALL_FACTOR * 0.6 + watch.WALL_SLACK  # it needed the excuse


def test_output_is_capped_per_check_and_per_student_as_stored(student: StudentSession) -> None:
    """16 KiB per check and 256 KiB per student, measured after JSON encoding
    (a control character takes 6 bytes there)."""
    kept = []
    for number in range(24):
        student.begin_check(f"check {number}")
        value(student, "shout", "\x01" * (100 << 10))
        kept.append(processes.json_bytes(student.take_output()))
    assert all(size <= processes.CHECK_CAP_BYTES for size in kept)
    assert kept[0] > processes.CHECK_CAP_BYTES - 200
    assert processes.STUDENT_CAP_BYTES - 200 < sum(kept) <= processes.STUDENT_CAP_BYTES


def test_a_reply_pipe_holds_a_mebibyte_so_large_replies_take_few_wake_ups() -> None:
    """A thin layer's 6.4 MB gradients cross in seven fills, not a hundred."""
    import fcntl

    from autograder.isolation.student_process import PIPE_BYTES, widen

    read_end, write_end = os.pipe()
    try:
        widen(read_end)
        allowed = int(Path("/proc/sys/fs/pipe-max-size").read_text())
        assert fcntl.fcntl(read_end, fcntl.F_GETPIPE_SZ) >= min(PIPE_BYTES, allowed)
    finally:
        os.close(read_end)
        os.close(write_end)


FORKS = """
import os

os.fork()  # at import: a copy of the student's process comes back into the runtime
PID = os.getpid()


def pid():
    return PID


def fork_in_call():
    os.fork()
    return os.getpid()
"""


@pytest.mark.parametrize("level", LEVELS)
def test_a_copy_of_the_process_made_by_fork_never_replies(tmp_path: Path, level: str) -> None:
    """Student code that forks and returns in both processes: the copy ended as it came
    back (it read the next request or wrote a second reply: "malformed reply", 0 points);
    the process the runtime started answers every request."""
    folder = write_modules(tmp_path / "s", forks=FORKS)
    with open_session(folder, ["forks"], level) as session:
        session.begin_check("a check")
        first = session.call("forks.pid")["value"]
        assert session.call("forks.fork_in_call")["value"] == first
        assert session.call("forks.pid")["value"] == first
        assert session.status == "ok"  # (copies never waited for count against the limit)
