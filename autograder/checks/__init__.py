"""The engine of checks: suites, contexts, expectations, numerical gradients, diagnosis.

An assignment's ``public_checks.py`` and ``hidden_checks.py`` build on this
package: ``CheckSuite``, ``Context`` and ``run_check`` are re-exported here.
Diagnosis by reproduction: ``diagnosis``/``candidates``/``shapes``/``difference``
for layers, ``trainer``/``rules``/``trainer_rules``/``trainer_names`` on the
chain of ``network`` for trainers; ``places`` and ``findings`` say where, and
what a hidden check may show.
May import ``isolation``, ``core``, ``i18n`` and ``runtime``; never ``grading``.
"""

from autograder.checks.suite import Check, CheckSuite, Context, RemoteObject, check_seed, run_check

__all__ = ["Check", "CheckSuite", "Context", "RemoteObject", "check_seed", "run_check"]
