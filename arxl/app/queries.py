"""Client queries on invoices: recorded, answered, closed, listed, and the Open Queries sheet."""

from __future__ import annotations

import datetime as dt

from arxl.aging.queries import CHANNELS, open_queries, queries_sheet, summary
from arxl.aging.queries import add_query as add
from arxl.aging.queries import answer_query as answer_it
from arxl.aging.queries import close_query as close_it
from arxl.app.jobs import as_of_date, open_for_work
from arxl.app.report import Report
from arxl.core.errors import ArxlError
from arxl.formats.xlsx.host import Host
from arxl.ledger.changes import ChangeSet
from arxl.ledger.records import ClientQuery


def add_query(host: Host, customer_id: str, invoice_no: str, question: str, on: dt.date, *, channel: str = "e-mail",
              owner: str = "", due: dt.date | None = None) -> Report:
    """Record a customer's query on an invoice in the Queries sheet; the invoice is held out of reminders."""
    if channel.strip().lower() not in CHANNELS:
        raise ArxlError(f'--channel "{channel[:20]}" is not one of {", ".join(CHANNELS)}')
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
    ledger = open_for_work(host, "answer query")
    host.apply(answer_it(ledger, query_id, answer, on))
    report = Report("answer query")
    report.say(f"{query_id.strip().upper()}: answered on {on:%d/%m/%Y}; close it when the customer agrees "
               "(arxl query close), the invoice stays held out of reminders until then")
    return report


def close_query(host: Host, query_id: str, resolution: str, on: dt.date, credit_note: str = "") -> Report:
    """Close an answered query: by an explanation, a credit note of its invoice, or a re-issue."""
    how = resolution.strip().lower()
    if how not in ("explanation", "credit-note", "re-issue"):
        raise ArxlError(f'--resolution "{resolution[:20]}" is not one of explanation, credit-note, re-issue')
    if how == "credit-note" and not credit_note.strip():
        raise ArxlError("--resolution credit-note needs --credit-note CN-YYYY-NNNNN (the credit note of the invoice)")
    if how == "explanation" and credit_note.strip():
        raise ArxlError("--credit-note goes with --resolution credit-note or re-issue, not explanation")
    ledger = open_for_work(host, "close query")
    changes = close_it(ledger, query_id, how, on, credit_note)
    host.apply(changes)
    fields = {u.field: u.value for u in changes.updates}
    report = Report("close query")
    note = f" {fields['credit_note']}" if "credit_note" in fields else ""
    report.say(f"{query_id.strip().upper()}: closed on {on:%d/%m/%Y} by {fields['resolution']}{note}; its invoice "
               "is chased again if still overdue")
    return report


def list_queries(host: Host, as_of: dt.date | None) -> Report:
    """The client queries not closed at a date, with their age (reads the workbook, writes nothing)."""
    ledger = open_for_work(host, "list queries")
    day = as_of_date(ledger, as_of)
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
    ledger = open_for_work(host, "client queries")
    day = as_of_date(ledger, as_of)
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
