"""Recovery jobs: the Aging sheet, statements of account and reminders, arrangements, the collections report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

from arxl.aging.sheet import AGING_COLUMNS, AGING_ELSEWHERE, aging_report, aging_sheet, missing_rates
from arxl.aging.statements import account_statements
from arxl.app.jobs import as_of_date, open_for_work, refuse_errors
from arxl.app.recovery import (
    InDoubtChoice,
    Progress,
    StatementsRun,
    run_arrangements_check,
    run_report,
    run_statements,
    write_statements,
)
from arxl.app.report import Report
from arxl.core.background import paused_gc
from arxl.core.money import figure
from arxl.core.period import Period
from arxl.formats.libreoffice import LibreOffice, require
from arxl.formats.mail import SmtpServer, parse_server
from arxl.formats.statement_files import to_pdfs
from arxl.formats.xlsx.fastread import read_columns
from arxl.formats.xlsx.host import FileHost, Host
from arxl.ledger.changes import ChangeSet
from arxl.ledger.checks import check_ledger
from arxl.ledger.ledger import Ledger


def statements_reminders(host: Host, as_of: dt.date | None, out_dir: Path | None = None, *,
                         start: dt.date | None = None, pdf: bool = False, reminders: bool = True,
                         server: SmtpServer | None = None, mark_sent: bool = False, templates: Path | None = None,
                         progress: Progress | None = None, in_doubt: InDoubtChoice = "hold",
                         pdf_workers: int | None = None, produced: Iterable[Path] | None = None,
                         ledger: Ledger | None = None) -> Report:
    """Statements of account (xlsx, PDF) and the reminders due (.eml; sent and logged with a mail server), each
    with its statement attached (the PDF, else the workbook); ``progress`` is told of each statement, PDF and
    e-mail sent (stages "statements", "statement PDFs", "sending"). PDFs come from ``pdf_workers`` LibreOffice
    at once (default: ``ARXL_PDF_WORKERS``, else the cores).

    A reminder in doubt (journaled, the server's answer never heard: a run killed or cut off while sending) is
    not sent again but listed, and the job is refused (exit 2) once everything else is done and saved: the
    statements are written, the other reminders sent and logged, and only the accountant can tell whether
    that e-mail arrived. ``in_doubt`` "resend" or "delivered" is their answer. ``produced``: the documents a batch's
    tasks wrote already (:func:`statement_documents`); this job then only records them. ``ledger``: the host's
    ledger as :func:`open_for_work` gave it, read already under the lock still held (else it is read here)."""
    if pdf:
        require("PDFs of statements")  # refused before any statement is written or reminder sent
    ledger = ledger if ledger is not None else open_for_work(host, "statements and reminders")
    day = as_of_date(ledger, as_of)
    folder = out_dir or (host.folder / (ledger.settings.output_folder or "out"))
    office = LibreOffice(workers=pdf_workers) if pdf else None  # its profiles removed below, whatever happens
    try:
        run = run_statements(host, ledger, day, folder, start=start, pdf=pdf, reminders=reminders, server=server,
                             mark_sent=mark_sent, templates=templates, progress=progress, in_doubt=in_doubt,
                             office=office, produced=produced)
    finally:
        if office is not None:
            office.close()
    report = Report("statements and reminders", problems=run.problems)
    report.files += list(run.files.values()) + list(run.pdfs.values()) + run.emails
    report.say(f"{day:%d/%m/%Y}: {len(run.statements)} statement(s) for {len(run.files)} customer(s) in "
               f"{folder / 'statements'}" + (f", {len(run.pdfs)} PDF(s)" if run.pdfs else ""))
    if run.plan is not None:
        plan = run.plan
        report.say(f"reminders: {len(plan.to_email)} due by e-mail ({len(run.emails)} .eml written), "
                   f"{len(plan.to_call)} to call (no e-mail address), {len(plan.skipped)} overdue but not reminded")
        for reminder in plan.to_call:
            report.say(f"  call {reminder.customer_id} {reminder.customer.name} "
                       f"({reminder.customer.phone or 'no phone'}): level {reminder.level.level}, "
                       f"{reminder.days_overdue} days")
        if server is not None:
            report.say(f"sent {len(run.sent)} reminder(s), logged in CollectionsLog")
        elif mark_sent:
            report.say(f"logged {len(run.sent)} reminder(s) as sent in CollectionsLog")
        for message, why in run.partly_refused:
            report.say(f"  {message.reminder.customer_id}: sent, but {why}")
        for message, why in run.failed:
            report.refuse(f"  NOT sent: {message.reminder.customer_id} {', '.join(message.recipients)}: {why}")
        if run.failed:
            report.refuse(f"{len(run.failed)} reminder(s) not sent and not logged; they go with the next run")
    _report_journal(report, run)
    if report.errors:
        report.refuse(f"{len(report.errors)} problem(s) to correct")
    return report


def _report_journal(report: Report, run: StatementsRun) -> None:
    """What the mail journal changed in this run, and the reminders in doubt with what to do about them."""
    if run.caught_up:
        report.say(f"CollectionsLog brought up to date from the mail journal ({run.journal}): "
                   f"{len(run.caught_up)} reminder(s) the mail server had accepted in an interrupted run, logged "
                   "now with their own date: " + ", ".join(f"{e.customer_id} level {e.dunning_level} of "
                                                           f"{e.date:%d/%m/%Y}" for e in run.caught_up))
    if run.already:
        report.say(f"{len(run.already)} reminder(s) already sent according to the mail journal, not sent again: "
                   + ", ".join(f"{r.customer_id} level {r.level.level}" for r, _ in run.already))
    for doubt in run.resent:
        report.say(f"  sent again on your word (it was in doubt): {doubt.describe()}")
    for doubt in run.confirmed:
        report.say(f"  logged as delivered on your word (it was in doubt): {doubt.describe()}")
    doubts = [d.describe() for d in run.in_doubt]
    doubts += [f"{m.reminder.customer_id} {m.reminder.customer.name}: level {m.reminder.level.level} "
               f"({m.reminder.level.name}) to {', '.join(m.recipients)}, Message-ID {m.message['Message-ID']}: "
               f"{why}" for m, why in [*run.unanswered, *run.held]]
    for line in doubts:
        report.refuse(f"  IN DOUBT, not sent again and not logged: {line}")
    if doubts:
        report.refuse(f"{len(doubts)} reminder(s) in doubt: the mail server may or may not have them. Check the "
                      "server's log (the Message-ID) or ask the customer; if it did not arrive, run `arxl statements "
                      "BOOK --as-of DATE --send --smtp HOST:PORT --resend-in-doubt`; if it did, run it with "
                      "--in-doubt-delivered instead (it is then logged in CollectionsLog)")


def arrangements_check(host: Host, as_of: dt.date | None) -> Report:
    """Instalments and promises to pay judged kept or broken; the Escalations sheet for management."""
    ledger = open_for_work(host, "arrangements check")
    day = as_of_date(ledger, as_of)
    found, changes = run_arrangements_check(host, ledger, day)
    verdicts = {v: sum(1 for c in found.instalments if c.verdict == v) for v in ("kept", "broken", "pending")}
    promises = {v: sum(1 for c in found.promises if c.verdict == v) for v in ("kept", "broken", "pending")}
    report = Report("arrangements check")
    report.say(f"{day:%d/%m/%Y}: instalments {verdicts['kept']} kept, {verdicts['broken']} broken, "
               f"{verdicts['pending']} pending ({len(changes.updates)} status(es) updated); promises to pay "
               f"{promises['kept']} kept, {promises['broken']} broken, {promises['pending']} pending")
    for escalation in found.escalations:
        report.say(f"  escalate {escalation.customer_id} {escalation.customer.name}: {'; '.join(escalation.reasons)}")
    report.say(f"{len(found.escalations)} customer(s) in the Escalations sheet")
    return report


def collections_report(host: Host, period: str, weekly: bool = False) -> Report:
    """The Collections KPIs sheet of a month."""
    month = Period.parse(period)
    ledger = open_for_work(host, "collections report")
    result = run_report(host, ledger, month, weekly)
    report = Report("collections report")
    for currency, f in result.figures.items():
        target = f" of {f.target:,} target ({f.percent_of_target} %)" if f.target is not None else ""
        report.say(f"{period} {currency}: collected {f.collected:,}{target}; DSO {f.dso} (countback {f.countback}), "
                   f"best {f.best_possible}, CEI {f.cei} %")
    queries = result.query_figures
    if queries.count:
        report.say(f"client queries not closed: {queries.count}, the oldest {queries.oldest} days, on average "
                   f"{queries.average} days, {queries.past_due} past their due date")
    report.say(f"written to the sheet {result.sheet.name}")
    return report


def refresh_aging(host: Host, as_of: dt.date | None) -> Report:
    """The Aging sheet as of a date: detail, summary per customer and bucket per currency, checks and charts.

    A workbook file is read column by column for just what the aging needs (the ledger may hold hundreds of
    thousands of invoices); a live workbook through its port.
    """
    if isinstance(host, FileHost):
        host.mark_read()
        # validate's checks of what it reads; the accountant's own tables (small) are read whole for them, so
        # that a contract or customer validate refuses is refused here too
        wanted = {**AGING_COLUMNS, **dict.fromkeys(("Customers", "TaxCodes", "Services", "Contracts"), None)}
        ledger, problems = read_columns(host.path, wanted, AGING_ELSEWHERE)
        refuse_errors(host.name, "refresh aging", problems + check_ledger(ledger))
    else:
        ledger = open_for_work(host, "refresh aging")
    day = as_of_date(ledger, as_of)
    with paused_gc():
        aged = aging_report(ledger, day)
        changes = ChangeSet()
        changes.replace_sheet(aging_sheet(aged))
        host.apply(changes)
    report = Report("refresh aging")
    report.say(f"Aging sheet refreshed as of {aged.as_of:%d/%m/%Y}: {len(aged.items)} open item(s)")
    report.problems += missing_rates(ledger.book, aged)
    for block in aged.blocks:
        overdue = block.balance - block.bucket_total(0) - block.credits - block.unapplied
        report.say(f"{block.currency}: {figure(block.balance, block.currency)} outstanding for "
                   f"{len(block.customers)} account(s), {figure(overdue, block.currency)} overdue")
    return report


def mail_server(address: str, *, starttls: bool = False, user: str = "", password: str = "") -> SmtpServer:
    """The mail server reminders are sent through, from ``HOST:PORT`` (port 25 when left out)."""
    host, port = parse_server(address)
    return SmtpServer(host, port, starttls, user, password)


# A batch's statements of one large workbook: the documents by chunks of customers (tasks that only read the
# workbook), then recorded once by the parent, which holds the workbook's lock (single writer).


def statement_customers(host: Host) -> tuple[Ledger, list[str]]:
    """The host's ledger, and the customers with a statement due at Settings' As Of, in order: the batch splits
    them into chunks, and records their statements with that ledger (:func:`record_statements`)."""
    ledger = open_for_work(host, "statements and reminders")
    statements, _ = account_statements(ledger, as_of_date(ledger, None))
    return ledger, sorted({s.customer_id for s in statements})


def statement_documents(book: Path, out_dir: Path, customers: Sequence[str], pdf: bool) -> list[Path]:
    """The statements (xlsx, and PDFs from one LibreOffice) of some customers at Settings' As Of, in
    ``out_dir/statements``; the workbook is only read (its rows are recorded by :func:`record_statements`)."""
    ledger = _read_once(book)
    statements, _ = account_statements(ledger, as_of_date(ledger, None), customers=customers)
    folder = out_dir / "statements"
    files = write_statements(statements, ledger.settings, folder)
    written = [files[c] for c in sorted(files)]
    if pdf and written:
        require("PDFs of statements")
        with LibreOffice(workers=1) as office:  # the batch's pool already uses the cores
            written += to_pdfs(written, folder, office, batch=len(written))
    return written


_LAST_READ: tuple[tuple[str, int, int], Ledger] | None = None  # a batch worker's last workbook, as read


def _read_once(book: Path) -> Ledger:
    """The workbook's ledger for :func:`statement_documents`, read once per worker process for all its chunks
    of the same workbook (the same file, unchanged: the batch's parent holds its lock meanwhile)."""
    global _LAST_READ
    stat = book.stat()
    key = (str(book.resolve()), stat.st_mtime_ns, stat.st_size)
    if _LAST_READ is None or _LAST_READ[0] != key:
        _LAST_READ = None  # the previous workbook's ledger is let go before the next is read
        _LAST_READ = (key, open_for_work(FileHost(book), "statements and reminders"))
    return _LAST_READ[1]


def record_statements(host: Host, out_dir: Path, produced: Iterable[Path], reminders: bool,
                      ledger: Ledger | None = None) -> Report:
    """The statements the tasks wrote, recorded once: the StatementsLog sheet and, with ``reminders``, the
    reminders due (.eml) - the same job as ``arxl statements``, told the documents are written; ``ledger``: the
    host's, read already (:func:`statement_customers`) under the lock still held."""
    return statements_reminders(host, None, out_dir, reminders=reminders, produced=produced, ledger=ledger)
