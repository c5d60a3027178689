"""The exported workbook in a real spreadsheet program: LibreOffice Calc recalculates every formula.

Needs ``soffice`` (Debian package ``libreoffice-calc-nogui``; ``.ci/run`` installs it). Elsewhere
the tests are skipped with that reason.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from cchc_cli.export import write_xlsx
from cchc_cli.load import load_file
from cchc_cli.rollup import Row, rollup
from tests.conftest import SHIPPED

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice Calc not installed: "
                                "apt-get install libreoffice-calc-nogui")

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
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", fmt, "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=240)
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
    target = next(r for r in range(1, sheet.max_row + 1)
                  if str(sheet.cell(r, 2).value or "").startswith("4.1.3."))  # scored 0 of 1
    sheet.cell(target, 4).value = 1
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    rows = read_csv(convert(edited, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path))
    found = field_rows(rows, root)
    assert number(found["4"][3]) == Decimal(11)
    assert number(found["total"][3]) == Decimal("99.52")


def test_exported_sheet_renders_to_pdf_and_png(shipped_export: tuple[Path, Row], tmp_path: Path) -> None:
    xlsx, _ = shipped_export
    pdf = convert(xlsx, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm not installed: apt-get install poppler-utils")
    subprocess.run([pdftoppm, "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=120)
    assert list(tmp_path.glob("page*.png"))
