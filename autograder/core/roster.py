"""The class list: who should hand in, with the ids an LMS knows them by.

A roster comes from a plain CSV (a ``student`` column, optional ``name``,
``email``, ``sis_id``, ``section``) or from Canvas's own gradebook export,
which is kept whole (``CanvasSheet``) so the grades can be written back into
it cell for cell. Parsing is ``intake.roster``; the LMS files are
``reports.lms``; the batch (``grading.batch``) matches it to the submissions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MISSING = "missing"  # the status of a rostered student without a submission
ROSTER_FILE = "roster.json"  # RESULTS/roster.json: the roster of the last `grade --roster`


@dataclass(frozen=True)
class RosterEntry:
    """One student of the class list.

    ``student`` is the id their submission is expected under; ``aliases`` are
    every id they may hand in under (login, SIS id, email, Canvas id);
    ``row`` is their row in a Canvas export (-1 for a plain roster).
    """

    student: str
    name: str = ""
    email: str = ""
    sis_id: str = ""
    section: str = ""
    aliases: tuple[str, ...] = ()
    row: int = -1


@dataclass(frozen=True)
class CanvasSheet:
    """A Canvas gradebook export as read: written back with one column filled."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # every row below the header, as exported
    delimiter: str = ","
    bom: bool = False
    newline: str = "\n"


@dataclass(frozen=True)
class Roster:
    entries: tuple[RosterEntry, ...]
    source: str = ""  # the file it was read from, for messages
    canvas: CanvasSheet | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "entries": [asdict(e) for e in self.entries],
            "canvas": asdict(self.canvas) if self.canvas else None,
        }

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> Roster:
        entries = tuple(
            RosterEntry(**{**e, "aliases": tuple(e.get("aliases", ()))})
            for e in document.get("entries", [])
        )
        sheet = document.get("canvas")
        canvas = None
        if sheet:
            canvas = CanvasSheet(
                tuple(sheet["header"]),
                tuple(tuple(r) for r in sheet["rows"]),
                sheet.get("delimiter", ","),
                bool(sheet.get("bom", False)),
                sheet.get("newline", "\n"),
            )
        return cls(entries, str(document.get("source", "")), canvas)


@dataclass(frozen=True)
class ClassList:
    """The roster matched to the submissions of one run."""

    matched: dict[str, RosterEntry] = field(default_factory=dict)  # submission id -> entry
    missing: tuple[RosterEntry, ...] = ()  # on the roster, no submission
    unlisted: tuple[str, ...] = ()  # submissions whose student is not on the roster

    def names(self) -> dict[str, str]:
        """Row id (submission id, or the roster's id when missing) -> the student's name."""
        found = {student: entry.name for student, entry in self.matched.items()}
        found.update((entry.student, entry.name) for entry in self.missing)
        return found
