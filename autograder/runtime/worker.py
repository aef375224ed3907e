"""The student-side process: imports a submission and runs calls into it.

This module runs *inside* the student's process (confined by ``confine``
before it starts) and is therefore untrusted: anything it sends back may have been
forged by the student's code. It only executes requests and reports plain
data; every verdict is computed by the grader from that data.

Protocol: each message is a ``framing`` message holding a ``plaindata``
payload. Requests arrive on the fd given as argv[1], replies
leave on argv[2]. The student's prints go to fds 1 and 2, which the grader
drains and caps separately, so nothing a student prints can pose as a reply.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
import types
from collections.abc import Callable
from typing import Any

from . import plaindata
from .confine import route
from .framing import read_message, write_message
from .shared import SharedViews, place


def student_frame(exc: BaseException, folder: str) -> str:
    """The innermost traceback line that lies in the student's own files."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(folder)]
    if not frames and isinstance(exc, SyntaxError) and exc.filename:
        text = (exc.text or "").strip()
        return f"{os.path.basename(exc.filename)}, line {exc.lineno}: {text}"
    if not frames:
        return ""
    frame = frames[-1]
    return f"{os.path.basename(frame.filename)}, line {frame.lineno}, in {frame.name}: {frame.line}"


class MissingName(Exception):
    """The submission lacks a module, class or function a check needs."""


class Worker:
    """Holds the submission's modules, the objects made so far and past calls."""

    def __init__(self) -> None:
        self.folder = ""
        self.modules: dict[str, Any] = {}
        self.objects: dict[int, Any] = {}
        self.calls: dict[int, tuple[list[Any], dict[str, Any]]] = {}
        self.shared: SharedViews | None = None

    def load(self, folder: str, names: list[str], blocked: list[str]) -> dict[str, Any]:
        """Import ``names``; ``blocked`` modules (they killed or hung an earlier
        process) make every import of them fail at once."""
        routed = route(folder)  # a descriptor's path when its folder was out of reach
        self.folder = (routed if routed != folder else os.path.realpath(folder)) + os.sep
        if self.folder not in sys.path:
            sys.path.insert(0, self.folder)
        for name in blocked:
            sys.modules[name] = None  # type: ignore[assignment]
        # Never the student's to import (isolation.sandbox.TRUSTED_LAYERS): at every level
        # an import of them finds an empty module, as bwrap's empty file gives.
        placeholder = f"{__package__}.trusted_layers"
        sys.modules.setdefault(placeholder, types.ModuleType(placeholder))
        failures = {}
        for name in names:
            try:
                self.modules[name] = importlib.import_module(name)
            except BaseException as exc:  # noqa: B036 - SystemExit at import is the student's too
                failures[name] = self.describe(exc)
                if isinstance(exc, ImportError) and exc.name in blocked:
                    failures[name].update(
                        type="ImportError",
                        message=f"it imports {exc.name}.py, which could not be imported",
                    )
        return {"failures": failures}

    def resolve(self, target: str) -> Any:
        module_name, _, attr = target.partition(".")
        if module_name not in self.modules:
            raise MissingName(f"{module_name}.py could not be imported")
        try:
            return getattr(self.modules[module_name], attr)
        except AttributeError:
            raise MissingName(f"{module_name}.py defines no {attr!r}") from None

    def new(self, target: str) -> dict[str, Any]:
        handle = len(self.objects)
        self.objects[handle] = self.resolve(target)()
        return {"handle": handle}

    def call(self, request: dict[str, Any]) -> dict[str, Any]:
        handle, method = request.get("handle"), request.get("method")
        function = self.resolve(request["target"])
        if handle is not None:
            function = getattr(self.objects[handle], str(method))
        args, kwargs = request["args"], request["kwargs"]
        if self.shared is not None and request.get("shared"):
            args, kwargs = place(args, kwargs, request["shared"], self.shared)
        call_id = len(self.calls)
        self.calls[call_id] = (args, kwargs)
        trusted = request.get("trusted")
        if trusted:
            with self.trusted(trusted, str(request.get("trusted_source", ""))):
                value = function(*args, **kwargs)
        else:
            value = function(*args, **kwargs)
        return {"value": value, "args_after": args, "kwargs_after": kwargs, "call": call_id}

    def trusted(self, targets: list[str], source: str) -> Any:
        """For one call, the runtime's trusted classes in place of the ``targets``
        (e.g. ``layers.AffineLayer``), wherever the submission's modules name them."""
        # Made from the source the grader sends with the call: no student process can
        # read the file (see isolation.sandbox.TRUSTED_LAYERS), and one that has not
        # made such a call holds no trusted class a student's layer could borrow (the
        # session starts a new process before the student's own code runs again).
        trusted_layers = types.ModuleType(f"{__package__}.trusted_layers")
        exec(compile(source, "trusted_layers.py", "exec"), trusted_layers.__dict__)  # noqa: S102

        originals = {str(t).rpartition(".")[2]: self.resolve(str(t)) for t in targets}
        own = [m for m in list(sys.modules.values()) if self.is_submission(m)]
        return trusted_layers.substituted(own, originals)

    def is_submission(self, module: Any) -> bool:
        try:
            path = getattr(module, "__file__", None)
            return isinstance(path, str) and path.startswith(self.folder)
        except Exception:  # whatever a student put into sys.modules
            return False

    def peek(self, call_id: int) -> dict[str, Any]:
        args, kwargs = self.calls[call_id]
        return {"args": args, "kwargs": kwargs}

    def describe(self, exc: BaseException) -> dict[str, Any]:
        """The student's exception as plain data. Its class is the student's: its
        ``__str__`` (or its metaclass's ``__name__``) may raise or return no text,
        and a failure here would end the worker as if the student had exited."""
        where = student_frame(exc, self.folder)
        return {
            "type": readable(lambda: type(exc).__name__, "Exception"),
            "message": readable(lambda: str(exc), UNREADABLE)[:2000],
            "where": where,
            "in_student_code": bool(where),
        }

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request["op"]
        if op == "load":
            if self.shared is None and request.get("share"):  # the grader's argument memory
                self.shared = SharedViews(*request["share"])
            return self.load(request["folder"], request["modules"], request.get("blocked", []))
        if op == "new":
            return self.new(request["target"])
        if op == "call":
            return self.call(request)
        if op == "peek":
            return self.peek(request["call"])

        raise ValueError(f"unknown op {op!r}")


UNREADABLE = "(its message could not be read: the exception's __str__ failed)"


def readable(text: Callable[[], object], fallback: str) -> str:
    """``text()`` when it gives a str, else ``fallback`` (whatever it raised)."""
    try:
        value = text()
    except BaseException:  # noqa: BLE001 - the student's code, SystemExit included
        return fallback
    return value if type(value) is str else fallback


def reply_for(worker: Worker, request: dict[str, Any]) -> bytes:
    try:
        result = worker.handle(request)
    except MissingName as exc:
        return plaindata.encode({"ok": False, "error": {"type": "missing", "message": str(exc)}})
    except BaseException as exc:  # noqa: B036 - the student's SystemExit is a result too
        return plaindata.encode({"ok": False, "error": worker.describe(exc)})
    try:
        return plaindata.encode({"ok": True, **result})
    except plaindata.PlainDataError as exc:
        error = {"type": "unplain", "message": str(exc)}
        return plaindata.encode({"ok": False, "error": error})
    except MemoryError:  # the reply itself does not fit in the process's memory limit
        del result
        message = "the value returned does not fit in the memory allowed to encode it"
        return plaindata.encode({"ok": False, "error": {"type": "MemoryError", "message": message}})


def main(argv: list[str], confinement: dict[str, Any] | None = None) -> None:
    """Serve requests until the grader closes the pipe.

    The first message is ``ready``, with what the confinement applied: sent
    before any request is read, hence before any student code has run, so
    the grader can tell a sandbox that failed to start from a student's crash.
    """
    request_fd, reply_fd = int(argv[1]), int(argv[2])
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    write_message(reply_fd, plaindata.encode({"ok": True, "ready": confinement or {}}))
    worker, server = Worker(), os.getpid()
    while True:
        message = read_message(request_fd)
        if message is None:
            return
        payload = reply_for(worker, plaindata.decode(message))
        if os.getpid() != server:
            # A copy the student's code made (os.fork at import or in a call) came back
            # here: only the process the grader started answers, so the copy ends,
            # unflushed (its output is the server's, printed once).
            os._exit(0)
        sys.stdout.flush()
        sys.stderr.flush()
        write_message(reply_fd, payload)


if __name__ == "__main__":
    main(sys.argv)
