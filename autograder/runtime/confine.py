"""The student's process confines itself, before any student code is imported.

The grader hands a *plan* (plain data, see ``isolation.launch.plan_for``);
the bootstrap applies it in this order, each step needing the one before:

1. the Landlock ruleset is built (``landlock.build``) while every path of
   the allow-list can still be opened: read and execute beneath the system
   and Python folders except the engine (only its ``runtime`` folder), read
   the submission, write the scratch folder; no TCP; signals and abstract
   sockets scoped;
2. folders the student's uid could not walk to (a Python under a 0700 home)
   are reopened as descriptors: ``/proc/self/fd/N`` on ``sys.path`` and in
   ``ROUTES`` (see ``route``);
3. as root: no supplementary groups, an empty capability bounding set, then
   the student's own uid and gid (which clears the permitted and effective
   capabilities), then the inheritable and ambient sets cleared too;
4. the parent-death signal (a change of uid clears it), no-new-privs;
5. the ruleset enforced (``landlock.enforce``), then the seccomp filter
   (``seccomp.install``).

Every step that the plan asks for and that fails raises: the process must not
go on to import student code half-confined. Returns what applied.
"""

from __future__ import annotations

import ctypes
import os
import signal
import stat
import sys
from typing import Any

from . import landlock, seccomp

PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP = 1, 4, 24
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
CAPABILITY_VERSION_3 = 0x20080522
# The scratch folder: everything but running programs from it.
SCRATCH = landlock.fs_rights(99) & ~landlock.EXECUTE


class ConfinementError(RuntimeError):
    """A step of the plan could not be applied."""


_libc = ctypes.CDLL(None, use_errno=True)


def _prctl(option: int, *args: int) -> None:
    values = [ctypes.c_ulong(a) for a in (*args, 0, 0, 0, 0)[:4]]
    if _libc.prctl(ctypes.c_int(option), *values) != 0:
        error = ctypes.get_errno()
        raise ConfinementError(f"prctl({option}): {os.strerror(error)}")


def capabilities() -> tuple[int, int, int]:
    """(effective, permitted, inheritable) of this process, from capget(2)."""
    header = (ctypes.c_uint32 * 2)(CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    if _libc.capget(header, data) != 0:
        raise ConfinementError(f"capget: {os.strerror(ctypes.get_errno())}")
    return tuple(data[i] | data[i + 3] << 32 for i in range(3))  # type: ignore[return-value]


def _clear_capabilities() -> None:
    header = (ctypes.c_uint32 * 2)(CAPABILITY_VERSION_3, 0)
    if _libc.capset(header, (ctypes.c_uint32 * 6)()) != 0:
        raise ConfinementError(f"capset: {os.strerror(ctypes.get_errno())}")
    _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)


def _reachable(path: str) -> bool:
    """Whether a user who is neither owner nor group can walk down to ``path``."""
    parent = os.path.dirname(path)
    while parent:
        try:
            if not os.stat(parent).st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
        if parent == os.path.dirname(parent):
            return True
        parent = os.path.dirname(parent)
    return True


# A folder the grader named -> how this process reaches it (see ``route``).
ROUTES: dict[str, str] = {}


def route(path: str) -> str:
    """``path`` as this process can reach it (through a descriptor, when it or a
    folder above it was rerouted)."""
    path = os.path.normpath(path) if path else path
    for folder in sorted(ROUTES, key=len, reverse=True):
        if path == folder or path.startswith(folder + os.sep):
            return ROUTES[folder] + path[len(folder) :]
    return path


def _reroute_unreachable(folders: list[str]) -> list[str]:
    """Reach ``folders`` and ``sys.path`` through descriptors where the new uid
    could not walk to them (opened now, while privileged)."""
    for folder in [*folders, *sys.path]:
        folder = os.path.normpath(folder) if folder else ""
        if folder in ROUTES or not os.path.isdir(folder) or _reachable(os.path.abspath(folder)):
            continue
        fd = os.open(folder, os.O_PATH | os.O_DIRECTORY)  # inherited: children use it too
        ROUTES[folder] = f"/proc/self/fd/{fd}"
    sys.path[:] = [route(entry) for entry in sys.path]
    sys.path_importer_cache.clear()
    for module in list(sys.modules.values()):  # packages imported already (encodings...)
        search = getattr(module, "__path__", None)
        if isinstance(search, list):
            search[:] = [route(entry) for entry in search]
    for variable in ("TMPDIR", "HOME"):
        if variable in os.environ:
            os.environ[variable] = route(os.environ[variable])
    return sorted(ROUTES)


def drop_privileges(uid: int, gid: int) -> None:
    """Become ``uid``/``gid`` for good, with no group and no capability left."""
    os.setgroups([])
    last = int(open("/proc/sys/kernel/cap_last_cap").read())
    for capability in range(last + 1):
        _prctl(PR_CAPBSET_DROP, capability)
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    _clear_capabilities()
    if os.getresuid() != (uid, uid, uid) or any(capabilities()):
        raise ConfinementError("privileges were not dropped")


def _single_threaded() -> None:
    # Landlock binds the calling thread only: a thread started earlier would escape it.
    if len(os.listdir("/proc/self/task")) != 1:
        raise ConfinementError("the process has more than one thread before confinement")


def grants(plan: dict[str, Any]) -> list[tuple[str, int]]:
    """The Landlock allow-list: (path, rights), the hidden folders cut out."""
    hidden = [os.path.realpath(p) for p in plan.get("hidden", [])]
    found: list[tuple[str, int]] = []
    for root in plan.get("read", []):
        found += _readable_except(os.path.realpath(root), hidden)
    found += [(os.path.realpath(p), landlock.READ) for p in plan.get("shown", [])]
    found += [(os.path.realpath(p), landlock.READ_DIR) for p in plan.get("listed", [])]
    found += [(os.path.realpath(p), SCRATCH) for p in plan.get("write", [])]
    found += [(p, landlock.DEVICE) for p in plan.get("devices", [])]
    return found


def _readable_except(root: str, hidden: list[str]) -> list[tuple[str, int]]:
    """Read rights on ``root``, except beneath ``hidden`` folders (listing stays)."""
    if any(root == h or root.startswith(h + os.sep) for h in hidden):
        return []
    if not any(h.startswith(root.rstrip(os.sep) + os.sep) for h in hidden):
        return [(root, landlock.READ)]
    found = [(root, landlock.READ_DIR)]
    for name in sorted(os.listdir(root)):
        found += _readable_except(os.path.realpath(os.path.join(root, name)), hidden)
    return found


def confine(plan: dict[str, Any]) -> dict[str, Any]:
    """Apply ``plan`` to this process (see the module docstring); what applied."""
    _single_threaded()
    applied: dict[str, Any] = {}
    if plan.get("landlock"):  # built while every path can still be opened
        ruleset, applied["landlock"] = landlock.build(grants(plan), tcp=False, scope=True)
    if plan.get("uid") is not None and os.geteuid() == 0:
        applied["rerouted"] = _reroute_unreachable(plan.get("folders", []))
        drop_privileges(int(plan["uid"]), int(plan["gid"]))
        if applied["rerouted"]:  # /proc/self/fd must stay the process's own
            _prctl(PR_SET_DUMPABLE, 1)
    else:
        _clear_capabilities()
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    _prctl(seccomp.PR_SET_NO_NEW_PRIVS, 1)
    if plan.get("landlock"):
        landlock.enforce(ruleset)
    if plan.get("seccomp"):
        applied["seccomp"] = seccomp.install()
    applied["uid"] = os.getuid()
    return applied
