"""The HTML report: one self-contained page (inline CSS and SVG, no network), through Jinja2.

Autoescaping is on for every template, so a unit name, a title or an evidence line is always text,
never markup. The charts are drawn by template macros (``templates/charts.html.j2``) from the small
values built here: a bar is a label, a value, a width in percent and a band.

- One card: its page (header, a bar per field, the table of criteria, the evidence index).
- Many cards: the ranking page (table, a bar per unit, the per-field heatmap, a section per unit).
  The sections are built one at a time while the page is rendered: no two trees are held at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2

from cchc import __version__
from cchc import output as safewrite
from cchc.evidence.cited import all_cited, index_documents, index_row
from cchc.messages import language, render
from cchc.problems import Problem
from cchc.reports.ranking import Band, Ranking, band_of, colour_of, value_text
from cchc.reports.summary import Summary, rolled_up, summarize
from cchc.scorecard.load import load_file
from cchc.scorecard.model import Scorecard
from cchc.scorecard.numbers import format_points
from cchc.scorecard.rollup import Row
from cchc.scorecard.terms import Terms

SUFFIXES = (".html", ".htm")


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: what it is, its value and how long it is drawn (0-100)."""

    label: str
    value: Decimal | None
    band: int | None  # the band's position among the bands (its colour); None below them all
    href: str | None = None

    @property
    def width(self) -> str:
        """The bar's length in percent of the track, as SVG wants it."""
        if self.value is None:
            return "0"
        return format(min(max(self.value, Decimal(0)), Decimal(100)).quantize(Decimal("0.01")), "f")


@dataclass(frozen=True)
class CriterionRow:
    """One row of a unit's table of criteria."""

    depth: int
    tt: str
    id: str
    title: str
    max: Decimal | None
    score: Decimal | None
    index: Decimal | None
    #: Set once appraisal rounds exist; the columns show only when some row has it.
    appraised: Decimal | None = None

    @property
    def difference(self) -> Decimal | None:
        """Appraised minus self."""
        if self.appraised is None or self.score is None:
            return None
        return self.appraised - self.score


@dataclass
class UnitPage:
    """What the page shows of one unit: its summary (the points it is ranked by), its field chart and
    its table of criteria."""

    anchor: str
    summary: Summary
    index: Decimal | None
    band: Band | None
    band_no: int | None
    rank: int | None
    fields: list[Bar]
    rows: list[CriterionRow]
    total: CriterionRow
    documents: list[tuple[str, str, str, str, str, int]] = field(default_factory=list)

    @property
    def appraised(self) -> bool:
        """Whether any criterion has appraised points."""
        return any(r.appraised is not None for r in self.rows)


def _band_no(index: Decimal | None, bands: tuple[Band, ...]) -> tuple[Band | None, int | None]:
    band = band_of(index, bands)
    return band, (None if band is None else bands.index(band))


def _rows(root: Row) -> list[CriterionRow]:
    return [
        CriterionRow(row.depth, row.node.tt or row.node.id, row.node.id, row.node.title, row.max, row.score, row.index)
        for row in root.walk()
        if row.node is not None
    ]


def unit_page(
    card: Scorecard,
    root: Row,
    summary: Summary,
    bands: tuple[Band, ...],
    anchor: str = "unit",
    rank: int | None = None,
    index: Decimal | None = None,
    evidence: bool = False,
) -> UnitPage:
    """The page data of one card rolled up as ``root`` and summarized as ``summary``; ``index`` is the
    ranking's (by final or self points), else the summary's."""
    index = summary.index if index is None else index
    band, band_no = _band_no(index, bands)
    fields = [Bar(f"{f.id}. {f.title}", f.index, _band_no(f.index, bands)[1]) for f in summary.fields]
    total = CriterionRow(0, "", "", render("total.sum"), root.max, root.score, root.index)
    documents = [index_row(doc) for doc in index_documents(all_cited(card))] if evidence else []
    return UnitPage(anchor, summary, index, band, band_no, rank, fields, _rows(root), total, documents)


def _sections(ranking: Ranking) -> Iterator[UnitPage]:
    """Each ranked unit's page, read again from its file when the template reaches it."""
    for position, unit in enumerate(ranking.units):
        loaded = load_file(unit.summary.file)
        if loaded.card is None:  # changed since it was ranked: leave the section out, not the page
            continue
        yield unit_page(
            loaded.card,
            rolled_up(loaded)[0],
            unit.summary,
            ranking.bands,
            anchor=anchor(position),
            rank=unit.rank,
            index=unit.index,
        )


def anchor(position: int) -> str:
    """The id of the section of the unit at ``position`` in the ranking (ranks are not unique: ties)."""
    return f"unit-{position + 1}"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("cchc.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["points"] = lambda value, places=None: format_points(value, places)
    env.filters["pct"] = lambda value: "" if value is None else format_points(value, 2)
    env.filters["signed"] = _signed
    env.filters["level"] = lambda value: render(f"level.{value}") if value else ""
    env.globals["t"] = render
    return env


def _signed(value: Decimal | int | None, places: int | None = 2) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return f"{value:+d}".replace("-", "−") if value else "0"
    text = format_points(abs(value), places)
    if Decimal(text.replace(",", ".")) == 0:
        return text
    return ("+" if value > 0 else "−") + text


def _common(bands: tuple[Band, ...]) -> dict[str, Any]:
    """What every page needs: the language, the bands with their colours, the version."""
    return {
        "lang": language(),
        "version": __version__,
        "bands": [(i, b.name, value_text(b.min), colour_of(b, bands)) for i, b in enumerate(bands)],
        "no_band": colour_of(None, bands),
        "lowest": value_text(bands[-1].min) if bands else "0",
        # Dashed lines across every bar at the band thresholds.
        "ticks": [format(b.min.normalize(), "f") for b in bands if 0 < b.min < 100],
    }


def render_ranking(ranking: Ranking, count: int | None = None) -> str:
    """The ranking page of many cards as one HTML document."""
    bars = [
        Bar(u.summary.unit, u.index, _band_no(u.index, ranking.bands)[1], href="#" + anchor(i))
        for i, u in enumerate(ranking.units)
    ]
    heat = [[(value, _band_no(value, ranking.bands)[1]) for value in row] for row in ranking.matrix()]
    years = ", ".join(str(y) for y in sorted(ranking.years)) or "–"
    summaries = [u.summary for u in ranking.units]
    template = _environment().get_template("ranking.html.j2")
    return template.render(
        **_common(ranking.bands),
        ranking=ranking,
        years=years,
        bars=bars,
        heat=heat,
        anchors=[anchor(i) for i in range(len(ranking.units))],
        count=count if count is not None else len(ranking.units) + len(ranking.unranked),
        sections=_sections(ranking),
        problems=ranking.problems,
        appraised=any(s.appraised is not None for s in summaries),
        # as in the terminal, a column that would only repeat another is left out
        show_final=any(s.final != s.self_total for s in summaries),
        show_max=any(s.applicable_max != 100 for s in summaries),
    )


def render_card(
    card: Scorecard,
    root: Row,
    file: str,
    bands: tuple[Band, ...],
    problems: list[Problem] | None = None,
    terms: Terms | None = None,
) -> str:
    """The page of one card rolled up as ``root`` under ``terms`` (its set's), as one HTML document."""
    page = unit_page(card, root, summarize(card, root, file, terms=terms), bands, evidence=True)
    template = _environment().get_template("card.html.j2")
    return template.render(**_common(bands), page=page, problems=problems or [])


def write_html(text: str, out: Path, *, source: Path | None = None, overwrite: bool) -> None:
    """Write the page atomically; raises OutputError for an output it must refuse."""
    out = Path(out)
    safewrite.check_target(out, source, overwrite, SUFFIXES, "err.html-suffix")
    safewrite.write_atomic(text.encode("utf-8"), out, overwrite)
