"""The grader's side of the trust boundary: one student process, driven by calls.

A ``StudentSession`` starts the student's process lazily, sends it requests
and waits for each reply with a wall-clock timeout. Replies are decoded with
``plaindata.decode`` (no pickle, no objects), and everything that can go wrong
in the student's process becomes a ``StudentError`` that a check turns into a
failed check with a message: an exception in the student's code, a timeout, a
crash, or a reply that is not plain data. After a timeout or a crash the
process is killed and the next call starts a fresh one, so one bad function
fails only the checks that use it.
"""

from __future__ import annotations

import os
import select
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.core.errors import (
    StudentCrash,
    StudentError,
    StudentImportFailure,
    StudentReplyTooLarge,
    StudentTimeout,
    StudentUnplain,
)
from autograder.isolation import processes, replies, sandbox
from autograder.isolation.shared import MAX_BYTES as SHARED_BYTES
from autograder.isolation.shared import SharedArgs
from autograder.runtime import framing, plaindata

# Reply sizes are capped per call (``replies.ReplyPolicy``): a multiple of the
# reference's reply for the same call, read never past its cap.
# A call's time is its wall-clock time minus the time its process waited for a
# CPU: a busy machine slows a student's code down but never times it out,
# while an endless loop or a sleep still ends at its limit. Whatever happens,
# a call ends after WALL_CAP times its limit of wall-clock time.
WALL_CAP = 20.0


@dataclass(frozen=True)
class TimeoutPolicy:
    """Per-call timeouts: ``factor`` times a baseline, never below ``floor``.

    Baselines are the reference's own time for the same call (measured when
    the reference is at hand), else a per-function figure from the
    assignment; ``default`` applies when neither is known.
    """

    factor: float = 50.0
    floor: float = 1.0
    default: float = 2.0
    per_call: dict[str, float] = field(default_factory=dict)
    per_function: dict[str, float] = field(default_factory=dict)

    def seconds(self, call_key: str, function: str) -> float:
        baseline = self.per_call.get(call_key, self.per_function.get(function))
        if baseline is None:
            return max(self.floor, self.default)
        return max(self.floor, self.factor * baseline)


@dataclass
class _Process:
    popen: subprocess.Popen[bytes]
    request_fd: int
    reply_fd: int
    tap: processes.OutputTap
    scratch: tempfile.TemporaryDirectory[str]
    shared: SharedArgs  # the call arguments' memory, read back by the grader
    python: int | None = None  # the worker's pid, once found (for its CPU waits)


class StudentSession:
    """Calls into one submission's code, in a separate (sandboxed) process."""

    def __init__(
        self,
        folder: Path,
        modules: list[str],
        config: sandbox.SandboxConfig = sandbox.SandboxConfig(),
        timeouts: TimeoutPolicy = TimeoutPolicy(),
        slot: int = 0,
        reply_policy: replies.ReplyPolicy = replies.ReplyPolicy(),
    ) -> None:
        self.folder = Path(folder).resolve()
        self.modules = modules
        self.config = config
        self.timeouts = timeouts
        self.slot = slot
        self.use_bwrap = sandbox.sandboxed(config)
        self.process: _Process | None = None
        self.import_failures: dict[str, dict[str, Any]] = {}
        # Modules whose import killed or hung the process: never imported again.
        self.broken_imports: dict[str, StudentError] = {}
        # Functions never to call again (they timed out once), with the reason.
        self.disabled: dict[str, StudentError] = {}
        self.call_log: list[tuple[str, float]] = []
        self.reply_policy = reply_policy
        self.reply_log: list[tuple[str, int]] = []  # (call key, reply bytes), for calibration
        self.crashes = 0
        self.check_name = ""
        self._calls_in_check = 0
        self._output: list[str] = []

    # -- lifecycle ---------------------------------------------------------
    def __enter__(self) -> StudentSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def begin_check(self, name: str) -> None:
        """Start counting calls for ``name`` (the key of per-call timeouts)."""
        self.check_name, self._calls_in_check = name, 0
        if self.process is not None:
            self.process.shared.reset()

    @property
    def status(self) -> str:
        """How the student's code ran: ``ok``, ``timeout`` or ``error``."""
        errors = [*self.disabled.values(), *self.broken_imports.values()]
        if any(isinstance(e, StudentTimeout) for e in errors):
            return "timeout"
        return "error" if self.crashes or self.import_failures else "ok"

    def take_output(self) -> str:
        if self.process is not None:
            self._output.append(self.process.tap.take())
        text, self._output = "".join(self._output), []
        return text

    def _start(self) -> None:
        request_r, request_w = os.pipe()
        reply_r, reply_w = os.pipe()
        fds = (request_r, reply_w)
        scratch = tempfile.TemporaryDirectory(prefix="autograder-")
        shared = SharedArgs(min(SHARED_BYTES, self.config.limits.memory_bytes // 8))
        if self.use_bwrap:
            command = sandbox.bwrap_command(self.folder, fds, self.slot, self.config.limits)
        else:
            command = sandbox.plain_command(fds, self.config.limits)
        popen = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(*fds, shared.fd),
            cwd=scratch.name,
            env=sandbox.student_env(),
            start_new_session=True,
        )
        os.close(request_r)
        os.close(reply_w)
        tap = processes.OutputTap(popen.stdout)
        self.process = _Process(popen, request_w, reply_r, tap, scratch, shared)
        self._load()

    def _load(self) -> None:
        """Import the modules one at a time, so that one killing or hanging the
        process (``os._exit`` or an endless loop at import) fails alone: the
        process is restarted without it, and modules importing it fail fast."""
        folder = sandbox.SANDBOX_SUBMISSION if self.use_bwrap else str(self.folder)
        failures = {m: _import_failure(e) for m, e in self.broken_imports.items()}
        assert self.process is not None
        share = self.process.shared.share_fields()  # the worker maps the argument memory
        for module in [m for m in self.modules if m not in self.broken_imports]:
            blocked = sorted(self.broken_imports)
            load: dict[str, Any] = {"op": "load", "folder": folder, "modules": [module]}
            load.update(blocked=blocked, share=share)
            try:
                reply = self._exchange(load, "import")
            except (StudentCrash, StudentTimeout) as error:
                self.broken_imports[module] = error
                return self._start()
            failures.update(reply["failures"])
        self.import_failures = failures

    def close(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        self._output.append(process.tap.take())
        for fd in (process.request_fd, process.reply_fd):
            os.close(fd)
        processes.kill_tree(process.popen)
        process.tap.thread.join(timeout=1.0)
        process.scratch.cleanup()
        process.shared.close()

    # -- calls -------------------------------------------------------------
    def new(self, target: str) -> int:
        reply = self.request({"op": "new", "target": target}, target + ".__init__")
        return int(reply["handle"])

    def call(
        self,
        target: str,
        *args: Any,
        handle: int | None = None,
        method: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Call ``target`` (``module.function``), or ``method`` of object ``handle``.

        Returns the reply: ``value``; ``args_after`` / ``kwargs_after``, the
        arguments as they are after the call, their arrays read back by the
        grader from the shared memory they were handed over in (in-place
        changes, observed); ``args_reported``, the student's process's own
        account of them (its word only); ``call``, the grader's id of the call.
        """
        function = f"{target}.{method}" if method else target
        request = {
            "op": "call",
            "target": target,
            "handle": handle,
            "method": method,
            "args": list(args),
            "kwargs": kwargs,
        }
        return self.request(request, function)

    def peek(self, call_id: int) -> dict[str, Any]:
        """The arguments of an earlier call of this check as they are now, read by the
        grader (the arrays a layer's forward received, and cached if it kept them)."""
        placed = self.process.shared.calls.get(call_id) if self.process else None
        if self.process is None or placed is None:  # the process died since that call
            raise StudentCrash("peek", None)
        args, kwargs = self.process.shared.observed(placed)
        return {"args": args, "kwargs": kwargs}

    def request(self, request: dict[str, Any], function: str) -> dict[str, Any]:
        if function in self.disabled:
            raise self.disabled[function]
        if self.process is None:
            self._start()
        module = function.split(".", 1)[0]
        if module in self.import_failures:
            raise StudentImportFailure(function, module, self.import_failures[module])
        if request["op"] != "call":
            return self._exchange(request, function)
        assert self.process is not None
        return self.process.shared.call(request, lambda sent: self._exchange(sent, function))

    def _exchange(self, request: dict[str, Any], function: str) -> dict[str, Any]:
        assert self.process is not None
        if function == "import":
            call_key = function  # may happen in any check (after a restart)
        else:
            self._calls_in_check += 1
            call_key = f"{self.check_name}#{self._calls_in_check}"
        limit = self.timeouts.seconds(call_key, function)
        cap = self.reply_policy.cap(call_key)
        started, waited = time.perf_counter(), self._cpu_wait()
        try:
            framing.write_message(self.process.request_fd, plaindata.encode(request))
            self._await_reply(limit, started, waited)
            deadline = started + WALL_CAP * limit
            payload = framing.read_message(self.process.reply_fd, deadline, cap)
            if payload is None:
                raise EOFError
        except framing.MessageTooLarge as large:  # never read: the process is ended
            self.close()
            raise StudentReplyTooLarge(function, large.size, large.cap) from None
        except TimeoutError:
            self.close()
            timeout = StudentTimeout(function, limit)
            if function != "import":  # a module that hangs is handled by _load
                self.disabled[function] = timeout
            raise timeout from None
        except (EOFError, OSError):
            code = processes.exit_code(self.process.popen)
            self.close()
            self.crashes += 1
            raise StudentCrash(function, code) from None
        ran = time.perf_counter() - started - (self._cpu_wait() - waited)
        self.call_log.append((call_key, max(ran, 0.0)))
        if self.process.python is None:
            # It answered, so its worker exists: one last search, then never
            # again (0 = unknown), keeping /proc scans off every later call.
            self.process.python = processes.python_pid(self.process.popen) or 0
        self.reply_log.append((call_key, len(payload)))
        try:
            reply = replies.decode_reply(payload, function, cap)
            if reply["ok"]:
                return replies.checked_fields(reply, str(request.get("op")), function)
        except StudentUnplain:
            self.close()
            raise
        raise replies.error_from(reply.get("error"), function)

    def _cpu_wait(self) -> float:
        """Seconds the student's Python process has waited for a CPU so far."""
        assert self.process is not None
        if self.process.python is None:  # 0 once it answered without being found
            self.process.python = processes.python_pid(self.process.popen)
        return processes.run_delay(self.process.python) if self.process.python else 0.0

    def _await_reply(self, limit: float, started: float, waited: float) -> None:
        """Wait for the reply to begin; TimeoutError once the call ran ``limit``
        seconds (waits for a CPU excluded) or WALL_CAP times that in all."""
        assert self.process is not None
        deadline, cap = started + limit, started + WALL_CAP * limit
        fd = self.process.reply_fd
        while not select.select([fd], [], [], max(deadline - time.perf_counter(), 0.0))[0]:
            now = time.perf_counter()
            ran = now - started - (self._cpu_wait() - waited)
            if ran >= limit or now >= cap:
                raise TimeoutError
            deadline = min(now + limit - ran, cap)


def _import_failure(error: StudentError) -> dict[str, str]:
    """A crash or timeout while importing, as the worker reports import failures."""
    kind = "TimeoutError" if isinstance(error, StudentTimeout) else "ProcessDied"
    return {"type": kind, "message": error.message, "where": ""}
