"""`cchc total` on an appraised card and `cchc diff`: JSON equal to the library's, text, exit codes."""

from __future__ import annotations

import json
from decimal import Decimal
from decimal import Decimal as D
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cchc.checks import run_checks
from cchc.cli.app import app
from cchc.cli.reporters import total_json
from cchc.diff import appraisal_diff, card_diff
from cchc.scorecard.load import load_file
from cchc.scorecard.rollup import Row, rollup
from tests.appraised import appraised_text
from tests.conftest import CASES, SHIPPED

WIDE = {"COLUMNS": "200"}


@pytest.fixture(scope="module")
def appraised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-appraised") / "tham-dinh.yaml"
    path.write_text(appraised_text(target=path), encoding="utf-8")
    return path


def _root(path: Path) -> Row:
    card = load_file(path).card
    assert card is not None
    return rollup(card)


def _cells(output: str, marker: str) -> list[str]:
    line = next(line for line in output.splitlines() if marker in line)
    return [cell.strip() for cell in line.split("│") if cell.strip()]


def test_total_shows_the_final_appraisal_and_the_difference(runner: CliRunner, appraised: Path) -> None:
    result = runner.invoke(app, ["total", str(appraised)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "Điểm thẩm định" in result.output and "Chênh lệch" in result.output
    assert _cells(result.output, "TỔNG ĐIỂM") == ["TỔNG ĐIỂM", "100", "98,52", "98,45", "-0,07", "98,52"]
    assert _cells(result.output, "3.5.1.")[3:6] == ["0,4991", "0,45", "-0,0491"]
    assert _cells(result.output, "4.1.3.")[3:6] == ["0", "0,5", "+0,5"]
    assert result.output.strip().splitlines()[-2:] == [
        "Tự đánh giá 98,52; thẩm định lần 2/2: 98,45",
        "Điểm cuối cùng: 98,45 điểm = 80,45 (thẩm định lần 2) + 18 (điều tra xã hội học) + 0 (thưởng) − 0 (trừ); "
        "chỉ số 98,45 %",
    ]


def test_total_round_one(runner: CliRunner, appraised: Path) -> None:
    result = runner.invoke(app, ["total", "--round", "1", "--depth", "1", str(appraised)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "Điểm thẩm định lần 1" in result.output
    assert _cells(result.output, "TỔNG ĐIỂM")[3:5] == ["98,20", "-0,32"]
    assert _cells(result.output, "Công tác chỉ đạo")[4:6] == ["13,75", "-0,25"]


def test_total_narrow_terminal_keeps_every_number(runner: CliRunner, appraised: Path) -> None:
    result = runner.invoke(app, ["total", "--depth", "1", "--width", "80", str(appraised)])
    assert result.exit_code == 0
    # The table fits; the closing lines are one line each whatever the width (a pipe gets them whole).
    assert all(len(line) <= 80 for line in result.output.splitlines() if line[:1] in "┏┃┡│├└")
    assert _cells(result.output, "TỔNG ĐIỂM") == ["TỔNG ĐIỂM", "100", "98,52", "98,45", "-0,07", "98,52"]
    assert "…" not in result.output


def test_total_declared_round_mismatch(runner: CliRunner) -> None:
    result = runner.invoke(app, ["total", str(CASES / "appraisal-mismatch.yaml")], env=WIDE)
    assert result.exit_code == 1
    assert "100 ≠ khai 95" in result.output and "90 ≠ khai 95" not in result.output
    assert "2 tổng điểm thẩm định khai lệch với số tính lại" in result.output


def test_total_bad_round_exits_2(runner: CliRunner, appraised: Path) -> None:
    result = runner.invoke(app, ["total", "--round", "3", str(appraised)])
    assert result.exit_code == 2 and "--round phải từ 1 đến 2, không phải 3" in result.output
    result = runner.invoke(app, ["total", "--round", "1", str(SHIPPED)])
    assert result.exit_code == 2 and "chưa có điểm thẩm định" in result.output
    assert runner.invoke(app, ["total", "--round", "0", str(appraised)]).exit_code == 2


def test_total_json_has_rounds_and_final_points(runner: CliRunner, appraised: Path) -> None:
    result = runner.invoke(app, ["total", "--format", "json", str(appraised)])
    assert result.exit_code == 0
    loaded = load_file(appraised)
    assert loaded.card is not None
    data = json.loads(result.output)
    assert data == total_json(str(appraised), loaded.card, rollup(loaded.card), run_checks(loaded).problems)
    top = data["total"]
    assert (top["rounds"], top["final"], top["final_index"], top["appraised_part"], top["survey"]) == (
        2,
        "98.45",
        "98.45",
        "80.45",
        "18",
    )
    field = data["total"]["children"][0]
    assert [Decimal(v) for v in field["appraisal_rounds"]] == [Decimal("13.75"), Decimal(14)]
    assert Decimal(field["appraised"]) == 14 and field["appraisal_ok"] is True
    assert field["declared_appraisal"] == ["13.75", "14"]


def test_diff_file_json_equals_library(runner: CliRunner, appraised: Path) -> None:
    for args, round_no in (
        (["diff", "--format", "json", str(appraised)], None),
        (["diff", "--round", "1", "-f", "json", str(appraised)], 1),
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 1, result.output
        assert json.loads(result.output) == appraisal_diff(str(appraised), _root(appraised), round_no).to_dict()


def test_diff_file_text(runner: CliRunner, appraised: Path) -> None:
    result = runner.invoke(app, ["diff", str(appraised)], env=WIDE)
    assert result.exit_code == 1
    cells = _cells(result.output, "3.5.1.")
    assert cells[0] == "37" and cells[1].startswith("3.5.1. Tỷ lệ TTHC") and cells[2:5] == ["0,4991", "0,45", "-0,0491"]
    assert "Không chấp nhận giải trình" in result.output and "1.1.1." not in result.output
    assert "Lĩnh vực 4. Cải cách tổ chức bộ máy hành chính nhà nước: +0,5" in result.output
    assert result.output.strip().splitlines()[-1] == "Tổng chênh lệch: -0,07"
    narrow = runner.invoke(app, ["diff", "--round", "1", "--width", "80", str(appraised)])
    assert all(len(line) <= 80 for line in narrow.output.splitlines())
    folded = " ".join(narrow.output.replace("│", " ").split())
    assert "Ý kiến thẩm định: Kế hoạch ban hành muộn" in folded and "Giải trình: Kế hoạch số 1280" in folded


def test_diff_file_without_appraisal_is_no_difference(runner: CliRunner) -> None:
    result = runner.invoke(app, ["diff", str(SHIPPED)])
    assert result.exit_code == 0 and "chưa có điểm thẩm định" in result.output
    data = json.loads(runner.invoke(app, ["diff", "-f", "json", str(SHIPPED)]).output)
    assert data["changes"] == [] and data["total_delta"] == "0"


def test_diff_two_cards(runner: CliRunner, appraised: Path) -> None:
    args = [str(SHIPPED), str(appraised)]
    result = runner.invoke(app, ["diff", "--format", "json", *args])
    assert result.exit_code == 1
    expected = card_diff(args[0], _root(SHIPPED), args[1], _root(appraised), D("98.52"), D("98.45"))
    assert json.loads(result.output) == expected.to_dict()
    text = runner.invoke(app, ["diff", *args], env=WIDE)
    assert text.exit_code == 1
    assert _cells(text.output, "5.4.3.")[2:] == ["1,5", "1,5", "— → 1", "-0,5"]
    assert text.output.strip().splitlines()[-1] == "Điểm cuối cùng: 98,52 → 98,45 (-0,07)"
    same = runner.invoke(app, ["diff", str(SHIPPED), str(SHIPPED)])
    assert same.exit_code == 0 and "Hai bảng không khác nhau" in same.output


def test_diff_two_cards_added_and_removed(runner: CliRunner, tmp_path: Path) -> None:
    new = tmp_path / "new.yaml"
    new.write_text(SHIPPED.read_text(encoding="utf-8").replace('id: "1.7"', 'id: "1.8"'), encoding="utf-8")
    result = runner.invoke(app, ["diff", str(SHIPPED), str(new)], env=WIDE)
    assert result.exit_code == 1
    assert "Thêm mới (1): 1.8" in result.output and "Bỏ đi (1): 1.7" in result.output
    data = json.loads(runner.invoke(app, ["diff", "-f", "json", str(SHIPPED), str(new)]).output)
    assert (data["added"], data["removed"], data["total_delta"]) == (["1.8"], ["1.7"], "0")


def test_diff_bad_input_exits_2(runner: CliRunner, tmp_path: Path, appraised: Path) -> None:
    missing = runner.invoke(app, ["diff", str(SHIPPED), str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2 and "file-unreadable" in missing.output
    assert runner.invoke(app, ["diff", str(CASES / "yaml-syntax.yaml")]).exit_code == 2
    assert runner.invoke(app, ["diff"]).exit_code == 2
    three = runner.invoke(app, ["diff", str(SHIPPED), str(SHIPPED), str(SHIPPED)])
    assert three.exit_code == 2 and "không phải 3" in three.output
    assert runner.invoke(app, ["diff", "--round", "1", str(SHIPPED), str(appraised)]).exit_code == 2
    assert runner.invoke(app, ["diff", "--round", "5", str(appraised)]).exit_code == 2


def test_diff_in_english(runner: CliRunner, appraised: Path) -> None:
    result = runner.invoke(app, ["--lang", "en", "diff", str(appraised)], env=WIDE)
    assert "Council's note" in result.output and "Total difference: -0.07" in result.output
