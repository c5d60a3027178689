"""Appraisal rounds (thẩm định): which entry of a criterion is in force in a round, and what it revises.

A criterion's ``appraisal`` lists the council's rounds, oldest first. A leaf's value in round k is its
k-th entry's score; a leaf with fewer entries keeps its last one (round 2 usually revisits only the
contested criteria). A card has as many rounds as its longest list; the final appraisal is the last
round. On a node with children, and at the top of the card, the entries declare that round's total.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from cchc.scorecard.model import Appraisal


def in_force(entries: Sequence[Appraisal], round_no: int) -> Appraisal | None:
    """The entry that holds in round ``round_no`` (1-based): the k-th, or the last when there are
    fewer; None when there is none at all (the criterion was not appraised)."""
    if not entries or round_no < 1:
        return None
    return entries[min(round_no, len(entries)) - 1]


def value_in_round(entries: Sequence[Appraisal], round_no: int) -> Decimal | None:
    """The appraised points in force in round ``round_no``; None when not appraised."""
    entry = in_force(entries, round_no)
    return None if entry is None else entry.score


def revisions(
    entries: Sequence[Appraisal], self_score: Decimal | None
) -> Iterator[tuple[int, Appraisal, Decimal | None]]:
    """Each entry with its round (1-based) and the score it revises: the self score for round 1,
    the previous round's after."""
    previous = self_score
    for index, entry in enumerate(entries):
        yield index + 1, entry, previous
        previous = entry.score


def history(entries: Sequence[Appraisal], round_no: int) -> Sequence[Appraisal]:
    """The entries written up to round ``round_no`` (all of them when it is the last or later)."""
    return entries[: max(round_no, 0)]


def notes_until(entries: Sequence[Appraisal], round_no: int) -> tuple[str | None, str | None]:
    """The council's notes and the unit's replies written up to round ``round_no``, oldest first,
    one per line: the reason for a cut stays next to the later "accepted" or "not accepted"."""
    kept = history(entries, round_no)
    notes = [e.note.strip() for e in kept if e.note and e.note.strip()]
    replies = [e.reply.strip() for e in kept if e.reply and e.reply.strip()]
    return ("\n".join(notes) or None), ("\n".join(replies) or None)
