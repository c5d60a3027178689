"""`cchc import`: Word and Excel tables as people make them, one quirk per test, and the Excel round trip.

Every fixture is built here in code (python-docx, openpyxl), so what each test feeds the importer is
visible in the test. The seed fixture rebuilds the first two fields of the real table
(tests/data/seed-fields-1-2.txt is that part of the seed's text dump) cell by cell.
"""

from __future__ import annotations

import os
import re
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cchc.cli.app import app
from cchc.importers import Imported, ImportOptionError, import_file
from cchc.importers.heading import column_kind
from cchc.importers.table import roman, split_name
from cchc.messages import set_language
from cchc.scorecard.dump import dump_scorecard, modeline
from cchc.scorecard.load import load_file
from cchc.scorecard.model import Appraisal, CardAppraisal, Criterion, EvidenceRef, Scorecard, iter_criteria
from cchc.scorecard.rollup import rollup
from cchc.xlsx.export import write_xlsx
from tests.conftest import SHIPPED

DATA = Path(__file__).resolve().parent / "data"
EXAMPLES = int(os.environ.get("CCHC_FUZZ_EXAMPLES", "60"))

TITLE = [
    "BẢNG TỔNG HỢP CHẤM ĐIỂM CẢI CÁCH HÀNH CHÍNH NĂM 2021",
    "(ban hành kèm theo Báo cáo số 12/BC-UBND ngày 25/12/2021 của UBND xã A)",
]
HEADER = ["TT", "Tên TC/TCTP", "Điểm chuẩn", "Điểm tự đánh giá", "Tài liệu kiểm chứng"]

Rows = list[list[Any]]


# --- fixture builders -----------------------------------------------------------------------------


def make_docx(
    path: Path,
    rows: Rows,
    above: list[str] | None = None,
    hmerge: tuple[tuple[int, int, int], ...] = (),
    tables_before: int = 0,
) -> Path:
    """A Word file: the lines ``above``, then a table of ``rows``. A cell given as None continues the
    vertical merge of the cell above it; ``hmerge`` holds (row, first column, last column), 0-based.
    Cell text with line breaks becomes one paragraph per line, as people type it."""
    document = docx.Document()
    for _ in range(tables_before):
        other = document.add_table(rows=1, cols=2)
        other.cell(0, 0).text, other.cell(0, 1).text = "Nơi nhận", "Lưu VT"
    for line in TITLE if above is None else above:
        document.add_paragraph(line)
    width = max(len(row) for row in rows)
    table = document.add_table(rows=len(rows), cols=width)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text:
                lines = str(text).split("\n")
                cell = table.cell(r, c)
                cell.paragraphs[0].text = lines[0]
                for line in lines[1:]:
                    cell.add_paragraph(line)
    for c in range(width):
        r = 0
        while r < len(rows):
            end = r
            while end + 1 < len(rows) and c < len(rows[end + 1]) and rows[end + 1][c] is None:
                end += 1
            if end > r:
                table.cell(r, c).merge(table.cell(end, c))
            r = end + 1
    for r, first, last in hmerge:
        table.cell(r, first).merge(table.cell(r, last))
    document.save(str(path))
    return path


def make_xlsx(
    path: Path,
    rows: Rows,
    above: list[str] | None = None,
    merges: tuple[str, ...] = (),
    sheet: str = "Sheet1",
    bold_rows: tuple[int, ...] = (),
    extra_sheets: tuple[str, ...] = (),
) -> Path:
    """A workbook: the lines ``above`` in column A, a blank row, then ``rows`` (values as given:
    numbers stay numbers, text stays text). ``merges`` are Excel ranges; ``bold_rows`` 1-based sheet rows."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for name in extra_sheets:
        book.create_sheet(name).append(["Ghi chú", "không phải bảng chấm điểm"])
    lines = TITLE if above is None else above
    for line in lines:
        ws.append([line])
    if lines:
        ws.append([])
    for row in rows:
        ws.append(row)
    for rng in merges:
        ws.merge_cells(rng)
    for r in bold_rows:
        for cell in ws[r]:
            cell.font = openpyxl.styles.Font(bold=True)
    book.save(str(path))
    return path


def imported(path: Path, **options: Any) -> Imported:
    result = import_file(path, **options)
    assert result.card is not None, [p.message for p in result.problems]
    return result


def nodes(card: Scorecard) -> dict[str, Criterion]:
    return {node.id: node for node, _, _ in iter_criteria(card.criteria)}


def shape(card: Scorecard) -> list[tuple[int, str]]:
    """(depth, id) of every node in table order: the tree at a glance."""
    return [(depth, node.id) for node, depth, _ in iter_criteria(card.criteria)]


def codes(result: Imported) -> list[str]:
    return [p.code for p in result.problems]


def D(text: str) -> Decimal:  # noqa: N802 - reads like a literal
    return Decimal(text)


# --- the seed table -------------------------------------------------------------------------------


def seed_rows() -> tuple[list[str], Rows]:
    """The seed's text dump of fields 1 and 2 as table rows: each cell starts with a tab; a row that
    shows only its last cell is a row whose other cells continue the merged cells above it."""
    text = (DATA / "seed-fields-1-2.txt").read_text(encoding="utf-8")
    start = text.index("\n\t") + 1
    above = [line for line in text[:start].splitlines() if line.strip()]
    rows: Rows = []
    for chunk in re.split(r"\n\n(?=\t)", text[start:].rstrip("\n")):
        cells = [cell[1:] for cell in re.split(r"\n(?=\t)", chunk)]
        rows.append(cells if len(cells) == 5 else [None, None, None, None, cells[0]])
    return above, rows


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    above, rows = seed_rows()
    return imported(make_docx(tmp_path_factory.mktemp("seed") / "seed.docx", rows, above))


def test_seed_layout_is_what_the_fixture_rebuilds() -> None:
    above, rows = seed_rows()
    assert above[0] == "BẢNG TỔNG HỢP CHẤM ĐIỂM CẢI CÁCH HÀNH CHÍNH NĂM 2021"
    assert rows[0] == HEADER and rows[2][:4] == ["1", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC", "14", "14"]
    assert rows[3][1] == "TCTP 1.1.1. Ban hành kế hoạch CCHC năm kịp thời"
    assert rows[6][2:4] == ["\xa0", "\xa0"] and rows[7][2:4] == ["3,5", "3,5"]  # 1.2, then its points
    assert sum(row[0] is None for row in rows) == 7


def test_seed_tree(seed: Imported) -> None:
    assert seed.problems == []
    assert shape(seed.card) == [
        (1, "1"),
        (2, "1.1.1"),
        (2, "1.1.2"),
        (2, "1.1.3"),
        (2, "1.2"),
        (2, "1.3.2"),
        (2, "1.4.1"),
        (2, "1.4.3"),
        (2, "1.5"),
        (2, "1.6"),
        (2, "1.7"),
        (1, "2"),
        (2, "2.1.1"),
        (2, "2.1.2"),
        (2, "2.1.3"),
        (2, "2.2.1"),
        (2, "2.2.2"),
        (2, "2.2.3"),
        (2, "2.3.1"),
        (2, "2.3.3"),
        (2, "2.3.4"),
    ]


def test_seed_top_lines(seed: Imported) -> None:
    card = seed.card
    assert (card.unit, card.year) == ("UBND thành phố Thanh Hóa", 2021)
    assert card.title == "BẢNG TỔNG HỢP CHẤM ĐIỂM CẢI CÁCH HÀNH CHÍNH NĂM 2021"
    assert card.report == "Báo cáo số /BC-UBND ngày 25/12/2021"
    assert card.max is None and card.score is None  # the excerpt has no TỔNG ĐIỂM row


def test_seed_fields_keep_their_declared_points(seed: Imported) -> None:
    got = nodes(seed.card)
    assert (got["1"].tt, got["1"].title, got["1"].max, got["1"].score) == (
        "1",
        "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC",
        14,
        14,
    )
    assert (got["2"].max, got["2"].score) == (9, 9)
    # The declared 14 against rows that add up to 10: exactly what validate must flag.
    assert rollup(seed.card).children[0].max == 10


def test_seed_rows_points_tt_and_continuations(seed: Imported) -> None:
    got = nodes(seed.card)
    assert (got["1.1.1"].tt, got["1.1.1"].max, got["1.1.1"].score) == ("1", D("0.5"), D("0.5"))
    assert got["1.1.1"].title == "Ban hành kế hoạch CCHC năm kịp thời"  # "TCTP " and the id's dot gone
    assert got["1.4.1"].title.startswith("Kế hoạch tuyên truyền")  # "1.4.1 " without a dot
    assert (got["1.2"].tt, got["1.2"].max, got["1.2"].score) == (None, D("3.5"), D("3.5"))  # from the row below
    assert (got["1.5"].tt, got["1.5"].max, got["1.5"].score) == ("11", None, None)  # blank, not zero
    assert got["2.3.4"].tt == "23"


def test_seed_evidence_equals_the_hand_transcription(seed: Imported) -> None:
    """Every criterion read from the table cites exactly what the shipped scorecard cites for it."""
    shipped = load_file(SHIPPED).card
    assert shipped is not None
    by_hand = nodes(shipped)
    for node_id, node in nodes(seed.card).items():
        if "." not in node_id:
            continue
        assert node.evidence == by_hand[node_id].evidence, node_id
        assert node.title == by_hand[node_id].title, node_id
        if node_id != "1.5":
            assert (node.max, node.score) == (by_hand[node_id].max, by_hand[node_id].score), node_id


# --- headers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        ["STT", "Tiêu chí", "Điểm tối đa", "Tự chấm", "Tài liệu kiểm chứng"],
        ["tt", "NỘI DUNG", "DIEM CHUAN", "diem tu danh gia", "TÀI LIỆU KIỂM CHỨNG"],
        ["Số TT", "Tên tiêu chí, tiêu chí thành phần", "Điểm chuẩn\n(tối đa)", "Điểm\ntự đánh giá", "Ghi chú"],
    ],
)
def test_header_variants(tmp_path: Path, header: list[str]) -> None:
    path = make_xlsx(tmp_path / "t.xlsx", [header, ["1", "1.1. Một", 2, 1, "KH 1"]])
    got = nodes(imported(path).card)["1.1"]
    assert (got.max, got.score) == (2, 1)


def test_header_over_two_rows_with_merged_cells(tmp_path: Path) -> None:
    rows: Rows = [
        ["TT", "Tên TC/TCTP", "Điểm", None, "Tài liệu kiểm chứng"],
        [None, None, "Chuẩn", "Tự đánh giá", None],
        ["1", "1.1. Một", "2", "1,5", "KH 1"],
    ]
    path = make_xlsx(tmp_path / "t.xlsx", rows, merges=("A4:A5", "B4:B5", "C4:D4", "E4:E5"))
    got = nodes(imported(path).card)["1.1"]
    assert (got.max, got.score, got.evidence) == (2, D("1.5"), ["KH 1"])


def test_column_number_row_under_the_header_is_skipped(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "t.xlsx", [HEADER, ["(1)", "(2)", "(3)", "(4)", "(5)"], ["1", "1.1. Một", 1, 1, "KH"]])
    result = imported(path)
    assert result.problems == [] and shape(result.card) == [(1, "1.1")]


def test_appraised_score_and_reply_go_to_the_appraisal_not_the_note(tmp_path: Path) -> None:
    header = [*HEADER, "Điểm thẩm định", "Giải trình"]
    path = make_xlsx(tmp_path / "t.xlsx", [header, ["1", "1.1. Một", 1, 1, "KH 1", "0,5", "thiếu KH"]])
    node = nodes(imported(path).card)["1.1"]
    assert node.note is None
    assert [(e.score, e.note, e.reply) for e in node.appraisal] == [(D("0.5"), None, "thiếu KH")]


def test_without_a_council_column_giai_trinh_is_the_units_note(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "t.xlsx", [[*HEADER, "Giải trình"], ["1", "1.1. Một", 1, 1, "KH 1", "đã có KH"]])
    node = nodes(imported(path).card)["1.1"]
    assert (node.note, node.appraisal) == ("đã có KH", [])


def test_a_single_note_column_is_kept_as_written(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "t.xlsx", [[*HEADER, "Ghi chú"], ["1", "1.1. Một", 1, 1, "KH 1", "  đã sửa  "]])
    assert nodes(imported(path).card)["1.1"].note == "đã sửa"


# --- rows -----------------------------------------------------------------------------------------


def test_field_rows_numbered_in_roman(tmp_path: Path) -> None:
    rows: Rows = [
        HEADER,
        ["I", "Công tác chỉ đạo", 2, 2, ""],
        ["1", "1.1. Một", 2, 2, "KH"],
        ["VIII", "Điều tra xã hội học", 18, 18, ""],
    ]
    card = imported(make_xlsx(tmp_path / "t.xlsx", rows)).card
    assert shape(card) == [(1, "1"), (2, "1.1"), (1, "8")]
    assert [(n.tt, n.title) for n in card.criteria] == [("I", "Công tác chỉ đạo"), ("VIII", "Điều tra xã hội học")]
    assert card.criteria[1].survey and not card.criteria[0].survey


def test_field_rows_numbered_in_arabic_are_in_capitals_or_bold(tmp_path: Path) -> None:
    rows: Rows = [
        HEADER,
        ["1", "CÔNG TÁC CHỈ ĐẠO", 1, 1, ""],
        ["1.", "1.1. Một", 1, 1, "KH"],
        ["2", "Cải cách thủ tục", 1, 1, ""],
        ["2.", "2.1. Hai", 1, 1, "KH"],
    ]
    path = make_xlsx(tmp_path / "t.xlsx", rows, bold_rows=(7,))
    card = imported(path).card
    assert shape(card) == [(1, "1"), (2, "1.1"), (1, "2"), (2, "2.1")]
    assert [n.tt for n, _, _ in iter_criteria(card.criteria)] == ["1", "1", "2", "2"]  # "1." -> "1"


@pytest.mark.parametrize(
    ("name", "node_id", "title"),
    [
        ("TCTP 1.1.1. Ban hành kế hoạch", "1.1.1", "Ban hành kế hoạch"),
        ("1.1.1 Ban hành kế hoạch", "1.1.1", "Ban hành kế hoạch"),
        ("1.1.1.Ban hành kế hoạch", "1.1.1", "Ban hành kế hoạch"),
        ("TC 1.2: Báo cáo", "1.2", "Báo cáo"),
        ("Tiêu chí 1.2 - Báo cáo", "1.2", "Báo cáo"),
        ("tctp 1.10. Mười", "1.10", "Mười"),
        ("1.?. Dòng bị mất", "1.?", "Dòng bị mất"),
        ("100% hồ sơ đúng hạn", None, "100% hồ sơ đúng hạn"),
        ("2021 là năm", None, "2021 là năm"),
    ],
)
def test_ids_in_the_name_cell(name: str, node_id: str | None, title: str) -> None:
    assert split_name(name, exact=False) == (node_id, title)


def test_tree_is_built_from_the_ids(tmp_path: Path) -> None:
    rows: Rows = [
        HEADER,
        ["1", "LĨNH VỰC MỘT", "", "", ""],
        ["", "1.1. Tiêu chí", "", "", ""],
        ["1", "1.1.1. Con", 1, 1, "KH"],
        ["2", "1.1.2. Con", 1, 1, "KH"],
        ["3", "1.2.1. Không có 1.2", 1, 1, "KH"],
    ]
    card = imported(make_xlsx(tmp_path / "t.xlsx", rows)).card
    assert shape(card) == [(1, "1"), (2, "1.1"), (3, "1.1.1"), (3, "1.1.2"), (2, "1.2.1")]


def test_criteria_without_field_rows_stay_at_the_top(tmp_path: Path) -> None:
    rows: Rows = [HEADER, ["1", "1.1. Một", 1, 1, "KH"], ["2", "1.2. Hai", 1, 1, "KH"]]
    assert shape(imported(make_xlsx(tmp_path / "t.xlsx", rows)).card) == [(1, "1.1"), (1, "1.2")]


def test_scores_on_an_unnumbered_continuation_row(tmp_path: Path) -> None:
    rows: Rows = [
        HEADER,
        ["", "1.2. Báo cáo định kỳ", "", "", "bc quý 1"],
        ["", "", "3,5", "3,5", "bc quý 2"],
        ["", "", "", "", "bc quý 3"],
    ]
    got = nodes(imported(make_xlsx(tmp_path / "t.xlsx", rows)).card)["1.2"]
    assert (got.max, got.score, got.evidence) == (D("3.5"), D("3.5"), ["bc quý 1", "bc quý 2", "bc quý 3"])


def test_points_twice_on_a_continuation_row_are_reported(tmp_path: Path) -> None:
    rows: Rows = [HEADER, ["1", "1.2. Báo cáo", 1, 1, ""], ["", "", 2, 2, ""]]
    result = imported(make_xlsx(tmp_path / "t.xlsx", rows))
    assert codes(result) == ["import-unplaced-row", "import-unplaced-row"]
    assert nodes(result.card)["1.2"].max == 1
    assert result.problems[0].path == "Sheet1!C6" and (result.problems[0].line, result.problems[0].column) == (6, 3)


def test_evidence_over_paragraphs_and_rows_with_bullets_and_blank_lines(tmp_path: Path) -> None:
    rows: Rows = [
        HEADER,
        ["1.", "1.1. Một", "1", "1", "- KH số 1/KH-UBND;\n\n-BC 2\n• CV 3  "],
        ["", "", "", "", "\n1. BC số 4/BC-UBND\n"],
    ]
    got = nodes(imported(make_docx(tmp_path / "t.docx", rows)).card)["1.1"]
    assert got.evidence == ["KH số 1/KH-UBND;", "BC 2", "CV 3", "1. BC số 4/BC-UBND"]


def test_vertically_merged_evidence_is_read_once_per_criterion(tmp_path: Path) -> None:
    rows: Rows = [
        HEADER,
        ["1.", "1.1. Một", "1", "1", "KH chung"],
        ["", "", "", "", None],
        ["2.", "1.2. Hai", "1", "1", "BC 2"],
    ]
    result = imported(make_docx(tmp_path / "t.docx", rows))
    assert result.problems == []  # merged over a criterion and its own continuation row: read once
    assert [n.evidence for n in result.card.criteria] == [["KH chung"], ["BC 2"]]


def test_row_with_merged_number_name_and_points_continues_the_criterion(tmp_path: Path) -> None:
    rows: Rows = [HEADER, ["16.", "2.1.3. Xử lý", "1", "1", "BC 1"], [None, None, None, None, "CV 6945"]]
    result = imported(make_docx(tmp_path / "t.docx", rows))
    got = nodes(result.card)["2.1.3"]
    assert result.problems == [] and (got.max, got.evidence) == (1, ["BC 1", "CV 6945"])


def test_points_merged_over_two_criteria_are_reported(tmp_path: Path) -> None:
    rows: Rows = [HEADER, ["1.", "4.3.1. Một", "3,5", "3,5", "QĐ 1"], ["2.", "4.3.2. Hai", None, None, "QĐ 2"]]
    result = imported(make_docx(tmp_path / "t.docx", rows))
    assert codes(result) == ["import-shared-cell", "import-shared-cell"]
    assert result.problems[0].path == "bảng 1 dòng 3 cột 3"
    assert "bảng 1 dòng 3 cột 3: ô điểm chuẩn gộp chung với dòng của 4.3.1" in result.problems[0].message
    got = nodes(result.card)
    assert (got["4.3.1"].max, got["4.3.2"].max) == (D("3.5"), None)


def test_horizontally_merged_field_row(tmp_path: Path) -> None:
    rows: Rows = [HEADER, ["CÔNG TÁC CHỈ ĐẠO", "", "14", "14", ""], ["1.", "1.1. Một", "14", "14", "KH"]]
    result = imported(make_docx(tmp_path / "t.docx", rows, hmerge=((1, 0, 1),)))
    # The merged cell spans TT and name: read once, as the name of a field with no number.
    assert codes(result) == ["import-guessed-id"]
    assert shape(result.card) == [(1, "1"), (2, "1.1")] and result.card.criteria[0].max == 14


def test_blank_rows_are_skipped(tmp_path: Path) -> None:
    rows: Rows = [
        HEADER,
        ["", "", "", "", ""],
        ["1.", "1.1. Một", "1", "1", "KH"],
        ["", "", "", "", ""],
        ["2.", "1.2. Hai", "1", "1", "KH"],
        ["", "", "", "", ""],
    ]
    result = imported(make_docx(tmp_path / "t.docx", rows))
    assert result.problems == [] and shape(result.card) == [(1, "1.1"), (1, "1.2")]


def test_numbers_as_text_with_a_decimal_comma_and_as_numbers(tmp_path: Path) -> None:
    rows: Rows = [
        HEADER,
        ["1", "3.5.1. Tỷ lệ", "0,5", " 0,4991 ", "BC"],
        ["2", "3.5.2. Hai", 0.75, 0.3209, "BC"],
        ["3", "3.5.3. Ba", 1, "0.45", "BC"],
    ]
    got = nodes(imported(make_xlsx(tmp_path / "t.xlsx", rows)).card)
    assert [(n.max, n.score) for n in got.values()] == [
        (D("0.5"), D("0.4991")),
        (D("0.75"), D("0.3209")),
        (1, D("0.45")),
    ]


def test_empty_score_is_not_scored_not_zero(tmp_path: Path) -> None:
    rows: Rows = [HEADER, ["1", "1.1. Một", 1, None, ""], ["2", "1.2. Hai", 1, 0, ""]]
    got = nodes(imported(make_xlsx(tmp_path / "t.xlsx", rows)).card)
    assert (got["1.1"].score, got["1.2"].score) == (None, 0)


def test_unreadable_points_cell_is_reported_with_its_address(tmp_path: Path) -> None:
    rows: Rows = [HEADER, ["1", "1.1. Một", 1, "1 điểm", "KH"], ["2", "1.2. Hai", "1.000,5", 1, "KH"]]
    result = imported(make_xlsx(tmp_path / "t.xlsx", rows))
    assert [(p.code, p.path, p.line, p.column) for p in result.problems] == [
        ("import-bad-cell", "Sheet1!D5", 5, 4),
        ("import-bad-cell", "Sheet1!C6", 6, 3),
    ]
    assert result.problems[0].message.startswith("Sheet1!D5: '1 điểm' không đọc được là điểm tự đánh giá")
    got = nodes(result.card)
    assert (got["1.1"].max, got["1.1"].score, got["1.2"].max) == (1, None, None)  # the rest is kept


def test_row_without_an_id_is_reported_and_left_out(tmp_path: Path) -> None:
    rows: Rows = [
        HEADER,
        ["1.", "1.1. Một", "1", "1", "KH"],
        ["2.", "Có sáng kiến mới", "1", "1", "CV"],
        ["", "", "", "", "thuộc dòng không có mã"],
        ["3.", "1.3. Ba", "1", "1", "KH"],
    ]
    result = imported(make_docx(tmp_path / "t.docx", rows))
    assert [(p.code, p.path) for p in result.problems] == [
        ("import-unplaced-row", "bảng 1 dòng 3 cột 2"),
        ("import-unplaced-row", "bảng 1 dòng 4 cột 2"),
    ]
    assert "“Có sáng kiến mới”" in result.problems[0].message
    assert [n.evidence for n in result.card.criteria] == [["KH"], ["KH"]]  # nothing went to 1.1 by mistake


def test_auto_numbered_tt_column(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "t.docx", [HEADER, ["", "1.1. Một", "1", "1", ""], ["", "1.2. Hai", "1", "1", ""]])
    document = docx.Document(str(path))
    for row in document.tables[0].rows[1:]:
        row.cells[0].paragraphs[0].style = "List Number"
    document.save(str(path))
    assert [n.tt for n in imported(path).card.criteria] == ["1", "2"]


def test_total_row_gives_the_declared_total(tmp_path: Path) -> None:
    rows: Rows = [
        HEADER,
        ["1", "1.1. Một", 1, 1, "KH"],
        ["", "TỔNG ĐIỂM", 100, "98,52", ""],
        ["", "Người lập biểu", "", "", ""],
    ]
    card = imported(make_xlsx(tmp_path / "t.xlsx", rows)).card
    assert (card.max, card.score) == (100, D("98.52")) and shape(card) == [(1, "1.1")]


def test_group_known_only_as_a_total_is_split_unknown(tmp_path: Path) -> None:
    rows: Rows = [
        HEADER,
        ["", "1.?. Các dòng bị mất", 4, 4, ""],
        ["11", "1.5. Sáng kiến", "", "", "CV 2399"],
        ["12", "1.6. Xếp hạng", 1, 1, "bc 1231"],
    ]
    card = imported(make_xlsx(tmp_path / "t.xlsx", rows)).card
    assert shape(card) == [(1, "1.?"), (2, "1.5"), (1, "1.6")]
    assert card.criteria[0].split_unknown and not card.criteria[1].split_unknown


def test_formula_without_a_stored_result_is_reported(tmp_path: Path) -> None:
    rows: Rows = [
        HEADER,
        ["1", "LĨNH VỰC MỘT", "=SUM(C6:C7)", "=SUM(D6:D7)", ""],
        ["1", "1.1. Một", 1, 1, "KH"],
        ["2", "1.2. Hai", 1, 1, "KH"],
    ]
    result = imported(make_xlsx(tmp_path / "t.xlsx", rows))
    assert [(p.code, p.path) for p in result.problems] == [
        ("import-formula-no-value", "Sheet1!C5"),
        ("import-formula-no-value", "Sheet1!D5"),
    ]
    assert "=SUM(C6:C7)" in result.problems[0].message
    assert result.card.criteria[0].max is None and rollup(result.card).max == 2


# --- tables, sheets, top lines --------------------------------------------------------------------


def test_first_table_with_the_header_is_chosen(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "t.docx", [HEADER, ["1.", "1.1. Một", "1", "1", "KH"]], tables_before=1)
    result = imported(path)
    assert result.source == "bảng 2" and shape(result.card) == [(1, "1.1")]
    assert imported(path, table=2).source == "bảng 2"


def test_chosen_table_without_the_columns_is_reported(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "t.docx", [HEADER, ["1.", "1.1. Một", "1", "1", "KH"]], tables_before=1)
    result = import_file(path, table=1)
    assert result.card is None and not result.readable and codes(result) == ["import-no-columns"]
    assert "thiếu" not in result.problems[0].message and "Điểm chuẩn" in result.problems[0].message


def test_no_scoring_table_at_all(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "t.xlsx", [["Họ tên", "Chức vụ"], ["A", "B"]])
    result = import_file(path)
    assert result.card is None and codes(result) == ["import-no-table"]


def test_sheet_by_name(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "t.xlsx", [HEADER, ["1", "1.1. Một", 1, 1, "KH"]], sheet="Bảng điểm", extra_sheets=("Ghi chú",)
    )
    result = imported(path, sheet="Bảng điểm")
    assert result.source == "Bảng điểm"
    bad = make_xlsx(tmp_path / "u.xlsx", [HEADER, ["1", "1.1. Một", 1, "x", "KH"]], sheet="Bảng điểm")
    assert imported(bad).problems[0].path == "'Bảng điểm'!D5"


def test_unit_and_year_missing_are_errors_unless_given(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "t.xlsx", [HEADER, ["1", "1.1. Một", 1, 1, "KH"]], above=["Bảng chấm điểm"])
    result = imported(path)
    assert codes(result) == ["import-no-unit", "import-no-year"] and result.card.year == 1990
    given_ = imported(path, unit="UBND xã B", year=2023)
    assert given_.problems == [] and (given_.card.unit, given_.card.year) == ("UBND xã B", 2023)


def test_unit_from_a_unit_line(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "t.xlsx",
        [HEADER, ["1", "1.1. Một", 1, 1, "KH"]],
        above=["BẢNG TỰ ĐÁNH GIÁ CHỈ SỐ CCHC NĂM 2023", "Đơn vị:   UBND phường Điện Biên "],
    )
    card = imported(path).card
    assert (card.unit, card.year, card.report) == ("UBND phường Điện Biên", 2023, None)


@pytest.mark.parametrize(("name", "reason"), [("t.doc", "suffix"), ("t.xlsx", "damaged"), ("missing.docx", "missing")])
def test_unreadable_files(tmp_path: Path, name: str, reason: str) -> None:
    path = tmp_path / name
    if reason != "missing":
        path.write_bytes(b"not an office file")
    result = import_file(path)
    assert result.card is None and not result.readable and codes(result) == ["file-unreadable"]


def test_text_typed_with_combining_accents(tmp_path: Path) -> None:
    """Unikey's "tổ hợp" mode writes "ề" as "ê" + a combining accent: found all the same, stored composed."""
    nfd = [unicodedata.normalize("NFD", line) for line in TITLE]
    rows: Rows = [
        [unicodedata.normalize("NFD", h) for h in HEADER],
        ["1", unicodedata.normalize("NFD", "Tiêu chí 1.1. Kế hoạch"), 1, 1, "KH"],
    ]
    result = imported(make_xlsx(tmp_path / "t.xlsx", rows, above=nfd))
    assert result.problems == [] and result.card.unit == "UBND xã A"
    assert nodes(result.card)["1.1"].title == "Kế hoạch"


def test_column_headers_and_roman_numerals() -> None:
    headers = ("Tên TC/TCTP", "ĐIỂM TỰ ĐÁNH GIÁ", "S.T.T", unicodedata.normalize("NFD", "Điểm chuẩn"))
    assert [column_kind(h) for h in headers] == ["name", "score", None, "max"]
    assert [roman(t) for t in ("I", "IV", "VIII", "IIII", "X1", "")] == [1, 4, 8, None, None, None]


# --- the Excel round trip -------------------------------------------------------------------------


def exported(card: Scorecard, tmp: Path) -> Path:
    out = tmp / "card.xlsx"
    if out.exists():
        out.unlink()
    write_xlsx(card, rollup(card), out, source=None, overwrite=False)
    return out


def representable(card: Scorecard) -> dict[str, Any]:
    """What the exported workbook gives back of ``card``: all of it. The visible form carries what it
    shows and the metadata the export hides (cchc.xlsx.layout) the rest: ids, titles in their own
    case, TT and notes that are "" rather than absent, points with their precision, declared totals
    that differ from the sums, level, a title without the year, evidence text that looks like a
    mapping line, characters Excel refuses, the flags.

    What truly cannot survive, and the cards here never hold: a node whose metadata would not fit one
    cell (texts over 32,767 characters that the visible cells also change, such as a field title in
    lower case), for which the visible cells speak; and an id holding characters Excel refuses,
    whose row is then read like a row of a table cchc did not write.
    """
    return card.model_dump()


def assert_same(got: Scorecard, card: Scorecard) -> None:
    """The same scorecard: equal models, and the same YAML (which also compares the precision of
    the points: 0,50 is not 0,5 there)."""
    assert got.model_dump() == representable(card)
    assert dump_scorecard(got) == dump_scorecard(card)


def round_trip(card: Scorecard, tmp: Path) -> Imported:
    result = imported(exported(card, tmp))
    errors = [p.message for p in result.problems if p.severity.value == "error"]
    assert errors == []
    return result


def test_shipped_scorecard_round_trips_through_the_workbook(tmp_path: Path) -> None:
    card = load_file(SHIPPED).card
    assert card is not None
    result = round_trip(card, tmp_path)
    assert result.problems == []
    assert_same(result.card, card)
    # What the form alone could not say: a field's title in its own case, the level, the flags.
    assert result.card.criteria[0].title == "Công tác chỉ đạo, điều hành CCHC" and result.card.level == "huyen"
    assert nodes(result.card)["1.?"].split_unknown and nodes(result.card)["8"].survey


def test_long_cells_the_export_continued_are_joined_back(tmp_path: Path) -> None:
    """Evidence taller than a row can show, a line longer than a cell's width allows, a long note and a
    long title: the export continues them on rows marked "(tiếp theo …)" and cuts long lines with "…"; all come back."""
    evidence = [f"CV {n}/UBND-VP ngày 01/02/2021 về việc triển khai nhiệm vụ số {n}" for n in range(60)]
    evidence.append("Báo cáo " + "rất dài " * 400)
    leaf = Criterion(
        id="1.1",
        tt="1",
        title="Một",
        max=D("1"),
        score=D("1"),
        evidence=evidence,
        note="\n".join(f"giải trình {n}" for n in range(80)),
    )
    card = Scorecard(
        unit="UBND xã A",
        year=2021,
        criteria=[
            Criterion(
                id="1", tt="I", title="Lĩnh vực", children=[leaf, Criterion(id="1.2", title="Hai " * 400, max=D("2"))]
            )
        ],
    )
    path = exported(card, tmp_path)
    names = [row[1].value for row in openpyxl.load_workbook(path).active.iter_rows(min_row=5)]
    assert "(tiếp theo 1.1)" in names  # the fixture really makes the export continue rows
    assert_same(round_trip(card, tmp_path).card, card)


def test_evidence_mappings_and_text_that_looks_like_one_come_back_as_written(tmp_path: Path) -> None:
    ref = EvidenceRef(doc="1280/KH-UBND", date="30/12/2020", file="kh-1280.pdf", pages="3-5")
    bare = EvidenceRef(title="Kế hoạch | bản 2", url="https://a.vn/kh")  # no doc, a " | " inside
    items: list[str | EvidenceRef] = [ref, "CV 5168", str(ref), bare, ""]
    leaf = Criterion(id="1.1", title="Một", max=D("1"), score=D("1"), evidence=items)
    card = Scorecard(unit="UBND xã A", year=2021, criteria=[Criterion(id="1", tt="1", title="A", children=[leaf])])
    path = exported(card, tmp_path)
    ws = openpyxl.load_workbook(path).active
    # On the form a mapping is its one line, which model.evidence_item reads back.
    assert ws["E6"].value.split("\n")[:2] == [
        "1280/KH-UBND | ngày: 30/12/2020 | tệp: kh-1280.pdf | trang: 3-5",
        "CV 5168",
    ]
    got = nodes(round_trip(card, tmp_path).card)["1.1"].evidence
    assert got == items and isinstance(got[2], str)  # the text stays text, the mappings mappings


def test_a_mapping_line_typed_into_the_form_is_read_as_a_mapping(tmp_path: Path) -> None:
    """Evidence an officer changed: the visible cell wins, read as any cell of the form is."""
    leaf = Criterion(id="1.1", title="Một", max=D("1"), score=D("1"), evidence=["CV 1", ""])
    card = Scorecard(unit="UBND xã A", year=2021, criteria=[Criterion(id="1", tt="1", title="A", children=[leaf])])
    path = exported(card, tmp_path)
    book = openpyxl.load_workbook(path)
    book.active["E6"] = "CV 1\n1280/KH-UBND | ngày: 30/12/2020 | tệp: kh-1280.pdf"
    book.save(path)
    got = nodes(imported(path).card)["1.1"].evidence
    assert got == ["CV 1", EvidenceRef(doc="1280/KH-UBND", date="30/12/2020", file="kh-1280.pdf")]


def test_what_an_officer_changed_in_the_visible_cells_wins(tmp_path: Path) -> None:
    """Each visible cell someone edited is read as shown and its metadata ignored; every other value
    still comes back exactly."""
    fields = [
        Criterion(id="1", tt="I", title="Công tác chỉ đạo", max=D("2.50"), score=D("1.50"), note="", evidence=["KH 1"]),
        Criterion(
            id="2",
            tt="II",
            title="Cải cách thủ tục",
            children=[
                Criterion(id="2.1", tt="", title="Một", max=D("1.0"), score=D("0.50"), note=""),
                Criterion(id="2.2", title="Hai", max=D("1"), score=D("1"), tt=""),
            ],
        ),
    ]
    card = Scorecard(
        unit="UBND xã A", year=2021, level="xa", title="Bảng tự chấm", max=D("100"), score=D("98.5"), criteria=fields
    )
    path = exported(card, tmp_path)
    book = openpyxl.load_workbook(path)
    ws = book.active
    rows = {ws.cell(r, 2).value: r for r in range(5, ws.max_row + 1)}
    ws.cell(rows["CÔNG TÁC CHỈ ĐẠO"], 4).value = 2  # a score
    ws.cell(rows["CÔNG TÁC CHỈ ĐẠO"], 6).value = "đã giải trình"  # a note
    ws.cell(rows["2.1. Một"], 2).value = "2.1. Một (sửa)"  # a title
    ws.cell(rows["2.2. Hai"], 2).value = "2.3. Hai"  # an id: the row is no longer the export's 2.2
    ws["A1"] = "BẢNG TỰ CHẤM NĂM 2022"  # the title row
    book.save(path)  # openpyxl keeps the formulas but not their results: the sums come back blank
    result = imported(path)
    got = nodes(result.card)
    assert (got["1"].title, got["1"].score, got["1"].max, got["1"].note) == (
        "Công tác chỉ đạo",
        2,
        D("2.50"),
        "đã giải trình",
    )
    assert str(got["1"].max) == "2.50" and got["1"].evidence == ["KH 1"]
    assert (got["2.1"].title, got["2.1"].tt, str(got["2.1"].max), str(got["2.1"].score)) == (
        "Một (sửa)",
        "",
        "1.0",
        "0.50",
    )
    assert "2.2" not in got and (got["2.3"].title, got["2.3"].tt) == ("Hai", None)
    assert got["2"].title == "Cải cách thủ tục"  # the field row itself was not touched
    assert (result.card.title, result.card.year) == ("BẢNG TỰ CHẤM NĂM 2022", 2022)
    assert (result.card.unit, result.card.level) == ("UBND xã A", "xa")
    assert "import-formula-no-value" in codes(result)


def test_metadata_someone_spoilt_is_ignored(tmp_path: Path) -> None:
    leaf = Criterion(id="1.1", title="Một", max=D("1.50"), score=D("1"), note="")
    card = Scorecard(
        unit="UBND xã A", year=2021, level="xa", criteria=[Criterion(id="1", tt="1", title="Lĩnh vực", children=[leaf])]
    )
    path = exported(card, tmp_path)
    book = openpyxl.load_workbook(path)
    ws = book.active
    ws["G5"] = "{not json"
    ws["G6"] = '{"id": "1.1", "max": [["x"], "1.5"], "note": [5, "0"], "title": [1, 2]}'
    book["cchc"]["A1"] = '{"cchc": 1, "level": "tỉnh", "year": "x"}'
    book.save(path)
    result = imported(path)
    got = nodes(result.card)
    assert (got["1"].title, got["1.1"].max, got["1.1"].note) == ("LĨNH VỰC", D("1.5"), None)
    assert (result.card.level, result.card.unit, result.card.year) == (None, "UBND xã A", 2021)


def test_the_metadata_is_hidden_and_never_printed(tmp_path: Path) -> None:
    card = Scorecard(unit="UBND xã A", year=2021, criteria=[Criterion(id="1", tt="1", title="Một", max=D("1"))])
    book = openpyxl.load_workbook(exported(card, tmp_path))
    ws = book["Bảng chấm điểm"]
    assert ws.column_dimensions["G"].hidden and ws.print_area.endswith("$A$1:$F$6")
    assert book["cchc"].sheet_state == "veryHidden" and book.sheetnames[0] == "Bảng chấm điểm"
    assert book.active.title == "Bảng chấm điểm"
    # The evidence index sheet is the export's too: never read as a table.
    assert "Tài liệu kiểm chứng" in book.sheetnames
    with pytest.raises(ImportOptionError):
        import_file(tmp_path / "card.xlsx", sheet="Tài liệu kiểm chứng")
    assert import_file(tmp_path / "card.xlsx").source == "Bảng chấm điểm"


# Text an officer may type, with what breaks naive readers: formulas, YAML look-alikes, spaces around.
words = st.sampled_from(
    [
        "Kế hoạch",
        "số",
        "1280/KH-UBND",
        "ngày",
        "30/12/2020",
        "=cmd|' /C calc'!A0",
        "+1",
        "-x",
        "@SUM(A1)",
        "yes",
        "1.1.",
        "#",
        "a: b",
        "“trích”",
        "(tiếp theo)",
        "Tổng",
        "năm",
        "0,5",
        "ĐIỀU",
        "đ",
        "Ư",
        "  ",
        "\t",
        "của",
        "năm 2019",
    ]
)
line_text = st.lists(words, min_size=1, max_size=5).map(" ".join).filter(lambda s: s.strip() != "")
free_text = st.lists(line_text, min_size=1, max_size=3).map("\n".join)
# What the form cannot show as it is: characters Excel refuses, Windows line ends, a line that reads
# as a mapping, lines that read as the export's cut marks, emptiness, lower case where it prints
# capitals, a field named like the total row or a continuation row.
quirks = st.sampled_from(
    [
        "a\x01b",
        "c\r\nd",
        "1280/KH-UBND | ngày: 30/12/2020",
        "e…\n…f",
        "",
        "g\ud800h",
        "Tổng điểm",
        "(tiếp theo 1.1)",
        " lead",
        "trail ",
        "\n",
        "x\n\ny",
    ]
)
any_text = st.one_of(line_text, free_text, quirks)
decimals = st.decimals(min_value=0, max_value=20, places=4, allow_nan=False, allow_infinity=False)
# Points with 0 to 4 decimals as written: 14, 0,5, 0,50, 12,9491.
points = st.builds(lambda d, places: d.quantize(Decimal(1).scaleb(-places)), decimals, st.integers(0, 4))
refs = st.builds(
    EvidenceRef,
    doc=line_text,
    date=st.none() | st.sampled_from(["30/12/2020", "2020-12-30"]),
    title=st.none() | line_text,
    file=st.none() | st.sampled_from(["kh-1280.pdf", "a/bc 1.pdf"]),
    pages=st.none() | st.just("3-5"),
    url=st.none() | st.just("https://a.vn/x"),
)
evidence_lists = st.lists(st.one_of(line_text, line_text, refs, quirks), max_size=3)
# The council's rounds: points, and awkward notes, replies and supplementary evidence.
appraisal_lists = st.lists(
    st.builds(Appraisal, score=points, note=st.none() | any_text, reply=st.none() | any_text, evidence=evidence_lists),
    max_size=2,
)
card_appraisal_lists = st.lists(
    st.builds(
        CardAppraisal,
        score=points,
        note=st.none() | any_text,
        by=st.none() | line_text,
        date=st.none() | st.sampled_from(["15/01/2022", "2022-01-15"]),
    ),
    max_size=2,
)


@st.composite
def leaf_or_group(draw: st.DrawFn, node_id: str, depth: int) -> Criterion:
    """A criterion with points and evidence, sometimes with children (down to depth 4)."""
    kids: list[Criterion] = []
    if depth < 4 and draw(st.booleans()):
        kids = [draw(leaf_or_group(f"{node_id}.{k}", depth + 1)) for k in range(1, draw(st.integers(1, 3)) + 1)]
    return Criterion(
        id=node_id,
        tt=draw(st.none() | st.just("") | line_text),
        title=draw(any_text),
        # A node with children may declare totals that differ from its sums (validate flags them).
        max=draw(st.none() | points) if kids else draw(points),
        score=draw(st.none() | points),
        evidence=draw(evidence_lists),
        note=draw(st.none() | any_text),
        children=kids,
        survey=draw(st.integers(0, 9)) == 0,
        appraisal=draw(appraisal_lists),
    )


@st.composite
def exportable_cards(draw: st.DrawFn) -> Scorecard:
    """Cards as awkward as the format allows: any text anywhere, field ids that are not their TT."""
    year = draw(st.integers(1990, 2100))
    fields = []
    for i in range(1, draw(st.integers(1, 4)) + 1):
        field_id = draw(st.sampled_from([str(i), "ABCD"[i - 1], f"{i}0"]))
        kids = [draw(leaf_or_group(f"{field_id}.{k}", 2)) for k in range(1, draw(st.integers(0, 3)) + 1)]
        if draw(st.booleans()):  # a group known only as a total, its rows without points
            lost = [
                Criterion(id=f"{field_id}.{k}", title=draw(any_text), evidence=draw(evidence_lists))
                for k in range(7, 7 + draw(st.integers(0, 2)))
            ]
            kids.append(
                Criterion(
                    id=f"{field_id}.?",
                    tt="5, 7",
                    title="Dòng bị mất",
                    max=draw(points),
                    score=draw(points),
                    split_unknown=True,
                    note=draw(st.none() | any_text),
                    children=lost,
                )
            )
        survey = not kids and draw(st.booleans())
        title = "Điều tra xã hội học" if survey and draw(st.booleans()) else draw(any_text)
        fields.append(
            Criterion(
                id=field_id,
                tt=draw(st.sampled_from([str(i), ["I", "II", "III", "IV"][i - 1], None, ""])),
                title=title,
                max=draw(st.none() | points) if kids else draw(points),
                score=draw(st.none() | points),
                survey=survey,
                split_unknown=not kids and draw(st.integers(0, 9)) == 0,
                evidence=[] if survey else draw(evidence_lists),
                note=draw(st.none() | any_text),
                children=kids,
            )
        )
    return Scorecard(
        unit=draw(any_text),
        year=year,
        level=draw(st.sampled_from([None, "tinh", "so", "huyen", "xa"])),
        title=draw(
            st.sampled_from([None, "", f"Bảng tự chấm năm {year}", "Bảng tự chấm", "Bảng điểm CCHC NĂM 2019 (bản 2)"])
        ),
        report=draw(st.none() | any_text),
        max=draw(st.none() | points),
        score=draw(st.none() | points),
        appraisal=draw(card_appraisal_lists),
        criteria=fields,
    )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(exportable_cards())
def test_generated_cards_round_trip_through_the_workbook(tmp_path: Path, card: Scorecard) -> None:
    assert_same(round_trip(card, tmp_path).card, card)


# Cells people really type, and cells that break naive readers.
cell_values = st.one_of(
    st.none(),
    st.integers(-5, 200),
    st.floats(-10, 200, allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [
            "",
            " ",
            "\xa0",
            "1.",
            "I",
            "VIII",
            "1.1. Một",
            "TCTP 1.1.1. Hai",
            "1.?. Mất",
            "0,5",
            "3,5",
            "1.000,5",
            "NaN",
            "99%",
            "TỔNG ĐIỂM",
            "(tiếp theo 1.1)",
            "CÔNG TÁC",
            "- KH 1\n-BC 2",
            "=1+1",
            "#VALUE!",
            "(1)",
            "…",
            "Điều tra xã hội học",
        ]
    ),
    st.text(max_size=12),
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.lists(cell_values, min_size=5, max_size=6), max_size=8))
def test_any_table_gives_a_card_and_located_problems(tmp_path: Path, rows: Rows) -> None:
    """Whatever the rows hold, the import never raises, every cell problem names its cell, and the
    scorecard it returns writes and loads back."""
    from cchc.scorecard.dump import dump_scorecard
    from cchc.scorecard.load import load_text

    clean = [
        [v if not isinstance(v, str) else "".join(ch for ch in v if ch >= " " or ch in "\n\t") for v in row]
        for row in rows
    ]
    path = tmp_path / "fuzz.xlsx"
    path.unlink(missing_ok=True)
    result = imported(make_xlsx(path, [HEADER, *clean]))
    for problem in result.problems:
        assert problem.message  # every template gets the arguments it names
        if problem.code not in ("import-no-unit", "import-no-year"):
            assert problem.path.startswith("Sheet1!") and problem.line is not None and problem.line >= 5
    assert load_text(dump_scorecard(result.card)).card is not None


# --- the command line -----------------------------------------------------------------------------


def test_cli_import_writes_a_scorecard_that_validates(runner: CliRunner, tmp_path: Path) -> None:
    rows: Rows = [
        HEADER,
        ["1", "CÔNG TÁC CHỈ ĐẠO", 1, 1, ""],
        ["1.", "1.1. Một", 1, 1, "KH 1280/KH-UBND"],
        ["", "TỔNG ĐIỂM", 1, 1, ""],
    ]
    source = make_xlsx(tmp_path / "bang.xlsx", rows)
    out = tmp_path / "bang.yaml"
    result = runner.invoke(app, ["import", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "total-not-100" in result.output  # the written file is checked as validate checks it
    text = out.read_text(encoding="utf-8")
    assert text.startswith(f"{modeline(out)}\nunit: UBND xã A\n")  # tests/test_import_layouts.py: where it points
    assert load_file(out).card.model_dump() == imported(source).card.model_dump()


def test_cli_refuses_existing_output_without_force(runner: CliRunner, tmp_path: Path) -> None:
    source = make_xlsx(tmp_path / "bang.xlsx", [HEADER, ["1", "1.1. Một", 1, 1, "KH"]])
    out = tmp_path / "bang.yaml"
    out.write_text("giữ nguyên", encoding="utf-8")
    refused = runner.invoke(app, ["import", str(source), "-o", str(out)])
    assert refused.exit_code == 2 and "--force" in refused.output
    assert out.read_text(encoding="utf-8") == "giữ nguyên"
    assert runner.invoke(app, ["import", str(source), "-o", str(out), "--force"]).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# yaml-language-server")


def test_cli_errors_exit_1_and_the_file_is_still_written(runner: CliRunner, tmp_path: Path) -> None:
    source = make_xlsx(tmp_path / "bang.xlsx", [HEADER, ["1", "1.1. Một", 1, "một", "KH"]])
    out = tmp_path / "bang.yaml"
    result = runner.invoke(app, ["import", str(source), "-o", str(out)])
    assert result.exit_code == 1
    assert f"{source}:5:4: lỗi import-bad-cell Sheet1!D5: 'một' không đọc được" in result.output
    assert f"{out}:" in result.output and "unscored" in result.output
    assert load_file(out).card is not None


def test_each_format_by_its_suffix_with_its_own_option(tmp_path: Path) -> None:
    """A suffix in any case names the format; --table picks a Word table, --sheet a worksheet."""
    book = make_xlsx(tmp_path / "t.xlsx", [HEADER, ["1", "1.1. Một", 1, 1, "KH"]])
    document = make_docx(tmp_path / "t.docx", [HEADER, ["1", "1.1. Một", "1", "1", "KH"]])
    xlsm, upper = tmp_path / "t.xlsm", tmp_path / "T.DOCX"
    xlsm.write_bytes(book.read_bytes())
    upper.write_bytes(document.read_bytes())
    assert imported(xlsm, sheet="Sheet1").card == imported(book).card
    assert imported(upper, table=1).card == imported(document).card
    with pytest.raises(ImportOptionError) as table:
        import_file(xlsm, table=1)
    with pytest.raises(ImportOptionError) as sheet:
        import_file(upper, sheet="Sheet1")
    assert table.value.message.startswith("--table") and sheet.value.message.startswith("--sheet")


def test_cli_bad_input_and_options_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    source = make_xlsx(tmp_path / "bang.xlsx", [HEADER, ["1", "1.1. Một", 1, 1, "KH"]])
    out = tmp_path / "out.yaml"
    assert runner.invoke(app, ["import", str(tmp_path / "none.docx"), "-o", str(out)]).exit_code == 2
    assert runner.invoke(app, ["import", str(source), "-o", str(out), "--table", "1"]).exit_code == 2
    assert runner.invoke(app, ["import", str(source), "-o", str(out), "--sheet", "Khác"]).exit_code == 2
    assert runner.invoke(app, ["import", str(source), "-o", str(tmp_path / "out.txt")]).exit_code == 2
    assert runner.invoke(app, ["import", str(source)]).exit_code == 2  # no -o
    same = runner.invoke(app, ["import", str(source), "-o", str(source)])
    assert same.exit_code == 2 and not out.exists()


def test_cli_messages_follow_the_language(runner: CliRunner, tmp_path: Path) -> None:
    rows: Rows = [HEADER, ["1.", "1.1. Một", "1", "x", "KH"]]
    source = make_docx(tmp_path / "bang.docx", rows)
    result = runner.invoke(app, ["--lang", "en", "import", str(source), "-o", str(tmp_path / "o.yaml")])
    set_language("vi")
    assert result.exit_code == 1
    assert "table 1 row 2 column 4: cannot read 'x' as the self score" in result.output
