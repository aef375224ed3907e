"""A seccomp filter for the student's process: classic BPF, written with struct.

What it adds to an unprivileged uid, no capabilities, no-new-privs and
Landlock (each refused with EPERM unless said otherwise):

* ``socket()`` of every family: Landlock stops TCP only, not UDP, raw,
  netlink or unix sockets reaching the machine's daemons by path. Only
  ``socketpair(AF_UNIX)`` stays (an unnamed pair, reaching no one).
* metadata changes (chmod, chown and the xattr setters): Landlock does not
  govern them, so a student running as the grader's own user (a grader that
  is not root) could otherwise chmod the grader's files.
* new namespaces (``unshare``, ``setns``, ``clone`` with a CLONE_NEW* flag):
  a user namespace would give the student's code capabilities inside it
  and a large kernel surface; ``clone3`` answers ENOSYS (its flags sit in
  memory the filter cannot read), so the C library falls back to ``clone``.
* io_uring (ENOSYS: its requests would open sockets out of this filter's
  sight), ptrace, bpf, perf_event_open, userfaultfd, the keyring, mounts
  and ``open_by_handle_at``.

Process creation itself is bounded by RLIMIT_NPROC (which binds once the uid
is not root) and by the grader, which counts every process of the student and
ends them all at the budget; the filter only keeps ``clone`` inspectable.
Any other architecture than the one the filter was built for is killed.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
X32_SYSCALL_BIT = 0x40000000
# System call numbers: x86_64, then aarch64 (None: the call does not exist there).
SYSCALLS: dict[str, tuple[int | None, int | None]] = {
    "socket": (41, 198),
    "socketpair": (53, 199),
    "clone": (56, 220),
    "clone3": (435, 435),
    "unshare": (272, 97),
    "setns": (308, 268),
    "chmod": (90, None),
    "fchmod": (91, 52),
    "fchmodat": (268, 53),
    "fchmodat2": (452, 452),
    "chown": (92, None),
    "fchown": (93, 55),
    "lchown": (94, None),
    "fchownat": (260, 54),
    "setxattr": (188, 5),
    "lsetxattr": (189, 6),
    "fsetxattr": (190, 7),
    "removexattr": (197, 14),
    "lremovexattr": (198, 15),
    "fremovexattr": (199, 16),
    "setxattrat": (463, 463),
    "removexattrat": (466, 466),
    "io_uring_setup": (425, 425),
    "io_uring_enter": (426, 426),
    "io_uring_register": (427, 427),
    "ptrace": (101, 117),
    "bpf": (321, 280),
    "perf_event_open": (298, 241),
    "userfaultfd": (323, 282),
    "add_key": (248, 217),
    "request_key": (249, 218),
    "keyctl": (250, 219),
    "mount": (165, 40),
    "umount2": (166, 39),
    "pivot_root": (155, 41),
    "open_tree": (428, 428),
    "move_mount": (429, 429),
    "fsopen": (430, 430),
    "fsmount": (432, 432),
    "mount_setattr": (442, 442),
    "open_by_handle_at": (304, 265),
}
REFUSED = [name for name in SYSCALLS if name not in ("socketpair", "clone")]
UNAVAILABLE = ("clone3", "io_uring_setup", "io_uring_enter", "io_uring_register")
AF_UNIX = 1
# CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET.
CLONE_NEW = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000

# Classic BPF opcodes and seccomp's return values.
LD_W_ABS, JEQ, JSET, JGE, RET = 0x20, 0x15, 0x45, 0x35, 0x06
ALLOW, KILL_PROCESS, ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
NR, ARCH, ARG0_LOW = 0, 4, 16  # offsets in struct seccomp_data (little-endian)
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def _refuse(number: int, error: int) -> list[bytes]:
    """If the call is ``number``, return -``error``; else fall through."""
    return [_insn(JEQ, number, 0, 1), _insn(RET, ERRNO | error)]


def program(machine: str | None = None) -> bytes:
    """The filter for ``machine`` (this one's by default), as BPF bytes."""
    machine = machine or platform.machine()
    if machine not in AUDIT_ARCH:
        raise OSError(errno.ENOSYS, f"no seccomp filter for {machine}")
    column = 0 if machine == "x86_64" else 1
    number: dict[str, int] = {}
    for name, pair in SYSCALLS.items():
        if pair[column] is not None:
            number[name] = int(pair[column])  # type: ignore[arg-type]
    code = [_insn(LD_W_ABS, ARCH), _insn(JEQ, AUDIT_ARCH[machine], 1, 0)]
    code += [_insn(RET, KILL_PROCESS), _insn(LD_W_ABS, NR)]
    if machine == "x86_64":  # x32 system calls: another table, refused whole
        code += [_insn(JGE, X32_SYSCALL_BIT, 0, 1), _insn(RET, ERRNO | errno.EPERM)]
    for name in (n for n in REFUSED if n in number):
        code += _refuse(number[name], errno.ENOSYS if name in UNAVAILABLE else errno.EPERM)
    # socketpair: AF_UNIX only. clone: no CLONE_NEW* flag. (Both end in a verdict,
    # since the accumulator then holds an argument, not the call's number.)
    code += [_insn(JEQ, number["socketpair"], 0, 4), _insn(LD_W_ABS, ARG0_LOW)]
    code += [_insn(JEQ, AF_UNIX, 0, 1), _insn(RET, ALLOW), _insn(RET, ERRNO | errno.EPERM)]
    code += [_insn(JEQ, number["clone"], 0, 4), _insn(LD_W_ABS, ARG0_LOW)]
    code += [_insn(JSET, CLONE_NEW, 0, 1), _insn(RET, ERRNO | errno.EPERM), _insn(RET, ALLOW)]
    code.append(_insn(RET, ALLOW))
    return b"".join(code)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install(machine: str | None = None) -> int:
    """Install the filter on this process (no-new-privs first); its length."""
    libc = ctypes.CDLL(None, use_errno=True)
    code = program(machine)
    buffer = ctypes.create_string_buffer(code, len(code))
    fprog = _SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    for args in ((PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), (PR_SET_SECCOMP, SECCOMP_MODE_FILTER)):
        extra = [ctypes.byref(fprog)] if args[0] == PR_SET_SECCOMP else []
        if libc.prctl(*[ctypes.c_ulong(a) for a in args], *extra) != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"seccomp: prctl {args[0]}: {errno.errorcode.get(error, error)}")
    return len(code) // 8
