"""Checks of the evidence: points without evidence or explanation, and the citation checks."""

from __future__ import annotations

from collections.abc import Iterator

from cchc.checks.context import Context
from cchc.evidence import cited as evidence
from cchc.problems import Problem
from cchc.scorecard.numbers import format_points


def check_evidence(ctx: Context) -> Iterator[Problem]:
    """Warn about points claimed with neither evidence nor a written explanation (giải trình)."""
    for node, _, parent in ctx.nodes():
        counts_as_leaf = node.is_leaf or node.split_unknown
        if not counts_as_leaf or ctx.in_split_group(parent) or not node.score or node.survey:
            continue
        if node.evidence or node.note or any(child.evidence for child in node.children):
            continue
        yield ctx.where(node).problem("no-evidence", "score", id=node.id, score=format_points(node.score))


def check_citation_dates(ctx: Context) -> Iterator[Problem]:
    """Impossible cited dates, dates after the report, dates outside the year and the one before."""
    return evidence.check_dates(ctx.card, ctx.cited)


def check_citation_types(ctx: Context) -> Iterator[Problem]:
    """A type word that contradicts the symbol's code."""
    return evidence.check_type_words(ctx.cited)


def check_citation_date_conflicts(ctx: Context) -> Iterator[Problem]:
    """One document cited with two dates."""
    return evidence.check_date_conflicts(evidence.group_documents(evidence.dated_differently(ctx.cited)))


def check_citations_recognised(ctx: Context) -> Iterator[Problem]:
    """Points backed by evidence in which no citation can be recognised, and no note."""
    return evidence.check_recognised(ctx.card, ctx.cited, ctx.where, ctx.nodes())


def check_evidence_files(ctx: Context) -> Iterator[Problem]:
    """With --evidence-dir: cited files that are missing, files nobody cites."""
    if ctx.evidence_dir is None:
        return iter(())
    return evidence.check_evidence_dir(ctx.card, ctx.cited, ctx.evidence_dir, ctx.where)
