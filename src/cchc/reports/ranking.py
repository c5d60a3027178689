"""Ranking units by index: ranks with ties, bands, last year's change, the per-field matrix.

Everything here works on :class:`~cchc.reports.summary.Summary` values, never on trees, and returns
values; the command line renders them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cchc.messages import render
from cchc.problems import Problem, Severity
from cchc.reports.summary import Summary, Unranked
from cchc.scorecard.numbers import NumberError, decimal_text, parse_decimal, quantize

#: Indices are compared, tied and banded as printed: 2 decimals.
SHOWN_PLACES = 2

BY_CHOICES = ("final", "self")


@dataclass(frozen=True)
class Band:
    """A group of units whose index is at least ``min`` (and below the next band's)."""

    name: str
    min: Decimal

    def to_dict(self) -> dict[str, str | None]:
        """JSON-ready: the threshold as an exact decimal string."""
        return {"name": self.name, "min": decimal_text(self.min)}


#: The national groups: A ≥ 90 %, B 80 to < 90 %, C 70 to < 80 %; below that, no group.
DEFAULT_BANDS: tuple[Band, ...] = (Band("A", Decimal(90)), Band("B", Decimal(80)), Band("C", Decimal(70)))


@dataclass(frozen=True)
class Colour:
    """A band's colours: ``strong`` for bars, ``light`` behind text (heatmap cells)."""

    strong: str
    light: str


# Distinguishable for colour-blind readers and in greyscale print (dark to light by rank of band);
# every chart also prints the number, so colour is never the only sign.
_PALETTE = (
    Colour("#1b7837", "#c7e9c0"),
    Colour("#2166ac", "#c6dbef"),
    Colour("#e08214", "#fee0b6"),
    Colour("#b2182b", "#f4c6c0"),
    Colour("#762a83", "#e7d4e8"),
    Colour("#8c510a", "#f6e8c3"),
)
#: Below every band.
NO_BAND = Colour("#8a8a8a", "#eeeeee")


def colour_of(band: Band | None, bands: tuple[Band, ...]) -> Colour:
    """The colours of ``band`` (its place among ``bands``, highest first), grey for no band."""
    if band is None:
        return NO_BAND
    return _PALETTE[bands.index(band) % len(_PALETTE)]


class BandsError(ValueError):
    """A ``--bands`` text that cannot be read; ``message`` is in the language in force."""

    def __init__(self, key: str, **args: Any) -> None:
        self.message = render(key, **args)
        super().__init__(self.message)


_DIGITS = re.compile(r"\d+")


def parse_bands(text: str) -> tuple[Band, ...]:
    """``"Tốt=90,Khá=80,Trung bình=65,Yếu=0"`` -> bands, highest first.

    Pairs are separated by commas (or semicolons); a decimal comma works too ("Khá=82,5,TB=65"):
    a piece that is only digits continues the number before it.
    """
    pieces = [p.strip() for p in (text.split(";") if ";" in text else text.split(","))]
    pairs: list[list[str]] = []
    for piece in pieces:
        if not piece:
            continue
        if "=" not in piece:
            if _DIGITS.fullmatch(piece) and pairs and "," not in pairs[-1][1] and "." not in pairs[-1][1]:
                pairs[-1][1] += "," + piece
                continue
            raise BandsError("bands.bad-pair", piece=piece)
        name, _, value = piece.rpartition("=")
        pairs.append([name.strip(), value.strip()])
    if not pairs:
        raise BandsError("bands.empty")
    bands: list[Band] = []
    for name, value in pairs:
        if not name:
            raise BandsError("bands.no-name", value=value)
        try:
            threshold = parse_decimal(value)
        except NumberError:
            raise BandsError("bands.bad-number", name=name, value=value) from None
        if not Decimal(0) <= threshold <= Decimal(100):
            raise BandsError("bands.out-of-range", name=name, value=value)
        bands.append(Band(name, threshold))
    names = Counter(b.name.casefold() for b in bands)
    thresholds = Counter(b.min for b in bands)
    for band in bands:
        if names[band.name.casefold()] > 1:
            raise BandsError("bands.duplicate-name", name=band.name)
        if thresholds[band.min] > 1:
            raise BandsError("bands.duplicate-threshold", value=value_text(band.min))
    return tuple(sorted(bands, key=lambda b: b.min, reverse=True))


def value_text(value: Decimal) -> str:
    """A threshold as the user writes it (decimal comma)."""
    return format(value.normalize(), "f").replace(".", ",")


def band_of(index: Decimal | None, bands: Iterable[Band]) -> Band | None:
    """The first band whose threshold the index (as shown, 2 decimals) reaches; None below all."""
    if index is None:
        return None
    shown = quantize(index, SHOWN_PLACES)
    for band in bands:
        if shown >= band.min:
            return band
    return None


def unit_key(name: str) -> str:
    """A unit's name for matching: no accents, no case, single spaces ("Sở Nội vụ" = "SO NOI VU")."""
    text = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Previous:
    """The same unit in last year's ranking."""

    file: str
    year: int
    rank: int
    index: Decimal


@dataclass(frozen=True)
class Ranked:
    """One row of the ranking."""

    rank: int
    summary: Summary
    #: The index the ranking is by (final, or self with ``by="self"``).
    index: Decimal
    band: Band | None
    previous: Previous | None = None

    @property
    def index_change(self) -> Decimal | None:
        """This year's index minus last year's (percentage points)."""
        return None if self.previous is None else self.index - self.previous.index

    @property
    def rank_change(self) -> int | None:
        """Places gained since last year (positive: moved up)."""
        return None if self.previous is None else self.previous.rank - self.rank

    def to_dict(self) -> dict[str, Any]:
        """The row as ``cchc rank --format json`` prints it."""
        s = self.summary
        return {
            "rank": self.rank,
            "unit": s.unit,
            "file": s.file,
            "level": s.level,
            "year": s.year,
            "self": _s(s.self_total),
            "appraised": _s(s.appraised),
            "final": _s(s.final),
            "max": _s(s.max),
            "applicable_max": _s(s.applicable_max),
            "index": _s(self.index),
            "band": self.band.name if self.band else None,
            "fields": [
                {"id": f.id, "title": f.title, "score": _s(f.score), "max": _s(f.max), "index": _s(f.index)}
                for f in s.fields
            ],
            "previous": None
            if self.previous is None
            else {
                "file": self.previous.file,
                "year": self.previous.year,
                "rank": self.previous.rank,
                "index": _s(self.previous.index),
            },
            "index_change": _s(self.index_change),
            "rank_change": self.rank_change,
        }


@dataclass(frozen=True)
class FieldColumn:
    """One column of the per-field matrix."""

    id: str
    title: str


@dataclass
class Ranking:
    """The ranked units, the files left out, the bands used, and the problems found on the way."""

    units: list[Ranked]
    unranked: list[Unranked]
    bands: tuple[Band, ...]
    by: str = "final"
    problems: list[Problem] = field(default_factory=list)
    #: Whether last year's cards were given (``--previous``).
    compared: bool = False

    @property
    def fields(self) -> list[FieldColumn]:
        """The matrix's columns: every field id in the order first met (units in rank order)."""
        seen: dict[str, FieldColumn] = {}
        for unit in self.units:
            for f in unit.summary.fields:
                seen.setdefault(f.id, FieldColumn(f.id, f.title))
        return list(seen.values())

    def matrix(self) -> list[list[Decimal | None]]:
        """Index per field for each unit (rows in rank order, columns as :attr:`fields`)."""
        columns = [c.id for c in self.fields]
        rows = []
        for unit in self.units:
            by_id = {f.id: f.index for f in unit.summary.fields}
            rows.append([by_id.get(c) for c in columns])
        return rows

    @property
    def years(self) -> list[int]:
        """The years of the ranked cards, most common first."""
        return [y for y, _ in Counter(u.summary.year for u in self.units).most_common()]

    @property
    def errors(self) -> int:
        """Error problems of the ranking itself (the same unit twice)."""
        return sum(p.severity is Severity.ERROR for p in self.problems)

    def exit_code(self) -> int:
        """0 all ranked, 1 a card left out (errors, unscored, twice), 2 a file that cannot be read."""
        if any(not u.readable for u in self.unranked):
            return 2
        return 1 if self.unranked or self.errors else 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, numbers as exact decimal strings in the canonical form ("98.52", "100")."""
        return {
            "by": self.by,
            "units": [u.to_dict() for u in self.units],
            "unranked": [
                {
                    "file": u.file,
                    "unit": u.unit,
                    "reason": u.reason,
                    "errors": u.errors,
                    "problems": [p.to_dict() for p in u.problems],
                }
                for u in self.unranked
            ],
            "bands": [b.to_dict() for b in self.bands],
            "fields": [{"id": c.id, "title": c.title} for c in self.fields],
            "problems": [p.to_dict() for p in self.problems],
        }


def rank(
    outcomes: Iterable[Summary | Unranked],
    bands: tuple[Band, ...] = DEFAULT_BANDS,
    by: str = "final",
    previous: Iterable[Summary | Unranked] | None = None,
) -> Ranking:
    """Rank the valid cards by index, highest first; equal shown indices share a rank (1, 1, 3).

    Cards of the same unit (accent- and case-insensitive) are all left out with an error; cards of
    another year or level than most get a warning. ``previous``: last year's cards, ranked the same
    way and matched by unit name to give the change of index and rank.
    """
    if by not in BY_CHOICES:
        raise ValueError(by)
    summaries: list[Summary] = []
    unranked: list[Unranked] = []
    for outcome in outcomes:
        if isinstance(outcome, Summary):
            summaries.append(outcome)
        else:
            unranked.append(outcome)
    problems: list[Problem] = []
    summaries, twice = _without_duplicates(summaries, problems)
    unranked.extend(twice)
    problems.extend(_mixed(summaries, "year", "rank-mixed-years"))
    problems.extend(_mixed(summaries, "level", "rank-mixed-levels"))
    last: dict[str, Previous] = {}
    if previous is not None:
        before = rank(previous, bands, by)
        for ranked in before.units:
            last[unit_key(ranked.summary.unit)] = Previous(
                ranked.summary.file, ranked.summary.year, ranked.rank, ranked.index
            )
        for left in before.unranked:
            reason = render(f"rank.reason.{left.reason}", errors=left.errors)
            problems.append(Problem("rank-previous-unranked", left.file, args={"reason": reason}))
    units = _ranked(summaries, bands, by, last)
    problems.sort(key=Problem.sort_key)
    return Ranking(units, unranked, bands, by, problems, compared=previous is not None)


def _index(summary: Summary, by: str) -> Decimal | None:
    return summary.self_index if by == "self" else summary.index


def _ranked(summaries: list[Summary], bands: tuple[Band, ...], by: str, last: dict[str, Previous]) -> list[Ranked]:
    scored = [(s, i) for s in summaries if (i := _index(s, by)) is not None]
    scored.sort(key=lambda pair: (-quantize(pair[1], SHOWN_PLACES), unit_key(pair[0].unit), pair[0].file))
    units: list[Ranked] = []
    for position, (summary, index) in enumerate(scored, start=1):
        shown = quantize(index, SHOWN_PLACES)
        tied = units and quantize(units[-1].index, SHOWN_PLACES) == shown
        place = units[-1].rank if tied else position
        units.append(Ranked(place, summary, index, band_of(index, bands), last.get(unit_key(summary.unit))))
    return units


def _without_duplicates(summaries: list[Summary], problems: list[Problem]) -> tuple[list[Summary], list[Unranked]]:
    """Every card of a unit met twice leaves the ranking: nobody can tell which one counts."""
    groups: dict[str, list[Summary]] = {}
    for s in summaries:
        groups.setdefault(unit_key(s.unit), []).append(s)
    kept: list[Summary] = []
    left: list[Unranked] = []
    for s in summaries:
        group = groups[unit_key(s.unit)]
        if len(group) == 1:
            kept.append(s)
            continue
        others = ", ".join(o.file for o in group if o is not s)
        line, column = s.at("unit")
        problem = Problem("rank-duplicate-unit", s.file, line, column, "unit", {"unit": s.unit, "others": others})
        problems.append(problem)
        left.append(Unranked(s.file, 1, unit=s.unit, reason="duplicate-unit", problems=(problem,)))
    return kept, left


def _mixed(summaries: list[Summary], name: str, code: str) -> list[Problem]:
    """A warning on each card whose year (or level) is not the one most cards have."""
    counts = Counter(getattr(s, name) for s in summaries)
    if len(counts) < 2:
        return []
    common, count = counts.most_common(1)[0]
    show = _level_text if name == "level" else _text
    found = []
    for s in summaries:
        value = getattr(s, name)
        if value != common:
            line, column = s.at(name)
            found.append(
                Problem(
                    code, s.file, line, column, name, {"value": show(value), "common": show(common), "count": count}
                )
            )
    return found


def _text(value: object) -> str:
    return "–" if value is None else str(value)


def _level_text(value: object) -> str:
    return "–" if value is None else render(f"level.{value}")


def _s(value: Decimal | None) -> str | None:
    return decimal_text(value)
