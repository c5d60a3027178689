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
landscape, the header repeated on every printed page, fit to one page wide, "Trang 1/28" in the
footer. The footer has less room than its font size, so LibreOffice gives it a fixed height: a
footer it sizes from the text makes it drop the last rows of the table from some printouts (see
FOOTER_ROOM).

Row heights: every row's height is stored, from cchc.xlsx.measure's estimate of its wrapped lines,
which errs high: LibreOffice shows a row without one at one line and lets wrapped text run over the
rows below, and no program grows a merged title row.

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

Long text is never cut silently. A cell whose text would exceed Excel's 32,767 characters or 409
points of a row is continued on extra rows right below its node (cchc.xlsx.measure.split_text):
those rows have blank TT and points, the name column says "(tiếp theo 1.2)", and a line that itself
had to be cut ends and resumes with "…". The formulas refer to each node's first row, so
continuation rows never count. A cell over Excel's character limit also yields a notice naming the
cell and the rows that continue it. The title rows, which cannot continue, are cut at the limit
with a "…" marker and a notice.

Hidden metadata, so that ``cchc import`` gives back the very scorecard (see cchc.xlsx.layout): a
hidden column after "Ghi chú" (outside the print area) holds each node's id and what its visible
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
from cchc.scorecard.model import Criterion, EvidenceRef, Scorecard, evidence_item, iter_criteria
from cchc.scorecard.numbers import format_points
from cchc.scorecard.rollup import Row
from cchc.xlsx import layout, measure
from cchc.xlsx.layout import (APPRAISAL, APPRAISAL_COLUMNS, APPRAISED, COLUMNS, EVIDENCE, FIRST_ROW, HEADER_ROW,
                              INDEX_COLUMNS, INDEX_COUNT, INDEX_FILE, MARK, MAX, NAME, NOTE, SCORE, TEXT_COLUMNS,
                              TITLE_ROWS, TT)
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
ROOMS = tuple(measure.cell_room(measure.column_points(column.width)) for column in COLUMNS + APPRAISAL_COLUMNS)
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

    @property
    def height(self) -> int:
        """Sheet rows taken: one, plus continuation rows for long text."""
        return max(len(parts) for parts in self.texts.values())

    @property
    def bold(self) -> bool:
        """Fields and the total are set in bold."""
        return self.depth <= 1

    @property
    def label(self) -> str:
        """How notices and continuation rows name this row."""
        return self.node.id if self.node is not None else render("xlsx.total")

    def written(self, col: int) -> list[str]:
        """The texts the cells of ``col`` hold over this row's sheet rows, as written ("" = blank)."""
        parts = self.texts[col]
        filler = layout.continued_label(self.label) if col == NAME else ""
        return parts + [filler] * (self.height - len(parts))


def _name(node: Criterion, depth: int) -> str:
    """The name column: a field in capitals; below it "1.1.1. Title"."""
    if depth == 1:
        return node.title.upper()
    return layout.name_prefix(node.id) + node.title


def _entry(node: Criterion | None, row: Row | None, depth: int, card: Scorecard | None = None) -> _Entry:
    """Clean and split the texts of one row of the form; ``card``: the card, when it has appraisal
    (the council's columns are written)."""
    appraised = card is not None
    entry = _Entry(node, row, depth, appraised)
    if node is None:
        raw = {TT: "", NAME: render("xlsx.total"), EVIDENCE: "", NOTE: ""}
    else:
        # A mapping item is written as its one line (``str(EvidenceRef)``), which model.evidence_item
        # reads back into the mapping.
        raw = {TT: node.tt or "", NAME: _name(node, depth),
               EVIDENCE: "\n".join(str(item) for item in node.evidence), NOTE: node.note or ""}
    if card is not None:
        raw[APPRAISAL] = layout.appraisal_text(list(node.appraisal if node is not None else card.appraisal))
    widths = layout.form_columns(True)
    for col, text in raw.items():
        text, removed = clean_text(text)
        if removed:
            entry.removed[col] = removed
        entry.lengths[col] = measure.excel_length(text)
        entry.texts[col] = measure.split_text(text, widths[col].width, bold=entry.bold)
    return entry


def has_appraisal(card: Scorecard) -> bool:
    """Whether the card holds any appraisal entry (even one the rollup ignores, on the survey part or
    a row of a group known only as a total): then the council's columns are written, so none is lost."""
    return bool(card.appraisal) or any(node.appraisal for node, _, _ in iter_criteria(card.criteria))


def _entries(root: Row, card: Scorecard) -> list[_Entry]:
    """Every row of the form in table order, the total last, each placed on its sheet rows."""
    entries: list[_Entry] = []
    council = card if has_appraisal(card) else None
    for row in root.walk():
        if row.node is None:
            continue
        entries.append(_entry(row.node, row, row.depth, council))
        if row.node.split_unknown:
            # The group's rows are known by name and evidence only; the points stay on the group.
            entries.extend(_entry(child, None, depth, council)
                           for child, depth, _ in iter_criteria(row.node.children, row.depth + 1))
    entries.append(_entry(None, root, 0, council))
    at = FIRST_ROW
    for entry in entries:
        entry.first = at
        at += entry.height
    return entries


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
    return _call("SUM", [_call(function, args[i:i + ARGS_LIMIT]) for i in range(0, len(args), ARGS_LIMIT)])


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
    return (clean_text(text)[0] == text and (len(parts) == 1 or "" not in parts)
            and MARK + "\n" + MARK not in text)


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
        # None is a blank cell, read back as None; "" is a blank cell too.
        if value is not None and (value == "" or not _shown_exactly(value, entry.texts[col])):
            meta[attr] = [value, layout.digest(entry.written(col))]
    if node.evidence:
        joined = "\n".join(str(item) for item in node.evidence)
        if not (joined and _shown_exactly(joined, entry.texts[EVIDENCE])
                and all(_item_reads_back(item) for item in node.evidence)):
            meta["evidence"] = [[_evidence_json(item) for item in node.evidence],
                                layout.digest(entry.written(EVIDENCE))]
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
    meta: dict[str, Any] = {"cchc": layout.VERSION, "unit": card.unit, "year": card.year,
                            "level": card.level, "title": card.title, "report": card.report,
                            "lines": [layout.digest([line]) for line in lines]}
    if card.criteria_set is not None:  # the form has no cell for it
        meta["criteria_set"] = card.criteria_set
    for name in ("bonus", "penalty"):
        entries = getattr(card, name)
        if entries:
            meta[name] = [entry.model_dump(mode="json", exclude_none=True) for entry in entries]
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
        sheet.write_string(row, 0, text[start:start + size])


# --- the workbook -------------------------------------------------------------------------------


class _Formats:
    """The workbook's cell formats, made once each."""

    def __init__(self, book: Any) -> None:
        # font_scheme none: a font tied to the theme's scheme would show as the theme's Calibri.
        font = {"font_name": FONT, "font_scheme": "none"}
        base = {**font, "font_size": TABLE_SIZE, "valign": "top", "text_wrap": True, "border": 1}
        title = {**font, "font_size": TITLE_SIZE, "bold": True, "align": "center", "valign": "vcenter",
                 "text_wrap": True}
        self.title: Format = book.add_format(title)
        self.header: Format = book.add_format({**base, "bold": True, "align": "center", "valign": "vcenter"})
        self.text = [book.add_format(base), book.add_format({**base, "bold": True})]
        self.tt = [book.add_format({**base, "align": "center"}),
                   book.add_format({**base, "align": "center", "bold": True})]
        # General: 14, 0,5, 12,9491 as written (no trailing separator), in the reader's decimal sign.
        self.points = [book.add_format({**base, "align": "center", "num_format": "General"}),
                       book.add_format({**base, "align": "center", "bold": True, "num_format": "General"})]
        # The form prints the total score with 2 decimals (98,52).
        self.total_score: Format = book.add_format({**base, "align": "center", "bold": True,
                                                    "num_format": "0.00"})
        self.continued: Format = book.add_format({**base, "italic": True})
        # A link looks like one: underlined, in the blue every spreadsheet program uses.
        self.link: Format = book.add_format({**base, "underline": 1, "font_color": "#0563C1"})
        # The hidden metadata column: plain text, nothing a reader sees.
        self.meta: Format = book.add_format({**font, "font_size": TABLE_SIZE})
        self._book, self._base = book, base
        self._suffixed: dict[tuple[str, bool], Format] = {}

    def points_with(self, suffix: str, bold: bool) -> Format:
        """The points format showing ``suffix`` after the number ("0,4991 (99,82%)"): the cell stays a
        number, so the sums above it still add it."""
        key = (suffix, bold)
        if key not in self._suffixed:
            quoted = suffix.replace('"', "")
            self._suffixed[key] = self._book.add_format({**self._base, "align": "center", "bold": bold,
                                                         "num_format": f'General" {quoted}"'})
        return self._suffixed[key]


class _Writer:
    """Writes the rows of the form into one worksheet and collects the notices."""

    def __init__(self, sheet: Worksheet, formats: _Formats, appraised: bool = False) -> None:
        self.sheet = sheet
        self.f = formats
        self.appraised = appraised
        self.columns = layout.form_columns(appraised)
        self.last_col = layout.last_col(appraised)
        self.meta_col = layout.meta_col(appraised)
        self.text_columns = TEXT_COLUMNS + ((APPRAISAL,) if appraised else ())
        self.notices: list[str] = []
        self.removed: list[tuple[str, int]] = []  # (cell, characters removed)
        self.lines: list[str] = []  # the title rows as written

    def text(self, row: int, col: int, text: str, fmt: Format) -> None:
        """Always a string cell (or a bordered blank): never a formula, number or link."""
        if text:
            self.sheet.write_string(row, col, text, fmt)
        else:
            self.sheet.write_blank(row, col, None, fmt)

    def titles(self, card: Scorecard) -> None:
        """The two title rows, merged across the table, centred and bold."""
        texts = layout.title_lines(card.title, card.year, card.report, card.unit)
        width = sum(measure.column_points(column.width) for column in self.columns)  # the merged cell's
        for row, text in zip(TITLE_ROWS, texts):
            cell = xl_rowcol_to_cell(row, 0)
            text, removed = clean_text(text)
            if removed:
                self.removed.append((cell, removed))
            if measure.excel_length(text) > CELL_LIMIT:
                self.notices.append(render("export.notice-clipped", cell=cell,
                                           length=measure.excel_length(text), limit=CELL_LIMIT))
                text = measure.clip(text)
            self.lines.append(text)
            # merge_range writes through write(); write the text again as a string to be sure.
            self.sheet.merge_range(row, 0, row, self.last_col, "", self.f.title)
            self.sheet.write_string(row, 0, text, self.f.title)
            # Excel does not grow a merged row to fit its text: size it from an estimate.
            lines = measure.line_count(text, measure.cell_room(width, TITLE_SIZE), bold=True)
            self.sheet.set_row(row, measure.title_height(lines))

    def header(self) -> None:
        """The column headings."""
        lines = 1
        for col, (column, text) in enumerate(zip(self.columns, layout.header_texts(self.appraised), strict=True)):
            self.sheet.set_column(col, col, column.width)
            self.text(HEADER_ROW, col, text, self.f.header)
            lines = max(lines, measure.line_count(text, ROOMS[col], bold=True))
        self.sheet.set_row(HEADER_ROW, measure.row_height(lines))
        # The metadata column: hidden, and outside the print area (see _page).
        self.sheet.set_column(self.meta_col, self.meta_col, 12, self.f.meta, {"hidden": True})
        self.sheet.write_string(HEADER_ROW, self.meta_col, layout.HEADER, self.f.meta)

    def entry(self, entry: _Entry, rows: dict[int, int]) -> None:
        """One row of the form, its points and any continuation rows."""
        bold = int(entry.bold)
        for i in range(entry.height):
            at = entry.first + i
            lines = 1
            for col in self.text_columns:
                parts = entry.texts[col]
                if i < len(parts):
                    self.text(at, col, parts[i], self.f.tt[bold] if col == TT else self.f.text[bold])
                    lines = max(lines, measure.line_count(parts[i], ROOMS[col], entry.bold))
                elif col == NAME:
                    label = layout.continued_label(entry.label)
                    self.text(at, col, label, self.f.continued)
                    lines = max(lines, measure.line_count(label, ROOMS[col], bold=True))  # italic is narrower
                else:
                    self.text(at, col, "", self.f.text[0])
            # Neither Excel nor LibreOffice fits a row to text a program wrote: store its height.
            self.sheet.set_row(at, measure.row_height(lines))
            if i:
                for col in (MAX, SCORE, APPRAISED) if self.appraised else (MAX, SCORE):
                    self.sheet.write_blank(at, col, None, self.f.points[0])
        self.points(entry, rows)
        if entry.node is not None:
            self.sheet.write_string(entry.first, self.meta_col, _meta_text(_row_meta(entry)), self.f.meta)
        for col, removed in entry.removed.items():
            self.removed.append((xl_rowcol_to_cell(entry.first, col), removed))
        for col, length in entry.lengths.items():
            if length > CELL_LIMIT:
                count = len(entry.texts[col])
                self.notices.append(render(
                    "export.notice-split", cell=xl_rowcol_to_cell(entry.first, col), id=entry.label,
                    length=length, limit=CELL_LIMIT, rows=f"{entry.first + 2}–{entry.first + count}"))

    def points(self, entry: _Entry, rows: dict[int, int]) -> None:
        """Max and score: constants on a leaf or group, live formulas on a node with children."""
        row, at = entry.row, entry.first
        fmt = self.f.points[int(entry.bold)]
        score_fmt = self.f.total_score if entry.node is None else fmt
        points = (MAX, SCORE, APPRAISED) if self.appraised else (MAX, SCORE)
        if row is None:
            for col in points:
                self.sheet.write_blank(at, col, None, fmt)
            return
        values = {MAX: row.max, SCORE: row.score, APPRAISED: row.appraised}
        if not row.summed:
            self.sheet.write_number(at, MAX, float(row.max), fmt)
            if not row.applicable and row.score is None:
                # Left out of the maximum ("exclude"): text, which the sums above skip.
                self.sheet.write_string(at, SCORE, render("total.not-applicable"), self.f.text[int(entry.bold)])
            elif row.score is None:
                self.sheet.write_blank(at, SCORE, None, fmt)  # not scored yet: blank, never 0
            else:
                self.sheet.write_number(at, SCORE, float(row.score), self._rated(row, entry.bold, fmt))
            if self.appraised:
                if row.appraised is None:
                    self.sheet.write_blank(at, APPRAISED, None, fmt)
                else:
                    self.sheet.write_number(at, APPRAISED, float(row.appraised), fmt)
            return
        children = [rows[id(child)] for child in row.children]
        self.formula(entry, MAX, children, row.max, fmt)
        for col in points[1:]:
            self.formula(entry, col, children, values[col], score_fmt)

    def _rated(self, row: Row, bold: bool, fmt: Format) -> Format:
        """The value a rule judged, beside the score: "(99,82%)" for a rate, "(4)" for a count."""
        if row.rate is None:
            return fmt
        shown = f"{format_points(row.rate.percent)}%" if row.percent else format_points(row.rate.done)
        return self.f.points_with(f"({shown})", bold)

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
        for col in (SCORE, EVIDENCE, NOTE, *((APPRAISED, APPRAISAL) if self.appraised else ())):
            self.text(at, col, "", self.f.text[0] if col not in (SCORE, APPRAISED) else fmt)
        total = xl_rowcol_to_cell(rows[id(root)], MAX)
        minus = _call("SUM", _refs(sorted(excluded), MAX))
        cached = float(root.applicable_max if root.applicable_max is not None else root.max)
        self.sheet.write_formula(at, MAX, f"={total}-{minus}", fmt, cached)
        self.sheet.set_row(at, measure.row_height(1))

    def formula(self, entry: _Entry, col: int, children: list[int], value: Decimal | None,
                fmt: Format) -> None:
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
            self.notices.append(render(
                "export.notice-formula", cell=xl_rowcol_to_cell(at, col), id=entry.label,
                length=len(formula), limit=FORMULA_LIMIT, value=format_points(value)))
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
        self.notices.append(render("export.notice-control", count=sum(n for _, n in self.removed),
                                   cells=shown))


def _page(sheet: Worksheet, repeat: tuple[int, int], last_row: int, last_col: int) -> None:
    """Panes frozen below the header, A4 landscape, the rows ``repeat`` (first, last) on every printed
    page, one page wide, printed up to ``last_row`` and ``last_col`` (nothing hidden beyond prints)."""
    sheet.freeze_panes(repeat[1] + 1, 0)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    sheet.repeat_rows(*repeat)
    sheet.print_area(0, 0, last_row, last_col)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=round(FOOTER_MARGIN + FOOTER_ROOM, 4))
    sheet.center_horizontally()
    sheet.set_footer(f'&C&"{FONT},Regular"&{FOOTER_SIZE}{render("xlsx.footer")}',
                     {"margin": FOOTER_MARGIN})


def _sheet_name(name: str) -> str:
    """A name Excel accepts for a worksheet: no []:*?/\\ , at most 31 characters."""
    name = _SHEET_NAME_BAD.sub("-", clean_text(name)[0]).strip("'")[:31]
    return name or "Sheet1"


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


def _index_sheet(book: Any, f: _Formats, card: Scorecard, evidence_dir: Path | None,
                 workbook_dir: Path | None) -> None:
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
    sheet.set_row(0, measure.title_height(title_lines))
    lines = 1
    for col, (key, col_width) in enumerate(INDEX_COLUMNS):
        sheet.set_column(col, col, col_width)
        sheet.write_string(1, col, render(key), f.header)
        lines = max(lines, measure.line_count(render(key), rooms[col], bold=True))
    sheet.set_row(1, measure.row_height(lines))
    documents = index_documents(all_cited(card))
    for row, doc in enumerate(documents, start=2):
        doc_type, number, dates, subject, criteria, count = index_row(doc)
        targets = _targets(doc.cited)
        link = _first_link(targets, evidence_dir, workbook_dir)
        # The file column: the linked name, else every file or address cited (as text: no link).
        files = link[1] if link else "\n".join(name for _, name in targets)
        texts = [measure.clip(clean_text(text)[0])
                 for text in (doc_type, number, dates, subject, criteria, str(count), files)]
        for col, text in enumerate(texts):
            if col == INDEX_COUNT:
                sheet.write_number(row, col, count, f.points[0])
            elif col == INDEX_FILE and link is not None and _link(sheet, row, col, link[0], text, f.link):
                pass
            elif text:  # type, number and dates centred, like the form's TT
                sheet.write_string(row, col, text, f.tt[0] if col < 3 else f.text[0])
            else:
                sheet.write_blank(row, col, None, f.text[0])
        sheet.set_row(row, measure.row_height(max(measure.line_count(text, rooms[col])
                                                  for col, text in enumerate(texts))))
    _page(sheet, (0, 1), max(1, len(documents) + 1), last_col)


def _first_link(targets: list[tuple[str, str]], evidence_dir: Path | None,
                workbook_dir: Path | None) -> tuple[str, str] | None:
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


def build_xlsx(card: Scorecard, root: Row, *, evidence_dir: Path | None = None,
               workbook_dir: Path | None = None) -> tuple[bytes, list[str]]:
    """The workbook's bytes and the notices (rendered) about what had to be changed to fit Excel.

    ``evidence_dir``: the folder of the evidence files, whose cited files get links in the index
    sheet; ``workbook_dir``: where the workbook will be, so the links can be relative to it.
    """
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {
        "in_memory": True,  # no temporary files of its own: the only file written is ours
        # Belt and braces: even a stray write() never turns text into a formula, number or link.
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
        "default_format_properties": {"font_name": FONT, "font_size": TABLE_SIZE},
        "default_row_height": 21,  # pixels: Times New Roman 12 needs 15,75 pt
    })
    title = clean_text((card.title or "") or render("xlsx.title", year=card.year))[0][:255]
    book.set_properties({"title": title, "subject": clean_text(card.unit)[0][:255], "creator": layout.CREATOR})
    sheet = book.add_worksheet(_sheet_name(render(layout.FORM_SHEET)))
    formats = _Formats(book)
    writer = _Writer(sheet, formats, appraised=has_appraisal(card))
    writer.titles(card)
    writer.header()
    entries = _entries(root, card)
    rows = {id(entry.row): entry.first for entry in entries if entry.row is not None}
    for entry in entries:
        writer.entry(entry, rows)
    last = entries[-1].first + entries[-1].height - 1
    if root.applicable_max is not None and root.applicable_max != root.max:
        last += 1
        writer.applicable_max(root, rows, last)
    writer.control_notice()
    _page(sheet, (HEADER_ROW, HEADER_ROW), last, writer.last_col)
    _index_sheet(book, formats, card, evidence_dir, workbook_dir)
    _meta_sheet(book, _top_meta(card, root, writer.lines, entries[-1]))
    book.close()
    return buffer.getvalue(), writer.notices


# --- writing ------------------------------------------------------------------------------------

#: What the workbook may be called.
SUFFIXES = (".xlsx",)


def write_xlsx(card: Scorecard, root: Row, out: Path, *, source: Path | None, overwrite: bool,
               evidence_dir: Path | None = None) -> list[str]:
    """Write ``card`` (rolled up as ``root``) to ``out`` as the form; return notices for stderr.

    ``evidence_dir``: link the cited files found there from the evidence index sheet. Raises
    cchc.output.OutputError for every user error: see there for what is refused.
    """
    out = Path(out)
    safewrite.check_target(out, Path(source) if source is not None else None, overwrite, SUFFIXES,
                           "err.output-suffix")
    data, notices = build_xlsx(card, root, evidence_dir=evidence_dir, workbook_dir=out.parent)
    safewrite.write_atomic(data, out, overwrite)
    return notices
