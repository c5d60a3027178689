"""Where the scoring table is in a grid and what stands above it: the header row naming the form's
columns, and the title, report, unit and year in the lines above the table.

Headers are compared folded (accents, case and punctuation do not matter) and in the usual
variants: TT/STT, Tên TC/TCTP/Tiêu chí/Nội dung, Điểm chuẩn/Điểm tối đa, Điểm tự đánh giá/Tự chấm,
Tài liệu kiểm chứng; optional Ghi chú, and the council's columns: Điểm thẩm định (round 1), Điểm
thẩm định lần 2 / sau giải trình (round 2), Ý kiến thẩm định / Lý do (that round's note), Giải trình
(the unit's reply; with no council's column it is the unit's note), and the export's own "Ý kiến thẩm
định / Giải trình". A header split over two rows ("Điểm" above "Chuẩn" and "Tự đánh giá") is read too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cchc.importers.grid import Grid
from cchc.scorecard.model import FIRST_YEAR, LAST_YEAR
from cchc.text import fold
from cchc.xlsx import layout

__all__ = ["APPRAISAL_KINDS", "REQUIRED", "Header", "TopInfo", "column_kind", "find_header", "folded_words", "read_top"]

#: The columns a table must have to be the scoring table.
REQUIRED = ("name", "max", "score")
#: Rows from the top of a table searched for its header row.
HEADER_SCAN = 30


def folded_words(text: str) -> str:
    """Folded words separated by single spaces: what headers and keywords are compared by."""
    return re.sub(r"[^a-z0-9]+", " ", fold(text)).strip()


#: The council's columns (see column_kind): points of rounds 1 and 2, notes of rounds 1 and 2, the
#: unit's reply, and the export's column holding them all.
APPRAISAL_KINDS = ("appraised", "appraised2", "appraisal-note", "appraisal-note2", "reply", "appraisal")


def _second_round(k: str) -> bool:
    return "lan 2" in k or "sau giai trinh" in k or "vong 2" in k


def column_kind(label: str) -> str | None:
    """Which column of the form a header names, or None."""
    k = folded_words(label)
    if not k:
        return None
    if "y kien" in k and "giai trinh" in k:
        return "appraisal"
    if "y kien" in k or k.startswith("ly do") or " ly do" in k:
        return "appraisal-note2" if _second_round(k) else "appraisal-note"
    if "tham dinh" in k or ("diem" in k and "sau giai trinh" in k):
        return "appraised2" if _second_round(k) else "appraised"
    if "tu danh gia" in k or "tu cham" in k:
        return "score"
    if "diem chuan" in k or "toi da" in k:
        return "max"
    if "kiem chung" in k or k.startswith("tai lieu"):
        return "evidence"
    if "ghi chu" in k:
        return "note"
    if "giai trinh" in k:
        return "reply"
    if k in ("tt", "stt", "so tt", "so thu tu", "thu tu"):
        return "tt"
    if "tieu chi" in k or "noi dung" in k or k.startswith("ten") or "linh vuc" in k:
        return "name"
    return None


@dataclass
class Header:
    """Where the form's columns are: kind -> 0-based column; extra note columns; first data row."""

    columns: dict[str, int]
    notes: list[tuple[int, str, str]]  # (column, kind, header text) of the unit's note columns
    first_row: int  # 0-based
    header_rows: tuple[int, ...]


def _classify(labels: list[str], header_rows: tuple[int, ...]) -> Header:
    columns: dict[str, int] = {}
    notes: list[tuple[int, str, str]] = []
    for c, label in enumerate(labels):
        kind = column_kind(label)
        if kind is None or kind in columns:
            continue
        columns[kind] = c
    if "reply" in columns and not any(kind in columns for kind in APPRAISAL_KINDS if kind != "reply"):
        # No council's column: a "Giải trình" is the unit's own explanation, a note.
        columns["explanation"] = columns.pop("reply")
    for kind in ("note", "explanation"):
        if kind in columns:
            notes.append((columns[kind], kind, " ".join(labels[columns[kind]].split())))
    notes.sort()
    return Header(columns, notes, header_rows[-1] + 1, header_rows)


def find_header(grid: Grid) -> tuple[Header | None, list[str]]:
    """The header row (or pair of rows) naming the form's columns; else None and the columns missing
    from the row that came closest."""
    best: list[str] = list(REQUIRED)
    for r in range(min(len(grid.rows), HEADER_SCAN)):
        single = [cell.text for cell in grid.rows[r]]
        header = _classify(single, (r,))
        missing = [k for k in REQUIRED if k not in header.columns]
        if not missing:
            return header, []
        if len(missing) < len(best):
            best = missing
        if r + 1 < len(grid.rows):
            below = [cell.text for cell in grid.rows[r + 1]]
            pair = [a if a == b or not b.strip() else f"{a} {b}" for a, b in zip(single, below, strict=False)]
            header = _classify(pair, (r, r + 1))
            if not [k for k in REQUIRED if k not in header.columns]:
                return header, []
    return None, best


# --- what stands above the table ------------------------------------------------------------------


@dataclass
class TopInfo:
    """The table's title, unit, report and year as read from the lines above it."""

    title: str | None = None
    unit: str | None = None
    report: str | None = None
    year: int | None = None


def _year(lines: list[str]) -> int | None:
    """The first "năm 2021" in the lines, the title's first."""
    for line in lines:
        for found in re.finditer(r"\bnam\s+(\d{4})\b", fold(line)):
            if FIRST_YEAR <= int(found.group(1)) <= LAST_YEAR:
                return int(found.group(1))
    return None


def read_top(lines: list[str], exact: bool) -> TopInfo:
    """Title ("BẢNG TỔNG HỢP ... NĂM 2021"), report and unit ("(ban hành kèm theo ... của ...)",
    "Đơn vị: ..."), year ("năm 2021") from the lines above the table. ``exact``: the title rows
    ``cchc export`` wrote, read back as it wrote them."""
    info = TopInfo(year=_year(lines))
    if exact:
        info.title, info.report, info.unit = layout.read_title_lines(lines)
        return info
    for line in lines:
        k = folded_words(line)
        if "cham diem" in k or "chi so cai cach" in k or k.startswith("bang "):
            info.title = " ".join(line.split())
            break
    joined = "\n".join(lines)
    folded = fold(joined, keep_length=True)  # positions found in it are cut from ``joined``
    attached = re.search(r"\(?[ \t]*(?:ban hanh[ \t]+)?kem theo[ \t]+", folded)
    if attached:
        start = attached.end()
        end = folded.find(")", start) if folded[attached.start()] == "(" else -1
        if end == -1:
            end = folded.find("\n", start)
            end = len(folded) if end == -1 else end
        segment, fsegment = joined[start:end], folded[start:end]
        # The unit comes after the last "của": a report's own words may hold one, a unit's rarely do.
        cut = list(re.finditer(r"\s+cua\s+", fsegment))
        report = segment[: cut[-1].start()] if cut else segment
        info.report = " ".join(report.split()) or None
        if cut:
            info.unit = " ".join(segment[cut[-1].end() :].split()) or None
    if info.unit is None:
        unit = re.search(r"(?m)^[ \t]*(?:don vi|co quan)[ \t]*:[ \t]*", folded)
        if unit:
            end = folded.find("\n", unit.end())
            info.unit = " ".join(joined[unit.end() : end if end != -1 else len(joined)].split()) or None
    if info.unit is None:
        info.unit = _bare_unit(lines, info.title)
    return info


# What a unit's name starts with, folded: "UBND huyện Quảng Xương", "Sở Nội vụ", "Văn phòng UBND tỉnh".
_UNIT_START = re.compile(
    r"(?:ubnd|uy ban nhan dan|so|van phong|thanh tra|phong|chi cuc|cuc|ban quan ly|"
    r"ban dan toc)\b"
)
# The national motto printed beside the unit in a document's header block.
_MOTTO = re.compile(r"\s+(?:cong hoa xa hoi chu nghia|doc lap\b)")


def _bare_unit(lines: list[str], title: str | None) -> str | None:
    """A line that is nothing but a unit's name ("UBND huyện Quảng Xương" under the title, or the
    header block's "UBND HUYỆN QUẢNG XƯƠNG" above it); lines under the title first."""
    cleaned = [" ".join(line.split()) for line in lines]
    at = cleaned.index(title) + 1 if title is not None and title in cleaned else 0
    for line in cleaned[at:] + cleaned[:at]:
        folded = fold(line, keep_length=True)
        motto = _MOTTO.search(folded)
        if motto is not None:
            line, folded = line[: motto.start()], folded[: motto.start()]
        if not _UNIT_START.match(folded) or re.search(r"[0-9:()/]|kem theo", folded) or len(line.split()) > 12:
            continue
        return line.strip() or None
    return None
