"""The scorecard in memory: plain classes that every part of cchc reads and writes.

The format itself is defined by the Pydantic models in `cchc.scorecard.spec`, its single source: the
JSON Schema is generated from them, and values that a quick look cannot accept are validated and
explained by them. These classes hold what was read, with the same fields, names, order and
defaults (a test fails when the two drift apart). They import nothing heavy, so that `cchc validate`
starts in a few tens of milliseconds: Pydantic is imported only when a file has a problem to explain.

A scorecard is a tree: fields (lĩnh vực) at the top, criteria (tiêu chí) and sub-criteria (tiêu chí
thành phần) below. Leaves carry the points; a node with children declares totals that are checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, ClassVar

#: Labels of the parts of an evidence mapping written as one line (export, import, messages).
REF_LABELS: dict[str, str] = {"date": "ngày", "title": "trích yếu", "file": "tệp", "pages": "trang",
                              "url": "url"}

#: A date as officers write it (30/12/2020) or as ISO (2020-12-30), as `cchc.scorecard.spec` defines it.
DATE_PATTERN = r"^\s*(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})\s*$"
# The dates accepted without asking the spec: its pattern with ASCII digits and spaces only, which
# Python's and Pydantic's regex engines read alike.
_PLAIN_DATE = re.compile(r" *(?:[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2}) *")


@dataclass(kw_only=True)
class EvidenceRef:
    """An evidence item written precisely: which document, its date, subject, file and pages."""

    doc: str | None = None
    date: str | None = None
    title: str | None = None
    file: str | None = None
    pages: str | None = None
    url: str | None = None

    def __str__(self) -> str:
        """One line: the document ("-" if none), then the labelled parts ("… | ngày: 30/12/2020 | tệp: …")."""
        parts = [self.doc or "-"]
        parts += [f"{REF_LABELS[name]}: {getattr(self, name)}" for name in REF_LABELS if getattr(self, name)]
        return " | ".join(parts)

    def to_dict(self) -> dict[str, str]:
        """The parts that are set, as the YAML mapping writes them."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


def ref_from_parts(parts: dict[str, Any]) -> EvidenceRef | None:
    """An evidence mapping from its parts, when the spec surely accepts them as they are: known
    parts, each text or empty, a plain date, something naming the document (doc, title, file or
    url). None means "ask the spec", which accepts or explains."""
    if not parts.keys() <= _REF_FIELDS:
        return None
    for value in parts.values():
        if value is not None and type(value) is not str:
            return None
    date = parts.get("date")
    if date is not None and not _PLAIN_DATE.fullmatch(date):
        return None
    if not (parts.get("doc") or parts.get("title") or parts.get("file") or parts.get("url")):
        return None
    return EvidenceRef(**parts)


#: The parts of an evidence mapping, in the format's order.
REF_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(EvidenceRef))
_REF_FIELDS = frozenset(REF_FIELDS)


def evidence_item(text: str) -> str | EvidenceRef:
    """Read back a line written by ``str(EvidenceRef)``; any other text stays text."""
    parts = [part.strip() for part in text.split(" | ")]
    if len(parts) < 2:
        return text
    labels = {label: name for name, label in REF_LABELS.items()}
    found: dict[str, str | None] = {}
    for i, part in enumerate(parts):
        label, sep, value = part.partition(": ")
        if sep and label in labels and labels[label] not in found:
            found[labels[label]] = value
        elif i == 0:
            if part != "-":
                found["doc"] = part
        else:
            return text
    ref = ref_from_parts(found)
    if ref is None:
        from cchc.scorecard.spec import checked_ref  # Pydantic decides the unusual cases

        ref = checked_ref(found)
    return text if ref is None else ref


@dataclass(kw_only=True)
class Criterion:
    """A field, criterion or sub-criterion (one row of the form)."""

    id: str
    tt: str | None = None
    title: str
    max: Decimal | None = None
    score: Decimal | None = None
    split_unknown: bool = False
    survey: bool = False
    evidence: list[str | EvidenceRef] = field(default_factory=list)
    note: str | None = None
    children: list[Criterion] = field(default_factory=list)

    # Where the node stands in its file; set by the loader, not part of the format or of equality.
    _where: ClassVar[Any] = None

    @property
    def is_leaf(self) -> bool:
        """No children: the points are its own."""
        return not self.children


@dataclass(kw_only=True)
class Scorecard:
    """One unit's scorecard for one year."""

    unit: str
    year: int
    level: str | None = None
    title: str | None = None
    report: str | None = None
    max: Decimal | None = None
    score: Decimal | None = None
    criteria: list[Criterion]

    _where: ClassVar[Any] = None


def iter_criteria(nodes: list[Criterion], depth: int = 1,
                  parent: Criterion | None = None) -> Iterator[tuple[Criterion, int, Criterion | None]]:
    """Every criterion below ``nodes`` with its depth and parent, in table order (no recursion)."""
    stack: list[tuple[Criterion, int, Criterion | None]] = [(n, depth, parent) for n in reversed(nodes)]
    while stack:
        node, level, up = stack.pop()
        yield node, level, up
        stack.extend((child, level + 1, node) for child in reversed(node.children))
