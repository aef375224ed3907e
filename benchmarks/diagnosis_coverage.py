"""How many catalogued mistakes get their own right diagnosis in what the student sees.

Every submission of the diagnosis catalogue (tests/fixtures/diagnosis/catalogue.py,
over tests/fixtures/variants and tests/fixtures/diagnosis) is graded by the
instructor's assignment (public and hidden checks, seed 0, no sandbox), and
read through ``reports.view.student_view``, the one place that decides what a
student may see: a public check's diagnosis, a hidden check's hint.

A mistake gets *its own right diagnosis* when the named diagnoses the student
sees are exactly the one the catalogue gives as right (sentences that only say
how the numbers differ name no mistake and are counted apart). A *wrong*
diagnosis is any named diagnosis other than the right one, on any check.
Printed per set (FIRST, ISSUE, HELD_OUT, GRADING, GRADED: see the catalogue) and in
all, with one line per mistake that is not diagnosed right.

    python benchmarks/diagnosis_coverage.py [--sets HELD_OUT] [--verbose]
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path
from types import ModuleType

from autograder.checks.diagnosis import named
from autograder.core.results import Report
from autograder.grading.assignment import load_assignment
from autograder.grading.runner import GradeOptions, grade_folder
from autograder.isolation.sandbox import SandboxConfig
from autograder.reports.view import student_view

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"


def catalogue() -> ModuleType:
    path = FIXTURES / "diagnosis" / "catalogue.py"
    spec = importlib.util.spec_from_file_location("diagnosis_catalogue", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def folder(name: str) -> Path:
    mine = FIXTURES / "diagnosis" / name
    return mine if mine.is_dir() else FIXTURES / "variants" / name


def shown(report: Report) -> tuple[set[str], set[str]]:
    """(named mistakes, plain descriptions) the student sees, over every failed check."""
    view = student_view(report)
    names, plain = set(), set()
    for row, result in zip(view.rows, report.results):
        if row.passed or not (row.diagnosis or row.hint) or not result.mistake:
            continue
        (names if named(result.mistake) else plain).add(result.mistake)
    return names, plain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sets = ["FIRST", "ISSUE", "HELD_OUT", "GRADING", "GRADED"]
    parser.add_argument("--sets", nargs="*", default=sets)
    parser.add_argument("--verbose", action="store_true", help="one line per mistake")
    args = parser.parse_args()
    cat = catalogue()
    assignment = load_assignment(REPO / "solutions" / "backprop", with_hidden=True)
    options = GradeOptions(sandbox=SandboxConfig("none"), report_data=False)
    totals = [0, 0, 0]
    started = time.process_time()
    for set_name in args.sets:
        entries: dict[str, tuple[str, str]] = getattr(cat, set_name)
        right = wrong = 0
        for name, (_, key) in entries.items():
            report, _ = grade_folder(folder(name), assignment, options)
            names, plain = shown(report)
            ok, bad = names == {key}, sorted(names - {key})
            right, wrong = right + ok, wrong + bool(bad)
            if args.verbose or not ok:
                verdict = "right" if ok else ("WRONG" if bad else "missed")
                seen = ", ".join(sorted(names)) or "-"
                print(f"  {verdict:6} {name:40} right: {key:32} shown: {seen}"
                      + (f" (plain: {', '.join(sorted(plain))})" if plain else ""))  # fmt: skip
        print(f"{set_name}: {right} of {len(entries)} get their own right diagnosis; "
              f"{wrong} with a wrong diagnosis")  # fmt: skip
        totals = [totals[0] + right, totals[1] + len(entries), totals[2] + wrong]
    print(f"ALL: {totals[0]} of {totals[1]} right; {totals[2]} with a wrong diagnosis "
          f"({time.process_time() - started:.1f} s of grader CPU)")  # fmt: skip


if __name__ == "__main__":
    main()
