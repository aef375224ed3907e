"""Grading beside the calibration: kept only where the calibration could not change it.

The rule (``provisional.within``) is tested on records of calls against
calibrated limits; the report's awaited data are filled in place, in the
order a report made after calibration has; and on the real sandbox a
student graded beside the calibration gets the report it gets after it,
whether the provisional run stands (a correct student) or a limit stopped
it (a trainer that never returns: graded again under the calibrated limits).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from adversarial_harness import read_reports

from autograder.checks.suite import FromReference
from autograder.core.results import PASSED, CheckResult, Report
from autograder.grading import cache
from autograder.grading.assignment import load_assignment
from autograder.grading.batch import grade_batch
from autograder.grading.calibration import Calibrating
from autograder.grading.config import BatchConfig
from autograder.grading.one import grade_one
from autograder.grading.provisional import (
    finished,
    grade_while_calibrating,
    provisional,
    settled,
    within,
)
from autograder.grading.runner import AwaitingReference, GradeOptions, resolve_data
from autograder.intake.submissions import Submission
from autograder.isolation.policy import FinishedCall, LimitRecord, TimeoutPolicy
from autograder.isolation.replies import ReplyPolicy
from autograder.isolation.sandbox import SandboxConfig
from autograder.isolation.watch import WALL_FACTOR, WALL_SLACK

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "backprop"
# Calibrated: the reference's train call took 0.04 s (limit 2.0 s), its reply 1000 bytes.
CALIBRATED = GradeOptions(
    timeouts=TimeoutPolicy(per_call={"train#1": 0.04}).with_budget(1.0),
    replies=ReplyPolicy(per_call={"train#1": 1000}),
)
LIMIT = 2.0
CAP = CALIBRATED.replies.cap("train#1")


def call(cpu: float = 0.05, wall: float = 0.06, size: int = 900, own: bool = False) -> FinishedCall:
    return FinishedCall("train#1", "xor.train_xor", cpu, wall, size, own)


@pytest.mark.parametrize(
    ("calls", "stopped", "stands"),
    [
        ([call()], False, True),
        ([], False, True),
        ([call()], True, False),  # a calibrated limit stopped a call: its verdict may differ
        ([call(cpu=LIMIT - 0.01)], False, True),
        ([call(cpu=LIMIT)], False, False),  # the calibrated watch stops a call at its limit
        ([call(wall=WALL_FACTOR * LIMIT + WALL_SLACK - 0.01)], False, True),
        ([call(wall=WALL_FACTOR * LIMIT + WALL_SLACK)], False, False),
        ([call(size=CAP)], False, True),
        ([call(size=CAP + 1)], False, False),
        ([call(cpu=9.0, wall=9.0, own=True)], False, True),  # a cost check's own limit
        ([call(own=True, size=CAP + 1)], False, False),  # its reply is capped still
        ([call(), call(cpu=5.0)], False, False),
    ],
)
def test_a_provisional_run_stands_only_within_the_calibrated_limits(
    calls: list[FinishedCall], stopped: bool, stands: bool
) -> None:
    assert within(LimitRecord(calls, stopped), CALIBRATED) is stands


def test_a_call_the_reference_never_made_is_judged_by_the_per_function_figure() -> None:
    calibrated = replace(
        CALIBRATED, timeouts=replace(CALIBRATED.timeouts, per_function={"xor.train_xor": 0.1})
    )
    other = FinishedCall("train#2", "xor.train_xor", 4.9, 5.0, 10)
    assert within(LimitRecord([other]), calibrated)  # limit 50 x 0.1 s
    assert not within(LimitRecord([other._replace(cpu=5.0)]), calibrated)


def result_with(data: dict[str, Any]) -> CheckResult:
    return CheckResult("curve check", "trainer", 1.0, 1.0, PASSED, data=data)


def test_awaited_data_are_filled_in_place_in_the_order_of_a_calibrated_report() -> None:
    data = {
        "first": 1,
        "expected": FromReference("losses", lambda: pytest.fail("never computed")),
        "drawn": lambda: [3.0],
        "last": 4,
    }
    reference = {"curve check": {"losses": [1.0, 0.5]}}
    calibrated = replace(CALIBRATED, reference_data=reference)
    at_once = resolve_data(result_with(data), True, reference["curve check"])
    early = resolve_data(result_with(data), True, None, awaiting=True)
    assert early.data["expected"] == AwaitingReference("losses")
    report = settled(Report("backprop", (early,)), calibrated)
    assert report is not None
    assert list(report.results[0].data.items()) == list(at_once.data.items())


def test_a_datum_the_reference_did_not_record_means_grading_again() -> None:
    early = result_with({"expected": AwaitingReference("losses")})
    assert settled(Report("backprop", (early,)), CALIBRATED) is None
    record = LimitRecord([call()])
    assert finished((Report("backprop", ()), "a grader error"), record, CALIBRATED) is None


def test_provisional_options_keep_the_budget_at_its_floor() -> None:
    options = provisional(GradeOptions())
    assert options.provisional and options.timeouts.budget == options.timeouts.budget_floor
    assert options.timeouts.per_call == {} and options.reference_data is None


# -- on the real sandbox ---------------------------------------------------------------
def student(tmp_path: Path, edit: tuple[str, str] | None = None) -> Submission:
    folder = tmp_path / "alice"
    folder.mkdir()
    for name in ("layers.py", "xor.py"):
        shutil.copy(SOLUTION / name, folder / name)
    if edit:
        path = folder / "xor.py"
        assert edit[0] in path.read_text()
        path.write_text(path.read_text().replace(*edit))
    return Submission("alice", folder)


def comparable(report: Report) -> dict[str, Any]:
    document = report.to_dict()
    document.pop("seconds")
    document.pop("timing", None)
    return document


def test_a_correct_student_graded_beside_the_calibration_keeps_that_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    assignment, options = load_assignment(SOLUTION), GradeOptions(sandbox=SandboxConfig("auto"))
    submission = student(tmp_path)
    record = LimitRecord()
    early = grade_one(submission, assignment, provisional(options), 1, limits=record)
    assert any(isinstance(v, AwaitingReference) for r in early[0].results for v in r.data.values())
    calibrated = Calibrating(assignment, options)()
    after, error = grade_one(submission, assignment, calibrated, 0)
    kept = finished(early, record, calibrated)
    assert error == "" and kept is not None and comparable(kept) == comparable(after)
    shutil.rmtree(tmp_path / "cache")  # not calibrated yet: graded beside the calibration
    beside, error = grade_while_calibrating(
        submission, assignment, Calibrating(assignment, options)
    )
    assert error == "" and comparable(beside) == comparable(after)


def test_a_student_a_limit_stopped_beside_the_calibration_is_graded_again_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    assignment, options = load_assignment(SOLUTION), GradeOptions(sandbox=SandboxConfig("auto"))
    submission = student(tmp_path, ("for _ in range(epochs):", "while True:"))
    calibration = Calibrating(assignment, options)
    beside, error = grade_while_calibrating(submission, assignment, calibration)
    after, _ = grade_one(submission, assignment, calibration(), 0)  # the same calibration
    assert error == "" and comparable(beside) == comparable(after)
    # The discarded run's processes count in the student's CPU (a class's floor).
    assert beside.timing["student_cpu"] > after.timing["student_cpu"] + 1.0
    stopped = [c for c in after.results if "CPU time" in c.message]
    assert stopped and all(not c.passed for c in stopped)


def test_a_provisional_run_a_limit_stopped_runs_nothing_more_of_the_student(
    tmp_path: Path,
) -> None:
    # It is graded again whatever follows: an endless trainer spent a floor's CPU on
    # every trainer it was called as (its own, on each set of trusted layers) for nothing.
    assignment, options = load_assignment(SOLUTION), GradeOptions(sandbox=SandboxConfig("auto"))
    submission = student(tmp_path, ("for _ in range(epochs):", "while True:"))
    record, early = LimitRecord(), provisional(options)
    report, error = grade_one(submission, assignment, early, 1, limits=record)
    assert error == "" and record.stopped
    stops = [r for r in report.results if "CPU time" in r.message]
    # One floor's worth and the start (1.1 s here), against 2.2 s when it ran on.
    assert len(stops) > 2 and report.timing["student_cpu"] < 1.6 * early.timeouts.floor


def test_a_batch_graded_beside_its_calibration_writes_what_a_calibrated_one_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pool: with cores to spare (4, as far as the batch knows), each of its two
    processes grades a student while the batch calibrates, one kept and one stopped
    and graded again (its discarded run's CPU counted); a second run, calibrated
    from the cache at once, writes the same verdicts and the same messages."""
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    submissions = tmp_path / "class"
    submissions.mkdir()
    student(submissions)
    endless = student(tmp_path, ("for _ in range(epochs):", "while True:"))
    shutil.copytree(endless.path, submissions / "bob")
    config = BatchConfig(SOLUTION, GradeOptions(sandbox=SandboxConfig("auto")), jobs=2)
    grade_batch(submissions, tmp_path / "cold", config)
    assert (tmp_path / "cache").exists()
    grade_batch(submissions, tmp_path / "warm", config)
    first, second = read_reports(tmp_path / "cold"), read_reports(tmp_path / "warm")
    assert sorted(first) == ["alice", "bob"]
    for name in first:
        first[name].pop("seconds"), second[name].pop("seconds")
    assert first == second
    assert first["alice"]["score"] == 47 and first["bob"]["status"] == "timeout"
    cpu = [
        json.loads((tmp_path / run / "timings.json").read_text())["students"]["bob"]["student_cpu"]
        for run in ("cold", "warm")
    ]
    assert cpu[0] > cpu[1] + 1.0  # the discarded run's at least the floor, counted


def test_a_student_graded_again_after_the_calibration_is_graded_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not after the whole class: the first student, stopped beside the calibration,
    was queued last and graded alone at the end. A regrade's longest-first order
    starts with that student, but grades its quickest beside the calibration."""
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # -j 1 leaves a core to grade beside
    submissions = tmp_path / "class"
    endless = student(tmp_path, ("for _ in range(epochs):", "while True:"))
    shutil.copytree(endless.path, submissions / "a-endless")
    for name in ("b", "c", "d", "e"):
        (tmp_path / name).mkdir()
        shutil.copytree(student(tmp_path / name).path, submissions / name)
    config = BatchConfig(SOLUTION, GradeOptions(sandbox=SandboxConfig("auto")), jobs=1)
    grade_batch(submissions, tmp_path / "out", config)
    first = json.loads((tmp_path / "out" / "timings.json").read_text())["students"]
    order = sorted(first, key=lambda name: first[name]["done_at"])
    assert order.index("a-endless") <= 2, order
    # A regrade (new checks: calibrated anew) grades its quickest student beside the
    # calibration, not the slowest its order starts with: nothing of it is thrown away.
    # A discarded run counts in student_cpu, not in the budget of the run that stood
    # (each at least a floor's worth, 1 s, for this trainer): compared within a run,
    # whatever the two calibrations' limits.
    shutil.rmtree(tmp_path / "cache")
    grade_batch(submissions, tmp_path / "out", replace(config, force=True))
    again = json.loads((tmp_path / "out" / "timings.json").read_text())["students"]
    thrown_away = {
        run: timings["a-endless"]["student_cpu"] - timings["a-endless"]["student_budget"]
        for run, timings in (("first", first), ("again", again))
    }
    assert thrown_away["first"] > 0.5 and thrown_away["again"] < 0.5, thrown_away
