"""Read the scoring table of a Word (.docx) or Excel (.xlsx) file into a scorecard, with problems.

Each format has a reader that turns the file into grids, one per table (cchc.importers.docx,
cchc.importers.xlsx: rows of cells with their addresses, merges, bold and formulas, see
cchc.importers.grid); one parser then reads a grid, so every quirk is handled once: the table is the
first grid whose header row names the form's columns (cchc.importers.heading), its rows become the
scorecard's tree (cchc.importers.table). A new format is a reader and one line in READERS.

Nothing is guessed silently: every row that cannot be placed and every cell that cannot be read
becomes a problem with the cell's address (``'Bảng chấm điểm'!C14``, or "bảng 1 dòng 14 cột 3"),
and what was readable is still returned.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cchc.importers.docx import read_docx
from cchc.importers.grid import Reader
from cchc.importers.heading import find_header
from cchc.importers.table import MessagePart, read_table
from cchc.importers.xlsx import read_xlsx
from cchc.messages import render
from cchc.problems import Problem
from cchc.scorecard import model

__all__ = ["READERS", "Format", "ImportOptionError", "Imported", "import_file"]

#: Input files larger than this are refused before they are opened (a 96-row table is ~100 KB).
MAX_BYTES = 50 * 1024 * 1024
#: Refuse archives that would unpack to more than this (a "zip bomb").
MAX_UNPACKED = 300 * 1024 * 1024


@dataclass(frozen=True)
class Format:
    """A format ``cchc import`` reads: its reader, and the option that picks one of the file's tables
    (``table``: by number, Word's tables; ``sheet``: by name, a workbook's sheets)."""

    read: Reader
    picked_by: str


#: Every format ``cchc import`` reads, by file suffix in lower case. All are zip packages (Office
#: Open XML), checked for their unpacked size before they are read.
READERS: dict[str, Format] = {
    ".docx": Format(read_docx, "table"),
    ".docm": Format(read_docx, "table"),
    ".xlsx": Format(read_xlsx, "sheet"),
    ".xlsm": Format(read_xlsx, "sheet"),
}


class ImportOptionError(Exception):
    """A bad option (a table or sheet that does not exist); ``message`` is rendered."""

    def __init__(self, key: str, **args: Any) -> None:
        self.message = render(key, **args)
        super().__init__(self.message)


@dataclass
class Imported:
    """The result of an import: the scorecard (None when no table could be read) and the problems."""

    file: str
    card: model.Scorecard | None
    problems: list[Problem] = field(default_factory=list)
    #: False when the file could not be read at all (exit code 2).
    readable: bool = True
    #: Which table or sheet was read ("bảng 1", "Sheet1").
    source: str = ""
    #: Rows of the table read into the scorecard (a node's row or a row continuing one), and rows
    #: left out because they could not be placed (each also an ``import-unplaced-row``).
    placed: int = 0
    dropped: int = 0

    @property
    def mostly_dropped(self) -> bool:
        """More rows left out than read: the layout was not understood, and what was read is no
        scorecard of the table."""
        return self.dropped > self.placed


def _too_big(path: Path, name: str) -> Imported | None:
    """A problem when the file or what it unpacks to is too large to read safely."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        return Imported(
            name, None, [Problem("file-too-large", name, args={"size": size, "limit": MAX_BYTES})], readable=False
        )
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_UNPACKED:
        return Imported(
            name,
            None,
            [Problem("file-too-large", name, args={"size": unpacked, "limit": MAX_UNPACKED})],
            readable=False,
        )
    return None


def _unreadable(name: str, reason: str, **args: Any) -> Imported:
    return Imported(
        name, None, [Problem("file-unreadable", name, args={"reason": MessagePart(reason, **args)})], readable=False
    )


def import_file(
    path: str | Path,
    table: int | None = None,
    sheet: str | None = None,
    unit: str | None = None,
    year: int | None = None,
) -> Imported:
    """Read the scoring table of a file of one of the READERS' formats. Never raises for a bad file:
    every failure is a problem. Raises ImportOptionError for a ``table``/``sheet`` that does not
    exist or does not fit the file's format."""
    path = Path(path)
    name = str(path)
    suffix = path.suffix.lower()
    fmt = READERS.get(suffix)
    if fmt is None:
        return _unreadable(name, "import.reason-suffix", suffix=path.suffix or "''")
    if table is not None and fmt.picked_by != "table":
        raise ImportOptionError("err.import-table-option")
    if sheet is not None and fmt.picked_by != "sheet":
        raise ImportOptionError("err.import-sheet-option")
    try:
        if path.is_dir():
            raise IsADirectoryError(name)
        big = _too_big(path, name)
        if big is not None:
            return big
        grids = fmt.read(path)
    except FileNotFoundError:
        return _unreadable(name, "reason.not-found")
    except IsADirectoryError:
        return _unreadable(name, "reason.is-directory")
    except PermissionError:
        return _unreadable(name, "reason.permission")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, AttributeError) as exc:
        # A damaged or disguised file: python-docx/openpyxl fail with many kinds of error.
        return _unreadable(name, "import.reason-damaged", kind=suffix.lstrip(".").upper(), error=type(exc).__name__)
    if table is not None:
        if not 1 <= table <= len(grids):
            raise ImportOptionError("err.import-no-such-table", n=table, count=len(grids))
        chosen = [grids[table - 1]]
    elif sheet is not None:
        chosen = [g for g in grids if g.label == sheet]
        if not chosen:
            raise ImportOptionError(
                "err.import-no-such-sheet", name=sheet, names=", ".join(str(g.label) for g in grids)
            )
    else:
        chosen = grids
    for grid in chosen:
        if not grid.exact:
            grid.compose()
        header, missing = find_header(grid)
        if header is not None:
            read = read_table(grid, name, header, unit, year)
            return Imported(
                name, read.card, read.problems, source=str(grid.label), placed=read.placed, dropped=read.dropped
            )
        if len(chosen) == 1 and (table is not None or sheet is not None):
            labels = ", ".join(render(f"import.col-{kind}") for kind in missing)
            return Imported(
                name,
                None,
                [Problem("import-no-columns", name, args={"where": grid.label, "missing": labels})],
                readable=False,
            )
    return Imported(name, None, [Problem("import-no-table", name, args={"count": len(grids)})], readable=False)
