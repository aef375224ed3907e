"""Why a line of backward multiplies shapes that do not line up: read, not guessed.

A backward that raised "matmul: ... mismatch" used to be told "a transpose is
missing", even when its line already read ``x.T @ dout`` and the real cause was
a cache stored transposed in forward. Here the failing line is *reproduced on
shapes*: the student's forward and backward are parsed (never run), every
name gets the shape it has at that point (inputs, upstream gradient, what
forward stored on ``self``, earlier lines of backward), and the line is
evaluated on shapes alone, to the operation that fails. Then the smallest
change that makes the line give the gradient's right shape names the
mistake: a cache stored with another shape than its input, a transpose
missing (or one too many) on one operand, or the operands in the wrong
order. When none does, the sentence states the two shapes that clash.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

from autograder.checks.places import find_function

Shape = tuple[int, ...]
SAME_SHAPE_CALLS = {"array", "asarray", "copy", "float64", "ascontiguousarray"}
LINE = re.compile(r"line (\d+), in (\w+):")


class Clash(Exception):
    """A binary operation whose operands' shapes cannot combine."""

    def __init__(self, node: ast.BinOp | ast.Call, left: Shape, right: Shape) -> None:
        super().__init__("shapes clash")
        self.node, self.left, self.right = node, left, right


def matmul(a: Shape, b: Shape, node: Any) -> Shape:
    """``@`` on shapes of one or two axes, as NumPy does it (a vector on either side)."""
    if not a or not b or len(a) > 2 or len(b) > 2:
        raise TypeError("not a matrix product of vectors and matrices")
    if a[-1] != b[0]:
        raise Clash(node, a, b)
    return a[:-1] + b[1:]


def broadcast(a: Shape, b: Shape, node: Any) -> Shape:
    result = []
    for x, y in zip(reversed((1,) * (len(b) - len(a)) + a), reversed((1,) * (len(a) - len(b)) + b)):
        if x != y and 1 not in (x, y):
            raise Clash(node, a, b)
        result.append(max(x, y))
    return tuple(reversed(result))


def shape_of(node: ast.expr, env: dict[str, Shape]) -> Shape | None:
    """The shape ``node`` evaluates to, or None when it cannot be told from shapes."""
    if isinstance(node, (ast.Name, ast.Attribute)) and ast.unparse(node) in env:
        return env[ast.unparse(node)]
    if isinstance(node, ast.Attribute) and node.attr == "T":
        inner = shape_of(node.value, env)
        return tuple(reversed(inner)) if inner is not None else None
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return ()
    if isinstance(node, ast.UnaryOp):
        return shape_of(node.operand, env)
    if isinstance(node, ast.BinOp):
        left, right = shape_of(node.left, env), shape_of(node.right, env)
        if left is None or right is None:
            return None
        return (
            matmul(left, right, node)
            if isinstance(node.op, ast.MatMult)
            else broadcast(left, right, node)
        )
    if isinstance(node, ast.Call):
        return call_shape(node, env)
    return None


def call_shape(node: ast.Call, env: dict[str, Shape]) -> Shape | None:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    method_of = func.value if isinstance(func, ast.Attribute) else None
    numpy_call = isinstance(method_of, ast.Name) and method_of.id in ("np", "numpy")
    args = list(node.args) if numpy_call or method_of is None else [method_of, *node.args]
    if name in SAME_SHAPE_CALLS and args:
        return shape_of(args[0], env)
    if name == "transpose" and args:
        inner = shape_of(args[0], env)
        return tuple(reversed(inner)) if inner is not None else None
    if name == "dot" and len(args) == 2:
        left, right = shape_of(args[0], env), shape_of(args[1], env)
        return matmul(left, right, node) if left is not None and right is not None else None
    return None


def evaluate(node: ast.expr, env: dict[str, Shape]) -> Shape | Clash | None:
    try:
        return shape_of(node, env)
    except Clash as clash:
        return clash
    except TypeError:
        return None


@dataclass(frozen=True)
class Finding:
    """The mistake in one failing line: its key and the facts its sentence needs."""

    mistake: str
    fields: dict[str, Any]
    in_forward: bool = False


def analyse(
    source: str, layer: str, where: str, names: tuple[str, ...], shapes: tuple[Shape, ...],
    upstream: Shape,
) -> Finding | None:  # fmt: skip
    """The mistake behind the clash in the backward line ``where`` points at."""
    found = LINE.search(where)
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    forward, backward = (
        find_function(tree, [layer, "forward"]),
        find_function(tree, [layer, "backward"]),
    )
    if found is None or forward is None or backward is None or found.group(2) != "backward":
        return None
    statement = failing_statement(backward, int(found.group(1)))
    if statement is None:
        return None
    inputs = dict(zip([a.arg for a in forward.args.args[1:]], shapes))
    stored = stored_shapes(forward, inputs)
    env = {**{k: s for k, (s, _) in stored.items()}, **backward_names(backward, upstream)}
    env = locals_before(backward, statement, env)
    gradient, value, clash = clashing_part(statement, names, env)
    if clash is None or value is None:
        return None
    want = shapes[names.index(gradient)] if gradient else None
    base = {"name": gradient, "input": gradient[1:], "shape": want, "code": ast.unparse(statement)}
    for attr, (shape, origin) in stored.items():  # a cache stored with another shape
        if origin and shape != inputs[origin] and attr in ast.unparse(value):
            fixed = evaluate(value, {**env, attr: inputs[origin]})
            if fixed == want or (want is None and isinstance(fixed, tuple)):
                fields = {**base, "attr": attr, "param": origin, "stored": shape}
                return Finding("cache_reshaped", {**fields, "expected": inputs[origin]}, True)
    return operand_fix(clash, value, env, want, base)


def clashing_part(
    statement: ast.stmt, names: tuple[str, ...], env: dict[str, Shape]
) -> tuple[str, ast.expr | None, Clash | None]:
    """(the gradient it computes or "", the expression that clashes, the clash)."""
    if isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name):
        target = statement.targets[0].id
        clash = evaluate(statement.value, env)
        gradient = target if target in names else ""
        return gradient, statement.value, clash if isinstance(clash, Clash) else None
    if isinstance(statement, ast.Return) and isinstance(statement.value, ast.Tuple):
        for position, part in enumerate(statement.value.elts):
            clash = evaluate(part, env)
            if isinstance(clash, Clash):
                gradient = names[position] if position < len(names) else ""
                return gradient, part, clash
    return "", None, None


def operand_fix(
    clash: Clash, value: ast.expr, env: dict[str, Shape], want: Shape | None, base: dict[str, Any]
) -> Finding:
    """The smallest change to the clashing operation that gives the gradient's shape: a
    transpose added to (or taken from) one operand, the operands swapped, ``*`` that
    must be ``@``, or one operand that must be another array."""
    node = clash.node
    if isinstance(node, ast.BinOp) and want is not None:
        for key, trial in trials(node):
            if evaluate(trial, env) == want:
                if key == "missing_transpose" and not has_transpose(trial, node):
                    key = "extra_transpose"
                return Finding(key, {**base, "fix": ast.unparse(trial)})
        found = substitution(node, env, want)
        if found is not None:
            wrong, right, fix = found
            return Finding("wrong_operand", {**base, "wrong": wrong, "right": right, "fix": fix})
    sides = operands(node)
    return Finding(
        "shapes_clash",
        {**base, "left": sides[0], "right": sides[1], "left_shape": clash.left,
         "right_shape": clash.right},
    )  # fmt: skip


def trials(node: ast.BinOp) -> list[tuple[str, ast.BinOp]]:
    left, right = node.left, node.right
    if isinstance(node.op, ast.MatMult):
        return [
            ("missing_transpose", ast.BinOp(toggled(left), ast.MatMult(), right)),
            ("missing_transpose", ast.BinOp(left, ast.MatMult(), toggled(right))),
            ("operands_swapped", ast.BinOp(right, ast.MatMult(), left)),
        ]
    if isinstance(node.op, ast.Mult):
        pairs = [(left, right), (toggled(left), right), (left, toggled(right)), (right, left)]
        return [("elementwise_product", ast.BinOp(a, ast.MatMult(), b)) for a, b in pairs]
    return []


def substitution(
    node: ast.BinOp, env: dict[str, Shape], want: Shape
) -> tuple[str, str, str] | None:
    """(operand, the array it must be, the fixed expression) when exactly one swap of
    an operand for another known array gives the gradient's shape."""
    found = []
    for side in ("left", "right"):
        operand = getattr(node, side)
        core = (
            operand.value if isinstance(operand, ast.Attribute) and operand.attr == "T" else operand
        )
        for name in env:
            if name == ast.unparse(core):
                continue
            replacement: ast.expr = ast.parse(name, mode="eval").body
            if core is not operand:
                replacement = ast.Attribute(replacement, "T", ast.Load())
            trial = ast.BinOp(node.left, node.op, node.right)
            setattr(trial, side, replacement)
            if evaluate(trial, env) == want:
                found.append((ast.unparse(core), name, ast.unparse(trial)))
    return found[0] if len(found) == 1 else None


def operands(node: ast.BinOp | ast.Call) -> tuple[str, str]:
    if isinstance(node, ast.BinOp):
        return ast.unparse(node.left), ast.unparse(node.right)
    args = [*node.args][-2:]
    return (ast.unparse(args[0]), ast.unparse(args[1])) if len(args) == 2 else ("?", "?")


def toggled(node: ast.expr) -> ast.expr:
    if isinstance(node, ast.Attribute) and node.attr == "T":
        return node.value
    return ast.Attribute(node, "T", ast.Load())


def has_transpose(trial: ast.BinOp, original: ast.BinOp) -> bool:
    """The fix adds a ``.T`` (rather than removing one)."""
    return ast.unparse(trial).count(".T") > ast.unparse(original).count(".T")


def failing_statement(function: ast.FunctionDef, line: int) -> ast.stmt | None:
    best = None
    for node in ast.walk(function):
        if isinstance(node, (ast.Assign, ast.Return, ast.Expr, ast.AugAssign)):
            end = getattr(node, "end_lineno", node.lineno) or node.lineno
            if node.lineno <= line <= end and (best is None or node.lineno >= best.lineno):
                best = node
    return best


def stored_shapes(
    forward: ast.FunctionDef, inputs: dict[str, Shape]
) -> dict[str, tuple[Shape, str]]:
    """``self.x`` -> (the shape forward stores, the input it is made from, or "")."""
    stored: dict[str, tuple[Shape, str]] = {}
    for node in ast.walk(forward):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if isinstance(target, ast.Attribute) and ast.unparse(target).startswith("self."):
                shape = evaluate(node.value, dict(inputs))
                if isinstance(shape, tuple):
                    used = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
                    origin = next(iter(used & set(inputs))) if len(used & set(inputs)) == 1 else ""
                    stored[ast.unparse(target)] = (shape, origin)
    return stored


def backward_names(backward: ast.FunctionDef, upstream: Shape) -> dict[str, Shape]:
    params = [a.arg for a in backward.args.args[1:]]
    return {params[0]: upstream} if params else {}


def locals_before(
    backward: ast.FunctionDef, statement: ast.stmt, env: dict[str, Shape]
) -> dict[str, Shape]:
    env = dict(env)
    for node in backward.body:
        if node is statement or node.lineno >= statement.lineno:
            break
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            shape = evaluate(node.value, env)
            if isinstance(target, ast.Name) and isinstance(shape, tuple):
                env[target.id] = shape
    return env
