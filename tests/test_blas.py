"""The grader's processes run one BLAS thread (core/blas.py)."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = (
    "import autograder, os, numpy; "
    "threads = open('/proc/self/status').read().split('Threads:')[1].split()[0]; "
    "print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['OMP_NUM_THREADS'], threads)"
)


def probe(**env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=clean | env, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_importing_the_engine_before_numpy_leaves_numpy_one_thread() -> None:
    # Without the setting, OpenBLAS starts a thread per core when numpy is imported.
    assert probe() == ["1", "1", "1"]


def test_a_thread_count_the_caller_set_is_kept() -> None:
    assert probe(OPENBLAS_NUM_THREADS="2")[0] == "2"
