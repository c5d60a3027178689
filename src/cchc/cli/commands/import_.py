"""``cchc import FILE -o OUT``: read a Word/Excel scoring table into a YAML scorecard."""

from pathlib import Path
from typing import Annotated

import typer

from cchc.cli.commands import Force, fail, whole_number
from cchc.scorecard.limits import FIRST_YEAR, LAST_YEAR


def import_table(
    file: Annotated[Path, typer.Argument(help="arg.import-file", metavar="cli.metavar-file", show_default=False)],
    out: Annotated[
        Path, typer.Option("--output", "-o", help="opt.import-out", metavar="cli.metavar-file", show_default=False)
    ],
    table: Annotated[
        int | None,
        typer.Option("--table", help="opt.table", metavar="cli.metavar-n", parser=whole_number(1), show_default=False),
    ] = None,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="opt.sheet", metavar="cli.metavar-name", show_default=False)
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="opt.unit", metavar="cli.metavar-name", show_default=False)
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            help="opt.year",
            metavar="cli.metavar-year",
            parser=whole_number(FIRST_YEAR, LAST_YEAR),
            show_default=False,
        ),
    ] = None,
    force: Force = False,
) -> None:
    """Write the scorecard, then check it as validate would; exit 0, 1 (errors) or 2 (unreadable)."""
    from cchc.checks import run_checks
    from cchc.cli.reporters import print_problems, problem_line, stderr_console
    from cchc.importers import ImportOptionError, import_file
    from cchc.messages import render
    from cchc.output import OutputError
    from cchc.problems import FileReport, Problem, Report
    from cchc.scorecard.dump import check_target, dump_scorecard, write_text_atomic
    from cchc.scorecard.load import load_text
    from cchc.scorecard.model import iter_criteria

    if table is not None and sheet is not None:
        raise fail(render("err.import-both"))
    try:
        check_target(out, file, force)  # before the work: an existing output is refused at once
        imported = import_file(file, table=table, sheet=sheet, unit=unit, year=year)
    except (ImportOptionError, OutputError) as exc:
        raise fail(exc.message) from None
    found = sorted(imported.problems, key=Problem.sort_key)
    if imported.card is None:
        print_problems(found, style="red")
        raise typer.Exit(2)
    err = stderr_console()
    if imported.mostly_dropped:
        # What was read is not the table: a file of its few rows would pass for the scorecard.
        for problem in found:
            print(problem_line(problem))
        err.print(
            render("import.rows-dropped", placed=imported.placed, dropped=imported.dropped),
            soft_wrap=True,
            markup=False,
        )
        err.print(render("import.not-written-dropped", path=out), style="red", soft_wrap=True, markup=False)
        raise typer.Exit(1)
    text = dump_scorecard(imported.card, out)
    # Check what will be written exactly as validate will read it, with locations in the output.
    written = run_checks(load_text(text, str(out)))
    try:
        write_text_atomic(text, out, source=file, overwrite=force)
    except OutputError as exc:
        raise fail(exc.message) from None
    if any(p.code == "import-no-unit" for p in found):
        # The unit is written empty for the officer to fill in: said once, by the import.
        written.problems = [p for p in written.problems if not (p.code == "empty-text" and p.path == "unit")]
    report = Report([FileReport(str(file), found), written])
    for problem in report.problems():
        print(problem_line(problem))
    if imported.dropped:
        err.print(
            render("import.rows-dropped", placed=imported.placed, dropped=imported.dropped),
            soft_wrap=True,
            markup=False,
        )
    count = sum(1 for _ in iter_criteria(imported.card.criteria))
    err.print(
        render(
            "import.done", path=out, source=imported.source, count=count, errors=report.errors, warnings=report.warnings
        ),
        soft_wrap=True,
        markup=False,
    )
    # A dropped row is an import-unplaced-row error already; exit 1 stands even if that changes.
    raise typer.Exit(max(report.exit_code(), 1 if imported.dropped else 0))
