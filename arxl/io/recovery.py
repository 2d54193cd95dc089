"""The receivables follow-up runs end to end: statements and reminders, the arrangements check, the report.

The workflows (:mod:`arxl.aging`) decide; this module does the I/O around them in a safe order, for the command
line and the ribbon alike:

``run_statements``
    statements of account as workbooks (and PDFs, in batches), the reminders due as ``.eml`` files, and with a
    mail server the reminders sent. The workbook is checked writable *before* anything is sent; each reminder
    the server accepts is written at once to ``reminders/sent-<date>.log`` and, after the sends, logged in
    CollectionsLog with the "Statements of Account" sheet in one atomic save. A reminder the server refuses is
    not logged (it goes with the next run) and is reported by name.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from arxl.aging.arrangements import status_updates
from arxl.aging.dunning import DunningPlan, log_entries, plan_reminders
from arxl.aging.escalations import FollowUp, escalations_sheet, follow_up
from arxl.aging.report import CollectionsReport, collections_report
from arxl.aging.statements import AccountStatement, account_statements, summary_sheet
from arxl.book.changes import ChangeSet
from arxl.book.host import Host
from arxl.book.ledger import Ledger
from arxl.errors import ArxlError, Problem
from arxl.io.libreoffice import LibreOffice
from arxl.io.mail import Outgoing, SmtpServer, Templates, build_message, send_all, templates_folder, write_eml
from arxl.io.statement_files import to_pdfs, write_statements

Progress = Callable[[str, int, int], None]  # (stage, done so far, total)


@dataclass(slots=True)
class StatementsRun:
    """What a statements run did."""

    statements: list[AccountStatement]
    problems: list[Problem]
    files: dict[str, Path]
    pdfs: dict[str, Path] = field(default_factory=dict)
    plan: DunningPlan | None = None
    emails: list[Path] = field(default_factory=list)
    sent: list[Outgoing] = field(default_factory=list)
    failed: list[tuple[Outgoing, str]] = field(default_factory=list)
    partly_refused: list[tuple[Outgoing, str]] = field(default_factory=list)
    changes: ChangeSet = field(default_factory=ChangeSet)


def run_statements(host: Host, ledger: Ledger, as_of: dt.date, out_dir: Path, *, start: dt.date | None = None,
                   pdf: bool = False, reminders: bool = True, server: SmtpServer | None = None,
                   mark_sent: bool = False, templates: Path | None = None, office: LibreOffice | None = None,
                   progress: Progress | None = None, user: str = "arxl") -> StatementsRun:
    """Statements, reminders and (with ``server``) their sending, then the workbook's changes in one save."""
    settings = ledger.settings
    statements, problems = account_statements(ledger, as_of, start)
    plan = plan_reminders(ledger, as_of) if reminders else None
    if plan is not None:
        problems.extend(plan.problems)
    tpl = Templates(templates_folder(templates, host.folder / host.name)) if plan is not None and plan.to_email \
        else None
    if server is not None or mark_sent:
        host.check_writable()  # refuse now, not after the e-mails have gone
        if not ledger.collections_log.present:
            raise ArxlError("the workbook has no CollectionsLog sheet to record the reminders in; add it "
                            "(arxl sample shows its columns) and run again")
    folder = out_dir / "statements"
    files = write_statements(statements, settings, folder,
                             _step(progress, "statements", len({s.customer_id for s in statements})))
    run = StatementsRun(statements, problems, files, plan=plan)
    if pdf and files:
        ordered = sorted(files.items())
        owned = office is None
        lo = office or LibreOffice()
        try:
            made = to_pdfs([path for _, path in ordered], folder, lo, progress=_step(progress, "PDF", len(ordered)))
        finally:
            if owned:
                lo.close()
        run.pdfs = {customer_id: path for (customer_id, _), path in zip(ordered, made, strict=True)}
    outgoing: list[Outgoing] = []
    if plan is not None and tpl is not None:
        mail_folder = out_dir / "reminders"
        for reminder in plan.to_email:
            message = build_message(reminder, settings, tpl, run.pdfs.get(reminder.customer_id))
            outgoing.append(message)
            run.emails.append(write_eml(message, mail_folder))
        if server is not None and outgoing:
            journal = mail_folder / f"sent-{as_of:%Y-%m-%d}.log"

            def record(done: Outgoing) -> None:
                with journal.open("a", encoding="utf-8") as handle:
                    handle.write(f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}\t{done.reminder.customer_id}\tlevel "
                                 f"{done.reminder.level.level}\t{', '.join(done.recipients)}\n")
                    handle.flush()
                    os.fsync(handle.fileno())

            report = send_all(outgoing, server, record)
            run.sent = [outgoing[i] for i in report.sent]
            run.failed = [(outgoing[i], why) for i, why in sorted(report.failed.items())]
            run.partly_refused = [(outgoing[i], why) for i, why in sorted(report.partly_refused.items())]
        elif mark_sent:
            run.sent = list(outgoing)
    notes: dict[str, str] = {}
    if plan is not None:
        for skipped in plan.skipped:
            notes[skipped.customer_id] = f"no reminder: {skipped.reason}"
        for reminder in plan.to_call:
            notes[reminder.customer_id] = f"level {reminder.level.level} due: no e-mail address, call"
        for message in outgoing:
            notes[message.reminder.customer_id] = f"level {message.reminder.level.level} due: e-mail written"
        for message in run.sent:
            notes[message.reminder.customer_id] = f"level {message.reminder.level.level} sent"
        for message, why in run.failed:
            notes[message.reminder.customer_id] = f"level {message.reminder.level.level} NOT sent: {why}"
    links = {cid: os.path.relpath(path, host.folder.resolve()) for cid, path in (run.pdfs or files).items()}
    run.changes.replace_sheet(summary_sheet(ledger.settings, statements, notes, links))
    run.changes.append("CollectionsLog", log_entries([m.reminder for m in run.sent], as_of, user))
    host.apply(run.changes)
    return run


def _step(progress: Progress | None, stage: str, total: int) -> Callable[[int], None] | None:
    if progress is None:
        return None
    done = [0]

    def advance(count: int) -> None:
        done[0] += count
        progress(stage, done[0], total)

    return advance


def run_arrangements_check(host: Host, ledger: Ledger, as_of: dt.date) -> tuple[FollowUp, ChangeSet]:
    """Instalments marked kept or broken, and the Escalations sheet, in one save."""
    found = follow_up(ledger, as_of)
    changes = status_updates(found.instalments, ledger.arrangements.row_numbers)
    changes.replace_sheet(escalations_sheet(ledger, found, as_of))
    host.apply(changes)
    return found, changes


def run_report(host: Host, ledger: Ledger, period: str, weekly: bool = False) -> CollectionsReport:
    """The Collections KPIs sheet of a month, rewritten in the workbook."""
    report = collections_report(ledger, period, weekly)
    changes = ChangeSet()
    changes.replace_sheet(report.sheet)
    host.apply(changes)
    return report
