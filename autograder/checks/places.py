"""Where in the student's own code: a function, a line, or a notebook cell.

A diagnosis says where to change the code. The place is read from the
student's files in the grader's process (the scratch copy being graded), by
parsing them with ``ast``: nothing runs, and a file that does not parse, is
too large or lacks the function simply has no place. For a notebook
submission the modules were extracted with a ``# --- cell N of NAME ---``
header above each cell (``intake.notebooks``), so a line of the extracted
module maps back to a line of a notebook cell: a student who only has the
notebook is pointed at its cells, never at a file they do not have.

Hidden checks may show the place too: every part of it (the function's name
as the student's file defines it, the file or cell, the line number, the
line's code) comes from the student's own code, never from the check.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from autograder.i18n import t

MAX_SOURCE_BYTES = 1 << 20
CELL_HEADER = re.compile(r"^# --- cell (\d+) of (.+?) ---$")
FILE_LINE = re.compile(r"\b([A-Za-z_]\w*)\.py, line (\d+)")
CODE_SHOWN = 100


@dataclass(frozen=True)
class Place:
    """A line of the student's code, inside one of their functions."""

    function: str  # qualified name, e.g. AffineLayer.backward
    where: str  # "layers.py, line 52" or "cell 7 of backprop.ipynb, line 12"
    code: str  # the line itself, stripped

    def sentence(self, with_code: bool = True) -> str:
        """``AffineLayer.backward (layers.py, line 52: dW = dout.T @ self.x)``."""
        key = "place.code" if with_code and self.code else "place.function"
        return t(key, function=self.function, where=self.where, code=self.code)


def read_source(folder: Path, module: str) -> str | None:
    path = Path(folder) / f"{module}.py"
    try:
        if not path.is_file() or path.stat().st_size > MAX_SOURCE_BYTES:
            return None
        return path.read_text(encoding="utf-8-sig", errors="replace")  # a BOM, as import does
    except OSError:
        return None


def line_place(source: str | None, module: str, line: int) -> str:
    """``layers.py, line 57``, or the notebook cell and its line that hold it."""
    lines = (source or "").splitlines()
    for number in range(min(line, len(lines)), 0, -1):
        header = CELL_HEADER.match(lines[number - 1])
        if header:
            cell, notebook = header.groups()
            return t("place.cell", cell=cell, notebook=notebook, line=line - number)
    return t("place.file", file=f"{module}.py", line=line)


def in_notebook(source: str | None) -> bool:
    return any(CELL_HEADER.match(line) for line in (source or "").splitlines()[:50])


def rewrite(text: str, folder: Path, modules: Iterable[str]) -> str:
    """Every ``layers.py, line 57`` of a notebook submission, as its cell and line.

    Files handed in as files keep their names; a text with no such reference
    comes back unchanged.
    """
    if ".py, line " not in text:
        return text
    sources = {m: read_source(folder, m) for m in modules}
    notebook = {m for m, source in sources.items() if in_notebook(source)}
    if not notebook:
        return text

    def replace(found: re.Match[str]) -> str:
        module, line = found.group(1), int(found.group(2))
        return line_place(sources[module], module, line) if module in notebook else found[0]

    return FILE_LINE.sub(replace, text)


def locate(folder: Path, function: str, variable: str = "") -> Place | None:
    """The student's ``function`` (``layers.AffineLayer.backward``) and, inside it, the
    last line that assigns ``variable`` (else its last ``return``, else the ``def``
    line); None when the function is absent."""
    module, _, qualname = function.partition(".")
    source = read_source(folder, module)
    if source is None or not qualname:
        return None
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    node = find_function(tree, qualname.split("."))
    if node is None:
        return None
    statement = last_assignment(node, variable) if variable else None
    if statement is None and variable:  # a gradient returned without a name of its own
        statement = last_return(node)
    if statement is not None and variable and in_alternatives(node, variable, statement):
        statement = None  # which branch set it is not known here: the function, not a guess
    if statement is None:
        lines = source.splitlines()
        line = node.lineno
        code = lines[line - 1].strip() if line <= len(lines) else ""
    else:  # the statement as the student wrote it, without a trailing comment, on one line
        segment = ast.get_source_segment(source, statement) or ast.unparse(statement)
        line, code = statement.lineno, " ".join(segment.split())
    return Place(qualname, line_place(source, module, line), shorten(code))


def shorten(code: str) -> str:
    return code if len(code) <= CODE_SHOWN else code[: CODE_SHOWN - 3] + "..."


def find_function(tree: ast.AST, path: list[str]) -> ast.FunctionDef | None:
    """The function at ``path`` (class names, then the function's), top level down."""
    body = getattr(tree, "body", [])
    for node in body:
        if getattr(node, "name", None) != path[0]:
            continue
        if len(path) == 1 and isinstance(node, ast.FunctionDef):
            return node
        if len(path) > 1 and isinstance(node, ast.ClassDef):
            return find_function(node, path[1:])
    return None


def last_assignment(function: ast.FunctionDef, variable: str) -> ast.stmt | None:
    """The last statement that sets ``variable`` in ``function``: an assignment to it
    (``dW = ...``, ``self.x = ...``, ``p[k] -= ...``) or an ``append`` to it
    (``losses.append(...)``)."""
    found: ast.stmt | None = None
    for node in ast.walk(function):
        if not isinstance(node, ast.stmt) or isinstance(node, ast.FunctionDef):
            continue
        if variable in set_names(node) and (found is None or node.lineno > found.lineno):
            found = node
    return found


def in_alternatives(function: ast.FunctionDef, variable: str, last: ast.stmt) -> bool:
    """Is ``variable`` also set in another branch of an ``if`` or ``try`` that holds
    ``last``? (``try: dx = dout @ W`` / ``except: dx = dout @ W.T``: the later line
    need not be the one that ran.)"""
    for node in ast.walk(function):
        if not isinstance(node, (ast.If, ast.Try)):
            continue
        arms = [node.body, node.orelse]
        if isinstance(node, ast.Try):
            arms += [handler.body for handler in node.handlers]
        holding = [arm for arm in arms if any(last in ast.walk(s) for s in arm)]
        others = [arm for arm in arms if arm and not any(arm is h for h in holding)]
        if holding and any(sets(arm, variable) for arm in others):
            return True
    return False


def sets(statements: list[ast.stmt], variable: str) -> bool:
    return any(
        isinstance(n, ast.stmt) and variable in set_names(n)
        for statement in statements
        for n in ast.walk(statement)
    )


def last_return(function: ast.FunctionDef) -> ast.stmt | None:
    returns = [n for n in ast.walk(function) if isinstance(n, ast.Return) and n.value is not None]
    return max(returns, key=lambda n: n.lineno) if returns else None


def set_names(node: ast.stmt) -> set[str]:
    """What a statement sets: names, attributes (``self.x``), appended lists."""
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        func = node.value.func
        if isinstance(func, ast.Attribute) and func.attr in ("append", "extend"):
            targets = [func.value]
    found = set()
    for target in targets:
        for part in ast.walk(target):
            if isinstance(part, (ast.Name, ast.Attribute)):
                found.add(ast.unparse(part))
    return found
