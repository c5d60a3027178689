"""What ``cchc export`` hides in its workbook so that ``cchc import`` gives back the same scorecard.

The form cannot show everything a scorecard holds: a field's title is printed in capitals, its id
not at all, a declared total is replaced by a live SUM, 0,50 is the number 0.5, ``level`` has no
cell, characters Excel refuses are removed. So the export also writes, out of sight and out of
print:

- a very hidden sheet ``cchc`` whose cell A1 (continued in A2, A3, … when long) holds the top-level
  fields as JSON: ``{"cchc": 1, "unit", "year", "level", "title", "report", "max", "score", "lines"}``;
- a hidden column after "Ghi chú", headed ``cchc``, holding on each node's first row a JSON object
  with the node's ``id`` and only what its visible cells do not give back exactly: ``title``,
  ``tt``, ``note``, ``evidence`` (each as ``[value, check]``), ``max``, ``score`` (as
  ``[declared, shown]``) and the flags ``survey``/``split_unknown`` when true.

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
from typing import Any

__all__ = ["HEADER", "SHEET", "VERSION", "cell_decimal", "digest", "dumps", "loads", "name_prefix",
           "number_pair", "number_text"]

#: The very hidden sheet with the top-level fields, and the header of the hidden column.
SHEET = "cchc"
HEADER = "cchc"
#: Bumped when the meaning of the metadata changes; a reader ignores versions it does not know.
VERSION = 1
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


def digest(parts: list[str]) -> str:
    """A short fingerprint of the texts of some cells, to tell whether anyone changed them."""
    data = json.dumps(parts, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=8).hexdigest()


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


def name_prefix(node_id: str) -> str:
    """What the form's name column writes before the title of a criterion: "1.2. " (no id: "")."""
    if not node_id:
        return ""
    return (node_id if node_id.endswith(".") else node_id + ".") + " "
