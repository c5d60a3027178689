"""The HTML report: escaping, one row and one bar per unit, self-contained, and a real browser's view.

The browser tests need Debian's ``chromium`` (``.ci/run`` installs it); elsewhere they are skipped.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cchc.evidence.cited import all_cited, index_documents
from cchc.messages import render
from cchc.reports.html import render_card, render_ranking, write_html
from cchc.reports.ranking import DEFAULT_BANDS, Ranking, rank
from cchc.reports.summary import Summary, summarize_files
from cchc.scorecard.load import load_file
from cchc.scorecard.rollup import rollup
from tests.conftest import SHIPPED
from tests.rankcards import Cards, make_card, write

CHROMIUM = next(
    (
        p
        for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))
        if p and Path(p).exists()
    ),
    None,
)
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed: apt-get install chromium")

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element] = field(default_factory=list)
    text: str = ""

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def find(self, tag: str, cls: str | None = None, id: str | None = None) -> list[Element]:
        """Every element below (depth first) with this tag and, if given, class and id."""
        found = []
        for child in self.children:
            if (
                child.tag == tag
                and (cls is None or cls in child.classes)
                and (id is None or child.attrs.get("id") == id)
            ):
                found.append(child)
            found.extend(child.find(tag, cls, id))
        return found

    def one(self, tag: str, cls: str | None = None, id: str | None = None) -> Element:
        (found,) = self.find(tag, cls, id)
        return found

    def all_text(self) -> str:
        return self.text + "".join(c.all_text() for c in self.children)


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(Element("#text", {}, text=data))


def parse(text: str) -> Element:
    builder = _Builder()
    builder.feed(text)
    builder.close()
    return builder.root


@pytest.fixture(scope="module")
def ranking(cards: Cards) -> Ranking:
    return rank(
        summarize_files([str(p) for p in [*cards.ranked, cards.error]]),
        previous=summarize_files([str(p) for p in cards.previous]),
    )


@pytest.fixture(scope="module")
def page(ranking: Ranking) -> str:
    return render_ranking(ranking)


def test_ranking_table_has_one_row_per_unit_in_rank_order(ranking: Ranking, page: str) -> None:
    rows = parse(page).one("table", "ranking").one("tbody").find("tr")
    assert len(rows) == len(ranking.units) == 26
    for row, unit in zip(rows, ranking.units, strict=True):
        cells = [c for c in row.children if c.tag in ("td", "th")]
        assert cells[0].all_text() == str(unit.rank)
        assert cells[1].all_text() == unit.summary.unit
        assert f"{round(unit.index, 2)}".replace(".", ",") in row.all_text()


def test_index_chart_has_one_bar_per_unit_as_long_as_its_index(ranking: Ranking, page: str) -> None:
    chart = parse(page).one("figure", "chart", id="index-chart")
    bars = chart.find("rect", "bar")
    assert len(bars) == len(ranking.units)
    assert [Decimal(b.attrs["width"]) for b in bars] == [round(u.index, 2) for u in ranking.units]
    rows = chart.find("div", "row")
    assert [r.one("span", "label").all_text() for r in rows] == [u.summary.unit for u in ranking.units]
    # coloured by band: the row's class names its band (b0 = A, ..., bn = none)
    expected = ["bn" if u.band is None else f"b{ranking.bands.index(u.band)}" for u in ranking.units]
    assert [next(c for c in r.classes if re.fullmatch(r"b(n|\d+)", c)) for r in rows] == expected


def test_heatmap_and_sections_follow_the_ranking(ranking: Ranking, page: str) -> None:
    doc = parse(page)
    heat = doc.one("table", "heatmap").one("tbody").find("tr")
    assert len(heat) == len(ranking.units)
    for row, values in zip(heat, ranking.matrix(), strict=True):
        cells = row.find("td", "cell")[:-1]
        assert [c.all_text() for c in cells] == [f"{round(v, 2)}".replace(".", ",") for v in values if v is not None]
    sections = doc.find("article", "unit")
    assert len(sections) == len(ranking.units)
    links = [a.attrs["href"] for a in doc.one("table", "ranking").find("a")]
    assert links == ["#" + s.attrs["id"] for s in sections]
    for section, unit in zip(sections, ranking.units, strict=True):
        assert unit.summary.unit in section.one("h2").all_text()
        assert len(section.find("rect", "bar")) == len(unit.summary.fields)
    unranked = doc.one("table", "unranked").one("tbody").find("tr")
    assert [r.children[1].all_text() for r in unranked] == ["UBND huyện Mường Lát"]
    assert render("rank.reason.errors", errors=1) in unranked[0].all_text()


def test_page_is_self_contained(page: str) -> None:
    doc = parse(page)
    assert not doc.find("link") and not doc.find("script") and not doc.find("img")
    assert not re.search(r"\b(src|href)=\"(https?:)?//", page)
    assert "url(" not in page and "@import" not in page
    assert doc.one("html").attrs["lang"] == "vi"
    assert [m.attrs["charset"] for m in doc.find("meta") if "charset" in m.attrs] == ["utf-8"]


def test_unit_names_and_evidence_cannot_inject_markup(tmp_path: Path) -> None:
    evil = '<script>alert("x")</script> & <b>Co</b>'
    card = make_card(evil, Decimal(90), seed=7)
    card.criteria[0].title = '<img src=x onerror="alert(1)">'
    card.criteria[0].children[0].evidence = ['Kế hoạch số 1/KH-UBND <iframe src="//evil">']
    path = write(card, tmp_path / "evil.yaml")
    other = write(make_card("UBND huyện Khác", Decimal(80), seed=8), tmp_path / "other.yaml")
    ranking_page = render_ranking(rank(summarize_files([str(path), str(other)])))
    loaded = load_file(path)
    assert loaded.card is not None
    card_page = render_card(loaded.card, rollup(loaded.card), str(path), DEFAULT_BANDS)
    for text in (ranking_page, card_page):
        doc = parse(text)
        assert not doc.find("script") and not doc.find("img") and not doc.find("iframe") and not doc.find("b")
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;" in text
    assert evil in parse(ranking_page).one("table", "ranking").all_text()
    assert '<iframe src="//evil">' in parse(card_page).one("table", "evidence").all_text()


def test_one_card_page_has_its_fields_criteria_and_evidence() -> None:
    loaded = load_file(SHIPPED)
    assert loaded.card is not None
    card = loaded.card
    root = rollup(card)
    doc = parse(render_card(card, root, str(SHIPPED), DEFAULT_BANDS))
    assert doc.one("h1").all_text() == render("report.unit-title", year=2021, unit=card.unit)
    facts = doc.one("dl", "facts").all_text()
    assert "98,52 / 100" in facts and "A" in facts
    bars = doc.find("rect", "bar")
    assert [Decimal(b.attrs["width"]) for b in bars] == [
        round(f.index, 2) for f in root.children if f.index is not None
    ]
    rows = doc.one("table", "criteria").one("tbody").find("tr")
    # as `cchc total`: a split_unknown group is one row (its children carry no points), and the total
    assert len(rows) == sum(1 for row in root.walk() if row.node is not None) + 1
    assert "98,52" in rows[-1].all_text()
    evidence = doc.one("table", "evidence").one("tbody").find("tr")
    assert len(evidence) == len(index_documents(all_cited(card)))


def test_english_page(ranking: Ranking) -> None:
    from cchc.messages import set_language

    set_language("en")
    doc = parse(render_ranking(ranking))
    assert doc.one("html").attrs["lang"] == "en"
    assert doc.one("h1").all_text() == "Administrative reform index ranking 2021"


# --- in a real browser ---------------------------------------------------------------------------

# Appended to a copy of the page: what the browser laid out, written where --dump-dom shows it.
PROBE = """<script>
const rows = document.querySelectorAll("table.ranking tbody tr").length;
const bars = [...document.querySelectorAll("#CHART rect.bar")].map(r => r.getBoundingClientRect().width);
const tracks = [...document.querySelectorAll("#CHART rect.track")].map(r => r.getBoundingClientRect().width);
const overflow = document.documentElement.scrollWidth - window.innerWidth;
const seen = JSON.stringify({rows, bars, tracks, overflow});
document.body.insertAdjacentHTML("beforeend", "<pre id='probe'>" + seen + "</pre>");
</script>"""


def browser(profile: Path, *args: str) -> str:
    """Run headless chromium with a profile of its own under ``profile``; its stdout."""
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            f"--user-data-dir={profile / 'chromium-profile'}",
            *args,
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=180,
    ).stdout


def probe(page: str, folder: Path, width: int, chart: str = "index-chart") -> dict[str, object]:
    copy = folder / f"probe-{width}.html"
    copy.write_text(page.replace("</body>", PROBE.replace("CHART", chart) + "</body>"), encoding="utf-8")
    dom = browser(folder, f"--window-size={width},900", "--dump-dom", copy.as_uri())
    found = re.search(r"<pre id=\"probe\">(.*?)</pre>", dom, re.DOTALL)
    assert found, dom[-500:]
    return json.loads(found.group(1))  # type: ignore[no-any-return]


@needs_browser
@pytest.mark.parametrize("width", [1200, 390])  # a desktop and a phone
def test_browser_shows_one_row_and_one_bar_per_unit(ranking: Ranking, page: str, tmp_path: Path, width: int) -> None:
    seen = probe(page, tmp_path, width)
    assert seen["rows"] == len(ranking.units)
    bars, tracks = seen["bars"], seen["tracks"]
    assert isinstance(bars, list) and isinstance(tracks, list) and len(bars) == len(ranking.units)
    for drawn, track, unit in zip(bars, tracks, ranking.units, strict=True):
        assert track > 100  # a bar is never squeezed to nothing, not even on a phone
        assert abs(drawn / track * 100 - float(unit.index)) < 1  # drawn as long as its index
    assert seen["overflow"] == 0  # wide tables scroll inside the page, the page itself does not


@needs_browser
def test_browser_screenshot(page: str, tmp_path: Path) -> None:
    html = tmp_path / "xep-hang.html"
    write_html(page, html, overwrite=False)
    png = tmp_path / "report.png"
    browser(tmp_path, "--window-size=1100,1600", f"--screenshot={png}", html.as_uri())
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1100, 1600)


@needs_browser
def test_browser_card_page_fits_a_phone(tmp_path: Path) -> None:
    loaded = load_file(SHIPPED)
    assert loaded.card is not None
    page = render_card(loaded.card, rollup(loaded.card), str(SHIPPED), DEFAULT_BANDS)
    seen = probe(page, tmp_path, 390, chart="unit-fields")
    bars = seen["bars"]
    assert isinstance(bars, list) and len(bars) == len(loaded.card.criteria)  # one bar per field
    assert seen["overflow"] == 0


def test_appraised_and_final_points_get_their_columns() -> None:
    """Once appraisal sets final points apart from the self points, both show (and the applicable
    maximum when it is not 100)."""
    appraised = Summary(
        file=str(SHIPPED),
        unit="Sở A",
        level="so",
        year=2021,
        self_total=Decimal(95),
        appraised=Decimal(80),
        final=Decimal(80),
        max=Decimal(100),
        applicable_max=Decimal(84),
        fields=(),
    )
    plain = Summary(
        file=str(SHIPPED),
        unit="Sở B",
        level="so",
        year=2021,
        self_total=Decimal(90),
        appraised=None,
        final=Decimal(90),
        max=Decimal(100),
        applicable_max=Decimal(100),
        fields=(),
    )
    ranking = rank([appraised, plain])
    table = parse(render_ranking(ranking)).one("table", "ranking")
    header = [th.all_text() for th in table.one("thead").find("th")]
    assert [
        render(k) for k in ("rank.col.self", "rank.col.appraised", "rank.col.final", "rank.col.applicable-max")
    ] == header[4:8]
    first = [c.all_text() for c in table.one("tbody").find("tr")[0].children if c.tag in ("td", "th")]
    assert first[1] == "Sở A" and first[4:9] == ["95,00", "80,00", "80,00", "84", "95,24"]  # 80 of 84 applicable
    plain_page = parse(render_ranking(rank([plain])))
    assert render("rank.col.final") not in plain_page.one("table", "ranking").one("thead").all_text()


@needs_browser
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed: apt-get install poppler-utils")
def test_printed_on_a4_each_unit_from_a_new_page_with_the_table_header_repeated(cards: Cards, tmp_path: Path) -> None:
    ranking = rank(summarize_files([str(p) for p in cards.ranked[:3]]))
    html = tmp_path / "three.html"
    write_html(render_ranking(ranking), html, overwrite=False)
    pdf = tmp_path / "three.pdf"
    browser(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri())
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info)
    assert size and (round(float(size[1])), round(float(size[2]))) == (595, 842)  # A4 in points
    pages = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    tops = [next((line.split() for line in page.splitlines() if line.strip()), []) for page in pages]
    for unit in ranking.units:  # a page starts with the unit's rank and name
        assert [str(unit.rank), *unit.summary.unit.split()] in tops, unit.summary.unit
    continued = [top for top in tops if top[:2] == ["Điểm", "Điểm"]]  # the criteria header, repeated
    assert len(continued) >= len(ranking.units)
