"""Withholding certificates: what RRA owes the company until each customer's certificate arrives.

Every Allocations row with a withholding deduction (VAT withheld, WHT 3 % or 15 %: see
:mod:`arxl.ledger.withheld`) is listed on the generated **Certificates** sheet as of a date: customer, invoice,
type, amount, currency, the day it was withheld, the certificate's number and date once recorded, and the days
it has been outstanding (a live formula against the as-of date in the cell at the top, for what still awaits
its certificate). Below, the totals per type and currency (SUMIFS over the list, with arxl's figures cached):
withheld, certified, and **awaiting certificate**, the chase list. Each type goes to Sage the way Settings says
(``Sage WHT`` = ``SA 1251``): an ``SA`` into a bank-type nominal puts the whole withheld amount in that nominal,
so the type's withheld total "ties to Sage nominal 1251"; a certificate is then used against the company's own
tax, outside accounts receivable.

``record`` fills Certificate No and Certificate Date on the withholding rows of a customer's invoices: refused
when a named invoice has no such withholding of that customer (and type), or when one already carries another
certificate number. Recording the same certificate again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from arxl.core.errors import ArxlError
from arxl.core.withholding import deduction, withheld_types
from arxl.ledger.changes import Cell, ChangeSet, ConditionalFill, SheetSpec
from arxl.ledger.ledger import Ledger
from arxl.ledger.withheld import Withheld, withheld

SHEET = "Certificates"
AS_OF_CELL = "B3"
FIRST_ROW = 6  # the first row of the list
HEADERS = ("Customer", "Name", "Invoice", "Type", "Amount", "Currency", "Withheld", "Certificate No",
           "Certificate Date", "Days Outstanding", "Status")
AWAITING, CERTIFIED = "awaiting certificate", "certified"
ZERO = Decimal(0)


class CertificateRefused(ArxlError):
    """A certificate that cannot be recorded as asked."""


@dataclass(slots=True)
class CertificatesSheet:
    """The sheet and what a test (or a check) reads back: each formula cell with the value arxl computed."""

    sheet: SheetSpec
    items: list[Withheld]
    totals: dict[tuple[str, str], tuple[Decimal, Decimal]]  # (type, currency) -> (withheld, awaiting)
    expected: dict[str, Decimal] = field(default_factory=dict)

    def awaiting(self, as_of: dt.date) -> list[Withheld]:
        return [w for w in self.items if not w.certified(as_of)]


def tie_line(ledger: Ledger, kind: str) -> str:
    """Where a withholding type sits in Sage: "ties to Sage nominal 1251 (Sage WHT)" for an SA treatment."""
    treatment = ledger.settings.sage_deduction(kind).split()
    key = deduction(kind).sage_key
    if len(treatment) == 2 and treatment[0].upper() == "SA":
        return f"ties to Sage nominal {treatment[1]} ({key})"
    return f"goes to Sage as {' '.join(treatment)} ({key}): no receivable nominal to tie to" if treatment else ""


def certificates_sheet(ledger: Ledger, as_of: dt.date) -> CertificatesSheet:
    """The Certificates sheet as of a date (the rules of the module's text)."""
    items = withheld(ledger.invoices, ledger.allocations, as_of, ledger.receipts)
    names = {c.customer_id: c.name for c in ledger.customers}
    sheet = SheetSpec(SHEET, widths={"A": 11, "B": 34, "C": 17, "D": 14, "E": 15, "F": 9, "G": 11, "H": 18, "I": 14,
                                     "J": 12, "K": 20}, tab_color="548235")
    sheet.add(Cell("Withholding certificates", style="title"))
    sheet.add(Cell("Each withholding deduction is owed by RRA until the customer's certificate is recorded in "
                   "Allocations (Certificate No, Certificate Date): `arxl certificates record`.", style="subtitle"))
    sheet.add(Cell("As of", style="bold"), Cell(as_of, style="date"))
    sheet.blank()
    header = sheet.add(*(Cell(h, style="header") for h in HEADERS))
    expected: dict[str, Decimal] = {}
    for w in items:
        r = sheet.next_row
        done = w.certified(as_of)
        days = None if done else (as_of - w.date).days
        sheet.add(Cell(w.customer_id), Cell(names.get(w.customer_id, "")), Cell(w.invoice_no), Cell(w.label),
                  Cell(w.amount, currency=w.currency), Cell(w.currency), Cell(w.date, style="date"),
                  Cell(w.certificate_no), Cell(w.certificate_date, style="date"),
                  Cell(days if days is not None else "",
                       f'=IF(AND(H{r}<>"",OR(I{r}="",I{r}<=${AS_OF_CELL[0]}${AS_OF_CELL[1:]})),"",'
                       f"${AS_OF_CELL[0]}${AS_OF_CELL[1:]}-G{r})", style="integer"),
                  Cell(CERTIFIED if done else AWAITING, style="good" if done else "warning"))
        if days is not None:
            expected[f"J{r}"] = Decimal(days)
    last = max(sheet.next_row - 1, header + 1)
    if items:
        sheet.filter_range = f"A{header}:K{last}"
        sheet.conditional.append(ConditionalFill(f"J{FIRST_ROW}:J{last}", f"AND(ISNUMBER(J{FIRST_ROW}),"
                                                 f"J{FIRST_ROW}>90)", "F8CBAD"))
    sheet.freeze = f"A{header + 1}"
    sheet.blank()
    sheet.add(Cell("Totals", style="bold"), Cell("per type and currency; awaiting certificate is the chase list",
                                                 style="note"))
    sheet.add(*(Cell(h, style="header") for h in ("Type", "Currency", "", "", "Withheld", "Certified",
                                                  "Awaiting certificate", "In Sage")))
    totals: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
    for kind in sorted(withheld_types()):
        for currency in sorted({w.currency for w in items if w.kind == kind}):
            mine = [w for w in items if w.kind == kind and w.currency == currency]
            total = sum((w.amount for w in mine), ZERO)
            waiting = sum((w.amount for w in mine if not w.certified(as_of)), ZERO)
            totals[(kind, currency)] = (total, waiting)
            r = sheet.next_row
            rng = f"{FIRST_ROW}:{last}"
            label = deduction(kind).short

            def sumifs(status: str, r: int = r, rng: str = rng, label: str = label) -> str:
                first, end = rng.split(":")
                return (f'=SUMIFS(E{first}:E{end},D{first}:D{end},"{label}*",F{first}:F{end},B{r}'
                        + (f',K{first}:K{end},"{status}"' if status else "") + ")")

            sheet.add(Cell(label, style="bold"), Cell(currency), "", "",
                      Cell(total, sumifs(""), style="total", currency=currency),
                      Cell(total - waiting, sumifs(CERTIFIED), currency=currency),
                      Cell(waiting, sumifs(AWAITING), style="warning" if waiting else "", currency=currency),
                      Cell(tie_line(ledger, kind), style="note"))
            expected.update({f"E{r}": total, f"F{r}": total - waiting, f"G{r}": waiting})
    if not totals:
        sheet.add(Cell("No withholding recorded up to this date.", style="note"))
    return CertificatesSheet(sheet, items, totals, expected)


def record(ledger: Ledger, customer_id: str, number: str, on: dt.date, invoices: Sequence[str],
           kind: str | None = None) -> tuple[ChangeSet, list[Withheld]]:
    """The Allocations cells a certificate fills, and the deductions it covers (rules in the module's text)."""
    number = number.strip()
    if kind is not None and kind not in withheld_types():
        raise CertificateRefused(f"--type {kind}: a certificate covers {' or '.join(sorted(withheld_types()))}")
    if not invoices:
        raise CertificateRefused("name the invoice(s) the certificate covers (--invoice INV)")
    table = ledger.allocations
    items = withheld(ledger.invoices, table, dt.date.max, ledger.receipts)
    wanted = {n.strip().upper() for n in invoices}
    covered = [w for w in items if w.invoice_no.strip().upper() in wanted
               and w.customer_id.strip().upper() == customer_id.strip().upper() and (kind is None or w.kind == kind)]
    for invoice in sorted(wanted - {w.invoice_no.strip().upper() for w in covered}):
        what = deduction(kind).short if kind else "withholding"
        raise CertificateRefused(f"no {what} deduction of customer {customer_id} on invoice {invoice} in "
                                 "Allocations: nothing was recorded", table.where_sheet())
    for w in covered:
        if w.certificate_no and w.certificate_no != number:
            raise CertificateRefused(f"{w.label} on {w.invoice_no} already has certificate {w.certificate_no}: "
                                     f"{number} was not recorded", table.where(w.index, "certificate_no"))
    changes = ChangeSet()
    fresh = [w for w in covered if w.certificate_no != number or w.certificate_date != on]
    for w in fresh:
        changes.update("Allocations", table.row_numbers[w.index], "certificate_no", number)
        changes.update("Allocations", table.row_numbers[w.index], "certificate_date", on)
    return changes, fresh

