"""Landlock, the kernel's unprivileged sandbox, through ctypes (Linux 5.13+).

Why ctypes: PyPI's ``landlock`` binding is a pre-release, and the three
system calls need about a hundred lines. The ruleset is an allow-list: every
file-system right the kernel's ABI knows is *handled* (denied by default),
then granted beneath the folders the plan names; TCP bind and connect are
handled with no rule (denied) from ABI 4; from ABI 6 the process is *scoped*:
it cannot signal, nor connect to abstract unix sockets of, processes outside
its own Landlock domain. Everything is adapted to the ABI the kernel reports
and what applied is returned, so the grader can record it.

The syscall numbers are the same on x86_64 and aarch64 (the generic table).
``enforce`` (landlock_restrict_self) applies to the calling thread and its future children: the
caller must be single-threaded (``confine`` checks it).
"""

from __future__ import annotations

import ctypes
import os
import struct
from collections.abc import Iterable

CREATE_RULESET, ADD_RULE, RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

# File-system rights, by the ABI that introduced them.
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

READ = EXECUTE | READ_FILE | READ_DIR
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
# Rights on a device such as /dev/null: reading and writing it, nothing more.
DEVICE = READ_FILE | WRITE_FILE


class LandlockError(OSError):
    """The kernel refused a Landlock call (or has no Landlock)."""


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _syscall(number: int, *args: object) -> int:
    """``syscall(2)``: every integer widened to a long (it is variadic)."""
    wide = [ctypes.c_long(a) if isinstance(a, int) else a for a in args]
    result = _libc.syscall(ctypes.c_long(number), *wide)
    if result < 0:
        error = ctypes.get_errno()
        raise LandlockError(error, f"landlock syscall {number}: {os.strerror(error)}")
    return int(result)


def abi_version() -> int:
    """The Landlock ABI of the running kernel; 0 when it has none (or disabled)."""
    try:
        return _syscall(CREATE_RULESET, None, 0, CREATE_RULESET_VERSION)
    except LandlockError:
        return 0


def fs_rights(abi: int) -> int:
    """Every file-system right this ABI handles."""
    return max((mask for level, mask in FS_BY_ABI.items() if abi >= level), default=0)


def _add_path(ruleset: int, path: str, rights: int) -> None:
    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    try:
        if not os.path.isdir(path):
            rights &= FILE_RIGHTS  # only file rights make sense on a file
        packed = struct.pack("=Qi", rights, fd)  # landlock_path_beneath_attr (packed)
        attr = ctypes.create_string_buffer(packed, len(packed))
        _syscall(ADD_RULE, ruleset, RULE_PATH_BENEATH, attr, 0)
    finally:
        os.close(fd)


def build(
    grants: Iterable[tuple[str, int]], tcp: bool = False, scope: bool = True
) -> tuple[int, dict[str, object]]:
    """A ruleset allowing ``grants`` (path, rights): its descriptor, and what it applies.

    Rights beyond the ABI are dropped from each grant. TCP stays denied
    unless ``tcp``; ``scope`` isolates signals and abstract unix sockets
    where the ABI allows. Built while the process may still open every
    path (before it drops its uid); ``enforce`` applies it.
    """
    abi = abi_version()
    if abi < 1:
        raise LandlockError(0, "this kernel has no Landlock (Linux 5.13+, enabled in the LSM list)")
    handled_fs = fs_rights(abi)
    handled_net = 0 if tcp or abi < 4 else NET_BIND_TCP | NET_CONNECT_TCP
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if scope and abi >= 6 else 0
    packed = struct.pack("=QQQ", handled_fs, handled_net, scoped)
    attr = ctypes.create_string_buffer(packed, len(packed))
    ruleset = _syscall(CREATE_RULESET, attr, len(packed), 0)
    try:
        for path, rights in grants:
            if os.path.exists(path):
                _add_path(ruleset, path, rights & handled_fs)
    except BaseException:
        os.close(ruleset)
        raise
    applied: dict[str, object] = {"abi": abi, "fs": True}
    applied.update(tcp_denied=bool(handled_net), scoped=bool(scoped))
    return ruleset, applied


def enforce(ruleset: int) -> None:
    """Confine this thread (and all it starts) to the ruleset, for good."""
    try:
        _syscall(RESTRICT_SELF, ruleset, 0)
    finally:
        os.close(ruleset)
