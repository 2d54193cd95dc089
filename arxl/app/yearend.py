"""The year-end close: the year sent to Sage, the receivables at 31 December, and the year locked.

Steps, recorded in the Close sheet under the period ``YYYY`` like the month-end's (resumable: a run starts from
the first step not done): every month of the year exported to Sage into the out folder (a month already
exported writes nothing) → the Aging sheet at 31 December → the Certificates sheet at 31 December → the
YearEnd sheet (each customer account rolled forward over the year and checked against the open items:
:mod:`arxl.books.yearend`) → every month of the year locked (reason "year-end YYYY").

Refused before any step when a month of the year has bank lines waiting for a decision in the Reconciliation
sheet: the year's cash must be posted before its books are closed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from arxl.app import cash, certificates, jobs, periods, receivables
from arxl.app.close import _done_steps, run_steps
from arxl.app.report import Refused, Report
from arxl.app.sage import export_sage_months
from arxl.books.yearend import year_end_sheet
from arxl.cashapp.reconcile import undecided
from arxl.core.errors import ArxlError
from arxl.core.period import Period
from arxl.formats.xlsx.host import Host
from arxl.ledger.changes import ChangeSet

STEPS = ("export to Sage", "refresh aging", "certificates", "year-end sheet", "lock the year")


def year_end(host: Host, year: str, out_dir: Path, today: dt.date,
             progress: Callable[[str], None] | None = None) -> Report:
    """Run the year-end close of a calendar year from its first step not done."""
    period = Period.parse(year, year=True)
    if not period.is_year:
        raise ArxlError(f"--year {year}: give a year, YYYY")
    label = str(period)
    jobs.open_for_work(host, "year-end close")  # refused before the Close sheet is written
    _refuse_waiting_lines(host, period)
    done = _done_steps(host, label)
    months = [Period(period.year, m) for m in range(1, 13)]
    steps: dict[str, Callable[[], Report]] = {
        "export to Sage": lambda: _export(host, months, out_dir, today),
        "refresh aging": lambda: receivables.refresh_aging(host, period.last),
        "certificates": lambda: certificates.refresh_certificates(host, period.last),
        "year-end sheet": lambda: _year_end_sheet(host, period),
        "lock the year": lambda: _lock(host, months, label),
    }
    report = Report("year-end close")
    run_steps(host, label, STEPS, steps, done, report, "year-end", progress)
    if not report.refused:
        report.lines.insert(0, f"{label}: year-end close complete")
    return report


def _refuse_waiting_lines(host: Host, year: Period) -> None:
    table = cash.reconciliation_table(host)
    mine = dataclasses.replace(table, rows=[r for r in table.rows if year.contains(r.date)])
    waiting = undecided(mine)
    if waiting:
        raise Refused(Report("year-end close").refuse(
            f"{waiting} bank line(s) of {year} await a decision in the Reconciliation sheet: decide and post them "
            "first (the month-end close does), then run the year-end again"))


def _export(host: Host, months: list[Period], out_dir: Path, today: dt.date) -> Report:
    """Each month of the year to Sage, a file per month, in one write of the workbook; months already exported
    write nothing."""
    result = export_sage_months(host, months[0], months[-1], out_dir, on=today)
    if result.refused:
        return result
    written = len(result.files) // 2  # each month: its import file and its allocation sheet
    report = Report("export to Sage", problems=result.problems, files=result.files)
    report.say(f"{written} month(s) exported, {len(months) - written} with nothing new")
    return report


def _year_end_sheet(host: Host, year: Period) -> Report:
    ledger = jobs.open_for_work(host, "year-end sheet")
    made = year_end_sheet(ledger, year)
    changes = ChangeSet()
    changes.replace_sheet(made.sheet)
    host.apply(changes)
    report = Report("year-end sheet", problems=made.problems)
    differing = sum(1 for a in made.accounts if a.difference)
    report.say(f"YearEnd sheet: {len(made.accounts)} customer account(s) rolled forward to {year.last:%d/%m/%Y}"
               + (f", {differing} DIFFER from the open items" if differing else ", all agree with the open items"))
    if differing:
        report.refuse(f"{differing} account(s) do not roll forward to their open items: see the YearEnd sheet")
    return report


def _lock(host: Host, months: list[Period], label: str) -> Report:
    ledger = jobs.open_for_work(host, "lock the year")
    changes, already = periods.lock_changes(ledger, months, periods.user_name(), f"year-end {label}")
    host.apply(changes)
    report = Report("lock the year")
    report.say(f"{12 - len(already)} month(s) of {label} locked" + (f", {len(already)} already locked"
                                                                     if already else ""))
    return report
