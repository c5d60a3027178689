"""Comparing Vietnamese the way people type it: without case and accents."""

from __future__ import annotations

import unicodedata

__all__ = ["fold"]


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table that works out each character the first time it is met."""

    def __init__(self, keep_marks: bool) -> None:
        super().__init__()
        self.keep_marks = keep_marks

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if unicodedata.combining(ch):  # an accent typed as its own character (decomposed text, NFD)
            folded = ch if self.keep_marks else ""
        elif ch in "đĐ":
            folded = "d"
        else:
            base = unicodedata.normalize("NFD", ch)[0]  # the letter without its accents
            folded = base.lower()[:1] or base  # "İ".lower() is two characters
        self[code] = folded
        return folded


_DROP_MARKS = _FoldTable(keep_marks=False)
_KEEP_MARKS = _FoldTable(keep_marks=True)


def fold(text: str, *, keep_length: bool = False) -> str:
    """``text`` in lower case without accents, đ read as d: "Quyết Định" -> "quyet dinh".

    Typed composed or decomposed (NFC or NFD), a text folds the same: each character gives one
    character, except combining marks, which give none. With ``keep_length`` they stay as they are
    instead, so that every position found in the fold is the same position in ``text`` (for
    composed text both ways agree).
    """
    if text.isascii():
        return text.lower()
    return text.translate(_KEEP_MARKS if keep_length else _DROP_MARKS)
