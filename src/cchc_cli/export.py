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

Writing: refuses the input file as output, a suffix other than .xlsx, an existing file unless
``overwrite``, and a missing directory; writes into a temporary file in the output directory, syncs it,
then moves it into place (``os.replace``; without ``overwrite`` a hard link, so a file that appears
meanwhile is not clobbered). A failure leaves no partial output and no temporary file; the input is only
ever read by the loader, never opened here.
"""

from __future__ import annotations

import errno
import functools
import io
import os
import re
import tempfile
import unicodedata
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from cchc_cli.messages import render
from cchc_cli.model import Criterion, Scorecard, iter_criteria
from cchc_cli.numbers import format_points
from cchc_cli.rollup import Row

__all__ = ["ExportError", "build_xlsx", "clean_text", "split_text", "write_xlsx"]

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


class ExportError(Exception):
    """A user error while exporting; ``message`` is rendered in the language in force."""

    def __init__(self, key: str, **args: Any) -> None:
        self.key = key
        self.message = render(key, **args)
        super().__init__(self.message)


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


def _name(node: Criterion, depth: int) -> str:
    """The name column: a field in capitals; below it "1.1.1. Title"."""
    if depth == 1:
        return node.title.upper()
    if not node.id:
        return node.title
    return f"{node.id if node.id.endswith('.') else node.id + '.'} {node.title}"


def _entry(node: Criterion | None, row: Row | None, depth: int) -> _Entry:
    """Clean and split the texts of one row of the form."""
    entry = _Entry(node, row, depth)
    if node is None:
        raw = {TT: "", NAME: render("xlsx.total"), EVIDENCE: "", NOTE: ""}
    else:
        raw = {TT: node.tt or "", NAME: _name(node, depth), EVIDENCE: "\n".join(node.evidence),
               NOTE: node.note or ""}
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


class _Writer:
    """Writes the rows of the form into one worksheet and collects the notices."""

    def __init__(self, sheet: Worksheet, formats: _Formats) -> None:
        self.sheet = sheet
        self.f = formats
        self.notices: list[str] = []
        self.removed: list[tuple[str, int]] = []  # (cell, characters removed)

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
        for col, removed in entry.removed.items():
            self.removed.append((xl_rowcol_to_cell(entry.first, col), removed))
        for col, length in entry.lengths.items():
            if length > CELL_LIMIT:
                parts = len(entry.texts[col])
                self.notices.append(render(
                    "export.notice-split", cell=xl_rowcol_to_cell(entry.first, col), id=entry.label,
                    length=length, limit=CELL_LIMIT, rows=f"{entry.first + 2}–{entry.first + parts}"))

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


def _page(sheet: Worksheet) -> None:
    """Frozen header, A4 landscape, header repeated on every page, one page wide."""
    sheet.freeze_panes(FIRST_ROW, 0)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    sheet.repeat_rows(HEADER_ROW)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=round(FOOTER_MARGIN + FOOTER_ROOM, 4))
    sheet.center_horizontally()
    sheet.set_footer(f'&C&"{FONT},Regular"&{FOOTER_SIZE}{render("xlsx.footer")}',
                     {"margin": FOOTER_MARGIN})


def _sheet_name(name: str) -> str:
    """A name Excel accepts for a worksheet: no []:*?/\\ , at most 31 characters."""
    name = _SHEET_NAME_BAD.sub("-", clean_text(name)[0]).strip("'")[:31]
    return name or "Sheet1"


def build_xlsx(card: Scorecard, root: Row) -> tuple[bytes, list[str]]:
    """The workbook's bytes and the notices (rendered) about what had to be changed to fit Excel."""
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
    writer = _Writer(sheet, _Formats(book))
    writer.titles(card)
    writer.header()
    entries = _layout(root)
    rows = {id(entry.row): entry.first for entry in entries if entry.row is not None}
    for entry in entries:
        writer.entry(entry, rows)
    writer.control_notice()
    _page(sheet)
    book.close()
    return buffer.getvalue(), writer.notices


# --- writing ------------------------------------------------------------------------------------


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (same inode, or the same resolved path)."""
    with suppress(OSError):
        if os.path.samefile(a, b):
            return True
    try:
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):  # a symlink loop: not the input, the write will fail clearly
        return False


def _check_target(out: Path, source: Path | None, overwrite: bool) -> None:
    """Refuse an output that would damage the input or another file, before any work is done."""
    if source is not None and _same_file(out, source):
        raise ExportError("err.output-is-input", path=out)
    if out.suffix.lower() != ".xlsx":
        raise ExportError("err.output-suffix", path=out)
    if not out.parent.is_dir():
        raise ExportError("err.output-dir", path=out.parent)
    if not overwrite and os.path.lexists(out):
        raise ExportError("err.output-exists", path=out)


def _mode(out: Path) -> int:
    """Permissions for the new file: those of the file it replaces, else what umask allows."""
    with suppress(OSError):
        return os.stat(out).st_mode & 0o777
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte to ``fd`` (os.write may write fewer than asked)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _sync_dir(directory: Path) -> None:
    """Make the rename durable where the platform allows it (best effort)."""
    with suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _place_new(tmp: str, out: Path) -> None:
    """Move ``tmp`` to ``out`` only if ``out`` still does not exist."""
    try:
        os.link(tmp, out)  # fails if the file appeared meanwhile: never clobber it
    except FileExistsError:
        raise ExportError("err.output-exists", path=out) from None
    except OSError:
        # No hard links on this file system (FAT, some shares): check again, then rename.
        if os.path.lexists(out):
            raise ExportError("err.output-exists", path=out) from None
        os.replace(tmp, out)
        return
    os.unlink(tmp)


def _write_atomic(data: bytes, out: Path, overwrite: bool) -> None:
    """Write ``data`` to ``out`` through a temporary file in the same directory, then rename it.

    Until the rename ``out`` is untouched; after any failure the temporary file is removed.
    """
    mode = _mode(out)
    fd, tmp = tempfile.mkstemp(prefix=".cchc-", suffix=".xlsx.tmp", dir=out.parent)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, mode)
        if overwrite:
            os.replace(tmp, out)
        else:
            _place_new(tmp, out)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_dir(out.parent)


def _reason(exc: OSError) -> str:
    """Why a write failed, in words an officer understands."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return render("export.reason-full")
    if exc.errno == errno.EROFS:
        return render("export.reason-readonly")
    if isinstance(exc, PermissionError):
        return render("export.reason-permission")
    return exc.strerror or str(exc)


def write_xlsx(card: Scorecard, root: Row, out: Path, *, source: Path | None, overwrite: bool) -> list[str]:
    """Write ``card`` (rolled up as ``root``) to ``out`` as the form; return notices for stderr.

    Raises ExportError for every user error: see the module docstring for what is refused.
    """
    out = Path(out)
    _check_target(out, Path(source) if source is not None else None, overwrite)
    data, notices = build_xlsx(card, root)
    try:
        _write_atomic(data, out, overwrite)
    except OSError as exc:
        raise ExportError("err.output-write", path=out, error=_reason(exc)) from exc
    return notices
