"""Exact decimal points: read from a scalar's own text, printed with a decimal comma.

Scores are read straight from the text YAML gave us (``0,5``, ``0.5``, ``"0,4991"``, ``14``),
never through ``float``, so 12,9491 + 12,5709 is exactly 25,52.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

# One optional sign, digits, then at most one decimal separator (comma or dot) and digits.
_PLAIN = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
# Only a mistake is matched against these, so they are compiled (and cached by ``re``) on first use.
_THOUSANDS = r"[+-]?\d{1,3}(?:([.,  ])\d{3})+(?:[.,]\d+)?"
_EXPONENT = r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+"
_NOT_NUMBERS = {".nan", "nan", ".inf", "inf", "+.inf", "-.inf", "+inf", "-inf", "infinity", "-infinity", "+infinity"}

#: Longest digit string accepted; beyond it a number is a typing accident, not a score.
MAX_DIGITS = 30


class NumberError(ValueError):
    """A scalar that is not a plain decimal; ``reason`` is a message key, ``text`` the input."""

    def __init__(self, reason: str, text: str) -> None:
        super().__init__(f"{reason}: {text!r}")
        self.reason = reason
        self.text = text


def parse_decimal(text: str) -> Decimal:
    """Read ``0,5`` / ``0.5`` / ``14`` as an exact Decimal, or raise NumberError saying why."""
    raw = text
    text = text.strip()
    # A plain decimal first (every score is one); none of the refusals below matches one.
    if _PLAIN.fullmatch(text):
        if len(text) > MAX_DIGITS and sum(ch.isdigit() for ch in text) > MAX_DIGITS:
            raise NumberError("number-too-long", raw)
        value = Decimal(text.replace(",", "."))
        # "-0" is zero; keep the sign out so it never prints as "-0".
        return value.copy_abs() if value.is_zero() else value
    if not text:
        raise NumberError("number-empty", raw)
    if text.lower() in _NOT_NUMBERS:
        raise NumberError("number-not-finite", raw)
    if text.endswith("%"):
        raise NumberError("number-percent", raw)
    if re.fullmatch(_EXPONENT, text):
        raise NumberError("number-exponent", raw)
    if re.fullmatch(_THOUSANDS, text):
        raise NumberError("number-thousands", raw)
    raise NumberError("number-not-decimal", raw)


def decimal_places(value: Decimal) -> int:
    """How many digits stand after the decimal separator in the value as written."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def quantize(value: Decimal, places: int) -> Decimal:
    """Round half up to ``places`` decimals, the way the forms round by hand."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_points(value: Decimal | None, places: int | None = None, sep: str | None = None) -> str:
    """``Decimal('12.9491')`` -> ``12,9491`` (``12.9491`` in English); ``places`` fixes the decimals
    (the total: 2).

    Without ``places`` at most 4 decimals are shown and trailing zeros are dropped. The separator
    follows the language in force unless ``sep`` is given.
    """
    if sep is None:
        sep = decimal_separator()
    if value is None:
        return ""
    if places is None:
        shown = quantize(value, 4).normalize() if decimal_places(value) > 4 else value.normalize()
        text = format(shown, "f")
    else:
        text = format(quantize(value, places), "f")
    if text.startswith("-") and Decimal(text.replace(",", ".")).is_zero():
        text = text[1:]
    return text.replace(".", sep)


def decimal_separator() -> str:
    """The decimal separator of the language in force: a comma in Vietnamese, a point in English."""
    from cchc.messages import render

    return render("number.decimal-separator")


def decimal_text(value: Decimal | None) -> str | None:
    """The one canonical text of an exact value for JSON: normalised, no exponent ("14", "98.5249")."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def matches_declared(declared: Decimal, computed: Decimal) -> bool:
    """Declared equals computed exactly, or is computed rounded to the declared 2+ decimals.

    Forms print totals with 2 decimals (98,52) while rows keep 4; a declared value that is the
    rounding of the exact sum is right. Whole numbers get no such tolerance: 14 is not 13,6.
    """
    if declared == computed:
        return True
    places = decimal_places(declared)
    return places >= 2 and quantize(computed, places) == declared


def percent(score: Decimal | None, maximum: Decimal | None) -> Decimal | None:
    """score / max × 100, exact to 4 decimals; None where the max is zero or unknown."""
    if score is None or maximum is None or maximum == 0:
        return None
    return quantize(score * 100 / maximum, 4)
