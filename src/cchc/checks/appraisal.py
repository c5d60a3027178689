"""Checks of the council's appraisal (thẩm định): ranges, declared round totals, reasons, coverage."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from cchc.checks.context import Context, label
from cchc.messages import render
from cchc.problems import Problem
from cchc.scorecard.appraisal import revisions
from cchc.scorecard.load import Where
from cchc.scorecard.model import Criterion, Scorecard
from cchc.scorecard.numbers import format_points
from cchc.scorecard.reader import Map, Seq


def _entry_problem(here: Where, index: int, code: str, /, **args: object) -> Problem:
    """A problem at the score of appraisal entry ``index`` of the node standing at ``here`` (at the
    entry, or at the node's ``appraisal``, when the file does not show it)."""
    path = f"{here.path}.appraisal[{index}].score" if here.path else f"appraisal[{index}].score"
    line, column = here.at("appraisal")
    found = here.entries.get("appraisal")
    if found is not None and isinstance(found[1], Seq) and index < len(found[1].items):
        item = found[1].items[index]
        line, column = item.line, item.column
        if isinstance(item, Map) and "score" in item.entries:
            value = item.entries["score"][1]
            line, column = value.line, value.column
    return Problem(code, here.file, line, column, path, dict(args))


def _survey_nodes(ctx: Context) -> set[int]:
    """The criteria of the survey part (flagged, or below a flagged one), by identity."""
    inside: set[int] = set()
    for node, _, parent in ctx.nodes():
        if node.survey or (parent is not None and id(parent) in inside):
            inside.add(id(node))
    return inside


def _points_nodes(ctx: Context) -> Iterator[Criterion]:
    """The criteria that carry points of their own: leaves and groups known only by their total."""
    for node, _, parent in ctx.nodes():
        if (node.is_leaf or node.split_unknown) and not ctx.in_split_group(parent):
            yield node


def check_appraisal_ranges(ctx: Context) -> Iterator[Problem]:
    """No negative appraisal; no appraisal above the criterion's (or the card's) max."""
    if not ctx.appraised:
        return
    items: list[Criterion | Scorecard] = [ctx.card, *(node for node, _, _ in ctx.nodes())]
    for node in items:
        for index, entry in enumerate(node.appraisal):
            if entry.score < 0:
                yield _entry_problem(
                    ctx.where(node),
                    index,
                    "score-negative",
                    id=label(node),
                    field=render("appraisal.field-round", round=index + 1),
                    value=format_points(entry.score),
                )
            elif node.max is not None and entry.score > node.max >= 0:
                yield _entry_problem(
                    ctx.where(node),
                    index,
                    "appraisal-above-max",
                    round=index + 1,
                    id=label(node),
                    score=format_points(entry.score),
                    max=format_points(node.max),
                )


def check_appraisal_sums(ctx: Context) -> Iterator[Problem]:
    """A declared round total (on a node with children, or the card) equals the computed one."""
    if not ctx.appraised:
        return
    for row in ctx.root.walk():
        target: Criterion | Scorecard = row.node if row.node is not None else ctx.card
        for index in row.appraisal_mismatches():
            yield _entry_problem(
                ctx.where(target),
                index,
                "appraisal-mismatch",
                round=index + 1,
                id=label(target),
                declared=format_points(row.declared_appraisal[index]),
                computed=format_points(row.appraisal_rounds[index]) or "0",
            )


def check_appraisal_reasons(ctx: Context) -> Iterator[Problem]:
    """Warn about a round that changes the score it revises with no note saying why."""
    if not ctx.appraised:
        return
    survey = _survey_nodes(ctx)
    for node in _points_nodes(ctx):
        if id(node) in survey:
            continue
        for round_no, entry, previous in revisions(node.appraisal, node.score):
            if entry.score == (previous or Decimal(0)) or (entry.note and entry.note.strip()):
                continue
            revised = (
                render("appraisal.revises-self")
                if round_no == 1
                else render("appraisal.revises-round", round=round_no - 1)
            )
            yield _entry_problem(
                ctx.where(node),
                round_no - 1,
                "appraisal-no-reason",
                round=round_no,
                id=label(node),
                score=format_points(entry.score),
                revised=revised,
                previous=format_points(previous) or "0",
            )


def check_appraisal_incomplete(ctx: Context) -> Iterator[Problem]:
    """Warn once when round 1 appraised some self-scored criteria and left others out."""
    if not ctx.appraised:
        return
    survey = _survey_nodes(ctx)
    scored = [node for node in _points_nodes(ctx) if node.score is not None and id(node) not in survey]
    missing = [node for node in scored if not node.appraisal]
    if missing and len(missing) < len(scored):
        yield ctx.where(missing[0]).problem(
            "appraisal-incomplete", "score", missing=len(missing), scored=len(scored), first=label(missing[0])
        )


def check_appraisal_on_survey(ctx: Context) -> Iterator[Problem]:
    """Warn about appraisal written on the survey part (its points are the survey's result)."""
    if not ctx.appraised:
        return
    survey = _survey_nodes(ctx)
    for node, _, _ in ctx.nodes():
        if id(node) in survey and node.appraisal:
            yield ctx.where(node).problem("appraisal-on-survey", "appraisal", id=node.id)
