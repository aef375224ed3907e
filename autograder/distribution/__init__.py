"""Handing the assignment out: the skeleton, notebooks, the release, nbgrader and Gradescope.

May import ``grading`` (to load an assignment) and everything below it.
"""
