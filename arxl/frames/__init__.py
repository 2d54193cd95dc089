"""The pandas face of arxl: a billing workbook's tables, open items, aging, statements and KPIs as DataFrames.

For notebooks and scripts::

    from arxl import frames

    book = frames.read("billing.xlsx")                     # refused, like every command, on a validate error
    book.invoices.groupby("currency").total_amount.sum()   # Decimal sums, exact
    frames.aging(book, "2025-07-31")                       # what `arxl aging` writes, a row per customer
    frames.open_items(book, "2025-07-31", customer="C001")
    frames.kpis(book, "2025-06")                           # what `arxl report collections` writes
    frames.statement(book, "C001", "2025-07-01", "2025-07-31")

**Amounts are Decimal objects** (``object`` dtype), never floats and never integer minor units: a Decimal is
the very figure arxl computed and the workbook holds (1,180,000 RWF and 2.67 USD alike, with no scale to
remember per currency). ``sum()``, ``groupby(...).sum()``, ``merge`` and comparisons work on them exactly.
pandas 3 writes Decimals to Excel as numbers; pandas 2 writes them as text, so there (and for ``mean``, plots
or anything else that wants floats) take :func:`as_numbers` first: ``frames.as_numbers(df).to_excel(...)``.
**Dates are ``datetime64[ns]``** (``NaT`` when blank): ``.dt``, filtering with ``"2025-07-01"`` strings,
resampling and ``to_excel`` work at once; ``.dt.date`` gives date objects back. Text columns have pandas'
``string`` dtype. A table's rows are indexed by their Excel row (the index is called ``row``), so every figure
can be traced to its cell.

Every figure comes from arxl's own workflows (:mod:`arxl.frames.figures`): nothing here re-implements a rule.
The worksheet functions (``=ARXL_AGING(...)`` and the rest, :mod:`arxl.udfs.tables`) return these same
DataFrames, spilled into the sheet.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from arxl.app.jobs import open_for_work
from arxl.app.report import Refused
from arxl.core.dates import to_date
from arxl.core.errors import BadWorkbook
from arxl.core.period import Period
from arxl.formats.xlsx.host import FileHost
from arxl.frames import figures
from arxl.frames.figures import as_numbers
from arxl.frames.tables import frame_of, ledger_from_ranges
from arxl.ledger.ledger import Ledger

__all__ = ["Frames", "aging", "aging_detail", "as_numbers", "kpis", "ledger_from_ranges", "open_items", "read",
           "statement"]


class Frames:
    """A billing workbook read once: each table as a DataFrame (made when first asked for) and its ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._made: dict[str, pd.DataFrame] = {}

    def table(self, name: str) -> pd.DataFrame:
        """The table called ``name`` (``"Invoices"``, ``"CollectionsLog"``...); a copy, yours to change."""
        if name not in self._made:
            self._made[name] = frame_of(self.ledger.table(name))
        return self._made[name].copy()

    @property
    def names(self) -> list[str]:
        return list(self.ledger.tables)

    @property
    def settings(self) -> dict[str, object]:
        return self.ledger.settings.model_dump()

    invoices = property(lambda self: self.table("Invoices"), doc="The invoice register (invoices, credit notes).")
    invoice_lines = property(lambda self: self.table("InvoiceLines"), doc="The invoices' lines.")
    receipts = property(lambda self: self.table("Receipts"), doc="Cash received.")
    allocations = property(lambda self: self.table("Allocations"), doc="Cash and deductions applied to invoices.")
    customers = property(lambda self: self.table("Customers"), doc="The customers.")
    contracts = property(lambda self: self.table("Contracts"), doc="The contracts billed.")
    services = property(lambda self: self.table("Services"), doc="The rate card.")
    schedule = property(lambda self: self.table("BillingSchedule"), doc="The billing schedule.")
    rates = property(lambda self: self.table("Rates"), doc="The exchange rates (base currency per unit).")
    queries = property(lambda self: self.table("Queries"), doc="The client queries.")
    collections_log = property(lambda self: self.table("CollectionsLog"), doc="Reminders, calls and promises.")
    arrangements = property(lambda self: self.table("Arrangements"), doc="Instalment arrangements.")


def read(path: Path | str) -> Frames:
    """The workbook at ``path``, read and checked as every command reads it (refused on a validate error)."""
    host = FileHost(path)
    try:
        return Frames(open_for_work(host, "frames"))
    except Refused as refused:
        lines = [refused.report.headline, *(str(p) for p in refused.report.errors[:10])]
        raise BadWorkbook("\n".join(dict.fromkeys(lines))) from None


def _ledger(book: Frames | Ledger | Path | str) -> Ledger:
    if isinstance(book, Frames):
        return book.ledger
    if isinstance(book, Ledger):
        return book
    return read(book).ledger


def _day(value: dt.date | str, what: str) -> dt.date:
    return to_date(value, what)


def open_items(book: Frames | Ledger | Path | str, as_of: dt.date | str, customer: str | None = None
               ) -> pd.DataFrame:
    """Open invoices, open credits and unapplied cash at the end of ``as_of`` (of one customer, if given)."""
    return figures.open_items_frame(_ledger(book), _day(as_of, "as of"), customer)


def aging(book: Frames | Ledger | Path | str, as_of: dt.date | str, buckets: str | None = None) -> pd.DataFrame:
    """The aging at ``as_of``, a row per currency and customer, in the buckets of Settings or ``buckets``
    (``"30,60,90"``)."""
    return figures.aging_frame(_ledger(book), _day(as_of, "as of"), buckets)


def aging_detail(book: Frames | Ledger | Path | str, as_of: dt.date | str, buckets: str | None = None
                 ) -> pd.DataFrame:
    """Each open item at ``as_of`` with its age in days and its bucket."""
    return figures.aging_detail_frame(_ledger(book), _day(as_of, "as of"), buckets)


def kpis(book: Frames | Ledger | Path | str, period: Period | str) -> pd.DataFrame:
    """The collections KPIs of a month (``"2025-06"``), a row per currency: DSO, CEI and the rest."""
    return figures.kpis_frame(_ledger(book), period)


def statement(book: Frames | Ledger | Path | str, customer: str, start: dt.date | str, end: dt.date | str
              ) -> pd.DataFrame:
    """A customer's statement of account from ``start`` to ``end``: opening, movements, closing, per currency."""
    return figures.statement_frame(_ledger(book), customer, _day(start, "from"), _day(end, "to"))
