"""Hostile submissions, graded as one class by the real `autograder grade`.

Each attack in tests/fixtures/adversarial is the reference made hostile in
one way; its *honest twin* (built beside it by make_fixtures.py) has exactly
the same honest part and fails the rest honestly. An attack must earn, check
by check, exactly what its twin earns in the same run: that holds whatever
the checks are (public or hidden), and says that the attack gained nothing
and cost only the checks it hit.

The class is graded at each isolation level: bubblewrap, Landlock (forced
with --isolation landlock, bubblewrap installed or not) and none
(--no-sandbox). The verdict guarantees (limits, crashes, forged results,
monkeypatching, the submission's budget) hold at every level. An attack
that needs a guarantee a level does not give (``GUARDED``, the rows of the
README's table in isolation_guarantees.py) is graded only where it holds:
reading the reference is graded in the sandboxes only. Attacks on the
verdict alone (``VERDICT_ONLY``: what a reply or a module holds, judged by
the grader after the call, the same code at every level) are graded once,
in bubblewrap, with the twins they need.

Each class is graded once per test session, even under pytest-xdist: the
first worker to need it grades it, the other reads the same results.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
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
from isolation_guarantees import LEVELS, holds

from autograder.isolation.processes import CHECK_CAP_BYTES, STUDENT_CAP_BYTES, json_bytes

TWIN = {
    "loop_in_backward": "twin_multiply_raises",
    "exit_at_import": "twin_xor_raises",
    "sys_exit_in_backward": "twin_affine_raises",
    "segfault": "twin_sigmoid_raises",
    "memory_hog": "twin_affine_raises",
    "print_flood": "twin_full",
    "spawn_children": "twin_full",
    "spawn_daemon": "twin_full",
    "fork_bomb": "twin_full",
    "memory_children": "twin_full",
    "monkeypatch_numpy": "twin_affine_zeros",
    "ndarray_liar": "twin_sigmoid_raises",
    "steal_reference": "twin_affine_raises",
    "forge_results": "twin_full",
    "delete_siblings": "twin_full",
    "delete_tmp_neighbours": "twin_full",
    "kill_the_grader": "twin_full",
    "forged_pickle_reply": "twin_multiply_raises",
    "sleep_at_import": "twin_xor_raises",
    "trickle_reply": "twin_multiply_raises",
    "busy_children": "twin_sigmoid_raises",
    "syntax_error": "twin_layers_raises",
    "missing_xor": "twin_xor_raises",
    "wrong_class_name": "twin_affine_absent",
}
# Attacks whose harm only a guarantee of the level prevents: graded where it holds.
GUARDED = {
    "steal_reference": "cannot read the reference, other students or the engine's checks",
    "delete_siblings": "cannot delete the grader's or other students' files",
    "delete_tmp_neighbours": "cannot delete the grader's or other students' files",
    "kill_the_grader": "cannot signal the grader's processes",
}
VERDICT_ONLY = {
    "monkeypatch_numpy",
    "ndarray_liar",
    "forged_pickle_reply",
    "syntax_error",
    "missing_xor",
    "wrong_class_name",
}
# Attacks without a twin: what they cost is bounded by the submission's budget.
BUDGETED = ("naps_everywhere",)
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
    "trickle_reply": "timeout",
    "busy_children": "timeout",
    "naps_everywhere": "timeout",
    "exit_at_import": "error",
    "segfault": "error",
    "syntax_error": "error",
    "missing_xor": "error",
    "wrong_class_name": "error",
}
OPTIONS = {"bwrap": "--isolation=bwrap", "landlock": "--isolation=landlock", "none": "--no-sandbox"}
# A small budget (the reference costs about a second): the napping attack
# spends it all, honest twins a fraction, and busy children (two timeouts, up
# to a wall cap each on a loaded machine) still not all of it.
BUDGET_FLOOR = 12.0
BUDGET = ("--budget-floor", str(BUDGET_FLOOR), "--budget-factor", "4")


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
    canaries: dict[str, bool]
    left_running: list[str]
    reports: dict[str, dict[str, Any]]


def attacks(mode: str) -> list[str]:
    guarded = [a for a in TWIN if a not in GUARDED or holds(GUARDED[a], mode)]
    return [a for a in guarded if mode == "bwrap" or a not in VERDICT_ONLY]


def twins(mode: str) -> list[str]:
    return sorted({TWIN[a] for a in attacks(mode)} | {"twin_full"})


def students(mode: str) -> list[str]:
    return [*attacks(mode), *BUDGETED, *twins(mode)]


def plant_canaries(scratch: Path, marker: str) -> list[Path]:
    """Folders of the grader's user in its temporary folders (a neighbour must not
    delete them): in the run's TMPDIR, and in /tmp itself."""
    canaries = [scratch / "canary", Path("/tmp") / f"{marker}-canary"]
    for canary in canaries:
        (canary / "inner").mkdir(parents=True, exist_ok=True)
        (canary / "inner" / "keep").write_text("the grader's")
    return canaries


def grade_once(base: Path, mode: str) -> dict[str, Any]:
    """Grade the class of ``mode`` under ``base`` unless already done; its record."""
    root = base / f"adversarial-{mode}"
    record = root / "record.json"
    with open(base / f"adversarial-{mode}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            marker = new_marker()
            submissions = build_class(
                root / "submissions", {s: ADVERSARIAL / s for s in students(mode)}, marker
            )
            before = tree_digest(submissions)
            canaries = plant_canaries(root / "tmp", marker)
            result = run_grade(
                submissions, root / "results", "-j", "2", OPTIONS[mode], *BUDGET,
                scratch=root / "tmp",
            )  # fmt: skip
            document = {
                "marker": marker,
                "returncode": result.returncode,
                "stdout": result.stdout,
                "stderr": result.stderr,
                "before": before,
                "canaries": {str(c): (c / "inner" / "keep").is_file() for c in canaries},
                "left_running": processes_with(marker),
            }
            for canary in canaries:
                shutil.rmtree(canary, ignore_errors=True)
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
        record["canaries"],
        record["left_running"],
        read_reports(root / "results"),
    )


@pytest.fixture(scope="module", params=LEVELS)
def graded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> GradedClass:
    return graded_class(tmp_path_factory, request.param)


def outputs(report: dict[str, Any]) -> str:
    return "\n".join(check["output"] for check in report["checks"])


# -- the run as a whole ---------------------------------------------------------
def test_the_class_is_graded_with_exit_status_0(graded: GradedClass) -> None:
    assert graded.returncode == 0, graded.stderr[-3000:]
    assert "Traceback" not in graded.stdout + graded.stderr
    summary = json.loads((graded.out / "summary.json").read_text())
    assert summary["grader_failures"] == {}
    assert set(graded.reports) == set(students(graded.mode))


def test_the_isolation_level_is_recorded_everywhere(graded: GradedClass) -> None:
    """In each report.json and results.json (extra_data), summary.json and the
    printed summary: the level, and the Landlock ABI where it applied."""
    summary = json.loads((graded.out / "summary.json").read_text())
    assert summary["isolation"]["level"] == graded.mode
    assert summary["sandboxed"] is (graded.mode != "none")
    landlock = graded.mode == "landlock"
    for student, report in graded.reports.items():
        results = json.loads((graded.out / student / "results.json").read_text())
        for isolation in (report["isolation"], results["extra_data"]["isolation"]):
            assert isolation["level"] == graded.mode
            assert (isolation["landlock_abi"] >= 1) is landlock
            assert bool(isolation["landlock_applied"]) is landlock
            assert isolation["seccomp"] is (graded.mode != "none")
            assert isolation["unprivileged"] is True  # (a root grader drops to a uid of its own)
    if landlock:
        abi = summary["isolation"]["landlock_abi"]
        assert f"Isolation: Landlock ABI {abi} and seccomp" in graded.stdout
    else:
        assert {"bwrap": "Isolation: bubblewrap", "none": "Isolation: NONE"}[
            graded.mode
        ] in graded.stdout


def test_without_the_sandbox_one_warning_says_isolation_is_off(graded: GradedClass) -> None:
    warnings = [line for line in graded.stderr.splitlines() if "warning: isolation" in line]
    assert len(warnings) == (1 if graded.mode == "none" else 0)


@pytest.mark.parametrize("twin", TWINS)
def test_each_twin_fails_exactly_its_public_checks(graded: GradedClass, twin: str) -> None:
    if twin not in twins(graded.mode):
        return  # no attack of this level needs it
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
        assert attack not in graded.reports  # needs a guarantee this level lacks, or verdict only
        return
    report, twin = graded.reports[attack], graded.reports[TWIN[attack]]
    assert check_points(report) == check_points(twin)
    assert report["score"] == twin["score"]


@pytest.mark.parametrize("attack", [*TWIN, *BUDGETED])
def test_each_attack_gets_the_right_status(graded: GradedClass, attack: str) -> None:
    if attack in graded.reports:
        assert graded.reports[attack]["status"] == STATUS.get(attack, "ok")


# -- processes, files, results --------------------------------------------------
def test_no_process_is_left_running(graded: GradedClass) -> None:
    spawned = {a: graded.reports[a] for a in ("spawn_children", "spawn_daemon", "fork_bomb")}
    assert all(w in outputs(spawned[a]) for a, w in zip(spawned, ("spawned", "spawned", "forked")))
    assert graded.left_running == []  # right after the run, before any cleanup
    assert processes_with(graded.marker) == []


def test_every_submission_is_left_intact(graded: GradedClass) -> None:
    assert tree_digest(graded.submissions) == graded.before


def test_the_graders_temporary_folders_are_left_intact(graded: GradedClass) -> None:
    """The "delete my neighbours" attack, on the grader's own temporary folders."""
    assert graded.canaries and all(graded.canaries.values())
    assert "deleted" not in outputs(graded.reports["delete_tmp_neighbours"])


def test_every_result_is_the_graders_own(graded: GradedClass) -> None:
    lines = (graded.out / "grades.csv").read_text().splitlines()
    assert len(lines) == 1 + len(graded.reports)
    for student, report in graded.reports.items():
        results = json.loads((graded.out / student / "results.json").read_text())
        assert results["score"] == report["score"] == sum(check_points(report).values())
        assert [t["score"] for t in results["tests"]] == list(check_points(report).values())
        assert report["fingerprint"] and report["student"] == student


def test_forged_results_files_are_ignored(graded: GradedClass) -> None:
    """Forged files reach no folder of the grader's: in a sandbox, none is within
    reach; without, an unprivileged uid writes at most its own scratch folder."""
    ours = {
        graded.out / s / name for s in graded.reports for name in ("results.json", "report.json")
    }
    names = ("results.json", "report.json")
    forged = {p for p in graded.root.rglob("*.json") if p.name in names and p not in ours}
    if holds("cannot write outside its own scratch folder", graded.mode) or os.geteuid() == 0:
        assert forged == set()
    assert "score: 100" in outputs(graded.reports["forge_results"])


def test_a_pickle_in_a_forged_reply_is_never_loaded(graded: GradedClass) -> None:
    assert not Path(f"/tmp/{graded.marker}-pwned").exists()
    if "forged_pickle_reply" in graded.reports:  # (a verdict attack: bubblewrap's class)
        assert graded.reports["forged_pickle_reply"]["status"] == "ok"  # refused, not crashed
        refused = failed_messages(graded.reports["forged_pickle_reply"])
        assert refused and "dtype '|O' is not numeric" in refused[0]  # the array path refused it


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


def test_a_trickled_reply_ends_at_its_calls_wall_cap(graded: GradedClass) -> None:
    """Its first bytes come at once, the rest over 40 s: the call ends at about
    3 x 1 s + 1 s, reply included, and the function is not called again."""
    report = graded.reports["trickle_reply"]
    first = failed_messages(report)[0]
    assert "MultiplyLayer.backward did not return within" in first
    assert report["seconds"] < 4.0 + 15.0  # one wall cap, and the rest of the checks


def test_busy_children_earn_no_longer_wall_cap(graded: GradedClass) -> None:
    """The function spins beside two spinning children: their CPU time is its
    own, and its waits for a CPU (caused by them) earn no longer wall cap: the
    call ends at its CPU limit, or on a machine loaded enough to starve all
    three, at its plain wall cap of 3 x 1 s + 1 s."""
    first = failed_messages(graded.reports["busy_children"])[0]
    cpu = "SigmoidLayer.backward used more than 1.0 s of CPU time, counting every process"
    assert first.startswith((cpu, "SigmoidLayer.backward did not return within 4.0 s"))


def test_naps_spread_over_many_calls_meet_the_submissions_budget(graded: GradedClass) -> None:
    """Each forward pass naps 0.5 s, well within its call's limits: without a
    budget the submission would cost the batch hours."""
    report = graded.reports["naps_everywhere"]
    messages = failed_messages(report)
    assert any("time allowed for the whole submission" in m for m in messages)
    # The budget, one more call at most (its wall cap), and the grader's own checks.
    assert report["seconds"] < BUDGET_FLOOR + 4.0 + 15.0


def test_output_is_captured_and_capped(graded: GradedClass) -> None:
    """300 MiB printed at import and 100 KiB per call: at most 16 KiB per check
    and 256 KiB per student, measured as stored (JSON)."""
    checks = graded.reports["print_flood"]["checks"]
    assert all(json_bytes(c["output"]) <= CHECK_CAP_BYTES for c in checks)
    assert sum(json_bytes(c["output"]) for c in checks) <= STUDENT_CAP_BYTES
    assert "x" * 1000 in checks[0]["output"]
    later = [c for c in checks[1:] if c["name"].startswith("MultiplyLayer.backward")]
    assert later and all("y" * 1000 in c["output"] for c in later)
    assert len((graded.out / "print_flood" / "report.json").read_bytes()) < 1 << 20


# -- isolation (where the level guarantees it) -------------------------------------
GUARANTEED: list[tuple[str, str, Callable[[GradedClass], bool]]] = [
    (
        "the reference is out of reach",
        "cannot read the reference, other students or the engine's checks",
        lambda g: "FOUND THE REFERENCE" not in outputs(g.reports["steal_reference"]),
    ),
    (
        "no student's files were deleted",
        "cannot delete the grader's or other students' files",
        lambda g: "deleted" not in outputs(g.reports["delete_siblings"]),
    ),
    (
        "the grader was not killed",
        "cannot signal the grader's processes",
        lambda g: "killed" not in outputs(g.reports["kill_the_grader"]),
    ),
]


@pytest.mark.parametrize(("what", "row", "check"), GUARANTEED, ids=[w for w, _, _ in GUARANTEED])
def test_what_the_level_guarantees(
    graded: GradedClass, what: str, row: str, check: Callable[[GradedClass], bool]
) -> None:
    if holds(row, graded.mode):
        assert check(graded), what
    for student in graded.reports:
        for name in ("results.json", "report.json"):
            assert (graded.out / student / name).is_file()
    assert all((graded.out / f).is_file() for f in ("grades.csv", "summary.json"))
