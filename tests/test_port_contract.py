"""The WorkbookPort / Host contract: what every host must do, run against each host that exists here.

The file host (openpyxl + calamine) runs here, and so does the live-Excel host (xlwings) over the in-memory Excel
engine of :mod:`tests.xlmemory` ("memory"): xlwings' real front end, conversions and table resizes, with an
engine standing in for Excel. Over Excel itself its cases need Excel, which this Linux machine does not have:
they are collected and skipped with that reason, and run where Excel exists (set ARXL_EXCEL=1 on a Windows or
Mac machine with Excel and arxl installed).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from arxl.formats.xlsx.host import FileHost, Host, ledger_of
from arxl.ledger.changes import Cell, ChangeSet, SheetSpec
from arxl.ledger.records import TABLES, Invoice, columns
from tests.builders import small_book
from tests.xlmemory import activated, alerts, statuses


@pytest.fixture(params=["file", "memory", "excel"])
def host(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Host]:
    path = small_book(tmp_path / "billing.xlsx")
    if request.param == "file":
        yield FileHost(path)
        return
    if request.param == "memory":
        from arxl.excel.host import ExcelHost

        with activated() as app:
            yield ExcelHost(app.books.open(str(path)))
        return
    if not os.environ.get("ARXL_EXCEL") or sys.platform not in ("win32", "darwin"):
        pytest.skip("live Excel host: needs Excel (Windows or macOS) and ARXL_EXCEL=1; xlwings cannot drive "
                    "Excel on Linux")
    import xlwings as xw

    from arxl.excel.host import ExcelHost

    app = xw.App(visible=False)
    book = app.books.open(str(path))
    try:
        yield ExcelHost(book)
    finally:
        book.close()
        app.quit()


def test_reads_every_table_with_its_cells(host: Host) -> None:
    ledger, problems = ledger_of(host)
    assert problems == []
    assert [i.invoice_no for i in ledger.invoices] == ["INV-2025-00001", "INV-2025-00002"]
    assert ledger.invoices.rows[1].net_amount == D("1250.50")
    assert ledger.invoices.row_numbers == [2, 3]
    net = next(j for j, c in enumerate(columns(Invoice)) if c.field == "net_amount")
    assert ledger.invoices.where(1, "net_amount").cell == f"{chr(65 + net)}3"
    assert ledger.settings.company_name == "Kigali Cloud & Systems Ltd"


def test_appends_extend_the_table_and_read_back(host: Host) -> None:
    changes = ChangeSet()
    invoice = Invoice(invoice_no="INV-2025-00003", invoice_date=dt.date(2025, 7, 1), due_date=dt.date(2025, 7, 31),
                      customer_id="C001", currency="RWF", net_amount=D(1000), vat_amount=D(180),
                      total_amount=D(1180), notes="+250788123456")
    changes.append("Invoices", [invoice])
    host.apply(changes)
    ledger, problems = ledger_of(host)
    assert problems == []
    assert ledger.invoices.rows[-1] == invoice
    assert ledger.invoices.row_numbers[-1] == 4


def test_updates_set_one_cell(host: Host) -> None:
    changes = ChangeSet()
    changes.update("Invoices", 3, "status", "part-paid")
    host.apply(changes)
    ledger, _ = ledger_of(host)
    assert [i.status for i in ledger.invoices] == ["paid", "part-paid"]


def test_generated_sheet_is_replaced_whole(host: Host) -> None:
    for run in (1, 2):
        spec = SheetSpec("Log")
        spec.add(Cell(f"run {run}", style="title"), Cell("Amount", style="header"), Cell("Double", style="header"))
        spec.add(Cell("=HYPERLINK(\"x\")"), Cell(D("1.5"), currency="USD"), Cell(formula="=B2*2"))
        changes = ChangeSet()
        changes.replace_sheet(spec)
        host.apply(changes)
    port: Any = host.port()
    assert port.sheet_names().count("Log") == 1
    raw = port.read_table("Log", ["run 2", "Amount", "Double"])
    assert raw is not None and raw.headers == ["run 2", "Amount", "Double"]
    assert raw.rows[0][0] == '=HYPERLINK("x")' and raw.rows[0][1] == 1.5


def test_status_and_alert_reach_the_accountant(host: Host) -> None:
    host.status("Refreshing aging...")
    host.alert("[billing.xlsx]Invoices!F12: amount is not a number")
    if isinstance(host, FileHost):
        assert host.statuses == ["Refreshing aging..."]
        assert host.alerts == ["[billing.xlsx]Invoices!F12: amount is not a number"]
    elif not os.environ.get("ARXL_EXCEL"):
        app = host.book.app  # type: ignore[attr-defined]
        assert statuses(app) == ["Refreshing aging..."]
        assert alerts(app) == ["[billing.xlsx]Invoices!F12: amount is not a number"]


def test_every_table_of_the_design_is_read_by_the_port(host: Host) -> None:
    port = host.port()
    for spec in TABLES.values():
        if spec.name in port.sheet_names():
            raw = port.read_table(spec.name, [c.header for c in columns(spec.model)])
            assert raw is not None and raw.header_row == 1
