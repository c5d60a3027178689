"""Bulk use: folders, parallel checking, the GitHub format, the pre-commit hook definition."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cchc.checks import check_files, discover
from cchc.cli.app import app
from cchc.cli.reporters import github_lines
from tests.conftest import CASES, ROOT, SHIPPED


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A folder of 40 scorecards (some broken) with a nested folder and files to ignore."""
    (tmp_path / "xa" / ".git").mkdir(parents=True)
    # The copies name the shipped criteria set by its absolute path (they no longer sit beside it).
    card = SHIPPED.read_text(encoding="utf-8").replace("../criteria/", f"{ROOT / 'criteria'}/")
    for i in range(36):
        (tmp_path / "xa" / f"xa-{i:02}.yaml").write_text(card, encoding="utf-8")
    shutil.copy(CASES / "duplicate-id.yaml", tmp_path / "bad.yml")
    shutil.copy(CASES / "no-evidence.yaml", tmp_path / "warn.yaml")
    shutil.copy(CASES / "yaml-syntax.yaml", tmp_path / "xa" / "broken.yaml")
    (tmp_path / "notes.txt").write_text("not a scorecard", encoding="utf-8")
    (tmp_path / "xa" / ".git" / "hidden.yaml").write_text("x: [", encoding="utf-8")
    return tmp_path


def test_discover_recurses_yaml_only_sorted(tree: Path) -> None:
    found = discover([str(tree)])
    assert len(found) == 39
    assert found[0].endswith("bad.yml") and not any(".git" in f or f.endswith(".txt") for f in found)
    assert discover([str(tree / "notes.txt")]) == [str(tree / "notes.txt")]


def test_parallel_equals_serial(tree: Path) -> None:
    files = discover([str(tree)])
    seen: list[str] = []
    parallel = check_files(files, jobs=2, on_done=lambda r: seen.append(r.file))
    assert seen == files
    assert parallel.to_dict() == check_files(files, jobs=1).to_dict()
    assert (parallel.errors, parallel.warnings) == (2, 36 * 15 + 1)


def test_cli_folder_summary_and_jobs(runner: CliRunner, tree: Path) -> None:
    result = runner.invoke(app, ["validate", "--jobs", "2", str(tree)])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "39 tệp, 2 lỗi, 541 cảnh báo"


def test_github_format(runner: CliRunner, tree: Path) -> None:
    result = runner.invoke(app, ["validate", "--format", "github", str(tree / "bad.yml")])
    line = result.output.splitlines()[0]
    assert line.startswith(f"::error file={tree / 'bad.yml'},line=13,col=13,title=duplicate-id::")
    assert "Mã tiêu chí 1.1 bị trùng" in line


def test_github_format_is_default_under_actions(runner: CliRunner, tree: Path) -> None:
    result = runner.invoke(app, ["validate", str(tree / "warn.yaml")], env={"GITHUB_ACTIONS": "true"})
    assert result.output.startswith("::warning file=")
    assert result.exit_code == 0
    explicit = runner.invoke(app, ["validate", "-f", "json", str(tree / "warn.yaml")], env={"GITHUB_ACTIONS": "true"})
    assert json.loads(explicit.output)["summary"]["warnings"] == 1


def test_github_escaping() -> None:
    from cchc.problems import FileReport, Problem, Report

    report = Report(
        [FileReport("a,b:c%.yaml", [Problem("yaml-syntax", "a,b:c%.yaml", 1, 2, args={"detail": "50%\nnext"})])]
    )
    assert github_lines(report)[0] == (
        "::error file=a%2Cb%3Ac%25.yaml,line=1,col=2,title=yaml-syntax::Lỗi cú pháp YAML: 50%25%0Anext"
    )


def test_no_progress_bar_when_piped(runner: CliRunner, tree: Path) -> None:
    result = runner.invoke(app, ["validate", "-f", "json", str(tree)])
    json.loads(result.output)  # nothing but the JSON on stdout
    assert "Đang kiểm tra" not in result.output


def test_progress_bar_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    from cchc.cli.commands.validate import check_with_progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    report = check_with_progress(discover([str(tree)]), 1)
    assert len(report.files) == 39


def test_pre_commit_hook_definition() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "cchc-validate" and hook["entry"] == "cchc validate"
    assert hook["language"] == "python"
