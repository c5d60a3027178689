"""Recompute every node bottom-up with exact decimals and compare with what the table declares.

With appraisal (thẩm định), every node is also recomputed per round: a leaf's value in round k is
the entry in force (see cchc.scorecard.appraisal); a leaf the council did not appraise keeps its
(computed) score; the survey part counts its points as they are; a node sums its children. The
card's final points come from cchc.scorecard.final, which takes the final round's total.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cchc.scorecard.appraisal import value_in_round
from cchc.scorecard.model import Criterion, Scorecard, iter_criteria
from cchc.scorecard.numbers import decimal_text, matches_declared, percent
from cchc.scorecard.rules import Rate
from cchc.scorecard.terms import Terms, evaluate


@dataclass
class Row:
    """One node's recomputed values next to its declared ones.

    ``max``/``score`` are the computed values: a leaf's own points, the sum of the children
    for a node with children, or the declared total of a ``split_unknown`` group. A leaf with a rule
    and a value but no score gets the rule's points (``computed``). ``applicable_max`` leaves out the
    maximum of not-applicable criteria when the set's convention is ``exclude``; with ``full`` such a
    criterion scores its maximum. The index is score over the applicable maximum.
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
    #: The maximum that counts for the index (not-applicable criteria left out under ``exclude``).
    applicable_max: Decimal | None = None
    #: False for a criterion marked ``applicable: false`` (and everything under it).
    applicable: bool = True
    #: The rule that scores this leaf ("rate" / "steps"), its value as written, the rate it states,
    #: the points the rule gives, and whether ``score`` is those points (no score was written).
    rule: str | None = None
    value: str | None = None
    rate: Rate | None = None
    expected: Decimal | None = None
    computed: bool = False
    #: True when the value is a rate (shown as a percent), False for a count (a scale by count).
    percent: bool = True
    #: Appraised points per round, computed (empty when the card has no appraisal).
    appraisal_rounds: list[Decimal | None] = field(default_factory=list)
    #: The scores of the node's own appraisal entries: a round total declared by a node with
    #: children or the card, a leaf's own rounds.
    declared_appraisal: list[Decimal] = field(default_factory=list)
    #: In the survey part: counted as they are, never appraised.
    in_survey: bool = False

    def __post_init__(self) -> None:
        if self.applicable_max is None:
            self.applicable_max = self.max

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
    def rounds(self) -> int:
        """How many appraisal rounds the card has (0: none)."""
        return len(self.appraisal_rounds)

    @property
    def appraised(self) -> Decimal | None:
        """The final round's computed points; None when the card has no appraisal."""
        return self.appraisal_rounds[-1] if self.appraisal_rounds else None

    def appraisal_mismatches(self) -> list[int]:
        """The rounds (0-based) whose declared total disagrees with the computed one."""
        if not self.summed:
            return []
        wrong = []
        for index, (declared, computed) in enumerate(zip(self.declared_appraisal, self.appraisal_rounds, strict=False)):
            if computed is None or not matches_declared(declared, computed):
                wrong.append(index)
        return wrong

    @property
    def appraisal_ok(self) -> bool:
        """Every declared round total (if any) agrees with the computed one."""
        return not self.appraisal_mismatches()

    @property
    def index(self) -> Decimal | None:
        """score / applicable max × 100 (4 decimals), None without a score or with a zero maximum."""
        return percent(self.score, self.applicable_max)

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
            "applicable_max": _s(self.applicable_max),
            "applicable": self.applicable,
            "rule": self.rule,
            "value": self.value,
            "rate_percent": _s(self.rate.percent) if self.rate is not None and self.percent else None,
            "count": _s(self.rate.done) if self.rate is not None and not self.percent else None,
            "expected": _s(self.expected),
            "computed": self.computed,
            "appraised": _s(self.appraised),
            "appraisal_rounds": [_s(value) for value in self.appraisal_rounds],
            "declared_appraisal": [_s(value) for value in self.declared_appraisal],
            "appraisal_ok": self.appraisal_ok,
            "children": [child.to_dict() for child in self.children],
        }


def _s(value: Decimal | None) -> str | None:
    return decimal_text(value)


def _sum(values: list[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


def _leaf(node: Criterion, depth: int, terms: Terms, applicable: bool) -> Row:
    """A leaf, or a split_unknown group counted as one: its own points, a rule's, or not applicable."""
    maximum = node.max if node.max is not None else Decimal(0)
    if not applicable:
        # "full": the criterion counts as met; "exclude": it leaves the maximum and scores nothing.
        full = terms.not_applicable == "full"
        return Row(
            node,
            depth,
            maximum,
            maximum if full else None,
            node.max,
            node.score,
            applicable_max=maximum if full else Decimal(0),
            applicable=False,
        )
    row = Row(node, depth, maximum, node.score, node.max, node.score)
    rule, steps = terms.rule_of(node)
    if rule is not None and not node.split_unknown:
        row.rule, row.value = rule, node.value
        row.percent = rule == "rate" or bool(steps and steps[0].from_.percent)
        if node.value is not None:
            judged = evaluate(rule, steps, node.max, node.value)
            row.rate, row.expected = judged.rate, judged.points
            if node.score is None and judged.points is not None:
                row.score, row.computed = judged.points, True
    return row


def _row(
    node: Criterion, depth: int, terms: Terms, rounds: int, applicable: bool = True, in_survey: bool = False
) -> Row:
    applicable = applicable and node.applicable
    survey = in_survey or node.survey
    if node.split_unknown or node.is_leaf:
        row = _leaf(node, depth, terms, applicable)
        row.declared_appraisal, row.in_survey = [entry.score for entry in node.appraisal], survey
        if survey or not node.appraisal or not applicable:
            # Not appraised: the score stands (the survey's result, a rule's points, a not-applicable row's).
            row.appraisal_rounds = [row.score] * rounds
        else:
            row.appraisal_rounds = [value_in_round(node.appraisal, k) for k in range(1, rounds + 1)]
        return row
    children = [_row(child, depth + 1, terms, rounds, applicable, survey) for child in node.children]
    row = _summed(node, depth, node, children, rounds)
    row.applicable, row.in_survey = applicable, survey
    return row


def _summed(
    node: Criterion | None, depth: int, declared: Criterion | Scorecard, children: list[Row], rounds: int
) -> Row:
    """The row of a criterion with children, or of the total: its values summed from ``children``,
    next to what ``declared`` (the criterion, or the card) says."""
    return Row(
        node,
        depth,
        sum((c.max for c in children), Decimal(0)),
        _sum([c.score for c in children]),
        declared.max,
        declared.score,
        summed=True,
        children=children,
        applicable_max=sum((r.applicable_max if r.applicable_max is not None else r.max for r in children), Decimal(0)),
        appraisal_rounds=[_sum([c.appraisal_rounds[k] for c in children]) for k in range(rounds)],
        declared_appraisal=[entry.score for entry in declared.appraisal],
    )


def card_rounds(card: Scorecard) -> int:
    """How many appraisal rounds the card has: its longest ``appraisal`` list (the survey part's,
    which are ignored, and those of the points-less children of a split group do not count)."""
    longest = len(card.appraisal)
    skipped: set[int] = set()
    for node, _, parent in iter_criteria(card.criteria):
        if node.survey or (parent is not None and (id(parent) in skipped or parent.split_unknown)):
            skipped.add(id(node))
            continue
        longest = max(longest, len(node.appraisal))
    return longest


def rollup(card: Scorecard, terms: Terms | None = None) -> Row:
    """The whole table as a tree of rows; the root row is the total (TỔNG ĐIỂM).

    ``terms`` are the card's set's (its rules, its not-applicable convention); without them the card is
    scored by its own rules and not-applicable criteria leave the maximum.
    """
    terms = terms if terms is not None else Terms()
    rounds = card_rounds(card)
    return _summed(None, 0, card, [_row(node, 1, terms, rounds) for node in card.criteria], rounds)


def mismatches(root: Row) -> list[Row]:
    """Rows whose declared max or score disagrees with the recomputed one."""
    return [row for row in root.walk() if not (row.max_ok and row.score_ok)]


def appraisal_mismatches(root: Row) -> list[Row]:
    """Rows whose declared round totals disagree with the recomputed ones."""
    return [row for row in root.walk() if not row.appraisal_ok]


def points_rows(row: Row) -> list[Row]:
    """The rows below ``row`` (itself included) that carry points of their own, in table order:
    leaves, and groups known only by their total."""
    return [r for r in row.walk() if not r.summed and r.node is not None]


def counted(row: Row) -> Decimal:
    """What a row counts for in the final points: its final appraisal, else its score."""
    if row.appraised is not None:
        return row.appraised
    return row.score if row.score is not None else Decimal(0)
