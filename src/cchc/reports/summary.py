"""One small summary per scorecard: what ranking and the reports need, without the tree.

A national run is ~11,000 cards a year, so each worker process loads, checks and rolls up its
file and sends back only a :class:`Summary` (a few hundred bytes) or an :class:`Unranked` note.
``summarize`` is the one place that turns a checked card into the points it is ranked by; they come
from ``cchc.scorecard.final`` (appraised part + survey + bonus − penalty over the applicable maximum),
the computation ``validate`` and ``total`` use too, so appraisal rounds plug in there for every report.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from cchc.checks import map_files, run_checks
from cchc.checks.sets import set_for_card
from cchc.problems import Problem, Severity
from cchc.scorecard.final import final
from cchc.scorecard.load import Loaded, Locations, load_file
from cchc.scorecard.model import Scorecard
from cchc.scorecard.numbers import percent
from cchc.scorecard.rollup import Row, rollup
from cchc.scorecard.terms import Terms, terms_of


@dataclass(frozen=True)
class FieldSummary:
    """One field (lĩnh vực) of a card: its points, maximum and index."""

    id: str
    title: str
    score: Decimal | None
    max: Decimal
    index: Decimal | None


@dataclass(frozen=True)
class Summary:
    """One checked card reduced to its points (exact decimals) and where its header keys stand."""

    file: str
    unit: str
    level: str | None
    year: int
    #: The sum of the self-assessed points (None when nothing is scored).
    self_total: Decimal | None
    #: The appraised points, once an appraisal round has set them.
    appraised: Decimal | None
    #: The points the card is ranked by: appraised when appraised, else self (+ survey, bonus, penalty).
    final: Decimal | None
    max: Decimal
    #: The maximum without the criteria that do not apply to the unit.
    applicable_max: Decimal
    fields: tuple[FieldSummary, ...]
    #: (line, column) of the unit, year and level values, for problems about them.
    places: tuple[tuple[str, int, int], ...] = ()

    @property
    def self_index(self) -> Decimal | None:
        """Self points / applicable maximum × 100."""
        return percent(self.self_total, self.applicable_max)

    @property
    def index(self) -> Decimal | None:
        """Final points / applicable maximum × 100."""
        return percent(self.final, self.applicable_max)

    def at(self, name: str) -> tuple[int | None, int | None]:
        """Line and column of header key ``name`` (unit, year, level) in the file."""
        for key, line, column in self.places:
            if key == name:
                return line, column
        return None, None


@dataclass(frozen=True)
class Unranked:
    """A file that cannot be ranked, and why: errors, unreadable, or nothing scored."""

    file: str
    errors: int
    readable: bool = True
    unit: str | None = None
    #: "errors", "unreadable", "unscored", or "duplicate-unit" (set by the ranking).
    reason: str = "errors"
    problems: tuple[Problem, ...] = ()


def rolled_up(loaded: Loaded) -> tuple[Row, Terms]:
    """A loaded card's rows under the terms of its criteria set (its rules, its not-applicable
    convention, its caps), as ``validate`` computes them."""
    assert loaded.card is not None
    terms = terms_of(set_for_card(loaded).criteria_set)
    return rollup(loaded.card, terms), terms


def summarize(
    card: Scorecard, root: Row, file: str, locations: Locations | None = None, terms: Terms | None = None
) -> Summary:
    """The summary of one valid card rolled up as ``root`` under ``terms`` (``locations``: where it was
    read). Final points and the applicable maximum are ``cchc.scorecard.final``'s; a field's index is
    its points over its applicable maximum."""
    result = final(card, root, terms)
    fields = tuple(
        FieldSummary(row.node.id, row.node.title, row.score, row.max, row.index)
        for row in root.children
        if row.node is not None
    )
    places: tuple[tuple[str, int, int], ...] = ()
    if locations is not None:
        found = locations(card)
        places = tuple((name, *found.at(name)) for name in ("unit", "year", "level"))
    # No appraisal round sets appraised points yet: the column stays empty until one does.
    return Summary(
        file=file,
        unit=card.unit,
        level=card.level,
        year=card.year,
        self_total=root.score,
        appraised=None,
        final=result.points,
        max=root.max,
        applicable_max=result.applicable_max,
        fields=fields,
        places=places,
    )


def summarize_file(path: str) -> Summary | Unranked:
    """Load, check and summarize one file; a file with errors gives an :class:`Unranked`."""
    loaded = load_file(path)
    report = run_checks(loaded, errors_only=True)  # a card's warnings do not change its rank
    if not report.readable:
        return Unranked(
            report.file, report.errors, readable=False, reason="unreadable", problems=tuple(report.problems)
        )
    card = loaded.card
    if card is None or report.errors:
        errors = tuple(p for p in report.problems if p.severity is Severity.ERROR)
        return Unranked(report.file, report.errors, unit=card.unit if card else None, problems=errors)
    root, terms = rolled_up(loaded)
    summary = summarize(card, root, report.file, loaded.locations, terms)
    if summary.final is None:
        return Unranked(report.file, 0, unit=card.unit, reason="unscored")
    return summary


def summarize_files(
    paths: list[str], jobs: int = 1, on_done: Callable[[Summary | Unranked], None] | None = None
) -> list[Summary | Unranked]:
    """Summaries of many files, in ``jobs`` processes when there are enough; in the order given."""
    return map_files(summarize_file, paths, jobs, on_done)


def default_jobs() -> int:
    """As many workers as processors."""
    return os.cpu_count() or 1
