"""Receipts (SA), refunds (SP) and deductions (SA or SC) as Sage rows, and the reference each goes in under.

See :mod:`arxl.formats.sage` for what Sage posts for each and why that form.

>>> deduction_reference("INV-2025-00123", "wht"), deduction_reference("INV-2025-00123", "bank_charges")
('INV-2025-00123/WHT', 'INV-2025-00123/BANK')
"""

from __future__ import annotations

import re
from decimal import Decimal, localcontext
from typing import Literal

from arxl.core.fx import SAGE_RATE_PLACES, sage_rate
from arxl.core.sage_limits import MAX_AMOUNT, MAX_SPLIT
from arxl.core.withholding import deduction
from arxl.formats.sage.common import ONE, ZERO, Books, HeldBack, reference
from arxl.formats.sage.csvfile import DETAILS_LENGTH, EXTRA_REFERENCE_LENGTH, SageRow, split, text
from arxl.ledger.rates import paid_in
from arxl.ledger.records import Allocation, Receipt

NO_TAX = "T9"  # outside the scope of VAT: money moved, nothing sold
SUFFIXES = {"vat_withheld": "VATW", "wht": "WHT", "bank_charges": "BANK", "discount": "DISC", "rounding": "RND",
            "write_off": "WOFF"}
"""The deduction's mark after its invoice number in the Sage reference (``INV-2025-00123/WHT``)."""
_TREATMENT = re.compile(r"(SA|SC)\s+(\S+)", re.IGNORECASE)


def deduction_reference(invoice_no: str, kind: str) -> str:
    """The Sage reference of a deduction: its invoice, a slash and the type's mark (the receipt goes in Extra
    Reference, so that (Reference, Extra Reference) is unique per receipt, invoice and type)."""
    return f"{invoice_no.strip()}/{SUFFIXES.get(kind, kind.upper())}"


class Movements:
    """The rows of the money that moved on customers' accounts: receipts, refunds, deductions."""

    def __init__(self, books: Books) -> None:
        self.books = books
        self.ledger = books.ledger
        self.of_receipt: dict[str, list[int]] = {}
        for i, a in enumerate(self.ledger.allocations.rows):
            self.of_receipt.setdefault(a.receipt_id.strip().upper(), []).append(i)

    def receipt(self, index: int) -> list[SageRow]:
        """A receipt as SA (money in, on account) or a refund as SP (money paid back), to the bank nominal of
        its currency, in the currency of the customer's account at the rate that posts exactly what the bank
        received (see :meth:`net_and_rate`)."""
        table = self.ledger.receipts
        r: Receipt = table.rows[index]
        refund = r.amount < 0
        number = reference(r.receipt_id, table.where(index, "receipt_id"), "receipt ID")
        code = self.books.currency(r.currency, table.where(index, "currency"))
        bank = self.books.nominal(self.books.settings.sage_bank(code), self.books.settings_cell(
            f"Sage Bank Nominal {code}"), f"the Sage bank nominal of {code}")
        currency, net, rate = self.net_and_rate(index)
        account = self.books.account(r.customer_id, currency, table.where(index, "customer_id"))
        parts = split(net, ZERO, currency)[0]
        if len(parts) > MAX_SPLIT:
            raise HeldBack(table.where(index, "amount"), f"its amount {abs(r.amount):,} {code} would take "
                           f"{len(parts):,} Sage rows of at most {MAX_AMOUNT:,}: check the amount")
        payer = " / ".join(t for t in (r.payer_name.strip(), r.narrative.strip()) if t)
        shown = text(("Refund: " if refund else "") + payer, DETAILS_LENGTH)
        extra = text(r.bank_reference, EXTRA_REFERENCE_LENGTH)
        return [SageRow("SP" if refund else "SA", account, bank, r.date, number, shown, part, NO_TAX, ZERO,
                        currency, rate, extra) for part in parts]

    def net_and_rate(self, index: int) -> tuple[str, Decimal, Decimal]:
        """(currency, Net, Sage rate) of a receipt. In its own currency: the amount, at 1 (base) or the Rates
        sheet's rate of the receipt date. A base-currency receipt paying foreign invoices (its allocations in
        that currency, each with its Rate: base per unit): Net in the invoices' currency = what it applied + the
        unallocated rest at the allocations' rate, and the rate Net ÷ amount, from which Sage posts exactly
        the amount received to the bank."""
        table = self.ledger.receipts
        r: Receipt = table.rows[index]
        code = r.currency.strip().upper()
        amount = abs(r.amount)
        mine = self.of_receipt.get(r.receipt_id.strip().upper(), [])
        allocations = self.ledger.allocations
        foreign = sorted({allocations.rows[i].currency.strip().upper() for i in mine} - {code})
        if not foreign:
            return code, amount, self.books.rate(code, r.date, table.where(index, "currency"))[1]
        first = next(i for i in mine if allocations.rows[i].currency.strip().upper() == foreign[0])
        if len(foreign) > 1 or len(foreign) != len({allocations.rows[i].currency.strip().upper() for i in mine}):
            raise HeldBack(allocations.where(first, "currency"), f"it is applied in {code} and {', '.join(foreign)} "
                           "at once; a Sage receipt is in its customer account's one currency: split it")
        if code != self.books.base:
            raise HeldBack(allocations.where(first, "currency"), f"it is a {code} receipt applied to "
                           f"{foreign[0]} invoices; Sage takes such a receipt only into a {self.books.base} bank: "
                           "enter it in Sage by hand")
        currency = foreign[0]
        for i in mine:
            a: Allocation = allocations.rows[i]
            if a.rate is None or a.rate <= 0:
                raise HeldBack(allocations.where(i, "rate"), f"it applies {code} to {a.invoice_no or 'the account'} "
                               f"in {currency}: the allocation needs its Rate ({code} per {currency})")
        found = paid_in(r, (allocations.rows[i] for i in mine))
        assert found is not None  # one foreign currency, every allocation with its rate: checked above
        net = found[1]
        if net <= 0:
            raise HeldBack(table.where(index, "amount"), f"its allocations take more than its {amount:,} {code}")
        with localcontext() as context:
            context.prec = 40
            return currency, net, (net / amount).quantize(ONE.scaleb(-SAGE_RATE_PLACES))

    def deduction(self, index: int, receipt: Receipt | None) -> list[SageRow]:
        """A deduction as Settings says its type goes to Sage: "SA <nominal>" (a payment on account into a
        bank-type nominal: RRA owes it until the certificate) or "SC <nominal>" (a credit to an expense
        nominal), on the account of the invoice's customer, in the allocation's currency at the rate of the
        receipt's date."""
        table = self.ledger.allocations
        a: Allocation = table.rows[index]
        kind, nominal = self.treatment(index)
        invoice = self.books.invoices.get(a.invoice_no.strip().upper())
        if invoice is None:
            raise HeldBack(table.where(index, "invoice_no"), f'its invoice "{a.invoice_no}" is not in Invoices: a '
                           "deduction is allocated to the invoice it settles")
        doc = self.ledger.invoices.rows[invoice]
        code = self.books.currency(a.currency, table.where(index, "currency"))
        account = self.books.account(doc.customer_id, code, self.ledger.invoices.where(invoice, "customer_id"))
        number = reference(deduction_reference(a.invoice_no, a.deduction_type), table.where(index, "invoice_no"),
                           "deduction reference")
        day = receipt.date if receipt is not None else a.date
        if code == self.books.base:
            rate = ONE
        elif a.rate is not None and a.rate > 0 and receipt is not None and \
                receipt.currency.strip().upper() == self.books.base:
            rate = sage_rate(a.rate)  # paid in the base currency: the allocation's own rate (base per unit)
        else:
            rate = self.books.rate(code, day, table.where(index, "currency"))[1]
        parts = split(a.deduction_amount, ZERO, code)[0]
        shown = text(f"{deduction(a.deduction_type).statement} {a.invoice_no.strip()}", DETAILS_LENGTH)
        extra = text(a.receipt_id, EXTRA_REFERENCE_LENGTH)
        return [SageRow(kind, account, nominal, a.date, number, shown, part, NO_TAX, ZERO, code, rate, extra)
                for part in parts]

    def treatment(self, index: int) -> tuple[Literal["SA", "SC"], str]:
        """("SA" or "SC", nominal) of the allocation's deduction type, from Settings or the table's default."""
        table = self.ledger.allocations
        a: Allocation = table.rows[index]
        row = deduction(a.deduction_type)
        given = self.books.settings.sage_deduction(a.deduction_type) if a.deduction_type and row.sage_key else ""
        if not given:
            raise HeldBack(table.where(index, "deduction_type"), f'the deduction type "{a.deduction_type}" has no '
                           "Sage treatment: choose one of " + ", ".join(SUFFIXES))
        match = _TREATMENT.fullmatch(given.strip())
        where = self.books.settings_cell(row.sage_key)
        if match is None:
            raise HeldBack(where, f'{row.sage_key} "{given[:20]}" must be "SA <nominal>" or "SC <nominal>"')
        kind: Literal["SA", "SC"] = "SA" if match[1].upper() == "SA" else "SC"
        return kind, self.books.nominal(match[2], where, row.sage_key)


def is_in_sage(receipt: Receipt | None, exported: set[str]) -> bool:
    """Whether a receipt's SA (or SP) is in Sage: marked by an earlier export, or written by this one."""
    return receipt is not None and (receipt.sage_exported is not None or receipt.receipt_id in exported)

