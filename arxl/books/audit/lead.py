"""A, the lead schedule: the receivable at the period end three ways, and the helpers B and the others share.

**A Lead** ties the receivable at the period end per currency three ways, each difference a formula:

- *per subledger*: the register's own arithmetic, a chain of ``SUMIFS`` over the Z sheets dated up to the
  period end: invoices and credit notes (Z1, not cancelled) less receipts and refunds (Z2) less deductions
  (Z3), less what was settled in another currency (an RWF receipt paying a USD invoice: the allocation's Rate);
  this is the customers' accounts as a ledger keeps them, unapplied cash included;
- *per aging*: the open items at the period end (Z4), built item by item (:mod:`arxl.ledger.openitems`). The
  two are the same money counted two ways: they must agree, and the paper says "unexplained" when they do not;
- *per Sage*: Sage's Aged Debtors balances (the tie-out, :mod:`arxl.books.tieout`), each difference with the
  tie-out's class and explanation, and in the base currency Sage's debtors control account (trial balance)
  against the open items at the closing rate.

The subledger's chain (:class:`Chain`, over the day sums :class:`Sums`) serves B, the roll-forward
(:mod:`arxl.books.audit.rollforward`), too, with the allocations settled in another currency listed at the
foot of both papers (:func:`cross_block`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from arxl.books.audit.context import (
    ALLOC,
    INV,
    OPEN,
    REC,
    Z_ALLOCATIONS,
    Z_INVOICES,
    Z_OPEN,
    Z_RECEIPTS,
    PackContext,
    quoted,
    sumifs,
)
from arxl.books.audit.papers import FIRST_ROW, header, paper
from arxl.core.money import exponent, figure, round_money
from arxl.ledger.changes import Cell, SheetSpec

ZERO = Decimal(0)
Window = tuple[dt.date | None, dt.date | None]  # dated on or after the first, on or before the second


def date_criteria(letter: str, window: Window) -> list[tuple[str, str]]:
    """SUMIFS criteria keeping the rows whose column ``letter`` is a date within ``window``."""
    lo, hi = window
    found = []
    if lo is not None:
        found.append((letter, f'">="&DATE({lo.year},{lo.month},{lo.day})'))
    if hi is not None:
        found.append((letter, f'"<="&DATE({hi.year},{hi.month},{hi.day})'))
    return found


def within(day: dt.date, window: Window) -> bool:
    lo, hi = window
    return (lo is None or day >= lo) and (hi is None or day <= hi)


def same(a: str, b: str) -> bool:
    """Two codes as SUMIFS compares them (case aside)."""
    return a.strip().upper() == b.strip().upper()


def amount(value: Decimal, formula: str, currency: str, style: str = "amount") -> Cell:
    """A figure: arxl's value and the formula that computes it (``style`` "total" for a total row)."""
    return Cell(value, formula=formula, style="total" if style == "total" else "amount", currency=currency)


def mark(text: str) -> Cell:
    return Cell(text, align="center")


@dataclass(frozen=True, slots=True)
class Crossed:
    """An allocation paid by a receipt in another currency: it clears ``applied`` from an invoice in the
    invoice's currency and takes ``converted`` (applied x rate, rounded) from the receipt, in the receipt's."""

    z3_row: int
    receipt: str
    invoice: str
    date: dt.date
    currency: str  # the invoice's (the allocation's)
    applied: Decimal
    paid_in: str  # the receipt's currency
    rate: Decimal
    converted: Decimal


def crossed(ctx: PackContext) -> list[Crossed]:
    """The allocations settled in another currency, as :func:`arxl.ledger.openitems.open_items` treats them."""
    paid_in = {r.receipt_id: r.currency for r in ctx.ledger.receipts}
    found = []
    for n, a in enumerate(ctx.ledger.allocations):
        code = paid_in.get(a.receipt_id, a.currency)
        if a.rate is not None and not same(code, a.currency):
            found.append(Crossed(FIRST_ROW + n, a.receipt_id, a.invoice_no, a.date, a.currency, a.applied_amount,
                                 code, a.rate, round_money(a.applied_amount * a.rate, code)))
    return found


class Sums:
    """The register's amounts per currency and day (and type, or sign for receipts), summed once: a leg over any
    window adds up days, not rows (a year's pack reads 200,000 invoices)."""

    def __init__(self, ctx: PackContext) -> None:
        self.docs: dict[tuple[str, dt.date, str], Decimal] = defaultdict(Decimal)
        self.cash: dict[tuple[str, dt.date, str], Decimal] = defaultdict(Decimal)
        self.deducted: dict[tuple[str, dt.date, str], Decimal] = defaultdict(Decimal)
        for i in ctx.ledger.invoices:
            if i.status != "cancelled":
                self.docs[(i.currency, i.invoice_date, i.doc_type)] += i.total_amount
        for r in ctx.ledger.receipts:
            self.cash[(r.currency, r.date, ">0" if r.amount > 0 else "<0")] += r.amount
        for a in ctx.ledger.allocations:
            if a.deduction_amount:
                self.deducted[(a.currency, a.date, a.deduction_type)] += a.deduction_amount

    @staticmethod
    def total(found: dict[tuple[str, dt.date, str], Decimal], c: str, window: Window, kind: str | None) -> Decimal:
        return sum((v for (k, day, t), v in found.items() if same(k, c) and within(day, window)
                    and (kind is None or t == kind)), ZERO)


class Chain:
    """The subledger's arithmetic over the Z sheets for one currency: each leg as arxl's figure and its formula."""

    def __init__(self, ctx: PackContext, currency: str, crosses: list[Crossed], block: tuple[int, int],
                 sums: Sums) -> None:
        self.ctx, self.c, self.crosses, self.block, self.sums = ctx, currency, crosses, block, sums

    def documents(self, window: Window, doc_type: str = "") -> tuple[Decimal, str]:
        criteria = [(INV["currency"], quoted(self.c)), (INV["status"], quoted("<>cancelled")),
                    *([(INV["type"], quoted(doc_type))] if doc_type else []), *date_criteria(INV["date"], window)]
        return (self.sums.total(self.sums.docs, self.c, window, doc_type or None),
                sumifs(Z_INVOICES, INV["total"], *criteria))

    def receipts(self, window: Window, sign: str = "") -> tuple[Decimal, str]:
        criteria = [(REC["currency"], quoted(self.c)), *([(REC["amount"], quoted(sign))] if sign else []),
                    *date_criteria(REC["date"], window)]
        return self.sums.total(self.sums.cash, self.c, window, sign or None), sumifs(Z_RECEIPTS, REC["amount"],
                                                                                     *criteria)

    def deductions(self, window: Window, kind: str | None = None) -> tuple[Decimal, str]:
        criteria = [(ALLOC["currency"], quoted(self.c)), *([(ALLOC["type"], quoted(kind))] if kind else []),
                    *date_criteria(ALLOC["date"], window)]
        return (self.sums.total(self.sums.deducted, self.c, window, kind),
                sumifs(Z_ALLOCATIONS, ALLOC["deduction"], *criteria))

    def settled_elsewhere(self, window: Window) -> tuple[Decimal, str] | None:
        """What the other-currency allocations take off this currency's receivable: applied on its invoices by
        other receipts, less its receipts' money that went to other-currency invoices (the rows of the cross
        block, see :func:`cross_block`). None when there are none."""
        if not any(same(x.currency, self.c) or same(x.paid_in, self.c) for x in self.crosses):
            return None
        value = sum((x.applied for x in self.crosses if same(x.currency, self.c) and within(x.date, window)),
                    ZERO) - sum((x.converted for x in self.crosses if same(x.paid_in, self.c)
                                 and within(x.date, window)), ZERO)
        first, last = self.block

        def over(total: str, code: str) -> str:
            parts = [f"${total}${first}:${total}${last}", f"${code}${first}:${code}${last}", quoted(self.c)]
            for letter, criterion in date_criteria("C", window):
                parts += [f"${letter}${first}:${letter}${last}", criterion]
            return f"SUMIFS({','.join(parts)})"

        return value, f"{over('E', 'D')}-{over('H', 'F')}"

    def aging(self) -> tuple[Decimal, str]:
        value = sum((i.open_amount for i in self.ctx.items if same(i.currency, self.c)), ZERO)
        return value, sumifs(Z_OPEN, OPEN["open"], (OPEN["currency"], quoted(self.c)))

    def unapplied(self) -> tuple[Decimal, str]:
        value = sum((i.open_amount for i in self.ctx.items if same(i.currency, self.c) and i.kind == "unapplied"),
                    ZERO)
        return value, sumifs(Z_OPEN, OPEN["open"], (OPEN["currency"], quoted(self.c)),
                             (OPEN["kind"], quoted("unapplied")))


def cross_block(spec: SheetSpec, crosses: list[Crossed]) -> None:
    """The allocations settled in another currency, one per row, each amount a reference to its Z3 cell: the
    rows the "settled in another currency" figures sum (columns C date, D currency, E applied, F the receipt's
    currency, H applied in it). Its data rows start three rows down."""
    if not crosses:
        return
    spec.blank()
    spec.add(Cell("Settled in another currency (Z3 rows with a Rate)", style="bold"))
    spec.add(*(Cell(t, style="header") for t in ("Receipt", "Invoice", "Date", "Currency", "Applied",
                                                 "Receipt's currency", "Rate", "In the receipt's currency")))
    for x in crosses:
        row = spec.next_row
        spec.add(Cell(x.receipt), Cell(x.invoice), Cell(x.date, style="date"), Cell(x.currency),
                 amount(x.applied, f"='{Z_ALLOCATIONS}'!{ALLOC['applied']}{x.z3_row}", x.currency),
                 Cell(x.paid_in),
                 Cell(x.rate, formula=f"='{Z_ALLOCATIONS}'!{ALLOC['rate']}{x.z3_row}", style="decimal"),
                 amount(x.converted, f"=ROUND(E{row}*G{row},{exponent(x.paid_in)})", x.paid_in))


def with_cross_block(build: Callable[[tuple[int, int]], SheetSpec], crosses: list[Crossed]) -> SheetSpec:
    """A paper whose formulas sum the cross block added at its end: built once to learn where the block goes."""
    spec = build((0, 0))
    if crosses:
        spec = build((spec.next_row + 3, spec.next_row + 2 + len(crosses)))  # after a blank, a title, a header
    cross_block(spec, crosses)
    return spec


def leg(spec: SheetSpec, label: str, found: tuple[Decimal, str], c: str, tick: str = "✓", negate: bool = False,
        note: str = "") -> int:
    value, formula = found
    cell = amount(-value, f"=-({formula})", c) if negate else amount(value, f"={formula}", c)
    return spec.add(Cell(label), cell, mark(tick), Cell(note, style="note"))


def difference(spec: SheetSpec, label: str, a: int, b: int, value: Decimal, c: str, ok: str, bad: str) -> int:
    """A difference that should be nil: B{a} - B{b}, saying what it means either way."""
    return spec.add(Cell(label, style="bold"), amount(value, f"=B{a}-B{b}", c, "total"),
                    mark("X" if value else ""), Cell(bad if value else ok, style="error" if value else "note"))


def lead_paper(ctx: PackContext) -> list[SheetSpec]:
    """A, the lead schedule."""
    crosses, sums = crossed(ctx), Sums(ctx)
    return [with_cross_block(lambda block: _lead(ctx, crosses, block, sums), crosses)]


def _lead(ctx: PackContext, crosses: list[Crossed], block: tuple[int, int], sums: Sums) -> SheetSpec:
    source = f"Z1-Z4 (the register at {ctx.last:%d/%m/%Y}); Sage: " + (ctx.sage_source or "report not given")
    spec = paper("A", "Lead", "Lead schedule: trade receivables", ctx.head, source, marks="✓AΣSX",
                 widths={"A": 58, "B": 20, "C": 10, "D": 90})
    header(spec, "Receivable", "Amount", "Tickmark", "Note")
    end: Window = (None, ctx.last)
    for c in ctx.currencies:
        chain = Chain(ctx, c, crosses, block, sums)
        spec.add(Cell(c, style="bold"))
        documents, receipts, deductions = chain.documents(end), chain.receipts(end), chain.deductions(end)
        first = leg(spec, f"Invoices and credit notes to {ctx.last:%d/%m/%Y} (Z1, not cancelled)", documents, c)
        last = leg(spec, "Less receipts, refunds added back (Z2)", receipts, c, negate=True)
        last = leg(spec, "Less deductions: withheld, charges, discounts, write-offs (Z3)", deductions, c,
                   negate=True)
        elsewhere = chain.settled_elsewhere(end)
        if elsewhere is not None:
            last = leg(spec, "Less settled in another currency (below)", elsewhere, c, negate=True)
        value = documents[0] - receipts[0] - deductions[0] - (elsewhere[0] if elsewhere else ZERO)
        sub = spec.add(Cell("AR per subledger", style="bold"), amount(value, f"=SUM(B{first}:B{last})", c, "total"),
                       mark("Σ"))
        leg(spec, "   of which unapplied cash (Z4)", chain.unapplied(), c, "A")
        aging = chain.aging()
        aged = spec.add(Cell("AR per aging (Z4 open items)", style="bold"), amount(aging[0], f"={aging[1]}", c,
                                                                                   "total"), mark("A"))
        gap = value - aging[0]
        difference(spec, "Difference: subledger - aging", sub, aged, gap, c,
                   "nil: the subledger agrees with the aging", f"{figure(gap, c, with_code=True)} unexplained: the "
                   "register's arithmetic and its open items disagree")
        _sage_rows(spec, ctx, c, aged, aging[0])
        spec.blank()
    _base_rows(spec, ctx)
    return spec


def _sage_rows(spec: SheetSpec, ctx: PackContext, c: str, aged: int, aging: Decimal) -> None:
    """Sage's balance in a currency, the difference, and the tie-out's explanation of it part by part."""
    if ctx.tie is None:
        spec.add(Cell("AR per Sage"), Cell("not given", style="note"), mark(""),
                 Cell("no Sage report given (arxl audit pack --sage FILE --tb FILE)", style="note"))
        return
    lines = [t for t in ctx.tie.lines if same(t.currency, c)]
    parts = [(f"{t.customer_id} {t.name}: {p.kind}", p.amount, p.explanation) for t in lines for p in t.parts
             if p.kind not in ("FX", "unallocated in Sage")]
    balance = sum((t.sage_balance for t in lines), ZERO)
    shift = sum((t.arxl_balance for t in lines), ZERO) - aging
    if shift:  # the tie-out compares arxl's items as Sage's accounts hold them
        parts.insert(0, ("arxl as Sage's accounts hold it, less the aging", shift,
                         "a receipt applied in another currency sits on Sage's account in that currency, and cash "
                         "of no known customer on no account (the tie-out's view)"))
    sage = spec.add(Cell("AR per Sage (Aged Debtors)", style="bold"), Cell(balance, style="total", currency=c),
                    mark("S"), Cell(ctx.sage_source, style="note"))
    _explained(spec, sage, aged, balance - aging, c, parts)


def _explained(spec: SheetSpec, sage: int, aged: int, gap: Decimal, c: str,
               parts: list[tuple[str, Decimal, str]]) -> None:
    """Sage - aging, the tie-out's parts of it (one row each), and what they leave unexplained."""
    diff = spec.add(Cell("Difference: Sage - aging", style="bold"), amount(gap, f"=B{sage}-B{aged}", c, "total"),
                    mark(""), Cell("nil: Sage agrees" if not gap else "explained by the tie-out below", style="note"))
    first = spec.next_row
    for label, value, text in parts:
        spec.add(Cell(f"   {label}"), Cell(value, style="amount", currency=c), mark("S"), Cell(text, style="note"))
    rest = gap - sum((v for _, v, _ in parts), ZERO)
    less = f"-SUM(B{first}:B{spec.next_row - 1})" if parts else ""
    spec.add(Cell("   Unexplained"), amount(rest, f"=B{diff}{less}", c), mark("X" if rest else ""),
             Cell(f"{figure(rest, c, with_code=True)} unexplained" if rest else "nil", style="error" if rest
                  else "note"))


def base_values(spec: SheetSpec, ctx: PackContext, label: str) -> tuple[int, Decimal]:
    """Each currency's open items in the base currency at the closing rate (Z4) and their total: its row."""
    b = ctx.base
    spec.add(Cell(f"{b}: every currency at the closing rate", style="bold"))
    first = spec.next_row
    values: dict[str, Decimal] = defaultdict(Decimal)
    for i in ctx.items:
        values[i.currency.strip().upper()] += ctx.base_value(i)
    for c in ctx.currencies:
        value = values.get(c.strip().upper(), ZERO)
        rate = ctx.closing.get(c)
        at = f" at {rate.normalize():f}" if c != b and rate is not None else ""
        spec.add(Cell(f"   {c} open items in {b}{at} (Z4 base values)"),
                 amount(value, f"={sumifs(Z_OPEN, OPEN['base'], (OPEN['currency'], quoted(c)))}", b), mark("A"))
    total = sum(values.values(), ZERO)
    return spec.add(Cell(label, style="bold"), amount(total, f"=SUM(B{first}:B{spec.next_row - 1})", b, "total"),
                    mark("Σ")), total


def _base_rows(spec: SheetSpec, ctx: PackContext) -> None:
    """The base currency: the open items at the closing rate against Sage's debtors control."""
    b = ctx.base
    aged, total = base_values(spec, ctx, f"AR per aging in {b}")
    control, label = ctx.sage_control, f"Sage's debtors control {ctx.ledger.settings.sage_debtors_nominal} " \
        "(trial balance)"
    if control is None and ctx.tie is not None:  # no trial balance: Sage's base balances stand for the control
        control, label = ctx.tie.sage_base_total, "Sage's base balances (Aged Debtors) with the revaluation journals"
    if control is None:
        spec.add(Cell("Sage's debtors control"), Cell("not given", style="note"), mark(""),
                 Cell("no trial balance given (--tb FILE)", style="note"))
        return
    sage = spec.add(Cell(label, style="bold"), Cell(control, style="total", currency=b), mark("S"),
                    Cell(ctx.sage_source, style="note"))
    parts = []
    if ctx.tie is not None:
        for c in ctx.currencies:
            lines = [t for t in ctx.tie.lines if same(t.currency, c)]
            if any(t.sage_base is None or t.arxl_base is None for t in lines):
                continue
            gap = sum(((t.sage_base or ZERO) + t.revalued - (t.arxl_base or ZERO) for t in lines), ZERO)
            fx = "; ".join(f"{t.customer_id} {p.explanation}" for t in lines for p in t.parts if p.kind == "FX")
            if gap:
                parts.append((f"{c} accounts: Sage - arxl in {b} (the tie-out, as above)", gap,
                              fx or "the differences of the accounts explained above, in the base currency"))
        if ctx.tie.arxl_base_total is not None and ctx.tie.arxl_base_total != total:
            parts.append(("arxl as Sage's accounts hold it, less the aging", ctx.tie.arxl_base_total - total,
                          "a receipt applied in another currency sits on Sage's account in that currency, valued at "
                          "the closing rate there (the tie-out's view)"))
    _explained(spec, sage, aged, control - total, b, parts)
