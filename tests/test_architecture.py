"""The package's plan, enforced: one-way dependencies between subpackages, no cycles.

Each subpackage's ``__init__`` says what it may import; this test reads every
module's imports (with ``ast``, so lazy imports inside functions count too)
and fails on an import that points the wrong way, on any cycle between
modules, and on the student-side runtime importing anything of the engine.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "autograder"

# Each layer may import the layers listed after it (and itself), never those before.
ALLOWED: dict[str, set[str]] = {
    "cli": {
        "distribution",
        "grading",
        "reports",
        "checks",
        "intake",
        "isolation",
        "core",
        "i18n",
        "runtime",
        "version",
    },
    "distribution": {
        "grading",
        "reports",
        "checks",
        "intake",
        "isolation",
        "core",
        "i18n",
        "runtime",
        "version",
    },
    "grading": {"reports", "checks", "intake", "isolation", "core", "i18n", "runtime", "version"},
    "reports": {"core", "i18n", "version"},
    "checks": {"isolation", "core", "i18n", "runtime"},
    "intake": {"core", "i18n"},
    "isolation": {"core", "i18n", "runtime"},
    "core": {"i18n"},
    "i18n": set(),
    "runtime": set(),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str) -> set[str]:
    """The engine modules ``name`` imports (absolute or relative, anywhere in the file)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: imports_of(name) for name in MODULES}


def layer(name: str) -> str:
    parts = name.split(".")
    if len(parts) == 1:
        return "version"  # autograder/__init__.py: the version only
    return parts[1] if parts[1] in ALLOWED else "entry"  # __main__


def test_every_subpackage_is_in_the_plan() -> None:
    subpackages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert subpackages == set(ALLOWED)


@pytest.mark.parametrize("name", sorted(n for n in MODULES if layer(n) in ALLOWED))
def test_imports_point_down_only(name: str) -> None:
    own = layer(name)
    wrong = {m for m in GRAPH[name] if layer(m) != own and layer(m) not in ALLOWED[own]}
    assert not wrong, f"{name} ({own}) imports {sorted(wrong)}"


def test_the_runtime_imports_only_itself_and_numpy() -> None:
    """The sandbox mounts runtime/ alone: an import of the engine would fail there."""
    for name in (n for n in MODULES if layer(n) == "runtime"):
        tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and not node.level:
                assert not (node.module or "").startswith("autograder"), (name, node.module)
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("autograder") for a in node.names), name


def find_cycle() -> list[str]:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return []

    for start in sorted(GRAPH):
        if start not in state and (cycle := visit(start)):
            return cycle
    return []


def test_no_import_cycles() -> None:
    assert find_cycle() == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The checker itself, on a graph with a known cycle (it must not be vacuous)."""
    saved = dict(GRAPH)
    try:
        GRAPH["autograder.core.results"] = {"autograder.core.files"}
        GRAPH["autograder.core.files"] = {"autograder.core.results"}
        assert set(find_cycle()) == {"autograder.core.results", "autograder.core.files"}
    finally:
        GRAPH.clear()
        GRAPH.update(saved)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_readable(name: str) -> None:
    """One concept per module: about 300 lines at most."""
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= 330, f"{name} has {lines} lines"


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_subpackage_says_what_it_is_for(package: str) -> None:
    init = PACKAGE / package / "__init__.py"
    docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    assert docstring and len(docstring.split()) >= 12
