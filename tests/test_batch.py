"""`autograder grade` on whole classes: grades.csv, resuming after kill -9, --force,
regrading only what changed, and bit-for-bit identical scores.

Every test runs the real command in a subprocess (sandbox on, as an
instructor would), on classes built from the fixture submissions.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from adversarial_harness import (
    ADVERSARIAL,
    SOLUTION,
    VARIANTS,
    build_class,
    copy_submission,
    grade_command,
    grade_env,
    new_marker,
    processes_with,
    read_reports,
    run_grade,
)

from autograder.grading.assignment import load_assignment
from autograder.grading.batch import checks_fingerprint
from autograder.grading.runner import GradeOptions
from autograder.isolation.sandbox import Limits, SandboxConfig


def variant_losses() -> dict[str, frozenset[str]]:
    spec = importlib.util.spec_from_file_location("catalogue", VARIANTS / "catalogue.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.LOSES)


LOSES = variant_losses()
ALL = frozenset({"MultiplyLayer", "AffineLayer", "SigmoidLayer", "train_xor"})
# student -> (source, zipped, expected status, components that must lose points)
MIXED: dict[str, tuple[Path, bool, str, frozenset[str]]] = {
    "alice": (ADVERSARIAL / "twin_full", False, "ok", frozenset()),
    "bob": (VARIANTS / "affine_db_not_summed", False, "ok", LOSES["affine_db_not_summed"]),
    "carol": (
        VARIANTS / "sigmoid_derivative_of_sigma_a",
        False,
        "ok",
        LOSES["sigmoid_derivative_of_sigma_a"],
    ),
    "dave": (VARIANTS / "xor_gradient_ascent", True, "ok", LOSES["xor_gradient_ascent"]),
    "erin": (ADVERSARIAL / "loop_in_backward", False, "timeout", frozenset({"MultiplyLayer"})),
    "frank": (ADVERSARIAL / "syntax_error", False, "error", ALL),
    "grace": (VARIANTS / "correct_loops", True, "ok", frozenset()),
}


def zip_submission(source: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted(source.glob("*.py")):
            bundle.write(path, path.name)
    return archive


def build_mixed(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for student, (source, zipped, _, _) in MIXED.items():
        if zipped:
            zip_submission(source, folder / f"{student}.zip")
        else:
            copy_submission(source, folder / student)
    return folder


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(path.read_text().splitlines()))


def test_a_mixed_class_gets_one_correct_grades_csv_row_per_student(tmp_path: Path) -> None:
    result = run_grade(build_mixed(tmp_path / "class"), tmp_path / "out", "-j", "2")
    assert result.returncode == 0, result.stderr[-2000:]
    reports = read_reports(tmp_path / "out")
    header, *rows = read_csv(tmp_path / "out" / "grades.csv")
    checks = reports["alice"]["checks"]
    assert header == ["student", "total", "max", "status", *(c["name"] for c in checks)]
    assert [row[0] for row in rows] == sorted(MIXED)
    for row in rows:
        student, total, maximum, status, *cells = row
        report, (_, _, expected_status, loses) = reports[student], MIXED[student]
        assert (total, maximum, status) == (
            f"{report['score']:g}",
            f"{report['max_score']:g}",
            expected_status,
        )
        assert cells == [f"{c['points']:g}" for c in report["checks"]]
        assert float(total) == pytest.approx(sum(map(float, cells)))
        public = [c for c in report["checks"] if not c["hidden"]]
        kept = [c for c in public if c["component"] not in loses]
        assert all(c["points"] == c["max_points"] for c in kept), student
        for component in loses:
            lost = [c for c in public if c["component"] == component]
            assert sum(c["points"] for c in lost) < sum(c["max_points"] for c in lost)
    assert "alice" in result.stdout and "grace" in result.stdout  # the class table
    # What grading cost, apart from the results (report.json holds no machine's timings).
    timings = json.loads((tmp_path / "out" / "timings.json").read_text())
    assert set(timings["students"]) == set(MIXED) and timings["jobs"] == 2
    assert all(t["student_cpu"] > 0 and t["grader_cpu"] > 0 for t in timings["students"].values())
    assert not {"student_cpu", "grader_cpu"} & set(reports["alice"])


# -- resuming ------------------------------------------------------------------------
FAST = ["twin_full", "twin_affine_raises", "twin_sigmoid_raises", "twin_xor_raises"]
SLOW = ["loop_in_backward", "spawn_children", "sleep_at_import", "loop_in_backward"]


def resume_class(folder: Path, marker: str) -> Path:
    """12 students: fast ones first (in the order graded), slow ones last."""
    sources = [ADVERSARIAL / name for name in FAST * 2 + SLOW]
    return build_class(folder, {f"s{i:02d}": s for i, s in enumerate(sources)}, marker)


def report_times(out: Path) -> dict[str, int]:
    return {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/report.json")}


def kill_when_some_are_done(submissions: Path, out: Path, minimum: int) -> dict[str, int]:
    """Start the grader, SIGKILL its process group once ``minimum`` students are done."""
    process = subprocess.Popen(
        grade_command(submissions, out, "-j", "2"),
        cwd=submissions.parent,
        env=grade_env(submissions.parent / "tmp"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while len(report_times(out)) < minimum and time.monotonic() < deadline:
        assert process.poll() is None, "the grader finished before it could be killed"
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return report_times(out)


def wait_until_gone(marker: str) -> list[str]:
    deadline = time.monotonic() + 10
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    return processes_with(marker)


def test_an_interrupted_batch_resumes_losing_nothing_and_regrading_nothing(
    tmp_path: Path,
) -> None:
    marker = new_marker()
    submissions, out = resume_class(tmp_path / "class", marker), tmp_path / "out"
    finished = kill_when_some_are_done(submissions, out, 3)
    assert 3 <= len(finished) < 12
    assert wait_until_gone(marker) == []  # the sandboxes died with the grader

    result = run_grade(submissions, out, "-j", "2")
    assert result.returncode == 0, result.stderr[-2000:]
    after = report_times(out)
    assert sorted(after) == [f"s{i:02d}" for i in range(12)]
    assert {s: after[s] for s in finished} == finished  # not regraded
    rows = read_csv(out / "grades.csv")[1:]
    assert [row[0] for row in rows] == sorted(after)
    assert all(row[3] in ("ok", "error", "timeout") for row in rows)
    assert wait_until_gone(marker) == []
    # The killed run's temporary folders (submissions laid out, the students' own
    # scratch, the budget ledger) are removed by the next run (core/tempdirs.py).
    kinds = ("autograder-sub-", "autograder-student-", "autograder-ledger-")
    left = [p.name for p in (submissions.parent / "tmp").iterdir() if p.name.startswith(kinds)]
    assert left == []

    # --force regrades everyone; a changed submission alone is regraded.
    run_grade(submissions, out, "-j", "2", "--force")
    forced = report_times(out)
    assert all(forced[s] > after[s] for s in after)
    with open(submissions / "s01" / "layers.py", "a") as stream:
        stream.write("\n# a late fix\n")
    run_grade(submissions, out, "-j", "2")
    changed = {s for s, t in report_times(out).items() if t != forced[s]}
    assert changed == {"s01"}


# -- determinism -----------------------------------------------------------------------
SAME = {
    "full": ADVERSARIAL / "twin_full",
    "db_averaged": VARIANTS / "affine_db_averaged",
    "sigma_a": VARIANTS / "sigmoid_derivative_of_sigma_a",
    "mean_loss": VARIANTS / "xor_mean_loss",
    "per_sample": VARIANTS / "xor_per_sample_updates",
    "segfault": ADVERSARIAL / "segfault",
}


def verdicts(out: Path) -> dict[str, Any]:
    """Everything graded except times: points, statuses, messages, outputs."""
    keep = ("name", "points", "max_points", "status", "message", "output", "diagnosis")
    return {
        student: (report["score"], [{k: c[k] for k in keep} for c in report["checks"]])
        for student, report in read_reports(out).items()
    }


def test_the_same_submissions_and_seed_give_identical_results(tmp_path: Path) -> None:
    submissions = build_class(tmp_path / "class", SAME)
    one = run_grade(submissions, tmp_path / "j1", "-j", "1", "--seed", "17")
    two = run_grade(submissions, tmp_path / "j2", "-j", "2", "--seed", "17")
    assert one.returncode == two.returncode == 0
    first, second = verdicts(tmp_path / "j1"), verdicts(tmp_path / "j2")
    assert first == second
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert all(c["status"] == "passed" for c in first["full"][1])
    # Not vacuous: wrong answers are quoted with their numbers, which must match too.
    quoted = [c["message"] for c in first["db_averaged"][1] if c["status"] != "passed"]
    assert any(char.isdigit() for message in quoted for char in message)


BASE_OPTIONS = GradeOptions()


@pytest.mark.parametrize(
    ("what", "options", "regrades"),
    [
        ("the same options", GradeOptions(), False),
        (
            "calibrated per-call limits",
            replace(BASE_OPTIONS, timeouts=replace(BASE_OPTIONS.timeouts, per_call={"x#0": 1.0})),
            False,
        ),
        ("another seed", replace(BASE_OPTIONS, seed=1), True),
        (
            "a higher --timeout-floor",
            replace(BASE_OPTIONS, timeouts=replace(BASE_OPTIONS.timeouts, floor=5.0)),
            True,
        ),
        (
            "a larger --budget-factor",
            replace(BASE_OPTIONS, timeouts=replace(BASE_OPTIONS.timeouts, budget_factor=99.0)),
            True,
        ),
        (
            "a larger --memory-mb",
            replace(BASE_OPTIONS, sandbox=SandboxConfig("auto", Limits(memory_bytes=4 << 30))),
            True,
        ),
        (
            "the isolation level resolved",
            replace(BASE_OPTIONS, sandbox=SandboxConfig("bwrap")),
            False,
        ),
    ],
)
def test_a_rerun_regrades_when_what_decides_scores_changed(
    what: str, options: GradeOptions, regrades: bool
) -> None:
    """A rerun keeps a student's results only when nothing that decides them changed:
    a rerun with a higher --timeout-floor or --memory-mb kept every timed-out student's
    old result ("kept from the last run, not regraded")."""
    assignment = load_assignment(SOLUTION, with_hidden=False)
    before = checks_fingerprint(assignment, BASE_OPTIONS)
    assert (checks_fingerprint(assignment, options) != before) is regrades, what


def test_a_student_whose_submission_has_gone_is_neither_exported_nor_handed_back(
    tmp_path: Path,
) -> None:
    # bob is graded, then his folder is removed (withdrawn, or renamed and graded again
    # under another id): grades.csv of the next run leaves him out, and so must the LMS
    # file and the hand-back, which read the results folder days later.
    submissions = build_class(tmp_path / "subs", {"=eve": SOLUTION, "bob": SOLUTION})
    out = tmp_path / "results"
    assert run_grade(submissions, out).returncode == 0
    shutil.rmtree(submissions / "bob")
    assert run_grade(submissions, out).returncode == 0
    assert (out / "bob" / "report.json").is_file()  # nothing is deleted
    lms_file = tmp_path / "grades-list.csv"
    exported = subprocess.run(
        [sys.executable, "-m", "autograder", "grades", str(out), "--format", "csv"]
        + ["--out", str(lms_file)],
        capture_output=True,
        text=True,
    )
    assert exported.returncode == 0, exported.stderr
    students = [row[0] for row in csv.reader(lms_file.read_text().splitlines()[1:])]
    assert students == ["'=eve"]  # written as text, as grades.csv writes it
    assert "graded by an earlier run only, left out" in exported.stderr
    assert "(1): bob" in exported.stderr
    handback = tmp_path / "handback"
    returned = subprocess.run(
        [sys.executable, "-m", "autograder", "feedback", str(out), "--out", str(handback)],
        capture_output=True,
        text=True,
    )
    assert returned.returncode == 0, returned.stderr
    assert sorted(p.name for p in handback.iterdir()) == ["=eve"]
    assert "(1): bob" in returned.stderr
    # A student of the last run whose report.json is damaged was left out silently.
    (out / "=eve" / "report.json").write_text('{"trunc')
    for command in (["grades", str(out), "--format", "csv"], ["feedback", str(out)]):
        refused = subprocess.run(
            [sys.executable, "-m", "autograder", *command, "--out", str(tmp_path / "again")],
            capture_output=True,
            text=True,
        )
        assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr
        assert "report.json of =eve" in refused.stderr and "--only =eve" in refused.stderr
