"""Posting re-checks what each invoice still owes as it writes the allocations: an invoice is never cleared twice,
whether two lines were proposed for it, a later posting approves a line for it again, or a Decision names it
twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook

from arxl.cashapp.reconcile import ReconciliationRow, reconciliation_sheet
from arxl.cli import main
from arxl.formats.xlsx.apply import apply_changes
from arxl.formats.xlsx.book import open_ledger
from arxl.formats.xlsx.writer import write_book
from arxl.ledger.changes import ChangeSet
from tests.test_fx_revalue import fx_tables

DAY = dt.date(2025, 7, 31)


def _line(line_id: str, amount: str, decision: str, invoice: str = "INV-8", applied: str = "200.00"
          ) -> ReconciliationRow:
    return ReconciliationRow(statement="S1", line_id=line_id, date=DAY, amount=D(amount), currency="USD",
                             payer="ACME HOLDINGS", narrative="TRANSFER", bank_reference=f"FT{line_id}",
                             customer_id="C002", invoice_no=invoice, applied=D(applied), status="review", score=75,
                             reason="payer's bank account is the customer's; amount = open amount", decision=decision)


def _sheet(book: Path, rows: list[ReconciliationRow]) -> None:
    changes = ChangeSet()
    changes.replace_sheet(reconciliation_sheet(rows, "decided"))
    apply_changes(book, changes)


def _cleared(book: Path, number: str) -> D:
    ledger, _ = open_ledger(book)
    return sum((a.applied_amount + a.deduction_amount for a in ledger.allocations if a.invoice_no == number), D(0))


def test_two_lines_approved_for_one_invoice_clear_it_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = write_book(tmp_path / "twice.xlsx", fx_tables())
    _sheet(book, [_line("1", "200.00", "approve"), _line("2", "200.00", "approve")])
    main(["reconcile", "post", str(book), "--on", "2025-08-01"])
    out = capsys.readouterr()
    assert "1 line(s) posted (200.00 USD)" in out.out
    assert "line 2: INV-8 is open for 0.00, and this line would clear 200.00 of it" in out.out + out.err
    assert _cleared(book, "INV-8") == D("200.00")
    # posting again (the line still approved): still refused, still cleared once
    main(["reconcile", "post", str(book), "--on", "2025-08-02"])
    assert _cleared(book, "INV-8") == D("200.00")
    ledger, _ = open_ledger(book)
    assert [r.amount for r in ledger.receipts if r.statement_line.endswith("FT2")] == []


def test_an_invoice_named_twice_in_a_decision_is_paid_once_and_the_rest_stays_on_account(tmp_path: Path) -> None:
    book = write_book(tmp_path / "named.xlsx", fx_tables())
    _sheet(book, [_line("1", "300.00", "INV-8; INV-8")])
    assert main(["reconcile", "post", str(book), "--on", "2025-08-01"]) == 0
    ledger, _ = open_ledger(book)
    [receipt] = [r for r in ledger.receipts if r.date == DAY]
    mine = [a for a in ledger.allocations if a.receipt_id == receipt.receipt_id]
    assert (receipt.amount, [(a.invoice_no, a.applied_amount) for a in mine]) == (D("300.00"), [("INV-8", D("200.00"))])


def test_rules_learnt_after_a_row_inserted_in_match_rules_write_over_none(tmp_path: Path) -> None:
    book = write_book(tmp_path / "rules.xlsx", fx_tables())
    _sheet(book, [_line("1", "200.00", "wrong customer").model_copy(
        update={"reason": 'customer name 80% alike ("ACME")'})])
    assert main(["reconcile", "post", str(book), "--on", "2025-08-01"]) == 0
    workbook = load_workbook(book)
    workbook["MatchRules"].insert_rows(2)  # a blank row under the header: openpyxl, unlike Excel, leaves the Table
    workbook.save(book)
    _sheet(book, [_line("2", "200.00", "C002").model_copy(update={"payer": "ACME HQ", "status": "unmatched",
                                                                  "customer_id": "", "invoice_no": ""})])
    assert main(["reconcile", "post", str(book), "--on", "2025-08-02"]) == 0
    rules = open_ledger(book)[0].table("MatchRules")
    assert [(r.kind, r.key, r.customer) for r in rules.rows] == [("not", "ACME HOLDINGS", "C002"),
                                                                ("alias", "ACME HQ", "C002")]
