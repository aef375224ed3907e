"""The README's commands, run: they cannot drift from the code.

The semester's sections (hand out, collect, grade, regrade, similarity, hand
back, grades to the LMS) are run for real, in their order, in a folder
holding copies of the example class and the reference, with the roster the
README shows; what each writes is checked. Every other `autograder` command
of the README (clusters, nbgrader, Gradescope, placeholders such as
SUBMISSIONS) is parsed by the real command line, so a renamed option or
command fails here.
"""

from __future__ import annotations

import csv
import json
import re
import shlex
import shutil
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import click
import pytest
from conftest import REPO

from autograder.cli import cli

README = (REPO / "README.md").read_text(encoding="utf-8")
SEMESTER = "## The instructor's semester"
TASKS = (
    "1. Hand out",
    "2. Collect",
    "3. Grade",
    "4. Regrade",
    "5. Similarity",
    "6. Hand back",
    "7. Grades to the LMS",
)


def section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end >= 0 else len(text)]


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def autograder_commands(text: str) -> list[list[str]]:
    """Each `autograder ...` command of the bash blocks, as argv (comments dropped)."""
    found = []
    for block in blocks(text, "bash"):
        for line in block.splitlines():
            for part in line.split("&&"):
                argv = shlex.split(part, comments=True)
                if argv and argv[0] == "autograder":
                    found.append(argv)
    return found


SEMESTER_TEXT = section(README, SEMESTER)
SEMESTER_COMMANDS = autograder_commands(SEMESTER_TEXT)
OTHER_COMMANDS = [c for c in autograder_commands(README.replace(SEMESTER_TEXT, ""))]


def test_the_semester_has_one_section_per_task_each_with_its_command() -> None:
    for task in TASKS:
        assert f"### {task}" in SEMESTER_TEXT, task
    verbs = [argv[1] for argv in SEMESTER_COMMANDS]
    assert {"release", "grade", "similarity", "feedback", "grades"} <= set(verbs)
    assert any("--only" in argv for argv in SEMESTER_COMMANDS)


def parse(argv: list[str]) -> None:
    """Parse ``argv`` with the real command line, down to the leaf command, running nothing."""
    command: click.Command = cli
    context = command.make_context("autograder", argv[1:], resilient_parsing=False)
    while isinstance(command, click.Group):
        with warnings.catch_warnings():  # click 8.2 deprecates the name, not the value
            warnings.simplefilter("ignore", DeprecationWarning)
            rest = [*context.protected_args, *context.args]
        name, sub, rest = command.resolve_command(context, rest)
        assert sub is not None and name is not None
        context = sub.make_context(name, rest, parent=context)
        command = sub


@pytest.mark.parametrize("argv", OTHER_COMMANDS, ids=[" ".join(c[1:4]) for c in OTHER_COMMANDS])
def test_every_other_readme_command_parses(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)  # its paths (solutions/backprop...) are the repository's
    parse(argv)


def run(folder: Path, argv: list[str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "autograder", *argv[1:]],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"{' '.join(argv)}\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr
    return done


@pytest.fixture(scope="module")
def semester(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A folder with the example class, the reference and the README's roster; every
    command of the semester run in it, in order; what each printed, by command."""
    folder = tmp_path_factory.mktemp("semester")
    shutil.copytree(REPO / "examples" / "class", folder / "examples" / "class")
    shutil.copytree(
        REPO / "solutions" / "backprop",
        folder / "solutions" / "backprop",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (roster,) = blocks(SEMESTER_TEXT, "csv")
    (folder / "roster.csv").write_text(roster)
    printed: dict[str, object] = {"folder": folder}
    for argv in SEMESTER_COMMANDS:
        key = " ".join(argv[1:])
        if argv[1] == "grade" and "--only" in argv:
            printed["before-only"] = report_times(folder / "results")
        printed[key] = run(folder, argv).stdout
    return printed


def report_times(results: Path) -> dict[str, int]:
    return {p.parent.name: p.stat().st_mtime_ns for p in results.glob("*/report.json")}


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


def test_hand_out_builds_the_release_in_both_languages(semester: dict) -> None:
    folder: Path = semester["folder"]  # type: ignore[assignment]
    with zipfile.ZipFile(folder / "dist" / "backprop-release.zip") as bundle:
        notebook = json.loads(bundle.read("backprop-release/assignments/backprop/backprop.ipynb"))
        readme = bundle.read("backprop-release/README.md").decode()
    assert notebook["metadata"]["autograder"]["lang"] == "id"  # the second release, --lang id
    assert "--lang" in readme and "Bahasa Indonesia" in readme


def test_grade_with_the_roster(semester: dict) -> None:
    folder: Path = semester["folder"]  # type: ignore[assignment]
    results = folder / "results"
    first = str(semester["grade examples/class --out results --roster roster.csv"])
    assert "unchanged" not in first and "kept from the last run" not in first
    assert "Missing: on the roster, no submission (1): gita" in first
    assert "Not on the roster, graded all the same (1): frank" in first
    rows = {row["student"]: row for row in read_csv(results / "grades.csv")}
    assert list(rows) == ["alice", "bob", "carol", "dave", "erin", "frank", "gita"]
    assert rows["gita"]["status"] == "missing" and rows["gita"]["total"] == "0"
    summary = json.loads((results / "summary.json").read_text())
    assert summary["missing"] == ["gita"] and summary["not_on_roster"] == ["frank"]
    graded = [float(r["total"]) for s, r in rows.items() if s != "gita"]
    assert summary["graded"] == 6 and summary["mean"] == pytest.approx(sum(graded) / 6)
    page = (results / "summary.html").read_text()
    table = page[page.index('<table id="students">') :]
    assert '<a href="alice/feedback.html">' in table and "Alice Anggraini" in table
    assert '<td data-value="gita">gita</td>' in table and "(not on the roster)" in table


def test_results_hold_hidden_details_privately_and_feedback_readably(semester: dict) -> None:
    results: Path = semester["folder"] / "results"  # type: ignore[operator]
    private = ["grades.csv", "summary.json", "summary.html", "roster.json", "alice/report.json"]
    public = ["alice/feedback.html", "alice/feedback.md", "alice/results.json", "alice/loss.svg"]
    for name in private:
        assert (results / name).stat().st_mode & 0o777 == 0o600, name
    for name in public:
        assert (results / name).stat().st_mode & 0o777 == 0o644, name


def test_regrade_only_one_student_keeps_the_others(semester: dict) -> None:
    results: Path = semester["folder"] / "results"  # type: ignore[operator]
    before: dict[str, int] = semester["before-only"]  # type: ignore[assignment]
    after = report_times(results)
    assert {s for s in after if after[s] != before[s]} == {"bob"}
    printed = str(semester["grade examples/class --out results --only bob"])
    assert "(5 kept from the last run, not regraded)" in printed
    assert "gita" in (results / "grades.csv").read_text()  # the saved roster still applies


def test_similarity_prints_pairs_and_writes_its_report(semester: dict) -> None:
    folder: Path = semester["folder"]  # type: ignore[assignment]
    printed = str(semester["similarity examples/class --out similarity.html"])
    lines = printed.splitlines()
    assert lines[0].split() == ["student", "student", "similarity"]
    assert re.match(r"\w+ +\w+ +\d+%$", lines[1])
    assert '<table id="pairs">' in (folder / "similarity.html").read_text()


def test_hand_back_lays_out_student_files_only(semester: dict) -> None:
    folder: Path = semester["folder"]  # type: ignore[assignment]
    assert sorted(p.name for p in (folder / "handback" / "bob").iterdir()) == [
        "feedback.html",
        "feedback.md",
        "loss.svg",
    ]
    with zipfile.ZipFile(folder / "handback-zips" / "alice.zip") as bundle:
        assert "report.json" not in bundle.namelist() and "feedback.html" in bundle.namelist()
    assert not (folder / "handback" / "gita").exists()  # nothing handed in, nothing handed back


def test_grades_for_the_lms(semester: dict) -> None:
    results: Path = semester["folder"] / "results"  # type: ignore[operator]
    canvas = (results / "canvas-import.csv").read_text().splitlines()
    assert canvas[0] == "Student,ID,SIS User ID,SIS Login ID,Section,backprop"
    assert canvas[1] == "    Points Possible,,,,,47"
    assert canvas[-1] == "Gita Gunawan,,1007,gita,B,"  # missing: blank
    moodle = read_csv(results / "moodle-import.csv")
    assert [r["Email address"] for r in moodle][-1] == "gita@example.edu"
    listed = read_csv(results / "grades-list.csv")
    assert {r["student"]: r["on_roster"] for r in listed}["frank"] == "no"
