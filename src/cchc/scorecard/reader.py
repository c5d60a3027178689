"""A safe YAML reader that keeps the line and column of every node and every scalar's own text.

It builds its tree from the parser's events rather than from PyYAML's constructor, so:
- scalars stay the text that was written (``1.10`` stays "1.10", ``0,5`` stays "0,5", ``yes`` stays
  "yes"): the format, not YAML 1.1's resolver, decides what a value means;
- aliases are refused where they stand, before anything could expand (no "billion laughs");
- explicit tags are refused, never constructed;
- nesting is capped without recursion, so thousands of levels give a problem, not a RecursionError;
- duplicate keys are reported with both lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from cchc.messages import render
from cchc.problems import Problem

try:  # the C parser is much faster; the pure-Python one gives the same events
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: Deeper nesting than this is refused; a scorecard needs about 10 levels.
MAX_DEPTH = 64

#: Plain scalars that mean "no value" (YAML 1.2 core schema).
NULLS = frozenset({"", "~", "null", "Null", "NULL"})

# The only tag allowed explicitly: !!str, which just says "this is text".
_STR_TAG = "tag:yaml.org,2002:str"


@dataclass(slots=True)
class Scalar:
    """A scalar as written; ``plain`` is False when it was quoted or a block scalar."""

    text: str
    plain: bool
    line: int
    column: int
    #: A stand-in for a value that was refused (an alias, a tag): already reported, so no
    #: further problem should be raised about it.
    refused: bool = False

    @property
    def is_null(self) -> bool:
        """An unquoted empty/``~``/``null`` scalar."""
        return self.plain and self.text in NULLS


@dataclass(slots=True)
class Seq:
    """A sequence and its position."""

    items: list[Node]
    line: int
    column: int


@dataclass(slots=True)
class Map:
    """A mapping: key text -> (key scalar, value), first occurrence kept, in file order."""

    entries: dict[str, tuple[Scalar, Node]]
    line: int
    column: int


Node = Scalar | Seq | Map


@dataclass
class Parsed:
    """The tree (None when there is nothing usable) and the problems found while reading."""

    root: Node | None
    problems: list[Problem] = field(default_factory=list)


def _pos(mark: yaml.Mark | None) -> tuple[int | None, int | None]:
    if mark is None:
        return None, None
    return mark.line + 1, mark.column + 1


def to_plain(node: Node) -> object:
    """Plain Python data: dicts, lists, strings and None (nulls); scalars stay text."""
    if isinstance(node, Scalar):
        return None if node.is_null else node.text
    if isinstance(node, Seq):
        return [to_plain(item) for item in node.items]
    return {key: to_plain(value) for key, (_, value) in node.entries.items()}


def parse(text: str, file: str) -> Parsed:
    """Read one YAML document from ``text``; syntax errors become problems with a location."""
    problems: list[Problem] = []
    loader = _Loader(text)
    # Each frame: the container being filled and, for mappings, the key waiting for its value.
    stack: list[tuple[Seq | Map, Scalar | None]] = []
    root: Node | None = None
    documents = 0
    skip_depth = 0  # >0 while skipping the inside of a too-deep or refused collection
    skip_at = (1, 1)  # where that collection started: its stand-in value stands there

    def attach(node: Node) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        container, pending = stack[-1]
        if isinstance(container, Seq):
            container.items.append(node)
        elif pending is None:
            if not isinstance(node, Scalar):
                line, col = node.line, node.column
                problems.append(
                    Problem(
                        "wrong-type",
                        file,
                        line,
                        col,
                        args={"field": "key", "expected": render("type.text"), "got": kind_of(node)},
                    )
                )
                node = Scalar("?", True, line, col)
            stack[-1] = (container, node)
        else:
            previous = container.entries.get(pending.text)
            if previous is not None:
                problems.append(
                    Problem(
                        "duplicate-key",
                        file,
                        pending.line,
                        pending.column,
                        args={"key": pending.text, "first_line": previous[0].line},
                    )
                )
            else:
                container.entries[pending.text] = (pending, node)
            stack[-1] = (container, None)

    # The loop runs once per event, tens of thousands of times per file: it tests the event's exact
    # class (the parser makes no subclasses), most frequent first, and reads marks directly.
    scalar_event, seq_start, map_start = yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent
    seq_end, map_end, alias_event = yaml.SequenceEndEvent, yaml.MappingEndEvent, yaml.AliasEvent
    # libyaml's events are read by their exact class (below), which the stubs cannot follow.
    get_event: Callable[[], Any] = loader.get_event
    try:
        while True:
            event = get_event()
            cls = event.__class__
            if event is None or cls is yaml.StreamEndEvent:
                break
            mark = event.start_mark
            line, col = mark.line + 1, mark.column + 1
            if skip_depth:
                if cls is seq_start or cls is map_start:
                    skip_depth += 1
                elif cls is seq_end or cls is map_end:
                    skip_depth -= 1
                    if skip_depth == 0:
                        attach(Scalar("", True, *skip_at, refused=True))
                continue
            if cls is scalar_event:
                tag = event.tag
                if tag is None or tag == "!" or tag == _STR_TAG:
                    attach(Scalar(event.value, bool(event.implicit[0]) and tag is None, line, col))
                else:
                    problems.append(Problem("yaml-tag", file, line, col, args={"tag": tag}))
                    attach(Scalar("", True, line, col, refused=True))
            elif cls is map_start or cls is seq_start:
                tag = event.tag
                if tag is not None and tag != "!" and tag != _STR_TAG:
                    problems.append(Problem("yaml-tag", file, line, col, args={"tag": tag}))
                    skip_depth, skip_at = 1, (line, col)
                elif len(stack) >= MAX_DEPTH:
                    problems.append(Problem("yaml-depth", file, line, col, args={"limit": MAX_DEPTH}))
                    skip_depth, skip_at = 1, (line, col)
                else:
                    stack.append((Map({}, line, col) if cls is map_start else Seq([], line, col), None))
            elif cls is map_end or cls is seq_end:
                done, _ = stack.pop()
                attach(done)
            elif cls is alias_event:
                problems.append(Problem("yaml-alias", file, line, col, args={"name": event.anchor}))
                attach(Scalar("", True, line, col, refused=True))
            elif cls is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    problems.append(Problem("yaml-multi-document", file, line, col))
                    break
    except yaml.MarkedYAMLError as exc:
        problems.append(_syntax_problem(exc, text, file))
        return Parsed(None, problems)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, by its position
        position = min(exc.position, len(text))
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        detail = render("yaml.bad-character", code=f"{code:04X}")
        problems.append(Problem("yaml-syntax", file, line, column, args={"detail": detail}))
        return Parsed(None, problems)
    except yaml.YAMLError as exc:
        problems.append(Problem("yaml-syntax", file, None, None, args={"detail": render("yaml.other", detail=exc)}))
        return Parsed(None, problems)
    finally:
        loader.dispose()
    return Parsed(root, problems)


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, file: str) -> Problem:
    """A syntax error in the user's words: what is wrong, where it starts, and how to mend it.

    libyaml's messages describe its parser's state ("mapping values are not allowed here"); the
    usual causes behind them are few, and each is recognised from the text around the mark.
    """
    line, col = _pos(exc.problem_mark or exc.context_mark)
    lines = text.splitlines()
    context = exc.context or ""
    problem = exc.problem or ""

    def source(number: int | None) -> str:
        return lines[number - 1] if number is not None and 0 < number <= len(lines) else ""

    def made(message: str, at: tuple[int | None, int | None], /, **args: Any) -> Problem:
        return Problem("yaml-syntax", file, at[0], at[1], args={"detail": render(message, **args)})

    # A tab in the indentation: YAML forbids it, and editors hide it.
    for number in (line, _pos(exc.context_mark)[0]):
        here = source(number)
        indent = here[: len(here) - len(here.lstrip(" \t"))]
        if "\t" in indent:
            return made("yaml.tab", (number, indent.index("\t") + 1), line=number)
    # A quote left open swallows the lines after it; the parser stumbles later, or at the end.
    opened = _unclosed_quote(lines, line or len(lines))
    if opened is not None:
        return made("yaml.unclosed-quote", opened, quote=source(opened[0])[opened[1] - 1])
    if "flow sequence" in context or "flow mapping" in context:
        closer = "]" if "sequence" in context else "}"
        return made("yaml.unclosed-flow", _pos(exc.context_mark), closer=closer)
    if "flow node" in context:  # the file ended (or a key came) inside an open [ or {
        opener = _unclosed_bracket(lines, line or len(lines))
        if opener is not None:
            closer = "]" if source(opener[0])[opener[1] - 1] == "[" else "}"
            return made("yaml.unclosed-flow", opener, closer=closer)
    if "mapping values are not allowed" in problem and line is not None and col is not None:
        here = source(line)
        first_colon = here.find(": ")
        if 0 <= first_colon < col - 1:  # a key and its value came first: the colon is inside the text
            key = here[:first_colon].strip().removeprefix("- ").strip()
            value = here[first_colon + 2 :].strip().replace('"', '\\"')
            return made("yaml.colon-in-text", (line, first_colon + 3), key=key, value=value)
        return made("yaml.indent", (line, _indent_col(here)), line=line, other=_previous_line(lines, line))
    if problem.startswith(("did not find expected key", "did not find expected '-'", "expected <block end>")):
        bad = exc.problem_mark.line + 1 if exc.problem_mark is not None else line
        return made("yaml.indent", (bad, _indent_col(source(bad))), line=bad, other=_previous_line(lines, bad))
    detail = " ".join(part for part in (context, problem) if part)
    return made("yaml.other", (line, col), detail=detail)


_QUOTED_VALUE = re.compile(r"""^\s*(?:-\s+)?(?:[^\s"'#][^:#]*:\s+)?(["'])""")


def _unclosed_quote(lines: list[str], upto: int) -> tuple[int, int] | None:
    """Line and column of the first value that opens a quote and does not close it on its line."""
    for number, text in enumerate(lines[:upto], start=1):
        match = _QUOTED_VALUE.match(text)
        if not match:
            continue
        quote, rest = match.group(1), text[match.end() :]
        if quote == '"':
            closed = re.search(r'(?<!\\)(?:\\\\)*"', rest) is not None
        else:
            closed = "'" in rest.replace("''", "")
        if not closed:
            return number, match.start(1) + 1
    return None


def _unclosed_bracket(lines: list[str], upto: int) -> tuple[int, int] | None:
    """Line and column of the last ``[`` or ``{`` left open in the first ``upto`` lines (quotes and
    comments skipped)."""
    open_at: list[tuple[int, int]] = []
    for number, text in enumerate(lines[:upto], start=1):
        quote = ""
        for column, ch in enumerate(text, start=1):
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "\"'":
                quote = ch
            elif ch == "#" and (column == 1 or text[column - 2] in " \t"):
                break
            elif ch in "[{":
                open_at.append((number, column))
            elif ch in "]}" and open_at:
                open_at.pop()
    return open_at[-1] if open_at else None


def _indent_col(line: str) -> int:
    return len(line) - len(line.lstrip(" ")) + 1


def _previous_line(lines: list[str], number: int | None) -> int:
    """The nearest line above ``number`` that holds something (its indentation is the one to match)."""
    n = (number or 1) - 1
    while n > 1 and not lines[n - 1].strip():
        n -= 1
    return max(n, 1)


def kind_of(node: Node) -> str:
    """A short description of what a node is, for messages."""
    if isinstance(node, Map):
        return render("type.mapping")
    if isinstance(node, Seq):
        return render("type.list")
    if node.is_null:
        return render("type.null")
    return f"'{node.text}'"
