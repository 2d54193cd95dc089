"""Month-end revaluation (IAS 21): each open foreign item translated at the closing rate.

At the last day of a month every open foreign-currency item (an invoice, an open credit, unapplied cash) is
worth ``in_base(open amount, closing rate)``, the closing rate being the Rates sheet's rate of that day (or the
last one published up to four days before). Its difference from the value it is carried at
(:mod:`arxl.books.fx`) is the unrealised exchange gain (positive) or loss. The differences are written, one row
per item, to the arxl-owned Revaluations table; the Sage export turns them into a journal against the
unrealised-FX nominal dated the month end and its reversal dated the first day of the next month, so the
carried values never change and the next month is revalued from them again.

A month is revalued once: running it again says so and changes nothing, and rows already exported to Sage are
never changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from arxl.books.fx import CarriedItem, FxPosition, fx_position
from arxl.core.fx import in_base
from arxl.core.period import Period
from arxl.ledger.changes import ChangeSet
from arxl.ledger.ledger import DayRate, DayRates, Ledger
from arxl.ledger.rates import day_rate
from arxl.ledger.records import Revaluation
from arxl.ledger.sage_parts import SageParts


@dataclass(frozen=True, slots=True)
class Revalued:
    """An open item at the closing rate: its closing value and the unrealised difference."""

    item: CarriedItem
    closing: DayRate
    value: Decimal
    difference: Decimal


def revalue(position: FxPosition, rates: DayRates, book: str = "") -> list[Revalued]:
    """Every open item of ``position`` at the closing rate of its date; a missing rate is a
    :class:`~arxl.ledger.rates.MissingRate` naming the date and the currency."""
    closing: dict[str, DayRate] = {}
    result = []
    for item in position.items:
        rate = closing.get(item.currency)
        if rate is None:
            rate = closing[item.currency] = day_rate(rates, item.currency, position.as_of, book,
                                                     "the closing rate of the revaluation")
        value = in_base(item.open_amount, rate.rate, position.base)
        result.append(Revalued(item, rate, value, value - item.carried))
    return result


def revaluation_rows(period: Period, revalued: Iterable[Revalued]) -> list[Revaluation]:
    """The Revaluations rows of a month end."""
    return [Revaluation(period=str(period), date=period.last, customer_id=r.item.customer_id,
                        reference=r.item.reference, currency=r.item.currency, open_amount=r.item.open_amount,
                        book_rate=r.item.rate, closing_rate=r.closing.rate, rate_date=r.closing.published,
                        source=r.closing.source, difference=r.difference)
            for r in revalued]


@dataclass(slots=True)
class RevaluationRun:
    """What revaluing a month found: the rows to add (none when the month was revalued before)."""

    period: Period
    position: FxPosition | None  # None when the month was revalued before
    revalued: list[Revalued]
    changes: ChangeSet
    already: list[Revaluation]  # rows of the month already in the table

    @property
    def exported(self) -> bool:
        return any(r.sage_exported is not None for r in self.already)

    def total(self) -> Decimal:
        rows = self.already if self.already else self.revalued
        return sum((r.difference for r in rows), Decimal(0))


def month_position(ledger: Ledger, period: Period, rates: DayRates | None = None) -> FxPosition:
    """The foreign items open at the end of ``period`` and the differences realised up to it."""
    base = ledger.settings.base_currency or "RWF"
    return fx_position(ledger.invoices, ledger.receipts, ledger.allocations, period.last, base,
                       rates or ledger.day_rates(), ledger.book, SageParts.of(ledger))


def revalue_month(ledger: Ledger, period: Period) -> RevaluationRun:
    """The revaluation of a month end as a ChangeSet, or nothing when the month was revalued before."""
    if period.is_year:
        raise ValueError("a revaluation is of a month, not a year")
    already = [r for r in ledger.table("Revaluations") if r.period.strip() == str(period)]
    if already:
        return RevaluationRun(period, None, [], ChangeSet(), already)
    rates = ledger.day_rates()
    position = month_position(ledger, period, rates)
    revalued = revalue(position, rates, ledger.book)
    changes = ChangeSet()
    rows = revaluation_rows(period, revalued)
    if rows:
        changes.append("Revaluations", rows)
    return RevaluationRun(period, position, revalued, changes, already)
