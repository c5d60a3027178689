"""The form's layout in a workbook, and what ``cchc export`` hides there: written by cchc.xlsx.export,
read back by cchc.importers, so both follow the one description here.

The form: two title rows merged across the table (the title in capitals, then "(ban hành kèm theo
REPORT của UNIT)" or "Đơn vị: UNIT"), a blank row, the header row (TT | Tên TC/TCTP | Điểm chuẩn |
Điểm tự đánh giá | Tài liệu kiểm chứng | Ghi chú; "Ghi chú" may be left out), one row per node in
table order, then TỔNG ĐIỂM and the signature block. A field's name is written in capitals without
its id, a criterion's as "1.2. Title". Evidence and notes longer than a few lines continue on rows
right below their node, with blank TT, name and points (the name cell says "(tiếp theo 1.2)" where
such a row starts a printed page); a number or name too long for one cell continues the same way, a
line cut to fit a cell ending and resuming with "…". A second sheet lists the cited documents.

The form cannot show everything a scorecard holds: a field's title is printed in capitals, its id
not at all, a declared total is replaced by a live SUM, 0,50 is the number 0.5, ``level`` has no
cell, characters Excel refuses are removed. So the export also writes, out of sight and out of
print:

- a very hidden sheet ``cchc`` whose cell A1 (continued in A2, A3, … when long) holds the top-level
  fields as JSON: ``{"cchc": 1, "unit", "year", "level", "title", "report", "max", "score", "lines"}``,
  and ``criteria_set``, ``bonus``, ``penalty``, ``appraisal`` when the card has them, and ``place``,
  ``date`` and ``signer`` when given (the signature block stands below the total, where the import
  does not read);
- a hidden column after the last visible one ("Ghi chú", or the council's column with appraisal),
  headed ``cchc``, holding on each node's first row a JSON object with the node's ``id`` and only
  what its visible cells do not give back exactly: ``title``, ``tt``, ``note``, ``evidence`` (each
  as ``[value, check]``), ``max``, ``score`` (as ``[declared, shown]``) and the flags
  ``survey``/``split_unknown`` when true; the node's own ``rule``, ``steps`` and ``value`` (its score
  cell shows only the points they give, with the rate beside them in the number format: "0,4991
  (99,82%)"), and ``applicable: false`` (its score cell says "Không áp dụng", or shows its max under
  the set's ``full`` convention); ``appraisal`` (as ``[entries, check of the council's column, shown
  appraised points]``), the top-level one likewise in the hidden sheet.

The metadata never overrides what an officer changed. A text value comes with a digest of the cells
it was shown in (the column's cells over the node's rows, as written); a number with the value the
cell showed; the title rows with digests of their text. ``cchc import`` takes a stored value only
while the visible cells still hold exactly what the export wrote, else the visible value wins. A
node's metadata is taken at all only while its name cell still starts with its id (fields, whose
id the form does not show, are recognised by their bold row).
"""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal
from typing import Any, NamedTuple

from cchc.messages import render

__all__ = [
    "APPRAISAL",
    "APPRAISED",
    "COLUMNS",
    "CREATOR",
    "EVIDENCE",
    "EVIDENCE_SHEET",
    "FIRST_ROW",
    "FORM_SHEET",
    "HEADER",
    "HEADER_ROW",
    "INDEX_COLUMNS",
    "INDEX_COUNT",
    "INDEX_FILE",
    "MARK",
    "MAX",
    "META_TEXTS",
    "NAME",
    "NOTE",
    "POINT_COLUMNS",
    "SCORE",
    "SHEET",
    "TEXT_COLUMNS",
    "TITLE_ROWS",
    "TT",
    "VERSION",
    "Column",
    "appraisal_text",
    "cell_decimal",
    "column_letter",
    "column_sets",
    "continued_label",
    "digest",
    "dumps",
    "form_columns",
    "header_texts",
    "is_continued",
    "join_parts",
    "loads",
    "meta_col",
    "name_prefix",
    "number_pair",
    "number_text",
    "positions",
    "read_appraisal_text",
    "read_title_lines",
    "stored_number",
    "stored_text",
    "title_lines",
    "title_merges",
]


# --- the form -----------------------------------------------------------------------------------


class Column(NamedTuple):
    """A column of the form: what it holds (as the importer names its columns), its header's
    message key, and its width in characters (Excel's unit: the width of the digit 0 of the
    Normal style's font, Times New Roman 12 pt, i.e. 6 pt). An ``optional`` column belongs to a part
    of the form that can be left out (``"notes"``: ``cchc export --no-notes``; ``"appraisal"``: there
    only when the card has appraisal); a ``shared`` one takes part of the width the form's text
    columns share according to their content (see cchc.xlsx.export)."""

    kind: str
    header: str
    width: int
    optional: str = ""
    shared: bool = False


#: The form's columns, in order: the unit's, then the council's (when the card has appraisal: so
#: the unit's part of the form stays as it was submitted): the final round's points, live sums
#: like the self score's, and every round's score, note, reply and supplementary evidence as text.
COLUMNS: tuple[Column, ...] = (
    Column("tt", "xlsx.col.tt", 6),
    Column("name", "xlsx.col.criterion", 46),
    Column("max", "xlsx.col.max", 9),  # both headings wrap to two lines, alike in Excel and LibreOffice
    Column("score", "xlsx.col.score", 9),
    Column("evidence", "xlsx.col.evidence", 56, shared=True),
    Column("note", "xlsx.col.note", 32, optional="notes", shared=True),
    Column("appraised", "xlsx.col.appraised", 9, optional="appraisal"),
    Column("appraisal", "xlsx.col.appraisal", 40, optional="appraisal", shared=True),
)
#: Each column's index in COLUMNS; a form without some of them writes the others to the left
#: (see ``positions``).
TT, NAME, MAX, SCORE, EVIDENCE, NOTE, APPRAISED, APPRAISAL = range(len(COLUMNS))
TEXT_COLUMNS = (TT, NAME, EVIDENCE, NOTE, APPRAISAL)
POINT_COLUMNS = (MAX, SCORE, APPRAISED)
#: 0-based sheet rows: two title rows, a blank row, then the header and the table.
TITLE_ROWS = (0, 1)
HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1

#: The evidence index sheet's columns: header message key and width in characters. Together as
#: wide as the form, so both sheets print at the same scale.
INDEX_COLUMNS: tuple[tuple[str, int], ...] = (
    ("evidence.col.type", 8),
    ("evidence.col.number", 10),
    ("evidence.col.date", 13),
    ("evidence.col.subject", 48),
    ("evidence.col.criteria", 38),
    ("evidence.col.count", 7),
    ("evidence.col.file", 34),
)
INDEX_COUNT, INDEX_FILE = 5, 6

#: Message keys of the two sheets' names.
FORM_SHEET = "xlsx.sheet"
EVIDENCE_SHEET = "xlsx.evidence-sheet"
#: The workbook's "creator" property: the export wrote it, so its text is read back verbatim.
CREATOR = "cchc"
#: The marker at both sides of a line the export had to cut.
MARK = "…"
# "(tiếp theo 1.2)" as the export writes it ("xlsx.continued"), with the spaces people add.
_CONTINUED = re.compile(r"\s*\(\s*tiếp theo .*\)\s*")


def column_letter(col: int) -> str:
    """The letters of a column as Excel counts them from 1: 1 -> "A", 28 -> "AB"."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def form_columns(*, notes: bool = True, appraisal: bool = False) -> tuple[Column, ...]:
    """The form's columns: "Ghi chú" unless ``notes`` is False, the council's two with ``appraisal``."""
    leave_out = {part for part, keep in (("notes", notes), ("appraisal", appraisal)) if not keep}
    return tuple(column for column in COLUMNS if column.optional not in leave_out)


def column_sets() -> list[tuple[Column, ...]]:
    """Every column set the export may write, the widest first."""
    sets = [form_columns(notes=notes, appraisal=appraisal) for notes in (True, False) for appraisal in (True, False)]
    return sorted(sets, key=len, reverse=True)


def positions(columns: tuple[Column, ...]) -> dict[int, int]:
    """Where the form with ``columns`` writes each of them: index in COLUMNS -> 0-based sheet column."""
    return {COLUMNS.index(column): col for col, column in enumerate(columns)}


def meta_col(columns: tuple[Column, ...]) -> int:
    """The hidden metadata column, right after the last visible one."""
    return len(columns)


def header_texts(columns: tuple[Column, ...] | None = None) -> tuple[str, ...]:
    """The header row, column by column (by default the form's without appraisal)."""
    return tuple(render(column.header) for column in (form_columns() if columns is None else columns))


def title_merges(columns: tuple[Column, ...] | None = None) -> set[str]:
    """The ranges the title rows are merged over ("A1:F1", "A2:F2"; to H with appraisal)."""
    last = column_letter(len(form_columns() if columns is None else columns))
    return {f"A{row + 1}:{last}{row + 1}" for row in TITLE_ROWS}


# --- the council's column as text -----------------------------------------------------------------
#
# "Ý kiến thẩm định / Giải trình" holds every round, oldest first, one labelled line per part:
#
#     Lần 1: 0,25 — Kế hoạch ban hành muộn
#     Giải trình: Đã bổ sung công văn giao nhiệm vụ
#     Tài liệu bổ sung: Công văn số 5168/UBND-NV ngày 10/12/2020
#     Lần 2: 0,5 — Chấp nhận giải trình
#
# A criterion with one round and nothing but its score shows only the score, in "Điểm thẩm định".

_ROUND = re.compile(r"^Lần (\d+): ([0-9]+(?:,[0-9]+)?)(?: — (.*))?$")


def _points_text(value: Decimal) -> str:
    text = format(value, "f")
    return text.replace(".", ",")


def appraisal_text(entries: list[Any]) -> str:
    """The council's column for a node's appraisal entries (objects with score, note, reply and
    evidence); "" for one round holding nothing but its score."""
    if not entries or (len(entries) == 1 and not (entries[0].note or entries[0].reply or entries[0].evidence)):
        return ""
    lines: list[str] = []
    for number, entry in enumerate(entries, start=1):
        head = render("xlsx.round", round=number, score=_points_text(entry.score))
        lines.append(f"{head} — {entry.note}" if entry.note else head)
        if entry.reply:
            lines.append(render("xlsx.reply", reply=entry.reply))
        lines.extend(render("xlsx.supplementary", item=str(item)) for item in entry.evidence)
    return "\n".join(lines)


def read_appraisal_text(text: str) -> list[dict[str, Any]] | None:
    """The entries ``appraisal_text`` wrote (score as Decimal, note, reply, evidence lines); a line of
    none of its shapes continues the part above it (a note of several lines). None when the text does
    not start as a round does (free text someone typed: it is then the round's note)."""
    reply_head = render("xlsx.reply", reply="")
    item_head = render("xlsx.supplementary", item="")
    entries: list[dict[str, Any]] = []
    last = "note"  # the part a continuation line belongs to
    for line in text.split("\n"):
        found = _ROUND.match(line)
        if found and int(found.group(1)) == len(entries) + 1:
            entries.append(
                {
                    "score": Decimal(found.group(2).replace(",", ".")),
                    "note": found.group(3),
                    "reply": None,
                    "evidence": [],
                }
            )
            last = "note"
        elif not entries:
            return None
        elif line.startswith(reply_head) and entries[-1]["reply"] is None:
            entries[-1]["reply"], last = line[len(reply_head) :], "reply"
        elif line.startswith(item_head):
            entries[-1]["evidence"].append(line[len(item_head) :])
            last = "evidence"
        elif last == "evidence":
            entries[-1]["evidence"][-1] += "\n" + line
        else:
            entries[-1][last] = (entries[-1][last] or "") + "\n" + line
    return entries or None


def title_lines(title: str | None, year: int, report: str | None, unit: str) -> tuple[str, str]:
    """The texts of the two title rows: the title in capitals (or the form's, with the year), then
    the report and the unit, or the unit alone."""
    first = (title or "").upper() or render("xlsx.title", year=year)
    second = render("xlsx.report", report=report, unit=unit) if report else render("xlsx.unit", unit=unit)
    return first, second


def read_title_lines(lines: list[str]) -> tuple[str | None, str | None, str | None]:
    """(title, report, unit) from the texts of the title rows, as ``title_lines`` wrote them."""
    title = lines[0] if lines else None
    second = lines[1] if len(lines) > 1 else ""
    report = unit = None
    head, _, tail = render("xlsx.report", report="\0", unit="\1").partition("\0")
    middle, _, end = tail.partition("\1")
    unit_head = render("xlsx.unit", unit="\0").partition("\0")[0]
    if second.startswith(head) and second.endswith(end) and middle in second:
        inner = second[len(head) : len(second) - len(end)]
        cut = inner.rfind(middle)
        report, unit = inner[:cut] or None, inner[cut + len(middle) :] or None
    elif second.startswith(unit_head):
        unit = second[len(unit_head) :] or None
    return title, report, unit


def name_prefix(node_id: str) -> str:
    """What the form's name column writes before the title of a criterion: "1.2. " (no id: "")."""
    if not node_id:
        return ""
    return (node_id if node_id.endswith(".") else node_id + ".") + " "


def continued_label(node_label: str) -> str:
    """The name cell of a row that continues a node's long text: "(tiếp theo 1.2)"."""
    return render("xlsx.continued", id=node_label)


def is_continued(name: str) -> bool:
    """Whether a name cell says its row continues the node above ("(tiếp theo 1.2)")."""
    return _CONTINUED.fullmatch(name) is not None


def join_parts(parts: list[str]) -> str:
    """Texts the export continued over several rows, joined back. Parts hold whole lines; a line too
    long for one row was cut into pieces that end and resume with MARK, one piece per line."""
    return "\n".join(parts).replace(MARK + "\n" + MARK, "")


# --- the hidden metadata ------------------------------------------------------------------------

#: The very hidden sheet with the top-level fields, and the header of the hidden column.
SHEET = "cchc"
HEADER = "cchc"
#: Bumped when the meaning of the metadata changes; a reader ignores versions it does not know.
VERSION = 1
#: The text attributes a node's metadata may store, each with the column whose cells its digest covers.
META_TEXTS = (("title", "name"), ("tt", "tt"), ("note", "note"), ("evidence", "evidence"))
#: Characters a JSON text may still hold raw that Excel refuses in a cell (json.dumps escapes the
#: C0 controls itself): lone surrogates and two non-characters. Written as \\uXXXX escapes.
_RAW_REFUSED = re.compile("[\ud800-\udfff\ufffe\uffff]")


def cell_decimal(value: float) -> Decimal:
    """A number cell as the decimal it was typed as: Excel keeps 15 significant digits."""
    if value == int(value) and abs(value) < 1e15:
        return Decimal(int(value))
    return Decimal(format(value, ".15g")).normalize()


def number_text(value: Decimal | None) -> str | None:
    """A decimal as exact text (``str`` keeps its precision: "0.50"), None for no value."""
    return None if value is None else str(value)


def number_pair(declared: Decimal | None, shown: Decimal | None) -> list[str | None] | None:
    """``[declared, what the cell reads back as]`` when the cell showing ``shown`` does not give back
    ``declared`` exactly (another value, another precision, or no value); else None."""
    seen = None if shown is None else number_text(cell_decimal(float(shown)))
    declared_text = number_text(declared)
    return None if declared_text == seen else [declared_text, seen]


def stored_number(stored: Any, shown: Decimal | None) -> tuple[bool, Decimal | None]:
    """Read back a ``number_pair``: (True, the declared value) when ``stored`` is ``[declared,
    shown]`` and the cell still shows ``shown``; (False, None) when the cell changed or ``stored`` is
    not such a pair."""
    if not (isinstance(stored, list) and len(stored) == 2 and stored[1] == number_text(shown)):
        return False, None
    if stored[0] is None:
        return True, None
    if not isinstance(stored[0], str):
        return False, None
    try:
        value = Decimal(stored[0])
    except ArithmeticError:  # decimal.InvalidOperation
        return False, None
    return (True, value) if value.is_finite() else (False, None)


def digest(parts: list[str]) -> str:
    """A short fingerprint of the texts of some cells, to tell whether anyone changed them."""
    data = json.dumps(parts, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def stored_text(stored: Any, cells: list[str]) -> tuple[bool, Any]:
    """Read back a ``[value, digest]`` pair: (True, value) while ``cells`` still hold what the
    digest was made of; else (False, None)."""
    if isinstance(stored, list) and len(stored) == 2 and stored[1] == digest(cells):
        return True, stored[0]
    return False, None


def dumps(value: Any) -> str:
    """Compact JSON that a cell holds unchanged (no character Excel refuses is left raw)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return _RAW_REFUSED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def loads(text: str) -> dict[str, Any] | None:
    """The JSON object in ``text``; None when it is not one (someone typed over the cell)."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
