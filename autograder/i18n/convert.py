"""`python -m autograder.i18n.convert MODULE VARIABLE`: a dict of messages into the ``.po`` files.

The catalogue was Python dicts before it was gettext's; this turned them
into the ``.po`` files, and it still turns one, e.g. a late fix that added
messages the old way::

    python -m autograder.i18n.convert path/to/fix.py MESSAGES
    python -m autograder.i18n.compile

``VARIABLE`` of ``MODULE`` (a dotted module name or a ``.py`` file) maps each
key to ``{"en": ..., "id": ...}``, or to a tuple of texts in the order of
``--order`` (``hints`` held ``(english, indonesian)`` pairs); ``--prefix`` is
put before each key (``--prefix hint.`` for such a dict of bare mistake
keys). The messages are appended to each language's catalogue, in the
dict's order; a key a catalogue already has is refused, never overwritten.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from autograder.i18n.pofiles import LOCALE_DIR, append, languages_on_disk, po_path, read

DEFAULT_ORDER = ("en", "id")
NAMES = {"en": "English", "id": "Bahasa Indonesia"}


def load_variable(module: str, variable: str) -> Any:
    """``variable`` of a module given by dotted name or by the path of its file."""
    if module.endswith(".py"):
        spec = importlib.util.spec_from_file_location(Path(module).stem, module)
        if spec is None or spec.loader is None:
            raise SystemExit(f"cannot load {module}")
        loaded = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(loaded)
    else:
        loaded = importlib.import_module(module)
    return getattr(loaded, variable)


def by_language(
    messages: Mapping[str, Any], prefix: str = "", order: tuple[str, ...] = DEFAULT_ORDER
) -> dict[str, dict[str, str]]:
    """language -> {key: text}, from a dict of ``{lang: text}`` entries or of tuples."""
    found: dict[str, dict[str, str]] = {}
    for key, texts in messages.items():
        entry = dict(texts) if isinstance(texts, Mapping) else dict(zip(order, texts, strict=True))
        for lang, text in entry.items():
            found.setdefault(lang, {})[prefix + key] = text
    return found


def convert(
    messages: Mapping[str, Any],
    prefix: str = "",
    order: tuple[str, ...] = DEFAULT_ORDER,
    locale_dir: Path = LOCALE_DIR,
) -> list[Path]:
    """Append ``messages`` to every language's ``.po``; return the files written."""
    texts = by_language(messages, prefix, order)
    for lang in languages_on_disk(locale_dir):
        texts.setdefault(lang, {})  # a language the dict lacks: compile will say which keys
    clashes = []
    for lang in texts:
        path = po_path(lang, locale_dir)
        existing = read(path) if path.exists() else {}
        clashes += [f"{path}: {key}" for key in texts[lang] if key in existing]
    if clashes:
        raise SystemExit(
            "keys already in the catalogue (edit the .po instead):\n" + "\n".join(clashes)
        )
    written = []
    for lang, entries in texts.items():
        if entries:
            path = po_path(lang, locale_dir)
            append(path, entries.items(), NAMES.get(lang, lang))
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.i18n.convert", description=__doc__)
    parser.add_argument("module", help="dotted module name, or the path of a .py file")
    parser.add_argument("variable", help="the dict's name in that module")
    parser.add_argument("--prefix", default="", help="put before every key (e.g. hint.)")
    parser.add_argument("--order", default=",".join(DEFAULT_ORDER), help="languages of tuples")
    parser.add_argument("--locale", type=Path, default=LOCALE_DIR, help="the locale folder")
    args = parser.parse_args(argv)
    messages = load_variable(args.module, args.variable)
    order = tuple(args.order.split(","))
    for path in convert(messages, args.prefix, order, args.locale):
        print(path)
    print("now run: python -m autograder.i18n.compile", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
