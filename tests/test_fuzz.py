"""Fuzzing: mutated scorecards give a report with located problems, never an escaping exception.

Set CCHC_FUZZ_EXAMPLES (for example 5000) for a longer run than CI's.
"""

from __future__ import annotations

import os

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cchc.checks import run_checks
from cchc.cli.app import app
from cchc.scorecard.load import decode, load_text
from tests.conftest import SHIPPED

EXAMPLES = int(os.environ.get("CCHC_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The first field of the real table: small enough to mutate quickly, real enough to matter.
_TEXT = SHIPPED.read_text(encoding="utf-8")
BASE = _TEXT[: _TEXT.index('  - id: "2"')]
LINES = BASE.splitlines(keepends=True)

scalars = st.one_of(
    st.sampled_from(
        [
            "~",
            "yes",
            "no",
            "1.10",
            "010",
            "0,5",
            "1.000,5",
            ".nan",
            "-.inf",
            "99%",
            "1e9",
            "2021-12-25",
            "'",
            '"',
            "[",
            "{",
            "&a",
            "*a",
            "!!python/object:os.system",
            "- x",
            "? k",
            ": v",
            "|",
            ">",
            "#",
            "\t",
            "\x00",
            "\ufeff",
            "-0",
            "9" * 50,
            "=cmd",
        ]
    ),
    st.text(max_size=20),
)


def assert_located(text: str) -> None:
    """Loading and checking returns problems with a file; no exception escapes."""
    report = run_checks(load_text(text, "fuzz.yaml"))
    for problem in report.problems:
        assert problem.file == "fuzz.yaml"
        assert problem.message
        if problem.code not in ("total-not-100", "empty-file"):
            assert problem.line is None or problem.line >= 1


@FUZZ
@given(st.integers(min_value=0, max_value=len(BASE.encode())))
def test_cut_at_any_byte(cut: int) -> None:
    data = BASE.encode()[:cut]
    text, problem = decode(data, "fuzz.yaml")
    if text is None:
        assert problem is not None and problem.code == "encoding"
        return
    assert_located(text)


@FUZZ
@given(st.integers(min_value=0, max_value=len(LINES) - 1), st.integers(min_value=0, max_value=len(LINES) - 1))
def test_swap_lines(i: int, j: int) -> None:
    lines = list(LINES)
    lines[i], lines[j] = lines[j], lines[i]
    assert_located("".join(lines))


@FUZZ
@given(st.integers(min_value=0, max_value=len(LINES) - 1), scalars, st.booleans())
def test_insert_random_scalars(i: int, scalar: str, replace_value: bool) -> None:
    lines = list(LINES)
    line = lines[i]
    if replace_value and ": " in line:
        key = line.split(": ", 1)[0]
        lines[i] = f"{key}: {scalar}\n"
    else:
        lines.insert(i, scalar + "\n")
    assert_located("".join(lines))


@FUZZ
@given(st.data())
def test_duplicate_and_swap_subtrees(data: st.DataObject) -> None:
    card = yaml.safe_load(BASE)
    children = card["criteria"][0]["children"]
    i = data.draw(st.integers(min_value=0, max_value=len(children) - 1))
    j = data.draw(st.integers(min_value=0, max_value=len(children) - 1))
    children.insert(j, children[i])  # the same id twice, sums off
    node = children[data.draw(st.integers(min_value=0, max_value=len(children) - 1))]
    keys = list(node)
    a, b = data.draw(st.sampled_from(keys)), data.draw(st.sampled_from(keys))
    node[a], node[b] = node[b], node[a]  # values under the wrong keys
    text = yaml.safe_dump(card, allow_unicode=True, sort_keys=False)
    assert_located(text)


@settings(max_examples=max(20, EXAMPLES // 5), deadline=None)
@given(st.binary(max_size=300))
def test_cli_never_raises_on_bytes(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("fuzz") / "f.yaml"
    path.write_bytes(data)
    runner = CliRunner()
    for args in (["validate", str(path)], ["total", str(path)], ["validate", "-f", "json", str(path)]):
        result = runner.invoke(app, args)
        # typer.Exit(code) reaches the runner as SystemExit; anything else is a crash
        assert result.exception is None or type(result.exception) is SystemExit, result.exception
        assert result.exit_code in (0, 1, 2) and "Traceback" not in result.output
