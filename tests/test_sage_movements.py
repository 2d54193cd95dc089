"""Receipts, deductions and refunds to Sage, and the allocation sheet: the rows an accountant checks in the file."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from arxl.billing.credit import credit_note
from arxl.cli import main
from arxl.core.fx import from_sage_rate, sage_rate
from arxl.formats.sage import ALLOCATION_COLUMNS, COLUMNS, sage_export
from arxl.formats.xlsx.apply import apply_changes
from arxl.formats.xlsx.book import open_ledger
from arxl.ledger.checks import check_ledger
from arxl.ledger.ledger import Ledger
from arxl.ledger.records import Allocation, ExchangeRate, Receipt, Row, Setting
from tests.builders import billing_book, billing_tables

ON = dt.date(2025, 8, 4)


def tables_with(receipts: list[Receipt], allocations: list[Allocation],
                rates: tuple[tuple[dt.date, str], ...] = ((dt.date(2025, 7, 15), "1440"),)) -> dict[str, list[Row]]:
    tables = billing_tables()
    tables["Settings"] = [s for s in tables["Settings"] if getattr(s, "key", "") != "USD Rate"]
    tables["Settings"] += [Setting(key="Sage Bank Nominal USD", value="1210")]
    tables["Rates"] = [ExchangeRate(date=day, currency="USD", rate=D(rate), source="BNR") for day, rate in rates]
    tables["Receipts"] = list(receipts)
    tables["Allocations"] = list(allocations)
    return tables


def ledger_of(path: Path) -> Ledger:
    ledger, problems = open_ledger(path)
    assert [p for p in problems if p.severity == "error"] == []
    return ledger


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="ascii", newline="") as stream:
        return list(csv.DictReader(stream))


MINICT_PAID = Receipt(receipt_id="R-0701", date=dt.date(2025, 7, 25), amount=D(1162000), currency="RWF",
                      customer_id="C001", payer_name="MINISTRY OF ICT", narrative="INV 2025 1",
                      bank_reference="FT25206ABC")
MINICT_CLEARS = [  # 1,326,000 = 1,162,000 cash + 126,000 VAT withheld + 36,000 WHT (3% of 1,200,000) + 2,000 charges
    Allocation(receipt_id="R-0701", invoice_no="INV-2025-00001", date=dt.date(2025, 7, 25), currency="RWF",
               applied_amount=D(1162000), deduction_amount=D(126000), deduction_type="vat_withheld"),
    Allocation(receipt_id="R-0701", invoice_no="INV-2025-00001", date=dt.date(2025, 7, 25), currency="RWF",
               applied_amount=D(0), deduction_amount=D(36000), deduction_type="wht"),
    Allocation(receipt_id="R-0701", invoice_no="INV-2025-00001", date=dt.date(2025, 7, 25), currency="RWF",
               applied_amount=D(0), deduction_amount=D(2000), deduction_type="bank_charges"),
]


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return billing_book(tmp_path / "billing.xlsx", tables_with([MINICT_PAID], MINICT_CLEARS))


def test_an_rwf_receipt_with_withholding_and_charges_goes_to_sage_with_its_allocations(book: Path) -> None:
    out = book.with_name("sage-2025-07.csv")
    assert main(["export", "sage", str(book), "--period", "2025-07", "-o", str(out)]) == 0
    moves = [(r["Type"], r["Account Reference"], r["Nominal A/C Ref"], r["Date"], r["Reference"], r["Net Amount"],
              r["Tax Code"], r["Tax Amount"], r["Exchange Rate"], r["Extra Reference"])
             for r in rows_of(out) if r["Type"] not in ("SI", "SC") or "/" in r["Reference"]]
    assert moves == [
        ("SA", "MINICT01", "1200", "25/07/2025", "R-0701", "1162000", "T9", "0", "1", "FT25206ABC"),
        ("SA", "MINICT01", "1250", "25/07/2025", "INV-2025-00001/VATW", "126000", "T9", "0", "1", "R-0701"),
        ("SA", "MINICT01", "1251", "25/07/2025", "INV-2025-00001/WHT", "36000", "T9", "0", "1", "R-0701"),
        ("SC", "MINICT01", "7901", "25/07/2025", "INV-2025-00001/BANK", "2000", "T9", "0", "1", "R-0701"),
    ]
    assert rows_of(out)[4]["Details"] == "MINISTRY OF ICT / INV 2025 1"
    sheet = book.with_name("sage-2025-07-allocations.csv")
    with sheet.open(encoding="ascii", newline="") as stream:
        assert tuple(next(csv.reader(stream))) == ALLOCATION_COLUMNS
    assert [tuple(r.values()) for r in rows_of(sheet)] == [
        ("MINICT01", "SA", "R-0701", "25/07/2025", "INV-2025-00001", "1162000", "RWF", "MINISTRY OF ICT"),
        ("MINICT01", "SA", "INV-2025-00001/VATW", "25/07/2025", "INV-2025-00001", "126000", "RWF",
         "VAT withheld at source, receipt R-0701"),
        ("MINICT01", "SA", "INV-2025-00001/WHT", "25/07/2025", "INV-2025-00001", "36000", "RWF",
         "Withholding tax at source, receipt R-0701"),
        ("MINICT01", "SC", "INV-2025-00001/BANK", "25/07/2025", "INV-2025-00001", "2000", "RWF",
         "Bank charges, receipt R-0701"),
    ]
    # what the invoice owed is what Sage clears on it: 1,326,000
    assert sum(D(r["Amount"]) for r in rows_of(sheet)) == D(1326000)
    ledger = ledger_of(book)
    assert all(r.sage_exported is not None for r in ledger.receipts)
    assert all(a.sage_exported is not None for a in ledger.allocations)


def test_nothing_goes_twice_and_again_writes_it_all_again(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = book.with_name("july.csv")
    assert main(["export", "sage", str(book), "--period", "2025-07", "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert "2 invoices, 1 receipt (SA), 3 deductions; 8 row(s) written" in said
    assert "4 allocation(s) to make in Sage" in said and "july-allocations.csv" in said
    first = out.read_bytes(), out.with_name("july-allocations.csv").read_bytes()
    assert main(["export", "sage", str(book), "--period", "2025-07", "-o", str(out)]) == 0
    assert "nothing new to export" in capsys.readouterr().out
    assert (out.read_bytes(), out.with_name("july-allocations.csv").read_bytes()) == first  # left as they were
    assert main(["export", "sage", str(book), "--period", "2025-07", "-o", str(out), "--again"]) == 0
    assert (out.read_bytes(), out.with_name("july-allocations.csv").read_bytes()) == first


def test_usd_documents_receipts_and_charges_carry_the_rate_of_their_own_date(tmp_path: Path) -> None:
    paid = Receipt(receipt_id="R-0702", date=dt.date(2025, 7, 28), amount=D("1506.05"), currency="USD",
                   customer_id="C002", payer_name="ACME HOLDINGS")
    clears = [Allocation(receipt_id="R-0702", invoice_no="INV-2025-00002", date=dt.date(2025, 7, 29),
                         currency="USD", applied_amount=D("1506.05"), deduction_amount=D("25.00"),
                         deduction_type="bank_charges")]
    rates = ((dt.date(2025, 7, 15), "1440"), (dt.date(2025, 7, 25), "1445.50"))  # 28/07: the 25th's, 3 days back
    result = sage_export(ledger_of(billing_book(tmp_path / "b.xlsx", tables_with([paid], clears, rates))),
                         "2025-07", on=ON)
    assert [p for p in result.problems if p.severity == "error"] == []
    usd = [(r.type, r.nominal, r.fields()[7], r.fields()[10]) for r in result.rows if r.currency == "USD"]
    assert usd == [
        ("SI", "4000", "1297.50", "0.000694444444444444444444"),  # the invoice date's rate, 1,440
        ("SA", "1210", "1506.05", "0.000691802144586648218609"),  # the receipt date's, 1,445.50
        ("SC", "7901", "25.00", "0.000691802144586648218609"),  # its charges too, not the 29th's
    ]
    assert sage_rate(D("1445.50")) == D("0.000691802144586648218609")
    assert from_sage_rate(D("1506.05"), D("0.000691802144586648218609"), "RWF") == D(2176995)  # 1506.05 x 1445.50
    assert [(x.type, x.reference, x.fields()[5], x.currency) for x in result.allocations] == [
        ("SA", "R-0702", "1506.05", "USD"), ("SC", "INV-2025-00002/BANK", "25.00", "USD")]


def test_an_rwf_receipt_paying_a_usd_invoice_posts_exactly_the_rwf_received(tmp_path: Path) -> None:
    paid = Receipt(receipt_id="R-0703", date=dt.date(2025, 7, 30), amount=D(2210000), currency="RWF",
                   customer_id="C002", payer_name="ACME RWANDA")
    clears = [Allocation(receipt_id="R-0703", invoice_no="INV-2025-00002", date=dt.date(2025, 7, 30),
                         currency="USD", applied_amount=D("1531.05"), rate=D(1443))]
    result = sage_export(ledger_of(billing_book(tmp_path / "b.xlsx", tables_with([paid], clears))), "2025-07",
                         on=ON)
    sa = next(r for r in result.rows if r.type == "SA")
    # 1,531.05 USD applied (2,209,305 RWF at 1,443) + the 695 RWF left on account at that rate (0.48 USD)
    assert (sa.account_reference, sa.nominal, sa.currency, sa.net) == ("C002", "1200", "USD", D("1531.53"))
    assert sa.exchange_rate == D("0.000693000000000000000000")
    assert from_sage_rate(sa.net, sa.exchange_rate, "RWF") == D(2210000)  # the RWF the bank received, exactly
    assert [(x.reference, x.allocate_to, str(x.amount), x.currency) for x in result.allocations] == [
        ("R-0703", "INV-2025-00002", "1531.05", "USD")]


def test_a_refund_is_an_sp_allocated_to_the_credit_note_it_repays(book: Path) -> None:
    apply_changes(book, credit_note(ledger_of(book), "INV-2025-00001", amount=D(118000), reason="3 days outage",
                                    on=dt.date(2025, 7, 20)))
    ledger = ledger_of(book)
    note = next(i.invoice_no for i in ledger.invoices if i.doc_type == "credit_note")
    refund = Receipt(receipt_id="R-0799", date=dt.date(2025, 7, 31), amount=D(-50000), currency="RWF",
                     customer_id="C001", payer_name="Refund of credit note")
    tables = tables_with([MINICT_PAID, refund], [*MINICT_CLEARS, Allocation(
        receipt_id="R-0799", invoice_no=note, date=dt.date(2025, 7, 31), currency="RWF", applied_amount=D(50000))])
    tables["Invoices"] = list(ledger.invoices)
    tables["InvoiceLines"] = list(ledger.invoice_lines)
    result = sage_export(ledger_of(billing_book(book.with_name("refund.xlsx"), tables)), "2025-07", on=ON)
    assert [p for p in result.problems if p.severity == "error"] == []
    sp = [(r.type, r.account_reference, r.nominal, r.reference, r.net, r.tax_code) for r in result.rows
          if r.type == "SP"]
    assert sp == [("SP", "MINICT01", "1200", "R-0799", D(50000), "T9")]
    assert (result.counts.refunds, result.counts.receipts, result.counts.credit_notes) == (1, 1, 1)
    lines = [(x.type, x.reference, x.date, x.allocate_to, x.amount) for x in result.allocations]
    # the note of 20 July clears 118,000 of the invoice, which still owed 1,326,000 that day
    assert ("SC", note, dt.date(2025, 7, 20), "INV-2025-00001", D(118000)) == lines[0]
    assert lines[-1] == ("SP", "R-0799", dt.date(2025, 7, 31), note, D(50000))


def test_a_credit_note_after_payment_clears_nothing_of_its_invoice(book: Path) -> None:
    apply_changes(book, credit_note(ledger_of(book), "INV-2025-00001", amount=D(118000), reason="late credit",
                                    on=dt.date(2025, 7, 31)))
    result = sage_export(ledger_of(book), "2025-07", on=ON)
    assert result.counts.credit_notes == 1
    assert [x.type for x in result.allocations if x.type == "SC" and x.reference.startswith("CN")] == []


def test_items_sage_would_refuse_are_held_back_at_their_cell(tmp_path: Path) -> None:
    receipts = [MINICT_PAID.model_copy(update={"receipt_id": "+R-0701"}),
                Receipt(receipt_id="R-0705", date=dt.date(2025, 7, 26), amount=D("100.00"), currency="USD",
                        customer_id="C002"),
                Receipt(receipt_id="R-0706", date=dt.date(2025, 7, 27), amount=D(5000), currency="RWF"),
                Receipt(receipt_id="R-0707", date=dt.date(2025, 7, 28), amount=D(1000), currency="RWF",
                        customer_id="C001")]
    allocations = [MINICT_CLEARS[0].model_copy(update={"receipt_id": "+R-0701"}),
                   MINICT_CLEARS[1].model_copy(update={"receipt_id": "R-0707", "deduction_type": ""})]
    ledger = ledger_of(billing_book(tmp_path / "b.xlsx", tables_with(receipts, allocations)))
    result = sage_export(ledger, "2025-07", on=ON)
    said = [str(p) for p in result.problems]
    receipts_table, allocations_table = ledger.receipts, ledger.allocations
    assert f"{receipts_table.where(0, 'receipt_id')}: +R-0701 not exported: its receipt ID begins with \"+\"" in \
        said[0]
    assert said[1] == (f"{receipts_table.where(1, 'currency')}: R-0705 not exported: the Rates sheet has no USD rate "
                       "for 26/07/2025 (nor for the 4 days before): add the RWF per USD rate of that day (BNR)")
    assert said[2].startswith(f"{receipts_table.where(2, 'customer_id')}: R-0706 not exported: it has no customer")
    assert result.problems[2].severity == "warning"
    assert f"{allocations_table.where(1, 'deduction_type')}: the  deduction of R-0707" in said[3]
    assert 'the deduction type "" has no Sage treatment' in said[3]
    assert [(u.table, u.row) for u in result.changes.updates if u.table in ("Receipts", "Allocations")] == [
        ("Receipts", receipts_table.row_numbers[3])]  # R-0707 itself is in Sage; its deduction is not


def test_validate_checks_the_sage_treatment_of_each_deduction_and_the_new_nominals(tmp_path: Path) -> None:
    tables = tables_with([], [])
    tables["Settings"] += [Setting(key="Sage WHT", value="BP 1251"), Setting(key="Sage Debtors Nominal",
                                                                             value="=1100"),
                           Setting(key="Sage Bank Charges", value="sc 7901")]
    ledger, _ = open_ledger(billing_book(tmp_path / "b.xlsx", tables))
    said = [str(p) for p in check_ledger(ledger) if "Sage" in p.message]
    assert any('Sage WHT "BP 1251" must be "SA <nominal>"' in s for s in said)
    assert any('Sage Debtors Nominal "=1100" begins with "="' in s for s in said)
    assert not any("Sage Bank Charges" in s for s in said)
    assert COLUMNS[0] == "Type"


def test_the_two_files_and_the_marks_go_together_or_not_at_all(book: Path) -> None:
    from arxl.app.sage import export_sage
    from arxl.core.errors import WorkbookLocked
    from arxl.formats.xlsx.host import FileHost

    out = book.with_name("sage.csv")
    out.write_bytes(b"an export not yet imported\r\n")
    sheet = book.with_name("sage-allocations.csv")
    lock = book.with_name("~$" + book.name)  # Excel opened the workbook after the command began: marking fails
    lock.write_text("")
    with pytest.raises(WorkbookLocked):
        export_sage(FileHost(book), "2025-07", out, on=ON)
    assert out.read_bytes() == b"an export not yet imported\r\n" and not sheet.exists()
    assert all(r.sage_exported is None for r in ledger_of(book).receipts)
    lock.unlink()
    report = export_sage(FileHost(book), "2025-07", out, on=ON)
    assert report.files == [out, sheet] and len(rows_of(sheet)) == 4


def test_cash_on_account_applied_a_month_later_is_in_that_months_sheet(tmp_path: Path) -> None:
    june = Receipt(receipt_id="R-0630", date=dt.date(2025, 6, 30), amount=D(118000), currency="RWF",
                   customer_id="C001", payer_name="MINICT", sage_exported=dt.date(2025, 7, 2))  # in Sage since June
    applied = Allocation(receipt_id="R-0630", invoice_no="INV-2025-00003", date=dt.date(2025, 7, 3),
                         currency="RWF", applied_amount=D(118000))
    book = billing_book(tmp_path / "b.xlsx", tables_with([june], [applied]))
    result = sage_export(ledger_of(book), "2025-07", on=ON)
    assert [r.reference for r in result.rows if r.type == "SA"] == []  # the receipt is not sent again
    assert [(x.type, x.reference, x.date, x.allocate_to, x.amount) for x in result.allocations] == [
        ("SA", "R-0630", dt.date(2025, 7, 3), "INV-2025-00003", D(118000))]
    apply_changes(book, result.changes)
    assert sage_export(ledger_of(book), "2025-07", on=ON).allocations == []  # and never twice
