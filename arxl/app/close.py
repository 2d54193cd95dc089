"""The month-end close: every step of the month in order, stopping where the accountant must decide.

review billing → generate invoices → import the bank statement and propose matches → (stop while any bank
line waits for a decision in the Reconciliation sheet) → post the reconciliation → refresh aging as of the
month's end → the Certificates sheet (withholding awaiting its certificate) → arrangements check
(instalments and promises kept or broken, the Escalations sheet: before the reminders, which spare a customer
keeping an arrangement) → statements and reminders → collections report →
Sage export. When every step is done, the month is locked (:mod:`arxl.books.periods`): billing, posting,
credit notes, revaluation and export into it are refused until ``arxl period reopen`` records why.

Resumable: the Close sheet records each step of the period as done (with when and what it did), waiting or
skipped, and a run starts from the first step not done, so running the close again after deciding the
reconciliation carries on where it stopped and repeats nothing. Every step is also idempotent on its own (a
period is billed once, a statement imported once, a bank line posted once, a reminder level sent once, a
document exported to Sage once), so even a close killed half-way is safe to run again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from arxl.app import cash, certificates, fx, invoicing, jobs, periods, receivables
from arxl.app.report import Refused, Report
from arxl.cashapp.reconcile import undecided
from arxl.core.errors import ArxlError
from arxl.core.period import Period
from arxl.formats.libreoffice import require
from arxl.formats.xlsx.host import Host
from arxl.ledger.changes import Cell, ChangeSet, SheetSpec, Style

if TYPE_CHECKING:
    from arxl.app.recovery import Progress
    from arxl.formats.mail import SmtpServer

SHEET = "Close"
HEADERS = ["Period", "Step", "Status", "When", "Summary"]
STEPS = ("review billing", "generate invoices", "import statement", "post reconciliation",
         "revalue foreign currency", "refresh aging", "certificates", "arrangements check",
         "statements and reminders", "collections report", "export to Sage")


@dataclass(frozen=True, slots=True)
class Options:
    """What the close needs beyond the workbook: where outputs go, the statement, PDFs, a mail server."""

    out_dir: Path
    statement: Path | None = None
    pdf: bool = False
    server: SmtpServer | None = None  # None writes the reminders as .eml only


def _done_steps(host: Host, period: str) -> dict[str, tuple[str, str]]:
    """Steps of the period already done, from the Close sheet: step -> (when, summary)."""
    raw = host.port().read_table(SHEET, HEADERS)
    done: dict[str, tuple[str, str]] = {}
    if raw is None:
        return done
    for row in raw.rows:
        values = dict(zip(raw.headers, row, strict=False))
        if str(values.get("Period", "")) == period and values.get("Status") == "done":
            done[str(values.get("Step", ""))] = (str(values.get("When", "")), str(values.get("Summary", "")))
    return done


def _close_sheet(period: str, log: list[tuple[str, str, str, str]], earlier: list[list[object]]) -> SheetSpec:
    sheet = SheetSpec(SHEET, widths={"A": 10, "B": 26, "C": 10, "D": 18, "E": 110}, tab_color="7030A0")
    sheet.add(Cell("Month-end close", style="title"))
    sheet.add(Cell("Each step of a period runs once; run the close again to carry on from the first step not "
                   "done.", style="subtitle"))
    sheet.blank()
    sheet.add(*(Cell(h, style="header") for h in HEADERS))
    for step, status, when, summary in log:
        style: Style = "good" if status == "done" else "warning" if status == "waiting" else "error" \
            if status == "refused" else ""
        sheet.add(Cell(period), Cell(step), Cell(status, style=style), Cell(when), Cell(summary))
    for row in earlier:  # other periods' history stays
        sheet.add(*(Cell(v) for v in row))
    return sheet


def month_end(host: Host, period: str, out_dir: Path, today: dt.date, statement: Path | None = None,
              pdf: bool = False, server: SmtpServer | None = None,
              progress: Callable[[str], None] | None = None, stage_progress: Progress | None = None) -> Report:
    """Run the close of a month from its first step not done; stop where a decision is needed.

    ``progress`` is told the name of each step as it starts, ``stage_progress`` the progress of a long step
    within it (invoice documents and PDFs, statements, their PDFs, the e-mails sent)."""
    month = Period.parse(period)
    first_day, last_day = month.first, month.last
    ledger = jobs.open_for_work(host, "month-end close")  # refused before the Close sheet is written
    statement = statement or (host.folder / ledger.settings.statement_file if ledger.settings.statement_file
                              else None)
    done = _done_steps(host, period)
    if pdf and not {"generate invoices", "statements and reminders"} <= done.keys():
        require("PDFs of invoices and statements")  # asked for: refused now rather than half-way
    report = Report("month-end close")
    steps: dict[str, Callable[[], Report]] = {
        "review billing": lambda: invoicing.review_billing(host, period),
        "generate invoices": lambda: invoicing.generate_invoices(host, period, out_dir / "invoices" / period, pdf,
                                                            stage_progress),
        "import statement": lambda: _import(host, statement, today),
        "post reconciliation": lambda: _post(host, today),
        "revalue foreign currency": lambda: fx.revalue(host, month),
        "refresh aging": lambda: receivables.refresh_aging(host, last_day),
        "certificates": lambda: certificates.refresh_certificates(host, last_day),
        "arrangements check": lambda: receivables.arrangements_check(host, last_day),
        "statements and reminders": lambda: receivables.statements_reminders(
            host, last_day, out_dir, start=first_day, pdf=pdf, server=server, progress=stage_progress),
        "collections report": lambda: receivables.collections_report(host, period),
        "export to Sage": lambda: invoicing.export_sage(host, period, out_dir / f"sage-{period}.csv", on=today),
    }
    run_steps(host, period, STEPS, steps, done, report, "close", progress)
    if not report.refused:
        report.lines.insert(0, f"{period}: month-end close complete")
        locked_now = _lock(host, month)
        if locked_now:
            report.say(locked_now)
    return report


def _lock(host: Host, month: Period) -> str:
    """Lock the month whose close is complete, and say so; nothing when it already was (a re-run repeats
    nothing)."""
    ledger = jobs.open_for_work(host, "lock the month")
    changes, already = periods.lock_changes(ledger, [month], periods.user_name(), "month-end close")
    if already:
        return ""
    host.apply(changes)
    return f"period lock: {month} locked; `arxl period reopen {host.name} {month} --reason ...` to change it"


def run_steps(host: Host, label: str, order: tuple[str, ...], steps: dict[str, Callable[[], Report]],
              done: dict[str, tuple[str, str]], report: Report, what: str,
              progress: Callable[[str], None] | None = None) -> None:
    """Run the steps not yet done in order, into ``report``, stopping at the first refused or waiting one; the
    Close sheet then records each step of ``label`` (a month, or a year for the year-end) and keeps the rows of
    every other period. The one loop of the month-end and the year-end."""
    raw = host.port().read_table(SHEET, HEADERS)
    earlier = [row for row in (raw.rows if raw else []) if str(row[0]) != label]
    log: list[tuple[str, str, str, str]] = []
    now = f"{dt.datetime.now():%d/%m/%Y %H:%M}"
    try:
        for name in order:
            if name in done:
                when, summary = done[name]
                log.append((name, "done", when, summary))
                report.say(f"{name}: already done ({when})")
                continue
            if progress:
                progress(name)
            try:
                result = steps[name]()
            except Refused as exc:
                result = exc.report
            except ArxlError as exc:
                result = Report(name).refuse(str(exc))
            report.problems += result.problems
            report.files += result.files
            if result.refused:
                waiting = result.job == "waiting"
                log.append((name, "waiting" if waiting else "refused", now, "; ".join(result.reasons)))
                report.say(f"{name}: {'waiting' if waiting else 'refused'}: {'; '.join(result.reasons)}")
                report.refuse(f"the {what} stopped at '{name}': {'; '.join(result.reasons)}")
                break
            summary = "; ".join(result.lines)
            log.append((name, "done", now, summary))
            report.say(f"{name}: {summary}")
    finally:
        changes = ChangeSet()
        changes.replace_sheet(_close_sheet(label, log, earlier))
        host.apply(changes)


def _import(host: Host, statement: Path | None, today: dt.date) -> Report:
    if statement is None:
        return Report("waiting").refuse("no bank statement: give --statement FILE or set Settings, Statement File")
    return cash.import_statement(host, statement, today)  # a file imported before: "all N line(s) already imported"


def _post(host: Host, today: dt.date) -> Report:
    """Post the decided lines; wait (stop the close) while any line has no decision yet."""
    waiting = undecided(cash.reconciliation_table(host))
    if waiting:
        return Report("waiting").refuse(
            f"{waiting} bank line(s) await a decision in the Reconciliation sheet (approve, reject, invoice "
            "numbers or a customer id); decide them, then run the close again")
    return cash.post_reconciliation(host, today)


def output_folder(host: Host) -> Path:
    """Where the close writes when no folder is given: Settings' Output Folder beside the workbook, else ``out``
    (the workbook refused first, as every job, when ``validate`` finds an error in it)."""
    ledger = jobs.open_for_work(host, "month-end close")
    return host.folder / (ledger.settings.output_folder or "out")
