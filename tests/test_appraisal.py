"""Appraisal rounds: the rollup per round, final points, the council's diff and the diff of two cards."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc.checks import check_file
from cchc.diff import appraisal_diff, card_diff
from cchc.evidence.cited import all_cited, index_documents
from cchc.scorecard.dump import dump_scorecard
from cchc.scorecard.final import final
from cchc.scorecard.load import load_file, load_text
from cchc.scorecard.model import Appraisal, Criterion, Scorecard
from cchc.scorecard.rollup import Row, rollup
from tests.appraised import (
    CARD_TOTALS,
    COMMITTED,
    FINAL_DELTA,
    ROUND_TOTALS,
    SELF_TOTAL,
    appraised_text,
    committed_text,
)
from tests.conftest import SHIPPED

D = Decimal


@pytest.fixture(scope="module")
def appraised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("appraised") / "tp-thanh-hoa-2021-tham-dinh.yaml"
    path.write_text(appraised_text(target=path), encoding="utf-8")
    return path


def _root(path: Path) -> Row:
    card = load_file(path).card
    assert card is not None
    return rollup(card)


def _final(path: Path) -> tuple[Decimal | None, Decimal | None]:
    """The card's final points and index (cchc.scorecard.final)."""
    card = load_file(path).card
    assert card is not None
    result = final(card, rollup(card))
    return result.points, result.index


def test_appraised_card_checks_like_the_shipped_one(appraised: Path) -> None:
    """Declared round totals match, every reason is given: only the shipped card's own warnings."""
    shipped = sorted((p.code, p.path) for p in check_file(SHIPPED).problems)
    found = check_file(appraised)
    assert found.errors == 0
    assert sorted((p.code, p.path) for p in found.problems) == shipped


def test_rounds_final_points_and_index(appraised: Path) -> None:
    root = _root(appraised)
    assert root.rounds == 2
    assert root.score == SELF_TOTAL
    assert root.appraisal_rounds == ROUND_TOTALS
    assert root.declared_appraisal == [D(score.replace(",", ".")) for score, _ in CARD_TOTALS]
    assert root.appraisal_ok
    assert _final(appraised) == (D("98.45"), D("98.45")) and D("98.45") == SELF_TOTAL + FINAL_DELTA
    card = load_file(appraised).card
    assert card is not None
    assert (final(card, root).appraised, final(card, root).survey) == (D("80.45"), D(18))
    by_id = {row.node.id: row for row in root.walk() if row.node is not None}
    # Round 2 restored 1.1.1; 3.5.1 kept its cut; 7.5.2 had one round and keeps it.
    assert by_id["1.1.1"].appraisal_rounds == [D("0.25"), D("0.5")]
    assert by_id["3.5.1"].appraisal_rounds == [D("0.45"), D("0.45")]
    assert by_id["7.5.2"].appraisal_rounds == [D("0.3"), D("0.3")]
    # Accepted in round 1 and not revisited; the survey counts as it is and declares nothing.
    assert by_id["2.1.1"].appraisal_rounds == [D("0.5"), D("0.5")] and by_id["2.1.1"].declared_appraisal == [D("0.5")]
    assert by_id["8"].appraisal_rounds == [D(18), D(18)] and by_id["8"].in_survey
    assert by_id["1"].appraisal_rounds == [D("13.75"), D(14)]
    data = root.to_dict()
    assert data["appraised"] == "98.45" and data["appraisal_rounds"] == ["98.2", "98.45"]
    assert data["declared_appraisal"] == ["98.2", "98.45"] and data["appraisal_ok"] is True


def test_without_appraisal_everything_stays_as_before() -> None:
    root = _root(SHIPPED)
    assert root.rounds == 0 and root.appraised is None and root.appraisal_rounds == []
    assert _final(SHIPPED) == (root.score, root.index) == (SELF_TOTAL, D("98.52"))
    node = root.to_dict()
    assert (node["appraised"], node["appraisal_rounds"], node["declared_appraisal"], node["appraisal_ok"]) == (
        None,
        [],
        [],
        True,
    )


def test_diff_of_the_council_final_round(appraised: Path) -> None:
    diff = appraisal_diff(str(appraised), _root(appraised))
    assert diff.to_dict() == {
        "file": str(appraised),
        "round": 2,
        "rounds": 2,
        "changes": [
            {
                "id": "3.5.1",
                "title": "Tỷ lệ TTHC được giải quyết đúng hạn theo quy định",
                "self": "0.4991",
                "appraised": "0.45",
                "delta": "-0.0491",
                "note": "Tỷ lệ hồ sơ giải quyết đúng hạn trên Hệ thống một cửa điện tử của tỉnh là 90 %\n"
                "Không chấp nhận giải trình: số liệu của Hệ thống một cửa điện tử là căn cứ chấm điểm",
                "reply": "Số liệu của đơn vị lấy từ báo cáo kiểm soát TTHC quý IV, tỷ lệ đúng hạn 99,82 %",
            },
            {
                "id": "4.1.3",
                "title": "Tỷ lệ giảm số lượng đơn vị sự nghiệp công lập so với năm 2020",
                "self": "0",
                "appraised": "0.5",
                "delta": "0.5",
                "note": "Đơn vị tự chấm 0 nhưng đã ban hành quy chế làm việc; công nhận một nửa số điểm",
                "reply": None,
            },
            {
                "id": "5.4.3",
                "title": "Chấp hành kỷ luật, kỷ cương hành chính của cán bộ, công chức, viên chức",
                "self": "1.5",
                "appraised": "1",
                "delta": "-0.5",
                "note": "Thiếu tài liệu kiểm chứng kết quả bồi dưỡng của 01 lớp",
                "reply": None,
            },
            {
                "id": "7.5.2",
                "title": "Tỷ lệ hồ sơ TTHC được tiếp nhận qua dịch vụ BCCI",
                "self": "0.3209",
                "appraised": "0.3",
                "delta": "-0.0209",
                "note": "Tỷ lệ hồ sơ nộp qua dịch vụ bưu chính công ích theo số liệu của Bưu điện tỉnh thấp hơn",
                "reply": None,
            },
        ],
        "fields": [
            {"id": "3", "delta": "-0.0491"},
            {"id": "4", "delta": "0.5"},
            {"id": "5", "delta": "-0.5"},
            {"id": "7", "delta": "-0.0209"},
        ],
        "total_delta": "-0.07",
    }


def test_diff_of_round_one_shows_the_cut_that_round_two_restored(appraised: Path) -> None:
    diff = appraisal_diff(str(appraised), _root(appraised), 1)
    first = diff.changes[0]
    assert (first.id, first.self, first.appraised, first.delta) == ("1.1.1", D("0.5"), D("0.25"), D("-0.25"))
    assert first.reply is not None and first.reply.startswith("Kế hoạch số 1280/KH-UBND")
    assert diff.to_dict()["total_delta"] == "-0.32"
    assert diff.fields[0].id == "1" and diff.fields[0].delta == D("-0.25")


def test_diff_without_appraisal_is_empty() -> None:
    diff = appraisal_diff(str(SHIPPED), _root(SHIPPED))
    assert (diff.rounds, diff.changes, diff.fields, diff.total_delta, diff.changed) == (0, [], [], 0, False)


def test_two_cards_draft_against_appraised(appraised: Path) -> None:
    diff = card_diff(
        str(SHIPPED), _root(SHIPPED), str(appraised), _root(appraised), _final(SHIPPED)[0], _final(appraised)[0]
    )
    assert [c.id for c in diff.changes] == ["3.5.1", "4.1.3", "5.4.3", "7.5.2"]
    assert diff.added == [] and diff.removed == []
    data = diff.to_dict()
    assert data["changes"][0] == {
        "id": "3.5.1",
        "title": "Tỷ lệ TTHC được giải quyết đúng hạn theo quy định",
        "old": {"max": "0.5", "self": "0.4991", "appraised": None},
        "new": {"max": "0.5", "self": "0.4991", "appraised": "0.45"},
        "delta": "-0.0491",
    }
    assert (data["old_total"], data["new_total"], data["total_delta"]) == ("98.52", "98.45", "-0.07")
    assert data["fields"] == [
        {"id": "3", "delta": "-0.0491"},
        {"id": "4", "delta": "0.5"},
        {"id": "5", "delta": "-0.5"},
        {"id": "7", "delta": "-0.0209"},
    ]
    assert diff.changed


def test_two_cards_added_removed_and_max_changes() -> None:
    old = load_file(SHIPPED).card
    assert old is not None
    new = old.model_copy(deep=True)
    field = new.criteria[0]
    field.children = [c for c in field.children if c.id != "1.7"]  # removed: 1 point
    field.children.append(Criterion(id="1.8", title="Tiêu chí mới", max=D(1), score=D("0.5")))
    field.children[0].max = D(1)  # 1.1.1: max 0,5 -> 1, points unchanged
    diff = card_diff(
        "old.yaml", rollup(old), "new.yaml", rollup(new), final(old, rollup(old)).points, final(new, rollup(new)).points
    )
    assert [c.id for c in diff.changes] == ["1.1.1"] and diff.changes[0].delta == 0
    assert [a.id for a in diff.added] == ["1.8"] and [r.id for r in diff.removed] == ["1.7"]
    assert diff.to_dict()["fields"] == [{"id": "1", "delta": "-0.5"}]
    assert diff.total_delta == D("-0.5")


def test_same_card_has_no_difference() -> None:
    diff = card_diff("a", _root(SHIPPED), "b", _root(SHIPPED), SELF_TOTAL, SELF_TOTAL)
    assert not diff.changed and diff.to_dict()["total_delta"] == "0"


def test_supplementary_evidence_is_cited_at_its_line(appraised: Path) -> None:
    loaded = load_file(appraised)
    assert loaded.card is not None
    cited = [c for c in all_cited(loaded.card, loaded.locations) if c.round is not None]
    assert [(c.node.id, c.round, c.item, c.citation.number) for c in cited] == [("1.1.1", 0, 0, "5168")]
    line, column = cited[0].location()
    assert (
        appraised.read_text(encoding="utf-8")
        .splitlines()[line - 1][column - 1 :]
        .startswith('"Công văn số 5168/UBND-NV')
    )
    assert cited[0].path == "criteria[0].children[0].appraisal[0].evidence[0]"
    document = next(d for d in index_documents(all_cited(loaded.card)) if d.number == "5168")
    assert "1.1.1" in document.criteria


def test_appraised_card_round_trips_through_the_writer(appraised: Path) -> None:
    card = load_file(appraised).card
    assert card is not None
    again = load_text(dump_scorecard(card))
    assert again.problems == [] and again.card == card


@st.composite
def appraised_cards(draw: st.DrawFn) -> Scorecard:
    """A field of leaves, each with 0-3 appraisal rounds of arbitrary points."""
    points = st.decimals(min_value=0, max_value=10, places=4, allow_nan=False, allow_infinity=False)
    leaves = [
        Criterion(
            id=f"1.{i}",
            title="x",
            max=D(10),
            score=draw(st.none() | points),
            appraisal=[Appraisal(score=s) for s in draw(st.lists(points, max_size=3))],
        )
        for i in range(1, draw(st.integers(1, 6)) + 1)
    ]
    return Scorecard(unit="A", year=2021, criteria=[Criterion(id="1", title="x", children=leaves)])


@given(appraised_cards())
def test_round_totals_are_the_sums_of_the_entries_in_force(card: Scorecard) -> None:
    root = rollup(card)
    leaves = card.criteria[0].children
    rounds = max(len(leaf.appraisal) for leaf in leaves)
    assert root.rounds == rounds
    for k in range(1, rounds + 1):
        values = [
            leaf.appraisal[min(k, len(leaf.appraisal)) - 1].score if leaf.appraisal else leaf.score for leaf in leaves
        ]
        present = [v for v in values if v is not None]
        assert root.appraisal_rounds[k - 1] == (sum(present, D(0)) if present else None)
    council = appraisal_diff("x", root)
    self_total = sum((leaf.score or D(0) for leaf in leaves), D(0))
    assert (final(card, root).points or D(0)) == self_total + council.total_delta


def test_committed_example_is_the_generated_one() -> None:
    """The README's appraised example is the fixture, written out (regenerate with committed_text())."""
    assert COMMITTED.read_text(encoding="utf-8") == committed_text()
