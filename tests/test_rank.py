"""Ranking many cards: order, ties, bands, cards left out, mixed years, last year's change, JSON."""

from __future__ import annotations

import functools
import json
import pickle
from decimal import Decimal
from pathlib import Path

import pytest

from cchc.checks import discover
from cchc.reports.ranking import (
    DEFAULT_BANDS,
    Band,
    BandsError,
    Ranking,
    band_of,
    parse_bands,
    rank,
    unit_key,
)
from cchc.reports.summary import (
    FieldSummary,
    Summary,
    Unranked,
    summarize_file,
    summarize_files,
)
from cchc.scorecard.model import Adjustment
from tests.rankcards import Cards, make_card, recompute_totals, scored_leaves, write

D = Decimal


@functools.cache
def summarized(path: str) -> Summary | Unranked:
    """Each generated file is summarized once for all the tests (they never change)."""
    return summarize_file(path)


def ranking_of(paths: list[Path], **options: object) -> Ranking:
    return rank([summarized(p) for p in discover([str(p) for p in paths])], **options)  # type: ignore[arg-type]


def test_units_ranked_by_index_highest_first(cards: Cards) -> None:
    ranking = ranking_of(cards.ranked)
    assert [u.summary.unit for u in ranking.units] == sorted(
        cards.totals, key=lambda unit: (-round(cards.totals[unit], 2), unit_key(unit))
    )
    for unit in ranking.units:
        # every generated card's maximum is 100: the index is the total made
        assert unit.index == cards.totals[unit.summary.unit]
        assert unit.summary.final == unit.summary.self_total == cards.totals[unit.summary.unit]
        assert unit.summary.applicable_max == unit.summary.max == D(100)
    assert ranking.unranked == [] and ranking.problems == [] and ranking.exit_code() == 0


def test_equal_shown_indices_share_a_rank_and_the_next_is_skipped(cards: Cards) -> None:
    ranks = {u.summary.unit: u.rank for u in ranking_of(cards.ranked).units}
    assert ranks["UBND thành phố Sầm Sơn"] == 2
    assert ranks["UBND thị xã Bỉm Sơn"] == ranks["UBND thị xã Nghi Sơn"] == 3  # 95,73 both
    assert ranks["UBND huyện Hoằng Hóa"] == ranks["UBND huyện Quảng Xương"] == 5  # 95,43 and 95,4349
    assert ranks["UBND huyện Hà Trung"] == 7
    assert ranks["UBND huyện Hậu Lộc"] == ranks["UBND huyện Nông Cống"] == 9  # 90 and 89,996 shown 90,00
    assert ranks["UBND huyện Đông Sơn"] == 11
    ordered = sorted(ranks.values())
    assert ordered[0] == 1 and ordered[-1] == len(ranks)


def test_ties_one_one_three() -> None:
    cards = [summary(f"Đơn vị {name}", score) for name, score in (("B", "80"), ("A", "80"), ("C", "70"))]
    ranking = rank(cards)
    assert [(u.rank, u.summary.unit) for u in ranking.units] == [(1, "Đơn vị A"), (1, "Đơn vị B"), (3, "Đơn vị C")]


def test_default_bands_are_the_national_groups_inclusive_at_the_lower_bound(cards: Cards) -> None:
    bands = {u.summary.unit: u.band.name if u.band else None for u in ranking_of(cards.ranked).units}
    assert bands["UBND huyện Hậu Lộc"] == "A"  # 90
    assert bands["UBND huyện Nông Cống"] == "A"  # 89,996: shown 90,00, banded as shown
    assert bands["UBND huyện Đông Sơn"] == "B"  # 89,99
    assert bands["UBND huyện Thạch Thành"] == "B"  # 80
    assert bands["UBND huyện Cẩm Thủy"] == "C"  # 79,99
    assert bands["UBND huyện Quan Hóa"] == "C"  # 70
    assert bands["UBND huyện Quan Sơn"] is None  # 69,99: no group
    for unit, total in cards.totals.items():
        shown = round(total, 2)
        expected = "A" if shown >= 90 else "B" if shown >= 80 else "C" if shown >= 70 else None
        assert bands[unit] == expected, unit


def test_custom_bands(cards: Cards) -> None:
    bands = parse_bands("Tốt=90,Khá=80,Trung bình=65,Yếu=0")
    assert [(b.name, b.min) for b in bands] == [("Tốt", D(90)), ("Khá", D(80)), ("Trung bình", D(65)), ("Yếu", D(0))]
    ranking = ranking_of(cards.ranked, bands=bands)
    found = {u.summary.unit: u.band.name if u.band else None for u in ranking.units}
    assert found["UBND huyện Quan Sơn"] == "Trung bình"  # 69,99
    assert found["UBND huyện Như Thanh"] == "Yếu"  # 55,55
    assert found["UBND huyện Thạch Thành"] == "Khá"  # exactly 80
    assert ranking.to_dict()["bands"] == [
        {"name": "Tốt", "min": "90"},
        {"name": "Khá", "min": "80"},
        {"name": "Trung bình", "min": "65"},
        {"name": "Yếu", "min": "0"},
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("A=90,B=80,C=70", [("A", "90"), ("B", "80"), ("C", "70")]),
        ("C=70;A=90;B=80", [("A", "90"), ("B", "80"), ("C", "70")]),  # any order, semicolons
        ("Xuất sắc=92,5,Tốt=85", [("Xuất sắc", "92.5"), ("Tốt", "85")]),  # a decimal comma
        ("Tốt = 90.5 , Khá=80", [("Tốt", "90.5"), ("Khá", "80")]),
    ],
)
def test_bands_text(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(b.name, b.min) for b in parse_bands(text)] == [(n, D(v)) for n, v in expected]


@pytest.mark.parametrize(
    "text, words",
    [
        ("", "trống"),
        ("Tốt", "Tên=ngưỡng"),
        ("=90", "không có tên"),
        ("Tốt=chín mươi", "không phải là số"),
        ("Tốt=120", "từ 0 đến 100"),
        ("Tốt=90,tốt=80", "hai lần"),
        ("Tốt=90,Khá=90", "cùng ngưỡng"),
    ],
)
def test_bad_bands_text_says_why(text: str, words: str) -> None:
    with pytest.raises(BandsError) as caught:
        parse_bands(text)
    assert words in caught.value.message


def test_band_of_uses_the_shown_index() -> None:
    assert band_of(D("89.995"), DEFAULT_BANDS) == Band("A", D(90))
    assert band_of(D("89.9949"), DEFAULT_BANDS) == Band("B", D(80))
    assert band_of(None, DEFAULT_BANDS) is None


def test_card_with_errors_is_listed_not_ranked_exit_1(cards: Cards) -> None:
    ranking = ranking_of([*cards.ranked, cards.error])
    assert len(ranking.units) == len(cards.ranked)
    (left,) = ranking.unranked
    assert left.file == str(cards.error) and left.reason == "errors" and left.errors == 1
    assert [p.code for p in left.problems] == ["score-above-max"]
    assert ranking.exit_code() == 1
    assert ranking.to_dict()["unranked"] == [
        {
            "file": str(cards.error),
            "unit": "UBND huyện Mường Lát",
            "reason": "errors",
            "errors": 1,
            "problems": [p.to_dict() for p in left.problems],
        }
    ]


def test_unreadable_file_exit_2(cards: Cards, tmp_path: Path) -> None:
    ranking = ranking_of([cards.ranked[0], tmp_path / "missing.yaml"])
    assert [u.reason for u in ranking.unranked] == ["unreadable"]
    assert ranking.exit_code() == 2


def test_mixed_years_and_levels_are_warnings_on_the_odd_cards(cards: Cards) -> None:
    ranking = ranking_of([*cards.ranked, cards.other_year, cards.other_level])
    assert len(ranking.units) == len(cards.ranked) + 2
    found = {(p.code, p.file, p.line): p for p in ranking.problems}
    assert set(found) == {
        ("rank-mixed-years", str(cards.other_year), 3),
        ("rank-mixed-levels", str(cards.other_level), 4),
    }
    assert all(p.severity.value == "warning" for p in ranking.problems)
    message = found["rank-mixed-years", str(cards.other_year), 3].message
    assert "2020" in message and "2021" in message and f"{len(cards.ranked) + 1} bảng" in message  # + the commune
    assert "xã" in found["rank-mixed-levels", str(cards.other_level), 4].message
    assert ranking.exit_code() == 0


def test_the_same_unit_twice_is_an_error_and_neither_card_is_ranked(cards: Cards) -> None:
    hoang_hoa = cards.files["UBND huyện Hoằng Hóa"]
    ranking = ranking_of([*cards.ranked, cards.duplicate])
    assert "UBND huyện Hoằng Hóa" not in [u.summary.unit for u in ranking.units]
    assert {(u.file, u.reason) for u in ranking.unranked} == {
        (str(hoang_hoa), "duplicate-unit"),
        (str(cards.duplicate), "duplicate-unit"),
    }
    codes = [(p.code, p.file, p.line, p.severity.value) for p in ranking.problems]
    assert sorted(codes) == sorted(
        [("rank-duplicate-unit", str(hoang_hoa), 2, "error"), ("rank-duplicate-unit", str(cards.duplicate), 2, "error")]
    )
    assert ranking.exit_code() == 1
    # the ranks close up: Quảng Xương is alone on 95,43
    assert {u.summary.unit: u.rank for u in ranking.units}["UBND huyện Quảng Xương"] == 5


def test_unit_key_ignores_accents_case_and_spaces() -> None:
    assert unit_key("UBND  huyện Hoằng Hóa") == unit_key("ubnd huyen hoang hoa") == unit_key("UBND HUYỆN HOẰNG HÓA")
    assert unit_key("Sở Nội vụ") != unit_key("Sở Nội vụ tỉnh")
    assert unit_key("Đông Sơn") == unit_key("dong son")


def test_previous_gives_the_change_of_index_and_rank(cards: Cards) -> None:
    before = ranking_of(cards.previous)
    last_rank = {unit_key(u.summary.unit): u.rank for u in before.units}
    ranking = ranking_of(cards.ranked, previous=[summarized(str(p)) for p in cards.previous])
    assert ranking.compared
    matched = {u.summary.unit: u for u in ranking.units if u.previous is not None}
    assert set(matched) == {
        "UBND thành phố Thanh Hóa",
        "UBND thị xã Bỉm Sơn",
        "UBND huyện Hoằng Hóa",
        "UBND huyện Nông Cống",
        "UBND huyện Như Thanh",
        "UBND huyện Triệu Sơn",
    }
    for unit in matched.values():
        old = next(
            total for name, total in cards.previous_totals.items() if unit_key(name) == unit_key(unit.summary.unit)
        )
        assert unit.previous is not None and unit.previous.index == old and unit.previous.year == 2020
        assert unit.index_change == cards.totals[unit.summary.unit] - old
        assert unit.rank_change == last_rank[unit_key(unit.summary.unit)] - unit.rank
    thanh_hoa = matched["UBND thành phố Thanh Hóa"].to_dict()
    assert thanh_hoa["index_change"] == "1.42" and thanh_hoa["rank_change"] == 0  # 97,1 -> 98,52, 1st both
    nong_cong = matched["UBND huyện Nông Cống"]
    assert nong_cong.rank_change == 5 - 9  # 5th of last year's seven, 9th now
    others = [u for u in ranking.units if u.previous is None]
    assert others and all(u.to_dict()["rank_change"] is None for u in others)


def test_previous_card_with_errors_is_a_warning(cards: Cards) -> None:
    ranking = ranking_of(cards.ranked[:3], previous=summarize_files([str(cards.error)]))
    assert [(p.code, p.file) for p in ranking.problems] == [("rank-previous-unranked", str(cards.error))]
    assert ranking.problems[0].message == "Bảng năm trước không được dùng để so sánh: 1 lỗi"
    assert ranking.exit_code() == 0


def test_by_self_or_final() -> None:
    appraised = Summary(
        file="a.yaml",
        unit="Sở A",
        level="so",
        year=2021,
        self_total=D(95),
        appraised=D(85),
        final=D(85),
        max=D(100),
        applicable_max=D(100),
        fields=(),
    )
    plain = summary("Sở B", "90")
    by_final = rank([appraised, plain])
    assert [(u.summary.unit, u.index) for u in by_final.units] == [("Sở B", D(90)), ("Sở A", D(85))]
    by_self = rank([appraised, plain], by="self")
    assert [(u.summary.unit, u.index) for u in by_self.units] == [("Sở A", D(95)), ("Sở B", D(90))]
    assert by_self.to_dict()["by"] == "self"


def test_applicable_maximum_sets_the_index() -> None:
    # one 2023 unit was scored 68,32 of 84 applicable points = 81,33 %
    card = Summary(
        file="a.yaml",
        unit="Sở A",
        level="so",
        year=2023,
        self_total=D("68.32"),
        appraised=None,
        final=D("68.32"),
        max=D(100),
        applicable_max=D(84),
        fields=(),
    )
    (unit,) = rank([card]).units
    assert round(unit.index, 2) == D("81.33") and unit.band is not None and unit.band.name == "B"


def test_json_shape_with_exact_decimal_strings(cards: Cards) -> None:
    data = json.loads(json.dumps(ranking_of([*cards.ranked, cards.error]).to_dict()))
    assert set(data) == {"by", "units", "unranked", "bands", "fields", "problems"}
    first = data["units"][0]
    assert set(first) == {
        "rank",
        "unit",
        "file",
        "level",
        "year",
        "self",
        "appraised",
        "final",
        "max",
        "applicable_max",
        "index",
        "band",
        "fields",
        "previous",
        "index_change",
        "rank_change",
    }
    assert first == first | {
        "rank": 1,
        "unit": "UBND thành phố Thanh Hóa",
        "level": "huyen",
        "year": 2021,
        "self": "98.52",
        "final": "98.52",
        "index": "98.52",
        "band": "A",
        "appraised": None,
        "previous": None,
    }
    assert first["max"] == first["applicable_max"] == "100"
    assert [f["id"] for f in first["fields"]] == [str(i) for i in range(1, 9)]
    assert set(first["fields"][0]) == {"id", "title", "score", "max", "index"}
    assert all(isinstance(f["score"], str) and isinstance(f["index"], str) for f in first["fields"])
    assert data["bands"] == [{"name": "A", "min": "90"}, {"name": "B", "min": "80"}, {"name": "C", "min": "70"}]
    assert [c["id"] for c in data["fields"]] == [str(i) for i in range(1, 9)]
    assert data["unranked"][0]["file"] == str(cards.error) and data["unranked"][0]["errors"] == 1


def test_field_matrix_rows_in_rank_order(cards: Cards) -> None:
    ranking = ranking_of(cards.ranked)
    matrix = ranking.matrix()
    assert len(matrix) == len(ranking.units) and all(len(row) == len(ranking.fields) for row in matrix)
    for unit, row in zip(ranking.units, matrix, strict=True):
        assert row == [f.index for f in unit.summary.fields]
        scores = [f.score for f in unit.summary.fields]
        assert sum(s for s in scores if s is not None) == unit.summary.self_total


def test_a_summary_is_small_and_holds_no_tree(cards: Cards) -> None:
    found = summarize_file(str(cards.ranked[0]))
    assert isinstance(found, Summary)
    assert all(isinstance(f, FieldSummary) for f in found.fields)
    # what a worker sends back: a few hundred bytes, not the ~1,200-line table
    assert len(pickle.dumps(found)) < 3000 < Path(cards.ranked[0]).stat().st_size


def test_parallel_equals_serial(cards: Cards) -> None:
    paths = [str(p) for p in [*cards.ranked, cards.error, cards.duplicate]] * 2
    serial = summarize_files(paths, jobs=1)
    assert summarize_files(paths, jobs=2) == serial
    assert isinstance(serial[len(cards.ranked)], Unranked)


def summary(unit: str, score: str) -> Summary:
    return Summary(
        file=f"{unit}.yaml",
        unit=unit,
        level="so",
        year=2021,
        self_total=D(score),
        appraised=None,
        final=D(score),
        max=D(100),
        applicable_max=D(100),
        fields=(),
    )


def test_a_card_with_no_score_is_left_out_as_unscored(cards: Cards, tmp_path: Path) -> None:
    path = tmp_path / "blank.yaml"
    path.write_text(
        "unit: UBND xã Chưa Chấm\nyear: 2021\ncriteria:\n  - id: '1'\n    title: Lĩnh vực một\n    max: 100\n",
        encoding="utf-8",
    )
    found = summarize_file(str(path))
    assert isinstance(found, Unranked) and found.reason == "unscored" and found.errors == 0
    ranking = rank([summarized(str(cards.ranked[0])), found])
    assert [u.summary.unit for u in ranking.units] == ["UBND thành phố Thanh Hóa"]
    assert ranking.exit_code() == 1  # left out: somebody has to look at it


def test_final_points_and_applicable_maximum_are_the_cards_final_result(tmp_path: Path) -> None:
    """Not-applicable criteria leave the maximum, bonus and penalty count: the index is final points over
    the applicable maximum, as `cchc total` computes it (cchc.scorecard.final)."""
    card = make_card("UBND huyện Áp Dụng", D(80), seed=11)
    card.criteria_set = None  # no set: not-applicable criteria leave the maximum, bonus and penalty uncapped
    leaf = next(node for node in scored_leaves(card) if node.score)
    assert leaf.max is not None and leaf.score is not None
    excluded_max, excluded_score = leaf.max, leaf.score
    leaf.applicable, leaf.score, leaf.note = False, None, "Không áp dụng với đơn vị"
    card.bonus = [Adjustment(points=D("1.5"), reason="Sáng kiến CCHC", evidence=["Quyết định số 12/QĐ-UBND"])]
    card.penalty = [Adjustment(points=D("0.5"), reason="Chậm gửi báo cáo", evidence=["Công văn số 7/UBND-NV"])]
    recompute_totals(card)
    found = summarize_file(str(write(card, tmp_path / "card.yaml")))
    assert isinstance(found, Summary), found
    assert found.self_total == D(80) - excluded_score
    assert found.max == D(100) and found.applicable_max == D(100) - excluded_max
    assert found.final == found.self_total + D("1.5") - D("0.5")
    (unit,) = rank([found]).units
    assert unit.index == round(found.final * 100 / found.applicable_max, 4)
    assert unit.to_dict()["applicable_max"] == str(D(100) - excluded_max)
