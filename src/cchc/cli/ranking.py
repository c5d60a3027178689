"""``cchc rank`` and ``cchc report``: the terminal tables of a ranking (Rich, from the core's values) and
the commands' bodies, which the command line calls with parsed options and whose result is the exit code."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import TYPE_CHECKING

from cchc.checks import discover
from cchc.messages import render
from cchc.reports.ranking import (
    DEFAULT_BANDS,
    Band,
    BandsError,
    Ranked,
    Ranking,
    band_of,
    parse_bands,
    rank,
    value_text,
)
from cchc.reports.summary import Summary, Unranked, default_jobs, summarize_files
from cchc.scorecard.numbers import format_points

if TYPE_CHECKING:  # rich and pathlib are imported only where they are used
    from pathlib import Path

    from rich.console import Console
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
    return text if text.strip("0,") == "" else ("+" if value > 0 else "−") + text


def _table(title: str, **options: object) -> Table:
    """A table as narrow as it can be drawn: one space between columns, a rule under the header."""
    from rich import box
    from rich.table import Table

    return Table(title=title, header_style="bold", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                 collapse_padding=True, **options)  # type: ignore[arg-type]


def _years(ranking: Ranking) -> str:
    return ", ".join(str(y) for y in sorted(ranking.years)) or "–"


def _mixed(ranking: Ranking, name: str) -> bool:
    return len({getattr(u.summary, name) for u in ranking.units}) > 1


def ranking_table(ranking: Ranking) -> Table:
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
    table = _table(title)
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
        cells.append(format_points(s.self_total))
        if appraised:
            cells.append(format_points(s.appraised))
        if final:
            cells.append(format_points(s.final))
        if applicable:
            cells.append(format_points(s.applicable_max))
        cells += [Text(_pct(unit.index), style="bold"),
                  Text(unit.band.name if unit.band else render("rank.no-band"), style=style)]
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
    per_table = max(1, (width - _FIXED_WIDTH) // _FIELD_WIDTH)
    chunks = [list(range(i, min(i + per_table, len(columns)))) for i in range(0, len(columns), per_table)] or [[]]
    matrix = ranking.matrix()
    tables = []
    for n, chunk in enumerate(chunks):
        title = render("rank.matrix-title") + (f" ({n + 1}/{len(chunks)})" if len(chunks) > 1 else "")
        table = _table(title)
        table.add_column(render("rank.col.rank"), justify="right")
        table.add_column(render("rank.col.unit"))
        for i in chunk:
            table.add_column(columns[i].id, justify="right")
        table.add_column(render("rank.col.index"), justify="right")
        for unit, values in zip(ranking.units, matrix):
            cells = [Text(_pct(values[i]), style=band_style(band_of(values[i], ranking.bands), ranking.bands))
                     for i in chunk]
            table.add_row(str(unit.rank), unit.summary.unit, *cells,
                          Text(_pct(unit.index), style="bold " + band_style(unit.band, ranking.bands)))
        tables.append(table)
    return tables


def field_legend(ranking: Ranking) -> list[str]:
    """What each column of the matrix is."""
    return [render("rank.field-legend", id=c.id, title=c.title) for c in ranking.fields]


def bands_line(ranking: Ranking) -> str:
    """The bands in force: "Xếp loại: A ≥ 90 %; B ≥ 80 %; …"."""
    items = "; ".join(render("rank.band-item", name=b.name, min=value_text(b.min)) for b in ranking.bands)
    lowest = value_text(ranking.bands[-1].min) if ranking.bands else "0"
    return render("rank.bands", bands=items, lowest=lowest)


def unranked_table(ranking: Ranking) -> Table:
    """The files left out of the ranking and why."""
    table = _table(render("rank.unranked-title", count=len(ranking.unranked)), title_style="bold red")
    table.add_column(render("rank.col.file"), overflow="fold")
    table.add_column(render("rank.col.unit"), ratio=1)
    table.add_column(render("rank.col.reason"))
    for u in ranking.unranked:
        table.add_row(u.file, u.unit or "", render(f"rank.reason.{u.reason}", errors=u.errors))
    return table


def summary_line(ranking: Ranking) -> str:
    """One line: units ranked, files left out, warnings."""
    warnings = sum(p.severity.value == "warning" for p in ranking.problems)
    return render("rank.summary", ranked=len(ranking.units), unranked=len(ranking.unranked), warnings=warnings)


# --- the commands' bodies: parse nothing, call the core, render, return the exit code ---------------


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def _say(message: str, style: str = "red") -> None:
    _console(stderr=True).print(message, style=style, soft_wrap=True, markup=False)


def _summaries(files: list[str], jobs: int) -> list[Summary | Unranked]:
    """Every file's summary; a progress bar on a terminal."""
    if not (sys.stderr.isatty() and len(files) > 1):
        return summarize_files(files, jobs)
    from rich.progress import Progress

    with Progress(console=_console(stderr=True), transient=True) as progress:
        task = progress.add_task(render("progress.ranking"), total=len(files))
        return summarize_files(files, jobs, on_done=lambda _found: progress.advance(task))


def _bands(text: str | None) -> tuple[Band, ...]:
    return DEFAULT_BANDS if text is None else parse_bands(text)


def _problems(ranking: Ranking) -> None:
    """The ranking's own problems and those of the cards left out, one line each on stderr."""
    from cchc.cli.reporters import problem_line

    found = [*ranking.problems, *(p for u in ranking.unranked for p in u.problems if p not in ranking.problems)]
    for problem in sorted(found, key=lambda p: p.sort_key()):
        _say(problem_line(problem), "red" if problem.severity.value == "error" else "yellow")


def build_ranking(paths: list[str], *, by: str = "final", bands: tuple[Band, ...] = DEFAULT_BANDS,
                  previous: list[str] | None = None, jobs: int | None = None) -> Ranking:
    """The ranking of the cards under ``paths`` (and last year's, ``previous``) as the commands make it."""
    workers = jobs or default_jobs()
    before = _summaries(discover(previous), workers) if previous else None
    return rank(_summaries(discover(paths), workers), bands, by, before)


def rank_command(paths: list[str], *, by: str = "final", bands: str | None = None,
                 previous: list[str] | None = None, fields: bool = False, json_output: bool = False,
                 xlsx: Path | None = None, force: bool = False, jobs: int | None = None) -> int:
    """``cchc rank PATH...``: the ranking in the terminal (or JSON), optionally the workbook."""
    from cchc.cli.reporters import dump_json
    from cchc.output import OutputError, check_target
    from cchc.reports.workbook import write_ranking_xlsx

    try:
        if xlsx is not None:
            check_target(xlsx, None, force, (".xlsx",), "err.output-suffix")  # before any work
        chosen = _bands(bands)
    except (OutputError, BandsError) as exc:
        _say(f"cchc: {exc.message}")
        return 2
    if not discover(paths):
        _say("cchc: " + render("err.no-cards", paths=", ".join(paths)))
        return 2
    ranking = build_ranking(paths, by=by, bands=chosen, previous=previous, jobs=jobs)
    if json_output:
        print(dump_json(ranking.to_dict()))
    else:
        out = _console()
        out.print(ranking_table(ranking))
        out.print(bands_line(ranking), soft_wrap=True)
        if fields:
            for table in matrix_tables(ranking, out.width):
                out.print(table)
            for line in field_legend(ranking):
                out.print(line, soft_wrap=True, markup=False)
        if ranking.unranked:
            out.print(unranked_table(ranking))
    _problems(ranking)
    if xlsx is not None:
        try:
            write_ranking_xlsx(ranking, xlsx, overwrite=force)
        except OutputError as exc:
            _say(f"cchc: {exc.message}")
            return 2
        _say(render("rank.xlsx-done", path=xlsx), style="")
    if not json_output:
        _console().print(summary_line(ranking), soft_wrap=True, markup=False)
    return ranking.exit_code()


def report_command(paths: list[str], html: Path | None, *, by: str = "final", bands: str | None = None,
                   previous: list[str] | None = None, force: bool = False, jobs: int | None = None) -> int:
    """``cchc report PATH... --html OUT``: one card's page, or the ranking page of many."""
    from cchc.checks import run_checks
    from cchc.cli.reporters import problem_line
    from cchc.output import OutputError, check_target
    from cchc.reports.html import SUFFIXES, render_card, render_ranking, write_html
    from cchc.scorecard.load import load_file
    from cchc.scorecard.rollup import rollup

    if html is None:
        _say("cchc: " + render("err.need-html"))
        return 2
    try:
        check_target(html, None, force, SUFFIXES, "err.html-suffix")  # before any work
        chosen = _bands(bands)
    except (OutputError, BandsError) as exc:
        _say(f"cchc: {exc.message}")
        return 2
    files = discover(paths)
    if not files:
        _say("cchc: " + render("err.no-cards", paths=", ".join(paths)))
        return 2
    if len(files) == 1:
        loaded = load_file(files[0])
        report = run_checks(loaded)
        if loaded.card is None or report.errors:  # the page lists the warnings of a valid card
            for problem in report.problems:
                _say(problem_line(problem), "red" if problem.severity.value == "error" else "yellow")
            return 2 if not report.readable else 1
        text = render_card(loaded.card, rollup(loaded.card), files[0], chosen, report.problems)
        code = 0
    else:
        ranking = build_ranking(paths, by=by, bands=chosen, previous=previous, jobs=jobs)
        _problems(ranking)
        text = render_ranking(ranking, count=len(files))
        code = ranking.exit_code()
    try:
        write_html(text, html, overwrite=force)
    except OutputError as exc:
        _say(f"cchc: {exc.message}")
        return 2
    _say(render("report.done", path=html), style="")
    return code
