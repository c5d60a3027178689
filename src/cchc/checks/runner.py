"""Running the checks: one file, or many files and folders (in parallel when there are enough)."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from cchc.checks.context import Context
from cchc.checks.registry import CHECKS, WARNINGS_ONLY
from cchc.checks.sets import check_set_loaded, set_for_card
from cchc.problems import FileReport, Problem, Report
from cchc.scorecard.load import Loaded, load_file
from cchc.scorecard.rollup import rollup
from cchc.scorecard.terms import terms_of

if TYPE_CHECKING:
    from pathlib import Path


def run_checks(
    loaded: Loaded, evidence_dir: Path | None = None, criteria_set: str | None = None, errors_only: bool = False
) -> FileReport:
    """Every problem of one loaded file: reading and shape problems, then every check.

    A card is checked against ``criteria_set`` (a path) when given, else against the set it names; a
    criteria-set file gets the set checks. ``errors_only`` leaves out the checks that only warn.
    """
    if loaded.criteria_set is not None:
        problems = check_set_loaded(loaded)
    else:
        problems = list(loaded.problems)
    if loaded.card is not None:
        card_set = set_for_card(loaded, criteria_set)
        terms = terms_of(card_set.criteria_set)
        ctx = Context(loaded.card, rollup(loaded.card, terms), loaded.locations, evidence_dir, card_set, terms)
        for check in CHECKS:
            if not (errors_only and check in WARNINGS_ONLY):
                problems.extend(check(ctx))
    problems.sort(key=Problem.sort_key)
    return FileReport(loaded.file, problems, readable=loaded.readable)


def check_file(
    path: str | os.PathLike[str], evidence_dir: Path | None = None, criteria_set: str | None = None
) -> FileReport:
    """Load and check one file (against ``criteria_set`` when given)."""
    return run_checks(load_file(path), evidence_dir, criteria_set)


#: Below this many files per worker, starting processes costs more than it saves.
PARALLEL_MIN_PER_JOB = 8
SUFFIXES = (".yaml", ".yml")


def discover(paths: list[str]) -> list[str]:
    """Files as given, folders expanded to the ``*.yaml``/``*.yml`` files below them, sorted.

    A path that does not exist is kept, so that it is reported as unreadable; so is a folder that
    holds no scorecard, reported as such (a wrong path in CI must not pass as "0 files, 0 errors").
    """
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            inside: list[str] = []
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                inside.extend(os.path.join(folder, f) for f in sorted(files) if f.endswith(SUFFIXES))
            found.extend(inside or [path])
        else:
            found.append(path)
    return found


def check_files(
    paths: list[str],
    jobs: int = 1,
    on_done: Callable[[FileReport], None] | None = None,
    evidence_dir: Path | None = None,
    criteria_set: str | None = None,
) -> Report:
    """Check every file (in ``jobs`` processes when there are enough); one bad file never hides others.

    ``on_done`` is called once per file, in order, as results arrive (for a progress bar).
    """
    work = partial(check_file, evidence_dir=evidence_dir, criteria_set=criteria_set)
    return Report(map_files(work, paths, jobs, on_done))


T = TypeVar("T")


def map_files(
    work: Callable[[str], T], paths: list[str], jobs: int = 1, on_done: Callable[[T], None] | None = None
) -> list[T]:
    """``work(path)`` for every path, in ``jobs`` processes when there are enough, results in order.

    ``work`` must be picklable (a module-level function or a partial of one); ``on_done`` is called
    once per result as it arrives. ``cchc rank`` passes a function that sends back a small summary
    instead of the whole report.
    """
    results: list[T] = []
    if jobs > 1 and len(paths) >= jobs * PARALLEL_MIN_PER_JOB:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # fork shares the already imported modules with the workers, so they start at once.
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        chunk = max(1, len(paths) // (jobs * 8))
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            for result in pool.map(work, paths, chunksize=chunk):
                results.append(result)
                if on_done:
                    on_done(result)
        return results
    for path in paths:
        results.append(work(path))
        if on_done:
            on_done(results[-1])
    return results
