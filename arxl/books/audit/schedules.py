"""Working papers H to K: withholding certificates, foreign currency, credit balances, related parties.

Four schedules an auditor asks for beside the aging (DOMAIN.md "Audit"), each a list whose figures are live
formulas over the pack's ``Z`` sheets (or over cells of the paper) with arxl's figure cached, and a total that
ties back to a Z sheet with the difference as a formula (nil when all is well; the row says what explains it):

- **H Certificates**: the withholding (VAT withheld, WHT) deducted up to the period end whose certificate had
  not arrived by then (:func:`arxl.ledger.withheld.awaiting`): owed by RRA, not by the customer, until the
  certificate comes. Per customer and invoice: kind, amount (Z3's cell), the day withheld, its age in days, the
  certificate number and date when one is recorded after the period end. Totals per currency tie to Z3: the
  withholding deductions dated up to the period end with no certificate number, or one dated after it.
- **I FX**: the month-end revaluation (IAS 21) of the period's last month: the Revaluations rows (open foreign
  item, carried at, closing rate, closing value ``ROUND(open × rate)``, unrealised difference), computed by
  :func:`arxl.books.revaluation.revalue_month` when the workbook has none yet (the paper says so). Per currency
  the open amounts and closing values tie to Z4; the closing rate is shown with its Rates sheet cell.
- **J Credit balances**: each customer whose balance in a currency is negative at the period end, with its open
  items (credits, unapplied cash, and the invoices they net against), to reclassify to payables.
- **K Related parties**: the customers with a Customers "Related Party" (the relationship): their balance per
  currency and in the base currency (Z4), invoiced, credited and received in the period (Z1, Z2).
"""

from __future__ import annotations

import datetime as dt
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
from arxl.books.revaluation import revalue_month
from arxl.core.fx import in_base
from arxl.core.money import exponent
from arxl.core.period import Period
from arxl.core.withholding import withheld_types
from arxl.ledger.changes import Cell, SheetSpec
from arxl.ledger.openitems import OpenItem, balances
from arxl.ledger.records import Revaluation
from arxl.ledger.withheld import awaiting

ZERO = Decimal(0)


def date_value(day: dt.date) -> str:
    """A date as a formula operand: ``DATE(2025,7,31)``."""
    return f"DATE({day.year},{day.month},{day.day})"


def _total(label: str, letter_values: dict[str, tuple[Decimal | int, str]], currency: str,
           width: int) -> list[Cell]:
    """A total row: ``label`` in A, each letter's (value, formula) in its column, the rest blank."""
    cells = [Cell(label, style="total")] + [Cell("", style="total") for _ in range(width - 1)]
    for letter, (value, formula) in letter_values.items():
        cells[ord(letter) - ord("A")] = Cell(value, formula=formula, style="total", currency=currency)
    return cells


def certificates_paper(ctx: PackContext) -> list[SheetSpec]:
    """Working paper H: withholding awaiting its certificate at the period end."""
    ledger, last = ctx.ledger, ctx.last
    chase = awaiting(ledger.invoices, ledger.allocations, last, ledger.receipts)
    items = [w for customer in sorted(chase) for w in chase[customer]]
    kinds = sorted(withheld_types())
    spec = paper("H", "Certificates", "Withholding awaiting its certificate", ctx.head,
                 f"Z3 Allocations: deductions of type {', '.join(kinds)} dated up to {last:%d/%m/%Y} without a "
                 "certificate recorded by then (owed by RRA until the customer's certificate arrives)", "✓Σ",
                 widths={"A": 12, "B": 32, "C": 18, "D": 16, "F": 16, "I": 18, "J": 14})
    header(spec, "Customer ID", "Name", "Invoice", "Kind", "Currency", "Amount", "Withheld on", "Days",
           "Certificate No", "Certificate Date")
    for w in items:
        row = spec.next_row
        spec.add(Cell(w.customer_id), Cell(ctx.name(w.customer_id)), Cell(w.invoice_no), Cell(w.label),
                 Cell(w.currency),
                 Cell(w.amount, formula=f"='{Z_ALLOCATIONS}'!{ALLOC['deduction']}{FIRST_ROW + w.index}",
                      style="amount", currency=w.currency),
                 Cell(w.date, style="date"), Cell((last - w.date).days, formula=f"={date_value(last)}-G{row}",
                                                  style="integer"),
                 Cell(w.certificate_no), Cell(w.certificate_date, style="date"))
    if not items:
        spec.add(Cell("no withholding awaits its certificate at the period end", style="note"))
    first, end = FIRST_ROW, max(FIRST_ROW, spec.next_row - 1)
    spec.blank()
    allocations = [a for a in ledger.allocations if a.deduction_type in kinds and a.date <= last]
    for code in sorted({a.currency for a in allocations} | {w.currency for w in items}, key=lambda c: c != ctx.base):
        listed = sum((w.amount for w in items if w.currency == code), ZERO)
        in_z3 = sum((a.deduction_amount for a in allocations if a.currency == code and (
            not a.certificate_no or (a.certificate_date is not None and a.certificate_date > last))), ZERO)
        t = spec.add(*_total(f"Awaiting a certificate, {code}", {"F": (
            listed, f"=SUMIFS(F{first}:F{end},E{first}:E{end},{quoted(code)})")}, code, 6))
        spec.rows[-1][4] = Cell(code, style="total")
        dated = (ALLOC["date"], f'"<="&{date_value(last)}')
        terms = []
        for kind in kinds:
            common = ((ALLOC["currency"], quoted(code)), (ALLOC["type"], quoted(kind)), dated)
            terms.append(sumifs(Z_ALLOCATIONS, ALLOC["deduction"], *common, (ALLOC["certificate"], '""')))
            terms.append(sumifs(Z_ALLOCATIONS, ALLOC["deduction"], *common, (ALLOC["certificate"], '"<>"'),
                                (ALLOC["certificate_date"], f'">"&{date_value(last)}')))
        z = spec.add(Cell(f"Z3: withholding in {code} without a certificate at the period end"), "", "", "",
                     Cell(code), Cell(in_z3, formula="=" + "+".join(terms), style="amount", currency=code),
                     Cell("✓", align="center"))
        spec.add(Cell("Difference (nil: every such deduction is listed above)"), "", "", "", Cell(code),
                 Cell(listed - in_z3, formula=f"=F{t}-F{z}", style="amount", currency=code))
    return [spec]


def _revaluations(ctx: PackContext, month: Period) -> tuple[list[tuple[Revaluation, str]], bool]:
    """The Revaluations rows of ``month`` with their source cells, and whether the workbook holds them (else
    arxl's computation of them)."""
    table = ctx.ledger.table("Revaluations")
    rows = [(r, str(table.where(i, "period"))) for i, r in enumerate(table.rows) if r.period.strip() == str(month)]
    if rows:
        return rows, True
    run = revalue_month(ctx.ledger, month)
    computed = [r for r in run.changes.appends.get("Revaluations", []) if isinstance(r, Revaluation)]
    return [(r, "computed by arxl") for r in computed], False


def fx_paper(ctx: PackContext) -> list[SheetSpec]:
    """Working paper I: the revaluation of the open foreign items at the period end."""
    base, places, last = ctx.base, exponent(ctx.base), ctx.last
    month = Period.of(last)
    rows, recorded = _revaluations(ctx, month)
    rows.sort(key=lambda r: (r[0].currency, r[0].customer_id, r[0].reference))
    source = (f"[{ctx.book}]Revaluations, period {month}" if recorded else
              f"the workbook has no Revaluations rows for {month} yet: arxl computed them as `arxl fx revalue` "
              "would") + "; closing rates from the Rates sheet; Z4 Open items"
    spec = paper("I", "FX", f"Foreign-currency items at the closing rate ({base}, IAS 21)", ctx.head, source,
                 "✓AΣ", widths={"A": 14, "B": 18, "D": 16, "E": 12, "F": 16, "G": 12, "H": 16, "I": 16, "J": 24})
    header(spec, "Customer ID", "Reference", "Currency", "Open amount", "Book rate", f"Carried ({base})",
           "Closing rate", f"Closing value ({base})", f"Difference ({base})", "Source")
    for r, where in rows:
        row = spec.next_row
        value = closing_value(r, base)
        spec.add(Cell(r.customer_id), Cell(r.reference), Cell(r.currency),
                 Cell(r.open_amount, style="amount", currency=r.currency), Cell(r.book_rate, style="decimal"),
                 Cell(value - r.difference, formula=f"=H{row}-I{row}", style="amount", currency=base),
                 Cell(r.closing_rate, style="decimal"),
                 Cell(value, formula=f"=ROUND(D{row}*G{row},{places})", style="amount", currency=base),
                 Cell(r.difference, style="amount", currency=base), Cell(where))
    if not rows:
        spec.add(Cell("no foreign-currency item is open at the period end", style="note"))
    first, end = FIRST_ROW, max(FIRST_ROW, spec.next_row - 1)
    total = sum((r.difference for r, _ in rows), ZERO)
    spec.add(*_total("Unrealised difference (the revaluation journal)", {"I": (
        total, f"=SUM(I{first}:I{end})" if rows else "=0")}, base, 9))
    currencies = sorted({r.currency for r, _ in rows} | {i.currency for i in ctx.items if i.currency != base})
    for code in currencies:
        spec.blank()
        mine = [r for r, _ in rows if r.currency == code]
        opened = sum((r.open_amount for r in mine), ZERO)
        valued = sum((closing_value(r, base) for r in mine), ZERO)
        z_open = sum((i.open_amount for i in ctx.items if i.currency == code), ZERO)
        z_base = sum((ctx.base_value(i) for i in ctx.items if i.currency == code), ZERO)
        within = f"C{first}:C{end},{quoted(code)}"
        t = spec.add(*_total(f"{code} revalued", {"D": (opened, f"=SUMIFS(D{first}:D{end},{within})"),
                                                  "H": (valued, f"=SUMIFS(H{first}:H{end},{within})")}, code, 9))
        spec.rows[-1][2] = Cell(code, style="total")
        by_currency = (OPEN["currency"], quoted(code))
        z = spec.add(Cell(f"Z4: {code} open items at the period end"), "", Cell(code),
                     Cell(z_open, formula="=" + sumifs(Z_OPEN, OPEN["open"], by_currency), style="amount",
                          currency=code), "", "", "",
                     Cell(z_base, formula="=" + sumifs(Z_OPEN, OPEN["base"], by_currency), style="amount",
                          currency=base), Cell("A", align="center"))
        spec.add(Cell("Difference (nil; else the register changed after the revaluation: revalue again)"), "",
                 Cell(code), Cell(opened - z_open, formula=f"=D{t}-D{z}", style="amount", currency=code), "", "",
                 "", Cell(valued - z_base, formula=f"=H{t}-H{z}", style="amount", currency=base))
    spec.blank()
    spec.add(Cell("Closing rates", style="bold"))
    spec.add(*(Cell(t, style="header") for t in ("Currency", f"{base} per unit", "Published", "Source", "Cell")))
    day_rates = ctx.ledger.day_rates()
    for code in currencies:
        rate = day_rates.on(code, last)
        if rate is None:
            spec.add(Cell(code), Cell("no rate in the Rates sheet", style="warning"))
            continue
        spec.add(Cell(code), Cell(rate.rate, style="decimal"), Cell(rate.published, style="date"),
                 Cell(rate.source or "Rates sheet"), Cell(str(rate.where)))
    return [spec]


def closing_value(r: Revaluation, base: str) -> Decimal:
    """A Revaluations row's closing value in the base currency (as Z4 values an open item)."""
    return in_base(r.open_amount, r.closing_rate, base)


def credit_balances_paper(ctx: PackContext) -> list[SheetSpec]:
    """Working paper J: customers with a credit balance at the period end, to reclassify to payables."""
    base = ctx.base
    owed = balances(ctx.items)
    credits = sorted(key for key, amount in owed.items() if amount < 0)
    spec = paper("J", "Credit balances", "Credit balances to reclassify to payables", ctx.head,
                 "Z4 Open items: each customer's balance per currency at the period end; a negative one is owed "
                 "to the customer (open credit notes, unapplied cash) and is a payable, not a receivable", "AΣ",
                 widths={"A": 12, "B": 32, "D": 12, "E": 18, "G": 16, "H": 16, "I": 30})
    header(spec, "Customer ID", "Name", "Currency", "Kind", "Reference", "Date", "Open amount",
           f"Base value ({base})", "Note")
    theirs: dict[tuple[str, str], list[OpenItem]] = {key: [] for key in credits}
    for item in ctx.items:
        if (item.customer_id, item.currency) in theirs:
            theirs[(item.customer_id, item.currency)].append(item)
    for cid, code in credits:
        for item in theirs[(cid, code)]:
            z = ctx.item_rows[item.reference]
            spec.add(Cell(cid), Cell(""), Cell(code), Cell(item.kind), Cell(item.reference),
                     Cell(item.document_date, style="date"),
                     Cell(item.open_amount, formula=f"='{Z_OPEN}'!{OPEN['open']}{z}", style="amount",
                          currency=code),
                     Cell(ctx.base_value(item), formula=f"='{Z_OPEN}'!{OPEN['base']}{z}", style="amount",
                          currency=base))
        row = spec.next_row
        mine = ((OPEN["customer"], f"$A{row}"), (OPEN["currency"], f"$C{row}"))
        spec.add(Cell(cid, style="bold"), Cell(ctx.name(cid), style="bold"), Cell(code), Cell("Balance", style="bold"),
                 "", "", Cell(owed[(cid, code)], formula="=" + sumifs(Z_OPEN, OPEN["open"], *mine), style="total",
                              currency=code),
                 Cell(sum((ctx.base_value(i) for i in theirs[(cid, code)]), ZERO),
                      formula="=" + sumifs(Z_OPEN, OPEN["base"], *mine), style="total", currency=base),
                 Cell("A  reclassify to payables (refund or offset)"))
    if not credits:
        spec.add(Cell("no customer has a credit balance at the period end", style="note"))
    first, end = FIRST_ROW, max(FIRST_ROW, spec.next_row - 1)
    spec.blank()
    totals = []
    for code in sorted({c for _, c in credits}, key=lambda c: c != base):
        amount = sum((owed[k] for k in credits if k[1] == code), ZERO)
        value = sum((ctx.base_value(i) for key in credits if key[1] == code for i in theirs[key]), ZERO)
        within = f"D{first}:D{end},\"Balance\",C{first}:C{end},{quoted(code)}"
        totals.append((spec.add(*_total(f"Credit balances in {code}", {
            "G": (amount, f"=SUMIFS(G{first}:G{end},{within})"),
            "H": (value, f"=SUMIFS(H{first}:H{end},{within})")}, code, 9)), value))
        spec.rows[-1][2] = Cell(code, style="total")
        spec.rows[-1][7] = Cell(value, formula=spec.rows[-1][7].formula, style="total", currency=base)
    spec.add(*_total(f"To reclassify to payables ({base})", {"H": (
        sum((v for _, v in totals), ZERO), "=" + ("+".join(f"H{r}" for r, _ in totals) or "0"))}, base, 9))
    return [spec]


def related_parties_paper(ctx: PackContext) -> list[SheetSpec]:
    """Working paper K: balances and transactions with related parties (Customers "Related Party")."""
    ledger, base, period = ctx.ledger, ctx.base, ctx.period
    related = [c for c in ledger.customers if c.related_party.strip()]
    spec = paper("K", "Related parties", "Related-party customers (IAS 24)", ctx.head,
                 f"Customers Related Party (Z5); balances Z4 at the period end; invoiced and credited in "
                 f"{period.label} from Z1 (cancelled invoices left out), received from Z2 (refunds negative)",
                 "AΣ✓", widths={"A": 12, "B": 32, "C": 20, "E": 16, "F": 16, "G": 16, "H": 16, "I": 16})
    header(spec, "Customer ID", "Name", "Relationship", "Currency", "Balance", f"Base value ({base})",
           "Invoiced", "Credit notes", "Received")
    in_period = (f'">="&{date_value(period.first)}', f'"<="&{date_value(period.last)}')
    ids = {c.customer_id for c in related}  # each register read once, whatever the number of related parties
    all_docs = [i for i in ledger.invoices if i.customer_id in ids and period.contains(i.invoice_date)
                and i.status != "cancelled"]
    all_cash = [r for r in ledger.receipts if r.customer_id in ids and period.contains(r.date)]
    all_items = [i for i in ctx.items if i.customer_id in ids]
    for c in related:
        cid = c.customer_id
        docs = [i for i in all_docs if i.customer_id == cid]
        cash = [r for r in all_cash if r.customer_id == cid]
        items = [i for i in all_items if i.customer_id == cid]
        codes = sorted({i.currency for i in docs} | {i.currency for i in items} | {r.currency for r in cash}) \
            or [c.currency or base]
        for code in codes:
            row = spec.next_row
            invoiced = sum((i.total_amount for i in docs if i.doc_type == "invoice" and i.currency == code), ZERO)
            credited = sum((i.total_amount for i in docs if i.doc_type == "credit_note" and i.currency == code),
                           ZERO)
            z4 = ((OPEN["customer"], f"$A{row}"), (OPEN["currency"], f"$D{row}"))
            z1 = ((INV["customer"], f"$A{row}"), (INV["currency"], f"$D{row}"), (INV["status"], '"<>cancelled"'),
                  *((INV["date"], d) for d in in_period))

            spec.add(Cell(cid), Cell(c.name), Cell(c.related_party), Cell(code),
                     Cell(sum((i.open_amount for i in items if i.currency == code), ZERO),
                          formula="=" + sumifs(Z_OPEN, OPEN["open"], *z4), style="amount", currency=code),
                     Cell(sum((ctx.base_value(i) for i in items if i.currency == code), ZERO),
                          formula="=" + sumifs(Z_OPEN, OPEN["base"], *z4), style="amount", currency=base),
                     Cell(invoiced, formula="=" + sumifs(Z_INVOICES, INV["total"], *z1,
                                                                    (INV["type"], quoted("invoice"))),
                          style="amount", currency=code),
                     Cell(credited, formula="=" + sumifs(Z_INVOICES, INV["total"], *z1,
                                                                        (INV["type"], quoted("credit_note"))),
                          style="amount", currency=code),
                     Cell(sum((r.amount for r in cash if r.currency == code), ZERO),
                          formula="=" + sumifs(Z_RECEIPTS, REC["amount"], (REC["customer"], f"$A{row}"),
                                               (REC["currency"], f"$D{row}"), *((REC["date"], d) for d in in_period)),
                          style="amount", currency=code))
    if not related:
        spec.add(Cell("no customer is marked as a related party (Customers Related Party)", style="note"))
    first, end = FIRST_ROW, max(FIRST_ROW, spec.next_row - 1)
    spec.blank()
    rows = spec.rows[first - 1:end] if related else []
    for code in sorted({str(r[3].value) for r in rows}, key=lambda c: c != base):
        mine = [r for r in rows if r[3].value == code]
        within = f"D{first}:D{end},{quoted(code)}"

        def column_sum(n: int, mine: list[list[Cell]] = mine) -> Decimal:
            return sum((Decimal(str(r[n].value)) for r in mine), ZERO)

        spec.add(*_total(f"Related parties, {code}", {
            letter: (column_sum(n), f"=SUMIFS({letter}{first}:{letter}{end},{within})")
            for letter, n in (("E", 4), ("F", 5), ("G", 6), ("H", 7), ("I", 8))}, code, 9))
        spec.rows[-1][3] = Cell(code, style="total")
        spec.rows[-1][5] = Cell(spec.rows[-1][5].value, formula=spec.rows[-1][5].formula, style="total",
                                currency=base)
    spec.add(*_total(f"Related-party balances ({base})", {"F": (
        sum((Decimal(str(r[5].value)) for r in rows), ZERO), f"=SUM(F{first}:F{end})" if rows else "=0")},
        base, 9))
    return [spec]


PAPERS = (certificates_paper, fx_paper, credit_balances_paper, related_parties_paper)
"""The papers of this module, in index order (H, I, J, K)."""
