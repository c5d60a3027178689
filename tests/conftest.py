"""Shared fixtures: paths, a CLI runner, and the language reset between tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from cchc.messages import set_language

if TYPE_CHECKING:
    from tests.rankcards import Cards

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "scorecards" / "tp-thanh-hoa-2021.yaml"
CASES = Path(__file__).resolve().parent / "cases"


@pytest.fixture(autouse=True)
def _vietnamese() -> Iterator[None]:
    """Every test starts in Vietnamese, whatever an earlier test chose."""
    set_language("vi")
    yield
    set_language("vi")


@pytest.fixture
def runner() -> CliRunner:
    """Typer's runner of the command line in this process (captured streams, no terminal)."""
    return CliRunner()


MINIMAL = """\
unit: UBND xã A
year: 2021
criteria:
  - id: "1"
    title: Lĩnh vực một
    max: 100
    score: 90
    evidence: [KH 1]
"""


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write text (str or bytes) to a file under tmp_path and return its path."""

    def _write(content: str | bytes, name: str = "card.yaml") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write


@pytest.fixture(scope="session")
def cards(tmp_path_factory: pytest.TempPathFactory) -> Cards:
    """Thirty-odd scorecards generated from the shipped one, for rank and report (tests/rankcards.py)."""
    from tests.rankcards import make_cards

    return make_cards(tmp_path_factory.mktemp("cards"))
