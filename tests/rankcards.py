"""A province's worth of scorecards made from the shipped one, for ``rank`` and ``report`` tests.

Each card keeps the shipped table's criteria and evidence; its self scores are lowered, leaf by leaf
(never above a leaf's max), until the total is exactly the chosen target, and every declared
subtotal is recomputed so the card stays valid. The targets are chosen to give ties (exact and
to the 2 decimals shown), every national band and the boundaries of the bands.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from cchc.scorecard.dump import dump_scorecard
from cchc.scorecard.load import load_file
from cchc.scorecard.model import Criterion, Scorecard, iter_criteria
from cchc.scorecard.rollup import rollup
from tests.conftest import SHIPPED

#: The 26 district-level units ranked, with the total each card is made to reach.
TARGETS: dict[str, str] = {
    "UBND thành phố Thanh Hóa": "98.52",
    "UBND thành phố Sầm Sơn": "96.1",
    "UBND thị xã Bỉm Sơn": "95.73",
    "UBND thị xã Nghi Sơn": "95.73",  # the same index: a tie
    "UBND huyện Hoằng Hóa": "95.43",
    "UBND huyện Quảng Xương": "95.4349",  # 95,43 when shown: a tie
    "UBND huyện Hà Trung": "93.2",
    "UBND huyện Nga Sơn": "91.05",
    "UBND huyện Hậu Lộc": "90",  # A: the lower bound counts
    "UBND huyện Nông Cống": "89.996",  # shown 90,00: A, as it reads
    "UBND huyện Đông Sơn": "89.99",  # B
    "UBND huyện Triệu Sơn": "88.4",
    "UBND huyện Thiệu Hóa": "86.75",
    "UBND huyện Yên Định": "85",
    "UBND huyện Vĩnh Lộc": "83.3333",
    "UBND huyện Thọ Xuân": "81.9",
    "UBND huyện Thạch Thành": "80",  # B
    "UBND huyện Cẩm Thủy": "79.99",  # C
    "UBND huyện Ngọc Lặc": "77.5",
    "UBND huyện Lang Chánh": "74.25",
    "UBND huyện Bá Thước": "72.6",
    "UBND huyện Quan Hóa": "70",  # C
    "UBND huyện Quan Sơn": "69.99",  # no band
    "UBND huyện Thường Xuân": "66.1",
    "UBND huyện Như Xuân": "61.8",
    "UBND huyện Như Thanh": "55.55",
}

#: Last year's cards: names written differently (accents, case, spaces), other totals.
PREVIOUS: dict[str, str] = {
    "ubnd thanh pho thanh hoa": "97.1",
    "UBND THỊ XÃ BỈM SƠN": "90.2",
    "UBND  huyện Hoằng Hóa": "96",
    "UBND huyện Nông Cống": "80.5",
    "UBND huyện Như Thanh": "60",
    "UBND huyện Triệu Sơn": "92.25",
    "UBND huyện Mường Lát": "75",  # not among this year's units
}


@dataclass
class Cards:
    """Where the generated cards are, and the total each was made to reach."""

    folder: Path
    ranked: list[Path] = field(default_factory=list)  # the 26 valid cards, one unit each
    totals: dict[str, Decimal] = field(default_factory=dict)  # unit -> total made
    files: dict[str, Path] = field(default_factory=dict)  # unit -> file
    error: Path = Path()  # a score above its max
    duplicate: Path = Path()  # "UBND HUYỆN HOẰNG HÓA" once more
    other_year: Path = Path()  # a 2020 card of a unit not otherwise ranked
    other_level: Path = Path()  # a commune (xa) among the districts
    previous: list[Path] = field(default_factory=list)
    previous_totals: dict[str, Decimal] = field(default_factory=dict)


def scored_leaves(card: Scorecard) -> list[Criterion]:
    """The criteria that carry points of their own and are scored."""
    found = []
    for node, _, parent in iter_criteria(card.criteria):
        if parent is not None and parent.split_unknown:
            continue
        if (node.is_leaf or node.split_unknown) and node.score is not None and node.max is not None:
            found.append(node)
    return found


def make_card(unit: str, total: Decimal, seed: int, year: int = 2021, level: str | None = "huyen") -> Scorecard:
    """The shipped card for ``unit`` whose self scores add up to exactly ``total``."""
    loaded = load_file(SHIPPED)
    assert loaded.card is not None
    card = loaded.card
    card.unit, card.year, card.level = unit, year, level
    card.title = f"Bảng tổng hợp chấm điểm cải cách hành chính năm {year}"
    leaves = scored_leaves(card)
    for leaf in leaves:
        assert leaf.max is not None
        leaf.score = leaf.max  # start from full marks, then take away
    deficit = sum((leaf.max for leaf in leaves if leaf.max is not None), Decimal(0)) - total
    assert deficit >= 0, (unit, total)
    pick = random.Random(seed)
    order = leaves[:]
    pick.shuffle(order)
    for leaf in order:
        if deficit == 0:
            break
        assert leaf.max is not None and leaf.score is not None
        share = (leaf.max * Decimal(pick.choice([25, 50, 75, 100])) / 100).quantize(Decimal("0.0001"))
        cut = min(deficit, share, leaf.score)
        leaf.score -= cut
        deficit -= cut
    assert deficit == 0, (unit, total)
    recompute_totals(card)
    return card


def recompute_totals(card: Scorecard) -> None:
    """Declared subtotals and total set to the sums of their children (the card stays valid)."""
    root = rollup(card)
    for row in root.walk():
        if row.summed and row.node is not None:
            row.node.score = row.score
    card.score = root.score


def write(card: Scorecard, path: Path) -> Path:
    """Write ``card`` to ``path``, naming the shipped card's criteria set relative to where it is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if card.criteria_set is not None:
        card.criteria_set = os.path.relpath(SHIPPED.parent / card.criteria_set, path.parent)
    path.write_text(dump_scorecard(card), encoding="utf-8")
    return path


def slug(unit: str, index: int) -> str:
    return f"{index:02d}.yaml"


def make_cards(folder: Path) -> Cards:
    """Write the cards under ``folder``: main/ (ranked), extra/ (one problem each), previous/."""
    cards = Cards(folder)
    for i, (unit, total) in enumerate(TARGETS.items()):
        path = write(make_card(unit, Decimal(total), seed=i), folder / "main" / slug(unit, i))
        cards.ranked.append(path)
        cards.totals[unit] = Decimal(total)
        cards.files[unit] = path
    broken = make_card("UBND huyện Mường Lát", Decimal(88), seed=100)
    leaf = scored_leaves(broken)[0]
    assert leaf.max is not None
    leaf.score = leaf.max + 1  # score-above-max, and the sums above it kept consistent
    recompute_totals(broken)
    cards.error = write(broken, folder / "extra" / "error.yaml")
    cards.duplicate = write(
        make_card("UBND HUYỆN HOẰNG HÓA", Decimal(94), seed=101), folder / "extra" / "duplicate.yaml"
    )
    cards.other_year = write(
        make_card("UBND huyện Mường Lát", Decimal(84), seed=102, year=2020), folder / "extra" / "other-year.yaml"
    )
    cards.other_level = write(
        make_card("UBND phường Điện Biên", Decimal(92), seed=103, level="xa"), folder / "extra" / "other-level.yaml"
    )
    for i, (unit, total) in enumerate(PREVIOUS.items()):
        path = write(make_card(unit, Decimal(total), seed=200 + i, year=2020), folder / "previous" / f"{i:02d}.yaml")
        cards.previous.append(path)
        cards.previous_totals[unit] = Decimal(total)
    return cards


if __name__ == "__main__":  # python -m tests.rankcards FOLDER: the cards the README's examples rank
    import sys

    made = make_cards(Path(sys.argv[1]))
    print(
        f"{len(made.ranked)} cards in {made.folder / 'main'}, last year's in {made.folder / 'previous'}, "
        f"one problem each in {made.folder / 'extra'}"
    )
