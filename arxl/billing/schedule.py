"""The billing schedule: which contract periods bill in a month, and for how much.

A recurring contract bills per cycle. Monthly periods are calendar months, quarterly periods calendar
quarters, annual periods run from the contract's start date. In advance, a period is billed on its first
day; in arrears, on its last. A first or last period cut by the contract's start or end date is prorated by
days. An escalation raises the rate by its percentage on every anniversary of the start date (compounded and
rounded to the currency) for the periods that start on or after it. A one-off service order (cycle "once")
bills once, on its start date (advance) or end date (arrears). A suspended contract's periods are scheduled
as "skipped"; an ended one stops at its end date.

A billing run is for one month (its ``period``, ``YYYY-MM``): it bills every period whose billing date falls
in that month. A contract period is scheduled once, keyed by contract and billing month, whatever is re-run.

>>> import datetime as dt
>>> from decimal import Decimal as D
>>> from arxl.ledger.records import Contract
>>> k = Contract(contract_ref="K-1", customer_id="C1", service_code="HOST", quantity=D(2), rate=D(150000),
...              currency="RWF", cycle="monthly", billing="advance", start_date=dt.date(2025, 7, 15))
>>> [(c.first, c.last, c.gross) for c in charges(k, "2025-07")]
[(datetime.date(2025, 7, 15), datetime.date(2025, 7, 31), Decimal('164516'))]
>>> charges(k, "2025-08")[0].gross
Decimal('300000')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from arxl.core.dates import add_months
from arxl.core.money import round_money
from arxl.core.period import Period
from arxl.ledger.records import Contract, InvoiceLine, ScheduleLine, ScheduleStatus

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Charge:
    """One contract period due for billing: the days it covers, when it bills and what it costs."""

    contract: Contract
    period_start: dt.date  # the whole cycle period
    period_end: dt.date
    first: dt.date  # the days actually billed (cut by the contract's start and end)
    last: dt.date
    bill_date: dt.date
    rate: Decimal  # the escalated rate of this period
    gross: Decimal  # quantity x rate x prorated share, rounded
    discount: Decimal  # the contract's discount on this period, rounded
    description: str

    @property
    def net(self) -> Decimal:
        return self.gross - self.discount

    @property
    def period(self) -> str:
        """The billing month this period belongs to."""
        return str(Period.of(self.bill_date))

    @property
    def prorated(self) -> bool:
        return self.contract.cycle != "once" and (self.first, self.last) != (self.period_start, self.period_end)

    def schedule_line(self, status: ScheduleStatus, invoice_no: str = "") -> ScheduleLine:
        k = self.contract
        return ScheduleLine(contract_ref=k.contract_ref, period=self.period, period_start=self.first,
                            period_end=self.last, customer_id=k.customer_id, service_code=k.service_code,
                            quantity=k.quantity, rate=self.rate, amount=self.net, currency=k.currency,
                            status=status, invoice_no=invoice_no)


def periods(k: Contract, until: dt.date) -> Iterator[tuple[dt.date, dt.date, dt.date, dt.date]]:
    """(period start, period end, first day billed, last day billed) of each period starting by ``until``."""
    last = k.end_date or dt.date.max
    if k.cycle == "once":
        yield k.start_date, last if k.end_date else k.start_date, k.start_date, last if k.end_date else k.start_date
        return
    if k.cycle == "annual":
        start = k.start_date
    elif k.cycle == "quarterly":
        start = dt.date(k.start_date.year, 3 * ((k.start_date.month - 1) // 3) + 1, 1)
    else:
        start = k.start_date.replace(day=1)
    n = 0
    while start <= min(last, until):
        n += 1
        following = (add_months(k.start_date, 12 * n) if k.cycle == "annual"
                     else add_months(start, 3 if k.cycle == "quarterly" else 1))
        end = following - ONE_DAY
        yield start, end, max(start, k.start_date), min(end, last)
        start = following


def escalated_rate(k: Contract, first: dt.date) -> Decimal:
    """The contract rate with its escalation compounded for each anniversary on or before ``first``.

    >>> from arxl.ledger.records import Contract
    >>> from decimal import Decimal as D
    >>> k = Contract(contract_ref="K", customer_id="C", service_code="S", quantity=D(1), rate=D(1000000),
    ...              currency="RWF", cycle="monthly", start_date=dt.date(2023, 3, 1), escalation=D("0.05"))
    >>> [escalated_rate(k, dt.date(y, 3, 1)) for y in (2024, 2025)], escalated_rate(k, dt.date(2025, 2, 28))
    ([Decimal('1050000'), Decimal('1102500')], Decimal('1050000'))
    """
    years = 0
    while add_months(k.start_date, 12 * (years + 1)) <= first:
        years += 1
    if not years or not k.escalation:
        return k.rate
    return round_money(k.rate * (1 + k.escalation) ** years, k.currency)


def describe(k: Contract, start: dt.date, end: dt.date, first: dt.date, last: dt.date) -> str:
    """The line text of an invoice: "Rack hosting, July 2025", "..., Q3 2025", "... (prorated 17/31 days)"."""
    what = (k.description or k.service_code).split(" (")[0].split(" - ")[0]
    if k.cycle == "once":
        when = f"{_day(first)} to {_day(last)}" if first != last else _day(first)
    elif k.cycle == "monthly":
        when = f"{_MONTHS[start.month - 1]} {start.year}"
    elif k.cycle == "quarterly":
        when = f"Q{(start.month - 1) // 3 + 1} {start.year}"
    else:
        when = f"{_day(start)} to {_day(end)}"
    text = f"{what}, {when}"
    if k.cycle != "once" and (first, last) != (start, end):
        text += f" (prorated {(last - first).days + 1}/{(end - start).days + 1} days)"
    return text


def _day(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1][:3]} {day.year}"


def charge_of(k: Contract, start: dt.date, end: dt.date, first: dt.date, last: dt.date) -> Charge:
    """What one period of a contract bills."""
    bill_date = first if k.billing == "advance" else last
    rate = escalated_rate(k, first)
    share = Decimal(1) if k.cycle == "once" else Decimal((last - first).days + 1) / Decimal((end - start).days + 1)
    gross = round_money(k.quantity * rate * share, k.currency)
    discount = round_money(gross * k.discount, k.currency)
    return Charge(k, start, end, first, last, bill_date, rate, gross, discount, describe(k, start, end, first, last))


def charges(k: Contract, period: Period | str) -> list[Charge]:
    """The periods of a contract that bill in the month ``period`` (whatever the contract's status)."""
    month = Period.parse(period)
    month_first, month_last = month.first, month.last
    found = []
    # a period billed in arrears in this month may have started up to a year earlier
    for start, end, first, last in periods(k, month_last):
        if first > last:
            continue
        charge = charge_of(k, start, end, first, last)
        if month_first <= charge.bill_date <= month_last:
            found.append(charge)
    return found


def history(k: Contract, since: dt.date, until: dt.date) -> list[Charge]:
    """Every period of a contract billed between two dates, in order (for building a history)."""
    result = []
    for start, end, first, last in periods(k, until):
        if first <= last:
            charge = charge_of(k, start, end, first, last)
            if since <= charge.bill_date <= until:
                result.append(charge)
    return result


def share_of_period(k: Contract, first: dt.date, last: dt.date) -> Fraction | None:
    """The share of its cycle period that the days ``first`` to ``last`` are (17/31), as :func:`charge_of`
    prorates: 1 for a whole period or a one-off order, None when no period of the contract holds ``first``.
    """
    if k.cycle == "once":
        return Fraction(1)
    for start, end, _, _ in periods(k, first):
        if start <= first <= last <= end:
            return Fraction((last - first).days + 1, (end - start).days + 1)
    return None


def prorations(contracts: Iterable[Contract], schedule: Iterable[ScheduleLine],
               lines: Iterable[InvoiceLine]) -> dict[tuple[str, int], Fraction]:
    """(invoice number, line number) -> the share of its period a billed line is for, where it is not whole.

    From the register, not from the line's text: a BillingSchedule row billed on the invoice (same contract and
    amount) gives the days billed, its contract the period they belong to. The invoice prints the share beside
    the unit price (Qty 6 x 210,000 x 18/31 = 731,613); it shows it only where it gives the line's amount.

    >>> from decimal import Decimal as D
    >>> k = Contract(contract_ref="K-1", customer_id="C1", service_code="HOST", quantity=D(6), rate=D(210000),
    ...              currency="RWF", cycle="monthly", start_date=dt.date(2025, 7, 14))
    >>> [c] = charges(k, "2025-07")
    >>> line = InvoiceLine(invoice_no="INV-1", line_no=1, description=c.description, quantity=D(6),
    ...                    unit_price=D(210000), net_amount=c.net, tax_code="VAT18", vat_rate=D("0.18"),
    ...                    vat_amount=D(0), contract_ref="K-1")
    >>> c.net, prorations([k], [c.schedule_line("billed", "INV-1")], [line])
    (Decimal('731613'), {('INV-1', 1): Fraction(18, 31)})
    """
    by_ref = {k.contract_ref: k for k in contracts}
    billed: dict[tuple[str, str, Decimal], list[ScheduleLine]] = {}
    for row in schedule:
        if row.invoice_no and row.status == "billed":
            billed.setdefault((row.invoice_no, row.contract_ref, row.amount), []).append(row)
    result: dict[tuple[str, int], Fraction] = {}
    for line in lines:
        rows = billed.get((line.invoice_no, line.contract_ref, line.net_amount), [])
        k = by_ref.get(line.contract_ref)
        if k is None or not rows:
            continue
        shares = {share_of_period(k, row.period_start, row.period_end) for row in rows}
        share = shares.pop() if len(shares) == 1 else None  # two periods of one amount: the same share or none
        if share is not None and share != 1:
            result[(line.invoice_no, line.line_no)] = share
    return result
