"""One period's export: every AR movement not yet in Sage, the allocation sheet, and the marks (see
:mod:`arxl.formats.sage` for the rules)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from arxl.core.errors import Problem
from arxl.core.period import Period
from arxl.formats.sage.allocations import CreditNotes, cash_line, deduction_line
from arxl.formats.sage.common import Books, HeldBack
from arxl.formats.sage.csvfile import AllocationLine, SageRow
from arxl.formats.sage.documents import Documents
from arxl.formats.sage.journals import journals
from arxl.formats.sage.movements import Movements
from arxl.ledger.changes import ChangeSet
from arxl.ledger.ledger import Ledger
from arxl.ledger.records import Invoice


@dataclass
class Counts:
    """How many of each went to Sage (documents and receipts, not rows: a split row counts once)."""

    invoices: int = 0
    credit_notes: int = 0
    receipts: int = 0
    refunds: int = 0
    deductions: int = 0
    journals: int = 0


@dataclass
class SageExport:
    """The rows of the Sage file, the lines of the allocation sheet, the marks, and the problems (an error per
    item held back, a warning per item left out on purpose)."""

    rows: list[SageRow] = field(default_factory=list)
    allocations: list[AllocationLine] = field(default_factory=list)
    changes: ChangeSet = field(default_factory=ChangeSet)
    problems: list[Problem] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)


def sage_rows(ledger: Ledger, period: Period | str, *, again: bool = False,
              on: dt.date | None = None) -> tuple[list[SageRow], ChangeSet, list[Problem]]:
    """The Sage rows of the period not yet exported, the ChangeSet marking them exported on ``on`` (default
    today), and a problem per item held back (:func:`sage_export` without the allocation sheet)."""
    result = sage_export(ledger, period, again=again, on=on)
    return result.rows, result.changes, result.problems


def sage_export(ledger: Ledger, period: Period | str, *, again: bool = False,
                on: dt.date | None = None) -> SageExport:
    """Everything of ``period`` not yet in Sage (all of it with ``again``), marked exported on ``on``."""
    month = Period.parse(period) if isinstance(period, str) else period
    exported_on = on or dt.date.today()
    books = Books(ledger)
    result = SageExport()
    notes = _documents(books, month, again, exported_on, result)
    in_sage = _receipts(books, month, again, exported_on, result)
    _allocations(books, month, again, exported_on, in_sage, result)
    credits = CreditNotes(books)
    for account, note in notes:
        line = credits.line(account, note)
        if line is not None:
            result.allocations.append(line)
    reval = journals(books, month, again=again, on=exported_on)
    result.rows += reval.rows
    result.changes.merge(reval.changes)
    result.problems += reval.problems
    result.counts.journals = reval.count
    result.allocations.sort(key=lambda x: x.date)  # stable: a receipt's lines, then its deductions, in table order
    return result


def _documents(books: Books, month: Period, again: bool, on: dt.date, result: SageExport) -> list[tuple[str, Invoice]]:
    """SI and SC rows of the period's documents; returns the credit notes written (for the sheet)."""
    table = books.ledger.invoices
    documents = Documents(books)
    notes: list[tuple[str, Invoice]] = []
    chosen = sorted((i for i, doc in enumerate(table.rows) if month.first <= doc.invoice_date <= month.last),
                    key=lambda i: (table.rows[i].invoice_date, table.rows[i].invoice_no))
    for i in chosen:
        doc = table.rows[i]
        if doc.status == "cancelled":
            result.problems.append(Problem(table.where(i, "status"), f"{doc.invoice_no} is cancelled: not exported",
                                           "warning"))
            continue
        if doc.sage_exported is not None and not again:
            continue
        try:
            rows = documents.document(i)
        except HeldBack as exc:
            result.problems.append(Problem(exc.where, f"{doc.invoice_no} not exported: {exc.message}"))
            continue
        result.rows += rows
        result.changes.update("Invoices", table.row_numbers[i], "sage_exported", on)
        if doc.doc_type == "credit_note":
            result.counts.credit_notes += 1
            notes.append((rows[0].account_reference, doc))
        else:
            result.counts.invoices += 1
    return notes


def _receipts(books: Books, month: Period, again: bool, on: dt.date, result: SageExport) -> set[str]:
    """SA and SP rows of the period's receipts; returns the receipts in Sage after this export (marked before,
    or written now) by ID."""
    table = books.ledger.receipts
    movements = Movements(books)
    in_sage = {r.receipt_id.strip().upper() for r in table.rows if r.sage_exported is not None}
    chosen = sorted((i for i, r in enumerate(table.rows) if month.first <= r.date <= month.last),
                    key=lambda i: (table.rows[i].date, table.rows[i].receipt_id))
    for i in chosen:
        r = table.rows[i]
        if r.amount == 0 or (r.sage_exported is not None and not again):
            continue
        if not r.customer_id.strip():
            result.problems.append(Problem(table.where(i, "customer_id"), f"{r.receipt_id} not exported: it has no "
                                           "customer (suspense, not a receivable); it goes to Sage once posted to "
                                           "a customer", "warning"))
            continue
        try:
            rows = movements.receipt(i)
        except HeldBack as exc:
            result.problems.append(Problem(exc.where, f"{r.receipt_id} not exported: {exc.message}"))
            in_sage.discard(r.receipt_id.strip().upper())
            continue
        result.rows += rows
        result.changes.update("Receipts", table.row_numbers[i], "sage_exported", on)
        in_sage.add(r.receipt_id.strip().upper())
        if r.amount < 0:
            result.counts.refunds += 1
        else:
            result.counts.receipts += 1
    return in_sage


def _allocations(books: Books, month: Period, again: bool, on: dt.date, in_sage: set[str],
                 result: SageExport) -> None:
    """Deduction rows and the allocation sheet's lines of the period's allocations. A row goes whole or not at
    all (its deduction in the file, its lines in the sheet, its mark), and only once its receipt is in Sage."""
    table = books.ledger.allocations
    movements = Movements(books)
    chosen = sorted((i for i, a in enumerate(table.rows) if month.first <= a.date <= month.last),
                    key=lambda i: (table.rows[i].date, table.rows[i].receipt_id, table.rows[i].invoice_no))
    for i in chosen:
        a = table.rows[i]
        if a.sage_exported is not None and not again:
            continue
        index = books.receipts.get(a.receipt_id.strip().upper())
        receipt = books.ledger.receipts.rows[index] if index is not None else None
        applies = bool(a.applied_amount and a.invoice_no.strip())
        if not applies and a.deduction_amount <= 0:
            continue  # cash left on account: nothing to allocate, nothing to post
        if index is None or receipt is None or receipt.receipt_id.strip().upper() not in in_sage:
            if receipt is None or not month.first <= receipt.date <= month.last:  # its own error says why else
                shown = f"{a.receipt_id} is not in Receipts" if receipt is None else \
                    f"{a.receipt_id} of {receipt.date:%d/%m/%Y} is not in Sage yet: export its month first"
                result.problems.append(Problem(table.where(i, "receipt_id"), f"the allocation of {a.receipt_id} to "
                                               f"{a.invoice_no or 'the account'} waits: {shown}", "warning"))
            continue
        rows: list[SageRow] = []
        lines: list[AllocationLine] = []
        try:
            if applies:
                cash = cash_line(books.account(receipt.customer_id, a.currency,
                                               books.ledger.receipts.where(index, "customer_id")), receipt, a)
                if cash is not None:
                    lines.append(cash)
            if a.deduction_amount > 0:
                rows = movements.deduction(i, receipt)
                lines.append(deduction_line(rows[0].account_reference, rows[0].type, a))
        except HeldBack as exc:
            kind = f"{a.deduction_type} deduction" if a.deduction_amount > 0 else "allocation"
            result.problems.append(Problem(exc.where, f"the {kind} of {a.receipt_id} on {a.invoice_no or '-'} not "
                                           f"exported: {exc.message}"))
            continue
        result.rows += rows
        result.allocations += lines
        result.changes.update("Allocations", table.row_numbers[i], "sage_exported", on)
        if rows:
            result.counts.deductions += 1
