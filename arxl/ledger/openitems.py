"""Open items at a date: what each customer owes, rebuilt from the register as it stood that day.

An invoice's open amount is its total, less its credit notes (those naming it as Original Invoice), less what
allocations have cleared on it (applied cash plus deductions such as VAT withheld); a credit note clears only
what its invoice still owes, never taking it below zero. As of a past date the
ledger is rebuilt as it stood then: invoices and credit notes dated after it are left out, and allocations
dated after it are treated as not yet made. A credit note with no original invoice, or the part of one that
exceeds what its invoice still owed, is an open credit (a negative item); a receipt not fully allocated leaves
unapplied cash (negative too). Both are shown apart from the invoices, never netted silently. An allocation
in another currency than its receipt (an RWF receipt paying a USD invoice) clears its applied amount from the
invoice in the invoice's currency and takes applied x its Rate from the receipt, in the receipt's currency.

This :class:`OpenItem` is the ledger's: an invoice, a credit or unapplied cash, as aging, statements and
dunning show it. The matcher takes its invoices as :class:`arxl.ledger.matching.OpenInvoice` (one row of the
open-items CSV, with the customer's name and the VAT split), built from these by
:func:`arxl.cashapp.reconcile.match_inputs`.

>>> import datetime as dt
>>> from decimal import Decimal as D
>>> from arxl.ledger.records import Invoice, Allocation
>>> inv = Invoice(invoice_no="INV-1", invoice_date=dt.date(2025, 6, 1), due_date=dt.date(2025, 7, 1),
...               customer_id="C1", currency="RWF", net_amount=D(1000000), vat_amount=D(180000),
...               total_amount=D(1180000))
>>> paid = Allocation(receipt_id="R-1", invoice_no="INV-1", date=dt.date(2025, 7, 20), currency="RWF",
...                   applied_amount=D(970000), deduction_amount=D(180000), deduction_type="vat_withheld")
>>> [i.open_amount for i in open_items([inv], [paid], dt.date(2025, 7, 10))]
[Decimal('1180000')]
>>> [i.open_amount for i in open_items([inv], [paid], dt.date(2025, 7, 31))]
[Decimal('30000')]

Credited 100,000 after that payment, the invoice is settled and 70,000 is a credit on the customer's account:

>>> note = Invoice(invoice_no="CN-1", doc_type="credit_note", invoice_date=dt.date(2025, 7, 25),
...                due_date=dt.date(2025, 7, 25), customer_id="C1", currency="RWF", net_amount=D(-84746),
...                vat_amount=D(-15254), total_amount=D(-100000), original_invoice="INV-1")
>>> [(i.kind, i.reference, i.open_amount) for i in open_items([inv, note], [paid], dt.date(2025, 7, 31))]
[('credit', 'CN-1', Decimal('-70000'))]
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from arxl.core.money import round_money
from arxl.ledger.records import Allocation, Invoice, Receipt

ItemKind = Literal["invoice", "credit", "unapplied"]


@dataclass(frozen=True, slots=True)
class OpenItem:
    """Something a customer owes (positive) or is owed (negative) at the as-of date."""

    kind: ItemKind
    reference: str  # invoice or credit note number, or receipt id for unapplied cash
    customer_id: str
    currency: str
    document_date: dt.date
    due_date: dt.date
    original_amount: Decimal  # the document's total (a receipt's amount for unapplied cash)
    credited: Decimal  # credit notes against it
    cleared: Decimal  # allocations: applied cash plus deductions
    open_amount: Decimal

    @property
    def is_invoice(self) -> bool:
        return self.kind == "invoice"


def open_items(invoices: Iterable[Invoice], allocations: Iterable[Allocation], as_of: dt.date,
               receipts: Iterable[Receipt] = (), *, include_settled: bool = False) -> list[OpenItem]:
    """Open invoices, open credits and unapplied cash at the end of ``as_of``, in a stable order."""
    register = [i for i in invoices if i.invoice_date <= as_of and i.status != "cancelled"]
    by_number = {i.invoice_no: i for i in register if i.doc_type == "invoice"}
    cleared: dict[str, Decimal] = {}
    applied_by_receipt: dict[str, Decimal] = {}
    receipts = list(receipts)
    paid_in: dict[str, str] | None = None  # receipt -> its currency, for an allocation in another one
    for a in allocations:  # the hot loop of a big ledger: plain dicts, no zero added
        if a.date <= as_of:
            applied = a.applied_amount
            if a.invoice_no:
                amount = applied + a.deduction_amount if a.deduction_amount else applied
                cleared[a.invoice_no] = cleared[a.invoice_no] + amount if a.invoice_no in cleared else amount
            receipt = a.receipt_id
            if a.rate is not None:  # applied in the invoice's currency, paid in the receipt's: applied x rate
                paid_in = paid_in if paid_in is not None else {r.receipt_id: r.currency for r in receipts}
                code = paid_in.get(receipt, a.currency)
                applied = round_money(applied * a.rate, code) if code != a.currency else applied
            applied_by_receipt[receipt] = applied_by_receipt[receipt] + applied if receipt in applied_by_receipt \
                else applied
    credited: dict[str, Decimal] = defaultdict(Decimal)
    loose_credits: list[tuple[Invoice, Decimal]] = []
    for note in sorted((i for i in register if i.doc_type == "credit_note"),
                       key=lambda n: (n.invoice_date, n.invoice_no)):
        amount = -note.total_amount  # credit notes carry negative amounts
        original = by_number.get(note.original_invoice)
        if original is None:
            loose_credits.append((note, amount))
            continue
        # a credit note clears what its invoice still owes; the rest of it (the invoice was paid) is a credit
        # on the customer's account, for a refund or an offset, never a negative invoice
        owed = original.total_amount - credited[original.invoice_no] - cleared.get(original.invoice_no, Decimal(0))
        taken = min(amount, max(owed, Decimal(0)))
        credited[original.invoice_no] += taken
        if amount > taken:
            loose_credits.append((note, amount - taken))
    items: list[OpenItem] = []
    zero = Decimal(0)
    for number, inv in by_number.items():
        taken_off = credited.get(number, zero)
        paid = cleared.get(number, zero)
        open_amount = inv.total_amount - taken_off - paid
        if open_amount or include_settled:
            items.append(OpenItem("invoice", number, inv.customer_id, inv.currency, inv.invoice_date,
                                  inv.due_date, inv.total_amount, taken_off, paid, open_amount))
    for note, amount in loose_credits:
        cleared_on_note = cleared.get(note.invoice_no, Decimal(0))  # a refund paid out against the credit note
        items.append(OpenItem("credit", note.invoice_no, note.customer_id, note.currency, note.invoice_date,
                              note.invoice_date, note.total_amount, Decimal(0), cleared_on_note,
                              -amount + cleared_on_note))
    for r in receipts:
        if r.date <= as_of and r.amount > 0:
            applied = applied_by_receipt.get(r.receipt_id, Decimal(0))
            left = r.amount - applied
            if left > 0:
                items.append(OpenItem("unapplied", r.receipt_id, r.customer_id, r.currency, r.date, r.date,
                                      r.amount, Decimal(0), applied, -left))
    return sorted(items, key=lambda i: (i.customer_id, i.currency, i.kind != "invoice", i.document_date,
                                        i.reference))


def balances(items: Sequence[OpenItem]) -> dict[tuple[str, str], Decimal]:
    """Net balance per (customer, currency)."""
    result: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for item in items:
        result[(item.customer_id, item.currency)] += item.open_amount
    return dict(result)
