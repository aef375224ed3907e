"""The private cache of calibrations, and the reference's data as the expected data.

A cached calibration sets every student's limits, so its key must change
with anything it depends on (the engine's source, the assignment's content,
the seed, the machine), its folder must be ours alone, it is never used
where student code runs unisolated, and a damaged file is only a miss.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from autograder.checks.suite import FromReference
from autograder.core.results import PASSED, CheckResult
from autograder.grading import cache, calibration
from autograder.grading.assignment import load_assignment
from autograder.grading.calibration import Calibration, calibrate, calibration_key
from autograder.grading.runner import GradeOptions, resolve_data
from autograder.isolation.sandbox import SandboxConfig, bwrap_problem

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "backprop"
SAMPLE = Calibration({"check#1": 0.01}, {"check#1": 120}, 0.5, {"check": {"losses": [1.0, 0.5]}})


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    return folder


@pytest.fixture
def assignment_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "assignment"
    shutil.copytree(SOLUTION, folder, ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
    return folder


def test_the_engine_hash_follows_its_source_not_its_version(tmp_path: Path) -> None:
    engine = tmp_path / "engine"
    shutil.copytree(Path(cache.__file__).parents[1] / "grading", engine / "grading")
    before = cache.source_hash(engine)
    assert cache.source_hash(engine) == before
    target = engine / "grading" / "cache.py"
    target.write_text(target.read_text() + "\n# one more line\n")
    assert cache.source_hash(engine) != before


def test_the_key_changes_with_the_assignment_the_seed_and_the_machine(
    assignment_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = GradeOptions(sandbox=SandboxConfig("bwrap"))
    assignment = load_assignment(assignment_copy, with_hidden=False)
    key = calibration_key(assignment, options, "bwrap")
    assert calibration_key(assignment, options, "bwrap") == key
    assert calibration_key(assignment, replace(options, seed=1), "bwrap") != key
    assert calibration_key(assignment, options, "landlock") != key
    xor = assignment_copy / "xor.py"
    xor.write_text(xor.read_text().replace("DEFAULT_EPOCHS = 2000", "DEFAULT_EPOCHS = 2001"))
    changed = calibration_key(assignment, options, "bwrap")
    assert changed != key
    monkeypatch.setattr(cache, "machine_fingerprint", lambda: "another machine")
    assert calibration_key(assignment, options, "bwrap") != changed
    monkeypatch.setattr(cache, "engine_hash", lambda: "another engine")
    assert calibration_key(assignment, options, "bwrap") != changed


def test_the_folder_is_private_and_refused_when_others_may_enter(cache_dir: Path) -> None:
    assert cache.cache_dir() == cache_dir
    assert cache_dir.stat().st_mode & 0o777 == 0o700
    cache.write_cached("calibration", "k", SAMPLE.to_dict())
    assert (cache_dir / "calibration-k.json").stat().st_mode & 0o777 == 0o600
    cache_dir.chmod(0o755)
    assert cache.cache_dir() is None
    assert cache.read_cached("calibration", "k") is None


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"\xff\xfe", b"[1, 2]", b'{"per_call": 3}', b'{"per_call": {}, "cost": -1}'],
)
def test_a_damaged_file_is_a_miss(cache_dir: Path, content: bytes) -> None:
    cache.write_cached("calibration", "k", SAMPLE.to_dict())
    (cache_dir / "calibration-k.json").write_bytes(content)
    assert Calibration.from_dict(cache.read_cached("calibration", "k")) is None


def test_a_calibration_round_trips() -> None:
    document = json.loads(json.dumps(SAMPLE.to_dict()))
    assert Calibration.from_dict(document) == SAMPLE


def test_no_cache_is_read_or_written_without_isolation(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("the cache was used at isolation none")

    monkeypatch.setattr(cache, "read_cached", refuse)
    monkeypatch.setattr(cache, "write_cached", refuse)
    measured = []
    monkeypatch.setattr(calibration, "measure", lambda a, o: measured.append(1) or SAMPLE)
    assignment = load_assignment(SOLUTION, with_hidden=False)
    options = calibrate(assignment, GradeOptions(sandbox=SandboxConfig("none")))
    assert measured == [1] and options.timeouts.per_call == SAMPLE.per_call


@pytest.mark.skipif(bool(bwrap_problem()), reason="needs bubblewrap")
def test_a_sandboxed_calibration_is_measured_once_and_a_damaged_one_again(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assignment = load_assignment(SOLUTION, with_hidden=False)
    options = GradeOptions(include_hidden=False, sandbox=SandboxConfig("bwrap"))
    first = calibrate(assignment, options)  # measured: the reference in the sandbox
    assert first.reference_data and first.timeouts.per_call
    (saved,) = cache_dir.glob("calibration-*.json")
    measured = []
    monkeypatch.setattr(calibration, "measure", lambda a, o: measured.append(1) or SAMPLE)
    assert calibrate(assignment, options).timeouts == first.timeouts  # read back
    assert measured == []
    saved.write_text("{ damaged")
    assert calibrate(assignment, options).timeouts.per_call == SAMPLE.per_call
    assert measured == [1]
    assert Calibration.from_dict(json.loads(saved.read_text())) == SAMPLE  # rewritten


def result_with(data: dict) -> CheckResult:
    return CheckResult("train_xor learns", "train_xor", 1.0, 1.0, PASSED, "", data=data)


def test_expected_data_comes_from_the_reference_else_is_computed_only_when_wanted() -> None:
    calls = []

    def simulated() -> list[float]:
        calls.append(1)
        return [9.0]

    result = result_with({"losses": [2.0], "expected": FromReference("losses", simulated)})
    from_reference = resolve_data(result, True, {"losses": [1.0, 0.5]})
    assert from_reference.data == {"losses": [2.0], "expected": [1.0, 0.5]} and not calls
    assert resolve_data(result, False, None).data == {"losses": [2.0]} and not calls
    assert resolve_data(result, True, None).data == {"losses": [2.0], "expected": [9.0]}
    assert calls == [1]
