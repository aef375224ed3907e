"""The gettext catalogues: the ``.po`` sources are sound, the committed ``.mo`` are theirs.

The grader reads only the compiled ``.mo`` files (stdlib ``gettext``), so a
``.po`` edited without recompiling would silently not reach students: the
stale check below is what makes CI fail on it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder.i18n import CATALOGUE, LANGUAGES, NAME_KEY, compiled_languages, load, t
from autograder.i18n.compile import compiled, main, problems, stale
from autograder.i18n.convert import convert
from autograder.i18n.pofiles import LOCALE_DIR, append, mo_path, po_path, read


@pytest.fixture
def locale(tmp_path: Path) -> Path:
    """A copy of the real catalogues to break."""
    shutil.copytree(LOCALE_DIR, tmp_path / "locale")
    return tmp_path / "locale"


def test_the_catalogues_have_no_problem() -> None:
    assert problems() == []


def test_the_committed_mo_files_are_what_the_po_files_compile_to() -> None:
    assert stale() == []


def test_the_grader_reads_every_message_of_every_po_file() -> None:
    assert LANGUAGES == ("en", "id")
    for lang in LANGUAGES:
        texts = read(po_path(lang))
        assert len(texts) > 400
        assert {key: CATALOGUE[key][lang] for key in texts} == texts


def test_each_catalogue_names_its_language() -> None:
    assert t(NAME_KEY, "id") == "Bahasa Indonesia" and t(NAME_KEY, "en") == "English"


def test_an_edited_po_makes_its_mo_stale(locale: Path) -> None:
    po = po_path("id", locale)
    po.write_text(po.read_text().replace("Bahasa Indonesia", "Indonesia"), encoding="utf-8")
    assert stale(locale) == [mo_path("id", locale)]
    assert main(["--locale", str(locale), "--check"]) == 1
    assert main(["--locale", str(locale)]) == 0
    assert stale(locale) == []
    assert load(("id",), locale)[NAME_KEY]["id"] == "Indonesia"


@pytest.mark.parametrize(
    ("broken", "said"),
    [
        ('msgstr "Kemungkinan penyebab: {diagnosis}"', "with other fields"),  # field renamed
        ('msgid "report.likely_cause"', "missing"),  # the key gone from one language
    ],
)
def test_a_broken_translation_is_refused_and_nothing_written(
    locale: Path, broken: str, said: str
) -> None:
    po = po_path("id", locale)
    text = po.read_text(encoding="utf-8")
    assert broken in text
    replacement = broken.replace("{diagnosis}", "{sebab}").replace("likely_cause", "other_key")
    po.write_text(text.replace(broken, replacement), encoding="utf-8")
    before = mo_path("id", locale).read_bytes()
    assert any(said in line and "report.likely_cause" in line for line in problems(locale))
    assert main(["--locale", str(locale)]) == 1
    assert mo_path("id", locale).read_bytes() == before


def test_a_key_given_twice_or_a_missing_format_flag_is_refused(locale: Path) -> None:
    po = po_path("en", locale)
    with po.open("a", encoding="utf-8") as handle:
        handle.write('\nmsgid "language.name"\nmsgstr "again"\n')
        handle.write('\nmsgid "extra.key"\nmsgstr "{x} without its flag"\n')
    found = "\n".join(problems(locale))
    assert "language.name is given twice" in found
    assert "extra.key needs the python-brace-format flag" in found


def test_a_new_language_is_a_po_file_compiled(locale: Path) -> None:
    french = {key: text for key, text in read(po_path("en", locale)).items()}
    french[NAME_KEY] = "Français"
    append(po_path("fr", locale), french.items(), "Français")
    assert problems(locale) == []
    assert main(["--locale", str(locale)]) == 0
    assert compiled_languages(locale) == ("en", "fr", "id")
    assert load(("fr",), locale)[NAME_KEY]["fr"] == "Français"


def test_convert_appends_a_dict_of_messages_and_never_overwrites(locale: Path) -> None:
    added = {"late.fix": {"en": "{n} late", "id": "{n} terlambat"}}
    assert len(convert(added, locale_dir=locale)) == 2
    assert problems(locale) == [] and main(["--locale", str(locale)]) == 0
    assert load(("en", "id"), locale)["late.fix"] == added["late.fix"]
    with pytest.raises(SystemExit, match="already in the catalogue"):
        convert(added, locale_dir=locale)


def test_compiling_is_reproducible() -> None:
    """No date or tool version in the .mo: the same .po gives the same bytes anywhere."""
    assert compiled(po_path("en")) == compiled(po_path("en")) == mo_path("en").read_bytes()


def test_without_compiled_catalogues_t_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An install without its package data: a sentence saying what to do, not a KeyError."""
    import autograder.i18n as i18n

    monkeypatch.setattr(i18n, "CATALOGUE", load((), LOCALE_DIR))
    with pytest.raises(LookupError, match=r"no compiled message catalogue \(autograder\.mo\)"):
        t("report.likely_cause", "en", diagnosis="x")
