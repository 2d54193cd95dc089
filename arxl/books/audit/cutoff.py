"""D, the cut-off of sales, and E, the receipts after the period end: the two tests auditors run across it.

**D Cut-off** lists the invoices and credit notes dated within Settings ``Audit Cutoff Days`` either side of the
period end, each with the side it falls on, its billing month (the invoice's Period and its lines'), and the
service dates of the billing schedule lines it billed (Schedule: Period Start to Period End). A document is
flagged when its service lies wholly after the period end but it is dated on or before it (revenue of the next
period), or its service ended by the period end but it is dated after (revenue of this period billed late).
Then every credit note dated after the period end, whenever, for an invoice dated on or before it: a sale
of the period reduced afterwards, the classic cut-off exception.

**E Subsequent receipts**: each invoice open at the period end (Z4), what was applied to it and deducted from
it afterwards (allocations dated after the period end, Z3), what was credited after (Z1), what is still unpaid,
with the receipts and their dates; per currency a total and the share of the open balance cleared since. Each
figure after the period end sums the very Z3 (or Z1) cells it comes from, one reference each, so that a pack of
thousands of open invoices recalculates at once; a nought is a plain value (nothing came after).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from arxl.books.audit.context import ALLOC, INV, OPEN, Z_ALLOCATIONS, Z_INVOICES, Z_OPEN, PackContext, quoted, sumifs
from arxl.books.audit.lead import amount, date_criteria, mark, same
from arxl.books.audit.papers import FIRST_ROW, header, paper
from arxl.core.errors import ArxlError
from arxl.core.period import Period
from arxl.ledger.changes import Cell, SheetSpec
from arxl.ledger.records import Allocation, Invoice

ZERO = Decimal(0)


def _month(text: str) -> tuple[dt.date, dt.date] | None:
    try:
        p = Period.parse(text)
    except ArxlError:
        return None
    return p.first, p.last


def service(ctx: PackContext) -> dict[str, tuple[dt.date, dt.date]]:
    """The service dates of each invoice that billed schedule lines: the first start and the last end."""
    found: dict[str, tuple[dt.date, dt.date]] = {}
    for s in ctx.ledger.schedule:
        if s.invoice_no:
            lo, hi = found.get(s.invoice_no, (s.period_start, s.period_end))
            found[s.invoice_no] = (min(lo, s.period_start), max(hi, s.period_end))
    return found


def cutoff_flag(doc: Invoice, served: tuple[dt.date, dt.date] | None, end: dt.date) -> str:
    """Why a document's date and its service fall on different sides of ``end`` ("" when they do not)."""
    if served is None:
        return ""
    before = doc.invoice_date <= end
    if before and served[0] > end:
        return "service after the period end, dated before it"
    if not before and served[1] <= end:
        return "service by the period end, dated after it"
    return ""


def cutoff_paper(ctx: PackContext) -> list[SheetSpec]:
    """D, the cut-off."""
    days = ctx.ledger.settings.audit_cutoff_days
    lo, hi = ctx.last - dt.timedelta(days=days), ctx.last + dt.timedelta(days=days)
    spec = paper("D", "Cut-off", "Cut-off: sales either side of the period end", ctx.head,
                 f"Z1 (invoices, credit notes) dated {lo:%d/%m/%Y} to {hi:%d/%m/%Y} (Settings Audit Cutoff Days "
                 f"{days}); service dates from the Schedule; InvoiceLines' periods", marks="✓ΣX",
                 widths={"A": 18, "E": 12, "I": 12, "J": 16, "K": 12, "L": 12, "N": 48})
    header(spec, "Number", "Type", "Date", "Side", "Customer ID", "Currency", "Total Amount", "Status", "Period",
           "Line Periods", "Service From", "Service To", "Tickmark", "Note")
    z_row = {i.invoice_no: FIRST_ROW + n for n, i in enumerate(ctx.ledger.invoices)}
    lines: dict[str, set[str]] = defaultdict(set)
    for line in ctx.ledger.invoice_lines:
        if line.period:
            lines[line.invoice_no].add(line.period)
    served = service(ctx)
    z = f"'{Z_INVOICES}'!"
    docs = sorted((i for i in ctx.ledger.invoices if lo <= i.invoice_date <= hi),
                  key=lambda i: (i.invoice_date, i.invoice_no))
    for i in docs:
        when = served.get(i.invoice_no) or _month(i.period)
        flag = cutoff_flag(i, when, ctx.last)
        spec.add(Cell(i.invoice_no), Cell(i.doc_type), Cell(i.invoice_date, style="date"),
                 Cell("before" if i.invoice_date <= ctx.last else "after"), Cell(i.customer_id), Cell(i.currency),
                 amount(i.total_amount, f"={z}{INV['total']}{z_row[i.invoice_no]}", i.currency), Cell(i.status),
                 Cell(i.period),
                 Cell(", ".join(sorted(lines.get(i.invoice_no, ())))),
                 Cell(when[0], style="date") if when else Cell(""), Cell(when[1], style="date") if when else Cell(""),
                 mark("X" if flag else "✓"), Cell(flag, style="error"))
    if not docs:
        spec.add(Cell("none dated in the window", style="note"))
    _totals(spec, ctx, docs, FIRST_ROW, spec.next_row - 1, (lo, hi))
    _late_credits(spec, ctx, z_row)
    return [spec]


def _totals(spec: SheetSpec, ctx: PackContext, docs: list[Invoice], first: int, last: int,
            window: tuple[dt.date, dt.date]) -> None:
    """Per currency and side, the register's total of the window, tied to Z1."""
    if not docs:
        return
    spec.blank()
    spec.add(*(Cell(t, style="header") for t in ("Currency", "Side", "Per this paper", "Per Z1", "Difference")))

    def own(letter: str) -> str:
        return f"${letter}${first}:${letter}${last}"

    for c in ctx.currencies:
        for side, part in (("before", (window[0], ctx.last)), ("after", (ctx.last + dt.timedelta(days=1),
                                                                         window[1]))):
            value = sum((i.total_amount for i in docs if same(i.currency, c) and part[0] <= i.invoice_date
                         <= part[1] and i.status != "cancelled"), ZERO)
            row = spec.next_row
            z1 = sumifs(Z_INVOICES, INV["total"], (INV["currency"], quoted(c)), (INV["status"], quoted("<>cancelled")),
                        *date_criteria(INV["date"], part))
            spec.add(Cell(c), Cell(side),
                     amount(value, f'=SUMIFS({own("G")},{own("F")},{quoted(c)},{own("D")},{quoted(side)},'
                                   f'{own("H")},"<>cancelled")', c, "total"),
                     amount(value, f"={z1}", c), amount(ZERO, f"=C{row}-D{row}", c), mark("Σ✓"))


def _late_credits(spec: SheetSpec, ctx: PackContext, z_row: dict[str, int]) -> None:
    """Credit notes dated after the period end for invoices dated on or before it."""
    originals = {i.invoice_no: i for i in ctx.ledger.invoices if i.doc_type == "invoice"}
    late = sorted((n for n in ctx.ledger.invoices if n.doc_type == "credit_note" and n.invoice_date > ctx.last
                   and n.original_invoice in originals and originals[n.original_invoice].invoice_date <= ctx.last),
                  key=lambda n: (n.invoice_date, n.invoice_no))
    spec.blank()
    spec.add(Cell(f"Credit notes dated after {ctx.last:%d/%m/%Y} for invoices dated on or before it", style="bold"))
    spec.add(*(Cell(t, style="header") for t in ("Credit Note", "Date", "Original Invoice", "Invoice Date",
                                                 "Customer ID", "Currency", "Credit Amount", "Invoice Total",
                                                 "Status", "", "", "", "Tickmark", "Note")))
    z = f"'{Z_INVOICES}'!"
    for n in late:
        inv = originals[n.original_invoice]
        spec.add(Cell(n.invoice_no), Cell(n.invoice_date, style="date"), Cell(inv.invoice_no),
                 Cell(inv.invoice_date, style="date"), Cell(n.customer_id), Cell(n.currency),
                 amount(n.total_amount, f"={z}{INV['total']}{z_row[n.invoice_no]}", n.currency),
                 amount(inv.total_amount, f"={z}{INV['total']}{z_row[inv.invoice_no]}", inv.currency),
                 Cell(n.status), Cell(""), Cell(""), Cell(""), mark("X"),
                 Cell("a sale of the period reduced after it: consider an adjustment", style="error"))
    if not late:
        spec.add(Cell("none", style="note"))


def _cells(value: Decimal, sheet: str, letter: str, rows: list[int], c: str, negate: bool = False) -> Cell:
    """A sum of the Z cells it comes from, one reference each (a whole-column SUMIFS per open invoice would
    make a big pack slow to recalculate); nought, a plain value, when nothing came after."""
    if not rows:
        return Cell(ZERO, style="amount", currency=c)
    refs = ",".join(f"'{sheet}'!{letter}{r}" for r in rows)
    return amount(value, f"=-SUM({refs})" if negate else f"=SUM({refs})", c)


def subsequent_paper(ctx: PackContext) -> list[SheetSpec]:
    """E, the receipts after the period end for the invoices open at it."""
    after = ctx.last + dt.timedelta(days=1)
    spec = paper("E", "Subsequent", "Subsequent receipts", ctx.head,
                 f"Z4 (invoices open at {ctx.last:%d/%m/%Y}); Z3 allocations and Z1 credit notes dated from "
                 f"{after:%d/%m/%Y}", marks="ARΣX",
                 widths={"A": 12, "B": 30, "C": 18, "J": 48})
    header(spec, "Customer ID", "Name", "Invoice", "Currency", "Open at period end", "Applied since",
           "Deducted since", "Credited since", "Still unpaid", "Receipts", "Tickmark")
    allocations: dict[str, list[tuple[int, Allocation]]] = defaultdict(list)
    end = ctx.last
    for n, a in enumerate(ctx.ledger.allocations):
        if a.date > end and a.invoice_no:
            allocations[a.invoice_no].append((FIRST_ROW + n, a))
    credits: dict[str, list[tuple[int, Invoice]]] = defaultdict(list)
    for n, doc in enumerate(ctx.ledger.invoices):
        if doc.doc_type == "credit_note" and doc.status != "cancelled" and doc.invoice_date > end:
            credits[doc.original_invoice].append((FIRST_ROW + n, doc))
    rows = [i for i in ctx.items if i.kind == "invoice"]
    totals: dict[str, list[Decimal]] = {}
    for item in rows:
        row, c = spec.next_row, item.currency
        mine = allocations.get(item.reference, [])
        notes = credits.get(item.reference, [])
        applied = sum((a.applied_amount for _, a in mine), ZERO)
        deducted = sum((a.deduction_amount for _, a in mine), ZERO)
        credited = -sum((n.total_amount for _, n in notes), ZERO)
        unpaid = item.open_amount - applied - deducted - credited
        sums = totals.setdefault(c.strip().upper(), [ZERO] * 5)
        for k, v in enumerate((item.open_amount, applied, deducted, credited, unpaid)):
            sums[k] += v
        by = [(a.receipt_id, a.date) for _, a in sorted(mine, key=lambda m: (m[1].date, m[1].receipt_id))]
        spec.add(Cell(item.customer_id), Cell(ctx.name(item.customer_id)), Cell(item.reference), Cell(c),
                 amount(item.open_amount, f"='{Z_OPEN}'!{OPEN['open']}{ctx.item_rows[item.reference]}", c),
                 _cells(applied, Z_ALLOCATIONS, ALLOC["applied"], [r for r, _ in mine], c),
                 _cells(deducted, Z_ALLOCATIONS, ALLOC["deduction"], [r for r, _ in mine], c),
                 _cells(credited, Z_INVOICES, INV["total"], [r for r, _ in notes], c, negate=True),
                 amount(unpaid, f"=E{row}-F{row}-G{row}-H{row}", c),
                 Cell("; ".join(dict.fromkeys(f"{r} {d:%d/%m/%Y}" for r, d in by))),
                 mark("R" if applied or deducted else ""))
    last = spec.next_row - 1
    if not rows:
        spec.add(Cell("no invoice open at the period end", style="note"))
        return [spec]
    spec.blank()
    spec.add(*(Cell(t, style="header") for t in ("Currency", "", "", "", "Open at period end", "Applied since",
                                                 "Deducted since", "Credited since", "Still unpaid",
                                                 "Cleared since (applied + deducted) / open", "")))
    for c in ctx.currencies:
        values = totals.get(c.strip().upper())
        if values is None:
            continue
        row = spec.next_row
        cells = [Cell(c), Cell(""), Cell(""), Cell("")]
        for letter, value in zip("EFGHI", values, strict=True):
            cells.append(amount(value, f"=SUMIFS(${letter}${FIRST_ROW}:${letter}${last},$D${FIRST_ROW}:"
                                       f"$D${last},{quoted(c)})", c, "total"))
        cover = ((values[1] + values[2]) / values[0]).quantize(Decimal("0.0001"), ROUND_HALF_UP) if values[0] \
            else ZERO
        cells.append(Cell(cover, formula=f"=IF(E{row}=0,0,ROUND((F{row}+G{row})/E{row},4))", style="percent"))
        spec.add(*cells, mark("Σ"))
    return [spec]
