"""The aging report: the open items aged at a date and totalled per currency and customer, in Decimal.

Each open item (:func:`arxl.ledger.openitems.open_items`) gets its age in days (from its due date, or from its
invoice date, as Settings say) and its bucket of the Settings' scheme; a customer's line in a currency holds
its invoices by bucket and, apart, its open credit notes and unapplied cash. These figures are what the Aging
sheet's formulas (:mod:`arxl.aging.sheet`) must reproduce, and what is stored with them.

>>> import datetime as dt
>>> from decimal import Decimal as D
>>> from arxl.ledger.openitems import OpenItem
>>> item = OpenItem("invoice", "INV-1", "C1", "RWF", dt.date(2025, 5, 1), dt.date(2025, 5, 31), D(1180000),
...                 D(0), D(0), D(1180000))
>>> report = build_report([item], {"C1": "Ministry of ICT"}, dt.date(2025, 6, 30))
>>> block = report.blocks[0]
>>> block.currency, block.customers[0].buckets[1], report.items[0].days, report.items[0].label
('RWF', Decimal('1180000'), 30, '1-30 days')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from arxl.core.aging import Basis, BucketScheme, age
from arxl.core.fx import in_base
from arxl.ledger.ledger import DayRate
from arxl.ledger.openitems import OpenItem

UNIDENTIFIED = "(unidentified)"


@dataclass(frozen=True, slots=True)
class AgedItem:
    """An open item with its age and bucket at the as-of date."""

    item: OpenItem
    name: str
    days: int
    bucket: int  # index in the scheme's labels (0 is Current)
    label: str

    @property
    def customer_id(self) -> str:
        return self.item.customer_id or UNIDENTIFIED


@dataclass(slots=True)
class CustomerAging:
    """One customer's line in a currency block: invoices by bucket, credits and unapplied cash apart."""

    customer_id: str
    name: str
    buckets: list[Decimal]
    credits: Decimal = Decimal(0)
    unapplied: Decimal = Decimal(0)

    @property
    def invoices(self) -> Decimal:
        return sum(self.buckets, Decimal(0))

    @property
    def balance(self) -> Decimal:
        return self.invoices + self.credits + self.unapplied


@dataclass(slots=True)
class CurrencyBlock:
    """The customers owing (or owed) in one currency, largest balance first, and their totals."""

    currency: str
    customers: list[CustomerAging]
    items_total: Decimal  # the sum of the open items of this currency, item by item
    bucket_totals: list[Decimal] = field(default_factory=list)
    credits: Decimal = Decimal(0)
    unapplied: Decimal = Decimal(0)
    balance: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        width = len(self.customers[0].buckets) if self.customers else 0
        self.bucket_totals = [sum((c.buckets[i] for c in self.customers), Decimal(0)) for i in range(width)]
        self.credits = sum((c.credits for c in self.customers), Decimal(0))
        self.unapplied = sum((c.unapplied for c in self.customers), Decimal(0))
        self.balance = sum(self.bucket_totals, Decimal(0)) + self.credits + self.unapplied

    def bucket_total(self, index: int) -> Decimal:
        return self.bucket_totals[index]


@dataclass(slots=True)
class AgingReport:
    """The aging at a date, computed in Python with Decimal: what the sheet's formulas must reproduce."""

    as_of: dt.date
    scheme: BucketScheme
    basis: Basis
    items: list[AgedItem]
    blocks: list[CurrencyBlock]
    company: str = ""
    base_currency: str = "RWF"
    rates: Mapping[str, DayRate] = field(default_factory=dict)  # the Rates sheet's closing rate per currency
    labels: tuple[str, ...] = field(default=())
    missing: tuple[str, ...] = ()  # foreign currencies of the items without a rate at the as-of date

    def block(self, currency: str) -> CurrencyBlock:
        return next(b for b in self.blocks if b.currency == currency)

    def rate(self, currency: str) -> Decimal | None:
        """Base-currency units for one unit of ``currency`` at the as-of date (the Rates sheet's), or None."""
        if currency == self.base_currency:
            return Decimal(1)
        found = self.rates.get(currency)
        return found.rate if found is not None else None

    def converted(self, currency: str) -> Decimal | None:
        """The open items of ``currency`` in the base currency: each at the closing rate (:func:`in_base`, what
        the detail's ROUND gives), summed; None without a rate."""
        if currency == self.base_currency:
            return self.block(currency).items_total
        rate = self.rate(currency)
        if rate is None:
            return None
        return sum((in_base(i.item.open_amount, rate, self.base_currency) for i in self.items
                    if i.item.currency == currency), Decimal(0))


def sheet_labels(scheme: BucketScheme) -> tuple[str, ...]:
    """The bucket labels as the sheet shows them: "Current", "1-30 days", ..., "Over 120 days"."""
    return tuple(label if label == "Current" else f"{label} days" for label in scheme.labels)


def build_report(items: Iterable[OpenItem], names: Mapping[str, str], as_of: dt.date,
                 scheme: BucketScheme | None = None, basis: Basis = "due_date", *, company: str = "",
                 base_currency: str = "RWF", rates: Mapping[str, DayRate] | None = None) -> AgingReport:
    """Age the open items and total them per currency and customer."""
    scheme = scheme or BucketScheme()
    labels = sheet_labels(scheme)
    aged: list[AgedItem] = []
    lines: dict[str, dict[str, CustomerAging]] = {}
    items_total: dict[str, Decimal] = {}
    width = len(labels)
    for item in items:
        days = age(item.document_date, item.due_date, as_of, basis)
        index = scheme.index(days)
        customer = item.customer_id or UNIDENTIFIED
        name = names.get(item.customer_id, "") if item.customer_id else "Receipts not yet identified"
        aged.append(AgedItem(item, name or "(not in Customers)", days, index, labels[index]))
        block = lines.setdefault(item.currency, {})
        line = block.get(customer)
        if line is None:
            line = block[customer] = CustomerAging(customer, aged[-1].name, [Decimal(0)] * width)
        if item.kind == "invoice":
            line.buckets[index] += item.open_amount
        elif item.kind == "credit":
            line.credits += item.open_amount
        else:
            line.unapplied += item.open_amount
        items_total[item.currency] = items_total.get(item.currency, Decimal(0)) + item.open_amount
    order = sorted(lines, key=lambda code: (code != base_currency, code))
    blocks = [CurrencyBlock(code, sorted(lines[code].values(), key=lambda c: (-c.balance, c.customer_id)),
                            items_total[code]) for code in order]
    rates = rates or {}
    missing = tuple(code for code in order if code != base_currency and code not in rates)
    return AgingReport(as_of, scheme, basis, aged, blocks, company, base_currency, dict(rates), labels, missing)
