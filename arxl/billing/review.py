"""The Review sheet: the pre-billing review as the accountant reads it before pressing "Generate".

One row per exception, blocking ones first, each with what was expected, what was found and a link to the
offending cell; then what each customer will be billed (or why they are held back), with live totals.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from arxl.billing.run import BillingPlan
from arxl.core.errors import CellRef
from arxl.ledger.changes import Cell, ConditionalFill, SheetSpec
from arxl.ledger.ledger import Ledger

REVIEW_SHEET = "Review"


def link(where: CellRef | None) -> str:
    """An internal hyperlink target for a cell ("#'Sheet'!F12")."""
    if where is None or not where.sheet:
        return ""
    return f"#'{where.sheet}'!{where.cell or 'A1'}"


def review_sheet(ledger: Ledger, plan: BillingPlan) -> SheetSpec:
    """The Review sheet of a billing plan."""
    sheet = SheetSpec(REVIEW_SHEET, widths={"A": 11, "B": 12, "C": 34, "D": 13, "E": 58, "F": 24, "G": 24,
                                            "H": 16}, tab_color="C00000" if plan.held else "70AD47")
    names = {c.customer_id: c.name for c in ledger.customers}
    blocking = [f for f in plan.findings if f.severity == "blocking"]
    warnings = [f for f in plan.findings if f.severity == "warning"]
    sheet.add(Cell(f"Pre-billing review, period {plan.period}", style="title"))
    sheet.add(Cell(f"{ledger.settings.company_name}: {len(plan.due)} line(s) due for "
                   f"{len({d.line.customer_id for d in plan.due})} customer(s); {len(blocking)} blocking "
                   f"exception(s) holding back {len(plan.held)} customer(s); {len(warnings)} warning(s)"
                   + (f"; {plan.already_billed} line(s) of {plan.period} already billed." if plan.already_billed
                      else "."),
                   style="subtitle"))
    sheet.blank()
    header = sheet.add(*(Cell(h, style="header") for h in ("Severity", "Customer", "Name", "Contract", "Exception",
                                                          "Expected", "Found", "Go to cell")))
    for finding in blocking + warnings:
        severity = Cell(finding.severity, style="error" if finding.severity == "blocking" else "warning")
        sheet.add(severity, Cell(finding.customer_id),
                  Cell(names.get(finding.customer_id, "")), Cell(finding.contract_ref), Cell(finding.message),
                  Cell(finding.expected), Cell(finding.found),
                  Cell(f"{finding.where.sheet}!{finding.where.cell}" if finding.where else "",
                       link=link(finding.where)))
    if not plan.findings:
        sheet.add(Cell("none", style="good"), Cell(""), Cell("No exceptions: everything due can be billed."))
    last_finding = sheet.next_row - 1
    sheet.filter_range = f"A{header}:H{max(last_finding, header + 1)}"
    sheet.freeze = f"A{header + 1}"
    sheet.blank()
    sheet.add(Cell("To be billed", style="title"))
    top = sheet.add(*(Cell(h, style="header") for h in ("Customer", "Currency", "Name", "Lines", "Status",
                                                       "Net to bill")))
    totals: dict[tuple[str, str], tuple[int, Decimal]] = defaultdict(lambda: (0, Decimal(0)))
    for due in plan.due:
        key = (due.line.customer_id, due.line.currency)
        count, amount = totals[key]
        totals[key] = (count + 1, amount + due.line.amount)
    first = top + 1
    for (customer_id, currency), (count, amount) in sorted(totals.items()):
        held = customer_id in plan.held
        sheet.add(Cell(customer_id), Cell(currency), Cell(names.get(customer_id, "")), Cell(count),
                  Cell("held back" if held else "ready", style="error" if held else "good"),
                  Cell(amount, currency=currency))
    last = sheet.next_row - 1
    for currency in sorted({c for _, c in totals}):
        ready = [v for (customer_id, c), v in totals.items() if c == currency and customer_id not in plan.held]
        sheet.add(Cell("Total", style="total"), Cell(currency, style="total"), Cell("ready to bill", style="total"),
                  Cell(len(ready), f'=COUNTIFS(B{first}:B{last},"{currency}",E{first}:E{last},"ready")',
                       style="total"),
                  Cell("", style="total"),
                  Cell(sum((amount for _, amount in ready), Decimal(0)),
                       f'=SUMIFS(F{first}:F{last},B{first}:B{last},"{currency}",E{first}:E{last},"ready")',
                       style="total", currency=currency))
    sheet.conditional.append(ConditionalFill(f"A{header + 1}:A{max(last_finding, header + 1)}",
                                             f'A{header + 1}="blocking"', "F8CBAD"))
    return sheet
