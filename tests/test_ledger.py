"""A submission's budget spans its attempts: a retry starts from what the earlier ones spent.

Graded for real (isolation none: the session logic is the same at every
level) with a small budget: the napping submission spends it all in its
first attempt; its retry, reading the same ledger, runs nothing and fails
every check at once with the budget's message. (The Dask scheduler's
ledger is tested across two real workers in test_cluster.py.)
"""

from __future__ import annotations

import time
from pathlib import Path

from adversarial_harness import ADVERSARIAL, SOLUTION, copy_submission

from autograder.grading.assignment import load_assignment
from autograder.grading.ledger import FileLedger, Recorder
from autograder.grading.one import grade_one
from autograder.grading.runner import GradeOptions
from autograder.intake.submissions import Submission
from autograder.isolation.sandbox import SandboxConfig
from autograder.isolation.session import TimeoutPolicy

BUDGET = 1.5


def test_a_file_ledger_keeps_the_largest_spending_per_submission(tmp_path: Path) -> None:
    ledger = FileLedger(str(tmp_path))
    assert ledger.spent("alice") == 0.0
    record = Recorder(ledger, "alice")
    record(0.1)  # below one step: not written yet
    assert ledger.spent("alice") == 0.0
    record(1.5)
    assert ledger.spent("alice") == 1.5 and ledger.spent("bob") == 0.0
    assert Recorder(ledger, "alice").spent_before == 1.5


def test_a_retry_starts_from_what_the_earlier_attempt_spent(tmp_path: Path) -> None:
    assignment = load_assignment(SOLUTION)
    folder = copy_submission(ADVERSARIAL / "naps_everywhere", tmp_path / "naps")
    folder.chmod(0o755)
    ledger = FileLedger(str(tmp_path / "ledger"))
    (tmp_path / "ledger").mkdir()
    timeouts = TimeoutPolicy(floor=1.0, budget=BUDGET)
    options = GradeOptions(sandbox=SandboxConfig("none"), timeouts=timeouts, ledger=ledger)
    submission = Submission("naps", folder)
    first, _ = grade_one(submission, assignment, options, slot=0)
    assert first.status == "timeout"
    assert ledger.spent("naps") >= BUDGET
    started = time.perf_counter()
    retry, _ = grade_one(submission, assignment, options, slot=0)
    assert time.perf_counter() - started < 2.0  # nothing of the student ran
    ran = [r for r in retry.results if r.max_points]  # not-applicable ones never run
    assert ran and all("whole submission" in r.message for r in ran)
    assert retry.status == "timeout" and retry.score == 0
