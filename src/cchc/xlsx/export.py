"""Write a scorecard as the official form: an .xlsx workbook an officer can attach unchanged.

Why XlsxWriter: field and total cells are live ``=SUM(...)`` formulas so the sheet stays right when
someone edits it in Excel, and XlsxWriter stores a cached result with each formula
(``write_formula(..., value=...)``), so a file previewer or ``openpyxl.load_workbook(data_only=True)``
shows 98,52 without recalculating. openpyxl can write a formula but not its cached value. XlsxWriter is
imported only by this module, which only the ``export`` command imports, so ``validate`` and ``total``
start fast.

Layout (the form): two merged title rows, a blank row, the header row (TT | Tên TC/TCTP | Điểm chuẩn |
Điểm tự đánh giá | Tài liệu kiểm chứng | Ghi chú), one row per node in table order (the children of a
``split_unknown`` group included, with blank points), then TỔNG ĐIỂM. Times New Roman, thin borders,
wrapped text aligned to the top, panes frozen below the header, A4 landscape, the header repeated on
every printed page, fit to one page wide, "Trang 1/28" in the footer. The footer has less room than
its font size, so LibreOffice gives it a fixed height: a footer it sizes from the text makes it drop
the last rows of the table from some printouts (see FOOTER_ROOM).

Row heights: every row's height is stored. LibreOffice shows a row without one at one line and lets
wrapped text run over the rows below, and no program grows a merged title row. A row is 15,75 pt
(Excel's line of Times New Roman 12) per estimated wrapped line plus 1,5 pt. The estimate lays the
text out as the programs do, with Times New Roman's character widths (Liberation Serif, LibreOffice's
stand-in, has the same) in the column's width in points: greedy at spaces, a word wider than a line
broken after a hyphen or slash, else anywhere; it takes the text 4% wider and the cell's margins
wider than they are, so it errs high. Checked against LibreOffice's own wrapping
(tests/test_libreoffice.py), it never counts fewer lines; LibreOffice needs only 13,3 pt a line, so
there the rows keep some space below the text.

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

Long text is never cut silently. Excel holds at most 32,767 characters in a cell and shows at most 409
points (25 estimated lines) of a row, on screen and on paper. A cell whose text would exceed either is
continued on extra rows right below its node: those rows have blank TT and points, the name column says
"(tiếp theo 1.2)", and a line that itself had to be cut (where a wrapped line ends) ends and resumes
with "…". The formulas refer to
each node's first row, so continuation rows never count. A cell over Excel's character limit also yields
a notice naming the cell and the rows that continue it. The title rows, which cannot continue, are cut
at the limit with a "…" marker and a notice.

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

import functools
import io
import os
import re
import unicodedata
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

from cchc.xlsx import layout as sheetmeta
from cchc.evidence.cited import Cited, all_cited, index_documents, index_row
from cchc.messages import render
from cchc.scorecard.model import Criterion, EvidenceRef, Scorecard, evidence_item, iter_criteria
from cchc.scorecard.numbers import format_points
from cchc.scorecard.rollup import Row

__all__ = ["build_xlsx", "clean_text", "split_text", "write_xlsx"]

#: Excel's limit on one cell's text, in UTF-16 code units.
CELL_LIMIT = 32_767
#: Excel's limit on the length of a formula.
FORMULA_LIMIT = 8_192
#: Excel's limit on the arguments of one function call.
ARGS_LIMIT = 255
#: Points one line of 12 pt Times New Roman takes in a row: Excel's height for a one-line row (21
#: pixels), which it also adds per line when it fits a row to wrapped text. LibreOffice needs less
#: (13,3 pt a line), so a row sized for Excel shows the same lines in both.
LINE_HEIGHT = 15.75
#: Points a row adds to its lines, so the last line never touches the border below.
ROW_PADDING = 1.5
#: Excel's tallest row, in points: it cuts off the rest on screen and on paper.
MAX_ROW_HEIGHT = 409
#: Wrapped lines one table row may hold: 25 lines of 15,75 pt and the padding fit Excel's 409 pt.
ROW_LINES = int((MAX_ROW_HEIGHT - ROW_PADDING) // LINE_HEIGHT)
#: The continuation marker at both sides of a line that had to be cut.
MARK = "…"

FONT = "Times New Roman"
TABLE_SIZE = 12
TITLE_SIZE = 13
#: Points per line of a title row (13 pt, bold) and what the row adds to its lines.
TITLE_LINE_HEIGHT = 18
TITLE_PADDING = 6

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

#: The form's columns: header message key and width in characters (Excel's unit: the width of the
#: digit 0 of the Normal style's font, Times New Roman 12 pt, i.e. 6 pt).
COLUMNS: tuple[tuple[str, int], ...] = (
    ("xlsx.col.tt", 6),
    ("xlsx.col.criterion", 46),
    ("xlsx.col.max", 9),  # both headings wrap to two lines, alike in Excel and LibreOffice
    ("xlsx.col.score", 9),
    ("xlsx.col.evidence", 56),
    ("xlsx.col.note", 32),
)
TT, NAME, MAX, SCORE, EVIDENCE, NOTE = range(len(COLUMNS))
TEXT_COLUMNS = (TT, NAME, EVIDENCE, NOTE)
LAST_COL = len(COLUMNS) - 1
#: The hidden column right after "Ghi chú": each node's metadata (see cchc.xlsx.layout).
META_COL = LAST_COL + 1
#: The evidence index sheet's columns: header message key and width in characters. Together as
#: wide as the form, so both sheets print at the same scale.
INDEX_COLUMNS: tuple[tuple[str, int], ...] = (
    ("evidence.col.type", 8),
    ("evidence.col.number", 10),
    ("evidence.col.date", 13),
    ("evidence.col.subject", 48),
    ("evidence.col.criteria", 38),
    ("evidence.col.count", 7),
    ("evidence.col.file", 34),
)
INDEX_COUNT, INDEX_FILE = 5, 6
#: Web addresses that get a link: what spreadsheet programs open in a browser.
_WEB = re.compile(r"(?:https?|ftps?)://\S+|www\.\S+", re.I)
#: 0-based sheet rows: two title rows, a blank row, then the header.
TITLE_ROWS = (0, 1)
HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1

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


def _units(text: str) -> int:
    """Length as Excel counts it: UTF-16 code units (a character beyond the BMP counts twice)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


# --- measuring ----------------------------------------------------------------------------------
#
# Every row gets an explicit height from an estimate of its wrapped lines (see the module
# docstring). The estimate lays the text out as a spreadsheet does (_wrap) with Times New Roman's
# widths (Liberation Serif, which LibreOffice substitutes, has the same metrics); the room in a cell
# is taken narrow and the text wide, so it errs high: a row may have room to spare, never too little.

#: Advance widths of Times New Roman, in thousandths of an em (rounded up), of ' ' to '~': regular,
#: then bold. Excel's and LibreOffice's Times New Roman and Liberation Serif agree on them.
_ASCII_WIDTHS = (
    (
        250, 334, 409, 500, 500, 834, 778, 181, 334, 334, 500, 564, 250, 334, 250, 278,
        500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444,
        921, 723, 667, 667, 723, 611, 557, 723, 723, 334, 390, 723, 611, 890, 723, 723,
        557, 723, 667, 557, 611, 723, 723, 944, 723, 723, 611, 334, 278, 334, 470, 500,
        334, 444, 500, 444, 500, 444, 334, 500, 500, 278, 278, 500, 278, 778, 500, 500,
        500, 500, 334, 390, 278, 500, 500, 723, 500, 500, 444, 480, 201, 480, 542,
    ),
    (
        250, 334, 556, 500, 500, 1000, 834, 278, 334, 334, 500, 570, 250, 334, 250, 278,
        500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 334, 334, 570, 570, 570, 500,
        931, 723, 667, 723, 723, 667, 611, 778, 778, 390, 500, 778, 667, 944, 723, 778,
        611, 778, 723, 557, 667, 723, 723, 1000, 723, 723, 667, 334, 278, 334, 582, 500,
        334, 500, 557, 444, 557, 444, 334, 500, 557, 278, 334, 557, 278, 834, 557, 500,
        557, 557, 444, 390, 334, 557, 500, 723, 500, 500, 444, 395, 221, 395, 521,
    ),
)
#: Letters measured as a plain letter: đ is as wide as d, Đ as D (in both weights).
_LIKE = {"đ": "d", "Đ": "D", "ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O"}
#: What the horn of ơ ư Ơ Ư (and their toned forms) adds to the plain letter, at most.
_HORN = 75
#: Common signs outside ASCII (the widest of regular and bold).
_SIGNS = {
    "\u00a0": 250, "“": 500, "”": 500, "‘": 334, "’": 334, "–": 500, "—": 1000, "…": 1000,
    "•": 350, "·": 334, "°": 400, "×": 570, "±": 549, "§": 500, "«": 500, "»": 500, "№": 1005,
    "\t": 1000,
}
#: A word and the spaces after it; where a word too wide for a line may break.
_WORDS = re.compile("([^ ]*)( *)")
_WORD_BREAKS = re.compile(r"(?<=[-/])(?=\D)")
#: Anything else (CJK, emoji, symbols): an em, which errs high for all but a few.
_WIDE = 1000
#: The text is taken this much wider than its metrics: screen fonts are hinted to whole pixels,
#: and printers and other programs round differently.
_SLACK = 1.04
#: Points of a column that text cannot use: the cell's margins and its borders.
_CELL_MARGIN = 3.75
#: Points per character of column width: the digit 0 of Times New Roman 12 pt is half an em.
_POINTS_PER_CHAR = TABLE_SIZE / 2


@functools.lru_cache(maxsize=4096)
def _char_width(ch: str, bold: bool) -> int:
    """Advance width of one character in thousandths of an em (errs high for the unknown)."""
    table = _ASCII_WIDTHS[bold]
    if " " <= ch <= "~":
        return table[ord(ch) - 32]
    if ch in _SIGNS:
        return _SIGNS[ch]
    if ch in _LIKE:
        return table[ord(_LIKE[ch]) - 32]
    if unicodedata.combining(ch):
        return _HORN if ch == "\u031b" else 0  # a mark on the letter before it
    decomposed = unicodedata.normalize("NFD", ch)  # Vietnamese letters: the plain letter and marks
    if len(decomposed) > 1 and " " <= decomposed[0] <= "~":
        return table[ord(decomposed[0]) - 32] + (_HORN if "\u031b" in decomposed else 0)
    return _WIDE


def _column_points(width: int) -> float:
    """The width in points of a column set ``width`` characters wide.

    XlsxWriter stores the width plus the 5 pixels of padding it assumes for a 7-pixel digit (46
    becomes 46.7109375); Excel and LibreOffice give each stored character the width of the digit
    of the Normal style's font, here 6 pt.
    """
    return (int(width * 7 + 0.5) + 5) * 256 // 7 / 256 * _POINTS_PER_CHAR if width > 0 else 0.0


def _room(points: float, size: float = TABLE_SIZE) -> float:
    """What a cell ``points`` wide holds, in thousandths of an em of ``size`` pt text."""
    return max(1.0, (points - _CELL_MARGIN) * 1000 / size / _SLACK)


def _width(text: str, bold: bool) -> int:
    """Advance width of ``text`` in thousandths of an em."""
    return sum(_char_width(ch, bold) for ch in text)


def _wrap(line: str, room: float, bold: bool = False) -> list[int]:
    """Where each wrapped line of ``line`` (no LF in it) starts, laid out in ``room`` (see _room).

    Words fill a line greedily and a line breaks after a run of spaces (the spaces hang past the
    edge). A word wider than a whole line breaks after a hyphen or a slash, as Unicode's line
    breaking rules allow (BC-|UBND, 1032/|BC, never inside 30/9/2021), and a piece still too wide
    between characters.
    """
    starts = [0]
    x = 0.0  # width of the current line up to its last word
    gap = 0.0  # width of the spaces after that word
    for match in _WORDS.finditer(line):
        word, spaces = match.group(1), match.group(2)
        if not word and not spaces:
            continue
        width = _width(word, bold)
        if x > 0 and x + gap + width > room:
            starts.append(match.start())
            x = gap = 0.0
        if x + gap + width <= room:
            x += gap + width
        else:
            x += gap
            at = match.start()
            for piece in _WORD_BREAKS.split(word):
                width = _width(piece, bold)
                if x > 0 and x + width > room:
                    starts.append(at)
                    x = 0.0
                if x + width <= room:
                    x += width
                else:
                    for i, ch in enumerate(piece, at):
                        w = _char_width(ch, bold)
                        if x > 0 and x + w > room:
                            starts.append(i)
                            x = 0.0
                        x += w
                at += len(piece)
        gap = _width(spaces, bold)
    return starts


def _lines(text: str, room: float, bold: bool = False) -> int:
    """Estimated wrapped lines of ``text`` in a cell that holds ``room`` (see _room); errs high."""
    return sum(len(_wrap(line, room, bold)) for line in text.split("\n"))


#: What each column's cells hold (see _room).
ROOMS = tuple(_room(_column_points(width)) for _, width in COLUMNS)


def row_height(lines: int) -> float:
    """The height in points of a table row that shows ``lines`` lines of 12 pt text."""
    return min(MAX_ROW_HEIGHT, max(1, lines) * LINE_HEIGHT + ROW_PADDING)


def _fits(text: str, room: float, bold: bool) -> bool:
    """Whether ``text`` (no LF in it) fits one cell: Excel's limit and ROW_LINES wrapped lines."""
    return _units(text) <= CELL_LIMIT and len(_wrap(text, room, bold)) <= ROW_LINES


def _unit_cut(text: str, size: int) -> int:
    """How many characters of ``text`` make at most ``size`` UTF-16 units, ending after a space when
    one is in the second half."""
    end = size
    while (excess := _units(text[:end]) - size) > 0:  # astral characters count twice
        end -= (excess + 1) // 2  # removes at least half the excess, never the whole piece
    space = text.rfind(" ", end // 2, end)
    return space + 1 if space != -1 else end


def _cut(line: str, room: float, bold: bool) -> list[str]:
    """One line too long for a cell as pieces that each fit one (see _fits), markers included.

    A piece takes as many wrapped lines as a row shows, so it ends where a wrapped line does (after
    a space), or, for a line that would break Excel's cell limit first, after a space in the second
    half of what fits, else mid-word. Every piece but the last ends with MARK and every piece but
    the first starts with it, so the cut shows.
    """
    size = CELL_LIMIT - 2 * _units(MARK)
    # Only a window is laid out each time, so a huge line costs linear time: a piece never holds
    # more than ROW_LINES lines of the narrowest character with a width (the apostrophe, 181) or
    # more than ``size``; a shorter window (marks of no width) only makes a shorter piece.
    window = min(size + 1, ROW_LINES * (int(room / 181) + 2))
    pieces: list[str] = []
    start = 0
    while True:
        lead = MARK if start else ""
        rest = line[start:start + window]
        if start + window >= len(line) and _fits(lead + rest, room, bold):
            pieces.append(lead + rest)
            return pieces
        starts = _wrap(rest, room, bold)
        end = starts[ROW_LINES] if len(starts) > ROW_LINES else len(rest)
        if _units(rest[:end]) > size:
            end = _unit_cut(rest, size)
        # The markers may push the piece over a line: give back wrapped lines until it fits.
        while end > 1 and not _fits(lead + rest[:end] + MARK, room, bold):
            earlier = [at for at in starts if 0 < at < end]
            end = earlier[-1] if earlier else end // 2
        pieces.append(lead + rest[:end] + MARK)
        start += end


def split_text(text: str, width: int, bold: bool = False) -> list[str]:
    """``text`` as the contents of one or more cells of a column ``width`` characters wide.

    Each part holds at most ROW_LINES estimated wrapped lines (so its row fits Excel's 409 pt) and
    fits Excel's cell limit; lines are kept whole where they fit. Text that fits one cell comes back
    as one part, "" as [""].
    """
    room = _room(_column_points(width))
    parts: list[str] = []
    current: list[str] = []
    lines = units = 0
    for line in text.split("\n"):
        for piece in [line] if _fits(line, room, bold) else _cut(line, room, bold):
            n, u = len(_wrap(piece, room, bold)), _units(piece)
            if current and (lines + n > ROW_LINES or units + 1 + u > CELL_LIMIT):
                parts.append("\n".join(current))
                current, lines, units = [], 0, 0
            units += u + (1 if current else 0)
            lines += n
            current.append(piece)
    parts.append("\n".join(current))
    return parts


def _clip(text: str) -> str:
    """A single-cell text cut to Excel's limit, ending with MARK when it was cut."""
    if _units(text) <= CELL_LIMIT:
        return text
    room = CELL_LIMIT - _units(MARK)
    keep = room
    while (excess := _units(text[:keep]) - room) > 0:  # characters beyond the BMP count twice
        keep -= (excess + 1) // 2
    return text[:keep] + MARK


# --- layout -------------------------------------------------------------------------------------


@dataclass
class _Entry:
    """One row of the form (a node or the total) and the sheet rows it takes."""

    node: Criterion | None  # None for the total
    row: Row | None  # None for a child of a split_unknown group: it has no points
    depth: int
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
        filler = render("xlsx.continued", id=self.label) if col == NAME else ""
        return parts + [filler] * (self.height - len(parts))


def _name(node: Criterion, depth: int) -> str:
    """The name column: a field in capitals; below it "1.1.1. Title"."""
    if depth == 1:
        return node.title.upper()
    return sheetmeta.name_prefix(node.id) + node.title


def _entry(node: Criterion | None, row: Row | None, depth: int) -> _Entry:
    """Clean and split the texts of one row of the form."""
    entry = _Entry(node, row, depth)
    if node is None:
        raw = {TT: "", NAME: render("xlsx.total"), EVIDENCE: "", NOTE: ""}
    else:
        # A mapping item is written as its one line (``str(EvidenceRef)``), which model.evidence_item
        # reads back into the mapping.
        raw = {TT: node.tt or "", NAME: _name(node, depth),
               EVIDENCE: "\n".join(str(item) for item in node.evidence), NOTE: node.note or ""}
    for col, text in raw.items():
        text, removed = clean_text(text)
        if removed:
            entry.removed[col] = removed
        entry.lengths[col] = _units(text)
        entry.texts[col] = split_text(text, COLUMNS[col][1], bold=entry.bold)
    return entry


def _layout(root: Row) -> list[_Entry]:
    """Every row of the form in table order, the total last, each placed on its sheet rows."""
    entries: list[_Entry] = []
    for row in root.walk():
        if row.node is None:
            continue
        entries.append(_entry(row.node, row, row.depth))
        if row.node.split_unknown:
            # The group's rows are known by name and evidence only; the points stay on the group.
            entries.extend(_entry(child, None, depth)
                           for child, depth, _ in iter_criteria(row.node.children, row.depth + 1))
    entries.append(_entry(None, root, 0))
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
_DROPPABLE = ("evidence", "note", "title", "tt")


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
        meta["title"] = [node.title, sheetmeta.digest(entry.written(NAME))]
    for attr, col in (("tt", TT), ("note", NOTE)):
        value = getattr(node, attr)
        # None is a blank cell, read back as None; "" is a blank cell too.
        if value is not None and (value == "" or not _shown_exactly(value, entry.texts[col])):
            meta[attr] = [value, sheetmeta.digest(entry.written(col))]
    if node.evidence:
        joined = "\n".join(str(item) for item in node.evidence)
        if not (joined and _shown_exactly(joined, entry.texts[EVIDENCE])
                and all(_item_reads_back(item) for item in node.evidence)):
            meta["evidence"] = [[_evidence_json(item) for item in node.evidence],
                                sheetmeta.digest(entry.written(EVIDENCE))]
    for attr in ("max", "score"):
        # The cell shows the rollup's value (a SUM's cached result, or blank for a row of a group
        # known only as a total); the node may declare another value, or the same with more digits.
        shown = getattr(entry.row, attr) if entry.row is not None else None
        pair = sheetmeta.number_pair(getattr(node, attr), shown)
        if pair is not None:
            meta[attr] = pair
    for flag in ("survey", "split_unknown"):  # no cell shows them
        if getattr(node, flag):
            meta[flag] = True
    return meta


def _meta_text(meta: dict[str, Any]) -> str:
    """The JSON of a node's metadata, within one cell's limit (see _DROPPABLE)."""
    text = sheetmeta.dumps(meta)
    for key in _DROPPABLE:
        if _units(text) <= CELL_LIMIT:
            break
        meta.pop(key, None)
        text = sheetmeta.dumps(meta)
    return text


def _top_meta(card: Scorecard, root: Row, lines: list[str]) -> dict[str, Any]:
    """The top-level fields, with digests of the two title rows as written (``lines``)."""
    meta: dict[str, Any] = {"cchc": sheetmeta.VERSION, "unit": card.unit, "year": card.year,
                            "level": card.level, "title": card.title, "report": card.report,
                            "lines": [sheetmeta.digest([line]) for line in lines]}
    for attr in ("max", "score"):
        pair = sheetmeta.number_pair(getattr(card, attr), getattr(root, attr))
        if pair is not None:
            meta[attr] = pair
    return meta


def _meta_sheet(book: Any, meta: dict[str, Any]) -> None:
    """The very hidden sheet "cchc": the top-level metadata in column A, continued down when long."""
    sheet = book.add_worksheet(sheetmeta.SHEET)
    sheet.very_hidden()  # not in Excel's "Unhide" list, never printed
    text = sheetmeta.dumps(meta)
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


class _Writer:
    """Writes the rows of the form into one worksheet and collects the notices."""

    def __init__(self, sheet: Worksheet, formats: _Formats) -> None:
        self.sheet = sheet
        self.f = formats
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
        title = (card.title or "").upper() or render("xlsx.title", year=card.year)
        second = (render("xlsx.report", report=card.report, unit=card.unit) if card.report
                  else render("xlsx.unit", unit=card.unit))
        width = sum(_column_points(w) for _, w in COLUMNS)  # the merged cell's
        for row, text in zip(TITLE_ROWS, (title, second)):
            cell = xl_rowcol_to_cell(row, 0)
            text, removed = clean_text(text)
            if removed:
                self.removed.append((cell, removed))
            if _units(text) > CELL_LIMIT:
                self.notices.append(render("export.notice-clipped", cell=cell, length=_units(text),
                                           limit=CELL_LIMIT))
                text = _clip(text)
            self.lines.append(text)
            # merge_range writes through write(); write the text again as a string to be sure.
            self.sheet.merge_range(row, 0, row, LAST_COL, "", self.f.title)
            self.sheet.write_string(row, 0, text, self.f.title)
            # Excel does not grow a merged row to fit its text: size it from an estimate.
            lines = _lines(text, _room(width, TITLE_SIZE), bold=True)
            self.sheet.set_row(row, min(MAX_ROW_HEIGHT, TITLE_PADDING + TITLE_LINE_HEIGHT * lines))

    def header(self) -> None:
        """The column headings."""
        lines = 1
        for col, (key, width) in enumerate(COLUMNS):
            self.sheet.set_column(col, col, width)
            self.text(HEADER_ROW, col, render(key), self.f.header)
            lines = max(lines, _lines(render(key), _room(_column_points(width)), bold=True))
        self.sheet.set_row(HEADER_ROW, row_height(lines))
        # The metadata column: hidden, and outside the print area (see _page).
        self.sheet.set_column(META_COL, META_COL, 12, self.f.meta, {"hidden": True})
        self.sheet.write_string(HEADER_ROW, META_COL, sheetmeta.HEADER, self.f.meta)

    def entry(self, entry: _Entry, rows: dict[int, int]) -> None:
        """One row of the form, its points and any continuation rows."""
        bold = int(entry.bold)
        for i in range(entry.height):
            at = entry.first + i
            lines = 1
            for col in TEXT_COLUMNS:
                parts = entry.texts[col]
                if i < len(parts):
                    self.text(at, col, parts[i], self.f.tt[bold] if col == TT else self.f.text[bold])
                    lines = max(lines, _lines(parts[i], ROOMS[col], entry.bold))
                elif col == NAME:
                    label = render("xlsx.continued", id=entry.label)
                    self.text(at, col, label, self.f.continued)
                    lines = max(lines, _lines(label, ROOMS[col], bold=True))  # italic is narrower
                else:
                    self.text(at, col, "", self.f.text[0])
            # Neither Excel nor LibreOffice fits a row to text a program wrote: store its height.
            self.sheet.set_row(at, row_height(lines))
            if i:
                for col in (MAX, SCORE):
                    self.sheet.write_blank(at, col, None, self.f.points[0])
        self.points(entry, rows)
        if entry.node is not None:
            self.sheet.write_string(entry.first, META_COL, _meta_text(_row_meta(entry)), self.f.meta)
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
        if row is None:
            self.sheet.write_blank(at, MAX, None, fmt)
            self.sheet.write_blank(at, SCORE, None, fmt)
            return
        if not row.summed:
            self.sheet.write_number(at, MAX, float(row.max), fmt)
            if row.score is None:
                self.sheet.write_blank(at, SCORE, None, fmt)  # not scored yet: blank, never 0
            else:
                self.sheet.write_number(at, SCORE, float(row.score), fmt)
            return
        children = [rows[id(child)] for child in row.children]
        self.formula(entry, MAX, children, row.max, fmt)
        self.formula(entry, SCORE, children, row.score, score_fmt)

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
        item = c.node.evidence[c.item]
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
    sheet = book.add_worksheet(_sheet_name(render("xlsx.evidence-sheet")))
    last_col = len(INDEX_COLUMNS) - 1
    rooms = [_room(_column_points(width)) for _, width in INDEX_COLUMNS]
    title = _clip(clean_text(render("evidence.title", unit=card.unit, year=card.year))[0])
    sheet.merge_range(0, 0, 0, last_col, "", f.title)
    sheet.write_string(0, 0, title, f.title)
    width = sum(_column_points(w) for _, w in INDEX_COLUMNS)
    sheet.set_row(0, min(MAX_ROW_HEIGHT, TITLE_PADDING + TITLE_LINE_HEIGHT
                         * _lines(title, _room(width, TITLE_SIZE), bold=True)))
    lines = 1
    for col, (key, col_width) in enumerate(INDEX_COLUMNS):
        sheet.set_column(col, col, col_width)
        sheet.write_string(1, col, render(key), f.header)
        lines = max(lines, _lines(render(key), rooms[col], bold=True))
    sheet.set_row(1, row_height(lines))
    documents = index_documents(all_cited(card))
    for row, doc in enumerate(documents, start=2):
        doc_type, number, dates, subject, criteria, count = index_row(doc)
        targets = _targets(doc.cited)
        link = _first_link(targets, evidence_dir, workbook_dir)
        # The file column: the linked name, else every file or address cited (as text: no link).
        files = link[1] if link else "\n".join(name for _, name in targets)
        texts = [_clip(clean_text(text)[0]) for text in (doc_type, number, dates, subject, criteria,
                                                         str(count), files)]
        for col, text in enumerate(texts):
            if col == INDEX_COUNT:
                sheet.write_number(row, col, count, f.points[0])
            elif col == INDEX_FILE and link is not None and _link(sheet, row, col, link[0], text, f.link):
                pass
            elif text:  # type, number and dates centred, like the form's TT
                sheet.write_string(row, col, text, f.tt[0] if col < 3 else f.text[0])
            else:
                sheet.write_blank(row, col, None, f.text[0])
        sheet.set_row(row, row_height(max(_lines(text, rooms[col]) for col, text in enumerate(texts))))
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
    book.set_properties({"title": title, "subject": clean_text(card.unit)[0][:255], "creator": "cchc"})
    sheet = book.add_worksheet(_sheet_name(render("xlsx.sheet")))
    formats = _Formats(book)
    writer = _Writer(sheet, formats)
    writer.titles(card)
    writer.header()
    entries = _layout(root)
    rows = {id(entry.row): entry.first for entry in entries if entry.row is not None}
    for entry in entries:
        writer.entry(entry, rows)
    writer.control_notice()
    _page(sheet, (HEADER_ROW, HEADER_ROW), entries[-1].first + entries[-1].height - 1, LAST_COL)
    _index_sheet(book, formats, card, evidence_dir, workbook_dir)
    _meta_sheet(book, _top_meta(card, root, writer.lines))
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
