"""What cash application works on: customers, open invoices, and the allocations it proposes.

Three plain records, with exactly the columns of the CSV contract of ``arxl match`` (DESIGN.md §4):

* :class:`CustomerProfile` - who a customer is when money arrives: its name and the aliases the accountant
  keeps for it (``MININFRA``, ``BK``), the bank accounts and mobile-money numbers it pays from, its type, and
  what it withholds at source (``vat``, ``wht3``, ``wht15``);
* :class:`OpenInvoice` - an invoice that is not yet fully paid: its amounts (net, VAT, total) and what is still
  open on it;
* :class:`AllocationRow` - one line of the answer: how much of a bank line goes to one invoice, what is
  cleared besides the cash (a deduction, typed), how sure the matcher is (``auto``, ``review``,
  ``unmatched``, and a score 0-100) and why, in words.

:class:`MatchSettings` holds the accountant's thresholds and tolerances (from Settings).

A receipt of 970,000 RWF from a ministry that withholds VAT and 3 % WHT on an invoice of 1,000,000 + 180,000
VAT clears the whole invoice in two rows, the cash and the VAT withheld, then the WHT:

>>> rows = [AllocationRow("BK-001", "INV-2025-00042", Decimal("970000"), Decimal("180000"), "vat_withheld",
...                       "auto", 100, "invoice number in narrative"),
...         AllocationRow("BK-001", "INV-2025-00042", Decimal("0"), Decimal("30000"), "wht", "auto", 100,
...                       "invoice number in narrative")]
>>> sum(r.cleared for r in rows)
Decimal('1180000')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

from arxl.core.errors import BadValue
from arxl.core.tax import WithholdingRates
from arxl.core.withholding import DeductionType as DeductionType  # the one list; the matcher imports it here

CustomerType = Literal["government", "private", "ngo", "foreign"]
Status = Literal["auto", "review", "unmatched"]

CUSTOMER_TYPES: tuple[str, ...] = ("government", "private", "ngo", "foreign")
CUSTOMER_COLUMNS = ("customer_id", "name", "aliases", "bank_accounts", "customer_type", "withholding")
OPEN_ITEM_COLUMNS = ("invoice_no", "customer_id", "customer_name", "invoice_date", "due_date", "currency",
                     "net_amount", "vat_amount", "amount", "open_amount")
ALLOCATION_COLUMNS = ("line_id", "invoice_no", "applied_amount", "deduction_amount", "deduction_type", "status",
                      "score", "reason")

_CHARGES: Mapping[str, Decimal] = MappingProxyType(
    {"USD": Decimal(45), "EUR": Decimal(45), "GBP": Decimal(45), "CHF": Decimal(45), "RWF": Decimal(5000)}
)
"""Largest shortfall read as bank charges by default: an international transfer arrives 10-45 USD short, a
local transfer a few thousand francs short (the sending bank's fee taken from the amount)."""


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    """A customer as the matcher knows it (one row of the customers CSV)."""

    customer_id: str
    name: str
    aliases: tuple[str, ...] = ()
    bank_accounts: tuple[str, ...] = ()
    customer_type: str = "private"
    withholding: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    """An invoice with something still to collect (one row of the open-items CSV).

    ``amount`` is the invoice total (net + VAT); ``open_amount`` what is left after earlier receipts.
    """

    invoice_no: str
    customer_id: str
    customer_name: str
    invoice_date: dt.date
    due_date: dt.date
    currency: str
    net_amount: Decimal
    vat_amount: Decimal
    amount: Decimal
    open_amount: Decimal


@dataclass(frozen=True, slots=True)
class AllocationRow:
    """One row of the allocation CSV: part of a bank line applied to one invoice (or left unapplied).

    ``applied_amount + deduction_amount`` is what the row clears on the invoice. A line with no invoice, or
    the unapplied remainder of an overpayment, has an empty ``invoice_no``.
    """

    line_id: str
    invoice_no: str
    applied_amount: Decimal
    deduction_amount: Decimal
    deduction_type: DeductionType
    status: Status
    score: int
    reason: str

    @property
    def cleared(self) -> Decimal:
        """What the row clears on its invoice: the cash applied plus the deduction."""
        return self.applied_amount + self.deduction_amount


@dataclass(frozen=True, slots=True)
class UsualCharge:
    """What a payer's bank usually keeps of its receipts, learnt from its own history (or a MatchRules row):
    ``tolerance`` is the largest shortfall read as bank charges on its receipts in ``currency``; ``source``
    says where it comes from ("6 of its last 6 receipts", "MatchRules row 7")."""

    customer_id: str
    currency: str
    usual: Decimal
    tolerance: Decimal
    source: str


@dataclass(frozen=True)
class MatchSettings:
    """The accountant's thresholds and tolerances for matching (Settings).

    * ``auto_threshold`` - a line is applied automatically only with this score or more (and no doubt left);
    * ``review_threshold`` - below it a line is left unmatched instead of proposed for review;
    * ``bank_charges`` - largest shortfall read as bank charges, per currency (a currency not listed: none);
    * ``withholding_rates`` - VAT share, 3 % and 15 % withholding (:class:`arxl.core.tax.WithholdingRates`);
    * ``max_invoices`` - most invoices looked for in one payment without their numbers;
    * ``rounding_units`` - a difference of this many currency units (1 RWF, 0.01 USD) is rounding;
    * ``own_accounts`` - the company's own bank accounts: money from them is a transfer, never a receipt;
    * ``third_party_payers`` - names of payers that pay for others (a treasury, a parent company, a donor),
      besides those whose name says TREASURY, TSA or SINGLE ACCOUNT: their own name identifies no customer;
    * ``usual_charges`` - per payer and currency, the bank charges its own receipts always lost (beyond
      ``bank_charges``), by (customer id, currency);
    * ``learnt`` - the aliases (folded) and accounts of the profiles that MatchRules added, by (customer id,
      alias or account key), and the rule in words ("MatchRules row 7: alias 'MININFRA HQ' -> C012");
    * ``ruled_out`` - payer names that do not name a customer (MatchRules ``not`` rows, learnt from rejections),
      by (payer name folded, its spaces single; customer id), and the rule in words;
    * ``references`` - references that name a customer wherever a line quotes them whole (MatchRules
      ``reference`` rows: a contract or purchase-order number), by the reference as written, with the customer
      id and the rule in words;
    * ``oldest_of_identical`` - when the amount fits several invoices of the same amount (a monthly fee billed
      three times) and nothing else tells them apart, apply it to the oldest, as an accountant does (on), or
      send the line to review (off).
    """

    auto_threshold: int = 90
    review_threshold: int = 50
    bank_charges: Mapping[str, Decimal] = field(default_factory=lambda: _CHARGES)
    withholding_rates: WithholdingRates = field(default_factory=WithholdingRates)
    max_invoices: int = 6
    rounding_units: int = 1
    own_accounts: frozenset[str] = frozenset()
    oldest_of_identical: bool = False
    third_party_payers: tuple[str, ...] = ()
    usual_charges: Mapping[tuple[str, str], UsualCharge] = field(default_factory=dict)  # (customer, currency)
    learnt: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (customer, alias or account): rule
    ruled_out: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (payer name, customer): rule
    references: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # pattern: (customer, rule)

    def __post_init__(self) -> None:
        if not 0 <= self.review_threshold <= self.auto_threshold <= 100:
            raise BadValue(f"thresholds must satisfy 0 <= review ({self.review_threshold}) <= auto "
                           f"({self.auto_threshold}) <= 100")
        if not 1 <= self.max_invoices <= 12:
            raise BadValue(f"max invoices in one payment {self.max_invoices} is not between 1 and 12")
        if not 0 <= self.rounding_units <= 100:
            raise BadValue(f"rounding tolerance {self.rounding_units} units is not between 0 and 100")
        for code, limit in self.bank_charges.items():
            if not isinstance(limit, Decimal) or not limit.is_finite() or limit < 0:
                raise BadValue(f"bank charges tolerance for {code} must be an amount of 0 or more")
