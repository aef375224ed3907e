"""What can go wrong, in two families.

``AutograderError``: the user's input or setup is wrong (a missing folder, a
bad option); the CLI turns these into one clear message, never a traceback.

``StudentError``: the student's code misbehaved (raised, hung, crashed,
returned something that is not plain data). A check turns these into a
failed check whose message tells the student what to fix; they never stop
a run.
"""

from __future__ import annotations

import signal


class AutograderError(Exception):
    """A problem with the grader's input or setup, with what to do about it."""


class CheckFailed(Exception):
    """A check's verdict: the student's answer is wrong, and why.

    ``diagnosis`` names the likely mistake when one is recognised.
    """

    def __init__(self, message: str, diagnosis: str = "") -> None:
        super().__init__(message)
        self.diagnosis = diagnosis


def short_name(function: str) -> str:
    """``layers.AffineLayer.backward`` -> ``AffineLayer.backward``."""
    return function.split(".", 1)[-1]


class StudentError(Exception):
    """The student's code could not produce an answer for ``function``."""

    def __init__(self, function: str, message: str) -> None:
        super().__init__(message)
        self.function = function
        self.message = message


class StudentException(StudentError):
    """The student's code raised an exception."""

    def __init__(self, function: str, kind: str, message: str, where: str) -> None:
        self.kind = kind
        self.where = where
        if kind == "NotImplementedError":
            text = f"{short_name(function)} is not implemented yet (it raises NotImplementedError)"
        elif kind == "SystemExit":
            text = f"{short_name(function)} called sys.exit() or exit(); return a value instead"
        else:
            text = f"{short_name(function)} raised {kind}: {message}"
        if where:
            text += f"\n  at {where}"
        super().__init__(function, text)


class StudentTimeout(StudentError):
    """The student's code did not return within its time limit."""

    def __init__(self, function: str, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(
            function,
            f"{short_name(function)} did not return within {seconds:.1f} s "
            "(an infinite loop, or far too much work?); it was stopped",
        )


class StudentCrash(StudentError):
    """The student's process died (segfault, os._exit, out of memory...)."""

    def __init__(self, function: str, exit_code: int | None) -> None:
        self.exit_code = exit_code
        # A signal shows as -N from a plain subprocess and as 128 + N from bwrap.
        signum = -exit_code if exit_code and exit_code < 0 else (exit_code or 0) - 128
        if exit_code is not None and 0 < signum < 65:
            how = f"was killed by {_signal_name(signum)}"
        elif exit_code is not None:
            how = f"exited with code {exit_code} (os._exit?)"
        else:
            how = "stopped answering"
        super().__init__(
            function,
            f"the Python process running your code {how} during "
            f"{short_name(function)}; code must return, not exit or crash",
        )


def _signal_name(signum: int) -> str:
    try:
        name = signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"
    hint = {"SIGSEGV": " (a segmentation fault)", "SIGKILL": " (out of memory, or a limit)"}
    return f"signal {signum} {name}{hint.get(name, '')}"


class StudentMissing(StudentError):
    """A module, class or function the check needs is not there."""


class StudentUnplain(StudentError):
    """The student's code returned something that is not plain numeric data."""

    def __init__(self, function: str, detail: str) -> None:
        super().__init__(
            function,
            f"{short_name(function)} returned something that is not plain numeric data "
            f"({detail}); return numpy arrays, numbers, tuples or lists",
        )


class StudentImportFailure(StudentError):
    """A student module failed to import (missing file, syntax error, crash)."""

    def __init__(self, function: str, module: str, failure: dict[str, str]) -> None:
        kind, message, where = (
            failure.get("type", ""),
            failure.get("message", ""),
            failure.get("where", ""),
        )
        if kind == "ModuleNotFoundError" and f"'{module}'" in message:
            text = f"{module}.py is missing: hand it in beside the other files"
        elif kind == "SyntaxError":
            text = f"{module}.py has a syntax error: {message}"
        else:
            text = f"{module}.py could not be imported: {kind}: {message}"
        if where:
            text += f"\n  at {where}"
        super().__init__(function, text)
