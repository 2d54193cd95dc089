"""Worksheet functions over the ledger, spilled as tables: open items, aging, a statement, DSO and CEI.

They take the workbook's own tables as ranges, the header row first (``Invoices[#All]``), read them with the
ledger's column definitions and header matching (extra or reordered columns are fine), compute in Decimal
through arxl's workflows (:mod:`arxl.frames`) and return a table, header included, that Excel 365 spills
below and to the right of the formula::

    =ARXL_OPEN_ITEMS(Invoices[#All], Allocations[#All], "2025-07-31", "C001", Receipts[#All], Customers[#All])
    =ARXL_AGING(Invoices[#All], Allocations[#All], "2025-07-31", , Receipts[#All], Customers[#All])
    =ARXL_STATEMENT(Invoices[#All], Allocations[#All], Receipts[#All], "C001", "2025-07-01", "2025-07-31",
                    Customers[#All], Queries[#All])
    =ARXL_DSO(Invoices[#All], Allocations[#All], Receipts[#All], "2025-06")
    =ARXL_CEI(Invoices[#All], Allocations[#All], Receipts[#All], "2025-06", "RWF")

The figures are the command line's: ``arxl aging`` (give Receipts, or unapplied cash is left out), the
statements of ``arxl statements`` and the KPIs of ``arxl report collections``. Receipts matter to every
balance (unapplied cash is a credit on the account); Customers gives the names (and a statement's customer is
found in it when given), Queries the statement's "in query" notes. Settings are not read: the aging takes its
buckets from the ``buckets`` argument (default ``30,60,90,120``, DESIGN's) and ages from the due date.

Excel without dynamic arrays (2016, 2019) does not spill: use the ``…_ARRAY`` twin of each function
(``=ARXL_AGING_ARRAY(...)``), declared with xlwings' ``expand="table"``, which resizes the formula to the
table as a legacy array formula after each calculation.

Bad input gives one cell ``#ARXL: ...`` naming the argument and, for a table, the cell within its range and the
column (``#ARXL: Invoices cell I5: Total Amount "abc" is not a number``), never a traceback. Amounts leave as
numbers rounded to their currency's unit; dates as dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
import xlwings as xw

from arxl.core.dates import to_date
from arxl.core.errors import ArxlError, BadValue
from arxl.core.period import Period
from arxl.frames import figures
from arxl.frames.tables import ledger_from_ranges
from arxl.ledger.ledger import Ledger

__all__ = ["arxl_aging", "arxl_aging_array", "arxl_cei", "arxl_cei_array", "arxl_dso", "arxl_dso_array",
           "arxl_open_items", "arxl_open_items_array", "arxl_statement", "arxl_statement_array"]

_F = TypeVar("_F", bound=Callable[..., Any])
CATEGORY = "arxl"
ERROR_PREFIX = "#ARXL: "
MAX_ERROR = 160
_WORDS = {"id": "ID", "dso": "DSO", "cei": "CEI"}
_METHODS = ("simple", "countback", "best")

_DOC_INVOICES = "The Invoices table with its header: Invoices[#All]."
_DOC_ALLOCATIONS = "The Allocations table with its header: Allocations[#All]."
_DOC_RECEIPTS = "The Receipts table with its header: Receipts[#All] (for unapplied cash)."
_DOC_CUSTOMERS = "Optional: the Customers table with its header, for the names."
_DOC_QUERIES = "Optional: the Queries table with its header: invoices in query say so in their Details."


def _error(message: str) -> str:
    text = message if len(message) <= MAX_ERROR - len(ERROR_PREFIX) else \
        message[: MAX_ERROR - len(ERROR_PREFIX) - 3].rstrip() + "..."
    return ERROR_PREFIX + text


def _one_line(function: _F) -> _F:
    """One line of description for Excel's function wizard, which shows the docstring as it is."""
    function.__doc__ = " ".join((function.__doc__ or "").split())
    return function


def _title(name: str) -> str:
    """``customer_id`` -> "Customer ID"; bucket labels such as "1-30 days" stay as they are."""
    if "_" not in name and not name.islower():
        return name
    words = name.split("_")
    return " ".join(_WORDS.get(w, w) for w in [words[0].capitalize(), *words[1:]])


def _sheet_values(frame: pd.DataFrame) -> pd.DataFrame:
    """The DataFrame as cells show it: Decimals as numbers (already rounded to their currency's unit), the
    headers in words."""
    shown = figures.as_numbers(frame)
    shown.columns = [_title(str(c)) for c in shown.columns]
    return shown


def _answer(compute: Callable[[], pd.DataFrame | float | str]) -> Any:
    """A table, a number or ``#ARXL: ...``: a worksheet function never raises."""
    try:
        result = compute()
    except ArxlError as problem:
        return _error(problem.message)
    except Exception as problem:  # a worksheet function must say what went wrong in its cell, not in a dialog
        return _error(f"could not compute ({type(problem).__name__})")
    if isinstance(result, pd.DataFrame):
        if result.empty:
            return _error("nothing to show")
        return _sheet_values(result)
    return result


def _day(value: Any, what: str) -> dt.date:
    if isinstance(value, str) and value.strip().startswith("#"):
        raise BadValue(f"{what} is the Excel error {value.strip().upper()}")
    try:
        return to_date(value, what)
    except BadValue as exc:
        raise BadValue(exc.message if exc.message.startswith(what) else f"{what}: {exc.message}") from None


def _period(value: Any) -> Period:
    """A month from ``"2025-06"``, or from any date in it (a cell holding 01/06/2025)."""
    if isinstance(value, dt.date | int | float) and not isinstance(value, bool):
        return Period.of(_day(value, "period"))
    return Period.parse(value)


def _optional_text(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _ledger(invoices: Any, allocations: Any, receipts: Any = None, customers: Any = None) -> Ledger:
    return ledger_from_ranges({"Invoices": invoices, "Allocations": allocations, "Receipts": receipts,
                               "Customers": customers})


def _without_names(frame: pd.DataFrame, customers: Any) -> pd.DataFrame:
    return frame.drop(columns=["name"]) if customers is None and "name" in frame.columns else frame


# -- the functions ---------------------------------------------------------------------------------------


@xw.func(category=CATEGORY)
@xw.arg("invoices", ndim=2, doc=_DOC_INVOICES)
@xw.arg("allocations", ndim=2, doc=_DOC_ALLOCATIONS)
@xw.arg("as_of", doc="The date: open at the end of this day.")
@xw.arg("customer", doc="Optional: one customer's ID.")
@xw.arg("receipts", ndim=2, doc=_DOC_RECEIPTS)
@xw.arg("customers", ndim=2, doc=_DOC_CUSTOMERS)
@xw.ret(index=False, header=True)
@_one_line
def arxl_open_items(invoices: Any, allocations: Any, as_of: Any, customer: Any = None, receipts: Any = None,
                    customers: Any = None) -> Any:
    """Open invoices, open credits and unapplied cash at a date, a row each, as the aging lists them."""
    return _answer(lambda: _without_names(figures.open_items_frame(
        _ledger(invoices, allocations, receipts, customers), _day(as_of, "as_of"), _optional_text(customer)),
        customers))


@xw.func(category=CATEGORY)
@xw.arg("invoices", ndim=2, doc=_DOC_INVOICES)
@xw.arg("allocations", ndim=2, doc=_DOC_ALLOCATIONS)
@xw.arg("as_of", doc="The date the aging is taken at.")
@xw.arg("buckets", doc='Optional: the buckets\' upper bounds in days, "30,60,90,120" by default.')
@xw.arg("receipts", ndim=2, doc=_DOC_RECEIPTS)
@xw.arg("customers", ndim=2, doc=_DOC_CUSTOMERS)
@xw.ret(index=False, header=True)
@_one_line
def arxl_aging(invoices: Any, allocations: Any, as_of: Any, buckets: Any = None, receipts: Any = None,
               customers: Any = None) -> Any:
    """The aging at a date: a row per currency and customer, open invoices by bucket, credits, unapplied cash
    and the balance (what arxl aging writes)."""
    return _answer(lambda: _without_names(figures.aging_frame(
        _ledger(invoices, allocations, receipts, customers), _day(as_of, "as_of"), _optional_text(buckets)),
        customers))


@xw.func(category=CATEGORY)
@xw.arg("invoices", ndim=2, doc=_DOC_INVOICES)
@xw.arg("allocations", ndim=2, doc=_DOC_ALLOCATIONS)
@xw.arg("receipts", ndim=2, doc="The Receipts table with its header: Receipts[#All].")
@xw.arg("customer", doc="The customer's ID.")
@xw.arg("from_date", doc="The first day of the statement's period.")
@xw.arg("to_date", doc="The statement's date: its last day.")
@xw.arg("customers", ndim=2, doc=_DOC_CUSTOMERS)
@xw.arg("queries", ndim=2, doc=_DOC_QUERIES)
@xw.ret(index=False, header=True)
@_one_line
def arxl_statement(invoices: Any, allocations: Any, receipts: Any, customer: Any, from_date: Any, to_date: Any,
                   customers: Any = None, queries: Any = None) -> Any:
    """A customer's statement of account: opening balance, each movement with the running balance, closing
    balance, per currency (what arxl statements sends)."""
    def compute() -> pd.DataFrame:
        who = _optional_text(customer)
        if who is None:
            raise BadValue("customer is empty")
        known = customers if customers is not None else [["Customer ID", "Name", "Type"], [who, who, "private"]]
        ledger = ledger_from_ranges({"Invoices": invoices, "Allocations": allocations, "Receipts": receipts,
                                     "Customers": known, "Queries": queries})
        return figures.statement_frame(ledger, who, _day(from_date, "from_date"), _day(to_date, "to_date"))
    return _answer(compute)


def _kpi(invoices: Any, allocations: Any, receipts: Any, period: Any, currency: Any, column: str, label: str
         ) -> pd.DataFrame | float | str:
    month = _period(period)
    found = figures.kpis_frame(_ledger(invoices, allocations, receipts), month)
    code = _optional_text(currency)
    if code is None:
        return found[["currency", column]].rename(columns={column: label})
    rows = found[found["currency"] == code.upper()]
    if rows.empty:
        raise BadValue(f'currency "{code[:12]}" has no invoice or receipt in the tables')
    value = rows[column].iloc[0]
    if value is None:
        raise BadValue(f"no {label} for {code.upper()} in {month}: nothing invoiced or owed to measure")
    return float(value)


@xw.func(category=CATEGORY)
@xw.arg("invoices", ndim=2, doc=_DOC_INVOICES)
@xw.arg("allocations", ndim=2, doc=_DOC_ALLOCATIONS)
@xw.arg("receipts", ndim=2, doc="The Receipts table with its header: Receipts[#All].")
@xw.arg("period", doc='The month: "2025-06", or any date in it.')
@xw.arg("method", doc='Optional: "simple" (default), "countback" or "best" (best possible DSO).')
@xw.arg("currency", doc="Optional: one currency, for a single number; else a row per currency.")
@xw.ret(index=False, header=True)
@_one_line
def arxl_dso(invoices: Any, allocations: Any, receipts: Any, period: Any, method: Any = None,
             currency: Any = None) -> Any:
    """Days sales outstanding of a month, as the Collections KPIs sheet gives it."""
    def compute() -> pd.DataFrame | float | str:
        how = (_optional_text(method) or "simple").lower()
        if how not in _METHODS:
            raise BadValue(f'method "{how[:12]}" is not one of {", ".join(_METHODS)}')
        column = {"simple": "dso", "countback": "dso_countback", "best": "best_possible_dso"}[how]
        label = {"simple": "DSO", "countback": "DSO countback", "best": "Best possible DSO"}[how]
        return _kpi(invoices, allocations, receipts, period, currency, column, label)
    return _answer(compute)


@xw.func(category=CATEGORY)
@xw.arg("invoices", ndim=2, doc=_DOC_INVOICES)
@xw.arg("allocations", ndim=2, doc=_DOC_ALLOCATIONS)
@xw.arg("receipts", ndim=2, doc="The Receipts table with its header: Receipts[#All].")
@xw.arg("period", doc='The month: "2025-06", or any date in it.')
@xw.arg("currency", doc="Optional: one currency, for a single number; else a row per currency.")
@xw.ret(index=False, header=True)
@_one_line
def arxl_cei(invoices: Any, allocations: Any, receipts: Any, period: Any, currency: Any = None) -> Any:
    """Collection effectiveness index of a month (percent), as the Collections KPIs sheet gives it."""
    return _answer(lambda: _kpi(invoices, allocations, receipts, period, currency, "cei", "CEI"))


# -- Excel without dynamic arrays: the same functions, resized by xlwings as legacy array formulas ----------

_EXPAND = "table"


@xw.func(category=CATEGORY)
@xw.arg("invoices", ndim=2, doc=_DOC_INVOICES)
@xw.arg("allocations", ndim=2, doc=_DOC_ALLOCATIONS)
@xw.arg("as_of", doc="The date: open at the end of this day.")
@xw.arg("customer", doc="Optional: one customer's ID.")
@xw.arg("receipts", ndim=2, doc=_DOC_RECEIPTS)
@xw.arg("customers", ndim=2, doc=_DOC_CUSTOMERS)
@xw.ret(index=False, header=True, expand=_EXPAND)
@_one_line
def arxl_open_items_array(invoices: Any, allocations: Any, as_of: Any, customer: Any = None, receipts: Any = None,
                          customers: Any = None) -> Any:
    """ARXL_OPEN_ITEMS for Excel without dynamic arrays: the formula is resized to the table."""
    return arxl_open_items(invoices, allocations, as_of, customer, receipts, customers)


@xw.func(category=CATEGORY)
@xw.arg("invoices", ndim=2, doc=_DOC_INVOICES)
@xw.arg("allocations", ndim=2, doc=_DOC_ALLOCATIONS)
@xw.arg("as_of", doc="The date the aging is taken at.")
@xw.arg("buckets", doc='Optional: the buckets\' upper bounds in days, "30,60,90,120" by default.')
@xw.arg("receipts", ndim=2, doc=_DOC_RECEIPTS)
@xw.arg("customers", ndim=2, doc=_DOC_CUSTOMERS)
@xw.ret(index=False, header=True, expand=_EXPAND)
@_one_line
def arxl_aging_array(invoices: Any, allocations: Any, as_of: Any, buckets: Any = None, receipts: Any = None,
                     customers: Any = None) -> Any:
    """ARXL_AGING for Excel without dynamic arrays: the formula is resized to the table."""
    return arxl_aging(invoices, allocations, as_of, buckets, receipts, customers)


@xw.func(category=CATEGORY)
@xw.arg("invoices", ndim=2, doc=_DOC_INVOICES)
@xw.arg("allocations", ndim=2, doc=_DOC_ALLOCATIONS)
@xw.arg("receipts", ndim=2, doc="The Receipts table with its header: Receipts[#All].")
@xw.arg("customer", doc="The customer's ID.")
@xw.arg("from_date", doc="The first day of the statement's period.")
@xw.arg("to_date", doc="The statement's date: its last day.")
@xw.arg("customers", ndim=2, doc=_DOC_CUSTOMERS)
@xw.arg("queries", ndim=2, doc=_DOC_QUERIES)
@xw.ret(index=False, header=True, expand=_EXPAND)
@_one_line
def arxl_statement_array(invoices: Any, allocations: Any, receipts: Any, customer: Any, from_date: Any,
                         to_date: Any, customers: Any = None, queries: Any = None) -> Any:
    """ARXL_STATEMENT for Excel without dynamic arrays: the formula is resized to the table."""
    return arxl_statement(invoices, allocations, receipts, customer, from_date, to_date, customers, queries)


@xw.func(category=CATEGORY)
@xw.arg("invoices", ndim=2, doc=_DOC_INVOICES)
@xw.arg("allocations", ndim=2, doc=_DOC_ALLOCATIONS)
@xw.arg("receipts", ndim=2, doc="The Receipts table with its header: Receipts[#All].")
@xw.arg("period", doc='The month: "2025-06", or any date in it.')
@xw.arg("method", doc='Optional: "simple" (default), "countback" or "best" (best possible DSO).')
@xw.arg("currency", doc="Optional: one currency, for a single number; else a row per currency.")
@xw.ret(index=False, header=True, expand=_EXPAND)
@_one_line
def arxl_dso_array(invoices: Any, allocations: Any, receipts: Any, period: Any, method: Any = None,
                   currency: Any = None) -> Any:
    """ARXL_DSO for Excel without dynamic arrays: the formula is resized to the table."""
    return arxl_dso(invoices, allocations, receipts, period, method, currency)


@xw.func(category=CATEGORY)
@xw.arg("invoices", ndim=2, doc=_DOC_INVOICES)
@xw.arg("allocations", ndim=2, doc=_DOC_ALLOCATIONS)
@xw.arg("receipts", ndim=2, doc="The Receipts table with its header: Receipts[#All].")
@xw.arg("period", doc='The month: "2025-06", or any date in it.')
@xw.arg("currency", doc="Optional: one currency, for a single number; else a row per currency.")
@xw.ret(index=False, header=True, expand=_EXPAND)
@_one_line
def arxl_cei_array(invoices: Any, allocations: Any, receipts: Any, period: Any, currency: Any = None) -> Any:
    """ARXL_CEI for Excel without dynamic arrays: the formula is resized to the table."""
    return arxl_cei(invoices, allocations, receipts, period, currency)
