"""The Typer app: the global options, the list of commands, and ``main`` with its exit codes.

To add a command, write ``commands/NAME.py`` with one function and add one line to ``COMMANDS``.
Help texts are message keys: ``cchc.cli.language`` renders them in the user's language.
"""

import os
import sys
from collections.abc import Callable
from typing import Annotated, NoReturn

import typer

from cchc import __version__
from cchc.cli.commands import (
    diff,
    evidence,
    export,
    import_,
    init,
    rank,
    report,
    schema,
    set_from_card,
    total,
    validate,
)
from cchc.cli.language import LANG_ENV, CchcCommand, CchcGroup, named_command
from cchc.cli.process import tune_process
from cchc.messages import LANGUAGES, render, set_language

# name, help (a message key), function: in the order ``cchc --help`` lists them.
COMMANDS: list[tuple[str, str, Callable[..., None]]] = [
    ("validate", "cmd.validate", validate.validate),
    ("total", "cmd.total", total.total),
    ("diff", "cmd.diff", diff.diff),
    ("export", "cmd.export", export.export),
    ("evidence", "cmd.evidence", evidence.evidence),
    ("schema", "cmd.schema", schema.schema),
    ("import", "cmd.import", import_.import_table),
    ("init", "cmd.init", init.init),
    ("set-from-card", "cmd.set-from-card", set_from_card.set_from_card),
    ("rank", "cmd.rank", rank.rank),
    ("report", "cmd.report", report.report),
]


def _check_language(ctx: typer.Context, value: str) -> str:
    """``--lang``/``CCHC_LANG``: one of LANGUAGES, or a usage error that says where the bad value came from."""
    if value not in LANGUAGES:
        source = ctx.get_parameter_source("lang")
        key = "err.bad-lang-env" if source is not None and source.name == "ENVIRONMENT" else "err.bad-lang"
        raise typer.BadParameter(render(key, value=value, env=LANG_ENV, allowed=", ".join(LANGUAGES)))
    set_language(value)
    return value


def _print_version(value: bool) -> None:
    if value:
        print(f"cchc {__version__}")
        raise typer.Exit()


def _options(
    lang: Annotated[
        str,
        typer.Option("--lang", envvar=LANG_ENV, metavar="cli.metavar-lang", help="opt.lang", callback=_check_language),
    ] = "vi",
    version: Annotated[
        bool, typer.Option("--version", help="opt.version", callback=_print_version, is_eager=True)
    ] = False,
) -> None:
    """The program's own options; the callbacks do the work."""


def make_app(commands: list[tuple[str, str, Callable[..., None]]]) -> typer.Typer:
    """The Typer app: the program's options and ``commands`` (lines of ``COMMANDS``)."""
    made = typer.Typer(
        name="cchc",
        cls=CchcGroup,
        help="app.help",
        subcommand_metavar="cli.metavar-command",
        options_metavar="cli.metavar-options",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    made.callback()(_options)
    for name, help_key, function in commands:
        made.command(name, help=help_key, cls=CchcCommand, options_metavar="cli.metavar-options")(function)
    return made


#: The program with every command.
app = make_app(COMMANDS)


def main() -> NoReturn:
    """Run the app: the command's exit code; a bug is one line and exit code 3, no traceback."""
    # Already done by the console script (cchc.cli.start) before the imports; again here for callers
    # that import this module first.
    tune_process()
    # At each start Typer turns every command's function into a click command, reading its signature
    # and options. A command line that starts with a command's name runs only that one, so only that
    # one is made; anything else (the program's help, --version, a mistyped name, shell completion)
    # gets the whole program.
    name = named_command(sys.argv[1:])
    chosen = [line for line in COMMANDS if line[0] == name]
    try:
        (make_app(chosen) if chosen else app)()
    except Exception as exc:  # the last line of defence for users
        if os.environ.get("CCHC_DEBUG"):
            raise
        from cchc.cli.reporters import stderr_console

        stderr_console().print(
            render("err.internal", error=f"{type(exc).__name__}: {exc}"), style="red", soft_wrap=True, markup=False
        )
        sys.exit(3)
    sys.exit(0)  # not reached: Typer exits with the command's code
