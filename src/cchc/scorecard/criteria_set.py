"""The criteria-set format (bộ tiêu chí): Pydantic models, the single source of its JSON Schema.

A set is what a province issues each year for one level: the tree of criteria with their maxima and
scoring rules, the not-applicable convention, the caps on bonus and penalty. It has a scorecard's tree
(id, tt, title, max, survey, split_unknown, note, children) but no score, evidence or appraisal.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cchc.scorecard.limits import FIRST_YEAR, LAST_YEAR, Level
from cchc.scorecard.model import CriterionId, Points, Rule, Step, no_items


class SetCriterion(BaseModel):
    """A field, criterion or sub-criterion of the set: its place, name, maximum and rule."""

    model_config = ConfigDict(extra="forbid", title="Tiêu chí của bộ tiêu chí")

    id: CriterionId = Field(description='Mã tiêu chí, ví dụ "1", "1.1.1"; đoạn "?" là phần mã bị mất.')
    tt: str | None = Field(None, description='Số thứ tự in ở cột TT của biểu mẫu ("1", "VIII").')
    title: str = Field(description="Tên lĩnh vực / tiêu chí / tiêu chí thành phần.")
    max: Points | None = Field(
        None, description="Điểm chuẩn (tối đa). Bắt buộc ở tiêu chí lá; ở nút có con là số khai, được kiểm tra."
    )
    split_unknown: bool = Field(
        False, description="Chỉ biết tổng điểm chuẩn của nhóm (dòng bị mất trong bản gốc); các con không có điểm."
    )
    survey: bool = Field(False, description="Phần điều tra xã hội học (ĐTXHH): chấm bằng khảo sát.")
    rule: Rule | None = Field(
        None,
        description="Cách tính điểm: rate = điểm chuẩn × tỷ lệ (làm tròn 4 chữ số); steps = theo thang bậc 'steps'.",
    )
    steps: list[Step] = Field(
        default_factory=no_items,
        description="Thang bậc, bậc cao nhất trước: bậc đầu tiên có 'from' không lớn hơn "
        "giá trị cho số điểm của bậc đó.",
    )
    note: str | None = Field(None, description="Ghi chú (ví dụ: điều đã khôi phục từ bản gốc).")
    children: list["SetCriterion"] = Field(default_factory=no_items, description="Tiêu chí con.")

    @property
    def is_leaf(self) -> bool:
        """No children: the maximum is its own."""
        return not self.children


class CriteriaSet(BaseModel):
    """A criteria set: the official criteria, maxima and rules for one level and year."""

    model_config = ConfigDict(
        extra="forbid",
        title="Bộ tiêu chí Chỉ số CCHC",
        json_schema_extra={"$id": "https://cchc.invalid/schemas/criteria-set.schema.json"},
    )

    set: str = Field(description="Tên bộ tiêu chí.")
    issued_by: str | None = Field(
        None, description='Văn bản ban hành, ví dụ "Quyết định số …/QĐ-UBND ngày … của UBND tỉnh …".'
    )
    level: Level | None = Field(None, description="Cấp áp dụng: tinh, so, huyen, xa.")
    year: int | None = Field(None, ge=FIRST_YEAR, le=LAST_YEAR, description="Năm đánh giá.")
    not_applicable: Literal["exclude", "full"] = Field(
        "exclude",
        description="Tiêu chí không áp dụng: exclude = bỏ khỏi điểm tối đa (chỉ số tính trên điểm "
        "tối đa áp dụng); full = tính đủ điểm chuẩn.",
    )
    bonus_cap: Points | None = Field(
        None, description="Điểm thưởng tối đa; bỏ trống = bộ tiêu chí không có điểm thưởng."
    )
    penalty_cap: Points | None = Field(None, description="Điểm trừ tối đa; bỏ trống = bộ tiêu chí không có điểm trừ.")
    max: Points | None = Field(None, description="Tổng điểm chuẩn khai (thường là 100).")
    note: str | None = Field(None, description="Ghi chú về bộ tiêu chí (nguồn, phần đã khôi phục).")
    criteria: list[SetCriterion] = Field(description="Các lĩnh vực, mỗi lĩnh vực có tiêu chí con.")
