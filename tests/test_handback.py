"""`autograder feedback`: each student's pages laid out for return, and nothing else.

A results folder as `grade` leaves it (report.json with hidden details,
feedback.html/.md, loss.svg), made here so every byte is known; the real
nbgrader route (`nbgrader release_feedback` handing our page out) is in
test_nbgrader.py.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import files_in

from autograder.cli import cli
from autograder.core.files import write_atomically

STUDENTS = ("ana", "budi")
SECRET = "hidden reference value 987.654321"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture()
def results(tmp_path: Path) -> Path:
    folder = tmp_path / "results"
    for student in STUDENTS:
        report = {"assignment": "backprop", "fingerprint": "f", "score": 1, "message": SECRET}
        write_atomically(folder / student / "report.json", json.dumps(report))
        write_atomically(folder / student / "feedback.html", f"<p>{student}'s page</p>")
        write_atomically(folder / student / "feedback.md", f"# {student}\n![plot](loss.svg)\n")
        write_atomically(folder / student / "loss.svg", f"<svg>{student}</svg>")
        write_atomically(folder / student / "results.json", "{}")
    write_atomically(folder / "grades.csv", "student,total\nana,1\nbudi,1\ncleo,1\n")
    write_atomically(folder / "..hidden" / "report.json", json.dumps({"fingerprint": "f"}))
    write_atomically(folder / "cleo" / "report.json", json.dumps({"fingerprint": "f"}))  # no page
    return folder


def test_folders_hold_the_student_files_only(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "handback"
    done = run("feedback", str(results), "--out", str(out))
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in out.iterdir()) == list(STUDENTS)
    for student in STUDENTS:
        files = sorted(p.name for p in (out / student).iterdir())
        assert files == ["feedback.html", "feedback.md", "loss.svg"]
        assert (out / student / "feedback.html").stat().st_mode & 0o777 == 0o644
        texts = b"".join(p.read_bytes() for p in (out / student).iterdir())
        assert SECRET.encode() not in texts
    assert "no feedback.html (regrade them): cleo" in done.output


def test_zips_are_one_per_student_and_reproducible(results: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    for out in (first, second):
        assert run("feedback", str(results), "--out", str(out), "--layout", "zip").exit_code == 0
    assert sorted(p.name for p in first.iterdir()) == ["ana.zip", "budi.zip"]
    with zipfile.ZipFile(first / "budi.zip") as bundle:
        assert sorted(bundle.namelist()) == ["feedback.html", "feedback.md", "loss.svg"]
        assert bundle.read("feedback.html") == b"<p>budi's page</p>"
    assert (first / "ana.zip").read_bytes() == (second / "ana.zip").read_bytes()


def test_nbgrader_layout_with_the_autograde_keys(results: Path, tmp_path: Path) -> None:
    course = tmp_path / "course"
    keys = course / "autograded" / "ana" / "backprop"
    keys.mkdir(parents=True)
    (keys / "timestamp.txt").write_text("2024-01-01 00:00:00")
    (keys / "submission_secret.txt").write_text("s3cr3t")
    done = run("feedback", str(results), "--out", str(course), "--layout", "nbgrader")
    assert done.exit_code == 0, done.output
    page = course / "feedback" / "ana" / "backprop" / "backprop.html"
    assert page.read_text() == "<p>ana's page</p>"
    assert (page.parent / "submission_secret.txt").read_text() == "s3cr3t"
    assert (course / "feedback" / "budi" / "backprop" / "backprop.html").is_file()
    assert "for budi: `nbgrader release_feedback` needs them" in done.output
    later = course / "submitted" / "budi" / "backprop"  # collected, not yet autograded
    later.mkdir(parents=True)
    for key in ("timestamp.txt", "submission_secret.txt"):
        (later / key).write_text(key)
    again = run("feedback", str(results), "--out", str(course), "--layout", "nbgrader")
    assert again.exit_code == 0 and "needs them" not in again.output


def test_not_a_results_folder_is_refused(tmp_path: Path) -> None:
    done = run("feedback", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert done.exit_code == 1 and "no results folder" in done.output


@pytest.mark.parametrize("layout", ["folders", "zip", "nbgrader"])
@pytest.mark.parametrize("inside", [".", "handback", "ana"])
def test_handing_back_into_the_results_folder_is_refused(
    results: Path, layout: str, inside: str
) -> None:
    """Its folders are student ids: a zip beside them could take a student's place."""
    before = sorted(str(p.relative_to(results)) for p in results.rglob("*"))
    out = results / inside
    done = run("feedback", str(results), "--out", str(out), "--layout", layout)
    assert done.exit_code == 1 and "inside the results folder" in done.output
    assert sorted(str(p.relative_to(results)) for p in results.rglob("*")) == before


def submissions_folder(tmp_path: Path) -> Path:
    """A class's submissions: ana's zip, budi's folder, as `grade` reads them."""
    folder = tmp_path / "submissions"
    folder.mkdir()
    with zipfile.ZipFile(folder / "ana.zip", "w") as bundle:
        bundle.writestr("layers.py", "# ana's work\n")
    write_atomically(folder / "budi" / "layers.py", "# budi's work\n")
    return folder


@pytest.mark.parametrize("kept", ["both", "zips", "folders"])
@pytest.mark.parametrize("layout", ["folders", "zip"])
def test_handing_back_into_a_submissions_folder_is_refused(
    results: Path, tmp_path: Path, layout: str, kept: str
) -> None:
    """A zip layout there would replace ana's submission, a folder layout write into
    budi's; and pages beside a class of zips alone (or zips beside folders) made the next
    `grade` see each student twice: refused before anything is written."""
    out = submissions_folder(tmp_path)
    if kept == "zips":
        shutil.rmtree(out / "budi")
    elif kept == "folders":
        (out / "ana.zip").unlink()
    before = files_in(out)
    done = run("feedback", str(results), "--out", str(out), "--layout", layout)
    assert done.exit_code == 1, done.output
    assert "not handed-back feedback" in done.output and "Traceback" not in done.output
    assert files_in(out) == before


@pytest.mark.parametrize("layout", ["folders", "zip"])
def test_handing_back_again_replaces_the_earlier_pages(
    results: Path, tmp_path: Path, layout: str
) -> None:
    out = tmp_path / "handback"
    assert run("feedback", str(results), "--out", str(out), "--layout", layout).exit_code == 0
    write_atomically(results / "ana" / "feedback.html", "<p>ana's new page</p>")
    (out / "budi" / ".feedback.html.k1ll3d").parent.mkdir(exist_ok=True)
    (out / "budi" / ".feedback.html.k1ll3d").write_text("half")  # a killed run's leftover
    again = run("feedback", str(results), "--out", str(out), "--layout", layout)
    assert again.exit_code == 0, again.output
    if layout == "zip":
        with zipfile.ZipFile(out / "ana.zip") as bundle:
            assert bundle.read("feedback.html") == b"<p>ana's new page</p>"
    else:
        assert (out / "ana" / "feedback.html").read_text() == "<p>ana's new page</p>"


@pytest.mark.parametrize("kind", ["corrupt zip", "link to a zip elsewhere", "link to a page zip"])
def test_what_stands_at_a_zip_s_place_is_replaced_only_when_it_is_a_hand_back(
    results: Path, tmp_path: Path, kind: str
) -> None:
    """An ``<id>.zip`` that is no zip, or a link: read as a zip only to decide; a link is
    never written through, and its target is left as it was."""
    out, elsewhere = tmp_path / "handback", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    if kind == "corrupt zip":
        (out / "ana.zip").write_bytes(b"PK\x03\x04 not really a zip")
    else:
        with zipfile.ZipFile(elsewhere / "ana.zip", "w") as bundle:
            name = "feedback.html" if kind == "link to a page zip" else "layers.py"
            bundle.writestr(name, "ana's earlier file")
        (out / "ana.zip").symlink_to(elsewhere / "ana.zip")
    before = files_in(elsewhere)
    done = run("feedback", str(results), "--out", str(out), "--layout", "zip")
    assert files_in(elsewhere) == before
    if kind == "link to a page zip":
        assert done.exit_code == 0, done.output
        assert not (out / "ana.zip").is_symlink()  # the link replaced, not its target
        with zipfile.ZipFile(out / "ana.zip") as bundle:
            assert bundle.read("feedback.html") == b"<p>ana's page</p>"
    else:
        assert done.exit_code == 1 and "not handed-back feedback" in done.output
        assert "Traceback" not in done.output and not (out / "budi.zip").exists()
