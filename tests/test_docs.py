"""The README documents every problem code with its real severity, and the CI runs its test command."""

from __future__ import annotations

import re

from cchc.problems import CODES
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_problem_code_documented_with_severity() -> None:
    rows = dict(re.findall(r"^\| `([a-z0-9-]+)` \| (error|warning) \|", README, re.M))
    assert rows == {code: severity.value for code, (severity, _) in CODES.items()}


def test_ci_runs_the_readme_test_command() -> None:
    commands = re.findall(r"```sh\n(.+?)\n```", README)
    test_command = next(c for c in commands if "pytest" in c)
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert any("cchc total scorecards/" in c for c in commands)
