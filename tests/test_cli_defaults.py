"""Which assignment a command works on when it is not told: the only one, or a question.

The engine assumes no assignment: `check` without a folder takes the current
folder when it holds code, else the only assignment in ./assignments; `grade`,
`notebook`, `release` and the exports take the only one in ./solutions. With
none or several, each says what it found and which option names one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from autograder.cli import cli

NEURON = REPO / "solutions" / "neuron"
# command -> (the folder it looks in, the option that names an assignment)
COMMANDS = {
    ("grade", "subs", "--out", "results"): ("solutions", "--assignment"),
    ("notebook",): ("solutions", "SOLUTION"),
    ("release", "--out", "dist"): ("solutions", "--solution"),
    ("export", "gradescope", "--out", "dist"): ("solutions", "--solution"),
    ("export", "nbgrader", "--out", "course"): ("solutions", "--solution"),
    ("check",): ("assignments", "DIRECTORY"),
}


def course(root: Path, *names: str) -> Path:
    """A course folder with ``names`` as its assignments (each a neuron copy)."""
    for kind, source in (("solutions", NEURON), ("assignments", REPO / "assignments" / "neuron")):
        (root / kind).mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copytree(source, root / kind / name, ignore=shutil.ignore_patterns("__py*"))
    (root / "subs").mkdir(exist_ok=True)
    return root


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("names", [(), ("neuron", "second")], ids=["none", "two"])
def test_without_a_single_assignment_the_command_asks_which(
    command: tuple[str, ...],
    names: tuple[str, ...],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(course(tmp_path, *names))
    result = CliRunner().invoke(cli, list(command))
    folder, option = COMMANDS[command]
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert f"./{folder}" in result.output and option in result.output
    for name in names:
        assert f"{folder}/{name}" in result.output


def test_with_one_assignment_the_commands_take_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(course(tmp_path, "neuron"))
    runner = CliRunner()
    assert "up to date" in runner.invoke(cli, ["notebook", "--check"]).output
    released = runner.invoke(cli, ["release", "--out", "dist"])
    assert released.exit_code == 0 and (tmp_path / "dist" / "neuron-release.zip").is_file()
    checked = runner.invoke(cli, ["check"])
    assert checked.exit_code == 1 and "Total: 0/15 points" in checked.output
