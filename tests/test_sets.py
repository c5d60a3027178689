"""Criteria sets: the shipped set and card, each set code on a mutated copy of the shipped card, rules in a
card, the not-applicable conventions against hand-computed indices, bonus and penalty caps, final points."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from cchc.checks import check_file, run_checks
from cchc.checks.scoring import fold_title
from cchc.checks.sets import set_for_card
from cchc.scorecard.dump import dump_scorecard
from cchc.scorecard.final import final
from cchc.scorecard.load import Loaded, load_file, load_text
from cchc.scorecard.model import Criterion, Scorecard, iter_criteria
from cchc.scorecard.rollup import rollup
from cchc.scorecard.terms import terms_of
from tests.conftest import ROOT, SHIPPED

SHIPPED_SET = ROOT / "criteria" / "thanh-hoa-huyen-2021.yaml"
D = Decimal


def _codes(loaded: Loaded, criteria_set: str | None = None) -> list[tuple[str, int | None]]:
    return [(p.code, p.line) for p in run_checks(loaded, criteria_set=criteria_set).problems]


def _node(card: Scorecard, node_id: str) -> Criterion:
    return next(node for node, _, _ in iter_criteria(card.criteria) if node.id == node_id)


def test_shipped_set_is_clean() -> None:
    report = check_file(SHIPPED_SET)
    assert report.problems == [] and report.readable


def test_shipped_card_names_the_shipped_set_and_validates_clean_against_it() -> None:
    loaded = load_file(SHIPPED)
    assert loaded.card is not None and loaded.card.criteria_set == "../criteria/thanh-hoa-huyen-2021.yaml"
    card_set = set_for_card(loaded)
    assert card_set.problem is None and card_set.criteria_set is not None
    with_set = check_file(SHIPPED).problems
    assert with_set and all(p.severity.value == "warning" for p in with_set)
    # exactly the warnings it had before it named a set (its evidence warnings)
    assert {p.code for p in with_set} <= {
        "evidence-unrecognised",
        "evidence-bad-date",
        "evidence-date-late",
        "evidence-date-range",
        "evidence-type-conflict",
        "evidence-date-conflict",
    }
    loaded.card.criteria_set = None
    assert run_checks(loaded).problems == with_set


def test_the_set_mirrors_the_card_lost_rows_and_all() -> None:
    """Same ids, TT, titles, maxima, survey and split_unknown flags as the shipped card; no rule at all."""
    card = load_file(SHIPPED).card
    found = load_file(SHIPPED_SET).criteria_set
    assert card is not None and found is not None

    def shape(nodes: list) -> list:  # type: ignore[type-arg]
        return [(n.id, n.tt, n.title, n.max, n.survey, n.split_unknown, shape(n.children)) for n in nodes]

    assert shape(found.criteria) == shape(card.criteria)
    stack = list(found.criteria)
    while stack:
        node = stack.pop()
        assert node.rule is None and not node.steps
        stack.extend(node.children)
    assert (found.level, found.year, found.not_applicable, found.bonus_cap, found.penalty_cap) == (
        "huyen",
        2021,
        "exclude",
        None,
        None,
    )


Mutation = Callable[[Scorecard], None]


def _drop(node_id: str) -> Mutation:
    def mutate(card: Scorecard) -> None:
        for node, _, parent in iter_criteria(card.criteria):
            if node.id == node_id:
                assert parent is not None
                parent.children.remove(node)
                return

    return mutate


def _set(node_id: str, **values: object) -> Mutation:
    def mutate(card: Scorecard) -> None:
        for name, value in values.items():
            setattr(_node(card, node_id), name, value)

    return mutate


def _add_unknown(card: Scorecard) -> None:
    _node(card, "3").children.append(
        Criterion(
            id="3.10",
            title="Tiêu chí lạ",
            max=D(0),
            score=D(0),
            children=[Criterion(id="3.10.1", title="Con", max=D(0))],
        )
    )


def _top(**values: object) -> Mutation:
    def mutate(card: Scorecard) -> None:
        for name, value in values.items():
            setattr(card, name, value)

    return mutate


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_drop("3.9"), [("set-missing-criterion", "3")]),
        (_drop("1.5"), [("set-missing-criterion", "1.?")]),
        (_add_unknown, [("set-unknown-criterion", "3.10")]),
        (_set("3.5.1", max=D("0.75")), [("set-max-differs", "3.5.1")]),
        (_set("2.1.1", title="Ban hành kế hoạch kiểm tra"), [("set-title-differs", "2.1.1")]),
        (_set("2.1.1", title="BAN HÀNH  kế hoạch, theo dõi tình hình thi hành pháp luật."), []),
        (_top(year=2022), [("set-year-differs", None)]),
        (_top(level="xa"), [("set-level-differs", None)]),
        (_top(criteria_set="../criteria/khong-co.yaml"), [("set-not-found", None)]),
    ],
)
def test_each_set_code_on_a_mutated_copy_of_the_shipped_card(
    mutate: Mutation, expected: list[tuple[str, str | None]]
) -> None:
    loaded = load_file(SHIPPED)
    assert loaded.card is not None
    baseline = {(p.code, p.line) for p in run_checks(loaded).problems}
    mutate(loaded.card)
    new = [
        p
        for p in run_checks(loaded).problems
        if (p.code, p.line) not in baseline and not p.code.startswith("evidence-")
    ]
    # the arithmetic codes a changed max brings along are the card's own, not the set's
    got = [(p.code, p.path) for p in new if p.code.startswith("set-")]
    assert len(got) == len(expected)
    for (code, path), (want_code, want_id) in zip(got, expected, strict=True):
        assert code == want_code
        if want_id is not None:
            node = _node(loaded.card, want_id)
            assert path.startswith(loaded.locations(node).path)


def test_criteria_set_option_overrides_and_applies_to_a_card_without_one(tmp_path: Path) -> None:
    text = SHIPPED.read_text(encoding="utf-8").replace("criteria_set: ../criteria/thanh-hoa-huyen-2021.yaml\n", "")
    card = tmp_path / "card.yaml"
    card.write_text(text.replace("year: 2021", "year: 2022", 1), encoding="utf-8")
    assert "set-year-differs" not in {p.code for p in check_file(card).problems}
    with_option = check_file(card, criteria_set=str(SHIPPED_SET)).problems
    assert [p.code for p in with_option if p.code.startswith("set-")] == ["set-year-differs"]
    missing = check_file(card, criteria_set=str(tmp_path / "none.yaml")).problems
    assert [(p.code, p.line) for p in missing if p.code.startswith("set-")] == [("set-not-found", None)]


def test_a_card_is_not_a_set_and_a_set_is_not_a_card(tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(SHIPPED.read_text(encoding="utf-8"), encoding="utf-8")
    problems = check_file(SHIPPED, criteria_set=str(other)).problems
    assert [p.code for p in problems if p.code.startswith("set-")] == ["set-not-found"]


# --- rules in a card --------------------------------------------------------------------------

RULES = """\
unit: UBND xã A
year: 2021
criteria:
  - id: "1"
    title: Lĩnh vực một
    children:
      - id: "1.1"
        title: Tỷ lệ hồ sơ đúng hạn
        max: 0,5
        rule: rate
        value: {rate}
        evidence: [BC 1]
      - id: "1.2"
        title: Số cuộc họp
        max: 20
        steps:
          - {{from: 4, points: 20}}
          - {{from: 3, points: 15}}
          - {{from: 2, points: 10}}
          - {{from: 1, points: 5}}
        value: "{count}"
        evidence: [BB 2]
      - id: "1.3"
        title: Tỷ lệ số hóa
        max: 79,5
        steps:
          - {{from: 100%, points: "79,5"}}
          - {{from: 90%, points: 40}}
          - {{from: 0%, points: 0}}
        value: {share}
        evidence: [BC 3]
"""


@pytest.mark.parametrize(
    ("rate", "count", "share", "points"),
    [
        ("4991/5000", "4", "100%", ["0.4991", "20", "79.5"]),
        ('"99,82%"', "3", "9/10", ["0.4991", "15", "40"]),
        ("0,9982", "0", "0,8999", ["0.4991", "0", "0"]),
    ],
)
def test_computed_scores_roll_up_and_are_marked(rate: str, count: str, share: str, points: list[str]) -> None:
    loaded = load_text(RULES.format(rate=rate, count=count, share=share))
    assert loaded.card is not None and loaded.problems == []
    root = rollup(loaded.card)
    leaves = root.children[0].children
    assert [row.score for row in leaves] == [D(p) for p in points]
    assert all(row.computed for row in leaves)
    assert [row.rule for row in leaves] == ["rate", "steps", "steps"]
    assert root.score == sum((D(p) for p in points), D(0))
    assert run_checks(loaded).problems == []


def test_a_written_score_is_checked_against_the_rule() -> None:
    text = RULES.format(rate="4991/5000", count="4", share="100%").replace(
        "        rule: rate\n", "        rule: rate\n        score: 0,5\n"
    )
    problems = run_checks(load_text(text)).problems
    mismatch = [p for p in problems if p.code == "rule-mismatch"]
    assert len(mismatch) == 1 and "0,4991" in mismatch[0].message


def test_a_card_inherits_the_rules_of_its_set(tmp_path: Path) -> None:
    (tmp_path / "set.yaml").write_text(
        """\
set: Bộ thử
criteria:
  - id: "1"
    title: Tỷ lệ hồ sơ đúng hạn
    max: 100
    rule: rate
""",
        encoding="utf-8",
    )
    card = tmp_path / "card.yaml"
    card.write_text(
        """\
unit: UBND xã A
year: 2021
criteria_set: set.yaml
criteria:
  - id: "1"
    title: Tỷ lệ hồ sơ đúng hạn
    max: 100
    value: 4991/5000
    evidence: [BC 1]
""",
        encoding="utf-8",
    )
    loaded = load_file(card)
    assert run_checks(loaded).problems == []
    found = set_for_card(loaded)
    root = rollup(loaded.card, terms_of(found.criteria_set))  # type: ignore[arg-type]
    assert (root.score, root.children[0].computed) == (D("99.82"), True)


# --- not applicable, bonus, penalty, final points --------------------------------------------------

NOT_APPLICABLE = """\
unit: UBND xã A
year: 2021
criteria:
  - id: "1"
    title: Lĩnh vực một
    max: 100
    children:
      - id: "1.1"
        title: Một
        max: 84
        score: 68,32
        evidence: [BC 1]
      - id: "1.2"
        title: Hai
        max: 16
        applicable: false
        note: Đơn vị không có đơn vị sự nghiệp trực thuộc
"""


def _final(text: str, convention: str, **caps: Decimal | None) -> tuple[Decimal | None, Decimal | None, Decimal]:
    loaded = load_text(text)
    assert loaded.card is not None
    terms = terms_of(None)
    terms.not_applicable = convention
    for name, value in caps.items():
        setattr(terms, name, value)
    root = rollup(loaded.card, terms)
    result = final(loaded.card, root, terms)
    assert result.applicable_max == root.applicable_max
    return result.points, result.index, result.applicable_max


def test_exclude_leaves_the_maximum_hand_computed() -> None:
    """The published 2023 unit: 68,32 of an applicable 84 = 81,33 %."""
    points, index, maximum = _final(NOT_APPLICABLE, "exclude")
    assert (points, maximum) == (D("68.32"), D(84))
    assert index == D("81.3333")


def test_full_counts_the_criterion_as_met_hand_computed() -> None:
    points, index, maximum = _final(NOT_APPLICABLE, "full")
    assert (points, maximum, index) == (D("84.32"), D(100), D("84.32"))


def test_declared_maxima_are_still_checked_against_the_full_maxima() -> None:
    loaded = load_text(NOT_APPLICABLE)
    assert [p.code for p in run_checks(loaded).problems] == []
    wrong = load_text(NOT_APPLICABLE.replace("    max: 100\n", "    max: 84\n", 1))
    assert [p.code for p in run_checks(wrong).problems] == ["max-mismatch"]


def test_not_applicable_under_a_field_marks_its_whole_subtree() -> None:
    text = NOT_APPLICABLE.replace("        max: 16\n        applicable: false\n", "        max: 16\n").replace(
        "    max: 100\n    children:", "    max: 100\n    applicable: false\n    note: x\n    children:"
    )
    root = rollup(load_text(text).card)  # type: ignore[arg-type]
    assert (root.applicable_max, root.score) == (D(0), None)
    assert all(not row.applicable for row in root.children[0].walk())


BONUS = """\
unit: UBND xã A
year: 2021
bonus:
  - {points: "1,5", reason: Sáng kiến}
  - {points: 1, reason: Giải thưởng}
penalty:
  - {points: "1,5", reason: Khiếu nại vượt cấp}
criteria:
  - id: "1"
    title: Tự chấm
    max: 82
    score: 80,52
    evidence: [BC 1]
  - id: "8"
    title: Điều tra xã hội học
    survey: true
    max: 18
    score: 18
"""


def test_caps_are_used_when_exceeded() -> None:
    loaded = load_text(BONUS)
    assert loaded.card is not None
    terms = terms_of(None)
    terms.bonus_cap, terms.penalty_cap = D(2), D(1)
    result = final(loaded.card, rollup(loaded.card, terms), terms)
    assert (result.appraised, result.survey) == (D("80.52"), D(18))
    assert (result.bonus, result.bonus_counted, result.penalty, result.penalty_counted) == (
        D("2.5"),
        D(2),
        D("1.5"),
        D(1),
    )
    assert result.points == D("99.52")  # 80,52 + 18 + 2 − 1
    uncapped = final(loaded.card, rollup(loaded.card))
    assert uncapped.points == D("99.52") and uncapped.bonus_counted == D("2.5")  # no set: no cap
    loaded.card.penalty = []
    no_penalty = final(loaded.card, rollup(loaded.card))
    assert no_penalty.points == no_penalty.index == D("101.02")  # the index may pass 100


def test_over_cap_warnings_come_from_the_set(tmp_path: Path) -> None:
    (tmp_path / "set.yaml").write_text(
        """\
set: Bộ thử
bonus_cap: 2
criteria:
  - id: "1"
    title: Tự chấm
    max: 82
  - id: "8"
    title: Điều tra xã hội học
    survey: true
    max: 18
""",
        encoding="utf-8",
    )
    card = tmp_path / "card.yaml"
    card.write_text(BONUS.replace("year: 2021\n", "year: 2021\ncriteria_set: set.yaml\n"), encoding="utf-8")
    codes = [p.code for p in check_file(card).problems]
    # the set gives no penalty cap: it has no penalty points, so all 1,5 are over its cap of 0
    assert codes == ["bonus-over-cap", "penalty-over-cap"]


def test_final_of_the_shipped_card() -> None:
    loaded = load_file(SHIPPED)
    assert loaded.card is not None
    found = set_for_card(loaded)
    terms = terms_of(found.criteria_set)
    result = final(loaded.card, rollup(loaded.card, terms), terms)
    assert (result.appraised, result.survey, result.points, result.index) == (
        D("80.52"),
        D(18),
        D("98.52"),
        D("98.5200"),
    )


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Công tác chỉ đạo, điều hành CCHC", "CÔNG TÁC CHỈ ĐẠO,  ĐIỀU HÀNH CCHC.", True),
        ("Thực hiện nhiệm vụ khác (phối hợp", "Thực hiện nhiệm vụ khác phối hợp)", True),
        ("Tỷ lệ hồ sơ", "Ty le ho so", False),  # diacritics are meaning in Vietnamese
        ("Mức độ hoàn thành", "Mức độ thực hiện", False),
    ],
)
def test_titles_fold_case_spaces_and_punctuation(a: str, b: str, same: bool) -> None:
    assert (fold_title(a) == fold_title(b)) is same


# --- a blank card from a set, a set from a card --------------------------------------------------


def test_a_blank_card_from_the_shipped_set_has_only_unscored_warnings(tmp_path: Path) -> None:
    from cchc.scorecard.derive import card_from_set
    from cchc.scorecard.dump import dump_scorecard

    found = load_file(SHIPPED_SET).criteria_set
    assert found is not None
    (tmp_path / "criteria").mkdir()
    (tmp_path / "criteria" / SHIPPED_SET.name).write_bytes(SHIPPED_SET.read_bytes())
    (tmp_path / "cards").mkdir()
    card = card_from_set(found, f"../criteria/{SHIPPED_SET.name}", "UBND huyện Đông Sơn")
    path = tmp_path / "cards" / "dong-son.yaml"
    path.write_text(dump_scorecard(card), encoding="utf-8")
    problems = check_file(path).problems
    assert problems and {p.code for p in problems} == {"unscored"}
    leaves = [
        n
        for n, _, parent in iter_criteria(card.criteria)
        if (n.is_leaf or n.split_unknown) and not n.survey and not (parent and parent.split_unknown)
    ]
    assert len(problems) == len(leaves)
    assert (card.year, card.level, card.criteria_set) == (2021, "huyen", "../criteria/thanh-hoa-huyen-2021.yaml")
    assert all(n.score is None and not n.evidence for n, _, _ in iter_criteria(card.criteria))


def test_a_set_from_the_shipped_card_is_the_shipped_set_without_its_notes() -> None:
    from cchc.scorecard.derive import set_from_card
    from cchc.scorecard.dump import dump_set

    card = load_file(SHIPPED).card
    shipped = load_file(SHIPPED_SET).criteria_set
    assert card is not None and shipped is not None
    made = set_from_card(card, shipped.set)
    stack = list(shipped.criteria)
    while stack:
        node = stack.pop()
        node.note = None
        stack.extend(node.children)
    shipped.note = None
    assert dump_set(made) == dump_set(shipped)
    assert load_text(dump_set(made)).criteria_set == made


APPRAISED_BONUS = BONUS.replace(
    '  - {points: "1,5", reason: Sáng kiến}\n',
    '  - points: "1,5"\n'
    "    reason: Sáng kiến\n"
    "    appraisal:\n"
    "      - score: 0,5\n"
    "        note: Sáng kiến chưa được công nhận cấp tỉnh\n"
    "        reply: Đã bổ sung Quyết định công nhận\n"
    "      - score: 1\n"
    "        note: Chấp nhận một phần\n",
)


def test_a_bonus_counts_its_last_appraisal_round(tmp_path: Path) -> None:
    loaded = load_text(APPRAISED_BONUS, "x.yaml")
    assert loaded.card is not None and not [p for p in loaded.problems if p.code != "total-not-100"]
    (entry, _) = loaded.card.bonus
    assert [a.score for a in entry.appraisal] == [D("0.5"), D(1)] and entry.counted == D(1)
    result = final(loaded.card, rollup(loaded.card))
    assert (result.bonus, result.penalty) == (D(2), D("1.5"))  # 1 (appraised) + 1; the penalty as written
    assert result.points == D("99.02")  # 80,52 + 18 + 2 − 1,5
    # the writer keeps the rounds, and so does the workbook's hidden metadata
    again = load_text(dump_scorecard(loaded.card), "y.yaml").card
    assert again == loaded.card
    from cchc.importers import import_file
    from cchc.xlsx.export import write_xlsx

    out = tmp_path / "bang.xlsx"
    write_xlsx(loaded.card, rollup(loaded.card), out, source=None, overwrite=False)
    back = import_file(out)
    assert back.card is not None and back.card.bonus == loaded.card.bonus


def test_an_unknown_key_in_a_bonus_round_is_located() -> None:
    text = APPRAISED_BONUS.replace("        note: Chấp nhận một phần\n", "        ghi_chu: Chấp nhận một phần\n")
    problems = [(p.line, p.column, p.code) for p in load_text(text, "x.yaml").problems]
    assert problems == [(11, 9, "unknown-field")]
