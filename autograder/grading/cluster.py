"""Grading on a running Dask cluster: ``autograder grade --scheduler tcp://HOST:8786``.

Only the executor changes. The client (the instructor's machine) finds the
submissions, calibrates the timeouts on the reference, and records every
result the moment it arrives with the same ``Batch.record`` as the local run,
so resume and skip-unchanged hold here too. Each task is one submission and
carries everything a worker needs (no shared file system): the submission's
bytes (``parcels``), the assignment folder's bytes (a few kB, loaded once per
worker process and cached by hash) and the calibrated options. The worker
lays them out in a temporary folder and runs ``one.grade_one``, the local
pool's own code path, in its own sandbox.

Workers are the grader's own processes, trusted like the local pool's: the
report comes back pickled by Dask. The student's process still speaks only
plain data to its worker, inside bubblewrap on the worker's machine.

A worker that dies mid-task (killed, out of memory) costs nothing: the
scheduler gives the task to another worker (which starts from what the
earlier attempts spent of the submission's budget, ``SchedulerLedger``), up
to its ``allowed-failures``
(default 3; ``DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES`` where the
scheduler runs), then the student is recorded as a grader error (regraded by
the next run) and the batch goes on.
"""

from __future__ import annotations

import contextlib
import logging
import traceback
import uuid
from collections.abc import Iterator
from concurrent.futures import CancelledError
from dataclasses import replace
from typing import Any

from autograder import __version__
from autograder.core.errors import AutograderError
from autograder.core.results import Report
from autograder.grading.assignment import Assignment
from autograder.grading.calibration import Calibrating
from autograder.grading.one import Graded, failed_report
from autograder.grading.parcels import pack_folder, pack_submission
from autograder.grading.runner import GradeOptions
from autograder.intake.submissions import Submission
from autograder.isolation.levels import resolve

try:
    from distributed import Client, as_completed
    from distributed.comm.addressing import get_address_host_port
    from distributed.scheduler import KilledWorker
except ImportError:  # pragma: no cover - exercised only where the extra is missing
    raise AutograderError(
        "--scheduler needs dask and distributed: "
        "pip install 'backprop-autograder[cluster]' (on the client and on every worker)"
    ) from None

from autograder.grading.cluster_worker import SchedulerLedger, grade_parcel, worker_facts

CONNECT_TIMEOUT = "20s"
TASKS_PER_THREAD = 4  # tasks queued per worker thread: enough to keep workers busy
RESIZE_EVERY = 16  # results between two looks at how many worker threads there are


# -- on the client ---------------------------------------------------------------
class DaskGrader:
    """Grades submissions as tasks on the cluster behind ``address``."""

    def __init__(self, address: str, assignment: Assignment) -> None:
        self.address, self.assignment = address, assignment
        self.client: Any = None

    def __enter__(self) -> DaskGrader:
        # Dask logs a lost connection with a traceback; the grader's own message
        # says what happened and what to do, so the client's logs stay quiet.
        self.quieted = contextlib.ExitStack()
        for name in ("distributed", "distributed.client"):
            logger = logging.getLogger(name)
            self.quieted.callback(logger.setLevel, logger.level)
            logger.setLevel(logging.CRITICAL)
        try:
            get_address_host_port(self.address)  # a typo fails here, at once
            self.client = Client(self.address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            self.quieted.close()
            raise AutograderError(
                f"could not reach the Dask scheduler at {self.address} ({exc}); start it with "
                "`dask scheduler` and pass its address, e.g. --scheduler tcp://HOST:8786"
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()
        self.quieted.close()

    def _check_workers(self, options: GradeOptions) -> None:
        """Refuse workers that cannot grade as this machine would."""
        facts: dict[str, dict[str, Any]] = self.client.run(worker_facts)
        if not facts:
            raise AutograderError(
                f"the scheduler at {self.address} has no workers: start some with "
                f"`dask worker {self.address} --nthreads 1 --nworkers N` on each machine"
            )
        for address, fact in sorted(facts.items()):
            if fact["version"] != __version__:
                raise AutograderError(
                    f"worker {address} runs autograder {fact['version']}, this machine "
                    f"{__version__}: install the same version everywhere"
                )
            level = options.sandbox.isolation
            problem = fact["isolation"].get(level, "unknown level")
            if problem:
                raise AutograderError(
                    f"worker {address} cannot isolate student code at level {level}, as this "
                    f"machine does ({problem}): fix it on every worker so that every student "
                    "is graded in the same sandbox, or choose another --isolation"
                )

    def grade(self, todo: list[Submission], calibration: Calibrating) -> Iterator[Graded]:
        """Keep a few tasks per worker thread queued; yield results as they come.

        Only a window of tasks is out at a time (the scheduler holds their
        bytes); it is resized every ``RESIZE_EVERY`` results, so workers that
        join mid-batch get work.
        """
        options = calibration()
        level = resolve(options.sandbox).level  # every worker at the client's level
        options = replace(options, sandbox=replace(options.sandbox, isolation=level))
        options = replace(options, ledger=SchedulerLedger())
        self._check_workers(options)
        name, bundle = self.assignment.folder.name, pack_folder(self.assignment.folder)
        queue, running = iter(todo), as_completed(loop=self.client.loop)
        students: dict[str, Submission] = {}
        unreadable: list[Graded] = []

        def top_up(target: int) -> None:
            while len(students) < target and (submission := next(queue, None)) is not None:
                try:
                    parcel = pack_submission(submission)
                except OSError:  # as the local pool: this student's grader error
                    report = failed_report(self.assignment, options, "grader error")
                    unreadable.append((submission, report, traceback.format_exc()))
                    continue
                future = self.client.submit(
                    grade_parcel,
                    *(parcel, name, bundle, options, __version__),
                    key=f"autograder-{submission.student}-{uuid.uuid4().hex[:8]}",
                    pure=False,
                )
                students[future.key] = submission
                running.add(future)

        target = self._window()
        top_up(target)
        yield from unreadable
        for count, future in enumerate(running, 1):
            submission = students.pop(future.key)
            yield (submission, *self._result(future, options))
            future.release()
            if count % RESIZE_EVERY == 0:
                target = self._window()
            unreadable.clear()
            top_up(target)
            yield from unreadable

    def _window(self) -> int:
        return max(8, TASKS_PER_THREAD * sum(self.client.nthreads().values()))

    def _result(self, future: Any, options: GradeOptions) -> tuple[Report, str]:
        try:
            report, error = future.result()
        except KilledWorker as killed:
            report = failed_report(self.assignment, options, "grader error")
            return report, f"the grading process died repeatedly on this submission ({killed})"
        except CancelledError:
            raise AutograderError(
                f"lost the Dask scheduler at {self.address} mid-batch; the results so far are "
                "saved: rerun the same command to grade the rest"
            ) from None
        except Exception:
            report = failed_report(self.assignment, options, "grader error")
            return report, traceback.format_exc()
        return report, error
