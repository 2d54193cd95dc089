"""Posting a decided bank statement: every decided line of the Reconciliation sheet becomes a Receipt and its
Allocations, each bank line once.

``approve`` posts the line as proposed; invoice numbers apply it to them, oldest first, the rest on account; a
customer id posts it on account; ``reject`` posts nothing and the line is remembered as rejected. Allocations
carry the cash applied and each deduction by type (so that withholding certificates can be chased); the
invoices' statuses follow (paid, part-paid) and the sheet shows the receipt of each posted line. A line whose
identity (:mod:`arxl.cashapp.banklines`) is already in Receipts is never posted again, whatever the sheet says;
lines still undecided wait for the next run. Receipt numbers are ``RCPT-YEAR-NNNN``
(:func:`arxl.core.numbering.next_numbers`).

A bank line in the base currency decided against a foreign invoice (an RWF transfer for a USD invoice) pays it
at the Rates sheet's rate of the line's date: the allocation is in the invoice's currency, with that rate (RWF
per USD) in its Rate column, and applies the RWF divided by the rate, to the cent and never more than the
invoice still owes or than the line's RWF pays for; what is left of the line stays unapplied on the receipt.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from arxl.cashapp.reconcile import (
    APPROVE,
    NOT_THE_PAYER,
    REJECT,
    ReconciliationRow,
    receipt_identities,
    reconciliation_sheet,
    sheet_identities,
)
from arxl.core.errors import ArxlError, Problem
from arxl.core.money import currency as currency_of
from arxl.core.money import round_money
from arxl.core.numbering import next_numbers
from arxl.ledger.changes import ChangeSet
from arxl.ledger.ledger import DayRates, Ledger
from arxl.ledger.openitems import open_items
from arxl.ledger.rates import rate_on
from arxl.ledger.records import Allocation, DeductionType, Receipt
from arxl.ledger.tables import Table

__all__ = ["RECEIPT_SERIES", "Posting", "post"]

RECEIPT_SERIES = "RCPT"


@dataclass(slots=True)
class Posting:
    """What a posting did."""

    posted: int = 0
    rejected: int = 0
    not_the_payer: list[int] = field(default_factory=list)  # first rows of the lines rejected as "wrong customer"
    waiting: int = 0
    receipts: list[Receipt] = field(default_factory=list)
    allocations: list[Allocation] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    changes: ChangeSet = field(default_factory=ChangeSet)


def post(ledger: Ledger, table: Table[ReconciliationRow], today: dt.date) -> Posting:
    """Receipts and Allocations for every decided line of the Reconciliation sheet, each line once."""
    result = Posting()
    posted_lines = {key: receipt.receipt_id for key, receipt in receipt_identities(ledger).items()}
    keys = sheet_identities(ledger, table.rows)
    invoices = {i.invoice_no: i for i in ledger.invoices}
    customers = {c.customer_id for c in ledger.customers}
    open_now = {i.reference: i.open_amount for i in open_items(ledger.invoices, ledger.allocations, dt.date.max)
                if i.kind == "invoice"}
    existing_ids = [r.receipt_id for r in ledger.receipts]
    lines: dict[tuple[str, str], list[tuple[int, ReconciliationRow]]] = defaultdict(list)
    for index, row in enumerate(table.rows):
        lines[(row.statement, row.line_id)].append((index, row))
    updated_rows = list(table.rows)
    drafts: list[tuple[list[int], Receipt, list[Allocation]]] = []
    for (_, line_id), members in lines.items():
        first = members[0][1]
        key = keys[members[0][0]]
        decisions = {r.decision.strip() for _, r in members if r.decision.strip()}
        if any(r.posted for _, r in members):
            continue
        if not decisions:
            result.waiting += 1
            continue
        if len(decisions) > 1:
            where = table.where(members[1][0], "decision")
            result.problems.append(Problem(where, f"line {line_id} has two decisions: {', '.join(sorted(decisions))}"))
            continue
        decision = decisions.pop()
        said = " ".join(decision.casefold().split())
        if said in REJECT or said in NOT_THE_PAYER:
            result.rejected += 1
            if said in NOT_THE_PAYER:
                result.not_the_payer.append(members[0][0])
            for index, _ in members:
                updated_rows[index] = updated_rows[index].model_copy(update={"posted": f"rejected on {today:%d/%m/%Y}"})
            continue
        where = table.where(members[0][0], "decision")
        if key in posted_lines:  # belt and braces: a sheet edited by hand, or a line copied from another one
            reference = f", {first.bank_reference}" if first.bank_reference else ""
            result.problems.append(Problem(where, f"line {line_id} ({first.date:%d/%m/%Y}, {first.amount} "
                                                  f"{first.currency}{reference}) is a bank line already posted as "
                                                  f"{posted_lines[key]}: it is not posted again; write reject in its "
                                                  "Decision"))
            continue
        if first.amount <= 0:
            result.problems.append(Problem(where, f"line {line_id} is a debit ({first.amount}): only receipts are "
                                                  "posted; reject it"))
            continue
        try:
            allocations, customer = _allocations(decision, [r for _, r in members], invoices, customers, open_now,
                                                 _Rates(ledger))
        except ArxlError as exc:
            result.problems.append(Problem(where, exc.message))
            continue
        applied = sum((_in_receipt(a, first.currency) for a in allocations), Decimal(0))
        if applied > first.amount:
            result.problems.append(Problem(where, f"line {line_id}: the applied amounts add up to {applied}, more "
                                                  f"than the line's {first.amount}"))
            continue
        for a in allocations:
            open_now[a.invoice_no] = open_now.get(a.invoice_no, Decimal(0)) - a.applied_amount - a.deduction_amount
        receipt = Receipt(receipt_id="", date=first.date, amount=first.amount, currency=first.currency,
                          customer_id=customer, payer_name=first.payer, narrative=first.narrative,
                          bank_reference=first.bank_reference, bank_account=first.account, statement_line=key)
        drafts.append(([i for i, _ in members], receipt, allocations))
        posted_lines[key] = f"line {line_id} of this sheet, now"  # a second copy of the same line is not posted
    numbers = _receipt_numbers(existing_ids, [d[1].date.year for d in drafts])
    for (indexes, receipt, allocations), number in zip(drafts, numbers, strict=True):
        receipt = receipt.model_copy(update={"receipt_id": number})
        result.receipts.append(receipt)
        result.allocations += [a.model_copy(update={"receipt_id": number}) for a in allocations]
        for index in indexes:
            updated_rows[index] = updated_rows[index].model_copy(update={"posted": number})
        result.posted += 1
    result.changes.append("Receipts", result.receipts)
    result.changes.append("Allocations", result.allocations)
    _statuses(ledger, result, open_now)
    if updated_rows != table.rows:
        result.changes.replace_sheet(reconciliation_sheet(updated_rows, f"posted on {today:%d/%m/%Y}"))
    _statement_status(ledger, updated_rows, result)
    return result


class _Rates:
    """The rate of a foreign invoice's currency on a bank line's date, for a line in the base currency."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.base = (ledger.settings.base_currency or "RWF").strip().upper()
        self.days: DayRates | None = None

    def crossed(self, line: ReconciliationRow, invoice: Any) -> bool:
        return bool(invoice.currency != line.currency and line.currency.strip().upper() == self.base)

    def of(self, line: ReconciliationRow, code: str) -> Decimal:
        self.days = self.days or self.ledger.day_rates()
        return rate_on(self.days, code, line.date, self.base, self.ledger.book,
                       f"line {line.line_id} pays a {code} invoice in {line.currency}")


def _in_receipt(a: Allocation, code: str) -> Decimal:
    """What an allocation applies, in its receipt's currency."""
    return round_money(a.applied_amount * a.rate, code) if a.rate is not None else a.applied_amount


def _crossed(number: str, line: ReconciliationRow, left: Decimal, owed: Decimal, code: str,
             rates: _Rates) -> tuple[Allocation | None, Decimal]:
    """An allocation in the invoice's currency of what ``left`` (in the line's currency) pays at the line date's
    rate, capped at what is owed; and what it takes of the line."""
    rate = rates.of(line, code)
    applied = min(round_money(left / rate, code), max(owed, Decimal(0)))
    cent = Decimal(1).scaleb(-currency_of(code).exponent)
    while applied > 0 and round_money(applied * rate, line.currency) > left:  # a cent the line does not pay for
        applied -= cent
    if applied <= 0:
        return None, Decimal(0)
    allocation = Allocation(receipt_id="", invoice_no=number, date=line.date, currency=code, applied_amount=applied,
                            rate=rate)
    return allocation, round_money(applied * rate, line.currency)


def _allocations(decision: str, rows: Sequence[ReconciliationRow], invoices: dict[str, Any], customers: set[str],
                 open_now: dict[str, Decimal], rates: _Rates) -> tuple[list[Allocation], str]:
    """The allocations a decision makes of a line, and the customer the receipt belongs to."""
    first = rows[0]
    if decision.casefold() in APPROVE:
        if all(not r.invoice_no for r in rows):
            raise ArxlError(f"line {first.line_id} has no invoice to approve: write an invoice number or a "
                            "customer id in Decision, or reject it")
        result = []
        clears: dict[str, Decimal] = defaultdict(Decimal)
        for r in rows:
            if not r.invoice_no:
                continue  # the unapplied remainder of an overpayment: stays on the receipt
            _check_invoice(r.invoice_no, first, invoices, None)
            result.append(Allocation(receipt_id="", invoice_no=r.invoice_no, date=first.date, currency=first.currency,
                                     applied_amount=r.applied, deduction_amount=r.deduction,
                                     deduction_type=_deduction(r.deduction_type)))
            clears[r.invoice_no] += r.applied + r.deduction
        for number, cleared in clears.items():
            owed = open_now.get(number, Decimal(0))
            if cleared > owed:  # another line, an earlier posting or the advice itself has cleared it meanwhile
                code = invoices[number].currency
                raise ArxlError(f"line {first.line_id}: {number} is open for {round_money(owed, code):,}, and this "
                                f"line would clear {round_money(cleared, code):,} of it: it has been paid meanwhile "
                                "(another line of this sheet, an earlier posting) or is listed twice; write the "
                                "invoice numbers to pay or a customer id (on account) in Decision, or reject the line")
        return result, invoices[result[0].invoice_no].customer_id
    if decision in customers:
        return [], decision
    numbers = list(dict.fromkeys(n.strip() for n in decision.replace(",", ";").split(";") if n.strip()))  # once each
    for number in numbers:
        _check_invoice(number, first, invoices, rates)
    owners = {invoices[n].customer_id for n in numbers}
    if len(owners) > 1:
        raise ArxlError(f"line {first.line_id}: invoices of several customers ({', '.join(sorted(owners))})")
    left = first.amount
    result = []
    for number in sorted(numbers, key=lambda n: (invoices[n].invoice_date, n)):
        if rates.crossed(first, invoices[number]):
            allocation, taken = _crossed(number, first, left, open_now.get(number, Decimal(0)),
                                         invoices[number].currency, rates)
            if allocation is not None:
                result.append(allocation)
                left -= taken
            continue
        take = min(left, max(open_now.get(number, Decimal(0)), Decimal(0)))
        if take > 0:
            result.append(Allocation(receipt_id="", invoice_no=number, date=first.date, currency=first.currency,
                                     applied_amount=take))
            left -= take
    return result, owners.pop()


def _check_invoice(number: str, line: ReconciliationRow, invoices: dict[str, Any], rates: _Rates | None) -> None:
    """The invoice exists, is an invoice and is in the line's currency (or, with ``rates``, foreign paid in the
    base currency)."""
    invoice = invoices.get(number)
    if invoice is None:
        raise ArxlError(f'line {line.line_id}: invoice "{number}" is not in Invoices (approve, reject, invoice '
                        "numbers or a customer id)")
    if invoice.currency != line.currency and not (rates is not None and rates.crossed(line, invoice)):
        raise ArxlError(f"line {line.line_id} is in {line.currency}; invoice {number} is in {invoice.currency}")
    if invoice.doc_type != "invoice":
        raise ArxlError(f"{number} is a credit note, not an invoice to collect")


def _deduction(text: str) -> DeductionType:
    allowed: tuple[DeductionType, ...] = ("", "vat_withheld", "wht", "bank_charges", "discount", "rounding",
                                          "write_off")
    word = text.strip()
    if word not in allowed:
        raise ArxlError(f'deduction type "{word}" is not one of {", ".join(a for a in allowed if a)}')
    return word


def _receipt_numbers(existing: Iterable[str], years: Sequence[int]) -> list[str]:
    """Receipt ids RCPT-YYYY-NNNN in posting order, after the highest of each year."""
    existing = list(existing)
    by_year = {year: iter(next_numbers(existing, RECEIPT_SERIES, year, years.count(year), 4))
               for year in set(years)}
    return [next(by_year[year]) for year in years]


def _statuses(ledger: Ledger, result: Posting, open_now: dict[str, Decimal]) -> None:
    """Invoice statuses after the posting: paid when nothing is open, part-paid when something was collected."""
    touched = {a.invoice_no for a in result.allocations}
    for index, invoice in enumerate(ledger.invoices):
        if invoice.invoice_no not in touched or invoice.status in ("credited", "cancelled"):
            continue
        left = open_now.get(invoice.invoice_no, Decimal(0))
        status = "paid" if left <= 0 else "part-paid"
        if status != invoice.status:
            result.changes.update("Invoices", ledger.invoices.row_numbers[index], "status", status)


def _statement_status(ledger: Ledger, rows: Sequence[ReconciliationRow], result: Posting) -> None:
    """A statement is "posted" once every one of its lines is posted or rejected."""
    table = ledger.table("Statements")
    if not table.present:
        return
    done: dict[str, bool] = defaultdict(lambda: True)
    for row in rows:
        done[row.statement] &= bool(row.posted)
    for index, record in enumerate(table.rows):
        if record.status != "posted" and done.get(record.fingerprint[:16]) is True:
            result.changes.update("Statements", table.row_numbers[index], "status", "posted")
