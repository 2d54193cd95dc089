"""The period lock: a month whose close is complete is locked, and what moves money in it is refused.

The Periods table is a log: each row locks or reopens a month (who, when and, for a reopening, why), and the
state of a month is its last event. The month-end close appends "locked" when it completes, the year-end locks
every month of the year, and ``arxl period reopen BOOK YYYY-MM --reason TEXT`` appends "reopened".

A locked month keeps the books the accountant closed, reported and sent to Sage. So a ChangeSet is refused
when it **appends** a row dated in a locked month (an invoice or credit note by its Invoice Date, a receipt or
allocation by its Date, a revaluation by its Date, a billing schedule line by its Period, an invoice line by its
invoice's date), or **updates**, on a row dated in a locked month, a field that moves money or its record in
Sage (amounts, dates, customer, currency, Sage Exported...). What does not move money stays free: a status (a
later payment marks an old invoice paid), notes, a certificate's number and date, the EBM receipt fields, a
revaluation's Reversal Exported (the reversal is dated the first day of the next month) and the invoice number
a billed schedule line points to.

>>> import datetime as dt
>>> events = [event("2025-06", "locked", dt.datetime(2025, 7, 2, 9, 30), "ange"),
...           event("2025-06", "reopened", dt.datetime(2025, 7, 5, 14, 0), "ange", "late credit note")]
>>> sorted(locked(events)), state(events)["2025-06"].action
([], 'reopened')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from arxl.core.errors import ArxlError, BadValue
from arxl.core.period import Period
from arxl.ledger.changes import ChangeSet
from arxl.ledger.ledger import Ledger
from arxl.ledger.records import Invoice, PeriodEvent, Row

GUARDED = ("Invoices", "InvoiceLines", "BillingSchedule", "Receipts", "Allocations", "Revaluations")
"""The tables whose rows are dated in a month, and the ledger of record."""

FREE = frozenset({"status", "notes", "certificate_no", "certificate_date", "reversal_exported"})
"""Fields any row may change in a locked month: they move no money and nothing Sage holds."""

FREE_IN = {"Invoices": frozenset({"ebm_receipt_no", "ebm_sdc_id", "ebm_mrc", "ebm_date", "ebm_receipt_type"}),
           "BillingSchedule": frozenset({"invoice_no"})}


class PeriodLocked(ArxlError):
    """A change into a month that is locked."""


def event(period: str, action: Literal["locked", "reopened"], at: dt.datetime, by: str, reason: str = "") \
        -> PeriodEvent:
    """One row of the Periods table; a reopening without a reason is refused."""
    month = Period.parse(period)
    if action == "reopened" and not reason.strip():
        raise BadValue(f"reopening {month} needs a reason (--reason TEXT): it is recorded with who reopened it")
    return PeriodEvent(period=str(month), action=action, on=at.date(), time=f"{at:%H:%M}", by=by.strip(),
                       reason=reason.strip())


def state(events: Iterable[PeriodEvent]) -> dict[str, PeriodEvent]:
    """The last event of each month, by month."""
    last: dict[str, PeriodEvent] = {}
    for e in events:
        last[e.period.strip()] = e
    return dict(sorted(last.items()))


def locked(events: Iterable[PeriodEvent]) -> dict[str, PeriodEvent]:
    """The months locked now, each with the event that locked it."""
    return {p: e for p, e in state(events).items() if e.action == "locked"}


def describe(e: PeriodEvent) -> str:
    """'locked on 01/08/2025 09:30 by ange' / 'reopened on ... by ...: why'."""
    when = f"{e.on:%d/%m/%Y}" + (f" {e.time}" if e.time else "")
    return f"{e.action} on {when}" + (f" by {e.by}" if e.by else "") + (f": {e.reason}" if e.reason else "")


@dataclass(frozen=True, slots=True)
class Violation:
    """A change refused by the lock: the month, what the change was, and the event that locked the month."""

    period: str
    what: str
    lock: PeriodEvent

    def message(self, book: str) -> str:
        by = f" by {self.lock.by}" if self.lock.by else ""
        return (f"{self.period} is locked (closed on {self.lock.on:%d/%m/%Y}{by}): {self.what} is refused; "
                f"`arxl period reopen {book} {self.period} --reason ...` to change it")


def violations(ledger: Ledger, changes: ChangeSet, events: Iterable[PeriodEvent] | None = None) -> list[Violation]:
    """What in ``changes`` the lock refuses (the rules of the module's text); empty when nothing is locked."""
    if events is None:  # a ledger read column by column for one job may not hold the table
        events = [e for e in (ledger.tables["Periods"].rows if "Periods" in ledger.tables else [])
                  if isinstance(e, PeriodEvent)]
    closed = locked(events)
    if not closed:
        return []
    found: list[Violation] = []
    new_invoices = {i.invoice_no: i for i in changes.appends.get("Invoices", []) if isinstance(i, Invoice)}
    registered: dict[str, Invoice] = {}

    def check(month: str | None, what: str) -> None:
        if month is not None and month in closed:
            found.append(Violation(month, what, closed[month]))

    def invoice_month(number: str) -> str | None:
        if not registered:
            registered.update((i.invoice_no, i) for i in ledger.invoices)
        invoice = new_invoices.get(number) or registered.get(number)
        return _month(invoice.invoice_date) if invoice is not None else None

    for table, rows in changes.appends.items():
        if table not in GUARDED:
            continue
        for row in rows:
            month = invoice_month(str(getattr(row, "invoice_no", ""))) if table == "InvoiceLines" \
                else _row_month(table, row)
            check(month, f"a new {table} row {_name(row)}")
    positions: dict[str, Mapping[int, int]] = {}
    for update in changes.updates:
        if update.table not in GUARDED or update.field in FREE | FREE_IN.get(update.table, frozenset()):
            continue
        if update.table not in positions:
            positions[update.table] = {n: i for i, n in enumerate(ledger.table(update.table).row_numbers)}
        index = positions[update.table].get(update.row)
        if index is None:
            continue
        row = ledger.table(update.table).rows[index]
        month = invoice_month(str(getattr(row, "invoice_no", ""))) if update.table == "InvoiceLines" \
            else _row_month(update.table, row)
        what = f"changing {update.field} of {update.table} {_name(row)}"
        check(month, what)
        if isinstance(update.value, dt.date) and update.field in ("invoice_date", "date"):
            check(_month(update.value), what)  # moved into a locked month
    return found


def _row_month(table: str, row: Row) -> str | None:
    values: dict[str, Any] = row.__dict__
    if table == "BillingSchedule":
        return str(values.get("period", "")).strip() or None
    day = values.get("invoice_date") if table == "Invoices" else values.get("date")
    return _month(day) if isinstance(day, dt.date) else None


def _month(day: dt.date) -> str:
    return f"{day:%Y-%m}"


def _name(row: Row) -> str:
    values: dict[str, Any] = row.__dict__
    for field in ("invoice_no", "receipt_id", "reference", "contract_ref"):
        if values.get(field):
            return f"{values[field]}" + (f" of {values['period']}" if field == "contract_ref" else "")
    return ""
