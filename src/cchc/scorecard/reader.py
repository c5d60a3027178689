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

from dataclasses import dataclass, field
from typing import Union

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


Node = Union[Scalar, Seq, Map]


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
                problems.append(Problem("wrong-type", file, line, col, args={
                    "field": "key", "expected": render("type.text"), "got": kind_of(node)}))
                node = Scalar("?", True, line, col)
            stack[-1] = (container, node)
        else:
            previous = container.entries.get(pending.text)
            if previous is not None:
                problems.append(Problem("duplicate-key", file, pending.line, pending.column,
                                        args={"key": pending.text, "first_line": previous[0].line}))
            else:
                container.entries[pending.text] = (pending, node)
            stack[-1] = (container, None)

    # The loop runs once per event, tens of thousands of times per file: it tests the event's exact
    # class (the parser makes no subclasses), most frequent first, and reads marks directly.
    scalar_event, seq_start, map_start = yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent
    seq_end, map_end, alias_event = yaml.SequenceEndEvent, yaml.MappingEndEvent, yaml.AliasEvent
    get_event = loader.get_event
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
        line, col = _pos(exc.problem_mark or exc.context_mark)
        detail = " ".join(part for part in (exc.context, exc.problem) if part)
        problems.append(Problem("yaml-syntax", file, line, col, args={"detail": detail}))
        return Parsed(None, problems)
    except yaml.YAMLError as exc:
        problems.append(Problem("yaml-syntax", file, None, None, args={"detail": str(exc)}))
        return Parsed(None, problems)
    finally:
        loader.dispose()
    return Parsed(root, problems)


def kind_of(node: Node) -> str:
    """A short description of what a node is, for messages."""
    if isinstance(node, Map):
        return render("type.mapping")
    if isinstance(node, Seq):
        return render("type.list")
    if node.is_null:
        return render("type.null")
    return f"'{node.text}'"
