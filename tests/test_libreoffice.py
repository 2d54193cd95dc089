"""LibreOffice headless as a real part: recalculation agrees with Python, the harness catches disagreements,
PDFs are real pages, and failed conversions are reported instead of passing silently."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import openpyxl
import pytest

from arxl.core.money import round_money
from arxl.formats.libreoffice import ConversionFailed, LibreOffice
from tests.calc import assert_formulas_match, recalculated_values
from tests.conftest import need_tool

pytestmark = pytest.mark.libreoffice

INVOICE_LINES = [
    ("ACME", "USD", Decimal("800.555")),
    ("BETA", "USD", Decimal("120.10")),
    ("ACME", "USD", Decimal("99.99")),
    ("ACME", "RWF", Decimal("1067.5")),
]


def billing_book(path: Path) -> Path:
    """A small ledger: invoice lines, and a Totals sheet of ROUND, SUM and SUMIFS formulas over them."""
    book = openpyxl.Workbook()
    lines = book.active
    assert lines is not None
    lines.title = "Lines"
    lines.append(["Customer", "Currency", "Amount"])
    for customer, currency, amount in INVOICE_LINES:
        lines.append([customer, currency, amount])
    totals = book.create_sheet("Totals")
    totals["A1"], totals["B1"] = "Rounded first line (USD)", "=ROUND(Lines!C2,2)"
    totals["A2"], totals["B2"] = "Rounded RWF line", "=ROUND(Lines!C5,0)"
    totals["A3"], totals["B3"] = "ACME in USD", '=ROUND(SUMIFS(Lines!C:C,Lines!A:A,"ACME",Lines!B:B,"USD"),2)'
    totals["A4"], totals["B4"] = "All USD lines", '=SUMIFS(Lines!C:C,Lines!B:B,"USD")'
    totals["A5"], totals["B5"] = "Sum of rounded", "=SUM(B1:B2)"
    totals["A6"], totals["B6"] = "Invoice number", '="INV-"&TEXT(7,"0000")'
    book.save(path)
    return path


def test_sum_round_sumifs_recalculate_to_pythons_values(libreoffice: LibreOffice, tmp_path: Path) -> None:
    path = billing_book(tmp_path / "billing.xlsx")
    acme_usd = sum(a for c, cur, a in INVOICE_LINES if c == "ACME" and cur == "USD")
    all_usd = sum(a for _, cur, a in INVOICE_LINES if cur == "USD")
    first = round_money(Decimal("800.555"), "USD")
    rwf = round_money(Decimal("1067.5"), "RWF")
    assert (first, rwf) == (Decimal("800.56"), Decimal("1068"))  # the ties Excel rounds up
    assert_formulas_match(
        libreoffice,
        path,
        {
            ("Totals", "B1"): first,
            ("Totals", "B2"): rwf,
            ("Totals", "B3"): round_money(acme_usd, "USD"),
            ("Totals", "B4"): all_usd,
            ("Totals", "B5"): first + rwf,
            ("Totals", "B6"): "INV-0007",
        },
    )


def test_harness_catches_a_disagreement(libreoffice: LibreOffice, tmp_path: Path) -> None:
    path = billing_book(tmp_path / "billing.xlsx")
    # The py-moneyed pitfall: the decimal context's default (half-even) gives 2.66 where ROUND gives 2.67.
    book = openpyxl.load_workbook(path)
    book["Totals"]["B7"] = "=ROUND(2.665,2)"
    book.save(path)
    bankers = Decimal("2.665").quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    with pytest.raises(AssertionError) as caught:
        assert_formulas_match(
            libreoffice,
            path,
            {("Totals", "B1"): Decimal("800.56"), ("Totals", "B7"): bankers},
        )
    message = str(caught.value)
    assert "Totals!B7" in message
    assert "2.67" in message and "2.66" in message
    assert "Totals!B1" not in message  # only the cell that disagrees is listed


def test_an_unrounded_value_does_not_pass_for_a_rounded_one(libreoffice: LibreOffice, tmp_path: Path) -> None:
    path = billing_book(tmp_path / "billing.xlsx")
    book = openpyxl.load_workbook(path)
    book["Totals"]["B8"] = "=Lines!C2"  # a forgotten ROUND: 800.555, not 800.56
    book.save(path)
    with pytest.raises(AssertionError, match=r"Totals!B8"):
        assert_formulas_match(libreoffice, path, {("Totals", "B8"): Decimal("800.56")})


def test_stale_cached_values_are_recalculated_on_load(libreoffice: LibreOffice, tmp_path: Path) -> None:
    """LibreOffice trusts cached values by default; the profile setting must make it recalculate."""
    built = billing_book(tmp_path / "built.xlsx")
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(built) as source, zipfile.ZipFile(stale, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet2.xml":
                assert b"<f>SUM(B1:B2)</f><v></v>" in data
                data = data.replace(b"<f>SUM(B1:B2)</f><v></v>", b"<f>SUM(B1:B2)</f><v>99</v>")
            target.writestr(entry, data)
    assert recalculated_values(libreoffice, stale)["Totals"]["B5"] == pytest.approx(1868.56)


def _ppm_pixels(data: bytes) -> tuple[int, int, bytes]:
    """(width, height, RGB bytes) of a binary PPM (P6) image, the format ``pdftoppm`` writes by default."""
    fields: list[bytes] = []
    position = 0
    while len(fields) < 4:
        while data[position : position + 1].isspace():
            position += 1
        if data[position : position + 1] == b"#":
            position = data.index(b"\n", position) + 1
            continue
        start = position
        while not data[position : position + 1].isspace():
            position += 1
        fields.append(data[start:position])
    magic, width, height, maxval = fields
    assert magic == b"P6" and maxval == b"255"
    return int(width), int(height), data[position + 1 :]


def test_to_pdf_renders_a_page_that_is_not_blank(libreoffice: LibreOffice, tmp_path: Path) -> None:
    need_tool(
        shutil.which("pdftoppm") is not None, "pdftoppm is not installed: apt-get install poppler-utils"
    )
    path = billing_book(tmp_path / "INV-0007.xlsx")
    [pdf] = libreoffice.to_pdf([path], tmp_path / "pdf")
    assert pdf == tmp_path / "pdf" / "INV-0007.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(
        ["pdftoppm", "-r", "30", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    width, height, rgb = _ppm_pixels((tmp_path / "page.ppm").read_bytes())
    assert len(rgb) == width * height * 3
    inked = sum(1 for i in range(0, len(rgb), 3) if min(rgb[i : i + 3]) < 200)
    assert inked > 50, f"page 1 of {pdf.name} looks blank ({inked} dark pixels of {width * height})"


def test_failed_conversion_is_reported_not_silent(libreoffice: LibreOffice, tmp_path: Path) -> None:
    good = billing_book(tmp_path / "good.xlsx")
    not_a_workbook = tmp_path / "not-a-workbook.xlsx"
    not_a_workbook.write_text("Customer;Amount\nACME;800.555\n", encoding="utf-8")
    with pytest.raises(ConversionFailed) as caught:
        libreoffice.to_pdf([good, not_a_workbook], tmp_path / "pdf")
    message = str(caught.value)
    assert "not-a-workbook.xlsx" in message and "good.xlsx" not in message
    assert "\n" not in message
    # The files that did convert are still written.
    assert (tmp_path / "pdf" / "good.pdf").read_bytes().startswith(b"%PDF")


def test_missing_source_is_reported(libreoffice: LibreOffice, tmp_path: Path) -> None:
    with pytest.raises(ConversionFailed, match=r"file not found: nowhere\.xlsx"):
        libreoffice.recalculate(tmp_path / "nowhere.xlsx", tmp_path / "out")


def test_recalculating_into_the_source_folder_is_refused(libreoffice: LibreOffice, tmp_path: Path) -> None:
    path = billing_book(tmp_path / "billing.xlsx")
    before = path.read_bytes()
    with pytest.raises(ConversionFailed, match="would overwrite it"):
        libreoffice.recalculate(path, tmp_path)
    assert path.read_bytes() == before
