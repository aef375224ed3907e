"""How a batch is graded: the options every executor receives."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from autograder.core.roster import Roster
from autograder.grading.runner import GradeOptions


@dataclass(frozen=True)
class BatchConfig:
    """What to grade with and how."""

    assignment_dir: Path
    options: GradeOptions = field(default_factory=GradeOptions)
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    force: bool = False
    lang: str = "en"
    scheduler: str = ""  # a Dask scheduler's address: grade on that cluster (cluster.py)
    roster: Roster | None = None  # the class list (else RESULTS/roster.json, if any)
    only: tuple[str, ...] = ()  # regrade just these students, keep everyone else's results
    templates: Path | None = None  # a course's page templates, over ours (reports.pages)
