"""A customer reconciliation's records, and our side of it: the customer's documents, receipts and deductions
as they move its balance in one currency, each used once as their file's rows are matched to them.

:class:`arxl.ledger.their.Difference` is one thing that differs (the kinds are listed there).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from arxl.ledger.ledger import Ledger
from arxl.ledger.records import Allocation, Customer, Receipt

ZERO = Decimal(0)
NAMED_WINDOW_DAYS = 31
"""A payment that names invoices matches a receipt allocated to one of them up to this many days apart."""
WITHHOLDING_TYPES = frozenset({"vat_withheld", "wht"})
DEDUCTION_NAMES = {"vat_withheld": "VAT withheld", "wht": "WHT", "bank_charges": "bank charges",
                    "discount": "discount", "rounding": "rounding", "write_off": "written off", "": "deduction"}
WITHHOLDING_NAMES = {"vat": "VAT withheld", "wht3": "WHT 3%", "wht15": "WHT 15%"}





@dataclass(slots=True)
class OurItem:
    """One of ours as it moves the customer's balance: ``before`` their first date, up to the as-of date, ever."""

    key: str
    date: dt.date
    before: Decimal
    to_as_of: Decimal
    ever: Decimal
    invoices: tuple[str, ...] = ()
    deduction_type: str = ""
    receipt_id: str = ""
    references: frozenset[str] = frozenset()  # a receipt's id and bank reference, as :func:`reference_keys` writes them
    used: bool = False

    @property
    def in_period(self) -> Decimal:
        return self.to_as_of - self.before


def _receipt_effect(receipt: Receipt | None, allocations: Sequence[tuple[Allocation, int]], own: bool,
                    day: dt.date) -> Decimal:
    """How a receipt's cash has moved the customer's balance by the end of ``day``: what was applied to the
    customer's documents, and what is left unapplied when the receipt is theirs (deductions are apart)."""
    effect = ZERO
    applied_anywhere = ZERO
    for allocation, sign in allocations:
        if allocation.date > day:
            continue
        applied_anywhere += allocation.applied_amount
        if sign:
            effect -= sign * allocation.applied_amount
    if own and receipt is not None and receipt.date <= day and receipt.amount > 0:
        effect -= max(receipt.amount - applied_anywhere, ZERO)
    return effect


class OurSide:
    """The customer's documents, receipts and deductions in one currency, each with its effect on the balance."""

    def __init__(self, ledger: Ledger, customer: Customer, currency: str, first: dt.date, as_of: dt.date) -> None:
        eve = first - dt.timedelta(days=1)
        mine = [d for d in ledger.invoices if d.customer_id == customer.customer_id and d.currency == currency
                and d.status != "cancelled"]
        self.documents = {d.invoice_no: d for d in mine}
        self.doc_items = {d.invoice_no: OurItem(d.invoice_no, d.invoice_date,
                                              d.total_amount if d.invoice_date <= eve else ZERO,
                                              d.total_amount if d.invoice_date <= as_of else ZERO, d.total_amount)
                          for d in mine}
        receipts = {r.receipt_id: r for r in ledger.receipts}
        sign = {d.invoice_no: (1 if d.doc_type == "invoice" else -1) for d in mine}
        by_receipt: dict[str, list[tuple[Allocation, int]]] = defaultdict(list)
        own = {r.receipt_id for r in ledger.receipts if r.customer_id == customer.customer_id
               and r.currency == currency}
        touched: set[str] = set(own)
        for allocation in ledger.allocations:
            on_mine = sign.get(allocation.invoice_no, 0) if allocation.currency == currency else 0
            if on_mine:
                touched.add(allocation.receipt_id)
            by_receipt[allocation.receipt_id].append((allocation, on_mine))
        self.receipts: list[OurItem] = []
        self.deductions: list[OurItem] = []
        for receipt_id in sorted(touched):
            receipt = receipts.get(receipt_id)
            allocations = by_receipt.get(receipt_id, [])
            mine_only = [(a, s) for a, s in allocations if s]
            day = receipt.date if receipt is not None else min(a.date for a, _ in mine_only)
            is_own = receipt_id in own
            ever = _receipt_effect(receipt, allocations, is_own, dt.date.max)
            if ever:
                self.receipts.append(OurItem(
                    receipt_id, day, _receipt_effect(receipt, allocations, is_own, eve),
                    _receipt_effect(receipt, allocations, is_own, as_of), ever,
                    tuple(dict.fromkeys(a.invoice_no for a, _ in mine_only)), receipt_id=receipt_id,
                    references=reference_keys(receipt_id, receipt.bank_reference if receipt is not None else "")))
            for allocation, s in mine_only:
                if allocation.deduction_amount:
                    effect = -s * allocation.deduction_amount
                    self.deductions.append(OurItem(
                        receipt_id, allocation.date, effect if allocation.date <= eve else ZERO,
                        effect if allocation.date <= as_of else ZERO, effect, (allocation.invoice_no,),
                        allocation.deduction_type, receipt_id))
        self._of_receipt: dict[str, list[OurItem]] = defaultdict(list)
        for deduction in self.deductions:
            self._of_receipt[deduction.receipt_id].append(deduction)

    def receipt_deductions(self, receipt: OurItem) -> list[OurItem]:
        """The receipt's deductions on the customer's documents not yet matched to a row of theirs."""
        return [d for d in self._of_receipt.get(receipt.receipt_id, ()) if not d.used]


def reference_keys(*references: str) -> frozenset[str]:
    """References compared as the same when they differ only in case, spaces and punctuation (at least 4 left).

    >>> sorted(reference_keys("RCPT-2025-0308", "ft25161 abc", "12"))
    ['FT25161ABC', 'RCPT20250308']
    """
    keys = (re.sub(r"[^0-9A-Z]", "", r.upper()) for r in references)
    return frozenset(k for k in keys if len(k) >= 4)
