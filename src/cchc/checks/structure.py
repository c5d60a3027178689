"""Checks of the tree's shape: ids, required maxima, ranges, split groups, unscored leaves."""

from __future__ import annotations

from collections.abc import Iterator

from cchc.checks.context import Context, label
from cchc.checks.ids import duplicate_ids, ids_not_under_parent
from cchc.problems import Problem
from cchc.scorecard.model import Criterion, Scorecard
from cchc.scorecard.numbers import format_points


def check_leaf_max(ctx: Context) -> Iterator[Problem]:
    """A leaf needs its max, except inside a split_unknown group."""
    for node, _, parent in ctx.nodes():
        if node.is_leaf and node.max is None and not ctx.in_split_group(parent) and not ctx.unreadable(node, "max"):
            yield ctx.where(node).problem("missing-max", None, id=node.id)


def check_duplicate_ids(ctx: Context) -> Iterator[Problem]:
    """Every id once in the whole table."""
    return duplicate_ids(ctx.nodes(), ctx.where)


def check_ids_under_parent(ctx: Context) -> Iterator[Problem]:
    """A child's id starts with its parent's id."""
    return ids_not_under_parent(ctx.nodes(), ctx.where)


def check_ranges(ctx: Context) -> Iterator[Problem]:
    """No negative points; no self score above its max."""
    items: list[Criterion | Scorecard] = [ctx.card, *(node for node, _, _ in ctx.nodes())]
    for node in items:
        for name in ("max", "score"):
            value = getattr(node, name)
            if value is not None and value < 0:
                yield ctx.where(node).problem(
                    "score-negative", name, field=name, id=label(node), value=format_points(value)
                )
        if node.max is not None and node.score is not None and node.score > node.max >= 0:
            yield ctx.where(node).problem(
                "score-above-max", "score", id=label(node), score=format_points(node.score), max=format_points(node.max)
            )


def check_split_groups(ctx: Context) -> Iterator[Problem]:
    """A split_unknown group declares its own max (a blank score is only unscored); its children carry none."""
    for node, _, parent in ctx.nodes():
        if node.split_unknown and node.max is None:
            yield ctx.where(node).problem("split-needs-points", "split_unknown", id=node.id)
        if ctx.in_split_group(parent):
            assert parent is not None
            for name in ("max", "score", "appraisal"):
                if getattr(node, name) not in (None, []):
                    yield ctx.where(node).problem("split-child-points", name, id=node.id, parent=parent.id, field=name)


def check_unscored(ctx: Context) -> Iterator[Problem]:
    """Warn about a leaf nobody has scored yet (blank is not zero); the survey part is not self-scored.

    A split_unknown group scores as one leaf; without its max it is split-needs-points alone.
    """
    for node, _, parent in ctx.nodes():
        counts = node.is_leaf or (node.split_unknown and node.max is not None)
        if (
            counts
            and node.score is None
            and not node.survey
            and not ctx.in_split_group(parent)
            and not ctx.unreadable(node, "score")
        ):
            if node.value is not None or ctx.unreadable(node, "value"):
                continue  # scored by its rule; when the rule cannot apply, the rule checks say why
            row = ctx.row_of(node)
            if row is not None and (not row.applicable or row.computed):
                continue  # not applicable, or scored by its rule from its value
            yield ctx.where(node).problem("unscored", None, id=node.id)


def check_required_text(ctx: Context) -> Iterator[Problem]:
    """The unit, and each criterion's id and title, must say something: "" or spaces are not a name."""
    if not ctx.card.unit.strip() and not ctx.unreadable(ctx.card, "unit"):
        yield ctx.where(ctx.card).problem("empty-text", "unit", field="unit")
    for node, _, _ in ctx.nodes():
        for name in ("id", "title"):
            if not getattr(node, name).strip() and not ctx.unreadable(node, name):
                yield ctx.where(node).problem("empty-text", name, field=name)
