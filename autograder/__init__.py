"""backprop-autograder: numerical gradient checks and sandboxed grading."""

from autograder.core.blas import use_one_thread

__version__ = "0.1.0"

use_one_thread()  # before numpy is imported anywhere in the engine (see core/blas.py)
