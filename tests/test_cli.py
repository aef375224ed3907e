"""`autograder check` as a student meets it, and every command's help."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from conftest import REPO, SKELETON, SOLUTION, copy_submission

from autograder.cli import cli
from autograder.grading.assignment import Assignment


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def assert_clean(result: Result) -> None:
    """No traceback reaches the user; exit codes come from sys.exit."""
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output


def test_check_on_the_skeleton_fails_with_zero_points(tmp_path: Path) -> None:
    folder = copy_submission(SKELETON, tmp_path / "student")
    result = run("check", str(folder))
    assert_clean(result)
    assert result.exit_code == 1
    # 0 of 26: the whole-network check is not applicable while the layers fail
    assert "Total: 0/26 points (0 of 19 checks passed)" in result.output
    assert "is not implemented yet" in result.output


def test_check_on_the_reference_passes_with_full_marks(
    tmp_path: Path, public_assignment: Assignment
) -> None:
    folder = copy_submission(SOLUTION, tmp_path / "student")
    result = run("check", str(folder))
    assert_clean(result)
    assert result.exit_code == 0
    rows = [line for line in result.output.splitlines() if line.startswith(("PASS", "FAIL"))]
    assert len(rows) == len(public_assignment.public.checks)
    assert all(row.startswith("PASS") for row in rows)
    assert "Total: 28/28 points (19 of 19 checks passed)" in result.output


def test_check_defaults_to_the_current_folder_when_it_holds_layers_py(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(copy_submission(SKELETON, tmp_path / "student"))
    result = run("check")
    assert_clean(result)
    assert result.exit_code == 1 and "Total: 0/26" in result.output


@pytest.mark.parametrize(("source", "code"), [(SKELETON, 1), (SOLUTION, 0)])
def test_check_json_has_the_report_fields(tmp_path: Path, source: Path, code: int) -> None:
    result = run("check", "--json", str(copy_submission(source, tmp_path / "student")))
    assert_clean(result)
    assert result.exit_code == code
    report = json.loads(result.stdout)
    assert report["assignment"] == "backprop"
    assert report["max_score"] == (28 if code == 0 else 26)
    assert report["score"] == (28 if code == 0 else 0)
    assert report["all_passed"] is (code == 0)
    assert isinstance(report["seconds"], float) and report["sandboxed"] is False
    assert len(report["checks"]) == 19
    for check in report["checks"]:
        assert {"name", "component", "points", "max_points", "status", "message"} <= set(check)
        assert check["component"] in check["name"]
        assert check["status"] == ("passed" if code == 0 else "failed")


def replace_in(name: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        path = folder / name
        text = path.read_text()
        assert text.count(old) == 1
        path.write_text(text.replace(old, new))

    return edit


def remove(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).unlink()


def line_of(folder: Path, name: str, text: str) -> int:
    lines = (folder / name).read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


# How the reference is broken, what the output must show ({line} is the line
# of the edited text, in the student's file) and how many checks still pass.
BROKEN = {
    "syntax error in layers.py": (
        replace_in("layers.py", "        return dx, dy\n", "        return dx, dy)\n"),
        ["layers.py has a syntax error", "at layers.py, line {line}: return dx, dy)"],
        0,
    ),
    "syntax error in xor.py": (
        replace_in("xor.py", "    losses = []\n", "    losses = [\n"),
        ["xor.py has a syntax error", "at xor.py, line {line}: losses = ["],
        10,
    ),
    "missing xor.py": (remove("xor.py"), ["xor.py is missing"], 13),
    "missing layers.py": (remove("layers.py"), ["layers.py is missing"], 0),
    "wrong class name": (
        replace_in("layers.py", "class AffineLayer:", "class AffineLayr:"),
        ["layers.py defines no 'AffineLayer'", "cannot import name 'AffineLayer'"],
        9,
    ),
    "exception in backward": (
        replace_in("layers.py", "(1.0 - self.a)", "(1.0 - self.cache)"),
        [
            "SigmoidLayer.backward raised AttributeError",
            "at layers.py, line {line}, in backward: return da * self.a * (1.0 - self.cache)",
        ],
        14,
    ),
    "import of a missing package": (
        replace_in("layers.py", "import numpy as np\n", "import numpy as np\nimport torch\n"),
        ["layers.py could not be imported: ModuleNotFoundError", "line {line}"],
        0,
    ),
    "exit at import": (
        replace_in("xor.py", "import numpy as np\n", "import numpy as np\nraise SystemExit(3)\n"),
        ["xor.py could not be imported: SystemExit"],
        13,
    ),
}
MARKERS = {
    "syntax error in layers.py": ("layers.py", "return dx, dy)"),
    "syntax error in xor.py": ("xor.py", "losses = ["),
    "exception in backward": ("layers.py", "self.cache"),
    "import of a missing package": ("layers.py", "import torch"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_check_turns_broken_code_into_failed_checks(tmp_path: Path, case: str) -> None:
    edit, fragments, passing = BROKEN[case]
    folder = copy_submission(SOLUTION, tmp_path / "student")
    edit(folder)
    line = line_of(folder, *MARKERS[case]) if case in MARKERS else 0
    result = run("check", str(folder))
    assert_clean(result)
    assert result.exit_code == 1
    for fragment in fragments:
        assert fragment.format(line=line) in result.output, result.output
    assert f"({passing} of 19 checks passed)" in result.output
    assert "ERR!" not in result.output  # a student's fault, never a grader error


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["check", "no/such/folder"], "no/such/folder"),
        (["check", "--checks", "no/such/folder", str(SOLUTION)], "has no public_checks.py"),
        (["skeleton", "no/such/folder", "--out", "x"], "does not exist"),
    ],
)
def test_bad_arguments_give_a_clean_error(args: list[str], fragment: str) -> None:
    result = run(*args)
    assert_clean(result)
    assert result.exit_code in (1, 2)
    assert fragment in result.output


def test_a_folder_without_checks_gives_a_clean_error(tmp_path: Path) -> None:
    (tmp_path / "layers.py").write_text("")
    result = run("check", str(tmp_path))
    assert_clean(result)
    assert result.exit_code == 1
    assert "has no public_checks.py" in result.output


def test_skeleton_command_writes_the_committed_skeleton(tmp_path: Path) -> None:
    result = run("skeleton", str(SOLUTION), "--out", str(tmp_path / "out"))
    assert_clean(result)
    assert result.exit_code == 0
    for name in ("layers.py", "xor.py", "public_checks.py"):
        assert (tmp_path / "out" / name).read_bytes() == (SKELETON / name).read_bytes()
        assert str(tmp_path / "out" / name) in result.output


def command_paths(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and subcommand (export nbgrader, export gradescope...)."""
    found, context = [], click.Context(group)
    for name in group.list_commands(context):  # the lazy group imports each as it is asked
        command = group.get_command(context, name)
        assert command is not None, name
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += command_paths(command, (*prefix, name))
    return found


@pytest.mark.parametrize("command", command_paths(), ids=" ".join)
def test_every_command_has_help_with_an_example(command: tuple[str, ...]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    example = result.output.split("Example", 1)[-1]
    assert "Example" in result.output and f"autograder {' '.join(command)}" in example


def test_check_loads_none_of_the_instructor_s_commands() -> None:
    """A student's `autograder check` imports only what it runs (0.25 s of imports, then
    0.14 s): not the templates, the grading pool, the LMS formats or the exports."""
    code = (
        "import sys; from autograder.cli import cli; import autograder.cli.check; "
        "print(sorted(m for m in sys.modules if m.startswith(('jinja2', 'autograder.cli.'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "['autograder.cli.base', 'autograder.cli.check']"


def test_python_m_autograder_help_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "autograder", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout
    for command in cli.list_commands(click.Context(cli)):
        assert command in result.stdout
