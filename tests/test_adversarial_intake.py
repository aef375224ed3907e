"""Hostile bytes and replies, graded as one class by the real `autograder grade`.

Each student attacks the intake or the reply boundary: notebook metadata
naming ``../``, absolute and newline module names (each would write a
``sitecustomize.py`` the grader's own Python runs later), links to the
reference, a student named ``submitted``, two ids equal once Unicode forms
and case are ignored, five million losses, strings, ragged lists and huge
integers among the losses, a (1,) or empty array for a scalar, two versions
of the work, the untouched skeleton beside a filled notebook, and a worker
patched to lie about what ``train_xor`` and ``backward`` did to their
arguments. The class must grade with exit status 0 and no grader error;
nothing may be written outside the results and the grader's scratch; every
report and results.json stays under 1 MB; and the lie is not believed.
"""

from __future__ import annotations

import json
import os
import sysconfig
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from adversarial_harness import SOLUTION, read_reports, run_grade

from autograder.intake.names import suffix

REPO = Path(__file__).resolve().parents[1]
SKELETON = REPO / "assignments" / "backprop"
LAYERS, XOR = ((SOLUTION / f"{m}.py").read_text() for m in ("layers", "xor"))
NOTEBOOK = json.loads((SOLUTION / "backprop.ipynb").read_text())
SITE = Path(sysconfig.get_paths()["purelib"])
ZOE_NFC, ZOE_NFD = "Zoë", unicodedata.normalize("NFD", "Zoë")
END_OF_TRAINING = "    return p, losses\n"

BAD_LOSSES = XOR.replace(
    END_OF_TRAINING,
    """    if epochs == 1:  # a string among the losses
        return p, ["0.5"]
    if epochs == 10:  # a ragged list
        return p, [[value] for value in losses[:-1]] + [[1.0, 2.0]]
    if epochs == 100:  # integers beyond any float
        return p, [10**400] * epochs
    if epochs == 800:
        return p, losses[:-1] + ["nan"]
    # five million losses: a 40 MB reply (a 160 MB report.json before)
    return p, np.concatenate([losses, np.linspace(losses[-1], 0.0, 5_000_000)])
""",
)
BAD_SCALARS = LAYERS.replace(
    "        return da * self.a * (1.0 - self.a)\n",
    "        return np.atleast_1d(da * self.a * (1.0 - self.a))  # (1,) for a scalar\n",
).replace(
    "        dx = dz * self.y\n",
    "        if np.ndim(dz) == 0:\n"
    "            return np.empty(0), np.empty(0)  # empty arrays for scalars\n"
    "        dx = dz * self.y\n",
)
# The worker is patched to report the arguments as they were before the call,
# while train_xor and SigmoidLayer.backward change them in place.
LIAR_PATCH = """
import copy as _copy
import sys as _sys

_worker = _sys.modules.get("autograder_runtime.worker")
if _worker is not None and not hasattr(_worker.Worker, "_honest_call"):
    _worker.Worker._honest_call = _worker.Worker.call

    def _lying_call(self, request):
        args, kwargs = request["args"], request["kwargs"]
        if self.shared is not None and request.get("shared"):
            args, kwargs = _worker.place(args, kwargs, request["shared"], self.shared)
        pristine = _copy.deepcopy(args)
        reply = _worker.Worker._honest_call(self, {**request, "args": args, "kwargs": kwargs,
                                                    "shared": []})
        reply["args_after"] = pristine  # "nothing was changed"
        return reply

    _worker.Worker.call = _lying_call
"""
LIAR_LAYERS = (
    LAYERS.replace(
        "        return da * self.a * (1.0 - self.a)\n",
        "        da *= self.a * (1.0 - self.a)  # the caller's da, changed in place\n"
        "        return da\n",
    )
    + LIAR_PATCH
)
LIAR_XOR = XOR.replace(
    END_OF_TRAINING,
    "    for name in params:  # the caller's arrays, changed in place\n"
    "        params[name] += 1.0\n" + END_OF_TRAINING,
)


def notebook_naming(module: str, code: str) -> str:
    """The reference notebook, its first module cell claimed for ``module``."""
    document = json.loads(json.dumps(NOTEBOOK))
    for cell in document["cells"]:
        if cell.get("metadata", {}).get("autograder", {}).get("module"):
            cell["metadata"]["autograder"]["module"] = module
            cell["source"] = code
            break
    return json.dumps(document)


def write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)


def build_class(root: Path, marker: Path) -> None:
    pwn = f"open({str(marker)!r}, 'w').write('owned')\n"
    honest = {"layers.py": LAYERS, "xor.py": XOR}
    write(root / "bad_losses", {"layers.py": LAYERS, "xor.py": BAD_LOSSES})
    write(root / "bad_scalars", {"layers.py": BAD_SCALARS, "xor.py": XOR})
    write(root / "liar", {"layers.py": LIAR_LAYERS, "xor.py": LIAR_XOR})
    for name, module in [
        ("nb_dotdot", "../../../sitecustomize"),
        ("nb_absolute", str(SITE / "sitecustomize")),
        ("nb_newline", "layers\n" + pwn.strip() + "\n#"),
    ]:
        write(root / name, {"backprop.ipynb": notebook_naming(module, pwn)})
    skeleton = {f"{m}.py": (SKELETON / f"{m}.py").read_text() for m in ("layers", "xor")}
    write(root / "nb_beside_skeleton", {**skeleton, "backprop.ipynb": json.dumps(NOTEBOOK)})
    write(root / "two_versions", {f"v{n}/{name}": t for n in (1, 2) for name, t in honest.items()})
    (root / "linked_files").mkdir()
    for module in ("layers", "xor"):
        (root / "linked_files" / f"{module}.py").symlink_to(SOLUTION / f"{module}.py")
    (root / "linked_entry").symlink_to(SOLUTION)
    write(root / "alice", honest)
    write(root / "submitted" / "alice", {"layers.py": "raise SystemExit('impostor')\n"})
    write(root / ZOE_NFC, honest)
    write(root / ZOE_NFD, honest)


def snapshot(root: Path, skip: tuple[Path, ...]) -> dict[str, Any]:
    found = {}
    for base, dirs, files in os.walk(root):
        if any(Path(base) == s or s in Path(base).parents for s in skip):
            continue
        for name in dirs + files:
            path = os.path.join(base, name)
            if Path(path) not in skip:
                info = os.lstat(path)
                found[path] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("intake-class")
    marker = base / "owned"
    root = base / "class"
    build_class(root, marker)
    out, scratch = base / "results", base / "tmp"
    out.mkdir()
    scratch.mkdir()
    sites = sorted(SITE.glob("sitecustomize*"))
    before = snapshot(base, (out, scratch))
    result = run_grade(root, out, "-j", "2", scratch=scratch)
    after = snapshot(base, (out, scratch))
    return {
        "result": result,
        "reports": read_reports(out),
        "out": out,
        "changed": {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)},
        "owned": marker.exists() or sorted(SITE.glob("sitecustomize*")) != sites,
        "summary": json.loads((out / "summary.json").read_text()),
    }


def check(report: dict[str, Any], words: str) -> dict[str, Any]:
    (found,) = [c for c in report["checks"] if words in c["name"]]
    return found


def test_the_class_grades_cleanly_and_nothing_outside_is_written(graded: dict) -> None:
    result = graded["result"]
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert graded["summary"]["grader_failures"] == {}
    assert graded["changed"] == set() and not graded["owned"]
    assert all(not r["grader_error"] for r in graded["reports"].values())
    assert graded["reports"]["alice"]["score"] == graded["reports"]["alice"]["max_score"]


def test_every_result_file_is_under_1_mb(graded: dict) -> None:
    for name in ("report.json", "results.json", "feedback.md"):
        for path in graded["out"].glob(f"*/{name}"):
            assert path.stat().st_size < 1 << 20, path


@pytest.mark.parametrize("student", ["nb_dotdot", "nb_absolute", "nb_newline"])
def test_notebooks_naming_other_modules_are_refused(graded: dict, student: str) -> None:
    report = graded["reports"][student]
    assert report["score"] == 0
    message = report["checks"][0]["message"]
    assert "not one of this assignment's modules (layers, xor)" in message


@pytest.mark.parametrize("student", ["linked_files", "linked_entry"])
def test_links_to_the_reference_are_refused(graded: dict, student: str) -> None:
    report = graded["reports"][student]
    assert report["score"] == 0 and "symbolic link" in report["checks"][0]["message"]


def test_a_student_named_submitted_replaces_no_one(graded: dict) -> None:
    reports = graded["reports"]
    assert reports["alice"]["score"] == reports["alice"]["max_score"]
    assert reports["submitted"]["score"] == 0


def test_colliding_unicode_ids_are_both_graded_with_a_warning(graded: dict) -> None:
    ids = [ZOE_NFC + suffix(ZOE_NFC), ZOE_NFD + suffix(ZOE_NFD)]
    ids = [unicodedata.normalize("NFC", i) for i in ids]
    for sid in ids:
        report = graded["reports"][sid]
        assert report["score"] == report["max_score"] and report["student"] == sid
    assert "entries name the same student" in graded["result"].stderr
    assert graded["summary"]["warnings"]


def test_bad_losses_fail_their_checks_with_reasons(graded: dict) -> None:
    report = graded["reports"]["bad_losses"]
    expected: dict[str, str | tuple[str, ...]] = {
        "after 1 epoch": "losses must hold real numbers only, but holds a str",
        "after 10 epochs": "holds lists of different lengths",
        "after 100 epochs": "an integer too large for a float",
        # Five million losses: refused by the reply cap, or, where the student's
        # per-process memory limit is smaller than encoding them takes, by that.
        "default lr and epochs": ("bytes of data, more than the", "does not fit in the memory"),
        "hidden: train_xor learns": ("bytes of data, more than the", "does not fit in the memory"),
    }
    for words, reasons in expected.items():
        found = check(report, words)
        assert found["status"] == "failed", found["message"]
        reasons = (reasons,) if isinstance(reasons, str) else reasons
        assert any(reason in found["message"] for reason in reasons), found["message"]
    assert check(report, "reference trainer on hidden seeds")["status"] == "failed"
    layer_checks = [c for c in report["checks"] if "Layer" in c["name"]]
    assert all(c["status"] == "passed" for c in layer_checks)


def test_arrays_for_scalars_never_match(graded: dict) -> None:
    report = graded["reports"]["bad_scalars"]
    for words in ("dL/dv = 0.13", "dL/dw and one step", "plain Python floats"):
        found = check(report, words)
        assert found["status"] == "failed", words
        assert "should be a number for scalar inputs" in found["message"], found["message"]
    assert check(report, "SigmoidLayer.backward matches numerical")["status"] == "passed"


def test_the_lying_worker_is_not_believed(graded: dict) -> None:
    report = graded["reports"]["liar"]
    for words in ("leaves the params it is given", "leaves da and the cached v"):
        assert check(report, words)["status"] == "failed", words
    assert check(report, "learns XOR with its default")["status"] == "passed"


def test_the_untouched_skeleton_beside_a_notebook_grades_the_notebook(graded: dict) -> None:
    report = graded["reports"]["nb_beside_skeleton"]
    assert report["score"] == report["max_score"]
    assert report["graded_files"] == ["backprop.ipynb"]
    feedback = (graded["out"] / "nb_beside_skeleton" / "feedback.md").read_text()
    assert "Files graded: backprop.ipynb." in feedback and "untouched skeleton" in feedback
    page = (graded["out"] / "nb_beside_skeleton" / "feedback.html").read_text()
    assert '<p class="graded" id="graded">Files graded: backprop.ipynb.' in page
    results = json.loads((graded["out"] / "nb_beside_skeleton" / "results.json").read_text())
    assert "Files graded: backprop.ipynb." in results["output"]


def test_two_versions_are_refused_by_name(graded: dict) -> None:
    message = graded["reports"]["two_versions"]["checks"][0]["message"]
    assert "more than one folder ('v1/', 'v2/')" in message
