"""Which component a static finding costs: the code each component can reach.

Each top-level statement of a module is a node. A component (a class or a
function the suite grades) reaches the nodes defining it, then every node
defining a name those use, in its module or in a local helper module it
imports, but never another component: that one is graded on its own.
Statements that run at import and are not plain definitions reach every
component of their module, except those that (re)bind another component's
name: ``if ...: AffineLayer = ...`` is AffineLayer's alone. A finding costs
each component that reaches it, and only those: an unused import costs
nothing, and ``if __name__ == "__main__":`` blocks never run when graded.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from autograder.checks.static import Finding, Rules, Scanner, is_main_guard, module_names


@dataclass
class Node:
    """A top-level statement: the names it binds and uses, its findings, its local imports."""

    module: str
    always: bool = False  # runs at import and is not a plain definition
    binds: set[str] = field(default_factory=set)
    uses: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    local_imports: list[tuple[str, str | None]] = field(default_factory=list)


DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)


class Unparsable(Exception):
    """A file of the submission is not valid Python (its import fails too)."""

    def __init__(self, file: str, line: int) -> None:
        super().__init__(f"{file}, line {line}")
        self.file, self.line = file, line


def outside_definitions(statement: ast.stmt) -> Iterator[ast.AST]:
    """The statement's nodes that run at module level (not inside a def or class body)."""
    stack: list[ast.AST] = [statement]
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))


def is_definition(statement: ast.stmt) -> bool:
    """Defines names and does nothing else at import (a def, a class, an import, x = ...)."""
    if isinstance(statement, ast.Assign):
        return all(isinstance(t, ast.Name) for t in statement.targets)
    return isinstance(statement, DEFINITIONS)


def describe(module: str, statement: ast.stmt, local: set[str]) -> Node:
    """What a top-level statement binds, uses and imports from the submission's modules."""
    node = Node(module, always=not is_definition(statement))
    for inner in outside_definitions(statement):
        if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            node.binds.add(inner.name)
        elif isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
            node.binds.add(inner.id)
        for name, target in module_names(inner):  # type: ignore[arg-type]
            node.binds.add(name)
            root, _, attribute = target.partition(".")
            if root in local:
                plain = isinstance(inner, ast.Import)
                node.local_imports.append((root, None if plain else attribute or None))
    node.uses = {n.id for n in ast.walk(statement) if isinstance(n, ast.Name)} - {"self"}
    return node


def nodes_of(module: str, source: str, rules: Rules, local: set[str]) -> list[Node]:
    """One node per top-level statement of ``module`` (main guard and docstrings left out)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise Unparsable(f"{module}.py", error.lineno or 0) from None
    except (ValueError, RecursionError, MemoryError):  # nested too deeply for the parser
        raise Unparsable(f"{module}.py", 0) from None
    aliases = {
        name: target
        for statement in tree.body
        if isinstance(statement, ast.Import)
        for name, target in module_names(statement)
    }
    nodes = []
    scanner = Scanner(f"{module}.py", source, rules, aliases)
    for statement in tree.body:
        if is_main_guard(statement) or (
            isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
        ):
            continue
        node = describe(module, statement, local)
        node.findings = scanner.scan(statement)
        nodes.append(node)
    return nodes


def reach(
    start: tuple[str, str], graph: dict[str, list[Node]], homes: dict[str, str]
) -> list[Node]:
    """The nodes a component (module, name) reaches, stopping at other components."""
    module, component = start
    others = {name for name, home in homes.items() if home == module and name != component}
    todo = [
        n
        for n in graph.get(module, [])
        if component in n.binds or (n.always and not n.binds & others)
    ]
    seen: dict[int, Node] = {}
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen[id(node)] = node
        for name in node.uses:
            if name != component and homes.get(name) == node.module:
                continue  # another component of this module: graded on its own
            todo += [n for n in graph.get(node.module, []) if name in n.binds]
        for other, attribute in node.local_imports:
            if attribute is not None and homes.get(attribute) == other and attribute != component:
                continue
            todo += [
                n
                for n in graph.get(other, [])
                if n.always or attribute is None or attribute in n.binds
            ]
    return list(seen.values())


def analyse(sources: dict[str, str], homes: dict[str, str], rules: Rules) -> dict[str, list]:
    """Findings per component. ``sources``: module name -> text of every .py file of the
    submission; ``homes``: component -> the module that defines it."""
    local = set(sources)
    graph = {module: nodes_of(module, text, rules, local) for module, text in sources.items()}
    found: dict[str, list[Finding]] = {}
    for component, module in homes.items():
        nodes = reach((module, component), graph, homes)
        unique = {(f.rule, f.file, f.line): f for n in nodes for f in n.findings}
        found[component] = sorted(unique.values(), key=lambda f: (f.file, f.line, f.rule))
    return found
