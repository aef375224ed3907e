"""Isolation levels, resource limits and the probes that say what works here.

Four levels (``--isolation``): ``bwrap`` (bubblewrap: a private file system
and namespaces), ``landlock`` (the student process confines itself with
Landlock and seccomp, no namespaces needed: containers such as Gradescope's),
``none`` (no sandbox: only an explicit ``--no-sandbox`` asks for it) and
``auto``, the default, which picks the first that really runs here: bwrap,
else Landlock, else a refusal naming both fixes. On every level a grader
running as root drops the student's process to an unprivileged uid of its
own (``uids``), so that one student's process count never counts another's.
``launch`` builds the command lines, ``levels`` resolves ``auto`` and probes
Landlock.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ENGINE_DIR = Path(__file__).resolve().parents[1]
# The student-side runtime: the only part of the engine a student process sees,
# loaded there as the package ``autograder_runtime``.
RUNTIME_DIR = ENGINE_DIR / "runtime"
RUNTIME_PACKAGE = "autograder_runtime"
SANDBOX_RUNTIME = "/opt/autograder/" + RUNTIME_PACKAGE
# Complex-step layers that differentiate without backpropagation: a student's layer
# could borrow them (pkgutil.resolve_name, runpy, reading the file), so no student
# process can read them; a trusted call hands their source to the worker itself.
TRUSTED_LAYERS = "trusted_layers.py"
SANDBOX_SUBMISSION = "/submission"
LEVELS = ("auto", "bwrap", "landlock", "none")


def runtime_files() -> list[Path]:
    """The runtime's modules a student process may read: all but ``TRUSTED_LAYERS``."""
    return sorted(p for p in RUNTIME_DIR.glob("*.py") if p.name != TRUSTED_LAYERS)


@functools.cache
def trusted_source() -> str:
    """The trusted layers' source, sent with each trusted call (``worker.Worker.trusted``)."""
    return (RUNTIME_DIR / TRUSTED_LAYERS).read_text()


@dataclass(frozen=True)
class Limits:
    """Resource limits of one student: all its processes together.

    ``memory_bytes`` is the student's whole budget: the grader sums the
    resident memory of every process of the student and ends them all above
    it. The kernel's own fence, RLIMIT_AS, is set per process to
    ``memory_bytes / processes``, so that ``processes`` x RLIMIT_AS (the most
    the student can map between two looks of the grader) stays within it.
    """

    memory_bytes: int = 1 << 30
    processes: int = 4  # RLIMIT_NPROC: the worker, plus three (threads count too)
    file_bytes: int = 16 << 20
    cpu_seconds: int = 600
    tmp_bytes: int = 64 << 20  # the scratch folder (bwrap: a tmpfs, i.e. RAM)

    @property
    def process_memory_bytes(self) -> int:
        return self.memory_bytes // self.processes


@dataclass(frozen=True)
class SandboxConfig:
    """The isolation level asked for (``LEVELS``) and the limits."""

    isolation: str = "auto"
    limits: Limits = Limits()

    def __post_init__(self) -> None:
        if self.isolation not in LEVELS:
            raise ValueError(f"isolation must be one of {LEVELS}, not {self.isolation!r}")


@dataclass(frozen=True)
class Isolation:
    """The isolation a student process really gets (``auto`` resolved)."""

    level: str  # bwrap, landlock or none
    landlock_abi: int = 0  # the kernel's Landlock ABI, when the level uses it
    pid_namespace: bool = False

    @property
    def sandboxed(self) -> bool:
        return self.level != "none"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class SandboxUnavailable(RuntimeError):
    """The isolation asked for cannot run here."""


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


def bwrap_sizes_tmpfs() -> bool:
    """Whether this bwrap can cap the size of a tmpfs (--size, bubblewrap 0.8)."""
    return _bwrap_sizes_tmpfs(bwrap_path())


@functools.cache
def _bwrap_sizes_tmpfs(path: str | None) -> bool:
    probe = [path or "bwrap", "--ro-bind", "/", "/", "--size", "4096", "--tmpfs", "/tmp", "true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False
