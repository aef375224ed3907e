"""What the static integrity pass looks for, by name: the vocabulary of its rules.

Kept apart from the pass itself (``static``), which walks a module's syntax
tree: these are the names, dtype codes and operators that betray a numerical
or borrowed gradient (complex steps, extended precision, code run from
strings, number-like classes such as dual numbers). Each entry says why; a
name built at run time is out of any such list's reach, as ``static`` says.
"""

from __future__ import annotations

import re

COMPLEX_ATTRIBUTES = frozenset(
    {"complex64", "complex128", "complex256", "complex_", "cdouble", "csingle", "clongdouble"}
    | {"imag", "iscomplexobj", "conjugate", "conj", "angle", "complexfloating"}
    # square roots of negatives (np.emath.sqrt(-1) is 1j) and transforms with complex results
    | {"emath", "scimath", "fft"}
    # functions whose results are complex for real input (np.roots([1, 0, 1]) holds 1j),
    # and the tables naming complex types (np.typecodes["Complex"])
    | {"roots", "polyroots", "poly1d", "eig", "eigvals", "sort_complex", "typecodes"}
)
# dtype codes of complex numbers ("c16" is complex128, "D" its character code); "F" only
# where a dtype is meant, since ``order="F"`` is Fortran order
COMPLEX_CODE = re.compile(r"[<>=|]?(c8|c16|c32|D|G)")
# a complex type's name, wherever it is written (np.sctypeDict["complex128"])
COMPLEX_NAME = re.compile(r"complex(64|128|256|_|floating)?")
# Extended precision: a high-order difference quotient in long double is exact to float64
# rounding, so the exactness checks cannot tell it from a backward pass
EXTENDED_ATTRIBUTES = frozenset({"longdouble", "longfloat", "float96", "float128"})
EXTENDED_CODE = re.compile(r"[<>=|]?(f12|f16|float96|float128|longdouble)")
DTYPE_CALLS = frozenset({"astype", "dtype", "view"})
DYNAMIC_CALLS = frozenset({"exec", "eval", "compile", "__import__", "import_module"})
# Operators a number-like class overloads: what dual numbers or a tape are made of
OVERLOADED = frozenset(
    f"__{prefix}{name}__"
    for name in ("add", "sub", "mul", "truediv", "pow", "matmul")
    for prefix in ("", "r", "i")
) | {"__neg__", "__array_ufunc__", "__array_function__"}


def is_complex_code(value: object, as_dtype: bool) -> bool:
    """A constant naming a complex dtype: "complex...", a code such as "c16" or "D",
    or "F" (complex64) where a dtype is meant."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    return text.startswith("complex") or bool(
        COMPLEX_CODE.fullmatch(text) or (as_dtype and text.lstrip("<>=|") == "F")
    )


def is_complex_name(value: object) -> bool:
    return isinstance(value, str) and bool(COMPLEX_NAME.fullmatch(value.strip()))
