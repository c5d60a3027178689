"""Scoring rules as pure functions: a rate's points, a stepped scale's points, the checks on a scale.

A rate criterion ("Tỷ lệ …") scores max × rate; its value is written as counts (``4991/5000``), a
percent (``99,82%``) or a fraction (``0,9982``). A stepped criterion takes the points of the first
step, highest first, whose ``from`` the value reaches; a step's ``from`` is a percent (``90%``: the value
is then a rate, in any of the three forms) or a plain number (``4``: the value is then a count, such as
meetings held). Everything is exact: Decimal from the text, never float.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from cchc.scorecard.numbers import NumberError, decimal_places, parse_decimal

#: Places a computed score is rounded to (half up), as the forms keep 4 decimals.
PLACES = 4

_COUNTS = re.compile(r"\s*([^/]+?)\s*/\s*([^/]+?)\s*")
_PERCENT = re.compile(r"\s*(.+?)\s*%\s*")
_HUNDRED = Decimal(100)


class RuleError(ValueError):
    """A value or step that cannot be read; ``reason`` is a message key, ``text`` the input."""

    def __init__(self, reason: str, text: str) -> None:
        super().__init__(f"{reason}: {text!r}")
        self.reason = reason
        self.text = text


def _number(text: str, whole: str) -> Decimal:
    try:
        return parse_decimal(text)
    except NumberError:
        raise RuleError("rule.value-not-number", whole) from None


@dataclass(frozen=True)
class Rate:
    """A value as the exact ratio ``done / total`` (total > 0), so no division ever rounds early.

    A fraction 0,9982 is 0,9982 / 1, a percent 99,82 % is 99,82 / 100, counts 4991/5000 are themselves;
    a count for a stepped scale (4 meetings) is 4 / 1.
    """

    done: Decimal
    total: Decimal

    def at_least(self, threshold: Decimal) -> bool:
        """done / total ≥ threshold, compared without dividing."""
        return self.done >= threshold * self.total

    @property
    def in_range(self) -> bool:
        """0 ≤ rate ≤ 1 (0 % to 100 %)."""
        return Decimal(0) <= self.done <= self.total

    @property
    def percent(self) -> Decimal:
        """The rate in percent, rounded half up to 4 decimals (for display: 99,82)."""
        return divide_half_up(self.done * _HUNDRED, self.total, PLACES)


def parse_rate(text: str) -> Rate:
    """The rate a value states: ``4991/5000``, ``99,82%`` and ``0,9982`` all state 99,82 %.

    Out-of-range rates (above 100 % or below 0) are returned as they are: `Rate.in_range` judges them.
    """
    counts = _COUNTS.fullmatch(text)
    if counts:
        done, total = _number(counts[1], text), _number(counts[2], text)
        if total <= 0:
            raise RuleError("rule.value-zero-total", text)
        return Rate(done, total)
    percent = _PERCENT.fullmatch(text)
    if percent:
        return Rate(_number(percent[1], text), _HUNDRED)
    return Rate(_number(text, text), Decimal(1))


def divide_half_up(numerator: Decimal, denominator: Decimal, places: int) -> Decimal:
    """numerator / denominator rounded half up to ``places`` decimals, exactly (integer arithmetic).

    A 28-digit Decimal division could land a hair below a half (0,00015 × 1/3) and round the wrong way.
    """
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    # Both as integers over one power of ten, then one integer division with the remainder judged.
    scale = max(decimal_places(numerator), decimal_places(denominator))
    num = int(numerator.scaleb(scale)) * 10**places
    den = int(denominator.scaleb(scale))
    quotient, remainder = divmod(abs(num), den)
    if 2 * remainder >= den:
        quotient += 1
    result = Decimal(quotient if num >= 0 else -quotient).scaleb(-places)
    return result.copy_abs() if result.is_zero() else result


def rate_points(maximum: Decimal, rate: Rate) -> Decimal:
    """max × rate rounded half up to 4 decimals: 0,5 × 4991/5000 = 0,4991."""
    return divide_half_up(maximum * rate.done, rate.total, PLACES)


@dataclass(frozen=True)
class Threshold:
    """A step's ``from``: a percent (compared with a rate) or a plain number (compared with a count)."""

    value: Decimal
    percent: bool

    @property
    def comparable(self) -> Decimal:
        """The value compared with: a fraction for a percent (90 % -> 0.9), else the number itself."""
        return self.value / _HUNDRED if self.percent else self.value

    def __str__(self) -> str:
        text = format(self.value.normalize(), "f").replace(".", ",")
        return f"{text}%" if self.percent else text


def parse_threshold(text: str) -> Threshold:
    """``90%`` -> a percent threshold; ``4`` -> a count threshold."""
    percent = _PERCENT.fullmatch(text)
    if percent:
        return Threshold(_number(percent[1], text), True)
    return Threshold(_number(text, text), False)


def step_value(text: str, percent: bool) -> Rate:
    """The value a stepped criterion is judged on: a rate for percent steps, else a count (n / 1)."""
    if percent:
        return parse_rate(text)
    if _COUNTS.fullmatch(text) or _PERCENT.fullmatch(text):
        raise RuleError("rule.value-not-count", text)
    return Rate(_number(text, text), Decimal(1))


def step_points(steps: list[tuple[Threshold, Decimal]], value: Rate) -> Decimal:
    """The points of the first step (highest first) whose ``from`` is at most ``value``; 0 below every step."""
    for threshold, points in steps:
        if value.at_least(threshold.comparable):
            return points
    return Decimal(0)


def steps_mixed(steps: list[tuple[Threshold, Decimal]]) -> bool:
    """Percent and count thresholds in one scale (the value could not be read both ways)."""
    return len({threshold.percent for threshold, _ in steps}) > 1


def steps_out_of_order(steps: list[tuple[Threshold, Decimal]]) -> int | None:
    """The index of the first step whose ``from`` is not below the one before it; None when descending."""
    for i in range(1, len(steps)):
        if steps[i][0].comparable >= steps[i - 1][0].comparable:
            return i
    return None
