"""What every check is given: the scorecard, its recomputed rows, its locations, the citations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from cchc.evidence.cited import Cited, all_cited
from cchc.messages import render
from cchc.problems import Problem
from cchc.scorecard.load import Locations
from cchc.scorecard.model import Criterion, Scorecard, iter_criteria
from cchc.scorecard.rollup import Row
from cchc.scorecard.terms import Terms

if TYPE_CHECKING:
    from pathlib import Path

    from cchc.checks.sets import CardSet


@dataclass
class Context:
    """What every check may look at: the scorecard, its recomputed rows, the citations."""

    card: Scorecard
    root: Row
    #: Where each node stands in the file.
    where: Locations
    #: Folder holding the evidence files, when the user gave one (--evidence-dir).
    evidence_dir: Path | None = None
    #: The criteria set the card is checked against (none, or why there is none).
    card_set: CardSet | None = None
    #: The terms the card is scored under (its set's, else the defaults).
    terms: Terms = field(default_factory=Terms)

    @cached_property
    def _rows(self) -> dict[int, Row]:
        return {id(row.node): row for row in self.root.walk() if row.node is not None}

    def row_of(self, node: Criterion) -> Row | None:
        """The recomputed row of ``node``."""
        return self._rows.get(id(node))

    @cached_property
    def cited(self) -> list[Cited]:
        """Every citation in the evidence, parsed once for all the evidence checks."""
        return all_cited(self.card, self.where)

    @cached_property
    def _nodes(self) -> list[tuple[Criterion, int, Criterion | None]]:
        # Walked once: every check walks the whole tree, some of them several times.
        return list(iter_criteria(self.card.criteria))

    def nodes(self) -> Iterator[tuple[Criterion, int, Criterion | None]]:
        """Every criterion with its depth and parent, in table order."""
        return iter(self._nodes)

    def unreadable(self, node: Criterion | Scorecard, name: str) -> bool:
        """True when ``name`` was written on ``node`` but could not be read (already reported)."""
        return name in self.where(node).refused

    @cached_property
    def unreadable_below(self) -> dict[str, set[int]]:
        """For "max" and "score": the ids (``id()``) of the nodes, and of the card, whose subtree holds
        a value of that name that could not be read; their sums are unknown, not wrong."""
        found: dict[str, set[int]] = {"max": set(), "score": set()}
        for node, _, _ in self.nodes():
            for name, holders in found.items():
                if self.unreadable(node, name):
                    holders.add(id(node))
        # Parents after children: walk the table order backwards, passing marks up.
        parents = {id(node): parent for node, _, parent in self.nodes()}
        for node, _, _ in reversed(list(self.nodes())):
            for holders in found.values():
                if id(node) in holders:
                    parent = parents[id(node)]
                    holders.add(id(parent) if parent is not None else id(self.card))
        return found

    @cached_property
    def appraised(self) -> bool:
        """Whether the card, or any of its criteria, holds an appraisal round (most cards have none)."""
        return bool(self.card.appraisal) or any(node.appraisal for node, _, _ in self.nodes())

    def in_split_group(self, parent: Criterion | None) -> bool:
        """True for the children of a ``split_unknown`` group (they carry no points)."""
        return parent is not None and parent.split_unknown


def label(node: Criterion | Scorecard) -> str:
    """How a message names a criterion, or the whole table."""
    return render("label.criterion", id=node.id) if isinstance(node, Criterion) else render("label.total")


#: A check: yields the problems it finds, located through ``ctx.where``.
Check = Callable[[Context], Iterator[Problem]]
