"""Checks of a card against its criteria set, of its scoring rules, not-applicable criteria and caps."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal

from cchc.checks.context import Context, label
from cchc.checks.rules import rule_shape
from cchc.messages import render
from cchc.problems import Problem
from cchc.scorecard.criteria_set import SetCriterion
from cchc.scorecard.model import Step
from cchc.scorecard.numbers import format_points
from cchc.scorecard.terms import evaluate

_SPACES = re.compile(r"\s+")


class _PunctuationToSpace(dict[int, str]):
    """A ``str.translate`` table turning punctuation and symbols into spaces, each character worked
    out the first time it is met (a per-character loop cost more than the rest of the checks)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = " " if unicodedata.category(ch).startswith(("P", "S")) else ch
        self[code] = folded
        return folded


_PUNCTUATION_TO_SPACE = _PunctuationToSpace()


def fold_title(text: str) -> str:
    """A title as compared with the set's: case, spacing and punctuation folded; diacritics kept."""
    text = unicodedata.normalize("NFC", text).casefold().translate(_PUNCTUATION_TO_SPACE)
    return _SPACES.sub(" ", text).strip()


def _set_nodes(nodes: list[SetCriterion]) -> Iterator[tuple[SetCriterion, SetCriterion | None]]:
    stack: list[tuple[SetCriterion, SetCriterion | None]] = [(node, None) for node in reversed(nodes)]
    while stack:
        node, parent = stack.pop()
        yield node, parent
        stack.extend((child, node) for child in reversed(node.children))


def _scale(steps: list[Step]) -> list[tuple[str, Decimal]]:
    return [(str(step.from_), step.points) for step in steps]


def check_set_found(ctx: Context) -> Iterator[Problem]:
    """The set the card names (or --criteria-set gives) can be read and has no errors."""
    if ctx.card_set is not None and ctx.card_set.problem is not None:
        yield ctx.card_set.problem


def check_set_year_level(ctx: Context) -> Iterator[Problem]:
    """The card's year and level are the set's."""
    found = ctx.card_set.criteria_set if ctx.card_set else None
    if found is None:
        return
    here = ctx.where(ctx.card)
    if found.year is not None and found.year != ctx.card.year:
        yield here.problem("set-year-differs", "year", year=ctx.card.year, expected=found.year)
    if found.level is not None and ctx.card.level is not None and found.level != ctx.card.level:
        yield here.problem("set-level-differs", "level", level=ctx.card.level, expected=found.level)


def check_set_criteria(ctx: Context) -> Iterator[Problem]:
    """The card has the set's criteria, no others, with the set's maxima and titles.

    A missing or unknown criterion is reported once, not again for each criterion below it; maxima are
    compared where the card's points stand (leaves and split_unknown groups), so one wrong leaf is one
    problem and not one more per ancestor.
    """
    found = ctx.card_set.criteria_set if ctx.card_set else None
    if found is None:
        return
    in_set = {node.id: (node, parent) for node, parent in _set_nodes(found.criteria)}
    in_card = {node.id: node for node, _, _ in ctx.nodes()}
    skipped: set[str] = set()
    for node, _, parent in ctx.nodes():
        if parent is not None and parent.id in skipped:
            skipped.add(node.id)
            continue
        entry = in_set.get(node.id)
        if entry is None:
            skipped.add(node.id)
            yield ctx.where(node).problem("set-unknown-criterion", "id", id=node.id)
            continue
        expected = entry[0]
        if fold_title(node.title) != fold_title(expected.title):
            yield ctx.where(node).problem("set-title-differs", "title", id=label(node), expected=expected.title)
        row = ctx.row_of(node)
        bears_points = node.is_leaf or node.split_unknown
        if (
            bears_points
            and row is not None
            and expected.max is not None
            and node.max is not None
            and node.max != expected.max
        ):
            yield ctx.where(node).problem(
                "set-max-differs",
                "max",
                id=label(node),
                max=format_points(node.max),
                expected=format_points(expected.max),
            )
    missing_parents: set[str] = set()
    for wanted, up in _set_nodes(found.criteria):
        if up is not None and up.id in missing_parents:
            missing_parents.add(wanted.id)
            continue
        if wanted.id in in_card:
            continue
        missing_parents.add(wanted.id)
        holder = in_card.get(up.id) if up is not None else None
        where = ctx.where(holder) if holder is not None else ctx.where(ctx.card)
        field = "children" if holder is not None else "criteria"
        place = render("set.missing-under", parent=up.id) if up is not None else render("set.missing-top")
        yield where.problem("set-missing-criterion", field, id=wanted.id, title=wanted.title, where=place)


def check_set_rules_match(ctx: Context) -> Iterator[Problem]:
    """A rule written on the card is the set's rule for that criterion (the card inherits it otherwise)."""
    found = ctx.card_set.criteria_set if ctx.card_set else None
    if found is None:
        return
    for node, _, _ in ctx.nodes():
        expected = ctx.terms.by_id.get(node.id)
        if expected is None or (node.rule is None and not node.steps):
            continue
        if expected.rule is None and not expected.steps:
            continue
        own = (node.rule or "steps", _scale(node.steps))
        theirs = (expected.rule or "steps", _scale(expected.steps))
        if own != theirs:
            yield ctx.where(node).problem(
                "set-rule-differs",
                "rule" if node.rule else "steps",
                id=label(node),
                rule=_rule_label(own[0]),
                expected=_rule_label(theirs[0]),
            )


def check_card_rules(ctx: Context) -> Iterator[Problem]:
    """Every rule written on the card can be applied."""
    for node, _, _ in ctx.nodes():
        yield from rule_shape(node, ctx.where(node))


def _rule_label(rule: str) -> str:
    return render(f"rule.{rule}")


def check_rule_values(ctx: Context) -> Iterator[Problem]:
    """A value has a rule; it can be read; a rate lies in 0-100 %; a written score is the rule's."""
    for node, _, _ in ctx.nodes():
        if node.value is None:
            continue
        row = ctx.row_of(node)
        here = ctx.where(node)
        if row is None or not row.applicable:
            continue  # not-applicable-scored says it
        if row.rule is None:
            if ctx.card_set is None or ctx.card_set.problem is None:  # else: the set could not be read
                yield here.problem("value-without-rule", "value", id=node.id)
            continue
        if row.rate is None:
            rule, steps = ctx.terms.rule_of(node)
            judged = evaluate(rule, steps, node.max, node.value)
            if judged.error is not None:
                yield here.problem("bad-value", "value", field="value", value=node.value, allowed=render(judged.error))
            continue
        if row.expected is None and (row.rule == "rate" or not row.rate.in_range):
            if not row.rate.in_range:
                yield here.problem(
                    "rate-out-of-range",
                    "value",
                    id=label(node),
                    value=node.value,
                    percent=format_points(row.rate.percent),
                )
            continue
        if node.score is not None and row.expected is not None and node.score != row.expected:
            yield here.problem(
                "rule-mismatch",
                "score",
                id=label(node),
                score=format_points(node.score),
                rule=_rule_label(row.rule),
                value=node.value,
                expected=format_points(row.expected),
            )


def check_not_applicable(ctx: Context) -> Iterator[Problem]:
    """A not-applicable criterion carries no score or value, and a note says why."""
    for node, _, _ in ctx.nodes():
        if node.applicable:
            continue
        for name in ("score", "value"):
            if getattr(node, name) is not None:
                yield ctx.where(node).problem("not-applicable-scored", name, id=node.id, field=name)
        if not node.note:
            yield ctx.where(node).problem("not-applicable-no-note", "applicable", id=node.id)


def check_caps(ctx: Context) -> Iterator[Problem]:
    """Bonus and penalty within the set's caps (the cap is counted; a set without a cap has none)."""
    for name, cap in (("bonus", ctx.terms.bonus_cap), ("penalty", ctx.terms.penalty_cap)):
        entries = getattr(ctx.card, name)
        total = sum((entry.points for entry in entries), Decimal(0))
        if cap is not None and entries and total > cap:
            yield ctx.where(ctx.card).problem(
                f"{name}-over-cap", name, points=format_points(total), cap=format_points(cap)
            )
