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
import sys
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import NamedTuple, TypedDict

from cchc.text import fold as _fold  # the one accent and case fold, under its old name here

__all__ = ["BLANK", "Answers", "Citation", "is_valid_date", "parse_evidence", "parse_items"]


class Citation(NamedTuple):
    """One document cited in an evidence cell; every field is as written unless said otherwise.

    A named tuple rather than a dataclass: a card has about a thousand, and a tuple is made in one
    step and holds its fields without a dictionary of its own."""

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
    "KH": ("KH",),
    "BC": ("BC",),
    "QĐ": ("QĐ", "QD"),
    "TB": ("TB",),
    "GM": ("GM",),
    "TTr": ("TTr",),
    "HD": ("HD",),
    "ĐA": ("ĐA",),
    "PA": ("PA",),
    "CT": ("CT",),
    "NQ": ("NQ",),
    "BB": ("BB",),
    "CV": ("CV",),
    "KL": ("KL",),
    "NĐ": ("NĐ", "ND"),
    "TT": ("TT",),
    "QC": ("QC",),
    "CTr": ("CTr",),
}

# Further codes that only appear inside a symbol (12/HĐ-UBND): knowing them keeps the parser from
# reading the code as an issuer. Too ambiguous as short forms ("TC" is tiêu chí in this domain).
_SYMBOL_ONLY_CODES: dict[str, tuple[str, ...]] = {
    "TTLT": ("TTLT",),
    "QyĐ": ("QyĐ",),
    "TC": ("TC",),
    "DA": ("DA",),
    "HĐ": ("HĐ",),
    "CĐ": ("CĐ",),
    "GN": ("GN",),
    "TTh": ("TTh",),
    "GUQ": ("GUQ",),
    "GGT": ("GGT",),
    "GNP": ("GNP",),
    "PG": ("PG",),
    "PC": ("PC",),
    "PB": ("PB",),
}

# Issuers a code may be glued to when the dash is forgotten (434/KHUBND). A closed list, because
# splitting any token would break issuers such as "BCĐ" (ban chỉ đạo) or "HĐND".
_GLUE_ISSUERS = ("UBND", "HĐND", "UBMTTQ", "TU", "HU", "ĐU", "CP", "TTg", "VP")

# Codes too common as other abbreviations (trung tâm, công ty) to stand without a number.
_NEEDS_NUMBER = {"TT", "CT"}
# Codes that are also Vietnamese words ("đa" = many): without a number they must be upper-case.
_UPPER_IF_NUMBERLESS = {"ĐA", "NĐ"}

_FILE_EXTS = (
    "pdf",
    "docx",
    "doc",
    "xlsx",
    "xls",
    "pptx",
    "ppt",
    "odt",
    "ods",
    "rtf",
    "txt",
    "jpg",
    "jpeg",
    "png",
    "zip",
    "rar",
)

# Words that make a number a quantity, not a document number ("báo cáo 6 tháng", "mở 2 lớp").
_UNIT_WORDS = (
    "tháng",
    "quý",
    "tuần",
    "lớp",
    "người",
    "lượt",
    "lần",
    "điểm",
    "buổi",
    "cuộc",
    "bước",
    "nhiệm vụ",
    "phút",
    "giờ",
)


class _Regex:
    """A regex compiled at its first use. The general grammar's patterns take ~10 ms to compile: a
    command that reads no evidence, or only lines in the common forms (see the shortcuts), never
    pays it."""

    __slots__ = ("source", "_compiled")

    def __init__(self, source: str) -> None:
        self.source = source
        self._compiled: re.Pattern[str] | None = None

    def _compile(self) -> re.Pattern[str]:
        self._compiled = re.compile(self.source)
        return self._compiled

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return (self._compiled or self._compile()).match(string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return (self._compiled or self._compile()).fullmatch(string, pos, endpos)

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return (self._compiled or self._compile()).search(string, pos, endpos)

    def finditer(self, string: str) -> Iterator[re.Match[str]]:
        return (self._compiled or self._compile()).finditer(string)


# --------------------------------------------------------------------------- loose words

# Type words, "số", "ngày" and the unit words match in any case, with or without diacritics, or
# with the wrong ones ("cong văn", "Bao cao"), also decomposed (NFD: base letter, then combining
# marks). Written with a regex class of every accented form of each letter, the patterns would be
# huge and slow to compile at every start. So the patterns read copies of the line,
# folded character by character (same length, same offsets; groups are read back from the line):
#
# - the plain copy (`_PLAIN`) turns every letter a loose word may be spelt with into its lower-case
#   ASCII base letter, and every combining mark into U+0300. The type words and unit words are
#   plain regexes on it (`_plain`), looked for by `_TYPE_WORDS_AT` and `_UNITS_AT`;
# - the folded copy (`_FOLDED`) only turns the accented forms of each vowel, in either case, into
#   one of them, those of d (but d, đ and their capitals) into "ď", and the combining marks into
#   U+0300. Codes, issuers, digits and "\w" read it as they read the line, and the few loose words
#   of the head patterns ("số", "ngày") are small classes on it (`_loose`).
#
# An accented form of a vowel or d is a letter `_fold` turns into it ("Ộ", "đ"); case-insensitive
# matching in `re` also pairs "İ" and "ı" with "i", the Kelvin sign with "k", "ſ" with "s" and the
# Ångström sign with "å". And Greek iota goes with the combining marks: a quirk of that matching,
# kept (the folded copy keeps it a letter, "ι").
_REPRESENTATIVE = {"a": "à", "e": "è", "i": "ì", "o": "ò", "u": "ù", "y": "ý", "d": "ď"}


@lru_cache(maxsize=1)
def _tables() -> tuple[str, str]:
    """The translate tables of the plain and the folded copy, built when a line first needs them."""
    folded: dict[int, str] = {}
    plain: dict[int, str] = {cp: chr(cp + 32) for cp in range(ord("A"), ord("Z") + 1)}
    # Every precomposed Latin letter of U+00C0-U+1EFF lies in these two blocks.
    for cp in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        ch = chr(cp)
        base = _fold(ch) if ch.islower() else ""
        if base in _REPRESENTATIVE:
            for c in {ch, ch.upper()}:
                if len(c) == 1:
                    plain[ord(c)] = base
                    if c not in "đĐ":
                        folded[ord(c)] = _REPRESENTATIVE[base]
    plain.update({ord(c): b for c, b in {"İ": "i", "ı": "i", "\u212a": "k", "ſ": "s", "\u212b": "a"}.items()})
    folded[0x212B] = _REPRESENTATIVE["a"]  # the others already match the classes of `_loose`
    for cp in (*range(0x0300, 0x0370), 0x0399, 0x03B9, 0x1FBE):
        plain[cp] = "\u0300"
        folded[cp] = "\u0300" if cp < 0x0370 else "\u03b9"
    identity = "".join(map(chr, range(max(plain) + 1)))
    return _translation(plain, identity), _translation(folded, identity)


def _translation(mapping: dict[int, str], identity: str) -> str:
    """`mapping` as a str indexed by code point, up to the last it changes: `str.translate` reads it
    faster than a dict (and leaves any later character as it is). `identity` maps each code point
    to itself."""
    out: list[str] = []
    last = 0
    for cp in sorted(mapping):
        out += (identity[last:cp], mapping[cp])
        last = cp + 1
    return "".join(out)


# On the folded copy, inside (?i:...): a letter of a loose word, and a mark that may follow it.
_LOOSE_CLASS = {b: f"[{b}{r}]" for b, r in _REPRESENTATIVE.items()}
_LOOSE_CLASS["d"] = "(?:d|(?-i:[ďđĐ]))"  # as one class, it would take `re` ten times as long
_MARK = "(?-i:[\u0300\u03b9])"


def _loose(word: str) -> str:
    """Regex for `word` on the folded copy, to use inside (?i:...): diacritics are ignored, and a
    space also matches '-', '_' or several spaces."""
    out = []
    for ch in word:
        if ch == " ":
            out.append(r"[\s_-]++")
        elif _fold(ch) in _LOOSE_CLASS:
            out.append(f"{_LOOSE_CLASS[_fold(ch)]}{_MARK}*")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _plain(word: str) -> str:
    """Regex for `word` on the plain copy, like `_loose`."""
    out = []
    for ch in word:
        if ch == " ":
            out.append(r"[\s_-]++")
        elif _fold(ch) in _REPRESENTATIVE:
            out.append(_fold(ch) + "\u0300*")
        else:
            out.append(re.escape(ch.lower()))
    return "".join(out)


def _each(alternatives: list[str], before: str = "", or_char: str = "") -> _Regex:
    """A regex matching `before`, then empty where any of `alternatives` (`_plain` regexes, which
    start with a letter) or `or_char` starts. Each alternative that matches there is caught in a
    group of its own (a lookahead), so that one match finds them all (see `_ends`)."""
    first = "".join(sorted({a[0] for a in alternatives})) + or_char
    return _Regex(f"{before}(?=[{first}])" + "".join(f"(?:(?=({a})))?" for a in alternatives))


def _ends(m: re.Match[str] | None) -> Iterator[int]:
    """Where the words found by a match of an `_each` regex end, in the order an alternation of
    them would try: each word in turn, its longest reading first, then the shorter ones that leave
    out the combining marks it ends with."""
    if m is None or m.lastindex is None:  # no group matched
        return
    for _, end in m.regs[1:]:
        if end < 0:
            continue
        yield end
        while m.string[end - 1] == "\u0300":  # a word's last letter is never one
            end -= 1
            yield end


def _alternation(spellings: list[str]) -> str:
    """Longest first, so that 'TTr' wins over 'TT' and 'TTLT' over both."""
    return "|".join(sorted(spellings, key=len, reverse=True))


_CODE_OF: dict[str, str] = {}  # upper-cased spelling -> canonical code
for _table in (_CODES, _SYMBOL_ONLY_CODES):
    for _code, _spellings in _table.items():
        for _sp in _spellings:
            _CODE_OF[_sp.upper()] = _code
_WORD_OF = {_fold(w).replace(" ", ""): c for w, c in _WORDS.items()}  # as `_canonical_type` folds

_CODE_RX = _alternation([re.escape(s) for sps in _CODES.values() for s in sps])
_SYMCODE_RX = (
    "(?i:" + _alternation([re.escape(s) for t in (_CODES, _SYMBOL_ONLY_CODES) for sps in t.values() for s in sps]) + ")"
)

# --------------------------------------------------------------------------- patterns

# A type word or code must not sit inside a longer word ("TBKL", "khcchc", "BCĐ"): it follows no
# letter or digit (in the heads it opens: `_WORD_CHAR`) and ends a word (`_TYPE_END`, which every
# pattern matched after a type starts with). Type words and codes are looked for apart, and the
# heads try each reading in turn as the alternation `(?i:type words|codes)` would (`type_ends`):
# a type word may have several ("Thông tư", "Thông tư liên tịch"), a code only one that ends a
# word ("TT" in "TTr" does not).
_TYPE_WORD_ALTS = [_plain(w) for w in sorted(_WORDS, key=len, reverse=True)]
_TYPE_WORDS_AT = _each(_TYPE_WORD_ALTS)  # plain copy
_TYPE_CODE = _Regex(f"(?i:{_CODE_RX})")  # folded copy
# Where a symbol or short head may start with a type word or code, for `_scan`: the type, then
# spaces, ":" or "số" and a number or "/". On the plain copy, which reads codes too, if loosely,
# and "\w" and letters as the line does (but Greek iota): the heads check what it finds.
_TYPE_START = _Regex(
    rf"(?<!\w)(?:{'|'.join(_TYPE_WORD_ALTS)}|{_fold(_CODE_RX)})(?![^\W\d_])"
    rf"[ \t]*+:?[ \t]*+(?:{_plain('số')}(?![^\W\d_])[ \t]*+:?[ \t]*+)?[\d/]"
)
_WORD_CHAR = _Regex(r"\w")
_LETTER = _Regex(r"[^\W\d_]")
_TYPE_END = r"(?![^\W\d_])"
_SO = rf"(?P<so>(?i:{_loose('số')}))(?![^\W\d_])[ \t]*+:?"  # "số", "Số:", "so"
_SP = r"[ \t]{0,2}"  # stray spaces tolerated around "/" and "-" in a symbol
# Issuer and unit: upper-case letters and digits; one lower-case letter allows "TTg". ("Đ" is a
# branch of its own: in one class with two ranges, it takes `re` ten times as long to build.)
_UPPER = "(?:[A-Z0-9]|(?-i:Đ))"
_ISSUER = rf"(?:[A-Z]|(?-i:Đ)){_UPPER}*(?:[a-z]{_UPPER}*)?"
_NUM_END = r"(?![\w/]|[.,]\d)"  # a number ends at a non-word character, never "12/" or "3,4"
# A number followed by a unit word or "%" is a quantity ("6 tháng", "2 lớp", "100%"), not a
# document number: see `_quantity`.
_UNITS_AT = _each([_plain(u) for u in sorted(_UNIT_WORDS, key=len, reverse=True)], r"[ \t]*+", "%")  # plain copy
_NOT_YEAR = r"(?!(?:19|20)\d\d(?!\d))"  # weak forms never take a year for a number
# "ngày"/"năm" are units only when no date or year follows ("trong 5 ngày", not "KH 192 ngày 12/3").
_UNIT_GUARD_DAY = (
    rf"(?![ \t]*+(?i:{_loose('ngày')}|{_loose('năm')})(?![^\W\d_])"
    r"(?![ \t]*+[,:]?[ \t]*+\d))"
)

_STATE_SYMBOL = (
    # The number may be left blank after "số" in a draft ("Báo cáo số     /BC-UBND").
    rf"(?:(?P<num>\d{{1,6}})|(?(so)(?=[ \t]*+/)|(?!)))"
    rf"{_SP}/{_SP}(?:(?P<year>(?:19|20)\d\d){_SP}/{_SP})?"
    rf"(?:(?P<code>{_SYMCODE_RX}){_SP}-{_SP}(?P<issuer>{_ISSUER})"
    rf"|(?P<gcode>{_SYMCODE_RX})(?P<gissuer>{'|'.join(_GLUE_ISSUERS)})"
    rf"|(?P<cissuer>{_ISSUER}))"
    rf"(?:{_SP}-{_SP}(?P<unit>{_ISSUER}))?(?!\w)"
)
_PARTY_SYMBOL = (
    rf"(?P<pnum>\d{{1,6}}){_SP}-{_SP}(?P<pcode>{_SYMCODE_RX}){_SP}/{_SP}"
    rf"(?P<pissuer>{_ISSUER})(?!\w)"
)

# The heads, on the folded copy, split where a type word stands.
# [type] [số] symbol: a full symbol is a citation wherever it stands.
_SYMBOL_HEAD = _Regex(rf"(?:{_SO}[ \t]*+)?(?<![\w/])(?:{_STATE_SYMBOL}|{_PARTY_SYMBOL})")
_TYPE_SEPARATOR = _Regex(rf"{_TYPE_END}[ \t]*+:?[ \t]*+")  # then _SYMBOL_HEAD
# type [số] number: "CV 5168", "Báo cáo số 12", "KH 192"; not a quantity.
_SHORT_AFTER_TYPE = _Regex(
    rf"{_TYPE_END}[ \t]*+:?[ \t]*+(?:{_SO}[ \t]*+)?"
    rf"(?P<num>\d{{1,6}}){_NUM_END}{_UNIT_GUARD_DAY}"
)
# number type: "938 BC CCHC 3.", "5540cv", "151qd".
_REVERSED_NUMBER = _Regex(rf"{_NOT_YEAR}(?P<num>\d{{2,6}})[ \t]*+")
_REVERSED_AFTER_TYPE = _Regex(_TYPE_END)
# type with no number: "BC thực hiện KH CCHC năm", "tb xếp hạng", "Bao cao ket qua".
# A number after it is a quantity ("Báo cáo 6 tháng"): the short form refused it; a broken symbol is
# refused here too, so that "bc 12/bc-ubnd" is reported as unreadable rather than as numberless.
_NUMBERLESS_AFTER_TYPE = _Regex(rf"{_TYPE_END}(?:[ \t]*+{_SO})?+(?![ \t]*+[:.]?[ \t]*+\d*+[ \t]*+/)")
# a bare number continuing a list: "bc 175 cchc 1; 500 cchc 2"; not a quantity.
_BARE_HEAD = _Regex(rf"{_NOT_YEAR}(?P<num>\d{{2,6}}){_NUM_END}{_UNIT_GUARD_DAY}")
# a type word opening a slug: "BC-giam-chi-TX-2021".
_SLUG_AFTER_TYPE = _Regex(r"(?=[-_])")

_DATE_AFTER = _Regex(  # folded copy
    rf"[ \t]*+,?[ \t]*+(?:(?P<ngay>(?i:{_loose('ngày')}))(?![^\W\d_])[ \t]*+[,:]?[ \t]*+)?"
    r"(?P<text>(?P<d>\d{1,2})[ \t]?(?P<sep>[/.-])[ \t]?(?P<m>\d{1,2})[ \t]?(?P=sep)[ \t]?"
    r"(?P<y>\d{4})"
    r"|(?P<cd>\d{2})(?P<cm>\d{2})(?P<cy>\d{4})"
    rf"|(?P<wd>\d{{1,2}})[ \t]+(?i:{_loose('tháng')})[ \t]+(?P<wm>\d{{1,2}})[ \t]+"
    rf"(?i:{_loose('năm')})[ \t]+(?P<wy>\d{{4}}))(?!\d)"
)

# These read the line itself.
_URL = _Regex(r"(?i:https?://|www\.)[^\s<>\"]+")
_PREFIX = _Regex(r"(?>[ \t]++|\d{1,3}[.)][ \t]++|[-–—+•*·.][ \t]*+)*+")
_CLAUSE_BREAK = _Regex(
    # ";" always; "." only after a word and before another, and not before a file extension.
    rf";|(?<=[^\W\d_]{{2}})\.(?=[ \t]*+[^\W\d_])(?!(?i:{'|'.join(_FILE_EXTS)})(?!\w))"
)
_FILE = _Regex(rf"(?P<stem>.+?)\.(?P<ext>(?i:{'|'.join(_FILE_EXTS)}))[ \t.,;]*$")
_SLUG = _Regex(r"[^\W\d_][^\W_]*(?:[-_][^\W_]+){2,}[ \t.,;]*$")
_TRIM = " \t,;:.…-–—"
_DIGIT = re.compile(r"\d")


# --------------------------------------------------------------------------- parsing


class _Line:
    """A line, its folded and plain copies (see "loose words"), and what was read in it."""

    __slots__ = ("text", "folded", "plain", "_types", "read")

    def __init__(self, text: str) -> None:
        self.text = text
        self._types: dict[tuple[int, int], list[int]] = {}
        # The symbol and short heads read at a place: the clause's lead and the scans try it twice.
        # (As heads before any date: callers get copies, which they extend.)
        self.read: dict[tuple[str, int, int], _Head | None] = {}

    def __getattr__(self, name: str) -> str:
        """The copies, made when first read: a line in the prescribed form needs neither."""
        if name == "folded":
            self.folded = self.text.translate(_tables()[1])
            return self.folded
        if name == "plain":
            self.plain = self.text.translate(_tables()[0])
            return self.plain
        raise AttributeError(name)

    def type_ends(self, pos: int, end: int) -> list[int]:
        """Where the readings of a type word or code starting at `pos` end (before `end`), in the
        order the alternation `(?i:type words|codes)` would try them: type words first, longest
        first; and a code only at its longest, as no head takes a code followed by a letter."""
        key = (pos, end)
        if pos >= end or not self.text[pos].isalpha():
            return []  # every type word and code starts with a letter (in the copies too)
        if key not in self._types:
            ends = list(_ends(_TYPE_WORDS_AT.match(self.plain, pos, end)))
            m = _TYPE_CODE.match(self.folded, pos, end)
            self._types[key] = ends + [m.end()] if m else ends
        return self._types[key]


class _Head:
    """A citation found in a line before its subject is known; positions are line offsets.
    (A plain class: a dataclass costs more to define at import than this one is worth.)"""

    def __init__(
        self,
        start: int,
        end: int,
        kind: str = "document",
        type_word: str | None = None,
        doc_type: str | None = None,
        number: str | None = None,
        year: int | None = None,
        code_type: str | None = None,
        issuer: str | None = None,
        unit: str | None = None,
        date: tuple[int, int, int] | None = None,
        date_text: str | None = None,
        subject: tuple[int, int] | None = None,  # fixed subject span (files), else computed later
    ) -> None:
        self.start, self.end, self.kind = start, end, kind
        self.type_word, self.doc_type, self.number, self.year = type_word, doc_type, number, year
        self.code_type, self.issuer, self.unit = code_type, issuer, unit
        self.date, self.date_text, self.subject = date, date_text, subject


@lru_cache(maxsize=1024)
def _canonical_type(written: str) -> str | None:
    """'Báo cáo' / 'bc' / 'QD' -> 'BC' / 'BC' / 'QĐ'."""
    code = _CODE_OF.get(written.upper())
    return code if code else _WORD_OF.get(re.sub(r"[\s_-]+", "", _fold(written)))


def _head_from(line: _Line, m: re.Match[str], start: int, end: int, type_span: tuple[int, int] | None = None) -> _Head:
    """Build a head from a match of any of the head patterns (their group names are shared) and
    the span of its type word, if any. The type word is read from the line; the groups hold digits,
    codes and issuers, which the folded copy leaves as they are."""
    g = m.groupdict()
    get = g.get
    type_word = line.text[type_span[0] : type_span[1]] if type_span else get("type")
    year = get("year")
    code = get("code") or get("gcode") or get("pcode")
    code_type = _CODE_OF.get(code.upper()) if code else None
    h = _Head(
        start,
        end,
        "document",
        type_word or None,
        _canonical_type(type_word) if type_word else None,
        get("num") or get("pnum"),
        int(year) if year else None,
        code_type,
        get("issuer") or get("gissuer") or get("cissuer") or get("pissuer"),
        get("unit"),
    )
    if h.doc_type is None:
        # A symbol without a type code is a công văn (Nghị định 30/2020/NĐ-CP), unless it carries
        # a year: then it is a law or ordinance (15/2012/QH13), whose type the symbol does not say.
        h.doc_type = code_type or ("CV" if get("cissuer") and not h.year else None)
    return h


def _quantity(line: _Line, pos: int, end: int) -> bool:
    """Whether a unit word or "%" follows `pos` (after spaces), ending a word before `end`."""
    m = _UNITS_AT.match(line.plain, pos, end)
    if not m:
        return False
    ends = list(_ends(m))
    if line.text.startswith("%", m.end(), end):
        ends.append(m.end() + 1)
    return any(e >= end or not _LETTER.match(line.text, e) for e in ends)


def _typed(
    line: _Line,
    pos: int,
    end: int,
    rest: _Regex,
    then: _Regex | None = None,
    inside_word: bool = False,
    quantity: bool = False,
) -> tuple[int, re.Match[str]] | None:
    """The head `TYPE REST [THEN]` at `pos`, ending before `end`: the first reading of the type
    word or code after which `rest`, and `then` right after it, match (and no unit word follows
    if `quantity`), as (where the type ends, the match). The type must start a word (follow no
    letter or digit), unless `inside_word`."""
    ends = line.type_ends(pos, end)
    if not ends or not inside_word and pos > 0 and _WORD_CHAR.match(line.text, pos - 1):
        return None
    for type_end in ends:
        m = rest.match(line.folded, type_end, end)
        if m and then:
            m = then.match(line.folded, m.end(), end)
        if m and not (quantity and _quantity(line, m.end(), end)):
            return type_end, m
    return None


def _typed_head(line: _Line, pos: int, found: tuple[int | None, re.Match[str]] | None) -> _Head | None:
    """The head read at `pos` as (where its type word ends, if it has one, the match)."""
    if not found:
        return None
    type_end, m = found
    return _head_from(line, m, pos, m.end(), None if type_end is None else (pos, type_end))


def _copy(h: _Head | None) -> _Head | None:
    """A copy of `h`, to extend (faster than `copy.copy`)."""
    if h is None:
        return None
    c = object.__new__(_Head)
    c.__dict__.update(h.__dict__)
    return c


def _symbol_head(line: _Line, pos: int, end: int) -> _Head | None:
    """`[type] [số] symbol` at `pos`."""
    key = ("symbol", pos, end)
    if key not in line.read:
        # The separator may end with ":", or leave it, but a symbol never starts with one: trying
        # the symbol where the separator ends is all the regex `TYPE SEPARATOR SYMBOL` could do.
        found = _typed(line, pos, end, _TYPE_SEPARATOR, then=_SYMBOL_HEAD)
        m = None if found else _SYMBOL_HEAD.match(line.folded, pos, end)
        line.read[key] = _typed_head(line, pos, found or ((None, m) if m else None))
    return _copy(line.read[key])


def _short_head(line: _Line, pos: int, end: int) -> _Head | None:
    """`type [số] number` at `pos`."""
    key = ("short", pos, end)
    if key not in line.read:
        line.read[key] = _typed_head(line, pos, _typed(line, pos, end, _SHORT_AFTER_TYPE, quantity=True))
    return _copy(line.read[key])


def _reversed_head(line: _Line, pos: int, end: int) -> _Head | None:
    """`number type` at `pos`."""
    m = _REVERSED_NUMBER.match(line.folded, pos, end)
    t = _typed(line, m.end(), end, _REVERSED_AFTER_TYPE, inside_word=True) if m else None
    return _head_from(line, m, pos, t[0], (m.end(), t[0])) if m and t else None


def _scan(
    line: _Line,
    pos: int,
    end: int,
    head: Callable[[_Line, int, int], _Head | None],
    typeless: _Regex | None = None,
) -> Iterator[_Head]:
    """The heads `head` finds from left to right between `pos` and `end`, as `finditer` would. A
    head starts where a type word or code may, or else with a match of `typeless`, which (if
    given) also follows the type word of any head."""
    next_type = next_typeless = -1  # where the next start of each kind is, once looked for
    while pos < end:
        if typeless and next_typeless < pos:
            m = typeless.search(line.folded, pos, end)
            if not m:
                return
            next_typeless = m.start()
        if next_type < pos:
            m = _TYPE_START.search(line.plain, pos, end)
            next_type = m.start() if m else end
        at = min(next_type, next_typeless) if typeless else next_type
        if at >= end:
            return
        h = head(line, at, end)
        if h:
            stop = h.end  # before the caller extends h over a date
            yield h
            pos = stop
        else:
            pos = at + 1


def _attach_date(line: _Line, h: _Head, end: int, need_ngay: bool = False) -> None:
    """Extend `h` over a date written right after it, if any."""
    found = _date_at(line, h.end, end, need_ngay)
    if found:
        h.date, h.date_text, h.end = found


def _date_at(line: _Line, pos: int, end: int, need_ngay: bool) -> tuple[tuple[int, int, int], str, int] | None:
    """The date written at `pos` (before `end`), as (date, as written, where it ends)."""
    m = _DATE_AFTER.match(line.folded, pos, end)
    if not m:
        return None
    if not m.group("ngay") and (need_ngay or not m.group("d")):
        return None  # compact and "tháng ... năm" dates are only trusted after "ngày"
    if m.group("d"):
        date = (int(m.group("d")), int(m.group("m")), int(m.group("y")))
    elif m.group("cd"):
        date = (int(m.group("cd")), int(m.group("cm")), int(m.group("cy")))
    else:
        date = (int(m.group("wd")), int(m.group("wm")), int(m.group("wy")))
    return date, line.text[m.start("text") : m.end("text")], m.end()


def _lead_head(
    line: _Line, pos: int, end: int, prev_type: str | None, clause: str | None = None, digit: object = None
) -> _Head | None:
    """The citation that opens a clause at `pos`, trying the strongest shapes first. `clause` is
    the text from `pos` to `end` and `digit` whether it holds a digit, if the caller knows them."""
    if clause is None:
        clause = line.text[pos:end]
        # which every shape needs but two: symbols (a "/") and numberless
        digit = _DIGIT.search(clause)
    shapes = [_symbol_head] if "/" in clause else []
    if digit:
        shapes += (_short_head, _reversed_head)
    for shape in shapes:
        h = shape(line, pos, end)
        if h:
            _attach_date(line, h, end)
            return h
    h = _typed_head(line, pos, _typed(line, pos, end, _NUMBERLESS_AFTER_TYPE))
    if h:
        written, code = h.type_word or "", h.doc_type
        is_code = written.upper() in _CODE_OF
        if not is_code or (code not in _NEEDS_NUMBER and (code not in _UPPER_IF_NUMBERLESS or written.isupper())):
            _attach_date(line, h, end, need_ngay=True)
            return h
    m = _BARE_HEAD.match(line.folded, pos, end) if digit and prev_type else None
    if m and not _quantity(line, m.end(), end):
        h = _head_from(line, m, pos, m.end())
        h.doc_type = prev_type  # the list's type carries over; type_word stays None: not written
        _attach_date(line, h, end)
        return h
    return None


def _midline_ok(h: _Head) -> bool:
    """A short form inside prose needs an upper-case code (or a full word) and a non-year number."""
    written, number = h.type_word or "", h.number or ""
    if written.upper() in _CODE_OF and not written[0].isupper():
        return False  # "tối đa 3": lower-case codes are words inside prose
    return not re.fullmatch(r"(?:19|20)\d\d", number)  # "KH 1095 KH 2022": a plan *for* 2022


def _file_head(line: _Line, pos: int, end: int, clause: str) -> _Head | None:
    """A clause that is a file name (with extension) or a slug: one citation of kind 'file'.
    `clause` is the text from `pos` to `end`."""
    m = _FILE.fullmatch(line.text, pos, end) if "." in clause else None  # which needs a "."
    if m:
        stem_end = m.end("stem")
        h = _lead_head(line, pos, stem_end, None) or _Head(pos, pos)
        h.kind, h.subject = "file", (h.end, stem_end)
        h.start, h.end = pos, m.end("ext")
        return h
    m = _SLUG.fullmatch(line.text, pos, end) if "-" in clause or "_" in clause else None
    if m:
        slug_end = len(line.text[:end].rstrip(" \t.,;"))
        t = _typed(line, pos, slug_end, _SLUG_AFTER_TYPE, inside_word=True)
        h = _Head(pos, slug_end, kind="file", subject=(t[0] if t else pos, slug_end))
        if t:
            h.type_word = line.text[pos : t[0]]
            h.doc_type = _canonical_type(h.type_word)
        return h
    return None


def _clauses(line: str, urls: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Clause spans of a line; a ';' or '.' inside a URL does not break it."""
    if ";" not in line and "." not in line:  # nothing to break at
        return [(0, len(line))]
    cuts = [m for m in _CLAUSE_BREAK.finditer(line) if not any(a <= m.start() < b for a, b in urls)]
    bounds = [0] + [c for m in cuts for c in (m.start(), m.end())] + [len(line)]
    return list(zip(bounds[::2], bounds[1::2], strict=True))


def _url_spans(line: str) -> list[tuple[int, int]]:
    """URL spans, without the punctuation or unmatched ')' that ends the surrounding sentence."""
    spans: list[tuple[int, int]] = []
    if "." not in line and "://" not in line:  # a URL needs one or the other
        return spans
    for m in _URL.finditer(line):
        url = m.group().rstrip(".,;:")
        while url.endswith(")") and url.count(")") > url.count("("):
            url = url[:-1].rstrip(".,;:")
        spans.append((m.start(), m.start() + len(url)))
    return spans


def _by_start_then_longest(h: _Head) -> tuple[int, int]:
    return h.start, -h.end


def _clause_heads(line: _Line, cs: int, ce: int, urls: list[tuple[int, int]], prev_type: str | None) -> list[_Head]:
    """All citations that start inside one clause."""
    lead = _PREFIX.match(line.text, cs, ce).end()  # type: ignore[union-attr]  # matches empty
    clause = line.text[lead:ce]
    inside = [(a, b) for a, b in urls if cs <= a < ce] if urls else urls
    if not inside:
        whole = _file_head(line, lead, ce, clause)
        if whole:
            return [whole]
        if _SHORTCUTS:
            head = _prescribed_head(line, lead, ce)
            if head:
                return [head]
    found = [_Head(a, b, kind="url") for a, b in inside]
    digit = _DIGIT.search(clause)
    head = _lead_head(line, lead, ce, prev_type, clause, digit)
    if head:
        if (
            _SHORTCUTS
            and not inside
            and "/" not in line.text[head.end : ce]
            and not _DIGIT.search(line.text, head.end, ce)
        ):
            # Every head a scan could add needs a digit (or a "/") at or after its start, so it would
            # start inside the lead and lose to it, or be the lead's own reading without its date.
            # Most lines are one citation and its subject ("Kế hoạch số 12/KH-UBND ngày ... về ..."):
            # this skips the scans, the parser's main cost, for them.
            return [head]
        found.append(head)
    # Scanning every position with the head patterns is the parser's main cost; a symbol needs a
    # "/" and a short form a digit, so clauses without them skip the scan.
    if "/" in clause:
        for h in _scan(line, lead, ce, _symbol_head, _SYMBOL_HEAD):
            _attach_date(line, h, len(line.text))
            found.append(h)
    if digit:
        for h in _scan(line, lead, ce, _short_head):
            if _midline_ok(h):
                _attach_date(line, h, len(line.text))
                found.append(h)
    if len(found) < 2:
        return found
    # Keep the leftmost, then longest, of overlapping readings ("QĐ 809-QĐ/TU" over "QĐ 809").
    found.sort(key=_by_start_then_longest)
    kept: list[_Head] = []
    for h in found:
        if not kept or h.start >= kept[-1].end:  # kept is sorted and disjoint: check the last only
            kept.append(h)
    return kept


def _trimmed(line: str, a: int, b: int) -> tuple[int, int]:
    """Shrink [a, b) past surrounding punctuation, and a ')' that closes nothing."""
    while True:
        text = line[a:b]
        inner = text.lstrip(_TRIM)
        a += len(text) - len(inner)
        text = inner.rstrip(_TRIM)
        b = a + len(text)
        if text.endswith(")") and text.count(")") > text.count("("):
            b -= 1
        elif text.startswith("(") and text.count("(") > text.count(")"):
            a += 1
        else:
            return a, b


def parse_evidence(text: str) -> list[Citation]:
    """All citations in one evidence cell or line, in order of appearance."""
    if "\n" not in text and "\r" not in text:  # one line: its offsets are the text's
        return list(_parse_line(text, None)[0]) if text else []
    out: list[Citation] = []
    prev_type: str | None = None  # type of the previous non-blank clause's last citation
    for lm in _LINES.finditer(text):
        found, prev_type = _parse_line(lm.group(), prev_type)
        base = lm.start()
        out.extend(_shifted(c, base) if base else c for c in found)
    return out


_LINES = re.compile(r"[^\r\n]+")


#: What `_parse_line` answered, by line and inherited type.
Answers = dict[tuple[str, str | None], tuple[tuple[Citation, ...], str | None]]


def parse_items(items: list[str], seen: Answers | None = None) -> list[tuple[int, Citation]]:
    """The citations of evidence items read as one cell, each with the index of its item; spans lie
    within the item. The same as `parse_evidence` of the items joined by newlines (a bare "5912 b1"
    keeps the type of the item before it), without the joining and the shifting back.

    ``seen`` holds the lines already read, for a caller that reads many lists of one card: a card
    repeats its lines, and a dict of its own is cheaper than the process-wide cache, whose entries
    are mostly lines of other cards."""
    out: list[tuple[int, Citation]] = []
    prev_type: str | None = None
    for index, item in enumerate(items):
        if not item:
            continue
        if "\n" not in item and "\r" not in item:
            if seen is None:
                found, prev_type = _parse_line(item, prev_type)
            else:
                key = (item, prev_type)
                done = seen.get(key)
                if done is None:
                    done = seen[key] = _read_line(item, prev_type)
                found, prev_type = done
            if len(found) == 1:  # the common case, without a generator
                out.append((index, found[0]))
            else:
                out.extend((index, c) for c in found)
            continue
        for lm in _LINES.finditer(item):
            found, prev_type = _parse_line(lm.group(), prev_type)
            base = lm.start()
            out.extend((index, _shifted(c, base) if base else c) for c in found)
    return out


def _shifted(c: Citation, base: int) -> Citation:
    """`c` moved by `base`."""
    return c._replace(start=c.start + base, end=c.end + base)


#: `Citation(...)` from a tuple of its fields, without the Python-level `__new__` of a named tuple.
_citation = tuple.__new__

#: A citation that says nothing: no document details, no subject, an empty span.
BLANK = Citation(None, None, None, None, None, None, None, None, None, "", "document", 0, 0)


# --------------------------------------------------------------------------- the prescribed form

#: False makes the parser take the long way for every line; the tests compare both ways.
_SHORTCUTS = True

# A clause in the form Nghị định 30/2020/NĐ-CP prescribes: "Kế hoạch số 1280/KH-UBND ngày 30/12/2020
# về ...". Most citations are written so, and for them the general parser's answer is known without
# trying its shapes one by one: the type word (exactly as listed, or all in lower case) is its own
# only reading, the symbol its first alternative and the date the one after "ngày".
# The type is any words before the number, then looked up (not a long alternation, slow to
# compile): a type word as listed or in lower case, or a code in any case, each with its code.
_QUICK_WORDS = {w: code for word, code in _WORDS.items() for w in (word, word.lower())}
_QUICK_CODES = {s.upper(): code for code, sps in _CODES.items() for s in sps}
_PRESCRIBED = (  # compiled as the start of `_PRESCRIBED_LINE`
    r"(?P<type>[^\W\d_]+(?: [^\W\d_]+)*?)"
    "(?: số)? (?P<num>[0-9]{1,6})/(?:(?P<year>(?:19|20)[0-9]{2})/)?"
    "(?:(?P<code>"
    + _alternation([re.escape(s) for t in (_CODES, _SYMBOL_ONLY_CODES) for sps in t.values() for s in sps])
    + ")"
    "-(?P<issuer>[A-ZĐ][A-Z0-9Đ]*)"
    # A công văn's symbol has no type code; these issuers glue to no code ("TTHU" would: TT + HU).
    "|(?P<cissuer>UBND|HĐND))(?:-(?P<unit>[A-ZĐ][A-Z0-9Đ]*))?"
    r" ngày (?P<date>(?P<d>[0-9]{1,2})/(?P<m>[0-9]{1,2})/(?P<y>[0-9]{4}))(?!\d)"
)


def _quick_type(written: str) -> str | None:
    """The code of `written` if it is a type word or code the shortcuts read as the general parser
    does, else None."""
    return _QUICK_WORDS.get(written) or _QUICK_CODES.get(written.upper())


def _prescribed_head(line: _Line, pos: int, end: int) -> _Head | None:
    """The citation in the prescribed form at `pos`, if the clause (up to `end`) holds no other:
    what follows it has no "/" (no symbol) and no type word before a number (no short form). The
    caller has ruled out a file name and a URL in the clause."""
    text = line.text
    # The line pattern's list number or dash cannot match here: the clause's leaders are skipped.
    m = _PRESCRIBED_LINE.match(text, pos, end)
    if m is None or _quick_type(m.group("type")) is None or (pos and _WORD_CHAR.match(text, pos - 1)):
        return None
    after = m.end("date")
    if "/" in text[after:end] or (_DIGIT.search(text, after, end) and _TYPE_START.search(line.plain, after, end)):
        return None  # another citation may follow: let the general parser read the clause
    return _Head(pos, after, "document", **_prescribed_fields(m))


class _Fields(TypedDict):
    """The fields of a citation that `_Head` and `Citation` share, as the shortcuts read them."""

    doc_type: str | None
    type_word: str
    number: str
    year: int | None
    code_type: str | None
    issuer: str | None
    unit: str | None
    date: tuple[int, int, int]
    date_text: str


def _prescribed_fields(m: re.Match[str]) -> _Fields:
    """A `_PRESCRIBED_LINE` match read as the fields of its citation that `_Head` and `Citation` share,
    in `Citation`'s order."""
    g = m.group
    year, code = g("year"), g("code")
    return {
        "doc_type": _canonical_type(g("type")),
        "type_word": g("type"),
        "number": g("num"),
        "year": int(year) if year else None,
        "code_type": _CODE_OF[code.upper()] if code else None,
        "issuer": g("issuer") or g("cissuer"),
        "unit": g("unit"),
        "date": (int(g("d")), int(g("m")), int(g("y"))),
        "date_text": g("date"),
    }


# A line that starts with a prescribed citation (after a list number or dash), matched up to its
# date, then as far as the rest obviously holds no other citation (all of it, on most lines): no
# digit, "/" or "."; further clauses start with no letter or digit after their leaders; a last ".".
# `_quick_rest` decides for the other lines.
_PRESCRIBED_LINE = re.compile(
    r"(?:[0-9]{1,3}[.)] |- )?" + _PRESCRIBED + r"[^\d/.;]*+(?:;[ \t\-–—+•*·]*+(?![^\W_])[^\d/.;]*+)*+\.?"
)
# Leaders the general parser skips at a clause start when the clause holds no digit (`_PREFIX`).
_LEADERS = " \t-–—+•*·."


def _prescribed_line(line: str) -> tuple[tuple[Citation, ...], str | None] | None:
    """`_parse_line`'s answer for a line that is one prescribed citation and its subject, or None
    for other lines.

    The subject may run on over further clauses ("...ngày 08/03/2021; (chuyển đổi số, ...)") when
    the general parser could find nothing in them: they hold no digit and no "/" (no number, symbol,
    date or URL) and start with no letter or digit after their leaders (no type word, file name or
    slug); and a "." only ends the line (no clause break, file extension or "www.").
    """
    m = _PRESCRIBED_LINE.match(line)
    if m is None:
        return None
    written, number, year, code, issuer, cissuer, unit, date_text, d, mo, y = m.groups()
    doc_type = _quick_type(written)
    if doc_type is None:
        return None
    after = m.end(8)  # the date's
    prev_type: str | None = doc_type
    if m.end() < len(line) and not _quick_rest(line, after):
        return None
    semi = line.find(";", after)
    if semi >= 0 and line[semi + 1 :].strip(_TRIM):
        prev_type = None  # a later clause holds text but no citation: a bare number inherits nothing
    subject = line[after:].strip(_TRIM)
    if ("(" in subject or ")" in subject) and subject.count("(") != subject.count(")"):
        sa, sb = _trimmed(line, after, len(line))  # an unmatched bracket around the subject
        subject, end = line[sa:sb], sb if sb > sa else after
    else:
        end = len(line.rstrip(_TRIM)) if subject else after  # the date ends with a digit: kept
    c = _citation(
        Citation,
        (
            doc_type,
            written,  # type_word
            number,
            int(year) if year else None,  # year
            _CODE_OF[code.upper()] if code else None,  # code_type
            issuer or cissuer,  # issuer
            unit,
            _DATES.get(date_text) or _date_of(date_text, d, mo, y),  # date
            date_text,
            subject,
            "document",  # kind
            m.start(1),  # start
            end,
        ),
    )
    return (c,), prev_type


#: The date of each date text the prescribed form has read ("29/10/2021"): a card repeats a few
#: hundred dates over a thousand citations. Bounded, for a run over many cards.
_DATES: dict[str, tuple[int, int, int]] = {}


def _date_of(text: str, day: str, month: str, year: str) -> tuple[int, int, int]:
    """The (day, month, year) of a date text matched as `day`/`month`/`year`, remembered."""
    date = (int(day), int(month), int(year))
    if len(_DATES) < 4096:
        _DATES[text] = date
    return date


def _quick_rest(line: str, after: int) -> bool:
    """Whether what follows a prescribed citation ending at `after` holds nothing the general
    parser would read as a citation (see `_prescribed_line`)."""
    rest = line[after:]
    if "/" in rest or "." in rest[:-1]:
        return False
    first, _, later = rest.partition(";")
    if _DIGIT.search(first) and _TYPE_START.search(line.translate(_tables()[0]), after, after + len(first)):
        return False  # a short form may follow in the subject
    if later and _DIGIT.search(later):
        return False
    return not any(clause.lstrip(_LEADERS)[:1].isalnum() for clause in later.split(";"))


# A whole line that is one short citation and its subject, after a list number or dash: "7. cv 1475
# đầu tư công;", "CV 397", "BC 1370 đầu tư công". With no digit after the number there is no date,
# symbol or second citation; the number is a document number unless a unit word follows it.
_SHORT_LINE = re.compile(
    r"(?:[0-9]{1,3}[.)] |- )?(?P<type>[^\W\d_]+(?: [^\W\d_]+)*?) (?P<num>[0-9]{1,6})"
    r"(?: (?P<subject>[^\W\d_]+(?:,? [^\W\d_]+)*))?[;.,]?"
)

# First syllables of the unit words, and of "ngày"/"năm" (which also keep a number from being one).
_UNIT_STARTS = tuple({_fold(u).split()[0] for u in _UNIT_WORDS} | {"ngay", "nam"})


def _short_line(line: str) -> tuple[tuple[Citation, ...], str | None] | None:
    """`_parse_line`'s answer for a line that is one short citation, or None for other lines."""
    m = _SHORT_LINE.fullmatch(line)
    if m is None:
        return None
    written, number, subject = m.groups()
    doc_type = _quick_type(written)
    if doc_type is None:
        return None
    if subject and subject.translate(_tables()[0]).replace("\u0300", "").startswith(_UNIT_STARTS):
        return None  # maybe a quantity ("báo cáo 6 tháng"): the general parser decides
    c = _citation(
        Citation,
        (
            doc_type,
            written,  # type_word
            number,
            None,  # year
            None,  # code_type
            None,  # issuer
            None,  # unit
            None,  # date
            None,  # date_text
            subject or "",  # subject
            "document",  # kind
            m.start(1),  # start
            m.end(3) if subject else m.end(2),  # end
        ),
    )
    return (c,), doc_type


# A whole line that is one link: after a list number or dash, maybe in brackets, then nothing but
# punctuation and closing brackets ("(http://.../tin-tuc.html)", "- www.a.vn/b;"). The general
# parser's scans find nothing else in it: what they could read inside the link overlaps the link,
# which starts first, and nothing outside it can start a citation.
_URL_LINE = re.compile(r"(?:[0-9]{1,3}[.)] |- )?\(?(?=(?i:https?://|www\.))")
_URL_TAIL = _TRIM + ")"


def _url_line(line: str) -> tuple[tuple[Citation, ...], str | None] | None:
    """`_parse_line`'s answer for a line that is one link, or None for other lines."""
    m = _URL_LINE.match(line)
    if m is None:
        return None
    spans = _url_spans(line)
    if len(spans) != 1 or spans[0][0] != m.end() or line[spans[0][1] :].strip(_URL_TAIL):
        return None
    start, end = spans[0]
    return (BLANK._replace(kind="url", start=start, end=end),), None


def _read_line(line: str, prev_type: str | None) -> tuple[tuple[Citation, ...], str | None]:
    """The citations of one line (offsets within the line) and the type a bare number would inherit."""
    if _SHORTCUTS:
        # A prescribed citation holds a "/" (its symbol), a short line none.
        quick = _prescribed_line(line) if "/" in line else _short_line(line)
        if quick is None and ("://" in line or "www." in line):
            quick = _url_line(line)
        if quick is not None:
            return quick
    urls = _url_spans(line)
    copies = _Line(line)
    heads: list[_Head] = []
    for cs, ce in _clauses(line, urls):
        found = _clause_heads(copies, cs, ce, urls, prev_type)
        if line[cs:ce].strip(_TRIM):
            prev_type = found[-1].doc_type if found else None
        heads.extend(found)
    out = []
    for i, h in enumerate(heads):
        # The subject runs to the next citation of the line (across ";": "...; kiểm điểm ...").
        stop = heads[i + 1].start if i + 1 < len(heads) else len(line)
        sa, sb = _trimmed(line, *(h.subject or (h.end, stop)))
        out.append(
            _citation(
                Citation,
                (
                    h.doc_type,
                    h.type_word,
                    h.number,
                    h.year,
                    h.code_type,
                    h.issuer,
                    h.unit,
                    h.date,
                    h.date_text,
                    line[sa:sb],  # subject
                    h.kind,
                    h.start,
                    max(h.end, sb) if sb > sa else h.end,  # end
                ),
            )
        )
    return tuple(out), prev_type


#: `_read_line`, cached: real tables cite the same lines again and again ("bc 1467 thực hiện
#: khcchc" stands under dozens of criteria), and the answer depends only on the line and the
#: inherited type.
_parse_line = lru_cache(maxsize=8192)(_read_line)
