"""Choosing the isolation: ``auto`` resolved for real, refusals that say what to do.

bubblewrap is hidden from the grader by its PATH (or replaced by one that
cannot create namespaces), so that ``auto`` falls back to Landlock on this
machine for real; a kernel without Landlock cannot be made here, so that one
case replaces the kernel's answer (``abi_version``) and checks the refusal.
The README's table of guarantees is the one the tests assert.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from adversarial_harness import REPO
from click.testing import CliRunner
from isolation_guarantees import GUARANTEES, readme_table

from autograder.cli import cli
from autograder.isolation import levels
from autograder.isolation.levels import resolve
from autograder.isolation.sandbox import SandboxConfig, SandboxUnavailable, bwrap_problem


def test_the_readmes_table_is_the_one_the_tests_assert() -> None:
    assert readme_table(REPO / "README.md") == GUARANTEES


def test_auto_takes_bubblewrap_where_it_runs() -> None:
    expected = "bwrap" if not bwrap_problem() else "landlock"
    assert resolve(SandboxConfig()).level == expected


def test_without_bubblewrap_auto_confines_with_landlock(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    isolation = resolve(SandboxConfig("auto"))
    assert isolation.level == "landlock" and isolation.landlock_abi >= 1
    with pytest.raises(SandboxUnavailable, match="not installed"):
        resolve(SandboxConfig("bwrap"))


def test_a_bubblewrap_that_cannot_sandbox_is_not_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    assert resolve(SandboxConfig("auto")).level == "landlock"
    with pytest.raises(SandboxUnavailable, match="No permissions"):
        resolve(SandboxConfig("bwrap"))


def test_with_neither_grade_refuses_and_names_both_fixes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(levels, "abi_version", lambda: 0)  # a kernel without Landlock
    levels.landlock_problem.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["grade", str(tmp_path), "--out", str(tmp_path / "o")])
    finally:
        levels.landlock_problem.cache_clear()
    assert result.exit_code != 0 and "Traceback" not in result.output
    for fix in ("apt-get install bubblewrap", "Landlock", "--no-sandbox"):
        assert fix in result.output
    assert not (tmp_path / "o").exists()


def test_require_sandbox_refuses_no_sandbox(tmp_path: Path) -> None:
    command = ["grade", str(tmp_path), "--out", str(tmp_path / "o"), "--no-sandbox"]
    result = CliRunner().invoke(cli, [*command, "--require-sandbox"])
    assert result.exit_code == 2 and "--require-sandbox refuses" in result.output


def test_the_first_command_of_the_readme_works_with_pip_alone(tmp_path: Path) -> None:
    """No bubblewrap, no util-linux on the PATH: the example class is graded,
    every student confined by Landlock (and no PID namespace)."""
    out = tmp_path / "results"
    command = [sys.executable, "-m", "autograder", "grade", "examples/class", "--out", str(out)]
    env = {**os.environ, "PATH": str(tmp_path), "TMPDIR": str(tmp_path)}
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["isolation"]["level"] == "landlock"
    assert summary["isolation"]["pid_namespace"] is False
    assert "Isolation: Landlock ABI" in done.stdout
    reports = [json.loads(p.read_text()) for p in out.glob("*/report.json")]
    assert len(reports) == 6 and all(r["isolation"]["level"] == "landlock" for r in reports)
