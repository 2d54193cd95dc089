"""The allocation sheet: what the accountant allocates in Sage (Customers > Receipt/Allocate) after the import.

Sage imports receipts only as payments on account (SA) and deductions and credit notes as credits (SC), none of
them linked to the invoice they settle; arxl knows the links (the Allocations table, a credit note's original
invoice), so it lists them, one row per allocation to make, in date order:

``Account Reference, Type, Reference, Date, Allocate To, Amount, Currency, Details``

- an SA receipt to an invoice: Reference the receipt ID, Amount what it applied, in the account's currency;
- a deduction to its invoice: Type SA or SC as Settings sends it, its reference (``INV-.../WHT``), the amount;
- a credit note (SC) to its original invoice: what the note clears of the invoice, its total but never more
  than the invoice still owed at the note's date (the rest stays on account, as
  :func:`arxl.ledger.openitems.open_items` treats it);
- a refund (SP) to the credit note or receipt it repays (the allocation's Invoice No).

Dates are DD/MM/YYYY as in the Sage file; amounts with the currency's decimals; Details is text for people
(quoted when it would begin like a formula), the other fields are codes the accountant types into Sage as
they are.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Literal

from arxl.core.withholding import deduction
from arxl.formats.sage.common import ZERO, Books
from arxl.formats.sage.csvfile import DETAILS_LENGTH, AllocationLine, text
from arxl.formats.sage.movements import deduction_reference
from arxl.ledger.records import Allocation, Invoice, Receipt


def cash_line(account: str, receipt: Receipt, a: Allocation) -> AllocationLine | None:
    """The receipt's (SA) or refund's (SP) allocation to an invoice, credit note or receipt; None when the
    row applies nothing to a document (cash left on account)."""
    if not a.applied_amount or not a.invoice_no.strip():
        return None
    refund = receipt.amount < 0
    payer = receipt.payer_name.strip() or receipt.narrative.strip()
    return AllocationLine(account, "SP" if refund else "SA", receipt.receipt_id.strip(), a.date,
                          a.invoice_no.strip(), abs(a.applied_amount), a.currency.strip().upper(),
                          text(("Refund " if refund else "") + payer, DETAILS_LENGTH))


def deduction_line(account: str, kind: str, a: Allocation) -> AllocationLine:
    """A deduction's credit (SA or SC) to the invoice it settles."""
    sage_type: Literal["SA", "SC"] = "SA" if kind == "SA" else "SC"
    return AllocationLine(account, sage_type, deduction_reference(a.invoice_no, a.deduction_type), a.date,
                          a.invoice_no.strip(), a.deduction_amount, a.currency.strip().upper(),
                          text(f"{deduction(a.deduction_type).statement}, receipt {a.receipt_id}", DETAILS_LENGTH))


class CreditNotes:
    """What each credit note clears of its original invoice at the note's date (the open-items rule)."""

    def __init__(self, books: Books) -> None:
        ledger = books.ledger
        register = [d for d in ledger.invoices.rows if d.status != "cancelled"]
        originals = {d.invoice_no: d for d in register if d.doc_type == "invoice"}
        paid: dict[str, list[Allocation]] = defaultdict(list)
        for a in ledger.allocations.rows:
            if a.invoice_no in originals:
                paid[a.invoice_no].append(a)
        credited: dict[str, Decimal] = defaultdict(Decimal)
        self.taken: dict[str, Decimal] = {}
        for note in sorted((d for d in register if d.doc_type == "credit_note"),
                           key=lambda n: (n.invoice_date, n.invoice_no)):
            original = originals.get(note.original_invoice)
            if original is None:
                continue
            cleared = sum((x.applied_amount + x.deduction_amount for x in paid[original.invoice_no]
                           if x.date <= note.invoice_date), ZERO)
            owed = original.total_amount - credited[original.invoice_no] - cleared
            taken = min(-note.total_amount, max(owed, ZERO))
            credited[original.invoice_no] += taken
            self.taken[note.invoice_no] = taken

    def line(self, account: str, note: Invoice) -> AllocationLine | None:
        taken = self.taken.get(note.invoice_no, ZERO)
        if taken <= 0:
            return None
        return AllocationLine(account, "SC", note.invoice_no.strip(), note.invoice_date,
                              note.original_invoice.strip(), taken, note.currency.strip().upper(),
                              text(f"Credit note for {note.original_invoice}", DETAILS_LENGTH))
