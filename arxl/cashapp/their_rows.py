"""Their rows read: what each row of a customer's file is, which way its signs go, and its balances.

Each row of their file (:class:`TheirRow`, read by :mod:`arxl.formats.customer_file`) is an invoice, a credit
note, a payment, withholding (or another deduction), the opening or closing balance, or an entry we cannot
place. The first rule that applies decides:

1. a Type column, when it holds a word it knows ("Invoice", "INV", "Bill", "Credit note", "CN", "Payment",
   "PMT", "WHT", "Deduction" ...); a type it does not know ("Journal") on a row that names none of our
   documents is an entry we cannot place;
2. "opening balance", "balance b/f", "brought forward" (and "closing balance", "c/f") in the row's text;
3. the side of the row, when the amounts carry a sign. Their file keeps our invoices either as credits (their
   supplier ledger) or as debits (a mirror of our statement); which, is decided per file from the rows whose
   reference names one of our invoices (any spelling: :class:`~arxl.cashapp.references.InvoiceIndex`), else
   from the rows with payment words. A row on the invoice side is an invoice (or the credit note it names);
   a row on the other side is a payment, unless its text says withholding (WHT, withheld), another deduction
   (bank charges, discount, write-off: our own statement sent back) or credit note. Deciding by the side
   before the words keeps "Payment INV-2025-00042" a payment although it names an invoice, and makes a row
   with payment words on the invoice side (a payment reversed) an entry we cannot place;
4. in a file whose amounts carry no sign (one Amount column, all positive), the words: withholding, credit
   note, payment words (payment, paid, transfer, EFT, RTGS, cheque, chq, bank), then the kind of our document
   the row names; anything else is an invoice they hold.

Each row's **effect** is how it moves what they owe us: invoices positive, credit notes, payments and
withholding negative. **Their balances** (:func:`their_balances`) come from their opening and closing rows,
else from their running balance, read in whichever sign makes it follow from the rows ("Cr" after a figure
counts), else from the rows themselves; a running balance that does not follow is noted, never corrected.

>>> import datetime as dt
>>> from decimal import Decimal as D
>>> from arxl.ledger.records import Invoice
>>> ours = Invoice(invoice_no="INV-2025-00042", invoice_date=dt.date(2025, 7, 3), due_date=dt.date(2025, 8, 2),
...                customer_id="C001", currency="RWF", net_amount=D(1000000), vat_amount=D(180000),
...                total_amount=D(1180000))
>>> rows = [TheirRow("line 2", dt.date(2025, 7, 4), ("INV/2025/42",), "Data centre", amount=D(-1180000)),
...         TheirRow("line 3", dt.date(2025, 7, 11), ("INV-2025-00042",), "Payment by EFT", amount=D(970000))]
>>> entries, convention = Classifier([ours], "C001").classify(rows, debit_credit=True)
>>> [(e.kind, e.effect, e.names) for e in entries]
[('invoice', Decimal('1180000'), ('INV-2025-00042',)), ('payment', Decimal('-970000'), ('INV-2025-00042',))]
>>> convention
'their supplier ledger: our invoices are credits on their side (from the rows that name our invoices)'
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from arxl.cashapp.narratives import prepare
from arxl.cashapp.references import InvoiceIndex
from arxl.core.money import figure, round_money
from arxl.ledger.records import Invoice, header_key
from arxl.ledger.their import TheirRow

__all__ = ["Classifier", "Entry", "RowKind", "their_balances"]

RowKind = Literal["invoice", "credit_note", "payment", "withholding", "opening", "closing", "unknown"]
ZERO = Decimal(0)
MIN_POINTS = 60
"""Weakest evidence (:mod:`arxl.cashapp.references`) that a reference names one of our documents."""

# The Type column's words (compared as header keys: lower case, letters and digits only).
_TYPE_WORDS: dict[str, RowKind] = {
    **dict.fromkeys(("invoice", "inv", "bill", "taxinvoice", "si", "pi", "purchaseinvoice", "salesinvoice",
                     "supplierinvoice"), "invoice"),
    **dict.fromkeys(("creditnote", "cn", "crn", "creditmemo", "sc", "pc", "purchasecredit", "salescredit",
                     "suppliercredit"), "credit_note"),
    **dict.fromkeys(("payment", "pmt", "pymt", "paid", "pay", "pp", "purchasepayment", "receipt", "sr", "sa",
                     "bankpayment", "eft", "rtgs", "transfer", "cheque", "chq", "check", "remittance"), "payment"),
    **dict.fromkeys(("wht", "withholding", "withholdingtax", "vatwithheld", "taxwithheld", "withheld", "deduction",
                     "bankcharges", "charges", "discount", "writeoff"), "withholding"),
    **dict.fromkeys(("opening", "openingbalance", "bf", "balancebf", "broughtforward"), "opening"),
    **dict.fromkeys(("closing", "closingbalance", "cf", "balancecf", "carriedforward"), "closing"),
}
_KNOWN_WORDS = frozenset({"INV", "INVOICE", "INVNO", "NO", "NR", "REF", "BILL", "FACTURE", "PMT", "PAYMENT", "PAID",
                          "CN", "CREDIT", "NOTE"})
"""Words that may stand just before one of our numbers written without its prefix (``REF 2025/42``); any other
word there (``PV-2025-0311``, ``Hosting 2025-07``) makes a number without its prefix someone else's."""
_OPENING = re.compile(r"\b(opening\s+balance|opening|balance\s+b/?f|bal\.?\s+b/?f|b/f|brought\s+forward)(?!\w)", re.I)
_CLOSING = re.compile(r"\b(closing\s+balance|balance\s+c/?f|bal\.?\s+c/?f|c/f|carried\s+forward)(?!\w)", re.I)
_WITHHOLDING = re.compile(r"\b(wht|withholding|withheld)\b", re.I)
_DEDUCTION = re.compile(r"\b(bank\s+charges|discount|written\s+off|write[\s-]?off|deduction)\b", re.I)
_CREDIT = re.compile(r"\b(credit\s+note|credit\s+memo|cn|crn)\b", re.I)
_PAYMENT = re.compile(r"\b(payment|paid|pmt|pymt|transfer|trf|eft|rtgs|swift|cheque|chq|bank|remittance|momo)\b",
                      re.I)

_WORDS: tuple[tuple[re.Pattern[str], RowKind], ...] = (
    (_WITHHOLDING, "withholding"), (_CREDIT, "credit_note"), (_PAYMENT, "payment"))






@dataclass(frozen=True, slots=True)
class Entry:
    """A row of theirs with its kind, how it moves their balance of our account, and the documents it names."""

    row: TheirRow
    position: int
    kind: RowKind
    effect: Decimal  # invoice positive, payment negative; opening: the balance itself
    names: tuple[str, ...]  # our document numbers, strongest first

    @property
    def date(self) -> dt.date | None:
        return self.row.date


class Classifier:
    """Reads their rows: which of our documents each names, which side is the invoice side, and each kind."""

    def __init__(self, documents: Sequence[Invoice], customer_id: str) -> None:
        self.numbers = [d.invoice_no for d in documents]
        self.documents = {d.invoice_no: d for d in documents}
        self.index = InvoiceIndex(self.numbers)
        self.customer_id = customer_id

    def names(self, row: TheirRow) -> tuple[str, ...]:
        """Our documents the row names, the clearest first; on a tie the customer's own, then the nearest date
        ("00042" is INV-2025-00042 rather than INV-2024-00042 on a row of July 2025)."""
        found: dict[int, int] = {}
        for text in (*row.references, row.description):
            if not text:
                continue
            prepared = prepare(text)
            for position, hit in self.index.find(prepared).items():
                points = hit.points
                if points < 90 and self._foreign_prefix(prepared.folded, hit.start):
                    continue  # "PV-2025-0087", their payment voucher, names no invoice of ours
                if points >= MIN_POINTS:
                    found[position] = max(found.get(position, 0), points)
        def rank(p: int) -> tuple[int, bool, int, int]:
            document = self.documents[self.numbers[p]]
            apart = abs((document.invoice_date - row.date).days) if row.date else 0
            return -found[p], document.customer_id != self.customer_id, apart, p

        return tuple(self.numbers[p] for p in sorted(found, key=rank))

    def _foreign_prefix(self, folded: str, start: int) -> bool:
        """Letters written just before the number that are none of our prefixes (nor INV, INVOICE ...)."""
        before = re.search(r"([A-Z]+)[^A-Z0-9]{0,3}$", folded[:start])
        return before is not None and before.group(1) not in self.index.prefixes \
            and before.group(1) not in _KNOWN_WORDS

    def classify(self, rows: Sequence[TheirRow], debit_credit: bool) -> tuple[list[Entry], str]:
        """Each row's kind and effect, and the sign convention found, in words."""
        names = [self.names(r) for r in rows]
        amounts = [r.amount for r in rows if r.amount and not _OPENING.search(r.text) and not _CLOSING.search(r.text)]
        signed = debit_credit or (any(a > 0 for a in amounts) and any(a < 0 for a in amounts))
        invoice_sign, convention = self._convention(rows, names, signed, debit_credit)
        result: list[Entry] = []
        for position, (row, named) in enumerate(zip(rows, names, strict=True)):
            kind = self._kind(row, named, signed, invoice_sign)
            if row.amount is None and kind not in ("opening", "closing"):
                # a row with only a balance: the opening one before any movement, else a closing one
                kind = "closing" if any(r.kind not in ("opening", "closing") for r in result) else "opening"
            result.append(Entry(row, position, kind, self._effect(row, kind, signed, invoice_sign), named))
        return result, convention

    def _type(self, row: TheirRow) -> RowKind | None:
        return _TYPE_WORDS.get(header_key(row.type_text)) if row.type_text else None

    def _is_invoice(self, number: str) -> bool:
        return self.documents[number].doc_type == "invoice"

    def _convention(self, rows: Sequence[TheirRow], names: Sequence[tuple[str, ...]], signed: bool,
                    debit_credit: bool) -> tuple[int, str]:
        if not signed:
            return 1, "amounts without sign: the Type column and the words say what each row is"
        votes: dict[int, int] = defaultdict(int)
        for row, named in zip(rows, names, strict=True):
            kind = self._type(row)
            if not row.amount or kind not in (None, "invoice"):
                continue
            if kind == "invoice" or (named and self._is_invoice(named[0]) and not _PAYMENT.search(row.text)
                                     and not _WITHHOLDING.search(row.text)):
                votes[1 if row.amount > 0 else -1] += 1
        how = "from the rows that name our invoices"
        if votes[1] == votes[-1]:
            votes.clear()
            for row in rows:
                kind = self._type(row)
                if row.amount and (kind == "payment" or (kind is None and _PAYMENT.search(row.text))):
                    votes[-1 if row.amount > 0 else 1] += 1
            how = "from the payment rows"
        if votes[1] == votes[-1]:
            sign = -1 if debit_credit else 1
            how = "assumed: no row names one of our invoices or a payment"
        else:
            sign = 1 if votes[1] > votes[-1] else -1
        side = "debits" if sign > 0 else "credits"
        view = "their supplier ledger" if sign < 0 else "a mirror of our statement"
        return sign, f"{view}: our invoices are {side} on their side ({how})"

    def _kind(self, row: TheirRow, named: tuple[str, ...], signed: bool, invoice_sign: int) -> RowKind:
        text = row.text
        if _OPENING.search(text) and not named:
            return "opening"
        if _CLOSING.search(text) and not named:
            return "closing"
        typed = self._type(row)
        if typed is not None:
            return typed
        if row.amount is None or (row.type_text and not named):
            return "unknown"  # a type we do not know (a journal, an adjustment) on a row naming none of ours
        doc_kind: RowKind | None = None
        if named:
            doc_kind = "invoice" if self._is_invoice(named[0]) else "credit_note"
        if signed:
            if (row.amount > 0) == (invoice_sign > 0):  # the invoice side
                if _PAYMENT.search(text) or _WITHHOLDING.search(text):
                    return "unknown"  # a payment reversed, a refund: nothing we can match
                return doc_kind or ("credit_note" if _CREDIT.search(text) else "invoice")
            if _WITHHOLDING.search(text) or _DEDUCTION.search(text):
                return "withholding"  # or another deduction: our statement's bank charges, discount, write-off
            if doc_kind == "credit_note" or _CREDIT.search(text):
                return "credit_note"
            return "payment"
        for pattern, kind in _WORDS:
            if pattern.search(text):
                return kind
        return doc_kind or "invoice"

    @staticmethod
    def _effect(row: TheirRow, kind: RowKind, signed: bool, invoice_sign: int) -> Decimal:
        amount = row.amount if row.amount is not None else ZERO
        if kind in ("opening", "closing"):
            return amount * invoice_sign if signed else amount
        if signed:
            return amount * invoice_sign
        magnitude = abs(amount)  # an entry we cannot place counts as written: it is shown, never guessed
        return magnitude if kind in ("invoice", "unknown") else -magnitude


def their_balances(rows: Sequence[Entry], code: str) -> tuple[Decimal, Decimal, list[str]]:
    """Their opening and closing balances of our account, in our sign, and notes on their running balance.

    The opening is their opening-balance row, else their first running balance less that row, else nil. The
    closing is their closing-balance row, else their last running balance plus any rows after it, else the
    opening plus their rows. A running balance is read in whichever sign makes it follow from the rows.
    """
    notes: list[str] = []
    moves = [r for r in rows if r.kind not in ("opening", "closing")]
    stated = [r for r in rows if r.row.balance is not None and r.kind not in ("opening", "closing")]
    sign = _balance_sign(rows)
    opening_row = next((r for r in rows if r.kind == "opening"), None)
    if opening_row is not None:
        opening = sign * opening_row.row.balance if opening_row.row.balance is not None else opening_row.effect
    elif stated:
        first = stated[0]
        before = sum((r.effect for r in moves if r.position <= first.position), ZERO)
        opening = sign * (first.row.balance or ZERO) - before
    else:
        opening = ZERO
    computed = opening + sum((r.effect for r in moves), ZERO)
    closing_row = next((r for r in reversed(rows) if r.kind == "closing"), None)
    closing = computed
    if closing_row is not None and (closing_row.row.balance is not None or closing_row.row.amount is not None):
        closing = sign * closing_row.row.balance if closing_row.row.balance is not None else closing_row.effect
    elif stated:
        last = stated[-1]
        after = sum((r.effect for r in moves if r.position > last.position), ZERO)
        closing = sign * (last.row.balance or ZERO) + after
    running = opening  # their balance as their rows make it, from the opening balance
    breaks = []
    for r in moves:
        running += r.effect
        if r.row.balance is not None and round_money(sign * r.row.balance, code) != round_money(running, code):
            breaks.append((r, running))
    if breaks:
        r, expected = breaks[0]
        more = f" (and {len(breaks) - 1} later balance(s))" if len(breaks) > 1 else ""
        notes.append(f"their running balance at {r.row.where} ({figure(sign * (r.row.balance or ZERO), code)}) "
                     f"does not follow from their rows ({figure(expected, code)}){more}")
    if round_money(closing, code) != round_money(computed, code) and not notes:
        notes.append(f"their closing balance {figure(closing, code)} is not their opening balance plus their "
                     f"rows ({figure(computed, code)})")
    return opening, closing, notes


def _balance_sign(rows: Sequence[Entry]) -> int:
    """+1 when their running balance counts what they owe us as positive, -1 when as negative."""
    votes = {1: 0, -1: 0}
    previous: Decimal | None = None
    for r in rows:
        if r.kind in ("opening", "closing"):
            if r.row.balance is not None:
                previous = r.row.balance
            continue
        if r.row.balance is not None:
            if previous is not None:
                moved = r.row.balance - previous
                for sign in (1, -1):
                    if moved * sign == r.effect:
                        votes[sign] += 1
            previous = r.row.balance
        elif previous is not None:
            previous = None  # a row without a balance breaks the chain
    if votes[1] != votes[-1]:
        return 1 if votes[1] > votes[-1] else -1
    owed = [r.row.balance for r in rows if r.row.balance is not None]
    return -1 if owed and all(b <= 0 for b in owed) and any(b < 0 for b in owed) else 1


