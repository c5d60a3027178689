"""The plain model classes against the spec (the Pydantic models), and the loader's quick look
against the spec's own validation."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_cli import load, model, spec
from cchc_cli.load import load_text
from tests.conftest import CASES, ROOT, SHIPPED
from tests.test_fuzz import LINES, scalars

PAIRS = [(model.Scorecard, spec.Scorecard), (model.Criterion, spec.Criterion),
         (model.EvidenceRef, spec.EvidenceRef)]


@pytest.mark.parametrize(("plain", "defined"), PAIRS, ids=[p.__name__ for p, _ in PAIRS])
def test_model_mirrors_the_spec(plain: type, defined: Any) -> None:
    """Same fields, in the same order, with the same defaults and the same required ones."""
    ours = dataclasses.fields(plain)
    assert [f.name for f in ours] == list(defined.model_fields)
    for f in ours:
        info = defined.model_fields[f.name]
        assert info.is_required() == (f.default is dataclasses.MISSING
                                      and f.default_factory is dataclasses.MISSING), f.name
        if not info.is_required():
            ours_default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            assert ours_default == info.get_default(call_default_factory=True), f.name


@contextmanager
def spec_only() -> Iterator[None]:
    """Load with every node sent to the spec, as before the quick look existed."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(load, "_plain_criterion", lambda data: None)
        patch.setattr(load, "_plain_scorecard", lambda data: None)
        yield


def outcome(text: str) -> tuple[Any, list[Any]]:
    """What loading gives: the card as plain data (with where each node stands) and the problems."""
    loaded = load_text(text, "x.yaml")
    card = None
    if loaded.card is not None:
        card = dataclasses.asdict(loaded.card)
        card["where"] = [(load.where(n).path, load.where(n).line) for n, _, _ in model.iter_criteria(loaded.card.criteria)]
    return card, [p.to_dict() for p in loaded.problems]


def assert_agree(text: str) -> None:
    quick = outcome(text)
    with spec_only():
        assert outcome(text) == quick


@pytest.mark.parametrize("path", sorted(CASES.glob("*.yaml")) + [SHIPPED], ids=lambda p: p.name)
def test_quick_look_agrees_with_the_spec_on_every_case(path: Path) -> None:
    assert_agree(path.read_text(encoding="utf-8"))


# Values a field may be given, around what the quick look accepts and what it leaves to the spec.
VALUES = st.sampled_from([
    "true", "True", "TRUE", "false", "yes", "on", "1", "0", " true", "2021", "2021.0", " 2021", "02021", "1989",
    "2100", "2101", "tinh", "Tinh", "xa ", "0,5", "0.5", "1.10", "-1", "1e3", ".nan", "", "~", "null", '""',
    "[]", "{}", "[a, b]", "{doc: x}", "{date: 30/12/2020}", "{doc: x, date: 30/12/2020}",
    "{doc: x, date: 2020-12-30}", "{doc: x, date: '30/12/2020 '}", "{doc: x, date: 31-12-2020}",
    "{doc: x, when: y}", "{doc: ~, title: ~}", "[KH 1, {doc: x, pages: 3-5}]", "[KH 1, ~]", "[[a]]",
    "{url: 'http://a.vn'}", "[{file: a.pdf}, {doc: '', title: t}]", "|\n      text", "'quoted'",
])
FIELDS = st.sampled_from(["unit", "year", "level", "title", "report", "max", "score", "id", "tt",
                          "split_unknown", "survey", "evidence", "note", "children", "criteria", "mã"])


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=0, max_value=len(LINES) - 1), FIELDS, VALUES | scalars, st.booleans())
def test_quick_look_agrees_with_the_spec(i: int, name: str, value: str, as_new_key: bool) -> None:
    """A field given any value, or a new key, anywhere in the first field of the real table: the
    same card and the same problems, with and without the quick look."""
    lines = list(LINES)
    line = lines[i]
    indent = line[: len(line) - len(line.lstrip(" -"))].replace("-", " ")
    if as_new_key or ": " not in line:
        lines.insert(i + 1, f"{indent}{name}: {value}\n")
    else:
        lines[i] = f"{line.split(': ', 1)[0]}: {value}\n"
    assert_agree("".join(lines))


def test_quick_look_reads_the_shipped_scorecard_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every node of the real table is plainly right: the spec is never asked."""
    def asked(*args: Any) -> Any:
        raise AssertionError("the spec was asked")

    monkeypatch.setattr(load._Builder, "_validate_by_spec", asked)
    assert load.load_file(SHIPPED).card is not None


def test_checking_a_clean_file_does_not_import_pydantic() -> None:
    code = ("import sys; from cchc_cli.checks import check_files; r = check_files([sys.argv[1]]); "
            "print(r.errors, 'pydantic' in sys.modules)")
    clean = subprocess.run([sys.executable, "-c", code, str(SHIPPED)], capture_output=True, text=True,
                           check=True, cwd=ROOT)
    assert clean.stdout.split() == ["0", "False"]
    broken = subprocess.run([sys.executable, "-c", code, str(CASES / "wrong-type.yaml")], capture_output=True,
                            text=True, check=True, cwd=ROOT)
    assert broken.stdout.split()[1] == "True"  # a problem to explain: the spec was asked
