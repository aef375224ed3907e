"""Every sentence a student reads, in English and Indonesian, from one catalogue.

Messages are produced in the grader's process while checks run, so the
language is chosen for a whole grading run (``with language("id"): ...``,
done by ``runner.grade_folder``) and each message is rendered when it is
raised: a report, its JSON and its pages are then all in one language, and
no message needs to be re-assembled later from stored fragments.

The catalogue is one dict, ``CATALOGUE``: message key -> {language: text},
with ``str.format`` fields. Its entries live in a few data modules by area
(checks, diagnosis, training, hints, places, pages, and those of an
assignment beyond backprop: neuron_checks, neuron_diagnosis) only to keep
each file readable; they are merged here, and a key defined twice is an
error at import time.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from autograder.i18n.checks import MESSAGES as CHECK_MESSAGES
from autograder.i18n.diagnosis import MESSAGES as DIAGNOSIS_MESSAGES
from autograder.i18n.hints import MESSAGES as HINT_MESSAGES
from autograder.i18n.integrity import MESSAGES as INTEGRITY_MESSAGES
from autograder.i18n.neuron_checks import MESSAGES as NEURON_CHECK_MESSAGES
from autograder.i18n.neuron_diagnosis import MESSAGES as NEURON_DIAGNOSIS_MESSAGES
from autograder.i18n.pages import MESSAGES as PAGE_MESSAGES
from autograder.i18n.places import MESSAGES as PLACE_MESSAGES
from autograder.i18n.training import MESSAGES as TRAINING_MESSAGES
from autograder.i18n.training_labels import MESSAGES as TRAINING_LABELS

LANGUAGES = ("en", "id")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "id": "Bahasa Indonesia"}

Catalogue = dict[str, dict[str, str]]


def merge(*parts: Catalogue) -> Catalogue:
    merged: Catalogue = {}
    for part in parts:
        clash = set(merged) & set(part)
        if clash:
            raise ValueError(f"message keys defined twice: {sorted(clash)}")
        merged.update(part)
    return merged


CATALOGUE: Catalogue = merge(
    CHECK_MESSAGES,
    INTEGRITY_MESSAGES,
    DIAGNOSIS_MESSAGES,
    TRAINING_MESSAGES,
    TRAINING_LABELS,
    HINT_MESSAGES,
    PLACE_MESSAGES,
    PAGE_MESSAGES,
    NEURON_CHECK_MESSAGES,
    NEURON_DIAGNOSIS_MESSAGES,
)

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
    return CATALOGUE[key][lang or current()].format(**fields)


def check_title(name: str, lang: str | None = None) -> str:
    """A check's name in ``lang``: names stay English as identifiers (grades.csv,
    results.json), and the catalogue gives each public check a translated title;
    a check without one (e.g. an instructor's hidden check) keeps its name."""
    key = f"check.{name}"
    return t(key, lang) if key in CATALOGUE else name


def incomplete(catalogue: Catalogue) -> list[str]:
    """Keys missing a language, with an empty text, or whose translations take other fields."""
    bad = []
    for key, entry in catalogue.items():
        texts = [entry.get(lang, "") for lang in LANGUAGES]
        if set(entry) != set(LANGUAGES) or not all(text.strip() for text in texts):
            bad.append(key)
        elif len({frozenset(fields_of(text)) for text in texts}) != 1:
            bad.append(key)
    return bad


def fields_of(text: str) -> set[str]:
    """The ``{field}`` names a template uses (to compare two translations)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
