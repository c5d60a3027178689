"""Reading the rows of a scoring table (a grid whose header is found) into a scorecard's tree.

- A row's id is read from its name cell ("TCTP 1.1.1. Ban hành", "1.4.1 Kế hoạch", "1.2."), else from
  its TT cell when that holds a criterion's id ("1.1.1"); a field row is a row numbered I-VIII (in TT
  or before its name), or numbered 1-8 with a name in capitals, or bold in its TT or name cell, or in
  a table whose TT column holds ids. The TT column is kept as written (it counts rows through the
  table; Word's automatic numbering is counted too).
- A row with no number and no name continues the criterion above: its points fill the criterion's
  blank points (scores printed on a continuation row), its evidence and notes are appended.
- Merged cells: a cell's content belongs to its first row and column only, so a merged evidence cell
  is never read twice for one criterion; merged down over several criteria it is cited for each (a
  warning names them); a points cell merged over several criteria is a problem.
- Points are exact decimals from the cell's text or number (``3,5``, ``"0,4991"``, 14); an empty cell
  is "not scored", never 0; an unreadable one is a problem that says the number it probably is
  ("O,5", "0,5đ"), except on the survey part's row, where text ("Sở Nội vụ tổ chức điều tra") is
  the part's note.
- The tree is built from the ids: a row goes under the deepest row above whose id is a prefix of its
  own (1.1.1 under 1.1 if there is a row 1.1, else under 1). A node with its own points whose rows
  below carry none is a group known only as a total (``split_unknown``); a field named "Điều tra xã
  hội học" is the survey part.
- The council's columns become ``appraisal``: "Điểm thẩm định" is round 1 and "Điểm thẩm định lần 2" /
  "sau giải trình" round 2 (kept only where it differs or says why), "Ý kiến thẩm định" / "Lý do" that
  round's note, "Giải trình" the unit's reply to round 1; the export's "Ý kiến thẩm định / Giải trình"
  is read back round by round (see cchc.xlsx.layout.appraisal_text).

Nothing is guessed silently: every row that cannot be placed and every cell that cannot be read
becomes a problem with the cell's address, and what was readable is still returned, with the count of
rows read and left out.

A table ``cchc export`` wrote (``Grid.exact``) is read exactly: text verbatim, bold rows are the
fields, and rows the export continued ("(tiếp theo 1.2)", cut lines marked with "…") are joined
back. What the form cannot show (a field's id and the case of its title, declared totals, the
points' precision, ``level``, …) comes from the metadata the export hid in the workbook (see
cchc.xlsx.layout), but only where the visible cells still hold what the export wrote: a cell
someone edited is read as shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from cchc.importers.grid import Cell, CellRef, Grid
from cchc.importers.heading import Header, folded_words, read_top
from cchc.messages import render
from cchc.problems import Problem
from cchc.scorecard.model import (
    FIRST_YEAR,
    Appraisal,
    CardAppraisal,
    Criterion,
    EvidenceRef,
    Scorecard,
    evidence_item,
)
from cchc.scorecard.numbers import NumberError, parse_decimal
from cchc.text import fold
from cchc.xlsx import layout

__all__ = ["PLACEHOLDER_YEAR", "MessagePart", "TableRead", "evidence_lines", "read_table", "roman", "split_name"]

#: Stand-in year when the file does not say it (reported as an error, so it is never taken for real).
PLACEHOLDER_YEAR = FIRST_YEAR


class MessagePart:
    """A piece of a message rendered when the message is, so that a problem follows ``--lang``."""

    def __init__(self, key: str, **args: Any) -> None:
        self.key = key
        self.args = args

    def __format__(self, spec: str) -> str:
        return format(render(self.key, **self.args), spec)

    def __str__(self) -> str:
        return render(self.key, **self.args)

    def __repr__(self) -> str:
        return f"MessagePart({self.key!r}, {self.args!r})"


# --- text -----------------------------------------------------------------------------------------


_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def roman(text: str) -> int | None:
    """``VIII`` -> 8; None when ``text`` is not a roman numeral (I to CC)."""
    t = text.strip().lower()
    if not t or any(ch not in _ROMAN for ch in t):
        return None
    total = 0
    for i, ch in enumerate(t):
        value = _ROMAN[ch]
        total += -value if i + 1 < len(t) and _ROMAN[t[i + 1]] > value else value
    return total if 0 < total <= 200 and _to_roman(total) == t.upper() else None


def _to_roman(n: int) -> str:
    out = []
    for value, sym in (
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def _is_upper(text: str) -> bool:
    """Written in capitals (at least three letters, none in lower case), as forms write field rows."""
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 3 and all(not ch.islower() for ch in letters)


# A bullet people type before a citation: "- ", "-", "• ", "+ ", "– ". Numbered items ("1. BC ...")
# are kept: the number can be part of how the citation was written.
_BULLET = re.compile(r"^(?:[-–—•●▪◦*+]\s*)+(?=\S)")


def evidence_lines(text: str, exact: bool) -> list[str]:
    """One citation per line. Exact: every line as written. Else stripped, bullets and blanks dropped."""
    if exact:
        return text.split("\n") if text else []
    out = []
    for line in text.splitlines():
        line = _BULLET.sub("", line.strip()).strip()
        if line:
            out.append(line)
    return out


# --- ids ------------------------------------------------------------------------------------------

# "TCTP 1.1.1. Title", "TC 1.2: Title", "Tiêu chí 1.3 - Title", "1.4.1 Title", "1.?. Title".
_PREFIX = re.compile(r"(?:tieu chi thanh phan|tieu chi|tctp|tc|linh vuc|lv)\b\.?\s*:?\s*")
_ID = re.compile(r"((?:[0-9]{1,2}|\?)(?:\.(?:[0-9]{1,2}|\?))*)(?:\.|(?=[\s:)\-–]|$))")
_ROMAN_ID = re.compile(r"([IVXLC]+)(?:[.)\-–:]|\s+[-–:])\s*")
_SEPARATOR = re.compile(r"\s*[:)\-–]?\s*")


def split_name(name: str, exact: bool) -> tuple[str | None, str]:
    """(id, title) from a name cell; (None, name) when the cell starts with no id."""
    folded = fold(name, keep_length=True)  # positions found in it are positions in ``name``
    start = len(name) - len(name.lstrip())
    m = _PREFIX.match(folded, start)
    at = m.end() if m else start
    found = _ID.match(name, at)
    if found and (m or found.group(1)[0] in "0123456789" or "." in found.group(1)):
        rest = name[found.end() :]
        if exact:
            # The exporter writes "1.2. Title": exactly one space stands between id and title.
            return found.group(1), rest[1:] if rest.startswith(" ") else rest
        return found.group(1), rest[_SEPARATOR.match(rest).end() :].strip()  # type: ignore[union-attr]
    if not exact:
        rom = _ROMAN_ID.match(name, at)
        if rom and roman(rom.group(1)):
            return str(roman(rom.group(1))), name[rom.end() :].strip()
    return None, name if exact else name.strip()


def _tt(text: str, exact: bool) -> str | None:
    """The TT column as kept: exact, or stripped without the list dot Word adds ("1." -> "1")."""
    if exact:
        return text or None
    text = " ".join(text.split())
    m = re.fullmatch(r"([0-9]+|[IVXLCivxlc]+)\s*[.)]", text)
    if m:
        text = m.group(1)
    return text or None


def _tt_id(tt: str | None) -> str | None:
    """A criterion's id written in the TT column instead of a row number ("1.1.1", "1.2.", "TCTP 1.1"):
    the whole cell is one id with at least two parts. None for a row number ("7") or anything else."""
    if tt is None:
        return None
    node_id, rest = split_name(tt, False)
    return node_id if node_id is not None and "." in node_id and not rest else None


def _field_number(tt: str | None) -> str | None:
    """A field's id from its TT: "VIII" -> "8", "3" -> "3"."""
    if tt is None:
        return None
    if re.fullmatch(r"[0-9]+", tt):
        return str(int(tt))
    value = roman(tt)
    return str(value) if value else None


# --- rows -----------------------------------------------------------------------------------------


@dataclass
class _Draft:
    """A row being read: its own texts, plus what continuation rows add."""

    id: str
    tt: str | None
    title: str
    ref: CellRef
    is_field: bool
    max: Decimal | None = None
    score: Decimal | None = None
    evidence: list[str] = field(default_factory=list)  # raw cell texts, one per row
    notes: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)  # name parts on continuation rows (exact)
    tts: list[str] = field(default_factory=list)  # TT parts on continuation rows (exact)
    children: list[_Draft] = field(default_factory=list)
    parent: _Draft | None = None
    #: The row's hidden metadata (see cchc.xlsx.layout), and the texts of its cells as read, per
    #: column kind over the row and its continuation rows, to tell whether someone changed them.
    meta: dict[str, Any] | None = None
    cells: dict[str, list[str]] = field(default_factory=dict)
    #: The score cell says the criterion does not apply ("Không áp dụng").
    not_applicable: bool = False
    #: The council's points (column kind -> value) and texts (column kind -> one text per row).
    rounds: dict[str, Decimal | None] = field(default_factory=dict)
    council: dict[str, list[str]] = field(default_factory=dict)


class _Parser:
    """Reads the rows of one grid below its header into drafts, then builds the scorecard."""

    def __init__(self, grid: Grid, header: Header, file: str) -> None:
        self.grid = grid
        self.header = header
        self.file = file
        self.exact = grid.exact
        self.problems: list[Problem] = []
        self.drafts: list[_Draft] = []
        self.owner: dict[int, _Draft] = {}  # 1-based row -> the draft read from it
        self.current: _Draft | None = None
        self.total: tuple[Decimal | None, Decimal | None] | None = None
        self.total_draft: _Draft | None = None  # the total row's council's cells
        self.shared_reported: set[int] = set()
        #: Evidence cells merged down over rows of several criteria: id(first cell) -> (that cell,
        #: the criteria it was written for).
        self.shared_evidence: dict[int, tuple[Cell, list[_Draft]]] = {}
        self.fields = 0
        #: Rows read into the tree (a node's own row or a row continuing it), and rows left out.
        self.placed = 0
        self.dropped = 0
        #: The TT column holds the criteria's ids ("1.1.1") rather than row numbers: then a TT "1"
        #: is field 1 whatever the case of its name.
        self.tt_ids = not self.exact and self._tt_holds_ids()
        # The hidden metadata column of a workbook ``cchc export`` wrote, found by its header.
        self.meta_col: int | None = None
        if self.exact:
            heading = grid.rows[header.header_rows[-1]]
            self.meta_col = next((c for c, cell in enumerate(heading) if cell.own_text == layout.HEADER), None)

    def _tt_holds_ids(self) -> bool:
        """TT cells hold a criterion's id as often as a plain number: a table numbered "1", "1.1",
        "1.1.1", not 1 to 96 (where a stray "5.1" must not make every numbered row a field)."""
        ids = numbers = 0
        for row in self.grid.rows[self.header.first_row :]:
            tt = _tt(self.text(row, "tt"), False)
            if _tt_id(tt) is not None:
                ids += 1
            elif tt is not None and tt.isdigit():
                numbers += 1
        return ids > 0 and ids >= numbers

    # cells

    def cell(self, row: list[Cell], kind: str) -> Cell | None:
        col = self.header.columns.get(kind)
        return row[col] if col is not None and col < len(row) else None

    def text(self, row: list[Cell], kind: str) -> str:
        cell = self.cell(row, kind)
        return cell.own_text if cell is not None else ""

    def problem(self, code: str, ref: CellRef, **args: Any) -> None:
        self.problems.append(Problem(code, self.file, ref.row, ref.col, ref.path, {"cell": ref, **args}))

    def number(self, cell: Cell | None, what: str, survey: _Draft | None = None) -> Decimal | None:
        """The points in ``cell`` (None when empty); an unreadable cell is a problem and None, with
        the number it probably is. On the row of the survey part (``survey``), text that is no
        number at all is a note on that part."""
        if cell is None or cell.covered:
            return None
        if cell.formula is not None:
            self.problem("import-formula-no-value", cell.ref, formula=cell.formula)
            return None
        value = cell.value
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool) or isinstance(value, (datetime, date, time)):
            self.problem(
                "import-bad-cell",
                cell.ref,
                value=cell.text,
                what=MessagePart(what),
                reason=MessagePart("import.reason-not-number"),
            )
            return None
        if isinstance(value, int):
            return Decimal(value)
        if isinstance(value, float):
            return layout.cell_decimal(value)
        text = str(value).strip()
        try:
            return parse_decimal(text)
        except NumberError as exc:
            probable = None if self.exact else _probable_number(text)
            if probable is None and survey is not None:
                # The survey part is scored by the province: "Sở Nội vụ tổ chức điều tra" says so.
                survey.notes.append(" ".join(text.split()))
                return None
            reason = MessagePart(exc.reason)
            if probable is not None:
                reason = MessagePart("import.reason-probably", reason=reason, number=probable)
            self.problem("import-bad-cell", cell.ref, value=text, what=MessagePart(what), reason=reason)
            return None

    def row_meta(self, row: list[Cell], name: str, bold: bool) -> dict[str, Any] | None:
        """The row's hidden metadata, while it still belongs to the row: a field's (bold) row, or a
        row whose name still starts with the stored id. None for any other row."""
        if self.meta_col is None or self.meta_col >= len(row) or not row[self.meta_col].own_text:
            return None
        meta = layout.loads(row[self.meta_col].own_text)
        if meta is None or not isinstance(meta.get("id"), str):
            return None  # someone typed over the cell
        return meta if bold or name.startswith(layout.name_prefix(meta["id"])) else None

    def record(self, draft: _Draft, row: list[Cell]) -> None:
        """Keep the texts of the row's cells as read, for the metadata's digests, and the council's."""
        for _, kind in (*layout.META_TEXTS, ("appraisal", "appraisal")):
            draft.cells.setdefault(kind, []).append(self.text(row, kind))
        for kind in ("appraisal-note", "appraisal-note2", "reply", "appraisal"):
            text = self.text(row, kind)
            if not self.exact:
                text = "\n".join(line.strip() for line in text.strip().splitlines() if line.strip())
            if text:
                draft.council.setdefault(kind, []).append(text)

    def council_points(self, draft: _Draft, row: list[Cell], fill: bool) -> None:
        """The council's points of a row (``fill``: only where the draft has none yet)."""
        for kind in ("appraised", "appraised2"):
            cell = self.cell(row, kind)
            if cell is None or cell.continued_from_above or (fill and draft.rounds.get(kind) is not None):
                continue
            value = self.number(cell, "import.what-appraised")
            if value is not None or not fill:
                draft.rounds[kind] = value

    def has_points(self, row: list[Cell]) -> bool:
        return any(
            c is not None and not c.covered and (c.formula is not None or c.text.strip())
            for c in (self.cell(row, "max"), self.cell(row, "score"))
        )

    def note_text(self, row: list[Cell]) -> str:
        """The unit's note columns of a row: one alone verbatim, several labelled."""
        parts = []
        single = len(self.header.notes) == 1
        for col, _, label in self.header.notes:
            cell = row[col] if col < len(row) else None
            text = cell.own_text if cell is not None else ""
            if not self.exact:
                text = "\n".join(line.strip() for line in text.strip().splitlines() if line.strip())
            if not text:
                continue
            parts.append(text if single else f"{label}: {text}")
        return "\n".join(parts)

    # rows

    def read(self) -> None:
        """Every row below the header, in order; stops after the total row (TỔNG ĐIỂM)."""
        rows = self.grid.rows
        for r in range(self.header.first_row, len(rows)):
            row = rows[r]
            if r == self.header.first_row and self._column_numbers(row):
                continue
            if self.read_row(row, r + 1):
                break
        for origin, drafts in self.shared_evidence.values():
            if len(drafts) > 1:
                self.problem("import-shared-evidence", origin.ref, ids=", ".join(d.id for d in drafts))

    def _column_numbers(self, row: list[Cell]) -> bool:
        """A row "(1) (2) (3) ..." or "1 2 3 ..." numbering the columns under the header."""
        texts = [c.own_text.strip() for c in row if c.own_text.strip()]
        return len(texts) >= 3 and all(re.fullmatch(r"\(?\d{1,2}\)?", t) for t in texts)

    def read_row(self, row: list[Cell], r: int) -> bool:
        """Read one row; True when it is the total row (the end of the table)."""
        name_cell = self.cell(row, "name")
        name = name_cell.own_text if name_cell is not None else ""
        tt_raw = self.text(row, "tt")
        if (
            name_cell is not None
            and name_cell.covered
            and name_cell.origin is not None
            and name_cell.origin.ref.row == name_cell.ref.row
        ):
            # A name merged across from the TT column (a field row): the text is the name, not a number.
            name = name_cell.origin.text
            tt_cell = self.cell(row, "tt")
            if tt_cell is name_cell.origin:
                tt_raw = ""
        evidence = self.text(row, "evidence")
        notes = self.note_text(row)
        points = self.has_points(row)
        meta = self.row_meta(row, name, name_cell is not None and name_cell.bold)
        # The council's text continues on rows of its own too, where a long one goes on below its node.
        council = any(
            self.text(row, kind).strip() for kind in ("appraisal", "appraisal-note", "appraisal-note2", "reply")
        )
        if not (name.strip() or tt_raw.strip() or evidence.strip() or notes.strip() or points or meta or council):
            return False  # a blank row, or one whose cells all belong to merges above
        ref = name_cell.ref if name_cell is not None else row[0].ref
        if meta is not None:
            # The export's own row of a node: never the total, a continuation or a column-number row,
            # whatever its texts look like (a field named "Tổng điểm", a title "(tiếp theo 1)").
            self.start_row(row, r, ref, name, tt_raw, evidence, notes, name_cell, meta)
            return False
        if not tt_raw.strip() and _is_total(name):
            self.total = (
                self.number(self.cell(row, "max"), "import.what-max"),
                self.number(self.cell(row, "score"), "import.what-score"),
            )
            self.total_draft = _Draft("", None, name, ref, False)
            self.record(self.total_draft, row)
            self.council_points(self.total_draft, row, fill=False)
            # The total ends the table (signatures may follow), unless it stands above the rows.
            return bool(self.drafts)
        continued = layout.is_continued(name)
        if (
            (name_cell is not None and name_cell.continued_from_above)
            or continued
            or (not name.strip() and not tt_raw.strip())
        ):
            self.continuation(row, r, ref, evidence, notes, name if not continued else "")
            return False
        if (
            self.exact
            and name.strip()
            and not tt_raw.strip()
            and not points
            and self.current is not None
            and split_name(name, True)[0] is None
            and not (name_cell is not None and name_cell.bold)
        ):
            # The exporter continues a very long title on the next row, in the name column.
            self.continuation(row, r, ref, evidence, notes, name)
            return False
        self.start_row(row, r, ref, name, tt_raw, evidence, notes, name_cell)
        return False

    def continuation(self, row: list[Cell], r: int, ref: CellRef, evidence: str, notes: str, name: str) -> None:
        """A row that continues the criterion above it: points fill blanks, texts are appended."""
        draft = self.current
        if draft is None:
            self.problem(
                "import-unplaced-row",
                ref,
                row=r,
                text=_preview(evidence or notes or name),
                reason=MessagePart("import.reason-nothing-above"),
            )
            self.dropped += 1
            return
        for kind, attr, what in (("max", "max", "import.what-max"), ("score", "score", "import.what-score")):
            cell = self.cell(row, kind)
            if cell is not None and cell.continued_from_above:
                self._shared(cell, draft, what)
                continue
            value = self.number(cell, what)
            if value is None:
                continue
            if getattr(draft, attr) is None:
                setattr(draft, attr, value)  # the score printed on the row below its criterion
            else:
                assert cell is not None
                self.problem(
                    "import-unplaced-row",
                    cell.ref,
                    row=r,
                    text=cell.text.strip(),
                    reason=MessagePart("import.reason-points-twice", id=draft.id),
                )
        self.council_points(draft, row, fill=True)
        if evidence:
            draft.evidence.append(evidence)
        self.merged_evidence(row, draft)
        if notes:
            draft.notes.append(notes)
        if name:
            draft.titles.append(name)
        if self.exact and self.text(row, "tt"):
            draft.tts.append(self.text(row, "tt"))  # a TT too long for one row, continued
        self.record(draft, row)
        self.owner[r] = draft
        self.placed += 1

    def merged_evidence(self, row: list[Cell], draft: _Draft) -> None:
        """An evidence cell merged down from another criterion's row cites the same documents for
        this criterion too (one cell for "1.3.1" to "1.3.3" is how people save typing)."""
        cell = self.cell(row, "evidence")
        if cell is None or not cell.continued_from_above or cell.origin is None:
            return
        origin = cell.origin
        owner = self.owner.get(origin.ref.row)
        if owner is draft:
            return  # a row continuing the criterion whose cell it is
        _, drafts = self.shared_evidence.setdefault(id(origin), (origin, [owner] if owner is not None else []))
        if any(d is draft for d in drafts):
            return
        drafts.append(draft)
        draft.evidence.append(origin.text)

    def _shared(self, cell: Cell, draft: _Draft, what: str) -> None:
        """A points cell merged down from another criterion's row: report it once per merge."""
        origin = cell.origin
        assert origin is not None
        owner = self.owner.get(origin.ref.row)
        if owner is draft or owner is None or id(origin) in self.shared_reported:
            return
        self.shared_reported.add(id(origin))
        self.problem(
            "import-shared-cell", cell.ref, what=MessagePart(what), owner=owner.id, id=draft.id, origin=origin.ref
        )

    def start_row(
        self,
        row: list[Cell],
        r: int,
        ref: CellRef,
        name: str,
        tt_raw: str,
        evidence: str,
        notes: str,
        name_cell: Cell | None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        """A row that starts a field or a criterion; a row that cannot be placed is a problem."""
        tt = _tt(tt_raw, self.exact)
        bold = name_cell is not None and name_cell.bold
        tt_cell = self.cell(row, "tt")
        # A field row is marked bold in its TT cell or its name cell (the exporter bolds the name).
        marked = bold or (
            not self.exact
            and tt_cell is not None
            and not tt_cell.covered
            and tt_cell.bold
            and bool(tt_cell.text.strip())
        )
        node_id: str | None
        if meta is not None:
            # The id the export stored: a field's is not shown, a criterion's name starts with it.
            node_id, is_field = meta["id"], bold
            title = name if bold else name[len(layout.name_prefix(node_id)) :]
        else:
            if self.exact and bold:
                node_id, title = None, name  # the exporter writes a field's name without its id
            else:
                node_id, title = split_name(name, self.exact)
            is_field = node_id is not None and "." not in node_id
        if node_id is None and name.strip():
            number = _field_number(tt)
            in_tt = None if self.exact else _tt_id(tt)
            if in_tt is not None:
                node_id, is_field = in_tt, False  # "1.1.1" in TT, the title alone in the name cell
            elif tt is not None and roman(tt):
                node_id, is_field = number, True
            elif number is not None and (_is_upper(name) or marked or self.tt_ids or _is_survey(name)):
                node_id, is_field = number, True
            elif tt is None and (_is_upper(name) or marked):
                node_id, is_field = str(self.fields + 1), True
                self.problem("import-guessed-id", ref, title=_preview(name), id=node_id)
            elif self.exact and bold:
                node_id, is_field = str(self.fields + 1), True
                self.problem("import-guessed-id", ref, title=_preview(name), id=node_id)
        if node_id is None:
            reason = MessagePart("import.reason-no-id") if name.strip() else MessagePart("import.reason-no-name")
            self.problem("import-unplaced-row", ref, row=r, text=_preview(name or tt_raw or evidence), reason=reason)
            self.current = None  # what follows belongs to the unplaced row, not to the one above
            self.dropped += 1
            return
        if is_field:
            self.fields += 1
        if not self.exact:
            title = " ".join(title.split())
        draft = _Draft(node_id, tt, title, ref, is_field, meta=meta)
        self.record(draft, row)
        survey = draft if is_field and not self.exact and _is_survey(title) else None
        for kind, attr, what in (("max", "max", "import.what-max"), ("score", "score", "import.what-score")):
            cell = self.cell(row, kind)
            if cell is not None and cell.continued_from_above:
                self._shared(cell, draft, what)
                continue
            if kind == "score" and cell is not None and not cell.covered and _says_not_applicable(cell.text):
                draft.not_applicable = True  # the form's way of marking it: no score, not a bad number
                continue
            setattr(draft, attr, self.number(cell, what, survey))
        self.council_points(draft, row, fill=False)
        if evidence:
            draft.evidence.append(evidence)
        self.merged_evidence(row, draft)
        if notes:
            draft.notes.append(notes)
        self.drafts.append(draft)
        self.owner[r] = draft
        self.current = draft
        self.placed += 1

    # the tree

    def build(self) -> list[Criterion]:
        """Place every draft under the deepest earlier row whose id is a prefix of its own."""
        roots: list[_Draft] = []
        seen: dict[str, _Draft] = {}
        group: _Draft | None = None  # an open group known only as a total ("1.?" with points)
        for draft in self.drafts:
            parent = None
            if group is not None and draft.max is None and draft.score is None and _under(draft.id, _known(group.id)):
                parent = _deepest(draft.id, seen, within=group) or group
            else:
                group = None
                parent = _deepest(draft.id, seen)
            if draft.is_field:
                parent = None
            if parent is None:
                roots.append(draft)
            else:
                parent.children.append(draft)
                draft.parent = parent
            seen[draft.id] = draft
            if "?" in draft.id.split(".") and (draft.max is not None or draft.score is not None):
                group = draft
        return [self.finish(d) for d in roots]

    def finish(self, top: _Draft) -> Criterion:
        """The criterion for a draft and everything below it (no recursion: tables can be deep)."""
        built: dict[int, Criterion] = {}
        order: list[_Draft] = []
        stack = [top]
        while stack:
            draft = stack.pop()
            order.append(draft)
            stack.extend(draft.children)
        for draft in reversed(order):  # children before parents
            evidence: list[str | EvidenceRef] = []
            if self.exact:
                # The exporter writes an evidence mapping as one line ("1280/KH-UBND | ngày: …"): read it back.
                evidence = [evidence_item(line) for line in evidence_lines(layout.join_parts(draft.evidence), True)]
            else:
                for part in draft.evidence:
                    evidence.extend(evidence_lines(part, False))
            note = layout.join_parts(draft.notes) if self.exact else "\n".join(draft.notes)
            title = layout.join_parts([draft.title, *draft.titles]) if self.exact else draft.title
            tt = layout.join_parts([draft.tt or "", *draft.tts]) if draft.tts else draft.tt
            children = [built[id(child)] for child in draft.children]
            rounds, extra = council_rounds(draft, self.exact)
            own_note = note
            if extra:
                note = "\n".join(filter(None, [note, extra]))
            shown: dict[str, Any] = {
                "id": draft.id,
                "tt": tt,
                "title": title,
                "max": draft.max,
                "score": draft.score,
                "evidence": evidence,
                "note": note or None,
                "applicable": not draft.not_applicable,
                "appraisal": [Appraisal.model_validate(entry) for entry in rounds],
            }
            if draft.meta is not None:
                try:
                    restored = _from_meta(draft, shown)
                    if "appraisal" in restored and "note" not in restored:
                        restored["note"] = own_note or None  # the council's text is the rounds', not the note's
                    built[id(draft)] = Criterion(**{**shown, **restored}, children=children)
                    continue
                except ValidationError:
                    pass  # metadata someone changed into nonsense: the row is read as it shows
            node = Criterion(**shown, children=children)
            if children and (node.max is not None or node.score is not None) and not _any_points(children):
                node.split_unknown = True  # points known only for the group, none for its rows
            if draft.is_field and draft.parent is None and _is_survey(title):
                node.survey = True
                if all(entry.score == node.score and not entry.note for entry in node.appraisal):
                    # The survey's points stand in the council's column as they are: no appraisal.
                    node.appraisal = []
            built[id(draft)] = node
        return built[id(top)]


def _from_meta(draft: _Draft, shown: dict[str, Any]) -> dict[str, Any]:
    """What a row's hidden metadata gives back that its visible cells cannot (see cchc.xlsx.layout):
    each stored value whose cells still hold what the export wrote, and the flags."""
    meta = draft.meta or {}
    found: dict[str, Any] = {}
    for attr, kind in layout.META_TEXTS:
        ok, value = layout.stored_text(meta.get(attr), draft.cells[kind])
        if ok:
            if attr == "evidence" and isinstance(value, list):
                value = [EvidenceRef(**item) if isinstance(item, dict) else item for item in value]
            found[attr] = value  # a wrong type fails the model's validation: the visible row stands
    for attr in ("max", "score"):
        ok, value = layout.stored_number(meta.get(attr), shown[attr])
        if ok:
            found[attr] = value
    stored = stored_rounds(meta.get("appraisal"), draft.cells.get("appraisal", []), draft.rounds.get("appraised"))
    if stored is not None:
        found["appraisal"] = [Appraisal.model_validate(entry) for entry in stored]
    found["survey"] = meta.get("survey") is True
    found["split_unknown"] = meta.get("split_unknown") is True
    # No cell shows the node's own rule or its value as written (the score cell shows what they give);
    # a wrong type fails the model's validation and the visible row stands.
    for attr in ("rule", "steps", "value"):
        if attr in meta:
            found[attr] = meta[attr]
    # Not applicable: shown as "Không áp dụng" ("exclude"), or as its max while the cell still shows
    # what the export wrote ("full").
    if meta.get("applicable") is False and (not shown["applicable"] or "score" in found):
        found["applicable"] = False
    return found


def stored_rounds(stored: Any, cells: list[str], shown: Decimal | None) -> list[Any] | None:
    """The rounds the export hid (``[entries, digest, shown points]``, see cchc.xlsx.layout) while the
    council's column holds what was written and "Điểm thẩm định" shows what it showed; else None."""
    if not (isinstance(stored, list) and len(stored) == 3 and isinstance(stored[0], list)):
        return None
    if stored[1] != layout.digest(cells) or stored[2] != layout.number_text(shown):
        return None
    return stored[0]


def council_rounds(draft: _Draft, exact: bool) -> tuple[list[dict[str, Any]], str]:
    """The appraisal entries a row's council's cells hold, and text that belongs to no round (a note
    or reply with no points beside it), kept in the criterion's note so that nothing is lost."""

    def joined(kind: str) -> str | None:
        parts = draft.council.get(kind, [])
        text = layout.join_parts(parts) if exact else "\n".join(parts)
        return text or None

    first, second = draft.rounds.get("appraised"), draft.rounds.get("appraised2")
    combined = joined("appraisal")
    if combined is not None:
        parsed = layout.read_appraisal_text(combined)
        if parsed is not None:
            if first is not None and parsed[-1]["score"] != first:
                parsed[-1]["score"] = first  # "Điểm thẩm định" edited after the export: the cell wins
            return parsed, ""
        if first is None:
            return [], f"{render('xlsx.col.appraisal')}: {combined}"
        return [{"score": first, "note": combined}], ""
    note, note2, reply = joined("appraisal-note"), joined("appraisal-note2"), joined("reply")
    entries: list[dict[str, Any]] = []
    if first is not None:
        entries.append({"score": first, "note": note, "reply": reply})
    if second is not None and (first is None or second != first or note2):
        entries.append({"score": second, "note": note2})
    leftovers = []
    if first is None:
        leftovers += [
            (key, text) for key, text in (("appraisal.import-note", note), ("appraisal.import-reply", reply)) if text
        ]
    if second is None and note2:
        leftovers.append(("appraisal.import-note", note2))
    return entries, "\n".join(f"{render(key)}: {text}" for key, text in leftovers)


def _known(node_id: str) -> str:
    parts = []
    for part in node_id.split("."):
        if part == "?":
            break
        parts.append(part)
    return ".".join(parts)


def _under(node_id: str, prefix: str) -> bool:
    return not prefix or node_id.startswith(prefix + ".")


def _deepest(node_id: str, seen: dict[str, _Draft], within: _Draft | None = None) -> _Draft | None:
    """The latest row whose id is the longest proper prefix of ``node_id`` (inside ``within``)."""
    parts = node_id.split(".")
    for k in range(len(parts) - 1, 0, -1):
        found = seen.get(".".join(parts[:k]))
        if found is None:
            continue
        if within is not None:
            up: _Draft | None = found
            while up is not None and up is not within:
                up = up.parent
            if up is None:
                continue
        return found
    return None


def _any_points(nodes: list[Criterion]) -> bool:
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if node.max is not None or node.score is not None:
            return True
        stack.extend(node.children)
    return False


def _says_not_applicable(text: str) -> bool:
    """A score cell saying "Không áp dụng" (any case, with or without diacritics; "N/A", "KAD")."""
    words = folded_words(text)
    return words in ("khong ap dung", "not applicable", "n a", "kad")


def _is_survey(title: str) -> bool:
    """The survey part's field: "Điều tra xã hội học", "ĐTXHH"."""
    k = folded_words(title)
    return "dieu tra xa hoi hoc" in k or re.search(r"\bdtxhh\b", k) is not None


# A unit written after the points: "0,5đ", "1 điểm", "0,5 đ.".
_POINTS_UNIT = re.compile(r"\s*(?:diem|d)\.?$")
# Digits with the letter O typed for a zero: "O,5", "1O", "o.25".
_LETTER_O = re.compile(r"[0-9Oo]+(?:[.,][0-9Oo]+)?")


def _probable_number(text: str) -> str | None:
    """What an unreadable points cell probably says, as it should be typed ("O,5" -> "0,5",
    "0,5đ" -> "0,5", "1 điểm" -> "1", "0, 5" -> "0,5"); None when no number is in sight."""
    folded = fold(text, keep_length=True)  # positions found in it are positions in ``text``
    candidate = text.strip()
    unit = _POINTS_UNIT.search(folded.strip())
    if unit is not None:
        candidate = candidate[: unit.start()].strip()
    candidate = re.sub(r"\s*([.,])\s*(?=[0-9Oo])", r"\1", candidate)
    if _LETTER_O.fullmatch(candidate) and any(ch.isdigit() or ch in ".," for ch in candidate):
        candidate = candidate.replace("O", "0").replace("o", "0")
    if candidate == text.strip():
        return None
    try:
        parse_decimal(candidate)
    except NumberError:
        return None
    return candidate


def _is_total(name: str) -> bool:
    """The total row: "TỔNG ĐIỂM", "Tổng cộng", "TỔNG ĐIỂM (I+II+...)"."""
    k = folded_words(name)
    return k in ("tong", "tong cong", "tong so", "tong so diem", "cong") or k.startswith("tong diem")


def _preview(text: str, size: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


# --- the scorecard --------------------------------------------------------------------------------


@dataclass
class TableRead:
    """A table read: the scorecard, the problems met, and how many rows were read and left out."""

    card: Scorecard
    problems: list[Problem]
    placed: int
    dropped: int


def read_table(grid: Grid, file: str, header: Header, unit: str | None = None, year: int | None = None) -> TableRead:
    """The scorecard in one grid whose header is known, and the problems met reading it;
    ``unit``/``year`` override the file's."""
    parser = _Parser(grid, header, file)
    parser.read()
    criteria = parser.build()
    # Title lines stand above the table in Word, in the rows above the header in Excel (or both).
    above = [" ".join(c.own_text for c in row if c.own_text.strip()) for row in grid.rows[: header.header_rows[0]]]
    top = read_top(grid.preamble + [line for line in above if line.strip()], grid.exact)
    total_max, total_score = parser.total if parser.total is not None else (None, None)
    shown: dict[str, Any] = {
        "unit": top.unit,
        "year": top.year,
        "title": top.title,
        "report": top.report,
        "max": total_max,
        "score": total_score,
    }
    total = parser.total_draft
    if total is not None:
        rounds, _ = council_rounds(total, grid.exact)
        if rounds:
            shown["appraisal"] = [CardAppraisal.model_validate(entry) for entry in rounds]
    restored = _top_from_meta(grid, header, (total_max, total_score), total) if grid.exact and grid.meta else {}
    given = {name: value for name, value in (("unit", unit), ("year", year)) if value is not None}
    fields = {**shown, **restored, **given}  # the options win over the file
    try:
        card = _scorecard(fields, criteria)
    except ValidationError:  # metadata someone spoilt: the rows are read as they show
        fields = {**shown, **given}
        card = _scorecard(fields, criteria)
    problems = parser.problems
    if fields["unit"] is None:
        problems.append(Problem("import-no-unit", file))
    if fields["year"] is None:
        problems.append(Problem("import-no-year", file, args={"year": PLACEHOLDER_YEAR}))
    return TableRead(card, problems, parser.placed, parser.dropped)


def _scorecard(fields: dict[str, Any], criteria: list[Criterion]) -> Scorecard:
    """The scorecard of the top-level ``fields``, a placeholder for a unit or year not found."""
    return Scorecard(
        **{**fields, "unit": fields["unit"] or "", "year": fields["year"] or PLACEHOLDER_YEAR}, criteria=criteria
    )


def _top_from_meta(
    grid: Grid, header: Header, totals: tuple[Decimal | None, Decimal | None], total: _Draft | None = None
) -> dict[str, Any]:
    """What the hidden sheet gives back of the top-level fields (see cchc.xlsx.layout): the title
    and year while the first title row holds what the export wrote, the unit and report while the
    second does, the level, and each declared total while the total row shows what it showed."""
    meta = grid.meta or {}
    found: dict[str, Any] = {"level": meta.get("level")}
    if isinstance(meta.get("criteria_set"), str):
        found["criteria_set"] = meta["criteria_set"]
    for name in ("bonus", "penalty"):  # no cell shows them; the model judges what is stored
        if isinstance(meta.get(name), list):
            found[name] = meta[name]
    # The signature block stands below the total, which the import does not read: the metadata has it.
    found.update({attr: meta[attr] for attr in ("place", "date", "signer") if attr in meta})
    rows = [grid.rows[r][0].own_text if r < header.header_rows[0] and grid.rows[r] else "" for r in (0, 1)]
    lines = meta.get("lines")
    if isinstance(lines, list) and len(lines) == 2:
        if lines[0] == layout.digest([rows[0]]):
            found.update(title=meta.get("title"), year=meta.get("year"))
        if lines[1] == layout.digest([rows[1]]):
            found.update(unit=meta.get("unit"), report=meta.get("report"))
    for attr, shown in zip(("max", "score"), totals, strict=True):
        ok, value = layout.stored_number(meta.get(attr), shown)
        if ok:
            found[attr] = value
    if total is not None:
        stored = stored_rounds(meta.get("appraisal"), total.cells.get("appraisal", []), total.rounds.get("appraised"))
        if stored is not None:
            found["appraisal"] = [CardAppraisal.model_validate(entry) for entry in stored]
    return found
