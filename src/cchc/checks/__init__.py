"""Checks on a loaded scorecard: small functions in one explicit list (`registry.CHECKS`), each
taking a `Context` and yielding `Problem`s; `runner` runs them over one file or many."""

from __future__ import annotations

from cchc.checks.context import Check, Context
from cchc.checks.registry import CHECKS
from cchc.checks.runner import check_file, check_files, discover, map_files, run_checks

__all__ = ["CHECKS", "Check", "Context", "check_file", "check_files", "discover", "map_files", "run_checks"]
