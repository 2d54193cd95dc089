"""Cash application jobs in the workbook: a bank statement imported and matched into the Reconciliation sheet,
the automatic matches approved, decided lines posted; and a customer's own statement compared with the ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from arxl.app.jobs import apply, open_for_work
from arxl.app.journal import user
from arxl.app.reconcile import line_accounts, read_sheet
from arxl.app.report import Refused, Report
from arxl.cashapp.customer import reconcile_customer
from arxl.cashapp.posting import post
from arxl.cashapp.reconcile import (
    HEADERS,
    SHEET,
    ReconciliationRow,
    approve_automatic,
    propose,
    undecided,
)
from arxl.cashapp.remittance import Split, split_by_advices
from arxl.cashapp.rules import learn_from_posting
from arxl.core.errors import ArxlError
from arxl.core.money import figure
from arxl.formats.customer_file import read_their_file, write_differences
from arxl.formats.remittance import read_advice
from arxl.formats.statements import Limits, load_profiles, read_statement
from arxl.formats.xlsx.host import Host
from arxl.ledger.tables import Table


def reconciliation_table(host: Host) -> Table[ReconciliationRow]:
    """The Reconciliation sheet as read, refused when a decision in it cannot be read."""
    table, problems = read_sheet(host.port().read_table(SHEET, HEADERS))
    if [p for p in problems if p.severity == "error"]:
        raise Refused(Report("reconciliation", problems=problems).refuse(
            f"{SHEET}: {len(problems)} cell(s) to correct first"))
    return table


def import_statement(host: Host, statement_file: Path, today: dt.date, *, check_balances: bool = True,
                     max_lines: int | None = None, remittances: Sequence[Path] = ()) -> Report:
    """Import a bank statement (any supported format) and propose its new lines into the Reconciliation sheet.

    Lines already posted, rejected or imported (whatever file brought them) are listed, with their receipts,
    and not proposed again; a file with no new line writes nothing and is not an error. ``check_balances=False``
    reads a statement checked by hand whose balances are missing or do not add up; the Statements table records
    whether the balances were checked. Each of ``remittances`` (a customer's remittance advice) then splits the
    bank line it announces (:func:`split_remittances`).
    """
    ledger = open_for_work(host, "import statement")
    advices = [read_advice(file) for file in remittances]  # a bad advice refuses before anything is written
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
    if advices:
        split = split_by_advices(ledger, reconciliation_table(host), advices)
        host.apply(split.changes)
        _say_split(report, split)
    return report


def split_remittances(host: Host, files: Sequence[Path]) -> Report:
    """Split the bank lines of the Reconciliation sheet that customers' remittance advices announce: applied
    automatically when the amounts agree, else proposed for review with what disagrees (nothing is posted)."""
    ledger = open_for_work(host, "remittance advice")
    advices = [read_advice(file) for file in files]
    split = split_by_advices(ledger, reconciliation_table(host), advices)
    host.apply(split.changes)
    report = Report("remittance advice")
    _say_split(report, split)
    return report


def _say_split(report: Report, split: Split) -> None:
    for outcome in split.outcomes:
        name = outcome.advice.source
        if outcome.status:
            report.say(f"{name}: bank line {outcome.line_id} split, "
                       f"{'applied automatically' if outcome.status == 'auto' else 'to review'}: {outcome.reason}")
        else:
            report.say(f"{name}: {outcome.reason}")
        for where, why in outcome.refused:
            report.say(f"  refused: {where}: {why}")


def approve_matches(host: Host) -> Report:
    """Approve every line the matcher was sure of (the accountant still decides the others)."""
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
    ledger = open_for_work(host, "post reconciliation")
    table = reconciliation_table(host)
    posting = post(ledger, table, today)
    rules, learnt = learn_from_posting(ledger, table, posting.receipts, today, user(), posting.not_the_payer)
    posting.changes.merge(rules)
    apply(host, ledger, posting.changes, "post reconciliation")
    report = Report("post reconciliation", problems=posting.problems)
    totals: dict[str, Decimal] = {}
    for receipt in posting.receipts:
        totals[receipt.currency] = totals.get(receipt.currency, Decimal(0)) + receipt.amount
    amounts = ", ".join(figure(v, k, with_code=True) for k, v in sorted(totals.items()))
    report.say(f"{posting.posted} line(s) posted" + (f" ({amounts})" if amounts else "") +
               f", {posting.rejected} rejected, {posting.waiting} waiting for a decision" +
               (f", {len(posting.problems)} with a problem to correct" if posting.problems else ""))
    if learnt.rows or learnt.beneficiaries or learnt.switched_off:
        report.say(f"MatchRules: {len(learnt.rows)} rule(s) learnt from the decisions posted"
                   + (f", {len(learnt.beneficiaries)} third part(ies) given more beneficiaries"
                      if learnt.beneficiaries else "")
                   + (f", {len(learnt.switched_off)} rule(s) switched off (Active: No) by a decision that "
                      "contradicts them" if learnt.switched_off else "")
                   + "; the next statement's matching follows them")
    if posting.problems:
        report.refuse(f"{len(posting.problems)} line(s) not posted: correct their decisions and post again")
    return report


def customer_reconciliation(host: Host, customer_id: str, their_file: Path, as_of: dt.date | None = None, *,
                            out: Path | None = None, sheet: str | None = None, currency: str | None = None,
                            window_days: int = 7) -> Report:
    """A customer's statement, ledger or remittance advice against our ledger: what differs, and whether the
    differences explain the two balances. Writes the list to ``out`` (.csv or .xlsx), never into the workbook.
    """
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
