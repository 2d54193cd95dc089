"""The year's roll-forward of every customer account: opening balance, what happened, closing balance, checked.

Per customer and currency, for a calendar year: the **opening balance** on 1 January (the open items at 31
December before, unapplied cash and open credits included: :func:`arxl.ledger.openitems.open_items`), the
invoices, the credit notes, the cash **received** (the customer's receipts; a payment made for it by a third
party, such as the Treasury paying for a district; less its cash used for another account or refunded against
a credit note), the tax **withheld** at source and the **other deductions** (bank charges, discounts, rounding,
write-offs), and the **closing balance** on 31 December = opening + invoiced - credited - received - withheld -
other deductions: a live formula on the **YearEnd** sheet with arxl's figure cached, beside the open items at 31
December and their difference, which is nil on an account that agrees (a difference is listed as a problem,
never hidden). These are the movements of a statement of account (:mod:`arxl.aging.statements`) added up over
the year, so the year-end agrees with the twelve statements.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from arxl.core.errors import CellRef, Problem
from arxl.core.period import Period
from arxl.core.withholding import deduction
from arxl.ledger.changes import Cell, SheetSpec
from arxl.ledger.ledger import Ledger
from arxl.ledger.openitems import balances, open_items

SHEET = "YearEnd"
FIGURES = ("opening", "invoiced", "credited", "received", "withheld", "other")
HEADERS = ("Customer", "Name", "Currency", "Opening 1/1", "Invoiced", "Credited", "Received", "Withheld",
           "Other deductions", "Closing 31/12", "Open items 31/12", "Difference")
ZERO = Decimal(0)


@dataclass(slots=True)
class Account:
    """One customer's year in one currency."""

    customer_id: str
    currency: str
    opening: Decimal = ZERO
    invoiced: Decimal = ZERO
    credited: Decimal = ZERO
    received: Decimal = ZERO
    withheld: Decimal = ZERO
    other: Decimal = ZERO
    open_items: Decimal = ZERO  # the open items at 31 December

    @property
    def closing(self) -> Decimal:
        return self.opening + self.invoiced - self.credited - self.received - self.withheld - self.other

    @property
    def difference(self) -> Decimal:
        return self.closing - self.open_items


@dataclass(slots=True)
class YearEnd:
    """The year's accounts, the sheet, and the cells a test reads back (formula cell -> arxl's figure)."""

    year: Period
    accounts: list[Account]
    sheet: SheetSpec
    expected: dict[str, Decimal] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def accounts(ledger: Ledger, year: Period) -> list[Account]:
    """Every customer and currency with a balance at either end of the year or a movement in it."""
    first, last = year.first, year.last
    invoices, allocations, receipts = list(ledger.invoices), list(ledger.allocations), list(ledger.receipts)
    found: dict[tuple[str, str], Account] = {}

    def account(customer_id: str, currency: str) -> Account:
        key = (customer_id, currency)
        if key not in found:
            found[key] = Account(customer_id, currency)
        return found[key]

    for key, amount in balances(open_items(invoices, allocations, first - dt.timedelta(days=1), receipts)).items():
        account(*key).opening += amount
    for key, amount in balances(open_items(invoices, allocations, last, receipts)).items():
        account(*key).open_items += amount
    documents = {i.invoice_no: i for i in invoices if i.status != "cancelled" and i.invoice_date <= last}
    for document in documents.values():
        if document.invoice_date >= first:
            if document.doc_type == "invoice":
                account(document.customer_id, document.currency).invoiced += document.total_amount
            else:
                account(document.customer_id, document.currency).credited -= document.total_amount
    paid_by = {r.receipt_id: r for r in receipts if r.amount > 0}
    for r in paid_by.values():
        if first <= r.date <= last and r.customer_id:
            account(r.customer_id, r.currency).received += r.amount
    for a in allocations:
        if not first <= a.date <= last:
            continue
        doc = documents.get(a.invoice_no)
        paying = paid_by.get(a.receipt_id)
        payer = paying.customer_id if paying is not None else ""
        if doc is not None and doc.doc_type == "invoice":
            if a.applied_amount and payer != doc.customer_id:  # paid for it by another (the Treasury)
                account(doc.customer_id, doc.currency).received += a.applied_amount
            if a.deduction_amount:
                mine = account(doc.customer_id, doc.currency)
                if deduction(a.deduction_type).withholding:
                    mine.withheld += a.deduction_amount
                else:
                    mine.other += a.deduction_amount
        elif doc is not None:  # a refund against a credit note
            account(doc.customer_id, doc.currency).received -= a.applied_amount + a.deduction_amount
        if payer and a.applied_amount and (doc is None or doc.customer_id != payer):
            account(payer, a.currency).received -= a.applied_amount  # its cash used for another account
    return [a for _, a in sorted(found.items()) if a.customer_id and any(
        (a.opening, a.invoiced, a.credited, a.received, a.withheld, a.other, a.open_items))]


def year_end_sheet(ledger: Ledger, year: Period) -> YearEnd:
    """The YearEnd sheet: one block per currency, a row per customer, totals; closing and difference live."""
    rows = accounts(ledger, year)
    names = {c.customer_id: c.name for c in ledger.customers}
    sheet = SheetSpec(SHEET, widths={"A": 11, "B": 34, "C": 9, **dict.fromkeys("DEFGHIJKL", 16)}, tab_color="7030A0")
    sheet.add(Cell(f"Year-end {year}: customer accounts rolled forward", style="title"))
    sheet.add(Cell(f"Closing {year.last:%d/%m/%Y} = opening {year.first:%d/%m/%Y} + invoiced - credited - received "
                   "- withheld - other deductions, checked against the open items (Difference: nil when they "
                   "agree).", style="subtitle"))
    result = YearEnd(year, rows, sheet)
    for currency in sorted({a.currency for a in rows}):
        sheet.blank()
        sheet.add(Cell(currency, style="bold"))
        sheet.add(*(Cell(h, style="header") for h in HEADERS))
        top = sheet.next_row
        for a in (a for a in rows if a.currency == currency):
            r = sheet.next_row
            sheet.add(Cell(a.customer_id), Cell(names.get(a.customer_id, "")), Cell(currency),
                      *(Cell(getattr(a, f), currency=currency) for f in FIGURES),
                      Cell(a.closing, f"=D{r}+E{r}-F{r}-G{r}-H{r}-I{r}", currency=currency, style="bold"),
                      Cell(a.open_items, currency=currency),
                      Cell(a.difference, f"=J{r}-K{r}", currency=currency, style="error" if a.difference else ""))
            result.expected.update({f"J{r}": a.closing, f"L{r}": a.difference})
            if a.difference:
                result.problems.append(Problem(CellRef(ledger.book, SHEET, f"L{r}"), (
                    f"{a.customer_id} {currency}: the year rolls forward to {a.closing} but the open items at "
                    f"{year.last:%d/%m/%Y} are {a.open_items}; check the allocations of its receipts")))
        end = sheet.next_row - 1
        r = sheet.next_row
        mine = [a for a in rows if a.currency == currency]
        sums = [sum((getattr(a, f) for a in mine), ZERO) for f in (*FIGURES, "closing", "open_items", "difference")]
        sheet.add(Cell("Total", style="total"), Cell("", style="total"), Cell(currency, style="total"),
                  *(Cell(v, f"=SUM({col}{top}:{col}{end})", style="total", currency=currency)
                    for col, v in zip("DEFGHIJKL", sums, strict=True)))
        result.expected.update({f"{col}{r}": v for col, v in zip("DEFGHIJKL", sums, strict=True)})
    if not rows:
        sheet.add(Cell(f"No customer account has a balance or a movement in {year}.", style="note"))
    return result
