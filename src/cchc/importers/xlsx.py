"""Reading an Excel workbook (.xlsx, .xlsm) into grids: every worksheet, formulas with their stored
results. Of a workbook ``cchc export`` wrote, the form's sheet is read verbatim with the metadata the
export hid (see cchc.xlsx.layout), and neither the metadata sheet nor the evidence index is a grid.
"""

from __future__ import annotations

import warnings
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from cchc.importers.grid import Cell, CellRef, Grid
from cchc.messages import render
from cchc.xlsx import layout

__all__ = ["MAX_COLUMNS", "MAX_ROWS", "read_xlsx"]

#: Rows and columns of a sheet read at most (a 96-row table fills about 200 rows with its evidence).
MAX_ROWS = 20_000
MAX_COLUMNS = 60


def _xlsx_text(value: Any) -> str:
    """A cell's value as the text a reader sees."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return (
            format(layout.cell_decimal(float(value)), "f").replace(".", ",") if isinstance(value, float) else str(value)
        )
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y") if value.time() == time(0) else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _laid_out_by_export(sheet: Any) -> bool:
    """A sheet laid out exactly as ``cchc export`` lays it out (its header row, its merged title
    rows): its text is read verbatim."""
    merged = {str(r) for r in sheet.merged_cells.ranges}
    for columns in layout.column_sets():  # the widest first: a narrower one may be the start of it
        expected = layout.header_texts(columns)
        header = tuple(sheet.cell(layout.HEADER_ROW + 1, c).value for c in range(1, len(expected) + 1))
        if header == expected and layout.title_merges(columns) <= merged:
            return True
    return False


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
    if layout.SHEET not in book.sheetnames:
        return None
    sheet = book[layout.SHEET]
    if sheet.sheet_state == "visible":  # a sheet someone made and named so, not the export's
        return None
    parts = []
    for r in range(1, min(sheet.max_row, MAX_ROWS) + 1):
        value = sheet.cell(r, 1).value
        if not isinstance(value, str):
            break
        parts.append(value)
    meta = layout.loads("".join(parts))
    return meta if meta is not None and meta.get("cchc") == layout.VERSION else None


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
    by_cchc = (book.properties.creator or "") == layout.CREATOR
    meta = _read_meta(book)
    skip = {layout.SHEET, render(layout.EVIDENCE_SHEET)} if by_cchc or meta is not None else set()
    grids = []
    for sheet in book.worksheets:
        if sheet.title in skip:
            continue
        as_exported = _laid_out_by_export(sheet)
        exact = by_cchc or as_exported
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
        grids.append(Grid(sheet.title, rows, exact=exact, meta=meta if as_exported else None))
    return grids
