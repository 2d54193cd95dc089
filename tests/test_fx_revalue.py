"""``arxl fx revalue``: the Revaluations rows and the FX sheet of a month end, once; a missing rate refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from arxl.books.fx_sheet import FX_SHEET
from arxl.cli import main
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.xlsx.apply import apply_changes
from arxl.formats.xlsx.book import open_ledger
from arxl.formats.xlsx.writer import write_book
from arxl.ledger.changes import ChangeSet
from arxl.ledger.records import Allocation, ExchangeRate, Invoice, Receipt, Row
from tests.builders import small_tables
from tests.calc import assert_formulas_match

d = dt.date


def fx_tables(closing: bool = True) -> dict[str, list[Row]]:
    """C002 (USD): INV-7 1,000.00 at 1,400 on 1 July, half paid on 10 July at 1,420 (500.00, of which 20.00
    bank charges); INV-8 200.00 on 15 July (no stamped rate: 1,430.50, the rate of its date); R-U 300.00 USD
    received on 19 July, not applied. Closing rate 1,450 on 31 July."""
    tables = small_tables()
    usd = [(d(2025, 6, 30), "1440"), (d(2025, 7, 1), "1400"), (d(2025, 7, 10), "1420"), (d(2025, 7, 15), "1430.50")]
    if closing:
        usd.append((d(2025, 7, 31), "1450"))
    tables["Rates"] = [ExchangeRate(date=day, currency="USD", rate=D(rate), source="BNR") for day, rate in usd]
    tables["Invoices"] = [
        *tables["Invoices"][:1],
        Invoice(invoice_no="INV-7", invoice_date=d(2025, 7, 1), due_date=d(2025, 7, 31), customer_id="C002",
                currency="USD", net_amount=D("1000.00"), vat_amount=D(0), total_amount=D("1000.00"), rate=D(1400)),
        Invoice(invoice_no="INV-8", invoice_date=d(2025, 7, 15), due_date=d(2025, 8, 15), customer_id="C002",
                currency="USD", net_amount=D("200.00"), vat_amount=D(0), total_amount=D("200.00")),
    ]
    tables["InvoiceLines"] = tables["InvoiceLines"][:1]
    tables["Receipts"] = [
        *tables["Receipts"],
        Receipt(receipt_id="R-7", date=d(2025, 7, 10), amount=D("480.00"), currency="USD", customer_id="C002"),
        Receipt(receipt_id="R-U", date=d(2025, 7, 19), amount=D("300.00"), currency="USD", customer_id="C002"),
    ]
    tables["Allocations"] = [
        *tables["Allocations"],
        Allocation(receipt_id="R-7", invoice_no="INV-7", date=d(2025, 7, 10), currency="USD",
                   applied_amount=D("480.00"), deduction_amount=D("20.00"), deduction_type="bank_charges"),
    ]
    return tables


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "fx.xlsx", fx_tables())


def test_revalue_writes_one_row_per_open_item_to_the_franc(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fx", "revalue", str(book), "--period", "2025-07"]) == 0
    said = capsys.readouterr().out
    ledger, _ = open_ledger(book)
    rows = {r.reference: r for r in ledger.table("Revaluations")}
    assert sorted(rows) == ["INV-7", "INV-8", "R-U"]
    # INV-7: 500.00 left, carried 1,400,000 - 480 x 1,400 - 20 x 1,400 = 700,000; at 1,450 = 725,000
    assert (rows["INV-7"].open_amount, rows["INV-7"].difference) == (D("500.00"), D(25000))
    # INV-8: 200 at 1,430.50 = 286,100; at 1,450 = 290,000
    assert (rows["INV-8"].book_rate, rows["INV-8"].difference) == (D("1430.50"), D(3900))
    # R-U: 300 owed back at 1,430.50 (19 July takes 15 July's rate) = 429,150; at 1,450 = 435,000: a loss
    assert (rows["R-U"].open_amount, rows["R-U"].difference) == (D("-300.00"), D(-5850))
    assert {(r.period, r.date, r.closing_rate, r.rate_date, r.source) for r in rows.values()} == {
        ("2025-07", d(2025, 7, 31), D(1450), d(2025, 7, 31), "BNR")}
    assert "3 open item(s) revalued" in said and "a gain of 23,050 RWF" in said
    # realised: 480 at 1,420 against 1,400 = +9,600 and 20 of charges = +400
    assert "realised: a gain of 10,000 RWF on 2 clearing(s)" in said


def test_a_month_is_revalued_once_and_exported_rows_never_change(book: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fx", "revalue", str(book), "--period", "2025-07"]) == 0
    capsys.readouterr()
    assert main(["fx", "revalue", str(book), "--period", "2025-07"]) == 0
    assert "2025-07: already revalued (3 item(s), a gain of 23,050 RWF); not revalued again" in \
        capsys.readouterr().out
    ledger, _ = open_ledger(book)
    table = ledger.table("Revaluations")
    assert len(table) == 3
    changes = ChangeSet()
    for number in table.row_numbers:
        changes.update("Revaluations", number, "sage_exported", d(2025, 8, 2))
    apply_changes(book, changes)
    assert main(["fx", "revalue", str(book), "--period", "2025-07"]) == 0
    assert "its rows went to Sage and are never changed" in capsys.readouterr().out
    assert len(open_ledger(book)[0].table("Revaluations")) == 3


def test_a_missing_closing_rate_refuses_naming_date_and_currency(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = write_book(tmp_path / "fx.xlsx", fx_tables(closing=False))
    assert main(["fx", "revalue", str(path), "--period", "2025-07"]) == 2
    assert "no USD rate for 2025-07-31 or the 4 days before in Rates" in capsys.readouterr().err
    assert len(open_ledger(path)[0].table("Revaluations")) == 0


@pytest.mark.libreoffice
def test_the_fx_sheet_recalculated_by_libreoffice_gives_arxl_totals(book: Path, libreoffice: LibreOffice) -> None:
    assert main(["fx", "revalue", str(book), "--period", "2025-07"]) == 0
    from openpyxl import load_workbook

    sheet = load_workbook(book)[FX_SHEET]
    totals = {row[0].value: [c for c in row if c.value is not None][-1].coordinate for row in sheet.iter_rows()
              if str(row[0].value).startswith("Total")}
    formulas = {cell.coordinate for row in sheet.iter_rows() for cell in row
                if isinstance(cell.value, str) and cell.value.startswith("=")}
    assert len(formulas) > 10
    expected = {(FX_SHEET, totals["Total realised"]): D(10000), (FX_SHEET, totals["Total unrealised"]): D(23050)}
    values = load_workbook(book, data_only=True)[FX_SHEET]
    expected |= {(FX_SHEET, ref): D(str(values[ref].value)) for ref in formulas}
    assert_formulas_match(libreoffice, book, expected)
