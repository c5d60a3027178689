"""The ranking workbook: cached values, the native bar chart coloured by band, LibreOffice's rendering."""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from cchc.messages import render
from cchc.output import OutputError
from cchc.reports.ranking import Ranking, band_of, colour_of, rank
from cchc.reports.summary import summarize_files
from cchc.reports.workbook import write_ranking_xlsx
from tests.rankcards import Cards
from tests.test_libreoffice import SOFFICE, convert, pdf_text, read_csv


@pytest.fixture(scope="module")
def ranking(cards: Cards) -> Ranking:
    return rank(
        summarize_files([str(p) for p in cards.ranked]), previous=summarize_files([str(p) for p in cards.previous])
    )


@pytest.fixture(scope="module")
def workbook(ranking: Ranking, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("xlsx") / "xep-hang.xlsx"
    write_ranking_xlsx(ranking, out, overwrite=False)
    return out


def index_column(workbook: Path) -> int:
    """The 1-based column of the index on the ranking sheet."""
    sheet = openpyxl.load_workbook(workbook)[render("rank.xlsx-sheet")]
    return [c.value for c in sheet[3]].index(render("rank.col.index")) + 1


def number(value: object) -> Decimal:
    return Decimal(str(value))


def test_ranking_sheet_holds_every_unit_with_cached_values(ranking: Ranking, workbook: Path) -> None:
    book = openpyxl.load_workbook(workbook, data_only=True)
    sheet = book[render("rank.xlsx-sheet")]
    header = [c.value for c in sheet[3]]
    assert header[:4] == [
        render("rank.col.rank"),
        render("rank.col.unit"),
        render("rank.col.level"),
        render("rank.col.year"),
    ]
    assert render("rank.col.index-change") in header  # --previous given
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4, max_row=3 + len(ranking.units))]
    col = {
        name: header.index(render(name))
        for name in ("rank.col.rank", "rank.col.unit", "rank.col.index", "rank.col.band", "rank.col.rank-change")
    }
    for row, unit in zip(rows, ranking.units, strict=True):
        assert row[col["rank.col.rank"]] == unit.rank
        assert row[col["rank.col.unit"]] == unit.summary.unit
        # the index is a formula: its cached value is what a reader that does not calculate sees
        assert round(number(row[col["rank.col.index"]]), 4) == unit.index
        assert row[col["rank.col.band"]] == (unit.band.name if unit.band else "–")
        expected = unit.rank_change if unit.rank_change is not None else render("rank.new")
        assert row[col["rank.col.rank-change"]] == expected
    formulas = openpyxl.load_workbook(workbook)[render("rank.xlsx-sheet")]
    assert str(formulas.cell(4, col["rank.col.index"] + 1).value).startswith("=ROUND(")


def test_field_sheet_is_the_matrix_in_rank_order(ranking: Ranking, workbook: Path) -> None:
    sheet = openpyxl.load_workbook(workbook, data_only=True)[render("rank.xlsx-matrix-sheet")]
    for r, (unit, values) in enumerate(zip(ranking.units, ranking.matrix(), strict=True), start=4):
        assert sheet.cell(r, 2).value == unit.summary.unit
        cells = [sheet.cell(r, c).value for c in range(3, 3 + len(values))]
        assert [round(number(c), 4) for c in cells] == values
        # each cell filled with the light colour of the band its own index falls in
        fills = [sheet.cell(r, c).fill.fgColor.rgb for c in range(3, 3 + len(values))]
        assert fills == [
            "FF" + colour_of(band_of(v, ranking.bands), ranking.bands).light.lstrip("#").upper() for v in values
        ]


def test_the_chart_is_a_native_bar_chart_one_bar_per_unit_coloured_by_band(ranking: Ranking, workbook: Path) -> None:
    with zipfile.ZipFile(workbook) as archive:
        charts = [n for n in archive.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        assert len(charts) == 1
        xml = archive.read(charts[0]).decode("utf-8")
    assert '<c:barDir val="bar"/>' in xml  # horizontal bars
    points = re.findall(r"<c:dPt>.*?</c:dPt>", xml, re.DOTALL)
    assert len(points) == len(ranking.units)
    colours = [re.search(r'<a:srgbClr val="([0-9A-F]{6})"', p).group(1) for p in points]  # type: ignore[union-attr]
    assert colours == [colour_of(u.band, ranking.bands).strong.lstrip("#").upper() for u in ranking.units]
    assert len(set(colours)) == 4  # A, B, C and no band all occur
    # the categories and values are the ranking sheet's unit names and indices
    last = 3 + len(ranking.units)
    index = get_column_letter(index_column(workbook))
    assert re.search(rf"<c:cat>.*?\$B\$4:\$B\${last}<", xml, re.DOTALL)
    assert re.search(rf"<c:val>.*?\${index}\$4:\${index}\${last}<", xml, re.DOTALL)


def test_existing_workbook_is_not_overwritten(ranking: Ranking, workbook: Path) -> None:
    before = workbook.read_bytes()
    with pytest.raises(OutputError) as caught:
        write_ranking_xlsx(ranking, workbook, overwrite=False)
    assert caught.value.key == "err.output-exists" and workbook.read_bytes() == before


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice Calc not installed: apt-get install libreoffice-calc-nogui")
def test_libreoffice_recalculates_and_prints_the_ranking(ranking: Ranking, workbook: Path, tmp_path: Path) -> None:
    rows = read_csv(convert(workbook, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path / "csv"))
    found = {r[1]: r for r in rows if len(r) > 8}
    col = index_column(workbook) - 1
    for unit in ranking.units:
        row = found[unit.summary.unit]
        assert Decimal(row[col].replace(",", ".")) == round(unit.index, 2)  # LibreOffice's own result
    text = " ".join(pdf_text(convert(workbook, "pdf", tmp_path / "pdf")).split())
    assert all(unit.summary.unit in text for unit in ranking.units)
    assert render("rank.xlsx-chart-title") in text  # the chart printed with its title
