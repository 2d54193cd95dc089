"""The rate of a foreign-currency document: stamped on it when it was made, or the Rates sheet's of its date.

IAS 21 records a foreign-currency sale at the spot rate of its date. arxl stamps that rate (base currency per
unit, BNR's, from the Rates sheet) in the Rate column of each invoice and credit note it generates in another
currency than Settings' Base Currency. A document without a stamped rate (older books, a history keyed in
before) is carried at the Rates sheet's rate of its date, the same look-up (:class:`~arxl.ledger.ledger.DayRates`:
that day's rate or the last one published up to four days before). Billing, cash application, the aging and the
books all ask :func:`document_rate` or :func:`rate_on`, so one rule gives a document its rate everywhere; a day
without a rate is a :class:`MissingRate` naming the date, the currency and the Rates sheet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from arxl.core.errors import BadValue, CellRef
from arxl.core.fx import in_base
from arxl.core.money import round_money
from arxl.ledger.ledger import RATE_DAYS, DayRate, DayRates
from arxl.ledger.records import Allocation, Invoice, Receipt

_ONE = Decimal(1)


class MissingRate(BadValue):
    """No rate of a currency in the Rates sheet on a day nor the days before it."""

    default = "no exchange rate"


def missing_rate(currency: str, day: dt.date, book: str = "", what: str = "") -> MissingRate:
    """The error of a day without a rate: the date, the currency and where to add it."""
    purpose = f" ({what})" if what else ""
    return MissingRate(f"no {currency} rate for {day:%Y-%m-%d} or the {RATE_DAYS} days before in Rates{purpose}: "
                       f"add BNR's rate", CellRef(book, "Rates") if book else None)


def day_rate(rates: DayRates, currency: str, day: dt.date, book: str = "", what: str = "") -> DayRate:
    """The Rates sheet's rate of ``currency`` that applies on ``day``, or :class:`MissingRate`."""
    found = rates.on(currency, day)
    if found is None:
        raise missing_rate(currency.strip().upper(), day, book, what)
    return found


def rate_on(rates: DayRates, currency: str, day: dt.date, base: str, book: str = "", what: str = "") -> Decimal:
    """Base currency per unit of ``currency`` on ``day``: 1 for the base currency itself."""
    if currency.strip().upper() == base.strip().upper():
        return _ONE
    return day_rate(rates, currency, day, book, what).rate


def document_rate(document: Invoice, rates: DayRates, base: str, book: str = "") -> Decimal:
    """The rate a document is carried at: its stamped Rate, else the Rates sheet's of its date (1 in the base
    currency)."""
    if document.currency.strip().upper() == base.strip().upper():
        return _ONE
    if document.rate is not None and document.rate > 0:
        return document.rate
    return rate_on(rates, document.currency, document.invoice_date, base, book, document.invoice_no)


def paid_in(receipt: Receipt, allocations: Iterable[Allocation]) -> tuple[str, Decimal] | None:
    """A receipt applied in another currency than its own (RWF paying USD invoices, each allocation with its Rate:
    the receipt's currency per unit): that currency and the receipt's amount in it, as it goes on the customer's
    account in Sage: what it applied, plus the unapplied rest at the last allocation's rate. None when it is
    applied in its own currency only, in several others, or an allocation lacks its rate (the Sage export holds
    such a receipt back, naming the cell). The export and the tie-out both ask this."""
    code = receipt.currency.strip().upper()
    mine = sorted((a for a in allocations if a.receipt_id.strip().upper() == receipt.receipt_id.strip().upper()),
                  key=lambda a: a.date)
    currencies = {a.currency.strip().upper() for a in mine}
    if not mine or code in currencies or len(currencies) != 1:
        return None
    currency = currencies.pop()
    applied, in_code, rate = Decimal(0), Decimal(0), _ONE
    for a in mine:
        if a.rate is None or a.rate <= 0:
            return None
        applied += abs(a.applied_amount)
        in_code += in_base(abs(a.applied_amount), a.rate, code)
        rate = a.rate
    return currency, applied + round_money((abs(receipt.amount) - in_code) / rate, currency)
