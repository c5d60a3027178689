"""`cchc export --xlsx`: the form's layout, live formulas with cached values, hostile text, safe writing.

The workbook is reopened with openpyxl (as a reader only) and every formula is recomputed here by a
tiny evaluator, so the formulas are proved to add up the right cells, not just to be present.
"""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from cchc.cli.app import app
from cchc.messages import set_language
from cchc.output import OutputError
from cchc.scorecard.load import load_file
from cchc.scorecard.model import Criterion, Scorecard, iter_criteria
from cchc.scorecard.rollup import rollup
from cchc.xlsx import export as export_module
from cchc.xlsx import layout, measure
from cchc.xlsx.export import write_xlsx
from cchc.xlsx.measure import CELL_LIMIT, ROW_LINES, split_text
from tests.conftest import ROOT, SHIPPED

ROOT_CASES = ROOT / "tests" / "cases"

HEADER = ["TT", "Tên TC/TCTP", "Điểm chuẩn", "Điểm tự đánh giá", "Tài liệu kiểm chứng", "Ghi chú"]
HEADER_ROW = 4  # 1-based, as openpyxl counts
FIRST_ROW = HEADER_ROW + 1
FORM_COLUMNS = len(HEADER)  # A to F; G is the hidden metadata column
HOSTILE = [
    "=cmd|' /C calc'!A0",
    "+1",
    "-x",
    "@SUM(A1)",
    "\tx",
    '=HYPERLINK("http://evil","y")',
    "http://example.com/a",
    "_x0041_ literal",
    "1,5",
    "0042",
]


# --- helpers ------------------------------------------------------------------------------------


def _card_path(tmp_path: Path, text: str, name: str = "card.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _load(path: Path) -> Scorecard:
    loaded = load_file(path)
    assert loaded.card is not None, loaded.problems
    return loaded.card


def _export(path: Path, out: Path, *, overwrite: bool = False) -> list[str]:
    card = _load(path)
    return write_xlsx(card, rollup(card), out, source=path, overwrite=overwrite)


def _sheets(out: Path) -> tuple[Worksheet, Worksheet]:
    """The sheet with formulas, and the same sheet with the cached values."""
    return openpyxl.load_workbook(out).active, openpyxl.load_workbook(out, data_only=True).active


def _header(ws: Worksheet) -> list[Any]:
    """The form's column headings (the hidden metadata column left out)."""
    return [c.value for c in ws[HEADER_ROW][:FORM_COLUMNS]]


def _name(node: Criterion, depth: int) -> str:
    return node.title.upper() if depth == 1 else f"{node.id}. {node.title}"


def _is_continuation(ws: Worksheet, row: int) -> bool:
    """A row that goes on with the node above: its name cell is blank, or says "(tiếp theo 1.2)"
    where it starts a printed page."""
    name = ws.cell(row, 2).value
    return not name or (isinstance(name, str) and name.startswith("(tiếp theo "))


def _node_rows(ws: Worksheet) -> list[int]:
    """Sheet rows of the nodes (not continuation rows), the total row last."""
    return [r for r in range(FIRST_ROW, ws.max_row + 1) if not _is_continuation(ws, r)]


def _table_text(ws: Worksheet, first: int, col: int) -> list[str]:
    """A node's text in ``col``: its own row and its continuation rows, in order."""
    parts = [ws.cell(first, col).value or ""]
    row = first + 1
    while row <= ws.max_row and _is_continuation(ws, row):
        parts.append(ws.cell(row, col).value or "")
        row += 1
    return parts


def _rows_of(refs: str) -> list[int]:
    """The rows a formula's argument list refers to (ranges expanded)."""
    rows: list[int] = []
    for first, last in re.findall(r"[A-Z]+(\d+)(?::[A-Z]+(\d+))?", refs):
        rows.extend(range(int(first), int(last or first) + 1))
    return rows


def _card_text(children: str, *, header: str = "", field_extra: str = "") -> str:
    return (
        f'unit: UBND xã Thử\nyear: 2022\n{header}criteria:\n  - id: "1"\n    tt: "I"\n'
        f"    title: Lĩnh vực thử\n{field_extra}    children:\n{children}"
    )


def _leaf(
    ident: str, *, max_: str = "1", score: str | None = "1", evidence: list[str] | None = None, indent: int = 6
) -> str:
    pad = " " * indent
    lines = [f'{pad}- id: "{ident}"', f"{pad}  title: Tiêu chí {ident}", f"{pad}  max: {max_}"]
    if score is not None:
        lines.append(f"{pad}  score: {score}")
    if evidence is not None:
        lines.append(f"{pad}  evidence:")
        lines.extend(f"{pad}    - {_yaml_str(item)}" for item in evidence)
    return "\n".join(lines) + "\n"


def _yaml_str(text: str) -> str:
    """A double-quoted YAML scalar holding exactly ``text`` (control characters escaped)."""
    out = []
    for ch in text:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


class _Evaluator:
    """Recomputes SUM / COUNT / IF(...=0,"",...) formulas from the cells they refer to."""

    _TOKEN = re.compile(
        r"\s*(?:(?P<range>[A-Z]+\d+:[A-Z]+\d+)|(?P<ref>[A-Z]+\d+)|(?P<fn>[A-Z]+)\(|"
        r'(?P<num>\d+(?:\.\d+)?)|(?P<str>"[^"]*")|(?P<op>[(),=]))'
    )

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.tokens: list[tuple[str, str]] = []
        self.calls: list[int] = []  # argument count of every function call seen

    def value(self, ref: str) -> Any:
        value = self.ws[ref].value
        if isinstance(value, str) and self.ws[ref].data_type == "f":
            return _Evaluator(self.ws).formula(value, self.calls)
        return value

    def formula(self, text: str, calls: list[int] | None = None) -> Any:
        assert text.startswith("=") and len(text) <= 8192, text[:80]
        if calls is not None:
            self.calls = calls
        self.tokens = []
        pos = 1
        while pos < len(text):
            match = self._TOKEN.match(text, pos)
            assert match, f"cannot read {text[pos : pos + 20]!r}"
            kind = match.lastgroup
            assert kind is not None
            self.tokens.append((kind, match.group(kind)))
            pos = match.end()
        result = self._comparison()
        assert not self.tokens, self.tokens
        return result

    def _comparison(self) -> Any:
        left = self._expr()
        if self.tokens and self.tokens[0] == ("op", "="):
            self.tokens.pop(0)
            return _scalar(left) == _scalar(self._expr())
        return left

    def _expr(self) -> Any:
        kind, text = self.tokens.pop(0)
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1]
        if kind == "ref":
            return [self.value(text)]
        if kind == "range":
            first, last = text.split(":")
            col = re.match(r"[A-Z]+", first).group(0)  # type: ignore[union-attr]
            return [self.value(f"{col}{row}") for row in _rows_of(f"{first}:{last}")]
        assert kind == "fn", (kind, text)
        args = []
        if self.tokens[0] != ("op", ")"):
            while True:
                args.append(self._comparison())
                sep = self.tokens.pop(0)
                if sep == ("op", ")"):
                    break
                assert sep == ("op", ","), sep
        else:
            self.tokens.pop(0)
        self.calls.append(len(args))
        return _apply(text, args)


def _flat(args: list[Any]) -> list[Any]:
    out: list[Any] = []
    for arg in args:
        out.extend(arg if isinstance(arg, list) else [arg])
    return out


def _scalar(value: Any) -> Any:
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _apply(function: str, args: list[Any]) -> Any:
    numbers = [v for v in _flat(args) if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if function == "SUM":
        return float(sum(numbers))
    if function == "COUNT":
        return float(len(numbers))
    if function == "IF":
        cond, yes, no = args
        return _scalar(yes) if cond else _scalar(no)
    raise AssertionError(f"unexpected function {function}")


def _check_formulas(ws: Worksheet, cached: Worksheet) -> int:
    """Every formula recomputes to its cached value; returns how many there were."""
    count = 0
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type != "f":
                continue
            count += 1
            evaluator = _Evaluator(ws)
            value = evaluator.formula(cell.value, [])
            assert all(n <= 255 for n in evaluator.calls), cell.coordinate
            stored = cached[cell.coordinate].value
            if value == "":
                assert stored in (None, ""), cell.coordinate
            else:
                assert stored == pytest.approx(value, abs=1e-9), (cell.coordinate, stored, value)
    return count


# --- the shipped scorecard ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shipped") / "tp-thanh-hoa-2021.xlsx"
    set_language("vi")
    notices = _export(SHIPPED, out)
    assert notices == []  # nothing in the shipped table needs changing to fit Excel
    return out


def test_shipped_titles_and_header(shipped_xlsx: Path) -> None:
    ws, _ = _sheets(shipped_xlsx)
    assert ws.title == "Bảng chấm điểm"
    assert ws["A1"].value == "BẢNG TỔNG HỢP CHẤM ĐIỂM CẢI CÁCH HÀNH CHÍNH NĂM 2021"
    assert ws["A2"].value == ("(ban hành kèm theo Báo cáo số …/BC-UBND ngày 25/12/2021 của UBND thành phố Thanh Hóa)")
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:F1", "A2:F2"}
    for ref in ("A1", "A2"):
        assert ws[ref].font.b and ws[ref].font.name == "Times New Roman" and ws[ref].font.sz == 13
        assert ws[ref].alignment.horizontal == "center"
    assert _header(ws) == HEADER
    assert all(c.font.b for c in ws[HEADER_ROW][:FORM_COLUMNS])


def test_shipped_rows_follow_the_table(shipped_xlsx: Path) -> None:
    """One row per node in table order (children of split_unknown groups included), TT as in the form."""
    ws, _ = _sheets(shipped_xlsx)
    card = _load(SHIPPED)
    expected = [(node.tt, _name(node, depth)) for node, depth, _ in iter_criteria(card.criteria)]
    rows = _node_rows(ws)
    assert [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in rows[:-1]] == expected
    assert ws.cell(rows[-1], 2).value == "TỔNG ĐIỂM"
    # Criterion rows are numbered 1 to 96 through the table, as in the form.
    numbers = [
        int(tt)
        for r in rows
        for tt in str(ws.cell(r, 1).value or "").split(", ")
        if tt.isdigit() and ws.cell(r, 1).font.b is not True
    ]
    assert set(numbers) == set(range(1, 97))  # a group lists the TT of its rows too
    assert [ws.cell(r, 1).value for r in rows if ws.cell(r, 1).font.b][:8] == [
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "VIII",
    ]
    assert ws.cell(rows[0], 2).value == "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC"


def test_shipped_field_and_total_cells_are_live_sums_of_their_children(shipped_xlsx: Path) -> None:
    ws, _ = _sheets(shipped_xlsx)
    card = _load(SHIPPED)
    root = rollup(card)
    rows = _node_rows(ws)
    # Map every node row of the rollup to its sheet row, in table order.
    order = [node for node, _, _ in iter_criteria(card.criteria)]
    at = {id(node): row for node, row in zip(order, rows, strict=False)}
    field_rows = [at[id(f.node)] for f in root.children]
    total = rows[-1]
    for col in "CD":
        formula = ws[f"{col}{total}"].value
        assert ws[f"{col}{total}"].data_type == "f" and formula.startswith("=SUM(")
        assert _rows_of(formula) == field_rows
        assert formula == f"=SUM({','.join(f'{col}{r}' for r in field_rows)})"
    checked = 0
    for summed in root.walk():
        if summed.node is None or not summed.children:
            continue
        row = at[id(summed.node)]
        for col in "CD":
            assert ws[f"{col}{row}"].data_type == "f"
            assert _rows_of(ws[f"{col}{row}"].value) == [at[id(c.node)] for c in summed.children]
        checked += 1
    assert checked == 7  # the seven scored fields (VIII, the survey, is one row)


def test_shipped_cached_values(shipped_xlsx: Path) -> None:
    """Without recalculating, a reader sees the engine's values: 98,52 / 100 and every field."""
    ws, cached = _sheets(shipped_xlsx)
    rows = _node_rows(ws)
    total = rows[-1]
    assert cached[f"C{total}"].value == 100
    assert cached[f"D{total}"].value == pytest.approx(98.52, abs=1e-9)
    fields = {ws.cell(r, 1).value: r for r in rows[:-1] if ws.cell(r, 1).font.b}
    expected = {"1": 14, "2": 9, "3": 12.9491, "4": 10, "5": 13.5, "6": 8.5, "7": 12.5709, "VIII": 18}
    assert {tt: cached[f"D{r}"].value for tt, r in fields.items()} == pytest.approx(expected)
    assert sum(cached[f"C{r}"].value for r in fields.values()) == 100


def test_shipped_formulas_recompute_to_the_cached_values(shipped_xlsx: Path) -> None:
    ws, cached = _sheets(shipped_xlsx)
    assert _check_formulas(ws, cached) == 2 * 8  # max and score of 7 fields and the total


def test_shipped_leaves_split_groups_and_notes(shipped_xlsx: Path) -> None:
    ws, _ = _sheets(shipped_xlsx)
    rows = {ws.cell(r, 2).value.split(" ", 1)[0]: r for r in _node_rows(ws)}
    leaf = rows["3.5.1."]
    assert (ws[f"C{leaf}"].value, ws[f"D{leaf}"].value) == (0.5, 0.4991)
    assert ws[f"C{leaf}"].data_type == "n"
    # A split_unknown group carries its declared points as constants; its rows carry none.
    group, child = rows["1.?."], rows["1.5."]
    assert (ws[f"C{group}"].value, ws[f"D{group}"].value) == (4, 4)
    assert ws[f"C{group}"].data_type == "n"
    assert ws[f"C{child}"].value is None and ws[f"D{child}"].value is None
    assert ws[f"E{child}"].value.startswith("bc 1467 thực hiện khcchc\nCV 2399")
    # Notes are kept in their own column.
    assert ws[f"F{rows['1.2.']}"].value.startswith("Số TT không có trong bản gốc")
    # Evidence: one citation per line, all of them, continued below when the row would be too tall.
    card = _load(SHIPPED)
    node = next(n for n, _, _ in iter_criteria(card.criteria) if n.id == "1.2")
    assert "\n".join(_table_text(ws, rows["1.2."], 5)) == "\n".join(node.evidence)


def test_shipped_styles_and_print_settings(shipped_xlsx: Path) -> None:
    ws, _ = _sheets(shipped_xlsx)
    rows = _node_rows(ws)
    for row in ws.iter_rows(min_row=HEADER_ROW, max_row=ws.max_row, max_col=FORM_COLUMNS):
        for cell in row:
            assert cell.font.name == "Times New Roman" and cell.font.sz == 12, cell.coordinate
            assert cell.font.scheme is None, cell.coordinate  # not replaced by the theme's font
            assert cell.border.left.style == "thin", cell.coordinate
            # A node's sheet rows read as one table row: borders only above and below the node.
            last = cell.row + 1 > ws.max_row or not _is_continuation(ws, cell.row + 1)
            assert (cell.border.bottom.style == "thin") == last, cell.coordinate
            assert (cell.border.top.style == "thin") == (not _is_continuation(ws, cell.row)), cell.coordinate
            assert cell.alignment.wrap_text, cell.coordinate
            if cell.row > HEADER_ROW:
                assert cell.alignment.vertical == "top", cell.coordinate
    field = rows[0]
    # A field's number, name and points are bold; its evidence and notes are not.
    assert all(ws.cell(field, c).font.b for c in (1, 2, 3, 4))
    assert not any(ws.cell(r, c).font.b for r in rows[:-1] for c in (5, 6))
    assert not ws.cell(field + 1, 2).font.b
    assert ws.cell(field, 3).number_format == "General"
    assert ws.cell(field + 1, 4).number_format == "General"
    assert ws.cell(rows[-1], 4).number_format == "0.00"
    widths = {col: ws.column_dimensions[col].width for col in "ABCDEF"}
    assert widths["A"] < widths["C"] < widths["B"] < widths["E"]
    assert ws.freeze_panes == "A5"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    # A fixed scale that fits the width (Excel ignores manual page breaks when it fits to pages).
    assert not (ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage)
    assert 60 <= int(ws.page_setup.scale) <= 100
    assert ws.print_title_rows == "$4:$4"
    # Only the form prints: the hidden metadata column G stands outside the print area.
    assert ws.print_area == f"'Bảng chấm điểm'!$A$1:$F${ws.max_row}"
    assert ws.column_dimensions["G"].hidden and ws["G4"].value == "cchc"
    assert ws.print_options.horizontalCentered
    assert 0.2 <= ws.page_margins.left <= 1 and 0.2 <= ws.page_margins.top <= 1
    # The footer, "Trang 1/28" in 11 pt, has less room than its size above it (LibreOffice then
    # gives it a fixed height; see export.FOOTER_ROOM), yet more than its capitals need.
    # The form's own pages, counted by the export (LibreOffice's &N counts every sheet's pages).
    pages = len(ws.row_breaks.brk) + 1
    assert ws.oddFooter.center.text == f"Trang &P/{pages}" and ws.oddFooter.center.size == 11
    assert ws.page_setup.useFirstPageNumber and int(ws.page_setup.firstPageNumber or 1) == 1
    room = (ws.page_margins.bottom - ws.page_margins.footer) * 72
    assert 0.88 * 11 < room < 11 and ws.page_margins.footer >= 0.25


def _estimated_lines(cell: Cell) -> int:
    """The exporter's estimate of the wrapped lines of a text cell, in its column and weight."""
    width = round(cell.parent.column_dimensions[cell.column_letter].width - 0.7109375)
    room = measure.cell_room(measure.column_points(width))
    return measure.line_count(cell.value, room, bold=bool(cell.font.b or cell.font.i))


def test_shipped_rows_have_stored_heights_that_fit_their_text(shipped_xlsx: Path) -> None:
    """Every row's height is stored (no program fits a row to text a program wrote), holds every
    cell's estimated wrapped lines at 15,75 pt a line, and stays within Excel's 409 pt."""
    ws, _ = _sheets(shipped_xlsx)
    tallest = 0
    for r in range(HEADER_ROW, ws.max_row + 1):
        dim = ws.row_dimensions[r]
        assert dim.customHeight and dim.height is not None, r
        assert dim.height <= 409, r
        texts = [c for c in ws[r][:FORM_COLUMNS] if isinstance(c.value, str) and c.value and c.data_type == "s"]
        lines = max((_estimated_lines(c) for c in texts), default=1)
        explicit = max((c.value.count("\n") + 1 for c in texts), default=1)
        assert lines <= ROW_LINES and explicit <= lines, r
        assert dim.height == measure.row_height(lines) >= 15.75 * lines, r
        tallest = max(tallest, lines)
        for col in (5, 6):  # evidence and notes go on in the rows below after four lines
            cell = ws.cell(r, col)
            # (a text's last, empty line stays with the row above it: alone it would be no row)
            trailing = isinstance(cell.value, str) and cell.value.endswith("\n")
            assert r == HEADER_ROW or not cell.value or _estimated_lines(cell) - trailing <= measure.CHUNK_LINES
    assert tallest <= 6  # the longest names; no blank band of several lines in LibreOffice
    # The header: "Điểm tự đánh giá" and "Điểm chuẩn" wrap to two lines in their narrow columns.
    assert ws.row_dimensions[HEADER_ROW].height == measure.row_height(2)
    for r in (1, 2):  # the title rows: one line of 13 pt each, with air
        assert ws.row_dimensions[r].customHeight and ws.row_dimensions[r].height == 24


def test_evidence_goes_on_in_rows_of_four_lines(tmp_path: Path) -> None:
    """A row sized for Excel's 15,75 pt lines shows 2,45 pt a line of blank in LibreOffice: a sheet
    row holds at most four lines, so no row shows more than one blank line in either."""
    rows_of = {4: 1, 5: 2, 25: 7}
    for count, height in rows_of.items():
        evidence = [f"KH {i}" for i in range(count)]
        out = tmp_path / f"out{count}.xlsx"
        _export(_card_path(tmp_path, _card_text(_leaf("1.1", evidence=evidence)), f"c{count}.yaml"), out)
        ws, _ = _sheets(out)
        parts = _table_text(ws, FIRST_ROW + 1, 5)
        assert len(parts) == height and "\n".join(parts).split("\n") == evidence
        assert ws.row_dimensions[FIRST_ROW + 1].height == min(count, 4) * 15.75 + 1.5
    assert measure.CHUNK_LINES == 4 and ROW_LINES == 25


def test_long_wrapped_evidence_continues_in_rows_that_fit(tmp_path: Path) -> None:
    """Lines that wrap count as the lines they take, not as one: no row is cut off at 409 pt."""
    citation = (
        "Báo cáo số 1216/BC-UBND ngày 11/11/2021 kết quả tự kiểm tra, rà soát văn bản quy phạm "
        "pháp luật trên địa bàn thành phố năm 2021"
    )  # three lines in the evidence column
    evidence = [f"{i}. {citation}" for i in range(40)]
    out = tmp_path / "out.xlsx"
    _export(_card_path(tmp_path, _card_text(_leaf("1.1", evidence=evidence))), out)
    ws, _ = _sheets(out)
    parts = _table_text(ws, FIRST_ROW + 1, 5)
    assert "\n".join(parts).split("\n") == evidence  # whole citations, none cut
    room = measure.cell_room(measure.column_points(round(ws.column_dimensions["E"].width - 0.7109375)))
    each = measure.line_count(evidence[10], room)
    assert each >= 2 and len(parts) == -(-40 // (measure.CHUNK_LINES // each))  # whole citations a row
    for r in range(FIRST_ROW + 1, FIRST_ROW + 1 + len(parts)):
        lines = _estimated_lines(ws.cell(r, 5))
        assert lines <= ROW_LINES and ws.row_dimensions[r].height == measure.row_height(lines)


def test_the_width_estimate() -> None:
    width, column = measure.char_width, measure.column_points
    # Times New Roman's widths, in thousandths of an em: Vietnamese letters as their plain letter,
    # the horn of ơ ư a little wider, bold wider than regular, the unknown as wide as an em.
    assert width("a", False) == 444 and width("a", True) == 500
    assert width("ế", False) == width("e", False) and width("Ậ", True) == width("A", True)
    assert width("đ", True) == width("d", True) == 557 and width("Đ", False) == width("D", False)
    assert width("ơ", False) > width("o", False) and width("Ự", True) > width("U", True)
    assert width("\u0301", False) == 0  # a combining accent (text in NFD form)
    assert width("漢", False) == width("😀", True) == 1000
    # XlsxWriter stores 46 as 46.7109375 characters of 6 pt (the digit of Times New Roman 12).
    assert column(46) == 46.7109375 * 6 and column(6) == 6.7109375 * 6
    room = measure.cell_room(column(56))
    assert measure.line_count("", room) == 1 and measure.line_count("a\n\nb", room) == 3
    # Field names in bold capitals: the longest of the shipped table takes two lines of the name
    # column, a short one one. A word with no space breaks after a hyphen or slash, not in a date.
    name = export_module.ROOMS[1]
    title = "XÂY DỰNG VÀ TỔ CHỨC THỰC HIỆN VĂN BẢN QUY PHẠM PHÁP LUẬT"
    assert measure.line_count(title, name, bold=True) == 2
    assert measure.line_count("CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC", name, bold=True) == 1
    tiny = measure.cell_room(column(6))
    line = "1032/BC-UBND"
    assert [line[i:] for i in measure.wrap(line, tiny)] == ["1032/BC-UBND", "BC-UBND", "UBND"]
    assert len(measure.wrap("30/9/2021", measure.cell_room(column(9)))) == 1
    assert measure.row_height(1) == 17.25 and measure.row_height(99) == 409


def test_split_text_measures_wide_characters() -> None:
    """A column holds fewer wide characters a line: parts are cut by wrapped lines, not length."""
    wide = "漢" * 3000
    parts = split_text(wide, 56)
    room = export_module.ROOMS[4]
    assert len(parts) > 1 and all(measure.line_count(p, room) <= ROW_LINES for p in parts)
    assert "".join(p.strip("…") for p in parts) == wide
    # One long line of words is cut where a wrapped line ends, after a space.
    words = " ".join(f"tài liệu số {i}/BC-UBND" for i in range(400))
    parts = split_text(words, 56)
    assert all(measure.line_count(p, room) <= ROW_LINES for p in parts)
    assert all(p.endswith(" …") for p in parts[:-1]) and "".join(p.strip("…") for p in parts) == words


def test_export_via_cli(tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "bang.xlsx"
    before = SHIPPED.read_bytes()
    result = runner.invoke(app, ["export", str(SHIPPED), "--xlsx", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Đã ghi {out}" in result.output
    assert SHIPPED.read_bytes() == before
    ws, cached = _sheets(out)
    total = _node_rows(ws)[-1]
    assert ws[f"D{total}"].value.startswith("=SUM(")
    assert cached[f"D{total}"].value == pytest.approx(98.52)
    assert [p.name for p in tmp_path.iterdir()] == ["bang.xlsx"]


def test_input_is_byte_identical_after_export(tmp_path: Path) -> None:
    source = tmp_path / "card.yaml"
    source.write_bytes(SHIPPED.read_bytes())
    stat = source.stat()
    _export(source, tmp_path / "out.xlsx")
    assert source.read_bytes() == SHIPPED.read_bytes()
    assert source.stat().st_mtime_ns == stat.st_mtime_ns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card.yaml", "out.xlsx"]


def test_validate_and_total_do_not_import_xlsxwriter() -> None:
    code = (
        "import contextlib, io, sys\nfrom cchc.cli.app import app\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert app(['total', {str(SHIPPED)!r}], standalone_mode=False) == 0\n"
        f"    assert app(['validate', {str(SHIPPED)!r}], standalone_mode=False) == 0\n"
        "print('xlsxwriter' in sys.modules, 'openpyxl' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


# --- the evidence index sheet -------------------------------------------------------------------

INDEX_HEADER = ["Loại", "Số", "Ngày", "Trích yếu", "Tiêu chí trích dẫn", "Số TC", "Tệp / liên kết"]


def _index_rows(ws: Worksheet) -> list[list[Any]]:
    """The index sheet's rows below its title and header, as values ("" for a blank cell)."""
    return [["" if c.value is None else c.value for c in row] for row in ws.iter_rows(min_row=3)]


def _link_target(cell: Cell, workbook: Path) -> Path | str:
    """Where a hyperlink leads: the file it names (relative links from the workbook's folder), or the URL."""
    from urllib.parse import unquote

    target = cell.hyperlink.target
    if "://" in target:
        return target
    return (workbook.parent / unquote(target).replace("\\", "/")).resolve()


def test_evidence_index_sheet_is_the_index_of_cchc_evidence(shipped_xlsx: Path) -> None:
    from cchc.evidence.cited import all_cited, index_documents, index_row

    book = openpyxl.load_workbook(shipped_xlsx)
    assert book.sheetnames[:2] == ["Bảng chấm điểm", "Tài liệu kiểm chứng"]
    ws = book["Tài liệu kiểm chứng"]
    assert ws["A1"].value == "Tài liệu kiểm chứng — UBND thành phố Thanh Hóa, năm 2021"
    assert [c.value for c in ws[2]] == INDEX_HEADER
    documents = index_documents(all_cited(_load(SHIPPED)))
    rows = _index_rows(ws)
    assert [row[:6] for row in rows] == [list(index_row(doc)) for doc in documents]  # same rows, same order
    assert rows[0][:2] == ["BC", "1467"] and rows[0][5] == 47  # the most leaned-on first
    # Without an evidence folder nobody knows which files exist: their names, no link. Web
    # addresses are links.
    linked = [row for row in ws.iter_rows(min_row=3) if row[6].hyperlink is not None]
    assert linked and all(_link_target(row[6], shipped_xlsx) == row[6].value for row in linked)
    assert rows[1][6] == "BC 1231.pdf" and ws["G4"].hyperlink is None
    for row in ws.iter_rows(min_row=2, max_col=7):
        for cell in row:
            assert cell.font.name == "Times New Roman" and cell.font.sz == 12, cell.coordinate
            assert cell.border.left.style == "thin" and cell.alignment.wrap_text, cell.coordinate
    for r in range(2, ws.max_row + 1):
        assert ws.row_dimensions[r].customHeight and ws.row_dimensions[r].height <= 409
    assert ws.freeze_panes == "A3" and ws.print_title_rows == "$1:$2"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.page_setup.scale is not None and 10 <= int(ws.page_setup.scale) <= 100
    # As wide as the form, so both print at the same scale.
    assert [ws.column_dimensions[c].width - 0.7109375 for c in "ABCDEFG"] == [w for _, w in layout.INDEX_COLUMNS]
    assert sum(w for _, w in layout.INDEX_COLUMNS) == sum(column.width for column in layout.form_columns())


def _evidence_card(tmp_path: Path) -> Path:
    evidence = [
        "BC 1231.pdf",
        "thiếu.pdf",
        "{doc: 1280/KH-UBND, date: 30/12/2020, file: con/kh 1280.pdf}",
        "{title: Ngoài thư mục, file: ../ngoai.pdf}",
        '{doc: CV 9, file: "a#1.pdf"}',
        "https://dichvucong.gov.vn/p?id=1",
        "www.thanhhoa.gov.vn",
    ]
    return _card_path(
        tmp_path,
        _card_text(_leaf("1.1") + "        evidence:\n" + "".join(f"          - {item}\n" for item in evidence)),
    )


def test_evidence_dir_links_the_cited_files_that_exist(tmp_path: Path) -> None:
    folder = tmp_path / "tai-lieu"
    (folder / "con").mkdir(parents=True)
    for name in ("BC 1231.pdf", "con/kh 1280.pdf", "a#1.pdf"):
        (folder / name).write_bytes(b"%PDF")
    (tmp_path / "ngoai.pdf").write_bytes(b"%PDF")  # exists, but outside the evidence folder
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "bang.xlsx"
    card = _load(_evidence_card(tmp_path))
    write_xlsx(card, rollup(card), out, source=None, overwrite=False, evidence_dir=folder)
    ws = openpyxl.load_workbook(out)["Tài liệu kiểm chứng"]
    links = {row[6].value: _link_target(row[6], out) for row in ws.iter_rows(min_row=3) if row[6].hyperlink}
    assert links == {
        "BC 1231.pdf": (folder / "BC 1231.pdf").resolve(),  # relative to the workbook: ..\tai-lieu\BC 1231.pdf
        "con/kh 1280.pdf": (folder / "con" / "kh 1280.pdf").resolve(),  # a mapping's file
        "https://dichvucong.gov.vn/p?id=1": "https://dichvucong.gov.vn/p?id=1",
        "www.thanhhoa.gov.vn": "http://www.thanhhoa.gov.vn",
    }
    assert all(not row[6].hyperlink.target.startswith("/") for row in ws.iter_rows(min_row=3) if row[6].hyperlink)
    # No broken link: a missing file, a file outside the folder, a name the link format cannot hold.
    files = [row[6].value for row in ws.iter_rows(min_row=3) if not row[6].hyperlink]
    assert sorted(files) == ["../ngoai.pdf", "a#1.pdf", "thiếu.pdf"]
    # The mapping's row is its document's: KH 1280 with its date, linked to its file.
    kh = next(row for row in ws.iter_rows(min_row=3) if row[1].value == "1280")
    assert (kh[0].value, kh[2].value, kh[6].value) == ("KH", "30/12/2020", "con/kh 1280.pdf")
    assert kh[6].font.u == "single"


def test_cli_export_with_an_evidence_dir(tmp_path: Path, runner: CliRunner) -> None:
    folder = tmp_path / "tai-lieu"
    folder.mkdir()
    (folder / "BC 1231.pdf").write_bytes(b"%PDF")
    path = _evidence_card(tmp_path)
    out = tmp_path / "bang.xlsx"
    result = runner.invoke(app, ["export", str(path), "--xlsx", str(out), "--evidence-dir", str(folder)])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out)["Tài liệu kiểm chứng"]
    cell = next(row[6] for row in ws.iter_rows(min_row=3) if row[6].value == "BC 1231.pdf")
    assert cell.hyperlink.target == "tai-lieu\\BC%201231.pdf"  # relative, as Excel writes it
    missing = runner.invoke(
        app, ["export", str(path), "--xlsx", str(out), "--force", "--evidence-dir", str(tmp_path / "none")]
    )
    assert missing.exit_code == 2
    assert "--evidence-dir" in runner.invoke(app, ["export", "--help"]).output


# --- numbers ------------------------------------------------------------------------------------


def test_blank_scores_stay_blank_and_unscored_sums_stay_blank(tmp_path: Path) -> None:
    text = _card_text(_leaf("1.1", score=None, evidence=["KH 1"]) + _leaf("1.2", score=None), header="")
    text += '  - id: "2"\n    title: Lĩnh vực hai\n    children:\n'
    text += _leaf("2.1", max_="0,5", score="0,25", evidence=["KH 2"]) + _leaf("2.2", max_="0,5", score=None)
    out = tmp_path / "out.xlsx"
    _export(_card_path(tmp_path, text), out)
    ws, cached = _sheets(out)
    # rows: 5 field 1, 6 1.1, 7 1.2, 8 field 2, 9 2.1, 10 2.2, 11 total
    assert ws["D6"].value is None and ws["D6"].data_type == "n"  # blank, not 0
    assert ws["D10"].value is None
    assert ws["C6"].value == 1 and ws["C9"].value == 0.5
    assert ws["D5"].value == '=IF(COUNT(D6:D7)=0,"",SUM(D6:D7))'
    assert cached["D5"].value in (None, "")  # the engine says: not scored, so blank
    assert ws["D8"].value == "=SUM(D9:D10)" and cached["D8"].value == 0.25
    assert ws["D11"].value == "=SUM(D5,D8)" and cached["D11"].value == 0.25
    assert cached["C11"].value == 3
    _check_formulas(ws, cached)


def test_more_than_255_children_nest_the_sum(tmp_path: Path) -> None:
    """300 criteria, each with a sub-criterion: the field adds 300 non-adjacent cells."""
    children = "".join(
        f'      - id: "1.{i}"\n        title: TC {i}\n        children:\n'
        + _leaf(f"1.{i}.1", max_="0,25", score="0,125", evidence=["KH 1"], indent=10)
        for i in range(1, 301)
    )
    out = tmp_path / "out.xlsx"
    assert _export(_card_path(tmp_path, _card_text(children)), out) == []
    ws, cached = _sheets(out)
    formula = ws["C5"].value
    assert formula.startswith("=SUM(SUM(C6,C8,") and formula.count("SUM(") == 3
    assert _rows_of(formula) == list(range(6, 606, 2))
    assert cached["C5"].value == pytest.approx(75) and cached["D5"].value == pytest.approx(37.5)
    _check_formulas(ws, cached)


def test_a_formula_too_long_for_excel_becomes_its_value_with_a_notice(tmp_path: Path) -> None:
    children = "".join(
        f'      - id: "1.{i}"\n        title: TC {i}\n        children:\n'
        + _leaf(f"1.{i}.1", max_="0,05", score="0,05", evidence=["KH 1"], indent=10)
        for i in range(1, 1501)
    )
    out = tmp_path / "out.xlsx"
    notices = _export(_card_path(tmp_path, _card_text(children)), out)
    ws, cached = _sheets(out)
    assert ws["C5"].data_type == "n" and ws["C5"].value == pytest.approx(75)
    assert ws["D5"].value == pytest.approx(75)
    assert len(notices) == 2 and notices[0].startswith("C5: công thức cộng của 1 dài ")
    assert "8192" in notices[0] and "75" in notices[0]
    # The criteria below still have their own live sums.
    assert ws["C6"].value == "=SUM(C7)"
    _check_formulas(ws, cached)


# --- text that reaches the workbook -------------------------------------------------------------


def test_formula_like_text_stays_text(tmp_path: Path) -> None:
    header = 'title: "=1+1"\nreport: "@SUM(A1)"\n'
    text = (
        _card_text(_leaf("1.1", evidence=HOSTILE), header=header)
        .replace("unit: UBND xã Thử", 'unit: "-2+3"')
        .replace('tt: "I"', 'tt: "+1"')
    )
    text = text.replace("    title: Lĩnh vực thử\n", '    title: "=SUM(1,2)"\n    note: "-note"\n')
    out = tmp_path / "out.xlsx"
    _export(_card_path(tmp_path, text), out)
    ws, _ = _sheets(out)
    assert ws["A1"].value == "=1+1" and ws["A1"].data_type == "s"
    assert ws["A2"].value == "(ban hành kèm theo @SUM(A1) của -2+3)"
    assert (ws["A5"].value, ws["B5"].value, ws["F5"].value) == ("+1", "=SUM(1,2)", "-note")
    assert all(ws[ref].data_type == "s" for ref in ("A5", "B5", "F5"))
    assert layout.join_parts(_table_text(ws, 6, 5)) == "\n".join(HOSTILE) and ws["E6"].data_type == "s"
    assert ws["E6"].hyperlink is None
    for item in HOSTILE[:5]:  # each one, alone in its cell, as a cell's first character
        one = _card_path(tmp_path, _card_text(_leaf("1.1", evidence=[item])), name="one.yaml")
        out_one = tmp_path / "one.xlsx"
        _export(one, out_one, overwrite=True)
        cell = _sheets(out_one)[0]["E6"]
        assert (cell.value, cell.data_type) == (item, "s")
    formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    total = _node_rows(ws)[-1]
    assert formulas == ["C5", "D5", f"C{total}", f"D{total}"] and total > 7  # the evidence took rows


def test_control_characters_are_removed_and_the_file_opens(tmp_path: Path) -> None:
    evidence = ["a\x01b\x1fc", "d\x0be\x0cf", "g\r\nh\ri", "\x00\x07\x08ok\x7f", "tab\there"]
    text = _card_text(_leaf("1.1", evidence=evidence)).replace("title: Lĩnh vực thử", 'title: "Lĩnh\\x02 vực"')
    text = text.replace("unit: UBND xã Thử", 'unit: "UBND\\x1b xã"')
    out = tmp_path / "out.xlsx"
    notices = _export(_card_path(tmp_path, text), out)
    ws, _ = _sheets(out)
    assert layout.join_parts(_table_text(ws, 6, 5)) == "abc\nd\ne\nf\ng\nh\ni\nok\x7f\ntab\there"
    assert ws["B5"].value == "LĨNH VỰC" and ws["A2"].value == "Đơn vị: UBND xã"
    assert notices == ["Đã bỏ 7 ký tự điều khiển mà Excel không nhận, ở các ô: A2, B5, E6"]
    # Every part of the package is well-formed XML with no refused character left.
    with zipfile.ZipFile(out) as package:
        for name in package.namelist():
            if name.endswith(".xml"):
                data = package.read(name).decode("utf-8")
                ElementTree.fromstring(data)
                assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", data), name


def test_lone_surrogates_from_a_model_built_in_code_are_removed(tmp_path: Path) -> None:
    card = _load(_card_path(tmp_path, _card_text(_leaf("1.1", evidence=["KH 1"]))))
    leaf = card.criteria[0].children[0]
    leaf.evidence = ["x\ud800y", "ok\ufffe"]
    leaf.note = "n\udfffote"
    out = tmp_path / "out.xlsx"
    notices = write_xlsx(card, rollup(card), out, source=None, overwrite=False)
    ws, _ = _sheets(out)
    assert (ws["E6"].value, ws["F6"].value) == ("xy\nok", "note")
    assert notices == ["Đã bỏ 3 ký tự điều khiển mà Excel không nhận, ở các ô: E6, F6"]


def _long_card(tmp_path: Path, citation: str) -> tuple[Path, str]:
    children = _leaf("1.1", max_="2", score="1,5", evidence=["KH 1/KH-UBND", citation, "TB 2"]) + _leaf(
        "1.2", max_="3", score="3", evidence=["QĐ 3"]
    )
    return _card_path(tmp_path, _card_text(children)), "\n".join(["KH 1/KH-UBND", citation, "TB 2"])


@pytest.mark.parametrize(
    "citation",
    [
        " ".join(f"tài liệu số {i}/BC-UBND" for i in range(2200)),  # 40,000+ characters with spaces
        "x" * 40_000,  # no space to cut at
    ],
)
def test_evidence_over_excels_cell_limit_continues_visibly(tmp_path: Path, citation: str) -> None:
    assert len(citation) >= 40_000
    path, whole = _long_card(tmp_path, citation)
    out = tmp_path / "out.xlsx"
    notices = _export(path, out)
    ws, cached = _sheets(out)
    rows = _node_rows(ws)
    assert [ws.cell(r, 2).value for r in rows] == [
        "LĨNH VỰC THỬ",
        "1.1. Tiêu chí 1.1",
        "1.2. Tiêu chí 1.2",
        "TỔNG ĐIỂM",
    ]
    first = rows[1]
    parts = _table_text(ws, first, 5)
    assert len(parts) > 30 and rows[2] == first + len(parts)
    # Nothing lost: the parts put back together are the evidence (the hidden metadata keeps where
    # a line was cut, and the continuation rows read as one table row).
    assert "".join(parts).replace("\n", "") == whole.replace("\n", "")
    assert all(len(part) <= CELL_LIMIT for row in ws.iter_rows() for part in [row[4].value or ""])
    labelled = 0
    for row in range(first + 1, rows[2]):
        assert ws.cell(row, 2).value in (None, "(tiếp theo 1.1)") and ws.cell(row, 1).value is None
        assert ws.cell(row, 3).value is None and ws.cell(row, 4).value is None
        labelled += ws.cell(row, 2).value is not None and ws.cell(row, 2).font.i
    assert labelled >= 1  # the rows that start a printed page say whose text they go on with
    # The sums skip the continuation rows.
    assert ws[f"C{rows[0]}"].value == f"=SUM(C{first},C{rows[2]})"
    assert cached[f"D{rows[-1]}"].value == 4.5
    _check_formulas(ws, cached)
    assert notices == [
        f"E{first}: nội dung của 1.1 dài {len(whole)} ký tự, vượt giới hạn 32767 ký tự một ô "
        f"của Excel; phần còn lại được ghi tiếp, không bị cắt, ở các dòng {first + 1}–"
        f"{rows[2] - 1} ngay bên dưới"
    ]


def test_cli_prints_the_notices(tmp_path: Path, runner: CliRunner) -> None:
    path, _ = _long_card(tmp_path, "y" * 40_000)
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["export", str(path), "--xlsx", str(out)])
    assert result.exit_code == 0, result.output
    assert "E6: nội dung của 1.1 dài 40018 ký tự" in result.output.replace("\n", " ")
    assert out.exists()


def test_a_title_over_the_cell_limit_is_cut_with_a_marker_and_a_notice(tmp_path: Path) -> None:
    text = _card_text(_leaf("1.1", evidence=["KH 1"])).replace("unit: UBND xã Thử", "unit: " + "u" * 40_000)
    out = tmp_path / "out.xlsx"
    notices = _export(_card_path(tmp_path, text), out)
    ws, _ = _sheets(out)
    assert len(ws["A2"].value) == CELL_LIMIT and ws["A2"].value.endswith("u…")
    assert notices == [
        "A2: dòng tiêu đề dài 40008 ký tự, vượt giới hạn 32767 ký tự một ô của Excel; đã cắt bớt, chỗ cắt đánh dấu “…”"
    ]


def test_split_text() -> None:
    assert split_text("", 10) == [""]
    assert split_text("a\nb", 10) == ["a\nb"]
    lines = [f"dòng {i}" for i in range(60)]
    parts = split_text("\n".join(lines), 10)
    assert "\n".join(parts).split("\n") == lines and all(p.count("\n") < ROW_LINES for p in parts)
    assert [p.count("\n") + 1 for p in parts] == [ROW_LINES, ROW_LINES, 60 - 2 * ROW_LINES]
    # Characters beyond the BMP count twice against Excel's limit (UTF-16).
    emoji = "😀" * 20_000
    parts = split_text(emoji, 10_000)
    assert all(len(p.encode("utf-16-le")) // 2 <= CELL_LIMIT for p in parts) and len(parts) == 2
    assert "".join(p.strip("…") for p in parts) == emoji


# --- the title rows -----------------------------------------------------------------------------


def test_without_report_the_unit_is_named(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    _export(_card_path(tmp_path, _card_text(_leaf("1.1", evidence=["KH 1"]))), out)
    ws, _ = _sheets(out)
    assert ws["A1"].value == "BẢNG TỔNG HỢP CHẤM ĐIỂM CẢI CÁCH HÀNH CHÍNH NĂM 2022"
    assert ws["A2"].value == "Đơn vị: UBND xã Thử"


def test_english_messages_keep_the_vietnamese_form(tmp_path: Path) -> None:
    set_language("en")
    path = _card_path(tmp_path, _card_text(_leaf("1.1", evidence=["KH 1"])))
    out = tmp_path / "out.xlsx"
    _export(path, out)
    assert _header(_sheets(out)[0]) == HEADER
    with pytest.raises(OutputError) as caught:
        _export(path, out)
    assert caught.value.message == f"the output file exists: {out}; add --force to overwrite it"


# --- writing ------------------------------------------------------------------------------------


@pytest.fixture
def card_path(tmp_path: Path) -> Path:
    return _card_path(tmp_path, _card_text(_leaf("1.1", evidence=["KH 1"])))


def _error(path: Path, out: Path, key: str, *, overwrite: bool = False) -> OutputError:
    before = path.read_bytes()
    with pytest.raises(OutputError) as caught:
        _export(path, out, overwrite=overwrite)
    assert caught.value.key == key, caught.value.message
    assert path.read_bytes() == before
    return caught.value


def test_refuses_the_input_as_output(tmp_path: Path) -> None:
    path = _card_path(tmp_path, _card_text(_leaf("1.1", evidence=["KH 1"])), name="card.xlsx")
    error = _error(path, path, "err.output-is-input", overwrite=True)
    assert error.message == f"Tệp đầu ra trùng với tệp đầu vào: {path}"
    link = tmp_path / "link.xlsx"
    link.symlink_to(path)
    _error(path, link, "err.output-is-input", overwrite=True)
    _error(path, tmp_path / "sub" / ".." / "card.xlsx", "err.output-is-input", overwrite=True)
    yaml_path = _card_path(tmp_path, path.read_text(encoding="utf-8"))
    _error(yaml_path, yaml_path, "err.output-is-input", overwrite=True)


@pytest.mark.parametrize("name", ["out.xls", "out.csv", "out", "out.xlsx.yaml"])
def test_refuses_a_suffix_other_than_xlsx(card_path: Path, name: str) -> None:
    out = card_path.parent / name
    error = _error(card_path, out, "err.output-suffix")
    assert error.message == f"Tệp đầu ra phải có đuôi .xlsx: {out}"
    assert not out.exists()


def test_accepts_an_upper_case_suffix(card_path: Path) -> None:
    out = card_path.parent / "OUT.XLSX"
    _export(card_path, out)
    assert _sheets(out)[0]["A1"].value.startswith("BẢNG")


def test_refuses_an_existing_output_unless_overwrite(card_path: Path) -> None:
    out = card_path.parent / "out.xlsx"
    out.write_bytes(b"precious")
    out.chmod(0o640)
    error = _error(card_path, out, "err.output-exists")
    assert error.message == f"Tệp đầu ra đã có: {out}; thêm --force để ghi đè"
    assert out.read_bytes() == b"precious"
    _export(card_path, out, overwrite=True)
    assert _sheets(out)[0]["A1"].value.startswith("BẢNG")
    assert out.stat().st_mode & 0o777 == 0o640  # the replaced file's permissions are kept
    assert sorted(p.name for p in card_path.parent.iterdir()) == ["card.yaml", "out.xlsx"]


def test_a_new_file_gets_the_usual_permissions(card_path: Path) -> None:
    out = card_path.parent / "out.xlsx"
    mask = os.umask(0o027)
    try:
        _export(card_path, out)
    finally:
        os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o640


def test_does_not_clobber_a_file_that_appears_while_writing(card_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = card_path.parent / "out.xlsx"
    real = export_module.build_xlsx

    def build_then_someone_writes(card: Scorecard, root: Any, **options: Any) -> tuple[bytes, list[str]]:
        result = real(card, root, **options)
        out.write_bytes(b"someone else's")
        return result

    monkeypatch.setattr(export_module, "build_xlsx", build_then_someone_writes)
    _error(card_path, out, "err.output-exists")
    assert out.read_bytes() == b"someone else's"
    assert sorted(p.name for p in card_path.parent.iterdir()) == ["card.yaml", "out.xlsx"]


def test_missing_output_directory(card_path: Path) -> None:
    out = card_path.parent / "missing" / "out.xlsx"
    error = _error(card_path, out, "err.output-dir")
    assert error.message == f"Không có thư mục để ghi: {out.parent}"
    assert not out.parent.exists()


def test_unwritable_directory(card_path: Path) -> None:
    """/proc refuses new files even for root (a chmod-based test would not fail for root)."""
    out = Path("/proc/cchc-export-test.xlsx")
    error = _error(card_path, out, "err.output-write")
    assert error.message.startswith(f"Không ghi được tệp {out}: ")
    assert not out.exists()


def test_disk_full_mid_write_leaves_nothing(card_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = card_path.parent / "out.xlsx"
    written: list[int] = []
    real_write = os.write

    def half_then_full(fd: int, data: bytes) -> int:
        """The disk fills up: the first write gets half its bytes on disk, the next one none."""
        if written:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written.append(real_write(fd, bytes(data[: len(data) // 2])))
        return written[-1]

    monkeypatch.setattr(os, "write", half_then_full)
    error = _error(card_path, out, "err.output-write")
    assert written and written[0] > 0  # it really failed half-way through
    assert error.message == f"Không ghi được tệp {out}: ổ đĩa đã đầy"
    assert sorted(p.name for p in card_path.parent.iterdir()) == ["card.yaml"]


def test_disk_full_keeps_the_old_output(card_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = card_path.parent / "out.xlsx"
    out.write_bytes(b"last year's")

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    _error(card_path, out, "err.output-write", overwrite=True)
    assert out.read_bytes() == b"last year's"
    assert sorted(p.name for p in card_path.parent.iterdir()) == ["card.yaml", "out.xlsx"]


def test_failing_rename_leaves_no_temporary_file(card_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = card_path.parent / "out.xlsx"

    def refuse(src: str, dst: Any) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    error = _error(card_path, out, "err.output-write", overwrite=True)
    assert error.message.endswith("không có quyền ghi")
    assert sorted(p.name for p in card_path.parent.iterdir()) == ["card.yaml"]


def test_output_path_is_a_directory(card_path: Path) -> None:
    out = card_path.parent / "dir.xlsx"
    out.mkdir()
    _error(card_path, out, "err.output-exists")
    _error(card_path, out, "err.output-write", overwrite=True)
    assert out.is_dir() and sorted(p.name for p in card_path.parent.iterdir()) == ["card.yaml", "dir.xlsx"]


def test_cli_write_errors_exit_2(card_path: Path, runner: CliRunner) -> None:
    out = card_path.parent / "out.xlsx"
    out.write_bytes(b"keep")
    result = runner.invoke(app, ["export", str(card_path), "--xlsx", str(out)])
    assert result.exit_code == 2
    assert "Tệp đầu ra đã có" in result.output and "--force" in result.output
    assert out.read_bytes() == b"keep"
    result = runner.invoke(app, ["export", str(card_path), "--xlsx", str(out), "--force"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["export", str(card_path), "--xlsx", str(card_path)])
    assert result.exit_code == 2 and "trùng với tệp đầu vào" in result.output


def test_float_is_only_the_cell_storage(tmp_path: Path) -> None:
    """Rows hold the scorecard's own numbers; the cached sums are the engine's exact Decimal sums."""
    children = "".join(_leaf(f"1.{i}", max_="0,1", score="0,1", evidence=["KH"]) for i in range(1, 4))
    out = tmp_path / "out.xlsx"
    _export(_card_path(tmp_path, _card_text(children)), out)
    ws, cached = _sheets(out)
    assert cached["D5"].value == float(Decimal("0.3"))  # not 0.30000000000000004
    assert ws["D6"].value == 0.1


# --- the signature block, drafts, refusals ---------------------------------------------------------

SIGNED = 'place: Thanh Hóa\ndate: 05/02/2022\nsigner:\n  title: "KT. CHỦ TỊCH\\nPHÓ CHỦ TỊCH"\n  name: Nguyễn Văn A\n'


def _below_total(ws: Worksheet) -> list[tuple[int, str | None]]:
    """(row, text) of the rows under the total, as the signature block holds them in column E."""
    total = _node_rows(ws)[-1]
    return [(r, ws.cell(r, 5).value) for r in range(total + 1, ws.max_row + 1)]


def test_the_signature_block_under_the_total(tmp_path: Path) -> None:
    """Place and date ("ngày 05 tháng 02": a day below 10 and the months 1 and 2 with a zero), the
    signer's title, room to sign, the name; centred over the evidence and notes, printed, and on
    the page of the total."""
    out = tmp_path / "out.xlsx"
    _export(_card_path(tmp_path, _card_text(_leaf("1.1", evidence=["KH 1"]), header=SIGNED)), out)
    ws, _ = _sheets(out)
    rows = _below_total(ws)
    assert [text for _, text in rows] == [
        None,
        "Thanh Hóa, ngày 05 tháng 02 năm 2022",
        "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
        None,
        "Nguyễn Văn A",
    ]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert all(f"E{r}:F{r}" in merged for r, _ in rows[1:])
    assert ws.cell(rows[1][0], 5).font.i and ws.cell(rows[2][0], 5).font.b and ws.cell(rows[4][0], 5).font.b
    assert ws.cell(rows[2][0], 5).alignment.horizontal == "center"
    assert ws.row_dimensions[rows[3][0]].height == measure.row_height(export_module.SIGNATURE_LINES)
    assert ws.print_area.endswith(f"$F${rows[-1][0]}")


@pytest.mark.parametrize(
    ("header", "line"),
    [
        ("date: 2021-12-25\n", "Ngày 25 tháng 12 năm 2021"),
        ("place: Thanh Hóa\n", "Thanh Hóa, ngày …… tháng …… năm ……"),
    ],
)
def test_place_or_date_alone(tmp_path: Path, header: str, line: str) -> None:
    out = tmp_path / "out.xlsx"
    _export(_card_path(tmp_path, _card_text(_leaf("1.1", evidence=["KH 1"]), header=header)), out)
    assert [text for _, text in _below_total(_sheets(out)[0])] == [None, line]


def test_no_signature_block_without_place_date_or_signer(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    _export(_card_path(tmp_path, _card_text(_leaf("1.1", evidence=["KH 1"]))), out)
    assert _below_total(_sheets(out)[0]) == []


def test_place_date_and_signer_survive_export_and_import(tmp_path: Path) -> None:
    from cchc.importers import import_file
    from cchc.scorecard.dump import dump_scorecard

    path = _card_path(tmp_path, _card_text(_leaf("1.1", evidence=["KH 1"]), header=SIGNED))
    out = tmp_path / "out.xlsx"
    _export(path, out)
    result = import_file(out)
    card = _load(path)
    assert result.card is not None and card.signer is not None
    assert (result.card.place, result.card.date, result.card.signer) == ("Thanh Hóa", "05/02/2022", card.signer)
    text = dump_scorecard(result.card)
    assert text == dump_scorecard(card)
    assert "place: Thanh Hóa\ndate: 05/02/2022\nsigner:\n  title: |-\n    KT. CHỦ TỊCH\n" in text


def test_export_of_a_scorecard_with_errors_says_nothing_was_written(tmp_path: Path, runner: CliRunner) -> None:
    card = ROOT_CASES / "score-above-max.yaml"
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["export", str(card), "--xlsx", str(out)])
    assert result.exit_code == 1 and not out.exists()
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"cchc: Chưa ghi {out}: bảng điểm có 1 lỗi") and "--draft" in lines[0]
    assert "score-above-max" in lines[1]
    result = runner.invoke(app, ["--lang", "en", "export", str(card), "--xlsx", str(out)])
    assert result.stderr.startswith(f"cchc: Nothing written to {out}: the scorecard has 1 error(s)")


def test_draft_writes_with_the_problems_on_a_sheet_of_their_own(tmp_path: Path, runner: CliRunner) -> None:
    from cchc.checks import run_checks

    card = ROOT_CASES / "score-above-max.yaml"
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["export", str(card), "--xlsx", str(out), "--draft"])
    assert result.exit_code == 0, result.output
    assert f"Đã ghi bản dự thảo {out}: 1 lỗi" in result.stderr
    book = openpyxl.load_workbook(out)
    form = book.worksheets[0]
    assert form["A1"].value.startswith("DỰ THẢO – BẢNG TỔNG HỢP")
    sheet = book["Vấn đề"]
    assert sheet.sheet_state == "visible" and sheet["A1"].value.endswith("1 lỗi, 0 cảnh báo")
    assert [c.value for c in sheet[2]] == ["Mức", "Mã", "Vị trí", "Nội dung"]
    problems = run_checks(load_file(card)).problems
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=3)] == [
        ["lỗi", p.code, f"{p.line}:{p.column}\n{p.path}", p.message] for p in problems
    ]
    assert sheet.oddFooter.center.text == "Trang &P/1"
    # The draft still imports as its scorecard: the title's "DỰ THẢO" is the export's, not the card's.
    from cchc.importers import import_file
    from cchc.scorecard.dump import dump_scorecard

    imported = import_file(out).card
    assert imported is not None and dump_scorecard(imported) == dump_scorecard(_load(card))
    # A scorecard without errors exported with --draft is a draft all the same, its warnings listed.
    clean = tmp_path / "clean.xlsx"
    assert runner.invoke(app, ["export", str(SHIPPED), "--xlsx", str(clean), "--draft"]).exit_code == 0
    book = openpyxl.load_workbook(clean)
    assert book.worksheets[0]["A1"].value.startswith("DỰ THẢO – ")
    assert book["Vấn đề"]["A1"].value.endswith(f"0 lỗi, {len(run_checks(load_file(SHIPPED)).problems)} cảnh báo")


# --- the columns' widths ----------------------------------------------------------------------------


def _widths(ws: Worksheet, letters: str) -> list[int]:
    return [round(ws.column_dimensions[c].width - 0.7109375) for c in letters]


def test_an_empty_notes_column_stays_narrow_and_gives_its_room_to_the_evidence(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    _export(_card_path(tmp_path, _card_text(_leaf("1.1", evidence=["KH 1"]))), out)
    ws, _ = _sheets(out)
    default = [column.width for column in layout.COLUMNS]
    assert _widths(ws, "ABCEF") == default[:3] + [
        default[4] + default[5] - export_module.NOTE_MIN,
        export_module.NOTE_MIN,
    ]
    assert (
        measure.line_count("Ghi chú", measure.cell_room(measure.column_points(export_module.NOTE_MIN)), bold=True) == 1
    )  # its heading still fits one line


def test_evidence_and_notes_share_the_width_as_makes_the_table_shortest(shipped_xlsx: Path) -> None:
    """The shipped table's notes are long paragraphs on a few rows, its evidence long lists on most:
    the split the export picks takes no more lines than any other, the default among them."""
    ws, _ = _sheets(shipped_xlsx)
    card = _load(SHIPPED)
    evidence, notes = _widths(ws, "EF")
    free = sum(column.width for column in layout.form_columns() if column.shared)
    assert evidence + notes == free and evidence > notes

    def lines(note_width: int) -> int:
        rooms = [measure.cell_room(measure.column_points(w)) for w in (free - note_width, note_width)]
        return sum(
            max(
                1,
                measure.line_count("\n".join(map(str, node.evidence)), rooms[0]),
                measure.line_count(node.note or "", rooms[1]),
            )
            for node, _, _ in iter_criteria(card.criteria)
        )

    assert all(lines(notes) <= lines(w) for w in range(export_module.NOTE_MIN, free // 2 + 1))


def test_no_notes_leaves_the_column_out_and_the_notes_still_come_back(tmp_path: Path, runner: CliRunner) -> None:
    from cchc.importers import import_file
    from cchc.scorecard.dump import dump_scorecard

    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["export", str(SHIPPED), "--xlsx", str(out), "--no-notes"])
    assert result.exit_code == 0, result.output
    ws, _ = _sheets(out)
    assert _header(ws)[:5] == HEADER[:5] and ws.cell(HEADER_ROW, 6).value == "cchc"
    assert ws.column_dimensions["F"].hidden and ws.print_area.startswith("'Bảng chấm điểm'!$A$1:$E$")
    assert "A1:E1" in {str(r) for r in ws.merged_cells.ranges}
    assert _widths(ws, "E") == [sum(column.width for column in layout.form_columns() if column.shared)]
    imported = import_file(out)
    card = _load(SHIPPED)
    assert imported.problems == [] and imported.card is not None
    assert dump_scorecard(imported.card) == dump_scorecard(card)  # the notes from the hidden metadata


def test_the_signature_without_the_notes_column_stands_under_the_evidence(tmp_path: Path) -> None:
    path = _card_path(tmp_path, _card_text(_leaf("1.1", evidence=["KH 1"]), header=SIGNED))
    out = tmp_path / "out.xlsx"
    card = _load(path)
    write_xlsx(card, rollup(card), out, source=path, overwrite=False, notes=False)
    ws, _ = _sheets(out)
    rows = _below_total(ws)
    assert [text for _, text in rows][1:3] == ["Thanh Hóa, ngày 05 tháng 02 năm 2022", "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"]
    assert not [str(r) for r in ws.merged_cells.ranges if r.min_row > 2]  # one column: nothing merged
    assert ws.print_area.endswith(f"$E${rows[-1][0]}")
