"""The ranking as an Excel workbook: the ranking sheet with its bar chart, and the per-field sheet.

In the form's style (Times New Roman, A4 landscape, the header repeated on every printed page).
The index is a live formula (final / applicable maximum × 100) stored with its computed value,
so a reader that does not calculate sees it too; the chart is a native Excel bar chart with each
unit's bar in its band's colour.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from cchc import output as safewrite
from cchc.messages import render
from cchc.reports.ranking import Ranking, band_of, colour_of, value_text
from cchc.xlsx.export import clean_text

FONT = "Times New Roman"
SIZE = 12
TITLE_ROW, HEADER_ROW, FIRST_ROW = 0, 2, 3
#: Points per character of a column width, for the chart's size (Excel's default font: ~7 px).
_PX_PER_WIDTH = 7
_BAR_PX = 22


def _years(ranking: Ranking) -> str:
    return ", ".join(str(y) for y in sorted(ranking.years)) or "–"


class _Formats:
    def __init__(self, book: Any, ranking: Ranking) -> None:
        font = {"font_name": FONT, "font_scheme": "none", "font_size": SIZE}
        base = {**font, "border": 1, "valign": "vcenter", "text_wrap": True}
        self.title = book.add_format(
            {**font, "bold": True, "font_size": 13, "align": "center", "valign": "vcenter", "text_wrap": True}
        )
        self.header = book.add_format({**base, "bold": True, "align": "center"})
        self.text = book.add_format(base)
        self.centre = book.add_format({**base, "align": "center"})
        self.points = book.add_format({**base, "align": "center", "num_format": "General"})
        self.index = book.add_format({**base, "align": "center", "num_format": "0.00"})
        self.change = book.add_format({**base, "align": "center", "num_format": "+0.00;-0.00;0.00"})
        self.rank_change = book.add_format({**base, "align": "center", "num_format": "+0;-0;0"})
        self.note = book.add_format({**font, "italic": True})
        # One fill per band for the matrix: the band's light colour behind black text.
        self.cells = {
            band.name: book.add_format(
                {**base, "align": "center", "num_format": "0.00", "bg_color": colour_of(band, ranking.bands).light}
            )
            for band in ranking.bands
        }
        self.no_band = book.add_format(
            {**base, "align": "center", "num_format": "0.00", "bg_color": colour_of(None, ranking.bands).light}
        )


def _page(sheet: Any, last_row: int, last_col: int) -> None:
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_ROW, HEADER_ROW)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    sheet.print_area(0, 0, last_row, last_col)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.center_horizontally()
    sheet.set_footer(f'&C&"{FONT},Regular"&11{render("xlsx.footer")}')


def _title(sheet: Any, f: _Formats, text: str, last_col: int) -> None:
    sheet.merge_range(TITLE_ROW, 0, TITLE_ROW, last_col, "", f.title)
    sheet.write_string(TITLE_ROW, 0, text, f.title)
    sheet.set_row(TITLE_ROW, 36)


def _number(sheet: Any, row: int, col: int, value: Decimal | None, fmt: Any) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_number(row, col, float(value), fmt)


def _ranking_sheet(book: Any, f: _Formats, ranking: Ranking) -> None:
    sheet = book.add_worksheet(render("rank.xlsx-sheet"))
    appraised = any(u.summary.appraised is not None for u in ranking.units)
    columns: list[tuple[str, int]] = [
        ("rank.col.rank", 7),
        ("rank.col.unit", 38),
        ("rank.col.level", 9),
        ("rank.col.year", 7),
        ("rank.col.self", 12),
    ]
    if appraised:
        columns.append(("rank.col.appraised", 12))
    columns += [("rank.col.final", 11), ("rank.col.applicable-max", 11), ("rank.col.index", 11), ("rank.col.band", 10)]
    if ranking.compared:
        columns += [("rank.col.index-change", 10), ("rank.col.rank-change", 9)]
    keys = [key for key, _ in columns]
    col = {key: i for i, key in enumerate(keys)}
    last_col = len(columns) - 1
    _title(sheet, f, render("rank.xlsx-title", years=_years(ranking)), last_col)
    for i, (key, width) in enumerate(columns):
        sheet.set_column(i, i, width)
        sheet.write_string(HEADER_ROW, i, render(key), f.header)
    sheet.set_row(HEADER_ROW, 33)
    for row, unit in enumerate(ranking.units, start=FIRST_ROW):
        s = unit.summary
        sheet.write_number(row, col["rank.col.rank"], unit.rank, f.centre)
        sheet.write_string(row, col["rank.col.unit"], clean_text(s.unit)[0], f.text)
        sheet.write_string(row, col["rank.col.level"], render(f"level.{s.level}") if s.level else "", f.centre)
        sheet.write_number(row, col["rank.col.year"], s.year, f.centre)
        _number(sheet, row, col["rank.col.self"], s.self_total, f.points)
        if appraised:
            _number(sheet, row, col["rank.col.appraised"], s.appraised, f.points)
        _number(sheet, row, col["rank.col.final"], s.final, f.points)
        _number(sheet, row, col["rank.col.applicable-max"], s.applicable_max, f.points)
        by_col = col["rank.col.self"] if ranking.by == "self" else col["rank.col.final"]
        score_cell = xl_rowcol_to_cell(row, by_col)
        max_cell = xl_rowcol_to_cell(row, col["rank.col.applicable-max"])
        sheet.write_formula(
            row, col["rank.col.index"], f"=ROUND({score_cell}/{max_cell}*100,4)", f.index, float(unit.index)
        )
        sheet.write_string(row, col["rank.col.band"], unit.band.name if unit.band else render("rank.no-band"), f.centre)
        if ranking.compared:
            _number(sheet, row, col["rank.col.index-change"], unit.index_change, f.change)
            if unit.rank_change is None:
                sheet.write_string(row, col["rank.col.rank-change"], render("rank.new"), f.centre)
            else:
                sheet.write_number(row, col["rank.col.rank-change"], unit.rank_change, f.rank_change)
    last_row = HEADER_ROW + len(ranking.units)
    note_row = last_row + 2
    lowest = value_text(ranking.bands[-1].min) if ranking.bands else "0"
    items = "; ".join(render("rank.band-item", name=b.name, min=value_text(b.min)) for b in ranking.bands)
    note = (
        render("rank.bands-all", bands=items)
        if ranking.bands and ranking.bands[-1].min == 0
        else render("rank.bands", bands=items, lowest=lowest)
    )
    sheet.write_string(note_row, 0, note, f.note)
    chart_row = note_row + 2
    sheet.set_h_pagebreaks([chart_row])  # the chart on a page of its own, never cut by a break
    if ranking.units:
        _chart(
            book,
            sheet,
            ranking,
            col["rank.col.unit"],
            col["rank.col.index"],
            chart_row,
            sum(width for _, width in columns),
        )
    height_rows = (len(ranking.units) * _BAR_PX + 90) // 20 + 1
    _page(sheet, chart_row + height_rows, last_col)


def _chart(
    book: Any, sheet: Any, ranking: Ranking, name_col: int, index_col: int, at_row: int, width_chars: int
) -> None:
    """A horizontal bar per unit, rank 1 at the top, each bar in its band's colour."""
    first, last = FIRST_ROW, FIRST_ROW + len(ranking.units) - 1
    name = sheet.get_name()
    chart = book.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": render("rank.xlsx-chart-title"),
            "categories": [name, first, name_col, last, name_col],
            "values": [name, first, index_col, last, index_col],
            "points": [
                {"fill": {"color": colour_of(u.band, ranking.bands).strong}, "border": {"none": True}}
                for u in ranking.units
            ],
            "data_labels": {"value": True, "num_format": "0.00", "font": {"name": FONT, "size": 9}},
            "gap": 40,
        }
    )
    chart.set_title({"name": render("rank.xlsx-chart-title"), "name_font": {"name": FONT, "size": 12}})
    chart.set_legend({"none": True})
    chart.set_x_axis(
        {
            "min": 0,
            "max": 100,
            "major_unit": 10,
            "num_font": {"name": FONT, "size": 9},
            "major_gridlines": {"visible": True, "line": {"color": "#d9d9d9"}},
        }
    )
    chart.set_y_axis({"reverse": True, "num_font": {"name": FONT, "size": 9}})
    chart.set_size({"width": width_chars * _PX_PER_WIDTH, "height": len(ranking.units) * _BAR_PX + 90})
    sheet.insert_chart(at_row, 0, chart, {"object_position": 1})


def _matrix_sheet(book: Any, f: _Formats, ranking: Ranking) -> None:
    sheet = book.add_worksheet(render("rank.xlsx-matrix-sheet"))
    fields = ranking.fields
    last_col = 2 + len(fields)
    _title(sheet, f, render("rank.xlsx-matrix-title", years=_years(ranking)), last_col)
    heads = [(render("rank.col.rank"), 7), (render("rank.col.unit"), 38)]
    heads += [(f"{render('report.field')} {c.id}", 10) for c in fields]
    heads.append((render("rank.col.index"), 11))
    for i, (text, width) in enumerate(heads):
        sheet.set_column(i, i, width)
        sheet.write_string(HEADER_ROW, i, text, f.header)
    sheet.set_row(HEADER_ROW, 33)
    for row, (unit, values) in enumerate(zip(ranking.units, ranking.matrix(), strict=True), start=FIRST_ROW):
        sheet.write_number(row, 0, unit.rank, f.centre)
        sheet.write_string(row, 1, clean_text(unit.summary.unit)[0], f.text)
        for i, value in enumerate(values, start=2):
            _banded(sheet, row, i, value, ranking, f)
        _banded(sheet, row, last_col, unit.index, ranking, f)
    legend = HEADER_ROW + len(ranking.units) + 2
    for i, c in enumerate(fields):
        sheet.write_string(legend + i, 1, clean_text(render("rank.field-legend", id=c.id, title=c.title))[0], f.note)
    _page(sheet, legend + len(fields), last_col)


def _banded(sheet: Any, row: int, col: int, value: Decimal | None, ranking: Ranking, f: _Formats) -> None:
    band = band_of(value, ranking.bands)
    fmt = f.cells[band.name] if band else f.no_band
    _number(sheet, row, col, value, fmt)


def build_ranking_xlsx(ranking: Ranking) -> bytes:
    """The workbook's bytes."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "default_format_properties": {"font_name": FONT, "font_size": SIZE},
        },
    )
    book.set_properties({"title": render("rank.xlsx-title", years=_years(ranking)), "creator": "cchc"})
    formats = _Formats(book, ranking)
    _ranking_sheet(book, formats, ranking)
    _matrix_sheet(book, formats, ranking)
    book.close()
    return buffer.getvalue()


def write_ranking_xlsx(ranking: Ranking, out: Path, *, overwrite: bool) -> None:
    """Write the workbook to ``out`` atomically; raises OutputError for an output it must refuse."""
    out = Path(out)
    safewrite.check_target(out, None, overwrite, (".xlsx",), "err.output-suffix")
    safewrite.write_atomic(build_ranking_xlsx(ranking), out, overwrite)
