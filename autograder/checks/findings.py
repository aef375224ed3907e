"""What a failed check tells the student, beside its verdict: where, and (hidden) what.

A public check's diagnosis names the mistake with the values that show it; the
engine adds where the mistake lies in the student's own code (``Place``), and
rewrites every ``xor.py, line 57`` of a notebook submission as the notebook
cell that holds it.

A hidden check shows no message and no diagnosis: both may quote hidden
inputs or reference values. It may show one sentence, chosen from the
catalogue by the mistake's key (``hint.<key>``), whose only placeholder is the
place, found by the engine in the student's own code. So a hidden check
decides *which* sentence (a key it cannot fill with data) and *which*
function to look in; the text a student reads is the catalogue's and the
student's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autograder.checks.places import Place, locate, rewrite
from autograder.core.errors import CheckFailed
from autograder.i18n import CATALOGUE, t


@dataclass(frozen=True)
class Findings:
    message: str
    diagnosis: str
    where: str
    hint: str


def hint_sentence(mistake: str, place: Place | None) -> str:
    """The hidden-safe sentence of ``mistake`` (``a+b`` gives both), placed; "" if none."""
    parts = [f"hint.{key}" for key in mistake.split("+") if key]
    if not parts or any(key not in CATALOGUE for key in parts):
        return ""
    text = "; ".join(t(key) for key in parts)
    if place is not None:
        text += t("hint.where", place=place.sentence(with_code=False))
    return text


def findings(
    failure: CheckFailed | None,
    message: str,
    hidden: bool,
    folder: Path,
    modules: tuple[str, ...] | list[str],
) -> Findings:
    """The student-facing parts of a failed check's result."""
    diagnosis = failure.diagnosis if failure is not None else ""
    mistake = failure.mistake if failure is not None else ""
    place = None
    if failure is not None and mistake and failure.function:
        place = locate(folder, failure.function, failure.variable)
    if hidden:
        return Findings(message, diagnosis, "", hint_sentence(mistake, place))
    where = place.sentence() if place is not None and diagnosis else ""
    return Findings(
        rewrite(message, folder, modules), rewrite(diagnosis, folder, modules), where, ""
    )
