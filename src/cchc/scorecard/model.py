"""The scorecard format: these Pydantic models are its single source.

The JSON Schema is generated from them (`cchc schema`); the loader (`cchc.scorecard.load`) builds
them (a whole card at once, node by node when it has mistakes), so their errors are what users see;
checks, rollup, export and import read them.

A scorecard is a tree: fields (lĩnh vực) at the top, criteria (tiêu chí) and sub-criteria (tiêu chí
thành phần) below. Leaves carry the points; a node with children declares totals that are checked.
"""

from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    Tag,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from cchc.scorecard.limits import FIRST_YEAR, LAST_YEAR, Level
from cchc.scorecard.numbers import NumberError, parse_decimal
from cchc.scorecard.rules import RuleError, Threshold, parse_rate, parse_threshold


def no_items() -> list[Any]:
    """The default of a list field, a new empty list.

    A function rather than the builtin ``list``: Pydantic reads the signature of every default
    factory, and a builtin's is parsed from its text with ``tokenize`` when the models are built.
    """
    return []


#: Labels of the parts of an evidence mapping written as one line (export, import, messages).
REF_LABELS: dict[str, str] = {"date": "ngày", "title": "trích yếu", "file": "tệp", "pages": "trang", "url": "url"}

#: A date as officers write it (30/12/2020) or as ISO (2020-12-30); kept as written.
DATE_PATTERN = r"^\s*(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})\s*$"


#: Points already read in this process, by their exact text. A card repeats a few values ("0,5",
#: "1", "0") hundreds of times and a Decimal is immutable, so one parse serves them all; bounded (in
#: entries and in the length of a text) so that a run over many cards cannot grow it without end.
_READ: dict[str, Decimal] = {}
_READ_MAX, _READ_LONGEST = 4096, 40


def _points(value: Any) -> Any:
    """Parse points from the scalar's text (``0,5``/``0.5``); refuse float so nothing rounds."""
    if isinstance(value, str):
        number = _READ.get(value)
        if number is None:
            try:
                number = parse_decimal(value)
            except NumberError as exc:
                raise PydanticCustomError("bad_number", "{reason}", {"reason": exc.reason}) from None
            if len(_READ) < _READ_MAX and len(value) <= _READ_LONGEST:
                _READ[value] = number
        return number
    if isinstance(value, Decimal) or (isinstance(value, int) and not isinstance(value, bool)):
        return Decimal(value)
    return value  # the Decimal validator reports the wrong type


#: Points as exact decimals: a YAML number (0.5) or text with a decimal comma ("0,5").
Points = Annotated[
    Decimal,
    BeforeValidator(_points),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": r"^\s*\d+(?:[.,]\d+)?\s*$"},
            ],
            "description": "Điểm: số thập phân, dấu phẩy hoặc dấu chấm (0,5 / 0.5 / 14).",
        }
    ),
]

#: A criterion id such as "1", "1.2", "1.2.3"; a "?" segment marks an id lost in the source.
CriterionId = Annotated[
    str,
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "minLength": 1}, {"type": "number"}],
            "description": 'Mã tiêu chí: "1", "1.2", 1.2.3; luôn đọc như văn bản (nên đặt trong ngoặc kép).',
        }
    ),
]


DateText = Annotated[str, Field(pattern=DATE_PATTERN)]


class EvidenceRef(BaseModel):
    """An evidence item written precisely: which document, its date, subject, file and pages."""

    model_config = ConfigDict(extra="forbid", title="Tài liệu kiểm chứng (chi tiết)")

    doc: str | None = Field(None, description='Số, ký hiệu văn bản: "1280/KH-UBND" hoặc "Kế hoạch số 1280/KH-UBND".')
    date: DateText | None = Field(None, description="Ngày ban hành: 30/12/2020 hoặc 2020-12-30.")
    title: str | None = Field(None, description="Trích yếu nội dung.")
    file: str | None = Field(None, description="Tệp tài liệu, đường dẫn tính từ thư mục --evidence-dir.")
    pages: str | None = Field(None, description='Trang dẫn chứng, ví dụ "3-5".')
    url: str | None = Field(None, description="Đường dẫn trên mạng.")

    @model_validator(mode="after")
    def _says_something(self) -> "EvidenceRef":
        if not (self.doc or self.title or self.file or self.url):
            raise ValueError("empty evidence mapping")
        return self

    def __str__(self) -> str:
        """One line: the document ("-" if none), then the labelled parts ("… | ngày: 30/12/2020 | tệp: …")."""
        parts = [self.doc or "-"]
        parts += [f"{REF_LABELS[name]}: {getattr(self, name)}" for name in REF_LABELS if getattr(self, name)]
        return " | ".join(parts)

    def to_dict(self) -> dict[str, str]:
        """The parts that are set, as the YAML mapping writes them."""
        return self.model_dump(exclude_none=True)


#: The parts of an evidence mapping, in the format's order.
REF_FIELDS: tuple[str, ...] = tuple(EvidenceRef.model_fields)


def evidence_item(text: str) -> str | EvidenceRef:
    """Read back a line written by ``str(EvidenceRef)``; any other text stays text."""
    parts = [part.strip() for part in text.split(" | ")]
    if len(parts) < 2:
        return text
    labels = {label: name for name, label in REF_LABELS.items()}
    found: dict[str, str] = {}
    for i, part in enumerate(parts):
        label, sep, value = part.partition(": ")
        if sep and label in labels and labels[label] not in found:
            found[labels[label]] = value
        elif i == 0:
            if part != "-":
                found["doc"] = part
        else:
            return text
    try:
        return EvidenceRef.model_validate(found)
    except ValidationError:
        return text


def _evidence_kind(value: Any) -> str:
    return "text" if isinstance(value, str) else "ref"


#: An evidence item: a line of text as written, or a mapping with the document's details.
Evidence = Annotated[
    Annotated[str, Tag("text")] | Annotated[EvidenceRef, Tag("ref")],
    Discriminator(_evidence_kind),
]


# --- scoring rules (a set's criteria use the same fields) -------------------------------------------

#: rate: points = max × rate; steps: points from the first step the value reaches.
Rule = Literal["rate", "steps"]

_NUMBER = r"\d+(?:[.,]\d+)?"


def _threshold(value: Any) -> Any:
    if isinstance(value, Threshold):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise PydanticCustomError("wrong_type", "text or number expected")
    try:
        return parse_threshold(value)
    except RuleError as exc:
        raise PydanticCustomError("bad_rule_value", "{reason}", {"reason": exc.reason}) from None


#: A step's ``from``: ``90%`` (a rate threshold) or ``4`` (a count threshold).
StepFrom = Annotated[
    Threshold,
    BeforeValidator(_threshold),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": rf"^\s*{_NUMBER}\s*%?\s*$"}],
            "description": 'Ngưỡng của bậc: phần trăm ("90%", so với tỷ lệ) hoặc số (4, so với số lượng).',
        }
    ),
]


class Step(BaseModel):
    """One step of a stepped scale: from this value on, these points."""

    model_config = ConfigDict(extra="forbid", title="Bậc điểm", populate_by_name=True)

    from_: StepFrom = Field(alias="from", description='Giá trị tối thiểu của bậc: "90%" hoặc 4.')
    points: Points = Field(description="Số điểm của bậc.")


def _value(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return value  # the str validator reports the wrong type
    try:
        parse_rate(value)
    except RuleError as exc:
        raise PydanticCustomError("bad_rule_value", "{reason}", {"reason": exc.reason}) from None
    return value.strip()


#: The value a rule judges, kept as written: counts "4991/5000", a percent "99,82%", a fraction
#: "0,9982", or a count (4) for a stepped scale by count.
RuleValue = Annotated[
    str,
    BeforeValidator(_value),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number"},
                {"type": "string", "pattern": rf"^\s*[-+]?{_NUMBER}\s*(?:%|/\s*[-+]?{_NUMBER})?\s*$"},
            ],
            "description": 'Giá trị để tính điểm: số lượng "4991/5000", phần trăm "99,82%", tỷ lệ 0,9982, '
            "hoặc số lần (4) với thang bậc theo số lượng.",
        }
    ),
]


class Appraisal(BaseModel):
    """One round of the appraisal council's scoring of a criterion (thẩm định), and the unit's answer."""

    model_config = ConfigDict(extra="forbid", title="Thẩm định (một lần)")

    score: Points = Field(
        description="Điểm thẩm định của lần này. Ở tiêu chí lá là điểm được công nhận; ở nút có "
        "con là tổng khai của lần này, được kiểm tra."
    )
    note: str | None = Field(None, description="Ý kiến thẩm định: lý do trừ hoặc cộng điểm.")
    reply: str | None = Field(None, description="Giải trình của đơn vị.")
    evidence: list[Evidence] = Field(
        default_factory=no_items, description="Tài liệu bổ sung gửi kèm giải trình (cùng dạng với tài liệu kiểm chứng)."
    )


class Adjustment(BaseModel):
    """A bonus or penalty entry: its points, why, and the documents that prove it."""

    model_config = ConfigDict(extra="forbid", title="Điểm thưởng / điểm trừ")

    points: Points = Field(description="Số điểm thưởng (hoặc điểm trừ), số dương.")
    reason: str = Field(description="Lý do thưởng / trừ điểm.")
    evidence: list[Evidence] = Field(default_factory=no_items, description="Tài liệu kiểm chứng.")
    note: str | None = Field(None, description="Ghi chú / giải trình.")
    appraisal: list[Appraisal] = Field(
        default_factory=no_items,
        description="Các lần thẩm định điểm thưởng / điểm trừ này, như ở tiêu chí: lần cuối là số điểm được tính.",
    )

    @property
    def counted(self) -> Decimal:
        """The points that count: the last appraisal round's, else the points as written."""
        return self.appraisal[-1].score if self.appraisal else self.points


class CardAppraisal(Appraisal):
    """One round's total for the whole card, with who appraised and when."""

    model_config = ConfigDict(extra="forbid", title="Thẩm định toàn bảng (một lần)")

    by: str | None = Field(None, description="Cơ quan, hội đồng thẩm định.")
    date: DateText | None = Field(None, description="Ngày thẩm định: 15/01/2022 hoặc 2022-01-15.")


#: The appraisal rounds of a criterion, oldest first.
APPRAISAL_DESCRIPTION = (
    "Các lần thẩm định, lần đầu trước. Ở tiêu chí lá, lần k lấy điểm của mục thứ k (tiêu chí "
    "có ít mục hơn giữ điểm của mục cuối); lần cuối là điểm thẩm định cuối cùng. Ở nút có con "
    "và ở đầu bảng, mỗi mục khai tổng của lần đó."
)


class Criterion(BaseModel):
    """A field, criterion or sub-criterion (one row of the form)."""

    model_config = ConfigDict(extra="forbid", title="Tiêu chí")

    id: CriterionId = Field(description='Mã tiêu chí, ví dụ "1", "1.1.1"; đoạn "?" là phần mã bị mất.')
    tt: str | None = Field(None, description='Số thứ tự in ở cột TT của biểu mẫu ("1", "VIII").')
    title: str = Field(description="Tên lĩnh vực / tiêu chí / tiêu chí thành phần.")
    max: Points | None = Field(
        None, description="Điểm chuẩn (tối đa). Bắt buộc ở tiêu chí lá; ở nút có con là số khai, được kiểm tra."
    )
    score: Points | None = Field(None, description="Điểm tự đánh giá. Bỏ trống = chưa chấm (khác 0).")
    split_unknown: bool = Field(
        False,
        description="Chỉ biết tổng điểm của nhóm (dòng bị mất trong bản gốc): max/score của nút này "
        "là số thật; các con chỉ có tên và tài liệu, không có điểm.",
    )
    survey: bool = Field(
        False,
        description="Phần điều tra xã hội học (ĐTXHH): chấm bằng khảo sát, không tự chấm, không cần "
        "tài liệu kiểm chứng.",
    )
    rule: Rule | None = Field(
        None,
        description="Cách tính điểm (nếu bộ tiêu chí chưa quy định): rate = điểm chuẩn × tỷ lệ, làm tròn "
        "4 chữ số; steps = theo thang bậc 'steps'.",
    )
    steps: list[Step] = Field(
        default_factory=no_items,
        description="Thang bậc, bậc cao nhất trước: bậc đầu tiên có 'from' không lớn hơn "
        "giá trị cho số điểm của bậc đó.",
    )
    value: RuleValue | None = Field(
        None, description='Giá trị để tính điểm theo cách tính: "4991/5000", "99,82%", 0,9982 hoặc số lần.'
    )
    applicable: bool = Field(True, description="false = tiêu chí không áp dụng với đơn vị (ghi lý do ở 'note').")
    evidence: list[Evidence] = Field(
        default_factory=no_items,
        description="Tài liệu kiểm chứng: mỗi trích dẫn một dòng văn bản, hoặc một bảng "
        "{doc, date, title, file, pages, url}.",
    )
    note: str | None = Field(None, description="Ghi chú / giải trình / điều đã khôi phục.")
    appraisal: list[Appraisal] = Field(default_factory=no_items, description=APPRAISAL_DESCRIPTION)
    children: list["Criterion"] = Field(default_factory=no_items, description="Tiêu chí con.")

    @property
    def is_leaf(self) -> bool:
        """No children: the points are its own."""
        return not self.children


class Signer(BaseModel):
    """Who signs the table under its total, as the appendix of an official report is signed."""

    model_config = ConfigDict(extra="forbid", title="Người ký")

    title: str = Field(min_length=1, description='Chức danh ký, ví dụ "CHỦ TỊCH" hoặc "KT. CHỦ TỊCH\\nPHÓ CHỦ TỊCH".')
    name: str | None = Field(None, description="Họ và tên người ký.")


class Scorecard(BaseModel):
    """One unit's scorecard for one year."""

    model_config = ConfigDict(
        extra="forbid",
        title="Bảng chấm điểm Chỉ số CCHC",
        json_schema_extra={"$id": "https://cchc.invalid/schemas/scorecard.schema.json"},
    )

    unit: str = Field(description='Đơn vị được chấm, ví dụ "UBND thành phố Thanh Hóa".')
    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR, description="Năm đánh giá.")
    level: Level | None = Field(None, description="Cấp: tinh (tỉnh/bộ), so (sở), huyen (huyện), xa (xã).")
    title: str | None = Field(None, description="Tiêu đề bảng.")
    report: str | None = Field(None, description="Văn bản mà bảng được ban hành kèm theo.")
    max: Points | None = Field(None, description="Tổng điểm chuẩn khai trong bảng (thường là 100).")
    score: Points | None = Field(None, description="Tổng điểm tự đánh giá khai trong bảng.")
    appraisal: list[CardAppraisal] = Field(
        default_factory=no_items,
        description="Tổng điểm thẩm định khai của từng lần (phần thẩm định cộng phần điều tra "
        "xã hội học), kèm cơ quan thẩm định (by) và ngày (date).",
    )
    criteria_set: str | None = Field(
        None,
        description="Bộ tiêu chí mà bảng theo, đường dẫn tính từ thư mục của bảng "
        "(ví dụ ../criteria/thanh-hoa-huyen-2021.yaml).",
    )
    bonus: list[Adjustment] = Field(default_factory=no_items, description="Điểm thưởng (nếu bộ tiêu chí có).")
    penalty: list[Adjustment] = Field(default_factory=no_items, description="Điểm trừ (nếu bộ tiêu chí có).")
    place: str | None = Field(None, description='Địa danh ở dòng ký, ví dụ "Thanh Hóa".')
    date: DateText | None = Field(None, description="Ngày ký: 25/12/2021 hoặc 2021-12-25.")
    signer: Signer | None = Field(None, description="Người ký dưới bảng: chức danh và họ tên.")
    criteria: list[Criterion] = Field(description="Các lĩnh vực, mỗi lĩnh vực có tiêu chí con.")


def iter_criteria(
    nodes: list[Criterion], depth: int = 1, parent: Criterion | None = None
) -> Iterator[tuple[Criterion, int, Criterion | None]]:
    """Every criterion below ``nodes`` with its depth and parent, in table order (no recursion)."""
    stack: list[tuple[Criterion, int, Criterion | None]] = [(n, depth, parent) for n in reversed(nodes)]
    while stack:
        node, level, up = stack.pop()
        yield node, level, up
        stack.extend((child, level + 1, node) for child in reversed(node.children))
