"""Checks on a criteria-set file: small functions in one explicit list, each yielding problems.

A set is checked as a card's tree is, without scores: ids once and under their parents, a max on every
leaf, declared maxima that add up, rules that can be applied.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from cchc.checks.ids import duplicate_ids, ids_not_under_parent
from cchc.checks.rules import rule_shape
from cchc.messages import render
from cchc.problems import Problem, Severity
from cchc.scorecard.criteria_set import CriteriaSet, SetCriterion
from cchc.scorecard.load import Loaded, Locations, Where, load_file
from cchc.scorecard.numbers import format_points, matches_declared


@dataclass
class SetContext:
    """What every set check may look at: the set and where each of its nodes stands."""

    criteria_set: CriteriaSet
    where: Callable[[CriteriaSet | SetCriterion], Where]

    def nodes(self) -> Iterator[tuple[SetCriterion, int, SetCriterion | None]]:
        """Every criterion with its depth and parent."""
        stack: list[tuple[SetCriterion, int, SetCriterion | None]] = [
            (node, 1, None) for node in reversed(self.criteria_set.criteria)
        ]
        while stack:
            node, depth, parent = stack.pop()
            yield node, depth, parent
            stack.extend((child, depth + 1, node) for child in reversed(node.children))


SetCheck = Callable[[SetContext], Iterator[Problem]]


def set_max(node: SetCriterion) -> Decimal:
    """The maximum a node stands for: its own on a leaf or a split_unknown group, else its children's sum."""
    if node.is_leaf or node.split_unknown:
        return node.max if node.max is not None else Decimal(0)
    return sum((set_max(child) for child in node.children), Decimal(0))


def check_set_leaf_max(ctx: SetContext) -> Iterator[Problem]:
    """A leaf needs its max, except inside a split_unknown group; a split group needs its own."""
    for node, _, parent in ctx.nodes():
        in_group = parent is not None and parent.split_unknown
        if node.max is None and ((node.is_leaf and not in_group) or node.split_unknown):
            yield ctx.where(node).problem("missing-max", None, id=node.id)
        if in_group and node.max is not None:
            assert parent is not None
            yield ctx.where(node).problem("split-child-points", "max", id=node.id, parent=parent.id, field="max")


def check_set_duplicate_ids(ctx: SetContext) -> Iterator[Problem]:
    """Every id once in the whole set."""
    return duplicate_ids(ctx.nodes(), ctx.where)


def check_set_ids_under_parent(ctx: SetContext) -> Iterator[Problem]:
    """A child's id starts with its parent's known id."""
    return ids_not_under_parent(ctx.nodes(), ctx.where)


def check_set_ranges(ctx: SetContext) -> Iterator[Problem]:
    """No negative maximum or cap."""
    top = ctx.criteria_set
    for name in ("max", "bonus_cap", "penalty_cap"):
        value = getattr(top, name)
        if value is not None and value < 0:
            yield ctx.where(top).problem(
                "score-negative", name, field=name, id=render("label.total"), value=format_points(value)
            )
    for node, _, _ in ctx.nodes():
        if node.max is not None and node.max < 0:
            yield ctx.where(node).problem(
                "score-negative",
                "max",
                field="max",
                id=render("label.criterion", id=node.id),
                value=format_points(node.max),
            )


def check_set_sums(ctx: SetContext) -> Iterator[Problem]:
    """Declared maxima of fields, criteria and the whole set equal the sums of their children."""
    for node, _, _ in ctx.nodes():
        if node.children and not node.split_unknown and node.max is not None:
            computed = set_max(node)
            if not matches_declared(node.max, computed):
                yield ctx.where(node).problem(
                    "max-mismatch",
                    "max",
                    id=render("label.criterion", id=node.id),
                    declared=format_points(node.max),
                    computed=format_points(computed),
                )
    top = ctx.criteria_set
    total = sum((set_max(node) for node in top.criteria), Decimal(0))
    if top.max is not None and not matches_declared(top.max, total):
        yield ctx.where(top).problem(
            "max-mismatch",
            "max",
            id=render("label.total"),
            declared=format_points(top.max),
            computed=format_points(total),
        )


def check_set_rules(ctx: SetContext) -> Iterator[Problem]:
    """Every rule of the set can be applied."""
    for node, _, _ in ctx.nodes():
        yield from rule_shape(node, ctx.where(node))


def check_set_total_max(ctx: SetContext) -> Iterator[Problem]:
    """Warn when the set's maximum is not the usual 100."""
    top = ctx.criteria_set
    total = sum((set_max(node) for node in top.criteria), Decimal(0))
    if top.criteria and total != Decimal(100):
        yield ctx.where(top).problem("total-not-100", "max" if top.max is not None else None, max=format_points(total))


#: Every check of a criteria-set file, in the order they run. Add new ones here.
SET_CHECKS: list[SetCheck] = [
    check_set_leaf_max,
    check_set_duplicate_ids,
    check_set_ids_under_parent,
    check_set_ranges,
    check_set_sums,
    check_set_rules,
    check_set_total_max,
]


def run_set_checks(ctx: SetContext) -> list[Problem]:
    """Every problem the set checks find."""
    return [problem for check in SET_CHECKS for problem in check(ctx)]


def check_set_loaded(loaded: Loaded) -> list[Problem]:
    """Every problem of a loaded criteria-set file: reading and shape, then the set checks."""
    problems = list(loaded.problems)
    if loaded.criteria_set is not None:
        problems.extend(run_set_checks(SetContext(loaded.criteria_set, loaded.locations)))
    return problems


@dataclass
class CardSet:
    """The set a card is checked against: the loaded set, or the one problem saying why there is none."""

    path: str | None = None
    criteria_set: CriteriaSet | None = None
    where: Locations | None = None
    problem: Problem | None = None


# Sets already read in this process, by real path, size and time: 40 cards name one set.
_CACHE: dict[tuple[str, int, int], tuple[Loaded, int]] = {}


def _read_set(path: str) -> tuple[Loaded, int]:
    """The set at ``path`` and its number of errors (read once per process while the file is unchanged)."""
    try:
        info = os.stat(path)
        key = (os.path.realpath(path), info.st_size, info.st_mtime_ns)
    except OSError:
        key = None
    if key is not None and key in _CACHE:
        return _CACHE[key]
    loaded = load_file(path)
    errors = sum(problem.severity is Severity.ERROR for problem in check_set_loaded(loaded))
    if key is not None:
        _CACHE[key] = (loaded, errors)
    return loaded, errors


def set_for_card(loaded: Loaded, override: str | None = None) -> CardSet:
    """The set of a loaded card: ``override`` (--criteria-set, relative to the working directory) or
    the card's ``criteria_set:`` (relative to the card's folder); none when neither is given."""
    card = loaded.card
    if card is None or (override is None and card.criteria_set is None):
        return CardSet()
    here = loaded.locations(card)
    if override is not None:
        path, shown = override, override
        at: tuple[int | None, int | None] = (None, None)
    else:
        assert card.criteria_set is not None
        shown = card.criteria_set
        path = os.path.join(os.path.dirname(loaded.file), card.criteria_set)
        at = here.at("criteria_set")
    path = os.path.normpath(path)
    set_loaded, errors = _read_set(path)
    if not set_loaded.readable or set_loaded.card is not None:
        fallback = render("reason.is-directory") if os.path.isdir(path) else render("reason.not-a-set")
        reason = next((p.args["reason"] for p in set_loaded.problems if "reason" in p.args), fallback)
        return CardSet(
            path, problem=Problem("set-not-found", loaded.file, *at, "criteria_set", {"path": shown, "reason": reason})
        )
    if errors or set_loaded.criteria_set is None:
        return CardSet(
            path,
            problem=Problem("set-invalid", loaded.file, *at, "criteria_set", {"path": path, "errors": max(errors, 1)}),
        )
    return CardSet(path, set_loaded.criteria_set, set_loaded.locations)
