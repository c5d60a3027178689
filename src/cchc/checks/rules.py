"""The shape of a scoring rule, judged the same way on a criterion of a set and of a card."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Protocol

from cchc.messages import render
from cchc.problems import Problem
from cchc.scorecard.load import Where
from cchc.scorecard.numbers import format_points
from cchc.scorecard.reader import Map, Seq
from cchc.scorecard.rules import Threshold, steps_mixed, steps_out_of_order


class _Step(Protocol):
    from_: Threshold
    points: Decimal


def _step_at(here: Where, index: int, key: str) -> tuple[int, int]:
    """Line and column of ``steps[index].key`` in the file, or of ``steps`` when it cannot be found."""
    entry = here.entries.get("steps")
    if entry is not None and isinstance(entry[1], Seq) and index < len(entry[1].items):
        item = entry[1].items[index]
        if isinstance(item, Map) and key in item.entries:
            value = item.entries[key][1]
            return value.line, value.column
        return item.line, item.column
    return here.at("steps")


def rule_shape(node: Any, here: Where) -> Iterator[Problem]:
    """A rule that can be applied: rate without a scale, steps with one, on a leaf, a scale highest first
    in one unit whose points stay within the max. One mistake, one problem: the first that applies."""
    rule: str | None = node.rule
    steps: list[_Step] = node.steps
    if rule is None and not steps:
        return
    label = render("label.criterion", id=node.id)
    reason = None
    if node.children:
        reason = "rule.reason-not-leaf"
    elif rule == "rate" and steps:
        reason = "rule.reason-rate-steps"
    elif rule == "steps" and not steps:
        reason = "rule.reason-no-steps"
    elif steps_mixed([(step.from_, step.points) for step in steps]):
        reason = "rule.reason-mixed"
    if reason is not None:
        yield here.problem("bad-rule", "rule" if rule is not None else "steps", id=label, reason=render(reason))
        return
    scale = [(step.from_, step.points) for step in steps]
    out_of_order = steps_out_of_order(scale)
    if out_of_order is not None:
        line, col = _step_at(here, out_of_order, "from")
        yield Problem(
            "steps-not-descending",
            here.file,
            line,
            col,
            f"{here.path}.steps[{out_of_order}].from",
            {
                "id": label,
                "n": out_of_order + 1,
                "value": str(scale[out_of_order][0]),
                "previous": str(scale[out_of_order - 1][0]),
            },
        )
    if node.max is not None:
        for i, (_, points) in enumerate(scale):
            if points > node.max:
                line, col = _step_at(here, i, "points")
                yield Problem(
                    "step-above-max",
                    here.file,
                    line,
                    col,
                    f"{here.path}.steps[{i}].points",
                    {"id": label, "n": i + 1, "points": format_points(points), "max": format_points(node.max)},
                )
