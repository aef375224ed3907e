"""Which students' own code looks alike: pairwise similarity with copydetect.

Why copydetect (PyPI ``copydetect``, maintained, MIT): it is the winnowing
algorithm of MOSS (Schleimer, Wilkerson and Aiken, SIGMOD 2003) as a Python
library that runs offline on the instructor's machine (MOSS itself is a web
service that receives the students' code; JPlag needs a JVM; Dolos, Node).
Before fingerprinting, it tokenizes the code with Pygments and replaces
every variable name by ``V``, function name by ``F`` and class name by
``O``, and drops comments and whitespace, so renaming variables, rewording
comments or reformatting does not hide a copy. Its boilerplate option drops
every fingerprint of the handed-out skeleton, so only what students wrote
themselves is compared (two untouched skeletons score 0).

The score of a pair is the share of both students' fingerprinted code that
the other one also has: (overlap in A + overlap in B) / (code of A + code
of B), the symmetric similarity Dolos reports, so a short submission inside
a long one does not score 1 by itself. Each side's own share is kept too.
Correct solutions of a small assignment resemble each other: read the
scores as a ranking of what to look at first, never as a verdict.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from autograder.core.errors import AutograderError

NOISE = 25  # copydetect's default k: matches shorter than 25 characters of filtered code are noise
GUARANTEE = 25  # copydetect's default: every match at least this long is found (window 1)
LANGUAGE = "python"
EXTRA = "pip install 'backprop-autograder[similarity]'"


@dataclass(frozen=True)
class Pair:
    """Two students and how much of their own code matches; ``regions_*`` are the
    matching character ranges of each one's code, (start, end), in order."""

    first: str
    second: str
    score: float
    share_first: float
    share_second: float
    regions_first: tuple[tuple[int, int], ...]
    regions_second: tuple[tuple[int, int], ...]


def copydetect() -> Any:
    try:
        logging.getLogger("copydetect").setLevel(logging.ERROR)
        import copydetect as library
    except ImportError:
        raise AutograderError(f"the similarity report needs copydetect: {EXTRA}") from None
    return library


def fingerprint(library: Any, name: str, code: str, boilerplate: Any) -> Any:
    return library.CodeFingerprint(
        f"{name}.py",
        NOISE,
        GUARANTEE - NOISE + 1,
        boilerplate=boilerplate,
        language=LANGUAGE,
        fp=io.StringIO(code),
    )


def boilerplate_hashes(library: Any, skeleton: str) -> Any:
    import numpy as np

    if not skeleton.strip():
        return np.array([], dtype=np.int64)
    return np.array(sorted(fingerprint(library, "skeleton", skeleton, None).hashes))


def compare(sources: Mapping[str, str], skeleton: str = "") -> list[Pair]:
    """Every pair of students, most similar first (ties by id)."""
    library = copydetect()
    boilerplate = boilerplate_hashes(library, skeleton)
    prints = {s: fingerprint(library, s, code, boilerplate) for s, code in sorted(sources.items())}
    pairs = [pair(library, a, prints[a], b, prints[b]) for a, b in combinations(prints, 2)]
    return sorted(pairs, key=lambda p: (-p.score, p.first, p.second))


def pair(library: Any, a: str, print_a: Any, b: str, print_b: Any) -> Pair:
    _, (share_a, share_b), (slices_a, slices_b) = library.compare_files(print_a, print_b)
    cover_a, cover_b = float(print_a.token_coverage), float(print_b.token_coverage)
    total = cover_a + cover_b
    score = (share_a * cover_a + share_b * cover_b) / total if total else 0.0
    return Pair(
        a,
        b,
        round(float(score), 4),
        round(float(share_a), 4),
        round(float(share_b), 4),
        tuple(regions(slices_a)),
        tuple(regions(slices_b)),
    )


def regions(slices: Any) -> Iterator[tuple[int, int]]:
    if len(slices) == 2 and len(slices[0]):
        for start, end in zip(slices[0], slices[1]):
            yield int(start), int(end)
