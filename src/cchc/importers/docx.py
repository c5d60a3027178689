"""Reading a Word document (.docx, .docm) into grids: every table, with the paragraphs above it.

A merged cell (gridSpan across, vMerge down) is one cell whose content belongs to its first row and
column; the others are covered by it. A TT cell numbered by Word's automatic list numbering shows
the number Word would print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cchc.importers.grid import Cell, CellRef, Grid
from cchc.messages import render

__all__ = ["read_docx"]


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
            grids.append(
                Grid(
                    render("import.table-label", n=len(grids) + 1),
                    _docx_rows(table, len(grids) + 1, numbers),
                    preamble[-12:],
                )
            )
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
                row.append(
                    Cell(
                        top.text,
                        CellRef(r, col + 1 + extra, table=number),
                        top.text,
                        top.bold,
                        covered=True,
                        origin=top,
                    )
                )
                above.pop(col + extra, None)
            col += span
        rows.append(row)
    width = max((len(row) for row in rows), default=0)
    for r, row in enumerate(rows, start=1):
        row.extend(Cell("", CellRef(r, c, table=number)) for c in range(len(row) + 1, width + 1))
    return rows
