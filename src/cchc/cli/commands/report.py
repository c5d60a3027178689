"""``cchc report PATH... --html OUT``: one scorecard's page, or the ranking page of many, as one HTML file."""

from pathlib import Path
from typing import Annotated

import typer

from cchc.cli.commands import Force, fail
from cchc.cli.commands.rank import Bands, By, ByOption, Jobs, Paths, Previous


def report(
    paths: Paths,
    html: Annotated[Path, typer.Option("--html", help="opt.html", metavar="cli.metavar-file", show_default=False)],
    by: ByOption = By.final,
    bands: Bands = None,
    previous: Previous = None,
    force: Force = False,
    jobs: Jobs = None,
) -> None:
    """Write the page; exit 1 when the one card has errors (nothing written) or a card is left out of
    the ranking, 2 when a file cannot be read."""
    from cchc.checks import discover, run_checks
    from cchc.cli.ranking import build_ranking, print_ranking_problems
    from cchc.cli.reporters import print_problems, stderr_console
    from cchc.messages import render
    from cchc.output import OutputError, check_target
    from cchc.reports.html import SUFFIXES, render_card, render_ranking, write_html
    from cchc.reports.ranking import DEFAULT_BANDS, BandsError, parse_bands
    from cchc.reports.summary import rolled_up
    from cchc.scorecard.load import load_file

    try:
        chosen = DEFAULT_BANDS if bands is None else parse_bands(bands)
        check_target(html, None, force, SUFFIXES, "err.html-suffix")  # refused before any work is done
    except (BandsError, OutputError) as exc:
        raise fail(exc.message) from None
    files = discover(paths)  # a folder without a scorecard stays in, to be reported (no-scorecard)
    if len(files) == 1:
        loaded = load_file(files[0])
        checked = run_checks(loaded)
        if loaded.card is None or checked.errors:  # the page lists the warnings of a valid card
            print_problems(checked.problems)
            raise typer.Exit(1 if checked.readable else 2)
        root, terms = rolled_up(loaded)
        text = render_card(loaded.card, root, files[0], chosen, checked.problems, terms)
        code = 0
    else:
        ranking = build_ranking(files, by=by.value, bands=chosen, previous=previous, jobs=jobs)
        print_ranking_problems(ranking)
        text = render_ranking(ranking, count=len(files))
        code = ranking.exit_code()
    try:
        write_html(text, html, overwrite=force)
    except OutputError as exc:
        raise fail(exc.message) from None
    stderr_console().print(render("report.done", path=html), soft_wrap=True, markup=False)
    raise typer.Exit(code)
