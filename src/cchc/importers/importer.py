"""Read the scoring table of a Word (.docx) or Excel (.xlsx) file into a scorecard, with problems.

Both formats are first turned into the same ``Grid`` (rows of cells with their addresses, merges,
bold and formulas); one parser then reads the grid, so every quirk is handled once:

- The table is the first one whose header row names the form's columns (accents, case and the usual
  variants do not matter: TT/STT, Tên TC/TCTP/Tiêu chí/Nội dung, Điểm chuẩn/Điểm tối đa, Điểm tự đánh
  giá/Tự chấm, Tài liệu kiểm chứng; optional Điểm thẩm định, Ghi chú, Giải trình). A header split over
  two rows ("Điểm" above "Chuẩn" and "Tự đánh giá") is read too.
- A row's id is read from its name cell ("TCTP 1.1.1. Ban hành", "1.4.1 Kế hoạch", "1.2."); a field
  row is a row numbered I-VIII, or numbered 1-8 with a name in capitals or in bold. The TT column is
  kept as written (it counts rows through the table; Word's automatic numbering is counted too).
- A row with no number and no name continues the criterion above: its points fill the criterion's
  blank points (scores printed on a continuation row), its evidence and notes are appended.
- Merged cells: a cell's content belongs to its first row and column only, so a merged evidence cell
  is never read twice; a points cell merged over several criteria is a problem.
- Points are exact decimals from the cell's text or number (``3,5``, ``"0,4991"``, 14); an empty cell
  is "not scored", never 0.
- The tree is built from the ids: a row goes under the deepest row above whose id is a prefix of its
  own (1.1.1 under 1.1 if there is a row 1.1, else under 1). A node with its own points whose rows
  below carry none is a group known only as a total (``split_unknown``); a field named "Điều tra xã
  hội học" is the survey part.

Nothing is guessed silently: every row that cannot be placed and every cell that cannot be read
becomes a problem with the cell's address (``'Bảng chấm điểm'!C14``, or "bảng 1 dòng 14 cột 3"),
and what was readable is still returned.

Workbooks written by ``cchc export`` (creator "cchc") are read exactly: text verbatim, bold rows are
the fields, and rows continued by the exporter ("(tiếp theo 1.2)", cut lines marked with "…") are
joined back. What the form cannot show (a field's id and the case of its title, declared totals,
the points' precision, ``level``, …) comes from the metadata the export hides in the workbook (see
cchc.xlsx.layout), but only where the visible cells still hold what the export wrote: a cell
someone edited is read as shown. The export's evidence index sheet is not read.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from dataclasses import field as _field  # for _Draft, whose attribute `field` hides the name
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cchc.xlsx import layout as sheetmeta
from cchc.messages import VI, render
from cchc.scorecard import model
from cchc.scorecard.model import evidence_item
# Built with the spec's models, which validate what the cells and the hidden metadata hold.
from cchc.scorecard.model import Criterion, EvidenceRef, Scorecard
from cchc.scorecard.numbers import NumberError, parse_decimal
from cchc.problems import Problem

__all__ = ["CellRef", "Imported", "ImportOptionError", "import_file", "fold", "read_docx", "read_xlsx",
           "parse_grid"]

#: Input files larger than this are refused before they are opened (a 96-row table is ~100 KB).
MAX_BYTES = 50 * 1024 * 1024
#: Refuse archives that would unpack to more than this (a "zip bomb").
MAX_UNPACKED = 300 * 1024 * 1024
#: Rows and columns of a sheet read at most (a 96-row table fills about 200 rows with its evidence).
MAX_ROWS = 20_000
MAX_COLUMNS = 60
#: Rows from the top of a table searched for its header row.
HEADER_SCAN = 30
#: The exporter's marker where it had to cut a line (see export.py).
MARK = "…"
#: Stand-in year when the file does not say it (reported as an error, so it is never taken for real).
PLACEHOLDER_YEAR = 1990

SUFFIXES_XLSX = (".xlsx", ".xlsm")
SUFFIXES_DOCX = (".docx", ".docm")

#: The columns a table must have to be the scoring table.
REQUIRED = ("name", "max", "score")


class ImportOptionError(Exception):
    """A bad option (a table or sheet that does not exist); ``message`` is rendered."""

    def __init__(self, key: str, **args: Any) -> None:
        self.message = render(key, **args)
        super().__init__(self.message)


class Text:
    """A message piece rendered when the message is (so a problem follows ``--lang``)."""

    def __init__(self, key: str, **args: Any) -> None:
        self.key = key
        self.args = args

    def __format__(self, spec: str) -> str:
        return format(render(self.key, **self.args), spec)

    def __str__(self) -> str:
        return render(self.key, **self.args)

    def __repr__(self) -> str:
        return f"Text({self.key!r}, {self.args!r})"


# --- text helpers ---------------------------------------------------------------------------------


def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    low = ch.lower()[:1] or ch
    return unicodedata.normalize("NFD", low)[0]


def fold(text: str) -> str:
    """Lower case without accents (đ -> d), one character per character, so positions in the folded
    text are positions in ``text`` (tables are brought to NFC first: see ``_compose``)."""
    return "".join(_fold_char(ch) for ch in text)


def key(text: str) -> str:
    """Folded words separated by single spaces: what headers and keywords are compared by."""
    return re.sub(r"[^a-z0-9]+", " ", fold(unicodedata.normalize("NFC", text))).strip()


def _compose(grid: Grid) -> None:
    """Vietnamese typed with combining accents (Unikey's "tổ hợp" mode) in composed form (NFC), so
    headers, ids and "kèm theo ... của ..." are found whatever the keyboard did. Not for a workbook
    the exporter wrote: that text is read verbatim."""
    for row in grid.rows:
        for cell in row:
            cell.text = unicodedata.normalize("NFC", cell.text)
            if isinstance(cell.value, str):
                cell.value = unicodedata.normalize("NFC", cell.value)
    grid.preamble = [unicodedata.normalize("NFC", line) for line in grid.preamble]


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
    for value, sym in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                       (4, "IV"), (1, "I")):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def _is_upper(text: str) -> bool:
    """Written in capitals (at least three letters, none in lower case), as forms write field rows."""
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 3 and all(not ch.islower() for ch in letters)


def _squash(text: str) -> str:
    """Lines stripped, blank lines dropped, joined by one space: a title or a name as one line."""
    return " ".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


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


# --- cells and grids ------------------------------------------------------------------------------


def _col_letters(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True)
class CellRef:
    """Where a cell stands: a sheet and an Excel address, or a Word table, row and column (1-based)."""

    row: int
    col: int
    sheet: str | None = None
    table: int | None = None

    @property
    def path(self) -> str:
        """The address as a problem's path: ``'Bảng chấm điểm'!C14`` or ``bảng 1 dòng 14 cột 3``."""
        if self.sheet is not None:
            name = self.sheet
            if not re.fullmatch(r"[A-Za-z0-9_.]+", name):
                name = "'" + name.replace("'", "''") + "'"
            return f"{name}!{_col_letters(self.col)}{self.row}"
        return f"bảng {self.table} dòng {self.row} cột {self.col}"

    def __format__(self, spec: str) -> str:
        if self.sheet is not None:
            return format(self.path, spec)
        return format(render("import.cell-docx", table=self.table, row=self.row, col=self.col), spec)

    def __str__(self) -> str:
        return format(self, "")


@dataclass
class Cell:
    """One grid cell. A cell inside a merged range but not its first is ``covered``: its content
    belongs to ``origin``."""

    text: str
    ref: CellRef
    value: Any = None  # xlsx: the cell's value (number, text, date); docx: the text
    bold: bool = False
    covered: bool = False
    origin: Cell | None = None
    formula: str | None = None  # a formula whose result is not stored in the file

    @property
    def own_text(self) -> str:
        """The text that belongs to this cell ("" for a covered cell)."""
        return "" if self.covered else self.text

    @property
    def continued_from_above(self) -> bool:
        """Covered by a merge that starts in an earlier row."""
        return self.covered and self.origin is not None and self.origin.ref.row < self.ref.row


@dataclass
class Grid:
    """A table (a Word table or a worksheet) as rows of cells, and the text above it."""

    label: Any  # what messages call it: a sheet name or "bảng 2"
    rows: list[list[Cell]]
    preamble: list[str] = field(default_factory=list)
    #: Written by ``cchc export``: text is verbatim and the layout is the exporter's.
    exact: bool = False
    #: The top-level metadata ``cchc export`` hid in the workbook (see cchc.xlsx.layout), if any.
    meta: dict[str, Any] | None = None


# --- Word -----------------------------------------------------------------------------------------


def _numbering(doc: Any) -> dict[Any, int]:
    """The number Word's automatic list numbering shows before each numbered paragraph.

    Counts every paragraph of the body in order, per list and level (a lower level restarting the
    ones below it), from the paragraph's own numbering or its style's. Start values and formats
    other than 1, 2, 3 are not read: the forms number their TT column from 1.
    """
    from docx.oxml.ns import qn

    styles = doc.styles.element

    def style_num(style_id: str | None, depth: int = 0) -> tuple[str, int] | None:
        if style_id is None or depth > 10:
            return None
        style = styles.get_by_id(style_id)
        if style is None:
            return None
        ppr = style.pPr
        if ppr is not None and ppr.numPr is not None and ppr.numPr.numId is not None:
            ilvl = ppr.numPr.ilvl.val if ppr.numPr.ilvl is not None else 0
            return str(ppr.numPr.numId.val), ilvl
        return style_num(style.basedOn_val, depth + 1)

    numbers: dict[Any, int] = {}
    counters: dict[str, list[int]] = {}
    for p in doc.element.body.iter(qn("w:p")):
        ppr = p.pPr
        found: tuple[str, int] | None = None
        if ppr is not None and ppr.numPr is not None and ppr.numPr.numId is not None:
            ilvl = ppr.numPr.ilvl.val if ppr.numPr.ilvl is not None else 0
            found = (str(ppr.numPr.numId.val), ilvl)
        elif ppr is not None:
            found = style_num(ppr.pStyle.val if ppr.pStyle is not None else None)
        if found is None or found[0] == "0":  # numId 0 switches numbering off
            continue
        num_id, ilvl = found
        levels = counters.setdefault(num_id, [0] * 9)
        ilvl = min(max(ilvl, 0), 8)
        levels[ilvl] += 1
        for deeper in range(ilvl + 1, 9):
            levels[deeper] = 0
        numbers[p] = levels[ilvl]
    return numbers


def _docx_cell(tc: Any, parent: Any, numbers: dict[Any, int]) -> tuple[str, bool]:
    """A Word cell's text (paragraphs joined by line breaks) and whether all its text is bold."""
    from docx.text.paragraph import Paragraph

    lines = []
    runs_bold: list[bool] = []
    for p in tc.p_lst:
        para = Paragraph(p, parent)
        text = para.text
        if not text.strip() and p in numbers:
            text = str(numbers[p])  # an automatically numbered TT cell shows its number
        lines.append(text)
        for run in para.runs:
            if run.text.strip():
                runs_bold.append(bool(run.bold))
    return "\n".join(lines), bool(runs_bold) and all(runs_bold)


def read_docx(path: Path) -> list[Grid]:
    """Every table of a Word document as a grid, each with the paragraphs above it."""
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = docx.Document(str(path))
    numbers = _numbering(doc)
    grids: list[Grid] = []
    preamble: list[str] = []
    body = doc.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            text = Paragraph(child, doc).text
            if text.strip():
                preamble.append(text)
        elif child.tag == qn("w:tbl"):
            table = Table(child, doc)
            grids.append(Grid(render("import.table-label", n=len(grids) + 1),
                              _docx_rows(table, len(grids) + 1, numbers), preamble[-12:]))
            preamble = []
    return grids


def _docx_rows(table: Any, number: int, numbers: dict[Any, int]) -> list[list[Cell]]:
    """The rows of one Word table on its column grid, merges resolved (gridSpan, vMerge)."""
    rows: list[list[Cell]] = []
    above: dict[int, Cell] = {}  # grid column -> the cell a vertical merge continues from
    for r, tr in enumerate(table._tbl.tr_lst, start=1):
        row: list[Cell] = []
        col = 0
        for _ in range(tr.grid_before):
            col += 1
            row.append(Cell("", CellRef(r, col, table=number)))
        for tc in tr.tc_lst:
            span = max(1, tc.grid_span)
            text, bold = _docx_cell(tc, table, numbers)
            ref = CellRef(r, col + 1, table=number)
            vmerge = tc.vMerge
            if vmerge == "continue" and col in above:
                origin = above[col]
                first = Cell(origin.text, ref, origin.text, origin.bold, covered=True, origin=origin)
            else:
                first = Cell(text, ref, text, bold)
                if vmerge == "restart":
                    above[col] = first
                else:
                    above.pop(col, None)
            row.append(first)
            top = first.origin or first
            for extra in range(1, span):
                row.append(Cell(top.text, CellRef(r, col + 1 + extra, table=number), top.text, top.bold,
                                covered=True, origin=top))
                above.pop(col + extra, None)
            col += span
        rows.append(row)
    width = max((len(row) for row in rows), default=0)
    for r, row in enumerate(rows, start=1):
        row.extend(Cell("", CellRef(r, c, table=number)) for c in range(len(row) + 1, width + 1))
    return rows


# --- Excel ----------------------------------------------------------------------------------------


#: A float from a spreadsheet as the decimal it was typed as (shared with the export's metadata).
_float_decimal = sheetmeta.cell_decimal


def _xlsx_text(value: Any) -> str:
    """A cell's value as the text a reader sees."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return format(_float_decimal(float(value)), "f").replace(".", ",") if isinstance(value, float) \
            else str(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y") if value.time() == time(0) else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


#: The header row ``cchc export`` writes (row 4), and the title rows it merges across it.
EXPORT_HEADER = tuple(VI[f"xlsx.col.{name}"] for name in ("tt", "criterion", "max", "score", "evidence", "note"))
EXPORT_MERGES = {"A1:F1", "A2:F2"}


def _exporter_layout(sheet: Any) -> bool:
    """A sheet laid out exactly as ``cchc export`` lays it out: its text is read verbatim."""
    header = tuple(sheet.cell(4, c).value for c in range(1, len(EXPORT_HEADER) + 1))
    return header == EXPORT_HEADER and EXPORT_MERGES <= {str(r) for r in sheet.merged_cells.ranges}


def _extent(sheet: Any) -> tuple[int, int]:
    """The last row and column that hold a value or a merge. ``max_row`` alone can be a million when
    someone formatted whole columns, and a scoring table never needs more than MAX_ROWS rows."""
    cells = getattr(sheet, "_cells", None)
    if cells is None:  # pragma: no cover - openpyxl keeps its cells there since 2.x
        return min(sheet.max_row, MAX_ROWS), sheet.max_column
    used = [pos for pos, cell in cells.items() if cell.value is not None]
    used += [(rng.max_row, rng.max_col) for rng in sheet.merged_cells.ranges]
    if not used:
        return 0, 0
    return min(max(r for r, _ in used), MAX_ROWS), min(max(c for _, c in used), MAX_COLUMNS)


def _read_meta(book: Any) -> dict[str, Any] | None:
    """The top-level metadata ``cchc export`` hides in its sheet "cchc" (see cchc.xlsx.layout);
    None when there is none, it is not hidden, or it cannot be read (then nothing of it is used)."""
    if sheetmeta.SHEET not in book.sheetnames:
        return None
    sheet = book[sheetmeta.SHEET]
    if sheet.sheet_state == "visible":  # a sheet someone made and named so, not the export's
        return None
    parts = []
    for r in range(1, min(sheet.max_row, MAX_ROWS) + 1):
        value = sheet.cell(r, 1).value
        if not isinstance(value, str):
            break
        parts.append(value)
    meta = sheetmeta.loads("".join(parts))
    return meta if meta is not None and meta.get("cchc") == sheetmeta.VERSION else None


def read_xlsx(path: Path) -> list[Grid]:
    """Every worksheet of a workbook as a grid; formulas keep their stored results. Of a workbook
    ``cchc export`` wrote, its hidden metadata goes with the form's sheet, and neither the metadata
    sheet nor the evidence index sheet is a grid."""
    import openpyxl

    with warnings.catch_warnings():
        # openpyxl warns about extensions it does not read (data validation, slicers): not our concern.
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(str(path), data_only=False)
        values = openpyxl.load_workbook(str(path), data_only=True)
    by_cchc = (book.properties.creator or "") == "cchc"
    meta = _read_meta(book)
    skip = {sheetmeta.SHEET, VI["xlsx.evidence-sheet"]} if by_cchc or meta is not None else set()
    grids = []
    for sheet in book.worksheets:
        if sheet.title in skip:
            continue
        layout = _exporter_layout(sheet)
        exact = by_cchc or layout
        cached = values[sheet.title]
        merged: dict[tuple[int, int], tuple[int, int]] = {}
        for rng in sheet.merged_cells.ranges:
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if (r, c) != (rng.min_row, rng.min_col):
                        merged[(r, c)] = (rng.min_row, rng.min_col)
        rows: list[list[Cell]] = []
        by_pos: dict[tuple[int, int], Cell] = {}
        last_row, last_col = _extent(sheet)
        for r in range(1, last_row + 1):
            row = []
            for c in range(1, last_col + 1):
                ref = CellRef(r, c, sheet=sheet.title)
                if (r, c) in merged:
                    origin = by_pos[merged[(r, c)]]
                    cell = Cell(origin.text, ref, origin.value, origin.bold, covered=True, origin=origin)
                else:
                    raw = sheet.cell(r, c)
                    value = cached.cell(r, c).value
                    formula = None
                    if raw.data_type == "f" and value is None:
                        formula = str(getattr(raw.value, "text", raw.value))
                    font = raw.font
                    cell = Cell(_xlsx_text(value), ref, value, bool(font is not None and font.b), formula=formula)
                by_pos[(r, c)] = cell
                row.append(cell)
            rows.append(row)
        grids.append(Grid(sheet.title, rows, exact=exact, meta=meta if layout else None))
    return grids


# --- the table ------------------------------------------------------------------------------------


def column_kind(label: str) -> str | None:
    """Which column of the form a header names, or None."""
    k = key(label)
    if not k:
        return None
    if "tham dinh" in k:
        return "appraised"
    if "tu danh gia" in k or "tu cham" in k:
        return "score"
    if "diem chuan" in k or "toi da" in k:
        return "max"
    if "kiem chung" in k or k.startswith("tai lieu"):
        return "evidence"
    if "giai trinh" in k:
        return "explanation"
    if "ghi chu" in k:
        return "note"
    if k in ("tt", "stt", "so tt", "so thu tu", "thu tu"):
        return "tt"
    if "tieu chi" in k or "noi dung" in k or k.startswith("ten") or "linh vuc" in k:
        return "name"
    return None


@dataclass
class Header:
    """Where the form's columns are: kind -> 0-based column; extra note columns; first data row."""

    columns: dict[str, int]
    notes: list[tuple[int, str, str]]  # (column, kind, header text) for appraised/note/explanation
    first_row: int  # 0-based
    header_rows: tuple[int, ...]


def _classify(labels: list[str], header_rows: tuple[int, ...]) -> Header:
    columns: dict[str, int] = {}
    notes: list[tuple[int, str, str]] = []
    for c, label in enumerate(labels):
        kind = column_kind(label)
        if kind is None or kind in columns:
            continue
        columns[kind] = c
        if kind in ("appraised", "note", "explanation"):
            notes.append((c, kind, _squash(label)))
    return Header(columns, notes, header_rows[-1] + 1, header_rows)


def find_header(grid: Grid) -> tuple[Header | None, list[str]]:
    """The header row (or pair of rows) naming the form's columns; else None and the columns missing
    from the row that came closest."""
    best: list[str] = list(REQUIRED)
    for r in range(min(len(grid.rows), HEADER_SCAN)):
        single = [cell.text for cell in grid.rows[r]]
        header = _classify(single, (r,))
        missing = [k for k in REQUIRED if k not in header.columns]
        if not missing:
            return header, []
        if len(missing) < len(best):
            best = missing
        if r + 1 < len(grid.rows):
            below = [cell.text for cell in grid.rows[r + 1]]
            pair = [a if a == b or not b.strip() else f"{a} {b}" for a, b in zip(single, below)]
            header = _classify(pair, (r, r + 1))
            if not [k for k in REQUIRED if k not in header.columns]:
                return header, []
    return None, best


# "TCTP 1.1.1. Title", "TC 1.2: Title", "Tiêu chí 1.3 - Title", "1.4.1 Title", "1.?. Title".
_PREFIX = re.compile(r"(?:tieu chi thanh phan|tieu chi|tctp|tc|linh vuc|lv)\b\.?\s*:?\s*")
_ID = re.compile(r"((?:[0-9]{1,2}|\?)(?:\.(?:[0-9]{1,2}|\?))*)(?:\.|(?=[\s:)\-–]|$))")
_ROMAN_ID = re.compile(r"([IVXLC]+)(?:[.)\-–:]|\s+[-–:])\s*")
_SEPARATOR = re.compile(r"\s*[:)\-–]?\s*")


def split_name(name: str, exact: bool) -> tuple[str | None, str]:
    """(id, title) from a name cell; (None, name) when the cell starts with no id."""
    folded = fold(name)
    start = len(name) - len(name.lstrip())
    m = _PREFIX.match(folded, start)
    at = m.end() if m else start
    found = _ID.match(name, at)
    if found and (m or found.group(1)[0] in "0123456789" or "." in found.group(1)):
        rest = name[found.end():]
        if exact:
            # The exporter writes "1.2. Title": exactly one space stands between id and title.
            return found.group(1), rest[1:] if rest.startswith(" ") else rest
        return found.group(1), rest[_SEPARATOR.match(rest).end():].strip()  # type: ignore[union-attr]
    if not exact:
        rom = _ROMAN_ID.match(name, at)
        if rom and roman(rom.group(1)):
            return str(roman(rom.group(1))), name[rom.end():].strip()
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


def _field_number(tt: str | None) -> str | None:
    """A field's id from its TT: "VIII" -> "8", "3" -> "3"."""
    if tt is None:
        return None
    if re.fullmatch(r"[0-9]+", tt):
        return str(int(tt))
    value = roman(tt)
    return str(value) if value else None


@dataclass
class _Draft:
    """A row being read: its own texts, plus what continuation rows add."""

    id: str
    tt: str | None
    title: str
    ref: CellRef
    field: bool
    max: Decimal | None = None
    score: Decimal | None = None
    evidence: list[str] = _field(default_factory=list)  # raw cell texts, one per row
    notes: list[str] = _field(default_factory=list)
    titles: list[str] = _field(default_factory=list)  # name parts on continuation rows (exact)
    tts: list[str] = _field(default_factory=list)  # TT parts on continuation rows (exact)
    children: list[_Draft] = _field(default_factory=list)
    parent: _Draft | None = None
    #: The row's hidden metadata (see cchc.xlsx.layout), and the texts of its cells as read, per
    #: column kind over the row and its continuation rows, to tell whether someone changed them.
    meta: dict[str, Any] | None = None
    cells: dict[str, list[str]] = _field(default_factory=dict)


#: The text columns whose cells the metadata's digests cover, and the value each one shows.
_META_TEXTS = (("title", "name"), ("tt", "tt"), ("note", "note"), ("evidence", "evidence"))


def _join_parts(parts: list[str]) -> str:
    """Texts the exporter continued over several rows, joined back. Parts hold whole lines; a line
    too long for one row was cut into pieces that end and resume with MARK, one piece per line."""
    return "\n".join(parts).replace(MARK + "\n" + MARK, "")


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
        self.shared_reported: set[int] = set()
        self.fields = 0
        # The hidden metadata column of a workbook ``cchc export`` wrote, found by its header.
        self.meta_col: int | None = None
        if self.exact:
            heading = grid.rows[header.header_rows[-1]]
            self.meta_col = next((c for c, cell in enumerate(heading) if cell.own_text == sheetmeta.HEADER),
                                 None)

    # cells

    def cell(self, row: list[Cell], kind: str) -> Cell | None:
        col = self.header.columns.get(kind)
        return row[col] if col is not None and col < len(row) else None

    def text(self, row: list[Cell], kind: str) -> str:
        cell = self.cell(row, kind)
        return cell.own_text if cell is not None else ""

    def problem(self, code: str, ref: CellRef, **args: Any) -> None:
        self.problems.append(Problem(code, self.file, ref.row, ref.col, ref.path, {"cell": ref, **args}))

    def number(self, cell: Cell | None, what: str) -> Decimal | None:
        """The points in ``cell`` (None when empty); an unreadable cell is a problem and None."""
        if cell is None or cell.covered:
            return None
        if cell.formula is not None:
            self.problem("import-formula-no-value", cell.ref, formula=cell.formula)
            return None
        value = cell.value
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool) or isinstance(value, (datetime, date, time)):
            self.problem("import-bad-cell", cell.ref, value=cell.text, what=Text(what),
                         reason=Text("import.reason-not-number"))
            return None
        if isinstance(value, int):
            return Decimal(value)
        if isinstance(value, float):
            return _float_decimal(value)
        text = str(value).strip()
        try:
            return parse_decimal(text)
        except NumberError as exc:
            self.problem("import-bad-cell", cell.ref, value=text, what=Text(what), reason=Text(exc.reason))
            return None

    def row_meta(self, row: list[Cell], name: str, bold: bool) -> dict[str, Any] | None:
        """The row's hidden metadata, while it still belongs to the row: a field's (bold) row, or a
        row whose name still starts with the stored id. None for any other row."""
        if self.meta_col is None or self.meta_col >= len(row) or not row[self.meta_col].own_text:
            return None
        meta = sheetmeta.loads(row[self.meta_col].own_text)
        if meta is None or not isinstance(meta.get("id"), str):
            return None  # someone typed over the cell
        return meta if bold or name.startswith(sheetmeta.name_prefix(meta["id"])) else None

    def record(self, draft: _Draft, row: list[Cell]) -> None:
        """Keep the texts of the row's cells as read, for the metadata's digests."""
        for _, kind in _META_TEXTS:
            draft.cells.setdefault(kind, []).append(self.text(row, kind))

    def has_points(self, row: list[Cell]) -> bool:
        return any(c is not None and not c.covered and (c.formula is not None or c.text.strip())
                   for c in (self.cell(row, "max"), self.cell(row, "score")))

    def note_text(self, row: list[Cell]) -> str:
        """The note columns of a row: one alone verbatim, several (or the appraised score) labelled."""
        parts = []
        single = len(self.header.notes) == 1 and self.header.notes[0][1] != "appraised"
        for col, kind, label in self.header.notes:
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

    def _column_numbers(self, row: list[Cell]) -> bool:
        """A row "(1) (2) (3) ..." or "1 2 3 ..." numbering the columns under the header."""
        texts = [c.own_text.strip() for c in row if c.own_text.strip()]
        return len(texts) >= 3 and all(re.fullmatch(r"\(?\d{1,2}\)?", t) for t in texts)

    def read_row(self, row: list[Cell], r: int) -> bool:
        """Read one row; True when it is the total row (the end of the table)."""
        name_cell = self.cell(row, "name")
        name = name_cell.own_text if name_cell is not None else ""
        tt_raw = self.text(row, "tt")
        if name_cell is not None and name_cell.covered and name_cell.origin is not None and \
                name_cell.origin.ref.row == name_cell.ref.row:
            # A name merged across from the TT column (a field row): the text is the name, not a number.
            name = name_cell.origin.text
            tt_cell = self.cell(row, "tt")
            if tt_cell is name_cell.origin:
                tt_raw = ""
        evidence = self.text(row, "evidence")
        notes = self.note_text(row)
        points = self.has_points(row)
        meta = self.row_meta(row, name, name_cell is not None and name_cell.bold)
        if not (name.strip() or tt_raw.strip() or evidence.strip() or notes.strip() or points or meta):
            return False  # a blank row, or one whose cells all belong to merges above
        ref = name_cell.ref if name_cell is not None else row[0].ref
        if meta is not None:
            # The export's own row of a node: never the total, a continuation or a column-number row,
            # whatever its texts look like (a field named "Tổng điểm", a title "(tiếp theo 1)").
            self.start_row(row, r, ref, name, tt_raw, evidence, notes, name_cell, meta)
            return False
        if not tt_raw.strip() and _is_total(name):
            self.total = (self.number(self.cell(row, "max"), "import.what-max"),
                          self.number(self.cell(row, "score"), "import.what-score"))
            # The total ends the table (signatures may follow), unless it stands above the rows.
            return bool(self.drafts)
        continued = re.fullmatch(r"\s*\(\s*tiếp theo .*\)\s*", name) is not None
        if (name_cell is not None and name_cell.continued_from_above) or continued or (
                not name.strip() and not tt_raw.strip()):
            self.continuation(row, r, ref, evidence, notes, name if not continued else "")
            return False
        if self.exact and name.strip() and not tt_raw.strip() and not points and self.current is not None \
                and split_name(name, True)[0] is None and not (name_cell is not None and name_cell.bold):
            # The exporter continues a very long title on the next row, in the name column.
            self.continuation(row, r, ref, evidence, notes, name)
            return False
        self.start_row(row, r, ref, name, tt_raw, evidence, notes, name_cell)
        return False

    def continuation(self, row: list[Cell], r: int, ref: CellRef, evidence: str, notes: str,
                     name: str) -> None:
        """A row that continues the criterion above it: points fill blanks, texts are appended."""
        draft = self.current
        if draft is None:
            self.problem("import-unplaced-row", ref, row=r, text=_preview(evidence or notes or name),
                         reason=Text("import.reason-nothing-above"))
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
                self.problem("import-unplaced-row", cell.ref, row=r, text=cell.text.strip(),
                             reason=Text("import.reason-points-twice", id=draft.id))
        if evidence:
            draft.evidence.append(evidence)
        if notes:
            draft.notes.append(notes)
        if name:
            draft.titles.append(name)
        if self.exact and self.text(row, "tt"):
            draft.tts.append(self.text(row, "tt"))  # a TT too long for one row, continued
        self.record(draft, row)
        self.owner[r] = draft

    def _shared(self, cell: Cell, draft: _Draft, what: str) -> None:
        """A points cell merged down from another criterion's row: report it once per merge."""
        origin = cell.origin
        assert origin is not None
        owner = self.owner.get(origin.ref.row)
        if owner is draft or owner is None or id(origin) in self.shared_reported:
            return
        self.shared_reported.add(id(origin))
        self.problem("import-shared-cell", cell.ref, what=Text(what), owner=owner.id, id=draft.id,
                     origin=origin.ref)

    def start_row(self, row: list[Cell], r: int, ref: CellRef, name: str, tt_raw: str, evidence: str,
                  notes: str, name_cell: Cell | None, meta: dict[str, Any] | None = None) -> None:
        """A row that starts a field or a criterion; a row that cannot be placed is a problem."""
        tt = _tt(tt_raw, self.exact)
        bold = name_cell is not None and name_cell.bold
        node_id: str | None
        if meta is not None:
            # The id the export stored: a field's is not shown, a criterion's name starts with it.
            node_id, is_field = meta["id"], bold
            title = name if bold else name[len(sheetmeta.name_prefix(node_id)):]
        else:
            if self.exact and bold:
                node_id, title = None, name  # the exporter writes a field's name without its id
            else:
                node_id, title = split_name(name, self.exact)
            is_field = node_id is not None and "." not in node_id
        if node_id is None and name.strip():
            number = _field_number(tt)
            if tt is not None and roman(tt):
                node_id, is_field = number, True
            elif number is not None and (_is_upper(name) or bold):
                node_id, is_field = number, True
            elif tt is None and (_is_upper(name) or bold):
                node_id, is_field = str(self.fields + 1), True
                self.problem("import-guessed-id", ref, title=_preview(name), id=node_id)
            elif self.exact and bold:
                node_id, is_field = str(self.fields + 1), True
                self.problem("import-guessed-id", ref, title=_preview(name), id=node_id)
        if node_id is None:
            reason = Text("import.reason-no-id") if name.strip() else Text("import.reason-no-name")
            self.problem("import-unplaced-row", ref, row=r, text=_preview(name or tt_raw or evidence), reason=reason)
            self.current = None  # what follows belongs to the unplaced row, not to the one above
            return
        if is_field:
            self.fields += 1
        if not self.exact:
            title = _squash(title)
        draft = _Draft(node_id, tt, title, ref, is_field, meta=meta)
        self.record(draft, row)
        for kind, attr, what in (("max", "max", "import.what-max"), ("score", "score", "import.what-score")):
            cell = self.cell(row, kind)
            if cell is not None and cell.continued_from_above:
                self._shared(cell, draft, what)
                continue
            setattr(draft, attr, self.number(cell, what))
        if evidence:
            draft.evidence.append(evidence)
        if notes:
            draft.notes.append(notes)
        self.drafts.append(draft)
        self.owner[r] = draft
        self.current = draft

    # the tree

    def build(self) -> list[Criterion]:
        """Place every draft under the deepest earlier row whose id is a prefix of its own."""
        roots: list[_Draft] = []
        seen: dict[str, _Draft] = {}
        group: _Draft | None = None  # an open group known only as a total ("1.?" with points)
        for draft in self.drafts:
            parent = None
            if group is not None and draft.max is None and draft.score is None and \
                    _under(draft.id, _known(group.id)):
                parent = _deepest(draft.id, seen, within=group) or group
            else:
                group = None
                parent = _deepest(draft.id, seen)
            if draft.field:
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
            evidence: list[str | model.EvidenceRef] = []
            if self.exact:
                # The exporter writes an evidence mapping as one line ("1280/KH-UBND | ngày: …"): read it back.
                evidence = [evidence_item(line) for line in evidence_lines(_join_parts(draft.evidence), True)]
            else:
                for part in draft.evidence:
                    evidence.extend(evidence_lines(part, False))
            note = _join_parts(draft.notes) if self.exact else "\n".join(draft.notes)
            title = _join_parts([draft.title, *draft.titles]) if self.exact else draft.title
            tt = _join_parts([draft.tt or "", *draft.tts]) if draft.tts else draft.tt
            children = [built[id(child)] for child in draft.children]
            shown: dict[str, Any] = {"id": draft.id, "tt": tt, "title": title, "max": draft.max,
                                     "score": draft.score, "evidence": evidence, "note": note or None}
            if draft.meta is not None:
                try:
                    built[id(draft)] = Criterion(**{**shown, **_from_meta(draft, shown)}, children=children)
                    continue
                except ValidationError:
                    pass  # metadata someone changed into nonsense: the row is read as it shows
            node = Criterion(**shown, children=children)
            if children and (node.max is not None or node.score is not None) and not _any_points(children):
                node.split_unknown = True  # points known only for the group, none for its rows
            if draft.field and draft.parent is None and "dieu tra xa hoi hoc" in key(title):
                node.survey = True
            built[id(draft)] = node
        return built[id(top)]


def _meta_number(stored: Any, shown: Decimal | None) -> tuple[bool, Decimal | None]:
    """(True, the declared value) when ``stored`` is ``[declared, shown]`` and the cell still shows
    ``shown``; (False, None) when the cell changed or ``stored`` is not such a pair."""
    if not (isinstance(stored, list) and len(stored) == 2 and stored[1] == sheetmeta.number_text(shown)):
        return False, None
    if stored[0] is None:
        return True, None
    if not isinstance(stored[0], str):
        return False, None
    try:
        value = Decimal(stored[0])
    except ArithmeticError:  # decimal.InvalidOperation
        return False, None
    return (True, value) if value.is_finite() else (False, None)


def _from_meta(draft: _Draft, shown: dict[str, Any]) -> dict[str, Any]:
    """What a row's hidden metadata gives back that its visible cells cannot (see cchc.xlsx.layout):
    each stored value whose cells still hold what the export wrote, and the flags."""
    meta = draft.meta or {}
    found: dict[str, Any] = {}
    for attr, kind in _META_TEXTS:
        stored = meta.get(attr)
        if isinstance(stored, list) and len(stored) == 2 and stored[1] == sheetmeta.digest(draft.cells[kind]):
            value = stored[0]
            if attr == "evidence" and isinstance(value, list):
                value = [EvidenceRef(**item) if isinstance(item, dict) else item for item in value]
            found[attr] = value  # a wrong type fails the model's validation: the visible row stands
    for attr in ("max", "score"):
        ok, value = _meta_number(meta.get(attr), shown[attr])
        if ok:
            found[attr] = value
    found["survey"] = meta.get("survey") is True
    found["split_unknown"] = meta.get("split_unknown") is True
    return found


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


def _is_total(name: str) -> bool:
    """The total row: "TỔNG ĐIỂM", "Tổng cộng", "TỔNG ĐIỂM (I+II+...)"."""
    k = key(name)
    return k in ("tong", "tong cong", "tong so", "tong so diem", "cong") or k.startswith("tong diem")


def _preview(text: str, size: int = 60) -> str:
    text = _squash(text)
    return text if len(text) <= size else text[: size - 1] + "…"


# --- what stands above the table ------------------------------------------------------------------


@dataclass
class TopInfo:
    """The table's title, unit, report and year as read from the lines above it."""

    title: str | None = None
    unit: str | None = None
    report: str | None = None
    year: int | None = None


def _year(lines: list[str]) -> int | None:
    """The first "năm 2021" in the lines, the title's first."""
    for line in lines:
        for found in re.finditer(r"\bnam\s+(\d{4})\b", fold(line)):
            if 1990 <= int(found.group(1)) <= 2100:  # the years the format accepts
                return int(found.group(1))
    return None


def read_top(lines: list[str], exact: bool) -> TopInfo:
    """Title ("BẢNG TỔNG HỢP ... NĂM 2021"), report and unit ("(ban hành kèm theo ... của ...)",
    "Đơn vị: ..."), year ("năm 2021") from the lines above the table."""
    info = TopInfo(year=_year(lines))
    if exact:
        return _read_top_exact(lines, info)
    for line in lines:
        k = key(line)
        if "cham diem" in k or "chi so cai cach" in k or k.startswith("bang "):
            info.title = " ".join(line.split())
            break
    joined = "\n".join(lines)
    folded = fold(joined)
    attached = re.search(r"\(?[ \t]*(?:ban hanh[ \t]+)?kem theo[ \t]+", folded)
    if attached:
        start = attached.end()
        end = folded.find(")", start) if folded[attached.start()] == "(" else -1
        if end == -1:
            end = folded.find("\n", start)
            end = len(folded) if end == -1 else end
        segment, fsegment = joined[start:end], folded[start:end]
        # The unit comes after the last "của": a report's own words may hold one, a unit's rarely do.
        cut = list(re.finditer(r"\s+cua\s+", fsegment))
        report = segment[: cut[-1].start()] if cut else segment
        info.report = " ".join(report.split()) or None
        if cut:
            info.unit = " ".join(segment[cut[-1].end():].split()) or None
    if info.unit is None:
        unit = re.search(r"(?m)^[ \t]*(?:don vi|co quan)[ \t]*:[ \t]*", folded)
        if unit:
            end = folded.find("\n", unit.end())
            info.unit = " ".join(joined[unit.end(): end if end != -1 else len(joined)].split()) or None
    return info


def _read_top_exact(lines: list[str], info: TopInfo) -> TopInfo:
    """The exporter's two title rows, read back exactly: the title, then
    "(ban hành kèm theo REPORT của UNIT)" or "Đơn vị: UNIT"."""
    if lines:
        info.title = lines[0]
    second = lines[1] if len(lines) > 1 else ""
    head, _, tail = render("xlsx.report", report="\0", unit="\1").partition("\0")
    middle, _, end = tail.partition("\1")
    unit_head = render("xlsx.unit", unit="\0").partition("\0")[0]
    if second.startswith(head) and second.endswith(end) and middle in second:
        inner = second[len(head): len(second) - len(end)]
        cut = inner.rfind(middle)
        info.report, info.unit = inner[:cut] or None, inner[cut + len(middle):] or None
    elif second.startswith(unit_head):
        info.unit = second[len(unit_head):] or None
    return info


# --- the whole import -----------------------------------------------------------------------------


@dataclass
class Imported:
    """The result of an import: the scorecard (None when no table could be read) and the problems."""

    file: str
    card: model.Scorecard | None
    problems: list[Problem] = field(default_factory=list)
    #: False when the file could not be read at all (exit code 2).
    readable: bool = True
    #: Which table or sheet was read ("bảng 1", "Sheet1").
    source: str = ""


def parse_grid(grid: Grid, file: str, header: Header, unit: str | None = None,
               year: int | None = None) -> Imported:
    """The scorecard in one grid whose header is known; ``unit``/``year`` override the file's."""
    parser = _Parser(grid, header, file)
    parser.read()
    criteria = parser.build()
    # Title lines stand above the table in Word, in the rows above the header in Excel (or both).
    above = [" ".join(c.own_text for c in row if c.own_text.strip()) for row in grid.rows[:header.header_rows[0]]]
    top = read_top(grid.preamble + [line for line in above if line.strip()], grid.exact)
    total_max, total_score = parser.total if parser.total is not None else (None, None)
    shown: dict[str, Any] = {"unit": top.unit, "year": top.year, "title": top.title, "report": top.report,
                             "max": total_max, "score": total_score}
    restored = _top_from_meta(grid, header, (total_max, total_score)) if grid.exact and grid.meta else {}
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
    return Imported(file, card, problems, source=str(grid.label))


def _scorecard(fields: dict[str, Any], criteria: list[Criterion]) -> Scorecard:
    """The scorecard of the top-level ``fields``, a placeholder for a unit or year not found."""
    return Scorecard(**{**fields, "unit": fields["unit"] or "", "year": fields["year"] or PLACEHOLDER_YEAR},
                     criteria=criteria)


def _top_from_meta(grid: Grid, header: Header, totals: tuple[Decimal | None, Decimal | None]) -> dict[str, Any]:
    """What the hidden sheet gives back of the top-level fields (see cchc.xlsx.layout): the title
    and year while the first title row holds what the export wrote, the unit and report while the
    second does, the level, and each declared total while the total row shows what it showed."""
    meta = grid.meta or {}
    found: dict[str, Any] = {"level": meta.get("level")}
    rows = [grid.rows[r][0].own_text if r < header.header_rows[0] and grid.rows[r] else "" for r in (0, 1)]
    lines = meta.get("lines")
    if isinstance(lines, list) and len(lines) == 2:
        if lines[0] == sheetmeta.digest([rows[0]]):
            found.update(title=meta.get("title"), year=meta.get("year"))
        if lines[1] == sheetmeta.digest([rows[1]]):
            found.update(unit=meta.get("unit"), report=meta.get("report"))
    for attr, shown in zip(("max", "score"), totals):
        ok, value = _meta_number(meta.get(attr), shown)
        if ok:
            found[attr] = value
    return found


def _too_big(path: Path, name: str) -> Imported | None:
    """A problem when the file or what it unpacks to is too large to read safely."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        return Imported(name, None, [Problem("file-too-large", name, args={"size": size, "limit": MAX_BYTES})],
                        readable=False)
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_UNPACKED:
        return Imported(name, None, [Problem("file-too-large", name, args={
            "size": unpacked, "limit": MAX_UNPACKED})], readable=False)
    return None


def _unreadable(name: str, key_: str, **args: Any) -> Imported:
    return Imported(name, None, [Problem("file-unreadable", name, args={"reason": Text(key_, **args)})],
                    readable=False)


def import_file(path: str | Path, table: int | None = None, sheet: str | None = None,
                unit: str | None = None, year: int | None = None) -> Imported:
    """Read the scoring table of a .docx or .xlsx file. Never raises for a bad file: every failure
    is a problem. Raises ImportOptionError for a ``table``/``sheet`` that does not exist or does
    not fit the file's kind."""
    path = Path(path)
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES_XLSX + SUFFIXES_DOCX:
        return _unreadable(name, "import.reason-suffix", suffix=path.suffix or "''")
    if table is not None and suffix not in SUFFIXES_DOCX:
        raise ImportOptionError("err.import-table-option")
    if sheet is not None and suffix not in SUFFIXES_XLSX:
        raise ImportOptionError("err.import-sheet-option")
    try:
        if path.is_dir():
            raise IsADirectoryError(name)
        big = _too_big(path, name)
        if big is not None:
            return big
        grids = read_xlsx(path) if suffix in SUFFIXES_XLSX else read_docx(path)
    except FileNotFoundError:
        return _unreadable(name, "reason.not-found")
    except IsADirectoryError:
        return _unreadable(name, "reason.is-directory")
    except PermissionError:
        return _unreadable(name, "reason.permission")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, AttributeError) as exc:
        # A damaged or disguised file: python-docx/openpyxl fail with many kinds of error.
        return _unreadable(name, "import.reason-damaged", kind=suffix.lstrip(".").upper(),
                           error=type(exc).__name__)
    if table is not None:
        if not 1 <= table <= len(grids):
            raise ImportOptionError("err.import-no-such-table", n=table, count=len(grids))
        chosen = [grids[table - 1]]
    elif sheet is not None:
        chosen = [g for g in grids if g.label == sheet]
        if not chosen:
            raise ImportOptionError("err.import-no-such-sheet", name=sheet,
                                    names=", ".join(str(g.label) for g in grids))
    else:
        chosen = grids
    for grid in chosen:
        if not grid.exact:
            _compose(grid)
        header, missing = find_header(grid)
        if header is not None:
            return parse_grid(grid, name, header, unit, year)
        if len(chosen) == 1 and (table is not None or sheet is not None):
            labels = ", ".join(str(Text(f"import.col-{k}")) for k in missing)
            return Imported(name, None, [Problem("import-no-columns", name, args={
                "where": grid.label, "missing": labels})], readable=False)
    return Imported(name, None, [Problem("import-no-table", name, args={"count": len(grids)})], readable=False)
