"""Evidence that can be checked: the citations of every criterion, their checks, and the document index.

Citations are parsed per criterion from all its evidence items read as one cell (so "5912 b1" on
the line after "PA 5912" keeps its type), each kept with the item it stands in, for its location.
"""

from __future__ import annotations

import datetime
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from cchc.evidence.citations import BLANK, Answers, Citation, is_valid_date, parse_evidence, parse_items
from cchc.messages import render
from cchc.problems import Problem
from cchc.scorecard.load import Locations, Where
from cchc.scorecard.model import Criterion, EvidenceRef, Scorecard, iter_criteria
from cchc.scorecard.numbers import format_points
from cchc.scorecard.reader import Map, Node, Seq
from cchc.text import fold

if TYPE_CHECKING:
    from pathlib import Path

_REPORT_DATE = re.compile(r"ngày\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})", re.I)
#: Longest citation text quoted in a message.
_QUOTE = 70


class Cited(NamedTuple):
    """One citation, the criterion whose evidence holds it, and the item it stands in.

    ``round`` is None for the criterion's own evidence; for supplementary evidence sent with a
    reply to the council (tài liệu bổ sung) it is the index of that appraisal entry. A named tuple,
    as `Citation` is: a card has about a thousand.
    """

    citation: Citation
    node: Criterion
    item: int
    text: str  # the citation as written (its span in the item)
    #: Where the criterion stands in its file.
    where: Where
    round: int | None = None

    @property
    def evidence(self) -> list[str | EvidenceRef]:
        """The evidence list holding the item: the criterion's own or an appraisal entry's."""
        if self.round is None:
            return self.node.evidence
        return self.node.appraisal[self.round].evidence

    @property
    def source(self) -> str | EvidenceRef:
        """The evidence item the citation stands in."""
        return self.evidence[self.item]

    def _items(self) -> tuple[Node | None, tuple[int, int]]:
        """The YAML sequence of the item's evidence list, and where to point when it is unknown."""
        here = self.where
        if self.round is None:
            entry = here.entries.get("evidence")
            return (entry[1] if entry else None), here.at("evidence")
        rounds = here.entries.get("appraisal")
        fallback = here.at("appraisal")
        if not rounds or not isinstance(rounds[1], Seq) or self.round >= len(rounds[1].items):
            return None, fallback
        entry_map = rounds[1].items[self.round]
        if not isinstance(entry_map, Map):
            return None, fallback
        found = entry_map.entries.get("evidence")
        return (found[1] if found else None), (entry_map.line, entry_map.column)

    def location(self) -> tuple[int, int]:
        """Line and column of the evidence item (of the criterion, or its entry, when unknown)."""
        items, fallback = self._items()
        if isinstance(items, Seq) and self.item < len(items.items):
            item = items.items[self.item]
            return item.line, item.column
        return fallback

    @property
    def path(self) -> str:
        """The item's path in the file (``criteria[0].appraisal[1].evidence[0]``)."""
        inner = "evidence" if self.round is None else f"appraisal[{self.round}].evidence"
        return f"{self.where.path}.{inner}[{self.item}]" if self.where.path else f"{inner}[{self.item}]"

    def quote(self) -> str:
        """The citation as written, shortened for a message."""
        return self.text if len(self.text) <= _QUOTE else self.text[: _QUOTE - 1] + "…"

    def problem(self, code: str, /, **args: Any) -> Problem:
        """A problem at this citation's evidence item."""
        line, column = self.location()
        return Problem(code, self.where.file, line, column, self.path, args)


#: `Cited(...)` from a tuple of its fields, as `citations._citation`.
_cited = tuple.__new__


def evidence_texts(node: Criterion) -> list[str]:
    """The evidence items of a node as one line of text each."""
    return [str(item) for item in node.evidence]


def _ref_date(text: str | None) -> tuple[tuple[int, int, int] | None, str | None]:
    """(day, month, year) of a mapping's date, written 30/12/2020 or 2020-12-30."""
    if not text:
        return None, None
    text = text.strip()
    if "-" in text:
        year, month, day = (int(p) for p in text.split("-"))
    else:
        day, month, year = (int(p) for p in text.split("/"))
    return (day, month, year), text


def _ref_citations(ref: EvidenceRef) -> list[Citation]:
    """The citation a mapping item makes: its fields say what the parser would have to guess."""
    found = parse_evidence(ref.doc) if ref.doc else []
    date, date_text = _ref_date(ref.date)
    base = found[0] if found else BLANK
    kind = base.kind if found else ("file" if ref.file else "url" if ref.url else "document")
    doc_text = ref.doc or ref.file or ref.url or ref.title or ""
    return [
        base._replace(
            date=date or base.date,
            date_text=date_text or base.date_text,
            subject=ref.title or base.subject,
            kind=kind,
            start=0,
            end=len(doc_text),
        )
    ]


def _cited_items(
    node: Criterion, evidence: list[str | EvidenceRef], here: Where, round_index: int | None, seen: Answers | None
) -> list[Cited]:
    """The citations of one evidence list, read as one cell, in order."""
    if not evidence:
        return []
    items = [item if isinstance(item, str) else "" for item in evidence]
    found = [
        _cited(Cited, (citation, node, index, items[index][citation.start : citation.end], here, round_index))
        for index, citation in parse_items(items, seen)
    ]
    # A mapping item stands as "" in `items`: without one, there is no mapping to look for.
    refs = [(i, item) for i, item in enumerate(evidence) if isinstance(item, EvidenceRef)] if "" in items else []
    for index, item in refs:
        found.extend(
            Cited(c, node, index, item.doc or item.file or item.url or item.title or "", here, round_index)
            for c in _ref_citations(item)
        )
    if refs:
        found.sort(key=lambda c: (c.item, c.citation.start))
    return found


def cited_in(node: Criterion, here: Where, seen: Answers | None = None) -> list[Cited]:
    """Every citation in one criterion's evidence, then in the supplementary evidence of each
    appraisal round, in order.

    Text items are read as one cell (a bare "5912 b1" after "PA 5912" keeps its type); a mapping
    item gives its own citation. A citation's span lies within its item. ``seen``: see `parse_items`.
    """
    found = _cited_items(node, node.evidence, here, None, seen)
    for index, entry in enumerate(node.appraisal):
        found.extend(_cited_items(node, entry.evidence, here, index, seen))
    return found


def all_cited(card: Scorecard, where: Locations | None = None) -> list[Cited]:
    """Every citation of the scorecard, in table order (located when ``where`` is given)."""
    where = where or Locations("<memory>")
    seen: Answers = {}
    return [c for node, _, _ in iter_criteria(card.criteria) for c in cited_in(node, where(node), seen)]


def report_date(card: Scorecard) -> datetime.date | None:
    """The date of the report the table is attached to ("... ngày 25/12/2021"), if written."""
    match = _REPORT_DATE.search(card.report or "")
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    return datetime.date(year, month, day) if is_valid_date((day, month, year)) else None


def _date_text(date: tuple[int, int, int]) -> str:
    return f"{date[0]:02}/{date[1]:02}/{date[2]}"


def _date_problem(date: tuple[int, int, int], reported: datetime.date | None, years: tuple[int, int]) -> str | None:
    """The code of what is wrong with a cited date, if anything."""
    if not is_valid_date(date):
        return "evidence-bad-date"
    if reported is not None and datetime.date(date[2], date[1], date[0]) > reported:
        return "evidence-date-late"
    return "evidence-date-range" if date[2] not in years else None


def check_dates(card: Scorecard, cited: list[Cited]) -> Iterator[Problem]:
    """Impossible dates; dates after the report; dates outside the year and the year before."""
    reported = report_date(card)
    years = (card.year, card.year - 1)
    codes: dict[tuple[int, int, int], str | None] = {}  # judged once per date: a card cites few
    for c in cited:
        date = c.citation.date
        if date is None:
            continue
        code = codes.get(date, "")
        if code == "":
            code = codes[date] = _date_problem(date, reported, years)
        if code is None:
            continue
        if code == "evidence-bad-date":
            yield c.problem(code, date=c.citation.date_text or _date_text(date), doc=c.quote())
        elif code == "evidence-date-late":
            assert reported is not None
            yield c.problem(code, date=_date_text(date), doc=c.quote(), report_date=reported.strftime("%d/%m/%Y"))
        else:
            yield c.problem(code, date=_date_text(date), doc=c.quote(), year=card.year, previous=card.year - 1)


def check_type_words(cited: list[Cited]) -> Iterator[Problem]:
    """A type word that contradicts the code in the symbol ("Báo cáo số 05/KH-UBND")."""
    for c in cited:
        cit = c.citation
        if cit.type_word and cit.code_type and cit.doc_type and cit.doc_type != cit.code_type:
            yield c.problem("evidence-type-conflict", doc=c.quote(), word=cit.type_word, code=cit.code_type)


@dataclass
class Document:
    """One cited document and every place that cites it."""

    doc_type: str | None
    number: str | None
    issuer: str | None = None
    year: int | None = None
    cited: list[Cited] = field(default_factory=list)

    def accepts(self, c: Citation) -> bool:
        """Same type and number, and no written issuer or year that tells them apart."""
        return (self.issuer is None or c.issuer is None or self.issuer == c.issuer) and (
            self.year is None or c.year is None or self.year == c.year
        )

    def add(self, c: Cited) -> None:
        """Record one more citation of this document."""
        self.cited.append(c)
        self.issuer = self.issuer or c.citation.issuer
        self.year = self.year or c.citation.year

    @property
    def criteria(self) -> list[str]:
        """Ids of the criteria citing it, once each, in table order."""
        return list(dict.fromkeys(c.node.id for c in self.cited))

    @property
    def dates(self) -> list[tuple[int, int, int]]:
        """The distinct valid dates it is cited with, most frequent first."""
        counts = Counter(c.citation.date for c in self.cited if c.citation.date and is_valid_date(c.citation.date))
        return [date for date, _ in counts.most_common()]

    @property
    def subject(self) -> str:
        """The longest subject written next to it (the most telling one)."""
        return max((c.citation.subject for c in self.cited), key=len, default="")

    @property
    def label(self) -> str:
        """``BC 1467/UBND``-like label; the text itself for an unnumbered file or link."""
        if self.number is None:
            return self.cited[0].text
        parts = [self.doc_type or "", self.number]
        label = " ".join(p for p in parts if p)
        if self.year:
            label += f"/{self.year}"
        if self.issuer:
            label += f"/{self.issuer}"
        return label

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "label": self.label,
            "type": self.doc_type,
            "number": self.number,
            "issuer": self.issuer,
            "year": self.year,
            "dates": [_date_text(d) for d in self.dates],
            "subject": self.subject,
            "kind": self.cited[0].citation.kind,
            "criteria": self.criteria,
            "citations": len(self.cited),
        }


def _comparable(text: str) -> str:
    """A name or citation as it is matched: folded (see cchc.text.fold), without surrounding spaces."""
    return fold(text).strip()


def index_documents(cited: list[Cited]) -> list[Document]:
    """Group citations into documents, most-cited (by number of criteria) first."""
    documents = group_documents(cited)
    documents.sort(
        key=lambda d: (
            -len(d.criteria),
            d.doc_type or "~",
            int(d.number or 0) if (d.number or "").isdigit() else 0,
            d.label,
        )
    )
    return documents


def group_documents(cited: list[Cited]) -> list[Document]:
    """Group citations into documents, in the order they are first cited."""
    documents: list[Document] = []
    by_key: dict[tuple[Any, ...], list[Document]] = {}
    for c in cited:
        cit = c.citation
        key: tuple[Any, ...] = (cit.doc_type, cit.number) if cit.number is not None else ("text", _comparable(c.text))
        candidates = by_key.get(key)
        if candidates is None:
            candidates = by_key[key] = []
        for doc in candidates:
            if doc.accepts(cit):
                break
        else:
            doc = Document(cit.doc_type, cit.number)
            candidates.append(doc)
            documents.append(doc)
        doc.add(c)
    return documents


def index_row(doc: Document) -> tuple[str, str, str, str, str, int]:
    """One row of the index as ``cchc evidence`` and the workbook show it: type (or the kind of an
    unnumbered citation: file, url, document), number, dates, subject (the citation itself when it
    has no number), the criteria citing it and how many they are."""
    dates = ", ".join(_date_text(d) for d in doc.dates)
    subject = doc.subject if doc.number is not None else doc.label
    return (
        doc.doc_type or doc.cited[0].citation.kind,
        doc.number or "",
        dates,
        subject,
        ", ".join(doc.criteria),
        len(doc.criteria),
    )


def dated_differently(cited: list[Cited]) -> list[Cited]:
    """The citations whose type and number are cited somewhere with two different dates, in order.

    Only their documents can be in conflict, and a document holds only citations of one type and
    number, so `check_date_conflicts` of their documents is that of every document; grouping the
    others (most of a card, some needing the fold of their text) would be wasted.
    """
    first: dict[tuple[str | None, str], tuple[int, int, int]] = {}
    twice: set[tuple[str | None, str]] = set()
    for c in cited:
        cit = c.citation
        if cit.number is None or cit.date is None:
            continue
        key = (cit.doc_type, cit.number)
        if first.setdefault(key, cit.date) != cit.date:
            twice.add(key)
    if not twice:
        return []
    return [c for c in cited if c.citation.number is not None and (c.citation.doc_type, c.citation.number) in twice]


def check_date_conflicts(documents: list[Document]) -> Iterator[Problem]:
    """The same document cited with two different dates anywhere in the file."""
    valid: dict[tuple[int, int, int], bool] = {}  # a card cites few distinct dates
    for doc in documents:
        if doc.number is None or len(doc.cited) < 2:
            continue  # one citation cannot conflict with itself
        first: Cited | None = None
        reported: set[tuple[int, int, int]] = set()
        for c in doc.cited:
            date = c.citation.date
            if date is None:
                continue
            ok = valid.get(date)
            if ok is None:
                ok = valid[date] = is_valid_date(date)
            if not ok:
                continue
            if first is None:
                first = c
                reported.add(date)
            elif date not in reported:
                reported.add(date)
                assert first.citation.date is not None
                yield c.problem(
                    "evidence-date-conflict",
                    doc=doc.label,
                    date=_date_text(date),
                    other=_date_text(first.citation.date),
                    other_line=first.location()[0],
                )


def check_recognised(
    card: Scorecard,
    cited: list[Cited],
    where: Locations,
    nodes: Iterable[tuple[Criterion, int, Criterion | None]] | None = None,
) -> Iterator[Problem]:
    """A scored criterion whose evidence holds no recognisable citation and that has no note
    (``nodes``: the card's `iter_criteria`, when the caller has walked it already)."""
    # Only the criterion's own evidence backs its self score; supplementary evidence came later.
    recognised = {
        id(c.node)
        for c in cited
        if c.round is None and (c.citation.number is not None or c.citation.kind != "document")
    }
    for node, _, parent in iter_criteria(card.criteria) if nodes is None else nodes:
        if parent is not None and parent.split_unknown:
            continue
        if not (node.is_leaf or node.split_unknown) or not node.score or node.survey or node.note:
            continue
        if not node.evidence:
            continue  # no evidence at all: the no-evidence check speaks
        if id(node) not in recognised and not any(id(child) in recognised for child in node.children):
            here = where(node)
            line, column = here.at("evidence")
            yield Problem(
                "evidence-unrecognised",
                here.file,
                line,
                column,
                f"{here.path}.evidence",
                {"id": node.id, "score": format_points(node.score)},
            )


def _files_in(folder: Path) -> list[Path]:
    from pathlib import Path  # only with --evidence-dir: not paid at every start

    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root, f).relative_to(folder) for f in sorted(files) if not f.startswith("."))
    return found


def check_evidence_dir(card: Scorecard, cited: list[Cited], folder: Path, where: Locations) -> Iterator[Problem]:
    """Cited files missing from ``folder`` (closest name suggested) and files nobody cites."""
    import difflib
    from pathlib import Path

    present = _files_in(folder)
    folded = {_comparable(p.as_posix()): p for p in present}
    used: set[Path] = set()
    for c in cited:
        item = c.source
        if isinstance(item, EvidenceRef):
            if not item.file:
                continue
            name = item.file.strip()
        elif c.citation.kind == "file":
            name = c.text.strip()
        else:
            continue
        if (folder / name).is_file():
            used.add(Path(name))
            continue
        close = difflib.get_close_matches(_comparable(name), list(folded), n=1, cutoff=0.6)
        if close:
            used.add(folded[close[0]])
        yield c.problem(
            "evidence-file-missing",
            name=name,
            folder=str(folder),
            suggestion=_suggestion(folded[close[0]].as_posix()) if close else "",
        )
    # Short forms without an extension ("CV 1103 sau ktra") may name a file by its stem.
    texts = {_comparable(text) for node, _, _ in iter_criteria(card.criteria) for text in evidence_texts(node)}
    texts |= {
        _comparable(str(item))
        for node, _, _ in iter_criteria(card.criteria)
        for entry in node.appraisal
        for item in entry.evidence
    }
    texts |= {_comparable(c.text) for c in cited}
    here = where(card)
    for path in present:
        if path in used or _comparable(path.as_posix()) in texts or _comparable(path.stem) in texts:
            continue
        yield Problem(
            "evidence-file-unused", here.file, None, None, "", {"name": path.as_posix(), "folder": str(folder)}
        )


def _suggestion(name: str) -> str:
    return render("suggest-file", name=name)
