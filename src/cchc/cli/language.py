"""Typer in the user's language.

Typer takes help texts when a command is declared, but the user's language is only known from the
command line (``--lang``, before or after the command name) or ``CCHC_LANG``. So the commands give
their help texts and metavars as message keys of ``cchc.messages``, and ``CchcGroup.main`` first
picks the language, then renders every key of the command tree, then lets Typer parse. Typer's own
words (help panels, the usage line, its usage errors) are said in that language too.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

# Typer >= 0.29 carries its own copy of click; of its usage errors only BadParameter is re-exported.
from typer._click import Command, Context, HelpFormatter
from typer._click.exceptions import BadOptionUsage, BadParameter, MissingParameter, NoSuchOption, UsageError
from typer.core import TyperCommand, TyperGroup, TyperOption

from cchc.messages import LANGUAGES, is_key, render, set_language

LANG_ENV = "CCHC_LANG"


def _lang_first(args: Sequence[str]) -> tuple[str | None, list[str]]:
    """The last ``--lang`` value given, and ``args`` with every ``--lang`` moved before the command.

    Typer reads ``--lang`` as an option of the program; moved, ``cchc validate --lang en f`` means
    ``cchc --lang en validate f``. A ``--lang`` with no value is moved as ``--lang=`` (refused as an
    empty language, instead of taking the command's name as its value). Nothing after ``--`` moves.
    """
    given: str | None = None
    moved: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        token = args[i]
        if token == "--":
            rest.extend(args[i:])
            break
        if token == "--lang":
            token = "--lang=" if i + 1 == len(args) or args[i + 1] == "--" else f"--lang={args[i + 1]}"
            i += 1 if token == "--lang=" else 2
        else:
            i += 1
        if token.startswith("--lang="):
            given = token.partition("=")[2]
            moved.append(token)
        else:
            rest.append(token)
    return given, moved + rest


def named_command(args: Sequence[str]) -> str | None:
    """The word a command line starts with once its ``--lang`` options are set aside (the command's
    name, if it is one); None when it starts with another option, with ``--`` or is empty."""
    _given, ordered = _lang_first(args)
    # The moved options lead, each as --lang=VALUE; the user's words follow in their order.
    first = next((token for token in ordered if not token.startswith("--lang=")), None)
    return first if first is not None and not first.startswith("-") else None


# Typer's completion options, which it adds with English help.
_TYPER_OPTION_HELP = {"install_completion": "opt.install-completion", "show_completion": "opt.show-completion"}


def _render_keys(thing: Any, *attributes: str) -> None:
    """Replace the message keys in ``thing``'s attributes by their text in the current language.

    The keys are kept aside, so the same command tree can be rendered again in another language.
    """
    keys: dict[str, str] = thing.__dict__.setdefault("_cchc_message_keys", {})
    for attribute in attributes:
        value = getattr(thing, attribute, None)
        if attribute not in keys and isinstance(value, str) and is_key(value):
            keys[attribute] = value
        if attribute in keys:
            setattr(thing, attribute, render(keys[attribute]))


def _render_tree(group: TyperGroup) -> None:
    """Every help text and metavar of the program and its commands, in the current language."""
    _render_keys(group, "subcommand_metavar")
    for command in [group, *group.commands.values()]:
        _render_keys(command, "help", "short_help", "options_metavar")
        for param in command.params:
            if (
                isinstance(param, TyperOption)
                and param.name in _TYPER_OPTION_HELP
                and "_cchc_message_keys" not in param.__dict__
            ):
                param.help = _TYPER_OPTION_HELP[param.name]
            _render_keys(param, "help", "metavar")
            _hide_python_type(param)


def _no_type(ctx: Context) -> None:
    return None


def _hide_python_type(param: Any) -> None:
    """Typer's help shows a parameter's Python type beside its name: ``--strict <bool>``,
    ``ĐƯỜNG_DẪN <list[str]>``. Said of a flag (which takes no value) or of an argument already named
    by its metavar, it is programmer's English that tells the user nothing; there it is left out.
    Choices (``<text|json|github>``) and options' metavars stay."""
    if (isinstance(param, TyperOption) and param.is_flag) or (
        not isinstance(param, TyperOption) and param.metavar is not None
    ):
        setattr(param, "display_type_rich", _no_type)  # noqa: B010 - mypy refuses assigning to a method


def _typer_speaks() -> None:
    """Typer's words in help panels and error boxes, in the current language.

    Set only when help or an error is shown: Typer's Rich module is slow to import.
    """
    from typer import rich_utils

    rich_utils.ARGUMENTS_PANEL_TITLE = render("cli.panel-arguments")
    rich_utils.OPTIONS_PANEL_TITLE = render("cli.panel-options")
    rich_utils.COMMANDS_PANEL_TITLE = render("cli.panel-commands")
    rich_utils.ERRORS_PANEL_TITLE = render("cli.panel-error")
    rich_utils.DEFAULT_STRING = render("cli.shown-default")
    rich_utils.ENVVAR_STRING = render("cli.shown-env")
    rich_utils.REQUIRED_LONG_STRING = render("cli.shown-required")
    rich_utils.RICH_HELP = render("cli.try-help")


# Typer's usage errors that carry nothing but their English text.
_PLAIN_ERRORS = [
    (re.compile(r"No such command (?P<name>.+?)\.(?: Did you mean (?P<names>.+)\?)?"), "cli.no-such-command"),
    (re.compile(r"Got unexpected extra argument\(s\) \((?P<args>.*)\)"), "cli.extra-arguments"),
    (re.compile(r"Missing command\."), "cli.missing-command"),
]


def _hint(error: BadParameter) -> str:
    """The parameter an error is about, as Typer names it: ``'--jobs' / '-j'``, ``'TỆP'``."""
    if error.param_hint is not None:
        hint = error.param_hint
        return hint if isinstance(hint, str) else " / ".join(repr(h) for h in hint)
    if isinstance(error.param, TyperOption):  # without Typer's English "(env var: ...)"
        return " / ".join(f"'{opt}'" for opt in error.param.opts)
    return error.param.get_error_hint() if error.param else ""


def _said_again(error: UsageError) -> str | None:
    """The message of one of Typer's usage errors in the current language; None for one not known here."""
    if isinstance(error, NoSuchOption):
        text = render("cli.no-such-option", option=error.option_name)
        if error.possibilities:
            text += render("cli.possible-options", names=", ".join(sorted(error.possibilities)))
        return text
    if isinstance(error, MissingParameter):
        kind = error.param.param_type_name if error.param else "argument"
        return render(f"cli.missing-{kind}", name=_hint(error))
    if isinstance(error, BadParameter):
        return render("cli.bad-value", name=_hint(error), message=error.message)
    if isinstance(error, BadOptionUsage):
        option = next((p for p in error.ctx.command.params if error.option_name in p.opts), None) if error.ctx else None
        flag = isinstance(option, TyperOption) and option.is_flag
        return render("cli.takes-no-value" if flag else "cli.needs-value", option=error.option_name)
    for pattern, key in _PLAIN_ERRORS:
        found = pattern.fullmatch(error.message)
        if found:
            fields = found.groupdict()
            names = fields.pop("names", None)
            text = render(key, **fields)
            return text + render("cli.did-you-mean", names=names) if names else text
    return None


@contextmanager
def _usage_errors_translated(ctx: Context) -> Iterator[None]:
    """Re-raise Typer's usage errors in the current language (still exit code 2), with the usage
    line of ``ctx`` when the error came without one."""
    try:
        yield
    except UsageError as error:
        if error.ctx is None:
            error.ctx = ctx
        _typer_speaks()
        text = _said_again(error)
        if text is None:
            raise
        raise UsageError(text, ctx=error.ctx) from None


if TYPE_CHECKING:  # for the type checker, the mixin's super() is click's Command
    _Base = Command
else:
    _Base = object


class _Speaking(_Base):
    """What the program and every command add to Typer: the usage line, the help option and usage
    errors in the user's language, and required options in the usage line like required arguments."""

    def get_help_option(self, ctx: Context) -> TyperOption | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = render("opt.help")
            _hide_python_type(option)
        return option

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        required = [
            f"{{{p.opts[0]} {p.metavar or (p.name or '').upper()}}}"
            for p in self.params
            if isinstance(p, TyperOption) and p.required
        ]
        return [*super().collect_usage_pieces(ctx), *required]

    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=render("cli.usage"))

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        _typer_speaks()
        super().format_help(ctx, formatter)

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        with _usage_errors_translated(ctx):
            return super().parse_args(ctx, args)


class CchcCommand(_Speaking, TyperCommand):
    """A command of cchc."""


class CchcGroup(_Speaking, TyperGroup):
    """The program: picks the language before Typer parses anything."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        given, ordered = _lang_first(sys.argv[1:] if args is None else args)
        env = os.environ.get(LANG_ENV) or None
        # A bad value is reported by --lang's own check, in the language that would be used without it.
        set_language(next(lang for lang in (given, env, "vi") if lang in LANGUAGES))
        _render_tree(self)
        return super().main(ordered, prog_name, complete_var, standalone_mode, windows_expand_args, **extra)

    def invoke(self, ctx: Context) -> Any:
        with _usage_errors_translated(ctx):  # an unknown or missing command name
            return super().invoke(ctx)
