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
    # A scalar is read in place (``is_null``, spelt out): most nodes are scalars under a collection.
    if isinstance(node, Map):
        return {
            key: (None if value.plain and value.text in NULLS else value.text)
            if isinstance(value, Scalar)
            else to_plain(value)
            for key, (_, value) in node.entries.items()
        }
    if isinstance(node, Seq):
        return [
            (None if item.plain and item.text in NULLS else item.text) if isinstance(item, Scalar) else to_plain(item)
            for item in node.items
        ]
    return None if node.plain and node.text in NULLS else node.text


def parse(text: str, file: str, encoded: bytes | None = None) -> Parsed:
    """Read one YAML document from ``text``; syntax errors become problems with a location.

    ``encoded`` is the same document as UTF-8 without a byte order mark, when the caller has it
    (a file as read): the parser reads that instead of encoding ``text`` again.
    """
    problems: list[Problem] = []
    loader = _Loader(text if encoded is None else encoded)
    # The loop runs once per event, thousands of times per file, so the collection being filled is
    # held in locals: its items (a sequence) or its entries (a mapping) and, in a mapping, the key
    # read and waiting for its value. ``stack`` keeps the enclosing collections with their waiting
    # keys. The document itself is filled like a sequence: its one item is the root.
    top: list[Node] = []
    stack: list[tuple[Seq | Map | None, Scalar | None]] = []
    container: Seq | Map | None = None
    items: list[Node] = top
    entries: dict[str, tuple[Scalar, Node]] = {}
    in_map = False
    pending: Scalar | None = None
    documents = 0
    node: Node
    pair: tuple[Scalar, Node]

    # Events are told apart by their exact class (the parser makes no subclasses), most frequent
    # first; libyaml's events are untyped, hence Any.
    scalar_event, seq_start, map_start = yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent
    seq_end, map_end, alias_event = yaml.SequenceEndEvent, yaml.MappingEndEvent, yaml.AliasEvent
    get_event: Callable[[], Any] = loader.get_event
    try:
        while True:
            event = get_event()
            cls = event.__class__
            if cls is scalar_event:
                mark = event.start_mark
                tag = event.tag
                if tag is None:
                    node = Scalar(event.value, event.implicit[0], mark.line + 1, mark.column + 1)
                elif tag == "!" or tag == _STR_TAG:
                    node = Scalar(event.value, False, mark.line + 1, mark.column + 1)
                else:
                    node = _refused(problems, "yaml-tag", file, mark, tag=tag)
            elif cls is map_start or cls is seq_start:
                mark = event.start_mark
                tag = event.tag
                if (tag is None or tag == "!" or tag == _STR_TAG) and len(stack) < MAX_DEPTH:
                    stack.append((container, pending))
                    if cls is map_start:
                        entries = {}
                        container, in_map, pending = Map(entries, mark.line + 1, mark.column + 1), True, None
                    else:
                        items = []
                        container, in_map = Seq(items, mark.line + 1, mark.column + 1), False
                    continue
                if tag is not None and tag != "!" and tag != _STR_TAG:
                    node = _refused(problems, "yaml-tag", file, mark, tag=tag)
                else:
                    node = _refused(problems, "yaml-depth", file, mark, limit=MAX_DEPTH)
                # Refused whole: its inside is read past unseen, and one stand-in takes its place.
                depth = 1
                while depth:
                    inside = get_event().__class__
                    if inside is map_start or inside is seq_start:
                        depth += 1
                    elif inside is map_end or inside is seq_end:
                        depth -= 1
            elif cls is map_end or cls is seq_end:
                assert container is not None
                node = container
                container, pending = stack.pop()
                if container is None:
                    items, in_map = top, False
                elif isinstance(container, Map):
                    entries, in_map = container.entries, True
                else:
                    items, in_map = container.items, False
            elif cls is alias_event:
                node = _refused(problems, "yaml-alias", file, event.start_mark, name=event.anchor)
            elif event is None or cls is yaml.StreamEndEvent:
                break
            elif cls is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    mark = event.start_mark
                    problems.append(Problem("yaml-multi-document", file, mark.line + 1, mark.column + 1))
                    break
                continue
            else:
                continue
            # A node is complete: it is a sequence's item (or the root), a mapping's key or its value.
            if not in_map:
                items.append(node)
            elif pending is None:
                if not isinstance(node, Scalar):
                    problems.append(
                        Problem(
                            "wrong-type",
                            file,
                            node.line,
                            node.column,
                            args={"field": "key", "expected": render("type.text"), "got": kind_of(node)},
                        )
                    )
                    node = Scalar("?", True, node.line, node.column)
                pending = node
            else:
                pair = (pending, node)
                if entries.setdefault(pending.text, pair) is not pair:
                    problems.append(_duplicate(file, pending, entries[pending.text][0]))
                pending = None
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
    return Parsed(top[0] if top else None, problems)


def _refused(problems: list[Problem], code: str, file: str, mark: yaml.Mark, **args: Any) -> Scalar:
    """Report a node that is not read (an alias, a tag, too deep) and give the stand-in for it."""
    line, column = mark.line + 1, mark.column + 1
    problems.append(Problem(code, file, line, column, args=args))
    return Scalar("", True, line, column, refused=True)


def _duplicate(file: str, key: Scalar, first: Scalar) -> Problem:
    """A key written a second time in one mapping, with the line of the first."""
    return Problem("duplicate-key", file, key.line, key.column, args={"key": key.text, "first_line": first.line})


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
