"""backprop-autograder: numerical gradient checks and sandboxed grading."""

__version__ = "0.1.0"
