"""`cchc import` of the layouts people actually have (issue 10): the criterion number in the TT column,
field rows marked in either column, evidence merged over several criteria, points cells with a unit or
a letter O, the survey row's merged note, a bare unit line, and the schema modeline of the written file.

Fixtures are built in code with the builders of tests/test_import.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from cchc.checks import run_checks
from cchc.cli.app import app
from cchc.scorecard.dump import MODELINE, installed_schema, modeline
from cchc.scorecard.load import load_file
from cchc.scorecard.schema import schema_text
from tests.conftest import ROOT, SHIPPED
from tests.test_import import HEADER, Rows, codes, imported, make_docx, make_xlsx, nodes, shape

D = __import__("decimal").Decimal


def bold_cells(path: Path, *addresses: str) -> Path:
    """Make the given cells of the first sheet bold (and nothing else)."""
    book = openpyxl.load_workbook(path)
    for address in addresses:
        book.active[address].font = openpyxl.styles.Font(bold=True)
    book.save(path)
    return path


# --- the criterion number in the TT column --------------------------------------------------------


TT_IDS: Rows = [
    HEADER,
    ["I", "Công tác chỉ đạo, điều hành CCHC", 2, 2, ""],
    ["1.1", "Kế hoạch CCHC", "", "", ""],
    ["1.1.1", "Ban hành kế hoạch CCHC năm kịp thời", "0,5", "0,5", "KH 1280/KH-UBND"],
    ["1.1.2.", "Mức độ thực hiện kế hoạch", "1,5", "1,5", "BC 1467/BC-UBND"],
    ["II", "Xây dựng và tổ chức thực hiện văn bản QPPL", 1, 1, ""],
    ["2.1", "Rà soát văn bản", 1, 1, "BC 5/BC-UBND"],
]


@pytest.mark.parametrize("make", [make_xlsx, make_docx])
def test_criterion_number_in_the_tt_column_is_the_id(tmp_path: Path, make: object) -> None:
    rows = [[str(v) if make is make_docx else v for v in row] for row in TT_IDS]
    result = imported(make(tmp_path / ("t.xlsx" if make is make_xlsx else "t.docx"), rows))  # type: ignore[operator]
    assert result.problems == [] and result.dropped == 0 and result.placed == 6
    assert shape(result.card) == [(1, "1"), (2, "1.1"), (3, "1.1.1"), (3, "1.1.2"), (1, "2"), (2, "2.1")]
    got = nodes(result.card)
    assert (got["1.1.1"].title, got["1.1.1"].tt, got["1.1.1"].max) == (
        "Ban hành kế hoạch CCHC năm kịp thời",
        "1.1.1",
        D("0.5"),
    )
    assert got["1.1.2"].evidence == ["BC 1467/BC-UBND"] and got["2"].title.startswith("Xây dựng")


def test_arabic_field_numbers_in_a_table_whose_tt_column_holds_the_ids(tmp_path: Path) -> None:
    """Where TT holds "1.1.1", a TT "1" is field 1 even in lower case and not bold."""
    rows: Rows = [
        HEADER,
        ["1", "Công tác chỉ đạo", 1, 1, ""],
        ["1.1", "Kế hoạch", 1, 1, "KH 1"],
        ["2", "Cải cách thủ tục", 1, 1, ""],
        ["2.1", "Rà soát", 1, 1, "BC 2"],
    ]
    result = imported(make_xlsx(tmp_path / "t.xlsx", rows))
    assert result.problems == [] and shape(result.card) == [(1, "1"), (2, "1.1"), (1, "2"), (2, "2.1")]


def test_an_id_in_the_name_cell_wins_over_a_row_number(tmp_path: Path) -> None:
    rows: Rows = [HEADER, ["1", "1.1.1. Ban hành", 1, 1, "KH"], ["2", "1.1.2 Thực hiện", 1, 1, "KH"]]
    result = imported(make_xlsx(tmp_path / "t.xlsx", rows))
    assert shape(result.card) == [(1, "1.1.1"), (1, "1.1.2")]
    assert [n.tt for n in result.card.criteria] == ["1", "2"]


@pytest.mark.parametrize("bold", ["A5", "B5"])
def test_field_row_bold_in_either_column(tmp_path: Path, bold: str) -> None:
    rows: Rows = [HEADER, ["1", "Công tác chỉ đạo", 1, 1, ""], ["1", "1.1. Kế hoạch", 1, 1, "KH 1"]]
    result = imported(bold_cells(make_xlsx(tmp_path / "t.xlsx", rows), bold))
    assert result.problems == [] and shape(result.card) == [(1, "1"), (2, "1.1")]


def test_field_row_bold_in_the_tt_cell_of_a_word_table(tmp_path: Path) -> None:
    rows: Rows = [HEADER, ["2", "Cải cách thủ tục hành chính", "1", "1", ""], ["1", "2.1. Rà soát", "1", "1", "BC"]]
    path = make_docx(tmp_path / "t.docx", rows)
    document = docx.Document(str(path))
    for run in document.tables[0].cell(1, 0).paragraphs[0].runs:
        run.bold = True
    document.save(str(path))
    result = imported(path)
    assert result.problems == [] and shape(result.card) == [(1, "2"), (2, "2.1")]


def test_field_row_with_a_roman_numeral_in_the_name_cell(tmp_path: Path) -> None:
    rows: Rows = [HEADER, ["", "II. Cải cách thủ tục hành chính", 1, 1, ""], ["1", "2.1. Rà soát", 1, 1, "BC"]]
    result = imported(make_xlsx(tmp_path / "t.xlsx", rows))
    assert result.problems == [] and shape(result.card) == [(1, "2"), (2, "2.1")]
    assert result.card.criteria[0].title == "Cải cách thủ tục hành chính"


def test_rows_read_and_dropped_are_counted(tmp_path: Path) -> None:
    rows: Rows = [
        HEADER,
        ["1", "1.1. Một", 1, 1, "KH"],
        ["2", "Có sáng kiến mới", 1, 1, "CV"],
        ["", "", "", "", "thuộc dòng không có mã"],
        ["3", "1.3. Ba", 1, 1, "KH"],
        ["", "", "", "", "BC 4"],
    ]
    result = imported(make_xlsx(tmp_path / "t.xlsx", rows))
    assert (result.placed, result.dropped) == (3, 2)


def test_cli_says_how_many_rows_were_dropped_and_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    rows: Rows = [
        HEADER,
        ["1", "1.1. Một", 1, 1, "KH"],
        ["2", "Có sáng kiến mới", 1, 1, "CV"],
        ["3", "1.3. Ba", 1, 1, "KH"],
        ["4", "1.4. Bốn", 1, 1, "KH"],
    ]
    source, out = make_xlsx(tmp_path / "bang.xlsx", rows), tmp_path / "bang.yaml"
    result = runner.invoke(app, ["import", str(source), "-o", str(out)])
    assert result.exit_code == 1
    assert "Đọc được 3 dòng của bảng; bỏ 1 dòng không xếp được" in result.stderr
    assert load_file(out).card is not None  # most of the table was read: written, with its errors
    english = runner.invoke(app, ["--lang", "en", "import", str(source), "-o", str(out), "--force"])
    assert "Read 3 row(s) of the table; left out 1 row(s)" in english.stderr


def test_cli_writes_nothing_when_most_rows_were_dropped(runner: CliRunner, tmp_path: Path) -> None:
    """Numbers the importer cannot place: what little it read must not become a scorecard that
    validates clean."""
    rows: Rows = [
        HEADER,
        ["1", "Ban hành kế hoạch", 1, 1, "KH"],
        ["2", "Thực hiện kế hoạch", 1, 1, "BC"],
        ["3", "Báo cáo định kỳ", 1, 1, "BC"],
        ["4", "1.4. Bốn", 1, 1, "KH"],
    ]
    source, out = make_xlsx(tmp_path / "bang.xlsx", rows), tmp_path / "bang.yaml"
    result = runner.invoke(app, ["import", str(source), "-o", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert result.stdout.count("import-unplaced-row") == 3
    assert "Đọc được 1 dòng của bảng; bỏ 3 dòng" in result.stderr and f"Không ghi {out}" in result.stderr


# --- evidence merged over several criteria --------------------------------------------------------


@pytest.mark.parametrize("make", ["docx", "xlsx"])
def test_evidence_merged_over_several_criteria_is_cited_for_each(tmp_path: Path, make: str) -> None:
    rows: Rows = [
        HEADER,
        ["1", "1.3.1. Một", "1", "1", "- KH 97/KH-UBND\n- BC 12/BC-UBND"],
        ["2", "1.3.2. Hai", "1", "1", None],
        ["3", "1.3.3. Ba", "0,5", "0,5", None],
        ["4", "1.4. Bốn", "1", "1", "CV 5168"],
    ]
    if make == "docx":
        result = imported(make_docx(tmp_path / "t.docx", rows))
        where = "bảng 1 dòng 2 cột 5"
    else:
        rows = [[("" if v is None else v) for v in row] for row in rows]
        result = imported(make_xlsx(tmp_path / "t.xlsx", rows, merges=("E5:E7",)))
        where = "Sheet1!E5"
    got = nodes(result.card)
    for node_id in ("1.3.1", "1.3.2", "1.3.3"):
        assert got[node_id].evidence == ["KH 97/KH-UBND", "BC 12/BC-UBND"], node_id
    assert got["1.4"].evidence == ["CV 5168"]
    assert [(p.code, p.path) for p in result.problems] == [("import-shared-evidence", where)]  # one warning
    assert "1.3.1, 1.3.2, 1.3.3" in result.problems[0].message


def test_shared_evidence_warning_in_english(tmp_path: Path) -> None:
    from cchc.messages import set_language

    rows: Rows = [HEADER, ["1", "1.1. Một", "1", "1", "KH 1"], ["2", "1.2. Hai", "1", "1", None]]
    result = imported(make_docx(tmp_path / "t.docx", rows))
    set_language("en")
    assert result.problems[0].message == (
        "table 1 row 2 column 5: one evidence cell is merged over the criteria 1.1, 1.2; "
        "its documents are cited for each of them"
    )


# --- points cells: the number it probably is; the survey row's note -------------------------------


@pytest.mark.parametrize(
    ("typed", "probable"),
    [
        ("O,5", "0,5"),
        ("0,5đ", "0,5"),
        ("1 điểm", "1"),
        ("0, 5", "0,5"),
        ("3,5 Đ", "3,5"),
        ("o.25", "0.25"),
        ("0,75 điểm.", "0,75"),
        ("một", None),
        ("1.000,5", None),
    ],
)
def test_unreadable_points_cell_suggests_the_number_it_probably_is(
    tmp_path: Path, typed: str, probable: str | None
) -> None:
    rows: Rows = [HEADER, ["1", "1.1. Một", 1, typed, "KH"]]
    result = imported(make_xlsx(tmp_path / "t.xlsx", rows))
    assert codes(result) == ["import-bad-cell"] and nodes(result.card)["1.1"].score is None  # still an error
    message = result.problems[0].message
    assert message.startswith(f"Sheet1!D5: '{typed}' không đọc được là điểm tự đánh giá")
    if probable is None:
        assert "có lẽ" not in message
    else:
        assert message.endswith(f"; có lẽ là {probable}: hãy sửa ô thành {probable} rồi nhập lại; ô này được để trống")


def test_probable_number_in_english(runner: CliRunner, tmp_path: Path) -> None:
    source = make_docx(tmp_path / "t.docx", [HEADER, ["1.", "1.1. Một", "O,5", "0,5", "KH"]])
    result = runner.invoke(app, ["--lang", "en", "import", str(source), "-o", str(tmp_path / "o.yaml")])
    assert result.exit_code == 1
    assert "cannot read 'O,5' as the max points" in result.stdout
    assert "probably 0,5: correct the cell to 0,5 and import again" in result.stdout


SURVEY: Rows = [
    HEADER,
    ["I", "Công tác chỉ đạo", 1, 1, ""],
    ["1", "1.1. Một", 1, 1, "KH"],
    ["VIII", "Điều tra xã hội học", 18, "Sở Nội vụ tổ chức điều tra", ""],
]


def test_survey_row_merged_text_is_a_note_on_the_survey_part(tmp_path: Path) -> None:
    rows = [row[:] for row in SURVEY]
    path = make_xlsx(tmp_path / "t.xlsx", rows, merges=("D8:E8",))
    result = imported(path)
    assert result.problems == []
    survey = result.card.criteria[1]
    assert (survey.id, survey.survey, survey.max, survey.score) == ("8", True, 18, None)
    assert survey.note == "Sở Nội vụ tổ chức điều tra"


def test_survey_text_over_both_points_cells_in_word(tmp_path: Path) -> None:
    rows: Rows = [
        HEADER,
        ["1", "1.1. Một", "1", "1", "KH"],
        ["VIII", "ĐIỀU TRA XÃ HỘI HỌC", "Sở Nội vụ tổ chức\nđiều tra", "", ""],
    ]
    result = imported(make_docx(tmp_path / "t.docx", rows, hmerge=((2, 2, 4),)))
    survey = nodes(result.card)["8"]
    assert result.problems == []
    assert (survey.survey, survey.max, survey.note) == (True, None, "Sở Nội vụ tổ chức điều tra")


def test_survey_row_with_a_mistyped_number_is_still_an_error(tmp_path: Path) -> None:
    rows = [row[:] for row in SURVEY]
    rows[-1] = ["VIII", "Điều tra xã hội học", 18, "1O", ""]
    result = imported(make_xlsx(tmp_path / "t.xlsx", rows))
    assert codes(result) == ["import-bad-cell"] and "có lẽ là 10" in result.problems[0].message


def test_text_in_a_points_cell_of_another_row_is_still_an_error(tmp_path: Path) -> None:
    rows: Rows = [HEADER, ["1", "1.1. Một", 1, "Sở Nội vụ tổ chức điều tra", "KH"]]
    assert codes(imported(make_xlsx(tmp_path / "t.xlsx", rows))) == ["import-bad-cell"]


# --- the unit -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "above",
    [
        ["BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CCHC NĂM 2022", "UBND huyện Quảng Xương"],
        ["UBND huyện Quảng Xương", "BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CCHC NĂM 2022"],
        ["  UBND huyện   Quảng Xương  ", "", "Bảng chấm điểm năm 2022"],
    ],
)
def test_bare_unit_line_is_the_unit(tmp_path: Path, above: list[str]) -> None:
    path = make_docx(tmp_path / "t.docx", [HEADER, ["1", "1.1. Một", "1", "1", "KH"]], above=above)
    result = imported(path)
    assert result.problems == [] and (result.card.unit, result.card.year) == ("UBND huyện Quảng Xương", 2022)


def test_unit_of_a_header_block_beside_the_motto(tmp_path: Path) -> None:
    book = make_xlsx(
        tmp_path / "t.xlsx",
        [HEADER, ["1", "1.1. Một", 1, 1, "KH"]],
        above=["UBND HUYỆN QUẢNG XƯƠNG", "PHÒNG NỘI VỤ", "BẢNG TỰ CHẤM ĐIỂM CCHC NĂM 2022"],
    )
    workbook = openpyxl.load_workbook(book)
    workbook.active["D1"] = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    workbook.active["D2"] = "Độc lập - Tự do - Hạnh phúc"
    workbook.save(book)
    assert imported(book).card.unit == "UBND HUYỆN QUẢNG XƯƠNG"


@pytest.mark.parametrize(
    "line",
    [
        "Số: 12/BC-UBND",
        "Quảng Xương, ngày 25 tháng 12 năm 2022",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Bộ chỉ số cải cách hành chính",
    ],
)
def test_lines_that_are_not_a_unit(tmp_path: Path, line: str) -> None:
    path = make_docx(
        tmp_path / "t.docx", [HEADER, ["1", "1.1. Một", "1", "1", "KH"]], above=["BẢNG CHẤM ĐIỂM NĂM 2022", line]
    )
    assert codes(imported(path)) == ["import-no-unit"]


def test_import_without_a_unit_writes_a_file_that_does_not_validate(runner: CliRunner, tmp_path: Path) -> None:
    """The rows are kept (the officer fills in the unit), said once by the import, and the written
    file fails validate until the unit is filled in."""
    source = make_xlsx(
        tmp_path / "bang.xlsx", [HEADER, ["1", "1.1. Một", 1, 1, "KH"]], above=["BẢNG CHẤM ĐIỂM CCHC NĂM 2022"]
    )
    out = tmp_path / "bang.yaml"
    result = runner.invoke(app, ["import", str(source), "-o", str(out)])
    assert result.exit_code == 1
    assert "import-no-unit" in result.stdout and "empty-text" not in result.stdout  # one mistake, one message
    assert 'unit: ""\n' in out.read_text(encoding="utf-8")
    checked = runner.invoke(app, ["validate", str(out), "--format", "json"])
    library = run_checks(load_file(out))
    assert checked.exit_code == 1
    assert json.loads(checked.stdout)["files"][0]["problems"] == [p.to_dict() for p in library.problems]
    assert [(p.code, p.path, p.line) for p in library.problems if p.severity.value == "error"] == [
        ("empty-text", "unit", 2)
    ]
    fixed = out.read_text(encoding="utf-8").replace('unit: ""', "unit: UBND xã B")
    out.write_text(fixed, encoding="utf-8")
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 0


# --- the schema modeline of the written file ------------------------------------------------------


def schema_of(written: Path) -> Path:
    """Where the YAML language server finds the schema of ``written``: the modeline's value up to the
    first space, a file URI, or a path from the file's folder."""
    first = written.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    value = first.split("$schema=", 1)[1]
    assert value == value.split()[0]
    if value.startswith("file:"):
        return Path(url2pathname(urlparse(value).path))
    assert not Path(value).is_absolute()
    return written.parent / value


def test_modeline_outside_a_checkout_points_at_the_installed_schema(runner: CliRunner, tmp_path: Path) -> None:
    source = make_xlsx(tmp_path / "bang.xlsx", [HEADER, ["1", "1.1. Một", 1, 1, "KH"]])
    out = tmp_path / "nơi khác" / "bang.yaml"
    out.parent.mkdir()
    assert runner.invoke(app, ["import", str(source), "-o", str(out)]).exit_code == 0
    schema = schema_of(out)
    assert schema.is_file() and schema.read_text(encoding="utf-8") == schema_text()
    assert schema.resolve() == installed_schema().resolve()


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        ("scorecards", "../schemas/scorecard.schema.json"),
        ("", "schemas/scorecard.schema.json"),
        ("2022/huyen", "../../schemas/scorecard.schema.json"),
    ],
)
def test_modeline_inside_a_checkout_is_a_relative_path_that_resolves(
    runner: CliRunner, tmp_path: Path, folder: str, expected: str
) -> None:
    checkout = tmp_path / "cchc"
    (checkout / "schemas").mkdir(parents=True)
    (checkout / "schemas" / "scorecard.schema.json").write_text(schema_text(), encoding="utf-8")
    (checkout / folder).mkdir(parents=True, exist_ok=True)
    source = make_xlsx(tmp_path / "bang.xlsx", [HEADER, ["1", "1.1. Một", 1, 1, "KH"]])
    out = checkout / folder / "bang.yaml"
    assert runner.invoke(app, ["import", str(source), "-o", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith(f"# yaml-language-server: $schema={expected}\n")
    assert schema_of(out).resolve() == (checkout / "schemas" / "scorecard.schema.json").resolve()


def test_modeline_of_this_repository(tmp_path: Path) -> None:
    """From this checkout's scorecards/ the modeline is the shipped scorecard's."""
    assert modeline(ROOT / "scorecards" / "new.yaml") == MODELINE == SHIPPED.read_text(encoding="utf-8").splitlines()[0]
    assert modeline(ROOT / "new.yaml") == "# yaml-language-server: $schema=schemas/scorecard.schema.json"


def test_survey_row_numbered_8_in_lower_case_is_the_survey_field(tmp_path: Path) -> None:
    rows: Rows = [
        HEADER,
        ["1", "CÔNG TÁC CHỈ ĐẠO", 1, 1, ""],
        ["1", "1.1. Một", 1, 1, "KH"],
        ["8", "Điều tra xã hội học", 18, "Sở Nội vụ tổ chức điều tra", ""],
    ]
    result = imported(make_xlsx(tmp_path / "t.xlsx", rows))
    assert result.problems == [] and shape(result.card) == [(1, "1"), (2, "1.1"), (1, "8")]
    assert result.card.criteria[1].survey and result.card.criteria[1].note == "Sở Nội vụ tổ chức điều tra"


def test_a_stray_id_in_a_tt_column_of_row_numbers_changes_nothing(tmp_path: Path) -> None:
    """TT numbers the rows; one "5.1" typed there does not make an unnumbered name a field."""
    rows: Rows = [
        HEADER,
        ["1", "1.1. Một", 1, 1, "KH"],
        ["2", "Có sáng kiến mới", 1, 1, "CV"],
        ["5.1", "Một dòng gõ nhầm", 1, 1, "KH"],
        ["4", "1.3. Ba", 1, 1, "KH"],
    ]
    result = imported(make_xlsx(tmp_path / "t.xlsx", rows))
    assert [(p.code, p.path) for p in result.problems] == [("import-unplaced-row", "Sheet1!B6")]
    assert shape(result.card) == [(1, "1.1"), (1, "5.1"), (1, "1.3")]
