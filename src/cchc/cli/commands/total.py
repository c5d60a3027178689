"""``cchc total FILE``: recompute every sum and compare with the declared ones."""

from __future__ import annotations

from typing import Annotated

import typer

from cchc.cli.commands import Width, Format, OutputFormat, ScorecardFile, whole_number


def total(
    file: ScorecardFile,
    output_format: Format = OutputFormat.text,
    depth: Annotated[int | None, typer.Option("--depth", help="opt.depth", metavar="cli.metavar-n",
                                              parser=whole_number(1), show_default=False)] = None,
    width: Width = None,
) -> None:
    """Print the recomputed table; exit 1 when a declared value disagrees, 2 when the file is unreadable."""
    from cchc.checks import run_checks
    from cchc.cli.reporters import dump_json, print_problems, stdout_console, total_json, total_table
    from cchc.messages import render
    from cchc.problems import Severity
    from cchc.scorecard.load import load_file
    from cchc.scorecard.numbers import format_points
    from cchc.scorecard.rollup import mismatches, rollup

    loaded = load_file(file)
    report = run_checks(loaded)
    errors = [p for p in report.problems if p.severity is Severity.ERROR]
    if loaded.card is None:
        print_problems(report.problems, style="red")
        raise typer.Exit(2 if not loaded.readable else 1)
    root = rollup(loaded.card)
    if output_format is OutputFormat.json:
        print(dump_json(total_json(str(file), loaded.card, root, report.problems)))
    else:
        out = stdout_console(width)
        out.print(total_table(loaded.card, root, depth, out.width))
        wrong = mismatches(root)
        if wrong:
            out.print(render("total.mismatches", count=len(wrong)), style="bold red")
        else:
            out.print(render("total.ok", score=format_points(root.score, 2), max=format_points(root.max),
                             index=format_points(root.index, 2)))
        # the mismatches are in the table already
        print_problems([p for p in errors if p.code not in ("max-mismatch", "score-mismatch")], style="red")
    raise typer.Exit(1 if errors else 0)
