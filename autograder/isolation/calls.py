"""How one call into a student's code runs, beyond its arguments.

Kept apart from ``session`` (the protocol) so that checks can name these
options without depending on how a session runs a call.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CallOptions:
    """``trusted``: student classes (``layers.AffineLayer``) that the runtime's trusted
    classes replace for this one call, wherever the submission names them.
    ``limit``: the call's time limit in seconds, used as is, neither scaled nor
    raised by the timeout floor: cost checks judge CPU time against a limit of
    their own, measured on the reference for the same call."""

    trusted: tuple[str, ...] = ()
    limit: float | None = None

    def disabled_key(self, function: str) -> str:
        """What a time-out disables: calls on trusted classes run other code than the
        student's own classes, so a trainer that timed out on the student's looping
        layer may still run on trusted ones (and the other way round)."""
        if not self.trusted:
            return function
        return f"{function} [trusted {', '.join(sorted(self.trusted))}]"
