"""Write a scorecard as YAML for people: block style, the format's key order, Vietnamese unescaped.

PyYAML's emitter cannot be told to keep the format's key order per model, to write points with a
decimal comma, or to quote exactly the scalars a YAML reader would misread, so the document is
written here, line by line. What comes out loads back (``cchc.scorecard.load.load_text``) into an equal
scorecard; the tests check that with generated scorecards full of awkward text.

- The schema modeline comes first, so editors with the YAML language server check the file; it
  points at the schema from where the file is written (``modeline``).
- Points keep the precision they were read with and use the decimal comma of the forms:
  ``Decimal("0.50")`` is written ``0,50``, ``Decimal("14")`` is written ``14``.
- Ids are always quoted; other text is written plain when no YAML reader could take it for anything
  else (a boolean, a null, a number, a date, an indicator, a comment), else double-quoted with escapes.
  Multi-line text is a literal block (``|-``) when that is unambiguous, else double-quoted.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from cchc import output as safewrite
from cchc.scorecard.criteria_set import CriteriaSet, SetCriterion
from cchc.scorecard.model import REF_FIELDS, Appraisal, Criterion, Scorecard

#: The schema's file name, in ``schemas/`` of a checkout and in the installed package.
SCHEMA_FILE = "scorecard.schema.json"
#: The first line of a scorecard in ``scorecards/`` of this repository (the shipped one): editors
#: validate against the committed schema. Elsewhere see ``modeline``.
MODELINE = f"# yaml-language-server: $schema=../schemas/{SCHEMA_FILE}"

INDENT = "  "

# Characters YAML does not allow raw in a document (or reads as line breaks): always escaped.
_UNSAFE = re.compile("[^\x09\x0a\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\ufeff]")
# Escapes YAML's double-quoted style knows by a short name.
_SHORT_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\t": "\\t",
    "\x00": "\\0",
    "\x07": "\\a",
    "\x08": "\\b",
    "\x0b": "\\v",
    "\x0c": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}
# A first character that makes a plain scalar mean something else (indicators, quotes, directives).
_BAD_START = set("-?:,[]{}#&*!|>'\"%@`.~=+")
# YAML 1.2 core schema numbers and specials, plus YAML 1.1 forms (sexagesimal, underscores, 0x/0o/0b).
_NUMBERISH = re.compile(
    r"""[-+]?(?:\.?[0-9][0-9_,.:]*(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF|nan|NaN|NAN)|0x[0-9a-fA-F_]+|0o?[0-7_]+|0b[01_]+)"""
)
_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"


def _escape(text: str) -> str:
    """``text`` as a double-quoted YAML scalar; Vietnamese stays as it is, only what must be is escaped."""
    out = []
    for ch in text:
        if ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif _UNSAFE.match(ch):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _plain_ok(text: str) -> bool:
    """Whether ``text`` written plain (unquoted) on one line reads back as exactly this text, as text,
    in any YAML reader (1.1 or 1.2)."""
    if not text or text != text.strip() or text[0] in _BAD_START:
        return False
    if _UNSAFE.search(text) or any(ch < " " for ch in text) or "\x7f" in text:
        return False
    if ": " in text or " #" in text or "\t" in text or text.endswith(":"):
        return False
    if _NUMBERISH.fullmatch(text):
        return False
    # Booleans (yes/no/on/off/...), nulls, YAML 1.1 numbers and dates: whatever a resolver would type.
    return _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _STR_TAG


def _literal_ok(text: str) -> bool:
    """Whether a ``|-`` literal block holds ``text`` without ambiguity (indentation, chomping, breaks)."""
    if "\n" not in text or text.startswith("\n") or text.endswith("\n"):
        return False
    if _UNSAFE.search(text) or "\r" in text:
        return False
    lines = text.split("\n")
    # Leading blanks would be taken as indentation; trailing blanks are invisible to a reader.
    return all(line == line.strip(" \t") and not any(ch < " " for ch in line) for line in lines)


def scalar(text: str, indent: str) -> str:
    """``text`` as the value after ``key: `` (or ``- ``): plain, literal block or double-quoted."""
    if _plain_ok(text):
        return text
    if _literal_ok(text):
        inner = indent + INDENT
        return "|-\n" + "\n".join(inner + line if line else "" for line in text.split("\n"))
    return _escape(text)


def points(value: Decimal) -> str:
    """Points as written in the forms: the value's own precision, a decimal comma, no exponent."""
    text = format(value, "f")
    if text.startswith("-") and value.is_zero():
        text = text[1:]
    return text.replace(".", ",")


def _quoted(text: str) -> str:
    """Always double-quoted (ids: "1" must never become the number 1)."""
    return _escape(text)


def _evidence(cited: Any, indent: str, out: list[str]) -> None:
    """One evidence item at ``indent``: a line of text, or a mapping of the document's details
    (doc, date, title, file, pages, url) in the model's order, empty parts left out."""
    if isinstance(cited, str):
        out.append(f"{indent}- {scalar(cited, indent)}")
        return
    inner = indent + INDENT
    parts = [(name, getattr(cited, name)) for name in REF_FIELDS]
    lines = [f"{name}: {scalar(str(value), inner)}" for name, value in parts if value is not None]
    out.append(f"{indent}- {lines[0]}")
    out.extend(f"{inner}{line}" for line in lines[1:])


def _appraisal(entries: Sequence[Appraisal], indent: str, out: list[str]) -> None:
    """``appraisal:`` at ``indent`` with its rounds, each entry's keys in the model's order."""
    if not entries:
        return
    out.append(f"{indent}appraisal:")
    item_at, inner = indent + INDENT, indent + INDENT * 2
    for entry in entries:
        lines = [f"score: {points(entry.score)}"]
        for name in type(entry).model_fields:
            value = getattr(entry, name)
            if name in ("score", "evidence") or value is None:
                if name == "evidence" and value:
                    lines.append("evidence:")
                    items: list[str] = []
                    for cited in value:
                        _evidence(cited, inner + INDENT, items)
                    lines.extend(line[len(inner) :] for line in items)
                continue
            lines.append(f"{name}: {scalar(str(value), inner)}")
        out.append(f"{item_at}- {lines[0]}")
        out.extend(f"{inner}{line}" for line in lines[1:])


def _criterion(node: Criterion | SetCriterion, indent: str, out: list[str]) -> None:
    """One criterion (of a card or of a set) as a sequence item at ``indent``, its children below it
    (depth-first, no recursion)."""
    stack: list[tuple[Criterion | SetCriterion, str]] = [(node, indent)]
    while stack:
        item, at = stack.pop()
        inner = at + INDENT
        out.append(f"{at}- id: {_quoted(item.id)}")
        if item.tt is not None:
            out.append(f"{inner}tt: {scalar(item.tt, inner)}")
        out.append(f"{inner}title: {scalar(item.title, inner)}")
        if item.max is not None:
            out.append(f"{inner}max: {points(item.max)}")
        card_row = item if isinstance(item, Criterion) else None
        if card_row is not None and card_row.score is not None:
            out.append(f"{inner}score: {points(card_row.score)}")
        if item.split_unknown:
            out.append(f"{inner}split_unknown: true")
        if item.survey:
            out.append(f"{inner}survey: true")
        if item.rule is not None:
            out.append(f"{inner}rule: {item.rule}")
        if item.steps:
            out.append(f"{inner}steps:")
            for step in item.steps:
                out.append(f"{inner}{INDENT}- from: {_quoted(str(step.from_))}")
                out.append(f"{inner}{INDENT}{INDENT}points: {points(step.points)}")
        if card_row is not None and card_row.value is not None:
            out.append(f"{inner}value: {_quoted(card_row.value)}")
        if card_row is not None and not card_row.applicable:
            out.append(f"{inner}applicable: false")
        if card_row is not None and card_row.evidence:
            out.append(f"{inner}evidence:")
            for cited in card_row.evidence:
                _evidence(cited, inner + INDENT, out)
        if item.note is not None:
            out.append(f"{inner}note: {scalar(item.note, inner)}")
        if card_row is not None:
            _appraisal(card_row.appraisal, inner, out)
        if item.children:
            out.append(f"{inner}children:")
            # A marker closes nothing in YAML: the children simply follow, indented one level more.
            children: list[Criterion | SetCriterion] = list(item.children)
            stack.extend((child, inner + INDENT) for child in reversed(children))


def installed_schema() -> Path:
    """The schema shipped inside the installed package (``cchc/schemas/scorecard.schema.json``)."""
    return Path(str(resources.files("cchc") / "schemas" / SCHEMA_FILE))


def modeline(target: Path) -> str:
    """The schema modeline for a scorecard written to ``target``, resolving from where it is written:
    the path relative to the file of ``schemas/scorecard.schema.json`` in the nearest folder above it
    that has one (a checkout of this repository), else the installed package's copy as a file URI.
    The YAML language server reads the value up to the first space and resolves a relative path
    from the file's folder."""
    folder = Path(os.path.abspath(target)).parent  # not resolved: editors open the path as given
    for up in (folder, *folder.parents):
        found = up / "schemas" / SCHEMA_FILE
        if found.is_file():
            try:
                relative = Path(os.path.relpath(found, folder)).as_posix()
            except ValueError:  # another drive (Windows): no relative path exists
                break
            return f"# yaml-language-server: $schema={relative}"
    return f"# yaml-language-server: $schema={installed_schema().as_uri()}"


def dump_scorecard(card: Scorecard, target: Path | None = None) -> str:
    """The scorecard as a YAML document for people (see the module docstring); ends with a newline.
    ``target``: where it will be written, for the schema modeline (``modeline``); without it the
    modeline is the one of ``scorecards/`` (MODELINE)."""
    out = [MODELINE if target is None else modeline(target)]
    top: list[tuple[str, Any]] = [
        ("unit", card.unit),
        ("year", card.year),
        ("level", card.level),
        ("title", card.title),
        ("report", card.report),
    ]
    for key, value in top:
        if value is None:
            continue
        out.append(f"{key}: {value}" if key == "year" else f"{key}: {scalar(str(value), '')}")
    if card.criteria_set is not None:
        out.append(f"criteria_set: {scalar(card.criteria_set, '')}")
    if card.max is not None:
        out.append(f"max: {points(card.max)}")
    if card.score is not None:
        out.append(f"score: {points(card.score)}")
    _appraisal(card.appraisal, "", out)
    for name in ("bonus", "penalty"):
        entries = getattr(card, name)
        if entries:
            out.append(f"{name}:")
        for entry in entries:
            out.append(f"{INDENT}- points: {points(entry.points)}")
            out.append(f"{INDENT}{INDENT}reason: {scalar(entry.reason, INDENT + INDENT)}")
            if entry.evidence:
                out.append(f"{INDENT}{INDENT}evidence:")
                for cited in entry.evidence:
                    _evidence(cited, INDENT * 3, out)
            if entry.note is not None:
                out.append(f"{INDENT}{INDENT}note: {scalar(entry.note, INDENT + INDENT)}")
            _appraisal(entry.appraisal, INDENT + INDENT, out)
    for key, value in (("place", card.place), ("date", card.date)):
        if value is not None:
            out.append(f"{key}: {scalar(value, '')}")
    if card.signer is not None:
        out.append("signer:")
        out.append(f"{INDENT}title: {scalar(card.signer.title, INDENT)}")
        if card.signer.name is not None:
            out.append(f"{INDENT}name: {scalar(card.signer.name, INDENT)}")
    _criteria(card.criteria, out)
    return "\n".join(out) + "\n"


def _criteria(nodes: Sequence[Criterion | SetCriterion], out: list[str]) -> None:
    """The ``criteria:`` list of a card or a set (``criteria: []`` when empty)."""
    if not nodes:
        out.append("criteria: []")
        return
    out.append("criteria:")
    for node in nodes:
        _criterion(node, INDENT, out)


#: The first line of every written criteria set.
SET_MODELINE = "# yaml-language-server: $schema=../schemas/criteria-set.schema.json"


def dump_set(found: CriteriaSet) -> str:
    """A criteria set as a YAML document for people, like `dump_scorecard`; ends with a newline."""
    out = [SET_MODELINE, f"set: {scalar(found.set, '')}"]
    if found.issued_by is not None:
        out.append(f"issued_by: {scalar(found.issued_by, '')}")
    if found.level is not None:
        out.append(f"level: {found.level}")
    if found.year is not None:
        out.append(f"year: {found.year}")
    if found.not_applicable != "exclude":
        out.append(f"not_applicable: {found.not_applicable}")
    for name in ("bonus_cap", "penalty_cap", "max"):
        value = getattr(found, name)
        if value is not None:
            out.append(f"{name}: {points(value)}")
    if found.note is not None:
        out.append(f"note: {scalar(found.note, '')}")
    _criteria(found.criteria, out)
    return "\n".join(out) + "\n"


# --- writing the file -----------------------------------------------------------------------------

#: What a scorecard file may be called.
SUFFIXES = (".yaml", ".yml")


def check_target(out: Path, source: Path | None, overwrite: bool) -> None:
    """Refuse, before any work, an output that is the input, not YAML, in no directory, or exists."""
    safewrite.check_target(out, source, overwrite, SUFFIXES, "err.import-out-suffix")


def write_text_atomic(text: str, out: Path, *, source: Path | None, overwrite: bool) -> None:
    """Write ``text`` (UTF-8) to ``out`` through a temporary file in the same directory, then move it
    into place: a crash leaves either the old file or the new one, never half of one. Without
    ``overwrite`` a file that appeared meanwhile is not clobbered (the move is a hard link).
    Raises cchc.output.OutputError for every user error."""
    out = Path(out)
    check_target(out, source, overwrite)
    safewrite.write_atomic(text.encode("utf-8"), out, overwrite)
