"""A private cache, on disk, of the work that is the same for every student of a batch.

Grading the reference ("calibration": its per-call times, reply sizes and
recorded data) costs about one student; a rerun, a one-student regrade
(``--only``) or the next batch on the same machine reads it back instead.

A cached value is keyed by everything it depends on, hashed:

* the engine's *source* (every ``.py`` file of the installed package, not its
  version number): an edited engine never reads what another one measured;
* the assignment folder's content (its ``.py`` files: checks and reference);
* the caller's own parts (seed, hidden checks or not, isolation level, limits);
* for anything derived from timings, a fingerprint of this machine (CPU model
  and count, host name, machine id, Python and numpy versions): timings
  never travel across machines.

The folder is ``$AUTOGRADER_CACHE_DIR``, else ``$XDG_CACHE_HOME/autograder``,
else ``~/.cache/autograder``: created 0700, and used only while it is ours and
closed to others (a value another user could plant would set the limits of
everyone's grading). Callers never use it when student code runs without
isolation (it could rewrite the cache with the grader's rights). A file that
does not parse, or holds the wrong shape, is a miss: recomputed, rewritten.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import autograder
from autograder.core.files import write_atomically

CACHE_ENV = "AUTOGRADER_CACHE_DIR"
PRIVATE = 0o700


@functools.lru_cache(maxsize=1)
def engine_hash() -> str:
    """A hash of the engine's source (the installed package's .py files)."""
    return source_hash(Path(autograder.__file__).resolve().parent)


def source_hash(root: Path) -> str:
    """A hash of every .py file under ``root``, by relative path and content."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def folder_hash(folder: Path) -> str:
    """A hash of a folder's ``.py`` files (names and bytes)."""
    return files_hash({path.name: path.read_bytes() for path in Path(folder).glob("*.py")})


def files_hash(files: Mapping[str, bytes]) -> str:
    """``folder_hash`` of a folder that would hold ``files`` (name -> bytes)."""
    digest = hashlib.sha256()
    for name in sorted(n for n in files if n.endswith(".py")):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def machine_fingerprint() -> str:
    """What tells this machine from another, for values derived from timings."""
    import numpy

    parts = [
        platform.node(),
        platform.machine(),
        platform.python_version(),
        numpy.__version__,
        str(os.cpu_count()),
        _first_line("/etc/machine-id"),
        _cpu_model(),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _first_line(path: str) -> str:
    try:
        return Path(path).read_text().strip().splitlines()[0]
    except (OSError, IndexError, UnicodeDecodeError):
        return ""


def _cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor()
    return next((line.split(":", 1)[1].strip() for line in lines if "model name" in line), "")


def cache_key(*parts: Any) -> str:
    """A file name for the value these parts decide (JSON-encoded, hashed)."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def cache_dir() -> Path | None:
    """The cache folder, created 0700; None when it is not safely ours."""
    configured = os.environ.get(CACHE_ENV)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(configured) if configured else Path(base) / "autograder"
    try:
        folder.mkdir(mode=PRIVATE, parents=True, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    private = stat.S_ISDIR(info.st_mode) and not info.st_mode & 0o077
    return folder if private and info.st_uid == os.geteuid() else None


def read_cached(kind: str, key: str) -> dict[str, Any] | None:
    """The cached document ``kind``/``key``, or None (absent, unreadable, corrupt)."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        document = json.loads((folder / f"{kind}-{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return document if isinstance(document, dict) else None


def write_cached(kind: str, key: str, document: dict[str, Any]) -> None:
    """Keep ``document`` (0600); a cache that cannot be written is no error."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        write_atomically(folder / f"{kind}-{key}.json", json.dumps(document, allow_nan=False))
    except (OSError, TypeError, ValueError):  # not JSON: not cached
        pass
