"""One small invalid file per problem code, each naming its expected problems.

Every file in tests/cases holds comment lines ``# expect: LINE:COLUMN code``; the checker must
report exactly those problems (no more, no fewer) at exactly those places.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cchc.checks import check_file, run_checks
from cchc.problems import CODES, Severity
from cchc.scorecard.load import load_file
from tests.conftest import CASES, SHIPPED

APPRAISED = Path(__file__).parent / "data" / "tp-thanh-hoa-2021-tham-dinh.yaml"

EXPECT = re.compile(r"^# expect: (\d+):(\d+) ([a-z0-9-]+)$", re.M)
FILES = sorted(CASES.glob("*.yaml"))


def expected(path: Path) -> list[tuple[int, int, str]]:
    """The (line, column, code) triples a case file announces."""
    return sorted((int(line), int(col), code) for line, col, code in EXPECT.findall(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_case_file(path: Path) -> None:
    report = check_file(path)
    got = sorted((p.line, p.column, p.code) for p in report.problems)
    assert got == expected(path)
    for problem in report.problems:
        assert problem.message and "{" not in problem.message


def test_every_file_level_code_has_a_case() -> None:
    """Codes that a YAML file can trigger each have a case file (file-system ones are tested in code)."""
    covered = {code for path in FILES for _, _, code in expected(path)}
    in_code = {
        "file-unreadable",
        "no-scorecard",
        "file-too-large",
        "encoding",
        "yaml-depth",
        "evidence-file-missing",
        "evidence-file-unused",
    }  # need files on disk: tests/test_evidence.py
    in_code |= {code for code in CODES if code.startswith("import-")}  # Word/Excel input: tests/test_import.py
    in_code |= {code for code in CODES if code.startswith("rank-")}  # about a set of cards: tests/test_rank.py
    assert set(CODES) - in_code <= covered, set(CODES) - in_code - covered


@pytest.mark.parametrize("path", [*FILES, SHIPPED, APPRAISED], ids=[p.stem for p in [*FILES, SHIPPED, APPRAISED]])
def test_errors_only_finds_the_same_errors(path: Path) -> None:
    """`cchc rank` skips the checks that only warn: every error must still be found without them."""
    full = run_checks(load_file(path))
    quick = run_checks(load_file(path), errors_only=True)
    assert [p for p in quick.problems if p.severity is Severity.ERROR] == [
        p for p in full.problems if p.severity is Severity.ERROR
    ]
    assert quick.errors == full.errors
