"""Grading: one submission folder, a whole class, on this machine or a cluster.

Loads an assignment, grades each submission through ``checks`` in an
``isolation`` session, and records the results (``reports`` renders them).
May import everything below the CLI except ``distribution``.
"""
