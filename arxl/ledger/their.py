"""A customer's own statement or remittance advice, and what comparing it with the ledger found.

:class:`TheirFile` is the customer's file as read (its :class:`TheirRow` rows, as written there), the input of
:func:`arxl.cashapp.customer.reconcile_customer`; :class:`CustomerReconciliation` is its outcome, the
:class:`Difference` rows and the two balances, which :mod:`arxl.formats.customer_file` writes for the customer.
They are records: the format reads and writes them, the workflow computes them, neither imports the other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from arxl.ledger.records import Customer

ZERO = Decimal(0)


DifferenceKind = Literal[
    "opening balance differs", "missing on theirs", "missing on ours", "probable match", "amount differs",
    "another customer's document", "listed twice on theirs", "after the as-of date", "payment not received by us",
    "receipt not on theirs", "payment amount differs", "withholding not recorded by us", "withholding differs",
    "deduction not on theirs", "entry we cannot place",
]


@dataclass(frozen=True, slots=True)
class Difference:
    """One thing that differs. Amounts count as in the balance owed (payments negative); None: not on that side."""

    kind: DifferenceKind
    date: dt.date | None
    their_reference: str
    our_document: str
    their_amount: Decimal | None
    our_amount: Decimal | None
    currency: str
    note: str = ""
    where: str = ""  # the row of their file

    @property
    def difference(self) -> Decimal:
        return (self.their_amount or ZERO) - (self.our_amount or ZERO)


@dataclass(frozen=True, slots=True)
class TheirRow:
    """One row of the customer's file with an amount or a balance, as written there.

    ``amount`` is positive on the debit side (a Debit column, or a positive Amount) and negative on the credit
    side; ``balance`` is their running balance as written (a "Cr" after it makes it negative). ``withheld`` is
    what a withholding column says was kept back on the row, ``paid`` what a "Net Paid" column says was sent.
    """

    where: str
    date: dt.date | None
    references: tuple[str, ...] = ()
    description: str = ""
    type_text: str = ""
    amount: Decimal | None = None
    balance: Decimal | None = None
    currency: str = ""
    withheld: Decimal | None = None
    paid: Decimal | None = None

    @property
    def reference(self) -> str:
        """The first reference written on the row."""
        return next((r for r in self.references if r), "")

    @property
    def text(self) -> str:
        return " ".join(t for t in (self.type_text, *self.references, self.description) if t)


@dataclass(frozen=True, slots=True)
class TheirFile:
    """The customer's file as read: its rows and what its layout says about them."""

    name: str
    rows: tuple[TheirRow, ...]
    columns: tuple[str, ...] = ()  # the columns recognised, as "Role: Header" for the summary
    debit_credit: bool = False  # separate Debit and Credit columns: the amounts are signed
    remittance: bool = False  # a title or a Net Paid column says it is a remittance advice
    payment_date: dt.date | None = None  # a remittance advice's "Payment date:" above the table
    currency: str = ""  # a "Currency:" line above the table


@dataclass(frozen=True, slots=True)
class CustomerReconciliation:
    """The customer's file against our ledger: the differences, in date order, and the two balances."""

    customer: Customer
    currency: str
    their_file: str
    first_date: dt.date
    as_of: dt.date
    convention: str  # how their file's signs were read, in words
    columns: tuple[str, ...]  # the columns of their file that were read, "role: header"
    remittance: bool
    differences: tuple[Difference, ...]
    documents_agreed: int
    payments_agreed: int  # payments and withholding rows that agree
    their_opening: Decimal | None  # None for a remittance advice (it states no balance)
    their_closing: Decimal | None
    our_opening: Decimal
    our_closing: Decimal
    notes: tuple[str, ...] = ()
    documents_probable: int = 0  # rows of theirs that are probably one of ours (a bare serial): not agreed

    @property
    def balance_difference(self) -> Decimal | None:
        return None if self.their_closing is None else self.their_closing - self.our_closing

    @property
    def explained(self) -> Decimal:
        return sum((d.difference for d in self.differences), ZERO)

    @property
    def unexplained(self) -> Decimal | None:
        difference = self.balance_difference
        return None if difference is None else difference - self.explained
