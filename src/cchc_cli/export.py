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
every printed page, fit to one page wide.

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
points (about 25 lines) of a row, on screen and on paper. A cell whose text would exceed either is
continued on extra rows right below its node: those rows have blank TT and points, the name column says
"(tiếp theo 1.2)", and a line that itself had to be cut ends and resumes with "…". The formulas refer to
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
import io
import math
import os
import re
import tempfile
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
#: Estimated wrapped lines one table row may hold: Excel caps a row at 409 pt, about 25 lines of
#: 12 pt text, and cuts off the rest on screen and on paper; 24 leaves a margin.
ROW_LINES = 24
#: The continuation marker at both sides of a line that had to be cut.
MARK = "…"

FONT = "Times New Roman"
TABLE_SIZE = 12
TITLE_SIZE = 13

#: The form's columns: header message key and width in characters.
COLUMNS: tuple[tuple[str, int], ...] = (
    ("xlsx.col.tt", 6),
    ("xlsx.col.criterion", 46),
    ("xlsx.col.max", 10),
    ("xlsx.col.score", 11),
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


def _lines(text: str, width: int) -> int:
    """Estimated wrapped lines of ``text`` in a column ``width`` characters wide (errs high)."""
    return sum(max(1, math.ceil(len(line) / width)) for line in text.split("\n"))


def _cut(line: str, size: int) -> list[str]:
    """One over-long line as pieces of at most ``size`` UTF-16 units plus markers.

    Cuts after a space when one is in the second half of a piece, else mid-word; every piece but
    the last ends with MARK and every piece but the first starts with it, so the cut shows.
    """
    pieces: list[str] = []
    start = 0
    # Only a window is measured, so a huge line costs linear time.
    while _units(line[start:start + size + 1]) > size:
        end = start + size
        while (excess := _units(line[start:end]) - size) > 0:  # astral characters count twice
            end -= (excess + 1) // 2  # removes at least half the excess, never the whole piece
        space = line.rfind(" ", start + (end - start) // 2, end)
        if space != -1:
            end = space + 1
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    last = len(pieces) - 1
    return [(MARK if i else "") + p + (MARK if i < last else "") for i, p in enumerate(pieces)]


def split_text(text: str, width: int) -> list[str]:
    """``text`` as the contents of one or more cells of a column ``width`` characters wide.

    Each part holds at most ROW_LINES estimated lines and fits Excel's cell limit; lines are kept
    whole where they fit. Text that fits one cell comes back as one part, "" as [""].
    """
    size = min(width * ROW_LINES, CELL_LIMIT) - 2 * len(MARK)
    parts: list[str] = []
    current: list[str] = []
    lines = units = 0
    for line in text.split("\n"):
        for piece in _cut(line, size) if len(line) > size or _units(line) > size else [line]:
            n, u = _lines(piece, width), _units(piece)
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
        entry.texts[col] = split_text(text, COLUMNS[col][1])
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
        width = sum(w for _, w in COLUMNS)
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
            lines = _lines(text, max(1, int(width * 0.9)))
            self.sheet.set_row(row, min(409, 6 + 18 * lines))

    def header(self) -> None:
        """The column headings."""
        for col, (key, width) in enumerate(COLUMNS):
            self.sheet.set_column(col, col, width)
            self.text(HEADER_ROW, col, render(key), self.f.header)

    def entry(self, entry: _Entry, rows: dict[int, int]) -> None:
        """One row of the form, its points and any continuation rows."""
        bold = int(entry.depth <= 1)
        for i in range(entry.height):
            at = entry.first + i
            for col in TEXT_COLUMNS:
                parts = entry.texts[col]
                if i < len(parts):
                    self.text(at, col, parts[i], self.f.tt[bold] if col == TT else self.f.text[bold])
                elif col == NAME:
                    self.text(at, col, render("xlsx.continued", id=entry.label), self.f.continued)
                else:
                    self.text(at, col, "", self.f.text[0])
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
        fmt = self.f.points[int(entry.depth <= 1)]
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
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.7)
    sheet.center_horizontally()
    sheet.set_footer(f'&C&"{FONT},Regular"&11{render("xlsx.footer")}')


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
