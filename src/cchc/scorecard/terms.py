"""The terms a card is scored under: its set's not-applicable convention, caps and rules.

Without a set a card is scored by its own rules, not-applicable criteria leave the maximum, and bonus
and penalty are not capped. With a set, the set's rules apply where the card gives none, and a cap the
set leaves out is 0: that set has no bonus (or penalty) points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from cchc.scorecard.criteria_set import CriteriaSet, SetCriterion
from cchc.scorecard.model import Criterion, Step
from cchc.scorecard.rules import (
    Rate,
    RuleError,
    parse_rate,
    rate_points,
    step_points,
    step_value,
)


@dataclass
class Terms:
    """How a card's points are computed."""

    not_applicable: str = "exclude"
    #: None: no cap (no set); a set without a cap gives 0.
    bonus_cap: Decimal | None = None
    penalty_cap: Decimal | None = None
    #: The set's criteria by id, whose rules a card inherits.
    by_id: dict[str, SetCriterion] = field(default_factory=dict)

    def rule_of(self, node: Criterion) -> tuple[str | None, list[Step]]:
        """The rule and scale that score ``node``: its own, else its set's."""
        if node.rule is not None or node.steps:
            return node.rule or "steps", node.steps
        found = self.by_id.get(node.id)
        if found is not None and (found.rule is not None or found.steps):
            return found.rule or "steps", found.steps
        return None, []


def terms_of(criteria_set: CriteriaSet | None) -> Terms:
    """The terms a set gives (the defaults without one)."""
    if criteria_set is None:
        return Terms()
    by_id: dict[str, SetCriterion] = {}
    stack = list(criteria_set.criteria)
    while stack:
        node = stack.pop()
        by_id.setdefault(node.id, node)
        stack.extend(node.children)
    zero = Decimal(0)
    return Terms(
        criteria_set.not_applicable,
        criteria_set.bonus_cap if criteria_set.bonus_cap is not None else zero,
        criteria_set.penalty_cap if criteria_set.penalty_cap is not None else zero,
        by_id,
    )


@dataclass(frozen=True)
class Evaluation:
    """What a rule makes of a leaf's value: the rate it states and the points it gives.

    ``error`` is a message key when the value cannot be judged (points are then None); ``rate`` out of
    0-100 % gives no points either.
    """

    rate: Rate | None = None
    points: Decimal | None = None
    error: str | None = None


def evaluate(rule: str | None, steps: list[Step], maximum: Decimal | None, value: str) -> Evaluation:
    """Apply ``rule`` (or ``steps``) to ``value`` for a leaf with max ``maximum``."""
    try:
        if rule == "rate":
            rate = parse_rate(value)
            if not rate.in_range or maximum is None:
                return Evaluation(rate)
            return Evaluation(rate, rate_points(maximum, rate))
        if not steps:
            return Evaluation()
        percent = steps[0].from_.percent
        rate = step_value(value, percent)
        if percent and not rate.in_range:
            return Evaluation(rate)
        return Evaluation(rate, step_points([(step.from_, step.points) for step in steps], rate))
    except RuleError as exc:
        return Evaluation(error=exc.reason)
