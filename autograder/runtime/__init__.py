"""The student-side runtime: the only part of the engine inside the student's process.

It runs sandboxed, next to untrusted code, so it is small and self-contained:
it imports the standard library, NumPy and its own modules only (relative
imports), never the grader's side. The sandbox mounts this folder alone, as
the package ``autograder_runtime``; the grader imports the same files as
``autograder.runtime`` to speak the same protocol (``framing``, ``plaindata``).
"""
