"""The YAML writer: readable output (order, quoting, decimal commas) that loads back into an equal card."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.output import OutputError
from cchc.scorecard.dump import MODELINE, dump_scorecard, points, scalar, write_text_atomic
from cchc.scorecard.load import load_file, load_text
from cchc.scorecard.model import Appraisal, CardAppraisal, Criterion, EvidenceRef, Scorecard
from tests.conftest import SHIPPED

EXAMPLES = int(os.environ.get("CCHC_FUZZ_EXAMPLES", "150"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Text a YAML reader would take for something else, or that breaks naive quoting.
NASTY = [
    "",
    " ",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "n",
    "true",
    "null",
    "Null",
    "~",
    "1",
    "1.10",
    "010",
    "0x1F",
    "0o17",
    "1_000",
    "1e3",
    "1:30",
    ".inf",
    "-.inf",
    ".nan",
    "0,5",
    "-0",
    "2021-12-25",
    "2021-12-25 10:00:00",
    "- x",
    "-x",
    "? k",
    ": v",
    "a: b",
    "a #b",
    "a#b",
    "#c",
    "a:",
    "'",
    '"',
    "[a]",
    "{a: 1}",
    "&a",
    "*a",
    "!t",
    "|",
    ">",
    "%YAML",
    "@x",
    "`x",
    "=cmd|' /C calc'!A0",
    "+1",
    "...",
    "---",
    "a\nb",
    "a\n\nb",
    "\na",
    "a\n",
    " lead",
    "trail ",
    "  two\n  lines",
    "tab\there",
    "\t",
    "\r\n",
    "a\rb",
    "\x00",
    "\x07",
    "\x1b[0m",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffe",
    "\xa0",
    "a\xa0",
    "\U0001f600",
    "Điều tra xã hội học",
    "Kế hoạch số 1280/KH-UBND ngày 30/12/2020",
    "TCTP 1.1.1. Ban hành",
    "a\\b",
    "\\",
    '"quoted"',
    "it's",
]

# Any text a Python str holds, except lone surrogates: those cannot be written to a UTF-8 file at all.
texts = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    st.lists(st.sampled_from(NASTY), min_size=1, max_size=3).map(" ".join),
)

decimals = st.one_of(
    *(
        st.decimals(min_value=-100, max_value=1000, places=places, allow_nan=False, allow_infinity=False)
        for places in range(0, 6)
    ),
    st.sampled_from(
        [
            Decimal("0.50"),
            Decimal("14"),
            Decimal("12.9491"),
            Decimal("0E-8"),
            Decimal("1E+1"),
            Decimal("98.5200"),
            Decimal("-0.0"),
        ]
    ),
)
optional_points = st.none() | decimals


# An evidence item written as a mapping; a date as officers write it or as ISO.
refs = st.builds(
    EvidenceRef,
    doc=texts.filter(str.strip),
    date=st.none() | st.sampled_from(["30/12/2020", "2020-12-30"]),
    title=st.none() | texts,
    file=st.none() | texts,
    pages=st.none() | texts,
    url=st.none() | texts,
)


# Appraisal rounds: a required score, the council's note, the unit's reply, supplementary evidence.
appraisals = st.lists(
    st.builds(
        Appraisal,
        score=decimals,
        note=st.none() | texts,
        reply=st.none() | texts,
        evidence=st.lists(texts | refs, max_size=2),
    ),
    max_size=2,
)
card_appraisals = st.lists(
    st.builds(
        CardAppraisal,
        score=decimals,
        note=st.none() | texts,
        by=st.none() | texts,
        date=st.none() | st.sampled_from(["15/01/2022", "2022-01-15"]),
    ),
    max_size=2,
)


@st.composite
def criteria(draw: st.DrawFn, depth: int = 1) -> Criterion:
    """A criterion with arbitrary text and points, and children down to depth 3."""
    kids = draw(st.lists(criteria(depth + 1), max_size=3)) if depth < 3 else []
    return Criterion(
        id=draw(texts),
        tt=draw(st.none() | texts),
        title=draw(texts),
        max=draw(optional_points),
        score=draw(optional_points),
        split_unknown=draw(st.booleans()),
        survey=draw(st.booleans()),
        evidence=draw(st.lists(texts | refs, max_size=3)),
        note=draw(st.none() | texts),
        appraisal=draw(appraisals),
        children=kids,
    )


cards = st.builds(
    Scorecard,
    unit=texts,
    year=st.integers(1990, 2100),
    level=st.sampled_from([None, "tinh", "so", "huyen", "xa"]),
    title=st.none() | texts,
    report=st.none() | texts,
    max=optional_points,
    score=optional_points,
    appraisal=card_appraisals,
    criteria=st.lists(criteria(), max_size=3),
)


def reloaded(card: Scorecard) -> Scorecard:
    """The card written and read back by the project's own loader, with no problem on the way."""
    loaded = load_text(dump_scorecard(card), "written.yaml")
    assert loaded.problems == [], [p.message for p in loaded.problems]
    assert loaded.card is not None
    return loaded.card


@PROPERTY
@given(cards)
def test_generated_cards_load_back_equal(card: Scorecard) -> None:
    assert reloaded(card).model_dump() == card.model_dump()


@PROPERTY
@given(cards)
def test_output_is_plain_yaml_for_other_readers(card: Scorecard) -> None:
    """PyYAML's own reader (YAML 1.1: yes/no/dates) gets strings where the card has text, and ids as text."""
    data = yaml.safe_load(dump_scorecard(card))
    assert data["unit"] == card.unit and data["year"] == card.year
    for node, got in zip(card.criteria, data["criteria"], strict=True):
        assert got["id"] == node.id and got["title"] == node.title
        assert got.get("evidence", []) == [e if isinstance(e, str) else e.to_dict() for e in node.evidence]


def test_shipped_scorecard_round_trips() -> None:
    card = load_file(SHIPPED).card
    assert card is not None
    assert reloaded(card).model_dump() == card.model_dump()


def test_modeline_first_keys_in_model_order_block_style() -> None:
    card = Scorecard(
        unit="UBND xã A",
        year=2021,
        level="xa",
        title="Bảng",
        report="BC 1",
        max=Decimal(100),
        score=Decimal("98.52"),
        criteria=[
            Criterion(
                id="1",
                tt="I",
                title="Lĩnh vực",
                max=Decimal(14),
                score=Decimal(14),
                children=[
                    Criterion(
                        id="1.1",
                        title="Một",
                        max=Decimal("0.5"),
                        score=Decimal("0.5"),
                        evidence=["KH 1"],
                        note="ghi chú",
                    )
                ],
            )
        ],
    )
    assert (
        dump_scorecard(card)
        == f"""{MODELINE}
unit: UBND xã A
year: 2021
level: xa
title: Bảng
report: BC 1
max: 100
score: 98,52
criteria:
  - id: "1"
    tt: I
    title: Lĩnh vực
    max: 14
    score: 14
    children:
      - id: "1.1"
        title: Một
        max: 0,5
        score: 0,5
        evidence:
          - KH 1
        note: ghi chú
"""
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("0.50"), "0,50"),
        (Decimal("14"), "14"),
        (Decimal("12.9491"), "12,9491"),
        (Decimal("1E+1"), "10"),
        (Decimal("0E-8"), "0,00000000"),
        (Decimal("-0.0"), "0,0"),
        (Decimal("-1.5"), "-1,5"),
    ],
)
def test_points_keep_their_precision_with_a_decimal_comma(value: Decimal, text: str) -> None:
    assert points(value) == text


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Công tác chỉ đạo, điều hành CCHC", "Công tác chỉ đạo, điều hành CCHC"),
        ("yes", '"yes"'),
        ("1.10", '"1.10"'),
        ("2021-12-25", '"2021-12-25"'),
        ("~", '"~"'),
        ("", '""'),
        ("a: b", '"a: b"'),
        ("a #b", '"a #b"'),
        ("- x", '"- x"'),
        ("=cmd", '"=cmd"'),
        (" lead", '" lead"'),
        ("tab\there", '"tab\\there"'),
        ("\x00", '"\\0"'),
        ("\u2028", '"\\L"'),
    ],
)
def test_scalars_quoted_only_where_yaml_would_misread_them(text: str, written: str) -> None:
    assert scalar(text, "") == written


def test_multi_line_text_is_a_literal_block() -> None:
    card = Scorecard(
        unit="A", year=2021, criteria=[Criterion(id="1", title="T", max=Decimal(1), note="dòng một\n\ndòng ba")]
    )
    text = dump_scorecard(card)
    assert "    note: |-\n      dòng một\n\n      dòng ba\n" in text
    assert reloaded(card).criteria[0].note == "dòng một\n\ndòng ba"


def test_atomic_write_refuses_existing_output_and_keeps_it(tmp_path: Path) -> None:
    out = tmp_path / "out.yaml"
    out.write_text("old", encoding="utf-8")
    with pytest.raises(OutputError) as caught:
        write_text_atomic("new", out, source=None, overwrite=False)
    assert caught.value.key == "err.output-exists" and out.read_text(encoding="utf-8") == "old"
    write_text_atomic("new", out, source=None, overwrite=True)
    assert out.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.yaml"]  # no temporary file left behind


def test_atomic_write_refuses_the_input_and_other_suffixes(tmp_path: Path) -> None:
    source = tmp_path / "in.yaml"
    source.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError) as same:
        write_text_atomic("y", source, source=source, overwrite=True)
    assert same.value.key == "err.output-is-input" and source.read_text(encoding="utf-8") == "x"
    with pytest.raises(OutputError) as suffix:
        write_text_atomic("y", tmp_path / "out.txt", source=None, overwrite=True)
    assert suffix.value.key == "err.import-out-suffix"
    with pytest.raises(OutputError) as missing:
        write_text_atomic("y", tmp_path / "no" / "out.yaml", source=None, overwrite=True)
    assert missing.value.key == "err.output-dir"


def test_export_and_import_write_through_one_safe_writer(tmp_path: Path) -> None:
    """Both commands refuse with the same error, and an overwritten file keeps its permissions."""
    from cchc.scorecard.rollup import rollup
    from cchc.xlsx.export import write_xlsx

    card = Scorecard(unit="A", year=2021, criteria=[Criterion(id="1", title="T", max=Decimal(1))])
    book = tmp_path / "out.xlsx"
    book.write_bytes(b"old")
    with pytest.raises(OutputError) as export_error:
        write_xlsx(card, rollup(card), book, source=None, overwrite=False)
    out = tmp_path / "out.yaml"
    out.write_text("old", encoding="utf-8")
    with pytest.raises(OutputError) as import_error:
        write_text_atomic("new", out, source=None, overwrite=False)
    assert export_error.value.key == import_error.value.key == "err.output-exists"
    out.chmod(0o640)
    write_text_atomic("new", out, source=None, overwrite=True)
    assert out.read_text(encoding="utf-8") == "new" and out.stat().st_mode & 0o777 == 0o640
