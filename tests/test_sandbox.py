"""Each isolation level, probed from inside a real student process.

A tiny probe module runs through ``StudentSession`` as a student's code
would, at each level (real bubblewrap, real Landlock and seccomp on this
kernel, none); each test asks it to do one forbidden thing and asserts what
``isolation_guarantees.GUARANTEES`` (the README's table) says of that level:
refused where the level guarantees it, and *allowed* where it does not, so
that no row of the table is vacuous. The submission lives in pytest's
temporary folder, below a 0700 folder of the grader: the Landlock and none
routes must reach it (and this machine's Python, under a 0700 home) as an
unprivileged uid all the same.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from adversarial_harness import ADVERSARIAL, REPO, SOLUTION, new_marker, processes_with
from isolation_guarantees import LEVELS, holds

from autograder.core.errors import StudentException, StudentOverLimit
from autograder.isolation import sandbox
from autograder.isolation.processes import CHECK_CAP_BYTES, json_bytes
from autograder.isolation.sandbox import Limits, SandboxConfig
from autograder.isolation.session import StudentSession
from autograder.isolation.uids import FIRST_UID, UID_COUNT

PROBE = """
import ctypes
import os
import shutil
import signal
import socket
import subprocess

import numpy as np


def readable(path):
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            with open(path, "rb") as stream:
                stream.read(1)
        return 1
    except OSError:
        return 0


def write(path):
    try:
        with open(path, "w") as stream:
            stream.write("written by the student")
        return 1
    except OSError:
        return 0


def remove_tree(path):
    existed = os.path.exists(path)
    shutil.rmtree(path, ignore_errors=True)
    return int(existed and not os.path.exists(path))


def own_files():
    return readable(__file__)


def connect(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return 1
    except OSError:
        return 0


def make_socket(family, kind):
    try:
        socket.socket(family, kind).close()
        return 1
    except OSError:
        return 0


def pair():
    first, second = socket.socketpair()
    first.sendall(b"x")
    return int(second.recv(1) == b"x")


def chmod_own_file():
    with open("mine", "w") as stream:
        stream.write("x")
    try:
        os.chmod("mine", 0o777)
        return 1
    except OSError:
        return 0


def signal_to(pid):
    try:
        os.kill(pid, signal.SIGTERM)
        return 1
    except OSError:
        return 0


def ids():
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
    data = (ctypes.c_uint32 * 6)()
    ctypes.CDLL(None).capget(header, data)
    capabilities = [data[i] | data[i + 3] << 32 for i in range(3)]
    return [os.getuid(), os.geteuid(), os.getgid(), os.getpid(), *capabilities]


def environment():
    return dict(os.environ)


def allocate(gib):
    block = np.ones(int(gib * (1 << 30)) // 8)
    return float(block[-1])


KEPT = []  # the children's stdin pipes stay open while the worker lives


def spawn(count, marker, detach):
    # A daemon: a new session, and a subshell left behind by its parent.
    # Children wait on their stdin with a shell builtin: a child that had to fork
    # (sleep) could find the process limit reached by its siblings and exit.
    script = "(sleep 600; exit) & exit" if detach else "read line; exit"
    started = 0
    for _ in range(count):
        try:
            KEPT.append(subprocess.Popen(["sh", "-c", script, marker],
                                         stdin=subprocess.PIPE, start_new_session=detach))
            started += 1
        except OSError:
            break
    return started


def fill(count, size):
    folder = os.environ.get("TMPDIR", "/tmp")
    for index in range(count):
        try:
            with open(os.path.join(folder, f"fill-{index}"), "wb") as stream:
                stream.write(b"f" * size)
        except OSError:
            return index
    return count


def shout(size):
    print("z" * size, flush=True)
    return size
"""
SLOT = 3  # where the search for a free uid starts (uids.UidLease)


def session_on(folder: Path, level: str, modules: tuple[str, ...] = ("probe",)) -> StudentSession:
    return StudentSession(folder, list(modules), SandboxConfig(level, Limits()), slot=SLOT)


def probe_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "probe.py").write_text(PROBE)
    folder.chmod(0o755)
    return folder


@pytest.fixture(params=LEVELS)
def probe(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StudentSession]:
    with session_on(probe_folder(tmp_path), request.param) as session:
        yield session


def call(session: StudentSession, function: str, *args: object) -> object:
    return session.call(f"probe.{function}", *args)["value"]


def level(session: StudentSession) -> str:
    return session.isolation.level


def status_of(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return dict(line.split(":", 1) for line in lines if ":" in line)


def test_the_student_runs_unprivileged_and_without_capabilities(probe: StudentSession) -> None:
    """Asked of the process itself (capget), and read by the grader from /proc."""
    uid, euid, gid, pid, *capabilities = call(probe, "ids")  # type: ignore[misc]
    row = "runs as an unprivileged user, no capabilities"
    assert probe.process is not None
    outside = status_of(probe.process.accounts.chain[-1])
    if holds(row, level(probe)):
        assert probe.launcher.lease is not None and probe.launcher.lease.uid is not None
        assert uid == euid == gid == probe.launcher.lease.uid >= FIRST_UID
        assert capabilities == [0, 0, 0]
        assert int(outside["CapEff"], 16) == int(outside["CapBnd"], 16) == 0
        assert outside["Uid"].split() == [str(probe.launcher.lease.uid)] * 4
    assert outside["NoNewPrivs"].strip() == "1"
    assert outside["Seccomp"].strip() == ("0" if level(probe) == "none" else "2")
    assert (pid < 10) is (level(probe) == "bwrap" or probe.isolation.pid_namespace)


SECRETS = {
    "reference": SOLUTION / "layers.py",
    "hidden checks": SOLUTION / "hidden_checks.py",
    "other student": ADVERSARIAL / "twin_full" / "layers.py",
    "engine checks": REPO / "autograder" / "checks" / "gradcheck.py",
    "repository": REPO / "README.md",
}


@pytest.mark.parametrize("secret", list(SECRETS))
def test_secrets_are_out_of_reach(probe: StudentSession, secret: str) -> None:
    path = SECRETS[secret]
    assert path.is_file()
    refused = not holds(
        "cannot read the reference, other students or the engine's checks", level(probe)
    )
    assert call(probe, "readable", str(path)) == int(refused)
    runtime = sandbox.SANDBOX_RUNTIME if level(probe) == "bwrap" else str(sandbox.RUNTIME_DIR)
    assert call(probe, "own_files") == call(probe, "readable", runtime + "/worker.py") == 1


def test_writing_outside_the_scratch_folder(probe: StudentSession, tmp_path: Path) -> None:
    shared = Path("/tmp") / f"{new_marker()}-student"  # world-writable /tmp
    try:
        written = call(probe, "write", str(shared))
        outside = shared.exists()
    finally:
        shared.unlink(missing_ok=True)
    assert outside is not holds("cannot write outside its own scratch folder", level(probe))
    assert written == 1 or level(probe) == "landlock"  # bwrap: its private /tmp
    assert call(probe, "write", "in-my-scratch") == 1
    own = call(probe, "write", str(probe.folder / "new.py"))  # its submission: read-only
    assert own == int(level(probe) == "none" and os.geteuid() != 0)


def test_deleting_its_neighbours(probe: StudentSession, tmp_path: Path) -> None:
    """The grader's own temporary folders and another student's scratch folder."""
    marker = new_marker()
    grader, neighbour = Path("/tmp") / f"{marker}-grader", Path("/tmp") / f"{marker}-neighbour"
    for folder in (grader, neighbour):
        (folder / "inner").mkdir(parents=True)
        (folder / "inner" / "file").write_text("keep me")
    lease = probe.launcher.lease
    if os.geteuid() == 0 and lease and lease.uid:  # another student's folder
        other = FIRST_UID + (lease.uid - FIRST_UID + 1) % UID_COUNT
        for path in (neighbour, neighbour / "inner", neighbour / "inner" / "file"):
            os.chown(path, other, other)
    try:
        deleted = [call(probe, "remove_tree", str(f)) for f in (grader, neighbour)]
        survived = [(f / "inner" / "file").exists() for f in (grader, neighbour)]
    finally:
        for folder in (grader, neighbour):
            shutil.rmtree(folder, ignore_errors=True)
    kept = holds("cannot delete the grader's or other students' files", level(probe))
    assert survived == [kept, kept] and deleted == [int(not kept)] * 2


def test_tcp(probe: StudentSession) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        reached = call(probe, "connect", server.getsockname()[1])
    assert reached == int(not holds("no TCP connection (no network)", level(probe)))


@pytest.mark.parametrize(
    "family",
    [
        (socket.AF_INET, socket.SOCK_DGRAM),
        (socket.AF_INET6, socket.SOCK_STREAM),
        (socket.AF_UNIX, socket.SOCK_STREAM),
        (socket.AF_NETLINK, socket.SOCK_RAW),
    ],
    ids=["udp", "tcp6", "unix", "netlink"],
)
def test_sockets(probe: StudentSession, family: tuple[int, int]) -> None:
    made = call(probe, "make_socket", *(int(number) for number in family))
    assert made == int(not holds("no socket of any family (only socketpair)", level(probe)))
    assert call(probe, "pair") == 1


def test_metadata_changes(probe: StudentSession) -> None:
    changed = call(probe, "chmod_own_file")
    assert changed == int(not holds("no chmod, chown or xattr changes", level(probe)))


def test_the_graders_processes(probe: StudentSession) -> None:
    """Its command line holds --seed; a student seeing it knows the hidden inputs."""
    seen = call(probe, "readable", f"/proc/{os.getpid()}/cmdline")
    row = "cannot see the grader's processes (their command line holds --seed)"
    assert seen == int(not holds(row, level(probe)))
    victim = subprocess.Popen(["sleep", "60"])
    try:
        sent = call(probe, "signal_to", victim.pid)
        time.sleep(0.1)
        alive = victim.poll() is None
    finally:
        victim.kill()
        victim.wait()
    refused = holds("cannot signal the grader's processes", level(probe))
    assert alive is refused and sent == int(not refused)


def test_the_graders_environment_does_not_leak(
    probe: StudentSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTOGRADER_SEED", "4711")
    monkeypatch.setenv("SOME_TOKEN", "secret")
    probe.close()  # the next call starts a process with today's environment
    seen = call(probe, "environment")
    assert isinstance(seen, dict)
    assert "AUTOGRADER_SEED" not in seen and "SOME_TOKEN" not in seen
    assert seen["OPENBLAS_NUM_THREADS"] == "1"


def test_the_memory_limit_fails_only_that_call(probe: StudentSession) -> None:
    with pytest.raises(StudentException) as raised:
        call(probe, "allocate", 3)
    assert raised.value.kind == "MemoryError"
    assert call(probe, "allocate", 0.01) == 1.0  # the same process answers on


def test_output_is_drained_and_capped(probe: StudentSession) -> None:
    assert call(probe, "shout", 8 << 20) == 8 << 20
    output = probe.take_output()
    assert CHECK_CAP_BYTES - 200 <= json_bytes(output) <= CHECK_CAP_BYTES
    assert output.startswith("z" * 1000)


@pytest.mark.parametrize("detach", [False, True], ids=["children", "daemons"])
def test_processes_are_counted_limited_and_all_end(probe: StudentSession, detach: bool) -> None:
    """RLIMIT_NPROC binds the slot's uid; every process, setsid or not, ends with
    the student (found by the grader under its child subreaper)."""
    marker = new_marker()
    # Children: as many as the limit allows. A daemon: one (its shells count too).
    assert call(probe, "spawn", 1 if detach else 16, marker, detach) >= 1  # type: ignore[operator]
    assert probe.process is not None
    # Seen twice in a row: the daemon's parent shell, seen first, ends as it forks the
    # subshell, and one look at /proc can list the pids before the subshell is born
    # and read the parent's once it has ended (a flaky failure, 1 run in 4).
    deadline, seen = time.monotonic() + 5, 0
    while seen < 2 and time.monotonic() < deadline:
        seen = seen + 1 if processes_with(marker) else 0
        time.sleep(0.05)
    assert seen == 2
    found = probe.process.accounts.scan()
    assert 1 <= found.others <= Limits().processes - 1  # the worker is the first
    probe.close()
    assert processes_with(marker) == []
    assert holds("no process outlives the student, setsid or not", level(probe))


def test_the_scratch_folder_is_capped_in_size(probe: StudentSession) -> None:
    """bwrap: /tmp is a tmpfs capped at 64 MiB (RAM); elsewhere the grader
    measures the scratch folder and ends the student past 64 MiB."""
    if level(probe) == "bwrap":
        sized = sandbox.bwrap_sizes_tmpfs()
        assert call(probe, "fill", 8, 15 << 20) == (4 if sized else 8)
    else:
        with pytest.raises(StudentOverLimit, match="64 MiB of files"):
            call(probe, "fill", 8, 15 << 20)


@pytest.mark.parametrize("isolation", ["bwrap", "landlock"])
def test_an_installed_copy_of_the_engine_is_out_of_reach(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolation: str
) -> None:
    """Gradescope's bundle runs the engine from PYTHONPATH beside its pip-installed copy
    in site-packages, which the sandbox showed whole: its checks, its trusted layers."""
    site = Path(tempfile.mkdtemp(prefix="autograder-site-", dir="/tmp")) / "site-packages"
    try:
        shutil.copytree(REPO / "autograder" / "runtime", site / "autograder" / "runtime")
        shutil.copy(REPO / "autograder" / "checks" / "gradcheck.py", site / "autograder")
        (site / "other.py").write_text("")
        for path in [site.parent, *site.parent.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        monkeypatch.syspath_prepend(str(site))
        with session_on(probe_folder(tmp_path), isolation) as session:
            for name in ("runtime/trusted_layers.py", "gradcheck.py"):
                assert call(session, "readable", str(site / "autograder" / name)) == 0
            assert call(session, "readable", str(site / "other.py")) == 1
    finally:
        shutil.rmtree(site.parent)
