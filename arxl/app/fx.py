"""``arxl fx revalue``: the month-end revaluation of foreign-currency items and the FX sheet (IAS 21).

The job takes the workbook's lock, refuses a workbook ``validate`` finds in error, and asks the books workflow
(:mod:`arxl.books.revaluation`) for the month's revaluation: one Revaluations row per open foreign item at the
closing rate, and the FX sheet with the month's realised and unrealised differences. A month already revalued
is not revalued again (the report says so, and says when its rows already went to Sage, which are never
changed). A missing rate refuses the job, naming the date and the currency.
"""

from __future__ import annotations

from decimal import Decimal

from arxl.app.jobs import apply, open_for_work
from arxl.app.report import Report
from arxl.books.fx import realised_in
from arxl.books.fx_sheet import FX_SHEET, fx_sheet
from arxl.books.revaluation import revalue_month
from arxl.core.money import figure
from arxl.core.period import Period
from arxl.formats.xlsx.host import Host

JOB = "revalue foreign currency"


def revalue(host: Host, period: str | Period) -> Report:
    """Revalue the open foreign items at the end of ``period`` (once) and write the FX sheet."""
    month = Period.parse(period)
    ledger = open_for_work(host, JOB)
    base = ledger.settings.base_currency or "RWF"
    run = revalue_month(ledger, month)
    report = Report(JOB)
    if run.already:
        state = "its rows went to Sage and are never changed" if run.exported else "not revalued again"
        report.say(f"{month}: already revalued ({len(run.already)} item(s), {_signed(run.total(), base)}); "
                   f"{state}")
        return report
    assert run.position is not None
    realised = realised_in(run.position, month)
    if not run.revalued and not realised:
        report.say(f"{month}: no foreign-currency item open at {month.last:%d/%m/%Y} and nothing realised")
        return report
    closing = {r.item.currency: r.closing for r in run.revalued}
    settings = ledger.settings
    run.changes.replace_sheet(fx_sheet(month, base, realised, run.revalued, closing, company=settings.company_name,
                                       nominals=(settings.sage_fx_nominal, settings.sage_unrealised_fx_nominal)))
    apply(host, ledger, run.changes, JOB)  # the period lock's door: a locked month is not revalued
    rates = ", ".join(f"{code} {r.rate:,} {base} ({r.source or 'Rates'} {r.published:%d/%m/%Y})"
                      for code, r in sorted(closing.items()))
    if run.revalued:
        report.say(f"{month}: {len(run.revalued)} open item(s) revalued at {rates}: unrealised: "
                   f"{_signed(run.total(), base)} (Revaluations; Sage nominal {settings.sage_unrealised_fx_nominal})")
    realised_total = sum((r.difference for r in realised), Decimal(0))
    report.say(f"{month}: realised: {_signed(realised_total, base)} on {len(realised)} clearing(s) (Sage nominal "
               f"{settings.sage_fx_nominal}); written to the sheet {FX_SHEET}")
    return report


def _signed(amount: Decimal, base: str) -> str:
    word = "a gain of" if amount > 0 else "a loss of" if amount < 0 else ""
    return f"{word} {figure(abs(amount), base)} {base}".strip()
