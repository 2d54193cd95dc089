"""ChangeSets applied to a workbook file: appends under Excel Tables, updates, generated sheets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

from openpyxl import load_workbook

from arxl.formats.libreoffice import LibreOffice
from arxl.formats.xlsx.apply import apply_changes
from arxl.formats.xlsx.book import open_ledger, validate
from arxl.ledger.changes import Cell, ChangeSet, ChartSpec, ConditionalFill, SheetSpec
from arxl.ledger.records import Invoice, InvoiceLine
from tests.builders import header_cell, small_book
from tests.calc import assert_formulas_match


def new_invoice(number: str, net: D) -> Invoice:
    return Invoice(invoice_no=number, invoice_date=dt.date(2025, 7, 1), due_date=dt.date(2025, 7, 31),
                   customer_id="C001", currency="RWF", net_amount=net, vat_amount=net * D("0.18"),
                   total_amount=net * D("1.18"), period="2025-07")


def test_rows_are_appended_under_the_table_and_read_back(tmp_path: Path) -> None:
    book = small_book(tmp_path / "billing.xlsx")
    changes = ChangeSet()
    changes.append("Invoices", [new_invoice("INV-2025-00003", D(100000)), new_invoice("INV-2025-00004", D(50000))])
    changes.append("InvoiceLines", [
        InvoiceLine(invoice_no="INV-2025-00003", line_no=1, description="Hosting", quantity=D(1),
                    unit_price=D(100000), net_amount=D(100000), tax_code="VAT18", vat_rate=D("0.18"),
                    vat_amount=D(18000)),
        InvoiceLine(invoice_no="INV-2025-00004", line_no=1, description="Hosting", quantity=D(1),
                    unit_price=D(50000), net_amount=D(50000), tax_code="VAT18", vat_rate=D("0.18"),
                    vat_amount=D(9000)),
    ])
    apply_changes(book, changes)
    ledger, problems = open_ledger(book)
    assert problems == []
    assert [i.invoice_no for i in ledger.invoices] == ["INV-2025-00001", "INV-2025-00002", "INV-2025-00003",
                                                        "INV-2025-00004"]
    assert ledger.invoices.rows[2].total_amount == D(118000)
    assert ledger.invoices.row_numbers[3] == 5
    sheet = load_workbook(book)["Invoices"]
    assert sheet.tables["Invoices"].ref.endswith("5")
    assert sheet[f"{header_cell(book, 'Invoices', 'Total Amount')}4"].number_format == "#,##0;-#,##0"
    assert [p for p in validate(book) if p.severity == "error"] == []


def test_user_columns_order_and_calculated_columns_survive(tmp_path: Path) -> None:
    book = small_book(tmp_path / "billing.xlsx")
    workbook = load_workbook(book)
    sheet = workbook["Invoices"]
    table = sheet.tables["Invoices"]
    last_col = sheet.max_column
    # the accountant adds a calculated column "Check" (=Total - Net) and their own sheet with a note
    from openpyxl.utils import get_column_letter

    extra = get_column_letter(last_col + 1)
    total = header_cell(book, "Invoices", "Total Amount")
    net = header_cell(book, "Invoices", "Net Amount")
    sheet[f"{extra}1"] = "Check"
    sheet[f"{extra}2"] = f"={total}2-{net}2"
    sheet[f"{extra}3"] = f"={total}3-{net}3"
    table.ref = f"A1:{extra}3"
    table.autoFilter.ref = table.ref
    table._initialise_columns()
    for column, title in zip(table.tableColumns, [c.value for c in sheet[1]], strict=False):
        column.name = str(title)
    workbook.create_sheet("My notes")["A1"] = "call MINICT on Monday"
    workbook.save(book)

    changes = ChangeSet()
    changes.append("Invoices", [new_invoice("INV-2025-00003", D(100000))])
    apply_changes(book, changes)
    after = load_workbook(book)
    assert after["My notes"]["A1"].value == "call MINICT on Monday"
    assert after["Invoices"][f"{extra}4"].value == f"={total}4-{net}4"
    assert after["Invoices"].tables["Invoices"].ref == f"A1:{extra}4"


def test_updates_change_one_cell_of_a_row(tmp_path: Path) -> None:
    book = small_book(tmp_path / "billing.xlsx")
    ledger, _ = open_ledger(book)
    changes = ChangeSet()
    changes.update("Invoices", ledger.invoices.row_numbers[1], "status", "part-paid")
    apply_changes(book, changes)
    ledger, _ = open_ledger(book)
    assert [i.status for i in ledger.invoices] == ["paid", "part-paid"]


def test_generated_sheet_with_formulas_links_and_a_chart(tmp_path: Path, libreoffice: LibreOffice) -> None:
    book = small_book(tmp_path / "billing.xlsx")
    spec = SheetSpec("Review", widths={"A": 30, "B": 14})
    spec.add(Cell("Pre-billing review", style="title"))
    spec.add(Cell("Customer", style="header"), Cell("Amount", style="header"), Cell("Other", style="header"))
    spec.add(Cell("=HYPERLINK(\"x\")"), Cell(D("1067.5"), currency="RWF"), Cell(D(1)))
    spec.add(Cell("MINICT", link="#Invoices!F2"), Cell(D("2.5"), currency="RWF"), Cell(D(2)))
    spec.add(Cell("Total", style="total"), Cell(formula="=ROUND(SUM(B3:B4),0)", style="total", currency="RWF"),
             Cell(formula="=SUM(C3:C4)"))
    spec.conditional.append(ConditionalFill("B3:B4", "B3>1000", "F8CBAD"))
    spec.charts.append(ChartSpec("Amounts", categories="A", series=("B", "C"), first_row=3, last_row=4,
                                 anchor="E2"))
    changes = ChangeSet()
    changes.replace_sheet(spec)
    apply_changes(book, changes)
    apply_changes(book, changes)  # replaced, not duplicated
    workbook = load_workbook(book)
    assert workbook.sheetnames.count("Review") == 1
    review = workbook["Review"]
    assert review["A3"].data_type == "s"  # outside text stays text
    assert review["A4"].hyperlink.location == "Invoices!F2"
    assert len(review._charts) == 1
    assert_formulas_match(libreoffice, book, {("Review", "B5"): D(1070), ("Review", "C5"): D(3)})


def test_an_older_table_gets_the_optional_column_arxl_now_writes(tmp_path: Path) -> None:
    """A workbook made before Receipts had "Sage Exported": marking a receipt exported widens its table by that
    column (rather than refusing, or dropping the date), and the receipt reads back marked."""
    book = small_book(tmp_path / "billing.xlsx")
    workbook = load_workbook(book)
    sheet = workbook["Receipts"]
    table = sheet.tables["Receipts"]
    from openpyxl.utils import range_boundaries

    _left, top, right, bottom = range_boundaries(table.ref)
    assert sheet.cell(row=top, column=right).value == "Sage Exported"  # the builder writes today's columns
    for row in range(top, bottom + 1):
        sheet.cell(row=row, column=right).value = None
    table.ref = f"{table.ref.split(':')[0]}:{sheet.cell(row=bottom, column=right - 1).coordinate}"
    table.autoFilter.ref = table.ref
    del table.tableColumns[-1]
    workbook.save(book)
    ledger, _ = open_ledger(book)
    assert ledger.receipts.rows and all(r.sage_exported is None for r in ledger.receipts.rows)
    changes = ChangeSet()
    changes.update("Receipts", ledger.receipts.row_numbers[0], "sage_exported", dt.date(2025, 8, 1))
    apply_changes(book, changes)
    again, problems = open_ledger(book)
    assert [p for p in problems if p.severity == "error"] == []
    assert again.receipts.rows[0].sage_exported == dt.date(2025, 8, 1)
    assert [r.sage_exported for r in again.receipts.rows[1:]] == [None] * (len(again.receipts.rows) - 1)
    assert load_workbook(book)["Receipts"].tables["Receipts"].ref.endswith(str(bottom))
