"""``cchc export FILE --xlsx OUT``: write the official Excel workbook."""

from pathlib import Path
from typing import Annotated

import typer

from cchc.cli.commands import Force, ScorecardFile, existing_dir, fail


def export(
    file: ScorecardFile,
    xlsx: Annotated[Path, typer.Option("--xlsx", help="opt.xlsx", metavar="cli.metavar-file", show_default=False)],
    force: Force = False,
    evidence_dir: Annotated[
        Path | None,
        typer.Option(
            "--evidence-dir",
            help="opt.export-evidence-dir",
            metavar="cli.metavar-dir",
            parser=existing_dir,
            show_default=False,
        ),
    ] = None,
    draft: Annotated[bool, typer.Option("--draft", help="opt.draft")] = False,
    no_notes: Annotated[bool, typer.Option("--no-notes", help="opt.no-notes")] = False,
) -> None:
    """Write the workbook; a scorecard with errors is refused (exit 1, 2 when unreadable) unless
    ``--draft``, which writes it with "DỰ THẢO" in the title and its problems on a sheet of their own."""
    from cchc.checks import run_checks
    from cchc.checks.sets import set_for_card
    from cchc.cli.reporters import print_problems, stderr_console
    from cchc.messages import render
    from cchc.output import OutputError
    from cchc.scorecard.load import load_file
    from cchc.scorecard.rollup import rollup
    from cchc.scorecard.terms import terms_of
    from cchc.xlsx.export import write_xlsx

    loaded = load_file(file)
    report = run_checks(loaded)
    err = stderr_console()
    if loaded.card is None or (report.errors and not draft):
        # Say first that nothing was written and why, then the problems themselves.
        key = "export.unreadable" if loaded.card is None else "export.refused"
        err.print(f"cchc: {render(key, path=xlsx, errors=report.errors)}", soft_wrap=True, markup=False)
        print_problems(report.problems)
        raise typer.Exit(2 if not loaded.readable or loaded.card is None else 1)
    problems = report.problems if draft else None  # a draft is one, even with nothing to list
    try:
        # The set's rules and not-applicable convention shape the printed scores and the applicable max.
        root = rollup(loaded.card, terms_of(set_for_card(loaded).criteria_set))
        notices = write_xlsx(
            loaded.card,
            root,
            xlsx,
            source=file,
            overwrite=force,
            evidence_dir=evidence_dir,
            draft=problems,
            notes=not no_notes,
        )
    except OutputError as exc:
        raise fail(exc.message) from None
    for notice in notices:  # what had to change to fit Excel (a long cell continued, ...)
        err.print(f"cchc: {notice}", style="yellow", soft_wrap=True, markup=False)
    if problems is not None:
        err.print(render("export.draft-done", path=xlsx, errors=report.errors), soft_wrap=True, markup=False)
    else:
        err.print(render("export.done", path=xlsx), soft_wrap=True, markup=False)
