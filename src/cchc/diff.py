"""What changed: the council's appraisal against the self score, or one scorecard against another.

Both comparisons return plain results (``to_dict`` is the JSON output); the CLI only renders them.
Rows are the criteria that carry points (leaves, and groups known only by their total); numbers
are exact decimals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cchc.scorecard.appraisal import notes_until
from cchc.scorecard.numbers import decimal_text
from cchc.scorecard.rollup import Row, counted, points_rows


def _s(value: Decimal | None) -> str | None:
    """An exact decimal as JSON text (cchc.scorecard.numbers.decimal_text: 0.0 -> 0, 98.20 -> 98.2)."""
    return decimal_text(value)


@dataclass
class FieldDelta:
    """The change summed over one field (lĩnh vực)."""

    id: str
    title: str
    delta: Decimal

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"id": self.id, "delta": _s(self.delta)}


# --------------------------------------------------------------------------- cchc diff FILE


@dataclass
class Change:
    """One criterion whose appraisal differs from its self score."""

    id: str
    tt: str | None
    title: str
    self: Decimal | None
    appraised: Decimal
    note: str | None
    reply: str | None

    @property
    def delta(self) -> Decimal:
        """Appraised minus self (a blank self score counts as 0)."""
        return self.appraised - (self.self or Decimal(0))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "id": self.id,
            "title": self.title,
            "self": _s(self.self),
            "appraised": _s(self.appraised),
            "delta": _s(self.delta),
            "note": self.note,
            "reply": self.reply,
        }


@dataclass
class AppraisalDiff:
    """What the council changed in one card, as of one round."""

    file: str
    round: int
    rounds: int
    changes: list[Change] = field(default_factory=list)
    fields: list[FieldDelta] = field(default_factory=list)

    @property
    def total_delta(self) -> Decimal:
        """The sum of every change."""
        return sum((c.delta for c in self.changes), Decimal(0))

    @property
    def changed(self) -> bool:
        """Whether the council changed anything."""
        return bool(self.changes)

    def to_dict(self) -> dict[str, Any]:
        """The JSON output of ``cchc diff FILE``."""
        return {
            "file": self.file,
            "round": self.round,
            "rounds": self.rounds,
            "changes": [c.to_dict() for c in self.changes],
            "fields": [f.to_dict() for f in self.fields],
            "total_delta": _s(self.total_delta),
        }


def appraisal_diff(file: str, root: Row, round_no: int | None = None) -> AppraisalDiff:
    """The criteria whose appraisal in ``round_no`` (default: the final round) differs from the
    self score, with the council's notes and the unit's replies up to that round."""
    rounds = root.rounds
    chosen = rounds if round_no is None else round_no
    result = AppraisalDiff(file, chosen, rounds)
    if rounds == 0:
        return result
    for field_row in root.children:
        found: list[Change] = []
        for row in points_rows(field_row):
            node = row.node
            if node is None or not node.appraisal or row.in_survey:
                continue
            entries = node.appraisal
            appraised = row.appraisal_rounds[chosen - 1]
            if appraised is None or appraised == (row.score or Decimal(0)):
                continue
            note, reply = notes_until(entries, chosen)
            found.append(Change(node.id, node.tt, node.title, row.score, appraised, note, reply))
        if found and field_row.node is not None:
            result.changes.extend(found)
            result.fields.append(
                FieldDelta(field_row.node.id, field_row.node.title, sum((c.delta for c in found), Decimal(0)))
            )
    return result


# --------------------------------------------------------------------------- cchc diff OLD NEW


@dataclass
class Side:
    """One criterion's points in one of the two cards."""

    max: Decimal | None
    self: Decimal | None
    appraised: Decimal | None

    @property
    def points(self) -> Decimal:
        """What it counts for: the final appraisal, else the self score (blank = 0)."""
        if self.appraised is not None:
            return self.appraised
        return self.self or Decimal(0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"max": _s(self.max), "self": _s(self.self), "appraised": _s(self.appraised)}


def _side(row: Row) -> Side:
    return Side(row.max, row.score, row.appraised)


@dataclass
class CardChange:
    """One criterion present in both cards whose max, self score or final appraisal changed."""

    id: str
    tt: str | None
    title: str
    old: Side
    new: Side

    @property
    def delta(self) -> Decimal:
        """The points it counts for, new minus old."""
        return self.new.points - self.old.points

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "id": self.id,
            "title": self.title,
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
            "delta": _s(self.delta),
        }


@dataclass
class Listed:
    """A criterion found in one card only."""

    id: str
    tt: str | None
    title: str
    side: Side


@dataclass
class CardDiff:
    """Two scorecards compared criterion by criterion (matched by id)."""

    old_file: str
    new_file: str
    changes: list[CardChange] = field(default_factory=list)
    added: list[Listed] = field(default_factory=list)
    removed: list[Listed] = field(default_factory=list)
    fields: list[FieldDelta] = field(default_factory=list)
    old_total: Decimal | None = None
    new_total: Decimal | None = None

    @property
    def total_delta(self) -> Decimal:
        """Final points, new minus old (a card with no points counts 0)."""
        return (self.new_total or Decimal(0)) - (self.old_total or Decimal(0))

    @property
    def changed(self) -> bool:
        """Any difference at all (exit code 1)."""
        return bool(self.changes or self.added or self.removed or self.fields or self.total_delta)

    def to_dict(self) -> dict[str, Any]:
        """The JSON output of ``cchc diff OLD NEW``."""
        return {
            "old": self.old_file,
            "new": self.new_file,
            "changes": [c.to_dict() for c in self.changes],
            "added": [a.id for a in self.added],
            "removed": [r.id for r in self.removed],
            "fields": [f.to_dict() for f in self.fields],
            "old_total": _s(self.old_total),
            "new_total": _s(self.new_total),
            "total_delta": _s(self.total_delta),
        }


def _rows_by_id(root: Row) -> dict[str, Row]:
    return {row.node.id: row for row in points_rows(root) if row.node is not None}


def _field_points(field_row: Row) -> Decimal:
    return sum((counted(row) for row in points_rows(field_row)), Decimal(0))


def card_diff(
    old_file: str, old: Row, new_file: str, new: Row, old_total: Decimal | None, new_total: Decimal | None
) -> CardDiff:
    """Every criterion carrying points matched by id: changed rows in the new card's order, those
    added and removed, the change per field; ``old_total``/``new_total`` are the cards' final points
    (cchc.scorecard.final)."""
    result = CardDiff(old_file, new_file, old_total=old_total, new_total=new_total)
    before, after = _rows_by_id(old), _rows_by_id(new)
    for key, row in after.items():
        node = row.node
        assert node is not None
        if key not in before:
            result.added.append(Listed(key, node.tt, node.title, _side(row)))
            continue
        was, now = _side(before[key]), _side(row)
        # Points counted, not the appraisal as such: a draft against its appraised version lists
        # only what the council changed, not every criterion it accepted.
        if (was.max, was.self, was.points) != (now.max, now.self, now.points):
            result.changes.append(CardChange(key, node.tt, node.title, was, now))
    for key, row in before.items():
        if key not in after:
            assert row.node is not None
            result.removed.append(Listed(key, row.node.tt, row.node.title, _side(row)))
    old_fields = {f.node.id: f for f in old.children if f.node is not None}
    new_fields = {f.node.id: f for f in new.children if f.node is not None}
    for key in [*new_fields, *(k for k in old_fields if k not in new_fields)]:
        was_points = _field_points(old_fields[key]) if key in old_fields else Decimal(0)
        now_points = _field_points(new_fields[key]) if key in new_fields else Decimal(0)
        if was_points != now_points:
            row = new_fields.get(key) or old_fields[key]
            assert row.node is not None
            result.fields.append(FieldDelta(key, row.node.title, now_points - was_points))
    return result
