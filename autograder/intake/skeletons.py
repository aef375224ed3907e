"""Is a student's module the untouched skeleton? Compared by AST with the reference.

A notebook student who hands in the whole release folder hands in the
skeleton's ``layers.py`` and ``xor.py`` beside the filled notebook; those
files must not be graded in the notebook's place. A module is *untouched*
when every solution region of the reference still holds the stub: the
reference's regions (nbgrader's ``### BEGIN SOLUTION`` / ``### END SOLUTION``)
and the student's stubs (``raise NotImplementedError(...)``) are both reduced
to ``pass``, and the two syntax trees must then be equal. Comparing trees,
not text, ignores comments, blank lines and formatting (an editor that
reformats on save), and sees any statement a student added or changed.

The reference folder of a public-only assignment holds the skeleton itself
(no regions, the stubs in place): the same reduction makes it compare equal.
"""

from __future__ import annotations

import ast

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"


def _regions_as_pass(reference: str) -> str:
    """The reference with every solution region replaced by ``pass`` at its indentation."""
    kept, inside = [], False
    for line in reference.splitlines():
        stripped = line.strip()
        if stripped == BEGIN:
            inside = True
            kept.append(line[: len(line) - len(line.lstrip())] + "pass")
        elif stripped == END:
            inside = False
        elif not inside:
            kept.append(line)
    return "\n".join(kept) + "\n"


class _StubsAsPass(ast.NodeTransformer):
    """``raise NotImplementedError(...)`` -> ``pass``."""

    def visit_Raise(self, node: ast.Raise) -> ast.AST:
        target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        if isinstance(target, ast.Name) and target.id == "NotImplementedError":
            return ast.Pass()
        return node


def _shape(source: str) -> str | None:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    try:
        return ast.dump(_StubsAsPass().visit(tree), include_attributes=False)
    except RecursionError:
        return None


def is_untouched(student: bytes, reference: bytes) -> bool:
    """True when ``student`` is the skeleton of ``reference`` up to formatting."""
    try:
        student_text, reference_text = student.decode("utf-8"), reference.decode("utf-8")
    except UnicodeDecodeError:
        return False
    expected = _shape(_regions_as_pass(reference_text))
    return expected is not None and _shape(student_text) == expected
