"""What the class got wrong: numbers for the instructor's summary page and summary.json.

Computed from what the batch wrote (each student's report.json and grades
row), so a resumed batch summarises every student, graded now or before.
A check that most of the class fails is flagged: when most students miss
the same check, the check's tolerance or wording is the likelier culprit.
Only a check's own failures count: a result scored 0 of 0 (not applicable,
because another component it runs failed; see checks/gates.py) is neither
a pass nor a failure of that check.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

FLAG_BELOW = 0.5  # a pass rate under this flags the check
PROBLEM_STATUSES = ("error", "timeout", "grader-error")
NOT_GRADED = ("grader-error", "missing")  # no score of the student's: out of every number
# Diagnoses that name no mistake (only how far off the answer is): not counted.
NOT_A_MISTAKE = frozenset({"unmatched", "trainer_unmatched", "shapes_clash", "lr_or_factor"})


@dataclass(frozen=True)
class StudentDigest:
    """One student, as the class summary needs them."""

    student: str
    total: float
    status: str
    passed: Mapping[str, bool]  # applicable checks only
    mistakes: frozenset[tuple[str, str]] = frozenset()  # (component, mistake key)


@dataclass(frozen=True)
class MistakeCount:
    component: str
    mistake: str
    students: int


@dataclass(frozen=True)
class ClassAnalytics:
    graded: int
    max_score: float
    histogram: tuple[tuple[float, int], ...]  # (total score, students), ascending
    pass_rate: Mapping[str, float]
    flagged: tuple[str, ...]
    mistakes: tuple[MistakeCount, ...]  # most common first
    problems: tuple[tuple[str, str], ...]  # (student, status)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "histogram": [{"score": s, "students": n} for s, n in self.histogram],
            "check_pass_rate": dict(self.pass_rate),
            "flagged_checks": list(self.flagged),
            "common_mistakes": [
                {"component": m.component, "mistake": m.mistake, "students": m.students}
                for m in self.mistakes
            ],
            "problem_submissions": [{"student": s, "status": st} for s, st in self.problems],
        }


def digest(student: str, status: str, document: Mapping[str, Any]) -> StudentDigest:
    """A student from their report.json document (as Report.to_dict() wrote it)."""
    checks = document.get("checks", [])
    return StudentDigest(
        student=student,
        total=float(document.get("score", 0.0)),
        status=status,
        passed={c["name"]: c.get("status") == "passed" for c in checks if c.get("max_points") != 0},
        mistakes=frozenset(
            (c.get("component", ""), c["mistake"])
            for c in checks
            if c.get("mistake") not in (None, "", *NOT_A_MISTAKE) and c.get("status") != "passed"
        ),
    )


def analyse(
    students: Iterable[StudentDigest], check_names: Iterable[str], max_score: float
) -> ClassAnalytics:
    everyone = list(students)
    graded = [s for s in everyone if s.status not in NOT_GRADED]
    names = list(check_names)
    pass_rate = {name: own_pass_rate(name, graded) for name in names}
    mistakes = Counter(m for s in graded for m in s.mistakes)
    ranked = sorted(mistakes.items(), key=lambda item: (-item[1], item[0]))
    return ClassAnalytics(
        graded=len(graded),
        max_score=max_score,
        histogram=tuple(sorted(Counter(s.total for s in graded).items())),
        pass_rate=pass_rate,
        flagged=tuple(
            n for n in names if any(n in s.passed for s in graded) and pass_rate[n] < FLAG_BELOW
        ),
        mistakes=tuple(MistakeCount(c, m, n) for (c, m), n in ranked),
        problems=tuple((s.student, s.status) for s in everyone if s.status in PROBLEM_STATUSES),
    )


def own_pass_rate(name: str, graded: list[StudentDigest]) -> float:
    """Passes over the students for whom ``name`` was applicable (0.0 when none was)."""
    applicable = [s.passed[name] for s in graded if name in s.passed]
    return sum(applicable) / len(applicable) if applicable else 0.0
