"""The engine of checks: suites, contexts, expectations, numerical gradients, diagnosis.

An assignment's ``public_checks.py`` and ``hidden_checks.py`` build on this
package: ``CheckSuite``, ``Context`` and ``run_check`` are re-exported here.
May import ``isolation``, ``core``, ``i18n`` and ``runtime``; never ``grading``.
"""

from autograder.checks.suite import Check, CheckSuite, Context, RemoteObject, check_seed, run_check

__all__ = ["Check", "CheckSuite", "Context", "RemoteObject", "check_seed", "run_check"]
