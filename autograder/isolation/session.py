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
    StudentException,
    StudentImportFailure,
    StudentMissing,
    StudentTimeout,
    StudentUnplain,
)
from autograder.isolation import processes, sandbox
from autograder.isolation.calls import CallOptions
from autograder.runtime import framing, plaindata

MAX_REPLY_BYTES = 256 << 20
# The JSON part of a reply (numbers outside arrays; arrays travel as .npy).
# Parsing costs the grader ~10x its size in memory and ~0.2 s per MiB, after
# the call's time limit: a forged reply must not make the grader pay that.
MAX_SKELETON_BYTES = 4 << 20
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
        # Each call's CPU seconds, observed from /proc by the grader.
        self.cpu_log: list[tuple[str, float]] = []
        self.last_cpu_seconds = 0.0
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
        if self.use_bwrap:
            command = sandbox.bwrap_command(self.folder, fds, self.slot, self.config.limits)
        else:
            command = sandbox.plain_command(fds, self.config.limits)
        popen = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=fds,
            cwd=scratch.name,
            env=sandbox.student_env(),
            start_new_session=True,
        )
        os.close(request_r)
        os.close(reply_w)
        process = _Process(popen, request_w, reply_r, processes.OutputTap(popen.stdout), scratch)
        self.process = process
        self._load()

    def _load(self) -> None:
        """Import the modules one at a time, so that one killing or hanging the
        process (``os._exit`` or an endless loop at import) fails alone: the
        process is restarted without it, and modules importing it fail fast."""
        folder = sandbox.SANDBOX_SUBMISSION if self.use_bwrap else str(self.folder)
        failures = {m: _import_failure(e) for m, e in self.broken_imports.items()}
        for module in [m for m in self.modules if m not in self.broken_imports]:
            blocked = sorted(self.broken_imports)
            load = {"op": "load", "folder": folder, "modules": [module], "blocked": blocked}
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
        call_options: CallOptions = CallOptions(),
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Call ``target`` (``module.function``), or ``method`` of object ``handle``.

        Returns the reply: ``value``, and ``args_after`` / ``kwargs_after``, the
        arguments as they are after the call (to see in-place modifications).
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
        if call_options.trusted:
            request["trusted"] = list(call_options.trusted)
        return self.request(request, function, call_options)

    def peek(self, call_id: int) -> dict[str, Any]:
        """The arguments of an earlier call as they are now (cached inputs)."""
        return self.request({"op": "peek", "call": call_id}, "peek")

    def request(
        self, request: dict[str, Any], function: str, options: CallOptions = CallOptions()
    ) -> dict[str, Any]:
        if function in self.disabled:
            raise self.disabled[function]
        if self.process is None:
            self._start()
        module = function.split(".", 1)[0]
        if module in self.import_failures:
            raise StudentImportFailure(function, module, self.import_failures[module])
        return self._exchange(request, function, options)

    def _exchange(
        self, request: dict[str, Any], function: str, options: CallOptions = CallOptions()
    ) -> dict[str, Any]:
        assert self.process is not None
        if function == "import":
            call_key = function  # may happen in any check (after a restart)
        else:
            self._calls_in_check += 1
            call_key = f"{self.check_name}#{self._calls_in_check}"
        limit = options.limit or self.timeouts.seconds(call_key, function)
        tree = options.limit is not None  # a cost check: child processes count too
        started, waited = time.perf_counter(), self._cpu_wait()
        cpu = processes.cpu_seconds(self.process.python or 0, tree)
        try:
            framing.write_message(self.process.request_fd, plaindata.encode(request))
            self._await_reply(limit, started, waited)
            deadline = started + WALL_CAP * limit
            payload = framing.read_message(self.process.reply_fd, deadline, MAX_REPLY_BYTES)
            if payload is None:
                raise EOFError
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
        cpu = processes.cpu_seconds(self.process.python or 0, tree) - cpu
        self.last_cpu_seconds = max(cpu, 0.0)
        self.cpu_log.append((call_key, self.last_cpu_seconds))
        if self.process.python is None:
            # It answered, so its worker exists: one last search, then never
            # again (0 = unknown), keeping /proc scans off every later call.
            self.process.python = processes.python_pid(self.process.popen) or 0
        try:
            if int.from_bytes(payload[:8], "little") > MAX_SKELETON_BYTES:
                raise plaindata.PlainDataError(
                    f"more than {MAX_SKELETON_BYTES >> 20} MiB of numbers outside arrays"
                )
            reply = plaindata.decode(payload)
            if type(reply) is not dict or type(reply.get("ok")) is not bool:
                raise plaindata.PlainDataError("reply is not a dict with 'ok'")
        except plaindata.PlainDataError as exc:
            self.close()
            raise StudentUnplain(function, str(exc)) from None
        if not reply["ok"]:
            raise _error_from(reply.get("error"), function)
        return reply

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


def _error_from(error: Any, function: str) -> Exception:
    if type(error) is not dict:
        return StudentUnplain(function, "malformed error report")
    kind, message = str(error.get("type", "")), str(error.get("message", ""))
    if kind == "missing":
        return StudentMissing(function, message)
    if kind == "unplain":
        return StudentUnplain(function, message)
    return StudentException(function, kind, message, str(error.get("where", "")))
