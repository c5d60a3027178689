"""The commands, one module each, and what several of them share.

A command is one function: its parameters are its options (``Annotated[..., typer.Option(...)]``),
it calls the core, renders through ``cchc.cli.reporters`` and leaves with ``typer.Exit(code)``.
Help texts and metavars are message keys of ``cchc.messages``: ``cchc.cli.app`` renders them in
the user's language before Typer parses the command line. Values are checked by the ``parser``
functions below, so their messages are ours and follow the language too.
"""

from collections.abc import Callable
from enum import Enum, StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, TypeVar

import typer

from cchc.cli.reporters import print_problems, stderr_console
from cchc.messages import render

if TYPE_CHECKING:
    from cchc.scorecard.load import Loaded

E = TypeVar("E", bound=Enum)


class OutputFormat(StrEnum):
    """How ``total`` and ``evidence`` print their result."""

    text = "text"
    json = "json"


class ReportFormat(StrEnum):
    """How ``validate`` prints its report."""

    text = "text"
    json = "json"
    github = "github"


def one_of(choices: type[E]) -> Callable[[str | E], E]:
    """A parser for an option taking one of the values of ``choices``."""

    def parse(value: str | E) -> E:
        if isinstance(value, choices):
            return value
        try:
            return choices(value)
        except ValueError:
            allowed = ", ".join(f"'{choice.value}'" for choice in choices)
            raise typer.BadParameter(render("cli.bad-choice", value=value, allowed=allowed)) from None

    return parse


def whole_number(low: int, high: int | None = None) -> Callable[[str | int], int]:
    """A parser for a whole number from ``low`` (up to ``high``)."""

    def parse(text: str | int) -> int:
        try:
            value = int(text)
        except ValueError:
            raise typer.BadParameter(render("cli.not-an-integer", value=text)) from None
        if high is None and value < low:
            raise typer.BadParameter(render("cli.int-min", value=value, min=low))
        if high is not None and not low <= value <= high:
            raise typer.BadParameter(render("cli.int-range", value=value, min=low, max=high))
        return value

    return parse


def existing_dir(text: str | Path) -> Path:
    """A parser for a folder that exists."""
    path = Path(text)
    if not path.exists():
        raise typer.BadParameter(render("cli.dir-missing", path=text))
    if not path.is_dir():
        raise typer.BadParameter(render("cli.not-a-dir", path=text))
    return path


def fail(message: str, code: int = 2) -> typer.Exit:
    """Say what is wrong on stderr (``cchc: ...``) and return the exit to raise."""
    stderr_console().print(f"cchc: {message}", style="red", soft_wrap=True, markup=False)
    return typer.Exit(code)


def read_source(path: Path, out: Path, force: bool, want: Literal["set", "card"]) -> "Loaded":
    """The file a command makes ``out`` from: the output refused first (before any work), then the
    source read; exit 2 when it cannot be read, 1 when it is not a ``want`` (a set or a card)."""
    from cchc.output import OutputError
    from cchc.scorecard.dump import check_target
    from cchc.scorecard.load import load_file

    try:
        check_target(out, path, force)
    except OutputError as exc:
        raise fail(exc.message) from None
    loaded = load_file(path)
    if not loaded.readable:
        print_problems(loaded.problems, style="red")
        raise typer.Exit(2)
    got, other = (loaded.criteria_set, loaded.card) if want == "set" else (loaded.card, loaded.criteria_set)
    if got is None:
        if other is not None:
            raise fail(render(f"err.not-a-{want}", path=path), 1)
        print_problems(loaded.problems, style="red")
        raise typer.Exit(1)
    return loaded


# Options and arguments several commands take alike.
ScorecardFile = Annotated[Path, typer.Argument(help="arg.file", metavar="cli.metavar-file", show_default=False)]
Format = Annotated[OutputFormat, typer.Option("--format", "-f", help="opt.format", parser=one_of(OutputFormat))]
EvidenceDir = Annotated[
    Path | None,
    typer.Option(
        "--evidence-dir", help="opt.evidence-dir", metavar="cli.metavar-dir", parser=existing_dir, show_default=False
    ),
]
Force = Annotated[bool, typer.Option("--force", help="opt.force")]
Width = Annotated[
    int | None,
    typer.Option("--width", help="opt.width", metavar="cli.metavar-n", parser=whole_number(20), show_default=False),
]
CriteriaSetOption = Annotated[
    Path | None, typer.Option("--criteria-set", help="opt.criteria-set", metavar="cli.metavar-file", show_default=False)
]
