"""An appraised version of the shipped 2021 scorecard, made from its text for the appraisal tests.

Round 1 accepts every self-scored criterion except five: four cuts with the council's reasons and
one criterion the unit under-scored, which the council raises. The unit answers two of the cuts
(one with supplementary evidence); round 2 accepts one answer (restoring 1.1.1) and rejects the other.
Fields and the card declare their round totals, as a council's table prints them.

Entries are inserted as text right under each criterion's ``score:`` line, found through the
loader's locations, so the rest of the file stays byte for byte as shipped.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

from cchc.scorecard.load import load_file
from cchc.scorecard.model import Criterion, iter_criteria
from tests.conftest import SHIPPED

BY = "Hội đồng thẩm định Chỉ số CCHC tỉnh Thanh Hóa"

#: The council's rounds for the criteria it did not simply accept: (score, note, reply, evidence).
ROUNDS: dict[str, list[tuple[str, str | None, str | None, list[str]]]] = {
    "1.1.1": [
        (
            "0,25",
            "Kế hoạch ban hành muộn so với thời hạn của tỉnh (trước ngày 15/12/2020)",
            (
                "Kế hoạch số 1280/KH-UBND được xây dựng theo văn bản chỉ đạo của tỉnh và giao nhiệm vụ từ trước; "
                "đã bổ sung công văn giao nhiệm vụ"
            ),
            ["Công văn số 5168/UBND-NV ngày 10/12/2020 về xây dựng kế hoạch CCHC năm 2021"],
        ),
        ("0,5", "Chấp nhận giải trình", None, []),
    ],
    "3.5.1": [
        (
            "0,45",
            "Tỷ lệ hồ sơ giải quyết đúng hạn trên Hệ thống một cửa điện tử của tỉnh là 90 %",
            "Số liệu của đơn vị lấy từ báo cáo kiểm soát TTHC quý IV, tỷ lệ đúng hạn 99,82 %",
            [],
        ),
        ("0,45", "Không chấp nhận giải trình: số liệu của Hệ thống một cửa điện tử là căn cứ chấm điểm", None, []),
    ],
    "4.1.3": [("0,5", "Đơn vị tự chấm 0 nhưng đã ban hành quy chế làm việc; công nhận một nửa số điểm", None, [])],
    "5.4.3": [("1", "Thiếu tài liệu kiểm chứng kết quả bồi dưỡng của 01 lớp", None, [])],
    "7.5.2": [
        ("0,3", "Tỷ lệ hồ sơ nộp qua dịch vụ bưu chính công ích theo số liệu của Bưu điện tỉnh thấp hơn", None, [])
    ],
}

#: Round totals the fields and the card declare.
FIELD_TOTALS: dict[str, list[str]] = {
    "1": ["13,75", "14"],
    "3": ["12,9", "12,9"],
    "4": ["10,5"],
    "5": ["13"],
    "7": ["12,55"],
}
CARD_TOTALS = [("98,2", "15/01/2022"), ("98,45", "25/02/2022")]

#: The committed copy that the README's examples use (its schema modeline points two levels up).
COMMITTED = Path(__file__).resolve().parent / "data" / "tp-thanh-hoa-2021-tham-dinh.yaml"

#: What the tests expect of the result.
SELF_TOTAL = Decimal("98.52")
ROUND_TOTALS = [Decimal("98.2"), Decimal("98.45")]
FINAL_DELTA = Decimal("-0.07")


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def _entry_lines(indent: int, entries: list[tuple[str, str | None, str | None, list[str]]]) -> list[str]:
    pad = " " * indent
    lines = [f"{pad}appraisal:\n"]
    for score, note, reply, evidence in entries:
        lines.append(f"{pad}  - score: {score}\n")
        if note:
            lines.append(f"{pad}    note: {_q(note)}\n")
        if reply:
            lines.append(f"{pad}    reply: {_q(reply)}\n")
        if evidence:
            lines.append(f"{pad}    evidence:\n")
            lines.extend(f"{pad}      - {_q(item)}\n" for item in evidence)
    return lines


def _carries_points(node: Criterion, parent: Criterion | None) -> bool:
    if parent is not None and parent.split_unknown:
        return False
    return (node.is_leaf or node.split_unknown) and node.score is not None and not node.survey


def appraised_text(source: Path = SHIPPED, target: Path | None = None) -> str:
    """The shipped card's text with the council's two rounds written in; ``target``: where it will be
    written, so that its ``criteria_set`` path still finds the set."""
    loaded = load_file(source)
    assert loaded.card is not None and not loaded.problems
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    after: dict[int, list[str]] = {}
    where = loaded.locations
    for node, _, parent in iter_criteria(loaded.card.criteria):
        line, _ = where(node).at("score")
        indent = where(node).key_at("score")[1] - 1
        if node.id in FIELD_TOTALS:
            after[line] = _entry_lines(indent, [(total, None, None, []) for total in FIELD_TOTALS[node.id]])
        elif _carries_points(node, parent):
            assert node.score is not None
            rounds = ROUNDS.get(node.id) or [(format(node.score, "f").replace(".", ","), None, None, [])]
            after[line] = _entry_lines(indent, rounds)
    top_line, _ = where(loaded.card).at("score")
    after[top_line] = ["appraisal:\n"] + [
        line
        for score, date in CARD_TOTALS
        for line in (f"  - score: {score}\n", f"    by: {_q(BY)}\n", f"    date: {date}\n")
    ]
    if target is not None and loaded.card.criteria_set is not None:
        line, _ = where(loaded.card).at("criteria_set")
        found = (source.parent / loaded.card.criteria_set).resolve()
        relative = Path(os.path.relpath(found, target.resolve().parent)).as_posix()
        lines[line - 1] = f"criteria_set: {relative}\n"
    out: list[str] = []
    for number, text in enumerate(lines, start=1):
        out.append(text)
        out.extend(after.get(number, []))
    return "".join(out)


def committed_text() -> str:
    """What tests/data/tp-thanh-hoa-2021-tham-dinh.yaml must hold: the appraised text, with the
    schema modeline right for its folder."""
    return appraised_text(target=COMMITTED).replace("$schema=../schemas/", "$schema=../../schemas/", 1)
