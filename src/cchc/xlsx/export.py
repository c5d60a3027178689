"""Write a scorecard as the official form: an .xlsx workbook an officer can attach unchanged.

Why XlsxWriter: field and total cells are live ``=SUM(...)`` formulas so the sheet stays right when
someone edits it in Excel, and XlsxWriter stores a cached result with each formula
(``write_formula(..., value=...)``), so a file previewer or ``openpyxl.load_workbook(data_only=True)``
shows 98,52 without recalculating. openpyxl can write a formula but not its cached value. XlsxWriter is
imported only by this module, which only the ``export`` command imports, so ``validate`` and ``total``
start fast.

Layout: the form as cchc.xlsx.layout describes it (title rows, header, one row per node in table
order, the children of a ``split_unknown`` group included with blank points, then TỔNG ĐIỂM). Times
New Roman, thin borders, wrapped text aligned to the top, panes frozen below the header, A4
landscape, the header repeated on every printed page, at the scale that fits the width, "Trang 1/27"
in the footer. The footer has less room than its font size, so LibreOffice gives it a fixed height: a
footer it sizes from the text makes it drop the last rows of the table from some printouts (see
FOOTER_ROOM). The evidence and notes columns (and the council's text, when the card has appraisal)
share the form's width as makes the table shortest (_widths); a field's number, name and points are
bold, its evidence, notes and the council's text are not.

Row heights: every row's height is stored, from cchc.xlsx.measure's estimate of its wrapped lines,
which errs high: LibreOffice fits no row to its text when it opens a workbook, and no program grows a
merged title row. Excel sets 15,75 pt a line, LibreOffice 13,3: a row sized for Excel shows 2,45 pt a
line of blank in LibreOffice, so evidence, notes and the council's text longer than four lines go on
in the rows below (measure.chunk_text), drawn without a border between them so that they read as one
table row; the total's text stays in its one row, as the import reads no row below the total.

Pages: the export paginates the form itself (_paginate) and puts a manual break before every page: a
node and its rows move to the next page whole when they do not fit what is left of this one, and only
a node taller than a page is split; the row that starts a page inside a node says "(tiếp theo 1.2)".
So both programs print the very pages counted, and the footer says "Trang 1/N" with N the sheet's
own pages (LibreOffice's &N counts the pages of every sheet).

Numbers: a leaf's points are numbers (``float(Decimal)`` only here, at the file format's boundary: all
arithmetic stays Decimal in the engine); a blank score stays a blank cell, never 0. A node with children
and the total get ``=SUM(...)`` over their direct children's cells (runs of adjacent rows as ranges,
nested SUMs past Excel's 255 arguments), cached with the engine's value; when no child is scored yet the
score is ``=IF(COUNT(...)=0,"",SUM(...))`` so it stays blank, as the engine says. A ``split_unknown``
group's declared points are constants. Rows use the ``General`` format (14, 0,5, 12,9491: up to 4
decimals, no trailing separator, the reader's decimal comma); the total score uses ``0.00`` (98,52), as
the form prints it.

Text: every string goes through ``write_string`` (and the workbook refuses to turn strings into formulas
or links anyway), so ``=cmd|...``, ``+1``, ``-x``, ``@SUM(A1)`` stay text. Characters Excel refuses (C0
controls other than tab, LF, CR; lone surrogates; U+FFFE/U+FFFF) are removed and reported in a notice.
Line breaks become LF, the only one Excel shows: CR LF, CR, and Word's vertical tab and form feed
(manual line and page breaks). A cell that starts with CR therefore starts with LF, still as text.

Long text is never cut silently. The continuation rows below a node have blank TT, name and points
(but "(tiếp theo 1.2)" where a printed page starts); a line too long for four lines of a row goes on
in the next one, and the hidden metadata keeps the exact text. The formulas refer to each node's first
row, so continuation rows never count. A cell over Excel's character limit also yields a notice naming
the cell and the rows that continue it. The title rows, which cannot continue, are cut at the limit
with a "…" marker and a notice.

Hidden metadata, so that ``cchc import`` gives back the very scorecard (see cchc.xlsx.layout): a
hidden column after the last visible one (outside the print area) holds each node's id and what its visible
cells cannot carry; a very hidden sheet "cchc" holds the top-level fields.

The evidence index: a second sheet "Tài liệu kiểm chứng" lists every cited document as ``cchc
evidence`` does (type, number, dates, subject, the criteria citing it, their count, most leaned-on
first), plus the cited file or link; with an evidence folder, a cited file found in it is a
hyperlink (relative to the workbook), and a cited web address always is one.

Writing (cchc.output): refuses the input file as output, a suffix other than .xlsx, an existing
file unless ``overwrite``, and a missing directory; writes into a temporary file in the output
directory, syncs it, then moves it into place. A failure leaves no partial output and no temporary
file; the input is only ever read by the loader, never opened here.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import warnings
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from cchc import output as safewrite
from cchc.evidence.cited import Cited, all_cited, index_documents, index_row
from cchc.messages import render
from cchc.problems import Problem
from cchc.scorecard.model import Criterion, EvidenceRef, Scorecard, evidence_item, iter_criteria
from cchc.scorecard.numbers import format_points
from cchc.scorecard.rollup import Row
from cchc.xlsx import layout, measure
from cchc.xlsx.layout import (
    APPRAISAL,
    APPRAISED,
    COLUMNS,
    EVIDENCE,
    FIRST_ROW,
    HEADER_ROW,
    INDEX_COLUMNS,
    INDEX_COUNT,
    INDEX_FILE,
    MARK,
    MAX,
    NAME,
    NOTE,
    POINT_COLUMNS,
    SCORE,
    TEXT_COLUMNS,
    TITLE_ROWS,
    TT,
    Column,
)
from cchc.xlsx.measure import CELL_LIMIT, FONT, TABLE_SIZE, TITLE_SIZE

__all__ = ["build_xlsx", "clean_text", "write_xlsx"]

#: Excel's limit on the length of a formula.
FORMULA_LIMIT = 8_192
#: Excel's limit on the arguments of one function call.
ARGS_LIMIT = 255

#: The page footer ("Trang 1/28"): its size in points, its distance from the paper's edge and the
#: room between it and the table, in inches. The room is less than the footer's font size on
#: purpose: LibreOffice then gives the footer that fixed height. With more room it sizes the footer
#: from its text, one way while it counts the pages and another while it prints them, and then
#: drops the last rows of the table when they end near the foot of the last page (the total among
#: them; seen in one export in twenty). In Excel the text still clears the table (its capitals stand
#: 0.88 of the size above the footer's bottom).
FOOTER_SIZE = 11
FOOTER_MARGIN = 0.3
FOOTER_ROOM = 0.15

#: What each column's cells hold (see cchc.xlsx.measure.cell_room).
ROOMS = {col: measure.cell_room(measure.column_points(column.width)) for col, column in enumerate(COLUMNS)}
#: Web addresses that get a link: what spreadsheet programs open in a browser.
_WEB = re.compile(r"(?:https?|ftps?)://\S+|www\.\S+", re.I)

# What Excel refuses in a cell: C0 controls but tab/LF/CR, lone surrogates, two non-characters.
_REFUSED = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel breaks a cell's lines at LF only. Word writes a manual line break as VT and a page break as
# FF, Windows ends lines with CR LF, old Macs with CR: all of them mean a new line.
_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n", "\r": "\n"})
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


# --- text ---------------------------------------------------------------------------------------


def clean_text(text: str) -> tuple[str, int]:
    """``text`` without the characters Excel refuses, and how many were removed."""
    return _REFUSED.subn("", text.replace("\r\n", "\n").translate(_BREAKS))


# --- the rows of the form -------------------------------------------------------------------------------------


@dataclass
class _Entry:
    """One row of the form (a node or the total) and the sheet rows it takes."""

    node: Criterion | None  # None for the total
    row: Row | None  # None for a child of a split_unknown group: it has no points
    depth: int
    #: The card has appraisal: the council's two columns are written too.
    appraised: bool = False
    texts: dict[int, list[str]] = field(default_factory=dict)  # column -> cell parts
    lengths: dict[int, int] = field(default_factory=dict)  # column -> whole text, UTF-16 units
    removed: dict[int, int] = field(default_factory=dict)  # column -> characters removed
    first: int = 0  # 0-based sheet row of the node; continuation rows follow
    #: Offsets of the continuation rows that start a printed page: their name cell says "(tiếp theo 1.2)".
    labels: set[int] = field(default_factory=set)
    raw: dict[int, str] = field(default_factory=dict)  # column -> whole text, cleaned
    #: What each column's cells hold (see measure.cell_room), by index in COLUMNS.
    rooms: dict[int, float] = field(default_factory=lambda: dict(ROOMS))

    def lay_out(self, widths: dict[int, int]) -> None:
        """Cut the texts into the cells of its sheet rows, in columns ``widths`` characters wide (by
        index in COLUMNS)."""
        self.rooms = {col: measure.cell_room(measure.column_points(width)) for col, width in widths.items()}
        for col, text in self.raw.items():
            # The number and the name stay in the node's first row, and so does the total's text: the
            # import reads no row below the total.
            if col in (TT, NAME) or self.node is None:
                self.texts[col] = measure.split_text(text, widths[col], bold=self.bold_in(col))
            else:
                self.texts[col] = measure.chunk_text(text, widths[col], bold=self.bold_in(col))

    @property
    def height(self) -> int:
        """Sheet rows taken: one, plus continuation rows for long text."""
        return max(len(parts) for parts in self.texts.values())

    @property
    def bold(self) -> bool:
        """Fields and the total are set in bold (their number, name and points)."""
        return self.depth <= 1

    def bold_in(self, col: int) -> bool:
        """Whether ``col`` is bold in this row: evidence, notes and the council's text never are."""
        return self.bold and col in (TT, NAME)

    @property
    def label(self) -> str:
        """How notices and continuation rows name this row."""
        return self.node.id if self.node is not None else render("xlsx.total")

    def written(self, col: int) -> list[str]:
        """The texts the cells of ``col`` hold over this row's sheet rows, as written ("" = blank; a
        column the form leaves out reads as blank cells too)."""
        parts = self.texts.get(col, [])
        cells = parts + [""] * (self.height - len(parts))
        if col == NAME:
            cells = [
                layout.continued_label(self.label) if i in self.labels and not text else text
                for i, text in enumerate(cells)
            ]
        return cells

    def row_heights(self) -> list[float]:
        """The stored height of each of its sheet rows: the most lines any of its cells takes."""
        heights = []
        for i in range(self.height):
            lines = 1
            for col, parts in self.texts.items():
                if i < len(parts):
                    lines = max(lines, measure.line_count(parts[i], self.rooms[col], self.bold_in(col)))
            heights.append(measure.row_height(lines))
        return heights


def _name(node: Criterion, depth: int) -> str:
    """The name column: a field in capitals; below it "1.1.1. Title"."""
    if depth == 1:
        return node.title.upper()
    return layout.name_prefix(node.id) + node.title


def _entry(
    node: Criterion | None, row: Row | None, depth: int, card: Scorecard | None = None, notes: bool = True
) -> _Entry:
    """Clean the texts of one row of the form (its notes only when the form has the column);
    ``card``: the card, when it has appraisal (the council's columns are written)."""
    entry = _Entry(node, row, depth, card is not None)
    if node is None:
        raw = {TT: "", NAME: render("xlsx.total"), EVIDENCE: "", NOTE: ""}
    else:
        # A mapping item is written as its one line (``str(EvidenceRef)``), which model.evidence_item
        # reads back into the mapping.
        raw = {
            TT: node.tt or "",
            NAME: _name(node, depth),
            EVIDENCE: "\n".join(str(item) for item in node.evidence),
            NOTE: node.note or "",
        }
    if not notes:
        del raw[NOTE]
    if card is not None:
        raw[APPRAISAL] = layout.appraisal_text(list(node.appraisal if node is not None else card.appraisal))
    for col, text in raw.items():
        text, removed = clean_text(text)
        if removed:
            entry.removed[col] = removed
        entry.lengths[col] = measure.excel_length(text)
        entry.raw[col] = text
    return entry


def has_appraisal(card: Scorecard) -> bool:
    """Whether the card holds any appraisal entry (even one the rollup ignores, on the survey part or
    a row of a group known only as a total): then the council's columns are written, so none is lost."""
    return bool(card.appraisal) or any(node.appraisal for node, _, _ in iter_criteria(card.criteria))


def _entries(root: Row, card: Scorecard, columns: tuple[Column, ...]) -> tuple[list[_Entry], dict[int, int]]:
    """Every row of the form in table order, the total last, each placed on its sheet rows, and
    the widths of ``columns`` that fit their texts (see _widths)."""
    at_col = layout.positions(columns)
    notes = NOTE in at_col
    council = card if APPRAISAL in at_col else None
    entries: list[_Entry] = []
    for row in root.walk():
        if row.node is None:
            continue
        entries.append(_entry(row.node, row, row.depth, council, notes))
        if row.node.split_unknown:
            # The group's rows are known by name and evidence only; the points stay on the group.
            entries.extend(
                _entry(child, None, depth, council, notes)
                for child, depth, _ in iter_criteria(row.node.children, row.depth + 1)
            )
    entries.append(_entry(None, root, 0, council, notes))
    widths = _widths(entries, columns)
    at = FIRST_ROW
    for entry in entries:
        entry.lay_out(widths)
        entry.first = at
        at += entry.height
    return entries, widths


#: Notes narrower than this leave no room for their heading ("Ghi chú", bold).
NOTE_MIN = 9


def _widths(entries: list[_Entry], columns: tuple[Column, ...]) -> dict[int, int]:
    """The widths of ``columns`` (by index in COLUMNS): the width of the ``shared`` columns (evidence,
    notes, the council's text) shared out as makes the table shortest; a column with no text keeps
    only its heading's width (NOTE_MIN), one alone takes it all. Notes left out leave their width to
    the others, so the form prints at the same scale; the council's columns come with their own."""
    widths = {COLUMNS.index(column): column.width for column in columns}
    shared = [col for col in widths if COLUMNS[col].shared]
    free = sum(
        column.width for column in COLUMNS if column.shared and (column.optional == "notes" or column in columns)
    )
    if len(shared) == 1:
        widths[shared[0]] = free
        return widths
    # Evidence takes what the others leave; the others try every combination of their widths (the
    # line counts of each column at each width counted once).
    main, others = shared[0], shared[1:]
    texts = {col: [entry.raw.get(col, "") for entry in entries] for col in shared}
    counted: dict[tuple[int, int], list[int]] = {}

    def lines(col: int, width: int) -> list[int]:
        if (col, width) not in counted:
            room = measure.cell_room(measure.column_points(width))
            counted[col, width] = [measure.line_count(text, room) for text in texts[col]]
        return counted[col, width]

    choices = [[NOTE_MIN] if not any(texts[col]) else list(range(NOTE_MIN, free // 2 + 1, 2)) for col in others]
    best: tuple[int, tuple[int, ...]] | None = None
    for trial in itertools.product(*choices):
        rest = free - sum(trial)
        if rest < NOTE_MIN:
            continue
        counts = [lines(main, rest), *(lines(col, width) for col, width in zip(others, trial, strict=True))]
        total = sum(max(1, *row) for row in zip(*counts, strict=True))
        if best is None or total < best[0]:
            best = (total, trial)
    assert best is not None
    widths.update(zip(others, best[1], strict=True))
    widths[main] = free - sum(widths[c] for c in others)
    return widths


# --- formulas -----------------------------------------------------------------------------------


def _refs(rows: list[int], col: int) -> list[str]:
    """Cell references to ``rows`` of ``col``, runs of adjacent rows as one range (C7:C9)."""
    refs: list[str] = []
    i = 0
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and rows[j + 1] == rows[j] + 1:
            j += 1
        first = xl_rowcol_to_cell(rows[i], col)
        refs.append(first if i == j else f"{first}:{xl_rowcol_to_cell(rows[j], col)}")
        i = j + 1
    return refs


def _call(function: str, args: list[str]) -> str:
    """``function(args)`` within Excel's argument limit: longer lists are cut into calls added by SUM."""
    if len(args) <= ARGS_LIMIT:
        return f"{function}({','.join(args)})"
    return _call("SUM", [_call(function, args[i : i + ARGS_LIMIT]) for i in range(0, len(args), ARGS_LIMIT)])


def sum_formula(rows: list[int], col: int, blank_when_empty: bool = False) -> str:
    """``=SUM(...)`` over ``rows`` of ``col``; with ``blank_when_empty`` blank while none is a number."""
    refs = _refs(rows, col)
    total = _call("SUM", refs)
    if blank_when_empty:
        # COUNT chunks add up (SUM of COUNTs) just as SUM chunks do.
        return f'=IF({_call("COUNT", refs)}=0,"",{total})'
    return f"={total}"


# --- metadata -----------------------------------------------------------------------------------
#
# What the hidden column and the hidden sheet hold: see cchc.xlsx.layout. A value is stored only
# when the visible cells would not give it back exactly; storing one more than needed costs only
# room, so the tests below err towards storing.

#: Parts of a node's metadata dropped, in this order, when its JSON would not fit one cell; the
#: visible cells then speak for them (as they do for a workbook without metadata).
_DROPPABLE = ("evidence", "note", "appraisal", "title", "tt")


def _shown_exactly(text: str, parts: list[str]) -> bool:
    """Whether the cells holding ``parts`` (``text`` as split over rows) read back as ``text``: no
    character removed or changed by clean_text, no empty part (an empty cell reads as no text), and
    no line ending with "…" before one starting with it (read back as a line the export cut)."""
    return (
        clean_text(text)[0] == text
        and (len(parts) == 1 or "" not in parts)
        and MARK + "\n" + MARK not in text
        and layout.join_parts(parts) == text
    )


def _item_reads_back(item: str | EvidenceRef) -> bool:
    """Whether one evidence item, written as its line, is read back as itself."""
    line = str(item)
    return "\n" not in line and evidence_item(line) == item


def _evidence_json(item: str | EvidenceRef) -> str | dict[str, str]:
    """An evidence item as JSON: the text, or the mapping's non-empty parts."""
    return item if isinstance(item, str) else item.to_dict()


def _row_meta(entry: _Entry) -> dict[str, Any]:
    """A node's metadata: its id, and each value its visible cells do not give back exactly, with
    what lets the import tell whether someone changed those cells since."""
    node = entry.node
    assert node is not None
    meta: dict[str, Any] = {"id": node.id}
    field = entry.depth <= 1
    if not _shown_exactly(node.title, entry.texts[NAME]) or (field and node.title.upper() != node.title):
        meta["title"] = [node.title, layout.digest(entry.written(NAME))]
    for attr, col in (("tt", TT), ("note", NOTE)):
        value = getattr(node, attr)
        # None is a blank cell, read back as None; "" is a blank cell too; a note without its column
        # is kept here alone.
        if value is not None and (value == "" or col not in entry.texts or not _shown_exactly(value, entry.texts[col])):
            meta[attr] = [value, layout.digest(entry.written(col))]
    if node.evidence:
        joined = "\n".join(str(item) for item in node.evidence)
        if not (
            joined
            and _shown_exactly(joined, entry.texts[EVIDENCE])
            and all(_item_reads_back(item) for item in node.evidence)
        ):
            meta["evidence"] = [
                [_evidence_json(item) for item in node.evidence],
                layout.digest(entry.written(EVIDENCE)),
            ]
    for attr in ("max", "score"):
        # The cell shows the rollup's value (a SUM's cached result, or blank for a row of a group
        # known only as a total); the node may declare another value, or the same with more digits.
        shown = getattr(entry.row, attr) if entry.row is not None else None
        pair = layout.number_pair(getattr(node, attr), shown)
        if pair is not None:
            meta[attr] = pair
    if entry.appraised:
        shown = entry.row.appraised if entry.row is not None else None
        meta["appraisal"] = _appraisal_meta(node.appraisal, entry.written(APPRAISAL), shown)
    for flag in ("survey", "split_unknown"):  # no cell shows them
        if getattr(node, flag):
            meta[flag] = True
    # The node's own rule (not one its set gives), its value as written, its applicability: the score
    # cell shows only what they make of it ("0,4991 (99,82%)", "Không áp dụng").
    if node.rule is not None:
        meta["rule"] = node.rule
    if node.steps:
        meta["steps"] = [{"from": str(step.from_), "points": layout.number_text(step.points)} for step in node.steps]
    if node.value is not None:
        meta["value"] = node.value
    if not node.applicable:
        meta["applicable"] = False
    return meta


def _appraisal_meta(entries: Any, written: list[str], shown: Decimal | None) -> list[Any]:
    """``[entries, digest of the council's column as written, the appraised points the cell shows]``:
    every round as it was, while an officer changed neither of those cells."""
    rounds = [entry.model_dump(mode="json", exclude_none=True, exclude_defaults=True) for entry in entries]
    for data, entry in zip(rounds, entries, strict=True):
        data["score"] = layout.number_text(entry.score)  # its precision as written ("0.50")
    seen = None if shown is None else layout.number_text(layout.cell_decimal(float(shown)))
    return [rounds, layout.digest(written), seen]


def _meta_text(meta: dict[str, Any]) -> str:
    """The JSON of a node's metadata, within one cell's limit (see _DROPPABLE)."""
    text = layout.dumps(meta)
    for key in _DROPPABLE:
        if measure.excel_length(text) <= CELL_LIMIT:
            break
        meta.pop(key, None)
        text = layout.dumps(meta)
    return text


def _top_meta(card: Scorecard, root: Row, lines: list[str], total: _Entry) -> dict[str, Any]:
    """The top-level fields, with digests of the two title rows as written (``lines``)."""
    meta: dict[str, Any] = {
        "cchc": layout.VERSION,
        "unit": card.unit,
        "year": card.year,
        "level": card.level,
        "title": card.title,
        "report": card.report,
        "lines": [layout.digest([line]) for line in lines],
    }
    if card.criteria_set is not None:  # the form has no cell for it
        meta["criteria_set"] = card.criteria_set
    for name in ("bonus", "penalty"):
        entries = getattr(card, name)
        if entries:
            meta[name] = [entry.model_dump(mode="json", exclude_none=True) for entry in entries]
    # The signature block is below the table, where the import does not read: only here.
    meta.update({attr: value for attr, value in (("place", card.place), ("date", card.date)) if value is not None})
    if card.signer is not None:
        meta["signer"] = card.signer.model_dump(exclude_none=True)
    for attr in ("max", "score"):
        pair = layout.number_pair(getattr(card, attr), getattr(root, attr))
        if pair is not None:
            meta[attr] = pair
    if total.appraised:
        meta["appraisal"] = _appraisal_meta(card.appraisal, total.written(APPRAISAL), root.appraised)
    return meta


def _meta_sheet(book: Any, meta: dict[str, Any]) -> None:
    """The very hidden sheet "cchc": the top-level metadata in column A, continued down when long."""
    sheet = book.add_worksheet(layout.SHEET)
    sheet.very_hidden()  # not in Excel's "Unhide" list, never printed
    text = layout.dumps(meta)
    size = CELL_LIMIT // 2  # characters: even if every one took two UTF-16 units
    for row, start in enumerate(range(0, max(len(text), 1), size)):
        sheet.write_string(row, 0, text[start : start + size])


# --- the problems of a draft ---------------------------------------------------------------------

#: The problems sheet's columns: header message key and width in characters.
PROBLEM_COLUMNS: tuple[tuple[str, int], ...] = (
    ("xlsx.col.severity", 10),
    ("xlsx.col.code", 26),
    ("xlsx.col.where", 30),
    ("xlsx.col.message", 92),
)


def _problems_sheet(book: Any, f: _Formats, problems: list[Problem]) -> None:
    """The sheet "Vấn đề" of a draft: every problem ``cchc validate`` reports, one a row, in order."""
    sheet = book.add_worksheet(_sheet_name(render("xlsx.problems-sheet")))
    last_col = len(PROBLEM_COLUMNS) - 1
    rooms = [measure.cell_room(measure.column_points(width)) for _, width in PROBLEM_COLUMNS]
    width = sum(measure.column_points(w) for _, w in PROBLEM_COLUMNS)
    errors = sum(1 for p in problems if p.severity.value == "error")
    title = render("xlsx.problems-title", errors=errors, warnings=len(problems) - errors)
    sheet.merge_range(0, 0, 0, last_col, "", f.title)
    sheet.write_string(0, 0, title, f.title)
    heights = [measure.title_height(1)]
    sheet.set_row(0, heights[0])
    for col, (key, col_width) in enumerate(PROBLEM_COLUMNS):
        sheet.set_column(col, col, col_width)
        sheet.write_string(1, col, render(key), f.header)
    heights.append(measure.row_height(1))
    sheet.set_row(1, heights[1])
    for row, problem in enumerate(problems, start=2):
        where = ":".join(str(n) for n in (problem.line, problem.column) if n is not None)
        where = "\n".join(part for part in (where, problem.path) if part)
        texts = [render("severity." + problem.severity.value), problem.code, where, problem.message]
        texts = [measure.clip(clean_text(text)[0]) for text in texts]
        for col, text in enumerate(texts):
            sheet.write_string(row, col, text, f.text[0]) if text else sheet.write_blank(row, col, None, f.text[0])
        heights.append(measure.row_height(max(measure.line_count(text, rooms[col]) for col, text in enumerate(texts))))
        sheet.set_row(row, heights[-1])
    room = _page_room(_scale(width)) - heights[0] - heights[1]
    breaks, _ = _paginate([(row, [height]) for row, height in enumerate(heights[2:], start=2)], room, room)
    _page(sheet, (0, 1), max(1, len(problems) + 1), last_col, width, breaks, len(breaks) + 1)


# --- the workbook -------------------------------------------------------------------------------


class _Formats:
    """The workbook's cell formats, made once each."""

    def __init__(self, book: Any) -> None:
        self.book = book
        # font_scheme none: a font tied to the theme's scheme would show as the theme's Calibri.
        font = {"font_name": FONT, "font_scheme": "none"}
        base = {**font, "font_size": TABLE_SIZE, "valign": "top", "text_wrap": True, "border": 1}
        title = {
            **font,
            "font_size": TITLE_SIZE,
            "bold": True,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
        }
        self.title: Format = book.add_format(title)
        self.header: Format = book.add_format({**base, "bold": True, "align": "center", "valign": "vcenter"})
        # The table's cells, by kind, in regular and bold; see cell().
        self.kinds: dict[str, dict[str, Any]] = {
            "text": base,
            "tt": {**base, "align": "center"},
            # General: 14, 0,5, 12,9491 as written (no trailing separator), in the reader's decimal sign.
            "points": {**base, "align": "center", "num_format": "General"},
            # The form prints the total score with 2 decimals (98,52).
            "total": {**base, "align": "center", "bold": True, "num_format": "0.00"},
            "continued": {**base, "italic": True},
        }
        self._made: dict[tuple[str, bool, bool, bool], Format] = {}
        self.text = [self.cell("text", False), self.cell("text", True)]
        self.tt = [self.cell("tt", False), self.cell("tt", True)]
        self.points = [self.cell("points", False), self.cell("points", True)]
        # A link looks like one: underlined, in the blue every spreadsheet program uses.
        self.link: Format = book.add_format({**base, "underline": 1, "font_color": "#0563C1"})
        # The hidden metadata column: plain text, nothing a reader sees.
        self.meta: Format = book.add_format({**font, "font_size": TABLE_SIZE})
        self.plain: Format = book.add_format({**font, "font_size": TABLE_SIZE, "valign": "top", "text_wrap": True})
        self.place: Format = book.add_format(
            {**font, "font_size": TABLE_SIZE, "valign": "top", "text_wrap": True, "align": "center", "italic": True}
        )
        self.signer: Format = book.add_format(
            {**font, "font_size": TABLE_SIZE, "valign": "top", "text_wrap": True, "align": "center", "bold": True}
        )
        self._suffixed: dict[tuple[str, bool, bool], Format] = {}

    def cell(self, kind: str, bold: bool, top: bool = True, bottom: bool = True) -> Format:
        """A table cell's format; ``top``/``bottom`` False leave out that border, so that the sheet
        rows of one node read as one table row."""
        key = (kind, bold, top, bottom)
        if key not in self._made:
            props = {**self.kinds[kind], **({"bold": True} if bold else {})}
            if not top:
                props["top"] = 0
            if not bottom:
                props["bottom"] = 0
            self._made[key] = self.book.add_format(props)
        return self._made[key]

    def points_with(self, suffix: str, bold: bool, bottom: bool = True) -> Format:
        """The points format showing ``suffix`` after the number ("0,4991 (99,82%)"): the cell stays a
        number, so the sums above it still add it. ``bottom`` False: no border below (see cell)."""
        key = (suffix, bold, bottom)
        if key not in self._suffixed:
            quoted = suffix.replace('"', "")
            props = {**self.kinds["points"], "bold": bold, "num_format": f'General" {quoted}"'}
            if not bottom:
                props["bottom"] = 0
            self._suffixed[key] = self.book.add_format(props)
        return self._suffixed[key]


class _Writer:
    """Writes the rows of the form into one worksheet and collects the notices."""

    def __init__(self, sheet: Worksheet, formats: _Formats, columns: tuple[Column, ...]) -> None:
        self.sheet = sheet
        self.f = formats
        self.columns = columns
        #: Where each of the form's columns (index in COLUMNS) is written.
        self.at = layout.positions(columns)
        self.last_col = len(columns) - 1
        #: The hidden metadata column, right after the form's last.
        self.meta_col = layout.meta_col(columns)
        self.text_columns = [col for col in TEXT_COLUMNS if col in self.at]
        self.point_columns = [col for col in POINT_COLUMNS if col in self.at]
        self.notices: list[str] = []
        self.removed: list[tuple[str, int]] = []  # (cell, characters removed)
        self.lines: list[str] = []  # the title rows as written
        self.heights: dict[int, float] = {}  # sheet row -> stored height, above the table

    def text(self, row: int, col: int, text: str, fmt: Format) -> None:
        """Always a string cell (or a bordered blank): never a formula, number or link."""
        if text:
            self.sheet.write_string(row, col, text, fmt)
        else:
            self.sheet.write_blank(row, col, None, fmt)

    def titles(self, card: Scorecard, draft: bool = False) -> None:
        """The two title rows, merged across the table, centred and bold; a draft says so first."""
        texts = layout.title_lines(card.title, card.year, card.report, card.unit)
        if draft:
            texts = (f"{render('xlsx.draft')} – {texts[0]}", texts[1])
        width = sum(measure.column_points(column.width) for column in self.columns)  # the merged cell's
        for row, text in zip(TITLE_ROWS, texts, strict=True):
            cell = xl_rowcol_to_cell(row, 0)
            text, removed = clean_text(text)
            if removed:
                self.removed.append((cell, removed))
            if measure.excel_length(text) > CELL_LIMIT:
                self.notices.append(
                    render("export.notice-clipped", cell=cell, length=measure.excel_length(text), limit=CELL_LIMIT)
                )
                text = measure.clip(text)
            self.lines.append(text)
            # merge_range writes through write(); write the text again as a string to be sure.
            self.sheet.merge_range(row, 0, row, self.last_col, "", self.f.title)
            self.sheet.write_string(row, 0, text, self.f.title)
            # Excel does not grow a merged row to fit its text: size it from an estimate.
            lines = measure.line_count(text, measure.cell_room(width, TITLE_SIZE), bold=True)
            self.heights[row] = measure.title_height(lines)
            self.sheet.set_row(row, self.heights[row])

    def header(self, widths: dict[int, int]) -> None:
        """The column headings, in columns ``widths`` characters wide (by index in COLUMNS)."""
        lines = 1
        for col, (column, text) in enumerate(zip(self.columns, layout.header_texts(self.columns), strict=True)):
            width = widths[COLUMNS.index(column)]
            self.sheet.set_column(col, col, width)
            self.text(HEADER_ROW, col, text, self.f.header)
            room = measure.cell_room(measure.column_points(width))
            lines = max(lines, measure.line_count(text, room, bold=True))
        self.heights[HEADER_ROW] = measure.row_height(lines)
        self.sheet.set_row(HEADER_ROW, self.heights[HEADER_ROW])
        # The metadata column: hidden, and outside the print area (see _page).
        self.sheet.set_column(self.meta_col, self.meta_col, 12, self.f.meta, {"hidden": True})
        self.sheet.write_string(HEADER_ROW, self.meta_col, layout.HEADER, self.f.meta)

    def entry(self, entry: _Entry, rows: dict[int, int]) -> None:
        """One row of the form, its points and any continuation rows (drawn as one table row)."""
        heights = entry.row_heights()
        for i in range(entry.height):
            at = entry.first + i
            top, bottom = i == 0, i == entry.height - 1
            for col in self.text_columns:
                text = entry.written(col)[i]
                if col == NAME and i in entry.labels and text == layout.continued_label(entry.label):
                    fmt = self.f.cell("continued", False, top, bottom)
                else:
                    fmt = self.f.cell("tt" if col == TT else "text", entry.bold_in(col), top, bottom)
                self.text(at, self.at[col], text, fmt)
            # Neither Excel nor LibreOffice fits a row to text a program wrote: store its height.
            self.sheet.set_row(at, heights[i])
            if i:
                for col in self.point_columns:
                    self.sheet.write_blank(at, self.at[col], None, self.f.cell("points", False, top, bottom))
        self.points(entry, rows)
        if entry.node is not None:
            self.sheet.write_string(entry.first, self.meta_col, _meta_text(_row_meta(entry)), self.f.meta)
        for col, removed in entry.removed.items():
            self.removed.append((xl_rowcol_to_cell(entry.first, self.at[col]), removed))
        for col, length in entry.lengths.items():
            if length > CELL_LIMIT:
                count = len(entry.texts[col])
                self.notices.append(
                    render(
                        "export.notice-split",
                        cell=xl_rowcol_to_cell(entry.first, self.at[col]),
                        id=entry.label,
                        length=length,
                        limit=CELL_LIMIT,
                        rows=f"{entry.first + 2}–{entry.first + count}",
                    )
                )

    def signature(self, at: int, lines: list[tuple[str, str]], heights: list[float]) -> int:
        """The signature block from sheet row ``at`` (a blank row first), centred over the columns
        from the evidence on; the last row it takes (``at - 1`` when there is none)."""
        if not lines:
            return at - 1
        self.sheet.set_row(at, heights[0])
        fmts = {"date": self.f.place, "signer": self.f.signer, "space": self.f.plain}
        for i, (text, kind) in enumerate(lines, start=1):
            row = at + i
            if self.last_col > self.at[EVIDENCE]:
                self.sheet.merge_range(row, self.at[EVIDENCE], row, self.last_col, "", fmts[kind])
            else:  # the evidence column alone: nothing to merge
                self.sheet.write_blank(row, self.at[EVIDENCE], None, fmts[kind])
            if text:
                self.sheet.write_string(row, self.at[EVIDENCE], text, fmts[kind])
            self.sheet.set_row(row, heights[i])
        return at + len(lines)

    def points(self, entry: _Entry, rows: dict[int, int]) -> None:
        """Max, score and the council's points: constants on a leaf or group, live formulas on a
        node with children (the total's score and appraised points as the form prints them, 98,52)."""
        row, at = entry.row, entry.first
        alone = entry.height == 1
        fmt = self.f.cell("points", entry.bold, True, alone)
        score_fmt = self.f.cell("total", True, True, alone) if entry.node is None else fmt
        if row is None:
            for col in self.point_columns:
                self.sheet.write_blank(at, self.at[col], None, fmt)
            return
        if not row.summed:
            self.sheet.write_number(at, self.at[MAX], float(row.max), fmt)
            if not row.applicable and row.score is None:
                # Left out of the maximum ("exclude"): text, which the sums above skip.
                self.sheet.write_string(
                    at, self.at[SCORE], render("total.not-applicable"), self.f.cell("text", entry.bold, True, alone)
                )
            elif row.score is None:
                self.sheet.write_blank(at, self.at[SCORE], None, fmt)  # not scored yet: blank, never 0
            else:
                self.sheet.write_number(at, self.at[SCORE], float(row.score), self._rated(row, entry.bold, fmt, alone))
            if APPRAISED in self.at:
                if row.appraised is None:
                    self.sheet.write_blank(at, self.at[APPRAISED], None, fmt)
                else:
                    self.sheet.write_number(at, self.at[APPRAISED], float(row.appraised), fmt)
            return
        children = [rows[id(child)] for child in row.children]
        values = {MAX: row.max, SCORE: row.score, APPRAISED: row.appraised}
        for col in self.point_columns:
            self.formula(entry, self.at[col], children, values[col], fmt if col == MAX else score_fmt)

    def _rated(self, row: Row, bold: bool, fmt: Format, bottom: bool = True) -> Format:
        """The value a rule judged, beside the score: "(99,82%)" for a rate, "(4)" for a count."""
        if row.rate is None:
            return fmt
        shown = f"{format_points(row.rate.percent)}%" if row.percent else format_points(row.rate.done)
        return self.f.points_with(f"({shown})", bold, bottom)

    def applicable_max(self, root: Row, rows: dict[int, int], at: int) -> None:
        """Below the total, when a criterion leaves the maximum: the applicable maximum as a live
        formula, the total maximum minus the maxima of the topmost not-applicable rows."""
        excluded: list[int] = []
        stack = list(root.children)
        while stack:
            row = stack.pop()
            if not row.applicable:
                excluded.append(rows[id(row)])
            else:
                stack.extend(row.children)
        fmt = self.f.points[1]
        self.text(at, TT, "", self.f.tt[1])
        self.text(at, NAME, render("xlsx.applicable-max"), self.f.text[1])
        for col in (SCORE, *(c for c in self.text_columns if c > SCORE), *self.point_columns[2:]):
            self.text(at, self.at[col], "", self.f.text[0] if col not in POINT_COLUMNS else fmt)
        total = xl_rowcol_to_cell(rows[id(root)], MAX)
        minus = _call("SUM", _refs(sorted(excluded), MAX))
        cached = float(root.applicable_max if root.applicable_max is not None else root.max)
        self.sheet.write_formula(at, MAX, f"={total}-{minus}", fmt, cached)
        self.sheet.set_row(at, measure.row_height(1))

    def formula(self, entry: _Entry, col: int, children: list[int], value: Decimal | None, fmt: Format) -> None:
        """A SUM over the children's cells cached with the engine's value; the value itself (and a
        notice) when the formula would be too long for Excel."""
        at = entry.first
        # Unscored children: the engine says blank, so the formula stays blank until one is scored.
        blank = value is None
        cached: float | str = "" if value is None else float(value)
        if not children:  # nothing to add up: =SUM() is not a valid formula
            self._constant(at, col, cached, fmt)
            return
        formula = sum_formula(children, col, blank_when_empty=blank)
        if len(formula) > FORMULA_LIMIT:
            self._constant(at, col, cached, fmt)
            self.notices.append(
                render(
                    "export.notice-formula",
                    cell=xl_rowcol_to_cell(at, col),
                    id=entry.label,
                    length=len(formula),
                    limit=FORMULA_LIMIT,
                    value=format_points(value),
                )
            )
            return
        self.sheet.write_formula(at, col, formula, fmt, cached)

    def _constant(self, row: int, col: int, value: float | str, fmt: Format) -> None:
        """A number, or a blank cell for an empty value."""
        if isinstance(value, float):
            self.sheet.write_number(row, col, value, fmt)
        else:
            self.sheet.write_blank(row, col, None, fmt)

    def control_notice(self) -> None:
        """One notice for every cell that lost characters Excel refuses."""
        if not self.removed:
            return
        cells = [cell for cell, _ in self.removed]
        shown = ", ".join(cells[:10]) + (", …" if len(cells) > 10 else "")
        self.notices.append(render("export.notice-control", count=sum(n for _, n in self.removed), cells=shown))


#: A4 landscape and the margins, in points: the printed table's width and height.
PAPER = (841.89, 595.28)
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": round(FOOTER_MARGIN + FOOTER_ROOM, 4)}
#: Share of a page's height the rows may fill: Excel rounds row heights to whole pixels and
#: LibreOffice to its own units; a page filled to the last point would get a break of their own.
PAGE_FILL = 0.97


def _scale(width: float) -> int:
    """The print scale (per cent) at which a table ``width`` points wide fills the page's width."""
    room = PAPER[0] - 72 * (MARGINS["left"] + MARGINS["right"])
    return max(10, min(100, int(room * 100 / width) - 1))


def _page_room(scale: int) -> float:
    """The height a printed page gives the rows, in the sheet's points at ``scale``."""
    room = PAPER[1] - 72 * (MARGINS["top"] + MARGINS["bottom"])
    return room * 100 / scale * PAGE_FILL


def _paginate(
    groups: list[tuple[int, list[float]]], first_room: float, room: float
) -> tuple[list[int], dict[int, set[int]]]:
    """Where the printed pages start: the sheet rows before which a page breaks, and for each group
    (by its first row) the offsets of its rows that start a page.

    ``groups``: (first sheet row, row heights) of what must stay on one page when it fits one: a
    node and its continuation rows. A group is moved whole to the next page when it does not fit
    what is left of this one; only a group taller than a page is split, row by row.
    """
    breaks: list[int] = []
    inside: dict[int, set[int]] = {}
    left, used = first_room, 0.0  # what is left of this page, and what its rows take
    for first, heights in groups:
        if used and left < sum(heights) <= room:
            breaks.append(first)
            left, used = room, 0.0
        for i, height in enumerate(heights):
            if used and height > left:
                breaks.append(first + i)
                if i:
                    inside.setdefault(first, set()).add(i)
                left, used = room, 0.0
            left -= height
            used += height
    return breaks, inside


def _page(
    sheet: Worksheet, repeat: tuple[int, int], last_row: int, last_col: int, width: float, breaks: list[int], pages: int
) -> None:
    """Panes frozen below the header, A4 landscape, the rows ``repeat`` (first, last) on every printed
    page, printed up to ``last_row`` and ``last_col`` (nothing hidden beyond prints), at the scale
    that fits ``width`` points to the page, breaking before ``breaks``, "Trang 1/``pages``".

    The pages are counted here, not by the program (&N): LibreOffice counts every sheet's pages in
    &N even when each sheet starts at page 1, so a form of 27 pages would say "Trang 1/37". Every
    page's end is a manual break, and the rows are sized explicitly, so Excel and LibreOffice print
    the very pages counted.
    """
    sheet.freeze_panes(repeat[1] + 1, 0)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.set_print_scale(_scale(width))
    sheet.set_start_page(1)
    sheet.repeat_rows(*repeat)
    sheet.print_area(0, 0, last_row, last_col)
    sheet.set_margins(**MARGINS)
    sheet.center_horizontally()
    if breaks:
        sheet.set_h_pagebreaks(breaks)
    sheet.set_footer(
        f'&C&"{FONT},Regular"&{FOOTER_SIZE}{render("xlsx.footer", pages=pages)}', {"margin": FOOTER_MARGIN}
    )


def _sheet_name(name: str) -> str:
    """A name Excel accepts for a worksheet: no []:*?/\\ , at most 31 characters."""
    name = _SHEET_NAME_BAD.sub("-", clean_text(name)[0]).strip("'")[:31]
    return name or "Sheet1"


# --- the signature block --------------------------------------------------------------------------

#: Lines of room left for the signature between the signer's title and name.
SIGNATURE_LINES = 4


def _date_parts(date: str) -> tuple[str, str, str]:
    """Day, month and year as a Vietnamese document writes them: a day below 10 and the months 1
    and 2 with a leading zero (Nghị định 30/2020/NĐ-CP), other months without."""
    text = date.strip()
    if "-" in text:
        year, month, day = text.split("-")
    else:
        day, month, year = text.split("/")
    d, m = int(day), int(month)
    return f"{d:02d}", f"{m:02d}" if m <= 2 else str(m), year


def _signature(card: Scorecard) -> list[tuple[str, str]]:
    """The lines under the total, as (text, kind): the place and date, the signer's title, room to
    sign, the signer's name; only what the scorecard gives."""
    lines: list[tuple[str, str]] = []
    if card.date is not None:
        day, month, year = _date_parts(card.date)
        key = "xlsx.place-date" if card.place else "xlsx.date-only"
        lines.append((render(key, place=card.place, day=day, month=month, year=year), "date"))
    elif card.place:
        lines.append((render("xlsx.place-undated", place=card.place), "date"))
    if card.signer is not None:
        lines.append((card.signer.title, "signer"))
        lines.append(("", "space"))
        if card.signer.name:
            lines.append((card.signer.name, "signer"))
    return [(clean_text(text)[0], kind) for text, kind in lines]


def _signature_heights(lines: list[tuple[str, str]], width: float) -> list[float]:
    """The rows of the signature block: a blank row, then one row per line of ``lines``."""
    room = measure.cell_room(width)
    heights = [measure.row_height(1)] if lines else []
    for text, kind in lines:
        count = SIGNATURE_LINES if kind == "space" else measure.line_count(text, room, bold=kind == "signer")
        heights.append(measure.row_height(count))
    return heights


# --- the evidence index -------------------------------------------------------------------------


def _targets(cited: list[Cited]) -> list[tuple[str, str]]:
    """The files and web addresses a document is cited by, as ("file" | "url", name as cited), once
    each, in order: a mapping's ``file`` and ``url``, a citation that is a file name or an address."""
    found: list[tuple[str, str]] = []
    for c in cited:
        item = c.source
        if isinstance(item, EvidenceRef):
            pairs = [("file", item.file or ""), ("url", item.url or "")]
        elif c.citation.kind in ("file", "url"):
            pairs = [(c.citation.kind, c.text)]
        else:
            pairs = []
        found.extend((kind, name.strip()) for kind, name in pairs if name.strip())
    return list(dict.fromkeys(found))


def _file_url(folder: Path, name: str, workbook_dir: Path | None) -> str | None:
    """The link to a cited file that exists inside ``folder``, relative to the workbook's folder when
    a relative path reaches it (else absolute); None when there is no such file, so no link breaks."""
    if "#" in name or "%" in name:
        return None  # XlsxWriter reads "#" as an anchor and "%xx" as already escaped: the link would break
    base = os.path.abspath(folder)
    path = os.path.normpath(os.path.join(base, name))
    try:
        inside = os.path.commonpath([base, path]) == base
    except ValueError:  # another drive (Windows)
        inside = False
    if not inside or not os.path.isfile(path):
        return None  # only the evidence folder's own files, never "../../x" outside it
    target = path
    if workbook_dir is not None:
        try:
            target = os.path.relpath(path, os.path.abspath(workbook_dir))
        except ValueError:  # another drive (Windows): only the absolute path reaches it
            pass
    return "external:" + target


def _web_url(name: str) -> str | None:
    """The link for a cited web address ("www.…" gets "http://"); None for anything else."""
    if not _WEB.fullmatch(name):
        return None
    return name if "://" in name else "http://" + name


def _index_sheet(book: Any, f: _Formats, card: Scorecard, evidence_dir: Path | None, workbook_dir: Path | None) -> None:
    """The sheet "Tài liệu kiểm chứng": the index of ``cchc evidence``, one row per cited document,
    the most leaned-on first, and the file or address it is cited by (a link where one can work)."""
    sheet = book.add_worksheet(_sheet_name(render(layout.EVIDENCE_SHEET)))
    last_col = len(INDEX_COLUMNS) - 1
    rooms = [measure.cell_room(measure.column_points(width)) for _, width in INDEX_COLUMNS]
    title = measure.clip(clean_text(render("evidence.title", unit=card.unit, year=card.year))[0])
    sheet.merge_range(0, 0, 0, last_col, "", f.title)
    sheet.write_string(0, 0, title, f.title)
    width = sum(measure.column_points(w) for _, w in INDEX_COLUMNS)
    title_lines = measure.line_count(title, measure.cell_room(width, TITLE_SIZE), bold=True)
    heights = [measure.title_height(title_lines)]
    sheet.set_row(0, heights[0])
    lines = 1
    for col, (key, col_width) in enumerate(INDEX_COLUMNS):
        sheet.set_column(col, col, col_width)
        sheet.write_string(1, col, render(key), f.header)
        lines = max(lines, measure.line_count(render(key), rooms[col], bold=True))
    heights.append(measure.row_height(lines))
    sheet.set_row(1, heights[1])
    documents = index_documents(all_cited(card))
    for row, doc in enumerate(documents, start=2):
        doc_type, number, dates, subject, criteria, count = index_row(doc)
        targets = _targets(doc.cited)
        link = _first_link(targets, evidence_dir, workbook_dir)
        # The file column: the linked name, else every file or address cited (as text: no link).
        files = link[1] if link else "\n".join(name for _, name in targets)
        texts = [
            measure.clip(clean_text(text)[0])
            for text in (doc_type, number, dates, subject, criteria, str(count), files)
        ]
        for col, text in enumerate(texts):
            if col == INDEX_COUNT:
                sheet.write_number(row, col, count, f.points[0])
            elif col == INDEX_FILE and link is not None and _link(sheet, row, col, link[0], text, f.link):
                pass
            elif text:  # type, number and dates centred, like the form's TT
                sheet.write_string(row, col, text, f.tt[0] if col < 3 else f.text[0])
            else:
                sheet.write_blank(row, col, None, f.text[0])
        heights.append(measure.row_height(max(measure.line_count(text, rooms[col]) for col, text in enumerate(texts))))
        sheet.set_row(row, heights[-1])
    room = _page_room(_scale(width)) - heights[0] - heights[1]
    breaks, _ = _paginate([(row, [height]) for row, height in enumerate(heights[2:], start=2)], room, room)
    _page(sheet, (0, 1), max(1, len(documents) + 1), last_col, width, breaks, len(breaks) + 1)


def _first_link(
    targets: list[tuple[str, str]], evidence_dir: Path | None, workbook_dir: Path | None
) -> tuple[str, str] | None:
    """(URL, name as cited) of the first cited file found in ``evidence_dir`` or web address."""
    for kind, name in targets:
        if kind == "url":
            url = _web_url(name)
        elif evidence_dir is not None:
            url = _file_url(evidence_dir, name, workbook_dir)
        else:
            url = None  # without the folder nobody knows whether the file exists: no link
        if url is not None:
            return url, name
    return None


def _link(sheet: Worksheet, row: int, col: int, url: str, text: str, fmt: Format) -> bool:
    """Write a hyperlink showing ``text``; False when Excel's limits refuse it (nothing written)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # XlsxWriter warns and writes nothing for a too long URL
        try:
            return bool(sheet.write_url(row, col, url, fmt, text or url) == 0)
        except (ValueError, IndexError):  # an address XlsxWriter cannot parse (it indexes url[1])
            return False


# --- the workbook -------------------------------------------------------------------------------


def build_xlsx(
    card: Scorecard,
    root: Row,
    *,
    evidence_dir: Path | None = None,
    workbook_dir: Path | None = None,
    draft: list[Problem] | None = None,
    notes: bool = True,
) -> tuple[bytes, list[str]]:
    """The workbook's bytes and the notices (rendered) about what had to be changed to fit Excel.

    ``evidence_dir``: the folder of the evidence files, whose cited files get links in the index
    sheet; ``workbook_dir``: where the workbook will be, so the links can be relative to it;
    ``draft``: write a draft, "DỰ THẢO" in its title, these problems on a sheet of their own;
    ``notes``: False leaves the column "Ghi chú" out. The council's columns are there when the card
    holds any appraisal (see has_appraisal).
    """
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,  # no temporary files of its own: the only file written is ours
            # Belt and braces: even a stray write() never turns text into a formula, number or link.
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "default_format_properties": {"font_name": FONT, "font_size": TABLE_SIZE},
            "default_row_height": 21,  # pixels: Times New Roman 12 needs 15,75 pt
        },
    )
    title = clean_text((card.title or "") or render("xlsx.title", year=card.year))[0][:255]
    book.set_properties({"title": title, "subject": clean_text(card.unit)[0][:255], "creator": layout.CREATOR})
    sheet = book.add_worksheet(_sheet_name(render(layout.FORM_SHEET)))
    formats = _Formats(book)
    columns = layout.form_columns(notes=notes, appraisal=has_appraisal(card))
    writer = _Writer(sheet, formats, columns)
    writer.titles(card, draft is not None)
    entries, widths = _entries(root, card, columns)
    writer.header(widths)
    rows = {id(entry.row): entry.first for entry in entries if entry.row is not None}
    width = sum(measure.column_points(w) for w in widths.values())
    room = _page_room(_scale(width))
    above = sum(writer.heights.values()) + measure.row_height(1) * (HEADER_ROW - len(TITLE_ROWS))
    signature = _signature(card)
    block = sum(measure.column_points(w) for col, w in widths.items() if col >= EVIDENCE)  # where it stands
    signature_heights = _signature_heights(signature, block)
    groups = [(entry.first, entry.row_heights()) for entry in entries]
    applicable = root.applicable_max is not None and root.applicable_max != root.max
    # The applicable maximum's row and the signature stay on the page of the total.
    tail = ([measure.row_height(1)] if applicable else []) + signature_heights
    groups[-1] = (groups[-1][0], groups[-1][1] + tail)
    breaks, inside = _paginate(groups, room - above, room - writer.heights[HEADER_ROW])
    for entry in entries:
        entry.labels = inside.get(entry.first, set())
        writer.entry(entry, rows)
    last = entries[-1].first + entries[-1].height - 1
    if applicable:
        last += 1
        writer.applicable_max(root, rows, last)
    last = writer.signature(last + 1, signature, signature_heights)
    writer.control_notice()
    _page(sheet, (HEADER_ROW, HEADER_ROW), last, writer.last_col, width, breaks, len(breaks) + 1)
    _index_sheet(book, formats, card, evidence_dir, workbook_dir)
    if draft is not None:
        _problems_sheet(book, formats, draft)
    _meta_sheet(book, _top_meta(card, root, writer.lines, entries[-1]))
    book.close()
    return buffer.getvalue(), writer.notices


# --- writing ------------------------------------------------------------------------------------

#: What the workbook may be called.
SUFFIXES = (".xlsx",)


def write_xlsx(
    card: Scorecard,
    root: Row,
    out: Path,
    *,
    source: Path | None,
    overwrite: bool,
    evidence_dir: Path | None = None,
    draft: list[Problem] | None = None,
    notes: bool = True,
) -> list[str]:
    """Write ``card`` (rolled up as ``root``) to ``out`` as the form; return notices for stderr.

    ``evidence_dir``: link the cited files found there from the evidence index sheet. Raises
    cchc.output.OutputError for every user error: see there for what is refused.
    """
    out = Path(out)
    safewrite.check_target(out, Path(source) if source is not None else None, overwrite, SUFFIXES, "err.output-suffix")
    data, notices = build_xlsx(card, root, evidence_dir=evidence_dir, workbook_dir=out.parent, draft=draft, notes=notes)
    safewrite.write_atomic(data, out, overwrite)
    return notices
