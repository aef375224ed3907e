"""The hidden checks: full marks for the reference, and each typical bug caught by name.

Every fixture in tests/fixtures/hidden/<name>/ is the reference with one change
(marked ``BUG``) that the hidden checks were written for; some of them the
stricter public checks now catch too. Each must lose points on exactly the
checks listed, public and hidden, all of its own component; checks that run
another component's code are then not applicable (0 of 0) or keep their
points. Grading is real: a student process, plain data over the pipe, the
reference imported in the grader.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import unmarked

from autograder.checks import CheckSuite
from autograder.cli import cli
from autograder.core.results import Report
from autograder.grading.assignment import HIDDEN_CHECKS, Assignment, load_assignment, load_module
from autograder.grading.runner import GradeOptions, grade_folder
from autograder.i18n import t
from autograder.isolation.sandbox import SandboxConfig

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "backprop"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "hidden"
COMPONENTS = ("MultiplyLayer", "AffineLayer", "SigmoidLayer", "train_xor")

M_SCALARS = "hidden: MultiplyLayer works on NumPy scalars and 0-d arrays"
M_UNTOUCHED = "hidden: MultiplyLayer.backward leaves dz and the cached x, y unmodified"
M_REPEAT = "hidden: MultiplyLayer.backward repeats its answer and follows a new forward"
A_EDGES = "hidden: AffineLayer matches the reference on edge shapes (N=1, D=1, M=1)"
A_UNTOUCHED = "hidden: AffineLayer.backward leaves dout and the cached x, W, b unmodified"
A_REPEAT = "hidden: AffineLayer.backward repeats its answer and follows a new forward"
S_SATURATED = "hidden: SigmoidLayer matches the reference on saturated inputs, without NaN"
S_UNTOUCHED = "hidden: SigmoidLayer.backward leaves da and the cached v unmodified"
S_REPEAT = "hidden: SigmoidLayer.backward repeats its answer and follows a new forward"
A_COST = "hidden: AffineLayer.backward costs a few forward passes (N=1, M=1, large D)"
T_TRAJECTORY = "hidden: train_xor matches the reference trainer on hidden seeds"
T_CONVERGENCE = "hidden: train_xor learns XOR on at least 4 of 5 hidden seeds"
T_COST = "hidden: train_xor costs a few forward passes on a wide network"
HIDDEN_NAMES = [
    M_SCALARS, M_UNTOUCHED, M_REPEAT, A_EDGES, A_UNTOUCHED, A_REPEAT, A_COST,
    S_SATURATED, S_UNTOUCHED, S_REPEAT, T_TRAJECTORY, T_CONVERGENCE, T_COST,
]  # fmt: skip
# Public checks that the stricter public layer checks fail for some fixtures.
M_STRUCTURE = "MultiplyLayer.backward returns (dx, dy), linear in dz"
S_STRUCTURE = "SigmoidLayer.backward returns dv of v's shape, linear in da"
S_GRADIENTS = "SigmoidLayer.backward matches numerical gradients"
T_DEFAULTS = "train_xor learns XOR with its default lr and epochs (seeds 1, 2, 3)"
T_TEN = "train_xor matches gradient descent after 10 epochs"  # one of its runs has lr = 0.5
# The checks of train_xor that run the student's own layers (scored only while
# every AffineLayer and SigmoidLayer check passes).
GATED = (T_DEFAULTS, T_CONVERGENCE, T_COST)

# fixture -> (instructor seeds, {check losing points: fragment of its message})
FIXTURE_TABLE: dict[str, tuple[tuple[int, ...], dict[str, str]]] = {
    "sigmoid_exp_of_v": (
        (0, 1),
        {
            S_GRADIENTS: "dv contains NaN or infinity",
            S_SATURATED: "dv contains 2 NaN or infinite values",
        },
    ),
    "sigmoid_inplace_da": ((0, 1), {S_UNTOUCHED: "changed its argument da in place"}),
    "sigmoid_clears_cache": (
        (0, 1),
        {
            S_STRUCTURE: "called again on the same layer",
            S_REPEAT: "gave a different dv when called again",
        },
    ),
    "multiply_alias_x": (
        (0, 1),
        {
            M_STRUCTURE: "called again on the same layer",
            M_UNTOUCHED: "changed the cached input x",
            M_REPEAT: "gave a different dy when called again",
        },
    ),
    "multiply_stale_local": ((0, 1), {M_REPEAT: "after a second forward on the same layer"}),
    "multiply_0d_buffers": ((0, 1), {M_SCALARS: "IndexError"}),
    "affine_db_view": ((0, 1), {A_UNTOUCHED: "changed its argument dout in place"}),
    "affine_squeeze_db": (
        (0, 1),
        {A_EDGES: "db has shape () but must have", A_COST: "db has shape ()"},
    ),
    "affine_stale_ones": ((0, 1), {A_REPEAT: "with a smaller batch"}),
    "xor_ignores_lr": (
        (0, 1),
        {T_TEN: "lr=0.5, epochs=10]", T_TRAJECTORY: "but the reference value is"},
    ),
    # Only a square W with N = D rows lets x @ dout through: the hidden (d, d, d) shape
    # (and, for this seed, the repeat check's batch of as many rows as W has).
    "affine_dW_shape_guess": (
        (0,),
        {A_EDGES: "[(N, D, M) = (5, 5, 5)]", A_REPEAT: "but the reference value is"},
    ),
    # With seed 1 the hidden runs never get below the stopping loss in 100 epochs;
    # with seed 0 one does (its start has random biases), and the trajectory check
    # catches the early stop too.
    "xor_early_stop": (
        (1,),
        {T_DEFAULTS: "entries after 2000 epochs", T_CONVERGENCE: "entries after 2000 epochs"},
    ),
    # 335 epochs train the public seeds 1, 2, 3 (they need 309, 309, 331) and
    # about 70% of all seeds: with seed 0 only one of the five hidden seeds
    # needs more, so the verdict there is a pass; seed 1 draws two of them.
    "xor_short_default": ((1,), {T_CONVERGENCE: "on only 3 of 5 hidden seeds"}),
}
FIXTURE_CASES = [
    pytest.param(name, seed, failures, id=f"{name}-seed{seed}")
    for name, (seeds, failures) in FIXTURE_TABLE.items()
    for seed in seeds
]


def grade(folder: Path, seed: int = 0, assignment: Assignment | None = None) -> Report:
    options = GradeOptions(seed=seed, sandbox=SandboxConfig("none"))
    report, _ = grade_folder(folder, assignment or load_assignment(SOLUTION), options)
    return report


def failures(report: Report, hidden: bool) -> dict[str, str]:
    return {r.name: r.message for r in report.results if r.hidden == hidden and not r.passed}


def losing(report: Report) -> dict[str, str]:
    """The checks (public and hidden) that cost points, with their messages."""
    return {r.name: r.message for r in report.results if r.points < r.max_points}


def comparable(report: Report) -> dict[str, Any]:
    """Everything in the report but the wall-clock time."""
    return {k: v for k, v in report.to_dict().items() if k != "seconds"}


def hidden_only() -> Assignment:
    """The hidden checks alone (public checks also draw from the seed)."""
    assignment = load_assignment(SOLUTION)
    public = assignment.public
    empty = CheckSuite(public.assignment, public.modules, public.components)
    return dataclasses.replace(assignment, public=empty)


def test_hidden_suite_is_declared_as_designed() -> None:
    assignment = load_assignment(SOLUTION)
    hidden = assignment.hidden
    assert hidden is not None and hidden.hidden
    assert (hidden.modules, hidden.components) == (("layers", "xor"), COMPONENTS)
    assert [c.name for c in hidden.checks] == HIDDEN_NAMES
    assert all(c.hidden and c.component in c.name for c in hidden.checks)
    assert sum(c.points for c in hidden.checks) == 19
    gated = [c.name for c in [*assignment.public.checks, *hidden.checks] if c.requires]
    assert gated == list(GATED)


def test_reference_earns_every_hidden_point() -> None:
    report = grade(SOLUTION)
    hidden = [r for r in report.results if r.hidden]
    assert len(hidden) == len(HIDDEN_NAMES)
    assert report.all_passed, failures(report, hidden=True) | failures(report, hidden=False)
    assert report.score == report.max_score


@pytest.mark.parametrize(("fixture", "seed", "expected"), FIXTURE_CASES)
def test_each_bug_loses_exactly_its_checks(
    fixture: str, seed: int, expected: dict[str, str]
) -> None:
    report = grade(FIXTURES / fixture, seed)
    assert not report.grader_errors
    lost = losing(report)
    assert set(lost) == set(expected), lost
    for name, fragment in expected.items():
        assert fragment in lost[name]
    components = {r.component for r in report.results if r.name in expected}
    assert len(components) == 1, "one mistake, one component"
    layer_failed = components & {"AffineLayer", "SigmoidLayer"}
    for result in report.results:
        if result.name in GATED and layer_failed:
            assert result.passed or result.max_points == 0, result.name
        elif result.name not in expected:
            assert result.passed and result.points == result.max_points, result.name


@pytest.mark.parametrize(
    ("fixture", "check", "diagnosis"),
    [
        ("sigmoid_inplace_da", S_UNTOUCHED, t("diag.upstream_modified")),
        ("multiply_alias_x", M_UNTOUCHED, t("diag.input_modified", input="x")),
        ("sigmoid_clears_cache", S_REPEAT, t("diag.cache_modified")),
        ("multiply_stale_local", M_REPEAT, t("diag.stale_cache", name="(dx, dy)")),
    ],
)
def test_side_effects_are_diagnosed(fixture: str, check: str, diagnosis: str) -> None:
    (result,) = [r for r in grade(FIXTURES / fixture).results if r.name == check]
    assert result.diagnosis == diagnosis


def test_every_hidden_check_catches_some_fixture() -> None:
    """The cost of the trainer is judged on numerical shortcuts (tests/test_cost_checks.py)."""
    caught = {name for _, expected in FIXTURE_TABLE.values() for name in expected}
    assert (caught & set(HIDDEN_NAMES)) | {T_COST} == set(HIDDEN_NAMES)


RECORDER = """
import hashlib as _hashlib
import os as _os

_LOG = _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "inputs.log")
_QUIET = []


def _digest(value):
    array = np.ascontiguousarray(value)
    return (array.shape, _hashlib.sha256(array.tobytes()).hexdigest()[:16])


def _log(*values):
    if not _QUIET:
        with open(_LOG, "a") as log:
            log.write(repr([_digest(v) for v in values]) + "\\n")


def _recorded(method):
    def wrapper(self, *args):
        _log(*args)
        return method(self, *args)
    return wrapper


for _cls in (MultiplyLayer, AffineLayer, SigmoidLayer):
    _cls.forward = _recorded(_cls.forward)
    _cls.backward = _recorded(_cls.backward)
"""
TRAIN_RECORDER = """
import layers as _layers

_train_xor = train_xor


def train_xor(X, y, params, **kwargs):
    _layers._log(*params.values())
    _layers._QUIET.append(True)
    try:
        return _train_xor(X, y, params, **kwargs)
    finally:
        _layers._QUIET.pop()
"""


def recording_submission(folder: Path) -> Path:
    """The reference, writing every input the checks send it to inputs.log."""
    folder.mkdir()
    folder.chmod(0o777)  # the student may run as a uid of its own: it writes its log here
    for name, recorder in [("layers.py", RECORDER), ("xor.py", TRAIN_RECORDER)]:
        (folder / name).write_text((SOLUTION / name).read_text() + recorder)
    return folder


def test_the_instructor_seed_chooses_the_hidden_inputs(tmp_path: Path) -> None:
    runs = {"first": 0, "again": 0, "other": 1}
    logs, reports = {}, {}
    for run, seed in runs.items():
        folder = recording_submission(tmp_path / run)
        reports[run] = grade(folder, seed, hidden_only())
        logs[run] = (folder / "inputs.log").read_text()
    assert all(report.all_passed for report in reports.values())
    assert logs["first"] == logs["again"]
    assert comparable(reports["first"]) == comparable(reports["again"])
    assert logs["first"] != logs["other"]
    assert len(logs["first"].splitlines()) > 30


@pytest.mark.parametrize("seed", [1, 2, 987_654_321])
def test_reference_passes_with_other_seeds(seed: int) -> None:
    report = grade(SOLUTION, seed)
    assert report.all_passed, failures(report, hidden=True)


@pytest.mark.parametrize("folder", [SOLUTION, FIXTURES / "xor_ignores_lr"], ids=["ref", "bug"])
def test_same_seed_gives_bit_identical_reports(folder: Path) -> None:
    assert comparable(grade(folder, 7)) == comparable(grade(folder, 7))


@pytest.mark.parametrize("had_layers", [False, True])
def test_reference_import_leaves_sys_modules_as_it_was(
    monkeypatch: pytest.MonkeyPatch, had_layers: bool
) -> None:
    module = load_module(SOLUTION / HIDDEN_CHECKS)
    sentinel = types.ModuleType("layers")
    if had_layers:
        monkeypatch.setitem(sys.modules, "layers", sentinel)
    else:
        monkeypatch.delitem(sys.modules, "layers", raising=False)
    module.reference.cache_clear()
    layers, xor = module.reference()
    assert xor.AffineLayer is layers.AffineLayer
    assert sys.modules.get("layers") is (sentinel if had_layers else None)
    assert module.reference() == (layers, xor)


SPY_LAYER = """
import builtins
builtins.SEEN = getattr(builtins, "SEEN", [])


class AffineLayer(AffineLayer):
    def forward(self, x, W, b):
        builtins.SEEN.append(np.shape(x))  # every input a check hands over, kept
        with open("seen.txt", "a") as kept:  # and in a file, which outlives the process
            kept.write(repr(np.shape(x)))
        return super().forward(x, W, b)
"""
SPY_TRAINER = """
def train_xor(X, y, params, lr=DEFAULT_LR, epochs=DEFAULT_EPOCHS):
    import builtins
    import os

    kept = open("seen.txt").read() if os.path.exists("seen.txt") else ""
    print("seen so far:", getattr(builtins, "SEEN", []), kept)
    raise RuntimeError(repr(getattr(builtins, "SEEN", [])) + kept)
"""


def test_no_public_check_runs_after_a_hidden_one(tmp_path: Path) -> None:
    """A student's code may keep what a hidden check hands it (in builtins, or in a file
    that outlives a restarted process) and give it back in a later public check's
    message or output, which the student sees: the hidden edge shapes (1, 1) and the
    cost check's width 100000 and more must never reach one. All public checks run
    first."""
    student = tmp_path / "spy"
    student.mkdir()
    (student / "layers.py").write_text(unmarked((SOLUTION / "layers.py").read_text()) + SPY_LAYER)
    (student / "xor.py").write_text(unmarked((SOLUTION / "xor.py").read_text()) + SPY_TRAINER)
    report = grade(student)
    public = [r for r in report.results if not r.hidden]
    shown = " ".join(f"{r.message} {r.output} {r.diagnosis}" for r in public)
    assert "seen so far" in shown  # the spy ran in public checks
    assert "(1, 1)" not in shown and not re.search(r"\d{6}", shown), shown


def test_student_release_leaves_the_hidden_checks_out(tmp_path: Path) -> None:
    out = tmp_path / "release"
    result = CliRunner().invoke(cli, ["skeleton", str(SOLUTION), "--out", str(out)])
    assert result.exit_code == 0, result.output
    released = {p.name for p in out.rglob("*")}
    assert {"layers.py", "xor.py", "public_checks.py"} <= released
    assert not any(name.startswith("hidden") for name in released)
    text = "".join(p.read_text() for p in out.rglob("*") if p.is_file())
    hidden = load_assignment(SOLUTION).hidden
    assert hidden is not None and not any(check.name in text for check in hidden.checks)
    assert "SATURATED" not in text and "reference_pass" not in text


def test_fixtures_differ_from_the_reference_only_where_marked(tmp_path: Path) -> None:
    """Each fixture's untouched file is the reference without solution markers."""
    out = tmp_path / "plain"
    shutil.copytree(SOLUTION, out)
    for path in out.glob("*.py"):
        lines = path.read_text().splitlines(keepends=True)
        path.write_text("".join(x for x in lines if "### " not in x))
    for fixture in FIXTURE_TABLE:
        changed = [
            name
            for name in ("layers.py", "xor.py")
            if (FIXTURES / fixture / name).read_text() != (out / name).read_text()
        ]
        assert len(changed) == 1, fixture
        assert "BUG" in (FIXTURES / fixture / changed[0]).read_text()
