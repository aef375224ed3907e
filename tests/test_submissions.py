"""Finding submissions and laying them out: folders, zips, nbgrader, and bad input.

A bad submission (a broken or hostile zip, a link) fails that student alone,
with a message; a bad submissions folder (empty, missing, one student's own
folder) is a clear error before anything is graded. No entry's name decides
the layout, and every entry is graded under a distinct id.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest
from adversarial_harness import ADVERSARIAL, SOLUTION, read_reports, run_grade
from hypothesis import given
from hypothesis import strategies as st

from autograder.core.errors import AutograderError
from autograder.core.files import CLASS_FILES
from autograder.intake import tree
from autograder.intake.names import assign_ids, is_valid_id, suffix
from autograder.intake.submissions import (
    BadSubmission,
    Submission,
    discover,
    find_submissions,
    fingerprint,
    materialize,
    student_id,
)

MODULES = ("layers", "xor")
HONEST = ADVERSARIAL / "twin_full"
FILES = {p.name: p.read_bytes() for p in HONEST.glob("*.py")}


def make_zip(path: Path, entries: dict[str, bytes], links: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as bundle:
        for name, data in entries.items():
            bundle.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            bundle.writestr(info, target)
    return path


def make_folder(path: Path, files: dict[str, bytes] = FILES) -> Path:
    for name, data in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_bytes(data)
    return path


def laid_out(submission: Submission, into: Path) -> dict[str, bytes]:
    folder = materialize(submission, into, MODULES, "backprop")
    return {p.name: p.read_bytes() for p in folder.glob("*.py")}


# -- good layouts ---------------------------------------------------------------------
LAYOUTS = {
    "folder": lambda root: make_folder(root / "alice"),
    "folder one level down": lambda root: make_folder(root / "alice" / "handin"),
    "zip": lambda root: make_zip(root / "alice.zip", FILES),
    "zip with a top-level folder": lambda root: make_zip(
        root / "alice.zip", {f"alice-backprop/{n}": d for n, d in FILES.items()}
    ),
    "zip with __MACOSX": lambda root: make_zip(
        root / "alice.zip", {**FILES, "__MACOSX/._layers.py": b"\0\0junk"}
    ),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_layout_gives_the_students_modules(tmp_path: Path, layout: str) -> None:
    root = tmp_path / "class"
    root.mkdir()
    LAYOUTS[layout](root)
    (found,) = discover(root)
    assert found.student == "alice"
    assert laid_out(found, tmp_path / "graded") == FILES


def nbgrader_course(course: Path, marker: str = "nbgrader_config.py") -> Path:
    for student in ("bob", "alice"):
        make_folder(course / "submitted" / student / "backprop")
        other = {"layers.py": b"raise RuntimeError('another assignment')\n"}
        make_folder(course / "submitted" / student / "autodiff", other)
    (course / marker).write_text("c = get_config()\n")
    return course


@pytest.mark.parametrize("marker", ["nbgrader_config.py", "gradebook.db"])
def test_an_nbgrader_course_is_known_by_its_own_files(tmp_path: Path, marker: str) -> None:
    found = discover(nbgrader_course(tmp_path / "course", marker))
    assert [s.student for s in found] == ["alice", "bob"]
    assert laid_out(found[0], tmp_path / "graded") == FILES


def test_the_submitted_folder_itself_grades_the_assignment_folders(tmp_path: Path) -> None:
    found = discover(nbgrader_course(tmp_path / "course") / "submitted")
    assert [s.student for s in found] == ["alice", "bob"]
    assert laid_out(found[1], tmp_path / "graded") == FILES


def test_a_student_named_submitted_is_a_student(tmp_path: Path) -> None:
    """Without nbgrader's files at the root, ``submitted`` is one more student's folder."""
    root = tmp_path / "class"
    make_folder(root / "alice")
    make_folder(root / "submitted" / "alice", {"layers.py": b"IMPOSTOR = 1\n"})
    found = discover(root)
    assert [s.student for s in found] == ["alice", "submitted"]
    assert laid_out(found[0], tmp_path / "alice") == FILES


def test_an_nbgrader_course_without_submissions_says_so(tmp_path: Path) -> None:
    (tmp_path / "nbgrader_config.py").write_text("")
    make_folder(tmp_path / "source" / "backprop")
    with pytest.raises(AutograderError, match="collect the submissions first"):
        discover(tmp_path)


def test_hidden_files_are_not_students(tmp_path: Path) -> None:
    make_folder(tmp_path / "alice")
    (tmp_path / ".DS_Store").write_bytes(b"")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "notes.txt").write_text("not a submission")
    assert [s.student for s in discover(tmp_path)] == ["alice"]


NFD_ZOE = "Zoe\u0308"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("alice", "alice"),
        ("Émile O'Brien", "Émile O'Brien"),
        (NFD_ZOE, "Zoë"),  # NFC
        ("李雷", "李雷"),
        ("-rf", "-rf"),
    ],
)
def test_student_ids_keep_their_unicode(name: str, expected: str) -> None:
    assert student_id(name) == expected


@pytest.mark.parametrize(
    "name",
    [
        *("a\nb", "tab\there", "esc\x1b[31m", "x" * 101, "é" * 60, "bad\udcff", "line\u2028sep"),
        # invisible: shown as another student's name ("alice"), or as nothing
        *("\u202eecila", "alice\u200b", "\u2066alice\u2069", "al\u00adice", "\ufeffalice"),
    ],
)
def test_names_that_cannot_be_ids_get_a_clean_id_with_a_hash(name: str) -> None:
    sid = student_id(name)
    assert sid.endswith(suffix(name)) and len(sid.encode("utf-8")) <= 100
    assert sid.isprintable() and "/" not in sid
    assert student_id(name) == sid  # deterministic


@pytest.mark.parametrize("name", sorted(CLASS_FILES) + ["Summary.JSON", "GRADES.csv"])
def test_a_class_files_name_is_never_a_student_id(name: str) -> None:
    """A student folder named summary.json would stop the batch writing its summary."""
    assert student_id(name) == name + suffix(name)


def test_a_submission_named_like_a_class_file_is_graded_under_another_id(
    tmp_path: Path,
) -> None:
    make_folder(tmp_path / "class" / "summary.json")
    make_zip(tmp_path / "class" / "grades.csv.zip", FILES)
    discovery = find_submissions(tmp_path / "class")
    assert {s.student for s in discovery.submissions} == {
        "summary.json" + suffix("summary.json"),
        "grades.csv" + suffix("grades.csv.zip"),
    }
    assert all("the results folder's own files" in w for w in discovery.warnings)


def test_symlinks_in_a_folder_refuse_the_submission(tmp_path: Path) -> None:
    """A cloned repository may hold links to the reference: they are never followed."""
    folder = make_folder(tmp_path / "class" / "mallory", {"xor.py": FILES["xor.py"]})
    (folder / "layers.py").symlink_to(SOLUTION / "layers.py")
    (found,) = discover(tmp_path / "class")
    with pytest.raises(BadSubmission, match="'layers.py' in 'mallory' is a symbolic link"):
        laid_out(found, tmp_path / "graded")
    assert not (tmp_path / "graded" / "layers.py").exists()


def test_a_link_deep_inside_a_submission_refuses_it(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "class" / "mallory")
    (folder / "deep" / "er").mkdir(parents=True)
    (folder / "deep" / "er" / "solutions").symlink_to(SOLUTION)
    (found,) = discover(tmp_path / "class")
    with pytest.raises(BadSubmission, match="deep/er/solutions"):
        laid_out(found, tmp_path / "graded")


def test_a_student_entry_that_is_a_link_is_refused_never_followed(tmp_path: Path) -> None:
    root = tmp_path / "class"
    make_folder(root / "alice")
    (root / "mallory").symlink_to(SOLUTION)
    discovery = find_submissions(root)
    mallory = next(s for s in discovery.submissions if s.student == "mallory")
    assert "symbolic link" in mallory.refused
    assert any("'mallory' is a symbolic link" in w for w in discovery.warnings)
    with pytest.raises(BadSubmission, match="symbolic link"):
        laid_out(mallory, tmp_path / "graded")
    assert fingerprint(mallory) != fingerprint(Submission("mallory", SOLUTION))


def test_the_fingerprint_follows_content_not_time(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "alice")
    first = fingerprint(Submission("alice", folder))
    (folder / "layers.py").touch()
    assert fingerprint(Submission("alice", folder)) == first
    (folder / "layers.py").write_bytes(FILES["layers.py"] + b"\n")
    assert fingerprint(Submission("alice", folder)) != first


# -- bad submissions: that student only ----------------------------------------------------
BAD_ZIPS = {
    "zip-slip": (lambda p: make_zip(p, {**FILES, "../escaped.py": b"x = 1\n"}), "unsafe entry"),
    "absolute path": (lambda p: make_zip(p, {**FILES, "/tmp/escaped.py": b"x = 1\n"}), "unsafe"),
    "symlink": (lambda p: make_zip(p, FILES, {"ref.py": str(SOLUTION / "layers.py")}), "unsafe"),
    "not a zip": (lambda p: p.write_bytes(b"this is not a zip") and p, "not a readable zip"),
    "too many files": (
        lambda p: make_zip(p, {f"f{i}.py": b"" for i in range(tree.MAX_FILES + 1)}),
        "too large",
    ),
    "too many entries": (
        lambda p: make_zip(p, {f"f{i}.txt": b"" for i in range(tree.MAX_ENTRIES + 1)}),
        "too large",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_ZIPS))
def test_a_bad_zip_is_refused_with_a_reason(tmp_path: Path, kind: str) -> None:
    build, reason = BAD_ZIPS[kind]
    archive = build(tmp_path / "mallory.zip")
    into = tmp_path / "deep" / "graded"
    with pytest.raises(BadSubmission, match=reason):
        materialize(Submission("mallory", archive), into, MODULES)
    assert not (tmp_path / "deep" / "escaped.py").exists()
    assert not Path("/tmp/escaped.py").exists()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tree, "MAX_UNZIPPED_BYTES", 1 << 20)
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("layers.py", b"#" * (4 << 20))  # 4 MiB that packs to a few KiB
    assert archive.stat().st_size < 100 << 10
    with pytest.raises(BadSubmission, match="too large"):
        materialize(Submission("bomb", archive), tmp_path / "graded", MODULES)
    assert not (tmp_path / "graded" / "layers.py").exists()


# -- bad submissions folders: clear errors -------------------------------------------------
def test_a_folder_and_a_zip_of_one_name_are_both_graded(tmp_path: Path) -> None:
    make_folder(tmp_path / "alice")
    make_zip(tmp_path / "alice.zip", FILES)
    discovery = find_submissions(tmp_path)
    ids = [s.student for s in discovery.submissions]
    assert sorted(ids) == sorted(["alice" + suffix("alice"), "alice" + suffix("alice.zip")])
    assert len(discovery.warnings) == 1 and "'alice' as" in discovery.warnings[0]


def test_ids_equal_after_nfc_and_casefold_are_made_distinct(tmp_path: Path) -> None:
    """Two non-ASCII ids that collide are both graded, deterministically, with a warning."""
    for name in ("Zoë", NFD_ZOE, "ZOË", "bob"):
        make_folder(tmp_path / name)
    first = find_submissions(tmp_path)
    again = find_submissions(tmp_path)
    ids = {s.path.name: s.student for s in first.submissions}
    assert ids["bob"] == "bob"
    for name in ("Zoë", NFD_ZOE, "ZOË"):
        assert ids[name].endswith(suffix(name))
    assert len(set(ids.values())) == 4
    assert [s.student for s in again.submissions] == [s.student for s in first.submissions]
    (warning,) = first.warnings
    assert "3 entries name the same student" in warning


LONG = "x" * 100  # two names cut to 100 bytes, whose sha256 share their first 8 hex digits


@pytest.mark.parametrize(
    "names",
    [
        ["alice", "ALICE", "alice" + suffix("alice")],  # a suffix forged from a known name
        ["alice", "ALICE", "alice" + suffix("alice").upper()],  # the same, in another case
        ["summary.json", "summary.json" + suffix("summary.json")],
        [LONG + "5063", LONG + "80dc"],  # found in 2**16 tries: suffix() is 32 bits
    ],
)
def test_no_names_make_two_students_one_id(names: list[str]) -> None:
    """Two entries sharing an id (ignoring case) stopped every command with a ValueError."""
    ids = assign_ids((name, name) for name in names)
    assert len({i.casefold() for i in ids.by_entry.values()}) == len(names)
    assert all(is_valid_id(i) for i in ids.by_entry.values()) and ids.warnings
    assert assign_ids((name, name) for name in reversed(names)) == ids  # deterministic


@given(st.lists(st.text(min_size=1, max_size=120), max_size=8, unique=True))
def test_any_entry_names_get_distinct_valid_ids(names: list[str]) -> None:
    ids = assign_ids((name, name) for name in names).by_entry.values()
    assert len({i.casefold() for i in ids}) == len(names)
    assert all(is_valid_id(i) for i in ids)


@pytest.mark.parametrize(("files", "subfolder"), [(FILES, "v1"), ({"backprop.ipynb": b"{}"}, "")])
def test_one_students_folder_is_not_a_class(
    tmp_path: Path, files: dict[str, bytes], subfolder: str
) -> None:
    """Module files at the root make it one submission even beside folders; a notebook
    alone does (an instructor may keep the assignment's notebook beside the class)."""
    folder = make_folder(tmp_path / "alice", files)
    (folder / subfolder).mkdir(exist_ok=True)
    with pytest.raises(AutograderError, match="looks like one student's submission") as error:
        discover(folder)
    assert "autograder check" in str(error.value) and "one entry per student" in str(error.value)


@pytest.mark.parametrize("where", ["empty", "missing", "a file"])
def test_no_submissions_is_an_error(tmp_path: Path, where: str) -> None:
    root = tmp_path / "class"
    if where == "empty":
        root.mkdir()
    elif where == "a file":
        root.write_text("not a folder")
    with pytest.raises(AutograderError, match="submissions"):
        discover(root)


# -- the real command --------------------------------------------------------------------
def test_the_command_grades_everyone_despite_bad_zips(tmp_path: Path) -> None:
    root = tmp_path / "class"
    make_folder(root / "alice")
    for kind in ("zip-slip", "symlink", "not a zip"):
        BAD_ZIPS[kind][0](root / f"{kind.replace(' ', '_')}.zip")
    result = run_grade(root, tmp_path / "out", "-j", "2")
    assert result.returncode == 0, result.stderr[-2000:]
    reports = read_reports(tmp_path / "out")
    assert reports["alice"]["score"] == reports["alice"]["max_score"]
    for student in ("zip-slip", "symlink", "not_a_zip"):
        assert reports[student]["score"] == 0
        assert "could not read your submission" in reports[student]["checks"][0]["message"]
    assert not (tmp_path / "escaped.py").exists()
    assert "Traceback" not in result.stderr


def test_students_named_like_class_files_leave_the_class_files_whole(tmp_path: Path) -> None:
    """Every file the batch writes beside the students' folders is a class file, and a
    student named like one is graded under another id: no class file is lost."""
    root = tmp_path / "class"
    for student in ("alice", "summary.json", "Timings.JSON", "roster.json"):
        make_folder(root / student)
    make_zip(root / "grades.csv.zip", FILES)
    out = tmp_path / "out"
    result = run_grade(root, out, "-j", "2")
    assert result.returncode == 0, result.stderr[-2000:]
    files = {p.name for p in out.iterdir() if not p.is_dir() and not p.name.startswith(".")}
    assert files and files <= CLASS_FILES
    assert {"grades.csv", "summary.json", "summary.html", "timings.json"} <= files
    reports = read_reports(out)
    assert len(reports) == 5 and all(r["score"] == r["max_score"] for r in reports.values())
    assert {p.name for p in out.iterdir() if p.is_dir()} == set(reports)  # no folder of its own
    assert not any(name.casefold() in {f.casefold() for f in CLASS_FILES} for name in reports)


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ("empty", "holds no submissions"),
        ("missing", "no submissions folder"),
        ("one student", "looks like one student's submission"),
    ],
)
def test_the_command_explains_a_bad_submissions_folder(
    tmp_path: Path, where: str, says: str
) -> None:
    root = tmp_path / "class"
    if where == "empty":
        root.mkdir()
    if where == "one student":
        make_folder(root)
    result = run_grade(root, tmp_path / "out", scratch=tmp_path / "tmp")
    assert result.returncode != 0
    assert "Error:" in result.stderr and says in result.stderr
    assert "Traceback" not in result.stderr
