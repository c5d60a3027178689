"""Comparing Vietnamese the way people type it: without case and accents."""

from __future__ import annotations

import unicodedata

__all__ = ["fold"]


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table that works out each character the first time it is met."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if unicodedata.combining(ch):
            folded = ""  # an accent typed as its own character (decomposed text, NFD)
        elif ch in "đĐ":
            folded = "d"
        else:
            base = unicodedata.normalize("NFD", ch)[0]  # the letter without its accents
            folded = base.lower()[:1] or base  # "İ".lower() is two characters
        self[code] = folded
        return folded


_TABLE = _FoldTable()


def fold(text: str) -> str:
    """``text`` in lower case without accents, đ read as d: "Quyết Định" -> "quyet dinh".

    Typed composed or decomposed (NFC or NFD), a text folds the same. Each character gives one
    character, except combining marks, which give none: in composed text a position in the fold is
    the same position in ``text``.
    """
    if text.isascii():
        return text.lower()
    return text.translate(_TABLE)
