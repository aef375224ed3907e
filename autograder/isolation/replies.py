"""Replies from a student's process: bounded in size, decoded as plain data, checked in form.

Everything the student's process sends is untrusted (its worker may have been
replaced by the student's code). Before any check sees a reply:

- its size is capped *before it is read*: a multiple of the reference's own
  reply for the same call (measured when the reference is graded, like the
  timeouts), never below a floor and never above a ceiling; a reply past its
  cap fails the call with a message, and the grader never holds more than
  that cap of it;
- it is decoded by ``plaindata`` (no code, no objects) with its JSON part
  capped too (parsing JSON costs ~10x its size in memory);
- its protocol fields have the types the session relies on (a handle is an
  int, a call's reply has a value, import failures are text), and every text
  a student controls is cut to a length a report can hold.

This module checks types and upper bounds only. Whether a value is the
right answer, of the right length and finite, is a check's verdict
(``checks.expect``), so that a diagnosis can still look at a wrong answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from autograder.core.errors import (
    StudentError,
    StudentException,
    StudentMissing,
    StudentTimeout,
    StudentUnplain,
)
from autograder.runtime import plaindata

# The reference's reply, in bytes, times FACTOR: room for the representations
# a correct student may choose (a list of NumPy scalars costs ~7x a list of
# floats, an array ~0.4x), nowhere near what a runaway reply needs (five
# million losses: 40 MB).
FACTOR = 16.0
FLOOR = 256 << 10
CEILING = 16 << 20  # raised to twice the reference's reply where that is larger
# The JSON part of a reply (numbers outside arrays; arrays travel as raw bytes):
# decoding costs up to ~20x its size in Python objects ({"list": []} is one
# dict and one list per 12 bytes). Correct replies hold a few tens of KiB.
MAX_SKELETON_BYTES = 1 << 20
MAX_TEXT = 2000  # characters of any text a student's process reports (messages, lines)
MAX_KIND = 100  # characters of an exception's type name


@dataclass(frozen=True)
class ReplyPolicy:
    """Per-call caps on a reply's bytes: FACTOR times the reference's, within bounds.

    ``per_call`` maps a call key (``check name#n``, as for timeouts) to the
    size of the reference's reply for that call. A call the reference never
    made gets the largest cap any call got, or the ceiling before calibration.
    """

    factor: float = FACTOR
    floor: int = FLOOR
    ceiling: int = CEILING
    per_call: dict[str, int] = field(default_factory=dict)

    def _cap(self, measured: int) -> int:
        top = max(self.ceiling, 2 * measured)
        return min(top, max(self.floor, int(self.factor * measured)))

    def cap(self, call_key: str) -> int:
        if call_key in self.per_call:
            return self._cap(self.per_call[call_key])
        if self.per_call:
            return max(self._cap(size) for size in self.per_call.values())
        return self.ceiling


def bounded_text(value: Any, limit: int = MAX_TEXT) -> str:
    """Text a student's process reported, as a string of at most ``limit`` characters."""
    text = value if type(value) is str else ""
    return text if len(text) <= limit else text[:limit] + " [...]"


def decode_reply(payload: bytes, function: str, cap: int) -> dict[str, Any]:
    """The reply as a dict with a bool ``ok``; StudentUnplain for anything else."""
    skeleton_cap = min(MAX_SKELETON_BYTES, cap)
    if int.from_bytes(payload[:8], "little") > skeleton_cap:
        raise StudentUnplain(
            function, f"more than {skeleton_cap >> 10} KiB of numbers outside arrays"
        )
    try:
        reply = plaindata.decode(payload)
    except plaindata.PlainDataError as exc:
        raise StudentUnplain(function, bounded_text(str(exc))) from None
    if type(reply) is not dict or type(reply.get("ok")) is not bool:
        raise StudentUnplain(function, "reply is not a dict with 'ok'")
    return reply


def checked_fields(reply: dict[str, Any], op: str, function: str) -> dict[str, Any]:
    """A successful reply with the fields ``op`` needs, of the types the session uses."""
    if op == "call" and "value" not in reply:
        raise StudentUnplain(function, "malformed reply (no value)")
    if op == "new" and type(reply.get("handle")) is not int:
        raise StudentUnplain(function, "malformed reply (no object handle)")
    if op == "load":
        failures = reply.get("failures")
        if type(failures) is not dict:
            raise StudentUnplain(function, "malformed reply (no import report)")
        reply = {**reply, "failures": {str(k): failure_fields(v) for k, v in failures.items()}}
    return reply


def failure_fields(failure: Any) -> dict[str, Any]:
    """An import failure or exception report: bounded text fields only."""
    fields = failure if type(failure) is dict else {}
    return {
        "type": bounded_text(fields.get("type"), MAX_KIND),
        "message": bounded_text(fields.get("message")),
        "where": bounded_text(fields.get("where")),
        "in_student_code": fields.get("in_student_code") is True,
    }


def error_from(error: Any, function: str) -> Exception:
    """The StudentError a failed call's reply reports (its text bounded)."""
    if type(error) is not dict:
        return StudentUnplain(function, "malformed error report")
    fields = failure_fields(error)
    kind, message = fields["type"], fields["message"]
    if kind == "missing":
        return StudentMissing(function, message)
    if kind == "unplain":
        return StudentUnplain(function, message)
    return StudentException(function, kind, message, fields["where"])


def import_failure(error: StudentError) -> dict[str, str]:
    """A crash or timeout while importing, as the worker reports import failures."""
    kind = "TimeoutError" if isinstance(error, StudentTimeout) else "ProcessDied"
    return {"type": kind, "message": error.message, "where": ""}
