"""`python -m autograder.i18n.compile`: check the ``.po`` catalogues, then write their ``.mo``.

Run it after editing a ``.po`` file (by hand, in a PO editor or Weblate, or
with ``convert``), and commit both: the grader reads only the ``.mo`` files,
with the standard library's ``gettext``, so Babel (which compiles here) is a
development dependency and never needed at run time. ``--check`` writes
nothing and fails when a ``.mo`` is not what its ``.po`` compiles to.

Nothing is written while a catalogue is broken: a key missing from a
language or left empty, a translation whose ``{fields}`` differ from the
English ones (a student would see a KeyError instead of a sentence), a
``python-brace-format`` flag missing or misplaced, a key given twice.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any

from autograder.i18n import fields_of, incomplete
from autograder.i18n.pofiles import (
    BRACE_FLAG,
    DOMAIN,
    LOCALE_DIR,
    duplicates,
    flags_by_key,
    has_fields,
    languages_on_disk,
    mo_path,
    po_path,
    read,
)


def compiled(path: Path) -> bytes:
    """The ``.mo`` bytes of one ``.po`` file: its messages and a fixed, minimal header.

    Babel's own header would carry its version ("Generated-By") and dates, so
    the same catalogue would compile to other bytes on another machine; the
    grader needs nothing of it but the charset.
    """
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    class Minimal(Catalog):
        @property  # type: ignore[misc]  # read-only here: this header is all the .mo holds
        def mime_headers(self) -> list[tuple[str, str]]:
            return [("Content-Type", "text/plain; charset=UTF-8"), ("Language", path.parts[-3])]

    with path.open("rb") as handle:
        source = read_po(handle, abort_invalid=True)
    target: Any = Minimal(domain=DOMAIN, charset="utf-8")
    for message in source:
        if message.id:
            target[message.id] = message
    buffer = io.BytesIO()
    write_mo(buffer, target)
    return buffer.getvalue()


def problems(locale_dir: Path = LOCALE_DIR) -> list[str]:
    """Everything that would make a catalogue wrong for a student, one line each."""
    languages = languages_on_disk(locale_dir)
    found = [f"no catalogue in {locale_dir}"] if not languages else []
    catalogue: dict[str, dict[str, str]] = {}
    for lang in languages:
        path = po_path(lang, locale_dir)
        found += [f"{path}: {key} is given twice" for key in duplicates(path)]
        for key, text in read(path).items():
            catalogue.setdefault(key, {})[lang] = text
        for key, flags in flags_by_key(path).items():
            if (BRACE_FLAG in flags) != has_fields(catalogue.get(key, {}).get(lang, "")):
                found.append(
                    f"{path}: {key} needs the {BRACE_FLAG} flag exactly when it has fields"
                )
    for key in incomplete(catalogue, tuple(languages)):
        texts = {lang: sorted(fields_of(text)) for lang, text in catalogue[key].items()}
        found.append(f"{key}: missing, empty or with other fields in a language: {texts}")
    return found


def stale(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """The ``.mo`` files that are not what their ``.po`` compiles to."""
    mos = [mo_path(lang, locale_dir) for lang in languages_on_disk(locale_dir)]
    return [
        mo for mo in mos if not mo.is_file() or mo.read_bytes() != compiled(mo.with_suffix(".po"))
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.i18n.compile", description=__doc__)
    parser.add_argument("--locale", type=Path, default=LOCALE_DIR, help="the locale folder")
    parser.add_argument("--check", action="store_true", help="write nothing; fail if stale")
    args = parser.parse_args(argv)
    found = problems(args.locale)
    if found:
        print("\n".join(found), file=sys.stderr)
        return 1
    if args.check:
        outdated = stale(args.locale)
        for mo in outdated:
            print(f"{mo} is stale: run python -m autograder.i18n.compile", file=sys.stderr)
        return 1 if outdated else 0
    for lang in languages_on_disk(args.locale):
        mo = mo_path(lang, args.locale)
        mo.write_bytes(compiled(mo.with_suffix(".po")))
        print(mo)
    return 0


if __name__ == "__main__":
    sys.exit(main())
