"""Exact decimals: parsing from text, formatting with a decimal comma, the rounding rule."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.scorecard.numbers import NumberError, format_points, matches_declared, parse_decimal, percent


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0,5", "0.5"),
        ("0.5", "0.5"),
        ("14", "14"),
        (" 0,4991 ", "0.4991"),
        ("12,9491", "12.9491"),
        ("010", "10"),
        ("-0", "0"),
        ("-1,5", "-1.5"),
        ("+2", "2"),
        ("98,52", "98.52"),
    ],
)
def test_parse_plain_decimals(text: str, value: str) -> None:
    got = parse_decimal(text)
    assert got == Decimal(value)
    assert str(got) == str(Decimal(value)) or got.is_zero()


def test_parse_keeps_written_precision() -> None:
    assert str(parse_decimal("0,50")) == "0.50"
    assert not parse_decimal("-0").is_signed()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1.000,5", "number-thousands"),
        ("1,000.5", "number-thousands"),
        ("NaN", "number-not-finite"),
        (".inf", "number-not-finite"),
        ("-.inf", "number-not-finite"),
        ("99%", "number-percent"),
        ("1e3", "number-exponent"),
        ("1,5e-2", "number-exponent"),
        ("", "number-empty"),
        ("abc", "number-not-decimal"),
        ("0,5,5", "number-not-decimal"),
        ("1" * 40, "number-too-long"),
        ("½", "number-not-decimal"),
    ],
)
def test_parse_refuses(text: str, reason: str) -> None:
    with pytest.raises(NumberError) as info:
        parse_decimal(text)
    assert info.value.reason == reason


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        ("12.9491", None, "12,9491"),
        ("14.0", None, "14"),
        ("98.5200", 2, "98,52"),
        ("100", None, "100"),
        ("0.49915", None, "0,4992"),
        ("98.525", 2, "98,53"),
        ("-0.0", None, "0"),
        ("3.50", None, "3,5"),
    ],
)
def test_format_points(value: str, places: int | None, shown: str) -> None:
    assert format_points(Decimal(value), places) == shown


def test_declared_rounding_rule() -> None:
    assert matches_declared(Decimal("98.52"), Decimal("98.5200"))
    assert matches_declared(Decimal("98.52"), Decimal("98.5249"))  # the form prints 2 decimals
    assert not matches_declared(Decimal("98.52"), Decimal("98.5250"))
    assert not matches_declared(Decimal("14"), Decimal("13.6"))  # no tolerance for whole numbers
    assert not matches_declared(Decimal("98.5"), Decimal("98.52"))  # one decimal is not a rounding


def test_percent() -> None:
    assert percent(Decimal("68.32"), Decimal("84")) == Decimal("81.3333")
    assert percent(Decimal("0.4991"), Decimal("0.5")) == Decimal("99.8200")
    assert percent(Decimal("1"), Decimal("0")) is None


scores = st.decimals(min_value=0, max_value=100, places=4, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(scores, min_size=1, max_size=3000), st.booleans())
def test_sum_of_parsed_scores_is_exact(values: list[Decimal], comma: bool) -> None:
    """Thousands of scores written as text add up exactly like Fractions do."""
    texts = [format(v, "f").replace(".", "," if comma else ".") for v in values]
    total = sum((parse_decimal(t) for t in texts), Decimal(0))
    oracle = sum((Fraction(t.replace(",", ".")) for t in texts), Fraction(0))
    assert Fraction(total) == oracle
