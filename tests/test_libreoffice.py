"""The exported workbook in a real spreadsheet program: LibreOffice Calc recalculates every formula,
prints every row, and wraps text in no more lines than the exporter sized the rows for.

Needs ``soffice`` (Debian package ``libreoffice-calc-nogui``; ``.ci/run`` installs it), and for the
printout ``pdftotext`` (``poppler-utils``) and Times New Roman or its stand-in Liberation Serif
(``fonts-liberation``). Elsewhere the tests are skipped with that reason.
"""

from __future__ import annotations

import csv
import html
import random
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from cchc.scorecard.load import load_file
from cchc.scorecard.rollup import Row, rollup
from cchc.xlsx import measure
from cchc.xlsx.export import write_xlsx
from cchc.xlsx.layout import COLUMNS
from tests.conftest import ROOT, SHIPPED

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice Calc not installed: apt-get install libreoffice-calc-nogui"
)

# A profile that recalculates every formula of an .xlsx on load (0 = always), so the values read
# back are LibreOffice's own results, not the cached ones the export wrote.
PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""
ERRORS = ("#VALUE!", "#REF!", "#NAME?", "#DIV/0!", "#N/A", "#NUM!", "#NULL!", "Err:")


def convert(source: Path, fmt: str, tmp: Path) -> Path:
    """Let LibreOffice open ``source`` (recalculating everything) and save it as ``fmt``."""
    profile = tmp / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(PROFILE, encoding="utf-8")
    out = tmp / "out"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            fmt,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    (result,) = out.glob(f"{source.stem}.*")
    return result


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def number(text: str) -> Decimal:
    return Decimal(text.replace(",", ".")) if text else Decimal(0)


def field_rows(rows: list[list[str]], root: Row) -> dict[str, list[str]]:
    """CSV rows of the fields (by their upper-case title) and of the total."""
    titles = {row.node.title.upper(): row.node.id for row in root.children if row.node}
    found = {titles[r[1]]: r for r in rows if len(r) > 3 and r[1] in titles}
    found["total"] = next(r for r in rows if len(r) > 3 and r[1] == "TỔNG ĐIỂM")
    return found


@pytest.fixture(scope="module")
def shipped_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Row]:
    loaded = load_file(SHIPPED)
    assert loaded.card is not None
    root = rollup(loaded.card)
    out = tmp_path_factory.mktemp("export") / "tp-thanh-hoa-2021.xlsx"
    write_xlsx(loaded.card, root, out, source=SHIPPED, overwrite=False)
    return out, root


def test_libreoffice_recalculates_to_the_engine_numbers(shipped_export: tuple[Path, Row], tmp_path: Path) -> None:
    # openpyxl keeps the formulas but drops their cached values: LibreOffice must compute them.
    xlsx, root = shipped_export
    bare = tmp_path / "bare.xlsx"
    openpyxl.load_workbook(xlsx).save(bare)
    rows = read_csv(convert(bare, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path))
    text = "\n".join(",".join(r) for r in rows)
    assert not any(err in text for err in ERRORS)
    found = field_rows(rows, root)
    for field in root.children:
        assert field.node is not None
        cells = found[field.node.id]
        assert number(cells[2]) == field.max and number(cells[3]) == field.score, field.node.id
    assert number(found["total"][2]) == Decimal(100)
    assert number(found["total"][3]) == Decimal("98.52")


def test_formulas_stay_live_after_an_edit(shipped_export: tuple[Path, Row], tmp_path: Path) -> None:
    xlsx, root = shipped_export
    book = openpyxl.load_workbook(xlsx)
    sheet = book.worksheets[0]
    target = next(
        r for r in range(1, sheet.max_row + 1) if str(sheet.cell(r, 2).value or "").startswith("4.1.3.")
    )  # scored 0 of 1
    sheet.cell(target, 4).value = 1
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    rows = read_csv(convert(edited, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path))
    found = field_rows(rows, root)
    assert number(found["4"][3]) == Decimal(11)
    assert number(found["total"][3]) == Decimal("99.52")


def test_the_workbook_saved_by_libreoffice_still_imports_as_the_scorecard(
    shipped_export: tuple[Path, Row], tmp_path: Path
) -> None:
    """An officer opens the workbook and saves it: LibreOffice recalculates the sums, drops the
    creator, makes the very hidden sheet merely hidden. The hidden metadata still gives back the
    very scorecard."""
    from cchc.importers import import_file
    from cchc.scorecard.dump import dump_scorecard

    xlsx, _ = shipped_export
    saved = convert(xlsx, "xlsx:Calc MS Excel 2007 XML", tmp_path)
    result = import_file(saved)
    card = load_file(SHIPPED).card
    assert result.problems == [] and result.card is not None and card is not None
    assert dump_scorecard(result.card) == dump_scorecard(card)


@pytest.fixture(scope="module")
def shipped_pdf(shipped_export: tuple[Path, Row], tmp_path_factory: pytest.TempPathFactory) -> Path:
    xlsx, _ = shipped_export
    return convert(xlsx, "pdf", tmp_path_factory.mktemp("pdf"))


#: Where the PNG renders of the shipped form are kept (CI keeps the folder as an artifact).
RENDER_DIR = ROOT / "build" / "render"


def test_exported_sheet_renders_to_pdf_and_png(shipped_pdf: Path) -> None:
    """Every page as a PNG under build/render/, to look at (and for CI to keep)."""
    assert shipped_pdf.read_bytes().startswith(b"%PDF")
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm not installed: apt-get install poppler-utils")
    shutil.rmtree(RENDER_DIR, ignore_errors=True)
    RENDER_DIR.mkdir(parents=True)
    shutil.copy(shipped_pdf, RENDER_DIR / "tp-thanh-hoa-2021.pdf")
    subprocess.run([pdftoppm, "-png", "-r", "60", str(shipped_pdf), str(RENDER_DIR / "page")], check=True, timeout=240)
    pages = sorted(RENDER_DIR.glob("page-*.png"))
    print(f"\nthe printed form: {len(pages)} pages in {RENDER_DIR}")
    assert len(pages) == len(re.findall(r"<page ", pdf_text(shipped_pdf, "-bbox-layout")))


def _gray(path: Path) -> tuple[int, int, bytes]:
    """Width, height and pixels of a binary PGM (what ``pdftoppm -gray`` writes)."""
    data = path.read_bytes()
    magic, width, height, _, pixels = data.split(maxsplit=4)
    assert magic == b"P5"
    return int(width), int(height), pixels[-int(width) * int(height) :]


def _rules(path: Path) -> list[float]:
    """The y (in points, rendered at 72 dpi) of the horizontal lines drawn across most of the page:
    the borders between the table's rows."""
    width, height, pixels = _gray(path)
    groups: list[list[int]] = []
    for y in range(height):
        if sum(1 for v in pixels[y * width : (y + 1) * width] if v < 140) > width // 2:
            if groups and y - groups[-1][-1] <= 1:
                groups[-1].append(y)
            else:
                groups.append([y])
    return [(g[0] + g[-1]) / 2 for g in groups]


def _printed_rows(pdf: Path, tmp: Path) -> list[tuple[int, float, float, str]]:
    """Each table row as printed, between two of its borders: (page, its height, the blank below its
    last line of text, that line), the header row left out."""
    pages = re.findall(r"<page .*?</page>", pdf_text(pdf, "-bbox-layout"), re.S)
    subprocess.run(
        [shutil.which("pdftoppm") or "pdftoppm", "-gray", "-r", "72", str(pdf), str(tmp / "g")], check=True, timeout=240
    )
    images = sorted(tmp.glob("g-*.pgm"), key=lambda p: int(p.stem.split("-")[1]))
    found = []
    for number, (page, image) in enumerate(zip(pages, images, strict=True), start=1):
        lines = [
            (float(top), float(bottom), " ".join(html.unescape(w) for w in re.findall(r">([^<]*)</word>", body)))
            for top, bottom, body in re.findall(
                r'<line xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</line>', page, re.S
            )
        ]
        rules = _rules(image)
        for top, bottom in zip(rules[1:], rules[2:], strict=False):
            inside = [line for line in lines if line[0] >= top - 1 and line[1] <= bottom + 1]
            if inside:
                last = max(inside, key=lambda line: line[1])
                found.append((number, bottom - top, bottom - last[1], last[2]))
    return found


def test_the_printed_form_has_no_blank_bands_and_counts_its_own_pages(
    shipped_export: tuple[Path, Row], shipped_pdf: Path, tmp_path: Path
) -> None:
    """The seed table as LibreOffice prints it: each sheet numbers its own pages ("Trang 1/N", N the
    sheet's pages), the form takes fewer pages than the 28 it took with rows sized for Excel alone,
    and no printed row ends in a blank band taller than one line of its text."""
    if not fonts_like_times():
        pytest.skip("Times New Roman's stand-in missing: apt-get install fonts-liberation")
    xlsx, _ = shipped_export
    book = openpyxl.load_workbook(xlsx)
    counted = [len(book.worksheets[i].row_breaks.brk) + 1 for i in (0, 1)]
    text = pdf_text(shipped_pdf, "-layout")
    footers = [tuple(map(int, m)) for m in re.findall(r"Trang (\d+)/(\d+)", text)]
    form, index = counted
    assert footers == [(p, form) for p in range(1, form + 1)] + [(p, index) for p in range(1, index + 1)]
    assert form <= 27
    rows = _printed_rows(shipped_pdf, tmp_path)
    scale = int(book.worksheets[0].page_setup.scale) / 100
    line = 13.3 * scale  # one line of 12 pt Liberation Serif as LibreOffice sets it, printed
    form_rows = [row for row in rows if row[0] <= form]
    sheet = book.worksheets[0]
    nodes = [
        r
        for r in range(5, sheet.max_row + 1)
        if sheet.cell(r, 2).value and not str(sheet.cell(r, 2).value).startswith("(tiếp theo")
    ]
    assert len(form_rows) >= len(nodes)  # every node between its borders, on one page or more
    banded = [f"page {page}: {blank:.1f} pt blank below “{last}”" for page, _, blank, last in form_rows if blank > line]
    assert not banded


def pdf_text(pdf: Path, *args: str) -> str:
    if PDFTOTEXT is None:
        pytest.skip("pdftotext not installed: apt-get install poppler-utils")
    return subprocess.run(
        [PDFTOTEXT, *args, str(pdf), "-"], check=True, capture_output=True, text=True, timeout=120
    ).stdout


def test_every_row_is_printed_under_the_repeated_header(shipped_export: tuple[Path, Row], shipped_pdf: Path) -> None:
    # LibreOffice once dropped the last rows, the total among them, when they ended near the foot
    # of the last page (a footer it sized from its text; see cchc.xlsx.export.FOOTER_ROOM).
    xlsx, _ = shipped_export
    text = pdf_text(shipped_pdf, "-layout")
    flat = " ".join(text.split())
    ws = openpyxl.load_workbook(xlsx).active
    names = [str(ws.cell(r, 2).value) for r in range(5, ws.max_row + 1) if ws.cell(r, 2).value]
    missing = [name for name in names if " ".join(name.split()[:3]) not in flat]
    assert not missing and names[-1] == "TỔNG ĐIỂM"
    pages = text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")
    assert len(pages) > 1 and all("Tài liệu kiểm chứng" in page for page in pages)


def fonts_like_times() -> bool:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return False
    found = subprocess.run([fc_match, "Times New Roman"], capture_output=True, text=True).stdout
    return "Liberation Serif" in found or "Times New Roman" in found


def samples(root: Row) -> list[str]:
    """Texts of the shipped table, alone and run together, some in capitals (as field names)."""
    texts: list[str] = []
    for row in root.walk():
        if row.node is not None:
            texts += [row.node.title, *row.node.evidence, *([row.node.note] if row.node.note else [])]
    words = " ".join(texts).split()
    pick = random.Random(4)
    runs = [" ".join(pick.choice(words) for _ in range(pick.choice([3, 8, 15, 30, 60]))) for _ in range(60)]
    chosen = pick.sample(texts, 40) + runs
    return [t.upper() if i % 4 == 0 else t for i, t in enumerate(chosen)]


def test_libreoffice_wraps_in_no_more_lines_than_the_rows_are_sized_for(
    shipped_export: tuple[Path, Row], tmp_path: Path
) -> None:
    """Each text, in each column width and weight of the form, laid out by LibreOffice in rows far
    taller than needed: it never takes more lines than the exporter's estimate."""
    if not fonts_like_times():
        pytest.skip("Times New Roman's stand-in missing: apt-get install fonts-liberation")
    _, root = shipped_export
    book = xlsxwriter.Workbook(
        str(tmp_path / "wrap.xlsx"), {"default_format_properties": {"font_name": measure.FONT, "font_size": 12}}
    )
    base = {"font_name": measure.FONT, "font_scheme": "none", "font_size": 12, "text_wrap": True, "valign": "top"}
    formats = {bold: book.add_format({**base, "bold": bold}) for bold in (False, True)}
    expected: dict[str, tuple[int, str]] = {}
    texts = samples(root)
    for width in sorted({column.width for column in COLUMNS}):
        sheet = book.add_worksheet(f"w{width}")
        sheet.set_column(0, 0, 8)
        sheet.set_column(1, 1, width)
        sheet.set_paper(9)
        sheet.set_landscape()
        sheet.set_margins(0.3, 0.3, 0.3, 0.3)
        room = measure.cell_room(measure.column_points(width))
        row = 0
        for i, text in enumerate(texts):
            bold = i % 2 == 1
            lines = measure.line_count(text, room, bold)
            if lines > 20:
                continue
            tag = f"Q{len(expected):04d}"
            expected[tag] = (lines, f"{width} {'bold' if bold else 'regular'}: {text}")
            sheet.write_string(row, 0, tag, formats[False])
            sheet.write_string(row, 1, text, formats[bold])
            sheet.set_row(row, (lines + 3) * measure.LINE_HEIGHT)
            row += 1
    book.close()
    layout = pdf_text(convert(tmp_path / "wrap.xlsx", "pdf", tmp_path), "-bbox-layout")
    got: dict[str, int] = {}
    for page in re.findall(r"<page .*?</page>", layout, re.S):
        lines = [
            (float(y), " ".join(html.unescape(w) for w in re.findall(r">([^<]*)</word>", body)))
            for y, body in re.findall(r'<line xMin="[\d.]+" yMin="([\d.]+)"[^>]*>(.*?)</line>', page, re.S)
        ]
        tags = sorted((y, t) for y, t in lines if re.fullmatch(r"Q\d{4}", t))
        for (top, tag), (bottom, _) in zip(tags, tags[1:] + [(1e9, "")], strict=True):
            got[tag] = len({round(y) for y, t in lines if top - 1 <= y < bottom - 1 and t != tag})
    assert got.keys() == expected.keys()
    over = [
        f"{got[tag]} lines, estimated {lines}: {what}" for tag, (lines, what) in expected.items() if got[tag] > lines
    ]
    assert not over


def test_libreoffice_recalculates_the_appraisal_column(tmp_path: Path) -> None:
    """The council's column is live too: LibreOffice's sums of "Điểm thẩm định" are the engine's."""
    from tests.appraised import COMMITTED

    loaded = load_file(COMMITTED)
    assert loaded.card is not None
    root = rollup(loaded.card)
    xlsx = tmp_path / "tham-dinh.xlsx"
    write_xlsx(loaded.card, root, xlsx, source=COMMITTED, overwrite=False)
    bare = tmp_path / "bare.xlsx"
    openpyxl.load_workbook(xlsx).save(bare)  # formulas kept, cached values dropped
    rows = read_csv(convert(bare, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path))
    assert not any(err in "\n".join(",".join(r) for r in rows) for err in ERRORS)
    found = field_rows(rows, root)
    for field in root.children:
        assert field.node is not None
        assert number(found[field.node.id][6]) == field.appraised, field.node.id
    assert number(found["total"][3]) == Decimal("98.52")
    assert number(found["total"][6]) == Decimal("98.45")


def test_the_appraised_workbook_saved_by_libreoffice_imports_back_every_round(tmp_path: Path) -> None:
    from cchc.importers import import_file
    from tests.appraised import COMMITTED

    card = load_file(COMMITTED).card
    assert card is not None
    xlsx = tmp_path / "tham-dinh.xlsx"
    write_xlsx(card, rollup(card), xlsx, source=COMMITTED, overwrite=False)
    result = import_file(convert(xlsx, "xlsx:Calc MS Excel 2007 XML", tmp_path))
    assert result.problems == [] and result.card == card
