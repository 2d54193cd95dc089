"""C, the invoice register of the period, and C2, its numbering: every number of every series accounted for.

**C Register** lists the invoices and credit notes dated in the period, each amount its cell of Z1
(``INDEX`` by the row's "Z1 row", so a figure traces to the ledger's row), with its EBM receipt (an invoice is
the commercial document, the EBM receipt the fiscal one: a missing receipt number is an exception) and the date
it went to Sage. The rows are data rows (a year's 200,000 documents without a Cell each), so **C1** holds the
totals per currency and type, footed over C's rows and tied to Z1 by ``SUMIFS``.

**C2 Numbering** takes each series of Settings (Invoice Series, Credit Note Series) year by year: the run of
numbers the period should account for (from the one after the last number dated before the period, or the
period's lowest if that is lower, to the period's highest), how many of them were issued in the period, how
many are void (cancelled) and how many credited (a credit note names them), and every other number of the run
listed: missing (a gap: a row deleted by hand, to be explained; a range of them on one row, with its count) or
dated outside the period (a stretch of them on one row too). The run less what is issued and listed must be
nil. A document whose number is of no series is listed too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from arxl.books.audit.context import INV, Z_INVOICES, PackContext, quoted, sumifs
from arxl.books.audit.lead import amount, date_criteria, mark, same
from arxl.books.audit.papers import FIRST_ROW, header, paper, sheet_name
from arxl.core.numbering import parse_number
from arxl.ledger.changes import Cell, DataColumn, DataRows, SheetSpec
from arxl.ledger.records import Invoice

ZERO = Decimal(0)
REGISTER = sheet_name("C", "Register")
SERIES, CREDITED, STATUS, CURRENCY, TYPE = "O", "P", "J", "F", "B"  # columns of C the numbering counts


def series_of(ctx: PackContext, number: str) -> tuple[str, int, int] | None:
    """(series, year, sequence) of a document number, for the series of Settings."""
    settings = ctx.ledger.settings
    for series in dict.fromkeys((settings.invoice_series, settings.credit_note_series)):
        parsed = parse_number(number, series) if number.strip().startswith(f"{series}-") else None
        if parsed:
            return series, parsed[0], parsed[1]
    return None


def in_period(ctx: PackContext) -> list[tuple[int, Invoice]]:
    """The documents dated in the period with their Z1 rows, in date and number order."""
    first, last = ctx.first, ctx.last
    rows = [(FIRST_ROW + n, i) for n, i in enumerate(ctx.ledger.invoices) if first <= i.invoice_date <= last]
    return sorted(rows, key=lambda r: (r[1].invoice_date, r[1].invoice_no))


def register_paper(ctx: PackContext) -> list[SheetSpec]:
    """C, the invoice register of the period, C1 its totals, and C2 the numbering report."""
    docs = in_period(ctx)
    return [_register(ctx, docs), _totals(ctx, docs), _numbering(ctx)]


def _amount(letter: str) -> DataColumn:
    """An amount of the register: its Z1 cell, found by the row's "Z1 row" (column R)."""
    return DataColumn(style="amount", currency_of=5, formula=f"=INDEX('{Z_INVOICES}'!${letter}:${letter},$R{{row}})")


T, DAY, COUNT = DataColumn(), DataColumn(style="date"), DataColumn(style="integer")
COLUMNS = (T, T, DAY, T, T, T, _amount(INV["net"]), _amount(INV["vat"]), _amount(INV["total"]), T, T, T, T, DAY, T,
           COUNT, T, COUNT)


def _register(ctx: PackContext, docs: list[tuple[int, Invoice]]) -> SheetSpec:
    """C: one data row per document (a year's 200,000 without a Cell per value), each amount its Z1 cell."""
    spec = paper("C", "Register", "Invoice register of the period", ctx.head,
                 f"Z1 (the Invoices table), documents dated {ctx.first:%d/%m/%Y} to {ctx.last:%d/%m/%Y}; the "
                 "totals on C1", marks="✓EX",
                 widths={"A": 18, "D": 12, "E": 30, "K": 18, "L": 18, "N": 14, "O": 12, "P": 10, "Q": 18})
    header(spec, "Number", "Type", "Date", "Customer ID", "Name", "Currency", "Net Amount", "VAT Amount",
           "Total Amount", "Status", "Original Invoice", "EBM Receipt No", "EBM", "Sage Exported", "Series",
           "Credit Notes", "Credited By", "Z1 row")
    against: dict[str, list[str]] = defaultdict(list)
    for i in ctx.ledger.invoices:
        if i.doc_type == "credit_note" and i.original_invoice and i.status != "cancelled":
            against[i.original_invoice].append(i.invoice_no)
    values: list[tuple[object, ...]] = []
    for z_row, i in docs:
        found = series_of(ctx, i.invoice_no)
        notes = against.get(i.invoice_no, []) if i.doc_type == "invoice" else []
        values.append((i.invoice_no, i.doc_type, i.invoice_date, i.customer_id, ctx.name(i.customer_id), i.currency,
                       i.net_amount, i.vat_amount, i.total_amount, i.status, i.original_invoice, i.ebm_receipt_no,
                       "E" if i.ebm_receipt_no.strip() else "X", i.sage_exported,
                       f"{found[0]}-{found[1]}" if found else "", len(notes), ", ".join(notes), z_row))
    spec.data = DataRows(COLUMNS, values)
    return spec


def _totals(ctx: PackContext, docs: list[tuple[int, Invoice]]) -> SheetSpec:
    """C1: the register footed per currency and type (not cancelled), each total tied to Z1 by SUMIFS."""
    spec = paper("C1", "Register totals", "Invoice register of the period: totals", ctx.head,
                 f"C (the register of the period) and Z1 dated {ctx.first:%d/%m/%Y} to {ctx.last:%d/%m/%Y}",
                 marks="✓ΣEX", widths={"A": 12, "B": 14, "F": 20, "G": 20, "H": 14})
    header(spec, "Currency", "Type", "Documents", "No EBM receipt", "", "Per the register (C)", "Per Z1",
           "Difference", "Tickmark")
    last = FIRST_ROW + len(docs) - 1

    def own(letter: str) -> str:
        return f"'{REGISTER}'!${letter}${FIRST_ROW}:${letter}${last}"

    for c in ctx.currencies:
        for kind in ("invoice", "credit_note"):
            mine = [i for _, i in docs if same(i.currency, c) and i.doc_type == kind and i.status != "cancelled"]
            if not mine:
                continue
            row = spec.next_row
            where = f'{own("F")},{quoted(c)},{own("B")},{quoted(kind)},{own("J")},"<>cancelled"'
            total = sum((i.total_amount for i in mine), ZERO)
            z1 = sumifs(Z_INVOICES, INV["total"], (INV["currency"], quoted(c)), (INV["type"], quoted(kind)),
                        (INV["status"], quoted("<>cancelled")), *date_criteria(INV["date"], (ctx.first, ctx.last)))
            missing = sum(1 for i in mine if not i.ebm_receipt_no.strip())
            spec.add(Cell(c), Cell(kind), Cell(len(mine), formula=f"=COUNTIFS({where})", style="integer"),
                     Cell(missing, formula=f'=COUNTIFS({where},{own("M")},"X")', style="integer"),
                     mark("X" if missing else "E"), amount(total, f"=SUMIFS({own('I')},{where})", c, "total"),
                     amount(total, f"={z1}", c), amount(ZERO, f"=F{row}-G{row}", c), mark("Σ✓"))
    if not docs:
        spec.add(Cell("no document dated in the period", style="note"))
    return spec


@dataclass(frozen=True, slots=True)
class Gap:
    """A stretch of a run's numbers the period did not issue (``first`` to ``last``): missing, or issued but
    dated outside the period (``date`` to ``latest``)."""

    first: str
    last: str
    what: str  # "missing" or "dated outside the period"
    count: int
    date: dt.date | None = None  # dated outside: the earliest date of the stretch
    latest: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Run:
    """One series in one year: the numbers the period accounts for (sequences ``low`` to ``high``)."""

    series: str
    year: int
    low: int
    high: int
    first: int  # the lowest number dated in the period
    issued: int
    cancelled: int
    credited: int
    gaps: list[Gap]
    digits: int

    @property
    def name(self) -> str:
        return f"{self.series}-{self.year}"

    def number(self, seq: int) -> str:
        return f"{self.series}-{self.year:04d}-{seq:0{self.digits}d}"  # as core.numbering.format_number writes it

    def counted(self, what: str) -> int:
        return sum(g.count for g in self.gaps if g.what == what)


def runs(ctx: PackContext) -> tuple[list[Run], list[Invoice]]:
    """The runs of numbers of the period, and the period's documents of no series."""
    numbered: dict[tuple[str, int], dict[int, Invoice]] = defaultdict(dict)
    strays = []
    credited = {i.original_invoice for i in ctx.ledger.invoices
                if i.doc_type == "credit_note" and i.original_invoice and i.status != "cancelled"}
    first, last = ctx.first, ctx.last
    for i in ctx.ledger.invoices:
        found = series_of(ctx, i.invoice_no)
        if found:
            numbered[(found[0], found[1])][found[2]] = i
        elif first <= i.invoice_date <= last:
            strays.append(i)
    result = []
    for (series, year), by_seq in sorted(numbered.items()):
        mine = sorted(s for s, i in by_seq.items() if first <= i.invoice_date <= last)
        if not mine:
            continue
        before = [s for s, i in by_seq.items() if i.invoice_date < first]
        low, high = min(max(before) + 1 if before else 1, mine[0]), mine[-1]
        digits = max(len(i.invoice_no.rsplit("-", 1)[1]) for i in by_seq.values())
        run = Run(series, year, low, high, mine[0], len(mine), 0, 0, [], digits)
        _stretches(run, by_seq, first, last)
        docs = [by_seq[s] for s in mine]
        result.append(dataclasses.replace(
            run, cancelled=sum(1 for d in docs if d.status == "cancelled"),
            credited=sum(1 for d in docs if d.doc_type == "invoice" and d.status != "cancelled"
                         and d.invoice_no in credited)))
    return result, sorted(strays, key=lambda i: i.invoice_no)


def _stretches(run: Run, by_seq: dict[int, Invoice], first: dt.date, last: dt.date) -> None:
    """The run's numbers the period did not issue, walked over the numbers issued (not the whole run): each
    stretch missing, or issued but dated outside the period, becomes one :class:`Gap`."""
    outside: list[int] = []  # the stretch dated outside the period being walked
    days: list[dt.date] = []

    def close() -> None:
        if outside:
            run.gaps.append(Gap(run.number(outside[0]), run.number(outside[-1]), "dated outside the period",
                                len(outside), min(days), max(days)))
            outside.clear()
            days.clear()

    previous = run.low - 1
    for seq in sorted(k for k in by_seq if run.low <= k <= run.high):
        if seq > previous + 1:
            close()
            run.gaps.append(Gap(run.number(previous + 1), run.number(seq - 1), "missing", seq - previous - 1))
        day = by_seq[seq].invoice_date
        if first <= day <= last:
            close()
        else:
            outside.append(seq)
            days.append(day)
        previous = seq
    close()


def _dates(g: Gap) -> Cell:
    if g.date is None or g.latest is None:
        return Cell("")
    return Cell(g.date, style="date") if g.date == g.latest else Cell(f"{g.date:%d/%m/%Y} to {g.latest:%d/%m/%Y}")


def _numbering(ctx: PackContext) -> SheetSpec:
    settings = ctx.ledger.settings
    spec = paper("C2", "Numbering", "Numbering: every number of every series accounted for", ctx.head,
                 f"C (the register of the period) and Z1; series of Settings: {settings.invoice_series}, "
                 f"{settings.credit_note_series}", marks="✓ΣX",
                 widths={"A": 14, "B": 18, "C": 18, "D": 18, "E": 10, "F": 10, "G": 10, "H": 10, "I": 10, "J": 10,
                         "K": 10, "L": 12, "M": 12})
    header(spec, "Series", "First of the run", "Last of the run", "First in the period", "From", "To",
           "Numbers in the run", "Issued in the period", "Void (cancelled)", "Credited", "Missing",
           "Dated outside the period", "Unaccounted")
    found, strays = runs(ctx)
    top = FIRST_ROW + len(found) + 3  # the first exception row: after the runs, a blank, a title and a header
    bottom = top + max(sum(len(r.gaps) for r in found) + len(strays) - 1, 0)
    listed = f"$A${top}:$A${bottom}", f"$D${top}:$D${bottom}", f"$E${top}:$E${bottom}"
    c = f"'{REGISTER}'!"
    for r in found:
        row = spec.next_row
        missing, outside = r.counted("missing"), r.counted("dated outside the period")
        count = f"COUNTIFS({c}${SERIES}:${SERIES},A{row}"
        gaps = f"SUMIFS({listed[2]},{listed[0]},A{row},{listed[1]}"
        spec.add(Cell(r.name), Cell(r.number(r.low)), Cell(r.number(r.high)), Cell(r.number(r.first)),
                 Cell(r.low, style="integer"), Cell(r.high, style="integer"),
                 Cell(r.high - r.low + 1, formula=f"=F{row}-E{row}+1", style="integer"),
                 Cell(r.issued, formula=f"={count})", style="integer"),
                 Cell(r.cancelled, formula=f'={count},{c}${STATUS}:${STATUS},"cancelled")', style="integer"),
                 Cell(r.credited, formula=f'={count},{c}${CREDITED}:${CREDITED},">0",{c}${STATUS}:${STATUS},'
                                          '"<>cancelled")', style="integer"),
                 Cell(missing, formula=f'={gaps},"missing")', style="integer"),
                 Cell(outside, formula=f'={gaps},"dated outside the period")', style="integer"),
                 Cell(r.high - r.low + 1 - r.issued - missing - outside, formula=f"=G{row}-H{row}-K{row}-L{row}",
                      style="total"),
                 mark("X" if r.gaps else "✓"))
    spec.blank()
    spec.add(Cell("Numbers to explain", style="bold"))
    spec.add(*(Cell(t, style="header") for t in ("Series", "Number", "To", "Exception", "Numbers", "Date",
                                                 "Tickmark")))
    assert spec.next_row == top, "the numbering's exception rows moved"
    for r in found:
        for g in r.gaps:
            spec.add(Cell(r.name), Cell(g.first), Cell(g.last if g.last != g.first else ""), Cell(g.what),
                     Cell(g.count, style="integer"), _dates(g), mark("X"))
    for i in strays:
        spec.add(Cell(""), Cell(i.invoice_no), Cell(""), Cell(f"of no series ({settings.invoice_series}, "
                                                              f"{settings.credit_note_series})"),
                 Cell(1, style="integer"), Cell(i.invoice_date, style="date"), mark("X"))
    if not any(r.gaps for r in found) and not strays:
        spec.add(Cell(""), Cell("none: every number of the run is issued in the period", style="note"))
    return spec
