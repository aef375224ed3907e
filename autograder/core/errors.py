"""What can go wrong, in two families.

``AutograderError``: the user's input or setup is wrong (a missing folder, a
bad option); the CLI turns these into one clear message, never a traceback.

``StudentError``: the student's code misbehaved (raised, hung, crashed,
returned something that is not plain data). A check turns these into a
failed check whose message tells the student what to fix; they never stop
a run.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Sequence

from autograder.i18n import t


class AutograderError(Exception):
    """A problem with the grader's input or setup, with what to do about it."""


def some(items: Sequence[object], shown: int = 3) -> str:
    """The first few of ``items`` for a message: ``a, b, c and 2 more``."""
    listed = ", ".join(str(item) for item in items[:shown])
    return listed + (f" and {len(items) - shown} more" if len(items) > shown else "")


class CheckFailed(Exception):
    """A check's verdict: the student's answer is wrong, and why.

    ``diagnosis`` names the likely mistake when one is recognised, in a
    sentence for the student; ``mistake`` is that mistake's catalogue key
    (language-independent), so class analytics can count it, and a hidden
    check's failure shows that key's catalogue sentence (``hint.<key>``).
    """

    def __init__(
        self,
        message: str,
        diagnosis: str = "",
        mistake: str = "",
        function: str = "",
        variable: str = "",
    ) -> None:
        super().__init__(message)
        self.diagnosis = diagnosis
        self.mistake = mistake
        # Where the mistake lies, for the engine to find in the student's own
        # code (``layers.AffineLayer.backward`` and the variable ``dW``): the
        # check names them, the place shown comes from the student's file.
        self.function = function
        self.variable = variable


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
        name = short_name(function)
        if kind == "NotImplementedError":
            text = t("error.not_implemented", function=name)
        elif kind == "SystemExit":
            text = t("error.system_exit", function=name)
        else:
            text = t("error.raised", function=name, kind=kind, message=message)
        if where:
            text += "\n  " + t("error.where", where=where)
        super().__init__(function, text)


class StudentTimeout(StudentError):
    """The student's code did not return within its time limit."""

    def __init__(self, function: str, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(
            function, t("error.timeout", function=short_name(function), seconds=seconds)
        )


class StudentCrash(StudentError):
    """The student's process died (segfault, os._exit, out of memory...)."""

    def __init__(self, function: str, exit_code: int | None) -> None:
        self.exit_code = exit_code
        # A signal shows as -N from a plain subprocess and as 128 + N from bwrap.
        signum = -exit_code if exit_code and exit_code < 0 else (exit_code or 0) - 128
        if exit_code is not None and 0 < signum < 65:
            how = t("error.crash.signal", signal=_signal_name(signum))
        elif exit_code is not None:
            how = t("error.crash.exit", code=exit_code)
        else:
            how = t("error.crash.silent")
        super().__init__(function, t("error.crash", how=how, function=short_name(function)))


def _signal_name(signum: int) -> str:
    try:
        name = signal.Signals(signum).name
    except ValueError:
        return t("error.signal", number=signum)
    hint = t(f"error.signal.{name}") if name in ("SIGSEGV", "SIGKILL") else ""
    return f"{t('error.signal', number=signum)} {name}{hint}"


class StudentMissing(StudentError):
    """A module, class or function the check needs is not there.

    The student's process words the message (it alone saw the module); the
    one form it sends for a missing name is re-worded from the catalogue.
    """

    def __init__(self, function: str, message: str) -> None:
        found = MISSING_NAME.fullmatch(message)
        if found:
            message = t("error.missing_name", module=found["module"], name=found["name"])
        super().__init__(function, message)


MISSING_NAME = re.compile(r"(?P<module>\w+)\.py defines no '(?P<name>\w+)'")


class StudentUnplain(StudentError):
    """The student's code returned something that is not plain numeric data."""

    def __init__(self, function: str, detail: str) -> None:
        super().__init__(function, t("error.unplain", function=short_name(function), detail=detail))


class StudentReplyTooLarge(StudentError):
    """The student's code returned more data than the call may (refused unread)."""

    def __init__(self, function: str, size: int, cap: int) -> None:
        self.size, self.cap = size, cap
        super().__init__(
            function,
            t("error.reply_too_large", function=short_name(function), size=size, cap=cap),
        )


def _syntax_error_file(message: str) -> str:
    """``layers.py`` from a SyntaxError's text "expected ':' (layers.py, line 52)"."""
    match = re.search(r"\(([^()]+\.py), line \d+\)$", message)
    return match.group(1) if match else ""


class StudentImportFailure(StudentError):
    """A student module failed to import (missing file, syntax error, crash)."""

    def __init__(self, function: str, module: str, failure: dict[str, str]) -> None:
        kind, message, where = (
            failure.get("type", ""),
            failure.get("message", ""),
            failure.get("where", ""),
        )
        if kind == "ModuleNotFoundError" and f"'{module}'" in message:
            text = t("error.import.missing", module=module)
        elif kind == "SyntaxError" and _syntax_error_file(message) not in ("", f"{module}.py"):
            # e.g. xor.py imports layers.py, and layers.py is the broken one
            other = _syntax_error_file(message)
            text = t("error.import.syntax_elsewhere", module=module, other=other, message=message)
        elif kind == "SyntaxError":
            text = t("error.import.syntax", module=module, message=message)
        else:
            text = t("error.import.failed", module=module, kind=kind, message=message)
        if where:
            text += "\n  " + t("error.where", where=where)
        super().__init__(function, text)


class StudentOverLimit(StudentError):
    """The student's processes together went past a limit of the whole student.

    ``kind`` is ``memory`` (resident memory, summed) or ``disk`` (its scratch
    folder), ``amount`` the limit in bytes. The grader measured it and ended
    every process of the student.
    """

    def __init__(self, function: str, kind: str, amount: int) -> None:
        self.kind = kind
        text = t(f"error.limit.{kind}", function=short_name(function), megabytes=amount >> 20)
        super().__init__(function, text)


class StudentCpuTimeout(StudentTimeout):
    """A call used its limit of CPU time, summed over every process of the student."""

    def __init__(self, function: str, seconds: float) -> None:
        super().__init__(function, seconds)
        self.message = t("error.limit.time", function=short_name(function), seconds=seconds)
        self.args = (self.message,)


class StudentOverBudget(StudentTimeout):
    """The submission spent its whole budget: nothing more of it runs."""

    def __init__(self, function: str, seconds: float) -> None:
        super().__init__(function, seconds)
        self.message = t("error.limit.budget", function=short_name(function), seconds=seconds)
        self.args = (self.message,)
