"""`autograder similarity` on a class with a renamed copy: that pair comes first.

The class: four correct solutions written independently in different
styles (loops, lists, a raw-NumPy trainer, the slides' error convention),
a copy of the first with every local variable renamed, its comments
reworded and blank lines added, and a student who handed in the untouched
skeleton. One student's comment tries to inject HTML into the report.
"""

from __future__ import annotations

import ast
import difflib
import io
import re
import tokenize
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SKELETON, SOLUTION, VARIANTS, copy_submission

from autograder.cli import cli
from autograder.reports.similarity import compare

INJECTION = '# </pre><script>alert("copied")</script>\n'


def renamed(source: str) -> str:
    """Every local variable renamed, comments reworded, a blank line after each def."""
    local: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            local |= {
                n.id
                for n in ast.walk(node)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            }
    mapping = {name: f"my_{index}" for index, name in enumerate(sorted(local))}
    tokens = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME and token.string in mapping:
            token = token._replace(string=mapping[token.string])
        elif token.type == tokenize.COMMENT:
            token = token._replace(string="# my own words")
        tokens.append(token)
    text = tokenize.untokenize(tokens)
    return re.sub(r"(\n\s*def [^\n]*\n)", r"\1\n", text)


@pytest.fixture(scope="module")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("class")
    copy_submission(VARIANTS / "correct_loops", root / "ana")
    (root / "ben").mkdir()
    for name in ("layers.py", "xor.py"):
        (root / "ben" / name).write_text(renamed((root / "ana" / name).read_text()))
    copy_submission(VARIANTS / "correct_lists", root / "cho")
    copy_submission(VARIANTS / "correct_raw_numpy_trainer", root / "dewi")
    copy_submission(VARIANTS / "correct_slides_err_style", root / "eko")
    xor = root / "eko" / "xor.py"
    xor.write_text(INJECTION + xor.read_text())
    copy_submission(SKELETON, root / "fajar")
    return root


def test_the_copy_really_differs_in_its_text(submissions: Path) -> None:
    original = (submissions / "ana" / "layers.py").read_text()
    copy = (submissions / "ben" / "layers.py").read_text()
    assert copy.count("my_") >= 10 and "# my own words" in copy
    assert difflib.SequenceMatcher(None, original, copy).ratio() < 0.8


@pytest.fixture(scope="module")
def report(submissions: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    page = tmp_path_factory.mktemp("report") / "similarity.html"
    args = ["similarity", str(submissions), "--assignment", str(SOLUTION), "--out", str(page)]
    result = CliRunner().invoke(cli, [*args, "--top", "15"])
    assert result.exit_code == 0, result.output
    return result.output, page


def printed_pairs(output: str) -> list[tuple[str, str, int]]:
    found = re.findall(r"^(\w+) +(\w+) +(\d+)%$", output, re.M)
    return [(a, b, int(score)) for a, b, score in found]


def test_the_renamed_copy_comes_first(report: tuple[str, Path]) -> None:
    pairs = printed_pairs(report[0])
    assert len(pairs) == 15  # 6 students: 15 pairs
    first, second = pairs[0], pairs[1]
    assert first[:2] == ("ana", "ben") and first[2] >= 90
    assert second[2] < first[2] - 20  # independent solutions are well below the copy


def test_the_untouched_skeleton_matches_nobody(report: tuple[str, Path]) -> None:
    assert all(score == 0 for a, b, score in printed_pairs(report[0]) if "fajar" in (a, b))


def test_the_report_shows_the_pair_side_by_side_with_code_escaped(report: tuple[str, Path]) -> None:
    page = report[1].read_text()
    assert report[1].stat().st_mode & 0o777 == 0o600  # students' code: the instructor's only
    assert '<section id="pair-1"><h2>1. ana and ben:' in page
    first = page[page.index('id="pair-1"') : page.index('id="pair-2"')]
    assert first.count("<mark>") >= 3 and "my_" in first
    assert "<script>alert" not in page
    # escaped by Jinja2's autoescape (markupsafe writes " as &#34;)
    assert "&lt;/pre&gt;&lt;script&gt;alert(&#34;copied&#34;)&lt;/script&gt;" in page


def test_scores_are_symmetric_shares_of_own_code() -> None:
    code = (SOLUTION / "layers.py").read_text()
    longer = (
        code
        + "\n\ndef extra(values):\n"
        + "".join(
            f"    total_{i} = sum(v * {i} for v in values) + len(values) ** {i}\n"
            for i in range(30)
        )
    )
    (pair,) = compare({"a": code, "b": longer}, (SKELETON / "layers.py").read_text())
    assert pair.share_first == pytest.approx(1.0)  # all of a is in b
    assert pair.share_second < 0.7  # b has much of its own
    assert pair.share_second < pair.score < pair.share_first
