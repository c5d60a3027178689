"""Checks on a loaded scorecard: small functions in one explicit list, each yielding problems."""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Iterator

from cchc.evidence import cited as evidence
from cchc.evidence.cited import Cited, all_cited
from cchc.scorecard.load import Loaded, Locations, load_file
from cchc.messages import render
from cchc.scorecard.model import Criterion, Scorecard, iter_criteria
from cchc.scorecard.numbers import decimal_places, format_points
from cchc.problems import FileReport, Problem, Report
from cchc.scorecard.rollup import Row, rollup

if TYPE_CHECKING:
    from pathlib import Path


@dataclass
class Context:
    """What every check may look at: the scorecard, its recomputed rows, the citations."""

    card: Scorecard
    root: Row
    #: Where each node stands in the file.
    where: Locations
    #: Folder holding the evidence files, when the user gave one (--evidence-dir).
    evidence_dir: Path | None = None

    @cached_property
    def cited(self) -> list[Cited]:
        """Every citation in the evidence, parsed once for all the evidence checks."""
        return all_cited(self.card, self.where)

    def nodes(self) -> Iterator[tuple[Criterion, int, Criterion | None]]:
        """Every criterion with its depth and parent."""
        return iter_criteria(self.card.criteria)

    def in_split_group(self, parent: Criterion | None) -> bool:
        """True for the children of a ``split_unknown`` group (they carry no points)."""
        return parent is not None and parent.split_unknown


Check = Callable[[Context], Iterator[Problem]]


def _known_prefix(node_id: str) -> str:
    """The part of an id before its first unknown ("?") segment: "1.?" -> "1"."""
    parts = []
    for part in node_id.split("."):
        if part.strip() == "?":
            break
        parts.append(part)
    return ".".join(parts)


def check_leaf_max(ctx: Context) -> Iterator[Problem]:
    """A leaf needs its max, except inside a split_unknown group."""
    for node, _, parent in ctx.nodes():
        if node.is_leaf and node.max is None and not ctx.in_split_group(parent):
            yield ctx.where(node).problem("missing-max", None, id=node.id)


def check_duplicate_ids(ctx: Context) -> Iterator[Problem]:
    """Every id once in the whole table."""
    first: dict[str, Criterion] = {}
    for node, _, _ in ctx.nodes():
        if node.id in first:
            yield ctx.where(node).problem("duplicate-id", "id", id=node.id, first_line=ctx.where(first[node.id]).at("id")[0])
        else:
            first[node.id] = node


def check_ids_under_parent(ctx: Context) -> Iterator[Problem]:
    """A child's id starts with its parent's id ("1.2.3" under "1.2" or "1")."""
    for node, _, parent in ctx.nodes():
        if parent is None:
            continue
        prefix = _known_prefix(parent.id)
        if prefix and not node.id.startswith(prefix + "."):
            yield ctx.where(node).problem("id-not-under-parent", "id", id=node.id, parent=parent.id)


def check_ranges(ctx: Context) -> Iterator[Problem]:
    """No negative points; no self score above its max."""
    items: list[tuple[Criterion | Scorecard, str]] = [(ctx.card, render("label.total"))]
    items.extend((node, render("label.criterion", id=node.id)) for node, _, _ in ctx.nodes())
    for node, label in items:
        for name in ("max", "score"):
            value = getattr(node, name)
            if value is not None and value < 0:
                yield ctx.where(node).problem("score-negative", name, field=name, id=label,
                                          value=format_points(value))
        if node.max is not None and node.score is not None and node.score > node.max >= 0:
            yield ctx.where(node).problem("score-above-max", "score", id=label, score=format_points(node.score),
                                      max=format_points(node.max))


def check_split_groups(ctx: Context) -> Iterator[Problem]:
    """A split_unknown group declares its own points; its children carry none."""
    for node, _, parent in ctx.nodes():
        if node.split_unknown and (node.max is None or node.score is None):
            yield ctx.where(node).problem("split-needs-points", "split_unknown", id=node.id)
        if ctx.in_split_group(parent):
            assert parent is not None
            for name in ("max", "score"):
                if getattr(node, name) is not None:
                    yield ctx.where(node).problem("split-child-points", name, id=node.id, parent=parent.id, field=name)


def check_sums(ctx: Context) -> Iterator[Problem]:
    """Declared totals of fields, criteria and the whole table equal the sums of their children."""
    for row in ctx.root.walk():
        target: Criterion | Scorecard = row.node if row.node is not None else ctx.card
        label = render("label.criterion", id=row.node.id) if row.node is not None else render("label.total")
        if not row.max_ok:
            yield ctx.where(target).problem("max-mismatch", "max", id=label, declared=format_points(row.declared_max),
                                        computed=format_points(row.max))
        if not row.score_ok:
            yield ctx.where(target).problem("score-mismatch", "score", id=label,
                                        declared=format_points(row.declared_score),
                                        computed=format_points(row.score) or "0")


def check_unscored(ctx: Context) -> Iterator[Problem]:
    """Warn about a leaf nobody has scored yet (blank is not zero); the survey part is not self-scored."""
    for node, _, parent in ctx.nodes():
        if node.is_leaf and node.score is None and not node.survey and not ctx.in_split_group(parent):
            yield ctx.where(node).problem("unscored", None, id=node.id)


def check_evidence(ctx: Context) -> Iterator[Problem]:
    """Warn about points claimed with neither evidence nor a written explanation (giải trình)."""
    for node, _, parent in ctx.nodes():
        counts_as_leaf = node.is_leaf or node.split_unknown
        if not counts_as_leaf or ctx.in_split_group(parent) or not node.score or node.survey:
            continue
        if node.evidence or node.note or any(child.evidence for child in node.children):
            continue
        yield ctx.where(node).problem("no-evidence", "score", id=node.id, score=format_points(node.score))


def check_total_max(ctx: Context) -> Iterator[Problem]:
    """Warn when the table's maximum is not the usual 100."""
    if ctx.card.criteria and ctx.root.max != Decimal(100):
        yield ctx.where(ctx.card).problem("total-not-100", "max" if ctx.card.max is not None else None,
                                      max=format_points(ctx.root.max))


def check_decimals(ctx: Context) -> Iterator[Problem]:
    """Warn about points written with more than the form's 4 decimals."""
    items: list[Criterion | Scorecard] = [ctx.card, *(node for node, _, _ in ctx.nodes())]
    for node in items:
        for name in ("max", "score"):
            value = getattr(node, name)
            if value is not None and decimal_places(value) > 4:
                yield ctx.where(node).problem("too-many-decimals", name, value=format(value, "f").replace(".", ","))


def check_citation_dates(ctx: Context) -> Iterator[Problem]:
    """Impossible cited dates, dates after the report, dates outside the year and the one before."""
    return evidence.check_dates(ctx.card, ctx.cited)


def check_citation_types(ctx: Context) -> Iterator[Problem]:
    """A type word that contradicts the symbol's code."""
    return evidence.check_type_words(ctx.cited)


def check_citation_date_conflicts(ctx: Context) -> Iterator[Problem]:
    """One document cited with two dates."""
    return evidence.check_date_conflicts(evidence.group_documents(ctx.cited))


def check_citations_recognised(ctx: Context) -> Iterator[Problem]:
    """Points backed by evidence in which no citation can be recognised, and no note."""
    return evidence.check_recognised(ctx.card, ctx.cited, ctx.where)


def check_evidence_files(ctx: Context) -> Iterator[Problem]:
    """With --evidence-dir: cited files that are missing, files nobody cites."""
    if ctx.evidence_dir is None:
        return iter(())
    return evidence.check_evidence_dir(ctx.card, ctx.cited, ctx.evidence_dir, ctx.where)


#: Every check, in the order they run. Add new checks here.
CHECKS: list[Check] = [
    check_leaf_max,
    check_duplicate_ids,
    check_ids_under_parent,
    check_ranges,
    check_split_groups,
    check_sums,
    check_unscored,
    check_evidence,
    check_total_max,
    check_decimals,
    check_citation_dates,
    check_citation_types,
    check_citation_date_conflicts,
    check_citations_recognised,
    check_evidence_files,
]


def run_checks(loaded: Loaded, evidence_dir: Path | None = None) -> FileReport:
    """Every problem of one loaded file: reading and shape problems, then every check."""
    problems = list(loaded.problems)
    if loaded.card is not None:
        ctx = Context(loaded.card, rollup(loaded.card), loaded.locations, evidence_dir)
        for check in CHECKS:
            problems.extend(check(ctx))
    problems.sort(key=Problem.sort_key)
    return FileReport(loaded.file, problems, readable=loaded.readable)


def check_file(path: str | os.PathLike[str], evidence_dir: Path | None = None) -> FileReport:
    """Load and check one file."""
    return run_checks(load_file(path), evidence_dir)


#: Below this many files per worker, starting processes costs more than it saves.
PARALLEL_MIN_PER_JOB = 8
SUFFIXES = (".yaml", ".yml")


def discover(paths: list[str]) -> list[str]:
    """Files as given, folders expanded to the ``*.yaml``/``*.yml`` files below them, sorted.

    A path that does not exist is kept, so that it is reported as unreadable.
    """
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(os.path.join(folder, f) for f in sorted(files) if f.endswith(SUFFIXES))
        else:
            found.append(path)
    return found


def check_files(paths: list[str], jobs: int = 1,
                on_done: Callable[[FileReport], None] | None = None,
                evidence_dir: Path | None = None) -> Report:
    """Check every file (in ``jobs`` processes when there are enough); one bad file never hides others.

    ``on_done`` is called once per file, in order, as results arrive (for a progress bar).
    """
    reports: list[FileReport] = []
    if jobs > 1 and len(paths) >= jobs * PARALLEL_MIN_PER_JOB:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # fork shares the already imported modules with the workers, so they start at once.
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        chunk = max(1, len(paths) // (jobs * 8))
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            for report in pool.map(check_file, paths, [evidence_dir] * len(paths), chunksize=chunk):
                reports.append(report)
                if on_done:
                    on_done(report)
        return Report(reports)
    for path in paths:
        reports.append(check_file(path, evidence_dir))
        if on_done:
            on_done(reports[-1])
    return Report(reports)
