"""``cchc init SET -o CARD --unit …``: a blank scorecard from a criteria set."""

import os
from pathlib import Path
from typing import Annotated

import typer

from cchc.cli.commands import Force, fail, read_source, whole_number
from cchc.scorecard.limits import FIRST_YEAR, LAST_YEAR

SetFile = Annotated[Path, typer.Argument(help="arg.set-file", metavar="cli.metavar-file", show_default=False)]


def _relative(target: Path, start: Path) -> str:
    """``target`` as the card names it: relative to the card's folder, with forward slashes."""
    try:
        return Path(os.path.relpath(target.resolve(), start.resolve())).as_posix()
    except ValueError:  # another drive (Windows): only the absolute path reaches it
        return target.resolve().as_posix()


def init(
    set_file: SetFile,
    out: Annotated[
        Path, typer.Option("--output", "-o", help="opt.init-out", metavar="cli.metavar-file", show_default=False)
    ],
    unit: Annotated[str, typer.Option("--unit", help="opt.init-unit", metavar="cli.metavar-name", show_default=False)],
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            help="opt.init-year",
            metavar="cli.metavar-year",
            parser=whole_number(FIRST_YEAR, LAST_YEAR),
            show_default=False,
        ),
    ] = None,
    force: Force = False,
) -> None:
    """Write the blank card, then check it as validate would; exit 0 (only "unscored" warnings), 1 or 2."""
    from cchc.checks import run_checks
    from cchc.checks.sets import check_set_loaded
    from cchc.cli.reporters import problem_line, stderr_console
    from cchc.messages import render
    from cchc.output import OutputError
    from cchc.problems import Severity
    from cchc.scorecard.derive import card_from_set
    from cchc.scorecard.dump import dump_scorecard, write_text_atomic
    from cchc.scorecard.load import load_text
    from cchc.scorecard.model import iter_criteria

    if not unit.strip():
        raise fail(render("cli.empty-unit"))
    loaded = read_source(set_file, out, force, "set")
    assert loaded.criteria_set is not None
    if any(p.severity is Severity.ERROR for p in check_set_loaded(loaded)):
        raise fail(render("err.source-has-errors", path=set_file), 1)
    if year is None and loaded.criteria_set.year is None:
        raise fail(render("err.init-no-year"))
    card = card_from_set(loaded.criteria_set, _relative(set_file, out.parent), unit.strip(), year)
    text = dump_scorecard(card)
    written = run_checks(load_text(text, str(out)))
    try:
        write_text_atomic(text, out, source=set_file, overwrite=force)
    except OutputError as exc:
        raise fail(exc.message) from None
    for problem in written.problems:
        if problem.code != "unscored":  # a blank card is unscored everywhere: that is no news
            print(problem_line(problem))
    count = sum(1 for _ in iter_criteria(card.criteria))
    stderr_console().print(render("init.done", path=out, source=set_file, count=count), soft_wrap=True, markup=False)
    raise typer.Exit(1 if written.errors else 0)
