"""Reconciling a statement in the workbook: propose, decide, post; each bank line once, never a unit lost."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook

from arxl.cashapp.reconcile import HEADERS, SHEET
from arxl.cli import main
from arxl.formats.xlsx.book import open_ledger, validate
from arxl.ledger.openitems import open_items
from arxl.sample import sample_statement, sample_statement_truth, write_sample

TODAY = dt.date(2025, 8, 1)


@pytest.fixture(scope="module")
def sample_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("sample")
    return write_sample(folder / "billing.xlsx")


def sheet_rows(book: Path) -> list[dict[str, object]]:
    sheet = load_workbook(book, data_only=True)[SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Statement")
    return [dict(zip(HEADERS, r, strict=False)) for r in rows[header + 1:] if r and r[0]]


def test_automatic_matches_are_right_and_non_receipts_never_automatic(sample_book: tuple[Path, Path],
                                                                      tmp_path: Path) -> None:
    book = tmp_path / "billing.xlsx"
    book.write_bytes(sample_book[0].read_bytes())
    assert main(["reconcile", "propose", str(book), "--statement", str(sample_book[1]), "--on", "2025-08-01"]) == 0
    truth = sample_statement_truth()
    by_line: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in sheet_rows(book):
        by_line[str(row["Line ID"])].append(row)
    assert set(by_line) == set(truth)
    auto = {line for line, rows in by_line.items() if rows[0]["Status"] == "auto"}
    assert len(auto) >= 20
    for line in auto:
        assert truth[line], f"{line} is no customer receipt but was matched automatically"
        proposed = {r["Invoice"] for r in by_line[line] if r["Invoice"]}
        assert proposed == set(truth[line]), line
    for line, pays in truth.items():
        if not pays:
            assert by_line[line][0]["Status"] != "auto"


def test_the_sheet_adds_up_to_the_cash_and_prints_one_page_wide(sample_book: tuple[Path, Path],
                                                                  tmp_path: Path) -> None:
    """A line applied to several invoices shows its amount once (the column used to add up to more than the
    bank received); an overpayment's remainder row names the customer; landscape, one page wide."""
    book = tmp_path / "billing.xlsx"
    book.write_bytes(sample_book[0].read_bytes())
    assert main(["reconcile", "propose", str(book), "--statement", str(sample_book[1]), "--on", "2025-08-01"]) == 0
    rows = sheet_rows(book)
    statement = sample_statement()
    for code in ("RWF", "USD"):
        shown = sum(D(str(r["Amount"])) for r in rows if r["Currency"] == code and r["Amount"] is not None)
        assert shown == sum(line.amount for line in statement if line.currency == code), code
    by_line: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        by_line[str(row["Line ID"])].append(row)
    several = [line for line, own in by_line.items() if len(own) > 1]
    assert several, "the sample has lines applied to several invoices"
    for line in several:
        assert by_line[line][0]["Amount"] is not None and all(r["Amount"] is None for r in by_line[line][1:])
        customers = {r["Customer"] for r in by_line[line]}
        assert len(customers) == 1 and customers != {None}, (line, customers)  # the remainder row too
    sheet = load_workbook(book)[SHEET]
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.column_dimensions["A"].width >= 16  # the fingerprint's 16 characters are not clipped


def test_post_each_line_once_and_keep_every_unit(sample_book: tuple[Path, Path], tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "billing.xlsx"
    book.write_bytes(sample_book[0].read_bytes())
    before, _ = open_ledger(book)
    open_before = {i.reference: i.open_amount for i in open_items(before.invoices, before.allocations, dt.date.max)}
    assert main(["reconcile", "propose", str(book), "--statement", str(sample_book[1]), "--on", "2025-08-01"]) == 0
    assert main(["reconcile", "approve", str(book)]) == 0
    assert main(["reconcile", "post", str(book), "--on", "2025-08-01"]) == 0
    after, problems = open_ledger(book)
    assert problems == [] and [p for p in validate(book) if p.severity == "error"] == []
    new_receipts = after.receipts.rows[len(before.receipts):]
    new_allocations = after.allocations.rows[len(before.allocations):]
    posted_lines = {r["Line ID"] for r in sheet_rows(book) if str(r["Posted"]).startswith("RCPT-")}
    assert len(new_receipts) == len(posted_lines) >= 20
    lines = {line.line_id: line for line in sample_statement()}
    line_of = {str(r["Posted"]): (str(r["Line ID"]), str(r["Bank Line"])) for r in sheet_rows(book)}
    for receipt in new_receipts:
        line_id, identity = line_of[receipt.receipt_id]
        assert receipt.statement_line.startswith("BL1|") and receipt.statement_line == identity
        assert receipt.amount == lines[line_id].amount and receipt.date == lines[line_id].booking_date
        applied = sum((a.applied_amount for a in new_allocations if a.receipt_id == receipt.receipt_id), D(0))
        assert applied <= receipt.amount  # any rest stays on the receipt as unapplied cash
    cleared: dict[str, D] = defaultdict(D)
    for a in new_allocations:
        cleared[a.invoice_no] += a.applied_amount + a.deduction_amount
    open_after = {i.reference: i.open_amount for i in open_items(after.invoices, after.allocations, dt.date.max)}
    for number, amount in cleared.items():
        assert open_after.get(number, D(0)) == open_before[number] - amount
        status = next(i.status for i in after.invoices if i.invoice_no == number)
        assert status == ("paid" if open_after.get(number, D(0)) == 0 else "part-paid"), number
    capsys.readouterr()
    assert main(["reconcile", "post", str(book)]) == 0  # again: nothing twice
    assert "0 line(s) posted" in capsys.readouterr().out
    again, _ = open_ledger(book)
    assert len(again.receipts) == len(after.receipts) and len(again.allocations) == len(after.allocations)
    # the same file: nothing new
    assert main(["reconcile", "propose", str(book), "--statement", str(sample_book[1])]) == 0
    assert f"all {len(lines)} line(s) already imported" in capsys.readouterr().out


def sheet_line(book: Path, line_id: str) -> str:
    """The identity (Bank Line) of a line of the Reconciliation sheet."""
    return next(str(r["Bank Line"]) for r in sheet_rows(book) if r["Line ID"] == line_id)


def decide(book: Path, decisions: dict[str, str]) -> None:
    workbook = load_workbook(book)
    sheet = workbook[SHEET]
    header = next(r for r in range(1, 10) if sheet.cell(row=r, column=1).value == "Statement")
    decision_col = HEADERS.index("Decision") + 1
    line_col = HEADERS.index("Line ID") + 1
    for row in range(header + 1, sheet.max_row + 1):
        line = sheet.cell(row=row, column=line_col).value
        if line in decisions:
            sheet.cell(row=row, column=decision_col).value = decisions.pop(line)
    workbook.save(book)


def test_the_accountants_decisions(sample_book: tuple[Path, Path], tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "billing.xlsx"
    book.write_bytes(sample_book[0].read_bytes())
    assert main(["reconcile", "propose", str(book), "--statement", str(sample_book[1]), "--on", "2025-08-01"]) == 0
    rows = sheet_rows(book)
    statuses = {str(r["Line ID"]): r for r in rows}
    truth = sample_statement_truth()
    statement = {line.line_id: line for line in sample_statement()}
    review = next(line for line, r in statuses.items() if r["Status"] == "review" and truth[line]
                  and statement[line].currency == "RWF")
    target = truth[review][0]
    debit = next(line for line, s in statement.items() if s.amount < 0)
    interest = next(line for line, s in statement.items() if s.amount > 0 and not truth[line])
    decide(book, {review: target, debit: "approve", interest: "reject"})
    assert main(["reconcile", "post", str(book), "--on", "2025-08-01"]) == 2  # the debit cannot be posted
    err = capsys.readouterr().err
    assert f"line {debit} is a debit" in err and "[billing.xlsx]Reconciliation!R" in err
    ledger, _ = open_ledger(book)
    review_key, interest_key = sheet_line(book, review), sheet_line(book, interest)
    posted = [r for r in ledger.receipts if r.statement_line == review_key]
    assert len(posted) == 1 and posted[0].amount == statement[review].amount
    allocations = [a for a in ledger.allocations if a.receipt_id == posted[0].receipt_id]
    assert [a.invoice_no for a in allocations] == [target]
    rejected = [r for r in sheet_rows(book) if r["Line ID"] == interest]
    assert all(r["Posted"] == "rejected on 01/08/2025" for r in rejected)
    assert not any(r.statement_line == interest_key for r in ledger.receipts)
