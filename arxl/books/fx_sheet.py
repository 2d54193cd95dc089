"""The FX sheet: a month's exchange differences as they tie to Sage's FX nominals.

Three blocks, each figure a live formula with arxl's result cached beside it (like the Aging sheet):

- **Closing rates**: each foreign currency's rate at the month end, the day it was published and its source.
- **Realised**: one row per clearing of the month (a receipt, a deduction or a credit note against an invoice):
  the foreign amount, the base value the payment gave and the base value the invoice gave up, and the difference
  (a gain positive). Its total is what Sage posts to the realised-FX nominal (Settings "Sage FX Nominal", 7906)
  when the receipts are allocated.
- **Unrealised**: one row per open item at the month end: the open amount, the value it is carried at, its
  closing value (ROUND(open × closing rate), :func:`arxl.core.fx.in_base`) and the difference. Its total is the
  revaluation journal to the unrealised-FX nominal ("Sage Unrealised FX Nominal", 7907).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from arxl.books.fx import Realised
from arxl.books.revaluation import Revalued
from arxl.core.money import CURRENCIES
from arxl.core.period import Period
from arxl.ledger.changes import Cell, SheetSpec
from arxl.ledger.ledger import DayRate

FX_SHEET = "FX"


def _places(code: str) -> int:
    return CURRENCIES[code].exponent if code in CURRENCIES else 2


def fx_sheet(period: Period, base: str, realised: Sequence[Realised], revalued: Sequence[Revalued],
             closing: dict[str, DayRate], *, company: str = "", nominals: tuple[str, str] = ("7906", "7907")
             ) -> SheetSpec:
    """The FX sheet of a month: closing rates, realised and unrealised differences, with their totals."""
    widths = {"A": 12.0, "B": 14.0, "C": 18.0, "D": 18.0, "E": 12.0, "F": 10.0, "G": 14.0, "H": 16.0, "I": 16.0,
              "J": 16.0, "K": 16.0}
    sheet = SheetSpec(FX_SHEET, widths=widths, tab_color="833C0B", landscape=True, fit_width=True)
    places = _places(base)
    sheet.add(Cell(f"Foreign currency, {period.label}: exchange differences in {base} (IAS 21)", style="title"))
    sheet.add(Cell(f"{company} · realised on settlement (Sage nominal {nominals[0]}) and unrealised on the open "
                   f"items at {period.last:%d/%m/%Y} (Sage nominal {nominals[1]}, reversed on "
                   f"{period.next().first:%d/%m/%Y}) · every figure is a live formula", style="subtitle"))
    sheet.blank()
    sheet.add(Cell("Closing rates", style="bold"))
    sheet.add(*(Cell(h, style="header") for h in ("Currency", f"{base} per unit", "Published", "Source")))
    rate_cell: dict[str, str] = {}
    for code in sorted(closing):
        rate = closing[code]
        row = sheet.add(Cell(code), Cell(rate.rate, style="decimal"), Cell(rate.published, style="date"),
                        Cell(rate.source or "Rates sheet"))
        rate_cell[code] = f"$B${row}"
    if not closing:
        sheet.add(Cell("no foreign item is open at the month end", style="note"))
    sheet.blank()

    sheet.add(Cell(f"Realised in {period.label}", style="bold"),
              Cell("each receipt, deduction and credit note that cleared a foreign invoice", style="note"))
    sheet.add(*(Cell(h, style="header") for h in ("Date", "Customer ID", "Invoice", "Paid by", "Kind", "Currency",
                                                  "Amount", f"Paid ({base})", f"Invoice ({base})",
                                                  f"Difference ({base})")))
    first = sheet.next_row
    for r in realised:
        row = sheet.next_row
        kind = f"deduction: {r.detail}" if r.detail else r.source
        sheet.add(Cell(r.date, style="date"), Cell(r.customer_id), Cell(r.invoice_no), Cell(r.payment), Cell(kind),
                  Cell(r.currency), Cell(r.amount, currency=r.currency), Cell(r.payment_base, currency=base),
                  Cell(r.invoice_base, currency=base),
                  Cell(r.difference, formula=f"=H{row}-I{row}", currency=base))
    last = sheet.next_row - 1
    _total(sheet, "Total realised", [r.difference for r in realised], "J", first, last, base)
    sheet.blank()

    sheet.add(Cell(f"Unrealised at {period.last:%d/%m/%Y}", style="bold"),
              Cell("each open item at the closing rate, against the value it is carried at", style="note"))
    sheet.add(*(Cell(h, style="header") for h in ("Customer ID", "Document", "Kind", "Document date", "Currency",
                                                  "Book rate", "Open amount", f"Carried ({base})", "Closing rate",
                                                  f"Closing ({base})", f"Difference ({base})")))
    first = sheet.next_row
    for v in revalued:
        row = sheet.next_row
        item = v.item
        cell = rate_cell.get(item.currency, "")
        sheet.add(Cell(item.customer_id), Cell(item.reference), Cell(item.kind), Cell(item.date, style="date"),
                  Cell(item.currency), Cell(item.rate, style="decimal"),
                  Cell(item.open_amount, currency=item.currency), Cell(item.carried, currency=base),
                  Cell(v.closing.rate, formula=f"={cell}" if cell else "", style="decimal"),
                  Cell(v.value, formula=f"=ROUND(G{row}*I{row},{places})", currency=base),
                  Cell(v.difference, formula=f"=J{row}-H{row}", currency=base))
    last = sheet.next_row - 1
    _total(sheet, "Total unrealised", [v.difference for v in revalued], "K", first, last, base)
    return sheet


def _total(sheet: SheetSpec, label: str, differences: list[Decimal], column: str, first: int, last: int,
           base: str) -> None:
    """A block's total row: its label in A, the SUM of its differences (with their sum cached) in ``column``."""
    blanks = ord(column) - ord("A") - 1
    sheet.add(Cell(label, style="total"), *(Cell("", style="total") for _ in range(blanks)),
              Cell(sum(differences, start=Decimal(0)), formula=f"=SUM({column}{first}:{column}{last})"
                   if differences else "=0", style="total", currency=base))
