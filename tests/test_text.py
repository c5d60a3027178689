"""The one accent and case fold that headers, type words, file names and citations are compared by."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from cchc.text import fold


def test_fold_drops_case_and_accents() -> None:
    assert fold("Điểm Tự Đánh Giá") == "diem tu danh gia"
    assert fold("QUYẾT ĐỊNH số 12/QĐ-UBND") == "quyet dinh so 12/qd-ubnd"
    assert fold("İ") == "i" and fold("plain ascii") == "plain ascii"


@given(st.text(alphabet=st.characters(codec="utf-8", categories=["L", "M", "N", "P", "Zs"])))
def test_fold_keeps_positions_in_composed_text(text: str) -> None:
    """One character for each, so a position found in the fold is a position in the text."""
    composed = unicodedata.normalize("NFC", text)
    assert len(fold(composed)) == len(composed) - sum(1 for ch in composed if unicodedata.combining(ch))


def test_fold_reads_decomposed_text_as_composed() -> None:
    """Vietnamese typed with combining accents (Unikey's "tổ hợp") folds as the precomposed letters."""
    for text in ("Tiếng Việt", "Kế hoạch", "ĐƯỜNG", "Ỷ lại, ự, ở"):
        assert fold(unicodedata.normalize("NFD", text)) == fold(text)


@given(st.text())
def test_fold_keeping_length_keeps_every_position(text: str) -> None:
    folded = fold(text, keep_length=True)
    assert len(folded) == len(text)
    assert fold(folded) == fold(text)  # the marks kept are the only difference
