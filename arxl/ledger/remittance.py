"""A customer's remittance advice: one payment, the invoices it pays and what the customer kept back from each.

A large customer pays many invoices with one bank transfer, less what it withholds (VAT withheld, withholding
tax), what the bank took and what it disputes, and sends an advice listing them. :class:`Advice` is that
advice as read (:mod:`arxl.formats.remittance` reads CSV, XLSX and PDF ones); :mod:`arxl.cashapp.remittance`
finds the bank line it announces and splits it. A record: the format writes it, the workflow reads it, neither
imports the other.

Each :class:`AdviceLine` keeps the invoice number *as quoted* and ``where`` it stands in the file
(``[advice.xlsx]Advice!A9``, ``[advice.pdf] page 1 line 9``), so that every refusal points at its cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from arxl.core.withholding import DeductionType

__all__ = ["Advice", "AdviceDeduction", "AdviceLine"]

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class AdviceDeduction:
    """What the customer kept back from one invoice: ``kind`` is a ledger deduction type (``vat_withheld``,
    ``wht``, ``bank_charges``, ``discount``), or ``""`` for anything else (a disputed amount short-paid), whose
    ``reason`` the advice gives."""

    kind: DeductionType
    amount: Decimal
    reason: str = ""
    where: str = ""  # its cell or line and column in the file (the line's when the file cannot say)


@dataclass(frozen=True, slots=True)
class AdviceLine:
    """One invoice of the advice: the number as quoted, the cash paid on it, and the deductions."""

    invoice: str
    paid: Decimal
    deductions: tuple[AdviceDeduction, ...] = ()
    where: str = ""  # the invoice number's cell or line in the file

    @property
    def deducted(self) -> Decimal:
        return sum((d.amount for d in self.deductions), ZERO)


@dataclass(frozen=True, slots=True)
class Advice:
    """One remittance advice. ``total`` is the total it states (None when it states none): the bank line it
    announces carries that amount; the lines' ``paid`` should add up to it."""

    source: str  # the file's name
    lines: tuple[AdviceLine, ...]
    payer: str = ""  # the payer's name as the advice gives it
    customer_id: str = ""  # our customer id, when the advice quotes it
    payment_date: dt.date | None = None
    total: Decimal | None = None
    currency: str = ""
    reference: str = ""  # the payment's reference (the bank's transaction reference)
    total_where: str = ""  # the total's cell

    @property
    def paid(self) -> Decimal:
        """What the lines add up to."""
        return sum((line.paid for line in self.lines), ZERO)

    @property
    def amount(self) -> Decimal:
        """The payment the advice announces: its stated total, else what its lines add up to."""
        return self.paid if self.total is None else self.total
