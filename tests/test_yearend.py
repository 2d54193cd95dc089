"""The year-end: every month to Sage, aging and certificates at 31/12, the YearEnd roll-forward (recalculated by
LibreOffice to arxl's figures, each account checked against its open items), the twelve months locked, resumable,
and refused while a bank line of the year waits for a decision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

from arxl.books.periods import locked
from arxl.books.yearend import SHEET, year_end_sheet
from arxl.cashapp.reconcile import HEADERS as RECONCILIATION_HEADERS
from arxl.cashapp.reconcile import SHEET as RECONCILIATION
from arxl.cli import main
from arxl.core.period import Period
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.xlsx.apply import apply_changes
from arxl.formats.xlsx.book import open_ledger
from arxl.ledger.changes import Cell, ChangeSet, SheetSpec
from arxl.ledger.ledger import Ledger
from arxl.ledger.records import Invoice
from tests.builders import rated_billing_book, recovery_book, recovery_tables
from tests.calc import assert_formulas_match

YEAR = Period.parse("2025", year=True)


def _ledger(path: Path) -> Ledger:
    ledger, problems = open_ledger(path)
    assert not [p for p in problems if p.severity == "error"], problems
    return ledger


def _close_rows(path: Path) -> dict[str, tuple[object, ...]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {str(r[1]): r for r in wb["Close"].iter_rows(min_row=5, values_only=True) if str(r[0]) == "2025"}
    finally:
        wb.close()


def test_the_year_end_exports_rolls_forward_and_locks_the_year(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    book = rated_billing_book(tmp_path / "billing.xlsx")
    out = tmp_path / "out"
    out.mkdir()
    assert main(["close", str(book), "--year", "2025", "--out", str(out), "--today", "2026-01-06"]) == 0
    printed = capsys.readouterr().out
    assert "2025: year-end close complete" in printed
    assert "export to Sage: 1 month(s) exported, 11 with nothing new" in printed
    assert "YearEnd sheet: 2 customer account(s) rolled forward to 31/12/2025, all agree" in printed
    assert {p.name[:12] for p in out.iterdir()} == {"sage-2025-07"}  # June was in Sage already; no other month
    ledger = _ledger(book)
    assert all(i.sage_exported == dt.date(2026, 1, 6) for i in ledger.invoices if i.period == "2025-07")
    events = locked(ledger.table("Periods").rows)
    assert list(events) == [f"2025-{m:02d}" for m in range(1, 13)]
    assert {e.reason for e in events.values()} == {"year-end 2025"}
    steps = _close_rows(book)
    assert {s: r[2] for s, r in steps.items()} == dict.fromkeys(
        ("export to Sage", "refresh aging", "certificates", "year-end sheet", "lock the year"), "done")
    wb = openpyxl.load_workbook(book, read_only=True)
    assert {"Aging", "Certificates", SHEET} <= set(wb.sheetnames)
    wb.close()
    # run again: every step already done, nothing exported or locked twice
    before = len(ledger.table("Periods").rows)
    assert main(["close", str(book), "--year", "2025", "--out", str(out), "--today", "2026-01-07"]) == 0
    assert "export to Sage: already done" in capsys.readouterr().out
    assert len(_ledger(book).table("Periods").rows) == before
    # the year is locked: a credit note dated in it is refused
    code = main(["invoices", "credit", str(book), "INV-2025-00001", "--reason", "late", "--on", "2025-12-20"])
    assert code == 2 and "2025-12 is locked" in capsys.readouterr().err


def test_the_year_end_waits_for_the_years_bank_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = rated_billing_book(tmp_path / "billing.xlsx")
    sheet = SheetSpec(RECONCILIATION)
    sheet.add(*(Cell(h) for h in RECONCILIATION_HEADERS))
    line = {"Statement": "BK-2025-11", "Line ID": "L1", "Date": dt.date(2025, 11, 28), "Amount": D(118000),
            "Currency": "RWF", "Payer": "MINICT"}
    sheet.add(*(Cell(line.get(h, "")) for h in RECONCILIATION_HEADERS))
    changes = ChangeSet()
    changes.replace_sheet(sheet)
    apply_changes(book, changes)
    code = main(["close", str(book), "--year", "2025", "--out", str(tmp_path), "--today", "2026-01-06"])
    err = capsys.readouterr().err
    assert code == 2 and "1 bank line(s) of 2025 await a decision in the Reconciliation sheet" in err
    assert _ledger(book).table("Periods").rows == [] and not list(tmp_path.glob("sage-*.csv"))
    # a line of the next year does not hold back this year's close
    assert main(["close", str(book), "--year", "2024", "--out", str(tmp_path), "--today", "2026-01-06"]) == 0


def test_the_roll_forward_agrees_with_the_open_items_and_libreoffice(tmp_path: Path, libreoffice: LibreOffice) -> None:
    tables = recovery_tables()
    tables["Invoices"].append(Invoice(
        invoice_no="INV-2024-00090", invoice_date=dt.date(2024, 12, 1), due_date=dt.date(2024, 12, 31),
        customer_id="C004", currency="RWF", net_amount=D(50000), vat_amount=D(9000), total_amount=D(59000)))
    book = recovery_book(tmp_path / "billing.xlsx", tables)
    made = year_end_sheet(_ledger(book), YEAR)
    assert not made.problems
    rows = {(a.customer_id, a.currency): a for a in made.accounts}
    c001 = rows[("C001", "RWF")]  # 1,180,000 + 590,000 invoiced; 970,000 received, 180,000 + 30,000 withheld
    assert (c001.opening, c001.invoiced, c001.received, c001.withheld, c001.other, c001.closing) == (
        D(0), D(1770000), D(970000), D(210000), D(0), D(590000))
    c003 = rows[("C003", "RWF")]  # 236,000 less a 59,000 credit note, 100,000 paid and 7,000 written off
    assert (c003.invoiced, c003.credited, c003.received, c003.other, c003.closing) == (
        D(236000), D(59000), D(100000), D(7000), D(70000))
    c004 = rows[("C004", "RWF")]  # 59,000 open from 2024; 354,000 invoiced; 400,000 received
    assert (c004.opening, c004.invoiced, c004.received, c004.closing, c004.open_items) == (
        D(59000), D(354000), D(400000), D(13000), D(13000))
    c006 = rows[("C006", "RWF")]  # paid by the Treasury: received on the district's account
    assert (c006.invoiced, c006.received, c006.closing) == (D(118000), D(118000), D(0))
    c002 = rows[("C002", "USD")]  # 1,250.50 + 800 invoiced; 1,225.50 received and 25 bank charges
    assert (c002.received, c002.other, c002.closing) == (D("1225.50"), D(25), D(800))
    changes = ChangeSet()
    changes.replace_sheet(made.sheet)
    apply_changes(book, changes)
    assert_formulas_match(libreoffice, book, {(SHEET, cell): value for cell, value in made.expected.items()})
