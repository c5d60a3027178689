"""Parse the citations of Vietnamese official documents found in evidence cells.

An evidence cell ("Tài liệu kiểm chứng") names the documents that justify a score. Officers write
them in many shapes: full symbols as Nghị định 30/2020/NĐ-CP prescribes ("Kế hoạch số
1280/KH-UBND ngày 30/12/2020 ..."), short forms ("CV 5168", "bc 1467 thực hiện khcchc"), file
names ("5540cv.PDF") and URLs. `parse_evidence` turns one cell (or one line of it) into a list of
`Citation`s. It only reads: judging a citation (impossible date, type word contradicting the
code ...) is the caller's job.

Grammar (informal; ``ws`` = spaces/tabs; type words and codes match in any case, type words also
without diacritics and with "-"/"_" between syllables: "Báo cáo", "bao cao", "Bao-cao")::

    text     = line *( NEWLINE line )
    line     = clause *( ";" clause )    ; a "." ending a word also starts a clause
                                         ;   ("... Thanh Hóa.bc 1467 ...")
    clause   = [prefix] ( file / slug / lead / prose ) *( anywhere / prose )
    prefix   = *( 1*3DIGIT ("." / ")") ws / "-" / "+" / "•" / "*" / "." )    ; "1. ", "- ", "-"

    anywhere = url
             / [type] ["số"] symbol [date]     ; "Số 1231/BC-UBND", "Thông tư 14/2014/TT-BTP"
             / type ["số"] number [date]       ; mid-line only with an upper-case code (or a
                                               ;   full word) and a number that is no year
    lead     = anywhere                        ; at clause start, without those two guards
             / 2*DIGIT ws code [date]          ; reversed: "938 BC CCHC 3.", "5540cv"
             / type ["số"] ["ngày" date]       ; numberless: "BC thực hiện KH CCHC năm"
             / 2*DIGIT                         ; bare: "500 cchc 2", inherits the type of the
                                               ;   previous clause's citation
    symbol   = number "/" [year "/"] code "-" issuer ["-" unit]  ; 1280/KH-UBND, 108/2020/NĐ-CP
             / number "/" [year "/"] code issuer                 ; 434/KHUBND (dash forgotten)
             / number "/" [year "/"] issuer ["-" unit]           ; 6923/UBND-TP (công văn)
             / number "-" code "/" issuer                        ; 809-QĐ/TU (Party documents)
                              ; up to two stray spaces around "/" and "-": "1290/BC- UBND"
    date     = [","] ["ngày" [","]] ( d "/" m "/" yyyy           ; or "." or "-" as separator
                                    / ddmmyyyy                   ; only after "ngày": 29102021
                                    / d "tháng" m "năm" yyyy )   ; only after "ngày"
    file     = a clause ending in .pdf .doc(x) .xls(x) ...; its stem is parsed as a lead
    slug     = a letter-initial word of 3+ parts joined by "-"/"_" ("BC-giam-chi-TX-2021"):
               a file name without its extension
    url      = ("http://" / "https://" / "www.") up to white space
    subject  = text after a citation up to the next citation or the end of the line

A number followed by a unit word ("6 tháng", "2 lớp", "25 người", "100%") is never a document
number. Dates are returned as written, not validated: use `is_valid_date`.

Limits: a symbol in lower case ("12/bc-ubnd") is not read; a bare number inherits a type only
from the clause just before it, so parse a whole cell, not line by line, to keep "5912 b1" after
"PA 5912"; a type word not next to its number ("Kế hoạch CCHC 1280") is taken as numberless.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

__all__ = ["Citation", "is_valid_date", "parse_evidence"]


@dataclass(frozen=True)
class Citation:
    """One document cited in an evidence cell; every field is as written unless said otherwise."""

    doc_type: str | None  # normalised type code ("KH", "QĐ", "TTr"); None if unknown
    type_word: str | None  # the type word or code as written ("Kế hoạch", "bc")
    number: str | None  # "1280", "05": leading zeros kept
    year: int | None  # the year inside the symbol (108/2020/NĐ-CP -> 2020)
    code_type: str | None  # the type code inside the symbol, normalised
    issuer: str | None  # "UBND", "TU", "CP"
    unit: str | None  # drafting unit after the second dash ("TP" in 6923/UBND-TP)
    date: tuple[int, int, int] | None  # (day, month, year), not validated
    date_text: str | None  # the date as written ("30/12/2020", "29102021")
    subject: str  # the rest of the text, trimmed
    kind: str  # "document" | "file" | "url"
    start: int  # span in the source string
    end: int


def is_valid_date(d: tuple[int, int, int]) -> bool:
    """True if (day, month, year) is a real calendar day (29/02/2021 is not)."""
    day, month, year = d
    try:
        datetime.date(year, month, day)
    except (ValueError, OverflowError):
        return False
    return True


# --------------------------------------------------------------------------- vocabulary

# Type words, by the code Nghị định 30/2020/NĐ-CP (Phụ lục III) gives them.
_WORDS: dict[str, str] = {
    "Kế hoạch": "KH",
    "Báo cáo": "BC",
    "Quyết định": "QĐ",
    "Công văn": "CV",
    "Thông báo": "TB",
    "Giấy mời": "GM",
    "Tờ trình": "TTr",
    "Hướng dẫn": "HD",
    "Đề án": "ĐA",
    "Phương án": "PA",
    "Chỉ thị": "CT",
    "Nghị quyết": "NQ",
    "Biên bản": "BB",
    "Kết luận": "KL",
    "Nghị định": "NĐ",
    "Thông tư": "TT",
    "Thông tư liên tịch": "TTLT",
    "Quy chế": "QC",
    "Chương trình": "CTr",
}

# Codes accepted before a number ("CV 5168") and as the type of a citation. Spellings match in any
# case; "QD"/"ND" are the same codes typed without Đ. "DA" is not "ĐA": DA is dự án.
_CODES: dict[str, tuple[str, ...]] = {
    "KH": ("KH",), "BC": ("BC",), "QĐ": ("QĐ", "QD"), "TB": ("TB",), "GM": ("GM",),
    "TTr": ("TTr",), "HD": ("HD",), "ĐA": ("ĐA",), "PA": ("PA",), "CT": ("CT",),
    "NQ": ("NQ",), "BB": ("BB",), "CV": ("CV",), "KL": ("KL",), "NĐ": ("NĐ", "ND"),
    "TT": ("TT",), "QC": ("QC",), "CTr": ("CTr",),
}

# Further codes that only appear inside a symbol (12/HĐ-UBND): knowing them keeps the parser from
# reading the code as an issuer. Too ambiguous as short forms ("TC" is tiêu chí in this domain).
_SYMBOL_ONLY_CODES: dict[str, tuple[str, ...]] = {
    "TTLT": ("TTLT",), "QyĐ": ("QyĐ",), "TC": ("TC",), "DA": ("DA",), "HĐ": ("HĐ",),
    "CĐ": ("CĐ",), "GN": ("GN",), "TTh": ("TTh",), "GUQ": ("GUQ",), "GGT": ("GGT",),
    "GNP": ("GNP",), "PG": ("PG",), "PC": ("PC",), "PB": ("PB",),
}

# Issuers a code may be glued to when the dash is forgotten (434/KHUBND). A closed list, because
# splitting any token would break issuers such as "BCĐ" (ban chỉ đạo) or "HĐND".
_GLUE_ISSUERS = ("UBND", "HĐND", "UBMTTQ", "TU", "HU", "ĐU", "CP", "TTg", "VP")

# Codes too common as other abbreviations (trung tâm, công ty) to stand without a number.
_NEEDS_NUMBER = {"TT", "CT"}
# Codes that are also Vietnamese words ("đa" = many): without a number they must be upper-case.
_UPPER_IF_NUMBERLESS = {"ĐA", "NĐ"}

_FILE_EXTS = ("pdf", "docx", "doc", "xlsx", "xls", "pptx", "ppt", "odt", "ods", "rtf", "txt",
              "jpg", "jpeg", "png", "zip", "rar")

# Words that make a number a quantity, not a document number ("báo cáo 6 tháng", "mở 2 lớp").
_UNIT_WORDS = ("tháng", "quý", "tuần", "lớp", "người", "lượt", "lần", "điểm", "buổi",
               "cuộc", "bước", "nhiệm vụ", "phút", "giờ")


def _fold(s: str) -> str:
    """Strip diacritics and lower-case: 'Quyết Định' -> 'quyet dinh'."""
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return s.replace("đ", "d").replace("Đ", "D").lower()


# Every precomposed Latin letter, grouped by its bare vowel (or d), so that a type word matches
# with or without diacritics, or with the wrong ones ("cong văn", "Bao cao").
_VARIANTS: dict[str, str] = {}
for _cp in range(0x00C0, 0x1F00):
    _ch = chr(_cp)
    if _ch.islower() and _fold(_ch) in ("a", "e", "i", "o", "u", "y", "d"):
        _VARIANTS[_fold(_ch)] = _VARIANTS.get(_fold(_ch), "") + _ch
_COMBINING = "[\u0300-\u036f]*"  # decomposed (NFD) input carries its marks as separate characters


def _loose(word: str) -> str:
    """Regex for `word` ignoring diacritics; a space also matches '-', '_' or several spaces."""
    out = []
    for ch in word:
        base = _fold(ch)
        if ch == " ":
            out.append(r"[\s_-]++")
        elif base in _VARIANTS:
            out.append(f"[{base}{_VARIANTS[base]}]{_COMBINING}")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _alternation(spellings: list[str]) -> str:
    """Longest first, so that 'TTr' wins over 'TT' and 'TTLT' over both."""
    return "|".join(sorted(spellings, key=len, reverse=True))


_CODE_OF: dict[str, str] = {}  # upper-cased spelling -> canonical code
for _table in (_CODES, _SYMBOL_ONLY_CODES):
    for _code, _spellings in _table.items():
        for _sp in _spellings:
            _CODE_OF[_sp.upper()] = _code
_WORD_OF = {re.sub(r"[\s_-]+", "", _fold(w)): c for w, c in _WORDS.items()}

_WORD_RX = _alternation([_loose(w) for w in _WORDS])
_CODE_RX = _alternation([re.escape(s) for sps in _CODES.values() for s in sps])
_SYMCODE_RX = "(?i:" + _alternation(
    [re.escape(s) for t in (_CODES, _SYMBOL_ONLY_CODES) for sps in t.values() for s in sps]) + ")"

# A type word or code; it must not sit inside a longer word ("TBKL", "khcchc", "BCĐ").
_TYPE = rf"(?<!\w)(?P<type>(?i:{_WORD_RX}|{_CODE_RX}))(?![^\W\d_])"
_SO = rf"(?P<so>(?i:{_loose('số')}))(?![^\W\d_])[ \t]*+:?"  # "số", "Số:", "so"
_SP = r"[ \t]{0,2}"  # stray spaces tolerated around "/" and "-" in a symbol
# Issuer and unit: upper-case letters and digits; one lower-case letter allows "TTg".
_ISSUER = r"[A-ZĐ][A-ZĐ0-9]*(?:[a-z][A-ZĐ0-9]*)?"
_NUM_END = r"(?![\w/]|[.,]\d)"  # a number ends at a non-word character, never "12/" or "3,4"
_UNIT_GUARD = rf"(?![ \t]*+(?i:{_alternation([_loose(u) for u in _UNIT_WORDS])}|%)(?![^\W\d_]))"
_NOT_YEAR = r"(?!(?:19|20)\d\d(?!\d))"  # weak forms never take a year for a number
# "ngày"/"năm" are units only when no date or year follows ("trong 5 ngày", not "KH 192 ngày 12/3").
_UNIT_GUARD_DAY = (rf"(?![ \t]*+(?i:{_loose('ngày')}|{_loose('năm')})(?![^\W\d_])"
                   r"(?![ \t]*+[,:]?[ \t]*+\d))")

_STATE_SYMBOL = (
    # The number may be left blank after "số" in a draft ("Báo cáo số     /BC-UBND").
    rf"(?:(?P<num>\d{{1,6}})|(?(so)(?=[ \t]*+/)|(?!)))"
    rf"{_SP}/{_SP}(?:(?P<year>(?:19|20)\d\d){_SP}/{_SP})?"
    rf"(?:(?P<code>{_SYMCODE_RX}){_SP}-{_SP}(?P<issuer>{_ISSUER})"
    rf"|(?P<gcode>{_SYMCODE_RX})(?P<gissuer>{'|'.join(_GLUE_ISSUERS)})"
    rf"|(?P<cissuer>{_ISSUER}))"
    rf"(?:{_SP}-{_SP}(?P<unit>{_ISSUER}))?(?!\w)"
)
_PARTY_SYMBOL = (rf"(?P<pnum>\d{{1,6}}){_SP}-{_SP}(?P<pcode>{_SYMCODE_RX}){_SP}/{_SP}"
                 rf"(?P<pissuer>{_ISSUER})(?!\w)")

# [type] [số] symbol: a full symbol is a citation wherever it stands.
_SYMBOL_HEAD = re.compile(
    rf"(?:{_TYPE}[ \t]*+:?[ \t]*+)?(?:{_SO}[ \t]*+)?(?<![\w/])(?:{_STATE_SYMBOL}|{_PARTY_SYMBOL})")
# type [số] number: "CV 5168", "Báo cáo số 12", "KH 192".
_SHORT_HEAD = re.compile(rf"{_TYPE}[ \t]*+:?[ \t]*+(?:{_SO}[ \t]*+)?"
                         rf"(?P<num>\d{{1,6}}){_NUM_END}{_UNIT_GUARD}{_UNIT_GUARD_DAY}")
# number type: "938 BC CCHC 3.", "5540cv", "151qd".
_REVERSED_HEAD = re.compile(
    rf"{_NOT_YEAR}(?P<num>\d{{2,6}})[ \t]*+(?P<type>(?i:{_WORD_RX}|{_CODE_RX}))(?![^\W\d_])")
# type with no number: "BC thực hiện KH CCHC năm", "tb xếp hạng", "Bao cao ket qua".
# A number after it is a quantity ("Báo cáo 6 tháng"): the short form refused it; a broken symbol is
# refused here too, so that "bc 12/bc-ubnd" is reported as unreadable rather than as numberless.
_NUMBERLESS_HEAD = re.compile(rf"{_TYPE}(?:[ \t]*+{_SO})?+(?![ \t]*+[:.]?[ \t]*+\d*+[ \t]*+/)")
# a bare number continuing a list: "bc 175 cchc 1; 500 cchc 2".
_BARE_HEAD = re.compile(rf"{_NOT_YEAR}(?P<num>\d{{2,6}}){_NUM_END}{_UNIT_GUARD}{_UNIT_GUARD_DAY}")

_DATE_AFTER = re.compile(
    rf"[ \t]*+,?[ \t]*+(?:(?P<ngay>(?i:{_loose('ngày')}))(?![^\W\d_])[ \t]*+[,:]?[ \t]*+)?"
    r"(?P<text>(?P<d>\d{1,2})[ \t]?(?P<sep>[/.-])[ \t]?(?P<m>\d{1,2})[ \t]?(?P=sep)[ \t]?"
    r"(?P<y>\d{4})"
    r"|(?P<cd>\d{2})(?P<cm>\d{2})(?P<cy>\d{4})"
    rf"|(?P<wd>\d{{1,2}})[ \t]+(?i:{_loose('tháng')})[ \t]+(?P<wm>\d{{1,2}})[ \t]+"
    rf"(?i:{_loose('năm')})[ \t]+(?P<wy>\d{{4}}))(?!\d)"
)

_URL = re.compile(r"(?i:https?://|www\.)[^\s<>\"]+")
_PREFIX = re.compile(r"(?>[ \t]++|\d{1,3}[.)][ \t]++|[-–—+•*·.][ \t]*+)*+")
_CLAUSE_BREAK = re.compile(
    # ";" always; "." only after a word and before another, and not before a file extension.
    rf";|(?<=[^\W\d_]{{2}})\.(?=[ \t]*+[^\W\d_])(?!(?i:{'|'.join(_FILE_EXTS)})(?!\w))")
_FILE = re.compile(rf"(?P<stem>.+?)\.(?P<ext>(?i:{'|'.join(_FILE_EXTS)}))[ \t.,;]*$")
_SLUG = re.compile(r"[^\W\d_][^\W_]*(?:[-_][^\W_]+){2,}[ \t.,;]*$")
_SLUG_TYPE = re.compile(rf"(?P<type>(?i:{_WORD_RX}|{_CODE_RX}))(?=[-_])")
_TRIM = " \t,;:.…-–—"
_DIGIT = re.compile(r"\d")


# --------------------------------------------------------------------------- parsing


@dataclass
class _Head:
    """A citation found in a line before its subject is known; positions are line offsets."""

    start: int
    end: int
    kind: str = "document"
    type_word: str | None = None
    doc_type: str | None = None
    number: str | None = None
    year: int | None = None
    code_type: str | None = None
    issuer: str | None = None
    unit: str | None = None
    date: tuple[int, int, int] | None = None
    date_text: str | None = None
    subject: tuple[int, int] | None = None  # fixed subject span (files), else computed later


def _canonical_type(written: str) -> str | None:
    """'Báo cáo' / 'bc' / 'QD' -> 'BC' / 'BC' / 'QĐ'."""
    code = _CODE_OF.get(written.upper())
    return code if code else _WORD_OF.get(re.sub(r"[\s_-]+", "", _fold(written)))


def _head_from(m: re.Match[str]) -> _Head:
    """Build a head from a match of any of the head regexes (their group names are shared)."""
    groups = m.groupdict()
    h = _Head(m.start(), m.end())
    if groups.get("type"):
        h.type_word = groups["type"]
        h.doc_type = _canonical_type(h.type_word)
    h.number = groups.get("num") or groups.get("pnum")
    if groups.get("year"):
        h.year = int(groups["year"])
    code = groups.get("code") or groups.get("gcode") or groups.get("pcode")
    h.code_type = _CODE_OF.get(code.upper()) if code else None
    h.issuer = (groups.get("issuer") or groups.get("gissuer") or groups.get("cissuer")
                or groups.get("pissuer"))
    h.unit = groups.get("unit")
    if h.doc_type is None:
        # A symbol without a type code is a công văn (Nghị định 30/2020/NĐ-CP), unless it carries
        # a year: then it is a law or ordinance (15/2012/QH13), whose type the symbol does not say.
        h.doc_type = h.code_type or ("CV" if groups.get("cissuer") and not h.year else None)
    return h


def _attach_date(line: str, h: _Head, end: int, need_ngay: bool = False) -> None:
    """Extend `h` over a date written right after it, if any."""
    m = _DATE_AFTER.match(line, h.end, end)
    if not m:
        return
    if not m.group("ngay") and (need_ngay or not m.group("d")):
        return  # compact and "tháng ... năm" dates are only trusted after "ngày"
    if m.group("d"):
        h.date = (int(m.group("d")), int(m.group("m")), int(m.group("y")))
    elif m.group("cd"):
        h.date = (int(m.group("cd")), int(m.group("cm")), int(m.group("cy")))
    else:
        h.date = (int(m.group("wd")), int(m.group("wm")), int(m.group("wy")))
    h.date_text = m.group("text")
    h.end = m.end()


def _lead_head(line: str, pos: int, end: int, prev_type: str | None) -> _Head | None:
    """The citation that opens a clause at `pos`, trying the strongest shapes first."""
    for rx in (_SYMBOL_HEAD, _SHORT_HEAD, _REVERSED_HEAD):
        m = rx.match(line, pos, end)
        if m:
            h = _head_from(m)
            _attach_date(line, h, end)
            return h
    m = _NUMBERLESS_HEAD.match(line, pos, end)
    if m:
        written, code = m.group("type"), _canonical_type(m.group("type"))
        is_code = written.upper() in _CODE_OF
        if not is_code or (code not in _NEEDS_NUMBER
                           and (code not in _UPPER_IF_NUMBERLESS or written.isupper())):
            h = _head_from(m)
            _attach_date(line, h, end, need_ngay=True)
            return h
    m = _BARE_HEAD.match(line, pos, end)
    if m and prev_type:
        h = _head_from(m)
        h.doc_type = prev_type  # the list's type carries over; type_word stays None: not written
        _attach_date(line, h, end)
        return h
    return None


def _midline_ok(m: re.Match[str]) -> bool:
    """A short form inside prose needs an upper-case code (or a full word) and a non-year number."""
    written, number = m.group("type"), m.group("num")
    if written.upper() in _CODE_OF and not written[0].isupper():
        return False  # "tối đa 3": lower-case codes are words inside prose
    return not re.fullmatch(r"(?:19|20)\d\d", number)  # "KH 1095 KH 2022": a plan *for* 2022


def _file_head(line: str, pos: int, end: int) -> _Head | None:
    """A clause that is a file name (with extension) or a slug: one citation of kind 'file'."""
    m = _FILE.fullmatch(line, pos, end)
    if m:
        stem_end = m.end("stem")
        h = _lead_head(line, pos, stem_end, None) or _Head(pos, pos)
        h.kind, h.subject = "file", (h.end, stem_end)
        h.start, h.end = pos, m.end("ext")
        return h
    m = _SLUG.fullmatch(line, pos, end)
    if m:
        slug_end = len(line[:end].rstrip(" \t.,;"))
        t = _SLUG_TYPE.match(line, pos, slug_end)
        h = _Head(pos, slug_end, kind="file", subject=(t.end() if t else pos, slug_end))
        if t:
            h.type_word, h.doc_type = t.group("type"), _canonical_type(t.group("type"))
        return h
    return None


def _clauses(line: str, urls: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Clause spans of a line; a ';' or '.' inside a URL does not break it."""
    cuts = [m for m in _CLAUSE_BREAK.finditer(line)
            if not any(a <= m.start() < b for a, b in urls)]
    bounds = [0] + [c for m in cuts for c in (m.start(), m.end())] + [len(line)]
    return list(zip(bounds[::2], bounds[1::2]))


def _url_spans(line: str) -> list[tuple[int, int]]:
    """URL spans, without the punctuation or unmatched ')' that ends the surrounding sentence."""
    spans = []
    for m in _URL.finditer(line):
        url = m.group().rstrip(".,;:")
        while url.endswith(")") and url.count(")") > url.count("("):
            url = url[:-1].rstrip(".,;:")
        spans.append((m.start(), m.start() + len(url)))
    return spans


def _clause_heads(line: str, cs: int, ce: int, urls: list[tuple[int, int]],
                  prev_type: str | None) -> list[_Head]:
    """All citations that start inside one clause."""
    lead = _PREFIX.match(line, cs, ce).end()  # type: ignore[union-attr]  # matches empty
    inside = [(a, b) for a, b in urls if cs <= a < ce]
    if not inside:
        whole = _file_head(line, lead, ce)
        if whole:
            return [whole]
    found = [_Head(a, b, kind="url") for a, b in inside]
    head = _lead_head(line, lead, ce, prev_type)
    if head:
        found.append(head)
    # Scanning every position with the big head patterns is the parser's main cost; a symbol
    # needs a "/" and a short form a digit, so clauses without them skip the scan.
    clause = line[lead:ce]
    symbols = _SYMBOL_HEAD.finditer(line, lead, ce) if "/" in clause else ()
    for m in symbols:
        h = _head_from(m)
        _attach_date(line, h, len(line))
        found.append(h)
    shorts = _SHORT_HEAD.finditer(line, lead, ce) if _DIGIT.search(clause) else ()
    for m in shorts:
        if _midline_ok(m):
            h = _head_from(m)
            _attach_date(line, h, len(line))
            found.append(h)
    # Keep the leftmost, then longest, of overlapping readings ("QĐ 809-QĐ/TU" over "QĐ 809").
    found.sort(key=lambda h: (h.start, -h.end))
    kept: list[_Head] = []
    for h in found:
        if not kept or h.start >= kept[-1].end:  # kept is sorted and disjoint: check the last only
            kept.append(h)
    return kept


def _trimmed(line: str, a: int, b: int) -> tuple[int, int]:
    """Shrink [a, b) past surrounding punctuation, and a ')' that closes nothing."""
    while True:
        while a < b and line[a] in _TRIM:
            a += 1
        while b > a and line[b - 1] in _TRIM:
            b -= 1
        text = line[a:b]
        if text.endswith(")") and text.count(")") > text.count("("):
            b -= 1
        elif text.startswith("(") and text.count("(") > text.count(")"):
            a += 1
        else:
            return a, b


def parse_evidence(text: str) -> list[Citation]:
    """All citations in one evidence cell or line, in order of appearance."""
    out: list[Citation] = []
    prev_type: str | None = None  # type of the previous non-blank clause's last citation
    for lm in re.finditer(r"[^\r\n]+", text):
        found, prev_type = _parse_line(lm.group(), prev_type)
        base = lm.start()
        out.extend(replace(c, start=c.start + base, end=c.end + base) if base else c for c in found)
    return out


@lru_cache(maxsize=8192)
def _parse_line(line: str, prev_type: str | None) -> tuple[tuple[Citation, ...], str | None]:
    """The citations of one line (offsets within the line) and the type a bare number would inherit.

    Cached: real tables cite the same lines again and again ("bc 1467 thực hiện khcchc" stands
    under dozens of criteria), and the result depends only on the line and the inherited type.
    """
    urls = _url_spans(line)
    heads: list[_Head] = []
    for cs, ce in _clauses(line, urls):
        found = _clause_heads(line, cs, ce, urls, prev_type)
        if line[cs:ce].strip(_TRIM):
            prev_type = found[-1].doc_type if found else None
        heads.extend(found)
    out = []
    for i, h in enumerate(heads):
        # The subject runs to the next citation of the line (across ";": "...; kiểm điểm ...").
        stop = heads[i + 1].start if i + 1 < len(heads) else len(line)
        sa, sb = _trimmed(line, *(h.subject or (h.end, stop)))
        out.append(Citation(
            doc_type=h.doc_type, type_word=h.type_word, number=h.number, year=h.year,
            code_type=h.code_type, issuer=h.issuer, unit=h.unit, date=h.date,
            date_text=h.date_text, subject=line[sa:sb], kind=h.kind,
            start=h.start, end=max(h.end, sb) if sb > sa else h.end))
    return tuple(out), prev_type
