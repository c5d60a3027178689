"""The grid every reader makes of a table (a Word table or a worksheet): rows of cells with their
addresses, merges, bold and formulas, so one parser (cchc.importers.table) reads them all."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cchc.messages import render
from cchc.xlsx.layout import column_letter

__all__ = ["Cell", "CellRef", "Grid", "Reader"]


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
            return f"{name}!{column_letter(self.col)}{self.row}"
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

    def compose(self) -> None:
        """Vietnamese typed with combining accents (Unikey's "tổ hợp" mode) in composed form (NFC), so
        headers, ids and "kèm theo ... của ..." are found whatever the keyboard did, and the scorecard
        stores it composed. Not for a workbook the exporter wrote: that text is read verbatim."""
        for row in self.rows:
            for cell in row:
                cell.text = unicodedata.normalize("NFC", cell.text)
                if isinstance(cell.value, str):
                    cell.value = unicodedata.normalize("NFC", cell.value)
        self.preamble = [unicodedata.normalize("NFC", line) for line in self.preamble]


#: What reads a file of one format: every table in it, as grids.
Reader = Callable[[Path], list[Grid]]
