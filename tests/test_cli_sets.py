"""The command line for criteria sets: validate/total --criteria-set, init, set-from-card, schema --set."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cchc.checks import check_files, run_checks
from cchc.checks.sets import set_for_card
from cchc.cli.app import app
from cchc.cli.reporters import total_json
from cchc.scorecard.criteria_set import CriteriaSet
from cchc.scorecard.final import final
from cchc.scorecard.load import load_file
from cchc.scorecard.rollup import rollup
from cchc.scorecard.schema import schema_text
from cchc.scorecard.terms import terms_of
from tests.conftest import CASES, ROOT, SHIPPED

SHIPPED_SET = ROOT / "criteria" / "thanh-hoa-huyen-2021.yaml"

SET = """\
set: Bộ tiêu chí thử cấp xã năm 2023
level: xa
year: 2023
bonus_cap: 2
penalty_cap: 1
criteria:
  - id: "1"
    title: Cải cách thủ tục hành chính
    max: 100
    children:
      - id: "1.1"
        title: Tỷ lệ hồ sơ giải quyết đúng hạn
        max: 0,5
        rule: rate
      - id: "1.2"
        title: Số cuộc họp về CCHC trong năm
        max: 20
        steps:
          - {from: 4, points: 20}
          - {from: 3, points: 15}
          - {from: 2, points: 10}
          - {from: 1, points: 5}
      - id: "1.3"
        title: Tỷ lệ đơn vị sự nghiệp tự chủ
        max: 16
        rule: rate
      - id: "1.4"
        title: Các nhiệm vụ khác
        max: 63,5
"""

CARD = """\
unit: UBND xã A
year: 2023
level: xa
criteria_set: ../criteria/xa.yaml
bonus:
  - points: 1
    reason: Sáng kiến được công nhận
    evidence: [QĐ 1234/QĐ-UBND]
criteria:
  - id: "1"
    title: Cải cách thủ tục hành chính
    children:
      - id: "1.1"
        title: Tỷ lệ hồ sơ giải quyết đúng hạn
        max: 0,5
        value: 4991/5000
        evidence: [BC 1467/BC-UBND]
      - id: "1.2"
        title: Số cuộc họp về CCHC trong năm
        max: 20
        value: "3"
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


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """criteria/xa.yaml and cards/xa-a.yaml naming it."""
    (tmp_path / "criteria").mkdir()
    (tmp_path / "cards").mkdir()
    (tmp_path / "criteria" / "xa.yaml").write_text(SET, encoding="utf-8")
    (tmp_path / "cards" / "xa-a.yaml").write_text(CARD, encoding="utf-8")
    return tmp_path


def test_total_shows_computed_scores_not_applicable_rows_and_the_final_points(runner: CliRunner, tree: Path) -> None:
    result = runner.invoke(app, ["total", str(tree / "cards" / "xa-a.yaml")], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn (99,82%)" in out and "0,4991 (tính)" in out
    assert "Số cuộc họp về CCHC trong năm (3)" in out and "15 (tính)" in out
    assert "Không áp dụng" in out
    # the closing lines are whole even in a narrow terminal or a pipe
    narrow = runner.invoke(app, ["total", str(tree / "cards" / "xa-a.yaml")], env={"COLUMNS": "60"}).output
    assert "Điểm tối đa áp dụng: 84 (bỏ 16 điểm không áp dụng)\n" in narrow
    assert (
        "Điểm cuối cùng: 69,32 điểm = 68,32 (tự chấm) + 0 (điều tra xã hội học) + 1 (thưởng) − 0 (trừ); "
        "chỉ số 82,52 %\n"
    ) in narrow


def test_total_json_equals_the_library(runner: CliRunner, tree: Path) -> None:
    card = tree / "cards" / "xa-a.yaml"
    result = runner.invoke(app, ["total", "-f", "json", str(card)])
    assert result.exit_code == 0
    loaded = load_file(card)
    assert loaded.card is not None
    terms = terms_of(set_for_card(loaded).criteria_set)
    root = rollup(loaded.card, terms)
    expected = total_json(str(card), loaded.card, root, run_checks(loaded).problems, final(loaded.card, root, terms))
    data = json.loads(result.stdout)
    assert data == expected
    top = data["total"]
    assert (top["applicable_max"], top["bonus"], top["penalty"], top["final"], top["final_index"]) == (
        "84",
        "1",
        "0",
        "69.32",
        "82.5238",
    )
    leaf = top["children"][0]["children"][0]
    assert (leaf["rule"], leaf["value"], leaf["rate_percent"], leaf["computed"]) == ("rate", "4991/5000", "99.82", True)
    assert top["children"][0]["children"][2]["applicable_max"] == "0"


def test_one_set_for_many_cards_from_the_command_line(runner: CliRunner, tree: Path) -> None:
    """A council checks cards that name no set (or another one) against the official set."""
    bare = CARD.replace("criteria_set: ../criteria/xa.yaml\n", "").replace("year: 2023", "year: 2022")
    for i in range(3):
        (tree / "cards" / f"xa-{i}.yaml").write_text(bare, encoding="utf-8")
    the_set = str(tree / "criteria" / "xa.yaml")
    result = runner.invoke(app, ["validate", "-f", "json", "--criteria-set", the_set, str(tree / "cards")])
    paths = sorted(str(p) for p in (tree / "cards").glob("*.yaml"))
    assert json.loads(result.stdout) == check_files(paths, criteria_set=the_set).to_dict()
    codes = [p["code"] for f in json.loads(result.stdout)["files"] for p in f["problems"]]
    assert codes.count("set-year-differs") == 3  # the three cards for 2022; xa-a is for the set's 2023
    assert result.exit_code == 0


def test_a_missing_set_on_the_command_line(runner: CliRunner, tree: Path) -> None:
    result = runner.invoke(
        app, ["validate", "--criteria-set", str(tree / "nope.yaml"), str(tree / "cards" / "xa-a.yaml")]
    )
    assert result.exit_code == 1
    assert "lỗi set-not-found Không đọc được bộ tiêu chí" in result.output
    folder = runner.invoke(
        app, ["validate", "--criteria-set", str(tree / "criteria"), str(tree / "cards" / "xa-a.yaml")]
    )
    assert "set-not-found" in folder.output and "đây là một thư mục" in folder.output


def test_validate_a_set_file_and_english(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", str(SHIPPED_SET), str(CASES / "steps-not-descending.yaml")])
    assert result.exit_code == 1
    assert "steps-not-descending Bậc thứ 2 của tiêu chí 1 (from: 4) không nhỏ hơn bậc trước (2)" in result.output
    english = runner.invoke(app, ["--lang", "en", "validate", str(CASES / "set-max-differs.yaml")])
    assert "error set-max-differs the max of criterion 1.1 is 50; the set says 60" in english.output


def test_init_writes_a_blank_card_that_names_its_set(runner: CliRunner, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "criteria", tmp_path / "criteria")
    out = tmp_path / "cards" / "dong-son.yaml"
    out.parent.mkdir()
    result = runner.invoke(
        app, ["init", str(tmp_path / "criteria" / SHIPPED_SET.name), "-o", str(out), "--unit", "UBND huyện Đông Sơn"]
    )
    assert result.exit_code == 0, result.output
    assert f"Đã ghi {out} từ bộ tiêu chí" in result.output and "98 tiêu chí" in result.output
    text = out.read_text(encoding="utf-8")
    assert 'criteria_set: "../criteria/thanh-hoa-huyen-2021.yaml"\n' in text
    assert "unit: UBND huyện Đông Sơn\nyear: 2021\nlevel: huyen\n" in text
    report = check_files([str(out)])
    assert report.errors == 0 and {p.code for p in report.problems()} == {"unscored"}
    again = runner.invoke(app, ["init", str(tmp_path / "criteria" / SHIPPED_SET.name), "-o", str(out), "--unit", "X"])
    assert again.exit_code == 2 and "--force" in again.output
    forced = runner.invoke(
        app,
        [
            "init",
            str(tmp_path / "criteria" / SHIPPED_SET.name),
            "-o",
            str(out),
            "--unit",
            "UBND huyện Hà Trung",
            "--year",
            "2022",
            "--force",
        ],
    )
    assert forced.exit_code == 0
    assert "unit: UBND huyện Hà Trung\nyear: 2022\n" in out.read_text(encoding="utf-8")
    # the year differs from the set's: validate says so
    assert [p.code for p in check_files([str(out)]).problems() if p.code.startswith("set-")] == ["set-year-differs"]


def test_init_refuses_what_is_not_a_usable_set(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "card.yaml"
    not_a_set = runner.invoke(app, ["init", str(SHIPPED), "-o", str(out), "--unit", "A"])
    assert not_a_set.exit_code == 1 and "không phải bộ tiêu chí" in not_a_set.output
    broken = runner.invoke(app, ["init", str(CASES / "sets" / "broken-set.yaml"), "-o", str(out), "--unit", "A"])
    assert broken.exit_code == 1 and "có lỗi" in broken.output
    no_year = runner.invoke(
        app,
        [
            "init",
            str(CASES / "sets" / "broken-set.yaml").replace("broken-set", "small-set"),
            "-o",
            str(out),
            "--unit",
            "A",
        ],
    )
    assert no_year.exit_code == 0  # small-set has a year
    yearless = tmp_path / "yearless.yaml"
    yearless.write_text(SET.replace("year: 2023\n", ""), encoding="utf-8")
    refused = runner.invoke(app, ["init", str(yearless), "-o", str(tmp_path / "c2.yaml"), "--unit", "A"])
    assert refused.exit_code == 2 and "--year" in refused.output
    missing = runner.invoke(app, ["init", str(tmp_path / "none.yaml"), "-o", str(tmp_path / "c3.yaml"), "--unit", "A"])
    assert missing.exit_code == 2 and not (tmp_path / "c3.yaml").exists()
    empty_unit = runner.invoke(app, ["init", str(yearless), "-o", str(tmp_path / "c4.yaml"), "--unit", " "])
    assert empty_unit.exit_code == 2


def test_set_from_card_round_trips_the_shipped_card(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "set.yaml"
    result = runner.invoke(
        app,
        ["set-from-card", str(SHIPPED), "-o", str(out), "--name", "Bộ thử", "--issued-by", "Quyết định số 1/QĐ-UBND"],
    )
    assert result.exit_code == 0, result.output
    made = load_file(out)
    assert made.criteria_set is not None and made.problems == []
    assert (made.criteria_set.set, made.criteria_set.issued_by) == ("Bộ thử", "Quyết định số 1/QĐ-UBND")
    assert check_files([str(out)]).problems() == []
    # the shipped card is clean against the set made from it
    report = check_files([str(SHIPPED)], criteria_set=str(out))
    assert report.errors == 0 and not [p for p in report.problems() if p.code.startswith("set-")]


def test_set_from_card_refuses_a_card_with_errors(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["set-from-card", str(CASES / "max-mismatch.yaml"), "-o", str(tmp_path / "s.yaml")])
    assert result.exit_code == 1 and not (tmp_path / "s.yaml").exists()
    assert "max-mismatch" in result.output


def test_schema_set_is_the_committed_schema(runner: CliRunner) -> None:
    result = runner.invoke(app, ["schema", "--set"])
    assert result.exit_code == 0
    assert (
        result.stdout
        == schema_text(CriteriaSet)
        == (ROOT / "schemas" / "criteria-set.schema.json").read_text(encoding="utf-8")
    )
