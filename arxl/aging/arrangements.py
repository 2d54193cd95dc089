"""Payment arrangements and promises to pay: kept or broken, judged from what the customer actually paid.

A *payment arrangement* (the Arrangements table) spreads an overdue balance over instalments with their own due
dates. Instalment k is **kept** once the customer's payments since the plan began cover the instalments 1..k
(cumulatively: paying the first two together on time keeps both); it is **broken** when its due date plus the
grace days of Settings ("Arrangement Grace Days", 3 by default: a transfer takes a day or two to arrive and be
applied) has passed without that; until then it is **pending**.

*Payments* are the allocations on the customer's invoices in the arrangement's currency (cash applied plus the
deductions that settle an invoice as surely as cash: VAT and income tax withheld, bank charges), dated up to
the deadline and never after the as-of date; write-offs are not payments. The plan *began* on the date of the
earliest CollectionsLog entry of the customer that names the arrangement ("plan ARR-2025-001 agreed"), or,
without one, one instalment interval before the first due date (31 days for a plan of one instalment).

A *promise to pay* is a CollectionsLog entry with a Promise Date: kept when the customer's payments from the day
of the entry to the promise date plus the same grace reach the Promise Amount (any payment, when no amount was
promised), broken when that date has passed without it. Promises are judged for reports and escalations only;
the log is the accountant's own journal and arxl does not rewrite its outcomes.

>>> import datetime as dt
>>> from decimal import Decimal as D
>>> from arxl.ledger.records import Allocation, ArrangementLine, Invoice
>>> inv = Invoice(invoice_no="INV-1", invoice_date=dt.date(2025, 1, 1), due_date=dt.date(2025, 1, 31),
...               customer_id="C1", currency="RWF", net_amount=D(300), vat_amount=D(0), total_amount=D(300))
>>> plan = [ArrangementLine(arrangement_id="A-1", customer_id="C1", instalment=n, due_date=day, amount=D(100),
...                         currency="RWF") for n, day in ((1, dt.date(2025, 6, 10)), (2, dt.date(2025, 7, 10)))]
>>> paid = [Allocation(receipt_id="R-1", invoice_no="INV-1", date=dt.date(2025, 6, 12), currency="RWF",
...                    applied_amount=D(100))]
>>> [c.status for c in check_instalments(plan, [inv], paid, dt.date(2025, 7, 31), grace_days=3)]
['kept', 'broken']
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from typing import Literal

from arxl.ledger.changes import ChangeSet
from arxl.ledger.records import Allocation, ArrangementLine, CollectionsEntry, Invoice

Verdict = Literal["pending", "kept", "broken"]
ONE_DAY = dt.timedelta(days=1)
DEFAULT_INTERVAL = dt.timedelta(days=31)


class Payments:
    """What each customer paid, by currency and date: allocations on their invoices (write-offs left out)."""

    def __init__(self, invoices: Iterable[Invoice], allocations: Iterable[Allocation]) -> None:
        owner = {i.invoice_no: i.customer_id for i in invoices}
        by_key: dict[tuple[str, str], list[tuple[dt.date, Decimal]]] = defaultdict(list)
        for a in allocations:
            customer = owner.get(a.invoice_no)
            if customer is None:
                continue
            amount = a.applied_amount + (a.deduction_amount if a.deduction_type != "write_off" else Decimal(0))
            if amount:
                by_key[(customer, a.currency)].append((a.date, amount))
        self._dates: dict[tuple[str, str], list[dt.date]] = {}
        self._sums: dict[tuple[str, str], list[Decimal]] = {}
        for key, rows in by_key.items():
            rows.sort(key=lambda r: r[0])
            self._dates[key] = [d for d, _ in rows]
            self._sums[key] = list(accumulate((a for _, a in rows), initial=Decimal(0)))

    def currencies(self, customer_id: str) -> list[str]:
        return sorted(c for k, c in self._dates if k == customer_id)

    def between(self, customer_id: str, currency: str, first: dt.date, last: dt.date) -> Decimal:
        """Paid from ``first`` to ``last``, both included."""
        key = (customer_id, currency)
        dates = self._dates.get(key)
        if not dates or last < first:
            return Decimal(0)
        sums = self._sums[key]
        return sums[bisect_right(dates, last)] - sums[bisect_right(dates, first - ONE_DAY)]


@dataclass(frozen=True, slots=True)
class InstalmentCheck:
    """One instalment judged at the as-of date; ``index`` is its position in the Arrangements table."""

    index: int
    line: ArrangementLine
    verdict: Verdict
    began: dt.date
    deadline: dt.date
    due_so_far: Decimal  # instalments 1..k of the plan
    paid: Decimal  # paid since the plan began, up to the deadline (or the as-of date when earlier)

    @property
    def status(self) -> str:
        """The status the row should carry: the stored one unless it is pending (a cancelled row stays so)."""
        return self.line.status if self.line.status != "pending" else self.verdict


def check_instalments(lines: Sequence[ArrangementLine], invoices: Iterable[Invoice],
                      allocations: Iterable[Allocation], as_of: dt.date, grace_days: int = 3,
                      log: Iterable[CollectionsEntry] = (), payments: Payments | None = None) -> list[InstalmentCheck]:
    """Every instalment of every arrangement (cancelled rows included, judged but left as they are)."""
    paid = payments or Payments(invoices, allocations)
    grace = dt.timedelta(days=max(grace_days, 0))
    mentions = list(log)
    plans: dict[str, list[int]] = defaultdict(list)
    for i, line in enumerate(lines):
        plans[line.arrangement_id].append(i)
    result: list[InstalmentCheck] = []
    for arrangement_id, indexes in plans.items():
        indexes.sort(key=lambda i: (lines[i].instalment, lines[i].due_date))
        live = [i for i in indexes if lines[i].status != "cancelled"]
        began = _began(arrangement_id, [lines[i] for i in (live or indexes)], mentions)
        due_so_far = Decimal(0)
        for i in indexes:
            line = lines[i]
            if line.status != "cancelled":
                due_so_far += line.amount
            deadline = line.due_date + grace
            covered = paid.between(line.customer_id, line.currency, began, min(deadline, as_of))
            verdict: Verdict = "kept" if covered >= due_so_far else "broken" if deadline < as_of else "pending"
            result.append(InstalmentCheck(i, line, verdict, began, deadline, due_so_far, covered))
    return sorted(result, key=lambda c: c.index)


def _began(arrangement_id: str, lines: Sequence[ArrangementLine], log: Sequence[CollectionsEntry]) -> dt.date:
    customer = lines[0].customer_id
    named = [e.date for e in log if e.customer_id == customer and arrangement_id and arrangement_id in e.outcome]
    if named:
        return min(named)
    dues = sorted(line.due_date for line in lines)
    interval = dues[1] - dues[0] if len(dues) > 1 and dues[1] > dues[0] else DEFAULT_INTERVAL
    return dues[0] - interval + ONE_DAY


@dataclass(frozen=True, slots=True)
class ArrangementState:
    """One arrangement as a whole at the as-of date."""

    arrangement_id: str
    customer_id: str
    currency: str
    instalments: tuple[InstalmentCheck, ...]

    @property
    def broken(self) -> list[InstalmentCheck]:
        return [c for c in self.instalments if c.status == "broken"]

    @property
    def is_kept(self) -> bool:
        """Being kept: nothing broken and something still to pay (a finished plan protects no longer)."""
        live = [c for c in self.instalments if c.line.status != "cancelled"]
        return bool(live) and not self.broken and any(c.status == "pending" for c in live)


def arrangement_states(checks: Iterable[InstalmentCheck]) -> list[ArrangementState]:
    """Instalment checks grouped by arrangement, in table order."""
    groups: dict[str, list[InstalmentCheck]] = defaultdict(list)
    for check in checks:
        groups[check.line.arrangement_id].append(check)
    return [ArrangementState(key, rows[0].line.customer_id, rows[0].line.currency, tuple(rows))
            for key, rows in groups.items()]


@dataclass(frozen=True, slots=True)
class PromiseCheck:
    """A promise to pay judged at the as-of date; ``index`` is its position in the CollectionsLog table."""

    index: int
    entry: CollectionsEntry
    currency: str
    verdict: Verdict
    deadline: dt.date
    paid: Decimal


def check_promises(entries: Sequence[CollectionsEntry], invoices: Iterable[Invoice],
                   allocations: Iterable[Allocation], as_of: dt.date, grace_days: int = 3,
                   currencies: dict[str, str] | None = None, payments: Payments | None = None) -> list[PromiseCheck]:
    """Every promise to pay logged up to the as-of date. ``currencies`` gives each customer's currency (a promise
    has no currency of its own); without it, the currency the customer has paid most in is taken."""
    paid = payments or Payments(invoices, allocations)
    grace = dt.timedelta(days=max(grace_days, 0))
    result: list[PromiseCheck] = []
    for i, entry in enumerate(entries):
        if entry.promise_date is None or entry.date > as_of:
            continue
        currency = (currencies or {}).get(entry.customer_id) or next(iter(paid.currencies(entry.customer_id)), "")
        deadline = entry.promise_date + grace
        covered = paid.between(entry.customer_id, currency, entry.date, min(deadline, as_of))
        wanted = entry.promise_amount if entry.promise_amount is not None else Decimal(0)
        enough = covered >= wanted and covered > 0
        verdict: Verdict = "kept" if enough else "broken" if deadline < as_of else "pending"
        result.append(PromiseCheck(i, entry, currency, verdict, deadline, covered))
    return result


def status_updates(checks: Iterable[InstalmentCheck], row_numbers: Sequence[int]) -> ChangeSet:
    """Arrangements.Status of every pending instalment now judged kept or broken (other statuses are left as the
    accountant set them: a broken instalment paid late stays broken, a cancelled one stays cancelled)."""
    changes = ChangeSet()
    for check in checks:
        if check.line.status == "pending" and check.verdict != "pending":
            changes.update("Arrangements", row_numbers[check.index], "status", check.verdict)
    return changes
