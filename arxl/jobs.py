"""The jobs: one function per thing the accountant asks for, shared by the command line and the ribbon.

A job takes a :class:`~arxl.book.host.Host` (a file, or the workbook open in Excel) and its parameters, runs
the pure workflow, applies the workflow's ChangeSet to the host in one go, writes any documents, and returns a
:class:`Report`: what was done in a few lines, the problems with their cells, the files written, and whether
the input was refused. The CLI prints a report and exits 0 or 2; a macro writes it to the Log sheet, shows
its first line in the status bar and alerts on a refusal. Neither adds logic of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from arxl.book.host import Host, ledger_of
from arxl.book.ledger import Ledger, check_ledger
from arxl.core.dates import parse_period
from arxl.report import Refused, Report

if TYPE_CHECKING:
    from arxl.book.reader import Table
    from arxl.cashapp.reconcile import ReconciliationRow


def open_for_work(host: Host, job: str) -> Ledger:
    """The host's ledger, refused when cells could not be read (their rows would silently be missing).

    The checks across tables are left to each workflow's own review: a bad tax code holds back one customer,
    not the whole month.
    """
    ledger, problems = ledger_of(host)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        report = Report(job, [f"{host.name}: {len(errors)} cell(s) to correct first"], errors, refused=True)
        raise Refused(report)
    return ledger


def validate(host: Host) -> Report:
    """Every problem of the workbook, each with its cell."""
    ledger, problems = ledger_of(host)
    problems = problems + check_ledger(ledger)
    report = Report("validate", problems=problems)
    errors, warnings = len(report.errors), len(problems) - len(report.errors)
    if errors:
        report.say(f"{host.name}: {errors} error(s), {warnings} warning(s)")
        report.refused = True
    else:
        report.say(f"{host.name} is valid" + (f" ({warnings} warning(s))" if warnings else ""))
    return report


def review_billing(host: Host, period: str) -> Report:
    """The pre-billing review of a month into the Review sheet."""
    from arxl.billing.review import review_sheet
    from arxl.billing.run import plan_billing
    from arxl.book.changes import ChangeSet

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
    return report


def generate_invoices(host: Host, period: str, out_dir: Path | None = None, pdf: bool = False) -> Report:
    """Bill a month: invoices into the register (one atomic step), then their documents into ``out_dir``."""
    from arxl.billing.review import review_sheet
    from arxl.billing.run import generate_invoices as run_billing

    parse_period(period)
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
    if out_dir is not None:
        fresh = {i.invoice_no for i in run.invoices}
        ledger_now = open_for_work(host, "generate invoices")
        report.files += invoice_documents(host, ledger_now, period, out_dir, pdf, rewrite=fresh)
        report.say(f"{len(report.files)} document(s) written to {out_dir}" if report.files
                   else f"documents of {period} already in {out_dir}")
    return report


def invoice_documents(host: Host, ledger: Ledger, period: str, out_dir: Path, pdf: bool,
                      rewrite: Collection[str] = ()) -> list[Path]:
    """The .xlsx (and PDF) of every invoice of the period that has none yet in ``out_dir``, or was just billed.

    Documents follow the register, so a run that stopped after saving the register and before writing its
    documents is completed by the next run, which writes the missing ones and bills nothing.
    """
    from arxl.io.invoice_doc import DEFAULT_TEMPLATE, InvoiceTemplate, documents, to_pdf

    settings = ledger.settings
    template_path = (host.folder / settings.invoice_template) if settings.invoice_template else DEFAULT_TEMPLATE
    wanted = [i for i in ledger.invoices if i.period == period and i.doc_type == "invoice"
              and (i.invoice_no in rewrite or not (out_dir / f"{i.invoice_no}.xlsx").exists()
                   or (pdf and not (out_dir / f"{i.invoice_no}.pdf").exists()))]
    if not wanted:
        return []
    docs, problems = documents(wanted, ledger.invoice_lines, ledger.customers, settings, host.name)
    if problems:
        raise Refused(Report("invoice documents", [f"{len(problems)} invoice(s) cannot be printed"], problems,
                             refused=True))
    written = InvoiceTemplate(template_path).write_all(docs, out_dir)
    if pdf:
        written += to_pdf(written, out_dir)
    return written


def export_sage(host: Host, period: str, out_file: Path, again: bool = False, on: dt.date | None = None) -> Report:
    """The month's invoices and credit notes as a Sage 50 import file; the documents are then marked exported.

    The file is written first and the marks second; if marking fails the previous file is put back, so the
    file and the register never disagree about what went to Sage.
    """
    from arxl.io.sage import sage_rows, write_sage_csv

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
        report.say(f"{held} document(s) held back: correct them and run again; they will be exported then")
        report.refused = True
    return report


def _reconciliation(host: Host) -> Table[ReconciliationRow]:
    from arxl.cashapp.reconcile import HEADERS, SHEET, read_sheet

    table, problems = read_sheet(host.port().read_table(SHEET, HEADERS))
    if [p for p in problems if p.severity == "error"]:
        raise Refused(Report("reconciliation", [f"{SHEET}: {len(problems)} cell(s) to correct first"], problems,
                             refused=True))
    return table


def import_statement(host: Host, statement_file: Path, today: dt.date) -> Report:
    """Import a bank statement (any supported format) and propose its matches into the Reconciliation sheet."""
    from arxl.cashapp.reconcile import propose
    from arxl.io.statements import load_profiles, read_statement

    ledger = open_for_work(host, "import statement")
    profiles_file = ledger.settings.bank_profiles
    profiles = load_profiles(host.folder / profiles_file) if profiles_file else ()
    known = [s.fingerprint for s in ledger.table("Statements")] if ledger.table("Statements").present else []
    statement = read_statement(statement_file, profiles, known_fingerprints=known)
    proposal = propose(ledger, statement.lines, statement.fingerprint, _reconciliation(host),
                       account=statement.account, currency=statement.currency, source=statement_file.name,
                       today=today)
    host.apply(proposal.changes)
    report = Report("import statement")
    report.say(f"{statement_file.name}: {proposal.lines} line(s): {proposal.auto} matched automatically, "
               f"{proposal.review} to review, {proposal.unmatched} unmatched; decide in the Reconciliation sheet")
    for note in statement.notes:
        report.say(f"note: {note}")
    return report


def approve_matches(host: Host) -> Report:
    """Approve every line the matcher was sure of (the accountant still decides the others)."""
    from arxl.cashapp.reconcile import approve_automatic, undecided

    table = _reconciliation(host)
    changes = approve_automatic(table)
    host.apply(changes)
    report = Report("approve matches")
    waiting = undecided(_reconciliation(host)) if not changes.is_empty else undecided(table)
    report.say(("automatic matches approved" if not changes.is_empty else "no automatic match waiting") +
               f"; {waiting} line(s) still need a decision")
    return report


def post_reconciliation(host: Host, today: dt.date) -> Report:
    """Post every decided line of the Reconciliation sheet to Receipts and Allocations, each line once."""
    from arxl.cashapp.reconcile import post

    ledger = open_for_work(host, "post reconciliation")
    posting = post(ledger, _reconciliation(host), today)
    host.apply(posting.changes)
    report = Report("post reconciliation", problems=posting.problems)
    totals: dict[str, Decimal] = {}
    for receipt in posting.receipts:
        totals[receipt.currency] = totals.get(receipt.currency, Decimal(0)) + receipt.amount
    amounts = ", ".join(f"{v:,.{0 if k == 'RWF' else 2}f} {k}" for k, v in sorted(totals.items()))
    report.say(f"{posting.posted} line(s) posted" + (f" ({amounts})" if amounts else "") +
               f", {posting.rejected} rejected, {posting.waiting} waiting for a decision" +
               (f", {len(posting.problems)} with a problem to correct" if posting.problems else ""))
    report.refused = bool(posting.problems)
    return report
