"""How a student process is started: inside bubblewrap, or as a plain subprocess.

With bubblewrap the student's process sees only a read-only Python, the
engine's own package (public code) and its own submission, read-only; it has
a private /tmp, no network, its own PID namespace (everything it starts dies
with it) and runs as an unprivileged user, one uid per worker slot so that
the process-count limit of one student never counts another's processes.

Without bubblewrap the same resource limits apply, but the student's process
can read the file system and use the network; ``isolation_warning`` says so.

Limits are set by the first lines of the student's process itself, before any
student code is imported: lowering a hard limit cannot be undone by the code
that follows, so they hold for the student's code and everything it starts.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

ENGINE_DIR = Path(__file__).resolve().parents[1]
# The student-side runtime: the only part of the engine a student process sees,
# loaded there as the package ``autograder_runtime``.
RUNTIME_DIR = ENGINE_DIR / "runtime"
RUNTIME_PACKAGE = "autograder_runtime"
SANDBOX_RUNTIME = "/opt/autograder/" + RUNTIME_PACKAGE
SANDBOX_SUBMISSION = "/submission"
FIRST_UID = 61000

# Single-threaded BLAS: results do not depend on the thread count, and one
# student's process cannot take more than its core.
DETERMINISTIC_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "LC_ALL": "C.UTF-8",
}
# Kept from the grader's environment: OpenBLAS needs these on some processors.
PASSED_THROUGH = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "PATH")


@dataclass(frozen=True)
class Limits:
    """Resource limits of one student process."""

    memory_bytes: int = 1 << 30
    processes: int = 32
    file_bytes: int = 16 << 20
    cpu_seconds: int = 600
    tmp_bytes: int = 64 << 20  # the private /tmp (a tmpfs: it would take RAM)


@dataclass(frozen=True)
class SandboxConfig:
    """Whether to use bubblewrap, and what to do when it is missing."""

    use_bwrap: bool = True
    require_bwrap: bool = False
    limits: Limits = Limits()


class SandboxUnavailable(RuntimeError):
    """The sandbox was required but bubblewrap is missing or does not work."""


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def bwrap_problem() -> str:
    """Why bubblewrap cannot sandbox student code here, or "" when it can."""
    return _bwrap_problem(bwrap_path())


@functools.cache
def _bwrap_problem(path: str | None) -> str:
    # An installed bwrap may still be refused namespaces (a container without
    # privileges, user namespaces disabled): then every student process would
    # die at birth and every student score 0. Try it once instead.
    if path is None:
        return "bubblewrap (bwrap) is not installed"
    probe = [path, "--unshare-pid", "--unshare-net", "--ro-bind", "/", "/"]
    probe += ["--proc", "/proc", "--dev", "/dev", "true"]
    try:
        result = subprocess.run(probe, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap ({path}) does not run ({error})"
    if result.returncode != 0:
        detail = result.stderr.strip()[:300] or f"exit status {result.returncode}"
        return f"bubblewrap ({path}) cannot create a sandbox here ({detail})"
    return ""


@functools.cache
def _bwrap_sizes_tmpfs(path: str | None) -> bool:
    probe = [path or "bwrap", "--ro-bind", "/", "/", "--size", "4096", "--tmpfs", "/tmp", "true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def isolation_warning(config: SandboxConfig | None = None) -> str:
    if config is not None and not config.use_bwrap:
        reason = "the sandbox is turned off (--no-sandbox)"
    else:
        reason = bwrap_problem() or "the sandbox is off"
    return (
        f"{reason}: student code runs as a plain subprocess with resource limits, but "
        "WITHOUT file-system or network isolation. Install bubblewrap (apt-get install "
        "bubblewrap) or pass --require-sandbox to refuse to grade without it."
    )


def bootstrap_code(limits: Limits, runtime_dir: str) -> str:
    """Python source run first in the student process: limits, then the worker."""
    return (
        "import ctypes, resource, sys\n"
        # PR_SET_PDEATHSIG = 1, SIGKILL = 9: die when the grader's process dies.
        "ctypes.CDLL(None).prctl(1, 9)\n"
        f"for name, value in (('RLIMIT_AS', {limits.memory_bytes}), "
        f"('RLIMIT_NPROC', {limits.processes}), ('RLIMIT_FSIZE', {limits.file_bytes}), "
        f"('RLIMIT_CPU', {limits.cpu_seconds}), ('RLIMIT_CORE', 0)):\n"
        "    resource.setrlimit(getattr(resource, name), (value, value))\n"
        "import importlib.util\n"
        f"spec = importlib.util.spec_from_file_location({RUNTIME_PACKAGE!r}, "
        f"{runtime_dir + '/__init__.py'!r}, submodule_search_locations=[{runtime_dir!r}])\n"
        "runtime = importlib.util.module_from_spec(spec)\n"
        f"sys.modules[{RUNTIME_PACKAGE!r}] = runtime\n"
        "spec.loader.exec_module(runtime)\n"
        f"from {RUNTIME_PACKAGE} import worker\n"
        "worker.main(sys.argv)\n"
    )


def _python_roots() -> list[str]:
    """Folders the interpreter and its packages live in, to mount read-only."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    roots.update(
        sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")
    )
    roots.add(str(Path(sys.executable).resolve().parent.parent))
    resolved = sorted({str(Path(root).resolve()) for root in roots if root and Path(root).exists()})
    # Drop folders already inside another one: a single bind covers them.
    return [r for r in resolved if not any(r != o and r.startswith(o + os.sep) for o in resolved)]


def _dirs_for(path: str) -> list[str]:
    """bwrap creates missing parents as root-only; make each one world-readable."""
    parts = Path(path).parts[1:-1]
    args: list[str] = []
    for depth in range(1, len(parts) + 1):
        args += ["--perms", "0755", "--dir", "/" + "/".join(parts[:depth])]
    return args


def bwrap_command(folder: Path, fds: tuple[int, int], slot: int, limits: Limits) -> list[str]:
    """bubblewrap command line that runs the worker on ``folder``."""
    uid = str(FIRST_UID + slot)
    args = [bwrap_path() or "bwrap", "--die-with-parent", "--new-session"]
    # Not --unshare-all: a new user namespace would leave setpriv no uid to switch to.
    args += [
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
    ]
    # A private /tmp the student can write to (sticky, like any /tmp), capped
    # in size where bwrap can (--size, bubblewrap 0.8).
    size = ["--size", str(limits.tmp_bytes)] if _bwrap_sizes_tmpfs(bwrap_path()) else []
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", *size, "--tmpfs", "/tmp"]
    for system_dir in ("/usr", "/bin", "/lib", "/lib64", "/etc/alternatives", "/etc/ld.so.cache"):
        if os.path.exists(system_dir):
            args += ["--ro-bind", system_dir, system_dir]
    for root in _python_roots():
        if root.startswith(("/usr/", "/bin/", "/lib")):
            continue
        args += _dirs_for(root) + ["--ro-bind", root, root]
    args += _dirs_for(SANDBOX_RUNTIME)
    args += ["--ro-bind", str(RUNTIME_DIR), SANDBOX_RUNTIME]
    args += ["--ro-bind", str(folder), SANDBOX_SUBMISSION, "--chdir", "/tmp"]
    args += ["--setenv", "HOME", "/tmp"]
    privileges = ["--clear-groups", "--inh-caps=-all", "--bounding-set=-all"]
    if os.geteuid() == 0:
        # bwrap keeps root's uid when run by root; setpriv drops it so that
        # the process-count limit (which root is exempt from) applies.
        args += ["--", "setpriv", "--reuid", uid, "--regid", uid, *privileges]
    else:
        args += ["--"]
    bootstrap = bootstrap_code(limits, SANDBOX_RUNTIME)
    return args + [sys.executable, "-I", "-B", "-c", bootstrap, str(fds[0]), str(fds[1])]


def plain_command(fds: tuple[int, int], limits: Limits) -> list[str]:
    bootstrap = bootstrap_code(limits, str(RUNTIME_DIR))
    return [sys.executable, "-I", "-B", "-c", bootstrap, str(fds[0]), str(fds[1])]


def student_env() -> dict[str, str]:
    env = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    env.update(DETERMINISTIC_ENV)
    return env


def sandboxed(config: SandboxConfig) -> bool:
    """True when student processes will run inside bubblewrap."""
    problem = bwrap_problem() if config.use_bwrap else "it is turned off (--no-sandbox)"
    if not problem:
        return True
    if config.require_bwrap:
        raise SandboxUnavailable(
            f"the sandbox is required but {problem}: install bubblewrap "
            "(`apt-get install bubblewrap`) where it can run, or grade without --require-sandbox"
        )
    return False
