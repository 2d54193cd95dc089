"""The collections report: the month's invoicing and collections against target, and the receivables KPIs.

The "Collections KPIs" sheet management reads each month (``--weekly`` adds the weeks of the month), one column
per currency, RWF and USD never added together:

1. **Collections against target**: cash received (receipts dated in the period), collections (cash applied to
   invoices by allocations dated in the period), deductions that settled invoices without cash (withholding,
   bank charges, discounts), write-offs, the monthly target of Settings ("Collections Target RWF"...), the
   variance (collections - target) and the percentage of the target;
2. **Receivables KPIs** (:mod:`arxl.aging.kpi`): receivables at the start and end of the period (the aging
   total: open invoices less credits and unapplied cash), the part not yet due, net credit sales (invoices less
   credit notes, VAT included), DSO simple and countback, best possible DSO, average days delinquent, CEI,
   percent current, bad-debt ratio (write-offs, allocations of deduction type ``write_off``, over credit
   sales), promises to pay kept (those whose promise date plus the grace days fell in the period);
3. **Invoicing status**: the billing schedule of the period (scheduled = billed + unbilled + skipped, net of VAT),
   invoices and credit notes issued;
4. **Client queries** open at the end of the period (:mod:`arxl.aging.queries`): each with its age, and their
   count, the oldest, the average age and how many are past their due date, as formulas over the list;
5. **Top 10 overdue customers** per currency, with their oldest invoice and last contact;
6. **Twelve months** of DSO and collections against target, and their charts.

Every KPI with a formula is written as a live formula over the figures above it (ROUND(..., 2) as the Python
side rounds), so an auditor can trace it; the countback DSO, a walk over months, is a value.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from arxl.aging import kpi
from arxl.aging.arrangements import Payments, check_promises
from arxl.aging.dunning import Position, positions
from arxl.aging.queries import OpenQuery, QueryFigures, open_queries, summary
from arxl.core.money import round_money
from arxl.core.period import Period
from arxl.ledger.changes import Cell, ChartSpec, ConditionalFill, SheetSpec, Style
from arxl.ledger.ledger import Ledger
from arxl.ledger.openitems import OpenItem, open_items
from arxl.ledger.records import CollectionsEntry

REPORT_SHEET = "Collections KPIs"
ZERO = Decimal(0)
_MONTHS = 12
_COUNTBACK_MONTHS = 24


@dataclass(frozen=True, slots=True)
class Figures:
    """The figures of one currency over one period, and the KPIs computed from them."""

    currency: str
    start: dt.date
    end: dt.date
    opening: Decimal
    closing: Decimal
    closing_current: Decimal
    invoiced: Decimal
    credited: Decimal  # credit notes issued, as a positive amount
    received: Decimal
    collected: Decimal
    deductions: Decimal
    write_offs: Decimal
    target: Decimal | None
    countback: Decimal | None
    promises_judged: int = 0
    promises_kept: int = 0

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def credit_sales(self) -> Decimal:
        return self.invoiced - self.credited

    @property
    def dso(self) -> Decimal | None:
        return kpi.dso_simple(self.closing, self.credit_sales, self.days)

    @property
    def best_possible(self) -> Decimal | None:
        return kpi.best_possible_dso(self.closing_current, self.credit_sales, self.days)

    @property
    def add(self) -> Decimal | None:
        return kpi.average_days_delinquent(self.dso, self.best_possible)

    @property
    def cei(self) -> Decimal | None:
        return kpi.cei(self.opening, self.credit_sales, self.closing, self.closing_current)

    @property
    def percent_current(self) -> Decimal | None:
        return kpi.percent_current(self.closing_current, self.closing)

    @property
    def bad_debt(self) -> Decimal | None:
        return kpi.bad_debt_ratio(self.write_offs, self.credit_sales)

    @property
    def variance(self) -> Decimal | None:
        return kpi.target_variance(self.collected, self.target)

    @property
    def percent_of_target(self) -> Decimal | None:
        return kpi.percent_of_target(self.collected, self.target)

    @property
    def promises_rate(self) -> Decimal | None:
        return kpi.promises_kept(self.promises_kept, self.promises_judged)


@dataclass(frozen=True, slots=True)
class ScheduleStatus:
    lines: int = 0
    scheduled: Decimal = ZERO
    billed: Decimal = ZERO
    unbilled: Decimal = ZERO
    skipped: Decimal = ZERO
    invoices: int = 0
    credit_notes: int = 0


class Ledgerwork:
    """The ledger indexed once for many periods: open items at month ends, sales and cash by month."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._items: dict[dt.date, list[OpenItem]] = {}
        self.sales: dict[tuple[str, Period], Decimal] = defaultdict(Decimal)
        self.credits: dict[tuple[str, Period], Decimal] = defaultdict(Decimal)
        for inv in ledger.invoices:
            if inv.status == "cancelled":
                continue
            key = (inv.currency, Period.of(inv.invoice_date))
            if inv.doc_type == "invoice":
                self.sales[key] += inv.total_amount
            else:
                self.credits[key] -= inv.total_amount
        currencies = {i.currency for i in ledger.invoices} | {r.currency for r in ledger.receipts}
        base = ledger.settings.base_currency
        self.currencies = sorted(currencies, key=lambda c: (c != base, c))

    def items(self, day: dt.date) -> list[OpenItem]:
        if day not in self._items:
            ledger = self.ledger
            self._items[day] = open_items(ledger.invoices, ledger.allocations, day, ledger.receipts)
        return self._items[day]

    def receivables(self, day: dt.date, currency: str) -> tuple[Decimal, Decimal]:
        """(net receivables, of which current: open invoices not yet due) at the end of a day."""
        total = current = ZERO
        for item in self.items(day):
            if item.currency == currency:
                total += item.open_amount
                if item.is_invoice and item.due_date >= day:
                    current += item.open_amount
        return total, current

    def net_sales(self, currency: str, month: Period) -> Decimal:
        return self.sales.get((currency, month), ZERO) - self.credits.get((currency, month), ZERO)

    def countback(self, day: dt.date, currency: str, receivables: Decimal) -> Decimal | None:
        months = [Period.of(day).shift(-k) for k in range(_COUNTBACK_MONTHS)]
        first_invoice = min((i.invoice_date for i in self.ledger.invoices), default=day)
        months = [m for m in months if m.last >= first_invoice.replace(day=1)]
        return kpi.dso_countback(receivables, [(self.net_sales(currency, m), m.days) for m in months])

    def cash(self, start: dt.date, end: dt.date, currency: str) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        """(received, applied to invoices, deductions other than write-offs, write-offs) of a period."""
        received = sum((r.amount for r in self.ledger.receipts
                        if r.currency == currency and start <= r.date <= end and r.amount > 0), ZERO)
        applied = deductions = written_off = ZERO
        for a in self.ledger.allocations:
            if a.currency == currency and start <= a.date <= end:
                if a.invoice_no:
                    applied += a.applied_amount
                if a.deduction_type == "write_off":
                    written_off += a.deduction_amount
                else:
                    deductions += a.deduction_amount
        return received, applied, deductions, written_off

    def figures(self, start: dt.date, end: dt.date, currency: str,
                promises: tuple[int, int] = (0, 0)) -> Figures:
        opening, _ = self.receivables(start - dt.timedelta(days=1), currency)
        closing, current = self.receivables(end, currency)
        invoiced = credited = ZERO
        for inv in self.ledger.invoices:
            if inv.currency == currency and start <= inv.invoice_date <= end and inv.status != "cancelled":
                if inv.doc_type == "invoice":
                    invoiced += inv.total_amount
                else:
                    credited -= inv.total_amount
        received, collected, deductions, write_offs = self.cash(start, end, currency)
        return Figures(currency, start, end, opening, closing, current, invoiced, credited, received, collected,
                       deductions, write_offs, self.ledger.settings.collections_target(currency),
                       self.countback(end, currency, closing), promises[1], promises[0])


@dataclass(slots=True)
class CollectionsReport:
    """The report of a period: its figures per currency, and the sheet with the cells a check reads back."""

    period: Period
    figures: dict[str, Figures]
    schedule: dict[str, ScheduleStatus]
    trend: list[tuple[Period, dict[str, Figures]]]
    top: dict[str, list[Position]]
    queries: list[OpenQuery] = field(default_factory=list)  # client queries not closed at the period's end
    sheet: SheetSpec = field(default_factory=lambda: SheetSpec(REPORT_SHEET))
    expected: dict[str, Decimal] = field(default_factory=dict)  # formula cell -> the value arxl computed

    @property
    def query_figures(self) -> QueryFigures:
        return summary(self.queries)


def collections_report(ledger: Ledger, period: Period | str, weekly: bool = False) -> CollectionsReport:
    """The collections report of a month (text ``YYYY-MM`` is parsed here until the app passes a Period)."""
    month = Period.parse(period)
    start, end = month.first, month.last
    work = Ledgerwork(ledger)
    judged = _promises(ledger, start, end)
    figures = {c: work.figures(start, end, c, judged.get(c, (0, 0))) for c in work.currencies}
    trend = []
    for k in range(_MONTHS - 1, -1, -1):
        earlier = month.shift(-k)
        trend.append((earlier, {c: work.figures(earlier.first, earlier.last, c) for c in work.currencies}))
    found = positions(work.items(end), end)
    top: dict[str, list[Position]] = {}
    for currency in work.currencies:
        owing = [p for (_, c), p in found.items() if c == currency and p.overdue > 0 and p.overdue_invoices]
        top[currency] = sorted(owing, key=lambda p: (-p.overdue, p.customer_id))[:10]
    report = CollectionsReport(month, figures, _schedule(ledger, month), trend, top,
                               open_queries(ledger.queries, end))
    _render(report, ledger, work, weekly)
    return report


def _promises(ledger: Ledger, start: dt.date, end: dt.date) -> dict[str, tuple[int, int]]:
    """Currency -> (kept, judged) of the promises to pay whose deadline (promise date + grace) fell in the period."""
    s = ledger.settings
    currencies = {c.customer_id: c.currency or s.base_currency for c in ledger.customers}
    checks = check_promises(ledger.collections_log.rows, ledger.invoices, ledger.allocations, end,
                            s.arrangement_grace_days, currencies, Payments(ledger.invoices, ledger.allocations))
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for check in checks:
        if start <= check.deadline <= end and check.verdict != "pending":
            counts[check.currency][1] += 1
            counts[check.currency][0] += check.verdict == "kept"
    return {c: (kept, judged) for c, (kept, judged) in counts.items()}


def _schedule(ledger: Ledger, period: Period) -> dict[str, ScheduleStatus]:
    found: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    start, end, key = period.first, period.last, str(period)  # the schedule's Period column holds "YYYY-MM"
    for line in ledger.schedule:
        if line.period == key:
            found[line.currency]["lines"] += 1
            found[line.currency][line.status] += line.amount
    for inv in ledger.invoices:
        if start <= inv.invoice_date <= end and inv.status != "cancelled":
            found[inv.currency]["invoices" if inv.doc_type == "invoice" else "credit_notes"] += 1
    return {c: ScheduleStatus(int(v["lines"]), v["billed"] + v["due"] + v["skipped"], v["billed"], v["due"],
                              v["skipped"], int(v["invoices"]), int(v["credit_notes"])) for c, v in found.items()}


# --- The sheet ---------------------------------------------------------------------------------------------------

_LETTERS = "BCDEFGH"


def _render(report: CollectionsReport, ledger: Ledger, work: Ledgerwork, weekly: bool) -> None:
    currencies = list(report.figures)
    col = {c: _LETTERS[i] for i, c in enumerate(currencies)}
    sheet = SheetSpec(REPORT_SHEET, widths={"A": 42, **dict.fromkeys(_LETTERS[:max(len(currencies), 2)], 18),
                                            "D": 22}, tab_color="1F4E78")
    expected = report.expected
    start, end = report.period.first, report.period.last
    s = ledger.settings
    sheet.add(Cell(f"Collections report, {report.period.label}", style="title"))
    sheet.add(Cell(f"{s.company_name}: {start:%d/%m/%Y} to {end:%d/%m/%Y}. One column per currency; RWF and USD "
                   "are never added together.", style="subtitle"))
    rows: dict[str, int] = {}

    def header(title: str) -> None:
        sheet.blank()
        sheet.add(Cell(title, style="header"), *(Cell(c, style="header") for c in currencies))

    def line(key: str, label: str, values: dict[str, object], style: Style = "amount", bold: bool = False,
             formula: str = "") -> None:
        """A row: one value or formula per currency; ``formula`` names the currency's column {c} and the rows of
        the lines above by their keys."""
        row = sheet.next_row
        rows[key] = row
        cells: list[Cell] = [Cell(label, style="total" if bold else "")]
        for c in currencies:
            value = values.get(c)
            text = formula.format(c=col[c], **rows) if formula else ""
            if style == "amount":
                cells.append(Cell(_cached(value, text), text, style="total" if bold else "", currency=c))
            else:
                cells.append(Cell(_cached(value, text), text, style=style))
            if text and isinstance(value, Decimal | int):
                expected[f"{col[c]}{row}"] = Decimal(value)
        sheet.add(*cells)

    f = report.figures
    header("Collections against target")
    line("received", "Cash received (bank receipts)", {c: f[c].received for c in currencies})
    line("collected", "Collected: applied to invoices", {c: f[c].collected for c in currencies}, bold=True)
    line("deductions", "Settled by withholding, charges and discounts", {c: f[c].deductions for c in currencies})
    line("write_offs", "Written off", {c: f[c].write_offs for c in currencies})
    line("target", "Target for the month (Settings)", {c: f[c].target for c in currencies})
    line("variance", "Variance: collected - target", {c: f[c].variance for c in currencies},
         formula='=IF(ISNUMBER({c}{target}),{c}{collected}-{c}{target},"")')
    line("of_target", "Collected, % of target", {c: f[c].percent_of_target for c in currencies}, style="decimal",
         formula='=IF(N({c}{target})>0,ROUND({c}{collected}/{c}{target}*100,2),"")')
    span = f"B{rows['variance']}:{col[currencies[-1]]}{rows['of_target']}" if currencies else ""
    if span:
        sheet.conditional.append(ConditionalFill(span, f"AND(ISNUMBER(B{rows['variance']}),"
                                                       f"B{rows['variance']}<0)", "F8CBAD"))
    if weekly:
        _weekly(sheet, report, work, currencies, start, end, expected)

    header("Receivables KPIs")
    line("opening", f"Receivables at {start - dt.timedelta(days=1):%d/%m/%Y}", {c: f[c].opening for c in currencies})
    line("closing", f"Receivables at {end:%d/%m/%Y}", {c: f[c].closing for c in currencies}, bold=True)
    line("current", "  of which current (not yet due)", {c: f[c].closing_current for c in currencies})
    line("overdue", "  of which overdue, net of credits", {c: f[c].closing - f[c].closing_current for c in currencies},
         formula="={c}{closing}-{c}{current}")
    line("invoiced", "Invoiced in the period (VAT incl.)", {c: f[c].invoiced for c in currencies})
    line("credited", "Credit notes in the period", {c: f[c].credited for c in currencies})
    line("sales", "Net credit sales", {c: f[c].credit_sales for c in currencies},
         formula="={c}{invoiced}-{c}{credited}")
    line("days", "Days in the period", {c: f[c].days for c in currencies}, style="integer")
    line("dso", "DSO, simple (days)", {c: f[c].dso for c in currencies}, style="decimal",
         formula='=IF({c}{sales}>0,ROUND({c}{closing}/{c}{sales}*{c}{days},2),"")')
    line("countback", "DSO, countback (days)", {c: f[c].countback for c in currencies}, style="decimal")
    line("best", "Best possible DSO (days)", {c: f[c].best_possible for c in currencies}, style="decimal",
         formula='=IF({c}{sales}>0,ROUND({c}{current}/{c}{sales}*{c}{days},2),"")')
    line("add", "Average days delinquent (DSO - best possible)", {c: f[c].add for c in currencies}, style="decimal",
         formula='=IF(AND(ISNUMBER({c}{dso}),ISNUMBER({c}{best})),{c}{dso}-{c}{best},"")')
    line("cei", "Collection effectiveness index (%)", {c: f[c].cei for c in currencies}, style="decimal",
         formula='=IF({c}{opening}+{c}{sales}-{c}{current}>0,ROUND(({c}{opening}+{c}{sales}-{c}{closing})/'
                 '({c}{opening}+{c}{sales}-{c}{current})*100,2),"")')
    line("pct_current", "Percent current (%)", {c: f[c].percent_current for c in currencies}, style="decimal",
         formula='=IF({c}{closing}>0,ROUND({c}{current}/{c}{closing}*100,2),"")')
    line("bad_debt", "Bad-debt ratio: written off / credit sales (%)", {c: f[c].bad_debt for c in currencies},
         style="decimal", formula='=IF({c}{sales}>0,ROUND({c}{write_offs}/{c}{sales}*100,2),"")')
    line("promised", "Promises to pay judged in the period", {c: f[c].promises_judged for c in currencies},
         style="integer")
    line("kept", "  of which kept", {c: f[c].promises_kept for c in currencies}, style="integer")
    line("kept_pct", "Promises kept (%)", {c: f[c].promises_rate for c in currencies}, style="decimal",
         formula='=IF({c}{promised}>0,ROUND({c}{kept}/{c}{promised}*100,2),"")')

    header("Invoicing status")
    sched = {c: report.schedule.get(c, ScheduleStatus()) for c in currencies}
    line("lines", "Billing schedule lines of the period", {c: sched[c].lines for c in currencies}, style="integer")
    line("billed", "Billed (net of VAT)", {c: sched[c].billed for c in currencies})
    line("unbilled", "Unbilled: still due", {c: sched[c].unbilled for c in currencies})
    line("skipped", "Skipped", {c: sched[c].skipped for c in currencies})
    line("scheduled", "Scheduled (billed + unbilled + skipped)", {c: sched[c].scheduled for c in currencies},
         bold=True, formula="={c}{billed}+{c}{unbilled}+{c}{skipped}")
    line("n_invoices", "Invoices issued", {c: sched[c].invoices for c in currencies}, style="integer")
    line("n_credits", "Credit notes issued", {c: sched[c].credit_notes for c in currencies}, style="integer")
    sheet.add(Cell(f"Amounts invoiced and credited (VAT included) are in rows {rows['invoiced']} and "
                   f"{rows['credited']} above.", style="note"))

    names = {c.customer_id: c.name for c in ledger.customers}
    _queries(sheet, report, names, end)
    last_contact: dict[str, CollectionsEntry] = {}
    for entry in ledger.collections_log:
        known = last_contact.get(entry.customer_id)
        if entry.date <= end and (known is None or entry.date >= known.date):
            last_contact[entry.customer_id] = entry
    for currency in currencies:
        top = report.top[currency]
        if not top:
            continue
        sheet.blank()
        sheet.add(Cell(f"Top {len(top)} overdue customers, {currency}", style="header"),
                  *(Cell(h, style="header") for h in (f"Overdue {currency}", "Oldest, days", "Last contact")))
        for p in top:
            contact = last_contact.get(p.customer_id)
            sheet.add(Cell(f"{p.customer_id}  {names.get(p.customer_id, '')}"), Cell(p.overdue, currency=currency),
                      Cell(p.oldest_days, style="integer"),
                      Cell(f"{contact.date:%d/%m/%Y} {contact.channel}" if contact else "none"))
    _trend(sheet, report, currencies)
    report.sheet = sheet


def _cached(value: object, formula: str) -> object:
    """The value a line's cell holds: with a formula, its result as arxl computed it (the formula's IF(...,"")
    gives empty text where Python has no figure)."""
    if formula and value is None:
        return ""
    return value


def _queries(sheet: SheetSpec, report: CollectionsReport, names: dict[str, str], end: dt.date) -> None:
    """The client queries not closed at the period's end, and their figures as formulas over the list."""
    figures = report.query_figures
    sheet.blank()
    sheet.add(Cell(f"Client queries not closed at {end:%d/%m/%Y}", style="header"),
              *(Cell(h, style="header") for h in ("Age, days", "Due date", "Past due")))
    first = sheet.next_row
    for o in report.queries:
        q = o.query
        sheet.add(Cell(f"{q.query_id}  {q.customer_id} {names.get(q.customer_id, '')}  {q.invoice_no}"),
                  Cell(o.age, style="integer"), Cell(q.due_date, style="date") if q.due_date else Cell(""),
                  Cell("yes", style="warning") if o.past_due else Cell(""))
    last = sheet.next_row - 1
    ages, flags = f"B{first}:B{last}", f"D{first}:D{last}"
    rows: tuple[tuple[str, object, str, Style], ...] = (
        ("Open client queries", figures.count, f"=COUNT({ages})", "integer"),
        ("  oldest, days", figures.oldest, f"=MAX({ages})", "integer"),
        ("  average age, days", figures.average, f"=ROUND(AVERAGE({ages}),2)", "decimal"),
        ("  past their due date without an answer", figures.past_due, f'=COUNTIF({flags},"yes")', "integer"))
    for label, value, formula, style in rows:
        row = sheet.next_row
        if report.queries:  # an empty list has no MAX or AVERAGE: the figures are then plain values
            sheet.add(Cell(label, style="total" if row == last + 1 else ""), Cell(value, formula, style=style))
            report.expected[f"B{row}"] = Decimal(str(value or 0))
        else:
            sheet.add(Cell(label, style="total" if row == last + 1 else ""), Cell(value, style=style))


def _weekly(sheet: SheetSpec, report: CollectionsReport, work: Ledgerwork, currencies: Sequence[str],
            start: dt.date, end: dt.date, expected: dict[str, Decimal]) -> None:
    """Collections week by week (Monday to Sunday, cut at the month's ends) against the target prorated by days."""
    sheet.blank()
    heads = ["Collections by week"]
    for c in currencies:
        heads += [f"Collected {c}", f"Target {c}"]
    sheet.add(*(Cell(h, style="header") for h in heads))
    days_in_month = (end - start).days + 1
    day = start
    first = sheet.next_row
    while day <= end:
        last = min(day + dt.timedelta(days=6 - day.weekday()), end)
        cells: list[Cell] = [Cell(f"{day:%a %d/%m} to {last:%a %d/%m}")]
        for c in currencies:
            _, collected, _, _ = work.cash(day, last, c)
            target = report.figures[c].target
            share = round_money(target * ((last - day).days + 1) / days_in_month, c) if target is not None else None
            cells += [Cell(collected, currency=c), Cell(share, currency=c)]
        sheet.add(*cells)
        day = last + dt.timedelta(days=1)
    last_row = sheet.next_row - 1
    cells = [Cell("Month", style="total")]
    for i, c in enumerate(currencies):
        letter = "BCDEFGHIJK"[2 * i]
        cells.append(Cell(report.figures[c].collected, f"=SUM({letter}{first}:{letter}{last_row})", style="total",
                          currency=c))
        expected[f"{letter}{last_row + 1}"] = report.figures[c].collected
        cells.append(Cell("", style="total"))
    sheet.add(*cells)


def _trend(sheet: SheetSpec, report: CollectionsReport, currencies: Sequence[str]) -> None:
    """Twelve months of DSO and collections, and the charts drawn from them."""
    sheet.blank()
    heads = ["Twelve months"]
    for c in currencies:
        heads += [f"DSO {c}", f"Best DSO {c}", f"Collected {c}", f"Target {c}"]
    sheet.add(*(Cell(h, style="header") for h in heads))
    first = sheet.next_row
    for month, figures in report.trend:
        cells: list[Cell] = [Cell(f"{month.first:%b %y}")]
        for c in currencies:
            f = figures[c]
            cells += [Cell(f.countback, style="decimal"), Cell(f.best_possible, style="decimal"),
                      Cell(f.collected, currency=c), Cell(f.target, currency=c)]
        sheet.add(*cells)
    last = sheet.next_row - 1
    sheet.add(Cell("DSO by the countback method; best possible DSO from the receivables not yet due.",
                   style="note"))
    letters = "BCDEFGHIJKLMNOPQ"
    dso_series = tuple(letters[4 * i] for i in range(len(currencies)))
    anchor_col = letters[max(len(currencies), 3)]
    sheet.charts.append(ChartSpec("DSO (countback), last twelve months", "A", dso_series, first, last,
                                  f"{anchor_col}4", stacked=False, horizontal=False, width_cm=14.5, height_cm=7.5,
                                  kind="line"))
    for i, c in enumerate(currencies[:2]):
        series = (letters[4 * i + 2], letters[4 * i + 3])
        sheet.charts.append(ChartSpec(f"Collections against target, {c}", "A", series, first, last,
                                      f"{anchor_col}{20 + 16 * i}", stacked=False, horizontal=False, width_cm=14.5,
                                      height_cm=7.5, colors=("2E75B6", "A5A5A5")))
    sheet.widths.update(dict.fromkeys(letters[max(len(currencies), 3):4 * len(currencies)], 14))
