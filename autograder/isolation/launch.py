"""The command line that starts one student process, for each isolation level.

Every level runs the same bootstrap (``bootstrap_code``): resource limits,
the student-side runtime loaded from its own folder, then ``confine`` with a
*plan* built here, then the worker. What differs:

* ``bwrap``: bubblewrap builds a private file system (read-only system and
  Python, the runtime, the submission; a private /tmp), new PID, network,
  IPC and UTS namespaces, and ``setpriv`` drops to the student's uid; the plan
  adds the seccomp filter.
* ``landlock``: no namespaces needed. The plan drops to the student's uid (when
  the grader is root), then Landlock allows reading only the system and
  Python folders (minus the engine), the runtime and the submission, and
  writing only the scratch folder; seccomp on top. Where the kernel lets
  root create one, a PID namespace (``unshare``) holds the process too.
* ``none``: the plan only drops to the student's uid when the grader is root.

The student's uid is leased by ``uids.UidLease`` (None: the grader is not root).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

from autograder.core.blas import ONE_THREAD
from autograder.isolation.sandbox import (
    ENGINE_DIR,
    RUNTIME_DIR,
    RUNTIME_PACKAGE,
    SANDBOX_RUNTIME,
    SANDBOX_SUBMISSION,
    TRUSTED_LAYERS,
    Isolation,
    Limits,
    bwrap_path,
    bwrap_sizes_tmpfs,
    runtime_files,
)

SYSTEM_DIRS = ("/usr", "/bin", "/lib", "/lib64", "/etc/alternatives", "/etc/ld.so.cache")
DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random")
# Single-threaded BLAS: results do not depend on the thread count, one
# student's process cannot take more than its core, and Landlock (which binds
# the calling thread) is applied while the process has one thread only.
DETERMINISTIC_ENV = {
    **ONE_THREAD,
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "LC_ALL": "C.UTF-8",
}
# Kept from the grader's environment: OpenBLAS needs these on some processors.
PASSED_THROUGH = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "PATH")
CONFINEMENT_FAILED = 71  # the bootstrap's exit status when a step of the plan failed


def bootstrap_code(limits: Limits, runtime_dir: str, plan: dict[str, Any]) -> str:
    """Python source run first in the student process: limits, confinement, the worker.

    The runtime (and NumPy, which it imports) is loaded before confinement;
    the worker then says it is ready, before reading any request, so a
    process that dies before that is the sandbox's failure, never the student's.
    """
    return (
        "import ctypes, json, resource, sys\n"
        # PR_SET_PDEATHSIG = 1, SIGKILL = 9: die when the grader's process dies.
        "ctypes.CDLL(None).prctl(1, 9)\n"
        f"for name, value in (('RLIMIT_AS', {limits.process_memory_bytes}), "
        f"('RLIMIT_NPROC', {limits.processes}), ('RLIMIT_FSIZE', {limits.file_bytes}), "
        f"('RLIMIT_CPU', {limits.cpu_seconds}), ('RLIMIT_CORE', 0)):\n"
        "    resource.setrlimit(getattr(resource, name), (value, value))\n"
        "import importlib.util\n"
        f"spec = importlib.util.spec_from_file_location({RUNTIME_PACKAGE!r}, "
        f"{runtime_dir + '/__init__.py'!r}, submodule_search_locations=[{runtime_dir!r}])\n"
        "runtime = importlib.util.module_from_spec(spec)\n"
        f"sys.modules[{RUNTIME_PACKAGE!r}] = runtime\n"
        "spec.loader.exec_module(runtime)\n"
        f"from {RUNTIME_PACKAGE} import confine, worker\n"
        "try:\n"
        f"    applied = confine.confine(json.loads({json.dumps(plan)!r}))\n"
        "except Exception as error:\n"
        "    sys.stderr.write(f'autograder: the sandbox could not be set up: {error}\\n')\n"
        "    sys.stderr.flush()\n"
        f"    raise SystemExit({CONFINEMENT_FAILED})\n"
        "worker.main(sys.argv, applied)\n"
    )


def python_roots() -> list[str]:
    """Folders the interpreter and its packages live in (read-only in the sandbox)."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    roots.update(
        sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")
    )
    roots.update(p for p in sys.path if p.endswith(("site-packages", "dist-packages")))
    roots.add(str(Path(sys.executable).resolve().parent.parent))
    resolved = sorted({str(Path(root).resolve()) for root in roots if root and Path(root).exists()})
    # Drop folders already inside another one: a single grant covers them.
    return [r for r in resolved if not any(r != o and r.startswith(o + os.sep) for o in resolved)]


def engine_copies() -> list[str]:
    """Every copy of the engine the sandbox would show: the running one and any installed
    in a Python folder (Gradescope's bundle runs one from PYTHONPATH beside its pip-installed
    twin in site-packages). None is readable by a student: only the runtime is shown."""
    entries = [*sys.path, *(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))]
    found = {str(ENGINE_DIR)}
    for entry in entries:
        package = Path(entry or os.curdir, ENGINE_DIR.name)
        if (package / "runtime" / "worker.py").is_file():
            found.add(str(package.resolve()))
    return sorted(found)


def plan_for(isolation: Isolation, folder: Path, scratch: Path, uid: int | None) -> dict[str, Any]:
    """What the student process applies to itself (``runtime.confine``)."""
    if isolation.level == "bwrap":  # setpriv already switched the uid
        return {"uid": None, "seccomp": True, "folders": []}
    plan: dict[str, Any] = {"uid": uid, "gid": uid, "folders": [str(RUNTIME_DIR), str(folder)]}
    plan["folders"].append(str(scratch))
    if isolation.level == "landlock":
        plan.update(landlock=True, seccomp=True, devices=list(DEVICES))
        plan.update(read=[d for d in SYSTEM_DIRS if os.path.exists(d)] + python_roots())
        runtime = [str(path) for path in runtime_files()]  # never the trusted layers
        plan.update(hidden=engine_copies(), shown=[*runtime, str(folder)])
        plan.update(listed=[str(RUNTIME_DIR)])
        plan.update(write=[str(scratch)])
    return plan


def _dirs_for(path: str) -> list[str]:
    """bwrap creates missing parents as root-only; make each one world-readable."""
    parts = Path(path).parts[1:-1]
    args: list[str] = []
    for depth in range(1, len(parts) + 1):
        args += ["--perms", "0755", "--dir", "/" + "/".join(parts[:depth])]
    return args


def _bwrap_prefix(folder: Path, uid: int | None, limits: Limits) -> list[str]:
    args = [bwrap_path() or "bwrap", "--die-with-parent", "--new-session"]
    # Not --unshare-all: a new user namespace would leave setpriv no uid to switch to.
    args += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
    args += ["--unshare-cgroup-try"]
    # A private /tmp the student can write to (sticky, like any /tmp), capped
    # in size where bwrap can (--size, bubblewrap 0.8).
    size = ["--size", str(limits.tmp_bytes)] if bwrap_sizes_tmpfs() else []
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", *size, "--tmpfs", "/tmp"]
    for system_dir in SYSTEM_DIRS:
        if os.path.exists(system_dir):
            args += ["--ro-bind", system_dir, system_dir]
    for root in python_roots():
        if not root.startswith(("/usr/", "/bin/", "/lib")):
            args += _dirs_for(root) + ["--ro-bind", root, root]
    bound = [*SYSTEM_DIRS, *python_roots()]
    for engine in engine_copies():  # an empty folder over every copy the binds show
        if any(engine.startswith(b.rstrip(os.sep) + os.sep) for b in bound):
            args += ["--tmpfs", engine]
    # The runtime file by file (no __pycache__); the trusted layers read as empty.
    args += _dirs_for(SANDBOX_RUNTIME) + ["--perms", "0755", "--dir", SANDBOX_RUNTIME]
    for path in runtime_files():
        args += ["--ro-bind", str(path), f"{SANDBOX_RUNTIME}/{path.name}"]
    args += ["--ro-bind", "/dev/null", f"{SANDBOX_RUNTIME}/{TRUSTED_LAYERS}"]
    args += ["--ro-bind", str(folder), SANDBOX_SUBMISSION, "--chdir", "/tmp"]
    args += ["--setenv", "HOME", "/tmp", "--setenv", "TMPDIR", "/tmp"]
    if uid is None:
        return args + ["--"]
    # bwrap keeps root's uid when run by root; setpriv drops it (and every
    # capability) so that the process-count limit, which root escapes, applies.
    privileges = ["--clear-groups", "--inh-caps=-all", "--bounding-set=-all"]
    return args + ["--", "setpriv", "--reuid", str(uid), "--regid", str(uid), *privileges]


@functools.cache
def pid_namespace_prefix() -> tuple[str, ...]:
    """``unshare`` into a new PID namespace, where the kernel allows it here."""
    unshare = shutil.which("unshare")
    if unshare is None or os.geteuid() != 0:
        return ()
    prefix = (unshare, "--pid", "--fork", "--kill-child")
    try:
        ok = subprocess.run([*prefix, "true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return prefix if ok else ()


def student_command(
    isolation: Isolation,
    folder: Path,
    scratch: Path,
    fds: tuple[int, int],
    uid: int | None,
    limits: Limits,
) -> list[str]:
    """The whole command line of one student process (``uid``: see ``uids``)."""
    plan = plan_for(isolation, folder, scratch, uid)
    if isolation.level == "bwrap":
        prefix = _bwrap_prefix(folder, uid, limits)
        runtime = SANDBOX_RUNTIME
    else:
        prefix = list(pid_namespace_prefix()) if isolation.pid_namespace else []
        runtime = str(RUNTIME_DIR)
    bootstrap = bootstrap_code(limits, runtime, plan)
    return [*prefix, sys.executable, "-I", "-B", "-c", bootstrap, str(fds[0]), str(fds[1])]


def submission_path(isolation: Isolation, folder: Path) -> str:
    """Where the student process sees its submission."""
    return SANDBOX_SUBMISSION if isolation.level == "bwrap" else str(folder)


def student_env(isolation: Isolation, scratch: Path) -> dict[str, str]:
    env = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    env.update(DETERMINISTIC_ENV)
    if isolation.level != "bwrap":
        env.update(HOME=str(scratch), TMPDIR=str(scratch))
    return env
