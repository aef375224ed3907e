"""The trusted reference solution, imported into the grader's process for hidden checks.

An instructor's assignment folder holds the complete reference beside its
hidden checks file. Hidden checks compare the student's plain-data answers
with the reference's, computed here, in the grader, where it is trusted; no
reference code ever enters a student's process.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import threading
from pathlib import Path
from types import ModuleType

from autograder.core.errors import AutograderError

_LOAD_LOCK = threading.Lock()


def exec_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None or not path.is_file():
        raise AutograderError(
            f"the reference solution {path} is missing; hidden checks compare against it, "
            "so keep the hidden checks file beside the complete reference modules"
        )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_reference(folder: Path, modules: tuple[str, ...]) -> dict[str, ModuleType]:
    """``modules`` of the reference in ``folder``, under names no student module can take.

    They are executed in order; while one executes, the ones before it are
    visible under their plain names (xor.py does ``from layers import ...``),
    then whatever sys.modules held under those names is put back.
    """
    prefix = "autograder_reference_" + hashlib.sha256(str(folder).encode()).hexdigest()[:12]
    loaded: dict[str, ModuleType] = {}
    missing = object()
    with _LOAD_LOCK:
        saved = {name: sys.modules.get(name, missing) for name in modules}
        try:
            for name in modules:
                loaded[name] = exec_module(Path(folder) / f"{name}.py", f"{prefix}_{name}")
                sys.modules[name] = loaded[name]
        finally:
            for name, module in saved.items():
                if module is missing:
                    sys.modules.pop(name, None)
                else:
                    sys.modules[name] = module  # type: ignore[assignment]
    return loaded
