"""The command line: output, JSON equal to the library's report, exit codes, language."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cchc import __version__

from cchc.cli import app as cli

from cchc import messages
from cchc.checks import check_files, run_checks
from cchc.cli.app import app
from cchc.scorecard.load import load_file
from cchc.messages import set_language
from cchc.cli.reporters import total_json
from cchc.scorecard.rollup import rollup
from tests.conftest import CASES, MINIMAL, SHIPPED, CliRunner, Result

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
    import cchc.checks as checks
    from cchc.cli import app as cli

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
    result = subprocess.run([sys.executable, "-m", "cchc", "validate", str(SHIPPED)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "0 lỗi" in result.stdout
    version = subprocess.run([sys.executable, "-m", "cchc", "--version"], capture_output=True, text=True,
                             check=False)
    assert version.stdout.startswith("cchc ")


def teardown_module() -> None:
    set_language("vi")


def test_error_messages_print_paths_with_brackets_verbatim(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "[bold]x" / "a.xlsx"
    result = runner.invoke(app, ["export", str(SHIPPED), "--xlsx", str(out)])
    assert result.exit_code == 2
    assert "[bold]x" in result.output


# --- the argparse command line: start-up, usage errors and help in the user's language ----------

ENGLISH_ARGPARSE = ("usage:", "error:", "positional arguments", "options:", "show this help", "required",
                    "unrecognized", "invalid choice", "expected one argument")
HEAVY = {"typer", "click", "rich", "pydantic", "yaml", "openpyxl", "xlsxwriter", "docx"}


def _one_vietnamese_line(result: Result) -> str:
    """The usage error a run printed: exit 2, one line on stderr, nothing on stdout, no English."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert not [word for word in ENGLISH_ARGPARSE if word in lines[0].lower()], lines[0]
    return lines[0]


def test_importing_the_cli_loads_no_heavy_module() -> None:
    code = (f"import sys, cchc.cli.app; print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_main_raises_the_cycle_collector_thresholds() -> None:
    """Bulk checks make tens of thousands of acyclic objects: main() collects cycles less often."""
    code = ("import gc, sys\nsys.argv = ['cchc', '--version']\nfrom cchc.cli.app import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\nprint(gc.get_threshold(), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip() == "(200000, 30, 30)"


def test_console_script_version() -> None:
    script = Path(sys.executable).with_name("cchc")
    command = str(script) if script.exists() else shutil.which("cchc")
    if command is None:
        pytest.skip("the cchc console script is not installed")
    done = subprocess.run([command, "--version"], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"cchc {__version__}\n", "")


def test_version_in_process(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"cchc {__version__}\n")


def test_unknown_option_is_one_vietnamese_line(runner: CliRunner) -> None:
    line = _one_vietnamese_line(runner.invoke(app, ["validate", "--bogus", str(SHIPPED)]))
    assert line == "cchc validate: lỗi: không nhận ra tham số: --bogus (xem hướng dẫn: cchc validate -h)"
    line = _one_vietnamese_line(runner.invoke(app, ["--bogus", "validate", str(SHIPPED)]))
    assert line.startswith("cchc: lỗi: không nhận ra tham số: --bogus")


def test_missing_argument_is_one_vietnamese_line(runner: CliRunner) -> None:
    line = _one_vietnamese_line(runner.invoke(app, ["validate"]))
    assert "thiếu tham số bắt buộc: ĐƯỜNG_DẪN" in line
    line = _one_vietnamese_line(runner.invoke(app, ["import", "bang.docx"]))
    assert "thiếu tham số bắt buộc: -o/--output" in line
    line = _one_vietnamese_line(runner.invoke(app, ["total", str(SHIPPED), "--format"]))
    assert "tham số -f/--format: thiếu giá trị" in line


def test_bad_values_are_refused_in_vietnamese(runner: CliRunner, tmp_path: Path) -> None:
    line = _one_vietnamese_line(runner.invoke(app, ["validate", "--jobs", "0", str(SHIPPED)]))
    assert "tham số -j/--jobs: 0 nhỏ hơn 1" in line
    line = _one_vietnamese_line(runner.invoke(app, ["validate", "-j", "x", str(SHIPPED)]))
    assert "tham số -j/--jobs: 'x' không phải số nguyên" in line
    line = _one_vietnamese_line(runner.invoke(app, ["validate", "--evidence-dir", str(tmp_path / "none"),
                                                    str(SHIPPED)]))
    assert f"tham số --evidence-dir: không có thư mục '{tmp_path / 'none'}'" in line
    line = _one_vietnamese_line(runner.invoke(app, ["evidence", str(SHIPPED), "--evidence-dir", str(SHIPPED)]))
    assert "không phải thư mục" in line
    line = _one_vietnamese_line(runner.invoke(app, ["validate", "-f", "xml", str(SHIPPED)]))
    assert "giá trị 'xml' không hợp lệ (chọn một trong: 'text', 'json', 'github')" in line
    line = _one_vietnamese_line(runner.invoke(app, ["import", "a.xlsx", "-o", "b.yaml", "--year", "1989"]))
    assert "tham số --year: 1989 nằm ngoài khoảng cho phép, từ 1990 đến 2100" in line
    _one_vietnamese_line(runner.invoke(app, ["import", "a.xlsx", "-o", "b.yaml", "--table", "0"]))
    _one_vietnamese_line(runner.invoke(app, ["lệnh-lạ"]))
    _one_vietnamese_line(runner.invoke(app, ["schema", "thừa"]))


def test_english_usage_errors_and_help(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--lang", "en", "validate"])
    assert result.exit_code == 2
    assert result.stderr == ("cchc validate: error: the following arguments are required: PATH "
                             "(see cchc validate -h)\n")
    result = runner.invoke(app, ["validate", "--jobs", "0", str(SHIPPED)], env={"CCHC_LANG": "en"})
    assert result.exit_code == 2 and "argument -j/--jobs: 0 is below 1" in result.stderr
    result = runner.invoke(app, ["--lang=en", "total", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert result.stdout.startswith("usage: cchc total")
    assert "Show this help message and exit." in result.stdout and "Output format: text or json." in result.stdout


def test_bad_language_in_the_environment(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", str(SHIPPED)], env={"CCHC_LANG": "fr"})
    assert result.exit_code == 2 and "Ngôn ngữ 'fr' không hợp lệ" in result.stderr
    assert runner.invoke(app, ["--version"], env={"CCHC_LANG": "fr"}).exit_code == 0  # as click's eager --version


def test_no_arguments_shows_the_help(runner: CliRunner) -> None:
    result = runner.invoke(app, [], env={"COLUMNS": "200"})
    assert result.exit_code == 2  # click's no_args_is_help exit code, kept
    assert result.stdout.startswith("cách dùng: cchc ")
    for command in ["validate", "total", "export", "evidence", "schema", "import", "--lang", "--version"]:
        assert command in result.stdout
    assert "Kiểm tra, tính điểm và xuất bảng chấm điểm" in result.stdout


def test_every_command_help_lists_its_options_in_vietnamese(runner: CliRunner) -> None:
    options = {
        "validate": ["--format", "-f", "--strict", "--jobs", "-j", "--evidence-dir", "ĐƯỜNG_DẪN"],
        "total": ["--format", "--depth", "TỆP", "(mặc định: text)"],
        "export": ["--xlsx", "--force", "--evidence-dir"],
        "evidence": ["--format", "--evidence-dir"],
        "schema": [],
        "import": ["--output", "-o", "--table", "--sheet", "--unit", "--year", "--force"],
    }
    for command, expected in options.items():
        result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0 and result.stderr == ""
        assert result.stdout.startswith(f"cách dùng: cchc {command} ")
        for option in ["-h, --help", "Hiện phần hướng dẫn này rồi thoát.", *expected]:
            assert option in result.stdout, (command, option)
        assert not [w for w in ENGLISH_ARGPARSE if w in result.stdout.lower()], result.stdout


def test_paths_may_follow_options(runner: CliRunner, write) -> None:  # type: ignore[no-untyped-def]
    warn = write(WARN_ONLY)
    result = runner.invoke(app, ["validate", str(SHIPPED), "--strict", str(warn), "-f", "json"])
    assert result.exit_code == 1
    assert [f["file"] for f in json.loads(result.stdout)["files"]] == [str(SHIPPED), str(warn)]


def test_message_tables_have_the_same_keys() -> None:
    assert set(messages.VI) == set(messages.EN)


def test_argparse_strings_are_all_translated() -> None:
    """Every message argparse can show a user (on the running Python) has an entry in both tables."""
    import argparse
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(argparse))
    msgids = {node.args[0].value for node in ast.walk(tree)
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("_", "ngettext") and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)}
    # Mistakes in building a parser, and argparse.FileType (unused here): never shown to a user of cchc.
    for_developers = {m for m in msgids if m.startswith(("conflicting", "cannot", "invalid conflict_resolution",
                                                        "mutually exclusive", "dest= is required", "'required'",
                                                        ".__call__", "%r is not callable", "invalid option string",
                                                        "can't open", "argument \"-\" with mode",
                                                        "argument '-' with mode"))}
    missing = msgids - for_developers - set(cli._ARGPARSE_KEYS)
    assert not missing
    for key in cli._ARGPARSE_KEYS.values():
        assert key in messages.VI and key in messages.EN


def test_interrupt_exits_130(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    import cchc.checks as checks

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(checks, "check_files", interrupted)
    assert runner.invoke(app, ["validate", str(SHIPPED)]).exit_code == 130
