"""A .py file cut into its top-level statements, for the notebook's code cells.

A notebook cell names a span of a module by its first and last top-level
statement (``notebook_build``): a class, a function, a constant, an import by
its text, ``__doc__`` or ``__main__``. A span takes the comments just above
its first statement and runs up to the next statement, so trailing comments
such as ``### END SOLUTION`` stay with the block they close.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from autograder.core.errors import AutograderError


def node_key(node: ast.stmt, index: int) -> str:
    """How a cell's span names a top-level statement."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.name
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    if isinstance(node, ast.Import | ast.ImportFrom):
        return ast.unparse(node)
    if index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return "__doc__"
    if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
        return "__main__"
    return f"line {node.lineno}"


class ModuleText:
    """A .py file cut into its top-level statements."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.source = path.read_text(encoding="utf-8")
        self.lines = self.source.splitlines(keepends=True)
        self.nodes = {node_key(n, i): n for i, n in enumerate(ast.parse(self.source).body)}
        self.keys = list(self.nodes)

    def start(self, key: str) -> int:
        node = self.nodes[key]
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
        while first > 0 and self.lines[first - 1].lstrip().startswith("#"):
            first -= 1
        return first

    def span(self, first: str, last: str) -> str:
        for key in (first, last):
            if key not in self.nodes:
                raise AutograderError(
                    f"{self.path.name} has no top-level {key!r} (a notebook cell names it); "
                    f"it has: {', '.join(self.keys)}"
                )
        return "".join(self.lines[self.start(first) : self.end(last)]).rstrip()

    def end(self, key: str) -> int:
        """Up to the next statement (with its comments): a block's trailing comments,
        such as ``### END SOLUTION``, are not in the syntax tree."""
        following = self.keys.index(key) + 1
        return self.start(self.keys[following]) if following < len(self.keys) else len(self.lines)

    def covered(self, first: str, last: str) -> list[str]:
        return self.keys[self.keys.index(first) : self.keys.index(last) + 1]

    def main_body(self) -> str:
        node = self.nodes["__main__"]
        assert isinstance(node, ast.If)
        body = "".join(self.lines[node.body[0].lineno - 1 : node.body[-1].end_lineno])
        return textwrap.dedent(body).rstrip()
