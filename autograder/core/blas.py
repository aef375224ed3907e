"""One BLAS thread in every process of the grader, as in the students' own.

NumPy's OpenBLAS starts a thread per core when numpy is imported, and its
threads spin for a while after each call. A grader's arrays are small, so the
threads never pay back; they only take CPU from the cores the students' own
processes run on: about 0.1 s at each process's start-up, and 0.27 -> 0.17 s of
the grader's CPU per student of the example class (measured, 2 cores). With
one thread the grader's own reductions also sum in the order the students'
processes use (``isolation.launch.DETERMINISTIC_ENV``), so a reference value
computed here and the student's are rounded alike.

``use_one_thread`` runs when the package is imported (``autograder/__init__``),
before anything of the engine imports numpy; in a process that imported numpy
first it changes only the environment its children inherit (a pool's
processes, the students'). A variable the caller set is kept.
"""

from __future__ import annotations

import os

ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def use_one_thread() -> None:
    """Set each BLAS thread-count variable to 1 where the environment leaves it unset."""
    for name, value in ONE_THREAD.items():
        os.environ.setdefault(name, value)
