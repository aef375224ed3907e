"""Every sentence a student reads, in English and Indonesian, from one catalogue.

Messages are produced in the grader's process while checks run, so the
language is chosen for a whole grading run (``with language("id"): ...``,
done by ``runner.grade_folder``) and each message is rendered when it is
raised: a report, its JSON and its pages are then all in one language, and
no message needs to be re-assembled later from stored fragments.

The catalogue is gettext's: one ``locale/<lang>/LC_MESSAGES/autograder.po``
per language, whose msgids are the message keys the code uses (the analytics
count mistakes by key) and whose texts are ``str.format`` templates. They are
compiled into the ``.mo`` files beside them (``python -m
autograder.i18n.compile``, see ``pofiles``), which are all the grader reads,
with the standard library's ``gettext``: a language is available when its
``.mo`` is there, so adding one is adding a ``.po`` file and compiling it.
``CATALOGUE`` holds them as message key -> {language: text}.
"""

from __future__ import annotations

import gettext
import string
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "autograder"
DEFAULT_LANGUAGE = "en"
NAME_KEY = "language.name"  # each catalogue names its own language

Catalogue = dict[str, dict[str, str]]


class _Messages(gettext.GNUTranslations):
    """A compiled catalogue that can also list its messages (``messages``).

    ``GNUTranslations`` keeps the messages it parsed in the dict ``_catalog``
    (as it has since Python 2) but offers no public way to list them, and
    ``check_title`` and the completeness checks need the keys.
    """

    def messages(self) -> dict[str, str]:
        catalog: dict[str, str] = self._catalog  # type: ignore[attr-defined]
        return {key: text for key, text in catalog.items() if key}  # "" is the header


def compiled_languages(locale_dir: Path = LOCALE_DIR) -> tuple[str, ...]:
    """Every language with a compiled catalogue, the default first."""
    found = {p.parent.parent.name for p in locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")}
    return tuple(sorted(found, key=lambda lang: (lang != DEFAULT_LANGUAGE, lang)))


def load(languages: tuple[str, ...], locale_dir: Path = LOCALE_DIR) -> Catalogue:
    """key -> {language: text}, from each language's ``.mo`` file."""
    catalogue: Catalogue = {}
    for lang in languages:
        found = gettext.translation(DOMAIN, locale_dir, [lang], class_=_Messages)
        assert isinstance(found, _Messages)
        for key, text in found.messages().items():
            catalogue.setdefault(key, {})[lang] = text
    return catalogue


LANGUAGES = compiled_languages()
CATALOGUE: Catalogue = load(LANGUAGES)
LANGUAGE_NAMES = {lang: CATALOGUE.get(NAME_KEY, {}).get(lang, lang) for lang in LANGUAGES}

_current: ContextVar[str] = ContextVar("autograder_language", default=DEFAULT_LANGUAGE)


class UnknownLanguage(ValueError):
    """A language the catalogue does not have."""


def checked(lang: str) -> str:
    if lang not in LANGUAGES:
        raise UnknownLanguage(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    return lang


def current() -> str:
    """The language of the grading run in progress (English outside any)."""
    return _current.get()


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Render every message inside the block in ``lang``."""
    token = _current.set(checked(lang))
    try:
        yield
    finally:
        _current.reset(token)


def t(key: str, lang: str | None = None, **fields: object) -> str:
    """The message ``key`` in ``lang`` (default: the current language), filled in."""
    try:
        text = CATALOGUE[key][lang or current()]
    except KeyError:
        if not CATALOGUE:  # an install that lost its package data: say so, not KeyError
            raise LookupError(
                f"no compiled message catalogue ({DOMAIN}.mo) under {LOCALE_DIR}: "
                "reinstall the package, or run python -m autograder.i18n.compile"
            ) from None
        raise
    return text.format(**fields)


def check_title(name: str, lang: str | None = None) -> str:
    """A check's name in ``lang``: names stay English as identifiers (grades.csv,
    results.json), and the catalogue gives each public check a translated title;
    a check without one (e.g. an instructor's hidden check) keeps its name."""
    key = f"check.{name}"
    return t(key, lang) if key in CATALOGUE else name


def incomplete(catalogue: Catalogue, languages: tuple[str, ...] | None = None) -> list[str]:
    """Keys missing a language, with an empty text, or whose translations take other fields."""
    bad = []
    languages = LANGUAGES if languages is None else languages
    for key, entry in catalogue.items():
        texts = [entry.get(lang, "") for lang in languages]
        if set(entry) != set(languages) or not all(text.strip() for text in texts):
            bad.append(key)
        elif len({frozenset(fields_of(text)) for text in texts}) != 1:
            bad.append(key)
    return bad


def fields_of(text: str) -> set[str]:
    """The ``{field}`` names a template uses (to compare two translations)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
