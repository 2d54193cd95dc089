"""Billing: the schedule by example, the pre-billing review, numbered invoices, re-runs and crashes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook

from arxl.billing.run import generate_invoices, plan_billing
from arxl.billing.schedule import charges
from arxl.cli import main
from arxl.core.numbering import gaps, next_numbers
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.xlsx.apply import apply_changes
from arxl.formats.xlsx.book import open_ledger, validate
from arxl.formats.xlsx.writer import write_book
from arxl.ledger.records import Contract, Customer, Row, Service, TaxCodeRow
from tests.builders import small_tables
from tests.calc import assert_formulas_match


def contract(**values: object) -> Contract:
    base: dict[str, object] = {"contract_ref": "K-1", "customer_id": "C001", "service_code": "HOST-01",
                               "quantity": D(1), "rate": D(310000), "currency": "RWF", "cycle": "monthly",
                               "billing": "advance", "start_date": dt.date(2024, 1, 1)}
    base.update(values)
    return Contract.model_validate(base)


def billed(k: Contract, period: str) -> list[tuple[dt.date, dt.date, dt.date, D]]:
    return [(c.first, c.last, c.bill_date, c.net) for c in charges(k, period)]


def test_monthly_in_advance_and_in_arrears() -> None:
    july = (dt.date(2025, 7, 1), dt.date(2025, 7, 31), dt.date(2025, 7, 1), D(310000))
    assert billed(contract(), "2025-07") == [july]
    arrears = contract(billing="arrears")
    assert billed(arrears, "2025-06") == [(dt.date(2025, 6, 1), dt.date(2025, 6, 30), dt.date(2025, 6, 30),
                                           D(310000))]
    assert billed(arrears, "2025-07")[0][2] == dt.date(2025, 7, 31)


def test_first_and_last_periods_are_prorated_by_days() -> None:
    first = contract(start_date=dt.date(2025, 7, 15))  # 17 of 31 days: 310,000 x 17/31 = 170,000
    assert billed(first, "2025-07") == [(dt.date(2025, 7, 15), dt.date(2025, 7, 31), dt.date(2025, 7, 15),
                                         D(170000))]
    assert "prorated 17/31 days" in charges(first, "2025-07")[0].description
    last = contract(end_date=dt.date(2025, 7, 10))  # 10 of 31 days
    assert billed(last, "2025-07") == [(dt.date(2025, 7, 1), dt.date(2025, 7, 10), dt.date(2025, 7, 1), D(100000))]
    assert billed(last, "2025-08") == []
    leap = contract(start_date=dt.date(2024, 2, 15), rate=D(290000))  # 15 of 29 days in February 2024
    assert billed(leap, "2024-02")[0][3] == D(150000)


def test_quarter_boundaries() -> None:
    k = contract(cycle="quarterly", rate=D(900000), start_date=dt.date(2025, 2, 10))
    # Q1 2025 has 90 days; from 10 Feb: 50 days -> 900,000 x 50/90 = 500,000 billed on 10 Feb
    assert billed(k, "2025-02") == [(dt.date(2025, 2, 10), dt.date(2025, 3, 31), dt.date(2025, 2, 10), D(500000))]
    assert billed(k, "2025-03") == []
    assert billed(k, "2025-04") == [(dt.date(2025, 4, 1), dt.date(2025, 6, 30), dt.date(2025, 4, 1), D(900000))]
    assert billed(k, "2025-05") == [] and billed(k, "2025-06") == []
    assert billed(k, "2025-07")[0][:2] == (dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    arrears = contract(cycle="quarterly", billing="arrears", rate=D(900000))
    assert billed(arrears, "2025-06") == [(dt.date(2025, 4, 1), dt.date(2025, 6, 30), dt.date(2025, 6, 30),
                                           D(900000))]


def test_annual_escalation_on_the_anniversary() -> None:
    k = contract(cycle="annual", rate=D(12000000), start_date=dt.date(2023, 3, 15), escalation=D("0.05"))
    assert billed(k, "2023-03")[0][3] == D(12000000)
    assert billed(k, "2024-03")[0][3] == D(12600000)
    assert billed(k, "2025-03") == [(dt.date(2025, 3, 15), dt.date(2026, 3, 14), dt.date(2025, 3, 15), D(13230000))]
    monthly = contract(rate=D(1000000), start_date=dt.date(2024, 7, 15), escalation=D("0.10"))
    assert billed(monthly, "2025-07")[0][3] == D(1000000)  # 1-31 July starts before the anniversary
    assert billed(monthly, "2025-08")[0][3] == D(1100000)


def test_one_off_service_orders_bill_once_and_discounts_apply() -> None:
    order = contract(cycle="once", rate=D("2500.00"), currency="USD", start_date=dt.date(2025, 7, 10),
                     end_date=dt.date(2025, 7, 25), billing="arrears", discount=D("0.1"))
    assert billed(order, "2025-07") == [(dt.date(2025, 7, 10), dt.date(2025, 7, 25), dt.date(2025, 7, 25),
                                         D("2250.00"))]
    assert billed(order, "2025-08") == []


def book_with(tmp_path: Path, contracts: list[Contract], extra: dict[str, list[Row]] | None = None) -> Path:
    tables = small_tables()
    tables["Contracts"] = list(contracts)
    tables["Services"] = tables["Services"] + [
        Service(service_code="LIC-01", description="Licences", rate=D("1000.00"), currency="USD", tax_code="ZERO"),
        Service(service_code="BAD-01", description="Unknown tax", rate=D(1000), currency="RWF", tax_code="VAT20"),
    ]
    tables["TaxCodes"] = tables["TaxCodes"] + [TaxCodeRow(code="ZERO", rate=D(0), effective_from=dt.date(2023, 1, 1))]
    tables["Customers"] = tables["Customers"] + [
        Customer(customer_id="C003", name="Rwanda Revenue Authority", customer_type="government", tin="",
                 terms="EOM+15"),
    ]
    for name, rows in (extra or {}).items():
        tables[name] = tables.get(name, []) + rows
    return write_book(tmp_path / "billing.xlsx", tables)


def july_contracts() -> list[Contract]:
    return [
        contract(contract_ref="K-001", rate=D(150000), quantity=D(4), po_number="PO-1"),  # C001, RWF, NET30
        contract(contract_ref="K-002", service_code="HOST-01", rate=D(150000), quantity=D(1), po_number="PO-1",
                 discount=D("0.05")),
        contract(contract_ref="K-003", customer_id="C002", service_code="LIC-01", rate=D("1000.00"),
                 currency="USD", quantity=D(3)),
        contract(contract_ref="K-004", customer_id="C003", service_code="HOST-01", rate=D(160000)),  # no TIN, no PO
        contract(contract_ref="K-005", customer_id="C003", service_code="BAD-01", rate=D(1000)),  # unknown tax code
        contract(contract_ref="K-006", status="suspended"),
    ]


def test_review_finds_each_planted_exception_at_its_cell(tmp_path: Path) -> None:
    book = book_with(tmp_path, july_contracts())
    ledger, _ = open_ledger(book)
    plan = plan_billing(ledger, "2025-07")
    found = {(f.severity, f.contract_ref, f.message.split(":")[0], str(f.where)) for f in plan.findings}
    assert ("warning", "K-004", "customer has no TIN for the tax invoice", "[billing.xlsx]Customers!D4") in found
    assert ("warning", "K-004", "rate differs from the approved rate for service HOST-01",
            "[billing.xlsx]Contracts!F5") in found
    assert ("warning", "K-004", "government contract without a PO / service-order number",
            "[billing.xlsx]Contracts!O5") in found
    # validate's warning, in validate's words, is the blocking finding (one validation path)
    assert ("blocking", "K-005", 'tax code "VAT20" is not in TaxCodes', "[billing.xlsx]Services!F4") in {
        (f.severity, f.contract_ref, f.message, str(f.where)) for f in plan.findings}
    assert plan.held == {"C003"}
    assert sorted(d.line.contract_ref for d in plan.billable) == ["K-001", "K-002", "K-003"]
    assert [c.contract.contract_ref for c in plan.skipped] == ["K-006"]


def test_generate_numbers_taxes_and_is_idempotent(tmp_path: Path) -> None:
    book = book_with(tmp_path, july_contracts())
    ledger, _ = open_ledger(book)
    run = generate_invoices(ledger, "2025-07")
    by_customer = {i.customer_id: i for i in run.invoices}
    assert sorted(by_customer) == ["C001", "C002"]  # C003 held back by its blocking exception
    rwf = by_customer["C001"]
    # 4 x 150,000 + 150,000 less 5 % = 600,000 + 142,500 = 742,500; VAT 18 % = 133,650
    assert (rwf.net_amount, rwf.vat_amount, rwf.total_amount) == (D(742500), D(133650), D(876150))
    assert rwf.invoice_no == "INV-2025-00003"  # the register already holds 00001 and 00002
    assert rwf.due_date == dt.date(2025, 7, 31)  # NET30 from 1 July
    usd = by_customer["C002"]
    assert (usd.invoice_no, usd.net_amount, usd.vat_amount, usd.total_amount) == (
        "INV-2025-00004", D("3000.00"), D(0), D("3000.00"))
    assert usd.due_date == dt.date(2025, 8, 15)  # EOM+15
    lines = [line for line in run.lines if line.invoice_no == rwf.invoice_no]
    assert sum(line.vat_amount for line in lines) == rwf.vat_amount
    assert [line.discount for line in lines] == [D(0), D(7500)]

    apply_changes(book, run.changes)
    # the planted one only, a warning: it holds back C003's billing, not every command
    assert [(str(p), p.severity) for p in validate(book)] == [
        ('[billing.xlsx]Services!F4: tax code "VAT20" is not in TaxCodes', "warning")]
    ledger, _ = open_ledger(book)
    statuses = sorted((s.contract_ref, s.status, s.invoice_no) for s in ledger.schedule)
    assert statuses == [("K-001", "billed", "INV-2025-00003"), ("K-002", "billed", "INV-2025-00003"),
                        ("K-003", "billed", "INV-2025-00004"), ("K-004", "due", ""), ("K-005", "due", ""),
                        ("K-006", "skipped", "")]
    again = generate_invoices(ledger, "2025-07")
    assert again.invoices == [] and again.changes.appends.get("Invoices") is None
    assert again.changes.updates == []


def test_held_customer_is_billed_once_fixed_with_the_next_number(tmp_path: Path) -> None:
    book = book_with(tmp_path, july_contracts())
    ledger, _ = open_ledger(book)
    apply_changes(book, generate_invoices(ledger, "2025-07").changes)
    workbook = load_workbook(book)
    services = workbook["Services"]
    for row in services.iter_rows(min_row=2):
        if row[0].value == "BAD-01":
            row[5].value = "VAT18"
    workbook.save(book)
    ledger, _ = open_ledger(book)
    run = generate_invoices(ledger, "2025-07")
    assert [(i.invoice_no, i.customer_id) for i in run.invoices] == [("INV-2025-00005", "C003")]
    assert {u.field for u in run.changes.updates} == {"status", "invoice_no"}
    apply_changes(book, run.changes)
    ledger, _ = open_ledger(book)
    assert gaps([i.invoice_no for i in ledger.invoices], "INV") == []
    assert all(s.status != "due" for s in ledger.schedule)


def test_a_crash_before_the_save_issues_no_number(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = book_with(tmp_path, july_contracts())
    before = book.read_bytes()
    ledger, _ = open_ledger(book)
    run = generate_invoices(ledger, "2025-07")
    import openpyxl.workbook.workbook as workbook_module

    def crash(self: object, filename: object) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(workbook_module.Workbook, "save", crash)
        with pytest.raises(OSError):
            apply_changes(book, run.changes)
    assert book.read_bytes() == before
    ledger, _ = open_ledger(book)
    rerun = generate_invoices(ledger, "2025-07")
    assert [i.invoice_no for i in rerun.invoices] == [i.invoice_no for i in run.invoices]  # no gap, no reuse


def test_numbering() -> None:
    assert next_numbers(["INV-2024-00099"], "INV", 2025, 1) == ["INV-2025-00001"]
    assert next_numbers(["INV-2025-00009", "CN-2025-00050"], "INV", 2025, 2) == ["INV-2025-00010", "INV-2025-00011"]
    assert gaps(["INV-2025-00001", "INV-2025-00003", "INV-2024-00002"], "INV") == ["INV-2024-00001",
                                                                                   "INV-2025-00002"]


def test_cli_review_links_each_exception_and_generate_runs_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], libreoffice: LibreOffice) -> None:
    book = book_with(tmp_path, july_contracts())
    assert main(["invoices", "review", str(book), "--period", "2025-07"]) == 0
    review = load_workbook(book)["Review"]
    rows = {(r[0].value, r[3].value, r[4].value): r[7] for r in review.iter_rows(min_row=5) if r[0].value}
    link = rows[("blocking", "K-005", 'tax code "VAT20" is not in TaxCodes')]
    assert link.value == "Services!F4" and link.hyperlink.location == "'Services'!F4"
    assert ("warning", "K-004", "customer has no TIN for the tax invoice") in rows
    # the live totals of what is ready to bill: RWF 742,500 (C001) and USD 3,000.00 (C002); C003 held back
    totals = {r[1].value: r[5].coordinate for r in review.iter_rows() if r[0].value == "Total"}
    assert_formulas_match(libreoffice, book, {("Review", totals["RWF"]): D(742500),
                                              ("Review", totals["USD"]): D("3000.00")})
    assert main(["invoices", "generate", str(book), "--period", "2025-07"]) == 0
    assert "2 invoice(s) INV-2025-00003 to INV-2025-00004" in capsys.readouterr().out
    assert main(["invoices", "generate", str(book), "--period", "2025-07"]) == 0
    assert "nothing new to bill" in capsys.readouterr().out
    assert main(["invoices", "generate", str(book), "--period", "2025-7"]) == 2
    assert "is not a month written YYYY-MM" in capsys.readouterr().err


def test_generate_writes_each_invoice_document_once(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    libreoffice: LibreOffice) -> None:
    book = book_with(tmp_path, july_contracts())
    out_dir = tmp_path / "invoices"
    assert main(["invoices", "generate", str(book), "--period", "2025-07", "--out", str(out_dir), "--pdf"]) == 0
    assert sorted(p.name for p in out_dir.iterdir()) == ["INV-2025-00003.pdf", "INV-2025-00003.xlsx",
                                                         "INV-2025-00004.pdf", "INV-2025-00004.xlsx"]
    assert (out_dir / "INV-2025-00003.pdf").read_bytes().startswith(b"%PDF")
    document = load_workbook(out_dir / "INV-2025-00003.xlsx")
    names = document.defined_names
    sheet_name, ref = next(iter(names["inv_number"].destinations))
    assert document[sheet_name][ref.replace("$", "")].value == "INV-2025-00003"
    capsys.readouterr()
    # a run that stopped after saving the register but before its documents: the next run writes them only
    (out_dir / "INV-2025-00004.xlsx").unlink()
    (out_dir / "INV-2025-00004.pdf").unlink()
    before = (out_dir / "INV-2025-00003.xlsx").stat().st_mtime_ns
    assert main(["invoices", "generate", str(book), "--period", "2025-07", "--out", str(out_dir), "--pdf"]) == 0
    printed = capsys.readouterr().out
    assert "nothing new to bill" in printed and "2 document(s) written" in printed
    assert (out_dir / "INV-2025-00004.pdf").exists()
    assert (out_dir / "INV-2025-00003.xlsx").stat().st_mtime_ns == before
