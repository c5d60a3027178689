"""Field types shared by a set's criteria and a card's: the rule, its steps, the value it is judged on."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from cchc.criteria.rules import RuleError, Threshold, parse_rate, parse_threshold
from cchc.scorecard.spec import Points

Level = Literal["tinh", "so", "huyen", "xa"]

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
    WithJsonSchema({
        "anyOf": [{"type": "number", "minimum": 0},
                  {"type": "string", "pattern": rf"^\s*{_NUMBER}\s*%?\s*$"}],
        "description": "Ngưỡng của bậc: phần trăm (\"90%\", so với tỷ lệ) hoặc số (4, so với số lượng).",
    }),
]


class Step(BaseModel):
    """One step of a stepped scale: from this value on, these points."""

    model_config = ConfigDict(extra="forbid", title="Bậc điểm", populate_by_name=True)

    from_: StepFrom = Field(alias="from", description="Giá trị tối thiểu của bậc: \"90%\" hoặc 4.")
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
    WithJsonSchema({
        "anyOf": [{"type": "number"},
                  {"type": "string", "pattern": rf"^\s*[-+]?{_NUMBER}\s*(?:%|/\s*[-+]?{_NUMBER})?\s*$"}],
        "description": "Giá trị để tính điểm: số lượng \"4991/5000\", phần trăm \"99,82%\", tỷ lệ 0,9982, "
        "hoặc số lần (4) với thang bậc theo số lượng.",
    }),
]
