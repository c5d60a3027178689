"""The plain model classes against the spec (the Pydantic models), and the loader's quick look
against the spec's own validation."""

from __future__ import annotations

import copy
import dataclasses
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.scorecard import load

from cchc.scorecard import model

from cchc.scorecard import spec
from cchc.scorecard.load import load_text
from tests.conftest import CASES, ROOT, SHIPPED
from tests.test_fuzz import BASE

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


# Values a field may be given, around what the quick look accepts and what it leaves to the spec
# (Python values, written into the YAML by PyYAML: True is written `true`, None `null`).
ODD = [None, "", [], {}, ["a"], {"a": 1}, True, 7, "1.10", "yes", "text\nmore"]
POOLS: dict[str, list[Any]] = {
    "text": ["x", " x ", "2021-12-25", *ODD],
    "year": [2021, "2021", 1989, 1990, 2100, 2101, "2021.0", " 2021", "02021", "+2021", "२०२१", "2_021", *ODD],
    "level": ["tinh", "so", "huyen", "xa", "Tinh", "xa ", "tỉnh", *ODD],
    "points": ["0,5", 0.5, "14", "1.10", "0,4991", "1,000.5", "1.000,5", -1, "-0", "1e3", ".nan", "99%",
               " 1 ", "0.5 ", "１", *ODD],
    "flag": [True, False, "TRUE", "False", "yes", "no", "on", "off", "1", "0", "t", " true", "truee", *ODD],
    "evidence": ["KH 1", ["KH 1", "BC 2"], ["KH 1", None], [["a"]], [1], [{"doc": "x"}], [{"date": "30/12/2020"}],
                 [{"doc": "x", "date": "30/12/2020"}], [{"doc": "x", "date": "2020-12-30"}],
                 [{"doc": "x", "date": "30/12/2020 "}], [{"doc": "x", "date": " 2020-12-30"}],
                 [{"doc": "x", "date": "31-12-2020"}], [{"doc": "x", "date": "３0/12/2020"}],
                 [{"doc": "x", "date": "30/12/2020\n"}], [{"doc": "x", "when": "y"}], [{"doc": None, "title": None}],
                 [{"doc": "", "url": "http://a.vn"}], [{"doc": ["x"]}], [{"doc": 12}], [{"title": "", "file": "a.pdf"}],
                 ["KH 1", {"doc": "x", "pages": "3-5"}], [{}], *ODD],
    "children": [[{"id": "1.1.9", "title": "t", "max": 1}], [None], ["x"], *ODD],
}
CARD_FIELDS = {"unit": "text", "year": "year", "level": "level", "title": "text", "report": "text",
               "max": "points", "score": "points", "criteria": "children", "mã": "text"}
CRITERION_FIELDS = {"id": "text", "tt": "text", "title": "text", "max": "points", "score": "points",
                    "split_unknown": "flag", "survey": "flag", "evidence": "evidence", "note": "text",
                    "children": "children", "ten": "text"}
BASE_CARD = yaml.safe_load(BASE)
EDITS = ([("card", name, value) for name, pool in CARD_FIELDS.items() for value in POOLS[pool]]
         + [(where, name, value) for where in ("field", "leaf") for name, pool in CRITERION_FIELDS.items()
            for value in POOLS[pool]])


def edited(edits: list[tuple[str, str, Any]], drop: bool = False) -> str:
    """The real table's first field with `edits` made: (where: card/field/leaf/any criterion's
    index, field, value); with `drop`, the fields are taken away instead."""
    card = copy.deepcopy(BASE_CARD)
    nodes: list[dict[str, Any]] = []
    todo = list(card["criteria"])
    while todo:
        node = todo.pop(0)
        nodes.append(node)
        todo.extend(node.get("children", []))
    leaf = next(n for n in nodes if not n.get("children"))
    for where, name, value in edits:
        node = {"card": card, "field": nodes[0], "leaf": leaf}.get(where) if isinstance(where, str) else nodes[where % len(nodes)]
        assert node is not None
        if drop:
            node.pop(name, None)
        else:
            node[name] = value
    return yaml.safe_dump(card, allow_unicode=True, sort_keys=False)


@pytest.mark.parametrize(("where", "name", "value"), EDITS, ids=[f"{w}-{n}-{v!r}"[:60] for w, n, v in EDITS])
def test_quick_look_agrees_with_the_spec_on_each_value(where: str, name: str, value: Any) -> None:
    """Every field of the scorecard, of a criterion with children and of a leaf, given each value
    of its pool: the same card and the same problems with and without the quick look."""
    assert_agree(edited([(where, name, value)]))


@pytest.mark.parametrize(("where", "name"), [(w, n) for w, n, _ in dict.fromkeys((w, n, None) for w, n, _ in EDITS)])
def test_quick_look_agrees_with_the_spec_without_each_field(where: str, name: str) -> None:
    assert_agree(edited([(where, name, None)], drop=True))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.sampled_from(sorted({**CARD_FIELDS, **CRITERION_FIELDS})),
                          st.sampled_from([v for pool in POOLS.values() for v in pool]) | st.text(max_size=8)),
                min_size=1, max_size=4))
def test_quick_look_agrees_with_the_spec(edits: list[tuple[int, str, Any]]) -> None:
    """Several edits at once, anywhere in the first field of the real table."""
    assert_agree(edited(edits))


def test_quick_look_reads_the_shipped_scorecard_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every node of the real table is plainly right: the spec is never asked."""
    def asked(*args: Any) -> Any:
        raise AssertionError("the spec was asked")

    monkeypatch.setattr(load._Builder, "_validate_by_spec", asked)
    assert load.load_file(SHIPPED).card is not None


def test_checking_a_clean_file_does_not_import_pydantic() -> None:
    code = ("import sys; from cchc.checks import check_files; r = check_files([sys.argv[1]]); "
            "print(r.errors, 'pydantic' in sys.modules)")
    clean = subprocess.run([sys.executable, "-c", code, str(SHIPPED)], capture_output=True, text=True,
                           check=True, cwd=ROOT)
    assert clean.stdout.split() == ["0", "False"]
    broken = subprocess.run([sys.executable, "-c", code, str(CASES / "wrong-type.yaml")], capture_output=True,
                            text=True, check=True, cwd=ROOT)
    assert broken.stdout.split()[1] == "True"  # a problem to explain: the spec was asked
