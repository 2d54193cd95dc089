"""The jobs: one function per thing the accountant asks for, shared by the command line and the ribbon.

A job takes a :class:`~arxl.formats.xlsx.host.Host` (a file, or the workbook open in Excel) and its parameters, runs
the pure workflow, applies the workflow's ChangeSet to the host in one go, writes any documents, and returns a
:class:`Report`: what was done in a few lines, the problems with their cells, the files written, and whether
the input was refused. The CLI prints a report and exits 0 or 2; a macro writes it to the Log sheet, shows
its first line in the status bar and alerts on a refusal. Neither adds logic of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from arxl.app.report import Refused, Report
from arxl.core.dates import parse_period
from arxl.core.errors import Problem
from arxl.formats.xlsx.host import Host, ledger_of
from arxl.ledger.ledger import Ledger, check_ledger

if TYPE_CHECKING:
    from arxl.app.recovery import InDoubtChoice, Progress, StatementsRun
    from arxl.billing.run import BillingPlan
    from arxl.cashapp.reconcile import ReconciliationRow
    from arxl.formats.mail import SmtpServer
    from arxl.formats.xlsx.reader import Table


def open_for_work(host: Host, job: str) -> Ledger:
    """The host's ledger, refused when ``validate`` finds an error in it, with the same messages.

    Errors (a cell that cannot be read, a register that does not add up, an amount no cell holds exactly...)
    refuse every command before anything is written. Warnings do not: they concern what bills one customer,
    and the billing review holds that customer back (see :func:`arxl.ledger.ledger.examine`).
    """
    ledger, problems = _checked(host)
    refuse_errors(host.name, job, problems)
    return ledger


def _checked(host: Host) -> tuple[Ledger, list[Problem]]:
    """The host's ledger and every problem of it: its cells', then the checks across rows and tables."""
    ledger, problems = ledger_of(host)
    return ledger, problems + check_ledger(ledger)


def refuse_errors(book: str, job: str, problems: list[Problem]) -> None:
    """Refuse the job when any problem is an error, listing the errors as ``validate`` does."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise Refused(Report(job, problems=errors).refuse(
            f"{book}: {len(errors)} error(s) to correct first (arxl validate lists the same); nothing was changed"))


def validate(host: Host) -> Report:
    """Every problem of the workbook, each with its cell."""
    _, problems = _checked(host)
    report = Report("validate", problems=problems)
    errors, warnings = len(report.errors), len(problems) - len(report.errors)
    if errors:
        report.refuse(f"{host.name}: {errors} error(s), {warnings} warning(s)")
    else:
        report.say(f"{host.name} is valid" + (f" ({warnings} warning(s))" if warnings else ""))
    return report


def review_billing(host: Host, period: str) -> Report:
    """The pre-billing review of a month into the Review sheet."""
    from arxl.billing.review import review_sheet
    from arxl.billing.run import plan_billing
    from arxl.ledger.changes import ChangeSet

    parse_period(period)
    ledger = open_for_work(host, "review billing")
    plan = plan_billing(ledger, period)
    changes = ChangeSet()
    changes.replace_sheet(review_sheet(ledger, plan))
    host.apply(changes)
    blocking = sum(1 for f in plan.findings if f.severity == "blocking")
    report = Report("review billing")
    report.say(f"{period}: {len(plan.due)} line(s) due, {blocking} blocking exception(s) holding back "
               f"{len(plan.held)} customer(s), {len(plan.findings) - blocking} warning(s); see the Review sheet")
    _blocking(report, plan)
    return report


def _blocking(report: Report, plan: BillingPlan) -> None:
    """Each blocking exception of the review with its cell, as validate names it."""
    for f in plan.findings:
        if f.severity == "blocking":
            report.say(f"  held back {f.customer_id}: {f.where or f.contract_ref}: {f.message}")


def generate_invoices(host: Host, period: str, out_dir: Path | None = None, pdf: bool = False,
                      progress: Progress | None = None) -> Report:
    """Bill a month: invoices into the register (one atomic step), then their documents into ``out_dir``;
    ``progress`` is told of each document and PDF written (stages "invoice documents", "invoice PDFs")."""
    from arxl.billing.review import review_sheet
    from arxl.billing.run import generate_invoices as run_billing
    from arxl.formats.libreoffice import require

    parse_period(period)
    if pdf and out_dir is not None:
        require("PDFs of invoices")  # refused before billing: the register and its documents stay together
    ledger = open_for_work(host, "generate invoices")
    run = run_billing(ledger, period)
    run.changes.replace_sheet(review_sheet(ledger, run.plan))
    host.apply(run.changes)
    report = Report("generate invoices")
    if run.invoices:
        amounts = ", ".join(f"{amount:,.{0 if code == 'RWF' else 2}f} {code}" for code, amount in run.totals().items())
        report.say(f"{period}: {len(run.invoices)} invoice(s) {run.invoices[0].invoice_no} to "
                   f"{run.invoices[-1].invoice_no}, {amounts}")
    else:
        report.say(f"{period}: nothing new to bill")
    if run.plan.held:
        report.say(f"held back by blocking exceptions: {', '.join(sorted(run.plan.held))} (see the Review sheet)")
        _blocking(report, run.plan)
    if out_dir is not None:
        fresh = {i.invoice_no for i in run.invoices}
        ledger_now = open_for_work(host, "generate invoices")
        report.files += invoice_documents(host, ledger_now, period, out_dir, pdf, rewrite=fresh, progress=progress)
        report.say(f"{len(report.files)} document(s) written to {out_dir}" if report.files
                   else f"documents of {period} already in {out_dir}")
    return report


def invoice_documents(host: Host, ledger: Ledger, period: str, out_dir: Path, pdf: bool,
                      rewrite: Collection[str] = (), progress: Progress | None = None) -> list[Path]:
    """The .xlsx (and PDF) of every invoice of the period that has none yet in ``out_dir``, or was just billed.

    Documents follow the register, so a run that stopped after saving the register and before writing its
    documents is completed by the next run, which writes the missing ones and bills nothing.
    """
    from arxl.formats.invoice_doc import DEFAULT_TEMPLATE, InvoiceTemplate, to_pdf
    from arxl.formats.invoice_model import documents

    settings = ledger.settings
    template_path = (host.folder / settings.invoice_template) if settings.invoice_template else DEFAULT_TEMPLATE
    wanted = [i for i in ledger.invoices if i.period == period and i.doc_type == "invoice"
              and (i.invoice_no in rewrite or not (out_dir / f"{i.invoice_no}.xlsx").exists()
                   or (pdf and not (out_dir / f"{i.invoice_no}.pdf").exists()))]
    if not wanted:
        return []
    from arxl.billing.schedule import prorations

    shares = prorations(ledger.contracts, ledger.schedule, ledger.invoice_lines)  # a prorated line's Share
    docs, problems = documents(wanted, ledger.invoice_lines, ledger.customers, settings, host.name,
                               rates=ledger.day_rates().on, prorations=shares)
    if problems:
        raise Refused(Report("invoice documents", problems=problems).refuse(
            f"{len(problems)} invoice(s) cannot be printed"))
    from arxl.app.recovery import counter

    written = InvoiceTemplate(template_path).write_all(
        docs, out_dir, _each(counter(progress, "invoice documents", len(docs))))
    if pdf:
        written += to_pdf(written, out_dir, progress=counter(progress, "invoice PDFs", len(written)))
    return written


def _each(advance: Callable[[int], None] | None) -> Callable[[Path], None] | None:
    """A per-file callback that counts one file each time."""
    return None if advance is None else lambda _path: advance(1)


def export_sage(host: Host, period: str, out_file: Path, again: bool = False, on: dt.date | None = None) -> Report:
    """The month's invoices and credit notes as a Sage 50 import file; the documents are then marked exported.

    The file is written first and the marks second; if marking fails the previous file is put back, so the
    file and the register never disagree about what went to Sage.
    """
    from arxl.formats.sage import sage_rows, write_sage_csv

    parse_period(period)
    ledger = open_for_work(host, "export to Sage")
    rows, changes, problems = sage_rows(ledger, period, again=again, on=on)
    report = Report("export to Sage", problems=problems)
    held = sum(1 for p in problems if p.severity == "error")
    if rows:
        previous = out_file.read_bytes() if out_file.is_file() else None
        write_sage_csv(rows, out_file)
        try:
            host.apply(changes)
        except BaseException:
            if previous is None:
                out_file.unlink(missing_ok=True)
            else:
                out_file.write_bytes(previous)
            raise
        invoices = len({r.reference for r in rows if r.type == "SI"})
        credits = len({r.reference for r in rows if r.type == "SC"})
        report.say(f"{period}: {invoices} invoice(s) and {credits} credit note(s), {len(rows)} row(s) written to "
                   f"{out_file}")
        report.files.append(out_file)
    else:
        report.say(f"{period}: nothing new to export" + ("" if again else " (documents already exported are left "
                                                         "out; --again exports them again)"))
    if held:
        report.refuse(f"{held} document(s) held back: correct them and run again; they will be exported then")
    return report


def reconciliation_table(host: Host) -> Table[ReconciliationRow]:
    from arxl.cashapp.reconcile import HEADERS, SHEET, read_sheet

    table, problems = read_sheet(host.port().read_table(SHEET, HEADERS))
    if [p for p in problems if p.severity == "error"]:
        raise Refused(Report("reconciliation", problems=problems).refuse(
            f"{SHEET}: {len(problems)} cell(s) to correct first"))
    return table


def import_statement(host: Host, statement_file: Path, today: dt.date, *, check_balances: bool = True,
                     max_lines: int | None = None) -> Report:
    """Import a bank statement (any supported format) and propose its new lines into the Reconciliation sheet.

    Lines already posted, rejected or imported (whatever file brought them) are listed, with their receipts,
    and not proposed again; a file with no new line writes nothing and is not an error. ``check_balances=False``
    reads a statement checked by hand whose balances are missing or do not add up; the Statements table records
    whether the balances were checked.
    """
    from arxl.cashapp.reconcile import line_accounts, propose
    from arxl.core.money import figure
    from arxl.formats.statements import Limits, load_profiles, read_statement

    ledger = open_for_work(host, "import statement")
    profiles_file = ledger.settings.bank_profiles
    profiles = load_profiles(host.folder / profiles_file) if profiles_file else ()
    limits = Limits() if max_lines is None else Limits(max_lines=max_lines)
    # no refusal by fingerprint: lines are known one by one
    statement = read_statement(statement_file, profiles, check_balances=check_balances, limits=limits)
    proposal = propose(ledger, statement.lines, statement.fingerprint, reconciliation_table(host),
                       account=statement.account, currency=statement.currency, source=statement_file.name,
                       today=today, accounts=line_accounts(statement), balances=statement.balances)
    report = Report("import statement")
    if proposal.new:
        host.apply(proposal.changes)
        seen = f"{proposal.new} new ({len(proposal.repeated)} seen before, listed below); " if proposal.repeated else ""
        report.say(f"{statement_file.name}: {proposal.lines} line(s): {seen}{proposal.auto} matched automatically, "
                   f"{proposal.review} to review, {proposal.unmatched} unmatched; decide in the Reconciliation sheet")
    else:
        report.say(f"{statement_file.name}: all {proposal.lines} line(s) already imported; nothing new to propose, "
                   "the workbook is unchanged")
    if proposal.repeated:
        report.table.append(("Line", "Date", "Amount", "Currency", "Bank Ref", "Already"))
        for line, known in proposal.repeated:
            report.table.append((line.line_id, f"{line.booking_date:%d/%m/%Y}", figure(line.amount, line.currency),
                                 line.currency, line.bank_reference, known.note))
        states = {s: sum(1 for _, k in proposal.repeated if k.state == s) for s in ("posted", "rejected", "imported")}
        report.say(f"{len(proposal.repeated)} line(s) seen before, not proposed again: {states['posted']} posted, "
                   f"{states['rejected']} rejected, {states['imported']} imported and not yet posted")
    for line, warning in proposal.lookalikes:
        shown = f"{figure(line.amount, line.currency)} {line.currency}"
        report.say(f"check: line {line.line_id} {line.booking_date:%d/%m/%Y} {shown}: {warning}"
                   " (no bank reference tells them apart; proposed for review, never automatically)")
    for note in statement.notes:
        report.say(f"note: {note}")
    return report


def approve_matches(host: Host) -> Report:
    """Approve every line the matcher was sure of (the accountant still decides the others)."""
    from arxl.cashapp.reconcile import approve_automatic, undecided

    table = reconciliation_table(host)
    changes = approve_automatic(table)
    host.apply(changes)
    report = Report("approve matches")
    waiting = undecided(reconciliation_table(host)) if not changes.is_empty else undecided(table)
    report.say(("automatic matches approved" if not changes.is_empty else "no automatic match waiting") +
               f"; {waiting} line(s) still need a decision")
    return report


def post_reconciliation(host: Host, today: dt.date) -> Report:
    """Post every decided line of the Reconciliation sheet to Receipts and Allocations, each line once."""
    from arxl.cashapp.reconcile import post

    ledger = open_for_work(host, "post reconciliation")
    posting = post(ledger, reconciliation_table(host), today)
    host.apply(posting.changes)
    report = Report("post reconciliation", problems=posting.problems)
    totals: dict[str, Decimal] = {}
    for receipt in posting.receipts:
        totals[receipt.currency] = totals.get(receipt.currency, Decimal(0)) + receipt.amount
    amounts = ", ".join(f"{v:,.{0 if k == 'RWF' else 2}f} {k}" for k, v in sorted(totals.items()))
    report.say(f"{posting.posted} line(s) posted" + (f" ({amounts})" if amounts else "") +
               f", {posting.rejected} rejected, {posting.waiting} waiting for a decision" +
               (f", {len(posting.problems)} with a problem to correct" if posting.problems else ""))
    if posting.problems:
        report.refuse(f"{len(posting.problems)} line(s) not posted: correct their decisions and post again")
    return report


def _as_of(ledger: Ledger, as_of: dt.date | None) -> dt.date:
    if as_of is not None:
        return as_of
    if ledger.settings.as_of is None:
        raise Refused(Report("as-of date").refuse("give the as-of date (Settings has no As Of)"))
    return ledger.settings.as_of


def statements_reminders(host: Host, as_of: dt.date | None, out_dir: Path | None = None, *,
                         start: dt.date | None = None, pdf: bool = False, reminders: bool = True,
                         server: SmtpServer | None = None, mark_sent: bool = False, templates: Path | None = None,
                         progress: Progress | None = None, in_doubt: InDoubtChoice = "hold") -> Report:
    """Statements of account (xlsx, PDF) and the reminders due (.eml; sent and logged with a mail server), each
    with its statement attached (the PDF, else the workbook); ``progress`` is told of each statement, PDF and
    e-mail sent (stages "statements", "statement PDFs", "sending").

    A reminder in doubt (journaled, the server's answer never heard: a run killed or cut off while sending) is
    not sent again but listed, and the job is refused (exit 2) once everything else is done and saved: the
    statements are written, the other reminders sent and logged, and only the accountant can tell whether
    that e-mail arrived. ``in_doubt`` "resend" or "delivered" is their answer."""
    from arxl.app.recovery import run_statements
    from arxl.formats.libreoffice import require

    if pdf:
        require("PDFs of statements")  # refused before any statement is written or reminder sent
    ledger = open_for_work(host, "statements and reminders")
    day = _as_of(ledger, as_of)
    folder = out_dir or (host.folder / (ledger.settings.output_folder or "out"))
    run = run_statements(host, ledger, day, folder, start=start, pdf=pdf, reminders=reminders, server=server,
                         mark_sent=mark_sent, templates=templates, progress=progress, in_doubt=in_doubt)
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
    from arxl.app.recovery import run_arrangements_check

    ledger = open_for_work(host, "arrangements check")
    day = _as_of(ledger, as_of)
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
    from arxl.app.recovery import run_report

    parse_period(period)
    ledger = open_for_work(host, "collections report")
    result = run_report(host, ledger, period, weekly)
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
    from arxl.aging.sheet import AGING_COLUMNS, AGING_ELSEWHERE, aging_report, aging_sheet
    from arxl.core.background import paused_gc
    from arxl.formats.xlsx.fastread import read_columns
    from arxl.formats.xlsx.host import FileHost
    from arxl.ledger.changes import ChangeSet

    if isinstance(host, FileHost):
        host.mark_read()
        # validate's checks of what it reads; the accountant's own tables (small) are read whole for them, so
        # that a contract or customer validate refuses is refused here too
        wanted = {**AGING_COLUMNS, **dict.fromkeys(("Customers", "TaxCodes", "Services", "Contracts"), None)}
        ledger, problems = read_columns(host.path, wanted, AGING_ELSEWHERE)
        refuse_errors(host.name, "refresh aging", problems + check_ledger(ledger))
    else:
        ledger = open_for_work(host, "refresh aging")
    day = _as_of(ledger, as_of)
    with paused_gc():
        aged = aging_report(ledger, day)
        changes = ChangeSet()
        changes.replace_sheet(aging_sheet(aged))
        host.apply(changes)
    report = Report("refresh aging")
    report.say(f"Aging sheet refreshed as of {aged.as_of:%d/%m/%Y}: {len(aged.items)} open item(s)")
    for block in aged.blocks:
        places = 0 if block.currency == "RWF" else 2
        overdue = block.balance - block.bucket_total(0) - block.credits - block.unapplied
        report.say(f"{block.currency}: {block.balance:,.{places}f} outstanding for {len(block.customers)} "
                   f"account(s), {overdue:,.{places}f} overdue")
    return report


def customer_reconciliation(host: Host, customer_id: str, their_file: Path, as_of: dt.date | None = None, *,
                            out: Path | None = None, sheet: str | None = None, currency: str | None = None,
                            window_days: int = 7) -> Report:
    """A customer's statement, ledger or remittance advice against our ledger: what differs, and whether the
    differences explain the two balances. Writes the list to ``out`` (.csv or .xlsx), never into the workbook.
    """
    from arxl.cashapp.customer import reconcile_customer
    from arxl.core.errors import ArxlError
    from arxl.core.money import figure
    from arxl.formats.customer_file import read_their_file, write_differences

    if out is not None:
        for other, what in ((host.folder / host.name, "the billing workbook"), (their_file, "the customer's file")):
            if out.resolve() == other.resolve():
                raise ArxlError(f"--out {out.name} is {what}: give another file for the differences")
    ledger = open_for_work(host, "customer reconciliation")
    their = read_their_file(their_file, sheet)
    result = reconcile_customer(ledger, customer_id, their, as_of=as_of, currency=currency, window_days=window_days)
    code = result.currency

    def shown(amount: Decimal | None) -> str:
        return "" if amount is None else figure(amount, code)

    report = Report("customer reconciliation")
    person = result.customer
    report.say(f"{person.customer_id} {person.name}, {code}: {their_file.name} from {result.first_date:%d/%m/%Y} to "
               f"{result.as_of:%d/%m/%Y}, read as {result.convention}")
    report.table.append(("Kind", "Date", "Their Reference", "Our Document", f"Theirs {code}", f"Ours {code}",
                         "Difference", "Note"))
    for d in result.differences:
        report.table.append((d.kind, f"{d.date:%d/%m/%Y}" if d.date else "", d.their_reference, d.our_document,
                             shown(d.their_amount), shown(d.our_amount), shown(d.difference), d.note))
    probable = result.documents_probable
    report.say(f"{len(result.differences) - probable} difference(s); {result.documents_agreed} document(s) and "
               f"{result.payments_agreed} payment or withholding row(s) agree"
               + (f"; {probable} document(s) probably the same, to confirm (see the Note)" if probable else ""))
    if result.their_closing is not None:
        report.say(f"balance at {result.as_of:%d/%m/%Y}: theirs {shown(result.their_closing)}, ours "
                   f"{shown(result.our_closing)}, difference {shown(result.balance_difference)} {code}; explained by "
                   f"the differences {shown(result.explained)}, unexplained {shown(result.unexplained)}")
    for note in result.notes:
        report.say(f"note: {note}")
    if out is not None:
        report.files.append(write_differences(result, out))
        report.say(f"differences written to {out}")
    return report


def add_query(host: Host, customer_id: str, invoice_no: str, question: str, on: dt.date, *, channel: str = "e-mail",
              owner: str = "", due: dt.date | None = None) -> Report:
    """Record a customer's query on an invoice in the Queries sheet; the invoice is held out of reminders."""
    from arxl.aging.queries import add_query as add
    from arxl.ledger.records import ClientQuery

    ledger = open_for_work(host, "add query")
    changes = add(ledger, customer_id=customer_id, invoice_no=invoice_no, question=question, on=on,
                  channel=channel, owner=owner, due=due)
    host.apply(changes)
    query = changes.appends["Queries"][0]
    assert isinstance(query, ClientQuery)
    report = Report("add query")
    due_date = f"{query.due_date:%d/%m/%Y}" if query.due_date else "no date"
    report.say(f"{query.query_id}: {query.customer_id} on {query.invoice_no} by {query.channel}, to answer by "
               f"{due_date}" + (f" ({query.owner})" if query.owner else "") + "; the invoice is held out of "
               "reminders until the query is closed")
    return report


def answer_query(host: Host, query_id: str, answer: str, on: dt.date) -> Report:
    """The answer given to a customer's query."""
    from arxl.aging.queries import answer_query as answer_it

    ledger = open_for_work(host, "answer query")
    host.apply(answer_it(ledger, query_id, answer, on))
    report = Report("answer query")
    report.say(f"{query_id.strip().upper()}: answered on {on:%d/%m/%Y}; close it when the customer agrees "
               "(arxl query close), the invoice stays held out of reminders until then")
    return report


def close_query(host: Host, query_id: str, resolution: str, on: dt.date, credit_note: str = "") -> Report:
    """Close an answered query: by an explanation, a credit note of its invoice, or a re-issue."""
    from arxl.aging.queries import close_query as close_it

    ledger = open_for_work(host, "close query")
    changes = close_it(ledger, query_id, resolution, on, credit_note)
    host.apply(changes)
    fields = {u.field: u.value for u in changes.updates}
    report = Report("close query")
    note = f" {fields['credit_note']}" if "credit_note" in fields else ""
    report.say(f"{query_id.strip().upper()}: closed on {on:%d/%m/%Y} by {fields['resolution']}{note}; its invoice "
               "is chased again if still overdue")
    return report


def list_queries(host: Host, as_of: dt.date | None) -> Report:
    """The client queries not closed at a date, with their age (reads the workbook, writes nothing)."""
    from arxl.aging.queries import open_queries, summary

    ledger = open_for_work(host, "list queries")
    day = _as_of(ledger, as_of)
    found = open_queries(ledger.queries, day)
    figures = summary(found)
    report = Report("list queries")
    if not found:
        report.say(f"{day:%d/%m/%Y}: no client query waiting")
        return report
    report.say(f"{day:%d/%m/%Y}: {figures.count} client quer{'y' if figures.count == 1 else 'ies'} not closed, the "
               f"oldest {figures.oldest} days, on average {figures.average} days, {figures.past_due} past their "
               "due date")
    report.table.append(("Query", "Date", "Customer", "Invoice", "Status", "Age", "Owner", "Due", "Past due",
                         "Question"))
    for o in found:
        q = o.query
        report.table.append((q.query_id, f"{q.date:%d/%m/%Y}", q.customer_id, q.invoice_no, o.state, str(o.age),
                             q.owner, f"{q.due_date:%d/%m/%Y}" if q.due_date else "", "yes" if o.past_due else "",
                             q.question))
    return report


def refresh_queries(host: Host, as_of: dt.date | None) -> Report:
    """The Open Queries sheet: what waits for an answer, with the amount open, age, owner and due date."""
    from arxl.aging.queries import open_queries, queries_sheet, summary
    from arxl.ledger.changes import ChangeSet

    ledger = open_for_work(host, "client queries")
    day = _as_of(ledger, as_of)
    changes = ChangeSet()
    sheet = queries_sheet(ledger, day)
    changes.replace_sheet(sheet)
    host.apply(changes)
    figures = summary(open_queries(ledger.queries, day))
    report = Report("client queries")
    report.say(f"{sheet.name} refreshed as of {day:%d/%m/%Y}: {figures.count} not closed"
               + (f", the oldest {figures.oldest} days, {figures.past_due} past their due date" if figures.count
                  else ""))
    return report
