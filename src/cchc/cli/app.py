"""The command line: parse options, call the core, render, choose the exit code. Nothing else.

Parsing is the standard library's argparse: a start-up costs a few milliseconds instead of the
~100 ms typer and pydantic took. Only the standard library, ``cchc.messages`` and the version
are imported here at module level; every command imports what it needs (Rich only when it really
prints a table or a progress bar).
"""

from __future__ import annotations

import argparse
import errno
import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from typing import IO, TYPE_CHECKING, Any, NoReturn

from cchc import __version__
from cchc.messages import LANGUAGES, render, set_language

if TYPE_CHECKING:  # pathlib costs ~3 ms at every start; validate does without it
    from pathlib import Path

PROG = "cchc"


class Exit(Exception):
    """Leave a command with an exit code; ``run`` turns it into its return value."""

    def __init__(self, code: int = 0) -> None:
        super().__init__(code)
        self.code = code


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


def _fail(message: str, code: int = 2) -> Exit:
    _stderr().print(f"cchc: {message}", style="red", soft_wrap=True, markup=False)
    return Exit(code)


# --------------------------------------------------------------------------------------------
# The commands
# --------------------------------------------------------------------------------------------

def validate(paths: list[str], output_format: ReportFormat | None = None, strict: bool = False,
             jobs: int | None = None, evidence_dir: Path | None = None) -> None:
    """``cchc validate PATH...``: check files and folders, every problem in one pass."""
    from cchc.checks import check_files, discover
    from cchc.cli.reporters import dump_json, github_lines, print_report_text

    if output_format is None:
        output_format = ReportFormat.github if os.environ.get("GITHUB_ACTIONS") == "true" else ReportFormat.text
    files = discover(paths)
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
    raise Exit(report.exit_code(strict))


def _with_progress(files: list[str], workers: int, evidence_dir: Path | None = None) -> Any:
    """Check files with a Rich progress bar on stderr (only on a terminal)."""
    from rich.progress import Progress

    from cchc.checks import check_files

    with Progress(console=_stderr(), transient=True) as progress:
        task = progress.add_task(render("progress.checking"), total=len(files))
        return check_files(files, workers, on_done=lambda _report: progress.advance(task),
                           evidence_dir=evidence_dir)


def total(file: Path, output_format: OutputFormat = OutputFormat.text, depth: int | None = None) -> None:
    """``cchc total FILE``: recompute every sum and compare with the declared ones."""
    from cchc.checks import run_checks
    from cchc.scorecard.load import load_file
    from cchc.scorecard.numbers import format_points
    from cchc.problems import Severity
    from cchc.cli.reporters import dump_json, problem_line, total_json, total_table
    from cchc.scorecard.rollup import mismatches, rollup

    loaded = load_file(file)
    report = run_checks(loaded)
    errors = [p for p in report.problems if p.severity is Severity.ERROR]
    if loaded.card is None:
        for problem in report.problems:
            _stderr().print(problem_line(problem), style="red", soft_wrap=True, markup=False)
        raise Exit(2 if not loaded.readable else 1)
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
    raise Exit(1 if errors else 0)


def export(file: Path, xlsx: Path | None = None, force: bool = False, evidence_dir: Path | None = None) -> None:
    """``cchc export FILE --xlsx OUT``: write the official Excel workbook."""
    from cchc.checks import run_checks
    from cchc.xlsx.export import ExportError, write_xlsx
    from cchc.scorecard.load import load_file
    from cchc.cli.reporters import problem_line
    from cchc.scorecard.rollup import rollup

    if xlsx is None:
        raise _fail(render("err.need-xlsx"))
    loaded = load_file(file)
    report = run_checks(loaded)
    if loaded.card is None or report.errors:
        for problem in report.problems:
            _stderr().print(problem_line(problem), soft_wrap=True, markup=False)
        raise Exit(2 if not loaded.readable else 1)
    try:
        notices = write_xlsx(loaded.card, rollup(loaded.card), xlsx, source=file, overwrite=force,
                             evidence_dir=evidence_dir)
    except ExportError as exc:
        raise _fail(exc.message) from None
    for notice in notices:  # what had to change to fit Excel (a long cell continued, ...)
        _stderr().print(f"cchc: {notice}", style="yellow", soft_wrap=True, markup=False)
    _stderr().print(render("export.done", path=xlsx), soft_wrap=True, markup=False)


def evidence_index(file: Path, output_format: OutputFormat = OutputFormat.text,
                   evidence_dir: Path | None = None) -> None:
    """``cchc evidence FILE``: the table of cited documents, with the citation warnings."""
    from cchc.checks import run_checks
    from cchc.evidence.cited import all_cited, index_documents
    from cchc.scorecard.load import load_file
    from cchc.cli.reporters import dump_json, evidence_table, problem_line

    loaded = load_file(file)
    if loaded.card is None:
        for problem in loaded.problems:
            _stderr().print(problem_line(problem), style="red", soft_wrap=True, markup=False)
        raise Exit(2 if not loaded.readable else 1)
    documents = index_documents(all_cited(loaded.card, loaded.locations))
    report = run_checks(loaded, evidence_dir)
    evidence_codes = [p for p in report.problems if p.code.startswith("evidence-")]
    if output_format is OutputFormat.json:
        print(dump_json({"file": str(file), "documents": [d.to_dict() for d in documents],
                         "problems": [p.to_dict() for p in evidence_codes]}))
    else:
        _stdout().print(evidence_table(loaded.card, documents))
        for problem in evidence_codes:
            _stderr().print(problem_line(problem), style="yellow", soft_wrap=True, markup=False)
    raise Exit(1 if report.errors else 0)


def schema() -> None:
    """``cchc schema``: print the JSON Schema of the YAML format."""
    from cchc.scorecard.schema import schema_text

    sys.stdout.write(schema_text())


def import_table(file: Path, out: Path, table: int | None = None, sheet: str | None = None,
                 unit: str | None = None, year: int | None = None, force: bool = False) -> None:
    """``cchc import FILE -o OUT``: read a Word/Excel scoring table into a YAML scorecard."""
    from cchc.checks import run_checks
    from cchc.importers.importer import ImportOptionError, import_file
    from cchc.scorecard.load import load_text
    from cchc.scorecard.model import iter_criteria
    from cchc.problems import FileReport, Problem, Report
    from cchc.cli.reporters import problem_line
    from cchc.scorecard.dump import WriteError, check_target, dump_scorecard, write_text_atomic

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
        raise Exit(2)
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
    raise Exit(report.exit_code())


# --------------------------------------------------------------------------------------------
# argparse in the user's language
# --------------------------------------------------------------------------------------------

# argparse asks gettext for its own words; while cchc parses, these msgids come from messages.py
# instead. A msgid not listed (a developer error, or a newer Python's new string) stays English.
_ARGPARSE_KEYS: dict[str, str] = {
    "usage: ": "argparse.usage",
    "positional arguments": "argparse.positionals",
    "options": "argparse.options",
    "subcommands": "argparse.subcommands",
    "%(heading)s:": "argparse.heading",
    " (default: %(default)s)": "argparse.default",
    "show this help message and exit": "argparse.help",
    "show program's version number and exit": "argparse.version",
    "argument %(argument_name)s: %(message)s": "argparse.argument",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "argparse.unknown-parser",
    "unrecognized arguments: %s": "argparse.unrecognized",
    "not allowed with argument %s": "argparse.not-allowed-with",
    "ambiguous option: %(option)s could match %(matches)s": "argparse.ambiguous",
    "ignored explicit argument %r": "argparse.ignored-explicit",
    "the following arguments are required: %s": "argparse.required",
    "one of the arguments %s is required": "argparse.one-of-required",
    "expected one argument": "argparse.expected-one",
    "expected at most one argument": "argparse.expected-at-most-one",
    "expected at least one argument": "argparse.expected-at-least-one",
    "expected %s argument": "argparse.expected-n",
    "expected %s arguments": "argparse.expected-n-plural",
    "unexpected option string: %s": "argparse.unexpected-option",
    "invalid %(type)s value: %(value)r": "argparse.invalid-type",
    "invalid choice: %(value)r (choose from %(choices)s)": "argparse.invalid-choice",
    "invalid choice: %(value)r, maybe you meant %(closest)r? (choose from %(choices)s)":
        "argparse.invalid-choice-closest",
    "argument '%(argument_name)s' is deprecated": "argparse.deprecated-argument",
    "option '%(option)s' is deprecated": "argparse.deprecated-option",
    "command '%(parser_name)s' is deprecated": "argparse.deprecated-command",
    "%(prog)s: error: %(message)s\n": "argparse.error",
    "%(prog)s: warning: %(message)s\n": "argparse.warning",
}


def _gettext(msgid: str) -> str:
    """argparse's ``_``: its English msgid in the current language."""
    key = _ARGPARSE_KEYS.get(msgid)
    return render(key) if key else msgid


def _ngettext(singular: str, plural: str, count: int) -> str:
    """argparse's ``ngettext``: the English form for ``count``, then translated."""
    return _gettext(singular if count == 1 else plural)


@contextmanager
def _argparse_speaks() -> Iterator[None]:
    """Route argparse's gettext through ``render`` while cchc builds and runs its parsers.

    Swapped for the call only, so another argparse user in the same process (pytest) is untouched.
    """
    module: Any = argparse
    saved = module._, module.ngettext
    module._, module.ngettext = _gettext, _ngettext
    try:
        yield
    finally:
        module._, module.ngettext = saved


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, listing the commands themselves rather than a 'COMMAND' line above them."""

    def _format_action(self, action: argparse.Action) -> str:
        if isinstance(action, argparse._SubParsersAction):
            return self._join_parts([self._format_action(sub) for sub in action._get_subactions()])
        return super()._format_action(action)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line in the user's language and which never exits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("allow_abbrev", False)  # as click: '--stri' is not '--strict'
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        """Bad usage: one line on stderr, exit code 2 (no usage block, no traceback)."""
        sys.stderr.write(render("cli.usage-error", prog=self.prog, message=message) + "\n")
        raise Exit(2)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        """After -h or --version: end the run through ``Exit`` so ``run`` can return the code."""
        if message:
            sys.stderr.write(message)
        raise Exit(status)


class _CommandParser(_Parser):
    """A command's parser: reports its own unknown arguments (with its own name) at once.

    With ``loose`` set, stray plain words are more of the positional list, so ``validate a --strict b``
    checks a and b as click did (argparse alone takes one run of positionals only).
    """

    loose: str | None = None

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None) -> tuple[argparse.Namespace, list[str]]:
        found, extras = super().parse_known_args(args, namespace)
        if self.loose is not None:
            words = [e for e in extras if not e.startswith("-")]
            extras = [e for e in extras if e.startswith("-")]
            if words and not extras:
                getattr(found, self.loose).extend(words)
        if extras:
            self.error(_gettext("unrecognized arguments: %s") % " ".join(extras))
        return found, []


def _help(key: str, note: str = "") -> str:
    """A help text for argparse, which applies %-formatting to it."""
    return " ".join(filter(None, (render(key), note))).replace("%", "%%")


def _int_in(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` (to ``high``), with the message in the user's language."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(render("cli.not-an-integer", value=text)) from None
        if high is None and value < low:
            raise argparse.ArgumentTypeError(render("cli.int-min", value=value, min=low))
        if high is not None and not low <= value <= high:
            raise argparse.ArgumentTypeError(render("cli.int-range", value=value, min=low, max=high))
        return value

    return parse


def _path(text: str) -> Path:
    """An argparse type: a path (pathlib is imported only when a command takes one)."""
    from pathlib import Path

    return Path(text)


def _existing_dir(text: str) -> Path:
    """An argparse type: a folder that exists."""
    path = _path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(render("cli.dir-missing", path=text))
    if not path.is_dir():
        raise argparse.ArgumentTypeError(render("cli.not-a-dir", path=text))
    return path


def _build() -> _Parser:
    """The parser of the program and its commands, in the current language (call inside ``_argparse_speaks``)."""
    parser = _Parser(prog=PROG, description=render("app.help"))
    parser.add_argument("--lang", metavar=render("cli.metavar-lang"),
                        help=_help("opt.lang", render("cli.env-default", env="CCHC_LANG", value="vi")))
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}", help=_help("opt.version"))
    commands = parser.add_subparsers(title=render("cli.commands"), dest="command", required=True, prog=PROG,
                                     metavar=render("cli.metavar-command"), parser_class=_CommandParser)

    def command(name: str, help_key: str, handler: Callable[..., None],
                formats: type[Enum] | None = None) -> _CommandParser:
        sub: _CommandParser = commands.add_parser(name, help=_help(help_key), description=render(help_key))
        sub.set_defaults(handler=handler, formats=formats)
        return sub

    file_metavar, dir_metavar = render("cli.metavar-file"), render("cli.metavar-dir")
    n_metavar, name_metavar = render("cli.metavar-n"), render("cli.metavar-name")
    text_default = render("cli.default", value="text")

    sub = command("validate", "cmd.validate", validate, ReportFormat)
    sub.loose = "paths"
    sub.add_argument("paths", nargs="+", metavar=render("cli.metavar-path"), help=_help("arg.paths"))
    sub.add_argument("-f", "--format", dest="output_format", choices=[f.value for f in ReportFormat],
                     help=_help("opt.report-format"))
    sub.add_argument("--strict", action="store_true", help=_help("opt.strict"))
    sub.add_argument("-j", "--jobs", type=_int_in(1), metavar=n_metavar, help=_help("opt.jobs"))
    sub.add_argument("--evidence-dir", type=_existing_dir, metavar=dir_metavar, help=_help("opt.evidence-dir"))

    sub = command("total", "cmd.total", total, OutputFormat)
    sub.add_argument("file", type=_path, metavar=file_metavar, help=_help("arg.file"))
    sub.add_argument("-f", "--format", dest="output_format", choices=[f.value for f in OutputFormat],
                     default="text", help=_help("opt.format", text_default))
    sub.add_argument("--depth", type=_int_in(1), metavar=n_metavar, help=_help("opt.depth"))

    sub = command("export", "cmd.export", export)
    sub.add_argument("file", type=_path, metavar=file_metavar, help=_help("arg.file"))
    sub.add_argument("--xlsx", type=_path, metavar=file_metavar, help=_help("opt.xlsx"))
    sub.add_argument("--force", action="store_true", help=_help("opt.force"))
    sub.add_argument("--evidence-dir", type=_existing_dir, metavar=dir_metavar,
                     help=_help("opt.export-evidence-dir"))

    sub = command("evidence", "cmd.evidence", evidence_index, OutputFormat)
    sub.add_argument("file", type=_path, metavar=file_metavar, help=_help("arg.file"))
    sub.add_argument("-f", "--format", dest="output_format", choices=[f.value for f in OutputFormat],
                     default="text", help=_help("opt.format", text_default))
    sub.add_argument("--evidence-dir", type=_existing_dir, metavar=dir_metavar, help=_help("opt.evidence-dir"))

    command("schema", "cmd.schema", schema)

    sub = command("import", "cmd.import", import_table)
    sub.add_argument("file", type=_path, metavar=file_metavar, help=_help("arg.import-file"))
    sub.add_argument("-o", "--output", dest="out", type=_path, required=True, metavar=file_metavar,
                     help=_help("opt.import-out"))
    sub.add_argument("--table", type=_int_in(1), metavar=n_metavar, help=_help("opt.table"))
    sub.add_argument("--sheet", metavar=name_metavar, help=_help("opt.sheet"))
    sub.add_argument("--unit", metavar=name_metavar, help=_help("opt.unit"))
    sub.add_argument("--year", type=_int_in(1990, 2100), metavar=render("cli.metavar-year"), help=_help("opt.year"))
    sub.add_argument("--force", action="store_true", help=_help("opt.force"))
    return parser


def _scan_language(argv: Sequence[str]) -> tuple[str | None, bool]:
    """The ``--lang`` given before the command, and whether -h/--help/--version comes before it.

    Read ahead of argparse so that help and error messages are already in that language.
    """
    lang: str | None = None
    eager = False
    i = 0
    while i < len(argv):
        token = argv[i]
        if token == "--lang" and i + 1 < len(argv) and not argv[i + 1].startswith("-"):
            lang = argv[i + 1]
            i += 1
        elif token.startswith("--lang="):
            lang = token.partition("=")[2]
        elif token in ("-h", "--help", "--version"):
            eager = True
        elif token == "--" or not token.startswith("-"):
            break  # the command: what follows is its own
        i += 1
    return lang, eager


def _parse(argv: list[str]) -> tuple[Callable[..., None], dict[str, Any]]:
    """The command to run and its arguments; raises ``Exit`` for help, --version and bad usage."""
    env = os.environ.get("CCHC_LANG") or None  # click also took an empty variable for unset
    given, eager = _scan_language(argv)
    lang = given if given is not None else env or "vi"
    set_language(lang if lang in LANGUAGES else env if env in LANGUAGES else "vi")
    with _argparse_speaks():
        parser = _build()
        if not argv:
            parser.print_help()
            raise Exit(2)  # click's no_args_is_help: the help, but still a usage error
        if lang not in LANGUAGES and not eager:
            raise _fail(render("err.bad-lang", value=lang, allowed=", ".join(LANGUAGES)))
        found = vars(parser.parse_args(argv))
    handler = found.pop("handler")
    formats = found.pop("formats")
    for name in ("lang", "command"):
        found.pop(name, None)
    if formats is not None and found["output_format"] is not None:
        found["output_format"] = formats(found["output_format"])
    return handler, found


class _QuietFlush:
    """A stream whose flush ignores a reader that went away (``cchc ... | head``), as click did."""

    def __init__(self, wrapped: IO[str]) -> None:
        self.wrapped = wrapped

    def flush(self) -> None:
        try:
            self.wrapped.flush()
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)


def run(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default: the process's arguments), run the command, return its exit code.

    Never calls ``sys.exit``; an unexpected exception propagates (``main`` turns it into exit code 3).
    """
    try:
        handler, arguments = _parse(list(sys.argv[1:] if argv is None else argv))
        handler(**arguments)
    except Exit as exc:
        return exc.code
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        sys.stdout = _QuietFlush(sys.stdout)  # type: ignore[assignment]
        sys.stderr = _QuietFlush(sys.stderr)  # type: ignore[assignment]
        return 1
    return 0


app = run  # the name the tests (and the typer version) call the command line by


def main() -> None:
    """Console-script entry point: a bug shows a one-line message and exit code 3, no traceback."""
    # cchc uses no pydantic plugins; looking for them costs a package-metadata scan on every start.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # A scorecard is read into tens of thousands of small objects that reference counting frees; at
    # the default thresholds the cycle collector keeps rescanning them, ~12% of a bulk validation.
    # (mypy raises its thresholds for the same reason.) Workers inherit this when they fork.
    gc.set_threshold(200_000, 30, 30)
    try:
        code = run()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence for users
        if os.environ.get("CCHC_DEBUG"):
            raise
        _stderr().print(render("err.internal", error=f"{type(exc).__name__}: {exc}"), style="red",
                        soft_wrap=True, markup=False)
        sys.exit(3)
    sys.exit(code)
