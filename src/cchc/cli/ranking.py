"""What ``cchc rank`` and ``cchc report`` share: the ranking as they build it, its terminal tables (Rich,
from the core's values), and its problems on stderr."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from cchc.checks import discover
from cchc.cli.reporters import UNLIMITED, problem_line, stderr_console
from cchc.messages import render
from cchc.problems import Severity
from cchc.reports.ranking import (
    DEFAULT_BANDS,
    Band,
    Ranked,
    Ranking,
    band_of,
    rank,
    value_text,
)
from cchc.reports.summary import Summary, Unranked, default_jobs, summarize_files
from cchc.scorecard.numbers import format_points

if TYPE_CHECKING:  # rich is imported only where it draws
    from rich.table import Table
    from rich.text import Text

#: Terminal colours of the bands, highest first (the report's colours, as near as a terminal gets).
BAND_STYLES = ("green", "blue", "yellow", "red", "magenta", "cyan")


def band_style(band: Band | None, bands: tuple[Band, ...]) -> str:
    """The style of a band's cells; dim for no band."""
    return "dim" if band is None else BAND_STYLES[bands.index(band) % len(BAND_STYLES)]


def _pct(value: Decimal | None) -> str:
    return format_points(value, 2) if value is not None else ""


def _signed(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return f"{value:+d}" if value else "0"
    text = format_points(abs(value), 2)
    return text if text.strip("0,") == "" else ("+" if value > 0 else "-") + text


def _table(title: str, width: int, **options: Any) -> Table:
    """A table as narrow as it can be drawn: one space between columns, a rule under the header.

    Piped (``width`` unlimited), the table is as wide as its longest row: its title goes left.
    """
    from rich import box
    from rich.table import Table

    return Table(
        title=title,
        header_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        title_justify="center" if width < UNLIMITED else "left",
        **options,
    )


def _years(ranking: Ranking) -> str:
    return ", ".join(str(y) for y in sorted(ranking.years)) or "–"


def _mixed(ranking: Ranking, name: str) -> bool:
    return len({getattr(u.summary, name) for u in ranking.units}) > 1


def ranking_table(ranking: Ranking, width: int = UNLIMITED) -> Table:
    """One row per ranked unit: rank, unit, points, index, band (and last year's change).

    Columns that would only repeat another are left out (the JSON has them all): level and year
    when every card has the same (the title says it), final points while they equal the self
    points, the applicable maximum while it is 100 everywhere. Headers wrap, numbers never do.
    """
    from rich.text import Text

    title = render("rank.title", years=_years(ranking))
    if ranking.by == "self":
        title += f" ({render('rank.by-self')})"
    levels = {u.summary.level for u in ranking.units}
    if len(levels) == 1 and None not in levels:
        title += f" — {render(f'level.{next(iter(levels))}')}"
    units = [u.summary for u in ranking.units]
    show_level, show_year = _mixed(ranking, "level"), _mixed(ranking, "year")
    appraised = any(s.appraised is not None for s in units)
    final = any(s.final != s.self_total for s in units)
    applicable = any(s.applicable_max != 100 for s in units)
    table = _table(title, width)
    table.add_column(render("rank.col.rank"), justify="right")
    table.add_column(render("rank.col.unit"))
    if show_level:
        table.add_column(render("rank.col.level"))
    if show_year:
        table.add_column(render("rank.col.year"))
    table.add_column(render("rank.col.self"), justify="right")
    if appraised:
        table.add_column(render("rank.col.appraised"), justify="right")
    if final:
        table.add_column(render("rank.col.final"), justify="right")
    if applicable:
        table.add_column(render("rank.col.applicable-max"), justify="right")
    table.add_column(render("rank.col.index"), justify="right")
    table.add_column(render("rank.col.band"), justify="center")
    if ranking.compared:
        table.add_column(render("rank.col.index-change"), justify="right")
        table.add_column(render("rank.col.rank-change"), justify="right")
    for unit in ranking.units:
        s = unit.summary
        style = band_style(unit.band, ranking.bands)
        cells: list[str | Text] = [str(unit.rank), s.unit]
        if show_level:
            cells.append(render(f"level.{s.level}") if s.level else "–")
        if show_year:
            cells.append(str(s.year))
        cells.append(format_points(s.self_total, 2))
        if appraised:
            cells.append(format_points(s.appraised, 2))
        if final:
            cells.append(format_points(s.final, 2))
        if applicable:
            cells.append(format_points(s.applicable_max))
        cells += [
            Text(_pct(unit.index), style="bold"),
            Text(unit.band.name if unit.band else render("rank.no-band"), style=style),
        ]
        if ranking.compared:
            cells += _change(unit)
        table.add_row(*cells)
    return table


def _change(unit: Ranked) -> list[str | Text]:
    from rich.text import Text

    if unit.previous is None:
        return [Text(render("rank.new"), style="dim"), ""]
    cells: list[str | Text] = []
    for value in (unit.index_change, unit.rank_change):
        style = "green" if value and value > 0 else "red" if value and value < 0 else ""
        cells.append(Text(_signed(value), style=style))
    return cells


#: Room a field column takes (a value like 100,00 and its padding and rule), and the rest of a row.
_FIELD_WIDTH = 8
_FIXED_WIDTH = 4 + 2 + 20 + 2 + 10


def matrix_tables(ranking: Ranking, width: int) -> list[Table]:
    """Units × fields, the index per field coloured by band, rows in rank order: as many tables
    as it takes for the fields to fit ``width`` columns (8 fields need ~110)."""
    from rich.text import Text

    columns = ranking.fields
    fit = max(1, (width - _FIXED_WIDTH) // _FIELD_WIDTH)
    count = -(-len(columns) // fit) or 1  # tables needed; their fields shared out evenly (8 = 4 + 4, not 7 + 1)
    per_table = -(-len(columns) // count) or 1
    chunks = [list(range(i, min(i + per_table, len(columns)))) for i in range(0, len(columns), per_table)] or [[]]
    matrix = ranking.matrix()
    tables = []
    for n, chunk in enumerate(chunks):
        title = render("rank.matrix-title") + (f" ({n + 1}/{len(chunks)})" if len(chunks) > 1 else "")
        table = _table(title, width)
        table.add_column(render("rank.col.rank"), justify="right")
        table.add_column(render("rank.col.unit"))
        for i in chunk:
            table.add_column(columns[i].id, justify="right")
        table.add_column(render("rank.col.index"), justify="right")
        for unit, values in zip(ranking.units, matrix, strict=True):
            cells = [
                Text(_pct(values[i]), style=band_style(band_of(values[i], ranking.bands), ranking.bands)) for i in chunk
            ]
            table.add_row(
                str(unit.rank),
                unit.summary.unit,
                *cells,
                Text(_pct(unit.index), style="bold " + band_style(unit.band, ranking.bands)),
            )
        tables.append(table)
    return tables


def field_legend(ranking: Ranking) -> list[str]:
    """What each column of the matrix is."""
    return [render("rank.field-legend", id=c.id, title=c.title) for c in ranking.fields]


def bands_line(ranking: Ranking) -> str:
    """The bands in force: "Xếp loại: A ≥ 90 %; B ≥ 80 %; …"."""
    items = "; ".join(render("rank.band-item", name=b.name, min=value_text(b.min)) for b in ranking.bands)
    if ranking.bands and ranking.bands[-1].min == 0:  # every index has a band
        return render("rank.bands-all", bands=items)
    lowest = value_text(ranking.bands[-1].min) if ranking.bands else "0"
    return render("rank.bands", bands=items, lowest=lowest)


def unranked_table(ranking: Ranking, width: int = UNLIMITED) -> Table:
    """The files left out of the ranking and why."""
    table = _table(render("rank.unranked-title", count=len(ranking.unranked)), width, title_style="bold red")
    table.add_column(render("rank.col.file"), overflow="fold")
    table.add_column(render("rank.col.unit"), ratio=1)
    table.add_column(render("rank.col.reason"))
    for u in ranking.unranked:
        table.add_row(u.file, u.unit or "", render(f"rank.reason.{u.reason}", errors=u.errors))
    return table


def summary_line(ranking: Ranking) -> str:
    """One line: units ranked, files left out, warnings."""
    warnings = sum(p.severity is Severity.WARNING for p in ranking.problems)
    return render("rank.summary", ranked=len(ranking.units), unranked=len(ranking.unranked), warnings=warnings)


def _summaries(files: list[str], jobs: int) -> list[Summary | Unranked]:
    """Every file's summary; a progress bar when stderr is a terminal."""
    if not (sys.stderr.isatty() and len(files) > 1):
        return summarize_files(files, jobs)
    from rich.progress import Progress

    with Progress(console=stderr_console(), transient=True) as progress:
        task = progress.add_task(render("progress.ranking"), total=len(files))
        return summarize_files(files, jobs, on_done=lambda _found: progress.advance(task))


def build_ranking(
    files: list[str],
    *,
    by: str = "final",
    bands: tuple[Band, ...] = DEFAULT_BANDS,
    previous: list[str] | None = None,
    jobs: int | None = None,
) -> Ranking:
    """The ranking of ``files`` (and of last year's cards under ``previous``) as the commands make it."""
    workers = jobs or default_jobs()
    before = _summaries(discover(previous), workers) if previous else None
    return rank(_summaries(files, workers), bands, by, before)


def print_ranking_problems(ranking: Ranking) -> None:
    """The ranking's own problems and the errors of the cards left out, one line each on stderr."""
    found = list(ranking.problems)
    found += [p for u in ranking.unranked for p in u.problems if p not in ranking.problems]
    console = stderr_console()
    for problem in sorted(found, key=lambda p: p.sort_key()):
        style = "red" if problem.severity is Severity.ERROR else "yellow"
        console.print(problem_line(problem), style=style, soft_wrap=True, markup=False)
