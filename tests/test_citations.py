"""Tests for the evidence-citation parser: one row per citation shape found in the seed table."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.evidence.citations import Citation, is_valid_date, parse_evidence

# Fields every citation has; tests compare all of them except the span.
_DEFAULTS: dict[str, Any] = {
    "doc_type": None,
    "type_word": None,
    "number": None,
    "year": None,
    "code_type": None,
    "issuer": None,
    "unit": None,
    "date": None,
    "date_text": None,
    "subject": "",
    "kind": "document",
}


def exp(**fields: Any) -> dict[str, Any]:
    """An expected citation: the given fields, every other one at its empty value."""
    unknown = set(fields) - set(_DEFAULTS)
    assert not unknown, unknown
    return {**_DEFAULTS, **fields}


def got(c: Citation) -> dict[str, Any]:
    """A parsed citation without its span, comparable with `exp`."""
    d = c._asdict()
    del d["start"], d["end"]
    return d


def full(
    doc: str,
    number: str | None,
    code: str | None,
    issuer: str,
    date: tuple[int, int, int],
    date_text: str,
    subject: str = "",
    word: str | None = None,
    unit: str | None = None,
    year: int | None = None,
) -> dict[str, Any]:
    """Shorthand for a full-symbol citation."""
    return exp(
        doc_type=doc,
        type_word=word,
        number=number,
        code_type=code,
        issuer=issuer,
        unit=unit,
        date=date,
        date_text=date_text,
        subject=subject,
        year=year,
    )


# (evidence text, the one citation expected). Texts are copied from the seed unless marked.
SINGLE: list[tuple[str, dict[str, Any]]] = [
    # --- full symbols: "Kế hoạch số 1280/KH-UBND ngày 30/12/2020 ..."
    (
        "Kế hoạch số 1280/KH-UBND ngày 30/12/2020 cải cách hành chính năm 2021",
        full("KH", "1280", "KH", "UBND", (30, 12, 2020), "30/12/2020", "cải cách hành chính năm 2021", word="Kế hoạch"),
    ),
    (
        "- Kế hoạch số 97/KH-UBND ngày 03/2/2021 theo dõi tình hình thi hành pháp luật",
        full(
            "KH",
            "97",
            "KH",
            "UBND",
            (3, 2, 2021),
            "03/2/2021",
            "theo dõi tình hình thi hành pháp luật",
            word="Kế hoạch",
        ),
    ),
    # type word contradicting the code: both are kept, the caller compares them
    (
        "-Báo cáo số 05/KH-UBND  ngày 08/01/2021 công tác thi hành PL về XLVPHC năm 2020;",
        full(
            "BC",
            "05",
            "KH",
            "UBND",
            (8, 1, 2021),
            "08/01/2021",
            "công tác thi hành PL về XLVPHC năm 2020",
            word="Báo cáo",
        ),
    ),
    ("1. BC số 1035/BC-UBND ngày 30/9/2021;", full("BC", "1035", "BC", "UBND", (30, 9, 2021), "30/9/2021", word="BC")),
    (
        "3. Báo cáo số 1175 /BC-UBND ngày 30/10/2020; kiểm điểm sự chỉ đạo điều hành",
        full(
            "BC", "1175", "BC", "UBND", (30, 10, 2020), "30/10/2020", "kiểm điểm sự chỉ đạo điều hành", word="Báo cáo"
        ),
    ),
    ("6. Số 1178/BC-UBND ngày 08/12/2020; ", full("BC", "1178", "BC", "UBND", (8, 12, 2020), "08/12/2020")),
    (
        "5. bc 1216/BC-UBND ngày 11/11/2021 Tự ktra, rà soát văn bản",
        full("BC", "1216", "BC", "UBND", (11, 11, 2021), "11/11/2021", "Tự ktra, rà soát văn bản", word="bc"),
    ),
    (
        "9. bc 1290/BC- UBND ngày 26/11/2021. Công tác theo dõi tình hình thi hành PL;",
        full(
            "BC",
            "1290",
            "BC",
            "UBND",
            (26, 11, 2021),
            "26/11/2021",
            "Công tác theo dõi tình hình thi hành PL",
            word="bc",
        ),
    ),
    (
        "BC 1279/BC-UBDN 25/11/2021, thu chi NSĐP ",  # date without "ngày"; issuer typo kept
        full("BC", "1279", "BC", "UBDN", (25, 11, 2021), "25/11/2021", "thu chi NSĐP", word="BC"),
    ),
    (
        "Kế hoạch số 13/KH - UBND ngày 13/01/2021, kế hoạch kiểm soát TTHC năm 2021",
        full(
            "KH", "13", "KH", "UBND", (13, 1, 2021), "13/01/2021", "kế hoạch kiểm soát TTHC năm 2021", word="Kế hoạch"
        ),
    ),
    (
        "- Kế hoạch số 414/KH- UBND ngày 20/5/2021 Triển khai, thực hiện Đề án",
        full("KH", "414", "KH", "UBND", (20, 5, 2021), "20/5/2021", "Triển khai, thực hiện Đề án", word="Kế hoạch"),
    ),
    (
        "- Kế hoạch số 434/KHUBND ngày 25/5/2021 của UBND thành phố",
        full("KH", "434", "KH", "UBND", (25, 5, 2021), "25/5/2021", "của UBND thành phố", word="Kế hoạch"),
    ),
    (
        " Báo cáo 980/BC-UBND ngày , 17/9/2021, về tình hình, kết quả thực hiện quý III năm 2021, ",
        full(
            "BC",
            "980",
            "BC",
            "UBND",
            (17, 9, 2021),
            "17/9/2021",
            "về tình hình, kết quả thực hiện quý III năm 2021",
            word="Báo cáo",
        ),
    ),
    (
        "- Kế hoạch số 129/KH-UBND ngày 29/02/2021 kiểm tra thực hiện cải cách hành chính;",
        full(
            "KH",
            "129",
            "KH",
            "UBND",
            (29, 2, 2021),
            "29/02/2021",  # impossible date, kept
            "kiểm tra thực hiện cải cách hành chính",
            word="Kế hoạch",
        ),
    ),
    (
        "- Kế hoạch 512/KH-UBND ngày 09/6/2021rà soát các VB QPPL",
        full("KH", "512", "KH", "UBND", (9, 6, 2021), "09/6/2021", "rà soát các VB QPPL", word="Kế hoạch"),
    ),
    (
        "- Quyết định số 12426/QĐ-UBND ngày 09/12/2021 thành lập đoàn kiểm tra",
        full("QĐ", "12426", "QĐ", "UBND", (9, 12, 2021), "09/12/2021", "thành lập đoàn kiểm tra", word="Quyết định"),
    ),
    # the subject runs on across ";" until the next citation
    (
        "- Thông báo số 483/TB-UBND ngày 23/11/2021 kết quả kiểm tra hộ tịch; công tác chứng thực;",
        full(
            "TB",
            "483",
            "TB",
            "UBND",
            (23, 11, 2021),
            "23/11/2021",
            "kết quả kiểm tra hộ tịch; công tác chứng thực",
            word="Thông báo",
        ),
    ),
    (
        "- Báo cáo số 1250/BC-HĐPHPL ngày 19/11/2021 báo cáo công tác tuyên truyền PBGDPL;",
        full(
            "BC",
            "1250",
            "BC",
            "HĐPHPL",
            (19, 11, 2021),
            "19/11/2021",
            "báo cáo công tác tuyên truyền PBGDPL",
            word="Báo cáo",
        ),
    ),
    (
        "- Báo cáo 559/BC-BCĐ ngày 18/6/2021 kiểm tra công tác phòng cháy, chữa cháy rừng;",
        full(
            "BC",
            "559",
            "BC",
            "BCĐ",
            (18, 6, 2021),
            "18/6/2021",
            "kiểm tra công tác phòng cháy, chữa cháy rừng",
            word="Báo cáo",
        ),
    ),
    # công văn: no type code in the symbol, issuer then drafting unit
    (
        "- Công văn số 6923/UBND-TP ngày 23/11/2021 thực hiện các nội dung KL;",
        full(
            "CV",
            "6923",
            None,
            "UBND",
            (23, 11, 2021),
            "23/11/2021",
            "thực hiện các nội dung KL",
            word="Công văn",
            unit="TP",
        ),
    ),
    (
        "- Công văn 5603/UBND-TCKH ngày 01/10/2021 chấn chỉnh các khoản thu phí",
        full(
            "CV",
            "5603",
            None,
            "UBND",
            (1, 10, 2021),
            "01/10/2021",
            "chấn chỉnh các khoản thu phí",
            word="Công văn",
            unit="TCKH",
        ),
    ),
    ("5/VP-BPTNVTKQHS ", exp(doc_type="CV", number="5", issuer="VP", unit="BPTNVTKQHS")),
    (" 2774/UBND-VP; ", exp(doc_type="CV", number="2774", issuer="UBND", unit="VP")),
    # normative documents carry the year; Party documents put the number first
    (
        "Nghị định 108/2020/NĐ-CP",
        exp(doc_type="NĐ", type_word="Nghị định", number="108", year=2020, code_type="NĐ", issuer="CP"),
    ),
    ("14/2014/TT-BTP", exp(doc_type="TT", number="14", year=2014, code_type="TT", issuer="BTP")),
    ("QĐ 626-QĐ/TU ngày 30/10/2018", full("QĐ", "626", "QĐ", "TU", (30, 10, 2018), "30/10/2018", word="QĐ")),
    ("BC 1467/BC-UBND", exp(doc_type="BC", type_word="BC", number="1467", code_type="BC", issuer="UBND")),
    # the header's blank number: "Báo cáo số           /BC-UBND"
    (
        "(ban hành kèm theo Báo cáo số           /BC-UBND ngày 25/12/2021",
        full("BC", None, "BC", "UBND", (25, 12, 2021), "25/12/2021", word="Báo cáo"),
    ),
    # --- short forms
    ("CV 5168", exp(doc_type="CV", type_word="CV", number="5168")),
    ("cv 5959", exp(doc_type="CV", type_word="cv", number="5959")),
    ("Cv 6861 tập huấn", exp(doc_type="CV", type_word="Cv", number="6861", subject="tập huấn")),
    ("CV  6547 BCĐ 138", exp(doc_type="CV", type_word="CV", number="6547", subject="BCĐ 138")),
    ("CV 05  MDD3,4", exp(doc_type="CV", type_word="CV", number="05", subject="MDD3,4")),
    ("bc 1467 thực hiện khcchc", exp(doc_type="BC", type_word="bc", number="1467", subject="thực hiện khcchc")),
    (
        "KH 192 ngày 12/3/2021. mở 2 lớp bồi dưỡng nghiệp vụ",
        exp(
            doc_type="KH",
            type_word="KH",
            number="192",
            date=(12, 3, 2021),
            date_text="12/3/2021",
            subject="mở 2 lớp bồi dưỡng nghiệp vụ",
        ),
    ),
    (
        "KH 1095 KH 2022, kqth 2021",  # "KH 2022" is the plan *for* 2022, not a second citation
        exp(doc_type="KH", type_word="KH", number="1095", subject="KH 2022, kqth 2021"),
    ),
    ("qđ 11903", exp(doc_type="QĐ", type_word="qđ", number="11903")),
    (
        "tb 483 kq ktra phòng Tư pháp;",
        exp(doc_type="TB", type_word="tb", number="483", subject="kq ktra phòng Tư pháp"),
    ),
    ("TTR 1272", exp(doc_type="TTr", type_word="TTR", number="1272")),
    ("Ttr 523", exp(doc_type="TTr", type_word="Ttr", number="523")),
    ("TTr  662", exp(doc_type="TTr", type_word="TTr", number="662")),
    ("TTR 07", exp(doc_type="TTr", type_word="TTR", number="07")),
    ("ĐA 17", exp(doc_type="ĐA", type_word="ĐA", number="17")),
    ("đề án 4174 giải thể phong YT", exp(doc_type="ĐA", type_word="đề án", number="4174", subject="giải thể phong YT")),
    ("HD 3730", exp(doc_type="HD", type_word="HD", number="3730")),
    ("PA 6693", exp(doc_type="PA", type_word="PA", number="6693")),
    ("GM 641", exp(doc_type="GM", type_word="GM", number="641")),
    ("KL 5398 sau ttra", exp(doc_type="KL", type_word="KL", number="5398", subject="sau ttra")),
    ("TB 455 TBKL", exp(doc_type="TB", type_word="TB", number="455", subject="TBKL")),
    ("938 BC CCHC 3.", exp(doc_type="BC", type_word="BC", number="938", subject="CCHC 3")),
    (
        "BC 1371 Tổ chức được 2 lớp với số lượt tham gia là 500/500 lượt",
        exp(
            doc_type="BC",
            type_word="BC",
            number="1371",
            subject="Tổ chức được 2 lớp với số lượt tham gia là 500/500 lượt",
        ),
    ),
    # a citation glued to the sentence before it
    (
        "Từ năm 2017 đến nay, sau khi có Quyết định của Chủ tịch UBND tỉnh.bc 1467 thực hiện khcchc",
        exp(doc_type="BC", type_word="bc", number="1467", subject="thực hiện khcchc"),
    ),
    # --- a type without a number
    ("BC thực hiện KH CCHC năm", exp(doc_type="BC", type_word="BC", subject="thực hiện KH CCHC năm")),
    ("tb xếp hạng", exp(doc_type="TB", type_word="tb", subject="xếp hạng")),
    ("bc q1..", exp(doc_type="BC", type_word="bc", subject="q1")),
    (
        "Bao cao thuc hien co che tu chu SNCL 2021",
        exp(doc_type="BC", type_word="Bao cao", subject="thuc hien co che tu chu SNCL 2021"),
    ),
    ("QC camera đông lĩnh", exp(doc_type="QC", type_word="QC", subject="camera đông lĩnh")),
    # --- file names
    ("5540cv.PDF", exp(doc_type="CV", type_word="cv", number="5540", kind="file")),
    ("151qd.PDF", exp(doc_type="QĐ", type_word="qd", number="151", kind="file")),
    ("BC 1231.pdf", exp(doc_type="BC", type_word="BC", number="1231", kind="file")),
    ("CV 1103 sau ktra.pdf", exp(doc_type="CV", type_word="CV", number="1103", subject="sau ktra", kind="file")),
    (
        "Bao cao ket qua thuc hien kiem toan.pdf",
        exp(doc_type="BC", type_word="Bao cao", subject="ket qua thuc hien kiem toan", kind="file"),
    ),
    (
        "bc 1175 ngày 29102021 kiểm điểm sự chi đạo điều hành.pdf",  # compact date
        exp(
            doc_type="BC",
            type_word="bc",
            number="1175",
            date=(29, 10, 2021),
            date_text="29102021",
            subject="kiểm điểm sự chi đạo điều hành",
            kind="file",
        ),
    ),
    (
        "Bảng tổng hợp KQ kiểm tra BC ISO 2021 (Final).xlsx",
        exp(subject="Bảng tổng hợp KQ kiểm tra BC ISO 2021 (Final)", kind="file"),
    ),
    ("Thanh ly MN Tan Son.pdf", exp(subject="Thanh ly MN Tan Son", kind="file")),
    (
        "BC-giam-chi-TX-2021",  # a file name without its extension
        exp(doc_type="BC", type_word="BC", subject="giam-chi-TX-2021", kind="file"),
    ),
    (
        "Bao-cao-ket-qua-thuc-hien-co-che-tu-chu-QLHC-2021",
        exp(doc_type="BC", type_word="Bao-cao", subject="ket-qua-thuc-hien-co-che-tu-chu-QLHC-2021", kind="file"),
    ),
    # --- URLs
    ("https://tpthanhhoa.thanhhoa.gov.vn/web/gioi-thieu-chung/tin-tuc/cai-cach-hanh-chinh", exp(kind="url")),
    ("https://m.facebook.com/story.php?story_fbid=189764086671012&id=100069122653624", exp(kind="url")),
    ("(http://quangthang.tpthanhhoa.thanhhoa.gov.vn/web/trang-chu/hieu-qua.html)", exp(kind="url")),
    # --- not in the seed: other shapes the grammar promises
    (
        "Quyết định số 12 ngày 30 tháng 12 năm 2020 về việc",
        exp(
            doc_type="QĐ",
            type_word="Quyết định",
            number="12",
            date=(30, 12, 2020),
            date_text="30 tháng 12 năm 2020",
            subject="về việc",
        ),
    ),
    (
        "Báo cáo 6 tháng đầu năm 2021",  # "6 tháng" is a period, not a number
        exp(doc_type="BC", type_word="Báo cáo", subject="6 tháng đầu năm 2021"),
    ),
    (
        "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ",
        full("NĐ", "30", "NĐ", "CP", (5, 3, 2020), "05/3/2020", "của Chính phủ", word="Nghị định", year=2020),
    ),
    (
        "Luật số 15/2012/QH13",  # a year and no code: a law, not a công văn
        exp(number="15", year=2012, issuer="QH13"),
    ),
    ("Chỉ thị 05-CT/TW", exp(doc_type="CT", type_word="Chỉ thị", number="05", code_type="CT", issuer="TW")),
    ("CV5168", exp(doc_type="CV", type_word="CV", number="5168")),
    (
        "Quyết định số 1234/QĐ-UBND ngày 5.6.2021",
        full("QĐ", "1234", "QĐ", "UBND", (5, 6, 2021), "5.6.2021", word="Quyết định"),
    ),
    ("Số: 1280/KH-UBND", exp(doc_type="KH", number="1280", code_type="KH", issuer="UBND")),
    (
        "Thông tư liên tịch 01/2014/TTLT-BTP-BNV",
        exp(
            doc_type="TTLT",
            type_word="Thông tư liên tịch",
            number="01",
            year=2014,
            code_type="TTLT",
            issuer="BTP",
            unit="BNV",
        ),
    ),
]


@pytest.mark.parametrize(("text", "expected"), SINGLE, ids=[t[:40] for t, _ in SINGLE])
def test_single_citation(text: str, expected: dict[str, Any]) -> None:
    """Each seed shape yields exactly one citation with these fields."""
    found = parse_evidence(text)
    assert [got(c) for c in found] == [expected]


MULTI: list[tuple[str, list[dict[str, Any]]]] = [
    (
        "QĐ 809-QĐ/TU ngày 25/11/2019; QĐ 287-QĐ/TU ngày 19/12/2019; QĐ 626-QĐ/TU ngày 30/10/2018",
        [
            full("QĐ", "809", "QĐ", "TU", (25, 11, 2019), "25/11/2019", word="QĐ"),
            full("QĐ", "287", "QĐ", "TU", (19, 12, 2019), "19/12/2019", word="QĐ"),
            full("QĐ", "626", "QĐ", "TU", (30, 10, 2018), "30/10/2018", word="QĐ"),
        ],
    ),
    # bare numbers continue the list and inherit its type; type_word stays None (not written)
    (
        "bc 175 cchc 1; 500 cchc 2; 938 cchc 3; bc 1231 cchc năm",
        [
            exp(doc_type="BC", type_word="bc", number="175", subject="cchc 1"),
            exp(doc_type="BC", number="500", subject="cchc 2"),
            exp(doc_type="BC", number="938", subject="cchc 3"),
            exp(doc_type="BC", type_word="bc", number="1231", subject="cchc năm"),
        ],
    ),
    (
        "PA 5912\n5912  b1\n5912 b2\nCV 7148\n7148 phụ lục",
        [
            exp(doc_type="PA", type_word="PA", number="5912"),
            exp(doc_type="PA", number="5912", subject="b1"),
            exp(doc_type="PA", number="5912", subject="b2"),
            exp(doc_type="CV", type_word="CV", number="7148"),
            exp(doc_type="CV", number="7148", subject="phụ lục"),
        ],
    ),
    # two rows merged by the dump: the second citation stands mid-line
    (
        "CV 7266 tư KT, đánh giá KQ phân cấp đc giao KL 5375 KL thanh tra;",
        [
            exp(doc_type="CV", type_word="CV", number="7266", subject="tư KT, đánh giá KQ phân cấp đc giao"),
            exp(doc_type="KL", type_word="KL", number="5375", subject="KL thanh tra"),
        ],
    ),
    (
        "Các văn bản kiến nghị, gồm: Luật Đất đai, Thông tư 14/2014/TT-BTP, Thông tư 100/2014/TT-BTP …",
        [
            exp(doc_type="TT", type_word="Thông tư", number="14", year=2014, code_type="TT", issuer="BTP"),
            exp(doc_type="TT", type_word="Thông tư", number="100", year=2014, code_type="TT", issuer="BTP"),
        ],
    ),
    (
        "GM CCN Thieu Dung; CV 7479; CV 177",
        [
            exp(doc_type="GM", type_word="GM", subject="CCN Thieu Dung"),
            exp(doc_type="CV", type_word="CV", number="7479"),
            exp(doc_type="CV", type_word="CV", number="177"),
        ],
    ),
    (
        "6. Số 1231/BC-UBND ngày 15/11/2021; bc CCHC năm",
        [
            full("BC", "1231", "BC", "UBND", (15, 11, 2021), "15/11/2021"),
            exp(doc_type="BC", type_word="bc", subject="CCHC năm"),
        ],
    ),
    ("Thanh ly tieu hoc Hoang Hoa Tham; CV 177", [exp(doc_type="CV", type_word="CV", number="177")]),
    (
        "3396/UBND-VP, \n3396/UBND-VHTT, \n 7344/UBND-VP.  ",
        [
            exp(doc_type="CV", number="3396", issuer="UBND", unit="VP"),
            exp(doc_type="CV", number="3396", issuer="UBND", unit="VHTT"),
            exp(doc_type="CV", number="7344", issuer="UBND", unit="VP"),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), MULTI, ids=[t[:40] for t, _ in MULTI])
def test_several_citations(text: str, expected: list[dict[str, Any]]) -> None:
    """A cell citing several documents yields them in order."""
    assert [got(c) for c in parse_evidence(text)] == expected


NOT_CITATIONS = [
    "giải trình",
    "6 nhiệm vụ.",
    "Tổng số viên chức kế toán chuyển đổi vị trí công tác: 49 người, trong đó:",
    "Bậc học mầm non: 25 người; Bậc tiểu học: 11 người; Bậc THCS: 13 người. Hoàn thành 100% theo kế hoạch đề ra",
    "(Trên cơ sở Kế hoạch CCHC năm của tỉnh, thành phố đã xây dựng Kế hoạch xác định rõ 06 nhiệm vụ cần thực hiện)",
    "Tỷ lệ trao đổi văn bản điện tử của đơn vị với các cơ quan nhà nước đạt 100%",
    "ngoài ra tuyên truyền dưới nhiều hình thức khác (viết bài tìm hiểu)",
    "nhắn tin qua zalo, hòm thư điện tử cho công dân khi thực hiện TTHC.",
    "chờ bc đánh giá xếp loại hàng năm",
    "4 bc kỷ luật kỷ cương",
    ". Đánh giá vào bc",
    "Danh mục 1608 Lam sơn",
    "5912 b2",  # a bare number with no list before it
    "mở 2 lớp",
    "Phụ lục 7",
    "quý I năm 2021",
    "MDD3,4",
    "2021-2025",
    "giai đoạn 2021 - 2025",
    "500/500",
    "12/3/2021",
    "điểm tối đa 3",
    "Báo cáo số 12/bc-ubnd",  # a symbol in lower case is not read, nor taken for a bare type
    "",
    "  \n\t ",
]


@pytest.mark.parametrize("text", NOT_CITATIONS)
def test_not_a_citation(text: str) -> None:
    """Prose, counts and dates are not citations."""
    assert parse_evidence(text) == []


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("1. BC số 1035/BC-UBND ngày 30/9/2021;", ["BC số 1035/BC-UBND ngày 30/9/2021"]),
        (
            "QĐ 809-QĐ/TU ngày 25/11/2019; QĐ 287-QĐ/TU ngày 19/12/2019",
            ["QĐ 809-QĐ/TU ngày 25/11/2019", "QĐ 287-QĐ/TU ngày 19/12/2019"],
        ),
        ("bc 175 cchc 1; 500 cchc 2", ["bc 175 cchc 1", "500 cchc 2"]),
        ("(http://a.gov.vn/x.html)", ["http://a.gov.vn/x.html"]),
        (" 5540cv.PDF ", ["5540cv.PDF"]),
        ("xx\n- Kế hoạch số 97/KH-UBND ngày 03/2/2021 theo dõi;", ["Kế hoạch số 97/KH-UBND ngày 03/2/2021 theo dõi"]),
    ],
)
def test_spans(text: str, spans: list[str]) -> None:
    """A span covers the citation and its subject, without prefixes or trailing punctuation."""
    assert [text[c.start : c.end] for c in parse_evidence(text)] == spans


def test_type_word_without_diacritics_or_case() -> None:
    """Type words match in any case and without diacritics."""
    for written in ("Báo cáo", "báo cáo", "BÁO CÁO", "Bao cao", "bao cao", "Bảo cáo"):
        (c,) = parse_evidence(f"{written} số 12/BC-UBND")
        assert (c.doc_type, c.type_word) == ("BC", written)


def test_decomposed_unicode() -> None:
    """NFD input (base letter + combining marks) still matches the type word."""
    import unicodedata

    (c,) = parse_evidence(unicodedata.normalize("NFD", "Kế hoạch số 12/KH-UBND"))
    assert (c.doc_type, c.number, c.issuer) == ("KH", "12", "UBND")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the longer type word fails (a broken symbol follows), the shorter one is taken
        ("Thông tư liên tịch 12/abc", exp(doc_type="TT", type_word="Thông tư", subject="liên tịch 12/abc")),
        ("Thong-tu-lien-tich", exp(doc_type="TT", type_word="Thong-tu", subject="lien-tich", kind="file")),
        ("Thông-tư-liên-tịch-số-5", exp(doc_type="TTLT", type_word="Thông-tư-liên-tịch", subject="số-5", kind="file")),
        # ... and a shorter reading of a decomposed type word, without the marks it ends with
        ("Bao cao\u0301 12/x", exp(doc_type="BC", type_word="Bao cao", subject="\u0301 12/x")),
        ("TTr 12", exp(doc_type="TTr", type_word="TTr", number="12")),
    ],
)
def test_type_word_readings_tried_in_turn(text: str, expected: dict[str, Any]) -> None:
    """A head tries each reading of a type word in turn, as one regex alternation would."""
    assert [got(c) for c in parse_evidence(text)] == [expected]


def test_folded_copies_read_letters_as_letter_classes() -> None:
    """The plain and folded copies of a line (offsets kept) read every character of Unicode as
    the case-insensitive classes of accented letters they replace did, and leave everything else
    the head patterns read (codes, issuers, digits, "\\w") as it was."""
    import re

    from cchc.evidence import citations as cit

    # What the copies replace: a case-insensitive class per vowel (and d) of every lower-case
    # letter of U+00C0-U+1EFF that `_fold` turns into it, each letter followed by any marks.
    forms: dict[str, str] = {}
    for cp in range(0x00C0, 0x1F00):
        ch = chr(cp)
        if ch.islower() and cit._fold(ch) in ("a", "e", "i", "o", "u", "y", "d"):
            forms[cit._fold(ch)] = forms.get(cit._fold(ch), "") + ch
    text = "".join(map(chr, range(0x110000)))
    plain_table, folded_table = cit._tables()
    plain, folded = text.translate(plain_table), text.translate(folded_table)
    assert len(plain) == len(folded) == len(text)

    def reads(rx: str, s: str) -> set[int]:
        return {m.start() for m in re.finditer(rx, s)}

    mark = "(?i:[\u0300-\u036f])"
    assert reads(mark, text) == reads("\u0300", plain) == reads(cit._MARK, folded)
    for base, accented in forms.items():
        loose = reads(f"(?i:[{base}{accented}])", text)
        assert loose == reads(base, plain) == reads(f"(?i:{cit._LOOSE_CLASS[base]})", folded), base
    consonants = {c for w in (*cit._WORDS, *cit._UNIT_WORDS, "số") for c in cit._fold(w)}
    for c in consonants - set(forms) - {" "}:
        assert reads(f"(?i:{c})", text) == reads(c, plain), c
    for c in {c for codes in cit._CODES.values() for code in codes for c in code}:
        # the plain copy finds codes loosely (`_TYPE_START`), never missing one
        assert reads(f"(?i:{c})", text) <= reads(cit._fold(c), plain), c
    unchanged = [r"\w", r"\d", r"\s", r"[^\W\d_]", "[A-Z]", "[a-z]", "Đ", "đ", "(?i:Đ)", "%"]
    unchanged += [f"(?i:{c})" for c in "abcdefghijklmnopqrstuvwxyz"]
    unchanged += list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    unchanged += [re.escape(c) for c in " \t:;,./-_()"]
    for rx in unchanged:
        assert reads(rx, text) == reads(rx, folded), rx
    for rx in [r"\d", r"[\s_-]", *(re.escape(c) for c in " \t:/")]:
        assert reads(rx, text) == reads(rx, plain), rx
    for rx in [r"\w", r"[^\W\d_]"]:  # what `_TYPE_START` requires not to follow or precede
        assert reads(rx, plain) <= reads(rx, text), rx


@pytest.mark.parametrize(
    ("d", "ok"),
    [
        ((30, 12, 2020), True),
        ((29, 2, 2020), True),
        ((29, 2, 2021), False),
        ((31, 4, 2021), False),
        ((0, 1, 2021), False),
        ((1, 13, 2021), False),
        ((1, 1, 0), False),
    ],
)
def test_is_valid_date(d: tuple[int, int, int], ok: bool) -> None:
    """Calendar validity only: 29/02/2021 is parsed as written but is not a valid date."""
    assert is_valid_date(d) is ok


def test_impossible_date_is_kept_as_written() -> None:
    """The parser does not correct 29/02/2021; the caller flags it."""
    (c,) = parse_evidence("Kế hoạch số 129/KH-UBND ngày 29/02/2021")
    assert c.date == (29, 2, 2021) and not is_valid_date(c.date)


# ------------------------------------------------------------------ properties

_SYMBOL_CODES = [
    "KH",
    "BC",
    "QĐ",
    "TB",
    "GM",
    "TTr",
    "HD",
    "ĐA",
    "PA",
    "CT",
    "NQ",
    "BB",
    "KL",
    "NĐ",
    "TT",
    "QC",
    "CTr",
    "CV",
]
_WORDS = {
    "Kế hoạch": "KH",
    "Báo cáo": "BC",
    "Quyết định": "QĐ",
    "Công văn": "CV",
    "Thông báo": "TB",
    "Tờ trình": "TTr",
    "Nghị quyết": "NQ",
    "Đề án": "ĐA",
}
_SUBJECT_WORDS = ["kết", "quả", "thực", "hiện", "cải", "cách", "hành", "chính", "TTHC", "năm"]


@settings(max_examples=300)
@given(
    number=st.from_regex(r"[0-9]{1,5}", fullmatch=True),
    code=st.sampled_from(_SYMBOL_CODES),
    issuer=st.from_regex(r"[A-Z][A-Z0-9]{1,6}", fullmatch=True),
    day=st.integers(1, 31),
    month=st.integers(1, 12),
    year=st.integers(1990, 2099),
    word=st.none() | st.sampled_from(sorted(_WORDS)),
    so=st.booleans(),
    bullet=st.sampled_from(["", "- ", "-", "1. ", "  "]),
    subject=st.lists(st.sampled_from(_SUBJECT_WORDS), max_size=5).map(" ".join),
)
def test_generated_symbol_round_trips(
    number: str,
    code: str,
    issuer: str,
    day: int,
    month: int,
    year: int,
    word: str | None,
    so: bool,
    bullet: str,
    subject: str,
) -> None:
    """`[word [số]] {n}/{CODE}-{ISSUER} ngày {d}/{m}/{y} subject` comes back field by field."""
    date_text = f"{day}/{month:02d}/{year}"
    head = f"{word} {'số ' if so else ''}" if word else ""
    text = f"{bullet}{head}{number}/{code}-{issuer} ngày {date_text} {subject}"
    (c,) = parse_evidence(text)
    assert (c.number, c.code_type, c.issuer, c.unit) == (number, code, issuer, None)
    assert (c.date, c.date_text, c.subject, c.kind) == ((day, month, year), date_text, subject, "document")
    assert c.doc_type == (_WORDS[word] if word else code)
    assert c.type_word == word
    assert text[c.start :].startswith(head + number) and c.end == len(text.rstrip())


_GRAMMAR_CHARS = list("0123456789/-.,;: \n\t()") + [
    "BC",
    "KH",
    "qđ",
    "Báo cáo",
    "số",
    "ngày",
    "UBND",
    "TU",
    ".pdf",
    "http://",
    "a",
    "ế",
]


@settings(max_examples=500)
@given(st.text() | st.lists(st.sampled_from(_GRAMMAR_CHARS), max_size=40).map("".join))
def test_never_raises_and_spans_are_sane(text: str) -> None:
    """Any text parses; spans lie in the string, in order, disjoint, and hold what was read."""
    found = parse_evidence(text)
    last_end = 0
    for c in found:
        assert last_end <= c.start < c.end <= len(text)
        last_end = c.end
        piece = text[c.start : c.end]
        for part in (c.type_word, c.number, c.date_text, c.subject):
            if part:
                assert part in piece
        assert c.kind in {"document", "file", "url"}


# --------------------------------------------------------------------------- shortcuts


def _both_ways(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Citation], list[Citation]]:
    """`text` parsed with the shortcuts for the prescribed and short forms, and without them."""
    from cchc.evidence import citations

    citations._parse_line.cache_clear()
    quick = parse_evidence(text)
    with monkeypatch.context() as patch:
        patch.setattr(citations, "_SHORTCUTS", False)
        citations._parse_line.cache_clear()
        general = parse_evidence(text)
    citations._parse_line.cache_clear()
    return quick, general


def _read_alike(text: str) -> None:
    """`text` reads the same with and without the shortcuts (for hypothesis tests, whose examples a
    function-scoped fixture would not reset between)."""
    monkeypatch = pytest.MonkeyPatch()
    try:
        quick, general = _both_ways(text, monkeypatch)
    finally:
        monkeypatch.undo()
    assert quick == general


def _real_lines() -> list[str]:
    """Every line of the seed table and of the shipped scorecard's evidence, and the table rows above."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    seed = root / "tests" / "data" / "seed-2021.txt"  # a copy of shared/seed/000_c2020b226bdf0663.txt
    lines = seed.read_text(encoding="utf-8").splitlines()
    from cchc.scorecard.load import load_file
    from cchc.scorecard.model import iter_criteria

    card = load_file(root / "scorecards" / "tp-thanh-hoa-2021.yaml").card
    assert card is not None
    lines += [str(e) for node, _, _ in iter_criteria(card.criteria) for e in node.evidence]
    lines += [t for t, _ in SINGLE] + [t for t, _ in MULTI] + list(NOT_CITATIONS)
    return lines


def test_shortcuts_read_real_lines_as_the_general_parser_does(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _real_lines()
    assert len(lines) > 600
    for line in lines:
        quick, general = _both_ways(line, monkeypatch)
        assert quick == general, line


def test_shortcuts_are_taken_for_the_common_forms() -> None:
    from cchc.evidence.citations import _prescribed_line, _short_line, _url_line

    assert _prescribed_line("Kế hoạch số 1280/KH-UBND ngày 30/12/2020 về cải cách hành chính năm 2021;")
    assert _prescribed_line("Công văn số 886/UBND-VP ngày 10/01/2020 thu chi ngân sách")
    assert _prescribed_line("Công văn số 807/UBND-VP ngày 08/03/2021; (chuyển đổi số, gắn với thực tế)")
    assert _short_line("7. cv 1475 đầu tư công;") and _short_line("CV 397")
    assert _url_line("(http://tp.thanhhoa.gov.vn/web/trang-chu/tin-tuc.html)") and _url_line("- www.a.vn/b;")
    # Left to the general parser: a quantity, a date after the number, a type word before a number
    # in the subject, a second clause.
    assert _short_line("báo cáo 6 tháng") is None and _short_line("BC 12 ngày 3/4/2021") is None
    assert _prescribed_line("Kế hoạch số 1/KH-UBND ngày 2/1/2021 thay KH 12 cũ") is None
    assert _prescribed_line("Kế hoạch số 1/KH-UBND ngày 2/1/2021; BC 5") is None
    assert _url_line("Xem http://a.vn/x") is None and _url_line("http://a.vn/x (trang chủ)") is None


_NEAR_WORDS = [
    "Kế hoạch",
    "kế hoạch",
    "KẾ HOẠCH",
    "Báo cáo",
    "Công văn",
    "Thông tư",
    "Thông tư liên tịch",
    "Quyết định",
    "Tờ trình",
    "Chương trình",
    "Đề án",
    "đề án",
    "Bao cao",
    "CV",
    "cv",
    "Cv",
    "BC",
    "TTr",
    "TT",
    "CT",
    "ĐA",
    "QD",
    "KH",
]
_NEAR_SYMBOLS = [
    "12/KH-UBND",
    "5/TTr-UBND",
    "108/2020/NĐ-CP",
    "6923/UBND-TP",
    "886/UBND-VP",
    "12/HĐND-VP",
    "12/KH-BCĐ",
    "12/TT-TTHU",
    "3/TTHU",
    "809-QĐ/TU",
    "12/KH-UBND-VP",
    "12/KHUBND",
    "12 /KH- UBND",
    "0012/QD-UBND",
    "12/KH-TTg",
    "12/kh-ubnd",
]
_NEAR_DATES = [
    "ngày 30/12/2020",
    "ngày 3/4/2021",
    "ngày 29/02/2021",
    "ngày 29102021",
    "ngày 1.2.2021",
    "ngày, 30/12/2020",
    "30/12/2020",
    "ngày 30/12/20211",
    "",
]
_NEAR_TAIL = [
    "về",
    "cải",
    "cách",
    "năm",
    "2021",
    "ngày",
    "tháng",
    "Tháng",
    "thang",
    "6",
    "lớp",
    "nhiệm",
    "vụ",
    "KH",
    "BC",
    "cv",
    "12",
    "Kế hoạch",
    "số",
    ";",
    ".",
    ",",
    "(",
    ")",
    "%",
    "/",
    "-",
    "báo cáo",
    "http://a.vn/b",
    "www.a.vn",
    "tệp.pdf",
    "TTHC",
    "quý",
    "II",
    "người",
]


@settings(max_examples=1500, deadline=None)
@given(
    bullet=st.sampled_from(["", "- ", "-", "1. ", "12) ", " ", "a"]),
    word=st.sampled_from(_NEAR_WORDS),
    so=st.sampled_from(["số ", "", "so ", "Số: "]),
    symbol=st.sampled_from(_NEAR_SYMBOLS) | st.from_regex(r"[0-9]{1,7}", fullmatch=True),
    date=st.sampled_from(_NEAR_DATES),
    tail=st.lists(st.sampled_from(_NEAR_TAIL), max_size=6),
    glue=st.sampled_from([" ", "", ", "]),
    end=st.sampled_from(["", ";", ".", ",", " ", ";;"]),
)
def test_shortcuts_agree_with_the_general_parser(
    bullet: str, word: str, so: str, symbol: str, date: str, tail: list[str], glue: str, end: str
) -> None:
    """Lines at and around the two common forms read the same with and without the shortcuts."""
    text = f"{bullet}{word} {so}{symbol} {date}{glue}{' '.join(tail)}{end}".replace("  ", " ")
    _read_alike(text)


_URL_PIECES = [
    "a",
    "vn",
    "/",
    ".",
    "-",
    "_",
    "1280",
    "KH-UBND",
    "BC",
    "ngày",
    "12/3/2021",
    "(",
    ")",
    ";",
    ",",
    "?x=1&y",
]


@settings(max_examples=800, deadline=None)
@given(
    bullet=st.sampled_from(["", "- ", "1. ", "12) ", " ", "(", "1. (", "((", "Xem "]),
    scheme=st.sampled_from(["http://", "https://", "HTTP://", "www.", "http:/"]),
    path=st.lists(st.sampled_from(_URL_PIECES), max_size=8).map("".join),
    tail=st.lists(
        st.sampled_from([")", ".", ";", ",", " ", ":", "-", "…", " x", " 12", " BC 5", "(", " http://b.vn"]), max_size=4
    ),
    prev=st.sampled_from(["", "PA 5912\n", "BC 12\n"]),
    after=st.sampled_from(["", "\n500 cchc 2"]),
)
def test_link_lines_read_as_the_general_parser_does(
    bullet: str, scheme: str, path: str, tail: list[str], prev: str, after: str
) -> None:
    """A line that is a link (and lines near it) read the same with and without the shortcuts,
    and so does the type a bare number on the next line inherits."""
    text = f"{prev}{bullet}{scheme}{path}{''.join(tail)}{after}"
    _read_alike(text)


_NEAR_CLAUSES = [
    "",
    " ",
    " (ghi chú)",
    "(ghi chú, gắn với thực tế)",
    " - BC-giam-chi-TX",
    " bc thực hiện",
    " Báo cáo kết quả",
    " (phụ lục).pdf",
    " www.a.vn",
    " 12",
    " (kèm 2 phụ lục)",
    " _x",
    " •",
    " •x",
    ".",
    " – a",
    " ²-a-b",
    " ,",
]


@settings(max_examples=800, deadline=None)
@given(
    subject=st.sampled_from(["", " về CCHC", ", thu chi ngân sách", " năm 2021", " thay KH 12", " (phụ lục)"]),
    clauses=st.lists(st.sampled_from(_NEAR_CLAUSES), max_size=3),
    end=st.sampled_from(["", ".", ";", " ."]),
    after=st.sampled_from(["500 cchc 2", "12", "x"]),
)
def test_clauses_after_a_prescribed_citation(subject: str, clauses: list[str], end: str, after: str) -> None:
    """Further clauses after a prescribed citation (its subject, or citations of their own) read the
    same with and without the shortcuts, and so does the type a bare number on the next line inherits."""
    rest = ";".join(["", *clauses]) if clauses else ""
    text = f"Công văn số 807/UBND-VP ngày 08/03/2021{subject}{rest}{end}\n{after}"
    _read_alike(text)


@settings(max_examples=300)
@given(
    st.lists(
        st.sampled_from(
            [
                "PA 5912",
                "5912 b1",
                "",
                "Kế hoạch số 1/KH-UBND ngày 2/1/2021 về CCHC",
                "500 cchc 2",
                "a\nBC 12\n13 x",
                "CV 397; 398",
                "\r\n",
                "bc 1467 thực hiện",
                "  - 12 kế hoạch",
                "http://a.vn/x.pdf",
            ]
        ),
        max_size=6,
    )
)
def test_items_read_as_one_cell(items: list[str]) -> None:
    """`parse_items` finds what `parse_evidence` finds in the items joined by newlines, item by item."""
    from cchc.evidence.citations import parse_items

    starts, offset = [], 0
    for item in items:
        starts.append(offset)
        offset += len(item) + 1
    expected = []
    for c in parse_evidence("\n".join(items)):
        index = max(i for i, s in enumerate(starts) if s <= c.start)
        expected.append((index, c._replace(start=c.start - starts[index], end=c.end - starts[index])))
    assert parse_items(items) == expected
    # With the answers of one card kept across its lists (read twice: the second time from them).
    seen: dict = {}
    assert parse_items(items, seen) == expected
    assert parse_items(items, seen) == expected
