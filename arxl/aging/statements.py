"""Statements of account: what a customer owed at the start of a period, what happened, what they owe now.

One statement per customer and currency (a client billed in RWF and USD gets two, never one total), for every
customer with a balance or any movement in the period (by default the month of the as-of date):

- the **opening balance**: the net amount owed at the end of the day before the period, rebuilt as the register
  stood then (:func:`arxl.ledger.openitems.open_items`, unapplied cash and open credits included);
- the **movements**, each dated with its reference and a running balance: invoices (debits); credit notes,
  payments received and the deductions that settled invoices without cash — VAT and income tax withheld at
  source, bank charges, discounts, write-offs — (credits); a payment made for the customer by a third party
  (the Treasury paying for a district) is a credit of the customer it paid for, and cash of this customer used
  for another account or refunded against a credit note is a debit;
- the **closing balance** = opening + movements, *checked* against the open items at the as-of date: a
  statement that does not agree with the aging is reported as a problem, never sent silently;
- an **aging strip** of the closing balance in the buckets of Settings, credits and unapplied cash apart;
- **how to pay**: the bank details of Settings for the statement's currency.

An invoice with a client query not yet closed (:mod:`arxl.aging.queries`) reads "in query" in its Details, and
a line under the aging strip lists the invoices in query with what is open on them: the customer is not asked
to pay them until the query is answered and closed. A customer whose withholding still awaits its certificate
(:mod:`arxl.ledger.withheld`) gets the chase list on the statement of that currency: "Withholding certificates we
have not yet received: INV-…, WHT 3 %, 30,000 RWF, withheld 24/01/2024"; a customer that does not withhold, or
whose certificates are all recorded, gets none.

>>> import datetime as dt
>>> from decimal import Decimal as D
>>> lines = running([Movement(dt.date(2025, 7, 1), "invoice", "INV-7", "Invoice", D(500)),
...                  Movement(dt.date(2025, 7, 9), "payment", "FT251", "Payment received", D(-300))], D(200))
>>> [(m.reference, m.debit, m.credit, m.balance) for m in lines]
[('INV-7', Decimal('500'), Decimal('0'), Decimal('700')), ('FT251', Decimal('0'), Decimal('300'), Decimal('400'))]
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

from arxl.aging.queries import held_invoices
from arxl.core.aging import BucketScheme, age, parse_buckets
from arxl.core.errors import BadValue, CellRef, Problem
from arxl.core.money import figure
from arxl.core.tax import withholds_at_source
from arxl.core.withholding import deduction
from arxl.ledger.changes import Cell, SheetSpec
from arxl.ledger.ledger import Ledger
from arxl.ledger.openitems import OpenItem, balances, open_items
from arxl.ledger.records import Allocation, Customer, Invoice, Receipt
from arxl.ledger.settings import Settings
from arxl.ledger.withheld import awaiting

MovementKind = Literal["invoice", "credit_note", "payment", "deduction", "other"]
_ORDER = {"invoice": 0, "credit_note": 1, "payment": 2, "deduction": 3, "other": 4}
ONE_DAY = dt.timedelta(days=1)
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Movement:
    """One dated line of a statement. ``amount`` is positive when it adds to what the customer owes."""

    date: dt.date
    kind: MovementKind
    reference: str
    details: str
    amount: Decimal
    due_date: dt.date | None = None
    balance: Decimal = ZERO  # running, after this line

    @property
    def debit(self) -> Decimal:
        return self.amount if self.amount > 0 else ZERO

    @property
    def credit(self) -> Decimal:
        return -self.amount if self.amount < 0 else ZERO


def running(movements: Iterable[Movement], opening: Decimal) -> list[Movement]:
    """The movements in date order, each with the balance after it."""
    ordered = sorted(movements, key=lambda m: (m.date, _ORDER[m.kind], m.reference, m.details))
    balance = opening
    result = []
    for movement in ordered:
        balance += movement.amount
        result.append(replace(movement, balance=balance))
    return result


@dataclass(frozen=True, slots=True)
class AccountStatement:
    """A customer's statement in one currency."""

    customer: Customer
    currency: str
    start: dt.date
    as_of: dt.date
    opening: Decimal
    lines: tuple[Movement, ...]
    aging_balance: Decimal  # what the open items at the as-of date add up to
    buckets: dict[str, Decimal] = field(default_factory=dict)  # open invoices by age
    credits: Decimal = ZERO  # open credit notes and unapplied cash (negative)
    overdue: Decimal = ZERO  # open invoices past their due date, less credits and unapplied cash
    oldest_days: int = 0  # days past due of the oldest overdue invoice
    in_query: tuple[tuple[str, str, Decimal], ...] = ()  # (invoice, "query Q-… of DD/MM/YYYY", open amount)
    certificates: tuple[str, ...] = ()  # the withholding awaiting its certificate, as the chase list says it

    @property
    def debits(self) -> Decimal:
        return sum((m.debit for m in self.lines), ZERO)

    @property
    def credits_in_period(self) -> Decimal:
        return sum((m.credit for m in self.lines), ZERO)

    @property
    def closing(self) -> Decimal:
        """Opening balance plus the movements."""
        return self.opening + self.debits - self.credits_in_period

    @property
    def difference(self) -> Decimal:
        """Closing balance less the open items at the as-of date: zero on a statement that agrees."""
        return self.closing - self.aging_balance

    @property
    def customer_id(self) -> str:
        return self.customer.customer_id

    @property
    def stem(self) -> str:
        """The file name (without extension) of the customer's statement: ``C001-2025-07``."""
        return statement_stem(self.customer_id, self.as_of)


def statement_stem(customer_id: str, as_of: dt.date) -> str:
    """``C001-2025-07``: customer and month, safe as a file name."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in customer_id) or "customer"
    return f"{safe}-{as_of:%Y-%m}"


def account_statements(ledger: Ledger, as_of: dt.date, start: dt.date | None = None,
                       customers: Sequence[str] | None = None) -> tuple[list[AccountStatement], list[Problem]]:
    """Every statement due for the period ``start`` (default: the first of the as-of month) to ``as_of``."""
    first = start or as_of.replace(day=1)
    if first > as_of:
        raise BadValue(f"the statement period starts on {first:%d/%m/%Y}, after its as-of date {as_of:%d/%m/%Y}")
    settings = ledger.settings
    scheme = parse_buckets(settings.aging_buckets)
    invoices, allocations, receipts = list(ledger.invoices), list(ledger.allocations), list(ledger.receipts)
    opening = balances(open_items(invoices, allocations, first - ONE_DAY, receipts))
    closing_items = open_items(invoices, allocations, as_of, receipts)
    closing = balances(closing_items)
    items_by_key: dict[tuple[str, str], list[OpenItem]] = defaultdict(list)
    for item in closing_items:
        items_by_key[(item.customer_id, item.currency)].append(item)
    moves = movements(invoices, allocations, receipts, first, as_of, {c.customer_id: c.name for c in ledger.customers})
    held = held_invoices(ledger.queries, as_of)
    chase = awaiting(invoices, allocations, as_of, receipts)
    if held:
        moves = {key: [replace(m, details=f"{m.details}; in query {held[m.reference.upper()].query.query_id}")
                       if m.kind == "invoice" and m.reference.upper() in held else m for m in lines]
                 for key, lines in moves.items()}
    people = {c.customer_id: c for c in ledger.customers}
    wanted = set(customers) if customers is not None else None
    keys = {k for k, v in opening.items() if v} | {k for k, v in closing.items() if v} | set(moves)
    result: list[AccountStatement] = []
    problems: list[Problem] = []
    for customer_id, currency in sorted(keys):
        if not customer_id or (wanted is not None and customer_id not in wanted):
            continue
        customer = people.get(customer_id)
        if customer is None:
            problems.append(Problem(CellRef(ledger.book, "Customers"), f'customer "{customer_id}" has a balance '
                                    f"in {currency} but is not in Customers: no statement"))
            continue
        items = items_by_key.get((customer_id, currency), [])
        buckets, credits, overdue = strip(items, as_of, scheme, settings.aging_basis)
        oldest = max(((as_of - i.due_date).days for i in items if i.is_invoice and i.open_amount > 0), default=0)
        statement = AccountStatement(customer, currency, first, as_of, opening.get((customer_id, currency), ZERO),
                                     tuple(running(moves.get((customer_id, currency), []),
                                                   opening.get((customer_id, currency), ZERO))),
                                     closing.get((customer_id, currency), ZERO), buckets, credits, overdue,
                                     max(oldest, 0), tuple(
                                         (i.reference, f"query {held[i.reference.upper()].query.query_id} of "
                                                       f"{held[i.reference.upper()].query.date:%d/%m/%Y}",
                                          i.open_amount)
                                         for i in items if i.is_invoice and i.reference.upper() in held),
                                     tuple(w.chase_text() for w in chase.get(customer_id, [])
                                           if w.currency == currency))
        if statement.difference:
            problems.append(Problem(CellRef(ledger.book, "Allocations"), f"statement of {customer_id} in {currency} "
                                    f"does not agree with the aging: opening {statement.opening} + movements = "
                                    f"{statement.closing}, open items {statement.aging_balance}; check the "
                                    "allocations of its receipts"))
        result.append(statement)
    return result, problems


def strip(items: Iterable[OpenItem], as_of: dt.date, scheme: BucketScheme,
          basis: Literal["due_date", "invoice_date"] = "due_date") -> tuple[dict[str, Decimal], Decimal, Decimal]:
    """(open invoices by bucket, open credits and unapplied cash, net overdue) of one customer and currency."""
    buckets = dict.fromkeys(scheme.labels, ZERO)
    credits = ZERO
    overdue = ZERO
    for item in items:
        if item.is_invoice:
            days = age(item.document_date, item.due_date, as_of, basis)
            buckets[scheme.label(days)] += item.open_amount
            if item.due_date < as_of:
                overdue += item.open_amount
        else:
            credits += item.open_amount
    return buckets, credits, overdue + credits


def movements(invoices: Iterable[Invoice], allocations: Iterable[Allocation], receipts: Iterable[Receipt],
              first: dt.date, as_of: dt.date, names: dict[str, str] | None = None,
              ) -> dict[tuple[str, str], list[Movement]]:
    """The movements of every customer and currency from ``first`` to ``as_of`` (rules in the module's text)."""
    names = names or {}
    documents = {i.invoice_no: i for i in invoices if i.status != "cancelled" and i.invoice_date <= as_of}
    by_receipt: dict[str, list[Allocation]] = defaultdict(list)
    allocation_list = list(allocations)
    for a in allocation_list:
        by_receipt[a.receipt_id].append(a)
    paid_by = {r.receipt_id: r for r in receipts if r.amount > 0}
    result: dict[tuple[str, str], list[Movement]] = defaultdict(list)

    def add(customer_id: str, currency: str, movement: Movement) -> None:
        result[(customer_id, currency)].append(movement)

    for document in documents.values():
        if document.invoice_date < first:
            continue
        if document.doc_type == "invoice":
            details = "Invoice" + (f", period {document.period}" if document.period else "") + \
                (f", PO {document.po_number}" if document.po_number else "")
            movement = Movement(document.invoice_date, "invoice", document.invoice_no, details,
                                document.total_amount, document.due_date)
        else:
            details = f"Credit note on {document.original_invoice}" if document.original_invoice else "Credit note"
            movement = Movement(document.invoice_date, "credit_note", document.invoice_no, details,
                                document.total_amount)
        add(document.customer_id, document.currency, movement)
    for receipt in paid_by.values():
        if first <= receipt.date <= as_of and receipt.customer_id:
            settled = sorted({a.invoice_no for a in by_receipt[receipt.receipt_id] if a.invoice_no in documents
                              and documents[a.invoice_no].customer_id == receipt.customer_id})
            details = "Payment received" + (f": {', '.join(settled[:6])}" if settled else "") + \
                (" ..." if len(settled) > 6 else "")
            add(receipt.customer_id, receipt.currency, Movement(receipt.date, "payment", _reference(receipt),
                                                                details, -receipt.amount))
    for a in allocation_list:
        if not first <= a.date <= as_of:
            continue
        doc = documents.get(a.invoice_no)
        paying = paid_by.get(a.receipt_id)
        payer = paying.customer_id if paying is not None else ""
        reference = _reference(paying) if paying is not None else a.receipt_id
        if doc is not None and doc.doc_type == "invoice":
            if a.applied_amount and payer != doc.customer_id:
                who = names.get(payer, paying.payer_name if paying is not None else "")
                details = f"Payment for {doc.invoice_no}" + (f" by {who}" if who else "")
                add(doc.customer_id, doc.currency, Movement(a.date, "payment", reference, details, -a.applied_amount))
            if a.deduction_amount:
                label = deduction(a.deduction_type).statement
                details = f"{label} on {doc.invoice_no}" + (f", certificate {a.certificate_no}"
                                                            if a.certificate_no else "")
                add(doc.customer_id, doc.currency, Movement(a.date, "deduction", a.invoice_no, details,
                                                            -a.deduction_amount))
        elif doc is not None:
            add(doc.customer_id, doc.currency, Movement(a.date, "other", reference, f"Refund against {doc.invoice_no}",
                                                        a.applied_amount + a.deduction_amount))
        if payer and a.applied_amount and (doc is None or doc.customer_id != payer):
            target = f"{a.invoice_no} of {names.get(doc.customer_id, doc.customer_id)}" if doc is not None else \
                (a.invoice_no or "another account")
            add(payer, a.currency, Movement(a.date, "other", reference, f"Part of the payment applied to {target}",
                                            a.applied_amount))
    return dict(result)


def _reference(receipt: Receipt) -> str:
    return receipt.bank_reference or receipt.receipt_id


# --- The statement as a sheet ------------------------------------------------------------------------------------

@dataclass(slots=True)
class StatementLayout:
    """A statement rendered as a sheet, with the cells a check (or a test) reads back."""

    sheet: SheetSpec
    closing_cell: str
    strip_total_cell: str
    expected: dict[str, Decimal] = field(default_factory=dict)  # formula cell -> the value arxl computed


def sheet_name(statement: AccountStatement) -> str:
    return f"Statement {statement.currency}"


def statement_sheet(statement: AccountStatement, settings: Settings) -> StatementLayout:
    """One statement as a printable sheet: letterhead, customer, movements with running balance (live formulas),
    closing balance, aging strip and how to pay."""
    cur = statement.currency
    c = statement.customer
    sheet = SheetSpec(sheet_name(statement), widths={"A": 12, "B": 12, "C": 18, "D": 56, "E": 12, "F": 15, "G": 15,
                                                      "H": 16})
    sheet.add(Cell(settings.company_name, style="title"))
    sheet.add(Cell(settings.company_address, style="note"))
    contact = [f"TIN {settings.company_tin}" if settings.company_tin else "", settings.company_phone,
               settings.company_email]
    sheet.add(Cell("  ·  ".join(p for p in contact if p), style="note"))
    sheet.blank()
    sheet.add(Cell("STATEMENT OF ACCOUNT", style="title"))
    sheet.add(Cell("Customer", style="bold"), Cell(c.name), "", "", Cell("Statement date", style="bold"), "",
              Cell(statement.as_of, style="date"))
    sheet.add(Cell("Account", style="bold"), Cell(c.customer_id), "", "", Cell("Period", style="bold"), "",
              Cell(f"{statement.start:%d/%m/%Y} to {statement.as_of:%d/%m/%Y}"))
    sheet.add(Cell("Address", style="bold"), Cell(c.address), "", "", Cell("Currency", style="bold"), "", Cell(cur))
    sheet.add(Cell("TIN", style="bold"), Cell(c.tin), "", "", Cell("Attention", style="bold"), "", Cell(c.contact))
    sheet.blank()
    sheet.add(*(Cell(h, style="header") for h in ("Date", "Type", "Reference", "Details", "Due date",
                                                 f"Debit {cur}", f"Credit {cur}", f"Balance {cur}")))
    expected: dict[str, Decimal] = {}
    opening_row = sheet.add(Cell(statement.start, style="date"), Cell("Opening"), Cell(""),
                            Cell("Balance brought forward"), Cell(""), Cell(None), Cell(None),
                            Cell(statement.opening, currency=cur))
    types = {"invoice": "Invoice", "credit_note": "Credit note", "payment": "Payment", "deduction": "Deduction",
             "other": "Adjustment"}
    row = opening_row
    for m in statement.lines:
        row = sheet.next_row
        sheet.add(Cell(m.date, style="date"), Cell(types[m.kind]), Cell(m.reference), Cell(m.details),
                  Cell(m.due_date, style="date") if m.due_date else Cell(""),
                  Cell(m.debit if m.debit else None, currency=cur), Cell(m.credit if m.credit else None, currency=cur),
                  Cell(m.balance, f"=H{row - 1}+F{row}-G{row}", currency=cur))
        expected[f"H{row}"] = m.balance
    closing_row = sheet.next_row
    sheet.add(Cell(f"{statement.as_of:%d/%m/%Y}", style="total"), Cell("Closing", style="total"),
              Cell("", style="total"),
              Cell("Balance due" if statement.closing >= 0 else "Balance in your favour", style="total"),
              Cell("", style="total"),
              Cell(statement.debits, f"=SUM(F{opening_row}:F{row})", style="total", currency=cur),
              Cell(statement.credits_in_period, f"=SUM(G{opening_row}:G{row})", style="total",
                   currency=cur),
              Cell(statement.closing, f"=H{opening_row}+F{closing_row}-G{closing_row}", style="total",
                   currency=cur))
    expected.update({f"F{closing_row}": statement.debits, f"G{closing_row}": statement.credits_in_period,
                     f"H{closing_row}": statement.closing})
    sheet.blank()
    sheet.add(Cell("Ageing of the balance", style="bold"), "", "",
              Cell(f"days past due at {statement.as_of:%d/%m/%Y}" if settings.aging_basis == "due_date"
                   else f"days since the invoice date at {statement.as_of:%d/%m/%Y}", style="note"))
    labels = [*statement.buckets, "Credits", "Total"]
    sheet.add(*(Cell(label, style="header", align="right") for label in labels))  # over its figure, not beside
    strip_row = sheet.next_row
    values = [*statement.buckets.values(), statement.credits]
    last_letter = _letter(len(values))
    total_letter = _letter(len(values) + 1)
    sheet.add(*(Cell(v, currency=cur, style="warning" if v > 0 and i > 0 and i < len(statement.buckets) else "")
                for i, v in enumerate(values)),
              Cell(sum(values, ZERO), f"=SUM(A{strip_row}:{last_letter}{strip_row})", currency=cur, style="total"))
    expected[f"{total_letter}{strip_row}"] = sum(values, ZERO)
    if statement.credits:
        sheet.add(Cell("Credits: credit notes and payments received but not yet allocated to an invoice.",
                       style="note"))
    if statement.overdue > 0:  # attached to every reminder, the friendly one too: the tone is the e-mail's
        sheet.add(Cell(f"Overdue now: {figure(statement.overdue, cur, with_code=True)}. Please arrange its payment, "
                       f"or tell us if "
                       "anything on this statement is in dispute.", style="bold"))
    if statement.in_query:
        sheet.add(Cell("In query, not asked for until we have answered: " + "; ".join(
            f"{number} ({figure(amount, cur, with_code=True)}, "
            f"{query})" for number, query, amount in statement.in_query) + ".",
            style="note"))
    if statement.certificates:
        sheet.add(Cell("Withholding certificates we have not yet received: " + "; ".join(statement.certificates)
                       + ".", style="bold"))
    sheet.blank()
    sheet.add(Cell("How to pay", style="bold"))
    account = settings.bank_account(cur)
    for label, value in (("Bank", ", ".join(p for p in (settings.bank_name, settings.bank_branch) if p)),
                         ("Account name", settings.company_name), (f"Account {cur}", account),
                         ("SWIFT", settings.bank_swift)):
        if value:
            sheet.add(Cell(label), Cell(value))
    certificates = "withholding certificates and " if withholds_at_source(c.withholding, c.customer_type) else ""
    sheet.add(Cell(f"Please quote the invoice numbers with your payment and send {certificates}remittance advice to "
                   f"{settings.company_email or 'us'}.", style="note"))
    if settings.company_phone or settings.company_email:
        sheet.add(Cell("Questions about this statement: " + " or ".join(
            p for p in (settings.company_phone, settings.company_email) if p) + ".", style="note"))
    return StatementLayout(sheet, f"H{closing_row}", f"{total_letter}{strip_row}", expected)


def _letter(index: int) -> str:
    """Column letter of a 1-based column index (A..Z is all a statement needs, AA.. works too)."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters



STATEMENTS_SHEET = "Statements of Account"  # "Statements" is the table of imported bank statements


def summary_sheet(settings: Settings, statements: Sequence[AccountStatement], notes: dict[str, str] | None = None,
                  files: dict[str, str] | None = None) -> SheetSpec:
    """The "Statements of Account" sheet of the workbook: one row per statement with its figures, what happened about
    reminders (``notes`` by customer) and a link to its file (``files``: customer id -> path from the workbook)."""
    notes = notes or {}
    files = files or {}
    sheet = SheetSpec(STATEMENTS_SHEET, widths={"A": 11, "B": 36, "C": 9, "D": 16, "E": 16, "F": 16, "G": 16,
                                                "H": 16, "I": 8, "J": 52, "K": 30}, tab_color="2E75B6")
    as_of = max((s.as_of for s in statements), default=None)
    start = min((s.start for s in statements), default=None)
    period = f"{start:%d/%m/%Y} to {as_of:%d/%m/%Y}" if start and as_of else "no statement"
    differing = sum(1 for s in statements if s.difference)
    sheet.add(Cell(f"Statements of account, {period}", style="title"))
    sheet.add(Cell(f"{settings.company_name}: {len(statements)} statement(s) for "
                   f"{len({s.customer_id for s in statements})} customer(s); closing = opening + debits - credits, "
                   "checked against the aging" + (f": {differing} DIFFER" if differing else ": all agree") + ".",
                   style="subtitle"))
    sheet.blank()
    header = sheet.add(*(Cell(h, style="header") for h in (
        "Customer", "Name", "Currency", "Opening", "Debits", "Credits", "Closing", "Overdue", "Oldest",
        "Reminder", "File")))
    for s in statements:
        row = sheet.next_row
        note = notes.get(s.customer_id, "")
        sheet.add(Cell(s.customer_id), Cell(s.customer.name), Cell(s.currency), Cell(s.opening, currency=s.currency),
                  Cell(s.debits, currency=s.currency), Cell(s.credits_in_period, currency=s.currency),
                  Cell(s.opening + s.debits - s.credits_in_period, f"=D{row}+E{row}-F{row}", currency=s.currency,
                       style="error" if s.difference else ""),
                  Cell(s.overdue if s.overdue > 0 else None, currency=s.currency),
                  Cell(s.oldest_days or None, style="integer"),
                  Cell(note, style="error" if "NOT sent" in note else "warning" if "call" in note else ""),
                  Cell(files.get(s.customer_id, ""), link=files.get(s.customer_id, "")))
    last = max(sheet.next_row - 1, header + 1)
    sheet.filter_range = f"A{header}:K{last}"
    sheet.freeze = f"C{header + 1}"
    return sheet

