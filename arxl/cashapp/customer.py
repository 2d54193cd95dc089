"""Customer statement reconciliation: the customer's own record of our account, set against our ledger.

A client sends its supplier statement (its accounts-payable ledger for us), a copy of our statement with its
own entries, or a remittance advice listing the invoices it paid. The accountant wants to know, for that one
customer and currency, what differs and why the two balances are not the same:

======================================  ========================================================================
kind                                    meaning
======================================  ========================================================================
opening balance differs                 their balance before their first date is not ours on that day
missing on theirs                       an invoice or credit note of ours, dated in their period, not on their file
missing on ours                         a document on their file whose reference is none of our numbers
probable match                          a row of theirs whose reference is only the serial of one of our
                                        documents ("205" for INV-2025-00205), of the same amount and date: not a
                                        difference (nil), listed so the accountant confirms it
amount differs                          the same document at another amount (e.g. "they recorded the net amount
                                        without VAT")
another customer's document             the number is ours but billed to another customer
listed twice on theirs                  the same document of ours on two rows of their file
after the as-of date                    on their file, but dated (or received) by us after the as-of date
payment not received by us              a payment they say they made that is in none of our receipts
receipt not on theirs                   a receipt of ours in their period that their file does not show
payment amount differs                  the same payment at another amount (withholding, bank charges ...)
withholding not recorded by us          tax they withheld (their certificate) that we have not recorded
withholding differs                     both recorded the withholding, at different amounts
deduction not on theirs                 a deduction of ours (VAT or WHT withheld, write-off) they do not show
entry we cannot place                   a row of theirs that is none of the above (a journal, a reversal)
======================================  ========================================================================

**Amounts** are shown as they count in what the customer owes us: invoices positive, credit notes, payments
and withholding negative, rounded to the currency. Each difference is *theirs - ours*, so the differences add
up to the difference between the two closing balances; whatever they do not explain is shown as the
unexplained remainder, never hidden.

**Reading their rows** (:mod:`arxl.cashapp.their_rows`): each row is an invoice, a credit note, a payment,
withholding, the opening or closing balance, or an entry we cannot place, by its Type column, its words and
its side; the side of our invoices (credits in their supplier ledger, debits in a copy of our statement) is
found per file from the rows that name our invoices, in any spelling.

**The period.** Their file covers the days from its first date to the as-of date (by default its last date).
Our documents and receipts in that period are compared one by one; everything before it is compared as one
figure, the opening balance (their opening balance row, or their first running balance less the first row, or
nil when their file states none) against our balance at the end of the day before. One of ours that their file
shows inside the period although we dated it a few days earlier (an invoice they booked on receipt, a payment
we banked the day before they recorded it) is compared with their row and taken out of our opening figure, so
a timing difference of a few days is no difference.

**A bare serial.** A row of theirs that names none of our documents, whose reference is a bare number ("205",
"0205", "#205", "No. 205"), is paired with one of ours whose number ends in that serial (INV-2025-00205) when
they are of the same amount and the same date, or dates within ``window_days`` days: "their 205 is probably
INV-2025-00205: same date and amount". It is counted apart from the documents that agree. Never on the
amount alone: the serial must be the end of our number. When a row could be two of ours, or two rows one of
ours, nothing is paired, and the notes say which could be which.

**Payments** are matched to our receipts for the customer (Receipts with its Customer ID, and any receipt
allocated to its invoices), each receipt once, in four passes, each in date order: a payment whose reference
is our receipt id or the bank's reference (copied from our statement); a payment that names invoices, to a
receipt allocated to one of them within 31 days; one of the same amount within ``window_days`` days either
side (7 by default); a payment naming invoices whose amount, less the customer's withholding on them (its
Withholding profile and the rates in Settings), is a receipt. Among candidates the nearest date wins, then the
receipt id. What the customer paid includes the bank charges we recorded on the receipt. Their withholding
rows are matched first, to our deductions on the invoices they name (or those of the same receipt), else by
amount within the window; a receipt's deductions not matched that way are compared with the payment.

**A remittance advice** (a title saying so, a "Net Paid" column, or withholding columns and no payment rows)
lists the invoices one payment settles: each row is compared as a document, the payment (net paid, or gross
less withholding) is matched as one, and nothing is reported missing or compared as a balance, since an
advice lists only what it pays.

>>> import datetime as dt
>>> from decimal import Decimal as D
>>> missing = Difference("missing on theirs", dt.date(2025, 7, 20), "", "INV-2025-00044", None, D(354000), "RWF")
>>> short = Difference("payment amount differs", dt.date(2025, 7, 11), "PMT INV-2025-00042", "R-1",
...                    D(-1180000), D(-970000), "RWF")
>>> missing.difference, short.difference, missing.difference + short.difference
(Decimal('-354000'), Decimal('-210000'), Decimal('-564000'))

Their balance is 564,000 below ours: an invoice they have not booked, and a payment they count at 1,180,000
of which we received 970,000 (the rest is the customer's VAT and 3 % WHT withheld).
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from arxl.cashapp.their_rows import Classifier, Entry, TheirFile, TheirRow, their_balances
from arxl.core.errors import ArxlError, BadValue
from arxl.core.money import CURRENCIES, Money, round_money
from arxl.core.tax import parse_withholding, withholding_amounts
from arxl.ledger.ledger import Ledger
from arxl.ledger.openitems import balances, open_items
from arxl.ledger.records import Allocation, Customer, Invoice, Receipt

__all__ = [
    "CustomerReconciliation",
    "Difference",
    "DifferenceKind",
    "TheirFile",
    "TheirRow",
    "find_customer",
    "reconcile_customer",
]

DifferenceKind = Literal[
    "opening balance differs", "missing on theirs", "missing on ours", "probable match", "amount differs",
    "another customer's document", "listed twice on theirs", "after the as-of date", "payment not received by us",
    "receipt not on theirs", "payment amount differs", "withholding not recorded by us", "withholding differs",
    "deduction not on theirs", "entry we cannot place",
]
ZERO = Decimal(0)
NAMED_WINDOW_DAYS = 31
"""A payment that names invoices matches a receipt allocated to one of them up to this many days apart."""
WITHHOLDING_TYPES = frozenset({"vat_withheld", "wht"})
_DEDUCTION_NAMES = {"vat_withheld": "VAT withheld", "wht": "WHT", "bank_charges": "bank charges",
                    "discount": "discount", "rounding": "rounding", "write_off": "written off", "": "deduction"}
_WITHHOLDING_NAMES = {"vat": "VAT withheld", "wht3": "WHT 3%", "wht15": "WHT 15%"}


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


# -- the customer -------------------------------------------------------------------------------------------

def find_customer(ledger: Ledger, customer_id: str) -> Customer:
    """The customer with this id (case and spaces ignored); refused with the ids that come close.

    Close ids are the same id with other leading zeros, the ones spelt alike, and the ones whose name or alias
    contains what was typed.
    """
    wanted = customer_id.strip().casefold()
    people = list(ledger.customers)
    for person in people:
        if person.customer_id.strip().casefold() == wanted:
            return person
    ids = [p.customer_id for p in people]

    def padded(text: str) -> str:  # C01 and C001 are the same id written with more zeros
        return re.sub(r"\d+", lambda m: str(int(m.group())), text.strip().casefold())

    close = [i for i in ids if padded(i) == padded(customer_id)]
    close += difflib.get_close_matches(customer_id.strip(), ids, n=5, cutoff=0.6)
    if wanted:
        close += [p.customer_id for p in people
                  if wanted in p.name.casefold() or wanted in p.aliases.casefold()][:5]
    shown = ", ".join(list(dict.fromkeys(close))[:6]) or "none"
    raise BadValue(f'customer "{customer_id}" is not in Customers; close ids: {shown}', f"[{ledger.book}]Customers")


# -- our side -----------------------------------------------------------------------------------------------

@dataclass(slots=True)
class _Item:
    """One of ours as it moves the customer's balance: ``before`` their first date, up to the as-of date, ever."""

    key: str
    date: dt.date
    before: Decimal
    to_as_of: Decimal
    ever: Decimal
    invoices: tuple[str, ...] = ()
    deduction_type: str = ""
    receipt_id: str = ""
    references: frozenset[str] = frozenset()  # a receipt's id and bank reference, as :func:`_keys` writes them
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


class _Ours:
    """The customer's documents, receipts and deductions in one currency, each with its effect on the balance."""

    def __init__(self, ledger: Ledger, customer: Customer, currency: str, first: dt.date, as_of: dt.date) -> None:
        eve = first - dt.timedelta(days=1)
        mine = [d for d in ledger.invoices if d.customer_id == customer.customer_id and d.currency == currency
                and d.status != "cancelled"]
        self.documents = {d.invoice_no: d for d in mine}
        self.doc_items = {d.invoice_no: _Item(d.invoice_no, d.invoice_date,
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
        self.receipts: list[_Item] = []
        self.deductions: list[_Item] = []
        for receipt_id in sorted(touched):
            receipt = receipts.get(receipt_id)
            allocations = by_receipt.get(receipt_id, [])
            mine_only = [(a, s) for a, s in allocations if s]
            day = receipt.date if receipt is not None else min(a.date for a, _ in mine_only)
            is_own = receipt_id in own
            ever = _receipt_effect(receipt, allocations, is_own, dt.date.max)
            if ever:
                self.receipts.append(_Item(
                    receipt_id, day, _receipt_effect(receipt, allocations, is_own, eve),
                    _receipt_effect(receipt, allocations, is_own, as_of), ever,
                    tuple(dict.fromkeys(a.invoice_no for a, _ in mine_only)), receipt_id=receipt_id,
                    references=_keys(receipt_id, receipt.bank_reference if receipt is not None else "")))
            for allocation, s in mine_only:
                if allocation.deduction_amount:
                    effect = -s * allocation.deduction_amount
                    self.deductions.append(_Item(
                        receipt_id, allocation.date, effect if allocation.date <= eve else ZERO,
                        effect if allocation.date <= as_of else ZERO, effect, (allocation.invoice_no,),
                        allocation.deduction_type, receipt_id))
        self._of_receipt: dict[str, list[_Item]] = defaultdict(list)
        for deduction in self.deductions:
            self._of_receipt[deduction.receipt_id].append(deduction)

    def receipt_deductions(self, receipt: _Item) -> list[_Item]:
        """The receipt's deductions on the customer's documents not yet matched to a row of theirs."""
        return [d for d in self._of_receipt.get(receipt.receipt_id, ()) if not d.used]


# -- matching -----------------------------------------------------------------------------------------------

@dataclass(slots=True)
class _Payment:
    """A payment on their file: what they say they sent and withheld, and the invoices it names."""

    date: dt.date
    reference: str
    cash: Decimal
    withheld: Decimal
    names: tuple[str, ...]
    where: str
    references: frozenset[str] = frozenset()
    matched: _Item | None = None

    @property
    def settled(self) -> Decimal:
        return self.cash + self.withheld


@dataclass(slots=True)
class _Reconciler:
    """One comparison under way: their entries are matched to ours, each of ours used once, and every
    difference is added with its amounts on both sides."""

    ledger: Ledger
    customer: Customer
    currency: str
    as_of: dt.date
    window: dt.timedelta
    remittance: bool
    ours: _Ours
    classifier: Classifier
    differences: list[Difference] = field(default_factory=list)
    shifted: Decimal = ZERO  # effects of ours dated before their first date that their file shows in the period
    documents_agreed: int = 0
    documents_probable: int = 0
    payments_agreed: int = 0

    def add(self, kind: DifferenceKind, day: dt.date | None, theirs: str, ours: str, their_amount: Decimal | None,
            our_amount: Decimal | None, note: str = "", where: str = "") -> None:
        self.differences.append(Difference(kind, day, theirs, ours, self._round(their_amount),
                                           self._round(our_amount), self.currency, note, where))

    def _round(self, amount: Decimal | None) -> Decimal | None:
        return None if amount is None else round_money(amount, self.currency)

    def money(self, amount: Decimal) -> str:
        return str(Money(round_money(amount, self.currency), self.currency))

    def take(self, item: _Item) -> Decimal:
        """Use one of ours against a row of theirs; return what it counts in our balance at the as-of date."""
        item.used = True
        self.shifted += item.before
        return item.to_as_of

    # -- documents ------------------------------------------------------------------------------------------

    def documents(self, rows: Sequence[Entry]) -> None:
        seen: dict[str, Entry] = {}
        unplaced: list[tuple[Entry, str]] = []  # rows that name none of our documents
        all_documents = self.classifier.documents
        for row in rows:
            if row.kind not in ("invoice", "credit_note"):
                continue
            theirs = row.row.reference or row.row.description[:40]
            number = self._document_of(row)
            document = all_documents.get(number)
            if document is None:
                unplaced.append((row, theirs))
                continue
            theirs = self._naming_reference(row.row, number)
            if number in seen:
                self.add("listed twice on theirs", row.date, theirs, number, row.effect, None,
                         f"{number} is also on their file at {seen[number].row.where}", row.row.where)
                continue
            seen[number] = row
            if document.customer_id != self.customer.customer_id:
                owner = next((c for c in self.ledger.customers if c.customer_id == document.customer_id), None)
                name = f" ({owner.name})" if owner is not None else ""
                self.add("another customer's document", row.date, theirs, number, row.effect, None,
                         f"{number} is ours but billed to {document.customer_id}{name}", row.row.where)
                continue
            item = self.ours.doc_items.get(number)
            if item is None:
                why = ("cancelled" if document.status == "cancelled" else f"billed in {document.currency}")
                self.add("missing on ours", row.date, theirs, number, row.effect, None,
                         f"{number} is {why} in our register", row.row.where)
                continue
            our_amount = self.take(item)
            if document.invoice_date > self.as_of:
                self.add("after the as-of date", row.date, theirs, number, row.effect, our_amount,
                         f"we dated {number} {document.invoice_date:%d/%m/%Y}, after {self.as_of:%d/%m/%Y}",
                         row.row.where)
            elif round_money(row.effect, self.currency) != our_amount:
                self.add("amount differs", row.date, theirs, number, row.effect, our_amount,
                         self._amount_note(document, row.effect), row.row.where)
            else:
                self.documents_agreed += 1
        maybe = self._bare_serials(unplaced)
        for row, theirs in unplaced:
            if row.position in maybe.paired:
                continue
            what = "credit note" if row.kind == "credit_note" else "invoice"
            on = f" (on {', '.join(row.names)})" if row.names else ""
            self.add("missing on ours", row.date, theirs, "", row.effect,
                     None, f"their {what} {theirs or '(no reference)'}{on} is none of our documents"
                     + maybe.rows.get(row.position, ""), row.row.where)
        if self.remittance:
            return
        for number, item in sorted(self.ours.doc_items.items(), key=lambda kv: (kv[1].date, kv[0])):
            if not item.used and item.in_period:
                document = self.ours.documents[number]
                what = "credit note" if document.doc_type == "credit_note" else "invoice"
                self.add("missing on theirs", item.date, "", number, None, item.in_period,
                         f"our {what} of {item.date:%d/%m/%Y}" + (f", period {document.period}"
                                                                  if document.period else "")
                         + maybe.ours.get(number, ""))

    def _bare_serials(self, unplaced: Sequence[tuple[Entry, str]]) -> _Serials:
        """Pair each row of theirs whose reference is a bare serial with the one of ours it probably is (see the
        module's docstring); the rows paired, and a note for each row and document that could not be paired
        because another could be it too."""
        result = _Serials()
        candidates: dict[int, list[str]] = {}
        rows: dict[int, tuple[Entry, str]] = {}
        for row, theirs in unplaced:
            serial = _bare_serial(row.row)
            day = row.date
            effect = round_money(row.effect, self.currency)
            if serial is None or day is None or not effect or row.names:
                continue
            rows[row.position] = (row, theirs)
            candidates[row.position] = [
                number for number, item in sorted(self.ours.doc_items.items())
                if not item.used and _serial_of(number) == serial and item.to_as_of == effect
                and abs((item.date - day).days) <= self.window.days]
        claims: dict[str, list[int]] = defaultdict(list)
        for position, numbers in candidates.items():
            for number in numbers:
                claims[number].append(position)
        for position, numbers in candidates.items():
            row, theirs = rows[position]
            if len(numbers) == 1 and len(claims[numbers[0]]) == 1:
                number = numbers[0]
                item = self.ours.doc_items[number]
                assert row.date is not None  # candidates are only looked for on dated rows
                apart = abs((row.date - item.date).days)
                why = "same date and amount" if not apart else \
                    f"same amount, dated {apart} day(s) apart (theirs {row.date:%d/%m/%Y}, ours {item.date:%d/%m/%Y})"
                self.add("probable match", row.date, theirs, number, row.effect, self.take(item),
                         f"their {theirs} is probably {number}: {why}", row.row.where)
                self.documents_probable += 1
                result.paired.add(position)
            elif numbers:
                others = sorted({p for n in numbers for p in claims[n]} - {position})
                also = f", which their {', '.join(f'{rows[p][1]} ({rows[p][0].row.where})' for p in others)} " \
                    "could be too" if others else ""
                result.rows[position] = (f"; it could be {' or '.join(numbers)} (same amount, its serial, "
                                         f"within {self.window.days} days){also}: not paired, ambiguous")
        for number, positions in claims.items():
            if number not in self.ours.doc_items or self.ours.doc_items[number].used:
                continue
            shown = ", ".join(f"{rows[p][1]} ({rows[p][0].row.where})" for p in positions)
            result.ours[number] = f"; their {shown} could be it (same amount, its serial): not paired, ambiguous"
        return result

    def _document_of(self, row: Entry) -> str:
        """Our document a row of theirs is: the one it names, of its kind; for a credit note that names only the
        invoice it credits, our credit note on that invoice (the one of the same amount first)."""
        documents = self.classifier.documents
        want = "credit_note" if row.kind == "credit_note" else "invoice"
        same_kind = [n for n in row.names if documents[n].doc_type == want]
        if same_kind:
            return same_kind[0]
        if row.kind == "credit_note":
            notes = [n for n, item in self.ours.doc_items.items() if not item.used
                     and self.ours.documents[n].original_invoice in row.names]
            notes.sort(key=lambda n: (round_money(row.effect, self.currency) != self.ours.documents[n].total_amount,
                                      n))
            return notes[0] if notes else ""
        return row.names[0] if row.names else ""

    def _naming_reference(self, row: TheirRow, number: str) -> str:
        """The reference that names our document (their other references are often their own numbers)."""
        for reference in row.references:
            if number in self.classifier.names(TheirRow(row.where, row.date, (reference,))):
                return reference
        return row.reference or row.description[:40] or number

    def _amount_note(self, document: Invoice, theirs: Decimal) -> str:
        theirs = round_money(theirs, self.currency)
        if document.vat_amount and theirs == document.net_amount:
            return f"they recorded the net amount without VAT ({self.money(document.vat_amount)})"
        if theirs == -document.total_amount:
            return "they recorded it with the opposite sign"
        return f"they recorded {self.money(theirs)}, our {document.doc_type.replace('_', ' ')} is " \
               f"{self.money(document.total_amount)}"

    # -- payments and withholding ---------------------------------------------------------------------------

    def withholding(self, rows: Sequence[Entry]) -> None:
        """Their withholding rows against our VAT-withheld and WHT deductions."""
        for row in rows:
            day = row.date
            if row.kind != "withholding" or day is None:
                continue
            amount = -row.effect
            theirs = row.row.reference or row.row.description[:40]
            free = [d for d in self.ours.deductions if not d.used]
            named = [d for d in free if set(d.invoices) & set(row.names)]
            taken: list[_Item] = []
            if named:
                # the deductions on the invoices named; or one of them; or all those of the same receipts (one
                # certificate for a payment of several invoices, not all of which the row names)
                receipts = {d.receipt_id for d in named}
                same_receipts = [d for d in free if d.receipt_id in receipts]
                single = [d for d in named if -d.ever == amount]
                if -sum(d.ever for d in named) == amount:
                    taken = named
                elif single:
                    taken = single[:1]
                elif -sum(d.ever for d in same_receipts) == amount:
                    taken = same_receipts
                else:  # both withheld on these invoices, at different amounts
                    taken = [d for d in named if d.deduction_type in WITHHOLDING_TYPES]
            else:
                near = [d for d in free if abs((d.date - day).days) <= self.window.days]
                single = sorted((d for d in near if -d.ever == amount),
                                key=lambda d: (abs((d.date - day).days), d.receipt_id))
                if single:
                    taken = single[:1]
                else:
                    groups: dict[str, list[_Item]] = defaultdict(list)
                    for d in near:
                        groups[d.receipt_id].append(d)
                    fits = sorted((g for g in groups.values() if -sum(d.ever for d in g) == amount),
                                  key=lambda g: (abs((g[0].date - day).days), g[0].receipt_id))
                    taken = fits[0] if fits else []
            if not taken:
                note = self._withholding_note(row.names, amount) or \
                    f"they withheld {self.money(amount)}; we have no deduction of that amount: ask for the certificate"
                self.add("withholding not recorded by us", row.date, theirs, ", ".join(row.names), row.effect, None,
                         note, row.row.where)
                continue
            ours = sum((self.take(d) for d in taken), ZERO)
            label = " + ".join(f"{_DEDUCTION_NAMES[d.deduction_type]} {self.money(-d.ever)}" for d in taken)
            where = ", ".join(dict.fromkeys(i for d in taken for i in d.invoices))
            if round_money(row.effect, self.currency) != ours:
                self.add("withholding differs", row.date, theirs, where, row.effect, ours,
                         f"they withheld {self.money(amount)}, we recorded {label}", row.row.where)
            else:
                self.payments_agreed += 1

    def payments(self, payments: list[_Payment]) -> None:
        receipts = self.ours.receipts
        for pass_ in ("reference", "named", "amount", "net of withholding"):
            for payment in sorted(payments, key=lambda p: (p.date, p.reference, p.where)):
                if payment.matched is None:
                    found = self._candidate(payment, receipts, pass_)
                    if found is not None:
                        found.used = True
                        payment.matched = found
        for payment in payments:
            self._compare(payment)
        if self.remittance:
            return
        for receipt in sorted(receipts, key=lambda r: (r.date, r.key)):
            if receipt.used:
                continue
            deductions = self.ours.receipt_deductions(receipt)
            our_amount = receipt.in_period + sum((d.in_period for d in deductions), ZERO)
            if not our_amount:
                continue
            for d in deductions:
                d.used = True
            applied = f"applied to {', '.join(receipt.invoices)}" if receipt.invoices else "not applied to an invoice"
            extra = "; with " + ", ".join(f"{_DEDUCTION_NAMES[d.deduction_type]} {self.money(-d.ever)}"
                                          for d in deductions) if deductions else ""
            self.add("receipt not on theirs", receipt.date, "", receipt.key, None, our_amount,
                     f"received {self.money(-receipt.ever)} on {receipt.date:%d/%m/%Y}, {applied}{extra}")
        for d in sorted(self.ours.deductions, key=lambda d: (d.date, d.receipt_id, d.invoices)):
            if not d.used and d.in_period:
                d.used = True
                self.add("deduction not on theirs", d.date, "", f"{d.receipt_id} ({', '.join(d.invoices)})", None,
                         d.in_period, f"{_DEDUCTION_NAMES[d.deduction_type]} on {', '.join(d.invoices)}")

    def _candidate(self, payment: _Payment, receipts: Sequence[_Item], pass_: str) -> _Item | None:
        def days(r: _Item) -> int:
            return abs((r.date - payment.date).days)

        free = [r for r in receipts if not r.used]
        if pass_ == "reference":  # our receipt id or the bank's reference, copied from our statement
            same = [r for r in free if r.references & payment.references]
            return min(same, key=lambda r: (days(r), r.key), default=None)
        if pass_ == "named":
            if not payment.names:
                return None
            named = [r for r in free if set(r.invoices) & set(payment.names) and days(r) <= NAMED_WINDOW_DAYS]
            return min(named, key=lambda r: (self._sent(r) not in (payment.cash, payment.settled), days(r), r.key),
                       default=None)
        near = [r for r in free if days(r) <= self.window.days]
        if pass_ == "amount":
            fits = [r for r in near if payment.cash in (-r.ever, self._sent(r))
                    or self._sent(r) + self._withheld(r) == payment.settled]
        else:
            if not payment.names or payment.withheld:
                return None
            shortfalls = {sum(subset) for subset in _subsets(self._expected_withholding(payment.names).values())}
            fits = [r for r in near if payment.cash - self._sent(r) in shortfalls]
        return min(fits, key=lambda r: (days(r), r.key), default=None)

    def _sent(self, receipt: _Item) -> Decimal:
        """What the payer sent, as they see it: the cash we received and the bank's charges on it."""
        charges = (d.ever for d in self.ours.receipt_deductions(receipt) if d.deduction_type == "bank_charges")
        return -receipt.ever - sum(charges, ZERO)

    def _withheld(self, receipt: _Item) -> Decimal:
        """The receipt's other deductions not yet matched: withholding, discount, write-off."""
        return -sum((d.ever for d in self.ours.receipt_deductions(receipt) if d.deduction_type != "bank_charges"),
                    ZERO)

    def _compare(self, payment: _Payment) -> None:
        effect = -payment.settled
        theirs = payment.reference
        said = f"they say they paid {self.money(payment.cash)} on {payment.date:%d/%m/%Y}" + \
               (f" and withheld {self.money(payment.withheld)}" if payment.withheld else "") + \
               (f" for {', '.join(payment.names)}" if payment.names else "")
        receipt = payment.matched
        if receipt is None:
            note = said
            expected = self._expected_withholding(payment.names) if payment.names else {}
            if expected and not payment.withheld:
                net = payment.cash - sum(expected.values())
                note += f"; net of the customer's withholding that is {self.money(net)}"
            self.add("payment not received by us", payment.date, theirs, "", effect, None, note, payment.where)
            return
        deductions = self.ours.receipt_deductions(receipt)
        ours = self.take(receipt) + sum((self.take(d) for d in deductions), ZERO)
        label = f"{receipt.key} ({', '.join(receipt.invoices)})" if receipt.invoices else receipt.key
        if receipt.date > self.as_of:
            self.add("after the as-of date", payment.date, theirs, label, effect, ours,
                     f"we received it on {receipt.date:%d/%m/%Y}, after {self.as_of:%d/%m/%Y}", payment.where)
            return
        ours_settled = -(receipt.ever + sum((d.ever for d in deductions), ZERO))
        short = payment.settled - ours_settled
        if not short:
            self.payments_agreed += 1
            return
        kind: DifferenceKind = "payment amount differs"
        note = self._payment_note(payment, receipt, deductions, short)
        if payment.cash == -receipt.ever:  # the cash agrees: the difference is withholding only
            if payment.withheld and short == payment.withheld:
                kind = "withholding not recorded by us"
            elif deductions and -short == -sum((d.ever for d in deductions), ZERO):
                kind = "deduction not on theirs"
        self.add(kind, payment.date, theirs, label, effect, ours, note, payment.where)

    def _payment_note(self, payment: _Payment, receipt: _Item, deductions: Sequence[_Item], short: Decimal) -> str:
        received = f"we received {self.money(-receipt.ever)} on {receipt.date:%d/%m/%Y}"
        if short > 0:
            named = self._withholding_note(payment.names or receipt.invoices, short)
            if named:
                return f"they count {self.money(payment.settled)}, {received}: {named}"
            if payment.withheld and short == payment.withheld:
                return f"they withheld {self.money(short)} that we have not recorded: ask for the certificate"
            tolerance = self.ledger.settings.bank_charges_tolerance
            if self.currency != self.ledger.settings.base_currency and short <= tolerance:
                return f"they count {self.money(payment.settled)}, {received}: perhaps bank charges on the transfer"
            return f"they count {self.money(payment.settled)}, {received}: {self.money(short)} more on theirs"
        if deductions and -short == -sum((d.ever for d in deductions), ZERO):
            label = " + ".join(f"{_DEDUCTION_NAMES[d.deduction_type]} {self.money(-d.ever)}" for d in deductions)
            return f"they show {self.money(payment.settled)}; we also recorded {label}, not on their file"
        return f"they show {self.money(payment.settled)}, {received}: {self.money(-short)} more on ours"

    def _expected_withholding(self, names: Iterable[str]) -> dict[str, Decimal]:
        """What the customer withholds on the invoices named, per kind (vat, wht3, wht15)."""
        try:
            profile = parse_withholding(self.customer.withholding)
        except ArxlError:
            return {}
        rates = self.ledger.withholding_rates()
        result: dict[str, Decimal] = defaultdict(Decimal)
        for number in dict.fromkeys(names):
            document = self.ours.documents.get(number)
            if document is not None and document.doc_type == "invoice":
                for kind, amount in withholding_amounts(document.net_amount, document.vat_amount, profile,
                                                        self.currency, rates).items():
                    result[kind] += amount
        return {k: v for k, v in result.items() if v}

    def _withholding_note(self, names: Iterable[str], amount: Decimal) -> str:
        """Words for an amount that is the customer's withholding on the invoices named, or ""."""
        names = tuple(names)
        expected = self._expected_withholding(names)
        for size in range(len(expected), 0, -1):
            for kinds in itertools.combinations(expected, size):
                if sum(expected[k] for k in kinds) == amount:
                    parts = " + ".join(f"{_WITHHOLDING_NAMES[k]} {self.money(expected[k])}" for k in kinds)
                    return (f"{self.money(amount)} is the customer's withholding on {', '.join(names)} ({parts}): "
                            "ask for the withholding certificate and record it")
        return ""


def _keys(*references: str) -> frozenset[str]:
    """References compared as the same when they differ only in case, spaces and punctuation (at least 4 left).

    >>> sorted(_keys("RCPT-2025-0308", "ft25161 abc", "12"))
    ['FT25161ABC', 'RCPT20250308']
    """
    keys = (re.sub(r"[^0-9A-Z]", "", r.upper()) for r in references)
    return frozenset(k for k in keys if len(k) >= 4)


@dataclass(slots=True)
class _Serials:
    """What pairing bare serials found: the rows of theirs paired, and notes on those that could not be."""

    paired: set[int] = field(default_factory=set)  # positions of their rows
    rows: dict[int, str] = field(default_factory=dict)  # position -> why not paired
    ours: dict[str, str] = field(default_factory=dict)  # our document -> why not paired


_BARE_SERIAL = re.compile(r"(?:#|No\.?|Nr\.?)?\s*0*(\d{1,9})", re.IGNORECASE)


def _bare_serial(row: TheirRow) -> int | None:
    """The serial a reference of theirs is, when it is nothing but a number ("205", "00205", "#205", "No. 205").

    >>> _bare_serial(TheirRow("", None, ("No. 0205",))), _bare_serial(TheirRow("", None, ("KCS-205",)))
    (205, None)
    """
    for reference in row.references:
        found = _BARE_SERIAL.fullmatch(reference.strip())
        if found and int(found[1]):
            return int(found[1])
    return None


def _serial_of(number: str) -> int | None:
    """The serial of one of our numbers: its last group of digits (INV-2025-00205: 205)."""
    found = re.search(r"(\d+)\D*$", number)
    return int(found[1]) if found else None


def _subsets(values: Iterable[Decimal]) -> list[tuple[Decimal, ...]]:
    listed = list(values)
    return [s for size in range(1, len(listed) + 1) for s in itertools.combinations(listed, size)]


# -- the whole ----------------------------------------------------------------------------------------------

def reconcile_customer(ledger: Ledger, customer_id: str, their: TheirFile, *, as_of: dt.date | None = None,
                       currency: str | None = None, window_days: int = 7) -> CustomerReconciliation:
    """Compare the customer's file with our ledger for that customer and one currency.

    ``currency`` defaults to the customer's (else the base currency), or to the one currency of their file;
    ``as_of`` to the last date in their file. Raises :class:`~arxl.core.errors.ArxlError` for an unknown customer
    or a file with no dated rows in that currency.
    """
    customer = find_customer(ledger, customer_id)
    code = _currency(ledger, customer, their, currency)
    rows = [r for r in their.rows if (r.currency or their.currency or code) == code]
    notes: list[str] = []
    left_out = len(their.rows) - len(rows)
    if left_out:
        notes.append(f"{left_out} row(s) of their file in another currency than {code} left out")
    dates = [r.date for r in rows if r.date is not None]
    if not dates:
        raise BadValue(f"has no dated rows in {code} to compare", f"[{their.name}]")
    day = as_of or max([*dates, *([their.payment_date] if their.payment_date else [])])
    if day < min(dates):
        raise BadValue(f"the as-of date {day:%d/%m/%Y} is before the first date of their file "
                       f"({min(dates):%d/%m/%Y})", f"[{their.name}]")
    later = [r for r in rows if r.date is not None and r.date > day]
    if later:
        notes.append(f"{len(later)} row(s) of their file dated after {day:%d/%m/%Y} left out")
        rows = [r for r in rows if r.date is None or r.date <= day]
    first = min(r.date for r in rows if r.date is not None)
    classifier = Classifier(list(ledger.invoices), customer.customer_id)
    classified, convention = classifier.classify(rows, their.debit_credit)
    movements = [r for r in classified if r.kind not in ("opening", "closing")]
    remittance = their.remittance or (any(r.withheld is not None for r in rows)
                                      and not any(r.kind in ("payment", "opening") for r in classified)
                                      and not their.debit_credit)
    window = dt.timedelta(days=window_days)
    ours = _Ours(ledger, customer, code, first, day)
    work = _Reconciler(ledger, customer, code, day, window, remittance, ours, classifier)
    work.documents(movements)
    work.withholding(movements)
    work.payments(_their_payments(movements, remittance, their.payment_date or day, code))
    for row in movements:
        if row.kind == "unknown":
            work.add("entry we cannot place", row.date, row.row.reference or row.row.description[:40], "",
                     row.effect, None, f"{row.row.type_text or 'their entry'}: {row.row.description[:60]}".strip(": "),
                     row.row.where)
    our_opening, our_closing = _our_balances(ledger, customer, code, first, day)
    their_opening: Decimal | None = None
    their_closing: Decimal | None = None
    if not remittance:
        their_opening, their_closing, balance_notes = their_balances(classified, code)
        notes += balance_notes
        compared = our_opening - work.shifted
        if round_money(their_opening, code) != round_money(compared, code):
            stated = any(r.kind == "opening" for r in classified) or any(r.row.balance is not None for r in classified)
            note = (f"their balance before {first:%d/%m/%Y}" if stated
                    else "their file states no opening balance (taken as nil)")
            if work.shifted:
                note += f"; ours without {work.money(work.shifted)} of ours they show in their period"
            work.add("opening balance differs", first, "opening balance", "", their_opening, compared, note)
        moved = sum((i.in_period for i in (*ours.doc_items.values(), *ours.receipts, *ours.deductions)), ZERO)
        if round_money(our_opening + moved, code) != round_money(our_closing, code):
            notes.append(f"our movements of the period ({work.money(moved)}) do not add up to the change in our "
                         f"balance ({work.money(our_closing - our_opening)}): look for allocations across customers")
    else:
        notes.append("a remittance advice lists only what one payment settles: nothing is reported missing and "
                     "no balance is compared")
    order = {"opening balance differs": 0}
    ranked = sorted(work.differences, key=lambda d: (d.date or dt.date.min, order.get(d.kind, 1),
                                                     d.their_reference or d.our_document, d.our_document))
    return CustomerReconciliation(
        customer=customer, currency=code, their_file=their.name, first_date=first, as_of=day,
        convention="remittance advice" if remittance else convention, columns=their.columns, remittance=remittance,
        differences=tuple(ranked), documents_agreed=work.documents_agreed, payments_agreed=work.payments_agreed,
        documents_probable=work.documents_probable,
        their_opening=None if their_opening is None else round_money(their_opening, code),
        their_closing=None if their_closing is None else round_money(their_closing, code),
        our_opening=round_money(our_opening, code), our_closing=round_money(our_closing, code), notes=tuple(notes))


def _currency(ledger: Ledger, customer: Customer, their: TheirFile, requested: str | None) -> str:
    if requested:
        code = requested.strip().upper()
        if code not in CURRENCIES:
            raise BadValue(f'currency "{requested}" is not one of {", ".join(CURRENCIES)}')
        return code
    default = customer.currency or ledger.settings.base_currency
    found = {r.currency or their.currency for r in their.rows} - {""}
    if len(found) == 1 and default not in found:
        return found.pop()
    return default


def _their_payments(rows: Sequence[Entry], remittance: bool, payment_date: dt.date, code: str) -> list[_Payment]:
    """Their payments: one per payment row; for a remittance advice without payment rows, one for all its rows."""
    payments = []
    for row in rows:
        if row.kind == "payment" and row.date is not None:
            cash, withheld = _split(-row.effect, row.row)
            payments.append(_Payment(row.date, row.row.reference or row.row.description[:40], cash, withheld,
                                     row.names, row.row.where, _keys(*row.row.references)))
    documents = [r for r in rows if r.kind in ("invoice", "credit_note")]
    if remittance and not payments and documents:
        cash = withheld = ZERO
        for row in documents:
            sign = 1 if row.effect >= 0 else -1  # a credit note deducted on the advice
            paid, kept = _split(abs(row.effect), row.row)
            cash += sign * paid
            withheld += sign * kept
        names = tuple(dict.fromkeys(r.names[0] for r in documents if r.names))
        payments.append(_Payment(payment_date, "remittance advice", round_money(cash, code),
                                 round_money(withheld, code), names, documents[0].row.where))
    return payments


def _split(settled: Decimal, row: TheirRow) -> tuple[Decimal, Decimal]:
    """(cash sent, withheld) of what a row settles: its Net Paid and withholding columns, either giving the other.

    >>> _split(Decimal(1180000), TheirRow("", None, withheld=Decimal(210000)))
    (Decimal('970000'), Decimal('210000'))
    """
    paid = abs(row.paid) if row.paid is not None else None
    kept = abs(row.withheld) if row.withheld is not None else None
    if paid is None:
        paid = settled - (kept or ZERO)
    if kept is None:
        kept = settled - paid
    return paid, kept


def _our_balances(ledger: Ledger, customer: Customer, code: str, first: dt.date,
                  as_of: dt.date) -> tuple[Decimal, Decimal]:
    """Our balance at the end of the day before their first date and at the as-of date, as the Aging sheet has it."""
    result = []
    for day in (first - dt.timedelta(days=1), as_of):
        items = open_items(ledger.invoices, ledger.allocations, day, ledger.receipts)
        result.append(balances(items).get((customer.customer_id, code), ZERO))
    return result[0], result[1]
