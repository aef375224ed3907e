"""Parcels: a submission shipped as bytes is laid out again as it was.

What matters is that the worker's copy gives ``materialize`` the same input
as the original: the same module folder, the same files, the same refusal
(with the same message) for a broken or oversized submission.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from autograder.grading import parcels
from autograder.grading.parcels import (
    pack_folder,
    pack_submission,
    unpack_folder,
    unpack_submission,
)
from autograder.intake import submissions
from autograder.intake.submissions import BadSubmission, Submission, materialize

MODULES = ("layers", "xor")


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def flat(root: Path) -> Path:
    (root / "alice").mkdir(parents=True)
    (root / "alice" / "layers.py").write_text("x = 1\n")
    (root / "alice" / "xor.py").write_text("y = 2\n")
    return root / "alice"


def nested(root: Path) -> Path:
    folder = root / "bob" / "backprop"
    folder.mkdir(parents=True)
    (folder / "layers.py").write_text("x = 'é'\n")
    (root / "bob" / ".hidden").write_bytes(b"\x00\x01")
    return root / "bob"


def zipped(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(root / "carol.zip", "w") as bundle:
        bundle.writestr("sub/layers.py", "x = 3\n")
        bundle.writestr("sub/xor.py", "y = 4\n")
    return root / "carol.zip"


def broken_zip(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "dave.zip").write_bytes(b"PK not really a zip")
    return root / "dave.zip"


def empty(root: Path) -> Path:
    (root / "erin").mkdir(parents=True)
    return root / "erin"


def outcome(submission: Submission, into: Path) -> tuple[str, dict[str, bytes]]:
    """What ``materialize`` makes of a submission: its module folder's files, or the refusal."""
    try:
        folder = materialize(submission, into, MODULES)
    except BadSubmission as bad:
        return f"refused: {bad}", {}
    return folder.relative_to(into).as_posix(), tree(folder)


@pytest.mark.parametrize("make", [flat, nested, zipped, broken_zip, empty])
def test_the_worker_materializes_what_the_client_would(make, tmp_path: Path) -> None:
    original = Submission("student", make(tmp_path / "class"))
    shipped = unpack_submission(pack_submission(original), tmp_path / "worker")
    assert shipped.path.name == original.path.name and shipped.student == "student"
    assert outcome(shipped, tmp_path / "b") == outcome(original, tmp_path / "a")


@pytest.mark.parametrize(
    ("files", "size", "max_files", "max_bytes"),
    [
        (5, 10, 4, 1000),  # one file too many
        (3, 400, 100, 1000),  # 1200 bytes, 200 too many
        (1, 5000, 100, 1000),  # one file alone too large
    ],
)
def test_an_oversized_folder_is_refused_alike_and_shipped_capped(
    files: int, size: int, max_files: int, max_bytes: int, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(submissions, "MAX_FILES", max_files)
    monkeypatch.setattr(submissions, "MAX_UNZIPPED_BYTES", max_bytes)
    monkeypatch.setattr(parcels, "MAX_FILES", max_files)
    monkeypatch.setattr(parcels, "MAX_UNZIPPED_BYTES", max_bytes)
    folder = tmp_path / "class" / "frank"
    folder.mkdir(parents=True)
    for number in range(files):
        (folder / f"f{number}.py").write_bytes(b"#" * size)
    original = Submission("frank", folder)
    parcel = pack_submission(original)
    shipped = unpack_submission(parcel, tmp_path / "worker")
    refusal = outcome(original, tmp_path / "a")
    assert refusal[0].startswith("refused: frank is too large")
    assert outcome(shipped, tmp_path / "b") == refusal
    assert sum(len(v) for v in tree(shipped.path).values()) <= max_bytes + 1
    assert len(tree(shipped.path)) <= max_files + 1


def test_an_assignment_folder_round_trips_without_caches(tmp_path: Path) -> None:
    folder = tmp_path / "backprop"
    (folder / "data").mkdir(parents=True)
    (folder / "__pycache__").mkdir()
    (folder / "public_checks.py").write_text("suite = None\n")
    (folder / "data" / "inputs.npy").write_bytes(b"\x93NUMPY")
    (folder / "__pycache__" / "x.pyc").write_bytes(b"cache")
    copy = unpack_folder(pack_folder(folder), tmp_path / "worker" / "backprop")
    assert tree(copy) == {
        "public_checks.py": b"suite = None\n",
        "data/inputs.npy": b"\x93NUMPY",
    }
