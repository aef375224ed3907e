"""What a batch cost, kept apart from the results: ``timings.json`` in the results folder.

Per student graded in this run: ``seconds`` (wall time of their checks),
``student_cpu`` (CPU seconds of every process of the student, start-up
included: what their own code cost), ``grader_cpu`` (the grading process's
CPU on them) and ``record_cpu`` (writing their files). For the batch: its
wall time, the calibration's (about 0 when it came from the cache), the
number of cores, and ``grader_processes_cpu``: the CPU of the grader's own
processes (the command's, with start-up and calibration, and each pool
process's up to its last student; not a Dask worker's, which serves many
batches), apart from the students'. The floor of a batch is the sum of
``student_cpu`` over the cores it ran on (benchmarks/batch_throughput.py
prints it beside the measured time). Timings are this machine's: report.json never holds them,
so a regrade elsewhere changes no result byte.

A regrade reads the last run's file to grade the slowest students first
(``longest_first``): a student who ran into a time limit, graded last,
would keep one core busy alone at the end of the batch while the others
wait with nothing to do; and the quickest ones are those graded beside the
calibration (``quickest``). Only the order changes, never a result.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.core.files import write_atomically
from autograder.core.results import Report
from autograder.intake.submissions import Submission

TIMINGS_FILE = "timings.json"
# A pool process's pid and CPU so far, in its reports' timing (``local_pool.stamped``):
# kept per process here, never written per student.
PROCESS, PROCESS_CPU = "process", "process_cpu"


@dataclass
class BatchTimings:
    jobs: int
    started: float = field(default_factory=time.perf_counter)
    calibration_seconds: float = 0.0
    students: dict[str, dict[str, float]] = field(default_factory=dict)
    processes: dict[int, float] = field(default_factory=dict)  # a pool process's CPU so far

    def student(self, student: str, report: Report, record_cpu: float) -> None:
        done = time.perf_counter() - self.started
        timing = dict(report.timing)
        process, cpu = timing.pop(PROCESS, None), timing.pop(PROCESS_CPU, None)
        if process is not None and cpu is not None and int(process) != os.getpid():
            self.processes[int(process)] = max(cpu, self.processes.get(int(process), 0.0))
        self.students[student] = {
            "seconds": round(report.seconds, 4),
            **{k: round(v, 4) for k, v in timing.items()},
            "record_cpu": round(record_cpu, 4),
            "done_at": round(done, 4),
        }

    def document(self) -> dict[str, Any]:
        return {
            "wall_seconds": round(time.perf_counter() - self.started, 4),
            "calibration_seconds": round(self.calibration_seconds, 4),
            "jobs": self.jobs,
            "cpus": os.cpu_count() or 1,
            "grader_processes_cpu": round(time.process_time() + sum(self.processes.values()), 4),
            "students": self.students,
        }

    def write(self, out: Path) -> None:
        if self.students:
            write_atomically(out / TIMINGS_FILE, json.dumps(self.document(), indent=1))


def last_seconds(out: Path) -> dict[str, float]:
    """Each student's wall seconds in the last run's ``timings.json`` (none if unreadable)."""
    try:
        students = json.loads((out / TIMINGS_FILE).read_text())["students"]
        seconds = {str(k): float(v["seconds"]) for k, v in students.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
    return {k: v for k, v in seconds.items() if math.isfinite(v)}


def longest_first(todo: Sequence[Submission], seconds: dict[str, float]) -> list[Submission]:
    """``todo`` slowest first by their last run (the longest-processing-time rule);
    a student not timed before counts as the median, and ties keep their order."""
    if not seconds:
        return list(todo)
    typical = statistics.median(seconds.values())
    return sorted(todo, key=lambda s: -seconds.get(s.student, typical))


def quickest(todo: Sequence[Submission], seconds: dict[str, float], count: int) -> list[Submission]:
    """The ``count`` students of ``todo`` quickest in their last run, in ``todo``'s order:
    those to grade beside the calibration, under the least limits it can set.

    The slowest student of a regrade, first in its order, is most often one a time
    limit stopped: beside the calibration its run would only be thrown away, and
    the calibration slowed, before it is graded again. A first run (no times)
    takes the first ``count``; a student not timed before counts as the median.
    """
    if not seconds:
        return list(todo[:count])
    typical = statistics.median(seconds.values())
    ranked = sorted(range(len(todo)), key=lambda i: seconds.get(todo[i].student, typical))
    return [todo[i] for i in sorted(ranked[:count])]
