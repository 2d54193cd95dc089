"""Client queries: a customer's question about an invoice, from the call to its answer, and the invoice held meanwhile.

A customer rings, writes or comes in about an invoice: a wrong rate or quantity, a PO number missing, a service
not delivered. Chasing an invoice the customer has queried, before we have answered, sours the relation and
rarely brings the cash, so the query is kept in the Queries sheet and

- it is **open** from its Date; **answered** once the accountant has given the answer (the customer may still
  come back); **closed** when it has ended in one of three ways: an **explanation** (the invoice stands), a
  **credit note** (the invoice was wrong: the note is linked by its number and must credit that invoice) or a
  **re-issue** (the invoice credited and billed again; its credit note may be linked too);
- while it is not closed its invoice is **held out of reminders** (the customer's other overdue invoices are
  still reminded) and the invoice reads "in query" on the statement of account;
- its **age** is the days from its Date to the as-of date; it is **past due** when its Due Date (by when the
  answer was promised) has gone by without an answer. The collections report counts the open queries, the
  oldest, their average age and those past due.

Queries are numbered per year like receipts (``Q-2025-0001``), from the highest number of the year already in
the sheet. The workflow writes nothing: :func:`add_query`, :func:`answer_query` and :func:`close_query` return
a ChangeSet (a row appended, cells of its row updated) that the host applies in one save.

>>> asked = ClientQuery(query_id="Q-2025-0001", date=dt.date(2025, 6, 12), customer_id="C029",
...                     invoice_no="INV-2025-00348", channel="call", question="PO number missing",
...                     due_date=dt.date(2025, 6, 19))
>>> [(o.query.query_id, o.state, o.age, o.past_due) for o in open_queries([asked], dt.date(2025, 7, 31))]
[('Q-2025-0001', 'open', 49, True)]
>>> summary(open_queries([asked], dt.date(2025, 7, 31)))
QueryFigures(count=1, oldest=49, average=Decimal('49.00'), past_due=1)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from arxl.core.errors import BadValue
from arxl.core.numbering import next_numbers
from arxl.ledger.changes import Cell, ChangeSet, SheetSpec, TableArea
from arxl.ledger.ledger import Ledger
from arxl.ledger.openitems import open_items
from arxl.ledger.records import Channel, ClientQuery, Resolution

QUERY_SERIES = "Q"
QUERY_DIGITS = 4
ANSWER_WITHIN = 5  # working days to answer a query, when no Due Date is given
SHEET = "Open Queries"
CHANNELS: tuple[Channel, ...] = ("call", "e-mail", "visit", "letter", "sms")
RESOLUTIONS: tuple[Resolution, ...] = ("explanation", "credit note", "re-issue")
State = Literal["open", "answered", "closed"]


def state_on(query: ClientQuery, day: dt.date) -> State | None:
    """Where a query stood at the end of a day (None before it was asked), from its dates and Status."""
    if query.date > day:
        return None
    if query.status == "closed" and (query.closed_on is None or query.closed_on <= day):
        return "closed"
    if query.status != "open" and (query.answered_on is None or query.answered_on <= day):
        return "answered"
    return "open"


@dataclass(frozen=True, slots=True)
class OpenQuery:
    """A query not yet closed at the as-of date, with its age."""

    query: ClientQuery
    as_of: dt.date
    state: State

    @property
    def age(self) -> int:
        """Days since the customer asked."""
        return (self.as_of - self.query.date).days

    @property
    def past_due(self) -> bool:
        """Not answered, and the day the answer was due has gone by."""
        due = self.query.due_date
        return self.state == "open" and due is not None and due < self.as_of

    def since(self) -> str:
        """``INV-2025-00348 in query Q-2025-0001 since 12/06/2025``: why the invoice is not chased."""
        return f"{self.query.invoice_no} in query {self.query.query_id} since {self.query.date:%d/%m/%Y}"


def open_queries(queries: Iterable[ClientQuery], as_of: dt.date) -> list[OpenQuery]:
    """The queries asked by the as-of date and not closed by then, oldest first."""
    found = [OpenQuery(q, as_of, state) for q in queries
             if (state := state_on(q, as_of)) is not None and state != "closed"]
    return sorted(found, key=lambda o: (o.query.date, o.query.query_id))


def held_invoices(queries: Iterable[ClientQuery], as_of: dt.date) -> dict[str, OpenQuery]:
    """Invoice number -> its oldest query not closed at the as-of date: the invoices not to chase."""
    held: dict[str, OpenQuery] = {}
    for found in open_queries(queries, as_of):
        held.setdefault(found.query.invoice_no.strip().upper(), found)
    return held


@dataclass(frozen=True, slots=True)
class QueryFigures:
    """What the collections report says of the open queries."""

    count: int
    oldest: int | None
    average: Decimal | None  # days, rounded half-up to two decimals as the sheet's ROUND(AVERAGE(...), 2)
    past_due: int


def summary(found: Sequence[OpenQuery]) -> QueryFigures:
    """Count, oldest and average age, and how many are past their due date."""
    if not found:
        return QueryFigures(0, None, None, 0)
    ages = [o.age for o in found]
    average = (Decimal(sum(ages)) / len(ages)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return QueryFigures(len(found), max(ages), average, sum(o.past_due for o in found))


# --- add, answer, close ----------------------------------------------------------------------------------------

def add_query(ledger: Ledger, *, customer_id: str, invoice_no: str, question: str, on: dt.date,
              channel: str = "e-mail", owner: str = "", due: dt.date | None = None) -> ChangeSet:
    """A new query on an invoice of the customer, numbered after the year's last; due in five working days
    unless ``due`` says otherwise."""
    question = " ".join(str(question or "").split())
    if not question:
        raise BadValue("a query needs the customer's question")
    wanted = next((c for c in CHANNELS if c == channel.strip().lower()), None)
    if wanted is None:
        raise BadValue(f'channel "{channel[:20]}" is not one of {", ".join(CHANNELS)}')
    people = ledger.customers
    customer = next((c for c in people if c.customer_id.upper() == customer_id.strip().upper()), None)
    if customer is None:
        raise BadValue(f'customer "{customer_id.strip()[:20]}" is not in Customers', people.where_sheet())
    invoices = ledger.invoices
    index = next((i for i, row in enumerate(invoices.rows)
                  if row.invoice_no.upper() == invoice_no.strip().upper()), None)
    if index is None:
        raise BadValue(f'invoice "{invoice_no.strip()[:40]}" is not in the register', invoices.where_sheet())
    invoice = invoices.rows[index]
    if invoice.doc_type == "credit_note":
        raise BadValue(f"{invoice.invoice_no} is a credit note: a query is about the invoice it corrects"
                       + (f" ({invoice.original_invoice})" if invoice.original_invoice else ""),
                       invoices.where(index, "doc_type"))
    if invoice.customer_id != customer.customer_id:
        raise BadValue(f"{invoice.invoice_no} is an invoice of {invoice.customer_id}, not of "
                       f"{customer.customer_id}", invoices.where(index, "customer_id"))
    if on < invoice.invoice_date:
        raise BadValue(f"the query's date {on:%d/%m/%Y} is before {invoice.invoice_no}'s invoice date "
                       f"{invoice.invoice_date:%d/%m/%Y}", invoices.where(index, "invoice_date"))
    due_date = due if due is not None else ledger.calendar().add_working_days(on, ANSWER_WITHIN)
    if due_date < on:
        raise BadValue(f"the due date {due_date:%d/%m/%Y} is before the query's date {on:%d/%m/%Y}")
    number = next_numbers((q.query_id for q in ledger.queries), QUERY_SERIES, on.year, 1, QUERY_DIGITS)[0]
    row = ClientQuery(query_id=number, date=on, customer_id=customer.customer_id, invoice_no=invoice.invoice_no,
                      channel=wanted, question=question, owner=" ".join(owner.split()), due_date=due_date)
    changes = ChangeSet()
    changes.append("Queries", [row])
    return changes


def answer_query(ledger: Ledger, query_id: str, answer: str, on: dt.date) -> ChangeSet:
    """The answer given to an open query: Answer, Answered On, Status answered."""
    answer = " ".join(str(answer or "").split())
    if not answer:
        raise BadValue("an answer needs its text: what the customer was told")
    table, index = ledger.queries, _find(ledger, query_id)
    query = table.rows[index]
    if query.status == "closed":
        raise BadValue(f"{query.query_id} was closed on {_day(query.closed_on)}: add a new query if the customer "
                       "comes back", table.where(index, "status"))
    if query.status == "answered":
        raise BadValue(f"{query.query_id} was answered on {_day(query.answered_on)}: close it, or add a new query "
                       "if the customer is not satisfied", table.where(index, "status"))
    if on < query.date:
        raise BadValue(f"the answer's date {on:%d/%m/%Y} is before the query's date {query.date:%d/%m/%Y}",
                       table.where(index, "date"))
    row = table.row_numbers[index]
    changes = ChangeSet()
    changes.update("Queries", row, "answer", answer)
    changes.update("Queries", row, "answered_on", on)
    changes.update("Queries", row, "status", "answered")
    return changes


def close_query(ledger: Ledger, query_id: str, resolution: str, on: dt.date, credit_note: str = "") -> ChangeSet:
    """An answered query closed by an explanation, a credit note (which must credit its invoice) or a re-issue."""
    how = resolution.strip().lower().replace("-", " ").replace("_", " ")
    how = "re-issue" if how == "re issue" else how
    if how not in RESOLUTIONS:
        raise BadValue(f'resolution "{resolution[:20]}" is not one of explanation, credit-note, re-issue')
    table, index = ledger.queries, _find(ledger, query_id)
    query = table.rows[index]
    if query.status == "closed":
        raise BadValue(f"{query.query_id} is already closed ({query.resolution}, {_day(query.closed_on)})",
                       table.where(index, "status"))
    if query.status == "open":
        raise BadValue(f"{query.query_id} has no answer yet: answer it first (what the customer was told), then "
                       "close it", table.where(index, "answer"))
    answered = query.answered_on or query.date
    if on < answered:
        raise BadValue(f"the closing date {on:%d/%m/%Y} is before the answer's date {answered:%d/%m/%Y}",
                       table.where(index, "answered_on"))
    number = credit_note.strip().upper()
    if how == "credit note" and not number:
        raise BadValue(f"closed by a credit note: give its number (the credit note of {query.invoice_no})")
    if number and how == "explanation":
        raise BadValue(f"a query closed by an explanation has no credit note ({number} given): the resolution is "
                       "credit-note or re-issue")
    if number:
        number = _credit_of(ledger, number, query.invoice_no)
    row = table.row_numbers[index]
    changes = ChangeSet()
    changes.update("Queries", row, "status", "closed")
    changes.update("Queries", row, "resolution", how)
    if number:
        changes.update("Queries", row, "credit_note", number)
    changes.update("Queries", row, "closed_on", on)
    return changes


def _credit_of(ledger: Ledger, number: str, invoice_no: str) -> str:
    """The credit note's number as the register writes it, refused unless it credits ``invoice_no``."""
    invoices = ledger.invoices
    index = next((i for i, row in enumerate(invoices.rows) if row.invoice_no.upper() == number), None)
    if index is None:
        raise BadValue(f'credit note "{number[:40]}" is not in the register', invoices.where_sheet())
    note = invoices.rows[index]
    if note.doc_type != "credit_note":
        raise BadValue(f"{note.invoice_no} is an invoice, not a credit note", invoices.where(index, "doc_type"))
    if note.original_invoice.strip().upper() != invoice_no.strip().upper():
        credits = f"credits {note.original_invoice}" if note.original_invoice else "names no Original Invoice"
        raise BadValue(f"{note.invoice_no} {credits}, not {invoice_no}, the invoice of the query",
                       invoices.where(index, "original_invoice"))
    return note.invoice_no


def _find(ledger: Ledger, query_id: str) -> int:
    """The row index of a query in ``ledger.queries``."""
    table = ledger.queries
    wanted = str(query_id or "").strip().upper()
    for i, row in enumerate(table.rows):
        if row.query_id.upper() == wanted:
            return i
    raise BadValue(f'query "{str(query_id or "").strip()[:40]}" is not in Queries', table.where_sheet())


def _day(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day is not None else "a day not recorded"


# --- the Open Queries sheet ------------------------------------------------------------------------------------

def queries_sheet(ledger: Ledger, as_of: dt.date) -> SheetSpec:
    """The "Open Queries" sheet: what is waiting for an answer (or for closing), oldest first, with the amount
    still open on each invoice, its age, owner and due date, the ones past due coloured."""
    found = open_queries(ledger.queries, as_of)
    figures = summary(found)
    names = {c.customer_id: c.name for c in ledger.customers}
    items = {i.reference: i for i in open_items(ledger.invoices, ledger.allocations, as_of, ledger.receipts)}
    invoices = {i.invoice_no: i for i in ledger.invoices}
    sheet = SheetSpec(SHEET, widths={"A": 13, "B": 11, "C": 10, "D": 30, "E": 16, "F": 8, "G": 15, "H": 11,
                                     "I": 8, "J": 16, "K": 11, "L": 9, "M": 60}, tab_color="C55A11", freeze="A5")
    sheet.add(Cell(f"Open client queries at {as_of:%d/%m/%Y}", style="title"))
    if figures.count:
        sheet.add(Cell(f"{figures.count} not closed, the oldest {figures.oldest} days, on average "
                       f"{figures.average} days; {figures.past_due} past their due date without an answer. Their "
                       "invoices are held out of reminders until the query is closed.", style="subtitle"))
    else:
        sheet.add(Cell("No query waiting: every invoice can be chased.", style="subtitle"))
    sheet.blank()
    header = sheet.add(*(Cell(h, style="header") for h in (
        "Query ID", "Date", "Customer", "Name", "Invoice No", "Currency", "Open Amount", "Status", "Age, days",
        "Owner", "Due Date", "Past Due", "Question")))
    for o in found:
        q = o.query
        item = items.get(q.invoice_no)
        invoice = invoices.get(q.invoice_no)
        currency = invoice.currency if invoice is not None else ""
        sheet.add(Cell(q.query_id), Cell(q.date, style="date"), Cell(q.customer_id),
                  Cell(names.get(q.customer_id, "")), Cell(q.invoice_no), Cell(currency),
                  Cell(item.open_amount if item is not None else Decimal(0), currency=currency or "RWF"),
                  Cell(o.state), Cell(o.age, style="integer"), Cell(q.owner),
                  Cell(q.due_date, style="date") if q.due_date else Cell(""),
                  Cell("yes", style="error") if o.past_due else Cell(""), Cell(q.question))
    if found:
        sheet.tables.append(TableArea("OpenQueries", f"A{header}:M{sheet.next_row - 1}"))
    return sheet
