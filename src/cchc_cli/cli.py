"""The command line: parse options, call the core, render, choose the exit code. Nothing else."""

from __future__ import annotations

import gc
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from cchc_cli import __version__
from cchc_cli.messages import LANGUAGES, render, set_language

app = typer.Typer(
    help=render("app.help"),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(str, Enum):
    """How ``total`` prints its result."""

    text = "text"
    json = "json"


class ReportFormat(str, Enum):
    """How ``validate`` prints its report."""

    text = "text"
    json = "json"
    github = "github"


def _stdout() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def _stderr() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _fail(message: str, code: int = 2) -> typer.Exit:
    _stderr().print(f"cchc: {message}", style="red", soft_wrap=True, markup=False)
    return typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        print(f"cchc {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    lang: Annotated[str, typer.Option("--lang", help=render("opt.lang"), envvar="CCHC_LANG")] = "vi",
    version: Annotated[Optional[bool], typer.Option("--version", help=render("opt.version"),
                                                    callback=_version, is_eager=True)] = None,
) -> None:
    if lang not in LANGUAGES:
        raise _fail(render("err.bad-lang", value=lang, allowed=", ".join(LANGUAGES)))
    set_language(lang)


@app.command("validate", help=render("cmd.validate"))
def validate(
    paths: Annotated[list[Path], typer.Argument(help=render("arg.paths"), show_default=False)],
    output_format: Annotated[Optional[ReportFormat], typer.Option(
        "--format", "-f", help=render("opt.report-format"), show_default=False)] = None,
    strict: Annotated[bool, typer.Option("--strict", help=render("opt.strict"))] = False,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help=render("opt.jobs"),
                                                show_default=False)] = None,
    evidence_dir: Annotated[Optional[Path], typer.Option(
        "--evidence-dir", help=render("opt.evidence-dir"), show_default=False, exists=True, file_okay=False,
        dir_okay=True)] = None,
) -> None:
    from cchc_cli.checks import check_files, discover
    from cchc_cli.render import dump_json, github_lines, print_report_text

    if output_format is None:
        output_format = ReportFormat.github if os.environ.get("GITHUB_ACTIONS") == "true" else ReportFormat.text
    files = discover([str(p) for p in paths])
    workers = jobs or os.cpu_count() or 1
    if sys.stderr.isatty() and len(files) > 1:
        report = _with_progress(files, workers, evidence_dir)
    else:
        report = check_files(files, workers, evidence_dir=evidence_dir)
    if output_format is ReportFormat.json:
        print(dump_json(report.to_dict()))
    elif output_format is ReportFormat.github:
        print("\n".join(github_lines(report)))
    else:
        print_report_text(report, sys.stdout, color=sys.stdout.isatty())
    raise typer.Exit(report.exit_code(strict))


def _with_progress(files: list[str], workers: int, evidence_dir: Path | None = None) -> Any:
    """Check files with a Rich progress bar on stderr (only on a terminal)."""
    from rich.progress import Progress

    from cchc_cli.checks import check_files

    with Progress(console=_stderr(), transient=True) as progress:
        task = progress.add_task(render("progress.checking"), total=len(files))
        return check_files(files, workers, on_done=lambda _report: progress.advance(task),
                           evidence_dir=evidence_dir)


@app.command("total", help=render("cmd.total"))
def total(
    file: Annotated[Path, typer.Argument(help=render("arg.file"), show_default=False)],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help=render("opt.format"))]
    = OutputFormat.text,
    depth: Annotated[Optional[int], typer.Option("--depth", min=1, help=render("opt.depth"))] = None,
) -> None:
    from cchc_cli.checks import run_checks
    from cchc_cli.load import load_file
    from cchc_cli.numbers import format_points
    from cchc_cli.problems import Severity
    from cchc_cli.render import dump_json, problem_line, total_json, total_table
    from cchc_cli.rollup import mismatches, rollup

    loaded = load_file(file)
    report = run_checks(loaded)
    errors = [p for p in report.problems if p.severity is Severity.ERROR]
    if loaded.card is None:
        for problem in report.problems:
            _stderr().print(problem_line(problem), style="red", soft_wrap=True, markup=False)
        raise typer.Exit(2 if not loaded.readable else 1)
    root = rollup(loaded.card)
    if output_format is OutputFormat.json:
        print(dump_json(total_json(str(file), loaded.card, root, report.problems)))
    else:
        out = _stdout()
        out.print(total_table(loaded.card, root, depth))
        wrong = mismatches(root)
        if wrong:
            out.print(render("total.mismatches", count=len(wrong)), style="bold red")
        else:
            out.print(render("total.ok", score=format_points(root.score, 2), max=format_points(root.max),
                             index=format_points(root.index, 2)))
        for problem in errors:
            if problem.code not in ("max-mismatch", "score-mismatch"):
                _stderr().print(problem_line(problem), style="red", soft_wrap=True, markup=False)
    raise typer.Exit(1 if errors else 0)


@app.command("export", help=render("cmd.export"))
def export(
    file: Annotated[Path, typer.Argument(help=render("arg.file"), show_default=False)],
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help=render("opt.xlsx"), show_default=False)]
    = None,
    force: Annotated[bool, typer.Option("--force", help=render("opt.force"))] = False,
    evidence_dir: Annotated[Optional[Path], typer.Option(
        "--evidence-dir", help=render("opt.export-evidence-dir"), show_default=False, exists=True,
        file_okay=False, dir_okay=True)] = None,
) -> None:
    from cchc_cli.checks import run_checks
    from cchc_cli.export import ExportError, write_xlsx
    from cchc_cli.load import load_file
    from cchc_cli.render import problem_line
    from cchc_cli.rollup import rollup

    if xlsx is None:
        raise _fail(render("err.need-xlsx"))
    loaded = load_file(file)
    report = run_checks(loaded)
    if loaded.card is None or report.errors:
        for problem in report.problems:
            _stderr().print(problem_line(problem), soft_wrap=True, markup=False)
        raise typer.Exit(2 if not loaded.readable else 1)
    try:
        notices = write_xlsx(loaded.card, rollup(loaded.card), xlsx, source=file, overwrite=force,
                             evidence_dir=evidence_dir)
    except ExportError as exc:
        raise _fail(exc.message) from None
    for notice in notices:  # what had to change to fit Excel (a long cell continued, ...)
        _stderr().print(f"cchc: {notice}", style="yellow", soft_wrap=True, markup=False)
    _stderr().print(render("export.done", path=xlsx), soft_wrap=True, markup=False)


@app.command("evidence", help=render("cmd.evidence"))
def evidence_index(
    file: Annotated[Path, typer.Argument(help=render("arg.file"), show_default=False)],
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help=render("opt.format"))]
    = OutputFormat.text,
    evidence_dir: Annotated[Optional[Path], typer.Option(
        "--evidence-dir", help=render("opt.evidence-dir"), show_default=False, exists=True, file_okay=False,
        dir_okay=True)] = None,
) -> None:
    from cchc_cli.checks import run_checks
    from cchc_cli.evidence import all_cited, index_documents
    from cchc_cli.load import load_file
    from cchc_cli.render import dump_json, evidence_table, problem_line

    loaded = load_file(file)
    if loaded.card is None:
        for problem in loaded.problems:
            _stderr().print(problem_line(problem), style="red", soft_wrap=True, markup=False)
        raise typer.Exit(2 if not loaded.readable else 1)
    documents = index_documents(all_cited(loaded.card))
    report = run_checks(loaded, evidence_dir)
    evidence_codes = [p for p in report.problems if p.code.startswith("evidence-")]
    if output_format is OutputFormat.json:
        print(dump_json({"file": str(file), "documents": [d.to_dict() for d in documents],
                         "problems": [p.to_dict() for p in evidence_codes]}))
    else:
        _stdout().print(evidence_table(loaded.card, documents))
        for problem in evidence_codes:
            _stderr().print(problem_line(problem), style="yellow", soft_wrap=True, markup=False)
    raise typer.Exit(1 if report.errors else 0)


@app.command("schema", help=render("cmd.schema"))
def schema() -> None:
    from cchc_cli.schema import schema_text

    sys.stdout.write(schema_text())


@app.command("import", help=render("cmd.import"))
def import_table(
    file: Annotated[Path, typer.Argument(help=render("arg.import-file"), show_default=False)],
    out: Annotated[Path, typer.Option("--output", "-o", help=render("opt.import-out"), show_default=False)],
    table: Annotated[Optional[int], typer.Option("--table", min=1, help=render("opt.table"),
                                                 show_default=False)] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help=render("opt.sheet"), show_default=False)]
    = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help=render("opt.unit"), show_default=False)] = None,
    year: Annotated[Optional[int], typer.Option("--year", min=1990, max=2100, help=render("opt.year"),
                                                show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help=render("opt.force"))] = False,
) -> None:
    from cchc_cli.checks import run_checks
    from cchc_cli.importer import ImportOptionError, import_file
    from cchc_cli.load import load_text
    from cchc_cli.model import iter_criteria
    from cchc_cli.problems import FileReport, Problem, Report
    from cchc_cli.render import problem_line
    from cchc_cli.writer import WriteError, check_target, dump_scorecard, write_text_atomic

    if table is not None and sheet is not None:
        raise _fail(render("err.import-both"))
    try:
        check_target(out, file, force)  # before the work: an existing output is refused at once
        imported = import_file(file, table=table, sheet=sheet, unit=unit, year=year)
    except (ImportOptionError, WriteError) as exc:
        raise _fail(exc.message) from None
    found = sorted(imported.problems, key=Problem.sort_key)
    if imported.card is None:
        for problem in found:
            _stderr().print(problem_line(problem), style="red", soft_wrap=True, markup=False)
        raise typer.Exit(2)
    text = dump_scorecard(imported.card)
    # Check what will be written exactly as validate will read it, with locations in the output.
    written = run_checks(load_text(text, str(out)))
    try:
        write_text_atomic(text, out, source=file, overwrite=force)
    except WriteError as exc:
        raise _fail(exc.message) from None
    report = Report([FileReport(str(file), found), written])
    for problem in report.problems():
        print(problem_line(problem))
    count = sum(1 for _ in iter_criteria(imported.card.criteria))
    _stderr().print(render("import.done", path=out, source=imported.source, count=count, errors=report.errors,
                           warnings=report.warnings), soft_wrap=True, markup=False)
    raise typer.Exit(report.exit_code())


def main() -> None:
    """Console-script entry point: a bug shows a one-line message and exit code 3, no traceback."""
    # cchc uses no pydantic plugins; looking for them costs a package-metadata scan on every start.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # A scorecard is read into tens of thousands of small objects that reference counting frees; at
    # the default thresholds the cycle collector keeps rescanning them, ~12% of a bulk validation.
    # (mypy raises its thresholds for the same reason.) Workers inherit this when they fork.
    gc.set_threshold(200_000, 30, 30)
    try:
        app(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence for users
        if os.environ.get("CCHC_DEBUG"):
            raise
        _stderr().print(render("err.internal", error=f"{type(exc).__name__}: {exc}"), style="red",
                        soft_wrap=True, markup=False)
        sys.exit(3)
