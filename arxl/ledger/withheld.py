"""Withholding at source as a receivable from RRA: each withholding deduction until its certificate arrives.

A customer that withholds VAT or income tax (:mod:`arxl.core.withholding`) pays the invoice less that tax and
declares it to RRA; the Allocations row clears the invoice with a deduction of that type. The amount is then
owed by RRA, not by the customer, until the customer's certificate is recorded on the row (Certificate No and
Certificate Date), after which the company uses it against its own tax. This module lists those deductions, for
the Certificates sheet (:mod:`arxl.books.certificates`) and for the chase list of the statements and reminders
(:mod:`arxl.aging`), which read the same rule.

A deduction is *certified* at a date when it has a certificate number and its certificate date (if any) is not
after that date; otherwise it is *awaiting* its certificate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from arxl.core.money import figure
from arxl.core.withholding import deduction
from arxl.ledger.records import Allocation, Invoice, Receipt


@dataclass(frozen=True, slots=True)
class Withheld:
    """One withholding deduction: who withheld what on which invoice, and its certificate if recorded."""

    index: int  # the row's position in the Allocations table
    customer_id: str
    invoice_no: str
    kind: str  # the deduction type: "vat_withheld", "wht"
    amount: Decimal
    currency: str
    date: dt.date  # withheld on (the allocation's date)
    certificate_no: str = ""
    certificate_date: dt.date | None = None
    rate: str = ""  # "3 %" for WHT on a 3 % customer, when the invoice tells it

    def certified(self, as_of: dt.date) -> bool:
        return bool(self.certificate_no.strip()) and (self.certificate_date is None or self.certificate_date <= as_of)

    @property
    def label(self) -> str:
        """ "WHT 3 %", "VAT withheld"."""
        return deduction(self.kind).short + (f" {self.rate}" if self.rate else "")

    def chase_text(self) -> str:
        """ "INV-2024-00012, WHT 3 %, 30,000 RWF, withheld 24/01/2024"."""
        return (f"{self.invoice_no}, {self.label}, {figure(self.amount, self.currency)} {self.currency}, "
                f"withheld {self.date:%d/%m/%Y}")


def withheld(invoices: Iterable[Invoice], allocations: Iterable[Allocation], as_of: dt.date,
             receipts: Iterable[Receipt] = ()) -> list[Withheld]:
    """Every withholding deduction dated up to ``as_of``, in date order, with the customer who withheld it (the
    invoice's; the paying receipt's when the invoice is not in the register)."""
    documents = {i.invoice_no: i for i in invoices}
    payers = {r.receipt_id: r.customer_id for r in receipts}
    found: list[Withheld] = []
    for index, a in enumerate(allocations):
        if not a.deduction_amount or a.date > as_of or not deduction(a.deduction_type).withholding:
            continue
        invoice = documents.get(a.invoice_no)
        customer = invoice.customer_id if invoice is not None else payers.get(a.receipt_id, "")
        found.append(Withheld(index, customer, a.invoice_no, a.deduction_type, a.deduction_amount, a.currency,
                              a.date, a.certificate_no.strip(), a.certificate_date,
                              _rate(a, invoice)))
    return sorted(found, key=lambda w: (w.customer_id, w.date, w.invoice_no, w.kind, w.index))


def awaiting(invoices: Iterable[Invoice], allocations: Iterable[Allocation], as_of: dt.date,
             receipts: Iterable[Receipt] = ()) -> dict[str, list[Withheld]]:
    """The chase list: per customer, the withholding still awaiting its certificate at ``as_of``."""
    result: dict[str, list[Withheld]] = {}
    for w in withheld(invoices, allocations, as_of, receipts):
        if not w.certified(as_of):
            result.setdefault(w.customer_id, []).append(w)
    return result


def _rate(a: Allocation, invoice: Invoice | None) -> str:
    """The income tax rate a WHT deduction shows, when it is a round share of the invoice's net amount."""
    if a.deduction_type != "wht" or invoice is None or not invoice.net_amount:
        return ""
    share = a.deduction_amount / invoice.net_amount * 100
    whole = share.quantize(Decimal(1))
    return f"{whole} %" if whole > 0 and abs(share - whole) < Decimal("0.05") else ""
