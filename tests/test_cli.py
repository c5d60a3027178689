"""The command line: output, JSON equal to the library's report, exit codes, language."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cchc import __version__, messages
from cchc.checks import check_files, run_checks
from cchc.cli.app import app
from cchc.cli.reporters import total_json
from cchc.messages import set_language
from cchc.scorecard.load import load_file
from cchc.scorecard.rollup import rollup
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
    assert (
        f"{path}:11:16: lỗi score-above-max Điểm tự đánh giá 0,75 của tiêu chí 1.1 lớn hơn điểm chuẩn 0,5"
        in result.output
    )


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
    assert "error score-above-max self score 0.75 of criterion 1.1 is above its max 0.5" in result.output
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
    assert data["total"]["score"] == "98.52" and data["total"]["max"] == "100"
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
    assert "Kiểm tra một hay nhiều tệp" in runner.invoke(app, ["validate", "--help"], env={"COLUMNS": "200"}).output


def test_internal_error_is_one_line_exit_3(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from cchc import checks
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
    result = subprocess.run(
        [sys.executable, "-m", "cchc", "validate", str(SHIPPED)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "0 lỗi" in result.stdout
    version = subprocess.run([sys.executable, "-m", "cchc", "--version"], capture_output=True, text=True, check=False)
    assert version.stdout.startswith("cchc ")


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--help"],
        ["--lang", "en", "total", "-h"],
        ["validate", "--jobs", "0", str(SHIPPED)],
        ["validate", str(SHIPPED), "--lang", "en", "--format", "json"],
        ["export", str(SHIPPED)],
        ["valdate", str(SHIPPED)],
        ["--help"],
    ],
)
def test_console_script_says_what_the_whole_program_says(runner: CliRunner, args: list[str]) -> None:
    """The console script makes only the command its command line names (or the whole program when
    it names none): output and exit code are those of the program with every command."""
    code = f"import sys\nsys.argv = ['cchc', *{args!r}]\nfrom cchc.cli.start import main\nmain()"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **WIDE})
    whole = runner.invoke(app, args, env=WIDE)
    assert (done.returncode, done.stdout, done.stderr) == (whole.exit_code, whole.stdout, whole.stderr)


def teardown_module() -> None:
    set_language("vi")


def test_error_messages_print_paths_with_brackets_verbatim(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "[bold]x" / "a.xlsx"
    result = runner.invoke(app, ["export", str(SHIPPED), "--xlsx", str(out)])
    assert result.exit_code == 2
    assert "[bold]x" in result.output


# --- Typer: entry point, version, language, usage errors, help ----------------------------------

WIDE = {"COLUMNS": "200"}  # Rich wraps help and error boxes to the terminal width
# What Typer says in English; with the messages in Vietnamese none of it may show.
TYPER_ENGLISH = (
    "Usage:",
    "Error",
    "Try '",
    "for help",
    "No such",
    "Missing",
    "Invalid value",
    "requires an",
    "does not take",
    "Got unexpected",
    "Did you mean",
    "Possible options",
    "Options",
    "Arguments",
    "Commands",
    "Show this",
    "[default",
    "[required]",
    "env var",
    "<bool>",  # Python's types, which Typer shows beside a flag or an argument
    "<list[",
)


def _usage_error(result: Result) -> str:
    """A usage error: exit 2, nothing on stdout, Typer's usage line and error box on stderr, no traceback."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr and result.exception is not None
    return " ".join(result.stderr.split())  # the box's text, unwrapped


def _vietnamese_only(text: str) -> str:
    assert not [word for word in TYPER_ENGLISH if word in text], text
    return text


def test_main_raises_the_cycle_collector_thresholds() -> None:
    """Bulk checks make tens of thousands of acyclic objects: main() collects cycles less often."""
    code = (
        "import gc, sys\nsys.argv = ['cchc', '--version']\nfrom cchc.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\nprint(gc.get_threshold(), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip() == "(200000, 30, 30)"


def test_console_script_tunes_the_process_before_pydantic_is_imported() -> None:
    """The console script's settings must precede the imports: building the models at import would
    otherwise scan the installed packages for Pydantic plugins, under the default collector."""
    code = (
        "import builtins, gc, os, sys\n"
        f"sys.argv = ['cchc', 'validate', {str(SHIPPED)!r}]\n"
        "seen = []\n"
        "real_import = builtins.__import__\n"
        "def spy(name, *args, **kwargs):\n"
        "    if name.startswith('pydantic') and not seen:\n"
        "        seen.append((gc.get_threshold(), os.environ.get('PYDANTIC_DISABLE_PLUGINS')))\n"
        "    return real_import(name, *args, **kwargs)\n"
        "builtins.__import__ = spy\n"
        "from cchc.cli.start import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(seen, file=sys.stderr)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert done.stderr.strip() == "[((200000, 30, 30), '__all__')]"
    assert done.stdout.splitlines()[-1].startswith("1 tệp, 0 lỗi")


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["validate", "--help"], ["--lang", "en", "total", "-h"]])
def test_help_and_version_load_no_scorecard_machinery(args: list[str]) -> None:
    """Help and --version need neither our models nor the YAML reader, the checks or openpyxl: the
    commands import what they use when they run."""
    code = (
        "import sys\n"
        f"sys.argv = ['cchc', *{args!r}]\n"
        "from cchc.cli.start import main\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "heavy = ('yaml', 'openpyxl', 'cchc.scorecard.model', 'cchc.scorecard.load', 'cchc.evidence', 'cchc.checks')\n"
        "print(sorted(name for name in sys.modules if name.startswith(heavy)), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr.strip() == "[]"
    assert done.stdout


def test_console_script_leaves_the_last_collection_to_the_system(tmp_path: Path) -> None:
    """At the end the console script freezes what is alive, so that Python's shutdown does not walk
    it; the files a command writes are whole all the same (each is closed when written)."""
    out = tmp_path / "out.xlsx"
    code = (
        "import atexit, gc, sys\n"
        f"sys.argv = ['cchc', 'export', {str(SHIPPED)!r}, '--xlsx', {str(out)!r}]\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0, file=sys.stderr))\n"
        "from cchc.cli.start import main\n"
        "main()"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "frozen True"
    from openpyxl import load_workbook

    here = tmp_path / "in-process.xlsx"
    assert runner_exit(["export", str(SHIPPED), "--xlsx", str(here)]) == 0
    written, expected = load_workbook(out), load_workbook(here)
    assert written.sheetnames == expected.sheetnames
    for name in expected.sheetnames:
        assert [[c.value for c in row] for row in written[name].iter_rows()] == [
            [c.value for c in row] for row in expected[name].iter_rows()
        ]


def runner_exit(args: list[str]) -> int:
    """The exit code of the program run in this process."""
    return CliRunner().invoke(app, args).exit_code


def test_console_script_keeps_the_users_plugin_setting() -> None:
    code = (
        "import os\nfrom cchc.cli.process import tune_process\ntune_process()\n"
        "print(os.environ['PYDANTIC_DISABLE_PLUGINS'])"
    )
    env = {**os.environ, "PYDANTIC_DISABLE_PLUGINS": "logfire"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert done.stdout.strip() == "logfire"


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


def test_lang_before_or_after_the_command(runner: CliRunner) -> None:
    case = str(CASES / "score-above-max.yaml")
    english = "self score 0.75 of criterion 1.1 is above its max 0.5"
    outputs = [
        runner.invoke(app, args).output
        for args in (
            ["--lang", "en", "validate", case],
            ["validate", "--lang", "en", case],
            ["validate", case, "--lang=en"],
            ["--lang=vi", "validate", case, "--lang", "en"],  # the last one given wins, as for any option
        )
    ]
    assert english in outputs[0] and "1 file(s), 1 error(s)" in outputs[0]
    assert outputs == [outputs[0]] * 4
    assert (
        "Điểm tự đánh giá 0,75"
        in runner.invoke(app, ["validate", case, "--lang", "vi"], env={"CCHC_LANG": "en"}).output
    )
    json_after = runner.invoke(app, ["validate", "-f", "json", case, "--lang", "en"])
    assert json.loads(json_after.stdout) == check_files([case]).to_dict()  # built in English: set by the run


def test_lang_after_a_double_dash_is_a_path(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", "--", "--lang"])
    assert result.exit_code == 2 and "--lang" in result.stdout and "file-unreadable" in result.stdout


def test_bad_language(runner: CliRunner) -> None:
    text = _usage_error(runner.invoke(app, ["validate", str(SHIPPED)], env={"CCHC_LANG": "fr", **WIDE}))
    assert "Ngôn ngữ 'fr' trong biến môi trường CCHC_LANG không hợp lệ; chọn một trong: vi, en" in text
    text = _usage_error(runner.invoke(app, ["validate", "--lang", "fr", str(SHIPPED)], env=WIDE))
    assert "Giá trị không hợp lệ cho '--lang': Ngôn ngữ 'fr' không hợp lệ; chọn một trong: vi, en" in text
    text = _usage_error(runner.invoke(app, ["--lang", "fr", "validate", str(SHIPPED)], env={"CCHC_LANG": "en", **WIDE}))
    assert "language 'fr' is not valid" in text  # the rest of the error in the language of the environment
    assert runner.invoke(app, ["--version"], env={"CCHC_LANG": "fr"}).exit_code == 0  # eager, as Typer's --version
    assert "0 lỗi" in runner.invoke(app, ["validate", str(SHIPPED)], env={"CCHC_LANG": ""}).output  # empty: unset


def test_mistyped_command_suggests_the_right_one(runner: CliRunner) -> None:
    text = _vietnamese_only(_usage_error(runner.invoke(app, ["valdate", str(SHIPPED)], env=WIDE)))
    assert "Cách dùng: cchc [TÙY_CHỌN] LỆNH [THAM_SỐ]..." in text
    assert "Không có lệnh 'valdate'. Có phải ý bạn là 'validate'?" in text
    text = _usage_error(runner.invoke(app, ["--lang", "en", "totl"], env=WIDE))
    assert "No such command 'totl'. Did you mean 'total'?" in text
    assert "Không có lệnh 'zzz'." in _usage_error(runner.invoke(app, ["zzz"], env=WIDE))


def test_missing_xlsx_is_required_in_the_usage_line(runner: CliRunner) -> None:
    text = _vietnamese_only(_usage_error(runner.invoke(app, ["export", str(SHIPPED)], env=WIDE)))
    assert "Cách dùng: cchc export [TÙY_CHỌN] {TỆP} {--xlsx TỆP}" in text
    assert "Thiếu tùy chọn bắt buộc '--xlsx'." in text
    text = _usage_error(runner.invoke(app, ["--lang", "en", "export", str(SHIPPED)], env=WIDE))
    assert "Usage: cchc export [OPTIONS] {FILE} {--xlsx FILE}" in text and "Missing option '--xlsx'." in text
    help_text = runner.invoke(app, ["export", "--help"], env=WIDE).stdout
    assert "Cách dùng: cchc export [TÙY_CHỌN] {TỆP} {--xlsx TỆP}" in help_text and "[bắt buộc]" in help_text


def test_unknown_options_get_typers_messages_in_vietnamese(runner: CliRunner) -> None:
    text = _vietnamese_only(_usage_error(runner.invoke(app, ["-V"], env=WIDE)))
    assert text.startswith("Cách dùng: cchc [TÙY_CHỌN] LỆNH [THAM_SỐ]... Xem hướng dẫn: 'cchc -h'")
    assert "Lỗi" in text and "Không có tùy chọn -V" in text
    text = _vietnamese_only(_usage_error(runner.invoke(app, ["validate", "--jobz", "2", str(SHIPPED)], env=WIDE)))
    assert "Cách dùng: cchc validate [TÙY_CHỌN] {ĐƯỜNG_DẪN}..." in text
    assert "Không có tùy chọn --jobz (có thể là: --jobs)" in text
    text = _usage_error(runner.invoke(app, ["--lang", "en", "-V"], env=WIDE))
    assert "Usage: cchc [OPTIONS] COMMAND [ARGS]..." in text and "No such option: -V" in text


def test_every_usage_error_is_said_in_vietnamese(runner: CliRunner, tmp_path: Path) -> None:
    cases = {
        ("validate",): "Thiếu tham số bắt buộc 'ĐƯỜNG_DẪN'.",
        ("import", "bang.docx"): "Thiếu tùy chọn bắt buộc '--output' / '-o'.",
        ("total", str(SHIPPED), "--format"): "Tùy chọn '--format' cần một giá trị.",
        ("validate", "--strict=yes", str(SHIPPED)): "Tùy chọn '--strict' không nhận giá trị.",
        ("schema", "thừa"): "Thừa tham số: thừa",
        ("--lang", "vi"): "Thiếu tên lệnh.",
        ("validate", str(SHIPPED), "--lang"): "Giá trị không hợp lệ cho '--lang': Ngôn ngữ '' không hợp lệ",
        (
            "validate",
            "--jobs",
            "0",
            str(SHIPPED),
        ): "Giá trị không hợp lệ cho '--jobs' / '-j': 0 nhỏ hơn 1; phải là số nguyên từ 1 trở lên",
        ("validate", "-j", "x", str(SHIPPED)): "Giá trị không hợp lệ cho '--jobs' / '-j': 'x' không phải số nguyên",
        (
            "validate",
            "--evidence-dir",
            str(tmp_path / "none"),
            str(SHIPPED),
        ): f"Giá trị không hợp lệ cho '--evidence-dir': không có thư mục '{tmp_path / 'none'}'",
        ("evidence", str(SHIPPED), "--evidence-dir", str(SHIPPED)): f"'{SHIPPED}' không phải thư mục",
        (
            "validate",
            "-f",
            "xml",
            str(SHIPPED),
        ): "Giá trị không hợp lệ cho '--format' / '-f': 'xml' không phải một trong: 'text', 'json', 'github'",
        ("total", "-f", "github", str(SHIPPED)): "'github' không phải một trong: 'text', 'json'",
        ("import", "a.xlsx", "-o", "b.yaml", "--year", "1989"): "1989 nằm ngoài khoảng cho phép, từ 1990 đến 2100",
        ("import", "a.xlsx", "-o", "b.yaml", "--table", "0"): "0 nhỏ hơn 1",
        ("total", "--depth", "0", str(SHIPPED)): "0 nhỏ hơn 1",
    }
    for args, expected in cases.items():
        text = _vietnamese_only(_usage_error(runner.invoke(app, list(args), env={"COLUMNS": "300"})))
        assert expected in text, (args, text)
        assert text.startswith("Cách dùng: cchc"), (args, text)


def test_english_usage_errors(runner: CliRunner) -> None:
    text = _usage_error(runner.invoke(app, ["validate", "--jobs", "0", str(SHIPPED)], env={"CCHC_LANG": "en", **WIDE}))
    assert "Invalid value for '--jobs' / '-j': 0 is below 1" in text
    text = _usage_error(runner.invoke(app, ["validate", "--lang", "en"], env=WIDE))
    assert "Usage: cchc validate [OPTIONS] {PATH}..." in text and "Missing argument 'PATH'." in text


def test_no_arguments_shows_the_help(runner: CliRunner) -> None:
    result = runner.invoke(app, [], env=WIDE)
    assert result.exit_code == 2  # the help, but still a usage error
    assert "Cách dùng: cchc [TÙY_CHỌN] LỆNH [THAM_SỐ]..." in result.stdout
    for command in ["validate", "total", "export", "evidence", "schema", "import", "--lang", "--version"]:
        assert command in result.stdout
    assert "Kiểm tra, tính điểm và xuất bảng chấm điểm" in result.stdout


def test_help_follows_the_language(runner: CliRunner) -> None:
    vietnamese = runner.invoke(app, ["--help"], env=WIDE)
    assert vietnamese.exit_code == 0
    for text in [
        "Cách dùng: cchc [TÙY_CHỌN] LỆNH [THAM_SỐ]...",
        "─ Tùy chọn ─",
        "─ Lệnh ─",
        "[mặc định: vi]",
        "[biến môi trường: CCHC_LANG]",
        "Hiện phần hướng dẫn này rồi thoát.",
        "Kiểm tra một hay nhiều tệp bảng chấm điểm",
        "--install-completion",
        "--show-completion",
    ]:
        assert text in vietnamese.stdout, text
    _vietnamese_only(vietnamese.stdout)
    for args, env in (
        (["--lang", "en", "validate", "--help"], {}),
        (["validate", "--help", "--lang", "en"], {}),
        (["validate", "-h"], {"CCHC_LANG": "en"}),
    ):
        english = runner.invoke(app, args, env={**env, **WIDE})
        assert english.exit_code == 0 and english.stderr == ""
        for text in [
            "Usage: cchc validate [OPTIONS] {PATH}...",
            "─ Arguments ─",
            "─ Options ─",
            "Check one or more scorecard files",
            "Report format: text, json or github",
            "Show this help and exit.",
            "[required]",
        ]:
            assert text in english.stdout, (args, text)
        assert "<bool>" not in english.stdout and "<list[" not in english.stdout
    english = runner.invoke(app, ["--lang", "en", "--help"], env=WIDE).stdout
    assert "─ Commands ─" in english and "--install-completion" in english and "[env var: CCHC_LANG]" in english


def test_every_command_help_lists_its_options_in_vietnamese(runner: CliRunner) -> None:
    options = {
        "validate": [
            "--format",
            "-f",
            "<text|json|github>",
            "--strict",
            "--jobs",
            "-j",
            "--evidence-dir",
            "ĐƯỜNG_DẪN",
            "Định dạng báo cáo",
        ],
        "total": ["--format", "<text|json>", "--depth", "TỆP", "[mặc định: text]"],
        "export": ["--xlsx", "--force", "--evidence-dir", "Đường dẫn tệp .xlsx sẽ ghi."],
        "evidence": ["--format", "--evidence-dir"],
        "schema": ["In JSON Schema"],
        "import": ["--output", "-o", "--table", "--sheet", "--unit", "--year", "NĂM", "--force"],
    }
    for command, expected in options.items():
        result = runner.invoke(app, [command, "--help"], env=WIDE)
        assert result.exit_code == 0 and result.stderr == ""
        assert f"Cách dùng: cchc {command} [TÙY_CHỌN]" in result.stdout
        for option in ["--help", "-h", "Hiện phần hướng dẫn này rồi thoát.", *expected]:
            assert option in result.stdout, (command, option)
        _vietnamese_only(result.stdout)


def test_paths_may_follow_options(runner: CliRunner, write) -> None:  # type: ignore[no-untyped-def]
    warn = write(WARN_ONLY)
    result = runner.invoke(app, ["validate", str(SHIPPED), "--strict", str(warn), "-f", "json"])
    assert result.exit_code == 1
    assert [f["file"] for f in json.loads(result.stdout)["files"]] == [str(SHIPPED), str(warn)]


def test_message_tables_have_the_same_keys() -> None:
    assert set(messages.VI) == set(messages.EN)


def test_interrupt_exits_130(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    from cchc import checks

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(checks, "check_files", interrupted)
    assert runner.invoke(app, ["validate", str(SHIPPED)]).exit_code == 130


def test_shell_completion(runner: CliRunner) -> None:
    """Typer's completion: commands, options and choices, and the script a shell sources (what
    --install-completion installs; that option finds the shell from the parent processes)."""

    def complete(words: str) -> list[str]:
        env = {"_CCHC_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
        result = runner.invoke(app, [], env=env)
        assert result.exit_code == 0, result.output
        return result.stdout.split()

    assert complete("cchc val") == ["validate"]
    assert complete("cchc validate --stri") == ["--strict"]
    assert complete("cchc total -f j") == ["json"]
    script = runner.invoke(app, [], env={"_CCHC_COMPLETE": "source_bash"})
    assert script.exit_code == 0 and "_cchc_completion" in script.stdout and "_CCHC_COMPLETE" in script.stdout


# --- output that is never cut ------------------------------------------------------------------


def _titles(path: Path) -> list[str]:
    """The titles of the rows `total` prints."""
    card = load_file(path).card
    assert card is not None
    return [row.node.title for row in rollup(card).walk() if row.node is not None]


def test_piped_total_holds_every_column_and_every_value_whole(runner: CliRunner) -> None:
    result = runner.invoke(app, ["total", str(SHIPPED)])  # CliRunner's stdout is not a terminal
    assert result.exit_code == 0
    assert "…" not in result.output
    header = next(line for line in result.output.splitlines() if "Tên TC/TCTP" in line)
    for column in ("TT", "Điểm chuẩn", "Điểm tự đánh giá", "Chỉ số (%)"):
        assert column in header
    lines = result.output.splitlines()
    for title in _titles(SHIPPED):
        if not title.isupper():  # field rows print the title as written; all rows keep it on one line
            assert any(title in line for line in lines), title


def test_piped_evidence_keeps_the_criteria_lists_and_long_urls_whole(runner: CliRunner, write) -> None:  # type: ignore[no-untyped-def]
    url = "https://thanhhoa.gov.vn/" + "/".join(f"thu-muc-{i}" for i in range(20)) + "/ke-hoach-cai-cach.pdf"
    path = write(MINIMAL.replace("    evidence: [KH 1]\n", f"    evidence: ['{url}']\n"))
    result = runner.invoke(app, ["evidence", str(path)])
    assert url in result.output.splitlines()[3] or any(url in line for line in result.output.splitlines())
    shipped = runner.invoke(app, ["evidence", str(SHIPPED)])
    assert "Số TC" in shipped.stdout and "…" not in shipped.stdout
    from cchc.evidence.cited import all_cited, index_documents, index_row

    loaded = load_file(SHIPPED)
    assert loaded.card is not None
    first = index_row(index_documents(all_cited(loaded.card, loaded.locations))[0])
    assert any(first[4] in line and line.rstrip().endswith(f"{first[5]} │") for line in shipped.stdout.splitlines())


def test_width_fits_a_terminal_and_gives_the_name_the_room(runner: CliRunner) -> None:
    from rich.cells import cell_len

    for width in (80, 140):
        result = runner.invoke(app, ["total", str(SHIPPED), "--width", str(width)])
        assert result.exit_code == 0
        lines = result.output.splitlines()
        assert max(cell_len(line) for line in lines) <= width
        assert "…" not in result.output
        merged = next(line for line in lines if "5, 7," in line)
        assert merged.index("│", 1) <= 9  # the TT "5, 7, 9, 11" wraps instead of widening its column
    words = runner.invoke(app, ["total", str(SHIPPED), "--width", "80"]).output.split()
    assert "98,52" in words and "TỔNG" in words


def test_english_numbers_use_a_decimal_point(runner: CliRunner) -> None:
    english = runner.invoke(app, ["--lang", "en", "total", str(SHIPPED)])
    assert "98.52/100 points (98.52 %)" in english.output
    assert "100.00" in english.output and "100,00" not in english.output and "12.9491" in english.output
    vietnamese = runner.invoke(app, ["total", str(SHIPPED)])
    assert "98,52/100 điểm" in vietnamese.output and "12,9491" in vietnamese.output


def test_total_json_numbers_have_one_canonical_form(runner: CliRunner) -> None:
    import re

    data = json.loads(runner.invoke(app, ["total", "--format", "json", str(SHIPPED)]).output)
    numbers: list[str] = []
    stack = [data["total"]]
    while stack:
        node = stack.pop()
        numbers += [node[k] for k in ("max", "score", "declared_max", "declared_score", "index") if node[k]]
        stack.extend(node["children"])
    assert numbers and all(re.fullmatch(r"-?(0|[1-9]\d*)(\.\d*[1-9])?", n) for n in numbers), numbers
    assert data["total"]["max"] == "100" and data["total"]["score"] == "98.52"
    assert data["total"]["children"][0]["index"] == "100"


def test_validate_a_folder_without_scorecards_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{tmp_path}: lỗi no-scorecard Không tìm thấy bảng chấm điểm nào" in result.output
    as_json = runner.invoke(app, ["validate", "--format", "json", str(tmp_path), str(SHIPPED)])
    assert as_json.exit_code == 2
    assert json.loads(as_json.output) == check_files([str(tmp_path), str(SHIPPED)]).to_dict()
