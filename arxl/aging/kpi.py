"""Collections KPIs: how fast customers pay, how much of what could be collected was, against what target.

Each KPI is a small function over figures of one currency (never RWF and USD added together), exactly as
DOMAIN.md writes it, rounded half up to two decimals (days to a hundredth of a day, percentages to a hundredth
of a percent). A KPI that cannot be computed (no credit sales in the period, nothing to collect) is ``None``,
shown as a blank cell, never as a division error.

The figures they take, per currency:

- *receivables*: the net amount customers owe at a date (open invoices less open credits and unapplied cash),
  the total of the aging report and of the AR control account;
- *current receivables*: the part of open invoices that is not yet due (age 0 or less);
- *credit sales*: invoices less credit notes dated in the period, VAT included (receivables include the VAT);
- *days*: calendar days of the period (31 for July).

Worked example (RWF, July 2025, 31 days): receivables 1 July 2,000,000; credit sales 3,000,000; receivables
31 July 2,500,000 of which 1,000,000 not yet due; June's credit sales 2,000,000 (30 days).

>>> from decimal import Decimal as D
>>> dso_simple(D(2500000), D(3000000), 31)  # 2,500,000 / 3,000,000 x 31 = 25.8333...
Decimal('25.83')
>>> dso_countback(D(2500000), [(D(3000000), 31), (D(2000000), 30)])  # July's sales cover it: 2.5/3 x 31
Decimal('25.83')
>>> best_possible_dso(D(1000000), D(3000000), 31)  # 1,000,000 / 3,000,000 x 31 = 10.333...
Decimal('10.33')
>>> average_days_delinquent(D("25.83"), D("10.33"))
Decimal('15.50')
>>> cei(D(2000000), D(3000000), D(2500000), D(1000000))  # 2,500,000 / 4,000,000 x 100
Decimal('62.50')
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

HUNDREDTH = Decimal("0.01")
ZERO = Decimal(0)


def round2(value: Decimal) -> Decimal:
    """Half up to two decimals, as Excel's ROUND(x, 2).

    >>> round2(Decimal("15.125")), round2(Decimal("-2.005"))
    (Decimal('15.13'), Decimal('-2.01'))
    """
    return value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def dso_simple(receivables: Decimal, credit_sales: Decimal, days: int) -> Decimal | None:
    """DSO (simple) = receivables / credit sales of the period x days in the period.

    >>> dso_simple(Decimal(1500000), Decimal(3000000), 31)  # half a month's sales outstanding
    Decimal('15.50')
    >>> dso_simple(Decimal(1500000), Decimal(0), 31) is None
    True
    """
    if credit_sales <= 0:
        return None
    return round2(receivables / credit_sales * days)


def dso_countback(receivables: Decimal, monthly_sales: Iterable[tuple[Decimal, int]]) -> Decimal | None:
    """DSO (countback): walk back month by month from the latest, ``(credit sales, days)`` each, subtracting each
    month's sales from the receivables until they run out; DSO = days of the whole months consumed + what is
    left / that month's sales x its days.

    Receivables of 5,000,000 with July's sales 3,000,000 (31 days) and June's 2,500,000 (30 days): July is
    consumed whole (31 days), 2,000,000 is left, which is 2,000,000 / 2,500,000 x 30 = 24 days of June:

    >>> dso_countback(Decimal(5000000), [(Decimal(3000000), 31), (Decimal(2500000), 30)])
    Decimal('55.00')

    A month without sales is consumed whole. Receivables older than every month given count all their days
    (the result is then a floor); nothing owed is 0 days; no month at all is ``None``.

    >>> dso_countback(Decimal(100), [(Decimal(0), 31), (Decimal(400), 30)])  # 31 + 100/400 x 30
    Decimal('38.50')
    >>> dso_countback(Decimal(900), [(Decimal(400), 31), (Decimal(400), 30)])
    Decimal('61.00')
    >>> dso_countback(Decimal(-50), [(Decimal(400), 31)])
    Decimal('0.00')
    """
    months = list(monthly_sales)
    if not months:
        return None
    left = receivables
    days = Decimal(0)
    if left <= 0:
        return round2(days)
    for sales, month_days in months:
        if left > sales:
            left -= sales
            days += month_days
        else:
            days += left / sales * month_days
            left = ZERO
            break
    return round2(days)


def best_possible_dso(current_receivables: Decimal, credit_sales: Decimal, days: int) -> Decimal | None:
    """Best possible DSO = current (not yet due) receivables / credit sales x days: the DSO if nobody paid late.

    >>> best_possible_dso(Decimal(600000), Decimal(3000000), 30)
    Decimal('6.00')
    """
    return dso_simple(current_receivables, credit_sales, days)


def average_days_delinquent(dso: Decimal | None, best_possible: Decimal | None) -> Decimal | None:
    """Average days delinquent (ADD) = DSO - best possible DSO: the days customers add by paying late.

    >>> average_days_delinquent(Decimal("15.50"), Decimal("6.00"))
    Decimal('9.50')
    """
    if dso is None or best_possible is None:
        return None
    return round2(dso - best_possible)


def cei(opening: Decimal, credit_sales: Decimal, closing: Decimal, closing_current: Decimal) -> Decimal | None:
    """Collection effectiveness index = (opening receivables + credit sales - closing receivables) /
    (opening receivables + credit sales - closing current receivables) x 100: what was collected out of what
    could have been.

    Opening 4,000,000, sales 2,000,000, closing 3,000,000 of which 1,000,000 current: 3,000,000 / 5,000,000:

    >>> cei(Decimal(4000000), Decimal(2000000), Decimal(3000000), Decimal(1000000))
    Decimal('60.00')
    """
    collectible = opening + credit_sales - closing_current
    if collectible <= 0:
        return None
    return round2((opening + credit_sales - closing) / collectible * 100)


def percent_current(current: Decimal, receivables: Decimal) -> Decimal | None:
    """Percent current = current (not yet due) receivables / receivables x 100.

    >>> percent_current(Decimal(1000000), Decimal(3000000))
    Decimal('33.33')
    """
    if receivables <= 0:
        return None
    return round2(current / receivables * 100)


def bad_debt_ratio(write_offs: Decimal, credit_sales: Decimal) -> Decimal | None:
    """Bad-debt ratio = write-offs of the period / credit sales of the period x 100.

    >>> bad_debt_ratio(Decimal(45000), Decimal(3000000))
    Decimal('1.50')
    """
    if credit_sales <= 0:
        return None
    return round2(write_offs / credit_sales * 100)


def target_variance(collected: Decimal, target: Decimal | None) -> Decimal | None:
    """Collections less the target (negative: short of it), in the currency's units.

    >>> target_variance(Decimal(95000000), Decimal(100000000))
    Decimal('-5000000')
    """
    if target is None:
        return None
    return collected - target


def percent_of_target(collected: Decimal, target: Decimal | None) -> Decimal | None:
    """Collections as a percentage of the target.

    >>> percent_of_target(Decimal(95000000), Decimal(100000000))
    Decimal('95.00')
    """
    if target is None or target <= 0:
        return None
    return round2(collected / target * 100)


def promises_kept(kept: int, judged: int) -> Decimal | None:
    """Promises to pay kept, as a percentage of the promises whose date (plus grace) has passed.

    >>> promises_kept(2, 3)
    Decimal('66.67')
    >>> promises_kept(0, 0) is None
    True
    """
    if judged <= 0:
        return None
    return round2(Decimal(kept) / Decimal(judged) * 100)
