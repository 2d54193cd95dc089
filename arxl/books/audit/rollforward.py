"""B, the roll-forward: how the receivable moved in the period, leg by leg, per currency.

The opening receivable (the subledger's chain of :mod:`arxl.books.audit.lead` at the day before the period, set
beside the aging of that day) plus invoices, credit notes, receipts, refunds, each deduction type and write-offs
dated in the period, and what was settled in another currency, gives the closing receivable, compared with the
aging at the period end (Z4): the difference must be nil. Each leg is a ``SUMIFS`` over the Z sheet it comes
from, dated within the period (``">="&DATE(...)`` and ``"<="&DATE(...)``), so it ties to its register.

Unapplied cash needs no leg of its own: receipts count whole, and what is not applied stays open as a credit in
Z4; a credit note beyond what its invoice still owed likewise stays open as a credit, and a refund (a negative
receipt) adds back what it pays out. The base-currency roll-forward (carried values, realised and unrealised
exchange differences) is not built: the base closing is shown at the closing rate, and the revaluation of the
period end beside it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from arxl.books.audit.context import PackContext
from arxl.books.audit.lead import (
    Chain,
    Crossed,
    Sums,
    Window,
    amount,
    base_values,
    crossed,
    difference,
    leg,
    mark,
    same,
    with_cross_block,
)
from arxl.books.audit.papers import header, paper
from arxl.core.money import figure
from arxl.core.withholding import DEDUCTIONS
from arxl.ledger.changes import Cell, SheetSpec
from arxl.ledger.openitems import open_items

ZERO = Decimal(0)


def rollforward_paper(ctx: PackContext) -> list[SheetSpec]:
    """B, the roll-forward of the receivable per currency over the period."""
    crosses, sums = crossed(ctx), Sums(ctx)
    return [with_cross_block(lambda block: _rollforward(ctx, crosses, block, sums), crosses)]


def _rollforward(ctx: PackContext, crosses: list[Crossed], block: tuple[int, int], sums: Sums) -> SheetSpec:
    before = ctx.first - dt.timedelta(days=1)
    spec = paper("B", "Roll-forward", "Roll-forward of trade receivables", ctx.head,
                 f"Z1-Z3 dated {ctx.first:%d/%m/%Y} to {ctx.last:%d/%m/%Y}; the opening from the same registers "
                 f"to {before:%d/%m/%Y}; the closing against Z4", marks="✓AΣX",
                 widths={"A": 58, "B": 20, "C": 10, "D": 80})
    header(spec, "Movement", "Amount", "Tickmark", "Note")
    opened: Window = (None, before)
    period: Window = (ctx.first, ctx.last)
    ledger = ctx.ledger
    earlier = open_items(ledger.invoices, ledger.allocations, before, ledger.receipts)
    for c in ctx.currencies:
        chain = Chain(ctx, c, crosses, block, sums)
        spec.add(Cell(c, style="bold"))
        legs = [chain.documents(opened), chain.receipts(opened), chain.deductions(opened)]
        elsewhere = chain.settled_elsewhere(opened)
        legs += [elsewhere] if elsewhere is not None else []
        opening = legs[0][0] - sum((v for v, _ in legs[1:]), ZERO)
        aging = sum((i.open_amount for i in earlier if same(i.currency, c)), ZERO)
        agrees = "agrees with" if aging == opening else f"differs by {figure(opening - aging, c)} from"
        first = spec.add(Cell(f"Opening receivable at {before:%d/%m/%Y} (Z1 - Z2 - Z3 to that day)"),
                         amount(opening, "=" + "-".join(f for _, f in legs), c), mark("✓"),
                         Cell(f"{agrees} the aging at {before:%d/%m/%Y} ({figure(aging, c, with_code=True)})",
                              style="note"))
        leg(spec, "Invoices (Z1)", chain.documents(period, "invoice"), c)
        leg(spec, "Credit notes (Z1)", chain.documents(period, "credit_note"), c,
            note="a credit note beyond what its invoice owed stays open as a credit (Z4)")
        leg(spec, "Receipts (Z2)", chain.receipts(period, ">0"), c, negate=True,
            note="cash received, applied or not: what is unapplied stays open as a credit (Z4)")
        leg(spec, "Refunds paid (Z2, negative receipts)", chain.receipts(period, "<0"), c, negate=True)
        typed = sorted((d for d in DEDUCTIONS if d.code), key=lambda d: d.code == "write_off")  # write-offs last
        top = spec.next_row
        for d in typed:
            leg(spec, f"{'Written off' if d.code == 'write_off' else d.statement} (Z3 {d.code})",
                chain.deductions(period, d.code), c, negate=True)
        every = chain.deductions(period)
        named = sum((chain.deductions(period, d.code)[0] for d in typed), ZERO)
        last = spec.add(Cell("Other deductions (Z3, no type)"),
                        amount(named - every[0], f"=-{every[1]}-SUM(B{top}:B{spec.next_row - 1})", c), mark("✓"))
        moved = chain.settled_elsewhere(period)
        if moved is not None:
            last = leg(spec, "Settled in another currency (below)", moved, c, negate=True)
        closing = opening + chain.documents(period)[0] - chain.receipts(period)[0] - every[0] - \
            (moved[0] if moved else ZERO)
        closed = spec.add(Cell(f"Closing receivable at {ctx.last:%d/%m/%Y}", style="bold"),
                          amount(closing, f"=SUM(B{first}:B{last})", c, "total"), mark("Σ"))
        value, formula = chain.aging()
        aged = spec.add(Cell("Closing receivable per aging (Z4)", style="bold"), amount(value, f"={formula}", c,
                                                                                       "total"), mark("A"))
        gap = closing - value
        difference(spec, "Difference", closed, aged, gap, c, "nil: the roll-forward ties to the aging",
                   f"{figure(gap, c, with_code=True)} unexplained: see the lead schedule (A)")
        spec.blank()
    _base_closing(spec, ctx)
    return spec


def _base_closing(spec: SheetSpec, ctx: PackContext) -> None:
    """The base currency's closing at the closing rate, and the revaluation of the period end beside it."""
    b = ctx.base
    row, _ = base_values(spec, ctx, f"Closing receivable in {b}")
    spec.rows[row - 1].append(Cell("the base roll-forward (carried values, realised and unrealised differences) is "
                                   "not built: the foreign currencies roll forward in their own above", style="note"))
    revalued = [r for r in ctx.ledger.table("Revaluations") if r.date == ctx.last]
    if revalued:
        spec.add(Cell(f"Revaluation at {ctx.last:%d/%m/%Y} (Revaluations table)"),
                 Cell(sum((r.difference for r in revalued), ZERO), style="amount", currency=b), mark(""),
                 Cell(f"{len(revalued)} item(s) revalued to the closing rate (not a Z sheet: see the workbook)",
                      style="note"))
