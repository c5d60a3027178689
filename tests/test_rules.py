"""Scoring rules: a rate from counts, a percent or a fraction; max × rate rounded half up; stepped scales."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.scorecard.rules import (
    RuleError,
    Threshold,
    divide_half_up,
    parse_rate,
    parse_threshold,
    rate_points,
    step_points,
    step_value,
    steps_mixed,
    steps_out_of_order,
)

D = Decimal


@pytest.mark.parametrize("text", ["4991/5000", "99,82%", "99.82 %", "0,9982", "0.9982", " 4991 / 5000 "])
def test_the_seeds_rate_in_every_form_gives_its_score(text: str) -> None:
    """3.5.1 of the seed: max 0,5, on-time rate 99,82 % -> 0,4991 (the score typed by hand)."""
    rate = parse_rate(text)
    assert rate.in_range
    assert rate.percent == D("99.82")
    assert rate_points(D("0.5"), rate) == D("0.4991")


def test_rate_points_round_half_up_to_four_places() -> None:
    assert rate_points(D("0.75"), parse_rate("1/3")) == D("0.25")
    assert rate_points(D("1"), parse_rate("1/3")) == D("0.3333")
    assert rate_points(D("1"), parse_rate("2/3")) == D("0.6667")
    assert rate_points(D("0.5"), parse_rate("99,99%")) == D("0.5000")  # 0,49995 rounds up
    assert rate_points(D("0.5"), parse_rate("99,97%")) == D("0.4999")  # 0,49985 rounds up too
    assert rate_points(D("0.5"), parse_rate("0,99969")) == D("0.4998")  # 0,499845 rounds down


def test_an_exact_half_behind_a_repeating_fraction_rounds_up() -> None:
    """0,00015 × 1/3 is exactly 0,00005; a 28-digit division would make it 0,0000499… and round down."""
    assert rate_points(D("0.00015"), parse_rate("1/3")) == D("0.0001")


@pytest.mark.parametrize(
    ("text", "inside"),
    [
        ("0", True),
        ("0%", True),
        ("100%", True),
        ("1", True),
        ("5000/5000", True),
        ("0/7", True),
        ("100,01%", False),
        ("5001/5000", False),
        ("1,0001", False),
        ("-1%", False),
        ("-1/5", False),
    ],
)
def test_rates_outside_zero_to_hundred_percent_are_flagged(text: str, inside: bool) -> None:
    assert parse_rate(text).in_range is inside


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("4991/0", "rule.value-zero-total"),
        ("1/-5", "rule.value-zero-total"),
        ("abc", "rule.value-not-number"),
        ("1/2/3", "rule.value-not-number"),
        ("%", "rule.value-not-number"),
        ("1e2%", "rule.value-not-number"),
        ("", "rule.value-not-number"),
        ("99,8,2%", "rule.value-not-number"),
    ],
)
def test_unreadable_values_say_why(text: str, reason: str) -> None:
    with pytest.raises(RuleError) as info:
        parse_rate(text)
    assert info.value.reason == reason


PERCENT_STEPS = [(parse_threshold("100%"), D(1)), (parse_threshold("90%"), D("0.5")), (parse_threshold("0%"), D(0))]
COUNT_STEPS = [
    (parse_threshold("4"), D(20)),
    (parse_threshold("3"), D(15)),
    (parse_threshold("2"), D(10)),
    (parse_threshold("1"), D(5)),
]


@pytest.mark.parametrize(
    ("value", "points"),
    [
        ("100%", "1"),
        ("1", "1"),
        ("50/50", "1"),  # exactly at the top step
        ("99,99%", "0.5"),
        ("4999/5000", "0.5"),
        ("90%", "0.5"),
        ("0,9", "0.5"),
        ("9/10", "0.5"),  # at 90 %
        ("89,99%", "0"),
        ("899/1000", "0"),
        ("0%", "0"),
        ("0", "0"),
    ],
)
def test_steps_by_percent_boundaries_exactly_at_a_step(value: str, points: str) -> None:
    assert step_points(PERCENT_STEPS, step_value(value, percent=True)) == D(points)


@pytest.mark.parametrize(
    ("value", "points"),
    [
        ("4", "20"),
        ("5", "20"),
        ("3", "15"),
        ("3,5", "15"),
        ("2", "10"),
        ("1", "5"),
        ("0", "0"),
    ],
)
def test_steps_by_count(value: str, points: str) -> None:
    """4 meetings a year = 20, 3 = 15, 2 = 10, 1 = 5; none reached: 0."""
    assert step_points(COUNT_STEPS, step_value(value, percent=False)) == D(points)


@pytest.mark.parametrize("value", ["4/5", "80%"])
def test_a_count_scale_refuses_a_rate(value: str) -> None:
    with pytest.raises(RuleError) as info:
        step_value(value, percent=False)
    assert info.value.reason == "rule.value-not-count"


def test_thresholds_read_percent_or_count_and_print_back() -> None:
    assert parse_threshold("90%") == Threshold(D(90), True)
    assert parse_threshold(" 90 % ") == Threshold(D(90), True)
    assert parse_threshold("4") == Threshold(D(4), False)
    assert str(parse_threshold("99,5%")) == "99,5%"
    assert str(parse_threshold("4")) == "4"
    with pytest.raises(RuleError):
        parse_threshold("nhiều")


def test_scale_order_and_mixing() -> None:
    assert steps_out_of_order(PERCENT_STEPS) is None
    assert steps_out_of_order(COUNT_STEPS) is None
    rising = [(parse_threshold("90%"), D("0.5")), (parse_threshold("100%"), D(1))]
    assert steps_out_of_order(rising) == 1
    equal = [*COUNT_STEPS[:2], (parse_threshold("3"), D(12))]
    assert steps_out_of_order(equal) == 2
    assert not steps_mixed(PERCENT_STEPS)
    assert steps_mixed([(parse_threshold("90%"), D(1)), (parse_threshold("3"), D(0))])


def _exact_half_up(value: Fraction, places: int) -> Fraction:
    scaled = value * 10**places
    sign = -1 if scaled < 0 else 1
    whole, rest = divmod(abs(scaled), 1)
    return sign * (whole + (1 if rest >= Fraction(1, 2) else 0)) / Fraction(10) ** places


points_text = st.decimals(min_value=0, max_value=100, places=4, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(points_text, st.integers(0, 10**6), st.integers(1, 10**6))
def test_rate_points_equal_exact_rational_rounding(maximum: Decimal, done: int, total: int) -> None:
    """Whatever the counts, the score is max × done / total rounded half up, computed exactly."""
    got = rate_points(maximum, parse_rate(f"{done}/{total}"))
    assert Fraction(got) == _exact_half_up(Fraction(maximum) * done / total, 4)


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=0, max_value=100, places=4, allow_nan=False, allow_infinity=False))
def test_the_three_forms_agree(percent: Decimal) -> None:
    """p %, p/100 as a fraction and p·100/10000 as counts are one rate."""
    text = format(percent, "f")
    as_percent = parse_rate(text.replace(".", ",") + "%")
    as_fraction = parse_rate(format(percent / 100, "f"))
    as_counts = parse_rate(f"{int(percent * 10000)}/1000000")
    for maximum in (D("0.5"), D("0.75"), D(1), D(20)):
        assert rate_points(maximum, as_percent) == rate_points(maximum, as_fraction) == rate_points(maximum, as_counts)
    assert as_percent.percent == as_fraction.percent == as_counts.percent == percent


@settings(max_examples=200, deadline=None)
@given(st.integers(-(10**8), 10**8), st.integers(1, 10**8), st.integers(0, 6))
def test_divide_half_up_matches_fractions(num: int, den: int, places: int) -> None:
    got = divide_half_up(D(num).scaleb(-3), D(den).scaleb(-2), places)
    assert Fraction(got) == _exact_half_up(Fraction(num, 1000) / Fraction(den, 100), places)
