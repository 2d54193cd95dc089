"""Matching a customer's file to our ledger, row by row: documents by their numbers (or a bare serial of one of
ours), payments to our receipts by reference, by the invoices they name, or by amount and date, withholding and
deductions to our allocations. :class:`Reconciler` holds one comparison under way; every difference it finds is
added with its amounts on both sides (the kinds: :mod:`arxl.cashapp.customer`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from arxl.cashapp.customer_ledger import (
    DEDUCTION_NAMES,
    NAMED_WINDOW_DAYS,
    WITHHOLDING_NAMES,
    WITHHOLDING_TYPES,
    ZERO,
    OurItem,
    OurSide,
)
from arxl.cashapp.their_rows import Classifier, Entry
from arxl.core.errors import ArxlError
from arxl.core.money import Money, round_money
from arxl.core.tax import parse_withholding, withholding_amounts
from arxl.ledger.ledger import Ledger
from arxl.ledger.records import Customer, Invoice
from arxl.ledger.their import Difference, DifferenceKind, TheirRow


@dataclass(slots=True)
class TheirPayment:
    """A payment on their file: what they say they sent and withheld, and the invoices it names."""

    date: dt.date
    reference: str
    cash: Decimal
    withheld: Decimal
    names: tuple[str, ...]
    where: str
    references: frozenset[str] = frozenset()
    matched: OurItem | None = None

    @property
    def settled(self) -> Decimal:
        return self.cash + self.withheld


@dataclass(slots=True)
class Reconciler:
    """One comparison under way: their entries are matched to ours, each of ours used once, and every
    difference is added with its amounts on both sides."""

    ledger: Ledger
    customer: Customer
    currency: str
    as_of: dt.date
    window: dt.timedelta
    remittance: bool
    ours: OurSide
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

    def take(self, item: OurItem) -> Decimal:
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
            taken: list[OurItem] = []
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
                    groups: dict[str, list[OurItem]] = defaultdict(list)
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
            label = " + ".join(f"{DEDUCTION_NAMES[d.deduction_type]} {self.money(-d.ever)}" for d in taken)
            where = ", ".join(dict.fromkeys(i for d in taken for i in d.invoices))
            if round_money(row.effect, self.currency) != ours:
                self.add("withholding differs", row.date, theirs, where, row.effect, ours,
                         f"they withheld {self.money(amount)}, we recorded {label}", row.row.where)
            else:
                self.payments_agreed += 1

    def payments(self, payments: list[TheirPayment]) -> None:
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
            extra = "; with " + ", ".join(f"{DEDUCTION_NAMES[d.deduction_type]} {self.money(-d.ever)}"
                                          for d in deductions) if deductions else ""
            self.add("receipt not on theirs", receipt.date, "", receipt.key, None, our_amount,
                     f"received {self.money(-receipt.ever)} on {receipt.date:%d/%m/%Y}, {applied}{extra}")
        for d in sorted(self.ours.deductions, key=lambda d: (d.date, d.receipt_id, d.invoices)):
            if not d.used and d.in_period:
                d.used = True
                self.add("deduction not on theirs", d.date, "", f"{d.receipt_id} ({', '.join(d.invoices)})", None,
                         d.in_period, f"{DEDUCTION_NAMES[d.deduction_type]} on {', '.join(d.invoices)}")

    def _candidate(self, payment: TheirPayment, receipts: Sequence[OurItem], pass_: str) -> OurItem | None:
        def days(r: OurItem) -> int:
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

    def _sent(self, receipt: OurItem) -> Decimal:
        """What the payer sent, as they see it: the cash we received and the bank's charges on it."""
        charges = (d.ever for d in self.ours.receipt_deductions(receipt) if d.deduction_type == "bank_charges")
        return -receipt.ever - sum(charges, ZERO)

    def _withheld(self, receipt: OurItem) -> Decimal:
        """The receipt's other deductions not yet matched: withholding, discount, write-off."""
        return -sum((d.ever for d in self.ours.receipt_deductions(receipt) if d.deduction_type != "bank_charges"),
                    ZERO)

    def _compare(self, payment: TheirPayment) -> None:
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

    def _payment_note(self, payment: TheirPayment, receipt: OurItem, deductions: Sequence[OurItem],
                      short: Decimal) -> str:
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
            label = " + ".join(f"{DEDUCTION_NAMES[d.deduction_type]} {self.money(-d.ever)}" for d in deductions)
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
                    parts = " + ".join(f"{WITHHOLDING_NAMES[k]} {self.money(expected[k])}" for k in kinds)
                    return (f"{self.money(amount)} is the customer's withholding on {', '.join(names)} ({parts}): "
                            "ask for the withholding certificate and record it")
        return ""


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
