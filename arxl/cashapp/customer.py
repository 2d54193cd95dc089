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
import re
from collections.abc import Sequence
from decimal import Decimal

from arxl.cashapp.customer_ledger import ZERO, OurSide, reference_keys
from arxl.cashapp.customer_matching import Reconciler, TheirPayment
from arxl.cashapp.their_rows import Classifier, Entry, their_balances
from arxl.core.errors import BadValue
from arxl.core.money import CURRENCIES, not_a_currency, round_money
from arxl.ledger.ledger import Ledger
from arxl.ledger.openitems import balances, open_items
from arxl.ledger.records import Customer
from arxl.ledger.their import CustomerReconciliation, Difference, DifferenceKind, TheirFile, TheirRow

__all__ = [
    "CustomerReconciliation",
    "Difference",
    "DifferenceKind",
    "TheirFile",
    "TheirRow",
    "find_customer",
    "reconcile_customer",
]




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
    ours = OurSide(ledger, customer, code, first, day)
    work = Reconciler(ledger, customer, code, day, window, remittance, ours, classifier)
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
            raise BadValue(not_a_currency(requested))  # ISO's list is 170 codes: name the one given
        return code
    default = customer.currency or ledger.settings.base_currency
    found = {r.currency or their.currency for r in their.rows} - {""}
    if len(found) == 1 and default not in found:
        return found.pop()
    return default


def _their_payments(rows: Sequence[Entry], remittance: bool, payment_date: dt.date, code: str) -> list[TheirPayment]:
    """Their payments: one per payment row; for a remittance advice without payment rows, one for all its rows."""
    payments = []
    for row in rows:
        if row.kind == "payment" and row.date is not None:
            cash, withheld = _split(-row.effect, row.row)
            payments.append(TheirPayment(row.date, row.row.reference or row.row.description[:40], cash, withheld,
                                     row.names, row.row.where, reference_keys(*row.row.references)))
    documents = [r for r in rows if r.kind in ("invoice", "credit_note")]
    if remittance and not payments and documents:
        cash = withheld = ZERO
        for row in documents:
            sign = 1 if row.effect >= 0 else -1  # a credit note deducted on the advice
            paid, kept = _split(abs(row.effect), row.row)
            cash += sign * paid
            withheld += sign * kept
        names = tuple(dict.fromkeys(r.names[0] for r in documents if r.names))
        payments.append(TheirPayment(payment_date, "remittance advice", round_money(cash, code),
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
