"""A blank card from a set (`cchc init`), and a set from an existing card (`cchc set-from-card`)."""

from __future__ import annotations

from cchc.scorecard.criteria_set import CriteriaSet, SetCriterion
from cchc.scorecard.model import Criterion, Scorecard

#: What a card's row and a set's criterion both hold: the structure, the maxima and the rules.
_SHARED = ("id", "tt", "title", "max", "split_unknown", "survey", "rule", "steps")


def _shared(node: SetCriterion | Criterion) -> dict[str, object]:
    return {name: getattr(node, name) for name in _SHARED}


def _blank(node: SetCriterion) -> Criterion:
    """A card's row for a set's criterion: structure, title, max, rule, survey flag; nothing scored."""
    return Criterion.model_validate({**_shared(node), "children": [_blank(child) for child in node.children]})


def card_from_set(found: CriteriaSet, set_path: str, unit: str, year: int | None = None) -> Scorecard:
    """A blank scorecard for ``unit`` following ``found``, naming it as ``set_path`` (relative to the card).

    ``year`` defaults to the set's; a set without a year needs one given.
    """
    chosen = year if year is not None else found.year
    if chosen is None:
        raise ValueError("year")
    return Scorecard.model_validate(
        {
            "unit": unit,
            "year": chosen,
            "level": found.level,
            "max": found.max,
            "criteria_set": set_path,
            "criteria": [_blank(node) for node in found.criteria],
        }
    )


def _rule_only(node: Criterion) -> SetCriterion:
    """A set's criterion from a card's row: scores, values, evidence, notes and applicability dropped."""
    return SetCriterion.model_validate({**_shared(node), "children": [_rule_only(child) for child in node.children]})


def set_from_card(card: Scorecard, name: str, issued_by: str | None = None) -> CriteriaSet:
    """A criteria set with ``card``'s structure, titles, maxima and rules (for the level and year of the card)."""
    return CriteriaSet.model_validate(
        {
            "set": name,
            "issued_by": issued_by,
            "level": card.level,
            "year": card.year,
            "max": card.max,
            "criteria": [_rule_only(node) for node in card.criteria],
        }
    )
