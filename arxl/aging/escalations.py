"""Escalations: the persistent non-payers the accountant hands to management, with their history.

A customer with an overdue balance (net of credits and unapplied cash) in some currency is escalated when any of
these rules holds at the as-of date (thresholds from Settings):

1. **Long overdue after reminders**: the oldest overdue invoice is more than "Escalation Days" (90) past due and
   at least "Escalation Reminders" (2) dunning levels were sent since it fell due (CollectionsLog entries with
   a Dunning Level, any channel), unless the customer is within a payment arrangement being kept;
2. **Broken arrangement**: an instalment of a payment arrangement is broken (judged from the allocations, or
   marked broken by hand), see :mod:`arxl.aging.arrangements`;
3. **Broken promise**: a promise to pay whose date (plus the grace days) passed in the last "Escalation Days"
   without the promised payment.

The Escalations sheet lists them, longest overdue first, with balances, the oldest overdue invoice, the reminders
sent, the reasons in words and, below, each customer's recent CollectionsLog entries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from arxl.aging.arrangements import (
    InstalmentCheck,
    Payments,
    PromiseCheck,
    arrangement_states,
    check_instalments,
    check_promises,
)
from arxl.aging.dunning import Position, positions
from arxl.core.money import figure
from arxl.ledger.changes import Cell, SheetSpec
from arxl.ledger.ledger import Ledger
from arxl.ledger.openitems import open_items
from arxl.ledger.records import CollectionsEntry, Customer

ESCALATIONS_SHEET = "Escalations"
HISTORY = 8
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Escalation:
    """A customer for management, with the rules met and the history behind them."""

    customer: Customer
    positions: tuple[Position, ...]  # the currencies with an overdue balance
    reasons: tuple[str, ...]
    reminders: tuple[CollectionsEntry, ...]  # dunning levels sent since the oldest overdue invoice fell due
    history: tuple[CollectionsEntry, ...]  # the latest CollectionsLog entries, newest first
    broken_instalments: tuple[InstalmentCheck, ...] = ()
    broken_promises: tuple[PromiseCheck, ...] = ()

    @property
    def customer_id(self) -> str:
        return self.customer.customer_id

    @property
    def oldest_days(self) -> int:
        return max(p.oldest_days for p in self.positions)


@dataclass(slots=True)
class FollowUp:
    """Everything the arrangements check finds: instalments, promises and the escalations."""

    instalments: list[InstalmentCheck]
    promises: list[PromiseCheck]
    escalations: list[Escalation]


def follow_up(ledger: Ledger, as_of: dt.date) -> FollowUp:
    """Judge instalments and promises, and find the customers to escalate, at the as-of date."""
    s = ledger.settings
    payments = Payments(ledger.invoices, ledger.allocations)
    instalments = check_instalments(ledger.arrangements.rows, ledger.invoices, ledger.allocations, as_of,
                                    s.arrangement_grace_days, ledger.collections_log, payments)
    currencies = {c.customer_id: c.currency or s.base_currency for c in ledger.customers}
    promises = check_promises(ledger.collections_log.rows, ledger.invoices, ledger.allocations, as_of,
                              s.arrangement_grace_days, currencies, payments)
    found = positions(open_items(ledger.invoices, ledger.allocations, as_of, ledger.receipts), as_of)
    owing: dict[str, list[Position]] = defaultdict(list)
    for (customer_id, _), position in found.items():
        if position.overdue > 0 and position.overdue_invoices:
            owing[customer_id].append(position)
    log: dict[str, list[CollectionsEntry]] = defaultdict(list)
    for entry in ledger.collections_log:
        if entry.date <= as_of:
            log[entry.customer_id].append(entry)
    broken_plans: dict[str, list[InstalmentCheck]] = defaultdict(list)
    for check in instalments:
        if check.status == "broken" and check.line.status != "cancelled":
            broken_plans[check.line.customer_id].append(check)
    window = dt.timedelta(days=s.escalation_days)
    broken_words: dict[str, list[PromiseCheck]] = defaultdict(list)
    for promise in promises:
        if promise.verdict == "broken" and as_of - promise.deadline <= window:
            broken_words[promise.entry.customer_id].append(promise)
    kept = {state.customer_id for state in arrangement_states(instalments) if state.is_kept}
    people = {c.customer_id: c for c in ledger.customers}
    result: list[Escalation] = []
    for customer_id, own in owing.items():
        customer = people.get(customer_id)
        if customer is None:
            continue
        episode = min(i.due_date for p in own for i in p.overdue_invoices)
        entries = sorted(log.get(customer_id, []), key=lambda e: e.date)
        reminders = tuple(e for e in entries if e.dunning_level is not None and e.date > episode)
        reasons: list[str] = []
        oldest = max(own, key=lambda p: p.oldest_days)
        if oldest.oldest_days > s.escalation_days and len(reminders) >= s.escalation_reminders \
                and customer_id not in kept:
            reasons.append(f"{oldest.oldest_days} days past due after {len(reminders)} reminder(s)")
        for check in broken_plans.get(customer_id, []):
            reasons.append(f"arrangement {check.line.arrangement_id}: instalment {check.line.instalment} of "
                           f"{figure(check.line.amount, check.line.currency, with_code=True)} due "
                           f"{check.line.due_date:%d/%m/%Y} "
                           f"broken (paid {figure(check.paid, check.line.currency, with_code=True)} of "
                           f"{figure(check.due_so_far, check.line.currency, with_code=True)} due by then)")
        for promise in broken_words.get(customer_id, []):
            amount = promise.entry.promise_amount
            shown = figure(amount, promise.currency, with_code=True) if amount is not None and promise.currency \
                else ""
            promised = f"{shown} " if shown else ""
            reasons.append(f"promise of {promised}by {promise.entry.promise_date:%d/%m/%Y} broken "
                           f"(made {promise.entry.date:%d/%m/%Y})")
        if reasons:
            result.append(Escalation(customer, tuple(own), tuple(reasons), reminders,
                                     tuple(reversed(entries[-HISTORY:])), tuple(broken_plans.get(customer_id, [])),
                                     tuple(broken_words.get(customer_id, []))))
    result.sort(key=lambda e: (-e.oldest_days, e.customer_id))
    return FollowUp(instalments, promises, result)


def escalations_sheet(ledger: Ledger, found: FollowUp, as_of: dt.date) -> SheetSpec:
    """The Escalations sheet for management."""
    s = ledger.settings
    sheet = SheetSpec(ESCALATIONS_SHEET, widths={"A": 11, "B": 34, "C": 11, "D": 9, "E": 15, "F": 15, "G": 15,
                                                 "H": 17, "I": 7, "J": 10, "K": 12, "L": 110},
                      tab_color="C00000" if found.escalations else "70AD47")
    sheet.add(Cell(f"Escalations to management at {as_of:%d/%m/%Y}", style="title"))
    sheet.add(Cell(f"{s.company_name}: {len(found.escalations)} customer(s) meeting the escalation rules: over "
                   f"{s.escalation_days} days past due after {s.escalation_reminders} or more reminders; a broken "
                   f"payment arrangement; a promise to pay broken in the last {s.escalation_days} days "
                   f"({s.arrangement_grace_days} days of grace). Balances per currency, net of unapplied cash.",
                   style="subtitle"))
    sheet.blank()
    over = f"Over {s.escalation_days} days"
    header = sheet.add(*(Cell(h, style="header") for h in (
        "Customer", "Name", "Type", "Currency", "Balance", "Overdue", over, "Oldest invoice", "Days",
        "Reminders", "Last reminder", "Why escalated")))
    first_history = header + 1 + sum(len(e.positions) for e in found.escalations) + 3
    anchors: dict[str, int] = {}
    row = first_history
    for e in found.escalations:
        anchors[e.customer_id] = row
        row += 3 + max(len(e.history), 1)
    for e in found.escalations:
        last = e.reminders[-1] if e.reminders else None
        for position in e.positions:
            cur = position.currency
            oldest = position.oldest
            late = sum((i.open_amount for i in position.overdue_invoices if i.days > s.escalation_days), ZERO)
            sheet.add(Cell(e.customer_id, link=f"#'{ESCALATIONS_SHEET}'!A{anchors[e.customer_id]}"),
                      Cell(e.customer.name), Cell(e.customer.customer_type), Cell(cur),
                      Cell(position.balance, currency=cur), Cell(position.overdue, currency=cur, style="error"),
                      Cell(late, currency=cur), Cell(oldest.invoice_no if oldest else ""),
                      Cell(position.oldest_days, style="integer"), Cell(len(e.reminders), style="integer"),
                      Cell(last.date if last else None, style="date"), Cell("; ".join(e.reasons)))
    if not found.escalations:
        sheet.add(Cell("none", style="good"), Cell("No customer meets the escalation rules."))
    last_row = sheet.next_row - 1
    sheet.filter_range = f"A{header}:L{max(last_row, header + 1)}"
    sheet.freeze = f"C{header + 1}"
    while sheet.next_row < first_history - 1:
        sheet.blank()
    if found.escalations:
        sheet.add(Cell("History: latest entries of the collections log, newest first", style="title"))
    for e in found.escalations:
        c = e.customer
        who = ", ".join(p for p in (c.contact, c.phone, c.email) if p)
        sheet.add(Cell(f"{e.customer_id}  {c.name}" + (f"  ({who})" if who else ""), style="bold"))
        sheet.add(*(Cell(h, style="header") for h in ("Date", "Contact", "Channel", "Level", "Promise date",
                                                     "Promised", "Next date", "Next action", "", "", "By",
                                                     "Outcome")))
        for entry in e.history:
            cur = c.currency or s.base_currency
            sheet.add(Cell(entry.date, style="date"), Cell(entry.contact), Cell(entry.channel),
                      Cell(entry.dunning_level, style="integer"), Cell(entry.promise_date, style="date"),
                      Cell(entry.promise_amount, currency=cur), Cell(entry.next_action_date, style="date"),
                      Cell(entry.next_action), "", "", Cell(entry.user), Cell(entry.outcome))
        if not e.history:
            sheet.add(Cell(""), Cell("nothing in the collections log yet", style="note"))
        sheet.blank()
    return sheet
