"""Foreign-currency items in the base currency (IAS 21): what each is carried at and what settling it realised.

A foreign-currency document is recorded at the spot rate of its date (:func:`arxl.ledger.rates.document_rate`:
its stamped Rate, else the Rates sheet's of its date). Its base value is the one Sage posts: Sage converts each
row it imports, its net and its VAT one by one, so the document is worth Σ ``in_base(net) + in_base(tax)`` at
that rate over the rows it becomes (:meth:`arxl.ledger.sage_parts.SageParts.base_value`: one per tax code and
nominal of its lines, split under Sage's limit; a document without lines is the net and VAT of its Invoices
row). That can be a franc or two from ``in_base`` of its total (34,560.00 + 6,220.80 USD at 1,392.57 is
48,127,219 + 8,662,899 = 56,790,118 RWF, not 56,790,119). A receipt in a foreign currency is carried at the
rate of its date; a deduction allocated with it (bank charges, withholding, a write-off) at the same rate; a
credit note at its own.

Every item is then followed in date order (on one day: invoices, credit notes, receipts, then allocations in
the register's order). **The allocation rule** (Sage's model in the tests follows it too): an Allocations row
clears ``applied`` of its receipt against its invoice, then ``deduction_amount`` of a deduction against the same
invoice. Each side gives up the base value of the portion at its own rate, ``in_base(portion, rate)``, except
the portion that clears all that is left of the item: that one takes the item's whole remaining base value, so
a settled item leaves no franc behind. The realised difference of the allocation is the base given up by the
payment side less the base given up by the invoice (a gain when the payment is worth more). A credit note clears
what its invoice still owes on the note's date by the same rule; what it credits beyond that is an open credit.

A receipt in the base currency paying a foreign invoice (RWF for a USD invoice) carries the allocation's
``Rate`` (receipt currency per unit of the invoice's): the payment side of ``applied`` is worth
``in_base(applied, rate)``. Items in the base currency have no exchange difference and are not followed.

:func:`fx_position` gives the open foreign items at a date with their carried values, and every allocation's
realised difference up to it; :func:`realised_in` picks a period's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from arxl.core.fx import in_base
from arxl.core.money import round_money
from arxl.core.period import Period
from arxl.ledger.ledger import DayRates
from arxl.ledger.rates import document_rate, rate_on
from arxl.ledger.records import Allocation, Invoice, Receipt
from arxl.ledger.sage_parts import SageParts

ItemKind = Literal["invoice", "credit", "unapplied"]
Source = Literal["receipt", "deduction", "credit note"]
_ZERO = Decimal(0)
_NO_LINES = SageParts([], [], [], "")


@dataclass(slots=True)
class _Item:
    """A foreign item being followed: what is left of it, in its currency and in the base (signed: an invoice
    positive, a credit or a receipt's cash negative)."""

    kind: ItemKind
    reference: str
    customer_id: str
    currency: str
    date: dt.date
    rate: Decimal
    foreign: Decimal
    base: Decimal

    def clear(self, amount: Decimal, base_currency: str) -> Decimal:
        """Take ``amount`` (positive) off what is left of the item; the base value it gives up (signed like the
        item). The portion that clears all that is left takes all the base that is left."""
        sign = Decimal(-1) if self.foreign < 0 or (self.foreign == 0 and self.kind != "invoice") else Decimal(1)
        portion = sign * amount
        left = self.foreign
        if left and (left > 0) == (portion > 0) and abs(portion) >= abs(left):
            taken = self.base + in_base(portion - left, self.rate, base_currency)
        else:
            taken = in_base(portion, self.rate, base_currency)
        self.foreign -= portion
        self.base -= taken
        return taken


@dataclass(frozen=True, slots=True)
class CarriedItem:
    """An open foreign item at a date: its open amount (signed as the aging shows it), the base value it is
    carried at, and its rate (base per unit)."""

    kind: ItemKind
    reference: str
    customer_id: str
    currency: str
    date: dt.date
    open_amount: Decimal
    carried: Decimal
    rate: Decimal


@dataclass(frozen=True, slots=True)
class Realised:
    """The exchange difference realised by one clearing: an allocation's payment or deduction, or a credit
    note, against an invoice (a gain positive, in the base currency)."""

    date: dt.date
    customer_id: str
    invoice_no: str
    payment: str  # the receipt or the credit note
    source: Source
    currency: str
    amount: Decimal  # foreign amount cleared
    payment_base: Decimal
    invoice_base: Decimal
    difference: Decimal
    detail: str = ""  # the deduction type


@dataclass(slots=True)
class FxPosition:
    """The foreign items open at ``as_of`` and the differences realised up to it."""

    as_of: dt.date
    base: str
    items: list[CarriedItem] = field(default_factory=list)
    realised: list[Realised] = field(default_factory=list)


def fx_position(invoices: Iterable[Invoice], receipts: Iterable[Receipt], allocations: Iterable[Allocation],
                as_of: dt.date, base: str, rates: DayRates, book: str = "",
                parts: SageParts | None = None) -> FxPosition:
    """Follow every foreign item to the end of ``as_of``; ``parts`` gives the Sage rows of the documents
    (``SageParts.of(ledger)``; without it every document is its Invoices row's net and VAT). A day without a
    rate is a :class:`~arxl.ledger.rates.MissingRate` naming the date and the currency."""
    return _Follower(base, rates, book, parts or _NO_LINES).run(invoices, receipts, allocations, as_of)


def realised_in(position: FxPosition, period: Period) -> list[Realised]:
    """The differences realised within ``period``."""
    return [r for r in position.realised if period.contains(r.date)]


class _Follower:
    def __init__(self, base: str, rates: DayRates, book: str, parts: SageParts) -> None:
        self.base = base.strip().upper()
        self.parts = parts
        self.rates = rates
        self.book = book
        self.documents: dict[str, _Item] = {}
        self.cash: dict[str, _Item] = {}
        self.receipts: dict[str, Receipt] = {}
        self.realised: list[Realised] = []

    def foreign(self, currency: str) -> bool:
        return currency.strip().upper() != self.base

    def run(self, invoices: Iterable[Invoice], receipts: Iterable[Receipt], allocations: Iterable[Allocation],
            as_of: dt.date) -> FxPosition:
        events: list[tuple[dt.date, int, int, object]] = []
        for n, doc in enumerate(i for i in invoices if i.invoice_date <= as_of and i.status != "cancelled"):
            events.append((doc.invoice_date, 0 if doc.doc_type == "invoice" else 1, n, doc))
        for n, receipt in enumerate(r for r in receipts if r.date <= as_of):
            self.receipts[receipt.receipt_id] = receipt
            events.append((receipt.date, 2, n, receipt))
        for n, allocation in enumerate(a for a in allocations if a.date <= as_of):
            events.append((allocation.date, 3, n, allocation))
        events.sort(key=lambda e: (e[0], e[1], e[2]))
        for _, _, _, event in events:
            if isinstance(event, Invoice):
                self.document(event)
            elif isinstance(event, Receipt):
                self.receipt(event)
            elif isinstance(event, Allocation):
                self.allocation(event)
        position = FxPosition(as_of, self.base, realised=self.realised)
        for item in (*self.documents.values(), *self.cash.values()):
            if item.foreign and not (item.kind == "unapplied" and item.foreign > 0):
                position.items.append(CarriedItem(item.kind, item.reference, item.customer_id, item.currency,
                                                  item.date, item.foreign, item.base, item.rate))
        position.items.sort(key=lambda i: (i.customer_id, i.currency, i.kind != "invoice", i.date, i.reference))
        return position

    def document(self, doc: Invoice) -> None:
        if not self.foreign(doc.currency):
            return
        rate = document_rate(doc, self.rates, self.base, self.book)
        kind: ItemKind = "invoice" if doc.doc_type == "invoice" else "credit"
        item = _Item(kind, doc.invoice_no, doc.customer_id, doc.currency, doc.invoice_date, rate,
                     doc.total_amount, self.parts.base_value(doc, rate, self.base))
        self.documents[doc.invoice_no] = item
        original = self.documents.get(doc.original_invoice) if kind == "credit" else None
        if original is None or original.kind != "invoice":
            return
        taken = min(-doc.total_amount, max(original.foreign, _ZERO))
        if taken > 0:
            self.settle(doc.invoice_date, original, item, taken, "credit note")

    def receipt(self, receipt: Receipt) -> None:
        if not self.foreign(receipt.currency) or receipt.amount == 0:
            return
        rate = rate_on(self.rates, receipt.currency, receipt.date, self.base, self.book, receipt.receipt_id)
        self.cash[receipt.receipt_id] = _Item("unapplied", receipt.receipt_id, receipt.customer_id,
                                              receipt.currency, receipt.date, rate, -receipt.amount,
                                              -in_base(receipt.amount, rate, self.base))

    def allocation(self, a: Allocation) -> None:
        target = self.documents.get(a.invoice_no) if a.invoice_no else None
        receipt = self.receipts.get(a.receipt_id)
        paid_in = receipt.currency if receipt is not None else a.currency
        crossed = a.rate is not None and paid_in.strip().upper() != a.currency.strip().upper()
        if a.applied_amount:
            cash = self.cash.get(a.receipt_id)
            if crossed:
                assert a.rate is not None
                own = round_money(a.applied_amount * a.rate, paid_in)
                payment = -cash.clear(own, self.base) if cash is not None else \
                    in_base(a.applied_amount, a.rate, self.base) if not self.foreign(paid_in) else None
            else:
                payment = -cash.clear(a.applied_amount, self.base) if cash is not None else None
            if target is not None and payment is not None:
                self.realise(a.date, target, a.receipt_id, "receipt", a.applied_amount, payment, a)
            elif target is not None:
                target.clear(a.applied_amount, self.base)  # paid in the base currency at its own rate: no rate
        if a.deduction_amount and target is not None:
            day = receipt.date if receipt is not None else a.date
            rate = rate_on(self.rates, a.currency, day, self.base, self.book, f"the deduction of {a.receipt_id}")
            value = in_base(a.deduction_amount, rate, self.base)
            self.realise(a.date, target, a.receipt_id, "deduction", a.deduction_amount, value, a)

    def settle(self, day: dt.date, invoice: _Item, note: _Item, amount: Decimal, source: Source) -> None:
        payment = -note.clear(amount, self.base)
        self.realise(day, invoice, note.reference, source, amount, payment, None)

    def realise(self, day: dt.date, target: _Item, payment_ref: str, source: Source, amount: Decimal,
                payment: Decimal, a: Allocation | None) -> None:
        given = target.clear(amount, self.base)  # a refund against a credit note: both sides negative
        self.realised.append(Realised(day, target.customer_id, target.reference, payment_ref, source,
                                      target.currency, amount, payment, given, payment - given,
                                      a.deduction_type if a is not None and source == "deduction" else ""))
