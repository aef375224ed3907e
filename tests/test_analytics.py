"""Class analytics: histogram, pass rates, flags, common mistakes, problem submissions."""

from __future__ import annotations

from autograder.reports.analytics import StudentDigest, analyse, digest

CHECKS = ("A", "B", "C")


def student(name: str, total: float, status: str, passed: str, *mistakes: str) -> StudentDigest:
    return StudentDigest(
        name,
        total,
        status,
        {c: c in passed for c in CHECKS},
        frozenset(("AffineLayer", m) for m in mistakes),
    )


CLASS = [
    student("s1", 3, "ok", "ABC"),
    student("s2", 1, "ok", "A", "transposed", "sign"),
    student("s3", 1, "ok", "A", "transposed"),
    student("s4", 0, "timeout", ""),
    student("s5", 0, "grader-error", ""),
]


def test_histogram_pass_rates_and_flags_count_graded_students_only() -> None:
    result = analyse(CLASS, CHECKS, 3.0)
    assert result.graded == 4
    assert result.histogram == ((0, 1), (1, 2), (3, 1))
    assert result.pass_rate == {"A": 0.75, "B": 0.25, "C": 0.25}
    assert result.flagged == ("B", "C")


def test_mistakes_counted_once_per_student_most_common_first() -> None:
    result = analyse(CLASS, CHECKS, 3.0)
    assert [(m.mistake, m.students) for m in result.mistakes] == [("transposed", 2), ("sign", 1)]


def test_problem_submissions_are_listed_with_their_status() -> None:
    assert analyse(CLASS, CHECKS, 3.0).problems == (("s4", "timeout"), ("s5", "grader-error"))


def test_digest_reads_report_json_and_skips_non_mistakes() -> None:
    document = {
        "score": 2.0,
        "checks": [
            {"name": "A", "component": "AffineLayer", "status": "failed", "mistake": "transposed"},
            {"name": "B", "component": "AffineLayer", "status": "failed", "mistake": "transposed"},
            {"name": "C", "component": "train_xor", "status": "failed", "mistake": "unmatched"},
            {"name": "D", "component": "train_xor", "status": "passed", "mistake": ""},
        ],
    }
    one = digest("s", "ok", document)
    assert one.mistakes == frozenset({("AffineLayer", "transposed")})
    assert one.passed == {"A": False, "B": False, "C": False, "D": True}


def test_to_dict_is_plain_json() -> None:
    as_dict = analyse(CLASS, CHECKS, 3.0).to_dict()
    assert as_dict["flagged_checks"] == ["B", "C"]
    assert as_dict["common_mistakes"][0] == {
        "component": "AffineLayer",
        "mistake": "transposed",
        "students": 2,
    }
    assert as_dict["problem_submissions"][0] == {"student": "s4", "status": "timeout"}


def test_a_check_not_applicable_to_a_student_is_neither_pass_nor_failure() -> None:
    """Scored 0 of 0 (a layer failed under the trainer): not the trainer check's failure."""
    document = {
        "score": 1.0,
        "checks": [
            {"name": "A", "component": "AffineLayer", "status": "failed", "max_points": 2},
            {"name": "T", "component": "train_xor", "status": "failed", "max_points": 0},
        ],
    }
    gated = digest("s", "ok", document)
    assert gated.passed == {"A": False}
    fine = StudentDigest("f", 3, "ok", {"A": True, "T": True})
    result = analyse([gated, gated, fine], ("A", "T"), 3.0)
    assert result.pass_rate == {"A": 1 / 3, "T": 1.0}
    assert result.flagged == ("A",)
