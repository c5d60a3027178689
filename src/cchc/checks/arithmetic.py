"""Checks of the arithmetic: declared totals against the exact sums, the table's maximum, decimals."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from cchc.checks.context import Context, label
from cchc.problems import Problem
from cchc.scorecard.model import Criterion, Scorecard
from cchc.scorecard.numbers import decimal_places, format_points


def check_sums(ctx: Context) -> Iterator[Problem]:
    """Declared totals of fields, criteria and the whole table equal the sums of their children."""
    for row in ctx.root.walk():
        if row.max_ok and row.score_ok:
            continue
        target: Criterion | Scorecard = row.node if row.node is not None else ctx.card
        unknown = ctx.unreadable_below
        if not row.max_ok and id(target) not in unknown["max"]:
            yield ctx.where(target).problem(
                "max-mismatch",
                "max",
                id=label(target),
                declared=format_points(row.declared_max),
                computed=format_points(row.max),
            )
        if not row.score_ok and id(target) not in unknown["score"]:
            yield ctx.where(target).problem(
                "score-mismatch",
                "score",
                id=label(target),
                declared=format_points(row.declared_score),
                computed=format_points(row.score) or "0",
            )


def check_total_max(ctx: Context) -> Iterator[Problem]:
    """Warn when the table's maximum is not the usual 100."""
    if ctx.card_set is not None and ctx.card_set.criteria_set is not None:
        return  # the set's maxima rule: a card that differs from them is told so by the set checks
    if ctx.card.criteria and ctx.root.max != Decimal(100) and id(ctx.card) not in ctx.unreadable_below["max"]:
        yield ctx.where(ctx.card).problem(
            "total-not-100", "max" if ctx.card.max is not None else None, max=format_points(ctx.root.max)
        )


def check_decimals(ctx: Context) -> Iterator[Problem]:
    """Warn about points written with more than the form's 4 decimals."""
    items: list[Criterion | Scorecard] = [ctx.card, *(node for node, _, _ in ctx.nodes())]
    for node in items:
        for name in ("max", "score"):
            value = getattr(node, name)
            if value is not None and decimal_places(value) > 4:
                yield ctx.where(node).problem("too-many-decimals", name, value=format(value, "f").replace(".", ","))
