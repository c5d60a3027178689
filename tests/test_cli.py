"""The command line: output, JSON equal to the library's report, exit codes, language."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cchc_cli.checks import check_files, run_checks
from cchc_cli.cli import app
from cchc_cli.load import load_file
from cchc_cli.messages import set_language
from cchc_cli.render import total_json
from cchc_cli.rollup import rollup
from tests.conftest import CASES, MINIMAL, SHIPPED

WARN_ONLY = MINIMAL.replace("    evidence: [KH 1]\n", "")


def test_validate_shipped_is_clean(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", str(SHIPPED)])
    assert result.exit_code == 0, result.output
    # the warnings are the real table's citation defects (tests/test_evidence.py)
    assert result.output.strip().endswith("1 tệp, 0 lỗi, 15 cảnh báo")


def test_validate_errors_exit_1_with_locations(runner: CliRunner) -> None:
    path = CASES / "score-above-max.yaml"
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:11:16: lỗi score-above-max Điểm tự đánh giá 0,75 của tiêu chí 1.1 lớn hơn điểm chuẩn 0,5" \
        in result.output


def test_warnings_pass_unless_strict(runner: CliRunner, write) -> None:  # type: ignore[no-untyped-def]
    path = write(WARN_ONLY)
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0
    strict = runner.invoke(app, ["validate", "--strict", str(path)])
    assert strict.exit_code == 1 and "no-evidence" in strict.output


def test_unreadable_file_exits_2_and_others_still_checked(runner: CliRunner, tmp_path: Path) -> None:
    bad = CASES / "duplicate-id.yaml"
    result = runner.invoke(app, ["validate", str(tmp_path / "missing.yaml"), str(bad), str(SHIPPED)])
    assert result.exit_code == 2
    assert "file-unreadable" in result.output and "duplicate-id" in result.output
    assert "3 tệp, 2 lỗi, 15 cảnh báo, 1 tệp không đọc được" in result.output


def test_json_output_equals_library_report(runner: CliRunner) -> None:
    files = [str(CASES / "bad-number.yaml"), str(CASES / "yaml-syntax.yaml"), str(SHIPPED)]
    result = runner.invoke(app, ["validate", "--format", "json", *files])
    assert result.exit_code == 1
    assert json.loads(result.output) == check_files(files).to_dict()


def test_bad_options_exit_2(runner: CliRunner) -> None:
    assert runner.invoke(app, ["validate"]).exit_code == 2
    assert runner.invoke(app, ["validate", "--format", "xml", str(SHIPPED)]).exit_code == 2
    assert runner.invoke(app, ["--lang", "fr", "validate", str(SHIPPED)]).exit_code == 2
    assert runner.invoke(app, ["total", "--depth", "0", str(SHIPPED)]).exit_code == 2


def test_english_messages(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--lang", "en", "validate", str(CASES / "score-above-max.yaml")])
    assert "error score-above-max self score 0,75 of criterion 1.1 is above its max 0,5" in result.output
    assert "1 file(s), 1 error(s), 0 warning(s)" in result.output


def test_total_shipped_ends_with_98_52(runner: CliRunner) -> None:
    result = runner.invoke(app, ["total", str(SHIPPED)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    total_row = next(line for line in lines if "TỔNG ĐIỂM" in line)
    cells = [c.strip() for c in total_row.split("│") if c.strip()]
    assert cells == ["TỔNG ĐIỂM", "100", "98,52", "98,52"]
    for value in ["12,9491", "12,5709", "13,5", "0,4991", "VIII"]:
        assert value in result.output
    assert lines[-1] == "Mọi số khai khớp với số tính lại: 98,52/100 điểm (98,52 %)"


def test_total_depth_limits_rows(runner: CliRunner) -> None:
    result = runner.invoke(app, ["total", "--depth", "1", str(SHIPPED)], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    assert "Hiện đại hóa hành chính" in result.output and "1.1.1." not in result.output


def test_total_json_equals_library(runner: CliRunner) -> None:
    result = runner.invoke(app, ["total", "--format", "json", str(SHIPPED)])
    assert result.exit_code == 0
    loaded = load_file(str(SHIPPED))
    assert loaded.card is not None
    expected = total_json(str(SHIPPED), loaded.card, rollup(loaded.card), run_checks(loaded).problems)
    data = json.loads(result.output)
    assert data == expected
    assert data["total"]["score"] == "98.5200" and data["total"]["max"] == "100.00"
    assert data["total"]["children"][2]["score"] == "12.9491"


def test_total_mismatch_exit_1_shows_both_values(runner: CliRunner) -> None:
    result = runner.invoke(app, ["total", str(CASES / "score-mismatch.yaml")], env={"COLUMNS": "160"})
    assert result.exit_code == 1
    assert "98,5249 ≠ khai 98,5" in result.output
    assert "98,52 ≠ khai 98,53" in result.output
    assert "2 số khai lệch với số tính lại" in result.output


def test_total_unusable_file(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(app, ["total", str(tmp_path / "none.yaml")]).exit_code == 2
    result = runner.invoke(app, ["total", str(CASES / "yaml-syntax.yaml")])
    assert result.exit_code == 1 and "yaml-syntax" in result.output


def test_help_for_every_command(runner: CliRunner) -> None:
    for command in ["validate", "total", "export", "schema"]:
        result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0
        assert "--help" in result.output
    assert "Kiểm tra một hay nhiều tệp" in runner.invoke(app, ["validate", "--help"],
                                                      env={"COLUMNS": "200"}).output


def test_internal_error_is_one_line_exit_3(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) \
        -> None:
    import cchc_cli.checks as checks
    from cchc_cli import cli

    def boom(_paths: list[str]) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(checks, "check_files", boom)
    monkeypatch.setattr(sys, "argv", ["cchc", "validate", str(SHIPPED)])
    with pytest.raises(SystemExit) as info:
        cli.main()
    assert info.value.code == 3
    err = capsys.readouterr().err
    assert "lỗi nội bộ" in err and "Traceback" not in err


def test_python_dash_m_and_console_script() -> None:
    result = subprocess.run([sys.executable, "-m", "cchc_cli", "validate", str(SHIPPED)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "0 lỗi" in result.stdout
    version = subprocess.run([sys.executable, "-m", "cchc_cli", "--version"], capture_output=True, text=True,
                             check=False)
    assert version.stdout.startswith("cchc ")


def teardown_module() -> None:
    set_language("vi")


def test_error_messages_print_paths_with_brackets_verbatim(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "[bold]x" / "a.xlsx"
    result = runner.invoke(app, ["export", str(SHIPPED), "--xlsx", str(out)])
    assert result.exit_code == 2
    assert "[bold]x" in result.output
