"""Reconciling a bank statement in the workbook: propose, decide, post — each bank line posted once.

1. **Propose.** The statement's lines are matched against the invoices open on its last day (the matcher of
   :mod:`arxl.cashapp.matcher`) and written to the Reconciliation sheet: one row per proposed allocation, with
   the line's own data, the status (``auto``, ``review``, ``unmatched``), the score and the reason. Only the
   file's *new* lines are proposed: each line has an identity of its own (:mod:`arxl.cashapp.banklines`:
   our account, date, amount and the bank's reference, or the narrative and occurrence when there is none),
   and a line already posted (in Receipts), rejected, or imported and still on the sheet is listed as such
   and left out — overlapping, nested or re-ordered downloads, in any format, bring only their new lines.
   The file is recorded in the Statements table by its fingerprint; a file with no new line writes nothing.
2. **Decide.** In the Decision column the accountant writes ``approve`` (post as proposed), ``reject`` (not a
   customer receipt, or dealt with by hand), ``wrong customer`` (rejected too: the proposed customer is not
   who paid, which MatchRules remembers), one or more invoice numbers (``INV-2025-00042; INV-2025-00043``:
   apply the line to them, oldest first, the rest on account), or a customer id (``C001``: receipt on account).
   One decision per bank line, on any of its rows. :func:`approve_automatic` writes ``approve`` on every line
   the matcher was sure of.
3. **Post** (:mod:`arxl.cashapp.posting`). Every decided line becomes a Receipt and its Allocations (cash applied
   and deductions by type, so that withholding certificates can be chased), the invoices' statuses follow (paid,
   part-paid), and the sheet shows the receipt of each posted line. Each Receipt keeps the line's identity in its
   Statement Line cell (``BL1|...``; receipts posted before identities existed keep ``<fingerprint>:<line id>``
   and their identity is worked out from the row and the Statements table), and a line whose identity is already
   in Receipts is never posted again, whatever the sheet says. Lines still undecided wait for the next run.

A new import replaces the sheet's proposals but keeps, below them, the lines of earlier imports that are
decided and not yet posted (they are posted by the next Post) and the rejected lines dated on or after the
new file's first day (so that a rejection is remembered while the downloads still cover its day).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from arxl.cashapp.banklines import BankLine, identities, is_identity, our_account, same_booking
from arxl.cashapp.matcher import match
from arxl.cashapp.rules import learnt_inputs
from arxl.core.errors import ArxlError, CellRef
from arxl.core.statement import StatementLine
from arxl.core.tax import parse_withholding
from arxl.ledger.changes import Cell, ChangeSet, ConditionalFill, SheetSpec
from arxl.ledger.ledger import Ledger
from arxl.ledger.matching import AllocationRow, CustomerProfile, MatchSettings, OpenInvoice
from arxl.ledger.openitems import open_items
from arxl.ledger.records import Receipt, Row, StatementRecord, TableSpec, col
from arxl.ledger.tables import Table

SHEET = "Reconciliation"
APPROVE = frozenset({"approve", "approved", "ok", "yes", "y"})
REJECT = frozenset({"reject", "rejected", "no", "n"})
# a rejection that says who did not pay: the proposed customer is not the payer (teaches a MatchRules "not" row)
NOT_THE_PAYER = frozenset({"wrong customer", "not the customer", "not this customer", "not"})


class ReconciliationRow(Row):
    """One row of the Reconciliation sheet, as the accountant may have edited it."""

    statement: str = col("Statement")
    line_id: str = col("Line ID")
    date: dt.date = col("Date")
    amount: Decimal = col("Amount")
    currency: str = col("Currency")
    payer: str = col("Payer", "")
    account: str = col("Account", "")
    narrative: str = col("Narrative", "")
    bank_reference: str = col("Bank Ref", "")
    customer_id: str = col("Customer", "")
    invoice_no: str = col("Invoice", "")
    applied: Decimal = col("Applied", Decimal(0))
    deduction: Decimal = col("Deduction", Decimal(0))
    deduction_type: str = col("Deduction Type", "")
    status: str = col("Status", "")
    score: int = col("Score", 0)
    reason: str = col("Reason", "")
    decision: str = col("Decision", "")
    posted: str = col("Posted", "")
    bank_line: str = col("Bank Line", "")  # the line's identity (arxl.cashapp.banklines)


SPEC = TableSpec(SHEET, ReconciliationRow, owner="arxl", required=False)
HEADERS = [field.title or name for name, field in ReconciliationRow.model_fields.items()]


def match_settings(ledger: Ledger) -> MatchSettings:
    """The matcher's thresholds and tolerances from Settings."""
    s = ledger.settings
    own = frozenset(a for a in (s.bank_account_rwf, s.bank_account_usd) if a)
    return MatchSettings(auto_threshold=s.match_auto_threshold, review_threshold=s.match_review_threshold,
                         bank_charges=s.bank_charges(),
                         withholding_rates=ledger.withholding_rates(), own_accounts=own,
                         third_party_payers=_split(s.third_party_payers))


def match_inputs(ledger: Ledger, as_of: dt.date) -> tuple[list[OpenInvoice], list[CustomerProfile]]:
    """The open invoices at a date and the customers, as the matcher takes them."""
    names = {c.customer_id: c.name for c in ledger.customers}
    totals = {i.invoice_no: i for i in ledger.invoices}
    items = []
    for item in open_items(ledger.invoices, ledger.allocations, as_of):
        if item.kind != "invoice" or item.open_amount <= 0:
            continue
        invoice = totals[item.reference]
        items.append(OpenInvoice(item.reference, item.customer_id, names.get(item.customer_id, ""),
                              item.document_date, item.due_date, item.currency, invoice.net_amount,
                              invoice.vat_amount, invoice.total_amount, item.open_amount))
    customers = [CustomerProfile(c.customer_id, c.name, _split(c.aliases), _split(c.bank_accounts),
                                 c.customer_type, parse_withholding(c.withholding)) for c in ledger.customers]
    return items, customers


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace(",", ";").split(";") if part.strip())


@dataclass(frozen=True, slots=True)
class Known:
    """A bank line arxl has seen before, and what became of it, in the accountant's words."""

    state: Literal["posted", "rejected", "imported"]
    note: str  # "already posted as RCPT-2025-0012, receipt of 03/07/2025"
    receipt_id: str = ""


@dataclass(slots=True)
class Proposal:
    """What a proposal found, line by line."""

    lines: int = 0  # in the file
    new: int = 0  # proposed: not seen before
    auto: int = 0
    review: int = 0
    unmatched: int = 0
    repeated: list[tuple[StatementLine, Known]] = field(default_factory=list)  # seen before: not proposed
    lookalikes: list[tuple[StatementLine, str]] = field(default_factory=list)  # new, but maybe a known one
    changes: ChangeSet = field(default_factory=ChangeSet)


def settings_accounts(ledger: Ledger) -> dict[str, str]:
    """Our bank account per currency, from Settings: the account of a line whose file names none."""
    s = ledger.settings
    return {code: account for code, account in (("RWF", s.bank_account_rwf), ("USD", s.bank_account_usd))
            if account}


def _statements(ledger: Ledger) -> dict[str, StatementRecord]:
    """The Statements table by the first 16 digits of each fingerprint (what the sheet and old keys keep)."""
    table = ledger.table("Statements")
    return {record.fingerprint[:16]: record for record in table} if table.present else {}


def _account_of(record: StatementRecord | None, currency: str, accounts: dict[str, str]) -> str:
    """Our account for a line of an earlier statement: its recorded account if it had exactly one."""
    recorded = record.account if record is not None and ", " not in record.account else ""
    return our_account(recorded, currency, accounts)


def receipt_identities(ledger: Ledger) -> dict[str, Receipt]:
    """Every Receipt by the identity of its bank line.

    A receipt posted with an identity keeps it in Statement Line. For an older one (Statement Line
    ``<fingerprint>:<line id>``, a sample's ``BK-...`` or typed by hand) it is worked out from the row: its
    date, amount, currency, bank reference and narrative, and our account from the Statements table for that
    fingerprint, else from Settings for the receipt's currency.
    """
    accounts = settings_accounts(ledger)
    statements = _statements(ledger)
    found: dict[str, Receipt] = {}
    older: list[Receipt] = []
    for receipt in ledger.receipts:
        if is_identity(receipt.statement_line):
            found.setdefault(receipt.statement_line, receipt)
        else:
            older.append(receipt)
    keys = identities(BankLine(_account_of(statements.get(r.statement_line.split(":", 1)[0]), r.currency,
                                           accounts), r.date, r.amount, r.currency, r.bank_reference, r.narrative)
                      for r in older)
    for key, receipt in zip(keys, older, strict=True):
        found.setdefault(key, receipt)
    return found


def sheet_identities(ledger: Ledger, rows: Sequence[ReconciliationRow]) -> list[str]:
    """The identity of the bank line of every row of the Reconciliation sheet (all rows of a line share it).

    Rows written by this version carry it in Bank Line; for a sheet written before, it is worked out per
    statement from the rows and the Statements table, as for older receipts.
    """
    accounts = settings_accounts(ledger)
    statements = _statements(ledger)
    first_rows: dict[tuple[str, str], ReconciliationRow] = {}
    for row in rows:
        first_rows.setdefault((row.statement, row.line_id), row)
    older = [(key, row) for key, row in first_rows.items() if not is_identity(row.bank_line)]
    by_statement: dict[str, list[tuple[tuple[str, str], ReconciliationRow]]] = defaultdict(list)
    for key, row in older:
        by_statement[row.statement].append((key, row))
    derived: dict[tuple[str, str], str] = {}
    for statement, members in by_statement.items():
        record = statements.get(statement)
        keys = identities(BankLine(_account_of(record, row.currency, accounts), row.date, row.amount, row.currency,
                                   row.bank_reference, row.narrative) for _, row in members)
        derived.update({key: identity for (key, _), identity in zip(members, keys, strict=True)})
    return [row.bank_line if is_identity(row.bank_line) else derived[(row.statement, row.line_id)] for row in rows]


def known_lines(ledger: Ledger, current: Table[ReconciliationRow]) -> dict[str, Known]:
    """Every bank line arxl has seen: posted (Receipts), rejected or imported (the Reconciliation sheet)."""
    known = {key: Known("posted", f"already posted as {r.receipt_id}, receipt of {r.date:%d/%m/%Y}", r.receipt_id)
             for key, r in receipt_identities(ledger).items()}
    statements = _statements(ledger)
    for row, key in zip(current.rows, sheet_identities(ledger, current.rows), strict=True):
        if key in known:
            continue
        posted = row.posted.strip()
        if posted.casefold().startswith("rejected"):
            known[key] = Known("rejected", f"already {posted}" if " on " in posted
                               else "already rejected (Reconciliation sheet)")
        elif posted:
            known[key] = Known("posted", f"already posted as {posted} (Reconciliation sheet)", posted)
        else:
            record = statements.get(row.statement)
            imported = (f"already imported on {record.imported:%d/%m/%Y} from {record.file or record.fingerprint[:12]}"
                        if record is not None else "already on the Reconciliation sheet")
            decision = row.decision.strip()
            known[key] = Known("imported", f"{imported}, decided \"{decision}\", not yet posted" if decision
                               else f"{imported}, waiting for a decision")
    return known


def propose(ledger: Ledger, lines: Sequence[StatementLine], fingerprint: str, current: Table[ReconciliationRow],
            *, account: str = "", currency: str = "", source: str = "", today: dt.date,
            accounts: Sequence[str] | None = None, balances: str = "") -> Proposal:
    """Match a statement's new lines and lay the proposals out on the Reconciliation sheet (nothing is posted).

    ``accounts`` is the account each line's statement gives (:func:`line_accounts`); by default ``account``
    for every line. Lines seen before are listed in :attr:`Proposal.repeated` and not proposed; a file with
    no new line changes nothing. Refused while the sheet still holds lines of an earlier import that wait
    for a decision.
    """
    if not lines:
        raise ArxlError("the statement has no lines")
    if accounts is None:
        accounts = [account if ", " not in account else ""] * len(lines)
    own = settings_accounts(ledger)
    keys = identities(BankLine(our_account(acct, line.currency, own), line.booking_date, line.amount, line.currency,
                               line.bank_reference, line.narrative) for line, acct in zip(lines, accounts, strict=True))
    known = known_lines(ledger, current)
    result = Proposal(lines=len(lines))
    fresh: list[tuple[StatementLine, str]] = []
    for line, key in zip(lines, keys, strict=True):
        if key in known:
            result.repeated.append((line, known[key]))
        else:
            fresh.append((line, key))
    result.new = len(fresh)
    if not fresh:
        return result
    pending = undecided(current)
    if pending:
        raise ArxlError(f"the Reconciliation sheet still has {pending} line(s) of another statement waiting for a "
                        "decision: decide and post them first", CellRef(ledger.book, SHEET))
    new_lines = [line for line, _ in fresh]
    as_of = max(line.booking_date for line in lines)
    items, customers = match_inputs(ledger, as_of)
    customers, settings = learnt_inputs(ledger, customers, match_settings(ledger))
    rows = match(new_lines, items, customers, settings)
    invoice_customer = {i.invoice_no: i.customer_id for i in items}
    by_line: dict[str, list[AllocationRow]] = defaultdict(list)
    for row in rows:
        by_line[row.line_id].append(row)
    # A line without a bank reference is known by its narrative: the same payment exported with another
    # narrative looks new. When a known line has the same account, date and amount and either has no
    # reference, the new one is never applied automatically.
    bookings: dict[str, list[tuple[str, Known]]] = defaultdict(list)
    for other, seen in known.items():
        bookings[same_booking(other)].append((other, seen))
    sheet_rows: list[ReconciliationRow] = []
    for line, key in fresh:
        proposals = by_line.get(line.line_id) or [AllocationRow(line.line_id, "", line.amount, Decimal(0), "",
                                                                "unmatched", 0, "no proposal")]
        twin = next((seen for other, seen in bookings.get(same_booking(key), ()) if "|N:" in other + key), None)
        if twin is not None:
            warning = f"same account, date and amount as a line {twin.note.removeprefix('already ')}: check it is " \
                      "not the same payment"
            result.lookalikes.append((line, warning))
            proposals = [p if p.status != "auto" else AllocationRow(p.line_id, p.invoice_no, p.applied_amount,
                                                                     p.deduction_amount, p.deduction_type, "review",
                                                                     p.score, p.reason) for p in proposals]
            proposals = [AllocationRow(p.line_id, p.invoice_no, p.applied_amount, p.deduction_amount,
                                       p.deduction_type, p.status, p.score, f"{p.reason}; {warning}".lstrip("; "))
                         for p in proposals]
        status = proposals[0].status
        setattr(result, status, getattr(result, status) + 1)
        payer = next((invoice_customer[p.invoice_no] for p in proposals if p.invoice_no in invoice_customer), "")
        for row in proposals:
            sheet_rows.append(ReconciliationRow(
                statement=fingerprint[:16], line_id=line.line_id, date=line.booking_date, amount=line.amount,
                currency=line.currency, payer=line.counterparty_name, account=line.counterparty_account,
                narrative=line.narrative, bank_reference=line.bank_reference,
                customer_id=invoice_customer.get(row.invoice_no, payer), invoice_no=row.invoice_no,
                applied=row.applied_amount, deduction=row.deduction_amount, deduction_type=row.deduction_type,
                status=row.status, score=row.score, reason=row.reason, bank_line=key))
    dates = [line.booking_date for line in lines]
    kept = _kept_rows(ledger, current, min(dates))
    subtitle = (f"{source or fingerprint[:12]}: {len(fresh)} new line(s) of {len(lines)}, {min(dates):%d/%m/%Y} to "
                f"{max(dates):%d/%m/%Y}")
    if kept:
        subtitle += f"; below them, {len({(r.statement, r.line_id) for r in kept})} line(s) of earlier imports " \
                    "(decided and not yet posted, or rejected)"
    result.changes.replace_sheet(reconciliation_sheet(sheet_rows + kept, subtitle))
    if fingerprint[:16] not in _statements(ledger):
        result.changes.append("Statements", [StatementRecord(
            fingerprint=fingerprint, account=account, currency=currency, file=source, imported=today,
            first_date=min(dates), last_date=max(dates), lines=len(lines), status="proposed", balances=balances)])
    return result


def _kept_rows(ledger: Ledger, current: Table[ReconciliationRow], since: dt.date) -> list[ReconciliationRow]:
    """Rows of earlier imports a new import keeps: decided and not yet posted, or rejected on or after ``since``.

    Rows posted as receipts go: Receipts remembers them. Each kept row gets its identity written out.
    """
    kept = []
    for row, key in zip(current.rows, sheet_identities(ledger, current.rows), strict=True):
        posted = row.posted.strip()
        rejected = posted.casefold().startswith("rejected")
        if (not posted and row.decision.strip()) or (rejected and row.date >= since):
            kept.append(row.model_copy(update={"bank_line": key}))
    return kept


def reconciliation_sheet(rows: Sequence[ReconciliationRow], subtitle: str) -> SheetSpec:
    """The Reconciliation sheet: the proposals, a Decision column for the accountant, and what was posted."""
    sheet = SheetSpec(SHEET, widths={"A": 18, "B": 16, "C": 11, "D": 14, "E": 8, "F": 26, "G": 16, "H": 44, "I": 14,
                                     "J": 10, "K": 16, "L": 13, "M": 12, "N": 13, "O": 10, "P": 7, "Q": 46, "R": 18,
                                     "S": 16, "T": 30}, tab_color="2F75B5")
    sheet.add(Cell("Reconciliation", style="title"))
    sheet.add(Cell(f"{subtitle}. Decision: approve, reject, wrong customer, invoice number(s) or a customer id; then"
                   " Post reconciliation.", style="subtitle"))
    sheet.blank()
    header = sheet.add(*(Cell(h, style="header") for h in HEADERS))
    previous: tuple[str, str] | None = None
    for row in rows:
        values = row.model_dump()
        cells = []
        # a line's amount on its first row only, so that the column adds up to the cash received
        again = previous == (row.statement, row.line_id)
        previous = (row.statement, row.line_id)
        for name in ReconciliationRow.model_fields:
            value = values[name]
            if name == "statement":
                cells.append(Cell(value[:16]))  # the rest of the fingerprint is in the Statements table
            elif name == "amount" and again:
                cells.append(Cell(None))
            elif name in ("amount", "applied", "deduction"):
                cells.append(Cell(value, currency=row.currency))
            elif name == "date":
                cells.append(Cell(value, style="date"))
            elif name == "status":
                cells.append(Cell(value, style="good" if value == "auto" else "warning" if value == "review"
                                  else "error"))
            else:
                cells.append(Cell(value))
        sheet.add(*cells)
    last = max(sheet.next_row - 1, header + 1)
    sheet.freeze = f"C{header + 1}"
    sheet.filter_range = f"A{header}:T{last}"
    sheet.landscape, sheet.fit_width = True, True
    sheet.print_area = f"A1:S{last}"  # the Bank Line identity (T) is for arxl, not for the printed review
    sheet.conditional.append(ConditionalFill(f"R{header + 1}:R{last}", f'AND(R{header + 1}="",S{header + 1}="")',
                                             "FFF2CC"))
    return sheet


def undecided(table: Table[ReconciliationRow]) -> int:
    """Bank lines of the sheet still waiting for a decision (neither decided nor posted)."""
    lines: dict[tuple[str, str], bool] = defaultdict(bool)
    for row in table.rows:
        lines[(row.statement, row.line_id)] |= bool(row.decision.strip() or row.posted)
    return sum(1 for decided in lines.values() if not decided)


def decide(table: Table[ReconciliationRow], decisions: dict[str, str], note: str = "decisions entered") -> ChangeSet:
    """Write decisions (bank line id -> decision) into the sheet, on lines not yet decided or posted."""
    rows = [row.model_copy(update={"decision": decisions[row.line_id]})
            if row.line_id in decisions and not row.decision.strip() and not row.posted else row for row in table.rows]
    changes = ChangeSet()
    if rows != table.rows:
        changes.replace_sheet(reconciliation_sheet(rows, note))
    return changes


def approve_automatic(table: Table[ReconciliationRow]) -> ChangeSet:
    """Write "approve" in the Decision of every undecided line the matcher applied automatically."""
    changes = ChangeSet()
    rows = [row.model_copy(update={"decision": "approve"}) if row.status == "auto" and not row.decision.strip()
            and not row.posted else row for row in table.rows]
    if rows != table.rows:
        changes.replace_sheet(reconciliation_sheet(rows, "automatic matches approved by arxl"))
    return changes
