"""Ribbon macros (installed as ``arxl.macros``): one per button of the arxl tab.

The add-in's single VBA callback runs ``RunPython "import arxl.macros as m; m.run('<button id>')"``. Each
macro is a few lines: read its parameters from Settings (Period, As Of, Output Folder, Statement File, Sage
Report File), call
the same job of :mod:`arxl.app` as the command line, and report: the first line in Excel's status bar, the
whole report with links to the problem cells in the Log sheet, and an alert naming the cell when the input is
refused — never a Python traceback. Every macro runs headless on a file through
:class:`arxl.formats.xlsx.host.FileHost`, which is how the tests run them.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

from arxl.app import audit, cash, certificates, close, fx, invoicing, jobs, journal, periods, queries, receivables
from arxl.app import tieout as tie
from arxl.app.report import Refused, Report
from arxl.app.workbook import Host, lock_for, settings_of
from arxl.core.errors import ArxlError
from arxl.core.period import Period
from arxl.ledger.changes import Cell, ChangeSet, SheetSpec

# Button id -> (group on the ribbon, label, screentip). The order is the ribbon's.
BUTTONS: dict[str, tuple[str, str, str]] = {
    "validate_workbook": ("Billing", "Validate workbook", "Check every table and list each problem with its cell"),
    "review_billing": ("Billing", "Review billing", "Pre-billing review of the period into the Review sheet"),
    "generate_invoices": ("Billing", "Generate invoices", "Bill the period: numbered invoices and documents"),
    "export_sage": ("Billing", "Export to Sage",
                    "Sage 50 audit-trail CSV of the period's AR movements, and the allocation sheet"),
    "import_statement": ("Cash", "Import statement", "Import a bank statement and propose matches"),
    "post_reconciliation": ("Cash", "Post reconciliation", "Post the approved matches to Receipts and Allocations"),
    "refresh_aging": ("Receivables", "Refresh aging", "Rebuild the Aging sheet as of the As Of date"),
    "statements_reminders": ("Receivables", "Statements & reminders", "Statements of account and reminder e-mails"),
    "collections_report": ("Receivables", "Collections report", "Collections against targets, DSO, CEI"),
    "client_queries": ("Receivables", "Client queries", "The Open Queries sheet: what waits for an answer, by age"),
    "fx_revaluation": ("Ledger", "FX revaluation",
                       "Revalue the open USD items at the period's closing rate: Revaluations rows and the FX sheet"),
    "wht_certificates": ("Ledger", "WHT certificates",
                         "The Certificates sheet: every withholding, certified or awaiting its certificate from RRA"),
    "tie_out_sage": ("Ledger", "Tie out to Sage",
                     "Compare Sage's Aged Debtors report (Settings, Sage Report File) with arxl at the As Of date"),
    "lock_period": ("Ledger", "Lock period",
                    "Lock the period: billing, posting, credit notes, revaluation and Sage export into it are refused"),
    "month_end_close": ("Close", "Month-end close", "Run the month-end, step by step, resuming where it stopped"),
    "audit_pack": ("Close", "Audit pack",
                   "The auditor's working papers of the period, the confirmation letters and the document index"),
}
LOG_SHEET = "Log"
STATUS_SECONDS = 0.3  # the status bar's progress is refreshed at most this often
MACRO_WAIT = 10.0  # seconds a button waits for a command changing the workbook: Excel is frozen meanwhile
Macro = Callable[[Host], Report]


def _settings(host: Host) -> tuple[str, dt.date | None, Path]:
    """Period, As Of and the output folder of the Settings sheet (the period is required by most buttons)."""
    s = settings_of(host)
    return s.period, s.as_of, host.folder / (s.output_folder or "out")


def _period(host: Host) -> str:
    period = _settings(host)[0]
    if not period:
        raise ArxlError("Settings has no Period: put the month to work on (YYYY-MM) in Settings, key Period")
    return period


def validate_workbook(host: Host) -> Report:
    return jobs.validate(host)


def review_billing(host: Host) -> Report:
    return invoicing.review_billing(host, _period(host))


def generate_invoices(host: Host) -> Report:
    period, _, out = _settings(host)
    return invoicing.generate_invoices(host, _period(host), out / "invoices" / period, pdf=True,
                                  progress=_status_bar(host, "Generate invoices"))


def export_sage(host: Host) -> Report:
    period, _, out = _settings(host)
    out.mkdir(parents=True, exist_ok=True)
    return invoicing.export_sage(host, _period(host), out / f"sage-{period}.csv", on=dt.date.today())


def import_statement(host: Host) -> Report:
    name = settings_of(host).statement_file
    if not name:
        raise ArxlError("Settings has no Statement File: put the bank statement's file name (beside the workbook, "
                        "or a full path) in Settings, key Statement File")
    return cash.import_statement(host, host.folder / name, dt.date.today())


def post_reconciliation(host: Host) -> Report:
    return cash.post_reconciliation(host, dt.date.today())


def refresh_aging(host: Host) -> Report:
    return receivables.refresh_aging(host, _settings(host)[1])


def statements_reminders(host: Host) -> Report:
    _, as_of, out = _settings(host)
    return receivables.statements_reminders(host, as_of, out, pdf=True,
                                            progress=_status_bar(host, "Statements & reminders"))


def collections_report(host: Host) -> Report:
    return receivables.collections_report(host, _period(host))


def client_queries(host: Host) -> Report:
    return queries.refresh_queries(host, _settings(host)[1])


def fx_revaluation(host: Host) -> Report:
    return fx.revalue(host, _period(host))


def wht_certificates(host: Host) -> Report:
    return certificates.refresh_certificates(host, _settings(host)[1])


def tie_out_sage(host: Host) -> Report:
    """Sage's Aged Debtors report named in Settings against arxl at As Of; the TieOut sheet says where they differ."""
    s = settings_of(host)
    if not s.sage_report_file:
        raise ArxlError("Settings has no Sage Report File: export Sage's Aged Debtors (customer balances) report as "
                        "CSV or XLSX and put its file name (beside the workbook, or a full path) in Settings, key "
                        "Sage Report File")
    if s.as_of is None:
        raise ArxlError("Settings has no As Of: put the date of Sage's report in Settings, key As Of")
    return tie.tieout(host, host.folder / s.sage_report_file, s.as_of).report


def lock_period(host: Host) -> Report:
    """Lock Settings' Period by hand, under the Windows user's name (reopening asks for a reason: arxl period
    reopen)."""
    return periods.lock_period(host, _period(host), journal.user())


def month_end_close(host: Host) -> Report:
    _, _, out = _settings(host)
    return close.month_end(host, _period(host), out, today=dt.date.today(),
                           progress=lambda step: host.status(f"arxl: Month-end close: {step}..."),
                           stage_progress=_status_bar(host, "Month-end close"))


def audit_pack(host: Host) -> Report:
    """The pack of Settings' Period into <Output Folder>/audit/<period>, prepared by the Windows user."""
    period, _, out = _settings(host)
    return audit.audit_pack(host, Period.parse(_period(host)), out / "audit" / period,
                            preparer=journal.user(), today=dt.date.today(), documents=out)


def _status_bar(host: Host, label: str) -> Callable[[str, int, int], None]:
    """A long job's progress in Excel's status bar ("arxl: Generate invoices: invoice PDFs 35/69"), at most
    a few times a second: each update is a call into Excel."""
    last = [0.0]

    def show(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if 0 < done < total and now - last[0] < STATUS_SECONDS:
            return
        last[0] = now
        host.status(f"arxl: {label}: {stage} {done:,}/{total:,}")

    return show


def log_sheet(report: Report, button: str, when: dt.datetime) -> SheetSpec:
    """The Log sheet: the last run's summary, its problems with links to their cells, and the files it wrote."""
    sheet = SheetSpec(LOG_SHEET, widths={"A": 14, "B": 90}, tab_color="7F7F7F")
    label = BUTTONS.get(button, ("", button, ""))[1]
    sheet.add(Cell(f"arxl: {label}", style="title"))
    sheet.add(Cell(f"{when:%d/%m/%Y %H:%M}", style="subtitle"),
              Cell("refused: nothing was changed" if report.refused and not report.files else
                   ("refused" if report.refused else "done"), style="error" if report.refused else "good"))
    sheet.blank()
    for line in report.lines:
        sheet.add(Cell(""), Cell(line))
    for reason in report.reasons:
        sheet.add(Cell("refused", style="error"), Cell(reason))
    if report.problems:
        sheet.blank()
        sheet.add(Cell("Cell", style="header"), Cell("Problem", style="header"))
        for problem in report.problems[:2000]:
            where = problem.where
            target = f"#'{where.sheet}'!{where.cell}" if where.sheet and where.cell else ""
            sheet.add(Cell(f"{where.sheet}!{where.cell}" if where.sheet else where.book, link=target),
                      Cell(problem.message, style="error" if problem.severity == "error" else "warning"))
    if report.files:
        sheet.blank()
        sheet.add(Cell("Files", style="header"), Cell(f"{len(report.files)} written", style="header"))
        for path in report.files[:500]:
            sheet.add(Cell(""), Cell(str(path)))
    return sheet


def run(button: str, host: Host | None = None) -> Report:
    """Run the macro of a ribbon button on the calling workbook (or on ``host``), and report to the accountant."""
    if host is None:
        from arxl.excel.host import ExcelHost  # xlwings and a live Excel: only when Excel runs the macro

        host = ExcelHost.caller()
    macro: Macro | None = globals().get(button) if button in BUTTONS else None
    if macro is None:
        raise ValueError(f"no arxl macro for the button {button!r}")  # a broken add-in: a bug, not bad input
    host.status(f"arxl: {BUTTONS[button][1]}...")
    # the same lock as the command line's, so a button and a command never write the workbook together
    try:
        lock = lock_for(host, f"arxl ribbon: {BUTTONS[button][1]}", MACRO_WAIT, host.status)
    except ArxlError as exc:  # nothing was read or written, not even the Log sheet (another run owns it)
        report = Report(button).refuse(str(exc))
    else:
        try:
            before = journal.workbook_hash(host.folder / host.name)
            report = _run_macro(macro, host, button)
            # the audit journal, under the lock, whatever the outcome: a run that changed the workbook (if only
            # its Log sheet) or wrote files is recorded, one that stopped half-way too
            journal.record(host, before, f"arxl ribbon: {BUTTONS[button][1]}", outputs=report.files, warn=host.alert)
        finally:
            lock.release()
    host.status(f"arxl: {report.headline}")
    if report.refused:
        first = report.errors[0] if report.errors else None
        host.alert(report.headline + (f"\n{first}" if first and str(first) != report.headline else ""),
                   f"arxl: {BUTTONS[button][1]}")
    return report


def _run_macro(macro: Macro, host: Host, button: str) -> Report:
    """The macro, then its report into the Log sheet; bad input becomes a refused report, never a traceback."""
    try:
        report = macro(host)
    except Refused as exc:
        report = exc.report
    except ArxlError as exc:
        report = Report(button).refuse(str(exc))
    changes = ChangeSet()
    changes.replace_sheet(log_sheet(report, button, dt.datetime.now()))
    try:
        host.apply(changes)
    except ArxlError as exc:  # the workbook could not take the log (open elsewhere): say so, lose nothing
        report.refuse(f"the Log sheet could not be written: {exc}")
    return report
