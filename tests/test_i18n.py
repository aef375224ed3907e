"""The message catalogue: complete in every language, used everywhere, English unchanged."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

from autograder.core.errors import StudentException, StudentTimeout
from autograder.grading.assignment import Assignment
from autograder.i18n import (
    CATALOGUE,
    UnknownLanguage,
    check_title,
    current,
    incomplete,
    language,
    t,
)

# Every literal key passed to t(...), in the engine and the public checks.
KEY_USE = re.compile(r"""\bt\(\s*f?["']([\w.]+)["']""")
SOURCES = sorted(REPO.glob("autograder/**/*.py")) + [REPO / "solutions/backprop/public_checks.py"]
SOURCES += [REPO / "solutions/neuron/public_checks.py", REPO / "solutions/neuron/hidden_checks.py"]


def test_every_key_exists_in_every_language_with_the_same_fields() -> None:
    assert incomplete(CATALOGUE) == []


@pytest.mark.parametrize(
    "entry",
    [
        {"en": "only English"},
        {"en": "both", "id": ""},
        {"en": "{name} is wrong", "id": "{nama} salah"},
        {"en": "x", "id": "y", "fr": "z"},
    ],
)
def test_an_entry_missing_a_language_or_a_field_is_caught(entry: dict[str, str]) -> None:
    assert incomplete({"planted": entry, "fine": {"en": "a {x}", "id": "b {x}"}}) == ["planted"]


def used_keys() -> list[tuple[str, str]]:
    found = []
    for path in SOURCES:
        for key in KEY_USE.findall(path.read_text(encoding="utf-8")):
            found.append((path.name, key))
    return found


def test_sources_use_the_catalogue() -> None:
    assert len(used_keys()) > 60


@pytest.mark.parametrize(("source", "key"), used_keys())
def test_every_key_the_code_uses_is_in_the_catalogue(source: str, key: str) -> None:
    if key.endswith("."):  # a prefix completed at run time: some key must start with it
        assert any(k.startswith(key) for k in CATALOGUE), (source, key)
    else:
        assert key in CATALOGUE, (source, key)


SENTENCE_PIECES = ("how", "swap_how", "same_for")  # parts of other sentences, not mistakes
DIAGNOSED = sorted(k[len("diag.") :] for k in CATALOGUE if k.startswith("diag."))


@pytest.mark.parametrize("key", [k for k in DIAGNOSED if k not in SENTENCE_PIECES])
def test_every_diagnosed_mistake_has_a_sentence_and_a_label(key: str) -> None:
    assert f"mistake.{key}" in CATALOGUE


def test_every_public_check_has_a_title_in_every_language(public_assignment: Assignment) -> None:
    for check in public_assignment.public.checks:
        assert check_title(check.name, "en") == check.name
        assert check_title(check.name, "id") != check.name, check.name


def test_english_is_the_default_and_word_for_word() -> None:
    assert current() == "en"
    error = StudentException("layers.AffineLayer.backward", "NotImplementedError", "", "")
    assert (
        error.message
        == "AffineLayer.backward is not implemented yet (it raises NotImplementedError)"
    )
    assert StudentTimeout("xor.train_xor", 2.0).message == (
        "train_xor did not return within 2.0 s (an infinite loop, or far too much work?); "
        "it was stopped"
    )


def test_language_block_renders_indonesian_then_restores_english() -> None:
    with language("id"):
        assert current() == "id"
        message = StudentException("layers.AffineLayer.backward", "NotImplementedError", "", "")
        assert message.message.startswith("AffineLayer.backward belum diimplementasikan")
    assert current() == "en"
    assert t("report.likely_cause", "id", diagnosis="x") == "Kemungkinan penyebab: x"


def test_an_unknown_language_is_refused_with_the_choices() -> None:
    with pytest.raises(UnknownLanguage, match="en, id"), language("fr"):
        pass


def test_a_check_without_a_title_keeps_its_name() -> None:
    assert check_title("hidden: something new", "id") == "hidden: something new"
