"""``cchc rank PATH...``: rank the units of many scorecards by index, with bands and last year's change."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cchc.cli.commands import (
    Force,
    Format,
    OutputFormat,
    Width,
    fail,
    one_of,
    whole_number,
)


class By(StrEnum):
    """Which points the ranking is by."""

    final = "final"
    self = "self"


# Options ``cchc report`` takes alike.
Paths = Annotated[list[str], typer.Argument(help="arg.rank-paths", metavar="cli.metavar-path", show_default=False)]
ByOption = Annotated[By, typer.Option("--by", help="opt.by", parser=one_of(By))]
Bands = Annotated[
    str | None, typer.Option("--bands", help="opt.bands", metavar="cli.metavar-bands", show_default=False)
]
Previous = Annotated[
    list[str] | None, typer.Option("--previous", help="opt.previous", metavar="cli.metavar-path", show_default=False)
]
Jobs = Annotated[
    int | None,
    typer.Option("--jobs", "-j", help="opt.jobs", metavar="cli.metavar-n", parser=whole_number(1), show_default=False),
]


def rank(
    paths: Paths,
    by: ByOption = By.final,
    bands: Bands = None,
    previous: Previous = None,
    fields: Annotated[bool, typer.Option("--fields", help="opt.fields")] = False,
    output_format: Format = OutputFormat.text,
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="opt.rank-xlsx", metavar="cli.metavar-file", show_default=False)
    ] = None,
    force: Force = False,
    jobs: Jobs = None,
    width: Width = None,
) -> None:
    """Print the ranking (or its JSON), optionally write the workbook; exit 1 when a card is left out
    (errors, the same unit twice), 2 when a file cannot be read."""
    from cchc.checks import discover
    from cchc.cli.ranking import (
        bands_line,
        build_ranking,
        field_legend,
        matrix_tables,
        print_ranking_problems,
        ranking_table,
        summary_line,
        unranked_table,
    )
    from cchc.cli.reporters import UNLIMITED, dump_json, stderr_console, stdout_console
    from cchc.messages import render
    from cchc.output import OutputError, check_target
    from cchc.reports.ranking import DEFAULT_BANDS, BandsError, parse_bands
    from cchc.reports.workbook import write_ranking_xlsx

    try:
        chosen = DEFAULT_BANDS if bands is None else parse_bands(bands)
        if xlsx is not None:  # refused before any work is done
            check_target(xlsx, None, force, (".xlsx",), "err.output-suffix")
    except (BandsError, OutputError) as exc:
        raise fail(exc.message) from None
    files = discover(paths)  # a folder without a scorecard stays in, to be reported (no-scorecard)
    ranking = build_ranking(files, by=by.value, bands=chosen, previous=previous, jobs=jobs)
    if output_format is OutputFormat.json:
        print(dump_json(ranking.to_dict()))
    else:
        out = stdout_console(width)
        out.print(ranking_table(ranking, out.width))
        out.print(bands_line(ranking), markup=False)
        if fields:
            for table in matrix_tables(ranking, out.width):
                out.print(table)
            for line in field_legend(ranking):
                out.print(line, markup=False, soft_wrap=out.width >= UNLIMITED)  # wrapped to a width, never cut
        if ranking.unranked:
            out.print(unranked_table(ranking, out.width))
    print_ranking_problems(ranking)
    if xlsx is not None:
        try:
            write_ranking_xlsx(ranking, xlsx, overwrite=force)
        except OutputError as exc:
            raise fail(exc.message) from None
        stderr_console().print(render("rank.xlsx-done", path=xlsx), soft_wrap=True, markup=False)
    if output_format is not OutputFormat.json:
        stdout_console(width).print(summary_line(ranking), soft_wrap=True, markup=False)
    raise typer.Exit(ranking.exit_code())
