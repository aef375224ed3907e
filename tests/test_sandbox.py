"""The sandbox, probed from inside a real student process (real bubblewrap).

A tiny probe module is run through ``StudentSession`` as a student's code
would be; each test asks it to do one forbidden thing and reports what it
could do. Where the plain subprocess (no bubblewrap) cannot hold a promise,
the test says so by asserting the opposite without the sandbox: that is
what the README lists as lost without bubblewrap.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from adversarial_harness import ADVERSARIAL, REPO, SOLUTION, new_marker, processes_with

from autograder.core.errors import StudentException
from autograder.isolation import sandbox
from autograder.isolation.processes import OUTPUT_CAP_BYTES
from autograder.isolation.sandbox import FIRST_UID, Limits, SandboxConfig, SandboxUnavailable
from autograder.isolation.session import StudentSession

PROBE = """
import os
import socket
import subprocess
import sys

import numpy as np


def connect(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return 1
    except OSError:
        return 0


def exists(path):
    return int(os.path.exists(path))


def write(path):
    try:
        with open(path, "w") as stream:
            stream.write("written by the student")
        return 1
    except OSError:
        return 0


def ids():
    return [os.getuid(), os.geteuid(), os.getgid(), os.getpid()]


def environment():
    return dict(os.environ)


def allocate(gib):
    block = np.ones(int(gib * (1 << 30)) // 8)
    return float(block[-1])


def spawn(count, marker):
    started = 0
    for _ in range(count):
        try:
            subprocess.Popen(["sh", "-c", "sleep 600; exit", marker])
            started += 1
        except OSError:
            break
    return started


def fill(count, size):
    for index in range(count):
        try:
            with open(f"/tmp/fill-{index}", "wb") as stream:
                stream.write(b"f" * size)
        except OSError:
            return index
    return count


def shout(size):
    sys.stdout.write("z" * size)
    return size
"""
SLOT = 3
MODES = {"sandboxed": True, "unsandboxed": False}


def session_on(folder: Path, sandboxed: bool, modules: tuple[str, ...] = ("probe",)):
    config = SandboxConfig(use_bwrap=sandboxed, require_bwrap=sandboxed, limits=Limits())
    return StudentSession(folder, list(modules), config, slot=SLOT)


@pytest.fixture(params=list(MODES))
def probe(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StudentSession]:
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "probe.py").write_text(PROBE)
    folder.chmod(0o755)
    with session_on(folder, MODES[request.param]) as session:
        yield session


def call(session: StudentSession, function: str, *args: object) -> object:
    return session.call(f"probe.{function}", *args)["value"]


def test_the_network_is_off_in_the_sandbox(probe: StudentSession) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(0.5)
        reached = call(probe, "connect", server.getsockname()[1])
        assert reached == (0 if probe.use_bwrap else 1)  # without bwrap: lost


def test_tmp_is_private_in_the_sandbox(probe: StudentSession, tmp_path: Path) -> None:
    ours = Path("/tmp") / f"{new_marker()}-grader"
    theirs = Path("/tmp") / f"{new_marker()}-student"
    ours.write_text("the grader's")
    try:
        assert call(probe, "exists", str(ours)) == (0 if probe.use_bwrap else 1)
        assert call(probe, "write", str(theirs)) == 1
        assert theirs.exists() is not probe.use_bwrap
    finally:
        ours.unlink()
        theirs.unlink(missing_ok=True)


def test_the_private_tmp_is_capped_in_size(tmp_path: Path) -> None:
    """/tmp is a tmpfs, i.e. RAM: 64 MiB at most, where bwrap can cap it."""
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "probe.py").write_text(PROBE)
    folder.chmod(0o755)
    with session_on(folder, True) as session:
        written = call(session, "fill", 8, 15 << 20)  # 120 MiB in files of 15 MiB
    assert written == (4 if sandbox._bwrap_sizes_tmpfs(sandbox.bwrap_path()) else 8)


def test_the_student_runs_as_an_unprivileged_user_in_its_own_pid_namespace(
    probe: StudentSession,
) -> None:
    uid, euid, gid, pid = probe.call("probe.ids")["value"]
    if probe.use_bwrap:
        # As root, setpriv switches to one uid per slot; otherwise bwrap keeps
        # the (already unprivileged) user's own.
        expected = FIRST_UID + SLOT if os.geteuid() == 0 else os.getuid()
        assert uid == euid == expected != 0
        assert gid == (expected if os.geteuid() == 0 else os.getgid())
        assert pid < 10  # a fresh PID namespace
    else:
        assert pid > 1


def test_the_submission_is_read_only_in_the_sandbox(probe: StudentSession) -> None:
    folder = probe.folder
    before = (folder / "probe.py").read_text()
    inside = sandbox.SANDBOX_SUBMISSION if probe.use_bwrap else str(folder)
    written = [call(probe, "write", f"{inside}/{name}") for name in ("probe.py", "new.py")]
    if probe.use_bwrap:
        assert written == [0, 0]
        assert (folder / "probe.py").read_text() == before
        assert not (folder / "new.py").exists()
    else:
        assert written == [1, 1]  # lost without bwrap (the grader works on a copy)


@pytest.mark.parametrize(
    "path",
    # The repository's own folder may exist as an empty mount point when the
    # Python environment lives inside it (CI's .venv); its files never show.
    [
        REPO / "README.md",
        REPO / "autograder",
        SOLUTION,
        SOLUTION / "hidden_checks.py",
        ADVERSARIAL,
        Path("/etc/passwd"),
    ],
    ids=[
        "repository",
        "engine source",
        "solutions",
        "hidden checks",
        "other submissions",
        "passwd",
    ],
)
def test_only_its_own_submission_is_visible_in_the_sandbox(tmp_path: Path, path: Path) -> None:
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "probe.py").write_text(PROBE)
    assert path.exists()
    with session_on(folder, True) as session:
        assert call(session, "exists", str(path)) == 0
        assert call(session, "exists", str(tmp_path)) == 0
        assert call(session, "exists", f"{sandbox.SANDBOX_SUBMISSION}/probe.py") == 1
        assert call(session, "exists", f"{sandbox.SANDBOX_RUNTIME}/worker.py") == 1


def test_the_graders_processes_are_out_of_sight_in_the_sandbox(probe: StudentSession) -> None:
    """Its command line holds --seed, its environment AUTOGRADER_SEED: hidden
    inputs. Without the sandbox, the student's code can read both."""
    visible = call(probe, "exists", f"/proc/{os.getpid()}/environ")
    assert visible == (0 if probe.use_bwrap else 1)


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
    assert OUTPUT_CAP_BYTES <= len(output.encode()) <= OUTPUT_CAP_BYTES + 200
    assert output.startswith("z" * 1000)


def test_the_process_count_is_limited_and_every_child_dies(tmp_path: Path) -> None:
    """In the sandbox the student is an ordinary user: RLIMIT_NPROC holds.
    (The grader runs as root here, which that limit does not bind, so the
    plain subprocess is checked for the cleanup only.)"""
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "probe.py").write_text(PROBE)
    marker = new_marker()
    for sandboxed in MODES.values():
        with session_on(folder, sandboxed) as session:
            started = call(session, "spawn", 64 if sandboxed else 4, marker)
            assert processes_with(marker) or not started
        assert processes_with(marker) == []
        if sandboxed:  # (a non-root grader's own processes count towards it too)
            assert started < Limits().processes and (started > 0 or os.geteuid() != 0)


def test_without_the_sandbox_the_reference_is_within_reach(tmp_path: Path) -> None:
    """What the README says is lost without bubblewrap, shown: the attack works."""
    attack = ADVERSARIAL / "steal_reference"
    for sandboxed in MODES.values():
        with session_on(attack, sandboxed, ("layers",)) as session:
            session.new("layers.MultiplyLayer")
            found = "FOUND THE REFERENCE" in session.take_output()
        assert found is not sandboxed


def test_a_required_sandbox_without_bubblewrap_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SandboxUnavailable, match="not installed"):
        sandbox.sandboxed(SandboxConfig(require_bwrap=True))
    assert sandbox.sandboxed(SandboxConfig()) is False
    assert "WITHOUT file-system or network isolation" in sandbox.isolation_warning()


def test_a_bubblewrap_that_cannot_sandbox_is_not_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    with pytest.raises(SandboxUnavailable, match="No permissions"):
        sandbox.sandboxed(SandboxConfig(require_bwrap=True))
    assert "No permissions" in sandbox.isolation_warning()
