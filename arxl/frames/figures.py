"""Open items, aging, statements of account and the collections KPIs of a ledger, as DataFrames.

Every figure is arxl's own: the open items of :func:`arxl.ledger.openitems.open_items`, the aging of
:func:`arxl.aging.sheet.aging_report` (what ``arxl aging`` writes), the statements of
:func:`arxl.aging.statements.account_statements` (what ``arxl statements`` writes) and the KPIs of
:func:`arxl.aging.report.collections_report` (what ``arxl report collections`` writes). This module only lays
them out as rows: amounts stay Decimal, dates become ``datetime64[ns]``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pandas as pd

from arxl.aging.report import collections_report
from arxl.aging.sheet import aging_report
from arxl.aging.statements import AccountStatement, account_statements
from arxl.core.aging import parse_buckets
from arxl.core.errors import BadValue
from arxl.core.period import Period
from arxl.ledger.ledger import Ledger
from arxl.ledger.openitems import open_items

ITEM_COLUMNS = ("kind", "reference", "customer_id", "name", "currency", "document_date", "due_date",
                "original_amount", "credited", "cleared", "open_amount")
STATEMENT_COLUMNS = ("currency", "date", "type", "reference", "details", "due_date", "debit", "credit", "balance")
KPI_COLUMNS = ("currency", "start", "end", "opening", "closing", "closing_current", "invoiced", "credited",
               "credit_sales", "received", "collected", "deductions", "write_offs", "target", "variance",
               "percent_of_target", "dso", "dso_countback", "best_possible_dso", "average_days_delinquent", "cei",
               "percent_current", "bad_debt_ratio", "promises_judged", "promises_kept", "promises_kept_percent")
DATES = frozenset({"document_date", "due_date", "date", "start", "end"})
_TYPES = {"invoice": "Invoice", "credit_note": "Credit note", "payment": "Payment", "deduction": "Deduction",
          "other": "Adjustment"}


def frame(rows: Sequence[Sequence[Any]], names: Sequence[str], dates: frozenset[str] = DATES) -> pd.DataFrame:
    """Rows as a DataFrame; the columns named in ``dates`` as datetime64[ns], every other kept as given (so
    Decimals stay Decimal, in an object column)."""
    data: dict[str, Any] = {}
    for j, name in enumerate(names):
        values = [row[j] for row in rows]
        if name in dates:
            data[name] = pd.Series(pd.to_datetime(values) if values else [], dtype="datetime64[ns]")
        elif values and all(isinstance(v, str) for v in values):
            data[name] = pd.Series(values, dtype="string")
        else:
            data[name] = pd.Series(values, dtype="object")
    return pd.DataFrame(data, columns=list(names))


def as_numbers(data: pd.DataFrame) -> pd.DataFrame:
    """A copy with every Decimal as a float, for a sheet or a plot: the amounts are already rounded to their
    currency's unit, and a float holds them exactly up to 15 significant digits (as Excel does)."""
    shown = data.copy()
    for name in shown.columns:
        if shown[name].dtype == object and any(isinstance(v, Decimal) for v in shown[name]):
            shown[name] = pd.Series([float(v) if isinstance(v, Decimal) else v for v in shown[name]],
                                    index=shown.index, dtype="object")
            if shown[name].map(lambda v: isinstance(v, float)).all():
                shown[name] = shown[name].astype("float64")
    return shown


def names_of(ledger: Ledger) -> dict[str, str]:
    return {c.customer_id: c.name for c in ledger.customers}


def open_items_frame(ledger: Ledger, as_of: dt.date, customer: str | None = None) -> pd.DataFrame:
    """The open invoices, open credits and unapplied cash at the end of ``as_of``, one row each."""
    names = names_of(ledger)
    items = open_items(ledger.invoices, ledger.allocations, as_of, ledger.receipts)
    wanted = customer.strip().upper() if customer else None
    rows = [(i.kind, i.reference, i.customer_id, names.get(i.customer_id, ""), i.currency, i.document_date,
             i.due_date, i.original_amount, i.credited, i.cleared, i.open_amount)
            for i in items if wanted is None or i.customer_id.upper() == wanted]
    return frame(rows, ITEM_COLUMNS)


def with_buckets(ledger: Ledger, buckets: str | None) -> Ledger:
    """The ledger with another aging scheme (``"30,60,90"``), checked here so a bad one names the argument."""
    if buckets is None or not str(buckets).strip():
        return ledger
    try:
        parse_buckets(buckets)
    except BadValue as exc:
        raise BadValue(f"buckets: {exc.message}") from None
    return replace(ledger, settings=ledger.settings.model_copy(update={"aging_buckets": str(buckets)}))


def aging_frame(ledger: Ledger, as_of: dt.date, buckets: str | None = None) -> pd.DataFrame:
    """The aging at ``as_of``: a row per currency and customer (largest balance first, the base currency
    first), its open invoices by bucket, open credits and unapplied cash apart, and the balance."""
    report = aging_report(with_buckets(ledger, buckets), as_of)
    names = ("currency", "customer_id", "name", *report.labels, "credits", "unapplied", "balance")
    rows = [(block.currency, c.customer_id, c.name, *c.buckets, c.credits, c.unapplied, c.balance)
            for block in report.blocks for c in block.customers]
    return frame(rows, names)


def aging_detail_frame(ledger: Ledger, as_of: dt.date, buckets: str | None = None) -> pd.DataFrame:
    """The aging's detail: each open item with its age in days and its bucket."""
    report = aging_report(with_buckets(ledger, buckets), as_of)
    rows = [(a.item.kind, a.item.reference, a.customer_id, a.name, a.item.currency, a.item.document_date,
             a.item.due_date, a.item.original_amount, a.item.credited, a.item.cleared, a.item.open_amount, a.days,
             a.label) for a in report.items]
    return frame(rows, (*ITEM_COLUMNS, "days", "bucket"))


def statements(ledger: Ledger, customer: str, start: dt.date, end: dt.date) -> list[AccountStatement]:
    """The customer's statements of account (one per currency) from ``start`` to ``end``."""
    wanted = customer.strip()
    known = {c.customer_id.upper(): c.customer_id for c in ledger.customers}
    if wanted.upper() not in known:
        raise BadValue(f'customer "{wanted[:30]}" is not in Customers')
    found, problems = account_statements(ledger, end, start, [known[wanted.upper()]])
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise BadValue(errors[0].message)
    return found


def statement_frame(ledger: Ledger, customer: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """The statement of account as its sheet lists it: per currency, the opening balance, each movement with
    the running balance, and the closing line with the period's debits and credits."""
    rows: list[tuple[Any, ...]] = []
    for s in statements(ledger, customer, start, end):
        rows.append((s.currency, s.start, "Opening", "", "Balance brought forward", None, None, None, s.opening))
        rows.extend((s.currency, m.date, _TYPES[m.kind], m.reference, m.details, m.due_date,
                     m.debit or None, m.credit or None, m.balance) for m in s.lines)
        rows.append((s.currency, s.as_of, "Closing", "", "Balance due" if s.closing >= 0 else
                     "Balance in your favour", None, s.debits, s.credits_in_period, s.closing))
    return frame(rows, STATEMENT_COLUMNS)


def kpis_frame(ledger: Ledger, period: Period | str) -> pd.DataFrame:
    """The collections KPIs of a month, a row per currency (None where a KPI has no meaning, e.g. a DSO
    without sales)."""
    report = collections_report(ledger, Period.parse(period))
    rows = [(f.currency, f.start, f.end, f.opening, f.closing, f.closing_current, f.invoiced, f.credited,
             f.credit_sales, f.received, f.collected, f.deductions, f.write_offs, f.target, f.variance,
             f.percent_of_target, f.dso, f.countback, f.best_possible, f.add, f.cei, f.percent_current, f.bad_debt,
             f.promises_judged, f.promises_kept, f.promises_rate) for f in report.figures.values()]
    return frame(rows, KPI_COLUMNS)

