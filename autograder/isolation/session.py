"""The grader's side of the trust boundary: one student, driven by calls.

A ``StudentSession`` starts the student's process lazily (at the isolation
level ``levels.resolve`` gives), sends it requests and watches each call
until its reply is read whole (``watch``): CPU time summed over every process
of the student, a wall cap, memory, disk, and the budget of the whole
submission. Replies are decoded with ``plaindata.decode`` (no pickle, no
objects), and everything that can go wrong in the student's process becomes
a ``StudentError`` that a check turns into a failed check with a message.
After a timeout or a crash every process of the student is ended and the next
call starts a fresh one, so one bad function fails only the checks that use it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autograder.core.errors import (
    StudentCrash,
    StudentError,
    StudentImportFailure,
    StudentOverBudget,
    StudentOverLimit,
    StudentReplyTooLarge,
    StudentTimeout,
    StudentUnplain,
)
from autograder.isolation import launch, levels, processes, replies, sandbox, watch
from autograder.isolation.calls import CallOptions
from autograder.isolation.policy import FinishedCall, LimitRecord, TimeoutPolicy
from autograder.isolation.sandbox import trusted_source
from autograder.isolation.student_process import Launcher, StudentProcess
from autograder.runtime import plaindata

__all__ = ["StudentSession", "TimeoutPolicy"]


class StudentSession:
    """Calls into one submission's code, in a separate (sandboxed) process.

    ``spent_before`` is what earlier attempts at the same submission spent
    of its budget (a retry after the grading process died), where known;
    ``reply_policy`` caps each reply's size (``replies``); ``launcher``: one
    prestarted for ``folder`` (``grading/scratch.py``).
    """

    def __init__(
        self,
        folder: Path,
        modules: list[str],
        config: sandbox.SandboxConfig = sandbox.SandboxConfig(),
        timeouts: TimeoutPolicy = TimeoutPolicy(),
        slot: int = 0,
        spent_before: float = 0.0,
        reply_policy: replies.ReplyPolicy = replies.ReplyPolicy(),
        launcher: Launcher | None = None,
    ) -> None:
        self.folder = Path(folder).resolve()
        self.modules = modules
        self.config = config
        self.timeouts = timeouts
        self.launcher = launcher or Launcher(self.folder, slot)  # its uid, readable code
        self.isolation = levels.resolve(config)
        self.process: StudentProcess | None = None
        self.import_failures: dict[str, dict[str, Any]] = {}
        # Modules whose import killed or hung the process: never imported again.
        self.broken_imports: dict[str, StudentError] = {}
        # Functions never to call again (they timed out once), with the reason.
        self.disabled: dict[str, StudentError] = {}
        self.tainted = False  # the process has run a call on trusted classes
        self.last_cpu_seconds = 0.0  # the last call's, over all the student's processes
        self.reply_policy = reply_policy
        self.limits = LimitRecord()  # each finished call, and what the limits decided
        self.crashes = 0
        self.spent, self.cpu = spent_before, 0.0  # budget used; CPU of its ended processes
        self.exhausted: StudentError | None = None  # the budget ran out
        self.confinement: dict[str, Any] = {}  # what the last process's bootstrap applied
        self.start_failure: sandbox.SandboxUnavailable | None = None
        self.check_name = ""
        self._calls_in_check = 0
        self._output = processes.OutputCaps()

    # -- lifecycle ---------------------------------------------------------
    def __enter__(self) -> StudentSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
        self.launcher.release()

    def begin_check(self, name: str) -> None:
        """Start counting calls for ``name`` (the key of per-call timeouts)."""
        self.check_name, self._calls_in_check = name, 0
        if self.process is not None:
            self.process.shared.reset()

    @property
    def status(self) -> str:
        """How the student's code ran: ``ok``, ``timeout`` or ``error``."""
        errors = [*self.disabled.values(), *self.broken_imports.values(), self.exhausted]
        if any(isinstance(e, StudentTimeout) for e in errors):
            return "timeout"
        return "error" if self.crashes or self.import_failures else "ok"

    def take_output(self) -> str:
        """What the student printed since the last take, within the output caps."""
        if self.process is not None:
            self._output.add(self.process.tap.take())
        return self._output.take()

    def _start(self) -> None:
        """Start a student process (confined and ready), then import the modules."""
        try:
            self.process = self.launcher.start(self.isolation, self.config.limits)
        except sandbox.SandboxUnavailable as failure:
            self.start_failure = failure
            raise
        self.spent += self.process.start_cost
        self.confinement = self.process.confinement
        self._load()

    def _load(self) -> None:
        """Import the modules one at a time, so that one killing or hanging the
        process (``os._exit`` or an endless loop at import) fails alone: the
        process is restarted without it, and modules importing it fail fast."""
        folder = launch.submission_path(self.isolation, self.launcher.code)
        failures = {m: replies.import_failure(e) for m, e in self.broken_imports.items()}
        assert self.process is not None
        share = self.process.shared.share_fields()  # the worker maps the argument memory
        for module in [m for m in self.modules if m not in self.broken_imports]:
            blocked = sorted(self.broken_imports)
            load: dict[str, Any] = {"op": "load", "folder": folder, "modules": [module]}
            load.update(blocked=blocked, share=share)
            try:
                reply = self._exchange(load, "import")
            except (StudentCrash, StudentTimeout, StudentOverLimit) as error:
                if self.exhausted is not None:
                    raise
                self.broken_imports[module] = error
                return self._start()
            failures.update(reply["failures"])
        self.import_failures = failures

    def close(self) -> None:
        """End every process of the student; count what they used."""
        process, self.process, self.tainted = self.process, None, False
        if process is not None:
            used, output = process.end()
            self.spent += used  # since the last call ended (children left running)
            self.cpu += process.counted
            self._output.add(output)

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

        Returns the reply: ``value``; ``args_after`` / ``kwargs_after``, the
        arguments as they are after the call, their arrays read back by the
        grader from the shared memory they were handed over in (in-place
        changes, observed); ``args_reported``, the student's process's own
        account of them (its word only); ``call``, the grader's id of the call.
        """
        function = f"{target}.{method}" if method else target
        request: dict[str, Any] = {"op": "call", "target": target, "handle": handle}
        request.update(method=method, args=list(args), kwargs=kwargs)
        if call_options.trusted:
            request.update(trusted=list(call_options.trusted), trusted_source=trusted_source())
        return self.request(request, function, call_options)

    def peek(self, call_id: int) -> dict[str, Any]:
        """An earlier call's arguments as they are now, read by the grader (cache kept?)."""
        placed = self.process.shared.calls.get(call_id) if self.process else None
        if self.process is None or placed is None:  # the process died since that call
            raise StudentCrash("peek", None)
        args, kwargs = self.process.shared.observed(placed)
        return {"args": args, "kwargs": kwargs}

    def import_failure(self, module: str) -> None:
        """Raise ``module``'s import failure, as a call into it would (nothing is sent)."""
        if self.start_failure is not None:
            raise self.start_failure
        if self.process is None:
            self._start()
        if module in self.import_failures:
            raise StudentImportFailure(module, module, self.import_failures[module])

    def request(
        self, request: dict[str, Any], function: str, options: CallOptions = CallOptions()
    ) -> dict[str, Any]:
        if self.start_failure is not None:
            raise self.start_failure
        if self.exhausted is not None:
            raise self.exhausted
        if options.disabled_key(function) in self.disabled:
            raise self.disabled[options.disabled_key(function)]
        if self.process is not None and self.tainted and not options.trusted:
            self.close()  # the student's own code never runs where trusted classes were
        if self.process is None:
            self._start()
        self.tainted = self.tainted or bool(options.trusted)
        module = function.split(".", 1)[0]
        if module in self.import_failures:
            raise StudentImportFailure(function, module, self.import_failures[module])
        if request["op"] != "call":
            return self._exchange(request, function)
        assert self.process is not None
        exchange = lambda sent: self._exchange(sent, function, options)  # noqa: E731
        return self.process.shared.call(request, exchange)

    def _watch(self, limit: float) -> watch.Watch:
        """A watch for one call (what the student ran since the last one counts in it)."""
        assert self.process is not None
        budget = self.timeouts.budget
        left = None if budget is None else budget - self.spent
        return self.process.watch(limit, self.config.limits, self.isolation.level, left)

    def _spend(self, call: watch.Watch) -> None:
        """Count what ``call`` cost: its wall time not excused, or its CPU time."""
        assert self.process is not None
        self.spent += call.cost
        self.process.uncounted(call.last.cpu)  # within the call's cost

    def _exchange(
        self, request: dict[str, Any], function: str, options: CallOptions = CallOptions()
    ) -> dict[str, Any]:
        assert self.process is not None
        self._calls_in_check += function != "import"  # (an import comes in any check)
        call_key = function if function == "import" else f"{self.check_name}#{self._calls_in_check}"
        # A cost check's limit is used as is: neither scaled nor raised by the floor.
        limit = options.limit or self.timeouts.seconds(call_key, function)
        cap = self.reply_policy.cap(call_key)
        call = self._watch(limit)
        try:
            watch.send(self.process.request_fd, plaindata.encode(request), call)
            payload = watch.receive(self.process.reply_fd, call, cap)
        except watch.ReplyTooLarge as large:  # never read: the process is ended
            self._spend(call)
            self.limits.stopped = True
            self.close()
            raise self._final(StudentReplyTooLarge(function, large.size, large.cap)) from None
        except watch.Overrun as overrun:
            self._spend(call)
            raise self._overrun(overrun.kind, function, limit, options) from None
        except (EOFError, OSError):
            self._spend(call)
            code = self.process.accounts.wait_root(0.5)
            self.close()
            self.crashes += 1
            raise StudentCrash(function, code) from None
        self._spend(call)
        self.last_cpu_seconds = call.cpu
        wall, own = call.wall - call.excused, options.limit is not None
        finished = FinishedCall(call_key, function, call.cpu, wall, len(payload), own)
        self.limits.calls.append(finished)
        try:
            reply = replies.decode_reply(payload, function, cap)
            if reply["ok"]:
                return replies.checked_fields(reply, str(request.get("op")), function)
        except StudentUnplain:
            self.close()
            raise
        raise replies.error_from(reply.get("error"), function)

    def _overrun(
        self, kind: str, function: str, limit: float, options: CallOptions
    ) -> StudentError:
        """End the student's processes after ``kind`` of overrun; the error to raise."""
        self.close()
        own_limit = options.limit is not None and kind != "budget"
        self.limits.stopped |= kind in ("cpu", "wall", "budget") and not own_limit
        limits, budget = self.config.limits, self.timeouts.budget or 0.0
        sizes = (limits.memory_bytes, limits.tmp_bytes)
        error = watch.overrun_error(kind, function, limit, budget, *sizes)
        if isinstance(error, StudentOverBudget):
            self.exhausted = error
        elif isinstance(error, StudentOverLimit):
            self.crashes += 1
        # Past a cost check's own limit the function stays callable (that call is judged);
        elif options.limit is None and function != "import":  # _load handles a hanging module
            self.disabled[options.disabled_key(function)] = error
        return self._final(error)

    def _final(self, error: StudentError) -> StudentError:
        """``error``, and the last of a provisional run a limit stopped (``LimitRecord``)."""
        if self.limits.provisional and self.limits.stopped:
            self.exhausted = error
        return error
