"""The Aging sheet: what each customer owes at a date, by how long it has been overdue, and proof that it adds up.

The sheet has three parts, top to bottom:

- the **check**, one line per currency: the buckets plus credits plus unapplied cash, the total outstanding
  and the sum of the open items must be the same number, and a cell says OK (or DIFFERENCE); with more than
  one currency, the total of all in the base currency: each foreign open item at the Rates sheet's closing
  rate of the as-of date (the detail's "In RWF" column, ROUND(amount x rate), :func:`arxl.core.fx.in_base`),
  summed, with the rate, its date and its source. Without a rate that day or the four days before the total is
  left out and the sheet says which;
- the **summary**, one block per currency (RWF and USD are never added together): a row per customer with the
  buckets of Settings (Current first), open credit notes and unapplied cash apart, and the balance; a total
  row; a stacked bar chart of the largest debtors. Every figure is a SUMIFS formula over the customer's own
  rows of the detail, so an auditor can trace it, and Python's own result is stored with it;
- the **detail**, one row per open item (an Excel Table: filter buttons, headers that stay in view), sorted by
  customer: customer, document, kind (invoice, credit note, unapplied cash), dates, days past due (or age from
  the invoice date, as Settings say), bucket, currency and open amount.

What a recalculation costs: each customer's items are one block of the detail (customer, then currency, then the
order of the open items), and a summary line's formulas read only that block (``SUMIFS($J$120:$J$124,
$A$120:$A$124,$A5,…)``), so the cells the sheet's formulas reference grow with its rows (a few dozen a row),
not with customers x open items as SUMIFS over the whole detail did (44,600 a row for 20,000 invoices). The
customer criterion stays in each formula: a detail re-sorted by hand leaves items outside their block, the
lines no longer add up to the open items, and the check says DIFFERENCE.

The figures are those of the aging report (:mod:`arxl.aging.aged`) over the open items of
:func:`arxl.ledger.openitems.open_items`: a true historical as-of (invoices after the date left out, payments after
it not yet received), credits and unapplied cash as negative items.

Bucket labels on the sheet end in "days" ("1-30 days"): a criterion such as "1-30" could be read as a date
(30 January) by a spreadsheet's criteria parser.

>>> import datetime as dt
>>> from decimal import Decimal as D
>>> from arxl.aging.aged import build_report
>>> from arxl.ledger.openitems import OpenItem
>>> item = OpenItem("invoice", "INV-1", "C1", "RWF", dt.date(2025, 5, 1), dt.date(2025, 5, 31), D(1180000),
...                 D(0), D(0), D(1180000))
>>> spec = aging_sheet(build_report([item], {"C1": "Ministry of ICT"}, dt.date(2025, 6, 30)))
>>> spec.name
'Aging'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from arxl.aging.aged import AgedItem, AgingReport, CurrencyBlock, build_report, sheet_labels
from arxl.core.aging import Basis, parse_buckets
from arxl.core.errors import BadValue, CellRef, Problem
from arxl.core.fx import in_base
from arxl.core.money import CURRENCIES
from arxl.ledger.changes import Cell, ChangeSet, ChartSpec, ConditionalFill, SheetSpec, TableArea
from arxl.ledger.ledger import Ledger
from arxl.ledger.openitems import open_items
from arxl.ledger.port import column_letter

AGING_SHEET = "Aging"
DETAIL_TABLE = "AgingDetail"
KINDS = {"invoice": "Invoice", "credit": "Credit note", "unapplied": "Unapplied cash"}
TOP_DEBTORS = 10
# Series colours of the chart, from current (green) to the oldest bucket (red).
_RAMP = ("70AD47", "A9D18E", "FFD966", "F4B183", "E46C0A", "C00000")
# Conditional fills of the overdue buckets, from 31-60 on: "61+ in red tones".
_TONES = ("FFF2CC", "FCE4D6", "F8CBAD", "F4B084", "EE8B8B")
_WILDCARDS = ("*", "?", "~")
# What the aging reads, table by table (for :func:`arxl.formats.xlsx.fastread.read_columns` on a big ledger), and the
# tables worth reading in a second process while the others are read.
AGING_COLUMNS: dict[str, tuple[str, ...] | None] = {
    "Customers": ("customer_id", "name"),
    "Invoices": ("invoice_no", "doc_type", "invoice_date", "due_date", "customer_id", "currency", "total_amount",
                 "original_invoice", "status"),
    "Receipts": ("receipt_id", "date", "amount", "currency", "customer_id"),
    "Allocations": ("receipt_id", "invoice_no", "date", "applied_amount", "deduction_amount", "currency", "rate"),
    "Rates": ("date", "currency", "rate", "source"),
}
AGING_ELSEWHERE = ("Receipts", "Allocations")


def aging_report(ledger: Ledger, as_of: dt.date) -> AgingReport:
    """The aging of a ledger at the end of ``as_of``, with the buckets and basis of its Settings."""
    settings = ledger.settings
    try:
        scheme = parse_buckets(settings.aging_buckets)
    except BadValue as exc:
        raise BadValue(f"Aging Buckets: {exc.message}", CellRef(ledger.book, "Settings")) from None
    basis: Basis = settings.aging_basis or "due_date"
    items = open_items(ledger.invoices, ledger.allocations, as_of, ledger.receipts)
    names = {c.customer_id: c.name for c in ledger.customers}
    base = settings.base_currency or "RWF"
    day_rates = ledger.day_rates()
    rates = {code: rate for code in sorted({i.currency for i in items} - {base})
             if (rate := day_rates.on(code, as_of)) is not None}
    return build_report(items, names, as_of, scheme, basis, company=settings.company_name, base_currency=base,
                        rates=rates)


def missing_rates(book: str, report: AgingReport) -> list[Problem]:
    """A warning per foreign currency without a closing rate: the converted total is left out (the aging is not)."""
    return [Problem(CellRef(book, "Rates"), f"no {code} rate for {report.as_of:%Y-%m-%d} or the 4 days before in "
                    f"Rates: the Aging sheet's total in {report.base_currency} is left out; add BNR's rate",
                    "warning") for code in report.missing]


def aging_changes(ledger: Ledger, as_of: dt.date) -> ChangeSet:
    """What refreshing the Aging sheet writes: the sheet, replaced whole."""
    changes = ChangeSet()
    changes.replace_sheet(aging_sheet(aging_report(ledger, as_of)))
    return changes


# --- the sheet --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Columns:
    """Where things are on the sheet: the summary's columns and the detail's ranges."""

    buckets: tuple[str, ...]
    credits: str
    unapplied: str
    balance: str
    last: str  # the summary's last column


def _columns(count: int) -> _Columns:
    letters = [column_letter(3 + i) for i in range(count + 3)]
    return _Columns(tuple(letters[:count]), letters[count], letters[count + 1], letters[count + 2],
                    letters[count + 2])


def _text(value: str) -> str:
    """A text for a formula: in double quotes, quotes doubled."""
    return '"' + value.replace('"', '""') + '"'


def _criterion(customer_id: str, cell: str) -> str:
    """The customer criterion: the cell with its ID, or the ID spelled out when a spreadsheet would read it
    as a pattern (* ? ~) or a comparison (< > =)."""
    if any(w in customer_id for w in _WILDCARDS) or customer_id[:1] in ("<", ">", "="):
        escaped = "".join("~" + ch if ch in _WILDCARDS else ch for ch in customer_id)
        return _text("=" + escaped)
    return cell


def aging_sheet(report: AgingReport) -> SheetSpec:
    """The Aging sheet of a report."""
    labels = report.labels or sheet_labels(report.scheme)
    cols = _columns(len(labels))
    widths = {"A": 12.0, "B": 34.0, **{column_letter(3 + i): 14.0 for i in range(len(labels) + 3)}}
    widths[cols.balance] = 15.0
    sheet = SheetSpec(AGING_SHEET, widths=widths, freeze="A3", tab_color="1F4E78", landscape=True, fit_width=True)
    basis = "due date" if report.basis == "due_date" else "invoice date"
    sheet.add(Cell(f"Aged receivables at {report.as_of:%d/%m/%Y}", style="title"))
    accounts = len({(i.customer_id, i.item.currency) for i in report.items})
    sheet.add(Cell(f"{report.company} · {len(report.items):,} open item(s) of {accounts:,} customer account(s) · "
                   f"age from the {basis} · every figure is a live formula over the open items at the bottom",
                   style="subtitle"))
    sheet.blank()
    if not report.items:
        sheet.add(Cell("No open items at this date: nothing is owed and no credit or cash is unapplied.",
                       style="good"))
        return sheet
    # Rows are laid out first so that every formula knows where the detail and the totals are.
    check_top = sheet.next_row
    check_rows = {b.currency: check_top + 1 + i for i, b in enumerate(report.blocks)}
    converted = _shows_conversion(report)
    foreign = [b.currency for b in report.blocks if b.currency != report.base_currency]
    below = 1 + len(foreign) if converted else 1 if report.missing else 0  # the total and rates, or a warning
    row = check_top + 1 + len(report.blocks) + below + 1
    debtors = {b.currency: min(TOP_DEBTORS, sum(1 for c in b.customers if c.invoices > 0)) for b in report.blocks}
    charted = [b.currency for b in report.blocks if debtors[b.currency]]
    chart_top = row
    row += _CHART_ROWS * ((len(charted) + 1) // 2)
    block_rows: dict[str, tuple[int, int, int, int]] = {}  # currency -> title, header, first, total row
    for block in report.blocks:
        first = row + 2
        total = first + len(block.customers)
        block_rows[block.currency] = (row, row + 1, first, total)
        row = total + 3  # the total, the share row, a blank line
    detail_title = row
    first_item, last_item = detail_title + 2, detail_title + 1 + len(report.items)
    detail = _detail(first_item, last_item)
    items = _by_customer(report)
    spans = _spans(items, first_item)
    rate_rows = {code: check_top + len(report.blocks) + 2 + n for n, code in enumerate(foreign)} if converted else {}

    _check_block(sheet, report, cols, check_rows, block_rows, detail, rate_rows)
    sheet.blank()
    while sheet.next_row < block_rows[report.blocks[0].currency][0]:
        sheet.blank()  # the charts' place
    left, right = _chart_places(widths, cols.last)
    for n, code in enumerate(charted):
        first = block_rows[code][2]
        column, width = (left if n % 2 == 0 else right)
        sheet.charts.append(ChartSpec(
            f"Largest debtors in {code} (top {debtors[code]}) by bucket", "B", cols.buckets, first,
            first + debtors[code] - 1, f"{column}{chart_top + _CHART_ROWS * (n // 2)}",
            colors=_ramp(len(labels)), width_cm=width, height_cm=_CHART_ROWS * 0.53 - 0.6))
    for block in report.blocks:
        _currency_block(sheet, block, labels, cols, spans, block_rows[block.currency])
    sheet.print_area = f"A1:{cols.last}{detail_title - 2}"
    _detail_block(sheet, report, items, detail_title, first_item, last_item,
                  {c: f"$B${r}" for c, r in rate_rows.items()})
    return sheet


_CHART_ROWS = 18


def _cm(width: float) -> float:
    """A column's width in centimetres (Excel: characters of the default font, about 7 pixels each at 96 dpi)."""
    return (width * 7 + 5) / 96 * 2.54


def _chart_places(widths: Mapping[str, float], last: str) -> tuple[tuple[str, float], tuple[str, float]]:
    """Where two charts side by side go over the summary's columns: (anchor column, width in cm) each."""
    letters = [column_letter(i) for i in range(1, 1 + _column_number(last))]
    sizes = [_cm(widths.get(letter, 8.43)) for letter in letters]
    total = sum(sizes)
    run, split = 0.0, len(letters) - 1
    for index, size in enumerate(sizes):
        if run + size / 2 >= total / 2:
            split = index
            break
        run += size
    gap = 0.4
    return (letters[0], run - gap), (letters[split], total - run - gap)


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


@dataclass(frozen=True, slots=True)
class _Detail:
    customer: str
    currency: str
    kind: str
    bucket: str
    amount: str
    converted: str

    def sumifs(self, *criteria: tuple[str, str]) -> str:
        parts = "".join(f",{where},{what}" for where, what in criteria)
        return f"=SUMIFS({self.amount}{parts})"


def _detail(first: int, last: int) -> _Detail:
    """The detail's columns over its rows ``first`` to ``last``."""
    ranges = {letter: f"${letter}${first}:${letter}${last}" for letter in "ADHIJK"}
    return _Detail(ranges["A"], ranges["I"], ranges["D"], ranges["H"], ranges["J"], ranges["K"])


def _by_customer(report: AgingReport) -> list[AgedItem]:
    """The open items in the detail's order: by customer, then currency (the blocks' order), then as they came."""
    rank = {b.currency: n for n, b in enumerate(report.blocks)}
    return sorted(report.items, key=lambda i: (i.customer_id, rank[i.item.currency]))


def _spans(items: Sequence[AgedItem], first: int) -> dict[tuple[str, str], tuple[int, int]]:
    """(currency, customer ID) -> the first and last row of its items in the detail (one block each)."""
    spans: dict[tuple[str, str], tuple[int, int]] = {}
    for row, aged in enumerate(items, start=first):
        key = (aged.item.currency, aged.customer_id)
        start = spans.get(key, (row, row))[0]
        spans[key] = (start, row)
    return spans


def _ramp(count: int) -> tuple[str, ...]:
    if count == 1:
        return _RAMP[:1]
    return tuple(_RAMP[round(i * (len(_RAMP) - 1) / (count - 1))] for i in range(count))


def _shows_conversion(report: AgingReport) -> bool:
    """Whether the check shows the base-currency equivalent (several currencies, each with a closing rate)."""
    others = [b.currency for b in report.blocks if b.currency != report.base_currency]
    return bool(others) and not report.missing


def _check_block(sheet: SheetSpec, report: AgingReport, cols: _Columns, check_rows: dict[str, int],
                 block_rows: dict[str, tuple[int, int, int, int]], detail: _Detail, rate_rows: dict[str, int]) -> None:
    converted = bool(rate_rows)
    base = report.base_currency
    headers = ["Check", "Buckets + credits + unapplied", "Outstanding", "Open items", "Result"]
    if converted:
        headers.append(f"In {base}")
    top = sheet.add(*(Cell(h, style="header") for h in headers))
    for block in report.blocks:
        r = check_rows[block.currency]
        total_row = block_rows[block.currency][3]
        code = block.currency
        places = CURRENCIES[code].exponent if code in CURRENCIES else 2
        classified = sum((block.bucket_total(i) for i in range(len(cols.buckets))), Decimal(0)) + block.credits \
            + block.unapplied
        ok = classified == block.balance == block.items_total
        cells = [
            Cell(code, style="bold"),
            Cell(classified, formula=f"=SUM({cols.buckets[0]}{total_row}:{cols.unapplied}{total_row})",
                 currency=code),
            Cell(block.balance, formula=f"={cols.balance}{total_row}", currency=code),
            Cell(block.items_total, formula=detail.sumifs((detail.currency, _text(code))), currency=code),
            Cell("OK" if ok else "DIFFERENCE", style="good",
                 formula=f'=IF(AND(ROUND(B{r}-C{r},{places})=0,ROUND(C{r}-D{r},{places})=0),"OK","DIFFERENCE")'),
        ]
        if converted:
            cells.append(_converted_cell(report, code, f"C{r}", detail))
        sheet.add(*cells)
    last = top + len(report.blocks)
    sheet.conditional.append(ConditionalFill(f"E{top + 1}:E{last}", f'E{top + 1}<>"OK"', "F8CBAD"))
    if converted:
        total = sum((report.converted(b.currency) or Decimal(0) for b in report.blocks), Decimal(0))
        sheet.add(Cell(f"All currencies in {base}", style="total"), *(Cell("", style="total") for _ in range(4)),
                  Cell(total, formula=f"=SUM(F{top + 1}:F{last})", style="total", currency=base))
        for code, row in rate_rows.items():
            rate = report.rates[code]
            assert sheet.next_row == row
            sheet.add(Cell(f"Rate {code}", style="note"),
                      Cell(rate.rate, style="decimal" if rate.rate % 1 else "integer"),
                      Cell(f"{base} per {code} on {rate.published:%d/%m/%Y} ({rate.source or 'no source given'}, "
                           f"Rates sheet): each open item at this closing rate, for this line only; each currency "
                           "is aged and totalled on its own", style="note"))
    elif report.missing:
        shown = ", ".join(report.missing)
        sheet.add(Cell(f"No total in {base}: no {shown} rate in the Rates sheet for {report.as_of:%d/%m/%Y} or the "
                       "4 days before", style="warning"))


def _converted_cell(report: AgingReport, code: str, ref: str, detail: _Detail) -> Cell:
    """The block's balance in the base currency: the sum of its open items each at the closing rate."""
    base = report.base_currency
    value = report.converted(code)
    if code == base:
        return Cell(value, formula=f"={ref}", currency=base)
    return Cell(value, formula=detail.sumifs((detail.currency, _text(code))).replace(detail.amount, detail.converted,
                                                                                       1), currency=base)


def _currency_block(sheet: SheetSpec, block: CurrencyBlock, labels: Sequence[str], cols: _Columns,
                    spans: Mapping[tuple[str, str], tuple[int, int]], rows: tuple[int, int, int, int]) -> None:
    title, _, first, total = rows
    code = block.currency
    assert sheet.next_row == title
    sheet.add(Cell(f"{code}: receivables by customer, largest balance first ({len(block.customers):,} "
                   "account(s))", style="bold"))
    sheet.add(Cell("Customer ID", style="header"), Cell("Name", style="header"),
              *(Cell(label, style="header") for label in labels), Cell("Credit notes", style="header"),
              Cell("Unapplied cash", style="header"), Cell(f"Balance {code}", style="header"))
    for r, line in enumerate(block.customers, start=first):
        mine = _detail(*spans[(code, line.customer_id)])  # the line's own rows of the detail, nothing else
        who = (mine.customer, _criterion(line.customer_id, f"$A{r}"))
        invoice = (mine.kind, _text(KINDS["invoice"]))
        cells = [Cell(line.customer_id), Cell(line.name)]
        for label, amount in zip(labels, line.buckets, strict=True):
            cells.append(Cell(amount, formula=mine.sumifs(who, invoice, (mine.bucket, _text(label))), currency=code))
        cells.append(Cell(line.credits, formula=mine.sumifs(who, (mine.kind, _text(KINDS["credit"]))),
                          currency=code))
        cells.append(Cell(line.unapplied, formula=mine.sumifs(who, (mine.kind, _text(KINDS["unapplied"]))),
                          currency=code))
        cells.append(Cell(line.balance, formula=mine.sumifs(who), currency=code, style="bold"))
        sheet.add(*cells)
    last = total - 1
    money = [*cols.buckets, cols.credits, cols.unapplied, cols.balance]
    values = [*(block.bucket_total(i) for i in range(len(labels))), block.credits, block.unapplied, block.balance]
    sheet.add(Cell(f"Total {code}", style="total"), Cell(f"{len(block.customers):,} account(s)", style="total"),
              *(Cell(v, formula=f"=SUM({c}{first}:{c}{last})", style="total", currency=code)
                for c, v in zip(money, values, strict=True)))
    shares = []
    for c, v in zip(money, values, strict=True):
        share = v / block.balance if block.balance else Decimal(0)
        shares.append(Cell(share, formula=f"=IF({cols.balance}{total}=0,0,{c}{total}/{cols.balance}{total})",
                           style="percent"))
    sheet.add(Cell("Share of balance", style="note"), Cell(""), *shares)
    sheet.blank()
    for index, letter in enumerate(cols.buckets[2:], start=2):
        tone = _TONES[min(index - 2, len(_TONES) - 1)]
        sheet.conditional.append(ConditionalFill(f"{letter}{first}:{letter}{total}", f"{letter}{first}>0", tone))


def _detail_block(sheet: SheetSpec, report: AgingReport, items: Sequence[AgedItem], title: int, first: int,
                  last: int, rate_cells: Mapping[str, str]) -> None:
    assert sheet.next_row == title
    age_header = "Days past due" if report.basis == "due_date" else "Age (days)"
    sheet.add(Cell(f"Open items at {report.as_of:%d/%m/%Y}", style="bold"),
              Cell("one row per invoice, credit note and unapplied receipt, by customer; filter with the header's "
                   "buttons, but keep this order: each summary line reads its customer's rows", style="note"))
    base = report.base_currency
    converted = (f"In {base}",) if rate_cells else ()
    header = sheet.add(*(Cell(h, style="header") for h in (
        "Customer ID", "Name", "Document", "Kind", "Document date", "Due date", age_header, "Bucket", "Currency",
        "Open amount", *converted)))
    places = CURRENCIES[base].exponent if base in CURRENCIES else 2
    kinds = {kind: Cell(label) for kind, label in KINDS.items()}
    labels = [Cell(label) for label in (report.labels or sheet_labels(report.scheme))]
    currencies: dict[str, Cell] = {}
    ids: dict[str, Cell] = {}
    names: dict[str, Cell] = {}
    rows = sheet.rows
    for aged in items:
        item = aged.item
        code = item.currency
        currency = currencies.get(code) or currencies.setdefault(code, Cell(code))
        customer = ids.get(aged.customer_id) or ids.setdefault(aged.customer_id, Cell(aged.customer_id))
        name = names.get(aged.name) or names.setdefault(aged.name, Cell(aged.name))
        row = [customer, name, Cell(item.reference), kinds[item.kind], Cell(item.document_date, style="date"),
               Cell(item.due_date if item.kind == "invoice" else None, style="date"),
               Cell(aged.days, style="integer"), labels[aged.bucket], currency, Cell(item.open_amount, currency=code)]
        rate_cell = rate_cells.get(code)
        if rate_cell:  # a foreign item at the closing rate: in_base, which is Excel's ROUND of amount x rate
            r = len(rows) + 1
            row.append(Cell(in_base(item.open_amount, report.rates[code].rate, base),
                            formula=f"=ROUND(J{r}*{rate_cell},{places})", currency=base))
        rows.append(row)
    assert sheet.next_row - 1 == last
    sheet.tables.append(TableArea(DETAIL_TABLE, f"A{header}:{'K' if rate_cells else 'J'}{last}"))
    bucket_letter = "H"
    for index, label in enumerate(report.labels[2:], start=2):
        tone = _TONES[min(index - 2, len(_TONES) - 1)]
        sheet.conditional.append(ConditionalFill(f"{bucket_letter}{first}:{bucket_letter}{last}",
                                                 f'${bucket_letter}{first}={_text(label)}', tone))


def formula_results(sheet: SheetSpec) -> dict[str, Any]:
    """Cell -> the result Python computed, for every formula of a generated sheet (what a recalculation must
    give back)."""
    found: dict[str, Any] = {}
    for r, row in enumerate(sheet.rows, start=1):
        for c, cell in enumerate(row, start=1):
            if cell.formula and cell.value is not None:
                found[f"{column_letter(c)}{r}"] = cell.value
    return found


def without_results(sheet: SheetSpec) -> SheetSpec:
    """The same sheet with no stored formula results, so that a spreadsheet has to compute every one."""
    rows = [[replace(cell, value=None) if cell.formula else cell for cell in row] for row in sheet.rows]
    return replace(sheet, rows=rows)
