"""The one problem type every check returns, and the report that every output format reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cchc.messages import render


class Severity(StrEnum):
    """How bad a problem is: errors fail ``validate``, warnings only with ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


E, W = Severity.ERROR, Severity.WARNING

#: Every problem code, its severity and what it means (English, for the README and --help).
#: Codes are stable: scripts may match on them. Messages live in ``messages.py``.
CODES: dict[str, tuple[Severity, str]] = {
    # reading the file
    "file-unreadable": (E, "the file cannot be read (missing, no permission)"),
    "no-scorecard": (E, "a folder given to check holds no *.yaml/*.yml scorecard; exit 2"),
    "file-too-large": (E, "the file is larger than the documented limit"),
    "encoding": (E, "the bytes are not UTF-8"),
    "yaml-syntax": (E, "YAML syntax error"),
    "yaml-alias": (E, "anchors/aliases are not allowed"),
    "yaml-tag": (E, "explicit YAML tags are not allowed"),
    "yaml-depth": (E, "nesting deeper than the limit"),
    "yaml-multi-document": (E, "more than one YAML document in a file"),
    "empty-file": (E, "the file holds no scorecard"),
    "duplicate-key": (E, "the same key twice in one mapping"),
    # shape
    "not-a-mapping": (E, "a mapping (key: value) was expected"),
    "unknown-field": (E, "a field the format does not know"),
    "missing-field": (E, "a required field is missing"),
    "wrong-type": (E, "a value of the wrong type"),
    "bad-value": (E, "a value outside the allowed choices"),
    "bad-number": (E, "a number that is not a plain decimal"),
    "empty-text": (E, "a required text (unit, id, title) that is empty or only spaces"),
    # the tree
    "missing-max": (E, "a leaf criterion without max points"),
    "duplicate-id": (E, "two criteria with the same id"),
    "id-not-under-parent": (E, "a child whose id does not start with its parent's id"),
    "score-negative": (E, "a score or max below zero"),
    "score-above-max": (E, "a score above its max"),
    "split-child-points": (E, "a child of a split_unknown node carries points"),
    "split-needs-points": (E, "a split_unknown node without its own max (a blank score is only unscored)"),
    # arithmetic
    "max-mismatch": (E, "a declared max differs from the sum of its children"),
    "score-mismatch": (E, "a declared score differs from the sum of its children"),
    # warnings
    "unscored": (W, "a leaf with no self score"),
    "no-evidence": (W, "a leaf scored above 0 with neither evidence nor a note (giải trình)"),
    "total-not-100": (W, "the total maximum is not 100"),
    "too-many-decimals": (W, "a number with more than 4 decimals"),
    # evidence (warnings: the arithmetic still holds)
    "evidence-bad-date": (W, "a cited date that does not exist (29/02/2021)"),
    "evidence-date-late": (W, "a cited date after the date of the report"),
    "evidence-date-range": (W, "a cited date outside the assessment year and the year before"),
    "evidence-type-conflict": (W, "a type word that contradicts the code (Báo cáo số 05/KH-UBND)"),
    "evidence-date-conflict": (W, "the same document cited with two different dates"),
    "evidence-unrecognised": (W, "a scored criterion with no recognisable citation and no note"),
    "evidence-file-missing": (W, "a cited file not found in --evidence-dir (closest name suggested)"),
    "evidence-file-unused": (W, "a file in --evidence-dir that no criterion cites"),
    # appraisal (the council's rounds: thẩm định)
    "appraisal-above-max": (E, "an appraised score above the criterion's max"),
    "appraisal-mismatch": (E, "a declared round total (appraisal on a node or the card) differs from the computed one"),
    "appraisal-no-reason": (W, "an appraised score that changes the score it revises with no note (ý kiến thẩm định)"),
    "appraisal-incomplete": (W, "some scored criteria appraised in round 1 and others not (their self score stands)"),
    "appraisal-on-survey": (W, "appraisal on the survey part, whose points are the survey's result (ignored)"),
    # import (cchc import: reading a Word/Excel table; located by cell address)
    "import-no-table": (
        E,
        "no table in the file has the form's header row (TT, Tên TC/TCTP, Điểm chuẩn, Điểm tự đánh giá); exit 2",
    ),
    "import-no-columns": (E, "the table or sheet chosen with --table/--sheet lacks the form's columns; exit 2"),
    "import-unplaced-row": (E, "a row that could not be placed in the tree (no id, points twice); left out"),
    "import-bad-cell": (E, "a points cell that is not a number; left blank"),
    "import-no-unit": (E, "the lines above the table do not name the unit (use --unit)"),
    "import-no-year": (E, "the lines above the table do not give the year (use --year)"),
    "import-formula-no-value": (W, "a formula cell with no stored result (never opened in a spreadsheet program)"),
    "import-shared-cell": (W, "a points cell merged over rows of several criteria; the value goes to the first"),
    "import-guessed-id": (W, "a field row with no number got its id from its position"),
    # criteria sets and scoring rules (a set file itself, and a card checked against its set)
    "set-has-score": (E, "a criteria set carries a score, evidence or another field of a filled-in card"),
    "bad-rule": (E, "a rule that cannot be applied (rate with steps, steps without a scale, mixed units, on a parent)"),
    "steps-not-descending": (E, "a step whose `from` is not below the one before it (steps go highest first)"),
    "step-above-max": (E, "a step giving more points than the criterion's max"),
    "set-not-found": (E, "the criteria set named by `criteria_set:` or --criteria-set cannot be read"),
    "set-invalid": (E, "the criteria set has errors of its own, so the card is not compared with it"),
    "set-missing-criterion": (E, "a criterion of the set that the card does not have"),
    "set-unknown-criterion": (E, "a criterion of the card that the set does not have"),
    "set-max-differs": (E, "a max that differs from the set's"),
    "set-title-differs": (W, "a title that differs from the set's (after folding case, spaces and punctuation)"),
    "set-rule-differs": (E, "a rule or scale that differs from the one the set gives"),
    "set-year-differs": (W, "the card's year is not the set's"),
    "set-level-differs": (W, "the card's level is not the set's"),
    "value-without-rule": (E, "a `value:` on a criterion with no rule (neither its own nor its set's)"),
    "rate-out-of-range": (E, "a rate above 100 % or below 0"),
    "rule-mismatch": (E, "a score that differs from the one its rule gives for its value"),
    "not-applicable-scored": (E, "a criterion marked `applicable: false` that carries a score or value"),
    "not-applicable-no-note": (W, "a criterion marked `applicable: false` with no note saying why"),
    "bonus-over-cap": (W, "bonus points above the set's cap (the cap is used)"),
    "penalty-over-cap": (W, "penalty points above the set's cap (the cap is used)"),
    "import-shared-evidence": (
        W,
        "an evidence cell merged over rows of several criteria; it is cited for each of them",
    ),
    # ranking (cchc rank, cchc report): about the set of cards, located at the card concerned
    "rank-duplicate-unit": (E, "two cards of the same unit (accents and case ignored); neither is ranked"),
    "rank-mixed-years": (W, "a card of another year than most of the cards ranked"),
    "rank-mixed-levels": (W, "a card of another level than most of the cards ranked"),
    "rank-previous-unranked": (
        W,
        "a card given with --previous that cannot be ranked (errors, unreadable, twice); not compared",
    ),
}


@dataclass(frozen=True)
class Problem:
    """One finding at one place: ``file:line:column: severity code message``.

    ``args`` fill the message template of ``code``; the text itself is rendered in the language
    in force, so the same report can be shown in Vietnamese or English.
    """

    code: str
    file: str
    line: int | None = None
    column: int | None = None
    path: str = ""
    args: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise KeyError(f"unknown problem code {self.code!r}")

    @property
    def severity(self) -> Severity:
        """The code's severity (fixed per code)."""
        return CODES[self.code][0]

    @property
    def message(self) -> str:
        """The message in the current language."""
        return render(f"problem.{self.code}", **self.args)

    def location(self) -> str:
        """``file:line:column`` with whatever parts are known."""
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping; the JSON output format prints exactly this."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "path": self.path,
        }

    def sort_key(self) -> tuple[str, int, int, str]:
        """File, then position, then code: the order problems are shown in."""
        return (self.file, self.line or 0, self.column or 0, self.code)


@dataclass
class FileReport:
    """What checking one file found."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    #: False when the file could not be read at all (exit code 2).
    readable: bool = True

    @property
    def errors(self) -> int:
        """Number of error-level problems."""
        return sum(p.severity is Severity.ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        """Number of warnings."""
        return sum(p.severity is Severity.WARNING for p in self.problems)

    @property
    def valid(self) -> bool:
        """No error (warnings allowed)."""
        return self.readable and self.errors == 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of this file's result."""
        return {
            "file": self.file,
            "valid": self.valid,
            "readable": self.readable,
            "errors": self.errors,
            "warnings": self.warnings,
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass
class Report:
    """The result of checking many files; every output format renders this one object."""

    files: list[FileReport] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """Errors over all files."""
        return sum(f.errors for f in self.files)

    @property
    def warnings(self) -> int:
        """Warnings over all files."""
        return sum(f.warnings for f in self.files)

    @property
    def unreadable(self) -> int:
        """Files that could not be read."""
        return sum(not f.readable for f in self.files)

    def problems(self) -> list[Problem]:
        """All problems, file by file, in position order."""
        return [p for f in self.files for p in f.problems]

    def exit_code(self, strict: bool = False) -> int:
        """0 clean, 1 an error (or a warning with ``strict``), 2 a file could not be read."""
        if self.unreadable:
            return 2
        if self.errors or (strict and self.warnings):
            return 1
        return 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping: the files and a summary."""
        return {
            "files": [f.to_dict() for f in self.files],
            "summary": {
                "files": len(self.files),
                "errors": self.errors,
                "warnings": self.warnings,
                "unreadable": self.unreadable,
            },
        }
