"""One backward call, as plain data in the grader's process: what a diagnosis compares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


def input_name(gradient: str) -> str:
    """``dW`` -> ``W``: the input a gradient belongs to."""
    return gradient[1:] if gradient.startswith("d") and len(gradient) > 1 else gradient


@dataclass(frozen=True)
class BackwardCase:
    """Everything known about one backward call, as plain data in the grader's process.

    ``expected`` are the gradients for ``upstream``; ``local`` those for an
    all-ones upstream (what a backward that forgets the upstream returns);
    ``earlier`` those of the forward call made just before the last one on
    the same instance.
    """

    layer: str
    forward: Callable[..., Any]
    names: tuple[str, ...]
    inputs: tuple[Any, ...]
    upstream: Any
    expected: tuple[np.ndarray, ...]
    local: tuple[np.ndarray, ...]
    earlier: tuple[np.ndarray, ...] | None
    got: Any
    upstream_after: Any = None
    inputs_after: tuple[Any, ...] | None = None
    # the gradients for another instance's latest inputs (interleaved instances):
    # what a cache shared by all instances (a class attribute) answers
    elsewhere: tuple[np.ndarray, ...] | None = None

    def input_name(self, index: int) -> str:
        return input_name(self.names[index])

    @property
    def batch(self) -> int:
        return int(np.shape(self.upstream)[0]) if np.ndim(self.upstream) else 1

    def returned(self) -> list[Any] | None:
        """The returned gradients as a list, or None when the structure is wrong."""
        if len(self.names) == 1:
            return [self.got]
        if type(self.got) in (tuple, list) and len(self.got) == len(self.names):
            return list(self.got)
        return None
