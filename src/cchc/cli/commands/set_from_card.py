"""``cchc set-from-card CARD -o SET``: a criteria set with an existing card's structure, maxima and rules."""

from pathlib import Path
from typing import Annotated

import typer

from cchc.cli.commands import Force, ScorecardFile, fail, read_source


def set_from_card(
    file: ScorecardFile,
    out: Annotated[
        Path, typer.Option("--output", "-o", help="opt.set-out", metavar="cli.metavar-file", show_default=False)
    ],
    name: Annotated[
        str | None, typer.Option("--name", help="opt.set-name", metavar="cli.metavar-name", show_default=False)
    ] = None,
    issued_by: Annotated[
        str | None, typer.Option("--issued-by", help="opt.issued-by", metavar="cli.metavar-name", show_default=False)
    ] = None,
    force: Force = False,
) -> None:
    """Write the set (scores, values, evidence and notes dropped); exit 0, 1 (the card has errors) or 2."""
    from cchc.checks import run_checks
    from cchc.cli.reporters import print_problems, stderr_console
    from cchc.messages import render
    from cchc.output import OutputError
    from cchc.problems import Severity
    from cchc.scorecard.derive import set_from_card as derive
    from cchc.scorecard.dump import dump_set, write_text_atomic
    from cchc.scorecard.model import iter_criteria

    loaded = read_source(file, out, force, "card")
    assert loaded.card is not None
    # The card's structure and maxima become the official ones: they must add up first.
    structural = [
        p
        for p in run_checks(loaded).problems
        if p.severity is Severity.ERROR and not p.code.startswith(("set-", "evidence-"))
    ]
    if structural:
        print_problems(structural, style="red")
        raise fail(render("err.source-has-errors", path=file), 1)
    card = loaded.card
    made = derive(card, name or render("set-from-card.default-name", unit=card.unit, year=card.year), issued_by)
    try:
        write_text_atomic(dump_set(made), out, source=file, overwrite=force)
    except OutputError as exc:
        raise fail(exc.message) from None
    count = sum(1 for _ in iter_criteria(card.criteria))
    stderr_console().print(
        render("set-from-card.done", path=out, source=file, count=count), soft_wrap=True, markup=False
    )
    raise typer.Exit(0)
