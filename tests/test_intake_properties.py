"""Properties of reading submissions, on random and malicious notebooks, zips and folders.

Whatever the bytes, reading and laying out a submission (1) writes nothing
outside the scratch folder, and only file names of the grammar inside it,
and (2) raises nothing but ``BadSubmission`` ("could not read your
submission"). The strategies mix the shapes attackers use (``../`` and
absolute entries, links, names holding newlines, cell metadata naming other
modules or holding non-strings, deep nesting, unknown nbformat versions,
corrupted and truncated archives) with well-formed submissions, so that
both the refusals and the paths that write files are exercised.
"""

from __future__ import annotations

import io
import json
import os
import stat
import sys
import warnings
import zipfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from autograder.intake.names import HELPER_FILE
from autograder.intake.submissions import BadSubmission, Submission, lay_out_submission

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "backprop"
MODULES = ("layers", "xor")
REAL_NOTEBOOK = json.loads((SOLUTION / "backprop.ipynb").read_text())
SETTINGS = settings(
    max_examples=60,
    deadline=None,  # a loaded CI machine: correctness, not speed, is the property
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

HOSTILE_NAMES = [
    "../sitecustomize",
    "../../escaped",
    "/tmp/escaped",
    "layers\nimport os",
    "sitecustomize",
    "layers.py",
    "x/../../y",
    "",
    "\x00",
    "layers\x00",
    "ü",
]
module_names = st.one_of(
    st.sampled_from([*MODULES, *HOSTILE_NAMES]),
    st.text(max_size=12),
    st.integers(),
    st.none(),
    st.lists(st.sampled_from(MODULES), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
json_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
json_any = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=10,
)


@st.composite
def cells(draw: Any) -> Any:
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return draw(json_any)
    metadata: Any = {"autograder": {"module": draw(module_names), "demo": draw(st.booleans())}}
    if kind == 1:
        metadata = draw(st.one_of(json_any, st.just({"autograder": draw(json_any)})))
    source: Any = draw(st.sampled_from(["x = 1\n", ["a = 1\n", "b = 2\n"], "%magic\n!ls"]))
    if kind == 2:
        source = draw(json_any)
    cell_type = draw(st.sampled_from(["code", "code", "markdown", None]))
    return {"cell_type": cell_type, "metadata": metadata, "source": source}


@st.composite
def notebooks(draw: Any) -> bytes:
    kind = draw(st.integers(0, 6))
    if kind == 0:
        return draw(st.binary(max_size=200))
    if kind == 1:  # nesting past the recursion limit, or many small containers
        depth = draw(st.sampled_from([10, 2000, 50_000]))
        return b'{"cells": ' + b"[" * depth + b"]" * depth + b', "nbformat": 4}'
    if kind == 2:  # the real notebook, one cell's metadata replaced
        document = json.loads(json.dumps(REAL_NOTEBOOK))
        index = draw(st.integers(0, len(document["cells"]) - 1))
        document["cells"][index]["metadata"] = {"autograder": {"module": draw(module_names)}}
        return json.dumps(document).encode()
    if kind == 3:
        return json.dumps(REAL_NOTEBOOK).encode()
    version = draw(st.one_of(st.sampled_from([1, 2, 3, 4, 4, 4, 5, "4", None]), json_any))
    document = {"cells": draw(st.lists(cells(), max_size=4)), "nbformat": version}
    if draw(st.booleans()):
        document["metadata"] = draw(json_any)
    return json.dumps(document).encode()


entry_names = st.one_of(
    st.sampled_from(
        [
            "layers.py",
            "xor.py",
            "helper.py",
            "backprop.ipynb",
            "other.ipynb",
            "v1/layers.py",
            "v2/layers.py",
            "backprop/xor.py",
            ".ipynb_checkpoints/backprop.ipynb",
            "__MACOSX/._layers.py",
            "../escaped.py",
            "../../sitecustomize.py",
            "/tmp/escaped.py",
            "C:/escaped.py",
            "a\\..\\..\\escaped.py",
            "dir/",
            "new\nline.py",
            "ok/./layers.py",
        ]
    ),
    st.text(min_size=1, max_size=15).map(lambda s: s + ".py"),
)


@st.composite
def contents(draw: Any) -> bytes:
    return draw(st.one_of(notebooks(), st.binary(max_size=64), st.just(b"x = 1\n")))


@st.composite
def zips(draw: Any) -> bytes:
    buffer = io.BytesIO()
    method = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2]))
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", method) as bundle:
        warnings.simplefilter("ignore")  # duplicate names are one of the hostile shapes
        for name in draw(st.lists(entry_names, max_size=6)):
            info = zipfile.ZipInfo(name)
            if draw(st.integers(0, 5)) == 0:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            bundle.writestr(info, draw(contents()))
    data = buffer.getvalue()
    damage = draw(st.integers(0, 3))
    if damage == 1 and data:  # truncated
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif damage == 2 and data:  # one byte flipped
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]
    return data


def snapshot(root: Path, skip: Path) -> dict[str, tuple[int, int]]:
    """Every path below ``root`` but ``skip``: (mode, size), links not followed."""
    found = {}
    for base, dirs, files in os.walk(root):
        if Path(base) == skip or skip in Path(base).parents:
            continue
        for name in dirs + files:
            info = os.lstat(os.path.join(base, name))
            found[os.path.join(base, name)] = (info.st_mode, info.st_size)
    return found


SITE = [Path(p) / "sitecustomize.py" for p in sys.path if p]


def assert_contained(submission: Submission, workspace: Path) -> None:
    """Lay ``submission`` out; only BadSubmission, nothing written outside scratch."""
    scratch = workspace / "scratch"
    scratch.mkdir()
    before = snapshot(workspace, scratch)
    sites = {p for p in SITE if p.exists()}
    try:
        layout = lay_out_submission(submission, scratch, MODULES, "backprop", SOLUTION)
    except BadSubmission as bad:
        assert str(bad)
        event("refused")
    else:
        event(f"graded {len(layout.graded)} file(s), wrote {len(list(scratch.iterdir()))}")
    assert snapshot(workspace, scratch) == before
    assert {p for p in SITE if p.exists()} == sites
    for path in scratch.iterdir():
        assert path.is_file() and not path.is_symlink() and HELPER_FILE.fullmatch(path.name)


def fresh(tmp_path: Path) -> Path:
    """A new empty workspace per example (hypothesis reuses tmp_path)."""
    count = len(list(tmp_path.iterdir()))
    workspace = tmp_path / f"w{count}"
    workspace.mkdir()
    return workspace


@SETTINGS
@given(data=zips())
def test_any_zip_is_laid_out_or_refused(tmp_path: Path, data: bytes) -> None:
    workspace = fresh(tmp_path)
    archive = workspace / "class" / "mallory.zip"
    archive.parent.mkdir()
    archive.write_bytes(data)
    assert_contained(Submission("mallory", archive), workspace)


@SETTINGS
@given(notebook=notebooks(), beside=st.sampled_from(["", "skeleton", "filled"]))
def test_any_notebook_is_laid_out_or_refused(tmp_path: Path, notebook: bytes, beside: str) -> None:
    workspace = fresh(tmp_path)
    folder = workspace / "class" / "mallory"
    folder.mkdir(parents=True)
    (folder / "backprop.ipynb").write_bytes(notebook)
    source = {"skeleton": REPO / "assignments" / "backprop", "filled": SOLUTION}.get(beside)
    if source is not None:
        for module in MODULES:
            (folder / f"{module}.py").write_bytes((source / f"{module}.py").read_bytes())
    assert_contained(Submission("mallory", folder), workspace)


@st.composite
def folder_plans(draw: Any) -> list[tuple[str, str, bytes]]:
    """(kind, relative path, bytes): files, links to outside targets, FIFOs."""
    plan = []
    for name in draw(st.lists(entry_names, max_size=6)):
        kind = draw(st.sampled_from(["file", "file", "file", "link", "dirlink", "fifo"]))
        plan.append((kind, name, draw(contents())))
    return plan


def build(folder: Path, plan: list[tuple[str, str, bytes]], outside: Path) -> None:
    for kind, name, data in plan:
        parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".", "..")]
        if not parts or "\x00" in name:
            continue
        target = folder.joinpath(*parts)
        if target.exists() or target.is_symlink():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if kind == "file":
            target.write_bytes(data)
        elif kind == "link":
            target.symlink_to(outside / "reference.py")
        elif kind == "dirlink":
            target.symlink_to(outside)
        else:
            os.mkfifo(target)


@SETTINGS
@given(plan=folder_plans())
def test_any_folder_is_laid_out_or_refused(tmp_path: Path, plan: list) -> None:
    workspace = fresh(tmp_path)
    outside = workspace / "outside"
    outside.mkdir()
    (outside / "reference.py").write_bytes((SOLUTION / "layers.py").read_bytes())
    folder = workspace / "class" / "mallory"
    folder.mkdir(parents=True)
    build(folder, plan, outside)
    assert_contained(Submission("mallory", folder), workspace)
