"""The running balance of a bank export, checked line by line: balance = previous balance + amount.

That finds a missing, doubled or altered line at the row where it happens, in files listed oldest first or
newest first (as their dates run; a file of one day in whichever order its balances follow). The opening
balance is then the first balance less the first amount, and the closing balance the last balance; a stated
opening or closing balance (a row with only a balance) must agree.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal

from arxl.core.statement import StatementLine
from arxl.formats.statements.model import (
    BalanceMismatch,
    money,
)


@dataclass(frozen=True, slots=True)
class _Row:
    line: StatementLine
    balance: Decimal | None
    where: str


def _balances(rows: list[_Row], stated: list[tuple[str, Decimal]], check: bool) -> tuple[Decimal | None,
                                                                                          Decimal | None]:
    """The opening and closing balances of one currency's lines, checking the running balance row by row."""
    stated_opening = next((b for k, b in stated if k in ("opening", "before")), None)
    stated_closing = next((b for k, b in reversed(stated) if k in ("closing", "after")), None)
    known = [i for i, r in enumerate(rows) if r.balance is not None]
    if not known:
        return stated_opening, stated_closing
    amounts = [r.line.amount for r in rows]
    rising = _first_break(rows, known, newest_first=False)
    falling = _first_break(rows, known, newest_first=True)
    first_day, last_day = rows[0].line.booking_date, rows[-1].line.booking_date
    # the dates say the order when they move; only a file of one day is read in whichever order its balances
    # follow (a reversal pair read backwards would otherwise fit the newest-first order)
    newest_first = first_day > last_day if first_day != last_day else rising is not None and falling is None
    broken = falling if newest_first else rising
    if check and broken is not None:
        raise broken
    first, last = known[0], known[-1]
    first_balance, last_balance = rows[first].balance, rows[last].balance
    assert first_balance is not None and last_balance is not None
    if newest_first:
        closing = first_balance + sum(amounts[:first], Decimal(0))
        opening = last_balance - sum(amounts[last:], Decimal(0))
    else:
        opening = first_balance - sum(amounts[: first + 1], Decimal(0))
        closing = last_balance + sum(amounts[last + 1 :], Decimal(0))
    code = rows[0].line.currency
    for label, said, computed in (("opening", stated_opening, opening), ("closing", stated_closing, closing)):
        if check and said is not None and said != computed:
            raise BalanceMismatch(f"the stated {label} balance {money(said, code)} differs from the"
                                  f" {money(computed, code)} the running balances give", rows[0].where)
    return opening, closing


def _first_break(rows: list[_Row], known: list[int], *, newest_first: bool) -> BalanceMismatch | None:
    for p, q in itertools.pairwise(known):
        earlier, later = (q, p) if newest_first else (p, q)
        before, after = rows[earlier].balance, rows[later].balance
        assert before is not None and after is not None
        between = rows[p + 1 : q + 1] if not newest_first else rows[p:q]
        moved = sum((r.line.amount for r in between), Decimal(0))
        if before + moved != after:
            code = rows[p].line.currency
            order = " (the file lists the newest first)" if newest_first else ""
            return BalanceMismatch(
                f"the balance {money(after, code)} does not follow from the balance {money(before, code)}"
                f" before it{order}: {money(before, code)} + {money(moved, code)} = {money(before + moved, code)}",
                rows[later].where)
    return None
