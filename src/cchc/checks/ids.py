"""The id checks, written once for the criteria of a card and of a criteria set: every id once, each
child's id under its parent's."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from cchc.problems import Problem
from cchc.scorecard.criteria_set import SetCriterion
from cchc.scorecard.load import Where
from cchc.scorecard.model import Criterion


def _known_prefix(node_id: str) -> str:
    """The part of an id before its first unknown ("?") segment: "1.?" -> "1"."""
    parts = []
    for part in node_id.split("."):
        if part.strip() == "?":
            break
        parts.append(part)
    return ".".join(parts)


#: A node of a card or of a criteria set, as the id checks see it, and how to locate one.
AnyNode = Criterion | SetCriterion
Locate = Callable[[Any], Where]


def duplicate_ids(nodes: Iterable[tuple[AnyNode, int, AnyNode | None]], where: Locate) -> Iterator[Problem]:
    """Every id once in the whole tree (of a card or of a set)."""
    first: dict[str, AnyNode] = {}
    for node, _, _ in nodes:
        if node.id in first:
            yield where(node).problem("duplicate-id", "id", id=node.id, first_line=where(first[node.id]).at("id")[0])
        else:
            first[node.id] = node


def ids_not_under_parent(nodes: Iterable[tuple[AnyNode, int, AnyNode | None]], where: Locate) -> Iterator[Problem]:
    """A child's id starts with its parent's known id ("1.2.3" under "1.2"; anything under "1.?" of "1")."""
    for node, _, parent in nodes:
        if parent is None:
            continue
        prefix = _known_prefix(parent.id)
        if prefix and not node.id.startswith(prefix + "."):
            yield where(node).problem("id-not-under-parent", "id", id=node.id, parent=parent.id)
