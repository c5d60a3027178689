"""The council's columns in the workbook: live sums with cached values, every round as text, and
`cchc import` giving back every round, note, reply and supplementary item (with or without the
hidden metadata), and reading the council's columns of tables made elsewhere."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from cchc.cli.app import app
from cchc.importers import import_file
from cchc.scorecard.load import load_file
from cchc.scorecard.model import Scorecard, iter_criteria
from cchc.scorecard.rollup import rollup
from cchc.xlsx import layout
from cchc.xlsx.export import write_xlsx
from tests.appraised import COMMITTED
from tests.conftest import ROOT
from tests.test_export import _table_text
from tests.test_import import HEADER, make_xlsx

D = Decimal
APPRAISED_COL, APPRAISAL_COL = layout.APPRAISED + 1, layout.APPRAISAL + 1  # openpyxl counts from 1
#: The form's columns with the council's.
APPRAISED_FORM = layout.form_columns(appraisal=True)


@pytest.fixture(scope="module")
def card() -> Scorecard:
    loaded = load_file(COMMITTED)
    assert loaded.card is not None
    return loaded.card


@pytest.fixture(scope="module")
def workbook(card: Scorecard, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("xlsx") / "tham-dinh.xlsx"
    write_xlsx(card, rollup(card), out, source=COMMITTED, overwrite=False)
    return out


def _row_of(sheet: object, prefix: str) -> int:
    return next(
        r
        for r in range(1, sheet.max_row + 1)  # type: ignore[attr-defined]
        if str(sheet.cell(r, 2).value or "").startswith(prefix)
    )  # type: ignore[attr-defined]


def test_header_and_title_cover_the_councils_columns(workbook: Path) -> None:
    sheet = openpyxl.load_workbook(workbook).worksheets[0]
    header = [sheet.cell(layout.HEADER_ROW + 1, c).value for c in range(1, layout.meta_col(APPRAISED_FORM) + 2)]
    assert header == [*layout.header_texts(APPRAISED_FORM), layout.HEADER]
    assert header[APPRAISED_COL - 1 : APPRAISAL_COL] == ["Điểm thẩm định", "Ý kiến thẩm định / Giải trình"]
    assert {str(r) for r in sheet.merged_cells.ranges} >= {"A1:H1", "A2:H2"}
    assert sheet.column_dimensions[layout.column_letter(layout.meta_col(APPRAISED_FORM) + 1)].hidden


def test_appraised_points_are_live_sums_with_cached_values(card: Scorecard, workbook: Path) -> None:
    sheet = openpyxl.load_workbook(workbook).worksheets[0]
    values = openpyxl.load_workbook(workbook, data_only=True).worksheets[0]
    root = rollup(card)
    rows = {row.node.id: row for row in root.walk() if row.node is not None}
    field_row = _row_of(sheet, "CÔNG TÁC CHỈ ĐẠO")
    assert str(sheet.cell(field_row, APPRAISED_COL).value).startswith("=SUM(G")
    assert D(str(values.cell(field_row, APPRAISED_COL).value)) == rows["1"].appraised == 14
    total = _row_of(sheet, "TỔNG ĐIỂM")
    assert str(sheet.cell(total, APPRAISED_COL).value).startswith("=SUM(G")
    assert values.cell(total, APPRAISED_COL).value == pytest.approx(98.45)
    assert sheet.cell(total, APPRAISED_COL).number_format == "0.00"
    cut = _row_of(sheet, "3.5.1.")
    assert sheet.cell(cut, APPRAISED_COL).value == 0.45
    # Longer than a row holds in the laid-out column: it goes on in the rows below, as notes do, cut
    # where a wrapped line ends (the hidden metadata keeps the exact text).
    parts = _table_text(sheet, cut, APPRAISAL_COL)
    assert len(parts) > 1 and all(parts)
    assert " ".join(" ".join(parts).split()) == " ".join(
        (
            "Lần 1: 0,45 — Tỷ lệ hồ sơ giải quyết đúng hạn trên Hệ thống một cửa điện tử của tỉnh là 90 %\n"
            "Giải trình: Số liệu của đơn vị lấy từ báo cáo kiểm soát TTHC quý IV, tỷ lệ đúng hạn 99,82 %\n"
            "Lần 2: 0,45 — Không chấp nhận giải trình: số liệu của Hệ thống một cửa điện tử là căn cứ chấm điểm"
        ).split()
    )
    accepted = _row_of(sheet, "2.1.1.")
    assert (sheet.cell(accepted, APPRAISED_COL).value, sheet.cell(accepted, APPRAISAL_COL).value) == (0.5, None)


def test_export_without_appraisal_keeps_the_six_columns(tmp_path: Path) -> None:
    from tests.conftest import SHIPPED

    card = load_file(SHIPPED).card
    assert card is not None
    out = tmp_path / "t.xlsx"
    write_xlsx(card, rollup(card), out, source=SHIPPED, overwrite=False)
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert [sheet.cell(layout.HEADER_ROW + 1, c).value for c in range(1, 8)] == [*layout.header_texts(), "cchc"]


def test_import_gives_back_every_round(card: Scorecard, workbook: Path) -> None:
    result = import_file(workbook)
    assert result.problems == [] and result.card == card


def _strip_metadata(source: Path, out: Path) -> Path:
    """The workbook as another program might keep it: values instead of formulas (openpyxl drops
    the cached results of the formulas it saves), no hidden column, no metadata sheet."""
    book = openpyxl.load_workbook(source, data_only=True)
    book.remove(book[layout.SHEET])
    book.worksheets[0].delete_cols(layout.meta_col(APPRAISED_FORM) + 1)
    book.properties.creator = "someone"
    book.save(out)
    return out


def _rounds(card: Scorecard) -> dict[str, list[tuple[Decimal, str | None, str | None, list[object]]]]:
    return {
        node.id: [(e.score, e.note, e.reply, list(e.evidence)) for e in node.appraisal]
        for node, _, _ in iter_criteria(card.criteria)
    }


def _unwrapped(rounds: dict[str, list[tuple[Decimal, str | None, str | None, list[object]]]]) -> dict[str, str]:
    """Every round's text with its whitespace (and so the line breaks at the cuts) made one space."""

    def text(part: object) -> str:
        return " ".join(map(str, part)) if isinstance(part, list) else "" if part is None else str(part)

    return {
        node: " ".join(" ".join(text(part) for entry in entries for part in entry).split())
        for node, entries in rounds.items()
    }


def test_visible_cells_alone_give_back_the_rounds(card: Scorecard, workbook: Path, tmp_path: Path) -> None:
    result = import_file(_strip_metadata(workbook, tmp_path / "plain.xlsx"))
    assert result.card is not None
    got, want = _rounds(result.card), _rounds(card)
    # A field that declared nothing reads its column's sum as declared, as its max and score are.
    assert got.pop("2") == [(D(9), None, None, [])] and got.pop("6") == [(D("8.5"), None, None, [])]
    assert want.pop("2") == want.pop("6") == []
    # A line too long for the rows of its node goes on in the next row, cut where a wrapped line ends:
    # without the hidden metadata it reads back with a line break at the cut (as notes and evidence do).
    assert _unwrapped(got) == _unwrapped(want)
    assert {node: [round[0] for round in rounds] for node, rounds in got.items()} == {
        node: [round[0] for round in rounds] for node, rounds in want.items()
    }
    assert [(e.score, e.by) for e in result.card.appraisal] == [(D("98.2"), None), (D("98.45"), None)]


def test_an_edited_appraised_cell_wins_over_the_metadata(workbook: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    sheet = book.worksheets[0]
    sheet.cell(_row_of(sheet, "7.5.2."), APPRAISED_COL).value = 0.25
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    result = import_file(edited)
    assert result.card is not None
    node = {n.id: n for n, _, _ in iter_criteria(result.card.criteria)}["7.5.2"]
    assert [e.score for e in node.appraisal] == [D("0.25")]
    assert node.appraisal[0].note is not None and node.appraisal[0].note.startswith("Tỷ lệ hồ sơ nộp")


def test_councils_columns_of_a_table_made_elsewhere(tmp_path: Path) -> None:
    header = [*HEADER, "Điểm thẩm định", "Ý kiến thẩm định", "Giải trình", "Điểm sau giải trình"]
    rows = [
        header,
        ["1", "1.1. Một", 1, 1, "KH 1", "0,5", "Thiếu báo cáo quý IV", "Đã bổ sung BC 12", "1"],
        ["2", "1.2. Hai", 2, 2, "KH 2", 2, None, None, 2],
        ["3", "1.3. Ba", 1, 1, "KH 3", None, None, None, None],
        ["4", "1.4. Bốn", 1, 1, "KH 4", "0", "Không có tài liệu", None, None],
    ]
    result = import_file(make_xlsx(tmp_path / "t.xlsx", rows))
    assert result.card is not None and result.problems == []
    got = _rounds(result.card)
    assert got["1.1"] == [(D("0.5"), "Thiếu báo cáo quý IV", "Đã bổ sung BC 12", []), (D(1), None, None, [])]
    assert got["1.2"] == [(D(2), None, None, [])]  # round 2 the same as round 1: one round
    assert got["1.3"] == []
    assert got["1.4"] == [(D(0), "Không có tài liệu", None, [])]


def test_a_note_with_no_appraised_points_stays_in_the_note(tmp_path: Path) -> None:
    rows = [[*HEADER, "Điểm thẩm định", "Lý do"], ["1", "1.1. Một", 1, 1, "KH 1", None, "chưa thẩm định"]]
    result = import_file(make_xlsx(tmp_path / "t.xlsx", rows))
    assert result.card is not None
    node = result.card.criteria[0]
    assert node.appraisal == [] and node.note == "Ý kiến thẩm định: chưa thẩm định"


def test_export_import_round_trip_through_the_cli(workbook: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    # The card names its set as "../../criteria/…": the same layout here, so that the check finds it.
    shutil.copytree(ROOT / "criteria", tmp_path / "criteria")
    out = tmp_path / "a" / "b" / "back.yaml"
    out.parent.mkdir(parents=True)
    result = runner.invoke(app, ["import", str(workbook), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert load_file(out).card == load_file(COMMITTED).card


def test_without_notes_the_councils_columns_move_left_and_still_come_back(card: Scorecard, tmp_path: Path) -> None:
    """``--no-notes`` on an appraised card: the council's columns stand right after the evidence, their
    sums refer to their own column, and the import gives back every round (and the notes)."""
    out = tmp_path / "no-notes.xlsx"
    write_xlsx(card, rollup(card), out, source=COMMITTED, overwrite=False, notes=False)
    sheet = openpyxl.load_workbook(out).worksheets[0]
    columns = layout.form_columns(notes=False, appraisal=True)
    header = [sheet.cell(layout.HEADER_ROW + 1, c).value for c in range(1, len(columns) + 2)]
    assert header == [*layout.header_texts(columns), layout.HEADER]
    assert header[5:7] == ["Điểm thẩm định", "Ý kiến thẩm định / Giải trình"]
    assert {str(r) for r in sheet.merged_cells.ranges} >= {"A1:G1", "A2:G2"}
    total = _row_of(sheet, "TỔNG ĐIỂM")
    assert str(sheet.cell(total, 6).value).startswith("=SUM(F")
    assert sheet.cell(_row_of(sheet, "3.5.1."), 6).value == 0.45
    assert str(sheet.cell(_row_of(sheet, "3.5.1."), 7).value).startswith("Lần 1: 0,45")
    result = import_file(out)
    assert result.problems == [] and result.card == card
