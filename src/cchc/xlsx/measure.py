"""How much room text takes in the form's cells: Times New Roman's widths, wrapping, row heights,
and long text cut to fit Excel's cells.

Every row of the form gets an explicit height: LibreOffice shows a row without one at one line and
lets wrapped text run over the rows below, and no program grows a merged title row. A row is
15,75 pt (Excel's line of Times New Roman 12) per estimated wrapped line plus 1,5 pt. The estimate
lays the text out as the programs do, with Times New Roman's character widths (Liberation Serif,
LibreOffice's stand-in, has the same) in the column's width in points: greedy at spaces, a word
wider than a line broken after a hyphen or slash, else anywhere; it takes the text 4% wider and the
cell's margins wider than they are, so it errs high. Checked against LibreOffice's own wrapping
(tests/test_libreoffice.py), it never counts fewer lines; LibreOffice needs only 13,3 pt a line, so
there the rows keep some space below the text.

Excel holds at most 32,767 characters in a cell and shows at most 409 points (25 estimated lines) of
a row. ``split_text`` cuts a longer text into parts that each fit a cell, whole lines where they fit,
else where a wrapped line ends, the cut marked with "…" (cchc.xlsx.layout.MARK) on both sides.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from cchc.xlsx.layout import MARK

__all__ = [
    "CELL_LIMIT",
    "CHUNK_LINES",
    "FONT",
    "LINE_HEIGHT",
    "MAX_ROW_HEIGHT",
    "ROW_LINES",
    "TABLE_SIZE",
    "TITLE_SIZE",
    "cell_room",
    "char_width",
    "chunk_text",
    "clip",
    "column_points",
    "excel_length",
    "fits",
    "line_count",
    "row_height",
    "split_text",
    "text_width",
    "title_height",
    "wrap",
]

FONT = "Times New Roman"
TABLE_SIZE = 12
TITLE_SIZE = 13
#: Excel's limit on one cell's text, in UTF-16 code units.
CELL_LIMIT = 32_767
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
#: Lines one sheet row of a node holds at most; longer text goes on in the rows below, drawn as one
#: table row. A row's height is stored (LibreOffice fits no row to text on opening a workbook) and
#: sized for Excel, whose line is 15,75 pt; LibreOffice sets the same lines 13,3 pt apart, so a row of
#: n lines shows n × 2,45 pt of blank below its text there: four lines keep that under one line.
CHUNK_LINES = 4
#: Points per line of a title row (13 pt, bold) and what the row adds to its lines.
TITLE_LINE_HEIGHT = 18
TITLE_PADDING = 6

#: Advance widths of Times New Roman, in thousandths of an em (rounded up), of ' ' to '~': regular,
#: then bold. Excel's and LibreOffice's Times New Roman and Liberation Serif agree on them.
_ASCII_WIDTHS = (
    (
        250,
        334,
        409,
        500,
        500,
        834,
        778,
        181,
        334,
        334,
        500,
        564,
        250,
        334,
        250,
        278,
        500,
        500,
        500,
        500,
        500,
        500,
        500,
        500,
        500,
        500,
        278,
        278,
        564,
        564,
        564,
        444,
        921,
        723,
        667,
        667,
        723,
        611,
        557,
        723,
        723,
        334,
        390,
        723,
        611,
        890,
        723,
        723,
        557,
        723,
        667,
        557,
        611,
        723,
        723,
        944,
        723,
        723,
        611,
        334,
        278,
        334,
        470,
        500,
        334,
        444,
        500,
        444,
        500,
        444,
        334,
        500,
        500,
        278,
        278,
        500,
        278,
        778,
        500,
        500,
        500,
        500,
        334,
        390,
        278,
        500,
        500,
        723,
        500,
        500,
        444,
        480,
        201,
        480,
        542,
    ),
    (
        250,
        334,
        556,
        500,
        500,
        1000,
        834,
        278,
        334,
        334,
        500,
        570,
        250,
        334,
        250,
        278,
        500,
        500,
        500,
        500,
        500,
        500,
        500,
        500,
        500,
        500,
        334,
        334,
        570,
        570,
        570,
        500,
        931,
        723,
        667,
        723,
        723,
        667,
        611,
        778,
        778,
        390,
        500,
        778,
        667,
        944,
        723,
        778,
        611,
        778,
        723,
        557,
        667,
        723,
        723,
        1000,
        723,
        723,
        667,
        334,
        278,
        334,
        582,
        500,
        334,
        500,
        557,
        444,
        557,
        444,
        334,
        500,
        557,
        278,
        334,
        557,
        278,
        834,
        557,
        500,
        557,
        557,
        444,
        390,
        334,
        557,
        500,
        723,
        500,
        500,
        444,
        395,
        221,
        395,
        521,
    ),
)
#: Letters measured as a plain letter: đ is as wide as d, Đ as D (in both weights).
_LIKE = {"đ": "d", "Đ": "D", "ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O"}
#: What the horn of ơ ư Ơ Ư (and their toned forms) adds to the plain letter, at most.
_HORN = 75
#: Common signs outside ASCII (the widest of regular and bold).
_SIGNS = {
    "\u00a0": 250,
    "“": 500,
    "”": 500,
    "‘": 334,
    "’": 334,
    "–": 500,
    "—": 1000,
    "…": 1000,
    "•": 350,
    "·": 334,
    "°": 400,
    "×": 570,
    "±": 549,
    "§": 500,
    "«": 500,
    "»": 500,
    "№": 1005,
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
def char_width(ch: str, bold: bool) -> int:
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


def column_points(width: int) -> float:
    """The width in points of a column set ``width`` characters wide.

    XlsxWriter stores the width plus the 5 pixels of padding it assumes for a 7-pixel digit (46
    becomes 46.7109375); Excel and LibreOffice give each stored character the width of the digit
    of the Normal style's font, here 6 pt.
    """
    return (int(width * 7 + 0.5) + 5) * 256 // 7 / 256 * _POINTS_PER_CHAR if width > 0 else 0.0


def cell_room(points: float, size: float = TABLE_SIZE) -> float:
    """What a cell ``points`` wide holds, in thousandths of an em of ``size`` pt text."""
    return max(1.0, (points - _CELL_MARGIN) * 1000 / size / _SLACK)


def text_width(text: str, bold: bool) -> int:
    """Advance width of ``text`` in thousandths of an em."""
    return sum(char_width(ch, bold) for ch in text)


def wrap(line: str, room: float, bold: bool = False) -> list[int]:
    """Where each wrapped line of ``line`` (no LF in it) starts, laid out in ``room`` (see cell_room).

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
        width = text_width(word, bold)
        if x > 0 and x + gap + width > room:
            starts.append(match.start())
            x = gap = 0.0
        if x + gap + width <= room:
            x += gap + width
        else:
            x += gap
            at = match.start()
            for piece in _WORD_BREAKS.split(word):
                width = text_width(piece, bold)
                if x > 0 and x + width > room:
                    starts.append(at)
                    x = 0.0
                if x + width <= room:
                    x += width
                else:
                    for i, ch in enumerate(piece, at):
                        w = char_width(ch, bold)
                        if x > 0 and x + w > room:
                            starts.append(i)
                            x = 0.0
                        x += w
                at += len(piece)
        gap = text_width(spaces, bold)
    return starts


def line_count(text: str, room: float, bold: bool = False) -> int:
    """Estimated wrapped lines of ``text`` in a cell that holds ``room`` (see cell_room); errs high."""
    return sum(len(wrap(line, room, bold)) for line in text.split("\n"))


def row_height(lines: int) -> float:
    """The height in points of a table row that shows ``lines`` lines of 12 pt text."""
    return min(MAX_ROW_HEIGHT, max(1, lines) * LINE_HEIGHT + ROW_PADDING)


def title_height(lines: int) -> float:
    """The height in points of a title row that shows ``lines`` lines of its 13 pt bold text."""
    return min(MAX_ROW_HEIGHT, TITLE_PADDING + TITLE_LINE_HEIGHT * lines)


def excel_length(text: str) -> int:
    """Length as Excel counts it: UTF-16 code units (a character beyond the BMP counts twice)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def fits(text: str, room: float, bold: bool) -> bool:
    """Whether ``text`` (no LF in it) fits one cell: Excel's limit and ROW_LINES wrapped lines."""
    return excel_length(text) <= CELL_LIMIT and len(wrap(text, room, bold)) <= ROW_LINES


def _unit_cut(text: str, size: int) -> int:
    """How many characters of ``text`` make at most ``size`` UTF-16 units, ending after a space when
    one is in the second half."""
    end = size
    while (excess := excel_length(text[:end]) - size) > 0:  # astral characters count twice
        end -= (excess + 1) // 2  # removes at least half the excess, never the whole piece
    space = text.rfind(" ", end // 2, end)
    return space + 1 if space != -1 else end


def _cut(line: str, room: float, bold: bool) -> list[str]:
    """One line too long for a cell as pieces that each fit one (see fits), markers included.

    A piece takes as many wrapped lines as a row shows, so it ends where a wrapped line does (after
    a space), or, for a line that would break Excel's cell limit first, after a space in the second
    half of what fits, else mid-word. Every piece but the last ends with MARK and every piece but
    the first starts with it, so the cut shows.
    """
    size = CELL_LIMIT - 2 * excel_length(MARK)
    # Only a window is laid out each time, so a huge line costs linear time: a piece never holds
    # more than ROW_LINES lines of the narrowest character with a width (the apostrophe, 181) or
    # more than ``size``; a shorter window (marks of no width) only makes a shorter piece.
    window = min(size + 1, ROW_LINES * (int(room / 181) + 2))
    pieces: list[str] = []
    start = 0
    while True:
        lead = MARK if start else ""
        rest = line[start : start + window]
        if start + window >= len(line) and fits(lead + rest, room, bold):
            pieces.append(lead + rest)
            return pieces
        starts = wrap(rest, room, bold)
        end = starts[ROW_LINES] if len(starts) > ROW_LINES else len(rest)
        if excel_length(rest[:end]) > size:
            end = _unit_cut(rest, size)
        # The markers may push the piece over a line: give back wrapped lines until it fits.
        while end > 1 and not fits(lead + rest[:end] + MARK, room, bold):
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
    room = cell_room(column_points(width))
    parts: list[str] = []
    current: list[str] = []
    lines = units = 0
    for line in text.split("\n"):
        for piece in [line] if fits(line, room, bold) else _cut(line, room, bold):
            n, u = len(wrap(piece, room, bold)), excel_length(piece)
            if current and (lines + n > ROW_LINES or units + 1 + u > CELL_LIMIT):
                parts.append("\n".join(current))
                current, lines, units = [], 0, 0
            units += u + (1 if current else 0)
            lines += n
            current.append(piece)
    parts.append("\n".join(current))
    return parts


def clip(text: str) -> str:
    """A single-cell text cut to Excel's limit, ending with MARK when it was cut."""
    if excel_length(text) <= CELL_LIMIT:
        return text
    room = CELL_LIMIT - excel_length(MARK)
    keep = room
    while (excess := excel_length(text[:keep]) - room) > 0:  # characters beyond the BMP count twice
        keep -= (excess + 1) // 2
    return text[:keep] + MARK


def chunk_text(text: str, width: int, bold: bool = False, lines: int = CHUNK_LINES) -> list[str]:
    """``text`` as the contents of the cells of one or more rows of a column ``width`` characters
    wide, each holding at most ``lines`` estimated wrapped lines.

    Lines are kept whole where they fit a row; a line longer than what is left of a row goes on in
    the next one, cut where a wrapped line ends (no marker: the rows read as one table row, and the
    hidden metadata keeps the exact text). "" comes back as [""].
    """
    room = cell_room(column_points(width))
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for line in text.split("\n"):
        starts = wrap(line, room, bold) if line else [0]
        if used and used + len(starts) > lines and len(starts) <= lines:
            parts.append("\n".join(current))
            current, used = [], 0
        while used + len(starts) > lines:
            take = lines - used
            current.append(line[: starts[take]])
            parts.append("\n".join(current))
            line, starts = line[starts[take] :], [at - starts[take] for at in starts[take:]]
            current, used = [], 0
        current.append(line)
        used += len(starts)
    parts.append("\n".join(current))
    # A row holding only blanks would read as no row at all (and an empty last line as nothing):
    # such a part stays with the row above, a little over the limit.
    kept = parts[:1]
    for part in parts[1:]:
        if part.strip():
            kept.append(part)
        else:
            kept[-1] += "\n" + part
    return kept
