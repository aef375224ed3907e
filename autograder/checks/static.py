"""A static pass over a submission's source: shortcuts around backpropagation, by line.

The grader parses the student's files with ``ast`` in its own process and
never runs them. It finds, in the code each component can reach:

* complex arithmetic (``1j``, ``complex(...)``, ``np.complex128``, ``.imag``,
  a ``"complex"`` dtype): complex-step differentiation;
* imports of automatic or numerical differentiation libraries, or of the
  grader's own engine (whose numerical helpers and trusted layers are public);
* ``forward`` called inside ``backward`` on anything but what forward cached
  (``self.forward(self.v)`` is a legitimate recomputation; ``self.forward(
  self.x + h)`` differentiates numerically), or handed on as a value;
* extended precision (``np.longdouble``, a ``"float128"`` dtype), which makes a
  high-order difference quotient exact to float64 rounding;
* code the grader cannot read: ``exec``, ``eval``, ``compile``, ``__import__``,
  ``importlib``;
* a class defining arithmetic operators (``__add__``, ``__rtruediv__``...) or
  NumPy's dispatch (``__array_ufunc__``): automatic differentiation written by
  hand (dual numbers push a derivative through the inlined forward, exact and,
  elementwise, as cheap as the formula, so no value or cost check can tell).
  Layers and trainers of this lesson compute on arrays; they define no operators.

Which component a finding costs is attribution.py's business.

What it cannot catch: code that builds a forbidden name at run time
(``getattr(np, "im" + "ag")``), and numerical differentiation written out
without any of the above (a difference quotient of an inlined forward).
The exactness and cost checks take over there, except for layers linear in
their inputs (Multiply), where a difference quotient is exact and cheap.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from autograder.checks.static_vocabulary import (
    COMPLEX_ATTRIBUTES,
    DTYPE_CALLS,
    DYNAMIC_CALLS,
    EXTENDED_ATTRIBUTES,
    EXTENDED_CODE,
    OVERLOADED,
    is_complex_code,
    is_complex_name,
)


@dataclass(frozen=True)
class Finding:
    """One shortcut: its rule (complex, import, forward, dynamic), where, and as written."""

    rule: str
    file: str
    line: int
    what: str


@dataclass(frozen=True)
class Rules:
    """What the pass flags. An assignment's checks file may add or drop modules."""

    forbidden_modules: frozenset[str]
    complex_arithmetic: bool = True
    forward_in_backward: bool = True
    dynamic_code: bool = True
    extended_precision: bool = True
    operator_overloading: bool = True

    def forbids(self, module: str) -> bool:
        return any(module == m or module.startswith(m + ".") for m in self.forbidden_modules)


def source_of(node: ast.AST, lines: list[bytes]) -> str:
    """The node as written (its first line), at most 80 characters."""
    line, end = getattr(node, "lineno", 0), getattr(node, "end_lineno", 0)
    if not 0 < line <= len(lines):
        return type(node).__name__
    start = getattr(node, "col_offset", 0)
    stop = getattr(node, "end_col_offset", None) if end == line else None
    text = lines[line - 1][start:stop].decode("utf-8", "replace")
    return " ".join(text.split())[:80] + ("..." if end != line else "")


def module_names(statement: ast.stmt) -> Iterator[tuple[str, str]]:
    """(bound name, dotted module or module.attribute) for each name an import binds."""
    if isinstance(statement, ast.Import):
        for alias in statement.names:
            yield (alias.asname or alias.name.split(".")[0]), alias.name
    elif isinstance(statement, ast.ImportFrom) and not statement.level:
        for alias in statement.names:
            yield (alias.asname or alias.name), f"{statement.module or ''}.{alias.name}"


def dotted(node: ast.AST) -> str | None:
    """``scipy.optimize.approx_fprime`` for an attribute chain on a plain name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


class Scanner:
    """Findings inside one top-level statement of one file."""

    def __init__(self, file: str, source: str, rules: Rules, aliases: dict[str, str]) -> None:
        self.file, self.rules, self.aliases = file, rules, aliases
        self.lines = source.encode("utf-8", "replace").splitlines()
        self.found: list[Finding] = []

    def add(self, rule: str, node: ast.AST, what: str | None = None) -> None:
        line = getattr(node, "lineno", 0)
        self.found.append(Finding(rule, self.file, line, what or source_of(node, self.lines)))

    def scan(self, statement: ast.stmt) -> list[Finding]:
        """The findings inside ``statement`` (a top-level statement of the file)."""
        self.found = []
        for node in ast.walk(statement):
            self.imports(node)
            if self.rules.complex_arithmetic:
                self.complex(node)
            if self.rules.dynamic_code:
                self.dynamic(node)
            if self.rules.extended_precision:
                self.extended(node)
            if self.rules.operator_overloading:
                self.overloading(node)
            if self.rules.forward_in_backward and isinstance(node, ast.FunctionDef):
                if node.name == "backward":
                    self.forward_calls(node)
        return self.found

    def imports(self, node: ast.AST) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for _, module in module_names(node):
                base = module if isinstance(node, ast.Import) else node.module or ""
                if self.rules.forbids(base) or self.rules.forbids(module):
                    self.add("import", node)
                    return
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            chain = dotted(node)
            root = chain.split(".")[0] if chain else ""
            if chain and root in self.aliases:
                full = self.aliases[root] + chain[len(root) :]
                if self.rules.forbids(full) and not self.rules.forbids(self.aliases[root]):
                    self.add("import", node, full)

    def complex(self, node: ast.AST) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, complex):
            self.add("complex", node)
        elif isinstance(node, ast.Constant) and is_complex_name(node.value):
            self.add("complex", node)
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            code = node.slice.value
            if is_complex_code(code, True) and not is_complex_name(code):
                self.add("complex", node)
        elif isinstance(node, ast.Name) and node.id == "complex":
            self.add("complex", node)
        elif isinstance(node, ast.Attribute) and node.attr in COMPLEX_ATTRIBUTES:
            self.add("complex", node)
        elif isinstance(node, ast.Call):
            values = [*node.args, *(k.value for k in node.keywords)]
            dtypes = [k.value for k in node.keywords if k.arg == "dtype"]
            if isinstance(node.func, ast.Attribute) and node.func.attr in DTYPE_CALLS:
                dtypes += node.args[:1]
            for value in values:
                named = isinstance(value, ast.Constant) and is_complex_name(value.value)
                if isinstance(value, ast.Constant) and not named:  # a name is found as a constant
                    if is_complex_code(value.value, value in dtypes):
                        self.add("complex", value)

    def overloading(self, node: ast.AST) -> None:
        """An operator defined (``def __add__``), bound (``__add__ = f``) or named
        (``type("D", (), {"__add__": f})``, ``setattr(D, "__add__", f)``)."""
        if isinstance(node, ast.FunctionDef) and node.name in OVERLOADED:
            self.add("overloading", node, f"def {node.name}")
        elif isinstance(node, ast.Name) and node.id in OVERLOADED:
            self.add("overloading", node)
        elif isinstance(node, ast.Constant) and node.value in OVERLOADED:
            self.add("overloading", node)

    def extended(self, node: ast.AST) -> None:
        if isinstance(node, ast.Attribute) and node.attr in EXTENDED_ATTRIBUTES:
            self.add("extended", node)
        elif isinstance(node, ast.Call):
            for value in [*node.args, *(k.value for k in node.keywords)]:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    if EXTENDED_CODE.fullmatch(value.value.strip()):
                        self.add("extended", value)

    def dynamic(self, node: ast.AST) -> None:
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if isinstance(node.func, ast.Attribute):
                name = node.func.attr
            if name in DYNAMIC_CALLS:
                self.add("dynamic", node)

    def forward_calls(self, function: ast.FunctionDef) -> None:
        """``forward`` inside ``backward``: allowed only on what forward cached."""
        owner = function.args.args[0].arg if function.args.args else "self"
        aliases = cached_aliases(function, owner)
        called = set()
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and is_forward(node.func):
                called.add(id(node.func))
                cached = all(is_cached(arg, owner, aliases) for arg in node.args)
                if node.keywords or not cached:
                    self.add("forward", node)
        for node in ast.walk(function):
            if is_forward(node) and id(node) not in called:
                self.add("forward", node)


def is_forward(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "forward") or (
        isinstance(node, ast.Name) and node.id == "forward"
    )


def is_cached(node: ast.AST, owner: str, aliases: set[str]) -> bool:
    """``self.v``, or a local name only ever assigned ``self.<attr>``."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id == owner
    return isinstance(node, ast.Name) and node.id in aliases


def cached_aliases(function: ast.FunctionDef, owner: str) -> set[str]:
    """Local names bound only by ``name = self.attr`` and never changed afterwards."""
    plain: set[str] = set()
    other: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    good = is_cached(node.value, owner, set())
                    (plain if good else other).add(target.id)
                for inner in ast.walk(target):
                    if isinstance(inner, ast.Subscript) and isinstance(inner.value, ast.Name):
                        other.add(inner.value.id)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.NamedExpr, ast.For)):
            for inner in ast.walk(node.target):
                if isinstance(inner, ast.Name):
                    other.add(inner.id)
                elif isinstance(inner, ast.Subscript) and isinstance(inner.value, ast.Name):
                    other.add(inner.value.id)
    return plain - other


def is_main_guard(statement: ast.stmt) -> bool:
    test = statement.test if isinstance(statement, ast.If) else None
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )


def default_argument(source: str, function: str, parameter: str) -> object | None:
    """The default of ``parameter`` of the top-level ``function``, when it is a literal or a
    module-level name bound once to a literal (``epochs=DEFAULT_EPOCHS``); else None."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    constants: dict[str, list[object]] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    constants.setdefault(target.id, []).append(statement.value.value)
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef) and statement.name == function:
            arguments = statement.args
            positional = [*arguments.posonlyargs, *arguments.args]
            pairs = list(
                zip(positional[len(positional) - len(arguments.defaults) :], arguments.defaults)
            )
            pairs += [(a, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults) if d]
            for argument, default in pairs:
                if argument.arg != parameter:
                    continue
                if isinstance(default, ast.Constant):
                    return default.value
                if isinstance(default, ast.Name) and len(constants.get(default.id, [])) == 1:
                    return constants[default.id][0]
    return None
