"""The rollup engine: exact sums, split_unknown groups, declared values and mismatches."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.scorecard.load import load_file, load_text
from cchc.scorecard.model import Criterion, Scorecard
from cchc.scorecard.rollup import mismatches, rollup
from tests.conftest import SHIPPED


def test_shipped_scorecard_reproduces_every_field_header() -> None:
    loaded = load_file(SHIPPED)
    assert loaded.card is not None and not loaded.problems
    root = rollup(loaded.card)
    fields = {row.node.id: (row.max, row.score) for row in root.children if row.node}
    assert fields == {
        "1": (Decimal("14"), Decimal("14")),
        "2": (Decimal("9"), Decimal("9")),
        "3": (Decimal("13"), Decimal("12.9491")),
        "4": (Decimal("11"), Decimal("10")),
        "5": (Decimal("13.5"), Decimal("13.5")),
        "6": (Decimal("8.5"), Decimal("8.5")),
        "7": (Decimal("13"), Decimal("12.5709")),
        "8": (Decimal("18"), Decimal("18")),
    }
    assert (root.max, root.score) == (Decimal(100), Decimal("98.52"))
    assert mismatches(root) == []
    assert root.index == Decimal("98.5200")


def test_rate_rows_of_the_shipped_scorecard() -> None:
    loaded = load_file(SHIPPED)
    assert loaded.card is not None
    rows = {row.node.id: row for row in rollup(loaded.card).walk() if row.node}
    assert rows["3.5.1"].index == Decimal("99.8200")
    assert rows["3.5.3"].index == Decimal("90.0000")
    assert rows["7.5.2"].score == Decimal("0.3209")


def test_split_unknown_group_counts_its_declared_total() -> None:
    card = Scorecard(
        unit="A",
        year=2021,
        criteria=[
            Criterion(
                id="1",
                title="F",
                children=[
                    Criterion(id="1.1", title="a", max=Decimal("1"), score=Decimal("1")),
                    Criterion(
                        id="1.?",
                        title="lost",
                        max=Decimal("4"),
                        score=Decimal("3.5"),
                        split_unknown=True,
                        children=[Criterion(id="1.5", title="no points")],
                    ),
                ],
            )
        ],
    )
    root = rollup(card)
    assert (root.max, root.score) == (Decimal(5), Decimal("4.5"))


def test_unscored_leaves_are_not_zero_and_all_unscored_is_none() -> None:
    card = Scorecard(
        unit="A",
        year=2021,
        criteria=[
            Criterion(
                id="1",
                title="F",
                children=[
                    Criterion(id="1.1", title="a", max=Decimal("1")),
                    Criterion(id="1.2", title="b", max=Decimal("2"), score=Decimal("2")),
                ],
            ),
            Criterion(id="2", title="G", children=[Criterion(id="2.1", title="c", max=Decimal("3"))]),
        ],
    )
    root = rollup(card)
    assert root.children[0].score == Decimal(2)
    assert root.children[1].score is None
    assert root.score == Decimal(2) and root.max == Decimal(6)


def test_mismatch_rows_and_json() -> None:
    text = """\
unit: A
year: 2021
max: 100
score: 50
criteria:
  - id: "1"
    title: F
    max: 100
    score: 49
    children:
      - {id: "1.1", title: a, max: 60, score: 30, evidence: [x]}
      - {id: "1.2", title: b, max: 40, score: 20, evidence: [x]}
"""
    loaded = load_text(text, "m.yaml")
    assert loaded.card is not None
    root = rollup(loaded.card)
    wrong = mismatches(root)
    assert [(r.node.id if r.node else None, r.max_ok, r.score_ok) for r in wrong] == [("1", True, False)]
    data = root.to_dict()
    assert data["score"] == "50" and data["declared_score"] == "50" and data["score_ok"]
    assert data["children"][0]["score"] == "50" and data["children"][0]["declared_score"] == "49"
    assert data["children"][0]["score_ok"] is False


leaf_points = st.tuples(
    st.decimals(min_value=0, max_value=20, places=4, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(leaf_points, min_size=1, max_size=12), min_size=1, max_size=8))
def test_rollup_of_generated_cards_written_as_yaml(fields: list[list[tuple[Decimal, Decimal]]]) -> None:
    """Generated scorecards written with decimal commas: totals equal exact sums, declared ones match."""
    lines = ["unit: A", "year: 2021", "criteria:"]
    total_max = total_score = Decimal(0)
    for i, leaves in enumerate(fields, 1):
        fmax = sum((m for m, _ in leaves), Decimal(0))
        fscore = sum((m * r for m, r in leaves), Decimal(0))
        total_max += fmax
        total_score += fscore
        lines += [f'  - id: "{i}"', "    title: F", f"    max: {_c(fmax)}", f"    score: {_c(fscore)}", "    children:"]
        for j, (m, r) in enumerate(leaves, 1):
            lines += [
                f"      - id: {i}.{j}",
                "        title: t",
                f"        max: {_c(m)}",
                f"        score: '{_c(m * r)}'",
                "        evidence: [BC 1]",
            ]
    loaded = load_text("\n".join(lines) + "\n", "gen.yaml")
    assert loaded.card is not None and not loaded.problems
    root = rollup(loaded.card)
    assert root.max == total_max and root.score == total_score
    assert mismatches(root) == []


def _c(value: Decimal) -> str:
    return format(value, "f").replace(".", ",")
