"""The grammar of every name taken from a submission: what may become a path, and ids.

A submission's bytes are data. Only these ever become part of a path the
grader writes:

- the assignment's declared module names (``layers``, ``xor``), as ``<module>.py``;
- helper files at the top of the graded folder, ``[A-Za-z_][A-Za-z0-9_]*.py``
  (ASCII: a module name Python imports the same way everywhere);
- student ids, from the entries of the submissions folder the instructor names
  (never the name of one of the results folder's class files, ``CLASS_FILES``).

Student ids keep the entry's Unicode (NFC). An entry name that cannot be an
id as it is (control characters, invisible format characters such as the
bidirectional overrides, undecodable bytes, more than 100 bytes)
and names that collide once case and Unicode forms are ignored get a
deterministic suffix ``~<8 hex of sha256(the raw entry name)>``: everyone is
graded, under distinct ids, with a warning.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from autograder.core.files import CLASS_FILES

MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
HELPER_FILE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\.py")
MAX_ID_BYTES = 100
SUFFIX_HEX = 8
# Characters an id never holds: controls (NUL, newline, ESC...), lone
# surrogates (undecodable bytes of a non-UTF-8 name), line separators, and
# format characters: invisible, they made ids that read as another student's
# in every table ("alice" + U+200B beside "alice"; U+202E "ecila" shown as
# "alice", the Trojan Source reordering).
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
DISPLAY_CHARS = 80


def is_module_name(name: object, modules: Sequence[str] | None = None) -> bool:
    """``name`` is a declared module (or, with no declaration, a plain identifier)."""
    if type(name) is not str or not MODULE_NAME.fullmatch(name):
        return False
    return modules is None or name in modules


def is_helper_file(name: str) -> bool:
    return bool(HELPER_FILE.fullmatch(name))


def module_file(module: str, modules: Sequence[str] | None = None) -> str:
    """``<module>.py``, for a name that passed ``is_module_name`` (checked again here)."""
    if not is_module_name(module, modules):
        raise ValueError(f"{shown(module)} is not a module of this assignment")
    return f"{module}.py"


def shown(text: object, limit: int = DISPLAY_CHARS) -> str:
    """Untrusted text as a message may quote it: escaped, on one line, bounded."""
    quoted = ascii(text) if type(text) is not str else repr(text)
    return quoted if len(quoted) <= limit else quoted[: limit - 4] + "...'"


def raw_bytes(name: str) -> bytes:
    """The entry name's bytes as the file system holds them."""
    return os.fsencode(name)


def suffix(name: str) -> str:
    return "~" + hashlib.sha256(raw_bytes(name)).hexdigest()[:SUFFIX_HEX]


# What ``suffix`` and ``_distinct`` append to ids that clash once case is ignored.
CLASH_SUFFIX = re.compile(rf"(~[0-9a-f]{{{SUFFIX_HEX}}})?(~[0-9]+)?$")


def unsuffixed(student: str) -> str:
    """The id ``student`` had before a clash suffixed it: a student who handed in
    ``alice/`` and ``alice.zip`` is graded as alice~<hex> twice, and a roster must
    still know both are alice's."""
    return CLASH_SUFFIX.sub("", student, count=1) or student


def _clean(name: str) -> str:
    text = unicodedata.normalize("NFC", name)
    return "".join("_" if unicodedata.category(c) in REFUSED_CATEGORIES else c for c in text)


def _fit(text: str, budget: int) -> str:
    """``text`` cut to at most ``budget`` UTF-8 bytes, at a character boundary."""
    data = text.encode("utf-8")
    return data[:budget].decode("utf-8", "ignore") if len(data) > budget else text


def is_class_file(text: str) -> bool:
    """``text`` names one of a results folder's class files (whatever its case)."""
    return text.casefold() in {name.casefold() for name in CLASS_FILES}


def is_valid_id(text: str) -> bool:
    return (
        text not in ("", ".", "..")
        and not is_class_file(text)
        and "/" not in text
        and _clean(text) == text
        and len(text.encode("utf-8")) <= MAX_ID_BYTES
    )


def student_id(base: str, entry: str | None = None) -> str:
    """The id of an entry: ``base`` (its name, a .zip's without the suffix) in NFC,
    or cleaned and suffixed with the hash of the raw ``entry`` name when it cannot
    be an id as it is."""
    nfc = unicodedata.normalize("NFC", base)
    if is_valid_id(nfc):
        return nfc
    return suffixed(base, entry if entry is not None else base)


def suffixed(base: str, entry: str) -> str:
    """``<cleaned base>~<8 hex of sha256(raw entry name)>``, within the byte limit."""
    cleaned = _clean(base).replace("/", "_")
    cleaned = cleaned if cleaned not in ("", ".", "..") else "_"
    return _fit(cleaned, MAX_ID_BYTES - 1 - SUFFIX_HEX) + suffix(entry)


@dataclass(frozen=True)
class Ids:
    """Entry name -> student id, and what a human should know about them."""

    by_entry: dict[str, str]
    warnings: tuple[str, ...]


def assign_ids(entries: Iterable[tuple[str, str]]) -> Ids:
    """Distinct, deterministic ids for (entry name, id base) pairs of one folder."""
    bases = dict(sorted(entries))
    warnings = []
    ids = {entry: student_id(base, entry) for entry, base in bases.items()}
    for entry, base in bases.items():
        if ids[entry] != unicodedata.normalize("NFC", base):
            why = (
                "the name of one of the results folder's own files"
                if is_class_file(unicodedata.normalize("NFC", base))
                else f"control or invisible characters, undecodable bytes or over {MAX_ID_BYTES} "
                "bytes"
            )
            warnings.append(
                f"the entry {shown(entry)} cannot be a student id as it is ({why}): "
                f"graded as {shown(ids[entry])}"
            )
    groups: dict[str, list[str]] = {}
    for entry in bases:
        groups.setdefault(ids[entry].casefold(), []).append(entry)
    for members in (m for m in groups.values() if len(m) > 1):
        for entry in members:
            if not ids[entry].endswith(suffix(entry)):
                ids[entry] = suffixed(ids[entry], entry)
        listed = ", ".join(f"{shown(e)} as {shown(ids[e])}" for e in members)
        warnings.append(
            f"{len(members)} entries name the same student once case and Unicode forms are "
            f"ignored; each is graded under its own id: {listed}"
        )
    warnings += _distinct(ids, bases)
    return Ids(ids, tuple(warnings))


def _distinct(ids: dict[str, str], bases: dict[str, str]) -> list[str]:
    """Make ``ids`` distinct once case is ignored, in place, whatever the names.

    A suffix is no secret (the hash of a name anyone knows): an entry named
    ``alice~2bd806c9`` is the id "alice" gets beside an "ALICE"; and names cut
    to the byte limit share their 8 hex digits after some 2**16 tries. Either
    made two students one id (the batch stopped with a ValueError). Natural
    ids (an entry's own name) are kept first; a later clash gets ``~2``, ``~3``...
    """
    warnings, taken = [], set()
    natural_first = sorted(
        bases, key=lambda e: (ids[e] != unicodedata.normalize("NFC", bases[e]), e)
    )
    for entry in natural_first:
        wanted, count = ids[entry], 1
        while ids[entry].casefold() in taken:
            count += 1
            tail = f"~{count}"
            ids[entry] = _fit(wanted, MAX_ID_BYTES - len(tail)) + tail
        taken.add(ids[entry].casefold())
        if ids[entry] != wanted:
            warnings.append(
                f"the entry {shown(entry)} would share its id {shown(wanted)} with another "
                f"entry: graded as {shown(ids[entry])}"
            )
    return warnings
