"""``cchc total FILE``: recompute every sum and compare with the declared ones."""

from typing import Annotated

import typer

from cchc.cli.commands import CriteriaSetOption, Format, OutputFormat, ScorecardFile, Width, fail, whole_number


def total(
    file: ScorecardFile,
    output_format: Format = OutputFormat.text,
    depth: Annotated[
        int | None,
        typer.Option("--depth", help="opt.depth", metavar="cli.metavar-n", parser=whole_number(1), show_default=False),
    ] = None,
    round_no: Annotated[
        int | None,
        typer.Option("--round", help="opt.round", metavar="cli.metavar-n", parser=whole_number(1), show_default=False),
    ] = None,
    width: Width = None,
    criteria_set: CriteriaSetOption = None,
) -> None:
    """Print the recomputed table; exit 1 when a declared value disagrees, 2 when the file is unreadable."""
    from cchc.checks import run_checks
    from cchc.checks.sets import set_for_card
    from cchc.cli.reporters import dump_json, print_problems, stdout_console, total_closing, total_json, total_table
    from cchc.messages import render
    from cchc.problems import Severity
    from cchc.scorecard.final import final
    from cchc.scorecard.load import load_file
    from cchc.scorecard.numbers import format_points
    from cchc.scorecard.rollup import appraisal_mismatches, mismatches, rollup
    from cchc.scorecard.terms import terms_of

    loaded = load_file(file)
    set_path = str(criteria_set) if criteria_set is not None else None
    report = run_checks(loaded, criteria_set=set_path)
    errors = [p for p in report.problems if p.severity is Severity.ERROR]
    if loaded.card is None:
        if loaded.criteria_set is not None:
            raise fail(render("err.not-a-card", path=file), 1)
        print_problems(report.problems, style="red")
        raise typer.Exit(2 if not loaded.readable else 1)
    terms = terms_of(set_for_card(loaded, set_path).criteria_set)  # its rules, caps, convention
    root = rollup(loaded.card, terms)
    result = final(loaded.card, root, terms)
    if round_no is not None and not 1 <= round_no <= root.rounds:
        if root.rounds == 0:
            raise fail(render("cli.no-appraisal", file=file))
        raise fail(render("cli.round-out-of-range", rounds=root.rounds, value=round_no))
    if output_format is OutputFormat.json:
        print(dump_json(total_json(str(file), loaded.card, root, report.problems, result)))
    else:
        out = stdout_console(width)
        out.print(total_table(loaded.card, root, depth, out.width, round_no))
        wrong = mismatches(root)
        if wrong:
            out.print(render("total.mismatches", count=len(wrong)), style="bold red")
        else:
            out.print(
                render(
                    "total.ok",
                    score=format_points(root.score, 2),
                    max=format_points(root.max),
                    index=format_points(root.index, 2),
                )
            )
        wrong_rounds = appraisal_mismatches(root)
        if wrong_rounds:
            out.print(render("total.appraisal-mismatches", count=len(wrong_rounds)), style="bold red")
        for line in total_closing(root, result, round_no):
            out.print(line, soft_wrap=True)  # one line each, whatever the width: a pipe gets it whole
        # the mismatches are in the table already
        shown = ("max-mismatch", "score-mismatch", "appraisal-mismatch")
        print_problems([p for p in errors if p.code not in shown], style="red")
    raise typer.Exit(1 if errors else 0)
