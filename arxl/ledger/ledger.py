"""The billing workbook loaded: every table typed, Settings parsed, and every problem found on the way.

``load_ledger`` reads a workbook through its port and collects every problem of a cell on the way; the checks
that need more than one cell are :mod:`arxl.ledger.checks`. The exchange rates of a day (:class:`DayRates`)
are looked up here.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from arxl.core.calendar import BusinessCalendar
from arxl.core.errors import BadWorkbook, CellRef, Problem
from arxl.core.tax import TaxCode, WithholdingRates
from arxl.ledger.changes import ChangeSet
from arxl.ledger.port import WorkbookPort
from arxl.ledger.records import (
    TABLES,
    Allocation,
    ArrangementLine,
    ClientQuery,
    Closure,
    CollectionsEntry,
    Contract,
    Customer,
    DunningLevel,
    ExchangeRate,
    Invoice,
    InvoiceLine,
    Receipt,
    Row,
    ScheduleLine,
    Service,
    Setting,
    TaxCodeRow,
)
from arxl.ledger.settings import Settings, parse_settings
from arxl.ledger.tables import Table, read_tables

RATE_DAYS = 4  # a day without a published rate (weekend, holiday) takes the last one of the days before


@dataclass(frozen=True, slots=True)
class DayRate:
    """The exchange rate that applies to a day: base currency per unit, the day it was published, its source
    (BNR) and its cell in the Rates sheet, so every use can say where the figure came from."""

    rate: Decimal
    published: dt.date
    source: str
    where: CellRef


class DayRates:
    """The rate that applies to a day, from the Rates sheet (IAS 21: a foreign-currency sale is recorded at the
    rate of its date): that day's, or the last one published up to :data:`RATE_DAYS` days before."""

    def __init__(self, rates: Table[ExchangeRate]) -> None:
        self._table = rates
        self._days: dict[str, list[tuple[dt.date, int]]] = defaultdict(list)
        for i, row in enumerate(rates.rows):
            self._days[row.currency.strip().upper()].append((row.date, i))
        for days in self._days.values():
            days.sort()

    def on(self, currency: str, day: dt.date) -> DayRate | None:
        """None when no rate is that recent (or the one found is not positive: validate names its cell)."""
        days = self._days.get(currency.strip().upper(), [])
        position = bisect_right(days, (day, len(self._table.rows)))
        if not position:
            return None
        published, i = days[position - 1]
        row = self._table.rows[i]
        if (day - published).days > RATE_DAYS or row.rate <= 0:
            return None
        return DayRate(row.rate, published, row.source.strip(), self._table.where(i, "rate"))


@dataclass(slots=True)
class Ledger:
    """The typed content of a billing workbook."""

    book: str
    settings: Settings
    tables: dict[str, Table[Row]]

    def table(self, name: str) -> Table[Any]:
        return self.tables[name]

    @property
    def tax_codes(self) -> Table[TaxCodeRow]:
        return self.table("TaxCodes")

    @property
    def closures(self) -> Table[Closure]:
        return self.table("Closures")

    @property
    def dunning_levels(self) -> Table[DunningLevel]:
        return self.table("DunningLevels")

    @property
    def customers(self) -> Table[Customer]:
        return self.table("Customers")

    @property
    def services(self) -> Table[Service]:
        return self.table("Services")

    @property
    def contracts(self) -> Table[Contract]:
        return self.table("Contracts")

    @property
    def schedule(self) -> Table[ScheduleLine]:
        return self.table("BillingSchedule")

    @property
    def invoices(self) -> Table[Invoice]:
        return self.table("Invoices")

    @property
    def invoice_lines(self) -> Table[InvoiceLine]:
        return self.table("InvoiceLines")

    @property
    def receipts(self) -> Table[Receipt]:
        return self.table("Receipts")

    @property
    def allocations(self) -> Table[Allocation]:
        return self.table("Allocations")

    @property
    def collections_log(self) -> Table[CollectionsEntry]:
        return self.table("CollectionsLog")

    @property
    def arrangements(self) -> Table[ArrangementLine]:
        return self.table("Arrangements")

    @property
    def rates(self) -> Table[ExchangeRate]:
        return self.table("Rates")

    def day_rates(self) -> DayRates:
        """The Rates sheet indexed by currency and date, to look up many days (build it once per job)."""
        return DayRates(self.rates)

    @property
    def queries(self) -> Table[ClientQuery]:
        return self.table("Queries")

    def tax_code_list(self) -> list[TaxCode]:
        """The tax codes of the TaxCodes sheet as the tax rules take them."""
        return [TaxCode(t.code.strip().upper(), t.rate, t.effective_from, t.description, t.sage_tax_code)
                for t in self.tax_codes]

    def calendar(self) -> BusinessCalendar:
        """Working days: Rwanda's public holidays, weekends and the Closures sheet."""
        return BusinessCalendar(closures=[c.date for c in self.closures])

    def withholding_rates(self) -> WithholdingRates:
        return self.settings.withholding_rates()

    def apply_updates(self, changes: ChangeSet) -> None:
        """A ChangeSet's cell updates made in memory, as the workbook will hold them once it is written: a job
        that works month by month (the Sage export of many months) sees its own marks without re-reading."""
        for update in changes.updates:
            table = self.tables[update.table]
            index = table.row_numbers.index(update.row)
            table.rows[index] = table.rows[index].model_copy(update={update.field: update.value})


def load_ledger(port: WorkbookPort, date1904: bool = False) -> tuple[Ledger, list[Problem]]:
    """Read every table and Settings. Refuses a workbook that has none of the billing tables at all."""
    names = {n.casefold() for n in port.sheet_names()}
    if not any(spec.name.casefold() in names for spec in TABLES.values() if spec.required):
        shown = ", ".join(port.sheet_names()[:8]) or "none"
        raise BadWorkbook(f"is not a billing workbook: none of its sheets ({shown}) is one of "
                          + ", ".join(s.name for s in TABLES.values() if s.required), CellRef(port.name))
    tables, problems = read_tables(port)
    settings_table = cast(Table[Setting], tables["Settings"])
    settings, found = parse_settings(settings_table, date1904) if settings_table.present else \
        (Settings.model_construct(**_defaults()), [])
    problems.extend(found)
    return Ledger(port.name, settings, tables), problems


def _defaults() -> dict[str, Any]:
    return {name: (info.default if not info.is_required() else "")
            for name, info in Settings.model_fields.items()}
