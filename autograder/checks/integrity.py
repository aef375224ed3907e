"""Integrity checks: a component earns its points by backpropagation, not around it.

One check per component runs the static pass (static.py, attribution.py) on
the student's files, read by the grader, and fails with every finding: the
file, the line, the construct, and a sentence saying what is expected
instead. An assignment's checks file chooses the rules: ``DEFAULT_RULES``
with modules added or dropped (``with_modules``, ``without_modules``).

What it catches: complex-step differentiation (any complex arithmetic),
automatic or numerical differentiation libraries and the grader's own
engine, ``forward`` re-run on perturbed inputs inside ``backward``, and code
the grader cannot read. What it cannot catch: a difference quotient written
out without calling ``forward`` (caught, for non-linear layers, by the
exactness checks and, for Affine and the trainer, by the cost checks), and
names built at run time.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

from autograder.checks.attribution import Unparsable, analyse
from autograder.checks.static import Finding, Rules
from autograder.checks.suite import Context
from autograder.core.errors import CheckFailed
from autograder.i18n import t

# Autodiff and numerical differentiation libraries, complex math, and the engine.
DIFFERENTIATION = frozenset(
    {"jax", "jaxlib", "autograd", "torch", "tensorflow", "keras", "mxnet", "chainer", "theano"}
    | {"paddle", "mygrad", "micrograd", "tinygrad", "numdifftools", "findiff", "sympy", "casadi"}
    | {"scipy.optimize", "scipy.differentiate", "scipy.misc", "cmath", "mpmath"}
)
# the runtime is mounted in the sandbox: its trusted layers must not be borrowed either
ENGINE = frozenset({"autograder", "autograder_runtime", "trusted_layers"})
DEFAULT_RULES = Rules(forbidden_modules=DIFFERENTIATION | ENGINE | {"importlib"})
MAX_SOURCE_BYTES = 1 << 20
SHOWN = 3


def with_modules(rules: Rules, *modules: str) -> Rules:
    return replace(rules, forbidden_modules=rules.forbidden_modules | set(modules))


def without_modules(rules: Rules, *modules: str) -> Rules:
    return replace(rules, forbidden_modules=rules.forbidden_modules - set(modules))


def submission_sources(folder: Path) -> dict[str, str]:
    """module name -> text, for every top-level .py file the grader can read (capped)."""
    sources = {}
    for path in sorted(Path(folder).glob("*.py")):
        if path.stem.isidentifier() and path.is_file() and not path.is_symlink():
            with open(path, "rb") as stream:
                data = stream.read(MAX_SOURCE_BYTES)  # a leading BOM, as Python's import
                sources[path.stem] = data.decode("utf-8-sig", "replace")  # drops it
    return sources


@functools.lru_cache(maxsize=16)
def findings_of(
    sources: tuple[tuple[str, str], ...], homes: tuple[tuple[str, str], ...], rules: Rules
) -> dict[str, list[Finding]]:
    """The static pass, once per submission (the checks of every component share it)."""
    return analyse(dict(sources), dict(homes), rules)


def sentence(finding: Finding, component: str, expected: str) -> str:
    what = t(f"static.{finding.rule}", what=finding.what)
    where = t("static.where", file=finding.file, line=finding.line, component=component)
    return f"{where}: {what}; {expected}"


def check_integrity(
    ctx: Context,
    component: str,
    homes: dict[str, str],
    expected: str,
    rules: Rules = DEFAULT_RULES,
) -> None:
    """Fail with every shortcut the static pass finds in ``component``'s reach.

    ``homes`` maps each component of the suite to the module defining it;
    ``expected`` is the sentence saying what the student should write instead.
    """
    sources = submission_sources(ctx.student.folder)
    if homes[component] not in sources:
        raise CheckFailed(t("static.missing", file=f"{homes[component]}.py"))
    key = (tuple(sorted(sources.items())), tuple(sorted(homes.items())), rules)
    try:
        found = findings_of(*key)[component]
    except Unparsable as bad:
        # A file Python cannot parse cannot be imported either: that import failure is
        # raised as every other check meets it (the check did not run; a page states
        # the syntax error once, not once per check).
        ctx.student.import_failure(bad.file.removesuffix(".py"))
        raise CheckFailed(t("static.unparsable", file=bad.file, line=bad.line)) from None
    if found:
        shown = [sentence(f, component, expected) for f in found[:SHOWN]]
        more = t("static.more", count=len(found) - SHOWN) if len(found) > SHOWN else ""
        raise CheckFailed("\n".join(shown) + more)
