"""The student release: generated from the reference, same API, stubs only."""

from __future__ import annotations

import ast
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import SKELETON, SOLUTION, grade

from autograder.core.errors import AutograderError
from autograder.distribution.regions import strip_solutions
from autograder.distribution.skeleton import MANIFEST, render_skeleton, write_skeleton
from autograder.grading.assignment import Assignment

STUB = re.compile(
    r'^( *)# YOUR CODE HERE\n\1raise NotImplementedError\("implement ([\w.]+)"\)\n', re.M
)
BEGIN_LINE = re.compile(r"^( *)### BEGIN SOLUTION\n", re.M)
STUDENT_TASKS = {
    "layers.py": ["MultiplyLayer.backward", "AffineLayer.backward", "SigmoidLayer.backward"],
    "xor.py": ["train_xor"],
    "public_checks.py": [],
}
# The student API of the issue: (argument names, how many have defaults).
CONTRACT = {
    "layers.py": {
        "MultiplyLayer.forward": (["self", "x", "y"], 0),
        "MultiplyLayer.backward": (["self", "dz"], 0),
        "AffineLayer.forward": (["self", "x", "W", "b"], 0),
        "AffineLayer.backward": (["self", "dout"], 0),
        "SigmoidLayer.forward": (["self", "v"], 0),
        "SigmoidLayer.backward": (["self", "da"], 0),
    },
    "xor.py": {
        "init_params": (["n_in", "n_hidden", "n_out", "seed"], 4),
        "predict": (["X", "params"], 0),
        "train_xor": (["X", "y", "params", "lr", "epochs"], 2),
    },
}


def committed_skeleton() -> dict[Path, bytes]:
    return {
        path.relative_to(SKELETON): path.read_bytes()
        for path in SKELETON.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix != ".pyc"
        and path.name != MANIFEST
    }


def test_committed_skeleton_is_exactly_what_the_command_generates() -> None:
    rendered, committed = render_skeleton(SOLUTION), committed_skeleton()
    assert sorted(committed) == sorted(rendered), "regenerate: autograder skeleton ..."
    for relative, data in rendered.items():
        assert committed[relative] == data, f"{relative} differs: regenerate the skeleton"


@pytest.mark.parametrize("filename", sorted(STUDENT_TASKS))
def test_every_solution_region_became_the_uniform_stub(filename: str) -> None:
    solution = (SOLUTION / filename).read_text()
    skeleton = (SKELETON / filename).read_text()
    stubs = STUB.findall(skeleton)
    assert [task for _, task in stubs] == STUDENT_TASKS[filename]
    assert [pad for pad, _ in stubs] == BEGIN_LINE.findall(solution)
    assert "### BEGIN SOLUTION" not in skeleton and "### END SOLUTION" not in skeleton
    assert skeleton.count("NotImplementedError") == len(STUDENT_TASKS[filename])


def public_api(source: str) -> dict[str, str]:
    """Classes, methods, functions (arguments, defaults, docstrings), constants, imports."""
    api: dict[str, str] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            bases = ", ".join(ast.unparse(base) for base in node.bases)
            api[f"class {node.name}({bases})"] = str(ast.get_docstring(node))
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    api[f"{node.name}.{item.name}"] = describe_function(item)
        elif isinstance(node, ast.FunctionDef):
            api[node.name] = describe_function(node)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            api[f"constant {ast.unparse(node)}"] = ""
        elif isinstance(node, ast.Import | ast.ImportFrom):
            api[ast.unparse(node)] = ""
    return api


def describe_function(node: ast.FunctionDef) -> str:
    return f"({ast.unparse(node.args)}) {ast.get_docstring(node)}"


@pytest.mark.parametrize("filename", ["layers.py", "xor.py"])
def test_skeleton_has_the_references_public_names_and_signatures(filename: str) -> None:
    solution = public_api((SOLUTION / filename).read_text())
    skeleton = public_api((SKELETON / filename).read_text())
    assert skeleton == solution


@pytest.mark.parametrize(
    ("filename", "name"), [(f, n) for f, names in CONTRACT.items() for n in names]
)
def test_skeleton_keeps_the_student_api_contract(filename: str, name: str) -> None:
    tree = ast.parse((SKELETON / filename).read_text())
    functions = {
        f"{owner.name}.{node.name}" if owner is not tree else node.name: node
        for owner in [tree, *[n for n in tree.body if isinstance(n, ast.ClassDef)]]
        for node in owner.body
        if isinstance(node, ast.FunctionDef)
    }
    names, defaults = CONTRACT[filename][name]
    args = functions[name].args
    assert [a.arg for a in args.args] == names and len(args.defaults) == defaults


def test_init_params_defaults_and_xor_constants_are_the_issues() -> None:
    api = public_api((SKELETON / "xor.py").read_text())
    assert api["init_params"].startswith("(n_in=2, n_hidden=4, n_out=1, seed=0)")
    assert "constant XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])" in api
    assert "constant XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])" in api
    assert "from layers import AffineLayer, SigmoidLayer" in api


def make_solution(folder: Path) -> Path:
    (folder / "sub").mkdir(parents=True)
    (folder / "hidden_data").mkdir()
    (folder / "__pycache__").mkdir()
    (folder / "task.py").write_text(
        "def f(x):\n"
        "    ### BEGIN SOLUTION\n"
        "    return 2 * x\n"
        "    ### END SOLUTION\n"
        "\n"
        "### BEGIN HIDDEN TESTS\n"
        "assert f(2) == 4\n"
        "### END HIDDEN TESTS\n"
    )
    (folder / "hidden_checks.py").write_text("SECRET = 1\n")
    (folder / "hidden_data" / "inputs.txt").write_text("secret\n")
    (folder / "sub" / "hidden_notes.txt").write_text("secret\n")
    (folder / "sub" / "data.txt").write_text("public\n")
    (folder / "__pycache__" / "task.cpython-311.pyc").write_bytes(b"\0")
    return folder


def test_hidden_files_and_regions_never_reach_the_skeleton(tmp_path: Path) -> None:
    solution = make_solution(tmp_path / "solution")
    written = write_skeleton(solution, tmp_path / "out")
    assert written == [Path("sub/data.txt"), Path("task.py")]
    on_disk = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*"))
    assert on_disk == [MANIFEST, "sub", "sub/data.txt", "task.py"]  # and what it wrote
    assert (tmp_path / "out" / "task.py").read_text() == (
        'def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError("implement f")\n\n'
    )


def test_the_committed_skeleton_holds_no_hidden_file() -> None:
    assert not [p for p in SKELETON.rglob("*") if p.name.startswith("hidden")]
    assert all(b"HIDDEN TESTS" not in data for data in committed_skeleton().values())


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "x = 1\n### BEGIN SOLUTION\nx = 2\n",
            "x.py:2: ### BEGIN SOLUTION without ### END SOLUTION",
        ),
        ("x = 1\n### END SOLUTION\n", "x.py:2: ### END SOLUTION without ### BEGIN SOLUTION"),
        (
            "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n### END SOLUTION\n",
            "x.py:4: ### END SOLUTION without ### BEGIN SOLUTION",
        ),
        (
            "### BEGIN HIDDEN TESTS\nassert True\n",
            "x.py:1: ### BEGIN HIDDEN TESTS without ### END HIDDEN TESTS",
        ),
    ],
)
def test_strip_solutions_refuses_unbalanced_markers(source: str, message: str) -> None:
    with pytest.raises(AutograderError) as error:
        strip_solutions(source, "x.py")
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("source", "stub"),
    [
        (
            "class A:\n    def run(self):\n        ### BEGIN SOLUTION\n        pass\n"
            "        ### END SOLUTION\n",
            '        # YOUR CODE HERE\n        raise NotImplementedError("implement A.run")\n',
        ),
        (
            "def outer():\n    def inner():\n        ### BEGIN SOLUTION\n        pass\n"
            "        ### END SOLUTION\n",
            "        # YOUR CODE HERE\n"
            '        raise NotImplementedError("implement outer.inner")\n',
        ),
        (
            "### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n",
            '# YOUR CODE HERE\nraise NotImplementedError("implement this part")\n',
        ),
    ],
)
def test_stub_names_the_enclosing_task_at_the_regions_indentation(source: str, stub: str) -> None:
    stripped = strip_solutions(source)
    assert stripped.endswith(stub)
    assert "pass" not in stripped and "x = 1" not in stripped


def test_write_skeleton_refuses_a_missing_reference(tmp_path: Path) -> None:
    with pytest.raises(AutograderError, match="no reference folder"):
        write_skeleton(tmp_path / "nowhere", tmp_path / "out")


def test_skeleton_scores_zero_with_not_implemented_messages(
    public_assignment: Assignment,
) -> None:
    report = grade(SKELETON, public_assignment)
    # 26 of 28: the whole network (the trainer on the student's layers) is not
    # applicable while the layers fail; it says so, and why it failed.
    assert report.score == 0 and report.max_score == 26
    assert report.grader_errors == ()
    for result in report.results:
        assert result.status == "failed"
        assert "is not implemented yet" in result.message
        assert "raise NotImplementedError" in result.message  # the student's own line
    gated = [r for r in report.results if r.max_points == 0]
    assert [r.name for r in gated] == [
        "train_xor learns XOR with its default lr and epochs (seeds 1, 2, 3)"
    ]
    assert gated[0].message.startswith("not applicable (0 points at stake)")


def test_the_committed_manifest_records_the_committed_skeleton() -> None:
    recorded = json.loads((SKELETON / MANIFEST).read_text())
    hashes = {
        p.as_posix(): hashlib.sha256(data).hexdigest() for p, data in committed_skeleton().items()
    }
    assert recorded == hashes


def test_an_earlier_skeleton_is_regenerated_without_force(tmp_path: Path) -> None:
    """The instructor's loop: edit the reference (outside its regions), regenerate: the
    files are those the command wrote (its manifest), so they are its to replace."""
    reference = tmp_path / "solutions" / "backprop"
    shutil.copytree(SOLUTION, reference, ignore=shutil.ignore_patterns("__pycache__"))
    layers = reference / "layers.py"
    layers.write_text(layers.read_text().replace('"""Layers of', '"""Edited. Layers of', 1))
    out = tmp_path / "assignments" / "backprop"
    shutil.copytree(SKELETON, out)
    assert write_skeleton(reference, out) == sorted(committed_skeleton())
    assert (out / "layers.py").read_text().startswith('"""Edited. Layers of')
    assert write_skeleton(reference, out)  # the same content again
    assert {p: out.joinpath(p).read_bytes() for p in committed_skeleton()} == render_skeleton(
        reference
    )
