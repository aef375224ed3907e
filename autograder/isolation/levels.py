"""Which isolation runs here: ``auto`` resolved, each level probed for real.

bubblewrap is probed by running it (``sandbox.bwrap_problem``); Landlock by
starting one real student process on the Landlock route, empty submission,
and reading its *ready* message: confinement applied, Landlock ABI, seccomp
installed, an unprivileged uid. Both probes run once per process.
"""

from __future__ import annotations

import contextlib
import functools
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from autograder.isolation import launch
from autograder.isolation.sandbox import (
    Isolation,
    Limits,
    SandboxConfig,
    SandboxUnavailable,
    bwrap_problem,
)
from autograder.isolation.uids import UidLease
from autograder.runtime import framing, plaindata
from autograder.runtime.landlock import abi_version

PROBE_SECONDS = 60.0
FIXES = (
    "install bubblewrap (`apt-get install bubblewrap`) where it can create namespaces, "
    "or grade on a Linux kernel with Landlock (5.13+, `landlock` in the LSM list)"
)


def start_probe(isolation: Isolation, limits: Limits = Limits()) -> tuple[dict[str, Any], float]:
    """Start one student process at ``isolation``: (its ready message, seconds to ready)."""
    with tempfile.TemporaryDirectory(prefix="autograder-probe-") as home:
        folder, scratch = Path(home, "submission"), Path(home, "scratch")
        folder.mkdir(mode=0o755)
        scratch.mkdir(mode=0o700)
        lease = UidLease(0)
        if lease.uid is not None:
            os.chown(scratch, lease.uid, lease.uid)
        os.chmod(home, 0o755)
        request_r, request_w = os.pipe()
        reply_r, reply_w = os.pipe()
        fds = (request_r, reply_w)
        command = launch.student_command(isolation, folder, scratch, fds, lease.uid, limits)
        started = time.perf_counter()
        popen = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            pass_fds=fds,
            cwd=scratch,
            env=launch.student_env(isolation, scratch),
            start_new_session=True,
        )
        os.close(request_r)
        os.close(reply_w)
        try:
            message = framing.read_message(reply_r, time.perf_counter() + PROBE_SECONDS, 1 << 16)
            seconds = time.perf_counter() - started
        except (TimeoutError, EOFError):
            message, seconds = None, 0.0
        finally:
            os.close(request_w)
            os.close(reply_r)
            with contextlib.suppress(subprocess.TimeoutExpired):
                popen.wait(timeout=PROBE_SECONDS)
            popen.kill()
            stderr = popen.communicate()[1].decode(errors="replace").strip()
            lease.release()
    if message is None:
        raise SandboxUnavailable(stderr[-300:] or f"exit status {popen.returncode}")
    ready = plaindata.decode(message)
    return dict(ready.get("ready", {})), seconds


@functools.cache
def landlock_problem() -> str:
    """Why the Landlock route cannot confine student code here, or "" when it can."""
    abi = abi_version()
    if abi < 1:
        return "this kernel has no Landlock (Linux 5.13+ with landlock in its LSM list)"
    try:
        applied, _ = start_probe(Isolation("landlock", abi, bool(launch.pid_namespace_prefix())))
    except SandboxUnavailable as error:
        return f"a process confined with Landlock does not start ({error})"
    if applied.get("landlock", {}).get("abi") != abi or not applied.get("seccomp"):
        return f"the confinement did not fully apply ({applied})"
    return ""


def resolve(config: SandboxConfig) -> Isolation:
    """The isolation ``config`` asks for, as it will run here; SandboxUnavailable if it cannot."""
    level = config.isolation
    if level == "none":
        return Isolation("none")
    if level in ("auto", "bwrap") and not bwrap_problem():
        return Isolation("bwrap")
    if level in ("auto", "landlock") and not landlock_problem():
        return Isolation("landlock", abi_version(), bool(launch.pid_namespace_prefix()))
    if level == "bwrap":
        problem = bwrap_problem()
    elif level == "landlock":
        problem = landlock_problem()
    else:
        problem = f"{bwrap_problem()}, and {landlock_problem()}"
    raise SandboxUnavailable(
        f"cannot isolate student code here: {problem}. To fix it, {FIXES}; or grade "
        "without any sandbox with --no-sandbox (only for code you trust: it then runs "
        "with access to your files and network)"
    )


def describe(isolation: Isolation) -> str:
    """One line for the instructor: what isolates the students."""
    if isolation.level == "bwrap":
        return "bubblewrap (private file system, PID and network namespaces)"
    if isolation.level == "landlock":
        pid = ", PID namespace" if isolation.pid_namespace else ""
        return f"Landlock ABI {isolation.landlock_abi} and seccomp{pid}"
    return (
        "NONE (--no-sandbox): student code can read your files, use the network and "
        "see your processes; resource limits and privilege drop only"
    )
