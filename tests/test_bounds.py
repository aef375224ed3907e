"""Every report fits in 1 MB: the largest student-controlled parts are cut first."""

from __future__ import annotations

import json

from autograder.core.results import FAILED, PASSED, CheckResult, Report
from autograder.grading.bounds import DROPPED, MAX_FILE_BYTES, bounded, report_bytes
from autograder.reports.gradescope import results_json


def result(name: str, **fields: object) -> CheckResult:
    status = fields.pop("status", FAILED)
    return CheckResult(name, "train_xor", 0.0, 1.0, str(status), **fields)  # type: ignore[arg-type]


def test_a_small_report_is_left_as_it_is() -> None:
    report = Report("backprop", (result("a", message="wrong", data={"losses": [0.5, 0.4]}),))
    assert bounded(report) == report and bounded(report).results[0].data == {"losses": [0.5, 0.4]}


def test_huge_data_output_and_messages_are_cut_to_fit() -> None:
    curve = [float(i) for i in range(100_000)]  # ~1.5 MB of JSON
    results = (
        result("curve", status=PASSED, data={"losses": curve, "expected": [0.0]}),
        result("printed", output="x" * (2 << 20)),
        result("raised", message="m" * (1 << 20), diagnosis="d" * 1000),
        result("small", message="a short message"),
    )
    report = Report("backprop", results)
    assert report_bytes(report) > 4 * MAX_FILE_BYTES
    cut = bounded(report)
    assert report_bytes(cut) < MAX_FILE_BYTES
    assert len(json.dumps(cut.to_dict(), indent=2)) < MAX_FILE_BYTES
    assert len(json.dumps(results_json(cut), indent=2)) < MAX_FILE_BYTES
    by_name = {r.name: r for r in cut.results}
    assert "losses" not in by_name["curve"].data and by_name["curve"].data["expected"] == [0.0]
    assert by_name["small"].message == "a short message"
    assert by_name["raised"].diagnosis == "d" * 1000
    assert by_name["printed"].output.endswith("under 1 MB]")
    assert DROPPED in cut.notes and cut.score == report.score
