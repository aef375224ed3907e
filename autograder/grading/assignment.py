"""Finding an assignment's checks and reference, for any assignment folder.

An assignment is a folder. Its ``public_checks.py`` defines ``suite``, a
``CheckSuite`` (public checks; students get this file). In the instructor's
folder, ``hidden_checks.py`` defines a second suite and the folder's
student modules are the complete reference. Nothing here knows about
backprop: a new assignment is a new folder.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from autograder.checks import Check, CheckSuite
from autograder.core.errors import AutograderError

PUBLIC_CHECKS = "public_checks.py"
HIDDEN_CHECKS = "hidden_checks.py"


@dataclass(frozen=True)
class Assignment:
    """An assignment's checks, and where its reference solution lives (if known)."""

    name: str
    folder: Path
    public: CheckSuite
    hidden: CheckSuite | None = None

    @property
    def modules(self) -> tuple[str, ...]:
        return self.public.modules

    @property
    def student_files(self) -> tuple[str, ...]:
        return tuple(f"{m}.py" for m in self.public.modules)

    @property
    def has_reference(self) -> bool:
        return self.hidden is not None

    @property
    def hidden_points(self) -> float:
        """The hidden checks' total: counted when they are loaded, else what the release
        wrote into the public suite (``suite.hidden_points``), else 0."""
        if self.hidden is not None:
            return float(sum(check.points for check in self.hidden.checks))
        return float(getattr(self.public, "hidden_points", 0.0) or 0.0)

    def prepare(self, seed: int) -> None:
        """Run the suites' preparations for a grading with ``seed`` (``CheckSuite.prepare``);
        one that fails is skipped: its work is then done when a check needs it."""
        for suite in (self.public, self.hidden):
            for preparation in suite.preparations if suite is not None else []:
                try:
                    preparation(seed)
                except Exception:  # noqa: S112 - a check meets the same error and reports it
                    continue

    def prepare_in_background(self, seed: int) -> None:
        """``prepare`` on a thread of its own, for a process about to grade one student:
        the student's process then computes on one core while the preparations run
        on the other (the grading thread mostly waits on the student). A check that
        needs a preparation first computes it itself (the work is cached, so at
        worst done twice, with the same result)."""
        thread = threading.Thread(
            target=self.prepare, args=(seed,), name="autograder-prepare", daemon=True
        )
        thread.start()

    def checks(self, include_hidden: bool = True) -> list[Check]:
        hidden = self.hidden.checks if (self.hidden and include_hidden) else []
        return list(self.public.checks) + list(hidden)


def load_module(path: Path) -> ModuleType:
    """Import a checks file under a unique name (two assignments never clash)."""
    name = "autograder_checks_" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise AutograderError(f"cannot load checks from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception:
        del sys.modules[name]
        raise AutograderError(
            f"the checks file {path} failed to load; restore it from the assignment release:\n"
            + traceback.format_exc(limit=-2)
        ) from None
    return module


def load_suite(path: Path) -> CheckSuite:
    suite = getattr(load_module(path), "suite", None)
    if not isinstance(suite, CheckSuite):
        raise AutograderError(f"{path} defines no `suite = CheckSuite(...)`")
    return suite


def load_assignment(folder: Path, with_hidden: bool = True) -> Assignment:
    """Load the checks of the assignment in ``folder``."""
    folder = Path(folder)
    public_path = folder / PUBLIC_CHECKS
    if not public_path.is_file():
        raise AutograderError(
            f"{folder} has no {PUBLIC_CHECKS}: point to the assignment folder that holds "
            f"{PUBLIC_CHECKS} (e.g. assignments/backprop or solutions/backprop)"
        )
    public = load_suite(public_path)
    hidden_path = folder / HIDDEN_CHECKS
    hidden = load_suite(hidden_path) if with_hidden and hidden_path.is_file() else None
    return Assignment(public.assignment, folder.resolve(), public, hidden)
