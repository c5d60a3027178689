"""Recompute every node bottom-up with exact decimals and compare with what the table declares."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterator

from cchc.scorecard.model import Criterion, Scorecard
from cchc.scorecard.numbers import decimal_text, matches_declared, percent


@dataclass
class Row:
    """One node's recomputed values next to its declared ones.

    ``max``/``score`` are the computed values: a leaf's own points, the sum of the children
    for a node with children, or the declared total of a ``split_unknown`` group.
    """

    node: Criterion | None
    depth: int
    max: Decimal
    score: Decimal | None
    declared_max: Decimal | None = None
    declared_score: Decimal | None = None
    #: True when the values come from children (so declared ones are checked against them).
    summed: bool = False
    children: list[Row] = field(default_factory=list)

    @property
    def max_ok(self) -> bool:
        """The declared max (if any) agrees with the computed one."""
        return not self.summed or self.declared_max is None or matches_declared(self.declared_max, self.max)

    @property
    def score_ok(self) -> bool:
        """The declared score (if any) agrees with the computed one."""
        if not self.summed or self.declared_score is None:
            return True
        return self.score is not None and matches_declared(self.declared_score, self.score)

    @property
    def index(self) -> Decimal | None:
        """score / max × 100 (4 decimals), None without a score or with a zero max."""
        return percent(self.score, self.max)

    def walk(self) -> Iterator[Row]:
        """This row and every row below it, in table order."""
        stack = [self]
        while stack:
            row = stack.pop()
            yield row
            stack.extend(reversed(row.children))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready tree: numbers as strings so nothing passes through float."""
        node = self.node
        return {
            "id": node.id if node else None,
            "tt": node.tt if node else None,
            "title": node.title if node else None,
            "max": _s(self.max),
            "score": _s(self.score),
            "declared_max": _s(self.declared_max),
            "declared_score": _s(self.declared_score),
            "max_ok": self.max_ok,
            "score_ok": self.score_ok,
            "index": _s(self.index),
            "children": [child.to_dict() for child in self.children],
        }


def _s(value: Decimal | None) -> str | None:
    return decimal_text(value)


def _sum(values: list[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


def _row(node: Criterion, depth: int) -> Row:
    if node.split_unknown or node.is_leaf:
        # A group known only as a total counts as one leaf; its children carry no points.
        return Row(node, depth, node.max if node.max is not None else Decimal(0), node.score,
                   node.max, node.score)
    children = [_row(child, depth + 1) for child in node.children]
    return Row(node, depth, sum((c.max for c in children), Decimal(0)), _sum([c.score for c in children]),
               node.max, node.score, summed=True, children=children)


def rollup(card: Scorecard) -> Row:
    """The whole table as a tree of rows; the root row is the total (TỔNG ĐIỂM)."""
    fields = [_row(node, 1) for node in card.criteria]
    return Row(None, 0, sum((f.max for f in fields), Decimal(0)), _sum([f.score for f in fields]),
               card.max, card.score, summed=True, children=fields)


def mismatches(root: Row) -> list[Row]:
    """Rows whose declared max or score disagrees with the recomputed one."""
    return [row for row in root.walk() if not (row.max_ok and row.score_ok)]
