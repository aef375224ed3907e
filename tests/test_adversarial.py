"""Hostile submissions, graded as one class by the real `autograder grade`.

Each attack in tests/fixtures/adversarial is the reference made hostile in
one way; its *honest twin* (built beside it by make_fixtures.py) has exactly
the same honest part and fails the rest honestly. An attack must earn, check
by check, exactly what its twin earns in the same run: that holds whatever
the checks are (public or hidden), and says that the attack gained nothing
and cost only the checks it hit.

The class is graded twice, once in the bubblewrap sandbox and once with
--no-sandbox: the verdict guarantees (timeouts, limits, crashes, forged
results, monkeypatching) must hold in both. Four attacks need isolation and
are graded in the sandbox only, as the README says: reading the reference
(``steal_reference``), deleting other students' files (``delete_siblings``),
a daemon that detaches itself to outlive the grader (``spawn_daemon``), and
killing the grader's own processes (``kill_the_grader``).

Each class is graded once per test session, even under pytest-xdist: the
first worker to need it grades it, the other reads the same results.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from adversarial_harness import (
    ADVERSARIAL,
    build_class,
    check_points,
    failed_messages,
    new_marker,
    processes_with,
    read_reports,
    run_grade,
    tree_digest,
)

from autograder.isolation.processes import OUTPUT_CAP_BYTES

TWIN = {
    "loop_in_backward": "twin_multiply_raises",
    "exit_at_import": "twin_xor_raises",
    "sys_exit_in_backward": "twin_affine_raises",
    "segfault": "twin_sigmoid_raises",
    "memory_hog": "twin_affine_raises",
    "print_flood": "twin_full",
    "spawn_children": "twin_full",
    "spawn_daemon": "twin_full",
    "monkeypatch_numpy": "twin_affine_zeros",
    "ndarray_liar": "twin_sigmoid_raises",
    "steal_reference": "twin_affine_raises",
    "forge_results": "twin_full",
    "delete_siblings": "twin_full",
    "kill_the_grader": "twin_full",
    "forged_pickle_reply": "twin_multiply_raises",
    "sleep_at_import": "twin_xor_raises",
    "syntax_error": "twin_layers_raises",
    "missing_xor": "twin_xor_raises",
    "wrong_class_name": "twin_affine_absent",
}
NEEDS_ISOLATION = frozenset(
    {"steal_reference", "delete_siblings", "spawn_daemon", "kill_the_grader"}
)
TWINS = sorted(set(TWIN.values()))

# The public checks each twin must fail: those naming these words (a sanity
# check of the twins themselves, so that "attack == twin" is never vacuous).
# A broken layer costs train_xor only its whole-network check (on the student's
# own layers, then not applicable): its other checks run with trusted layers.
TWIN_FAILS = {
    "twin_full": (),
    "twin_multiply_raises": ("MultiplyLayer",),
    "twin_affine_raises": ("AffineLayer", "train_xor learns XOR"),
    "twin_affine_zeros": ("AffineLayer", "train_xor learns XOR"),
    "twin_affine_absent": ("AffineLayer", "train_xor"),
    "twin_sigmoid_raises": ("SigmoidLayer", "train_xor learns XOR"),
    "twin_xor_raises": ("train_xor",),
    "twin_layers_raises": ("Layer", "train_xor"),
}
STATUS = {
    "loop_in_backward": "timeout",
    "sleep_at_import": "timeout",
    "exit_at_import": "error",
    "segfault": "error",
    "syntax_error": "error",
    "missing_xor": "error",
    "wrong_class_name": "error",
}
MODES = {"sandboxed": "--require-sandbox", "unsandboxed": "--no-sandbox"}


@dataclass(frozen=True)
class GradedClass:
    mode: str
    root: Path
    submissions: Path
    out: Path
    marker: str
    returncode: int
    stdout: str
    stderr: str
    before: dict[str, str]
    reports: dict[str, dict[str, Any]]


def attacks(mode: str) -> list[str]:
    return [a for a in TWIN if mode == "sandboxed" or a not in NEEDS_ISOLATION]


def grade_once(base: Path, mode: str) -> dict[str, Any]:
    """Grade the class of ``mode`` under ``base`` unless already done; its record."""
    root = base / f"adversarial-{mode}"
    record = root / "record.json"
    with open(base / f"adversarial-{mode}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            marker = new_marker()
            students = {name: ADVERSARIAL / name for name in [*attacks(mode), *TWINS]}
            submissions = build_class(root / "submissions", students, marker)
            before = tree_digest(submissions)
            result = run_grade(submissions, root / "results", "-j", "2", MODES[mode])
            document = {
                "marker": marker,
                "returncode": result.returncode,
                "stdout": result.stdout,
                "stderr": result.stderr,
                "before": before,
            }
            record.write_text(json.dumps(document))
    return json.loads(record.read_text())


def graded_class(tmp_path_factory: pytest.TempPathFactory, mode: str) -> GradedClass:
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # shared by the xdist workers of this session
    record = grade_once(base, mode)
    root = base / f"adversarial-{mode}"
    return GradedClass(
        mode,
        root,
        root / "submissions",
        root / "results",
        record["marker"],
        record["returncode"],
        record["stdout"],
        record["stderr"],
        record["before"],
        read_reports(root / "results"),
    )


@pytest.fixture(scope="module", params=list(MODES))
def graded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> GradedClass:
    return graded_class(tmp_path_factory, request.param)


@pytest.fixture(scope="module")
def sandboxed(tmp_path_factory: pytest.TempPathFactory) -> GradedClass:
    return graded_class(tmp_path_factory, "sandboxed")


def outputs(report: dict[str, Any]) -> str:
    return "\n".join(check["output"] for check in report["checks"])


# -- the run as a whole ---------------------------------------------------------
def test_the_class_is_graded_with_exit_status_0(graded: GradedClass) -> None:
    assert graded.returncode == 0, graded.stderr[-3000:]
    assert "Traceback" not in graded.stdout + graded.stderr
    summary = json.loads((graded.out / "summary.json").read_text())
    assert summary["grader_failures"] == {}
    assert summary["sandboxed"] is (graded.mode == "sandboxed")
    assert set(graded.reports) == {*attacks(graded.mode), *TWINS}
    assert all(r["sandboxed"] is (graded.mode == "sandboxed") for r in graded.reports.values())


def test_without_the_sandbox_one_warning_says_isolation_is_off(graded: GradedClass) -> None:
    warnings = [line for line in graded.stderr.splitlines() if "WITHOUT" in line]
    assert len(warnings) == (0 if graded.mode == "sandboxed" else 1)


@pytest.mark.parametrize("twin", TWINS)
def test_each_twin_fails_exactly_its_public_checks(graded: GradedClass, twin: str) -> None:
    report = graded.reports[twin]
    public = [c for c in report["checks"] if not c["hidden"]]
    failing = {c["name"] for c in public if c["status"] != "passed"}
    expected = {c["name"] for c in public if any(w in c["name"] for w in TWIN_FAILS[twin])}
    if twin == "twin_affine_zeros":  # zeros pass a shape or linearity check
        assert failing <= expected and {w for w in TWIN_FAILS[twin] if w in str(failing)}
    else:
        assert failing == expected


@pytest.mark.parametrize("attack", list(TWIN))
def test_each_attack_earns_exactly_what_its_honest_part_earns(
    graded: GradedClass, attack: str
) -> None:
    if attack not in attacks(graded.mode):
        assert attack not in graded.reports  # needs isolation: sandbox only
        return
    report, twin = graded.reports[attack], graded.reports[TWIN[attack]]
    assert check_points(report) == check_points(twin)
    assert report["score"] == twin["score"]


@pytest.mark.parametrize("attack", list(TWIN))
def test_each_attack_gets_the_right_status(graded: GradedClass, attack: str) -> None:
    if attack in graded.reports:
        assert graded.reports[attack]["status"] == STATUS.get(attack, "ok")


# -- processes, files, results --------------------------------------------------
def test_no_process_is_left_running(graded: GradedClass) -> None:
    spawned = [graded.reports[a] for a in ("spawn_children", "spawn_daemon") if a in graded.reports]
    assert all("spawned" in outputs(report) for report in spawned)  # the attack ran
    assert processes_with(graded.marker) == []


def test_every_submission_is_left_intact(graded: GradedClass) -> None:
    assert tree_digest(graded.submissions) == graded.before


def test_every_result_is_the_graders_own(graded: GradedClass) -> None:
    lines = (graded.out / "grades.csv").read_text().splitlines()
    assert len(lines) == 1 + len(graded.reports)
    for student, report in graded.reports.items():
        results = json.loads((graded.out / student / "results.json").read_text())
        assert results["score"] == report["score"] == sum(check_points(report).values())
        assert [t["score"] for t in results["tests"]] == list(check_points(report).values())
        assert report["fingerprint"] and report["student"] == student


def test_forged_results_files_are_ignored(graded: GradedClass) -> None:
    """With the sandbox, no forged file reaches the grader's disk at all; without
    it, forged files land in the scratch folders and count for nothing."""
    ours = {
        graded.out / s / name for s in graded.reports for name in ("results.json", "report.json")
    }
    names = ("results.json", "report.json")
    forged = {p for p in graded.root.rglob("*.json") if p.name in names and p not in ours}
    if graded.mode == "sandboxed":
        assert forged == set()
    else:
        assert forged and all(json.loads(p.read_text())["score"] == 100 for p in forged)
    assert "score: 100" in outputs(graded.reports["forge_results"])


def test_a_pickle_in_a_forged_reply_is_never_loaded(graded: GradedClass) -> None:
    assert not Path(f"/tmp/{graded.marker}-pwned").exists()
    assert graded.reports["forged_pickle_reply"]["status"] == "ok"  # refused, not crashed


# -- limits ----------------------------------------------------------------------
def test_an_endless_loop_costs_one_timeout_not_one_per_check(graded: GradedClass) -> None:
    """The function that timed out is never called again: every later check
    that needs it fails with the very same reason, at once."""
    messages = failed_messages(graded.reports["loop_in_backward"])
    assert len(messages) >= 4
    first = messages[0].split("\n")[0]
    assert "MultiplyLayer.backward" in first
    assert all(m.startswith(first) for m in messages)


def test_a_module_that_hangs_at_import_costs_one_timeout(graded: GradedClass) -> None:
    messages = failed_messages(graded.reports["sleep_at_import"])
    first = messages[0].split("\n")[0]
    assert "xor.py" in first
    assert all(m.startswith(first) for m in messages)


def test_output_is_captured_and_capped_per_check(graded: GradedClass) -> None:
    """300 MiB printed at import and 100 KiB per call: at most 64 KiB per check."""
    checks = graded.reports["print_flood"]["checks"]
    note = 200  # the line saying how much was dropped
    assert all(len(c["output"].encode()) <= OUTPUT_CAP_BYTES + note for c in checks)
    assert "x" * 1000 in checks[0]["output"]
    later = [c for c in checks[1:] if c["name"].startswith("MultiplyLayer.backward")]
    assert later and all("y" * 1000 in c["output"] for c in later)
    results = json.loads((graded.out / "print_flood" / "results.json").read_text())
    assert len(json.dumps(results)) < 64 << 10


# -- isolation (sandbox only) ------------------------------------------------------
SANDBOX_ONLY: list[tuple[str, Callable[[GradedClass], bool]]] = [
    (
        "the reference is out of reach",
        lambda g: "FOUND THE REFERENCE" not in outputs(g.reports["steal_reference"]),
    ),
    ("nothing was deleted", lambda g: "deleted" not in outputs(g.reports["delete_siblings"])),
    ("the grader was not killed", lambda g: "killed" not in outputs(g.reports["kill_the_grader"])),
    (
        "every student's results exist",
        lambda g: all(
            (g.out / s / f).is_file() for s in g.reports for f in ("results.json", "report.json")
        ),
    ),
    (
        "the class files exist",
        lambda g: all((g.out / f).is_file() for f in ("grades.csv", "summary.json")),
    ),
]


@pytest.mark.parametrize(("what", "holds"), SANDBOX_ONLY, ids=[w for w, _ in SANDBOX_ONLY])
def test_in_the_sandbox(
    sandboxed: GradedClass, what: str, holds: Callable[[GradedClass], bool]
) -> None:
    assert holds(sandboxed), what


def test_the_sandbox_class_really_ran_in_bubblewrap(sandboxed: GradedClass) -> None:
    probe = subprocess.run(["bwrap", "--version"], capture_output=True, text=True)
    assert probe.returncode == 0
    assert all(r["sandboxed"] for r in sandboxed.reports.values())
