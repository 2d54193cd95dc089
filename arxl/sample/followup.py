"""The sample's follow-up of its receivables: the collections log (calls, e-mails, promises to pay) and the
client queries raised on invoices.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from arxl.core.dates import add_months
from arxl.ledger.records import (
    Channel,
    ClientQuery,
    CollectionsEntry,
    Invoice,
    Receipt,
)
from arxl.sample.company import _DUNNING, CUTOFF, ZERO, D
from arxl.sample.customers import ARRANGEMENT_CUSTOMER, ARRANGEMENT_DAY, _People
from arxl.sample.payments import _Books, _working

# --- Collections log --------------------------------------------------------------------------------------------

def _collections(rng: random.Random, books: _Books, receipts: list[Receipt]) -> list[CollectionsEntry]:
    """Reminders, calls and visits to the late payers, with the promises they made."""
    people = books.people
    accountant, manager = "Aline Uwase", "Jean Mugisha"
    channels: dict[int, tuple[Channel, ...]] = {1: ("e-mail",), 2: ("e-mail", "call"), 3: ("letter",),
                                                 4: ("visit", "letter", "call")}
    entries: list[CollectionsEntry] = []
    for cid, habit in people.habit.items():
        contact = people[cid].contact
        if habit == "chronic":
            level = 0  # a level is reached only after the previous one was sent
            for month in range(17):  # mid-February 2024 to mid-June 2025
                day = _working(add_months(dt.date(2024, 2, 14), month))
                overdue, oldest = _overdue(books, cid, day)
                if not overdue or oldest < _DUNNING[0].days_overdue:
                    level = 0
                    continue
                level = min(level + 1, max(d.level for d in _DUNNING if d.days_overdue <= oldest))
                name = _DUNNING[level - 1].name
                entries.append(CollectionsEntry(
                    date=day, customer_id=cid, channel=channels[level][month % len(channels[level])],
                    contact=contact, outcome=f"{name}: {overdue:,.0f} RWF overdue, oldest {oldest} days",
                    dunning_level=level, next_action="Call the finance officer",
                    next_action_date=day + dt.timedelta(days=7), user=manager if level == 4 else accountant))
            for r in receipts:
                if r.customer_id == cid and r.date.year == 2025 and "INSTALMENT" not in r.narrative:
                    day = r.date - dt.timedelta(days=rng.randint(6, 12))
                    entries.append(CollectionsEntry(
                        date=day, customer_id=cid, channel="call", contact=contact,
                        outcome="Promised a payment on the arrears", promise_date=r.date, promise_amount=r.amount,
                        next_action="Check the bank statement", next_action_date=r.date, user=accountant))
        elif habit == "slow":
            day = dt.date(2025, 6, 10)
            overdue, oldest = _overdue(books, cid, day)
            if overdue and oldest >= 7:
                entries.append(CollectionsEntry(
                    date=day, customer_id=cid, channel="e-mail", contact=contact,
                    outcome=f"Statement and reminder sent: {overdue:,.0f} RWF overdue", dunning_level=1,
                    next_action="Call if not paid", next_action_date=dt.date(2025, 6, 24), user=accountant))
    entries.extend(_promises(books))
    return sorted(entries, key=lambda e: (e.date, e.customer_id, e.channel))


def _overdue(books: _Books, customer_id: str, day: dt.date) -> tuple[Decimal, int]:
    """The customer's overdue RWF balance on a day, and the days its oldest overdue invoice is late."""
    items = [(books.open_on(i.invoice_no, day), (day - i.due_date).days) for i in books.register
             if i.customer_id == customer_id and i.doc_type == "invoice" and i.currency == "RWF"
             and i.due_date < day]
    items = [(amount, days) for amount, days in items if amount > 0]
    return sum((a for a, _ in items), ZERO), max((d for _, d in items), default=0)


def _promises(books: _Books) -> list[CollectionsEntry]:
    """The arrangement with C042, and the promise C052 broke."""
    balance, parts = books.arrangement
    hotel, red_cross = books.people[ARRANGEMENT_CUSTOMER], books.people["C052"]
    owed, _ = _overdue(books, "C052", dt.date(2025, 6, 5))
    promised = max(D(100_000), (owed / 3 // 100_000) * 100_000)
    return [
        CollectionsEntry(date=ARRANGEMENT_DAY, customer_id=hotel.customer_id, channel="visit", contact=hotel.contact,
                         outcome=f"Met the managing director: plan ARR-2025-001 agreed, {balance:,.0f} RWF in "
                                 "3 monthly instalments", dunning_level=4, promise_date=dt.date(2025, 6, 10),
                         promise_amount=parts[0] if parts else None, next_action="Confirm first instalment",
                         next_action_date=dt.date(2025, 6, 10), user="Jean Mugisha"),
        CollectionsEntry(date=dt.date(2025, 6, 10), customer_id=hotel.customer_id, channel="call",
                         contact=hotel.contact, outcome="First instalment received on 9 Jun; thanked the client",
                         next_action="Second instalment due", next_action_date=dt.date(2025, 7, 10),
                         user="Aline Uwase"),
        CollectionsEntry(date=dt.date(2025, 6, 5), customer_id=red_cross.customer_id, channel="call",
                         contact=red_cross.contact, outcome="Finance officer promised a payment on the arrears",
                         promise_date=dt.date(2025, 6, 20), promise_amount=promised,
                         next_action="Check the bank statement", next_action_date=dt.date(2025, 6, 20),
                         user="Aline Uwase"),
        CollectionsEntry(date=dt.date(2025, 6, 24), customer_id=red_cross.customer_id, channel="e-mail",
                         contact=red_cross.contact, outcome="Promise of 20 Jun not kept; escalated to the finance "
                                                            "manager", dunning_level=4, next_action="Visit",
                         next_action_date=dt.date(2025, 7, 3), user="Jean Mugisha"),
    ]


# --- Client queries ---------------------------------------------------------------------------------------------

def _queries(invoices: list[Invoice], people: _People, credit_note: Invoice) -> list[ClientQuery]:
    """Three queries, none drawing on the random story (so nothing else of the sample moves): a ministry told
    why VAT is on its invoice (closed by an explanation), the outage credited by the credit note (closed by
    it), and a quantity disputed on a June invoice of a private client, still open: that invoice is overdue in
    July and held out of its reminder, the client's other overdue invoice is not."""
    accountant, manager = "Aline Uwase", "Jean Mugisha"
    register = {i.invoice_no: i for i in invoices}
    ministry = next(i for i in invoices if i.doc_type == "invoice" and i.invoice_date >= dt.date(2025, 2, 1)
                    and people[i.customer_id].customer_type == "government"
                    and "vat" in people[i.customer_id].withholding)
    asked = ministry.invoice_date + dt.timedelta(days=6)
    outage = register[credit_note.original_invoice]
    called = max(outage.invoice_date, dt.date(2025, 5, 19))
    june: dict[str, list[Invoice]] = {}
    for i in invoices:
        if (i.doc_type == "invoice" and i.status == "open" and i.currency == "RWF" and i.invoice_date.month == 6
                and i.invoice_date.year == 2025 and i.due_date < dt.date(2025, 7, 31)
                and people.habit[i.customer_id] != "chronic" and i.customer_id != credit_note.customer_id):
            june.setdefault(i.customer_id, []).append(i)
    if not june:
        raise RuntimeError("the sample has no June 2025 invoice for an open client query")
    disputed = june[min(june, key=lambda c: (len(june[c]) < 2, people[c].customer_type != "private",
                                              people[c].withholding != "", c))][-1]
    written = min(disputed.invoice_date + dt.timedelta(days=11), CUTOFF)
    return [
        ClientQuery(query_id="Q-2025-0001", date=asked, customer_id=ministry.customer_id,
                    invoice_no=ministry.invoice_no, channel="call",
                    question=f"Why is VAT charged on {ministry.invoice_no} when the ministry withholds it?",
                    owner=accountant, due_date=asked + dt.timedelta(days=7),
                    answer="VAT is charged in full on every invoice (EBM); the ministry withholds it with the 3 % "
                           "and pays RRA, then sends us the certificates. The transfer is the total less both.",
                    answered_on=asked + dt.timedelta(days=1), status="closed", resolution="explanation",
                    closed_on=asked + dt.timedelta(days=2)),
        ClientQuery(query_id="Q-2025-0002", date=called, customer_id=outage.customer_id,
                    invoice_no=outage.invoice_no, channel="call",
                    question="Service down from 12 to 17 May: asks for the SLA credit before paying",
                    owner=accountant, due_date=called + dt.timedelta(days=4),
                    answer="Outage confirmed by the network team: 6 days credited under the SLA",
                    answered_on=credit_note.invoice_date, status="closed", resolution="credit note",
                    credit_note=credit_note.invoice_no, closed_on=credit_note.invoice_date),
        ClientQuery(query_id="Q-2025-0003", date=written, customer_id=disputed.customer_id,
                    invoice_no=disputed.invoice_no, channel="e-mail",
                    question="Disputes the quantity billed: one of the sites was not connected until mid-June",
                    owner=manager, due_date=written + dt.timedelta(days=7)),
    ]


