"""The workbook of a card with rules, not-applicable criteria, bonus and penalty: the rate value beside the
score, "Không áp dụng" in the score cell, the applicable maximum as a live formula, and everything back on
import (the rule, value, steps, applicability, caps' inputs, the set's path) from the hidden metadata."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from cchc.importers import import_file
from cchc.scorecard.dump import dump_scorecard
from cchc.scorecard.load import load_text
from cchc.scorecard.model import Scorecard
from cchc.scorecard.rollup import rollup
from cchc.scorecard.terms import Terms
from cchc.xlsx.export import write_xlsx

CARD = """\
unit: UBND xã A
year: 2023
level: xa
criteria_set: ../criteria/xa.yaml
bonus:
  - points: 1
    reason: Sáng kiến được công nhận
    evidence: [QĐ 1234/QĐ-UBND]
penalty:
  - points: 0,25
    reason: Chậm báo cáo quý
    note: Báo cáo quý II gửi chậm 3 ngày
criteria:
  - id: "1"
    title: Cải cách thủ tục hành chính
    children:
      - id: "1.1"
        title: Tỷ lệ hồ sơ giải quyết đúng hạn
        max: 0,5
        rule: rate
        value: 4991/5000
        evidence: [BC 1467/BC-UBND]
      - id: "1.2"
        title: Số cuộc họp về CCHC trong năm
        max: 20
        steps:
          - {from: 4, points: 20}
          - {from: 3, points: 15}
        value: "3"
        score: 15
        evidence: [BB 12/BB-UBND]
      - id: "1.3"
        title: Tỷ lệ đơn vị sự nghiệp tự chủ
        max: 16
        applicable: false
        note: Xã không có đơn vị sự nghiệp công lập
      - id: "1.4"
        title: Các nhiệm vụ khác
        max: 63,5
        score: 52,8209
        evidence: [BC 1500/BC-UBND]
"""


def _card(text: str = CARD) -> Scorecard:
    loaded = load_text(text)
    assert loaded.card is not None and loaded.problems == []
    return loaded.card


def _export(card: Scorecard, out: Path, convention: str = "exclude") -> Path:
    write_xlsx(card, rollup(card, Terms(not_applicable=convention)), out, source=None, overwrite=True)
    return out


@pytest.mark.parametrize("convention", ["exclude", "full"])
def test_rules_not_applicable_bonus_and_penalty_round_trip(tmp_path: Path, convention: str) -> None:
    card = _card()
    result = import_file(_export(card, tmp_path / "card.xlsx", convention))
    assert result.card is not None and [p.code for p in result.problems] == []
    assert result.card.model_dump() == card.model_dump()
    assert dump_scorecard(result.card) == dump_scorecard(card)


def test_the_sheet_shows_the_rate_the_na_text_and_the_applicable_maximum(tmp_path: Path) -> None:
    sheet = openpyxl.load_workbook(_export(_card(), tmp_path / "card.xlsx")).worksheets[0]
    rows = {str(row[1].value): row for row in sheet.iter_rows(min_row=5) if row[1].value}
    rate = rows["1.1. Tỷ lệ hồ sơ giải quyết đúng hạn"][3]
    assert (rate.value, rate.number_format) == (0.4991, 'General" (99,82%)"')  # still a number: SUMs add it
    count = rows["1.2. Số cuộc họp về CCHC trong năm"][3]
    assert (count.value, count.number_format) == (15, 'General" (3)"')
    assert rows["1.3. Tỷ lệ đơn vị sự nghiệp tự chủ"][3].value == "Không áp dụng"
    na_max = rows["1.3. Tỷ lệ đơn vị sự nghiệp tự chủ"][2].coordinate
    total_max = rows["TỔNG ĐIỂM"][2].coordinate
    assert rows["ĐIỂM TỐI ĐA ÁP DỤNG"][2].value == f"={total_max}-SUM({na_max})"


def test_full_convention_prints_the_max_and_no_applicable_row(tmp_path: Path) -> None:
    sheet = openpyxl.load_workbook(_export(_card(), tmp_path / "card.xlsx", "full")).worksheets[0]
    rows = {str(row[1].value): row for row in sheet.iter_rows(min_row=5) if row[1].value}
    assert rows["1.3. Tỷ lệ đơn vị sự nghiệp tự chủ"][3].value == 16
    assert "ĐIỂM TỐI ĐA ÁP DỤNG" not in rows


def test_a_table_saying_khong_ap_dung_imports_as_not_applicable(tmp_path: Path) -> None:
    """Not only cchc's own workbooks: any table whose score cell says so (no metadata at all)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["BẢNG TỔNG HỢP CHẤM ĐIỂM CẢI CÁCH HÀNH CHÍNH NĂM 2023"])
    sheet.append(["Đơn vị: UBND xã B"])
    sheet.append(["TT", "Tên TC/TCTP", "Điểm chuẩn", "Điểm tự đánh giá", "Tài liệu kiểm chứng"])
    sheet.append(["1", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", 20, 8, ""])
    sheet.append(["1", "1.1. Một", 10, 8, "BC 1"])
    sheet.append(["2", "1.2. Hai", 10, "không áp dụng", ""])
    sheet.append(["", "TỔNG ĐIỂM", 20, 8, ""])
    path = tmp_path / "b.xlsx"
    book.save(path)
    result = import_file(path)
    assert result.card is not None and "import-bad-cell" not in [p.code for p in result.problems]
    two = result.card.criteria[0].children[1]
    assert (two.applicable, two.score, two.max) == (False, None, 10)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice Calc not installed")
def test_libreoffice_computes_the_applicable_maximum_and_shows_the_rate(tmp_path: Path) -> None:
    from tests.test_libreoffice import convert

    source = _export(_card(), tmp_path / "card.xlsx")
    page = convert(source, "html", tmp_path).read_text(encoding="utf-8", errors="replace")
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert "(99,82%)" in text and "Không áp dụng" in text
    assert re.search(r"ĐIỂM TỐI ĐA ÁP DỤNG 84\b", text)
