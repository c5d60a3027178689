"""Evidence: the parser over the shipped scorecard, the evidence folder checks, the document index."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

from cchc.checks import check_file
from cchc.cli.app import app
from cchc.evidence.cited import (
    all_cited,
    check_date_conflicts,
    cited_in,
    group_documents,
    index_documents,
    report_date,
)
from cchc.scorecard.load import load_file, load_text
from cchc.scorecard.model import iter_criteria
from tests.conftest import SHIPPED


def shipped():  # type: ignore[no-untyped-def]
    loaded = load_file(SHIPPED)
    assert loaded.card is not None
    return loaded.card


def test_parser_recognises_most_of_the_shipped_evidence() -> None:
    card = shipped()
    items = [(node, i) for node, _, _ in iter_criteria(card.criteria) for i in range(len(node.evidence))]
    with_citation = {(id(c.node), c.item) for c in all_cited(card)}
    share = sum((id(node), i) in with_citation for node, i in items) / len(items)
    assert len(items) == 600
    assert share >= 0.95, share


def test_shipped_evidence_warnings_are_the_real_defects() -> None:
    report = check_file(SHIPPED)
    assert report.errors == 0
    counts = Counter(p.code for p in report.problems)
    assert counts == {
        "evidence-type-conflict": 6,
        "evidence-bad-date": 1,
        "evidence-date-conflict": 1,
        "evidence-date-range": 3,
        "evidence-unrecognised": 4,
    }
    messages = " | ".join(p.message for p in report.problems)
    assert "29/02/2021 không có thật" in messages
    assert "BC 1175/UBND được trích với ngày 29/10/2021" in messages and "30/10/2020" in messages


def test_bc_1467_is_leaned_on_most() -> None:
    top = index_documents(all_cited(shipped()))[0]
    assert (top.doc_type, top.number) == ("BC", "1467")
    assert len(top.criteria) > 40


def one_criterion(*evidence: str) -> str:
    """A card of one scored criterion whose evidence (from line 9) is ``evidence``, an item a line."""
    head = 'unit: A\nyear: 2021\ncriteria:\n  - id: "1"\n    title: F\n    max: 100\n    score: 100\n    evidence:\n'
    return head + "".join(f"      - {item}\n" for item in evidence)


def test_citations_map_back_to_their_items() -> None:
    text = one_criterion(
        "PA 5912",
        "5912  b1",
        "giải trình",
        "CV 7148",
    )
    loaded = load_text(text, "x.yaml")
    assert loaded.card is not None
    node = loaded.card.criteria[0]
    found = cited_in(node, loaded.locations(node))
    assert [(c.item, c.citation.doc_type, c.citation.number) for c in found] == [
        (0, "PA", "5912"),
        (1, "PA", "5912"),
        (3, "CV", "7148"),
    ]
    assert [c.location() for c in found] == [(9, 9), (10, 9), (12, 9)]


def test_report_date() -> None:
    card = shipped()
    assert report_date(card) is not None and report_date(card).isoformat() == "2021-12-25"  # type: ignore[union-attr]


CARD = one_criterion(
    "CV 1103 sau ktra.pdf",
    "Bao cao ket qua thuc hien kiem toan.pdf",
    "BC 1231.pdf",
    "CV 1232 sau ktra",
)


def test_evidence_dir_missing_and_unused(tmp_path: Path) -> None:
    folder = tmp_path / "tai-lieu"
    (folder / "sub").mkdir(parents=True)
    (folder / "CV 1103 sau ktra.pdf").write_bytes(b"%PDF")
    (folder / "Báo cáo kết quả thực hiện kiểm toán.PDF").write_bytes(b"%PDF")
    (folder / "CV 1232 sau ktra.pdf").write_bytes(b"%PDF")  # cited by its stem
    (folder / "sub" / "thừa.docx").write_bytes(b"x")
    (folder / ".hidden").write_bytes(b"x")
    card = tmp_path / "card.yaml"
    card.write_text(CARD, encoding="utf-8")
    problems = check_file(card, evidence_dir=folder).problems
    got = sorted((p.code, p.line, p.message) for p in problems)
    assert [(code, line) for code, line, _ in got] == [
        ("evidence-file-missing", 10),
        ("evidence-file-missing", 11),
        ("evidence-file-unused", None),
    ]
    assert "tệp gần giống nhất: 'Báo cáo kết quả thực hiện kiểm toán.PDF'" in got[0][2]
    assert "'BC 1231.pdf'" in got[1][2] and "gần giống" not in got[1][2]
    assert "'sub/thừa.docx'" in got[2][2]
    assert check_file(card).problems == []  # without the folder nothing is looked up


def test_evidence_command_text_and_json(tmp_path: Path) -> None:
    runner = CliRunner()
    text = runner.invoke(app, ["evidence", str(SHIPPED)], env={"COLUMNS": "200"})
    assert text.exit_code == 0
    first_row = next(line for line in text.output.splitlines() if "1467" in line)
    assert "thực hiện khcchc" in first_row
    data = json.loads(runner.invoke(app, ["evidence", "-f", "json", str(SHIPPED)]).output)
    assert data["documents"][0]["label"] == "BC 1467/UBND"
    assert data["documents"] == [d.to_dict() for d in index_documents(all_cited(shipped()))]
    assert {p["code"] for p in data["problems"]} >= {"evidence-bad-date", "evidence-date-conflict"}


def test_evidence_command_with_folder_and_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    card = tmp_path / "card.yaml"
    card.write_text(CARD, encoding="utf-8")
    result = runner.invoke(app, ["evidence", str(card), "--evidence-dir", str(tmp_path / "none")])
    assert result.exit_code == 2  # the folder must exist
    (tmp_path / "docs").mkdir()
    result = runner.invoke(app, ["validate", "--strict", str(card), "--evidence-dir", str(tmp_path / "docs")])
    assert result.exit_code == 1 and result.output.count("evidence-file-missing") == 3
    assert runner.invoke(app, ["evidence", str(tmp_path / "missing.yaml")]).exit_code == 2


def test_mapping_items_round_trip_through_one_line() -> None:
    from cchc.scorecard.model import EvidenceRef, evidence_item

    ref = EvidenceRef(
        doc="1280/KH-UBND",
        date="2020-12-30",
        title="Kế hoạch CCHC | năm 2021",
        file="evidence/kh-1280.pdf",
        pages="3-5",
    )
    line = str(ref)
    assert line.startswith("1280/KH-UBND | ngày: 2020-12-30 | trích yếu: ")
    assert evidence_item(line) == ref or "|" in (ref.title or "")  # a '|' inside a part stays text
    plain = EvidenceRef(doc="1280/KH-UBND", date="30/12/2020", file="kh.pdf")
    assert evidence_item(str(plain)) == plain
    assert evidence_item(str(EvidenceRef(file="a.pdf"))) == EvidenceRef(file="a.pdf")
    for text in ["CV 5168", "a | b", "BC 1 | ngày: x", "tệp: a.pdf"]:
        assert evidence_item(text) == text


def test_mapping_items_are_checked_like_text(tmp_path: Path) -> None:
    text = """\
unit: A
year: 2021
report: Báo cáo số 12/BC-UBND ngày 25/12/2021
criteria:
  - id: "1"
    title: F
    max: 100
    score: 100
    evidence:
      - {doc: Báo cáo số 05/KH-UBND, date: 2021-02-29, file: kh-1280.pdf}
      - doc: 1175/BC-UBND
        date: 30/10/2021
        title: kiểm điểm
      - bc 1175 ngày 29102021 kiểm điểm.pdf
"""
    card = tmp_path / "card.yaml"
    card.write_text(text, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "kh-1280.pdf").write_bytes(b"%PDF")
    problems = check_file(card, evidence_dir=tmp_path / "docs").problems
    assert sorted((p.code, p.line) for p in problems) == [
        ("evidence-bad-date", 10),
        ("evidence-date-conflict", 14),
        ("evidence-file-missing", 14),
        ("evidence-type-conflict", 10),
    ]
    loaded = load_text(text, "x.yaml")
    assert loaded.card is not None
    (doc,) = [d for d in index_documents(all_cited(loaded.card)) if d.number == "1175"]
    assert doc.subject == "kiểm điểm" and len(doc.dates) == 2


def test_date_conflicts_are_those_of_every_document(tmp_path: Path) -> None:
    # Issuers and years tell documents of one number apart; an impossible date conflicts with nothing.
    text = one_criterion(
        "Báo cáo số 12/BC-UBND ngày 01/02/2021",
        "Báo cáo số 12/BC-TU ngày 03/02/2021",
        "KH 5 ngày 01/03/2021",
        "Kế hoạch số 5/KH-UBND ngày 02/03/2021",
        "Kế hoạch số 5/KH-TU",
        "Kế hoạch số 5/KH-TU ngày 09/09/2021",
        "QĐ 7 ngày 31/02/2021 về a",
        "QĐ 7 ngày 01/01/2021 về b",
        "Báo cáo số 12/BC-UBND ngày 01/02/2021 lại",
        "bc 12 ngày 05/02/2021",
    )
    card = tmp_path / "card.yaml"
    card.write_text(text, encoding="utf-8")
    conflicts = [(p.line, p.args) for p in check_file(card).problems if p.code == "evidence-date-conflict"]
    assert conflicts == [
        (12, {"doc": "KH 5/UBND", "date": "02/03/2021", "other": "01/03/2021", "other_line": 11}),
        (18, {"doc": "BC 12/UBND", "date": "05/02/2021", "other": "01/02/2021", "other_line": 9}),
    ]
    loaded = load_text(text, "card.yaml")
    assert loaded.card is not None
    every = check_date_conflicts(group_documents(all_cited(loaded.card, loaded.locations)))
    assert sorted(((p.line, p.args) for p in every), key=lambda x: x[0]) == conflicts  # the report sorts by line
