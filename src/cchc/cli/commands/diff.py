"""``cchc diff FILE`` / ``cchc diff OLD NEW``: what the council changed, or what changed between two cards."""

from pathlib import Path
from typing import Annotated

import typer

from cchc.cli.commands import Format, OutputFormat, Width, fail, whole_number


def diff(
    files: Annotated[list[Path], typer.Argument(help="arg.diff-files", metavar="cli.metavar-file", show_default=False)],
    output_format: Format = OutputFormat.text,
    round_no: Annotated[
        int | None,
        typer.Option("--round", help="opt.round", metavar="cli.metavar-n", parser=whole_number(1), show_default=False),
    ] = None,
    width: Width = None,
) -> None:
    """Exit 0 when there is no difference, 1 when there is one, 2 when a file cannot be read."""
    from cchc.checks.sets import set_for_card
    from cchc.cli.reporters import (
        appraisal_diff_table,
        card_diff_lines,
        card_diff_table,
        diff_totals,
        dump_json,
        print_problems,
        signed,
        stderr_console,
        stdout_console,
    )
    from cchc.diff import appraisal_diff, card_diff
    from cchc.messages import render
    from cchc.scorecard.final import final
    from cchc.scorecard.load import load_file
    from cchc.scorecard.rollup import Row, rollup
    from cchc.scorecard.terms import terms_of

    if not 1 <= len(files) <= 2:
        raise fail(render("cli.diff-files", count=len(files)))
    if round_no is not None and len(files) == 2:
        raise fail(render("cli.diff-round-two"))
    roots: list[Row] = []
    totals = []
    for path in files:
        loaded = load_file(path)
        if loaded.card is None:
            if loaded.criteria_set is not None:
                raise fail(render("err.not-a-card", path=path))
            print_problems(loaded.problems, style="red")
            raise typer.Exit(2)
        terms = terms_of(set_for_card(loaded, None).criteria_set)  # the card's own set: its rules and caps
        roots.append(rollup(loaded.card, terms))
        totals.append(final(loaded.card, roots[-1], terms).points)
    if len(files) == 2:
        cards = card_diff(str(files[0]), roots[0], str(files[1]), roots[1], totals[0], totals[1])
        if output_format is OutputFormat.json:
            print(dump_json(cards.to_dict()))
        else:
            out = stdout_console(width)
            if cards.changes:
                out.print(card_diff_table(cards, out.width))
            elif not cards.changed:
                out.print(render("diff.same"))
            for line in card_diff_lines(cards) if cards.changed else []:
                out.print(line, markup=False)
        raise typer.Exit(1 if cards.changed else 0)
    root = roots[0]
    if round_no is not None and not 1 <= round_no <= root.rounds:
        if root.rounds == 0:
            raise fail(render("cli.no-appraisal", file=files[0]))
        raise fail(render("cli.round-out-of-range", rounds=root.rounds, value=round_no))
    council = appraisal_diff(str(files[0]), root, round_no)
    if output_format is OutputFormat.json:
        print(dump_json(council.to_dict()))
    elif council.rounds == 0:
        stderr_console().print(render("diff.no-appraisal", file=files[0]), soft_wrap=True, markup=False)
    elif not council.changed:
        stdout_console(width).print(render("diff.none", round=council.round, rounds=council.rounds), markup=False)
    else:
        out = stdout_console(width)
        out.print(appraisal_diff_table(council, out.width))
        total = render("diff.total", delta=signed(council.total_delta))
        for line in diff_totals(council.fields, total):
            out.print(line, markup=False)
    raise typer.Exit(1 if council.changed else 0)
