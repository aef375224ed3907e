"""Parcels: a submission shipped to a Dask worker is graded from what the local reader read.

What matters is that the worker's layout is the local layout: the same
module folder, the same files, the same refusal (with the same message) for
a broken, linked, hostile or oversized submission, and that nothing a
student handed in is ever unpacked on the worker by another path.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from conftest import files_in

from autograder.grading.parcels import (
    pack_folder,
    pack_submission,
    unpack_folder,
    unpack_submission,
)
from autograder.intake import tree
from autograder.intake.submissions import BadSubmission, Submission, lay_out_submission

MODULES = ("layers", "xor")


def flat(root: Path) -> Path:
    (root / "alice").mkdir(parents=True)
    (root / "alice" / "layers.py").write_text("x = 1\n")
    (root / "alice" / "xor.py").write_text("y = 2\n")
    (root / "alice" / "notes.txt").write_text("not graded\n")
    return root / "alice"


def nested(root: Path) -> Path:
    folder = root / "bob" / "backprop"
    folder.mkdir(parents=True)
    (folder / "layers.py").write_text("x = 'é'\n")
    (folder / "helper_2.py").write_text("h = 1\n")
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


def zip_slip(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(root / "eve.zip", "w") as bundle:
        bundle.writestr("../../escaped.py", "x = 1\n")
    return root / "eve.zip"


def empty(root: Path) -> Path:
    (root / "erin").mkdir(parents=True)
    return root / "erin"


def linked(root: Path) -> Path:
    folder = flat(root)
    (folder / "ref.py").symlink_to(folder / "layers.py")
    return folder


def hostile_notebook(root: Path) -> Path:
    cell = {
        "cell_type": "code",
        "metadata": {"autograder": {"module": "../../sitecustomize"}},
        "source": "import os\n",
        "outputs": [],
        "execution_count": None,
    }
    document = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (root / "frank").mkdir(parents=True)
    (root / "frank" / "backprop.ipynb").write_text(json.dumps(document))
    return root / "frank"


def outcome(submission: Submission, into: Path, shipped: bool) -> tuple[str, dict[str, bytes]]:
    """What grading lays out of a submission: the graded files, or the refusal."""
    try:
        if shipped:
            at_worker, files = unpack_submission(pack_submission(submission))
            layout = lay_out_submission(at_worker, into, MODULES, "backprop", tree=files)
        else:
            layout = lay_out_submission(submission, into, MODULES, "backprop")
    except BadSubmission as bad:
        return f"refused: {bad}", {}
    return ", ".join(layout.graded), files_in(layout.folder)


MAKERS = [flat, nested, zipped, broken_zip, zip_slip, empty, linked, hostile_notebook]


@pytest.mark.parametrize("make", MAKERS)
def test_the_worker_lays_out_what_the_client_would(make, tmp_path: Path) -> None:
    original = Submission("student", make(tmp_path / "class"))
    local = outcome(original, tmp_path / "local", shipped=False)
    assert outcome(original, tmp_path / "worker", shipped=True) == local
    assert not list(tmp_path.rglob("escaped.py")) and not list(tmp_path.rglob("sitecustomize*"))


def test_only_gradable_files_travel(tmp_path: Path) -> None:
    parcel = pack_submission(Submission("alice", flat(tmp_path)))
    assert parcel.tree is not None and sorted(parcel.tree.files) == ["layers.py", "xor.py"]


def test_an_oversized_folder_travels_as_its_refusal(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(tree, "MAX_FILES", 4)
    folder = tmp_path / "class" / "frank"
    folder.mkdir(parents=True)
    for number in range(5):
        (folder / f"f{number}.py").write_bytes(b"#" * 10)
    parcel = pack_submission(Submission("frank", folder))
    assert parcel.tree is None and parcel.refused == "'frank' is too large to be a submission"
    local = outcome(Submission("frank", folder), tmp_path / "a", shipped=False)
    assert local[0] == "refused: " + parcel.refused


def test_an_assignment_folder_round_trips_without_caches(tmp_path: Path) -> None:
    folder = tmp_path / "backprop"
    (folder / "data").mkdir(parents=True)
    (folder / "__pycache__").mkdir()
    (folder / "public_checks.py").write_text("suite = None\n")
    (folder / "data" / "inputs.npy").write_bytes(b"\x93NUMPY")
    (folder / "__pycache__" / "x.pyc").write_bytes(b"cache")
    copy = unpack_folder(pack_folder(folder), tmp_path / "worker" / "backprop")
    assert files_in(copy) == {
        "public_checks.py": b"suite = None\n",
        "data/inputs.npy": b"\x93NUMPY",
    }
