"""C, the invoice register of the period, and C2, its numbering: every number of every series accounted for.

**C Register** lists the invoices and credit notes dated in the period, each amount a reference to its row of
Z1 (so a figure traces to the ledger's cell), with its EBM receipt (an invoice is the commercial document, the
EBM receipt the fiscal one: a missing receipt number is an exception) and the date it went to Sage. Below, a
total per currency and type, footed over the paper's rows and tied to Z1 by ``SUMIFS``.

**C2 Numbering** takes each series of Settings (Invoice Series, Credit Note Series) year by year: the run of
numbers the period should account for (from the one after the last number dated before the period, or the
period's lowest if that is lower, to the period's highest), how many of them were issued in the period, how
many are void (cancelled) and how many credited (a credit note names them), and every other number of the run
listed one per row: missing (a gap: a row deleted by hand, to be explained) or dated outside the period. The
run less what is issued and listed must be nil. A document whose number is of no series is listed too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from arxl.books.audit.context import INV, Z_INVOICES, PackContext, quoted, sumifs
from arxl.books.audit.lead import amount, date_criteria, mark, same
from arxl.books.audit.papers import FIRST_ROW, header, paper, sheet_name
from arxl.core.numbering import format_number, parse_number
from arxl.ledger.changes import Cell, SheetSpec
from arxl.ledger.records import Invoice

ZERO = Decimal(0)
REGISTER = sheet_name("C", "Register")
SERIES, CREDITED, STATUS, CURRENCY, TYPE = "O", "P", "J", "F", "B"  # columns of C the numbering counts


def series_of(ctx: PackContext, number: str) -> tuple[str, int, int] | None:
    """(series, year, sequence) of a document number, for the series of Settings."""
    settings = ctx.ledger.settings
    for series in dict.fromkeys((settings.invoice_series, settings.credit_note_series)):
        parsed = parse_number(number, series)
        if parsed:
            return series, parsed[0], parsed[1]
    return None


def in_period(ctx: PackContext) -> list[tuple[int, Invoice]]:
    """The documents dated in the period with their Z1 rows, in date and number order."""
    rows = [(FIRST_ROW + n, i) for n, i in enumerate(ctx.ledger.invoices) if ctx.period.contains(i.invoice_date)]
    return sorted(rows, key=lambda r: (r[1].invoice_date, r[1].invoice_no))


def register_paper(ctx: PackContext) -> list[SheetSpec]:
    """C, the invoice register of the period, and C2, the numbering report."""
    return [_register(ctx), _numbering(ctx)]


def _register(ctx: PackContext) -> SheetSpec:
    spec = paper("C", "Register", "Invoice register of the period", ctx.head,
                 f"Z1 (the Invoices table), documents dated {ctx.first:%d/%m/%Y} to {ctx.last:%d/%m/%Y}",
                 marks="✓ΣEX", widths={"A": 18, "D": 12, "E": 30, "K": 18, "L": 18, "N": 14, "O": 12, "P": 10})
    header(spec, "Number", "Type", "Date", "Customer ID", "Name", "Currency", "Net Amount", "VAT Amount",
           "Total Amount", "Status", "Original Invoice", "EBM Receipt No", "EBM", "Sage Exported", "Series",
           "Credit Notes")
    docs = in_period(ctx)
    against: dict[str, int] = defaultdict(int)
    for i in ctx.ledger.invoices:
        if i.doc_type == "credit_note" and i.original_invoice and i.status != "cancelled":
            against[i.original_invoice] += 1
    z = f"'{Z_INVOICES}'!"
    for z_row, i in docs:
        row = spec.next_row
        c = i.currency
        found = series_of(ctx, i.invoice_no)
        notes = against.get(i.invoice_no, 0) if i.doc_type == "invoice" else 0
        spec.add(Cell(i.invoice_no), Cell(i.doc_type), Cell(i.invoice_date, style="date"), Cell(i.customer_id),
                 Cell(ctx.name(i.customer_id)), Cell(c),
                 amount(i.net_amount, f"={z}{INV['net']}{z_row}", c),
                 amount(i.vat_amount, f"={z}{INV['vat']}{z_row}", c),
                 amount(i.total_amount, f"={z}{INV['total']}{z_row}", c), Cell(i.status), Cell(i.original_invoice),
                 Cell(i.ebm_receipt_no), mark("E" if i.ebm_receipt_no.strip() else "X"),
                 Cell(i.sage_exported, style="date") if i.sage_exported else Cell("not exported", style="note"),
                 Cell(f"{found[0]}-{found[1]}" if found else ""),
                 Cell(notes, formula=f'=IF(B{row}="invoice",COUNTIFS({z}${INV["original"]}:${INV["original"]},'
                                     f'A{row},{z}${INV["type"]}:${INV["type"]},"credit_note",{z}${INV["status"]}:${INV["status"]},'
                                     '"<>cancelled"),0)',
                      style="integer"))
    last = max(spec.next_row - 1, FIRST_ROW)
    spec.blank()
    spec.add(Cell("Totals (not cancelled)", style="bold"))
    spec.add(*(Cell(t, style="header") for t in ("Currency", "Type", "Documents", "No EBM receipt", "",
                                                 "Per this register", "Per Z1", "Difference")))
    window = (ctx.first, ctx.last)

    def own(letter: str) -> str:
        return f"${letter}${FIRST_ROW}:${letter}${last}"

    for c in ctx.currencies:
        for kind in ("invoice", "credit_note"):
            mine = [i for _, i in docs if same(i.currency, c) and i.doc_type == kind and i.status != "cancelled"]
            if not mine:
                continue
            row = spec.next_row
            where = f'{own("F")},{quoted(c)},{own("B")},{quoted(kind)},{own("J")},"<>cancelled"'
            total = sum((i.total_amount for i in mine), ZERO)
            z1 = sumifs(Z_INVOICES, INV["total"], (INV["currency"], quoted(c)), (INV["type"], quoted(kind)),
                        (INV["status"], quoted("<>cancelled")), *date_criteria(INV["date"], window))
            missing = sum(1 for i in mine if not i.ebm_receipt_no.strip())
            spec.add(Cell(c), Cell(kind), Cell(len(mine), formula=f"=COUNTIFS({where})", style="integer"),
                     Cell(missing, formula=f'=COUNTIFS({where},{own("M")},"X")', style="integer"), mark(
                         "X" if missing else "E"),
                     amount(total, f"=SUMIFS({own('I')},{where})", c, "total"), amount(total, f"={z1}", c),
                     amount(ZERO, f"=F{row}-G{row}", c), mark("Σ✓"))
    return spec


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
    exceptions: list[tuple[str, str, object]]  # (number, what, date or "")
    digits: int

    @property
    def name(self) -> str:
        return f"{self.series}-{self.year}"


def runs(ctx: PackContext) -> tuple[list[Run], list[Invoice]]:
    """The runs of numbers of the period, and the period's documents of no series."""
    numbered: dict[tuple[str, int], dict[int, Invoice]] = defaultdict(dict)
    strays = []
    credited = {i.original_invoice for i in ctx.ledger.invoices
                if i.doc_type == "credit_note" and i.original_invoice and i.status != "cancelled"}
    for i in ctx.ledger.invoices:
        found = series_of(ctx, i.invoice_no)
        if found:
            numbered[(found[0], found[1])][found[2]] = i
        elif ctx.period.contains(i.invoice_date):
            strays.append(i)
    result = []
    for (series, year), by_seq in sorted(numbered.items()):
        mine = [s for s, i in by_seq.items() if ctx.period.contains(i.invoice_date)]
        if not mine:
            continue
        before = [s for s, i in by_seq.items() if i.invoice_date < ctx.first]
        low = min(max(before) + 1 if before else 1, min(mine))
        high = max(mine)
        digits = max(len(i.invoice_no.rsplit("-", 1)[1]) for i in by_seq.values())
        exceptions: list[tuple[str, str, object]] = []
        for seq in range(low, high + 1):
            doc = by_seq.get(seq)
            if doc is None:
                exceptions.append((format_number(series, year, seq, digits), "missing", ""))
            elif not ctx.period.contains(doc.invoice_date):
                exceptions.append((doc.invoice_no, "dated outside the period", doc.invoice_date))
        docs = [by_seq[s] for s in mine]
        result.append(Run(series, year, low, high, min(mine), len(docs),
                          sum(1 for d in docs if d.status == "cancelled"),
                          sum(1 for d in docs if d.doc_type == "invoice" and d.status != "cancelled"
                              and d.invoice_no in credited), exceptions, digits))
    return result, sorted(strays, key=lambda i: i.invoice_no)


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
    bottom = top + max(sum(len(r.exceptions) for r in found) + len(strays) - 1, 0)
    listed = f"$A${top}:$A${bottom}", f"$C${top}:$C${bottom}"
    c = f"'{REGISTER}'!"
    for r in found:
        row = spec.next_row
        missing = sum(1 for _, what, _ in r.exceptions if what == "missing")
        outside = len(r.exceptions) - missing
        count = f"COUNTIFS({c}${SERIES}:${SERIES},A{row}"
        spec.add(Cell(r.name), Cell(format_number(r.series, r.year, r.low, r.digits)),
                 Cell(format_number(r.series, r.year, r.high, r.digits)),
                 Cell(format_number(r.series, r.year, r.first, r.digits)),
                 Cell(r.low, style="integer"), Cell(r.high, style="integer"),
                 Cell(r.high - r.low + 1, formula=f"=F{row}-E{row}+1", style="integer"),
                 Cell(r.issued, formula=f"={count})", style="integer"),
                 Cell(r.cancelled, formula=f'={count},{c}${STATUS}:${STATUS},"cancelled")', style="integer"),
                 Cell(r.credited, formula=f'={count},{c}${CREDITED}:${CREDITED},">0",{c}${STATUS}:${STATUS},'
                                          '"<>cancelled")', style="integer"),
                 Cell(missing, formula=f'=COUNTIFS({listed[0]},A{row},{listed[1]},"missing")', style="integer"),
                 Cell(outside, formula=f'=COUNTIFS({listed[0]},A{row},{listed[1]},"dated outside the period")',
                      style="integer"),
                 Cell(r.high - r.low + 1 - r.issued - len(r.exceptions), formula=f"=G{row}-H{row}-K{row}-L{row}",
                      style="total"),
                 mark("X" if r.exceptions else "✓"))
    spec.blank()
    spec.add(Cell("Numbers to explain", style="bold"))
    spec.add(*(Cell(t, style="header") for t in ("Series", "Number", "Exception", "Date", "Tickmark")))
    assert spec.next_row == top, "the numbering's exception rows moved"
    for r in found:
        for number, what, day in r.exceptions:
            spec.add(Cell(r.name), Cell(number), Cell(what), Cell(day, style="date") if day else Cell(""), mark("X"))
    for i in strays:
        spec.add(Cell(""), Cell(i.invoice_no), Cell(f"of no series ({settings.invoice_series}, "
                                                    f"{settings.credit_note_series})"),
                 Cell(i.invoice_date, style="date"), mark("X"))
    if not any(r.exceptions for r in found) and not strays:
        spec.add(Cell(""), Cell("none: every number of the run is issued in the period", style="note"))
    return spec
