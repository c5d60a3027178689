"""A card's final points and index: the one computation that validation, `total` and the ranking use.

Final points = points of the appraised part + survey points + min(bonus, bonus cap) − min(penalty,
penalty cap), a bonus or penalty entry counting its last appraisal round when it has one; index =
final points / applicable maximum × 100 (it may pass 100 with bonus points).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cchc.scorecard.model import Scorecard
from cchc.scorecard.numbers import decimal_text, percent
from cchc.scorecard.rollup import Row
from cchc.scorecard.terms import Terms


@dataclass(frozen=True)
class Final:
    """The parts of a card's final result, every number exact."""

    #: Points of the part the unit scores itself and the council appraises (everything but the survey).
    appraised: Decimal | None
    survey: Decimal | None
    #: Bonus and penalty as written (sums of the entries) and as counted (capped).
    bonus: Decimal
    bonus_counted: Decimal
    penalty: Decimal
    penalty_counted: Decimal
    points: Decimal | None
    applicable_max: Decimal
    index: Decimal | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: numbers as strings so nothing passes through float."""
        s = decimal_text
        # "appraised_part": the tree's nodes have "appraised" (their final round) already.
        return {
            "appraised_part": s(self.appraised),
            "survey": s(self.survey),
            "bonus": s(self.bonus),
            "bonus_counted": s(self.bonus_counted),
            "penalty": s(self.penalty),
            "penalty_counted": s(self.penalty_counted),
            "final": s(self.points),
            "applicable_max": s(self.applicable_max),
            "final_index": s(self.index),
        }


def _survey_rows(root: Row) -> list[Row]:
    """The survey part's rows (the topmost rows marked ``survey``)."""
    found, stack = [], list(root.children)
    while stack:
        row = stack.pop()
        if row.node is not None and row.node.survey:
            found.append(row)
        else:
            stack.extend(row.children)
    return found


def appraised_points(root: Row, survey: Decimal | None) -> Decimal | None:
    """The points of the appraised part (everything but the survey): the final appraisal round's
    total (cchc.scorecard.rollup, where the survey counts as it is), else the self-assessed points."""
    total = root.appraised if root.rounds else root.score
    if total is None:
        return None
    return total - (survey or Decimal(0))


def capped(total: Decimal, cap: Decimal | None) -> Decimal:
    """min(total, cap); no cap when ``cap`` is None."""
    return total if cap is None else min(total, cap)


def final(card: Scorecard, root: Row, terms: Terms | None = None) -> Final:
    """The card's final points and index (see the module docstring)."""
    terms = terms if terms is not None else Terms()
    survey_rows = _survey_rows(root)
    scored = [row.score for row in survey_rows if row.score is not None]
    survey = sum(scored, Decimal(0)) if scored else None
    appraised = appraised_points(root, survey)
    bonus = sum((entry.counted for entry in card.bonus), Decimal(0))
    penalty = sum((entry.counted for entry in card.penalty), Decimal(0))
    bonus_counted, penalty_counted = capped(bonus, terms.bonus_cap), capped(penalty, terms.penalty_cap)
    if appraised is None and survey is None:
        points = None
    else:
        points = (appraised or Decimal(0)) + (survey or Decimal(0)) + bonus_counted - penalty_counted
    maximum = root.applicable_max if root.applicable_max is not None else root.max
    return Final(
        appraised, survey, bonus, bonus_counted, penalty, penalty_counted, points, maximum, percent(points, maximum)
    )
