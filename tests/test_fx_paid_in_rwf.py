"""A USD invoice paid in RWF, end to end: the accountant's decision, the posting (an allocation in USD at the
day's rate, the RWF left over unapplied), the checks, the aging with its converted total (recalculated by
LibreOffice) and the realised difference."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook

from arxl.aging.sheet import AGING_SHEET, aging_report
from arxl.books.fx import fx_position
from arxl.cashapp.reconcile import ReconciliationRow, reconciliation_sheet
from arxl.cli import main
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.xlsx.apply import apply_changes
from arxl.formats.xlsx.book import open_ledger, validate
from arxl.formats.xlsx.writer import write_book
from arxl.ledger.changes import ChangeSet
from arxl.ledger.checks import examine
from arxl.ledger.openitems import open_items
from arxl.ledger.records import Allocation, Setting
from tests.calc import assert_formulas_match
from tests.test_fx_revalue import fx_tables

d = dt.date


def decided(path: Path, amount: str, decision: str) -> None:
    """A Reconciliation sheet with one RWF bank line of 31 July and the accountant's decision."""
    row = ReconciliationRow(statement="S1", line_id="1", date=d(2025, 7, 31), amount=D(amount), currency="RWF",
                            payer="ACME HOLDINGS", narrative="ACME INV-8 PAYMENT", bank_reference="FT2521200001",
                            decision=decision)
    changes = ChangeSet()
    changes.replace_sheet(reconciliation_sheet([row], "decided"))
    apply_changes(path, changes)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "fx.xlsx", fx_tables())


def test_an_rwf_line_pays_a_usd_invoice_at_the_day_rate_and_the_rest_stays_unapplied(book: Path) -> None:
    # INV-8 owes 200.00 USD; 300,000 RWF at 1,450 would be 206.90 USD: 200.00 applied (290,000 RWF), 10,000 left
    decided(book, "300000", "INV-8")
    assert main(["reconcile", "post", str(book), "--on", "2025-08-01"]) == 0
    ledger, problems = open_ledger(book)
    assert [p for p in problems + examine(ledger).problems if p.severity == "error"] == []
    [receipt] = [r for r in ledger.receipts if r.currency == "RWF" and r.date == d(2025, 7, 31)]
    [allocation] = [a for a in ledger.allocations if a.receipt_id == receipt.receipt_id]
    assert (allocation.invoice_no, allocation.currency, allocation.applied_amount, allocation.rate) == (
        "INV-8", "USD", D("200.00"), D(1450))
    items = {i.reference: i for i in open_items(ledger.invoices, ledger.allocations, d(2025, 7, 31), ledger.receipts)}
    assert "INV-8" not in items
    assert (items[receipt.receipt_id].kind, items[receipt.receipt_id].open_amount) == ("unapplied", D(-10000))
    assert next(i for i in ledger.invoices if i.invoice_no == "INV-8").status == "paid"
    # INV-8 was carried at 1,430.50 (286,100 RWF); paid 290,000 RWF: a realised gain of 3,900
    position = fx_position(ledger.invoices, ledger.receipts, ledger.allocations, d(2025, 7, 31), "RWF",
                           ledger.day_rates())
    [gain] = [r for r in position.realised if r.invoice_no == "INV-8"]
    assert (gain.payment_base, gain.invoice_base, gain.difference) == (D(290000), D(286100), D(3900))


def test_a_small_rwf_line_pays_what_it_can_to_the_cent(book: Path) -> None:
    # 1,000 RWF / 1,450 = 0.6897 -> 0.69 USD, which is 1,000.5 -> 1,001 RWF, more than the line: 0.68 USD
    decided(book, "1000", "INV-8")
    assert main(["reconcile", "post", str(book), "--on", "2025-08-01"]) == 0
    ledger, _ = open_ledger(book)
    [allocation] = [a for a in ledger.allocations if a.invoice_no == "INV-8"]
    assert (allocation.applied_amount, allocation.rate) == (D("0.68"), D(1450))
    items = {i.reference: i for i in open_items(ledger.invoices, ledger.allocations, d(2025, 7, 31), ledger.receipts)}
    assert items["INV-8"].open_amount == D("199.32")
    assert [i.open_amount for i in items.values() if i.kind == "unapplied" and i.currency == "RWF"] == [D(-14)]


def test_the_posting_is_refused_without_a_rate_on_the_line_date(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = write_book(tmp_path / "fx.xlsx", fx_tables(closing=False))
    decided(path, "300000", "INV-8")
    assert main(["reconcile", "post", str(path), "--on", "2025-08-01"]) == 2
    assert "no USD rate for 2025-07-31 or the 4 days before in Rates" in capsys.readouterr().err


def test_an_allocation_across_currencies_needs_its_rate_and_counts_in_the_receipt_currency(tmp_path: Path) -> None:
    tables = fx_tables()
    tables["Allocations"] = [*tables["Allocations"],
                             Allocation(receipt_id="R-0001", invoice_no="INV-8", date=d(2025, 7, 31), currency="USD",
                                        applied_amount=D("10.00"))]
    path = write_book(tmp_path / "fx.xlsx", tables)
    problems = validate(path)
    [missing] = [p for p in problems if "give the rate" in p.message]
    assert missing.severity == "error" and str(missing.where).startswith("[fx.xlsx]Allocations!")
    assert "the allocation is in USD and receipt R-0001 in RWF" in missing.message
    tables["Allocations"][-1] = tables["Allocations"][-1].model_copy(update={"rate": D(1450)})
    path = write_book(tmp_path / "fx2.xlsx", tables)
    # R-0001 is 582,000 RWF fully applied already: 10 USD more at 1,450 (14,500 RWF) exceed it
    assert any("allocations of receipt R-0001 (596500) exceed its amount 582000" in p.message
               for p in validate(path))


def test_the_settings_usd_rate_is_retired_with_a_warning_at_its_cell(tmp_path: Path) -> None:
    tables = fx_tables()
    tables["Settings"] = [*tables["Settings"], Setting(key="USD Rate", value="1440")]
    path = write_book(tmp_path / "fx.xlsx", tables)
    [retired] = [p for p in validate(path) if "USD Rate" in p.message]
    assert retired.severity == "warning" and retired.message == (
        "Settings USD Rate is no longer used: the Rates sheet gives each day's rate")
    assert str(retired.where).startswith("[fx.xlsx]Settings!B")


def test_the_aging_converts_each_item_at_the_closing_rate_and_names_it(book: Path) -> None:
    ledger, _ = open_ledger(book)
    report = aging_report(ledger, d(2025, 7, 31))
    # USD open: INV-7 500.00, INV-8 200.00, R-U -300.00, each at 1,450 = 725,000 + 290,000 - 435,000
    assert report.converted("USD") == D(580000)
    assert report.rates["USD"].published == d(2025, 7, 31) and report.missing == ()


def test_without_a_closing_rate_the_converted_total_is_left_out_with_a_warning(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_book(tmp_path / "fx.xlsx", fx_tables(closing=False))
    assert main(["aging", str(path), "--as-of", "2025-07-31"]) == 0
    captured = capsys.readouterr()
    assert "no USD rate for 2025-07-31 or the 4 days before in Rates: the Aging sheet's total in RWF is left out" \
        in captured.err + captured.out
    texts = [str(c.value) for row in load_workbook(path)[AGING_SHEET].iter_rows() for c in row if c.value]
    assert not any(t.startswith("All currencies in RWF") for t in texts)
    assert any(t.startswith("No total in RWF: no USD rate") for t in texts)


@pytest.mark.libreoffice
def test_the_converted_total_recalculated_by_libreoffice_equals_arxl(book: Path, libreoffice: LibreOffice) -> None:
    decided(book, "300000", "INV-8")
    assert main(["reconcile", "post", str(book), "--on", "2025-08-01"]) == 0
    assert main(["aging", str(book), "--as-of", "2025-07-31"]) == 0
    sheet = load_workbook(book)[AGING_SHEET]
    total = next(row for row in sheet.iter_rows() if str(row[0].value).startswith("All currencies in RWF"))[5]
    converted = [c.coordinate for row in sheet.iter_rows() for c in row[10:11]
                 if isinstance(c.value, str) and c.value.startswith("=ROUND(")]
    assert len(converted) == 2  # the USD items: INV-7 and R-U (INV-8 is paid)
    values = load_workbook(book, data_only=True)[AGING_SHEET]
    # RWF: the 10,000 left unapplied of the posted line; USD: 500.00 and -300.00, each at 1,450
    assert D(str(values[total.coordinate].value)) == D(-10000) + D(725000) - D(435000)
    expected = {(AGING_SHEET, total.coordinate): D(280000)}
    expected |= {(AGING_SHEET, ref): D(str(values[ref].value)) for ref in converted}
    assert_formulas_match(libreoffice, book, expected)


def test_sage_gets_the_rwf_receipt_on_the_usd_account_and_the_tie_out_agrees(book: Path, tmp_path: Path) -> None:
    """The receipt goes to Sage in USD on the customer's USD account (200.00 applied and the 10,000 RWF rest at
    1,450: 206.90 USD, posting exactly 300,000 RWF to the RWF bank); Sage, rebuilt from the files, agrees with
    the register, the rest being unapplied in USD in Sage as in the tie-out's view of arxl."""
    from arxl.app.sage import export_sage_months
    from arxl.app.tieout import tieout
    from arxl.core.period import Period
    from arxl.formats.xlsx.host import FileHost
    from arxl.ledger.records import InvoiceLine
    from arxl.ledger.sage_accounts import sage_accounts
    from arxl.sample.sage50 import Customer, Sage50, replay

    tables = fx_tables()  # the USD invoices with their lines, so Sage knows their nominal and tax code
    tables["InvoiceLines"] += [
        InvoiceLine(invoice_no=number, line_no=1, description="Support", quantity=D(1), unit_price=net,
                    net_amount=net, tax_code="VAT18", vat_rate=D(0), vat_amount=D(0), service_code="HOST-01")
        for number, net in (("INV-7", D("1000.00")), ("INV-8", D("200.00")))]
    book = write_book(tmp_path / "lines.xlsx", tables)
    decided(book, "300000", "INV-8")
    assert main(["reconcile", "post", str(book), "--on", "2025-08-01"]) == 0
    assert main(["fx", "revalue", str(book), "--period", "2025-07"]) == 0
    host = FileHost(book)
    first = min(i.invoice_date for i in open_ledger(book)[0].invoices)
    out = tmp_path / "sage"
    out.mkdir()
    done = export_sage_months(host, Period(first.year, first.month), Period.parse("2025-07"), out, again=True,
                              on=d(2025, 8, 1))
    assert not done.refused, [str(p) for p in done.problems]
    ledger, _ = open_ledger(book)
    model = Sage50("RWF", {account: Customer(account, c.name, code) for c in ledger.customers
                           for code, account in sage_accounts(c, "RWF").items()})
    replay(model, sorted(out.glob("sage-????-??.csv")))
    [paid] = [r for r in ledger.receipts if r.currency == "RWF" and r.date == d(2025, 7, 31)]
    [receipt] = [t for t in model.transactions if t.reference == paid.receipt_id]
    assert (receipt.type, receipt.account, receipt.nominal) == ("SA", "C002", ledger.settings.sage_bank("RWF"))
    assert (receipt.net, receipt.base_net) == (D("206.90"), D(300000))
    aged = model.write_aged_debtors(tmp_path / "aged.csv", d(2025, 7, 31))
    run = tieout(host, aged, d(2025, 7, 31))
    assert run.agrees, run.report.lines
