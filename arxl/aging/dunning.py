"""Dunning: which customers are due which reminder today, and what the reminder says.

The levels come from the DunningLevels table (for example 1 friendly reminder at 7 days overdue, 2 firm
reminder at 30, 3 final notice at 60, 4 escalation at 90), taken in the order of their Level numbers. The rules:

1. **Overdue** is what the customer owes on invoices past their due date *less* open credit notes and unapplied
   cash, per currency. A customer whose overdue balance is nil (or in their favour) in every currency is never
   reminded. How late the customer is: the days past due of the oldest overdue invoice.
2. A customer **within a payment arrangement being kept** (an Arrangements plan with no broken instalment and
   something still to pay, judged from the allocations, see :mod:`arxl.aging.arrangements`) is not reminded.
   Nor is an **invoice in query** (a client query not yet closed, see :mod:`arxl.aging.queries`): it is left
   out of the reminder, the customer's other overdue invoices are reminded, and a customer with nothing else
   overdue is skipped with the reason ("INV-2025-00348 in query Q-2025-0003 since 12/06/2025").
3. Levels go **in sequence**: a customer reaches level N+1 only after level N was sent, and never gets the same
   level twice. What was sent is read from CollectionsLog: every entry with a Dunning Level (whatever its
   channel: a final notice handed over on a visit counts as sent) dated after the due date of the oldest invoice
   still overdue. So when a customer clears everything and falls behind again later, the sequence starts over.
4. The next level is due when the oldest overdue invoice is at least that level's Days Overdue late and at least
   "Dunning Interval Days" (Settings, 7 by default) have passed since the previous level, so a customer found 100
   days late gets the friendly reminder first, not three letters in three days; a re-run the same day sends
   nothing new.
5. **Fee and interest**, where the level has them (only when more than zero): late interest per overdue invoice
   = open amount x annual rate x days overdue / 365, rounded to the currency; the fixed fee in the level's Fee
   Currency (the customer's own currency when blank), shown in that currency's block only.

Customers due a level who have no e-mail address are listed to be called instead. A reminder also lists the
customer's withholding still awaiting its certificate (:mod:`arxl.ledger.withheld`), the chase list.

>>> from decimal import Decimal as D
>>> late_interest(D(1180000), D("0.12"), 45, "RWF")  # 1,180,000 x 12 % x 45 / 365 = 17,457.53...
Decimal('17458')
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import pairwise

from arxl.aging.arrangements import Payments, arrangement_states, check_instalments
from arxl.aging.queries import held_invoices
from arxl.core import withholding
from arxl.core.aging import days_past_due
from arxl.core.errors import ArxlError, Problem
from arxl.core.money import figure, round_money
from arxl.core.tax import WithholdingRates, parse_withholding, withholding_amounts, withholds_at_source
from arxl.ledger.ledger import Ledger
from arxl.ledger.openitems import OpenItem, open_items
from arxl.ledger.records import CollectionsEntry, Customer, DunningLevel, Invoice
from arxl.ledger.withheld import awaiting

ZERO = Decimal(0)
_EMAIL = re.compile(r"[^@\s<>,;\"']+@[^@\s<>,;\"']+\.[^@\s<>,;\"']+")


def late_interest(open_amount: Decimal, annual_rate: Decimal, days: int, currency: str) -> Decimal:
    """Interest on an overdue amount: outstanding x annual rate x days overdue / 365, rounded to the currency."""
    if open_amount <= 0 or annual_rate <= 0 or days <= 0:
        return ZERO
    return round_money(open_amount * annual_rate * days / 365, currency)


def email_addresses(text: str) -> list[str]:
    """The addresses of a Customers e-mail cell ("a@x.rw; b@x.rw").

    >>> email_addresses("accounts@rra.example.rw; Finance <dg@rra.example.rw>"), email_addresses("n/a")
    (['accounts@rra.example.rw', 'dg@rra.example.rw'], [])
    """
    return _EMAIL.findall(text or "")


@dataclass(frozen=True, slots=True)
class OverdueInvoice:
    invoice_no: str
    invoice_date: dt.date
    due_date: dt.date
    days: int
    open_amount: Decimal
    interest: Decimal = ZERO
    withholding: Decimal = ZERO  # what the customer will keep back of the open amount and pay to RRA instead


@dataclass(frozen=True, slots=True)
class Position:
    """A customer's position in one currency at the as-of date."""

    customer_id: str
    currency: str
    overdue_invoices: tuple[OverdueInvoice, ...]
    not_due: Decimal  # open invoices not yet due
    credits: Decimal  # open credit notes and unapplied cash (negative)

    @property
    def overdue_gross(self) -> Decimal:
        return sum((i.open_amount for i in self.overdue_invoices), ZERO)

    @property
    def overdue(self) -> Decimal:
        """Overdue invoices less credits and unapplied cash: what the customer should have paid by now."""
        return self.overdue_gross + self.credits

    @property
    def balance(self) -> Decimal:
        return self.overdue_gross + self.not_due + self.credits

    @property
    def withheld(self) -> Decimal:
        """Tax the customer withholds at source from the overdue invoices: not cash it owes us."""
        return sum((i.withholding for i in self.overdue_invoices), ZERO)

    @property
    def oldest_days(self) -> int:
        return max((i.days for i in self.overdue_invoices), default=0)

    @property
    def oldest(self) -> OverdueInvoice | None:
        return max(self.overdue_invoices, key=lambda i: (i.days, i.invoice_no), default=None)


def positions(items: Iterable[OpenItem], as_of: dt.date) -> dict[tuple[str, str], Position]:
    """Per (customer, currency): overdue invoices (oldest first), not yet due, credits and unapplied cash."""
    overdue: dict[tuple[str, str], list[OverdueInvoice]] = defaultdict(list)
    not_due: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    credits: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for item in items:
        key = (item.customer_id, item.currency)
        if not item.is_invoice:
            credits[key] += item.open_amount
            continue
        days = days_past_due(item.due_date, as_of)
        if days > 0 and item.open_amount > 0:
            overdue[key].append(OverdueInvoice(item.reference, item.document_date, item.due_date, days,
                                               item.open_amount))
        else:
            not_due[key] += item.open_amount
    keys = set(overdue) | set(not_due) | set(credits)
    return {k: Position(k[0], k[1], tuple(sorted(overdue.get(k, []), key=lambda i: (-i.days, i.invoice_no))),
                        not_due.get(k, ZERO), credits.get(k, ZERO)) for k in sorted(keys)}


@dataclass(frozen=True, slots=True)
class CurrencyDue:
    """What a reminder asks for in one currency."""

    position: Position
    interest: Decimal = ZERO
    fee: Decimal = ZERO

    @property
    def currency(self) -> str:
        return self.position.currency

    @property
    def overdue_invoices(self) -> tuple[OverdueInvoice, ...]:
        return self.position.overdue_invoices

    @property
    def total_due(self) -> Decimal:
        """Overdue balance plus late interest and the fee."""
        return self.position.overdue + self.interest + self.fee

    @property
    def cash_due(self) -> Decimal:
        """What the customer transfers: the total due less the tax it withholds (backed by its certificates)."""
        return self.total_due - self.position.withheld


@dataclass(frozen=True, slots=True)
class Reminder:
    """A customer due a dunning level at the as-of date."""

    customer: Customer
    level: DunningLevel
    as_of: dt.date
    days_overdue: int
    blocks: tuple[CurrencyDue, ...]
    previous_level: int = 0
    previous_date: dt.date | None = None
    next_level: DunningLevel | None = None
    certificates: tuple[str, ...] = ()  # withholding awaiting its certificate: "INV-…, WHT 3 %, 30,000 RWF, ..."

    @property
    def customer_id(self) -> str:
        return self.customer.customer_id

    @property
    def addresses(self) -> list[str]:
        return email_addresses(self.customer.email)

    def outcome(self) -> str:
        """The CollectionsLog outcome of this reminder once sent."""
        owed = ", ".join(figure(b.position.overdue, b.currency, with_code=True) for b in self.blocks)
        return (f"reminder level {self.level.level} sent ({self.level.name}): {owed} overdue, oldest "
                f"{self.days_overdue} days")


@dataclass(frozen=True, slots=True)
class Skipped:
    """A customer with overdue invoices who is not reminded today, and why."""

    customer_id: str
    reason: str
    overdue: str = ""


@dataclass(slots=True)
class DunningPlan:
    """The reminders due at the as-of date (to e-mail, or to call when there is no address) and the others."""

    as_of: dt.date
    reminders: list[Reminder]
    skipped: list[Skipped]
    problems: list[Problem]

    @property
    def to_email(self) -> list[Reminder]:
        return [r for r in self.reminders if r.addresses]

    @property
    def to_call(self) -> list[Reminder]:
        return [r for r in self.reminders if not r.addresses]


def levels_in_order(levels: Iterable[DunningLevel]) -> list[DunningLevel]:
    return sorted(levels, key=lambda lv: lv.level)


def plan_reminders(ledger: Ledger, as_of: dt.date) -> DunningPlan:
    """Who is due which reminder at the as-of date (the rules of the module's text)."""
    settings = ledger.settings
    levels = levels_in_order(ledger.dunning_levels)
    problems = _check_levels(ledger, levels)
    if not levels:
        problems.append(Problem(ledger.dunning_levels.where_sheet(), "the DunningLevels table has no level: no "
                                "reminder can be due (add levels such as 1 Friendly reminder at 7 days overdue)",
                                "warning"))
    items = open_items(ledger.invoices, ledger.allocations, as_of, ledger.receipts)
    by_customer: dict[str, list[Position]] = defaultdict(list)
    for (customer_id, _), position in positions(items, as_of).items():
        by_customer[customer_id].append(position)
    payments = Payments(ledger.invoices, ledger.allocations)
    kept = {s.customer_id: s for s in arrangement_states(check_instalments(
        ledger.arrangements.rows, ledger.invoices, ledger.allocations, as_of, settings.arrangement_grace_days,
        ledger.collections_log, payments)) if s.is_kept}
    log: dict[str, list[CollectionsEntry]] = defaultdict(list)
    for entry in ledger.collections_log:
        if entry.dunning_level is not None and entry.date <= as_of:
            log[entry.customer_id].append(entry)
    people = {c.customer_id: c for c in ledger.customers}
    invoices = {i.invoice_no: i for i in ledger.invoices}
    rates = ledger.withholding_rates()
    withheld_types = withholding.withheld_types()
    withheld: dict[str, Decimal] = defaultdict(Decimal)  # withholding already recorded, per invoice
    for allocation in ledger.allocations:
        if allocation.deduction_type in withheld_types and allocation.date <= as_of:
            withheld[allocation.invoice_no] += allocation.deduction_amount
    held = held_invoices(ledger.queries, as_of)
    chase = awaiting(ledger.invoices, ledger.allocations, as_of, ledger.receipts)
    reminders: list[Reminder] = []
    skipped: list[Skipped] = []
    for customer_id, own in sorted(by_customer.items()):
        late = [p for p in own if p.overdue_invoices]
        if not late:
            continue
        queried = [held[i.invoice_no.upper()] for p in late for i in p.overdue_invoices if i.invoice_no.upper() in held]
        if queried:  # an invoice in query is not chased until the query is closed; the others are
            own = [replace(p, overdue_invoices=tuple(i for i in p.overdue_invoices if i.invoice_no.upper() not in held))
                   for p in own]
            if not any(p.overdue_invoices for p in own):
                skipped.append(Skipped(customer_id, "; ".join(q.since() for q in queried), ", ".join(
                    figure(p.overdue_gross + p.credits, p.currency, with_code=True) for p in late)))
                continue
            late = [p for p in own if p.overdue_invoices]
        due = [p for p in late if p.overdue > 0]
        shown = ", ".join(figure(p.overdue, p.currency, with_code=True) for p in late)
        if not due:
            skipped.append(Skipped(customer_id, "overdue invoices covered by unapplied cash or credit notes", shown))
            continue
        if customer_id in kept:
            skipped.append(Skipped(customer_id, f"payment arrangement {kept[customer_id].arrangement_id} being kept",
                                   shown))
            continue
        customer = people.get(customer_id)
        if customer is None:
            skipped.append(Skipped(customer_id, "not in Customers: no address to remind", shown))
            continue
        if not levels:
            skipped.append(Skipped(customer_id, "no level in DunningLevels", shown))
            continue
        episode = min(i.due_date for p in due for i in p.overdue_invoices)
        sent = [e for e in log.get(customer_id, []) if e.date > episode]
        last = max(sent, key=lambda e: (e.dunning_level or 0, e.date), default=None)
        last_level = (last.dunning_level or 0) if last is not None else 0
        last_date = max((e.date for e in sent), default=None)
        days = max(p.oldest_days for p in due)
        following = [lv for lv in levels if lv.level > last_level]
        if not following:
            skipped.append(Skipped(customer_id, f"last level ({last_level}) already sent: see Escalations", shown))
            continue
        level = following[0]
        if days < level.days_overdue:
            skipped.append(Skipped(customer_id, f"{days} day{'' if days == 1 else 's'} overdue: level {level.level} "
                                   f"({level.name}) is due at {level.days_overdue} days, on "
                                   f"{as_of + dt.timedelta(days=level.days_overdue - days):%d/%m/%Y}", shown))
            continue
        if last_date is not None and (as_of - last_date).days < settings.dunning_interval_days:
            skipped.append(Skipped(customer_id, f"level {last_level} sent on {last_date:%d/%m/%Y}: the next not "
                                   f"before {last_date + dt.timedelta(days=settings.dunning_interval_days):%d/%m/%Y}",
                                   shown))
            continue
        fee_currency = level.fee_currency or customer.currency or settings.base_currency
        blocks = tuple(_charges(_with_withholding(p, customer, invoices, withheld, rates), level, fee_currency)
                       for p in due)
        reminders.append(Reminder(customer, level, as_of, days, blocks, last_level, last_date,
                                  following[1] if len(following) > 1 else None,
                                  tuple(w.chase_text() for w in chase.get(customer_id, []))))
    return DunningPlan(as_of, reminders, skipped, problems)


def _with_withholding(position: Position, customer: Customer, invoices: Mapping[str, Invoice],
                      recorded: Mapping[str, Decimal], rates: WithholdingRates) -> Position:
    """The overdue invoices with the tax this customer withholds at source on what is still open.

    A customer that withholds (VAT, 3 % or 15 %) pays the invoice less that tax and sends a certificate: a
    reminder asking for the gross would ask for money it must not pay us. What was already recorded as withheld
    on an invoice (a part payment's deduction) is not counted again. Foreign customers do not withhold Rwandan
    tax whatever their profile says.
    """
    if not withholds_at_source(customer.withholding, customer.customer_type):
        return position
    try:
        profile = parse_withholding(customer.withholding)
    except ArxlError:
        return position  # validate reports the cell; a reminder still goes, asking for the gross
    adjusted = []
    for item in position.overdue_invoices:
        invoice = invoices.get(item.invoice_no)
        if invoice is None:
            adjusted.append(item)
            continue
        expected = sum(withholding_amounts(invoice.net_amount, invoice.vat_amount, profile, position.currency,
                                           rates).values(), ZERO)
        keep = min(max(expected - recorded.get(item.invoice_no, ZERO), ZERO), item.open_amount)
        adjusted.append(replace(item, withholding=keep))
    return replace(position, overdue_invoices=tuple(adjusted))


def _charges(position: Position, level: DunningLevel, fee_currency: str) -> CurrencyDue:
    if level.annual_interest > 0:
        invoices = tuple(replace(i, interest=late_interest(i.open_amount, level.annual_interest, i.days,
                                                           position.currency))
                         for i in position.overdue_invoices)
        position = Position(position.customer_id, position.currency, invoices, position.not_due, position.credits)
    interest = sum((i.interest for i in position.overdue_invoices), ZERO)
    fee = level.fee if level.fee > 0 and position.currency == fee_currency else ZERO
    return CurrencyDue(position, interest, fee)


def _check_levels(ledger: Ledger, levels: Sequence[DunningLevel]) -> list[Problem]:
    problems: list[Problem] = []
    table = ledger.dunning_levels
    for before, after in pairwise(levels):
        if after.days_overdue < before.days_overdue:
            index = table.rows.index(after)
            problems.append(Problem(table.where(index, "days_overdue"), f"level {after.level} comes after level "
                                    f"{before.level} but at fewer days overdue ({after.days_overdue} < "
                                    f"{before.days_overdue})", "warning"))
    return problems


def log_entries(reminders: Iterable[Reminder], as_of: dt.date, user: str = "arxl") -> list[CollectionsEntry]:
    """CollectionsLog rows for reminders that were sent: channel e-mail, the address, the level, what next."""
    entries = []
    for r in reminders:
        if r.next_level is not None:
            action = f"Level {r.next_level.level} ({r.next_level.name}) if still unpaid"
            wait = max(r.next_level.days_overdue - r.level.days_overdue, 7)
        else:
            action, wait = "Call, then escalate to management if still unpaid", 7
        entries.append(CollectionsEntry(date=as_of, customer_id=r.customer_id, channel="e-mail",
                                        contact="; ".join(r.addresses), outcome=r.outcome(),
                                        dunning_level=r.level.level, next_action=action,
                                        next_action_date=as_of + dt.timedelta(days=wait), user=user))
    return entries
