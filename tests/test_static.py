"""The static pass: shortcuts found by line, costing exactly the components that reach them.

Sources are parsed, never run. Each case is a small submission (module name
-> source) and the findings expected per component, as (rule, file, line).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SOLUTION, VARIANTS

from autograder.checks.attribution import Unparsable, analyse
from autograder.checks.integrity import (
    DEFAULT_RULES,
    submission_sources,
    with_modules,
    without_modules,
)
from autograder.checks.static import Rules, default_argument

HOMES = {"MultiplyLayer": "layers", "AffineLayer": "layers", "SigmoidLayer": "layers"}
HOMES_WITH_TRAINER = {**HOMES, "train_xor": "xor"}
LAYERS = """import numpy as np
{imports}

class MultiplyLayer:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dz):
{multiply}

class AffineLayer:
    def forward(self, x, W, b):
        self.x, self.W, self.b = x, W, b
        return x @ W + b

    def backward(self, dout):
        return dout @ self.W.T, self.x.T @ dout, dout.sum(axis=0)


class SigmoidLayer:
    def forward(self, v):
        self.v = v
        self.a = 1 / (1 + np.exp(-v))
        return self.a

    def backward(self, da):
{sigmoid}
"""
S, R = " " * 8, " " * 8 + "return "  # a statement, a return, in a method body
TRUSTED = "autograder_runtime.trusted_layers"
MULTIPLY_OK = "        return dz * self.y, dz * self.x"
SIGMOID_OK = "        return da * self.a * (1 - self.a)"


def layers(imports: str = "", multiply: str = MULTIPLY_OK, sigmoid: str = SIGMOID_OK) -> str:
    return LAYERS.format(imports=imports, multiply=multiply, sigmoid=sigmoid)


def found(sources: dict[str, str], homes: dict[str, str] = HOMES, rules: Rules = DEFAULT_RULES):
    result = analyse(sources, homes, rules)
    return {c: [(f.rule, f.file, f.line) for f in fs] for c, fs in result.items() if fs}


CASES = {
    "clean": ({"layers": layers()}, {}),
    "complex step in sigmoid": (
        {"layers": layers(sigmoid=f"{R}da * np.imag(self.forward(self.v + 1e-30j)) / 1e-30")},
        {"SigmoidLayer": [("complex", "layers.py", 28), ("forward", "layers.py", 28)]},
    ),
    "complex dtype as a string": (
        {"layers": layers(multiply=f"{R}dz * self.y.astype('complex128'), dz * self.x")},
        {"MultiplyLayer": [("complex", "layers.py", 10)]},
    ),
    "complex from a square root of a negative, read by its angle": (
        {"layers": layers(sigmoid=f"{S}z = self.v + np.emath.sqrt(-1.0) * 1e-30\n{R}np.angle(z)")},
        {"SigmoidLayer": [("complex", "layers.py", 28), ("complex", "layers.py", 29)]},
    ),
    "complex dtype codes and a conjugate": (
        {"layers": layers(sigmoid=f"{S}z = self.v.astype('c16')\n{R}np.conj(z).view('F')")},
        {"SigmoidLayer": [("complex", "layers.py", 28), ("complex", "layers.py", 29)]},
    ),
    "a difference quotient in extended precision": (
        {"layers": layers(sigmoid=f"{S}v = self.v.astype(np.longdouble)\n{R}v.astype('f16')")},
        {"SigmoidLayer": [("extended", "layers.py", 28), ("extended", "layers.py", 29)]},
    ),
    "complex numbers from np.roots, a type table and a type's name": (
        {
            "layers": layers(
                sigmoid=f"{S}i = np.roots([1.0, 0.0, 1.0])[0] + np.typecodes['Complex'][0]\n"
                f"{S}c = np.sctypeDict['complex128']\n{R}np.sctypeDict['D']"
            )
        },
        {
            "SigmoidLayer": [
                ("complex", "layers.py", 28),
                ("complex", "layers.py", 29),
                ("complex", "layers.py", 30),
            ]
        },
    ),
    "complex numbers from np.poly1d and np.sort_complex": (
        {"layers": layers(sigmoid=f"{S}i = np.poly1d([1.0, 0.0, 1.0]).r\n{R}np.sort_complex(i)")},
        {"SigmoidLayer": [("complex", "layers.py", 28), ("complex", "layers.py", 29)]},
    ),
    "the word complex in a docstring is no complex type": (
        {"layers": layers(sigmoid=f'{S}"""Not complex: one product."""\n{R}da * self.a')},
        {},
    ),
    "Fortran order is no complex dtype": (
        {"layers": layers(sigmoid=f"{R}(da * self.a * (1 - self.a)).reshape(-1, order='F')")},
        {},
    ),
    "recomputing forward on the cache is fine": (
        {"layers": layers(sigmoid=f"{S}v = self.v\n{S}a = self.forward(v)\n{R}da * a * (1 - a)")},
        {},
    ),
    "forward on a changed alias": (
        {"layers": layers(sigmoid=f"{S}v = self.v\n{S}v = v + 1e-5\n{R}self.forward(v) * da")},
        {"SigmoidLayer": [("forward", "layers.py", 30)]},
    ),
    "forward handed to a helper": (
        {"layers": layers(multiply="        return numgrad(self.forward, dz)")},
        {"MultiplyLayer": [("forward", "layers.py", 10)]},
    ),
    "dual numbers: a class with arithmetic operators": (
        {
            "layers": layers(
                "from dual import Dual", sigmoid=f"{R}da * (1 / (1 + Dual(self.v))).t"
            ),
            "dual": "class Dual:\n"
            "    def __init__(self, v, t=1.0):\n"
            "        self.v, self.t = v, t\n\n"
            "    def __radd__(self, o):\n"
            "        return Dual(o + self.v, self.t)\n\n"
            "    def __rtruediv__(self, o):\n"
            "        return Dual(o / self.v, -o * self.t / self.v**2)\n",
        },
        {"SigmoidLayer": [("overloading", "dual.py", 5), ("overloading", "dual.py", 8)]},
    ),
    "operators bound to a lambda or named in type()": (
        {
            "layers": layers(
                sigmoid=f"{S}D = type('Dual', (), {{'__radd__': lambda s, o: s}})\n{R}D(), E()"
            )
            + "\nclass E:\n    __rmul__ = lambda s, o: s\n"
        },
        {"SigmoidLayer": [("overloading", "layers.py", 28), ("overloading", "layers.py", 32)]},
    ),
    "a class of plain methods is no overloading": (
        {"layers": layers() + "\nclass Cache:\n    def __init__(self):\n        self.v = 0\n"},
        {},
    ),
    "an unused import costs nothing": ({"layers": layers(imports="import jax")}, {}),
    "a used import costs its user only": (
        {"layers": layers(imports="import jax", multiply="        return jax.grad(dz)")},
        {"MultiplyLayer": [("import", "layers.py", 2)]},
    ),
    "a submodule through its package": (
        {"layers": layers("import scipy", sigmoid=f"{R}scipy.optimize.approx_fprime(self.v, da)")},
        {"SigmoidLayer": [("import", "layers.py", 28)]},
    ),
    "the engine's trusted layer": (
        {"layers": layers(f"from {TRUSTED} import MultiplyLayer as M", f"{R}M.backward(self, dz)")},
        {"MultiplyLayer": [("import", "layers.py", 2)]},
    ),
    "a component bound by an import": (
        {"layers": layers() + f"\nfrom {TRUSTED} import AffineLayer\n"},
        {"AffineLayer": [("import", "layers.py", 30)]},
    ),
    "module-level code reaches every component of its module": (
        {"layers": layers() + "\nexec('print(1)')\n"},
        {c: [("dynamic", "layers.py", 30)] for c in HOMES},
    ),
    "module-level code rebinding a component is that component's": (
        {"layers": layers() + "\nif True:\n    AffineLayer = __import__('jax').AffineLayer\n"},
        {"AffineLayer": [("dynamic", "layers.py", 31)]},
    ),
    "a helper module": (
        {
            "layers": layers("from helpers import numgrad", multiply=f"{R}numgrad(dz)"),
            "helpers": "def numgrad(d):\n    return d * 1j\n",
        },
        {"MultiplyLayer": [("complex", "helpers.py", 2)]},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_findings_by_rule_file_line_and_component(case: str) -> None:
    sources, expected = CASES[case]
    assert found(sources) == expected


def test_the_trainer_never_pays_for_its_layers_and_the_main_guard_never_runs() -> None:
    xor = (
        "from layers import AffineLayer, SigmoidLayer\n"
        "def train_xor(X, y, params, lr=2.0, epochs=2000):\n"
        "    return AffineLayer(), []\n"
        "if __name__ == '__main__':\n"
        "    print(1j)\n"
    )
    sources = {"layers": layers(sigmoid="        return da * 1j"), "xor": xor}
    assert found(sources, HOMES_WITH_TRAINER) == {"SigmoidLayer": [("complex", "layers.py", 28)]}


def test_a_layer_defined_in_the_trainer_s_module_is_the_trainer_s() -> None:
    xor = (
        "class AffineLayer:\n"
        "    def backward(self, d):\n"
        "        return d * 1j\n"
        "def train_xor(X, y, params):\n"
        "    return AffineLayer(), []\n"
    )
    result = found({"layers": layers(), "xor": xor}, HOMES_WITH_TRAINER)
    assert result == {"train_xor": [("complex", "xor.py", 3)]}


def test_staff_can_extend_or_relax_the_rules() -> None:
    sources = {"layers": layers(imports="import sympy", multiply="        return sympy.diff(dz)")}
    assert found(sources) == {"MultiplyLayer": [("import", "layers.py", 2)]}
    assert found(sources, rules=without_modules(DEFAULT_RULES, "sympy")) == {}
    banned = with_modules(DEFAULT_RULES, "numpy.linalg")
    own = {
        "layers": layers(
            imports="import numpy.linalg", multiply="        return numpy.linalg.norm(dz)"
        )
    }
    assert found(own, rules=banned) == {"MultiplyLayer": [("import", "layers.py", 2)]}


def test_a_syntax_error_is_named_with_its_line() -> None:
    with pytest.raises(Unparsable) as raised:
        analyse({"layers": "def broken(:\n"}, HOMES, DEFAULT_RULES)
    assert (raised.value.file, raised.value.line) == ("layers.py", 1)


@pytest.mark.parametrize(
    "folder", [SOLUTION, *(p for p in sorted(VARIANTS.iterdir()) if p.name.startswith("correct_"))]
)
def test_every_correct_submission_is_clean(folder: Path) -> None:
    sources = {k: v for k, v in submission_sources(folder).items() if k in ("layers", "xor")}
    assert found(sources, HOMES_WITH_TRAINER) == {}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("DEFAULT_EPOCHS = 2000\ndef train_xor(X, y, p, lr=2.0, epochs=DEFAULT_EPOCHS): ...", 2000),
        ("def train_xor(X, y, p, lr=2.0, epochs=335): ...", 335),
        ("E = 1\nE = 2\ndef train_xor(X, y, p, epochs=E): ...", None),
        ("def train_xor(X, y, p, *, epochs=10): ...", 10),
        ("def train_xor(X, y, p): ...", None),
        ("def train_xor(:", None),
    ],
)
def test_a_default_argument_is_read_only_when_it_is_a_plain_value(
    source: str, expected: object
) -> None:
    assert default_argument(source, "train_xor", "epochs") == expected


@pytest.mark.parametrize("nested", ["1+" * 200_000 + "1", "-" * 400_000 + "1", "np" + ".a" * 9_000])
def test_a_source_too_deep_for_the_parser_is_unparsable_not_a_grader_error(nested: str) -> None:
    """ast.parse raised RecursionError or MemoryError: the integrity checks of every
    component ended as grader errors (Python cannot import such a file either)."""
    source = layers() + f"\nZ = {nested}\n"
    with pytest.raises(Unparsable):
        analyse({"layers": source}, HOMES, DEFAULT_RULES)
    assert default_argument(source, "train_xor", "lr") is None
