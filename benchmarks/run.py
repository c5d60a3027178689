#!/usr/bin/env python3
"""Benchmark ``cchc`` against its stack's import floor, a bare YAML parse and its peers.

Generates realistic scorecards (the shipped one plus deterministic synthetic ones), runs every
command in a fresh child process through a tiny wrapper that reports the child's wall-clock time,
CPU time and peak memory, prints the ratios against baselines measured in the same run (yamllint
and check-jsonschema among them) and writes ``RESULTS.md``.

Run ``python benchmarks/run.py --help``; see ``benchmarks/README.md``. Standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHIPPED = REPO / "scorecards" / "tp-thanh-hoa-2021.yaml"
SCHEMA = REPO / "schemas" / "scorecard.schema.json"
DEFAULT_VENV = HERE / ".venv-bench"
DEFAULT_OUT = HERE / "RESULTS.md"


# --------------------------------------------------------------------------------------------
# Synthetic scorecards
# --------------------------------------------------------------------------------------------

FIELDS = [
    "Công tác chỉ đạo, điều hành cải cách hành chính",
    "Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật tại địa phương",
    "Cải cách thủ tục hành chính",
    "Cải cách tổ chức bộ máy hành chính nhà nước",
    "Xây dựng và nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức",
    "Cải cách tài chính công",
    "Xây dựng và phát triển Chính quyền điện tử, Chính quyền số",
    "Tác động của cải cách hành chính đến người dân, tổ chức và phát triển kinh tế - xã hội",
]
VERBS = [
    "Ban hành",
    "Tổ chức thực hiện",
    "Mức độ hoàn thành",
    "Kiểm tra, đánh giá",
    "Rà soát, đánh giá",
    "Công khai",
    "Theo dõi, đôn đốc",
    "Tuyên truyền",
    "Thực hiện",
    "Báo cáo định kỳ về",
    "Cập nhật, công bố",
    "Xử lý",
    "Tỷ lệ hoàn thành",
    "Triển khai",
    "Đánh giá kết quả",
]
OBJECTS = [
    "kế hoạch cải cách hành chính năm",
    "kế hoạch kiểm tra công tác CCHC",
    "văn bản quy phạm pháp luật của địa phương",
    "thủ tục hành chính thuộc thẩm quyền",
    "kết quả giải quyết hồ sơ TTHC đúng hạn",
    "cơ chế một cửa, một cửa liên thông",
    "phản ánh, kiến nghị của cá nhân, tổ chức",
    "vị trí việc làm và cơ cấu ngạch công chức",
    "quy chế làm việc của cơ quan",
    "chế độ tự chủ tài chính của đơn vị sự nghiệp công lập",
    "dịch vụ công trực tuyến mức độ 3, 4",
    "hệ thống quản lý văn bản và điều hành",
    "chữ ký số trong gửi nhận văn bản điện tử",
    "hệ thống quản lý chất lượng ISO 9001:2015",
    "công tác thi đua, khen thưởng gắn với CCHC",
    "kỷ luật, kỷ cương hành chính",
    "sáng kiến mới trong cải cách hành chính",
    "công tác đào tạo, bồi dưỡng công chức",
    "thanh toán trực tuyến phí, lệ phí",
    "số hóa hồ sơ, kết quả giải quyết TTHC",
    "thu hút đầu tư, phát triển kinh tế - xã hội",
    "chỉ số hài lòng của người dân (SIPAS)",
]
TOPICS = [
    "kết quả thực hiện kế hoạch CCHC",
    "tự kiểm tra, rà soát văn bản",
    "ứng dụng công nghệ thông tin",
    "công tác kiểm soát thủ tục hành chính quý I",
    "kiểm soát TTHC quý II",
    "thu chi ngân sách địa phương",
    "kết quả tuyên truyền CCHC",
    "tình hình thi hành pháp luật",
    "kỷ cương hành chính",
    "đầu tư công",
    "sắp xếp tổ chức bộ máy",
    "tinh giản biên chế",
    "chuyển đổi số",
    "giải quyết hồ sơ trên Cổng dịch vụ công",
    "đánh giá, xếp loại công chức",
]
#: Document kinds: type word, code in the symbol, and the abbreviations officers write.
KINDS = [
    ("Báo cáo", "BC-UBND", ["bc", "BC"]),
    ("Kế hoạch", "KH-UBND", ["kh", "KH"]),
    ("Quyết định", "QĐ-UBND", ["QĐ", "qđ"]),
    ("Công văn", "UBND-VP", ["CV", "cv"]),
    ("Thông báo", "TB-UBND", ["TB"]),
    ("Tờ trình", "TTr-UBND", ["TTr"]),
]
PLACES = [
    "Thanh Hóa",
    "Sầm Sơn",
    "Bỉm Sơn",
    "Nghi Sơn",
    "Đông Sơn",
    "Quảng Xương",
    "Hoằng Hóa",
    "Hậu Lộc",
    "Nga Sơn",
    "Thiệu Hóa",
    "Yên Định",
    "Vĩnh Lộc",
    "Thọ Xuân",
    "Triệu Sơn",
    "Nông Cống",
    "Như Thanh",
    "Ngọc Lặc",
    "Cẩm Thủy",
    "Thạch Thành",
    "Lang Chánh",
]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]


@dataclass
class Node:
    """One generated criterion; points are integer quarter-points (max) and ten-thousandths (score)."""

    id: str
    tt: str
    title: str
    children: list[Node] = field(default_factory=list)
    max_q: int = 0  # max in units of 0.25
    score_t: int = 0  # score in units of 0.0001
    evidence: list[str] = field(default_factory=list)
    note: str | None = None


def points(value: Decimal) -> str:
    """Decimal -> form text with a decimal comma and no trailing zeros: 0,5 / 14 / 12,9491."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def yaml_text(text: str) -> str:
    """A YAML scalar for ``text``: plain where that is safe, else double-quoted (JSON escaping)."""
    if (
        text
        and text[0] not in "-?:,[]{}#&*!|>'\"%@` "
        and ": " not in text
        and " #" not in text
        and not text.endswith((":", " "))
    ):
        return text
    return json.dumps(text, ensure_ascii=False)


@dataclass(frozen=True)
class Doc:
    """A document of the unit: cited by several criteria, always with the same number and date."""

    kind: str
    code: str
    short: tuple[str, ...]
    number: int
    date: str


def document_pool(rng: random.Random, size: int, year: int) -> list[Doc]:
    """``size`` documents with distinct numbers, dated in the year or the one before, before the report."""
    numbers = rng.sample(range(1, 1500), size)
    docs = []
    for number in numbers:
        kind, code, short = rng.choice(KINDS)
        when = year if rng.random() < 0.8 else year - 1
        docs.append(
            Doc(
                kind,
                code,
                tuple(short),
                number,
                f"{rng.randint(1, 28):02d}/{rng.randint(1, 12 if when < year else 11):02d}/{when}",
            )
        )
    return docs


def citation(rng: random.Random, doc: Doc, full: bool = False) -> str:
    """One evidence line citing ``doc``, in the styles officers actually write."""
    style = 0.0 if full else rng.random()
    topic = rng.choice(TOPICS)
    if style < 0.55:
        return f"{doc.kind} số {doc.number}/{doc.code} ngày {doc.date} {topic}"
    if style < 0.75:
        return f"{rng.randint(1, 9)}. {rng.choice(doc.short)} {doc.number} {topic};"
    if style < 0.9:
        return (
            f"{doc.kind} số {doc.number}/{doc.code} ngày {doc.date}; ({topic}, "
            f"gắn với tình hình thực tế của địa phương)"
        )
    slug = "-".join(topic.split()[:4]).lower()
    return f"(http://{rng.choice(['tp', 'ubnd', 'cchc'])}.thanhhoa.gov.vn/web/trang-chu/{slug}.html)"


def _shape(rng: random.Random, budget: int, depth: int) -> list[int]:
    """Split ``budget`` descendant nodes into direct children's subtree sizes (0 = leaf)."""
    if budget <= 0:
        return []
    if depth >= 4 or (depth == 3 and budget <= 9):  # mostly x.y.z leaves; x.y.z.w only under big ones
        width = budget
    else:
        width = min(budget, rng.randint(3, 7))
    rest = budget - width
    if rest == 1:
        width, rest = width + 1, 0
    sizes = [0] * width
    while rest > 0:
        take = rest if rest <= 3 else rng.randint(2, min(rest, 12))
        if rest - take == 1:
            take = rest
        sizes[rng.randrange(width)] += take
        rest -= take
    return sizes


def _grow(rng: random.Random, parent_id: str, budget: int, depth: int, counter: list[int]) -> list[Node]:
    out = []
    for i, size in enumerate(_shape(rng, budget, depth), start=1):
        counter[0] += 1
        node = Node(f"{parent_id}.{i}", str(counter[0]), f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}")
        node.children = _grow(rng, node.id, size, depth + 1, counter)
        out.append(node)
    return out


def _leaves(nodes: list[Node]) -> list[Node]:
    stack, out = list(reversed(nodes)), []
    while stack:
        node = stack.pop()
        if node.children:
            stack.extend(reversed(node.children))
        else:
            out.append(node)
    return out


def _count(nodes: list[Node]) -> int:
    return sum(1 + _count(n.children) for n in nodes)


def synth_scorecard(
    rng: random.Random, n_criteria: int, year: int = 2021, unit: str | None = None, level: str | None = None
) -> str:
    """A valid scorecard of exactly ``n_criteria`` criteria whose points add up to exactly 100.

    ``unit`` and ``level`` override the drawn ones (the draws still happen, so the other files of a
    seed stay the same); a ranking needs distinct units of one level.
    """
    n_fields = rng.choice([7, 8])
    rest = n_criteria - n_fields
    weights = [rng.uniform(0.6, 1.4) for _ in range(n_fields)]
    shares = [max(3, int(rest * w / sum(weights))) for w in weights]
    shares[-1] += rest - sum(shares)
    counter = [0]
    fields = []
    for i, share in enumerate(shares):
        node = Node(str(i + 1), ROMAN[i], FIELDS[i])
        node.children = _grow(rng, node.id, share, 2, counter)
        fields.append(node)
    assert _count(fields) == n_criteria

    leaves = _leaves(fields)
    docs = document_pool(rng, max(20, len(leaves) * 2), year)
    quarters = [1] * len(leaves)
    for _ in range(400 - len(leaves)):  # 100 points in quarter points, at least 0,25 per leaf
        quarters[rng.randrange(len(leaves))] += 1
    for leaf, q in zip(leaves, quarters, strict=True):
        leaf.max_q = q
        roll = rng.random()
        if roll < 0.65:
            leaf.score_t = q * 2500
        elif roll < 0.85:
            leaf.score_t = rng.randint(0, q) * 2500
        elif roll < 0.95:
            leaf.score_t = rng.randint(0, q * 2500)  # 4 decimals, like 0,4991
        else:
            leaf.score_t = 0
        # The first citation is always a full one, so every scored leaf has a recognisable citation.
        leaf.evidence = [citation(rng, rng.choice(docs), full=i == 0) for i in range(rng.randint(1, 10))]
        if rng.random() < 0.1:
            doc = rng.choice(docs)
            leaf.note = (
                f"Giải trình: {rng.choice(TOPICS)} đã thực hiện theo {doc.kind.lower()} "
                f"số {doc.number}/{doc.code} ngày {doc.date}"
            )

    def total(node: Node) -> tuple[int, int]:
        if node.children:
            sums = [total(child) for child in node.children]
            node.max_q, node.score_t = sum(s[0] for s in sums), sum(s[1] for s in sums)
        return node.max_q, node.score_t

    sums = [total(f) for f in fields]
    score = Decimal(sum(s[1] for s in sums)) / 10000
    place = rng.choice(PLACES)
    drawn = rng.choice(["huyen", "huyen", "xa", "so"])
    level = level or drawn
    unit = (
        unit
        or {
            "huyen": f"UBND huyện {place}",
            "xa": f"UBND xã {place}",
            "so": f"Sở Nội vụ tỉnh {place}",
            "tinh": f"UBND tỉnh {place}",
        }[level]
    )
    lines = [
        "# yaml-language-server: $schema=../schemas/scorecard.schema.json",
        f"unit: {yaml_text(unit)}",
        f"year: {year}",
        f"level: {level}",
        f"title: Bảng tổng hợp chấm điểm cải cách hành chính năm {year}",
        f"report: Báo cáo số {rng.randint(1500, 1600)}/BC-UBND ngày {rng.randint(20, 28)}/12/{year}",
        "max: 100",
        f"score: {points(score)}",
        "criteria:",
    ]

    def emit(node: Node, indent: int) -> None:
        pad = " " * indent
        ident = node.id if node.id.count(".") >= 2 else json.dumps(node.id)  # "1.2" would be a float
        lines.append(f"{pad}- id: {ident}")
        pad += "  "
        lines.append(f"{pad}tt: {json.dumps(node.tt)}")
        lines.append(f"{pad}title: {yaml_text(node.title)}")
        lines.append(f"{pad}max: {points(Decimal(node.max_q) / 4)}")
        lines.append(f"{pad}score: {points(Decimal(node.score_t) / 10000)}")
        if node.evidence:
            lines.append(f"{pad}evidence:")
            lines.extend(f"{pad}  - {json.dumps(e, ensure_ascii=False)}" for e in node.evidence)
        if node.note:
            lines.append(f"{pad}note: {json.dumps(node.note, ensure_ascii=False)}")
        if node.children:
            lines.append(f"{pad}children:")
            for child in node.children:
                emit(child, indent + 4)

    for f in fields:
        emit(f, 2)
    return "\n".join(lines) + "\n"


#: Syllables of commune names, for a ranking set of distinct units ("UBND xã Hoằng Đạo, huyện Nga Sơn").
NAME_FIRST = [
    "An",
    "Bình",
    "Cẩm",
    "Đông",
    "Định",
    "Hà",
    "Hải",
    "Hoằng",
    "Hợp",
    "Hưng",
    "Kiến",
    "Lam",
    "Long",
    "Minh",
    "Nga",
    "Nghĩa",
    "Ngọc",
    "Nguyên",
    "Phú",
    "Phúc",
    "Quảng",
    "Tân",
    "Thạch",
    "Thái",
    "Thành",
    "Thiệu",
    "Thọ",
    "Thuận",
    "Tiến",
    "Trung",
    "Triệu",
    "Trường",
    "Vân",
    "Vĩnh",
    "Xuân",
    "Yên",
    "Đại",
    "Hòa",
    "Lộc",
    "Mỹ",
    "Nam",
    "Phong",
    "Sơn",
]
NAME_SECOND = [
    "An",
    "Bình",
    "Châu",
    "Chính",
    "Cường",
    "Đạo",
    "Đức",
    "Giang",
    "Hải",
    "Hòa",
    "Hợp",
    "Hưng",
    "Khánh",
    "Lâm",
    "Lộc",
    "Lợi",
    "Long",
    "Minh",
    "Nghĩa",
    "Ninh",
    "Phát",
    "Phong",
    "Phú",
    "Phúc",
    "Quang",
    "Sơn",
    "Tân",
    "Thắng",
    "Thành",
    "Thịnh",
    "Thọ",
    "Thủy",
    "Tiến",
    "Trạch",
    "Trung",
    "Tường",
    "Vinh",
    "Xuân",
    "Yên",
    "Định",
    "Khê",
    "Lĩnh",
]


def _fold(text: str) -> str:
    """Lower case without accents (đ -> d): two names equal under this fold are the same unit to a reader."""
    import unicodedata

    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c))


def commune_names(rng: random.Random, n: int) -> list[str]:
    """``n`` distinct commune units, distinct also without accents or case."""
    names, seen = [], set()
    for place in PLACES:
        for first in NAME_FIRST:
            for second in NAME_SECOND:
                name = f"UBND xã {first} {second}, huyện {place}"
                if first != second and _fold(name) not in seen:
                    seen.add(_fold(name))
                    names.append(name)
    if n > len(names):
        raise ValueError(f"at most {len(names)} distinct units")
    return rng.sample(names, n)


@dataclass
class Corpus:
    """The generated files: single-file cases, the bulk set and the ranking set."""

    shipped: Path
    large: Path
    bulk: list[Path]
    sizes: list[int]  # criteria per synthetic bulk file
    total_bytes: int
    rank: list[Path] = field(default_factory=list)
    rank_bytes: int = 0


def make_corpus(root: Path, n_files: int, seed: int) -> Corpus:
    """The shipped scorecard, a 300-criteria synthetic one, and ``n_files`` bulk files.

    The copies of the shipped scorecard sit one folder below ``root`` beside a copy of the
    repository's ``criteria/``, so the criteria set it names (``../criteria/...``) is found."""
    if (REPO / "criteria").is_dir():
        shutil.copytree(REPO / "criteria", root / "criteria")
    single = root / "single"
    single.mkdir()
    shipped = single / "tp-thanh-hoa-2021.yaml"
    shutil.copyfile(SHIPPED, shipped)
    large = single / "synth-300.yaml"
    large.write_text(synth_scorecard(random.Random(f"{seed}:large"), 300), encoding="utf-8")
    bulk_dir = root / "bulk"
    bulk_dir.mkdir()
    bulk = [bulk_dir / "0000-tp-thanh-hoa-2021.yaml"]
    shutil.copyfile(SHIPPED, bulk[0])
    sizes = []
    for i in range(1, n_files):
        rng = random.Random(f"{seed}:{i}")
        n = rng.randint(100, 300)
        sizes.append(n)
        path = bulk_dir / f"{i:04d}-synth-{n}.yaml"
        path.write_text(synth_scorecard(rng, n), encoding="utf-8")
        bulk.append(path)
    return Corpus(shipped, large, bulk, sizes, sum(p.stat().st_size for p in bulk))


def make_rank_set(root: Path, corpus: Corpus, n_files: int, seed: int) -> None:
    """``n_files`` cards of one year and level with distinct units, as one ranking would take."""
    rank_dir = root / "rank"
    rank_dir.mkdir()
    units = commune_names(random.Random(f"{seed}:units"), n_files)
    for i, unit in enumerate(units):
        rng = random.Random(f"{seed}:rank:{i}")
        n = rng.randint(100, 300)
        path = rank_dir / f"{i:05d}-xa-{n}.yaml"
        path.write_text(synth_scorecard(rng, n, unit=unit, level="xa"), encoding="utf-8")
        corpus.rank.append(path)
    corpus.rank_bytes = sum(p.stat().st_size for p in corpus.rank)


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------


@dataclass
class Sample:
    """One measured run."""

    seconds: float
    cpu_seconds: float  # user + system of the command and all its descendants
    maxrss_kib: int
    rc: int


@dataclass
class Command:
    """A command to measure; ``error`` is set when it failed (reported as n/a), ``skipped`` when it
    was not run on purpose (reported with that reason)."""

    label: str
    argv: list[str]
    ok_codes: tuple[int, ...] = (0,)
    warm_up: bool = True  # False: the first measured run is the sanity check (for very slow peers)
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None
    skipped: str | None = None
    output: str = ""

    @property
    def live(self) -> bool:
        """Measured (not skipped, not failed)."""
        return self.error is None and self.skipped is None

    @property
    def seconds(self) -> float | None:
        """Median wall-clock seconds."""
        return statistics.median(s.seconds for s in self.samples) if self.samples and self.live else None

    @property
    def cpu(self) -> float | None:
        """Median CPU seconds (user + system, all processes of the command)."""
        return statistics.median(s.cpu_seconds for s in self.samples) if self.samples and self.live else None

    @property
    def spread(self) -> tuple[float, float] | None:
        """Fastest and slowest run."""
        if not self.samples or not self.live:
            return None
        times = [s.seconds for s in self.samples]
        return min(times), max(times)

    @property
    def rss_mib(self) -> float | None:
        """Median peak RSS (MiB) of the largest process in the command's tree."""
        if not self.samples or not self.live:
            return None
        return statistics.median(s.maxrss_kib for s in self.samples) / 1024


#: Runs a command in a child; prints "<seconds> <cpu seconds> <largest max RSS in KiB> <exit code>".
#: Timing here (not around the wrapper) keeps the wrapper's own start-up out of the numbers, and
#: RUSAGE_CHILDREN of this fresh process covers only the measured command and its descendants.
WRAPPER = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "t = time.perf_counter() - t\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(t, u.ru_utime + u.ru_stime, u.ru_maxrss, rc)\n"
)

#: The bare-parse baseline: every file given, in one process, with libyaml's CSafeLoader.
BARE_PARSE = (
    "import sys, yaml\n"
    "for f in sys.argv[1:]:\n"
    "    with open(f, 'rb') as fh:\n"
    "        yaml.load(fh, Loader=yaml.CSafeLoader)\n"
)

#: Where the per-file time goes, in one process (cchc's internal functions, so each step is n/a
#: when a refactoring renames it): best of 3 CPU times over the files given, after the process
#: settings of the console script. Prints JSON {step: ms per file, or an error text}.
PHASES = r"""
import gc, json, sys, time
files = sys.argv[1:]
try:
    from cchc.cli.process import tune_process
    tune_process()
except ImportError:
    gc.set_threshold(200_000, 30, 30)
import yaml
out = {}

def best(name, make):
    try:
        step = make()
    except Exception as exc:
        out[name] = f"{type(exc).__name__}: {exc}"
        return
    times = []
    for _ in range(3):
        clear()
        t = time.process_time()
        step()
        times.append(time.process_time() - t)
    out[name] = min(times) / len(files) * 1000

def clear():
    try:
        from cchc.evidence.citations import _parse_line
        _parse_line.cache_clear()  # cached across files: each run starts as cold as the first
    except (ImportError, AttributeError):
        pass

def bare():
    def run():
        for f in files:
            with open(f, "rb") as fh:
                yaml.load(fh, Loader=yaml.CSafeLoader)
    return run

def reader():
    from cchc.scorecard.reader import parse
    texts = [(open(f, encoding="utf-8").read(), f) for f in files]
    return lambda: [parse(text, f) for text, f in texts]

def load():
    from cchc.scorecard.load import load_file
    return lambda: [load_file(f) for f in files]

loaded = []
def citations():
    from cchc.evidence.cited import all_cited
    from cchc.scorecard.load import load_file
    loaded[:] = [load_file(f) for f in files]
    return lambda: [all_cited(x.card, x.locations) for x in loaded]

def checks():
    from cchc.checks import run_checks
    return lambda: [run_checks(x) for x in loaded]

def whole():
    from cchc.checks import check_file
    return lambda: [check_file(f) for f in files]

for name, make in (("bare", bare), ("reader", reader), ("load", load), ("citations", citations),
                   ("checks", checks), ("check_file", whole)):
    best(name, make)
print(json.dumps(out))
"""

#: The steps of PHASES as the report names them.
PHASE_LABELS = {
    "bare": "bare parse: `yaml.load(f, Loader=CSafeLoader)`",
    "reader": "the located YAML reader (`scorecard.reader.parse`): every node with its line and column",
    "load": "load (`scorecard.load.load_file`): reader + the Pydantic models (one call for a clean card) + locations",
    "citations": "the citation grammar over all evidence (`evidence.cited.all_cited`), of the loaded file",
    "checks": "every check (`checks.run_checks`), of the loaded file, citations included",
    "check_file": "load + checks (`checks.check_file`): the per-file work of `validate --jobs 1`",
}


def phases(python: str, files: list[str]) -> dict[str, float | str]:
    """Per-file milliseconds of each step of PHASES (or why a step could not run)."""
    done = subprocess.run([python, "-c", PHASES, *files], check=False, capture_output=True, text=True, env=ENV)
    try:
        data: dict[str, float | str] = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"bare": f"the script failed: {last_line(done.stderr)}"}
    return data


def phase_table(data: dict[str, float | str], n: int) -> list[str]:
    """Markdown table of the per-file steps, each also as a multiple of the bare parse."""
    bare = data.get("bare")
    rows = [f"| step (CPU time, best of 3, over {n} files) | ms per file | × bare parse |", "| --- | ---: | ---: |"]
    for key, label in PHASE_LABELS.items():
        value = data.get(key, "not run")
        if isinstance(value, float):
            times = f"{value / bare:.2f}×" if isinstance(bare, float) and bare else "n/a"
            rows.append(f"| {label} | {value:.2f} | {times} |")
        else:
            rows.append(f"| {label} | n/a ({value}) | — |")
    return rows


#: The import floor of the stack the CLI is built on: nothing of cchc, only its libraries.
STACK_FLOOR = "import typer, pydantic, rich, yaml"

#: What any Typer command with validate's kinds of options costs before it does anything: Typer
#: converts every option through Pydantic, so this floor already holds most of Pydantic's machinery
#: that the models need. Information beside the import floor, not a target.
TYPER_COMMAND = """\
import enum, sys
from pathlib import Path
from typing import Annotated
import typer, pydantic, rich, yaml

class Format(str, enum.Enum):
    text = "text"
    json = "json"

def validate(
    paths: Annotated[list[str], typer.Argument()],
    output_format: Annotated[Format | None, typer.Option("--format", "-f")] = None,
    strict: Annotated[bool, typer.Option("--strict")] = False,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j")] = None,
    evidence_dir: Annotated[Path | None, typer.Option("--evidence-dir")] = None,
    criteria_set: Annotated[Path | None, typer.Option("--criteria-set")] = None,
) -> None:
    pass

app = typer.Typer()
app.command()(validate)
app.command("other")(validate)
app(sys.argv[1:])
"""


def child_env(pycache: Path) -> dict[str, str]:
    """The environment of measured commands.

    Bytecode is cached under ``pycache`` (PYTHONPYCACHEPREFIX) even when the caller sets
    PYTHONDONTWRITEBYTECODE, so a cold start is a new interpreter with compiled modules, as for an
    installed package, not a recompile of every module; the warm-up run fills the cache.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONDONTWRITEBYTECODE", "GITHUB_ACTIONS", "PYTHONPROFILEIMPORTTIME", "CCHC_LANG")
    }
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


ENV: dict[str, str] = dict(os.environ)  # replaced by child_env() in main()


def measure_once(argv: Sequence[str], cwd: Path) -> Sample:
    """Run ``argv`` once through the wrapper in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-I", "-c", WRAPPER, *argv], cwd=cwd, capture_output=True, text=True, check=True, env=ENV
    )
    seconds, cpu, rss, rc = done.stdout.split()
    return Sample(float(seconds), float(cpu), int(rss), int(rc))


def sanity_run(cmd: Command, cwd: Path) -> None:
    """Run once with output captured (also a warm-up); mark the command n/a if it fails."""
    try:
        done = subprocess.run(cmd.argv, cwd=cwd, check=False, capture_output=True, text=True, timeout=1800, env=ENV)
    except (OSError, subprocess.TimeoutExpired) as exc:
        cmd.error = str(exc)
        return
    cmd.output = (done.stdout + done.stderr).strip()
    if done.returncode not in cmd.ok_codes:
        last = cmd.output.splitlines()[-1] if cmd.output else ""
        cmd.error = f"exit {done.returncode}: {last}"[:200]


def measure_all(commands: list[Command], runs: int, cwd: Path) -> None:
    """Warm up each command once (output checked), then ``runs`` rounds over all of them.

    ``commands`` is ordered so that each measured command sits next to its baseline; the rounds go
    forwards and backwards in turn, so a slow spell of the shared machine hits both sides of a ratio.
    """
    for cmd in commands:
        if cmd.warm_up and cmd.live:
            print(f"  warm-up: {cmd.label}", file=sys.stderr, flush=True)
            sanity_run(cmd, cwd)
            if cmd.error:
                print(f"    n/a: {cmd.error}", file=sys.stderr, flush=True)
    for r in range(runs):
        live = [c for c in commands if c.live]
        print(f"  round {r + 1}/{runs} ({len(live)} commands)", file=sys.stderr, flush=True)
        for cmd in live if r % 2 == 0 else reversed(live):
            if not cmd.live:
                continue
            sample = measure_once(cmd.argv, cwd)
            if sample.rc not in cmd.ok_codes:
                cmd.error = f"exit {sample.rc} in a measured run"
                print(f"    n/a: {cmd.label}: {cmd.error}", file=sys.stderr, flush=True)
            cmd.samples.append(sample)


# --------------------------------------------------------------------------------------------
# Cases and report
# --------------------------------------------------------------------------------------------


@dataclass
class Case:
    """A ratio ``subject / reference`` and its target.

    ``target`` is a bound on the ratio: at most (``<= target``), or with ``at_least`` at least
    (``>= target``); with ``above`` the ratio must be strictly more (a peer ÷ cchc > 1: cchc faster).
    """

    key: str
    title: str
    subject: Command
    reference: Command
    target: float | None
    at_least: bool = False
    above: bool = False

    @property
    def ratio(self) -> float | None:
        """Subject median / reference median."""
        a, b = self.subject.seconds, self.reference.seconds
        return a / b if a is not None and b else None

    @property
    def cpu_ratio(self) -> float | None:
        """Subject median CPU time / reference median CPU time: less sensitive to other processes on
        the machine than wall-clock time, but it counts every worker of a parallel run."""
        a, b = self.subject.cpu, self.reference.cpu
        return a / b if a is not None and b else None

    @property
    def skipped(self) -> str | None:
        """Why the case was not measured, if it was skipped on purpose."""
        return self.subject.skipped or self.reference.skipped

    @property
    def verdict(self) -> str:
        """PASS / FAIL / skipped / n/a / — (no target)."""
        if self.skipped:
            return "skipped"
        if self.ratio is None:
            return "n/a"
        if self.target is None:
            return "—"
        if self.above:
            good = self.ratio > self.target
        else:
            good = self.ratio >= self.target if self.at_least else self.ratio <= self.target
        return "PASS" if good else "FAIL"

    @property
    def target_text(self) -> str:
        """The target as printed in the table."""
        if self.target is None:
            return "none"
        if self.above:
            return f"> {self.target:g}× (cchc faster)"
        return f"≥ {self.target:g}×" if self.at_least else f"≤ {self.target:g}×"


def fmt_s(value: float | None) -> str:
    """Seconds, or n/a."""
    return "n/a" if value is None else f"{value:.3f}"


def fmt_mib(value: float | None) -> str:
    """MiB, or n/a."""
    return "n/a" if value is None else f"{value:.1f}"


def fmt_ratio(value: float | None) -> str:
    """A ratio, or n/a."""
    return "n/a" if value is None else f"{value:.2f}×"


def ratio_table(cases: list[Case]) -> list[str]:
    """Markdown table of the ratios with the raw medians and peak memory beside them."""
    rows = [
        (
            "| case | measured | baseline | ratio | target | result | measured median s (min–max) "
            "| baseline median s | CPU-time ratio | measured peak MiB | baseline peak MiB |"
        ),
        "| --- | --- | --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for c in cases:
        if c.skipped:
            rows.append(
                f"| {c.key} {c.title} | {c.subject.label} | {c.reference.label} | — | {c.target_text} "
                f"| skipped: {c.skipped} | — | — | — | — | — |"
            )
            continue
        spread = c.subject.spread
        span = f" ({spread[0]:.3f}–{spread[1]:.3f})" if spread else ""
        rows.append(
            f"| {c.key} {c.title} | {c.subject.label} | {c.reference.label} | {fmt_ratio(c.ratio)} "
            f"| {c.target_text} | {c.verdict} | {fmt_s(c.subject.seconds)}{span} "
            f"| {fmt_s(c.reference.seconds)} | {fmt_ratio(c.cpu_ratio)} | {fmt_mib(c.subject.rss_mib)} "
            f"| {fmt_mib(c.reference.rss_mib)} |"
        )
    return rows


def memory_table(commands: list[Command]) -> list[str]:
    """Every command with its median time, CPU time and peak memory."""
    rows = ["| command | median s | median CPU s | peak RSS MiB | argv |", "| --- | ---: | ---: | ---: | --- |"]
    for cmd in commands:
        shown = " ".join(_short(a) for a in cmd.argv[:6]) + (" …" if len(cmd.argv) > 6 else "")
        note = f" ({cmd.error or cmd.skipped})" if not cmd.live else ""
        rows.append(
            f"| {cmd.label}{note} | {fmt_s(cmd.seconds)} | {fmt_s(cmd.cpu)} | {fmt_mib(cmd.rss_mib)} | `{shown}` |"
        )
    return rows


def breakdown_table(steps: list[Command], base: Command) -> list[str]:
    """Median of each start-up step and its cost above a bare ``python -c pass``."""
    rows = [
        "| step | median s | above `python -c pass` s | median CPU s | peak RSS MiB |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for cmd in steps:
        extra = cmd.seconds - base.seconds if cmd.seconds is not None and base.seconds is not None else None
        note = f" ({cmd.error or cmd.skipped})" if not cmd.live else ""
        rows.append(
            f"| {cmd.label}{note} | {fmt_s(cmd.seconds)} | {fmt_s(extra)} | {fmt_s(cmd.cpu)} | {fmt_mib(cmd.rss_mib)} |"
        )
    return rows


def side_by_side(work: Plan) -> list[str]:
    """The targets in one table: cchc, what it is held to, and the peers on the same files."""
    c = work.named
    verdict = {case.key: case for case in work.cases}

    def cell(cmd: Command) -> str:
        if not cmd.live:
            return "—"
        return f"{fmt_s(cmd.seconds)} s, {fmt_mib(cmd.rss_mib)} MiB"

    def target(*keys: str) -> str:
        shown = []
        for key in keys:
            case = verdict[key]
            result = case.verdict if not case.skipped else "skipped"
            shown.append(f"{key}: {fmt_ratio(case.ratio) if case.ratio else '—'} ({case.target_text}) {result}")
        return "; ".join(shown)

    rows = [
        "| task | cchc | held to | yamllint | check-jsonschema | targets |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
        (
            f"| one file (shipped), cold start | {cell(c['v1'])} | import floor {cell(c['floor'])} "
            f"| {cell(c['yl1'])} | {cell(c['js1'])} | {target('a1', 'a2', 'a3')} |"
        ),
        (
            f"| {len(work.named['pb'].argv) - 3} files in one call, `--jobs 1` | {cell(c['vj'])} "
            f"| bare parse {cell(c['pb'])} | — | {cell(c['js'])} | {target('b1')} |"
        ),
        (
            f"| the same, default jobs | {cell(c['vb'])} | bare parse {cell(c['pb'])} | — | {cell(c['js'])} "
            f"| {target('b2', 'c1')} |"
        ),
        (
            f"| `cchc rank`, ranking set, default jobs | {cell(c['rk'])} | bare parse {cell(c['pr'])} | — | — "
            f"| {target('r')} |"
        ),
    ]
    return rows


#: Files of the bulk set that the per-file step breakdown runs over.
PHASE_FILES = 60

#: A national ranking holds about this many scorecards a year (issue 13).
NATIONAL_CARDS = 11_000


def per_file(rows_in: list[tuple[str, Command, Command | None, int]]) -> list[str]:
    """Average and marginal ms per file: (many − one-file cold start) ÷ (files − 1), which separates
    start-up from per-file work; and the time of a national run of 11,000 cards at that rate."""
    rows = [
        "| command | files | average ms per file | marginal ms per extra file | 11,000 cards at that rate, s |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, many, one, n in rows_in:
        if many.seconds is None:
            continue
        one_s = one.seconds if one is not None else None
        marginal = (many.seconds - one_s) / (n - 1) * 1000 if one_s is not None else None
        rate = marginal if marginal is not None else many.seconds / n * 1000
        national = (one_s or 0.0) + rate / 1000 * (NATIONAL_CARDS - (1 if one_s is not None else 0))
        rows.append(
            f"| {label} | {n} | {many.seconds / n * 1000:.1f} | "
            f"{'n/a' if marginal is None else f'{marginal:.1f}'} | {national:.0f} |"
        )
    return rows


def _short(arg: str) -> str:
    if "\n" in arg:
        return "'<script>'"
    if arg.startswith("{"):
        return f"'{arg}'"
    return Path(arg).name if arg.startswith("/") else arg


def importtime(python: str, file: Path, top: int = 20) -> list[tuple[int, int, int, str]]:
    """(self µs, cumulative µs, nesting level, module) of the heaviest imports of ``cchc validate FILE``."""
    argv = [python, "-X", "importtime", "-m", "cchc", "validate", str(file)]
    subprocess.run(argv, check=False, capture_output=True, env=ENV)  # bytecode cached, as in the measured runs
    done = subprocess.run(argv, check=False, capture_output=True, text=True, env=ENV)
    rows = []
    for line in done.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            rows.append((int(m.group(1)), int(m.group(2)), (len(m.group(3)) - 1) // 2, m.group(4)))
    rows.sort(key=lambda r: r[1])
    return rows[-top:][::-1]


# --------------------------------------------------------------------------------------------
# Environment
# --------------------------------------------------------------------------------------------


def find_cchc(explicit: str | None) -> Path:
    """The cchc console script: --cchc, next to this interpreter, or on PATH."""
    if explicit:
        return Path(explicit)
    beside = Path(sys.executable).parent / "cchc"
    if beside.exists():
        return beside
    found = shutil.which("cchc")
    if not found:
        sys.exit("run.py: cannot find the cchc command; pass --cchc PATH")
    return Path(found)


def script_python(script: Path) -> str:
    """The interpreter named in a console script's shebang (so baselines use the same Python)."""
    first = script.read_text(encoding="utf-8", errors="replace").splitlines()[0]
    if first.startswith("#!") and "python" in first:
        return first[2:].strip().split()[0]
    return sys.executable


#: The peers, installed in the benchmark's own venv: console script -> package.
PEERS = {"yamllint": "yamllint", "check-jsonschema": "check-jsonschema"}


def ensure_bench_venv(venv: Path) -> dict[str, tuple[Path | None, str]]:
    """The peers in the benchmark's own venv (created and filled on first use): name -> (exe, version
    or the reason it is missing)."""
    exes = {name: venv / "bin" / name for name in PEERS}
    missing = [PEERS[name] for name, exe in exes.items() if not exe.exists()]
    failure = ""
    if missing:
        print(f"  installing {', '.join(missing)} into {venv} (first run only)", file=sys.stderr, flush=True)
        try:
            if not (venv / "bin" / "python").exists():
                subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *missing], check=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            failure = f"could not install {', '.join(missing)}: {exc}"
    out: dict[str, tuple[Path | None, str]] = {}
    for name, exe in exes.items():
        if exe.exists():
            out[name] = exe, run_text([str(exe), "--version"]) or "unknown version"
        else:
            out[name] = None, failure or f"{exe} is missing"
    return out


def machine() -> dict[str, str]:
    """nproc, CPU model, memory, OS."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        found = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
        kib = int(found.group(1))  # type: ignore[union-attr]
        mem = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": cpu,
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
    }


def source_fingerprint(src: Path) -> str:
    """Short hash of the package sources under ``src``."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(src.rglob("*.py")):
        digest.update(str(path.relative_to(src)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def snapshot_sources(tmp: Path) -> Path:
    """Copy ``src/`` as it is now into ``tmp``; measured commands import it (PYTHONPATH comes before
    the editable install), so edits made to the working tree during the run change nothing."""
    dest = tmp / "src"
    shutil.copytree(REPO / "src", dest, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return dest


def run_text(argv: list[str], cwd: Path = REPO) -> str:
    """stdout of a command, stripped ('' on failure)."""
    try:
        return subprocess.run(argv, cwd=cwd, check=False, capture_output=True, text=True, env=ENV).stdout.strip()
    except OSError:
        return ""


def versions(python: str) -> str:
    """Versions of the libraries that decide cchc's speed."""
    code = (
        "from importlib.metadata import version as v, PackageNotFoundError\n"
        "import yaml\n"
        "def w(n):\n"
        "    try:\n"
        "        return f'{n} {v(n)}'\n"
        "    except PackageNotFoundError:\n"
        "        return f'{n} (not installed)'\n"
        "print(', '.join(w(n) for n in ('cchc', 'typer', 'pydantic', 'rich', 'pyyaml')),"
        " '(libyaml: ' + str(yaml.__with_libyaml__) + ')')"
    )
    return run_text([python, "-c", code])


def has_command(cchc: str, *words: str) -> bool:
    """Whether ``cchc WORDS --help`` succeeds (the command exists in this version)."""
    try:
        done = subprocess.run([cchc, *words, "--help"], check=False, capture_output=True, env=ENV, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def last_line(text: str) -> str:
    """The last non-empty line of a command's output."""
    return (text.strip().splitlines() or [""])[-1]


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=None, help="measured runs per command (default 5; --quick: 3)")
    p.add_argument("--files", type=int, default=None, help="files in the bulk set (default 500; --quick: 50)")
    p.add_argument("--rank-files", type=int, default=None, help="cards in the ranking set (default 2000; --quick: 200)")
    p.add_argument("--quick", action="store_true", help="3 runs, 50 bulk files, 200 ranking cards, for development")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the results (Markdown)")
    p.add_argument("--seed", type=int, default=2021, help="seed of the synthetic scorecards")
    p.add_argument("--cchc", help="the cchc command (default: beside this Python, else on PATH)")
    p.add_argument(
        "--venv", type=Path, default=DEFAULT_VENV, help="the benchmark's own venv for yamllint and check-jsonschema"
    )
    p.add_argument("--no-peers", action="store_true", help="skip yamllint and check-jsonschema (no venv, no install)")
    p.add_argument("--keep", action="store_true", help="keep the generated files and print where they are")
    args = p.parse_args(argv)
    args.runs = args.runs if args.runs is not None else (3 if args.quick else 5)
    args.files = args.files if args.files is not None else (50 if args.quick else 500)
    args.rank_files = args.rank_files if args.rank_files is not None else (200 if args.quick else 2000)
    if args.runs < 1 or args.files < 2 or args.rank_files < 2:
        p.error("--runs must be >= 1, --files and --rank-files >= 2")
    return args


#: yamllint's default rules without line-length: the scorecards' evidence lines are long by nature, and
#: with it yamllint would time the printing of hundreds of problems, not the lint. Left with one
#: warning per file (no "---" document start), it exits 0, as cchc does on these files.
YAMLLINT_CONFIG = "{extends: default, rules: {line-length: disable}}"


@dataclass
class Plan:
    """Every command of the run, in measuring order (each beside its baseline), and the cases."""

    commands: list[Command]
    cases: list[Case]
    steps: list[Command]  # the start-up breakdown, in display order
    per_file: list[tuple[str, Command, Command | None, int]]
    named: dict[str, Command] = field(default_factory=dict)  # by short key, for the side-by-side table


def plan(
    cchc: str,
    python: str,
    corpus: Corpus,
    tmp: Path,
    peers: dict[str, tuple[Path | None, str]],
    has_jobs: bool,
    rank_note: str | None,
) -> Plan:
    """The commands and the cases comparing them."""
    n = len(corpus.bulk)
    bulk = [str(p) for p in corpus.bulk]
    shipped, large = str(corpus.shipped), str(corpus.large)
    validate = [cchc, "validate"]
    bare = [python, "-c", BARE_PARSE]

    def peer(name: str, label: str, args: list[str], ok: tuple[int, ...] = (0,), warm: bool = True) -> Command:
        exe, why = peers.get(name, (None, "--no-peers was given"))
        cmd = Command(label, [str(exe or name), *args], ok, warm_up=warm)
        if exe is None:
            cmd.skipped = why
        return cmd

    floor = Command(f"stack import floor `{STACK_FLOOR}`", [python, "-c", STACK_FLOOR])
    v1 = Command("cchc validate (shipped)", [*validate, shipped])
    yl1 = peer("yamllint", "yamllint (shipped)", ["-f", "parsable", "-d", YAMLLINT_CONFIG, shipped])
    js1 = peer("check-jsonschema", "check-jsonschema (shipped)", ["--schemafile", str(SCHEMA), shipped])
    p1 = Command("bare parse (shipped)", [*bare, shipped])
    v2 = Command("cchc validate (synthetic, 300 criteria)", [*validate, large])
    pb = Command(f"bare parse ({n} files, one process)", [*bare, *bulk])
    vj = Command(f"cchc validate --jobs 1 ({n} files)", [*validate, "--jobs", "1", *bulk])
    if not has_jobs:
        vj.skipped = "this cchc validate has no --jobs option"
    vb = Command(f"cchc validate ({n} files, default jobs)", [*validate, *bulk])
    # check-jsonschema on the bulk set is by far the slowest command: its single-file run above has
    # already compiled its bytecode, so it goes without a warm-up and its first measured run is checked.
    js = peer("check-jsonschema", f"check-jsonschema ({n} files)", ["--schemafile", str(SCHEMA), *bulk], warm=False)
    m = len(corpus.rank) or 0
    rank_files = [str(p) for p in corpus.rank]
    pr = Command(f"bare parse ({m} ranking cards, one process)", [*bare, *rank_files])
    rk = Command(f"cchc rank ({m} cards, default jobs)", [cchc, "rank", *rank_files])
    if rank_note:
        pr.skipped = rk.skipped = rank_note
        pr.label, rk.label = "bare parse (ranking cards, one process)", "cchc rank (ranking cards, default jobs)"
    x1 = Command("cchc export --xlsx (shipped)", [cchc, "export", shipped, "--xlsx", str(tmp / "out.xlsx"), "--force"])

    steps = [
        Command("python -c pass", [python, "-c", "pass"]),
        Command("import yaml", [python, "-c", "import yaml"]),
        Command("import pydantic", [python, "-c", "import pydantic"]),
        Command("import rich.console", [python, "-c", "import rich.console"]),
        Command("import typer", [python, "-c", "import typer"]),
        floor,
        # What the floor leaves out: `import pydantic` is lazy; a model needs its machinery.
        Command(
            "the floor + `from pydantic import BaseModel`",
            [python, "-c", f"{STACK_FLOOR}; from pydantic import BaseModel"],
        ),
        Command(
            "the floor + `import importlib.metadata` (Pydantic's plugin loader imports it)",
            [python, "-c", f"{STACK_FLOOR}; import importlib.metadata"],
        ),
        Command(
            "an empty Typer command with validate's options (the import floor + Typer's option conversion)",
            [python, "-c", TYPER_COMMAND, "validate", shipped],
        ),
        Command("import cchc.cli.app", [python, "-c", "import cchc.cli.app"]),
        Command("cchc --version", [cchc, "--version"]),
        v1,
    ]
    # Measuring order: each measured command next to its baseline.
    commands = [floor, v1, yl1, js1, p1, v2, pb, vj, vb, js, pr, rk, x1]
    commands += [s for s in steps if s not in commands]
    cases = [
        Case("a1", "one file, cold start, vs the stack's import floor", v1, floor, 2.0),
        Case("a2", "one file: yamllint ÷ cchc", yl1, v1, 1.0, above=True),
        Case("a3", "one file: check-jsonschema ÷ cchc", js1, v1, 1.0, above=True),
        Case("a4", "one file of 300 criteria vs the import floor (info)", v2, floor, None),
        Case("b1", f"{n} files in one call, --jobs 1", vj, pb, 1.5),
        Case("b2", f"{n} files in one call, default jobs", vb, pb, 0.9),
        Case("c1", f"{n} files: check-jsonschema ÷ cchc (default jobs)", js, vb, 15.0, at_least=True),
        Case("c2", f"{n} files: check-jsonschema ÷ cchc --jobs 1 (info)", js, vj, None),
        Case("r", f"rank {m or 'the'} cards, default jobs", rk, pr, 1.5),
        Case("d", "export --xlsx (shipped) vs bare parse (info)", x1, p1, None),
    ]
    rows = [
        ("bare parse (one process)", pb, p1, n),
        ("cchc validate --jobs 1", vj, v1, n),
        ("cchc validate (default jobs)", vb, v1, n),
        ("check-jsonschema", js, js1, n),
    ]
    if not rank_note:
        rows += [("bare parse, ranking cards (one process)", pr, p1, m), ("cchc rank (default jobs)", rk, None, m)]
    named = {
        "floor": floor,
        "v1": v1,
        "yl1": yl1,
        "js1": js1,
        "pb": pb,
        "vj": vj,
        "vb": vb,
        "js": js,
        "pr": pr,
        "rk": rk,
    }
    return Plan(commands, cases, steps, rows, named)


def main(argv: list[str] | None = None) -> int:
    """Generate, measure, print and write the results."""
    args = parse_args(argv)
    cchc = find_cchc(args.cchc)
    python = script_python(cchc)
    cchc_s = str(cchc)
    tmp = Path(tempfile.mkdtemp(prefix="cchc-bench-"))
    global ENV
    ENV = child_env(tmp / "pycache")
    src = snapshot_sources(tmp)
    ENV["PYTHONPATH"] = os.pathsep.join(p for p in (str(src), os.environ.get("PYTHONPATH", "")) if p)
    load_before = os.getloadavg()
    started = dt.datetime.now(dt.UTC)
    try:
        print(f"generating {args.files} files in {tmp} (seed {args.seed})", file=sys.stderr, flush=True)
        corpus = make_corpus(tmp, args.files, args.seed)
        rank_note = None if has_command(cchc_s, "rank") else "`cchc rank` is not available in this version (issue 13)"
        if rank_note is None:
            print(f"generating {args.rank_files} ranking cards", file=sys.stderr, flush=True)
            make_rank_set(tmp, corpus, args.rank_files, args.seed)

        # The synthetic files must be clean (no errors, no warnings) and the shipped one free of errors:
        # otherwise we would time error reporting instead of the normal path.
        synthetic = [str(corpus.large), *(str(p) for p in corpus.bulk[1:]), *(str(p) for p in corpus.rank)]
        check = subprocess.run(
            [cchc_s, "validate", "--strict", *synthetic], check=False, capture_output=True, text=True, env=ENV
        )
        shipped = subprocess.run(
            [cchc_s, "validate", str(corpus.shipped)], check=False, capture_output=True, text=True, env=ENV
        )
        for done, what in (
            (check, "the synthetic scorecards are not clean (errors or warnings)"),
            (shipped, "the shipped scorecard has errors"),
        ):
            if done.returncode != 0:
                print(done.stdout[-3000:], done.stderr[-3000:], sep="\n", file=sys.stderr)
                print(f"run.py: {what} (see above)", file=sys.stderr)
                return 2

        has_jobs = "--jobs" in run_text([cchc_s, "validate", "--help"])
        peers = {} if args.no_peers else ensure_bench_venv(args.venv)
        work = plan(cchc_s, python, corpus, tmp, peers, has_jobs, rank_note)
        live = [c for c in work.commands if c.live]
        print(f"measuring {len(live)} commands, {args.runs} runs each", file=sys.stderr, flush=True)
        measure_all(work.commands, args.runs, tmp)

        imports = importtime(python, corpus.shipped)
        sample = [str(p) for p in corpus.bulk[1:][:PHASE_FILES]]
        print(f"  per-file steps over {len(sample)} files", file=sys.stderr, flush=True)
        steps_table = phase_table(phases(python, sample), len(sample))
        info = machine()
        commit = run_text(["git", "rev-parse", "--short", "HEAD"]) or "unknown"
        if run_text(["git", "status", "--porcelain", "--untracked-files=no"]):
            commit += " (working tree has uncommitted changes)"
        imported = run_text([python, "-c", "import cchc; print(cchc.__file__)"])
        if not imported.startswith(str(src)):
            print(f"run.py: cchc was imported from {imported}, not from the snapshot {src}", file=sys.stderr)
        commit += (
            f"; measured a snapshot of src/ taken at the start (sha256 of its .py files: {source_fingerprint(src)})"
        )
        minutes = (dt.datetime.now(dt.UTC) - started).total_seconds() / 60
        meta = {
            "date": started.strftime("%Y-%m-%d %H:%M UTC") + f", the run took {minutes:.0f} min",
            "commit": commit,
            "python": run_text([python, "-c", "import sys; print(sys.version.split()[0])"]),
            "libs": versions(python),
            "peers": "; ".join(f"{name}: {why}" for name, (_, why) in peers.items()) or "not run (--no-peers)",
            "load": f"1-minute load average {load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after",
            "summary": last_line(check.stdout),
            "shipped": last_line(shipped.stdout),
            "jobs": "yes" if has_jobs else "no: the --jobs 1 case is skipped",
            "rank": rank_note or "yes",
        }
        table = ratio_table(work.cases)
        breakdown = breakdown_table(work.steps, work.steps[0])
        marginal = per_file(work.per_file)
        print()
        print("\n".join(table))
        print()
        print("\n".join(breakdown))
        print()
        print("\n".join(marginal))
        print()
        print("\n".join(steps_table))
        print()
        for c in work.cases:
            if c.verdict == "FAIL":
                print(
                    f"FAIL {c.key}: {c.subject.label} is {fmt_ratio(c.ratio)} {c.reference.label} "
                    f"(target {c.target_text})"
                )
            elif c.verdict in ("n/a", "skipped"):
                print(f"{c.verdict.upper()} {c.key}: {c.skipped or c.subject.error or c.reference.error}")
        write_results(args, info, meta, corpus, work, imports, table, breakdown, marginal, steps_table)
        print(f"\nwrote {args.out}", file=sys.stderr)
        return 0
    finally:
        if args.keep:
            print(f"kept the generated files in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def write_results(
    args: argparse.Namespace,
    info: dict[str, str],
    meta: dict[str, str],
    corpus: Corpus,
    work: Plan,
    imports: list[tuple[int, int, int, str]],
    table: list[str],
    breakdown: list[str],
    marginal: list[str],
    steps_table: list[str],
) -> None:
    """Write the Markdown report."""
    sizes = corpus.sizes
    rank_set = (
        f"{len(corpus.rank)} synthetic cards of 100–300 criteria, {corpus.rank_bytes / 1024 / 1024:.1f} MiB, "
        "one year and level (xã), distinct units"
        if corpus.rank
        else f"not generated: {meta['rank']}"
    )
    lines = [
        "# Benchmark results",
        "",
        "Written by `python benchmarks/run.py"
        + (" --quick" if args.quick else "")
        + f" --runs {args.runs} --files {args.files}"
        f" --rank-files {args.rank_files}`; see [README.md](README.md) for what is measured and how.",
        "",
        "## Machine and run",
        "",
        f"- date: {meta['date']}",
        f"- commit: {meta['commit']}",
        f"- CPU: {info['cpu']}, nproc {info['nproc']}; memory {info['memory']}; {info['os']}",
        f"- Python {meta['python']}; {meta['libs']}",
        f"- peers (in the benchmark's own venv): {meta['peers']}",
        f"- `cchc validate --jobs`: {meta['jobs']}; `cchc rank`: {meta['rank']}",
        f"- runs per command: {args.runs} (median reported), interleaved, after one warm-up run; {meta['load']}",
        (
            f"- bulk set: {len(corpus.bulk)} files, {corpus.total_bytes / 1024 / 1024:.1f} MiB: the shipped scorecard "
            f"and {len(sizes)} synthetic ones of {min(sizes)}–{max(sizes)} criteria "
            f"(median {statistics.median(sizes):.0f}), seed {args.seed}"
        ),
        f"- ranking set: {rank_set}",
        (
            f"- `cchc validate --strict` on every synthetic file: `{meta['summary']}`; "
            f"`cchc validate` on the shipped scorecard: `{meta['shipped']}`"
        ),
        "",
        "## The targets side by side with the peers",
        "",
        "Median wall-clock time and peak memory of each command (peak: the largest single process).",
        "",
        *side_by_side(work),
        "",
        "## Ratios",
        "",
        (
            "Ratio = measured median ÷ baseline median, both from this run. For a peer (yamllint, "
            "check-jsonschema) the ratio is peer ÷ cchc: how many times faster cchc is. The CPU-time ratio "
            "(user + system of every process of each side) is less disturbed by other work on the machine, "
            "but counts every worker of a parallel run. Peak memory is the largest single process of the "
            "command's tree (`ru_maxrss` of the children), so parallel workers are not added up."
        ),
        "",
        *table,
        "",
        "## Per file",
        "",
        *marginal,
        "",
        "## Where the per-file time goes (one process, synthetic files of the bulk set)",
        "",
        (
            "Each step timed on its own in one process, after the console script's process settings: what "
            "`validate --jobs 1` spends per file beyond its start, next to the bare parse it is held to."
        ),
        "",
        *steps_table,
        "",
        "## Start-up breakdown (cold processes, medians)",
        "",
        *breakdown,
        "",
        "## Every command",
        "",
        *memory_table(work.commands),
        "",
        "## Where the time goes: heaviest imports of `cchc validate` (shipped scorecard)",
        "",
        "From `python -X importtime -m cchc validate FILE`, by cumulative time (one run, so noisy).",
        "",
        "| module | nesting level (0 = imported by cchc or at start-up) | cumulative ms | self ms |",
        "| --- | ---: | ---: | ---: |",
        *(f"| `{name}` | {level} | {cum / 1000:.1f} | {own / 1000:.1f} |" for own, cum, level, name in imports),
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
