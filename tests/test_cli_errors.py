"""What a new instructor ran into, each fixed: a clear refusal, never a traceback or a wrong grade.

Ranges of numeric options, unwritable outputs (refused before any grading),
results inside the submissions folder, a reference or a student notebook
overwritten, `check` given one file, `--assignment` resolved from the
course (never from the installed package), an exported course's seed.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner, Result
from conftest import SKELETON, SOLUTION, copy_submission, files_in, unmarked

from autograder.cli import cli
from autograder.core.errors import AutograderError
from autograder.distribution.nbgrader_course import config_text
from autograder.grading.classlist import check_results_folder
from autograder.grading.locate import course_seed, find_assignment
from autograder.intake.submissions import Submission


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def assert_clean(result: Result, code: int) -> None:
    assert "Traceback" not in result.output
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--timeout-floor", "0"],
        ["check", "--timeout-floor", "-1"],
        ["grade", "s", "--out", "o", "--timeout-floor", "0"],
        ["grade", "s", "--out", "o", "--timeout-factor", "0"],
        ["grade", "s", "--out", "o", "--memory-mb", "16"],
        ["grade", "s", "--out", "o", "-j", "0"],
        ["grade", "s", "--out", "o", "--seed", "-3"],
        ["similarity", "s", "--top", "0"],
        ["export", "gradescope", "--seed", "-1"],
    ],
)
def test_numeric_options_out_of_range_are_refused(args: list[str]) -> None:
    result = run(*args)
    assert_clean(result, 2)
    assert "is not in the range" in result.output or "is not in the valid range" in result.output


def test_check_html_into_a_missing_folder_is_refused_before_checking(tmp_path: Path) -> None:
    folder = copy_submission(SKELETON, tmp_path / "student")
    result = run("check", str(folder), "--html", "/missing/dir/x.html")
    assert_clean(result, 1)
    assert (
        "cannot write --html /missing/dir/x.html: there is no folder /missing/dir" in result.output
    )
    assert "Total" not in result.output  # refused before any check ran


@pytest.mark.parametrize(
    "args",
    [
        ["grade", "SUBMISSIONS", "--out", "/proc/autograder-results"],
        ["release", "--out", "/proc/autograder-dist"],
        ["feedback", "RESULTS", "--out", "/proc/autograder-handback"],
        ["similarity", "SUBMISSIONS", "--out", "/proc/x/similarity.html"],
    ],
)
def test_unwritable_outputs_are_refused_clearly(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_submission(SOLUTION, tmp_path / "SUBMISSIONS" / "ana")
    shutil.copytree(SOLUTION, tmp_path / "solutions" / "backprop")
    (tmp_path / "RESULTS").mkdir()
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert_clean(result, 1)
    assert "cannot write" in result.output and "/proc/" in result.output


def test_a_page_or_an_lms_file_never_overwrites_a_source(tmp_path: Path) -> None:
    """--html, similarity's --out and grades' --out replace only a file of their own
    kind: a student's layers.py, notebook or zip, the grader's grades.csv and the
    roster are refused, and left as they were."""
    folder = copy_submission(SOLUTION, tmp_path / "alice")
    sources = {name: (folder / name).read_bytes() for name in ("layers.py", "xor.py")}
    (folder / "sub.zip").write_bytes(b"PK")
    sources["sub.zip"] = b"PK"
    for name in sources:
        result = run("check", str(folder), "--checks", str(SOLUTION), "--html", str(folder / name))
        assert_clean(result, 1)
        assert "exists and is not a .html or .htm file" in result.output
    result = run("similarity", str(tmp_path), "--out", str(folder / "xor.py"))
    assert_clean(result, 1)
    assert {name: (folder / name).read_bytes() for name in sources} == sources
    results = tmp_path / "results"
    (tmp_path / "class").mkdir()
    shutil.copytree(folder, tmp_path / "class" / "bob")
    graded = run("grade", str(tmp_path / "class"), "--out", str(results), "--no-sandbox")
    assert_clean(graded, 0)
    before = (results / "grades.csv").read_bytes()
    roster = tmp_path / "roster.csv"
    roster.write_text("student\nbob\n")
    for out in (results / "grades.csv", roster):
        args = ["grades", str(results), "--format", "csv", "--out", str(out)]
        result = run(*args, "--roster", str(roster))
        assert_clean(result, 1)
        assert "choose another name" in result.output
    assert (results / "grades.csv").read_bytes() == before
    assert roster.read_text() == "student\nbob\n"
    page = tmp_path / "page.html"
    page.write_text("an older page")
    result = run("check", str(folder), "--checks", str(SOLUTION), "--html", str(page))
    assert "exists and is not" not in result.output and "an older page" not in page.read_text()


def test_results_inside_the_submissions_folder_are_refused(tmp_path: Path) -> None:
    submissions = tmp_path / "class"
    copy_submission(SOLUTION, submissions / "ana")
    result = run(
        "grade",
        str(submissions),
        "--out",
        str(submissions / "results"),
        "--assignment",
        str(SOLUTION),
    )
    assert_clean(result, 1)
    assert "is inside the submissions folder" in result.output
    assert sorted(p.name for p in submissions.iterdir()) == ["ana"]  # nothing created there


def test_a_results_folder_among_the_submissions_is_refused(tmp_path: Path) -> None:
    submissions = tmp_path / "class"
    copy_submission(SOLUTION, submissions / "ana")
    for name in ("grades.csv", "summary.json"):
        (submissions / "results" / name).parent.mkdir(exist_ok=True)
        (submissions / "results" / name).write_text("")
    result = run(
        "grade", str(submissions), "--out", str(tmp_path / "out"), "--assignment", str(SOLUTION)
    )
    assert_clean(result, 1)
    assert "it is a results folder, not a student's submission" in result.output


def test_a_folder_the_grader_may_not_read_is_not_taken_for_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Looking into a student's folder the grader may not read (chmod 000) raised
    PermissionError, and `grade` stopped before grading anyone: reading it is that
    student's failure alone."""
    carol = tmp_path / "class" / "carol"
    carol.mkdir(parents=True)
    is_file = Path.is_file

    def refused(path: Path) -> bool:
        if path.parent == carol:
            raise PermissionError(13, "Permission denied", str(path))
        return is_file(path)

    monkeypatch.setattr(Path, "is_file", refused)
    check_results_folder(tmp_path / "class", tmp_path / "out", [Submission("carol", carol)])


@pytest.mark.parametrize("given", ["empty", "student"])
def test_skeleton_of_a_folder_without_solution_regions_is_refused(
    tmp_path: Path, given: str
) -> None:
    """It exited 0 writing nothing (an empty folder), or copied a student's code."""
    folder = tmp_path / given
    folder.mkdir()
    if given == "student":
        shutil.copy(SKELETON / "layers.py", folder / "layers.py")
    result = run("skeleton", str(folder), "--out", str(tmp_path / "out"))
    assert_clean(result, 1)
    assert "holds no ### BEGIN SOLUTION region" in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_skeleton_never_overwrites_a_reference_without_force(tmp_path: Path) -> None:
    reference = tmp_path / "backprop"
    shutil.copytree(SOLUTION, reference, ignore=shutil.ignore_patterns("__pycache__"))
    before = (reference / "layers.py").read_text()
    refused = run("skeleton", str(reference), "--out", str(reference))
    assert_clean(refused, 1)
    assert "holds solution regions" in refused.output and "--force" in refused.output
    assert (reference / "layers.py").read_text() == before
    forced = run("skeleton", str(reference), "--out", str(reference), "--force")
    assert_clean(forced, 0)
    assert "### BEGIN SOLUTION" not in (reference / "layers.py").read_text()


def fill_in(folder: Path, name: str) -> None:
    """A student's work in ``folder``: the reference's code, one notebook stub filled in,
    the answer written above a stub that is left in place, a cell added, or a file that
    no longer parses."""
    path = folder / name
    if name == "backprop.ipynb":
        notebook = nbformat.read(str(path), as_version=4)
        code = [c for c in notebook.cells if c.cell_type == "code"]
        cell = next(c for c in code if "raise NotImplementedError(" in c.source)
        cell.source = re.sub(r"raise NotImplementedError\(.*\)", "pass", cell.source, count=1)
        nbformat.write(notebook, str(path))
    elif name == "copied_cell.ipynb":  # the stub cell kept, a filled-in copy below it
        path = folder / "backprop.ipynb"
        notebook = nbformat.read(str(path), as_version=4)
        index = next(i for i, c in enumerate(notebook.cells) if "NotImplementedError(" in c.source)
        copy = nbformat.v4.new_code_cell(notebook.cells[index].source.replace("raise", "# "))
        notebook.cells.insert(index + 1, copy)
        nbformat.write(notebook, str(path))
    elif name == "above_stub.py":  # the answer above the stub, which stays unreachable
        text = (folder / "layers.py").read_text()
        answer = "        dx, dy = dz * self.y, dz * self.x\n        return dx, dy\n"
        marker = '        raise NotImplementedError("implement MultiplyLayer.backward")\n'
        assert marker in text
        (folder / "layers.py").write_text(text.replace(marker, answer + marker))
    elif name == "broken.py":
        (folder / "xor.py").write_text("def train_xor(X, y, params,\n")
    else:
        path.write_text(unmarked((SOLUTION / name).read_text()))


@pytest.mark.parametrize(
    "name",
    ["layers.py", "xor.py", "backprop.ipynb", "broken.py", "above_stub.py", "copied_cell.ipynb"],
)
def test_skeleton_never_overwrites_a_students_work_without_force(tmp_path: Path, name: str) -> None:
    """A student's filled-in stubs were silently replaced with fresh ones (and, while
    stubs were counted, so was an answer written above a stub left in place)."""
    student = tmp_path / "backprop"
    shutil.copytree(SKELETON, student)
    fill_in(student, name)
    before = files_in(student)
    refused = run("skeleton", str(SOLUTION), "--out", str(student))
    assert_clean(refused, 1)
    shown = {"broken.py": "xor.py", "above_stub.py": "layers.py"}.get(name, name)
    shown = "backprop.ipynb" if name == "copied_cell.ipynb" else shown
    assert "changed since `autograder skeleton` wrote them" in refused.output
    assert shown in refused.output.replace("\n", " ")
    assert "--force" in refused.output
    assert files_in(student) == before  # nothing written, the other files neither
    forced = run("skeleton", str(SOLUTION), "--out", str(student), "--force")
    assert_clean(forced, 0)
    assert files_in(student) == files_in(SKELETON)


def nbgrader_files(course: Path) -> None:
    """What nbgrader and the instructor add to a course: never this command's to touch."""
    for name in ("release/backprop/backprop.ipynb", "submitted/ana/backprop/backprop.ipynb"):
        (course / name).parent.mkdir(parents=True)
        (course / name).write_text("{}")
    (course / "gradebook.db").write_bytes(b"SQLite format 3\0")
    (course / "source" / "backprop" / "xor_plot.png").write_bytes(b"\x89PNG")


def test_export_nbgrader_never_replaces_an_edited_file_without_force(tmp_path: Path) -> None:
    """An instructor's edits to nbgrader_config.py (or the grader's files) were rewritten."""
    course = tmp_path / "course"
    export = ["export", "nbgrader", "--solution", str(SOLUTION), "--out", str(course)]
    assert_clean(run(*export), 0)
    nbgrader_files(course)
    generated = files_in(course)
    assert_clean(run(*export), 0)  # unchanged: the same files again
    assert files_in(course) == generated
    config, hidden = (
        course / "nbgrader_config.py",
        course / "grader" / "backprop" / "hidden_checks.py",
    )
    config.write_text(config.read_text() + "c.Exchange.root = '/srv/exchange'\n")
    hidden.write_text(hidden.read_text() + "# graded by hand this term\n")
    edited = files_in(course)
    refused = run(*export, "--seed", "4711")
    assert_clean(refused, 1)
    assert f"{config}, {hidden} already exist with other content" in refused.output
    assert "add --force to replace them" in refused.output
    assert files_in(course) == edited  # nothing written
    assert_clean(run(*export, "--force"), 0)
    assert files_in(course) == generated  # ours replaced, nbgrader's and the png untouched


def test_notebook_never_rewrites_a_student_notebook_without_force(tmp_path: Path) -> None:
    student = tmp_path / "backprop"
    shutil.copytree(SKELETON, student)
    before = (student / "backprop.ipynb").read_text()
    refused = run("notebook", str(student))
    assert_clean(refused, 1)
    assert "so it is a student notebook" in refused.output
    assert (student / "backprop.ipynb").read_text() == before


@pytest.mark.parametrize("target", ["layers.py", "nothing-here"])
def test_check_says_what_it_expects(
    target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_submission(SKELETON, tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run("check", target)
    assert_clean(result, 1)
    assert "check takes a folder holding layers.py and xor.py" in result.output
    assert "no folder or notebook layers.py" not in result.output


# -- where the reference is ------------------------------------------------------------------
def course(root: Path, *names: str) -> Path:
    for name in names:
        (root / "grader" / name).mkdir(parents=True)
        (root / "grader" / name / "public_checks.py").write_text("")
    (root / "submitted" / "ana" / names[0]).mkdir(parents=True)
    return root


def test_the_assignment_comes_from_the_option_first(tmp_path: Path) -> None:
    course(tmp_path, "backprop")
    assert find_assignment(Path("mine"), tmp_path, tmp_path) == Path("mine")


@pytest.mark.parametrize("given", ["course", "course/submitted"])
def test_an_nbgrader_course_gives_its_grader_folder(tmp_path: Path, given: str) -> None:
    course(tmp_path / "course", "backprop")
    (tmp_path / "solutions" / "backprop").mkdir(parents=True)
    (tmp_path / "solutions" / "backprop" / "public_checks.py").write_text("")
    found = find_assignment(None, tmp_path / given, tmp_path)
    assert found == tmp_path / "course" / "grader" / "backprop"


def test_inside_a_course_folder_the_grader_folder_is_found(tmp_path: Path) -> None:
    course(tmp_path, "backprop")
    assert find_assignment(None, Path("submitted"), tmp_path) == tmp_path / "grader" / "backprop"


def test_several_assignments_the_submitted_one_is_taken(tmp_path: Path) -> None:
    course(tmp_path, "backprop", "convnet")
    assert find_assignment(None, tmp_path, tmp_path).name == "backprop"
    (tmp_path / "submitted" / "ana" / "convnet").mkdir()
    with pytest.raises(AutograderError, match="several assignments"):
        find_assignment(None, tmp_path, tmp_path)


def test_then_the_solutions_folder(tmp_path: Path) -> None:
    (tmp_path / "solutions" / "backprop").mkdir(parents=True)
    (tmp_path / "solutions" / "backprop" / "public_checks.py").write_text("")
    assert find_assignment(None, tmp_path / "class", tmp_path).name == "backprop"


def test_nowhere_is_refused_naming_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_submission(SOLUTION, tmp_path / "class" / "ana")
    monkeypatch.chdir(tmp_path)
    result = run("grade", "class", "--out", "results")
    assert_clean(result, 1)
    assert "looked in ./grader/<assignment>/" in result.output  # relative to where it ran
    assert "./solutions/<assignment>/" in result.output
    assert "site-packages" not in result.output and not (tmp_path / "results").exists()


def test_the_seed_of_an_exported_course_is_read_back(tmp_path: Path) -> None:
    course(tmp_path, "backprop")
    (tmp_path / "nbgrader_config.py").write_text(config_text("c", "backprop", 4711))
    assert course_seed(tmp_path / "grader" / "backprop", tmp_path / "submitted") == 4711
    assert course_seed(SOLUTION, tmp_path / "submitted", tmp_path) == 4711
    assert course_seed(SOLUTION, tmp_path / "elsewhere", tmp_path / "elsewhere") is None


def fake_result(folder: Path, assignment: str, score: float) -> None:
    document = {"assignment": assignment, "score": score, "max_score": 47.0, "status": "ok"}
    document |= {"grader_error": "", "fingerprint": "f", "checks": []}
    folder.mkdir(parents=True)
    (folder / "report.json").write_text(json.dumps(document))


def test_a_results_folder_of_another_assignment_is_refused(tmp_path: Path) -> None:
    """Grading neuron into backprop's results left carol (graded for backprop only)
    among them: `grades` exported her 47 backprop points as her neuron grade."""
    submissions = tmp_path / "class"
    copy_submission(SOLUTION, submissions / "ana")
    fake_result(tmp_path / "out" / "carol", "neuron", 25.0)
    result = run(
        "grade", str(submissions), "--out", str(tmp_path / "out"), "--assignment", str(SOLUTION)
    )
    assert_clean(result, 1)
    assert "holds results of the assignment 'neuron' (carol/report.json)" in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["carol"]  # nothing graded


@pytest.mark.parametrize("command", [["grades", "--format", "csv"], ["feedback"]])
def test_results_of_two_assignments_are_never_exported_as_one(
    tmp_path: Path, command: list[str]
) -> None:
    fake_result(tmp_path / "out" / "ana", "neuron", 25.0)
    fake_result(tmp_path / "out" / "carol", "backprop", 47.0)
    (tmp_path / "out" / "ana" / "feedback.html").write_text("<p>ana</p>")
    (tmp_path / "out" / "carol" / "feedback.html").write_text("<p>carol</p>")
    name, *options = command
    result = run(name, str(tmp_path / "out"), *options, "--out", str(tmp_path / "export"))
    assert_clean(result, 1)
    assert "holds results of several assignments" in result.output


@pytest.mark.parametrize(
    ("options", "environment", "warned"),
    [
        ([], {}, True),  # forgotten: the default seed is public
        (["--seed", "4711"], {}, False),
        ([], {"AUTOGRADER_SEED": "4711"}, False),
        (["--seed", "0"], {}, False),  # chosen, however unwise
    ],
)
def test_grading_on_the_default_seed_says_the_hidden_inputs_are_public(
    tmp_path: Path, options: list[str], environment: dict[str, str], warned: bool
) -> None:
    (tmp_path / "class").mkdir()  # no submissions: the warning comes first, then the refusal
    command = ["grade", str(tmp_path / "class"), "--out", str(tmp_path / "out")]
    command += ["--assignment", str(SOLUTION), *options]
    result = CliRunner().invoke(cli, command, env={"AUTOGRADER_SEED": None, **environment})
    assert ("the default --seed 0, which everyone knows" in result.output) is warned
    assert "Traceback" not in result.output


@pytest.mark.parametrize("kind", ["file", "link"])
def test_a_file_named_after_a_student_in_out_is_refused_before_grading(
    tmp_path: Path, kind: str
) -> None:
    """The student's results folder cannot go there: it stopped the batch after that
    student was graded ("File exists"), with the rest ungraded."""
    submissions, out = tmp_path / "class", tmp_path / "results"
    for student in ("ana", "budi"):
        copy_submission(SOLUTION, submissions / student)
    out.mkdir()
    (tmp_path / "elsewhere").mkdir()
    if kind == "file":
        (out / "budi").write_text("the instructor's notes on budi")
    else:
        (out / "budi").symlink_to(tmp_path / "elsewhere")
    result = run("grade", str(submissions), "--out", str(out), "--assignment", str(SOLUTION))
    assert_clean(result, 1)
    assert f"holds {out / 'budi'}, where a student's results folder goes" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["budi"]  # nothing graded, nothing lost
    assert not any((tmp_path / "elsewhere").iterdir())
