"""``arxl tieout``: Sage's Aged Debtors report (and trial balance) against arxl, into the TieOut sheet.

The job reads Sage's report through its profile (:mod:`arxl.formats.sage_report`), compares it with the
register at the as-of date (:mod:`arxl.books.tieout`), checks Sage's own totals line, and writes the TieOut
sheet: one row per customer account and currency with arxl's balance, Sage's, their difference (a live
formula), the class and the explanation of each difference; a total per currency; and the base control
(arxl's base total, the sum of Sage's base balances, and the trial balance's debtors control when given),
every difference a formula stored with arxl's own result. The verdict decides the exit code: 0 when Sage
agrees with arxl, 3 when they differ.

The sheet's columns: A customer, B name, C currency, D arxl's balance, E Sage's, F = E − D, G arxl's base
value (open items at the closing rate), H Sage's base balance, I the month's revaluation arxl exported to Sage
(a journal to the debtors control and FX nominals: Sage's customer account keeps the document rates, its
debtors control gets the revaluation), J = H + I − G, K class, L explanation, M where the account is in Sage's
report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from arxl.app.jobs import open_for_work
from arxl.app.report import Report
from arxl.books.tieout import TieLine, TieOut, tie_out
from arxl.core.money import figure
from arxl.formats.sage_report import (
    ControlAccount,
    SageReport,
    load_report_profile,
    read_control_account,
    read_sage_report,
)
from arxl.formats.xlsx.host import Host
from arxl.ledger.changes import Cell, ChangeSet, SheetSpec

TIEOUT_SHEET = "TieOut"
HEADER = ("Customer", "Name", "Currency", "arxl balance", "Sage balance", "Difference", "arxl base value",
          "Sage base balance", "Revaluation journal", "Base difference", "Class", "Explanation", "In Sage's report")
ZERO = Decimal(0)


@dataclass(slots=True)
class TieOutRun:
    """What the job found: the report for the accountant, and whether Sage agrees (exit 0) or not (exit 3)."""

    report: Report
    agrees: bool
    result: TieOut | None = None
    sheet: SheetSpec | None = None
    control: ControlAccount | None = None
    notes: list[str] = field(default_factory=list)


def tieout(host: Host, sage_file: Path, as_of: dt.date, *, trial_balance: Path | None = None,
           profile: Path | None = None) -> TieOutRun:
    """Compare Sage's report with the register at ``as_of`` and write the TieOut sheet."""
    ledger = open_for_work(host, "tie-out")
    base = (ledger.settings.base_currency or "RWF").strip().upper()
    aliases = load_report_profile(profile) if profile else None
    sage = read_sage_report(sage_file, base, aliases)
    control = read_control_account(trial_balance, ledger.settings.sage_debtors_nominal) if trial_balance else None
    result = tie_out(ledger, sage.balances, as_of)
    notes = result.warnings + _check_totals(sage, result)
    control_gap = None
    if control is not None and result.arxl_base_total is not None:
        control_gap = control.balance - result.arxl_base_total
    agrees = result.agrees and not control_gap
    sheet = tieout_sheet(result, sage.file, control, agrees)
    changes = ChangeSet()
    changes.replace_sheet(sheet)
    host.apply(changes)
    report = Report("tie-out")
    accounts = len({t.customer_id for t in result.lines})
    total = figure(result.arxl_base_total, base, with_code=True) if result.arxl_base_total is not None else \
        "(base total left out)"
    if agrees:
        report.say(f"Sage agrees with arxl at {as_of:%d/%m/%Y}: {accounts} customers, control {total}")
    else:
        counts = ", ".join(f"{kind} {n}" for kind, n in result.count_by_class().items())
        report.say(f"Sage differs from arxl at {as_of:%d/%m/%Y}: {len(result.differences)} difference(s)"
                   + (f" ({counts})" if counts else "") + f"; {_totals_text(result)}")
    for line in result.differences:
        report.say(f"  {line.customer_id} {line.currency}: arxl {figure(line.arxl_balance, line.currency)}, Sage "
                   f"{figure(line.sage_balance, line.currency)}: {line.explanation}")
    if control is not None:
        gap = "not compared" if control_gap is None else "agrees" if not control_gap else \
            f"differs by {figure(control_gap, base, with_code=True)}"
        report.say(f"Sage's debtors control {control.nominal} ({control.where}): "
                   f"{figure(control.balance, base, with_code=True)} against arxl's {total}: {gap}")
    for note in notes:
        report.say(f"  note: {note}")
    report.say(f"written to the sheet {TIEOUT_SHEET}")
    return TieOutRun(report, agrees, result, sheet, control, notes)


def _totals_text(result: TieOut) -> str:
    by_currency: dict[str, Decimal] = {}
    for line in result.differences:
        by_currency[line.currency] = by_currency.get(line.currency, ZERO) + line.difference
    money = [figure(v, c, with_code=True) for c, v in by_currency.items() if v]
    return "total " + ", ".join(money) if money else "no difference in the balances themselves"


def _check_totals(sage: SageReport, result: TieOut) -> list[str]:
    """Sage's totals line against the sum of its accounts (a report cut short, or a filter, shows here)."""
    found: list[str] = []
    currencies = {b.currency for b in sage.balances}
    base = result.base_currency
    values = [b.base_balance if b.base_balance is not None else b.balance if b.currency == base else None
              for b in sage.balances]
    added_base = None if None in values else sum((v for v in values if v is not None), ZERO)
    for totals in sage.totals:
        if totals.base_balance is not None and added_base is not None and totals.base_balance != added_base:
            found.append(f"Sage's totals line ({totals.where}) says {figure(totals.base_balance, base)} in {base}, "
                         f"its accounts add up to {figure(added_base, base)}")
        if totals.balance is not None and len(currencies) == 1:
            code = next(iter(currencies))
            added = sum((b.balance for b in sage.balances), ZERO)
            if totals.balance != added:
                found.append(f"Sage's totals line ({totals.where}) says {figure(totals.balance, code)} {code}, its "
                             f"accounts add up to {figure(added, code)}")
    return found


def tieout_sheet(result: TieOut, sage_file: str, control: ControlAccount | None, agrees: bool) -> SheetSpec:
    """The TieOut sheet: the accounts per currency with their totals, then the base control."""
    base = result.base_currency
    widths = {"A": 12.0, "B": 32.0, "C": 9.0, **dict.fromkeys("DEFGHIJ", 15.0), "K": 26.0, "L": 90.0, "M": 22.0}
    sheet = SheetSpec(TIEOUT_SHEET, widths=widths, freeze="A6", tab_color="375623", landscape=True, fit_width=True)
    sheet.add(Cell(f"Tie-out of arxl with Sage at {result.as_of:%d/%m/%Y}", style="title"))
    sheet.add(Cell(f"Sage report: {sage_file}" + (f" · trial balance {control.where}" if control else ""),
                   style="subtitle"))
    verdict = "agree" if agrees else f"{len(result.differences)} difference(s), {_totals_text(result)}"
    if not agrees and not result.differences:
        verdict = "the accounts agree, the debtors control does not"
    sheet.add(Cell(f"Verdict: {verdict}", style="good" if agrees else "warning"))
    sheet.blank()
    sheet.add(*(Cell(h, style="header") for h in HEADER))
    totals: list[int] = []
    currencies = list(dict.fromkeys(t.currency for t in result.lines))
    for code in currencies:
        lines = [t for t in result.lines if t.currency == code]
        first = sheet.next_row
        for line in lines:
            _account_row(sheet, line, base)
        last = sheet.next_row - 1
        totals.append(_total_row(sheet, code, lines, first, last, base))
    sheet.blank()
    _control(sheet, result, control, totals, base)
    for note in result.warnings:
        sheet.add(Cell(note, style="note"))
    return sheet


def _account_row(sheet: SheetSpec, line: TieLine, base: str) -> None:
    row = sheet.next_row
    code = line.currency
    sheet.add(Cell(line.customer_id, style="text"), Cell(line.name, style="text"), Cell(code, style="text"),
              Cell(line.arxl_balance, style="amount", currency=code),
              Cell(line.sage_balance, style="amount", currency=code),
              Cell(line.difference, formula=f"=E{row}-D{row}", style="amount", currency=code),
              Cell(line.arxl_base, style="amount", currency=base),
              Cell(line.sage_base, style="amount", currency=base),
              Cell(line.revalued, style="amount", currency=base),
              _difference(line.arxl_base, None if line.sage_base is None else line.sage_base + line.revalued,
                          f"=H{row}+I{row}-G{row}", base),
              Cell(line.classes or "agrees", style="warning" if line.parts else "good"),
              Cell(line.explanation, style="text"), Cell(line.where, style="note"))


def _difference(left: Decimal | None, right: Decimal | None, formula: str, base: str) -> Cell:
    if left is None or right is None:
        return Cell("not compared", style="note")
    return Cell(right - left, formula=formula, style="amount", currency=base)


def _total_row(sheet: SheetSpec, code: str, lines: list[TieLine], first: int, last: int, base: str) -> int:
    row = sheet.next_row

    def total(letter: str, values: list[Decimal | None], currency: str) -> Cell:
        if any(v is None for v in values):
            return Cell(None, style="total")
        value = sum((v for v in values if v is not None), ZERO)
        return Cell(value, formula=f"=SUM({letter}{first}:{letter}{last})", style="total", currency=currency)

    arxl_base, sage_base = [t.arxl_base for t in lines], [t.sage_base for t in lines]
    revalued: list[Decimal | None] = [t.revalued for t in lines]
    differences = [t.difference for t in lines]
    sheet.add(Cell(f"Total {code}", style="total"), Cell(f"{len(lines)} account(s)", style="total"),
              Cell(code, style="total"), total("D", [t.arxl_balance for t in lines], code),
              total("E", [t.sage_balance for t in lines], code), total("F", list(differences), code),
              total("G", list(arxl_base), base), total("H", list(sage_base), base), total("I", revalued, base),
              total("J", [None if a is None or s is None else s + r - a for a, s, r in
                          zip(arxl_base, sage_base, [t.revalued for t in lines], strict=True)], base))
    return row


def _control(sheet: SheetSpec, result: TieOut, control: ControlAccount | None, totals: list[int],
             base: str) -> None:
    """The base control: arxl's base total against Sage's sum of base balances and its debtors control."""
    sheet.add(Cell(f"Control in {base}", style="header"), Cell("", style="header"), Cell("", style="header"),
              Cell("arxl", style="header"), Cell("Sage", style="header"), Cell("Difference", style="header"))
    arxl, sage = result.arxl_base_total, result.sage_base_total
    arxl_row = sheet.next_row
    arxl_cell = Cell("left out: a closing rate is missing", style="note") if arxl is None else \
        Cell(arxl, formula="=" + "+".join(f"G{r}" for r in totals) if totals else "", style="total", currency=base)
    sage_cell = Cell("left out: a base balance is missing", style="note") if sage is None else \
        Cell(sage, formula="=" + "+".join(f"H{r}+I{r}" for r in totals) if totals else "", style="total",
             currency=base)
    sheet.add(Cell("Customers: base values (Sage's with the revaluation journals)", style="bold"), Cell(""),
              Cell(base),
              arxl_cell, sage_cell, _difference(arxl, sage, f"=E{arxl_row}-D{arxl_row}", base))
    if control is not None:
        row = sheet.next_row
        sheet.add(Cell(f"Sage trial balance: debtors control {control.nominal}", style="bold"),
                  Cell(control.name), Cell(base),
                  Cell(arxl, formula=f"=D{arxl_row}" if arxl is not None else "", style="total", currency=base)
                  if arxl is not None else Cell("left out", style="note"),
                  Cell(control.balance, style="total", currency=base),
                  _difference(arxl, control.balance, f"=E{row}-D{row}", base))
