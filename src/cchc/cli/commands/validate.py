"""``cchc validate PATH...``: check files and folders, every problem in one pass."""

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cchc.cli.commands import CriteriaSetOption, EvidenceDir, ReportFormat, one_of, whole_number

if TYPE_CHECKING:
    from cchc.problems import Report


def validate(
    paths: Annotated[list[str], typer.Argument(help="arg.paths", metavar="cli.metavar-path", show_default=False)],
    output_format: Annotated[
        ReportFormat | None,
        typer.Option("--format", "-f", help="opt.report-format", parser=one_of(ReportFormat), show_default=False),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="opt.strict")] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", help="opt.jobs", metavar="cli.metavar-n", parser=whole_number(1), show_default=False
        ),
    ] = None,
    evidence_dir: EvidenceDir = None,
    criteria_set: CriteriaSetOption = None,
) -> None:
    """Check the files (folders: every ``*.yaml``/``*.yml`` below them); exit 0, 1 or 2."""
    from cchc.checks import check_files, discover
    from cchc.cli.reporters import dump_json, github_lines, print_report_text

    if output_format is None:
        output_format = ReportFormat.github if os.environ.get("GITHUB_ACTIONS") == "true" else ReportFormat.text
    files = discover(paths)
    set_path = str(criteria_set) if criteria_set is not None else None
    workers = jobs or os.cpu_count() or 1
    if sys.stderr.isatty() and len(files) > 1:
        report = check_with_progress(files, workers, evidence_dir, set_path)
    else:
        report = check_files(files, workers, evidence_dir=evidence_dir, criteria_set=set_path)
    if output_format is ReportFormat.json:
        print(dump_json(report.to_dict()))
    elif output_format is ReportFormat.github:
        print("\n".join(github_lines(report)))
    else:
        print_report_text(report, sys.stdout, color=sys.stdout.isatty())
    raise typer.Exit(report.exit_code(strict))


def check_with_progress(
    files: list[str], workers: int, evidence_dir: Path | None = None, criteria_set: str | None = None
) -> "Report":
    """Check files with a Rich progress bar on stderr (used only when stderr is a terminal)."""
    from rich.progress import Progress

    from cchc.checks import check_files
    from cchc.cli.reporters import stderr_console
    from cchc.messages import render

    with Progress(console=stderr_console(), transient=True) as progress:
        task = progress.add_task(render("progress.checking"), total=len(files))
        return check_files(
            files,
            workers,
            on_done=lambda _report: progress.advance(task),
            evidence_dir=evidence_dir,
            criteria_set=criteria_set,
        )
