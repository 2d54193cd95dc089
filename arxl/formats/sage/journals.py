"""The month-end revaluation of open foreign items (IAS 21) as Sage journals, and their reversal.

The Revaluations table (filled by the revaluation step; read here only) holds one row per open foreign item
revalued at a month end, with its difference in the base currency (closing value − carried value, a gain
positive). Per period and currency, Sage gets one journal of the sum ``d``, dated the month's last day,
Reference ``REVAL/YYYY-MM``, no account reference, T9, rate 1, in the base currency:

- ``d > 0`` (the receivables are worth more): JD the debtors control nominal, JC the unrealised FX nominal;
- ``d < 0``: JD the unrealised FX nominal, JC the debtors control nominal.

On the first day of the next month the opposite pair reverses it (Reference ``REVAL/YYYY-MM/REV``, the month
revalued), so the next revaluation starts again from the carried values. Each row gets ``Sage Exported`` when
its journal is written and ``Reversal Exported`` when its reversal is.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from arxl.core.errors import BadValue, Problem
from arxl.core.period import Period
from arxl.formats.sage.common import ZERO, Books, HeldBack
from arxl.formats.sage.csvfile import DETAILS_LENGTH, SageRow, split, text
from arxl.formats.sage.movements import NO_TAX
from arxl.ledger.changes import ChangeSet
from arxl.ledger.records import Revaluation


@dataclass
class Journals:
    """The journal rows of a period, how many journals (JD/JC pairs) they make, the marks and the problems."""

    rows: list[SageRow] = field(default_factory=list)
    count: int = 0
    changes: ChangeSet = field(default_factory=ChangeSet)
    problems: list[Problem] = field(default_factory=list)


def journals(books: Books, month: Period, *, again: bool, on: dt.date) -> Journals:
    """The period's revaluation journals and the reversal of the previous period's, with their marks."""
    result = Journals()
    table = books.ledger.table("Revaluations")
    if not table.rows:
        return result
    settings = books.settings
    try:
        debtors = books.nominal(settings.sage_debtors_nominal, books.settings_cell("Sage Debtors Nominal"),
                                "Sage Debtors Nominal")
        fx = books.nominal(settings.sage_unrealised_fx_nominal, books.settings_cell("Sage Unrealised FX Nominal"),
                           "Sage Unrealised FX Nominal")
    except HeldBack as exc:
        result.problems.append(Problem(exc.where, f"the revaluation journals not exported: {exc.message}"))
        return result
    previous = month.previous()
    now: dict[str, list[int]] = defaultdict(list)
    back: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(table.rows):
        try:
            period = Period.parse(row.period)
        except BadValue as exc:
            result.problems.append(Problem(table.where(i, "period"), f"a revaluation's period: {exc.message}"))
            continue
        if period == month and (again or row.sage_exported is None):
            now[row.currency.strip().upper()].append(i)
        if period == previous and (again or row.reversal_exported is None):
            back[row.currency.strip().upper()].append(i)
    for code, rows in sorted(back.items()):
        result.rows += _pair(books, [table.rows[i] for i in rows], code, -1, month.first,
                             f"REVAL/{previous}/REV", f"Reversal of {previous}'s", debtors, fx, result)
        for i in rows:
            result.changes.update("Revaluations", table.row_numbers[i], "reversal_exported", on)
    for code, rows in sorted(now.items()):
        result.rows += _pair(books, [table.rows[i] for i in rows], code, 1, month.last, f"REVAL/{month}",
                             "Unrealised FX:", debtors, fx, result)
        for i in rows:
            result.changes.update("Revaluations", table.row_numbers[i], "sage_exported", on)
    return result


def _pair(books: Books, rows: list[Revaluation], code: str, sign: int, day: dt.date, reference: str, head: str,
          debtors: str, fx: str, result: Journals) -> list[SageRow]:
    """The JD/JC pair of one currency's sum (nothing for a sum of nought), split under Sage's limit."""
    difference = sign * sum((r.difference for r in rows), ZERO)
    if difference == 0:
        return []
    debit, credit = (debtors, fx) if difference > 0 else (fx, debtors)
    shown = text(f"{head} {code} receivables revalued, {len(rows)} item(s)", DETAILS_LENGTH)
    out: list[SageRow] = []
    for part in split(abs(difference), ZERO, books.base)[0]:
        out.append(SageRow("JD", "", debit, day, reference, shown, part, NO_TAX, ZERO, books.base, Decimal(1)))
        out.append(SageRow("JC", "", credit, day, reference, shown, part, NO_TAX, ZERO, books.base, Decimal(1)))
    result.count += 1
    return out
