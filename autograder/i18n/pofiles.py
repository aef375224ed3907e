"""The catalogue's source files: one ``.po`` file per language, as translators' tools edit them.

A maintainer's module (``convert`` and ``compile`` use it; the grader never
does): it writes and reads the ``.po`` files with Babel, a development
dependency imported here only.

The catalogues are *monolingual* gettext: each ``msgid`` is the message key
the code uses (``diag.transposed``), each ``msgstr`` the text in that file's
language, English included; ``en`` is the base language a tool such as
Weblate ("gettext PO file (monolingual)", base file ``en``) translates from.
A message with ``{fields}`` carries the ``python-brace-format`` flag, so that
Weblate checks a translation keeps the English placeholders. (GNU ``msgfmt
-c`` compares placeholders with the msgid, here the key, so it cannot be the
check: ``compile`` compares every language with English instead.)
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "autograder"
BRACE_FLAG = "python-brace-format"

HEADER = """# Student-facing messages of backprop-autograder, in {name}.
# Monolingual catalogue: each msgid is the key the code uses, each msgstr the
# text. Edit with a PO editor or Weblate (base language: en), then compile:
#     python -m autograder.i18n.compile
msgid ""
msgstr ""
"Project-Id-Version: backprop-autograder\\n"
"Language: {lang}\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"""


def po_path(lang: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return po_path(lang, locale_dir).with_suffix(".mo")


def languages_on_disk(locale_dir: Path = LOCALE_DIR) -> list[str]:
    """Every language with a ``.po`` file, sorted."""
    return sorted(p.parent.parent.name for p in locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def has_fields(text: str) -> bool:
    """Whether ``text`` is a ``str.format`` template with at least one field."""
    return any(name is not None for _, name, _, _ in string.Formatter().parse(text))


def entry(key: str, text: str) -> str:
    """One message as PO text: its flag, its key and its text (wrapped the way Babel wraps)."""
    from babel.messages.pofile import normalize

    flag = f"#, {BRACE_FLAG}\n" if has_fields(text) else ""
    return f"{flag}msgid {normalize(key)}\nmsgstr {normalize(text)}\n"


def new_file(lang: str, name: str) -> str:
    return HEADER.format(lang=lang, name=name)


def append(path: Path, messages: Iterable[tuple[str, str]], name: str) -> None:
    """Add ``(key, text)`` messages at the end of the catalogue ``path`` (made if missing)."""
    text = path.read_text(encoding="utf-8") if path.exists() else new_file(path.parts[-3], name)
    added = "".join("\n" + entry(key, message) for key, message in messages)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + added, encoding="utf-8")


def read(path: Path) -> dict[str, str]:
    """key -> text of one ``.po`` file (fuzzy and empty entries left out, as in a build)."""
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalog = read_po(handle, abort_invalid=True)
    found: dict[str, str] = {}
    for message in catalog:  # singular messages only: the catalogue has no plural forms
        key, text = message.id, message.string
        if isinstance(key, str) and isinstance(text, str) and key and text and not message.fuzzy:
            found[key] = text
    return found


ENTRY_KEY = re.compile(r'^msgid "(.*)"$', re.M)


def duplicates(path: Path) -> list[str]:
    """Keys given twice in one file (Babel would keep one silently; msgfmt refuses)."""
    keys = ENTRY_KEY.findall(path.read_text(encoding="utf-8"))
    return sorted({k for k in keys if k and keys.count(k) > 1})


def flags_by_key(path: Path) -> Mapping[str, set[str]]:
    """The ``#,`` flags of each entry, read from the text (Babel derives its own from the
    msgid, which here is a key without fields, and would drop them)."""
    found: dict[str, set[str]] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        key = ENTRY_KEY.search(block)
        if key and key.group(1):
            flags = [line[2:] for line in block.splitlines() if line.startswith("#,")]
            found[key.group(1)] = {f.strip() for line in flags for f in line.split(",")}
    return found
