"""Grading on a real Dask cluster gives the local pool's results, file for file.

The tests start a real scheduler and two real single-threaded worker
processes on loopback (the ``dask scheduler`` / ``dask worker`` commands),
grade a generated class that includes hostile submissions, and compare with
a local ``-j 2`` run of the same class. Workers are SIGKILLed mid-batch: a
lost worker costs nothing (or, past the scheduler's limit, one recorded
grader error that the next run repairs). Timeouts are pinned to a floor
(factor 1e-6), so that messages do not depend on each run's calibration
("did not return within 5.0 s" in every run), a floor high enough that no
honest call (a new process importing NumPy included) reaches it on a busy
machine. The slow hostile kinds appear once; cheap kinds fill the class.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import cycle
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from distributed import Client  # the [cluster] extra: the README's test command installs it

from autograder.cli import cli
from autograder.core.results import BatchSummary, Outcome
from autograder.grading import cluster as cluster_module  # noqa: E402
from autograder.grading.batch import grade_batch
from autograder.grading.cluster_worker import FIRST_SLOT, sandbox_slot, transportable  # noqa: E402
from autograder.grading.config import BatchConfig
from autograder.grading.parcels import Parcel
from autograder.grading.runner import GradeOptions
from autograder.intake.submissions import Submission
from autograder.isolation.session import TimeoutPolicy

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "backprop"
OPTIONS = GradeOptions(seed=7, timeouts=TimeoutPolicy(factor=1e-6, floor=5.0))
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")

# (name, file, old, new): one change to the reference per kind of student.
CHEAP = [
    ("correct", "layers.py", "", ""),
    ("affine_dW_sign", "layers.py", "dW = self.x.T @ dout", "dW = -(self.x.T @ dout)"),
    ("affine_db_mean", "layers.py", "db = dout.sum(axis=0)", "db = dout.mean(axis=0)"),
    ("sigmoid_no_upstream", "layers.py", "return da * self.a", "return self.a"),
    ("multiply_swapped", "layers.py", "return dx, dy", "return dy, dx"),
    ("trainer_adds", "xor.py", "p[name] - lr * grads", "p[name] + lr * grads"),
    ("prints", "layers.py", "dx = dz * self.y", "print('score: 100'); dx = dz * self.y"),
]
HOSTILE = [
    ("loop_in_backward", "layers.py", "return dx, dy", "while True: pass"),
    ("exit_at_import", "layers.py", "import numpy as np\n", "import os\nos._exit(0)\n"),
    (
        "segfault",
        "layers.py",
        "dx = dout @ self.W.T",
        "import ctypes; ctypes.string_at(0)\n        dx = dout @ self.W.T",
    ),
    ("syntax_error", "layers.py", "def backward(self, dz):", "def backward(self, dz)"),
]


def reference(name: str) -> str:
    lines = (SOLUTION / name).read_text().splitlines(keepends=True)
    return "".join(line for line in lines if not line.strip().startswith(MARKERS))


def write_student(folder: Path, file: str, old: str, new: str) -> None:
    folder.mkdir(parents=True)
    for name in ("layers.py", "xor.py"):
        text = reference(name)
        if name == file and old:
            assert old in text, old
            text = text.replace(old, new, 1)
        (folder / name).write_text(text)


def make_class(root: Path, size: int) -> Path:
    """``size`` students: every hostile kind once, odd formats, cheap kinds for the rest."""
    for kind, file, old, new in HOSTILE:
        write_student(root / kind, file, old, new)
    write_student(root / "nested" / "backprop", *CHEAP[1][1:])
    write_student(root / ".zipped", *CHEAP[2][1:])
    with zipfile.ZipFile(root / "zipped.zip", "w") as bundle:
        for path in (root / ".zipped").iterdir():
            bundle.write(path, f"work/{path.name}")
    (root / "broken.zip").write_bytes(b"PK\x03\x04 truncated")
    (root / "missing_xor").mkdir()
    (root / "missing_xor" / "layers.py").write_text(reference("layers.py"))
    kinds = cycle(CHEAP)
    for number in range(size - len(HOSTILE) - 4):
        kind, file, old, new = next(kinds)
        write_student(root / f"{kind}_{number}", file, old, new)
    return root


def comparable(out: Path) -> dict[str, object]:
    """Every result file, minus the run's timings (timings.json and timing fields)."""
    files: dict[str, object] = {}
    for path in sorted(out.rglob("*")):
        if path.is_dir():
            continue
        key = path.relative_to(out).as_posix()
        if key == "timings.json":  # what the run cost, nothing else
            continue
        if path.suffix == ".json":
            document = json.loads(path.read_text())
            document.pop("execution_time", None)  # results.json
            document.pop("seconds", None)  # report.json
            files[key] = document
        elif path.suffix == ".svg":  # feedback.md's plot (loss.svg): compared as bytes
            files[key] = path.read_bytes()
        else:
            files[key] = path.read_text()
    return files


def differences(one: Path, other: Path) -> list[str]:
    """The result files that differ between two runs (with their first differing key)."""
    left, right = comparable(one), comparable(other)
    found = sorted(set(left) ^ set(right))
    for name in sorted(set(left) & set(right)):
        a, b = left[name], right[name]
        if a != b:
            both = isinstance(a, dict) and isinstance(b, dict)
            keys = [k for k in a if a[k] != b.get(k)] if both else []
            found.append(f"{name}: {keys[:1]}")
    return found


@dataclass
class Cluster:
    address: str
    processes: list[subprocess.Popen[bytes]]

    def worker_pids(self) -> dict[str, int]:
        """Each worker's own process (below its nanny, if it has one)."""
        with Client(self.address, timeout="60s") as client:
            return client.run(os.getpid)


def _spawn(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with open(log, "wb") as stream:
        return subprocess.Popen(command, stdout=stream, stderr=subprocess.STDOUT, env=env)


def start_cluster(folder: Path, allowed_failures: int = 3, nanny: bool = True) -> Cluster:
    """``dask scheduler`` and two ``dask worker --nthreads 1`` on loopback."""
    folder.mkdir()
    env = dict(os.environ, DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=str(allowed_failures))
    file, common = folder / "scheduler.json", ["--host", "127.0.0.1", "--no-dashboard"]
    dask = [sys.executable, "-m", "dask"]  # the `dask` command of this environment
    scheduler = [*dask, "scheduler", "--port", "0", *common]
    processes = [_spawn([*scheduler, "--scheduler-file", str(file)], folder / "s.log", env)]
    try:
        deadline = time.monotonic() + 60
        while not file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(file.read_text())["address"]
        worker = [*dask, "worker", address, "--nthreads", "1", *common]
        worker += [] if nanny else ["--no-nanny"]
        processes += [_spawn(worker, folder / f"w{n}.log", env) for n in range(2)]
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=60)
    except BaseException:
        stop(processes)
        raise
    return Cluster(address, processes)


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Workers first, then the scheduler; a nanny takes its worker down with it."""
    for process in reversed(processes):
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    started = start_cluster(tmp_path / "dask")
    yield started
    stop(started.processes)


@pytest.fixture(scope="module")
def assignment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A snapshot of the reference: the checks' hash cannot change between two runs."""
    copy = tmp_path_factory.mktemp("assignment") / "backprop"
    shutil.copytree(SOLUTION, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


Progress = Callable[[Outcome, int, int], None]


def grade(
    root: Path, out: Path, assignment: Path, scheduler: str = "", progress: Progress | None = None
) -> BatchSummary:
    config = BatchConfig(assignment, OPTIONS, jobs=2, scheduler=scheduler)
    return grade_batch(root, out, config, progress)


def killer(pid: int, after: int) -> Progress:
    """A progress callback that SIGKILLs process ``pid`` once ``after`` students are done."""

    def progress(outcome: Outcome, done: int, total: int) -> None:
        if done == after:
            os.kill(pid, signal.SIGKILL)

    return progress


def test_a_cluster_grades_like_the_local_pool_even_when_a_worker_dies(
    cluster: Cluster, assignment: Path, tmp_path: Path
) -> None:
    root = make_class(tmp_path / "class", size=32)
    local = grade(root, tmp_path / "local", assignment)
    before = cluster.worker_pids()
    victim = min(before.values())
    remote = grade(root, tmp_path / "remote", assignment, cluster.address, killer(victim, 3))
    assert victim not in cluster.worker_pids().values()  # it died; its nanny started another
    assert len(remote.outcomes) == 32
    assert not local.grader_failures and not remote.grader_failures
    assert differences(tmp_path / "remote", tmp_path / "local") == []
    assert comparable(tmp_path / "remote") == comparable(tmp_path / "local")
    statuses = {o.student: o.row.status for o in remote.outcomes}
    assert statuses["loop_in_backward"] == "timeout"
    assert statuses["segfault"] == statuses["exit_at_import"] == "error"
    full = max(o.row.max_total for o in remote.outcomes)  # others: checks not applicable
    assert {o.row.total for o in remote.outcomes if o.student.startswith("correct")} == {full}


def test_grader_failures_are_recorded_the_batch_finishes_and_a_rerun_repairs_them(
    assignment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers dying past ``allowed-failures`` (here 0), or a submission unreadable."""
    cluster = start_cluster(tmp_path / "dask", allowed_failures=0, nanny=False)
    try:
        root = make_class(tmp_path / "class", size=10)
        out = tmp_path / "remote"
        real_pack = cluster_module.pack_submission

        def pack(submission: Submission) -> Parcel:
            if submission.student == "missing_xor":
                raise PermissionError(13, "Permission denied", "missing_xor/layers.py")
            return real_pack(submission)

        monkeypatch.setattr(cluster_module, "pack_submission", pack)
        victim = cluster.processes[1].pid
        # The 1st outcome is the unreadable one (no task); at the 2nd, workers hold tasks.
        first = grade(root, out, assignment, cluster.address, killer(victim, 2))
        errors = {o.student: o.grader_error for o in first.grader_failures}
        assert "Permission denied" in errors.pop("missing_xor")
        assert errors, "a worker was killed with a task in hand and no retry allowed"
        assert all("died" in error for error in errors.values())
        assert len(first.outcomes) == 10
        assert all((out / student / "report.json").is_file() for student in errors)
        monkeypatch.undo()
        second = grade(root, out, assignment, cluster.address)
        assert {o.student for o in second.outcomes if not o.skipped} == {"missing_xor", *errors}
        assert not second.grader_failures
    finally:
        stop(cluster.processes)


def test_a_killed_client_resumes_with_nothing_lost_or_graded_twice(
    cluster: Cluster, assignment: Path, tmp_path: Path
) -> None:
    root = make_class(tmp_path / "class", size=9)
    out = tmp_path / "remote"
    command = [sys.executable, "-m", "autograder", "grade", str(root), "--out", str(out)]
    command += ["--assignment", str(assignment), "--scheduler", cluster.address, "--seed", "7"]
    command += ["--timeout-factor", "1e-6", "--timeout-floor", "5"]
    client = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(list(out.glob("*/report.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    client.send_signal(signal.SIGKILL)
    client.wait()
    finished = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/report.json")}
    assert 3 <= len(finished) < 9
    rerun = grade(root, out, assignment, cluster.address)
    assert {o.student for o in rerun.outcomes if o.skipped} == set(finished)
    assert all((out / s / "report.json").stat().st_mtime_ns == t for s, t in finished.items())
    assert len(rerun.outcomes) == 9 and not rerun.grader_failures
    documents = [json.loads(p.read_text()) for p in out.glob("*/report.json")]
    assert len(documents) == 9 and all(d["fingerprint"] for d in documents)


def test_without_a_scheduler_dask_is_never_imported(tmp_path: Path) -> None:
    (tmp_path / "class").mkdir()
    write_student(tmp_path / "class" / "alice", *CHEAP[0][1:])
    probe = (
        "import sys\n"
        "from autograder.cli import cli\n"
        "try:\n"
        "    cli(sys.argv[1:], prog_name='autograder')\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0, done.code\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )
    args = ["grade", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "-j", "1"]
    args += ["--assignment", str(SOLUTION)]
    result = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "out" / "alice" / "report.json").is_file()


@pytest.mark.parametrize(
    ("address", "says"),
    [
        ("nonsense", "missing port"),
        ("tcp://127.0.0.1:1", "could not reach the Dask scheduler"),
    ],
)
def test_a_bad_scheduler_address_is_a_clear_error(
    address: str, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("autograder.grading.cluster.CONNECT_TIMEOUT", "2s")
    (tmp_path / "class").mkdir()
    write_student(tmp_path / "class" / "alice", *CHEAP[0][1:])
    args = ["grade", str(tmp_path / "class"), "--out", str(tmp_path / "out")]
    args += ["--assignment", str(SOLUTION)]
    result = CliRunner().invoke(cli, [*args, "--scheduler", address])
    assert result.exit_code != 0 and says in result.output
    assert "Traceback" not in result.output


def test_concurrent_tasks_on_one_machine_never_share_a_sandbox_slot() -> None:
    held: list[int] = []
    lock, barrier = threading.Lock(), threading.Barrier(6)

    def hold() -> int:
        with sandbox_slot() as slot:
            with lock:
                held.append(slot)
            barrier.wait(timeout=10)  # all six hold a slot at once
        return slot

    with ThreadPoolExecutor(6) as pool:
        slots = list(pool.map(lambda _: hold(), range(6)))
    assert len(set(slots)) == 6 and min(slots) >= FIRST_SLOT
    with sandbox_slot() as again:  # released: the lowest free slot is handed out again
        assert again <= max(slots)


class Opaque:
    """Stands in for a class defined in a checks file (unknown to the client)."""

    def __repr__(self) -> str:
        return "Opaque()"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"curve": [1.0, 0.5], "n": 3, "ok": True, "name": "x"}, None),
        ({"pair": (1, 2.5), "none": None}, None),
        ({"value": Opaque()}, {"value": "Opaque()"}),
        ({"deep": [{"value": Opaque()}]}, {"deep": [{"value": "Opaque()"}]}),
        ({"strings": np.array(["a"])}, {"strings": ["a"]}),
    ],
)
def test_report_data_travels_as_is_or_made_plain(data: dict, expected: dict | None) -> None:
    assert transportable(data) == (data if expected is None else expected)


def test_numeric_arrays_and_scalars_travel_as_they_are() -> None:
    data = {"a": np.arange(3.0), "s": np.float32(2.5), "i": np.int64(4)}
    moved = transportable(data)
    assert type(moved["a"]) is np.ndarray and np.array_equal(moved["a"], data["a"])
    assert type(moved["s"]) is np.float32 and type(moved["i"]) is np.int64


def test_a_retry_on_another_worker_reads_what_earlier_attempts_spent(cluster: Cluster) -> None:
    """The submission's budget spans Dask retries: the scheduler keeps the spending."""
    ledger = cluster_module.SchedulerLedger()
    with Client(cluster.address, timeout="60s") as client:
        first, second = sorted(client.scheduler_info()["workers"])
        done = client.submit(ledger.record, "task-a", 2.5, workers=[first], pure=False)
        done.result()
        read = client.submit(ledger.spent, "task-a", workers=[second], pure=False)
        other = client.submit(ledger.spent, "task-b", workers=[second], pure=False)
        assert read.result() == 2.5 and other.result() == 0.0
