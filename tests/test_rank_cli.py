"""``cchc rank`` and ``cchc report`` through the command line: JSON equal to the library's, text that fits
and is never cut, exit codes, options refused before any work."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from rich.cells import cell_len
from typer.testing import CliRunner

from cchc.checks import check_file, discover
from cchc.cli.app import app
from cchc.reports.ranking import parse_bands, rank
from cchc.reports.summary import summarize_files
from tests.conftest import SHIPPED
from tests.rankcards import Cards


def library(paths: list[Path], **options: object) -> dict[str, object]:
    """What the library says about the cards under ``paths``."""
    return rank(summarize_files(discover([str(p) for p in paths])), **options).to_dict()  # type: ignore[arg-type]


def test_json_equals_the_library_ranking(runner: CliRunner, cards: Cards) -> None:
    main = cards.ranked[0].parent
    result = runner.invoke(app, ["rank", str(main), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == library([main])


def test_json_with_previous_bands_and_by(runner: CliRunner, cards: Cards) -> None:
    main, before = cards.ranked[0].parent, cards.previous[0].parent
    result = runner.invoke(
        app,
        [
            "rank",
            str(main),
            "-f",
            "json",
            "--previous",
            str(before),
            "--by",
            "self",
            "--bands",
            "Tốt=90,Khá=80,Trung bình=65,Yếu=0",
            "-j",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    expected = rank(
        summarize_files(discover([str(main)])),
        parse_bands("Tốt=90,Khá=80,Trung bình=65,Yếu=0"),
        "self",
        summarize_files(discover([str(before)])),
    ).to_dict()
    assert json.loads(result.stdout) == expected
    assert any(u["rank_change"] is not None for u in expected["units"])  # type: ignore[index, union-attr]


def test_cards_left_out_exit_1_listed_below_the_ranking(runner: CliRunner, cards: Cards) -> None:
    main = cards.ranked[0].parent
    result = runner.invoke(app, ["rank", str(main), str(cards.error), str(cards.duplicate)])
    assert result.exit_code == 1
    text = result.stdout
    assert text.index("Xếp hạng Chỉ số CCHC năm 2021") < text.index("Không xếp hạng (3 tệp)")
    assert "1 lỗi" in text and "đơn vị có hơn một bảng" in text
    assert text.rstrip().endswith("25 đơn vị được xếp hạng, 3 tệp không xếp hạng, 0 cảnh báo")
    (wrong,) = [p for p in check_file(cards.error).problems if p.code == "score-above-max"]
    assert f"{wrong.location()}: lỗi score-above-max" in result.stderr
    assert f"{cards.duplicate}:2:7: lỗi rank-duplicate-unit" in result.stderr
    data = json.loads(runner.invoke(app, ["rank", str(main), str(cards.error), "-f", "json"]).stdout)
    assert data["unranked"][0]["file"] == str(cards.error) and data["unranked"][0]["errors"] == 1


def test_mixed_years_warn_but_rank(runner: CliRunner, cards: Cards) -> None:
    result = runner.invoke(app, ["rank", str(cards.ranked[0].parent), str(cards.other_year)])
    assert result.exit_code == 0
    assert f"{cards.other_year}:3:7: cảnh báo rank-mixed-years" in result.stderr
    assert "Năm" in result.stdout  # the year column appears when the years differ


def test_text_fits_80_columns_and_keeps_every_rank_and_index(runner: CliRunner, cards: Cards) -> None:
    result = runner.invoke(
        app,
        [
            "rank",
            str(cards.ranked[0].parent),
            str(cards.other_level),
            "--fields",
            "--previous",
            str(cards.previous[0].parent),
            "--width",
            "80",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    data = library(
        [cards.ranked[0].parent, cards.other_level], previous=summarize_files([str(p) for p in cards.previous])
    )
    for unit in data["units"]:  # type: ignore[attr-defined]
        index = unit["index"]
        shown = f"{round(float(index), 2):.2f}".replace(".", ",")
        assert any(line.lstrip().startswith(f"{unit['rank']} ") and shown in line for line in lines), unit["unit"]
    assert "Chỉ số theo lĩnh vực (%) (1/2)" in result.stdout  # 8 fields do not fit 80 columns in one table
    assert "Lĩnh vực 8: Điều tra xã hội học" in result.stdout
    assert "Cấp" in result.stdout and "xã" in result.stdout  # the level column: levels differ


def test_piped_text_keeps_every_column_whole(runner: CliRunner, cards: Cards) -> None:
    result = runner.invoke(app, ["rank", str(cards.ranked[0].parent), "--fields"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Xếp hạng Chỉ số CCHC năm 2021 — huyện")  # the title at the left
    assert any(line.lstrip().startswith("1  UBND thành phố Thanh Hóa ") for line in lines)  # never wrapped
    assert "Chỉ số theo lĩnh vực (%)" in result.stdout and "(1/2)" not in result.stdout  # one matrix


def test_english(runner: CliRunner, cards: Cards) -> None:
    result = runner.invoke(app, ["--lang", "en", "rank", str(cards.ranked[0].parent)])
    assert result.exit_code == 0
    assert "PAR Index ranking 2021 — district" in result.stdout
    assert "26 unit(s) ranked, 0 file(s) not ranked, 0 warning(s)" in result.stdout


def test_bad_bands_refused_with_the_reason(runner: CliRunner, cards: Cards) -> None:
    result = runner.invoke(app, ["rank", str(cards.ranked[0]), "--bands", "Tốt=120"])
    assert result.exit_code == 2
    assert "cchc: --bands: ngưỡng 120 của nhóm Tốt phải từ 0 đến 100" in result.stderr
    assert result.stdout == ""


def test_a_folder_without_cards_is_reported_exit_2(runner: CliRunner, cards: Cards, tmp_path: Path) -> None:
    result = runner.invoke(app, ["rank", str(cards.ranked[0]), str(tmp_path), "-f", "json"])
    assert result.exit_code == 2
    assert f"{tmp_path}: lỗi no-scorecard" in result.stderr
    data = json.loads(result.stdout)
    assert len(data["units"]) == 1
    assert [(u["file"], u["reason"]) for u in data["unranked"]] == [(str(tmp_path), "unreadable")]


def test_xlsx_written_and_never_overwritten_without_force(runner: CliRunner, cards: Cards, tmp_path: Path) -> None:
    out = tmp_path / "xep-hang.xlsx"
    main = str(cards.ranked[0].parent)
    result = runner.invoke(app, ["rank", main, "--xlsx", str(out)])
    assert result.exit_code == 0 and f"Đã ghi {out}" in result.stderr
    assert openpyxl.load_workbook(out, data_only=True).sheetnames == ["Xếp hạng", "Theo lĩnh vực"]
    again = runner.invoke(app, ["rank", main, "--xlsx", str(out)])
    assert again.exit_code == 2 and again.stdout == ""  # refused before any work
    assert runner.invoke(app, ["rank", main, "--xlsx", str(out), "--force"]).exit_code == 0
    wrong = runner.invoke(app, ["rank", main, "--xlsx", str(tmp_path / "x.csv")])
    assert wrong.exit_code == 2


def test_report_many_cards_writes_the_ranking_page(runner: CliRunner, cards: Cards, tmp_path: Path) -> None:
    out = tmp_path / "xep-hang.html"
    result = runner.invoke(app, ["report", str(cards.ranked[0].parent), str(cards.error), "--html", str(out)])
    assert result.exit_code == 1  # a card left out
    assert f"Đã ghi báo cáo {out}" in result.stderr and "score-above-max" in result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.count('<rect class="fill bar"') == 26 + 26 * 8  # the index chart, then each unit's fields
    assert "Lập bằng cchc" in page and "từ 27 bảng chấm điểm" in page


def test_report_one_card_writes_its_page(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "the.html"
    result = runner.invoke(app, ["report", str(SHIPPED), "--html", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "Chỉ số cải cách hành chính năm 2021 — UBND thành phố Thanh Hóa" in page
    assert 'class="evidence"' in page and 'class="ranking"' not in page


def test_report_refuses_a_card_with_errors_and_writes_nothing(runner: CliRunner, cards: Cards, tmp_path: Path) -> None:
    out = tmp_path / "bad.html"
    result = runner.invoke(app, ["report", str(cards.error), "--html", str(out)])
    assert result.exit_code == 1 and "score-above-max" in result.stderr
    assert not out.exists()


def test_report_options_checked_first(runner: CliRunner, tmp_path: Path) -> None:
    missing = runner.invoke(app, ["report", str(SHIPPED)])
    assert missing.exit_code == 2 and "--html" in missing.output
    suffix = runner.invoke(app, ["report", str(SHIPPED), "--html", str(tmp_path / "page.pdf")])
    assert suffix.exit_code == 2 and ".html" in suffix.stderr
    exists = tmp_path / "page.html"
    exists.write_text("giữ nguyên", encoding="utf-8")
    refused = runner.invoke(app, ["report", str(SHIPPED), "--html", str(exists)])
    assert refused.exit_code == 2 and exists.read_text(encoding="utf-8") == "giữ nguyên"


def test_custom_bands_in_the_text(runner: CliRunner, cards: Cards) -> None:
    result = runner.invoke(app, ["rank", str(cards.ranked[0].parent), "--bands", "Tốt=90;Khá=80;Trung bình=65"])
    assert result.exit_code == 0
    assert "Xếp loại: Tốt ≥ 90 %; Khá ≥ 80 %; Trung bình ≥ 65 %; dưới 65 %: không xếp loại" in result.stdout
    everyone = runner.invoke(app, ["rank", str(cards.ranked[0].parent), "--bands", "Tốt=90,Yếu=0"])
    assert "Xếp loại: Tốt ≥ 90 %; Yếu ≥ 0 %\n" in everyone.stdout  # no "below 0 %"


def test_terminal_table_shows_appraised_final_and_applicable_max_when_they_differ() -> None:
    from decimal import Decimal as D

    from rich.console import Console

    from cchc.cli.ranking import ranking_table
    from cchc.reports.summary import Summary

    appraised = Summary(
        file="a.yaml",
        unit="Sở A",
        level="so",
        year=2021,
        self_total=D(95),
        appraised=D(80),
        final=D(80),
        max=D(100),
        applicable_max=D(84),
        fields=(),
    )
    console = Console(width=200, record=True)
    console.print(ranking_table(rank([appraised]), 200))
    lines = console.export_text().splitlines()
    header, row = lines[1], lines[3]
    assert header.split() == [
        "Hạng",
        "Đơn",
        "vị",
        "Tự",
        "đánh",
        "giá",
        "Thẩm",
        "định",
        "Điểm",
        "đạt",
        "Tối",
        "đa",
        "áp",
        "dụng",
        "Chỉ",
        "số",
        "(%)",
        "Xếp",
        "loại",
    ]
    assert row.split() == ["1", "Sở", "A", "95,00", "80,00", "80,00", "84", "95,24", "A"]
