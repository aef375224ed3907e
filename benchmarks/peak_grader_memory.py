"""Peak memory of the grader's own processes for a class of the worst replies we could craft.

Run from the repository root::

    python benchmarks/peak_grader_memory.py [--copies 2] [--baseline-source DIR]

Two classes of the same size are graded by the real ``autograder grade``
(-j 2, default isolation): an honest one (copies of the reference) and a
hostile one whose students each send the heaviest replies they can:

* ``losses_array`` / ``losses_list``: train_xor returns five million losses,
  as one array (40 MB) or as a list of floats (about 100 MB of JSON);
* ``nested_lists``: every call returns empty lists nested in a list, the
  reply shape that costs the most memory per byte to decode (one dict and
  one list per 12 bytes), sized to just under the reply caps;
* ``many_arrays``: every call returns thousands of one-element arrays
  (an .npy header and an ndarray object each);
* ``huge_ints``: integers of 4000 digits, as many as the caps allow;
* ``huge_message``: every call raises an exception with a 50 MB message.

While each class is graded, the grader's processes (the command and its
pool workers, never the students' processes, which have limits of their
own) are sampled every 20 ms for their peak resident set (VmHWM). Printed:
the largest peak of any grader process and the sum of the peaks, for each
class, and their ratio (hostile / honest). With ``--baseline-source`` (a
checkout of an older engine, e.g. ``git archive 9f946f6``), the hostile
class is graded by that engine too, for a before/after figure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "backprop"
LAYERS, XOR = ((SOLUTION / f"{m}.py").read_text() for m in ("layers", "xor"))
TRAINED = "    return p, losses\n"
LAYER_RETURNS = (
    "        return dx, dy\n",
    "        return dx, dW, db\n",
    "        return da * self.a * (1.0 - self.a)\n",
)

# What each hostile student returns from train_xor and from every backward,
# sized to just under the reply caps where the reply is decoded (16 x the
# reference's reply, at least 256 KiB), or far over them.
ATTACKS = {
    "losses_array": ("np.linspace(1.0, 0.0, 5_000_000)", None),
    "losses_list": ("[0.5] * 5_000_000", None),
    "nested_lists": ("[[] for _ in range(55_000)]", "[[] for _ in range(19_000)]"),
    "many_arrays": ("[np.zeros(1) for _ in range(5_000)]", "[np.zeros(1) for _ in range(1_700)]"),
    "huge_ints": ("[10**3999] * 170", "[10**3999] * 55"),
    "huge_message": ("_boom()", "_boom()"),
}
BOOM = "\n\ndef _boom():\n    raise ValueError('x' * 50_000_000)\n"
# train_xor trains with correct layers of its own, so that it reaches its return.
OWN_LAYERS = LAYERS.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", "")


def hostile(train: str, backward: str | None) -> dict[str, str]:
    xor = XOR.replace("from layers import AffineLayer, SigmoidLayer\n", OWN_LAYERS)
    xor = xor.replace(TRAINED, f"    return p, {train}\n") + BOOM
    layers = LAYERS + BOOM
    if backward is not None:
        for line in LAYER_RETURNS:
            layers = layers.replace(line, f"        return {backward}\n")
    return {"layers.py": layers, "xor.py": xor}


def build(root: Path, copies: int, honest: bool) -> None:
    for copy in range(copies):
        for name, (train, backward) in ATTACKS.items():
            files = {"layers.py": LAYERS, "xor.py": XOR} if honest else hostile(train, backward)
            folder = root / f"{name}_{copy}"
            folder.mkdir(parents=True)
            for file, text in files.items():
                (folder / file).write_text(text)


def children() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            found.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    return found


def grader_processes(root: int) -> list[int]:
    """The command and its descendants that are the grader's (not bwrap, not a student)."""
    tree, found, stack = children(), [], [root]
    while stack:
        pid = stack.pop()
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"autograder_runtime" in argv or b"bwrap" in argv or b"setpriv" in argv:
            continue  # a student's process (limited on its own) and its wrappers
        found.append(pid)
        stack.extend(tree.get(pid, []))
    return found


def peak_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def grade(root: Path, out: Path, source: Path, extra: list[str]) -> tuple[int, int, float]:
    """(largest peak KiB, sum of peaks KiB, seconds) of grading ``root``."""
    env = {**os.environ, "PYTHONPATH": str(source), "TMPDIR": str(out.parent / "tmp")}
    (out.parent / "tmp").mkdir(exist_ok=True)
    command = [sys.executable, "-m", "autograder", "grade", str(root), "--out", str(out)]
    command += ["--assignment", str(source / "solutions" / "backprop"), "-j", "2", *extra]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=out.parent
    )
    peaks: dict[int, int] = {}
    while process.poll() is None:
        for pid in grader_processes(process.pid):
            peaks[pid] = max(peaks.get(pid, 0), peak_kib(pid))
        time.sleep(0.02)
    if process.returncode != 0:
        print(f"  (exit status {process.returncode})")
    return max(peaks.values()), sum(peaks.values()), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=2, help="students per attack")
    parser.add_argument("--baseline-source", type=Path, help="an older engine's source tree")
    parser.add_argument("--keep", type=Path, help="keep the classes and results here")
    parser.add_argument(
        "--no-sandbox",
        action="store_true",
        help="grade unsandboxed (the grader's side is the same; on a machine shared with "
        "other graders, their students can kill sandboxed students of the same uid)",
    )
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="peak-memory-"))
    runs = [("honest", True, REPO), ("hostile", False, REPO)]
    if args.baseline_source:
        runs.append(("hostile, baseline engine", False, args.baseline_source.resolve()))
    figures = {}
    print(f"{len(ATTACKS) * args.copies} students per class, -j 2; load {os.getloadavg()[0]:.1f}")
    for label, honest, source in runs:
        folder = base / label.replace(" ", "_").replace(",", "")
        build(folder / "class", args.copies, honest)
        extra = ["--no-sandbox"] if args.no_sandbox else []
        largest, total, seconds = grade(folder / "class", folder / "results", source, extra)
        figures[label] = largest
        print(
            f"{label:>26}: largest grader process peak {largest / 1024:7.1f} MiB, "
            f"sum of peaks {total / 1024:7.1f} MiB, {seconds:6.1f} s"
        )
        reports = sorted((folder / "results").glob("*/report.json"))
        biggest = max((p.stat().st_size for p in reports), default=0)
        print(f"{'':>26}  largest report.json {biggest / 1024:.0f} KiB")
    print(f"hostile / honest, largest peak: {figures['hostile'] / figures['honest']:.2f}")
    if args.keep is None:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
