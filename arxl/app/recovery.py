"""The receivables follow-up runs end to end: statements and reminders, the arrangements check, the report.

The workflows (:mod:`arxl.aging`) decide; this module does the I/O around them in a safe order, for the command
line and the ribbon alike:

``run_statements``
    statements of account as workbooks (and PDFs, in batches), the reminders due as ``.eml`` files, and with a
    mail server the reminders sent, each e-mail once even across a crash. The order:

    1. The mail journal beside the workbook (:mod:`arxl.formats.outbox`) is read first. Reminders the server accepted
       but CollectionsLog does not show (a run killed after the sends, before its save) are added to
       CollectionsLog with their own as-of date and level, so the dunning plan sees them as sent.
    2. The plan is made; a reminder the journal shows accepted (same customer and level, same overdue episode)
       is not sent again; one **in doubt** (journaled, the server's answer never heard) is held back and listed,
       unless the accountant says ``resend`` (it did not arrive) or ``delivered`` (it did).
    3. The workbook is checked writable *before* anything is sent. Each reminder is journaled (fsync'd) just
       before it goes and marked accepted after the server's 250, failed when the server refuses it (it goes
       with the next run), in doubt when the connection fails while it is handed over.
    4. The "Statements of Account" sheet and the CollectionsLog rows are saved in one atomic save, then the
       journal notes them as logged, so they are never added twice.

    ``reminders/sent-<date>.log`` is kept as a human-readable list of what the server accepted in the run's
    output folder; it is never read back: the journal is the record.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, cast

from arxl.aging.arrangements import status_updates
from arxl.aging.dunning import DunningPlan, Reminder, log_entries, plan_reminders
from arxl.aging.escalations import FollowUp, escalations_sheet, follow_up
from arxl.aging.report import CollectionsReport, collections_report
from arxl.aging.statements import AccountStatement, account_statements, statement_sheet, summary_sheet
from arxl.core.errors import ArxlError, Problem
from arxl.core.period import Period
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.mail import Outgoing, SmtpServer, Templates, build_message, send_all, templates_folder, write_eml
from arxl.formats.outbox import Journal, JournalError, Key, Record, journal_path
from arxl.formats.statement_files import to_pdfs, write_sheets
from arxl.formats.xlsx.host import Host
from arxl.ledger.changes import ChangeSet
from arxl.ledger.ledger import Ledger
from arxl.ledger.records import CollectionsEntry, Row
from arxl.ledger.settings import Settings
from arxl.ledger.tables import Table

Progress = Callable[[str, int, int], None]  # (stage, done so far, total)
InDoubtChoice = Literal["hold", "resend", "delivered"]


def reminder_key(customer_id: str, level: int, as_of: dt.date) -> Key:
    """The idempotency key of a reminder: one customer, one dunning level, one as-of date."""
    return ("reminder", customer_id, str(level), as_of.isoformat())


@dataclass(frozen=True, slots=True)
class InDoubt:
    """A reminder that may have reached the customer: journaled, but the server's answer was never heard."""

    reminder: Reminder  # the reminder of the same customer and level due now
    record: Record  # what the journal says about the earlier attempt

    @property
    def as_of(self) -> dt.date:
        return dt.date.fromisoformat(self.record.key[3])

    def describe(self) -> str:
        detail = self.record.detail
        to = ", ".join(str(a) for a in detail.get("to", [])) or ", ".join(self.reminder.addresses)
        said = f"; {self.record.reason}" if self.record.reason else ""
        message_id = f", Message-ID {detail['message_id']}" if detail.get("message_id") else ""
        return (f"{self.reminder.customer_id} {self.reminder.customer.name}: level {self.reminder.level.level} "
                f"({self.reminder.level.name}) as of {self.as_of:%d/%m/%Y} to {to}, journaled "
                f"{self.record.journaled:%d/%m/%Y %H:%M:%S}{message_id}{said}")


@dataclass(slots=True)
class StatementsRun:
    """What a statements run did."""

    statements: list[AccountStatement]
    problems: list[Problem]
    files: dict[str, Path]
    pdfs: dict[str, Path] = field(default_factory=dict)
    plan: DunningPlan | None = None
    emails: list[Path] = field(default_factory=list)
    sent: list[Outgoing[Reminder]] = field(default_factory=list)
    failed: list[tuple[Outgoing[Reminder], str]] = field(default_factory=list)
    partly_refused: list[tuple[Outgoing[Reminder], str]] = field(default_factory=list)
    changes: ChangeSet = field(default_factory=ChangeSet)
    journal: Path | None = None
    caught_up: list[CollectionsEntry] = field(default_factory=list)  # accepted earlier, logged only now
    already: list[tuple[Reminder, Record]] = field(default_factory=list)  # the journal says accepted: not sent
    in_doubt: list[InDoubt] = field(default_factory=list)  # held back: the accountant decides
    resent: list[InDoubt] = field(default_factory=list)  # in doubt, sent again on the accountant's word
    confirmed: list[InDoubt] = field(default_factory=list)  # in doubt, delivered on the accountant's word
    unanswered: list[tuple[Outgoing[Reminder], str]] = field(default_factory=list)  # went in this run, no answer heard
    held: list[tuple[Outgoing[Reminder], str]] = field(default_factory=list)  # another run journaled it meanwhile


def run_statements(host: Host, ledger: Ledger, as_of: dt.date, out_dir: Path, *, start: dt.date | None = None,
                   pdf: bool = False, reminders: bool = True, server: SmtpServer | None = None,
                   mark_sent: bool = False, templates: Path | None = None, office: LibreOffice | None = None,
                   progress: Progress | None = None, user: str = "arxl",
                   in_doubt: InDoubtChoice = "hold", produced: Iterable[Path] | None = None) -> StatementsRun:
    """Statements, reminders and (with ``server``) their sending, each once (the mail journal), then the
    workbook's changes in one save. ``in_doubt``: what to do with a reminder whose earlier sending is in doubt:
    ``hold`` it and list it, ``resend`` it (the accountant found it did not arrive; needs ``server``), or
    record it as ``delivered`` (the accountant found it did). ``produced``: the statements' documents already
    written (by a batch's tasks): they are found, not written again."""
    if in_doubt == "resend" and server is None:
        raise ArxlError("sending again the reminders in doubt needs the mail server (--send --smtp HOST:PORT)")
    with Journal(journal_path(host.folder, host.name)) as journal:
        return _run_statements(host, ledger, as_of, out_dir, journal, start=start, pdf=pdf, reminders=reminders,
                               server=server, mark_sent=mark_sent, templates=templates, office=office,
                               progress=progress, user=user, in_doubt=in_doubt, produced=produced)


def _run_statements(host: Host, ledger: Ledger, as_of: dt.date, out_dir: Path, journal: Journal, *,
                    start: dt.date | None, pdf: bool, reminders: bool, server: SmtpServer | None, mark_sent: bool,
                    templates: Path | None, office: LibreOffice | None, progress: Progress | None, user: str,
                    in_doubt: InDoubtChoice, produced: Iterable[Path] | None = None) -> StatementsRun:
    settings = ledger.settings
    records = journal.read()
    _check_keys(journal)
    caught_up, present = _unlogged(records, ledger)
    if caught_up and not ledger.collections_log.present:
        raise ArxlError("the workbook has no CollectionsLog sheet to record the reminders the mail journal shows "
                        "sent; add it (arxl sample shows its columns) and run again")
    statements, problems = account_statements(ledger, as_of, start)
    plan = plan_reminders(_with_log(ledger, [e for _, e in caught_up]), as_of) if reminders else None
    if plan is not None:
        problems.extend(plan.problems)
    if server is not None or mark_sent or in_doubt == "delivered":
        host.check_writable()  # refuse now, not after the e-mails have gone
        if not ledger.collections_log.present:
            raise ArxlError("the workbook has no CollectionsLog sheet to record the reminders in; add it "
                            "(arxl sample shows its columns) and run again")
    run = StatementsRun(statements, problems, {}, plan=plan, journal=journal.path if records else None,
                        caught_up=[e for _, e in caught_up])
    if plan is not None and records:
        _sort_out(plan, records, run, in_doubt)
    tpl = Templates(templates_folder(templates, host.folder / host.name)) if plan is not None and plan.to_email \
        else None
    folder = out_dir / "statements"
    if produced is None:
        run.files = write_statements(statements, settings, folder,
                                     counter(progress, "statements", len({s.customer_id for s in statements})))
    else:
        run.files, run.pdfs = written_statements(statements, folder, produced)
    files = run.files
    if pdf and files and produced is None:
        ordered = sorted(files.items())
        owned = office is None
        lo = office or LibreOffice()
        try:
            made = to_pdfs([path for _, path in ordered], folder, lo, batch=len(ordered),  # lo batches them
                           progress=counter(progress, "statement PDFs", len(ordered)))
        finally:
            if owned:
                lo.close()
        run.pdfs = {customer_id: path for (customer_id, _), path in zip(ordered, made, strict=True)}
    outgoing: list[Outgoing[Reminder]] = []
    entries: dict[str, CollectionsEntry] = {}
    if plan is not None and tpl is not None:
        mail_folder = out_dir / "reminders"
        for reminder in plan.to_email:
            # the statement goes with the reminder: its PDF when one was made, else the workbook itself
            attachment = run.pdfs.get(reminder.customer_id) or run.files.get(reminder.customer_id)
            message = build_message(reminder, settings, tpl, attachment)
            outgoing.append(message)
            entries[reminder.customer_id] = log_entries([reminder], as_of, user)[0]
            run.emails.append(write_eml(message, mail_folder))
        if server is not None and outgoing:
            _send(outgoing, server, journal, entries, run, mail_folder / f"sent-{as_of:%Y-%m-%d}.log",
                  counter(progress, "sending", len(outgoing)))
        elif mark_sent:
            run.sent = list(outgoing)
    if run.confirmed:
        journal.delivered([d.record.key for d in run.confirmed], "the accountant found it delivered "
                          "(--in-doubt-delivered)")
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
        for reminder, record in run.already:
            notes[reminder.customer_id] = (f"level {reminder.level.level} already sent on "
                                           f"{record.settled or record.journaled:%d/%m/%Y} (mail journal)")
        for doubt in run.confirmed:
            notes[doubt.reminder.customer_id] = f"level {doubt.reminder.level.level} sent (found delivered)"
        for doubt in run.in_doubt:
            notes[doubt.reminder.customer_id] = (f"level {doubt.reminder.level.level} IN DOUBT since "
                                                 f"{doubt.record.journaled:%d/%m/%Y %H:%M}: check the mailbox")
        for message, why in [*run.unanswered, *run.held]:
            notes[message.reminder.customer_id] = f"level {message.reminder.level.level} IN DOUBT: {why}"
    links = {cid: os.path.relpath(path, host.folder.resolve()) for cid, path in (run.pdfs or files).items()}
    run.changes.replace_sheet(summary_sheet(ledger.settings, statements, notes, links))
    found_delivered = [_log_entry(d.record) for d in run.confirmed]
    sent_now = [entries[m.reminder.customer_id] for m in run.sent] if server is not None else \
        log_entries([m.reminder for m in run.sent], as_of, user)
    run.changes.append("CollectionsLog", [*run.caught_up, *[e for e in found_delivered if e is not None],
                                          *sent_now])
    host.apply(run.changes)
    # only now is each row in the workbook: noted so that no later run adds it again
    logged = [key for key, _ in caught_up] + present + [d.record.key for d in run.confirmed]
    if server is not None:
        logged += [reminder_key(m.reminder.customer_id, m.reminder.level.level, as_of) for m in run.sent]
    journal.logged(logged)
    if journal.path.exists():
        run.journal = journal.path
    return run


def _sort_out(plan: DunningPlan, records: Mapping[Key, Record], run: StatementsRun, choice: InDoubtChoice) -> None:
    """Take out of the plan the reminders the journal shows accepted or in doubt (or keep an in-doubt one to send
    again), by the accountant's choice."""
    for reminder in list(plan.to_email):
        found = _journaled(records, reminder)
        if found is None:
            continue
        if found.done:
            run.already.append((reminder, found))
            plan.reminders.remove(reminder)
            continue
        doubt = InDoubt(reminder, found)
        if choice == "resend":
            run.resent.append(doubt)
            continue
        plan.reminders.remove(reminder)
        (run.confirmed if choice == "delivered" else run.in_doubt).append(doubt)


def _journaled(records: Mapping[Key, Record], reminder: Reminder, ignore: Key | None = None) -> Record | None:
    """The journal's record of this customer's reminder at this level within the same overdue episode (journaled
    after the oldest overdue invoice fell due), accepted or in doubt; accepted first."""
    episode = min((i.due_date for b in reminder.blocks for i in b.overdue_invoices), default=dt.date.min)
    found = [r for r in records.values()
             if r.key[:3] == ("reminder", reminder.customer_id, str(reminder.level.level)) and len(r.key) == 4
             and r.key != ignore and (r.done or r.in_doubt) and _key_date(r) > episode]
    return max(found, key=lambda r: (r.done, r.journaled), default=None)


def _key_date(record: Record) -> dt.date:
    try:
        return dt.date.fromisoformat(record.key[3])
    except ValueError:
        return dt.date.min  # refused when the journal was read (_check_keys); one written since is arxl's own


def _check_keys(journal: Journal) -> None:
    for record in journal.records.values():
        if record.key[0] == "reminder" and (len(record.key) != 4 or _key_date(record) == dt.date.min):
            raise JournalError(f"line {record.line}: a reminder's key is (customer, level, as-of date), found "
                               f"{'/'.join(record.key[1:])[:60]}; the journal is written by arxl only: restore it "
                               "from the backup", str(journal.path))


def _send(outgoing: list[Outgoing[Reminder]], server: SmtpServer, journal: Journal,
          entries: Mapping[str, CollectionsEntry], run: StatementsRun, human_log: Path,
          advance: Callable[[int], None] | None = None) -> None:
    """Each message journaled before it goes, its outcome journaled as soon as it is known; ``advance`` counts
    each message as its outcome is known (sent, refused, in doubt or held) and the rest, never attempted, at the
    end."""
    again = {d.reminder.customer_id: d.record.key for d in run.resent}
    counted = [0]

    def done() -> None:
        counted[0] += 1
        if advance is not None:
            advance(1)

    def key_of(message: Outgoing[Reminder]) -> Key:
        r = message.reminder
        return reminder_key(r.customer_id, r.level.level, r.as_of)

    def before(message: Outgoing[Reminder]) -> str | None:
        key, reminder = key_of(message), message.reminder
        old = again.get(reminder.customer_id)

        def conflict(records: Mapping[Key, Record]) -> str | None:  # checked under the journal's lock
            found = _journaled(records, reminder, ignore=old)
            if found is None or found.key == key:
                return None
            return ("already sent (mail journal)" if found.done else
                    f"in doubt since {found.journaled:%d/%m/%Y %H:%M:%S} (mail journal)")

        why = journal.claim(key, _detail(message, entries[reminder.customer_id]), resend=old == key,
                            conflict=conflict)
        if why is None and old is not None and old != key:
            journal.superseded(old, key)
        if why is not None:
            done()
        return why

    def sent(message: Outgoing[Reminder]) -> None:
        journal.accepted(key_of(message), "250")
        done()
        with human_log.open("a", encoding="utf-8") as handle:  # a copy for people; never read back
            handle.write(f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}\t{message.reminder.customer_id}\tlevel "
                         f"{message.reminder.level.level}\t{', '.join(message.recipients)}\n")

    def failed(message: Outgoing[Reminder], why: str) -> None:
        journal.failed(key_of(message), why)
        done()

    def unknown(message: Outgoing[Reminder], why: str) -> None:
        journal.unknown(key_of(message), why)
        done()

    report = send_all(outgoing, server, sent, before=before, on_failed=failed, on_in_doubt=unknown)
    if advance is not None and len(outgoing) > counted[0]:
        advance(len(outgoing) - counted[0])  # never attempted: the server unreachable or the connection lost
    run.sent = [outgoing[i] for i in report.sent]
    run.failed = [(outgoing[i], why) for i, why in sorted(report.failed.items())]
    run.partly_refused = [(outgoing[i], why) for i, why in sorted(report.partly_refused.items())]
    run.unanswered = [(outgoing[i], why) for i, why in sorted(report.in_doubt.items())]
    run.held = [(outgoing[i], why) for i, why in sorted(report.held.items())]


def _detail(message: Outgoing[Reminder], entry: CollectionsEntry) -> dict[str, Any]:
    """What the journal keeps of a reminder: enough to find it on the mail server and to log it later."""
    r = message.reminder
    return {"customer": r.customer_id, "name": r.customer.name, "level": r.level.level, "level_name": r.level.name,
            "as_of": r.as_of.isoformat(), "to": list(message.recipients), "subject": str(message.message["Subject"]),
            "message_id": str(message.message["Message-ID"]), "log": entry.model_dump(mode="json")}


def _log_entry(record: Record) -> CollectionsEntry | None:
    raw = record.detail.get("log")
    return CollectionsEntry.model_validate(raw) if isinstance(raw, dict) else None


def _unlogged(records: Mapping[Key, Record], ledger: Ledger) -> tuple[list[tuple[Key, CollectionsEntry]], list[Key]]:
    """Reminders accepted by the server but not yet noted as logged: those CollectionsLog lacks (to add, with
    their own date and level), and those it already has (a run killed between its save and the journal's note)."""
    have = {(e.customer_id, e.dunning_level, e.date) for e in ledger.collections_log} \
        if ledger.collections_log.present else set()
    missing: list[tuple[Key, CollectionsEntry]] = []
    present: list[Key] = []
    for record in records.values():
        if not record.done or record.logged or record.key[0] != "reminder":
            continue
        entry = _log_entry(record)
        if entry is None:
            continue
        if (entry.customer_id, entry.dunning_level, entry.date) in have:
            present.append(record.key)
        else:
            missing.append((record.key, entry))
    return missing, present


def _with_log(ledger: Ledger, extra: list[CollectionsEntry]) -> Ledger:
    """The ledger as the dunning plan must see it: CollectionsLog with the rows about to be added."""
    if not extra:
        return ledger
    log = ledger.collections_log
    grown = replace(log, rows=[*log.rows, *extra], row_numbers=[*log.row_numbers, *([0] * len(extra))])
    tables = dict(ledger.tables)
    tables["CollectionsLog"] = cast("Table[Row]", grown)
    return replace(ledger, tables=tables)


def counter(progress: Progress | None, stage: str, total: int) -> Callable[[int], None] | None:
    """A stage's counter for ``progress``: called with how many more items are done, it reports
    ``(stage, done so far, total)``; told first of ``(stage, 0, total)`` so that a display can show the stage
    from its start. Nothing to count (``total`` 0), no counter."""
    if progress is None or total <= 0:
        return None
    done = [0]
    progress(stage, 0, total)

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


def run_report(host: Host, ledger: Ledger, period: Period | str, weekly: bool = False) -> CollectionsReport:
    """The Collections KPIs sheet of a month, rewritten in the workbook."""
    report = collections_report(ledger, period, weekly)
    changes = ChangeSet()
    changes.replace_sheet(report.sheet)
    host.apply(changes)
    return report


def written_statements(statements: Iterable[AccountStatement], folder: Path,
                       produced: Iterable[Path]) -> tuple[dict[str, Path], dict[str, Path]]:
    """The documents (xlsx, PDF) of each customer's statements among those already written; refused when one is
    missing (a task that did not finish: nothing is recorded)."""
    made = {path.resolve() for path in produced}
    files: dict[str, Path] = {}
    pdfs: dict[str, Path] = {}
    for statement in statements:
        path = folder / f"{statement.stem}.xlsx"
        if path.resolve() not in made:
            raise ArxlError(f"the statement of {statement.customer_id} was not written ({path.name}): nothing recorded")
        files[statement.customer_id] = path
        if path.with_suffix(".pdf").resolve() in made:
            pdfs[statement.customer_id] = path.with_suffix(".pdf")
    return files, pdfs


def write_statements(statements: Iterable[AccountStatement], settings: Settings, out_dir: Path,
                     progress: Callable[[int], None] | None = None) -> dict[str, Path]:
    """One workbook per customer in ``out_dir`` (a sheet per currency); returns customer id -> file."""
    grouped: dict[str, list[AccountStatement]] = defaultdict(list)
    for statement in statements:
        grouped[statement.customer_id].append(statement)
    written: dict[str, Path] = {}
    for customer_id, own in grouped.items():
        sheets = [statement_sheet(s, settings).sheet for s in sorted(own, key=lambda s: s.currency)]
        written[customer_id] = write_sheets(out_dir / f"{own[0].stem}.xlsx", sheets)
        if progress is not None:
            progress(1)
    return written
