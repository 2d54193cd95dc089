"""``arxl aging``, ``arxl statements``, ``arxl arrangements check``, ``arxl report collections`` and ``arxl query
add|answer|close|list``: what is owed, and getting it paid."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from arxl.cli.common import (
    AsOfOption,
    BookArgument,
    OnOption,
    PdfWorkersOption,
    PeriodOption,
    app,
    date_given,
    date_or_today,
    given,
    group,
    out_dir_option,
    progress,
    session,
    show,
)
from arxl.core.errors import ArxlError

arrangements_app = group("Payment arrangements and promises to pay; escalations.")
report_app = group("Reports for management.")
query_app = group("Client queries on invoices: add, answer, close, list.")
app.add_typer(arrangements_app, name="arrangements")
app.add_typer(report_app, name="report")
app.add_typer(query_app, name="query")

# Each command imports its job when it runs: `arxl --help` and every other command start without loading the
# workbook libraries the jobs need.


@app.command("aging")
def aging_cmd(book: BookArgument, as_of: AsOfOption = None) -> None:
    """Refresh the Aging sheet: open items at a date by customer and bucket, one block per currency, checked."""
    from arxl.app import receivables

    show(receivables.refresh_aging(session.writable(book), date_given(as_of, "--as-of")))


@app.command("statements")
def statements_cmd(
    book: BookArgument,
    as_of: AsOfOption = None,
    start: Annotated[str | None, typer.Option("--from", metavar="YYYY-MM-DD", help="First day of the period "
                                              "(default: the first of the as-of month).")] = None,
    out_dir: Annotated[Path | None, out_dir_option("Folder for statements/ and reminders/ (default: Settings' "
                                                   "Output Folder beside the workbook, or out).")] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also make PDFs (LibreOffice), attached to the reminders.")]
    = False,
    pdf_workers: PdfWorkersOption = None,
    reminders: Annotated[bool, typer.Option("--reminders/--no-reminders", help="Write the reminders due (.eml).")]
    = True,
    send: Annotated[bool, typer.Option("--send", help="Send the reminders (through --smtp) and log them in "
                                       "CollectionsLog.")] = False,
    smtp: Annotated[str | None, typer.Option("--smtp", metavar="HOST:PORT", help="The mail server for --send.")]
    = None,
    starttls: Annotated[bool, typer.Option("--starttls", help="Encrypt the SMTP session (STARTTLS).")] = False,
    user: Annotated[str | None, typer.Option("--user", metavar="NAME", help="SMTP login; the password is read "
                                             "from ARXL_SMTP_PASSWORD or asked for.")] = None,
    mark_sent: Annotated[bool, typer.Option("--mark-sent", help="Log the reminders written as sent (you send the "
                                            ".eml files yourself).")] = False,
    templates: Annotated[Path | None, typer.Option("--templates", metavar="DIR", help="Folder of the reminder "
                                                   "templates (default: templates/ beside the workbook, else "
                                                   "arxl's).")] = None,
    resend_in_doubt: Annotated[bool, typer.Option("--resend-in-doubt", help="Send again the reminders listed as in "
                                                  "doubt (you checked: they did not arrive).")] = False,
    in_doubt_delivered: Annotated[bool, typer.Option("--in-doubt-delivered", help="Log the reminders listed as in "
                                                     "doubt as sent (you checked: they arrived).")] = False,
) -> None:
    """Statements of account (xlsx, PDF) and the reminders due (.eml, sent with --send --smtp HOST:PORT), as of
    a date.

    Each reminder is sent once, even across a crash: the mail journal beside the workbook
    (BOOK.mail-journal.jsonl) records it before it goes. A reminder whose sending was cut off is "in doubt":
    listed, not sent again, exit 2, until you run again with --resend-in-doubt or --in-doubt-delivered."""
    from arxl.app import receivables

    if send and not smtp:
        raise ArxlError("--send needs --smtp HOST:PORT")
    if send and mark_sent:
        raise ArxlError("--send and --mark-sent exclude each other: --send logs what the server accepted")
    if resend_in_doubt and in_doubt_delivered:
        raise ArxlError("--resend-in-doubt and --in-doubt-delivered exclude each other: a reminder in doubt either "
                        "arrived or did not")
    if resend_in_doubt and not send:
        raise ArxlError("--resend-in-doubt needs --send --smtp HOST:PORT")
    server = None
    if send and smtp:
        password = ""
        if user:
            password = os.environ.get("ARXL_SMTP_PASSWORD") or typer.prompt(f"SMTP password for {user}",
                                                                            hide_input=True)
        server = receivables.mail_server(smtp, starttls=starttls, user=user or "", password=password)
    day = date_given(as_of, "--as-of")
    first = date_given(start, "--from")
    workbook = session.writable(book)
    with progress() as shown:
        report = receivables.statements_reminders(workbook, day, out_dir, start=first, pdf=pdf, reminders=reminders,
                                                  server=server, mark_sent=mark_sent, templates=templates,
                                                  progress=shown, in_doubt="resend" if resend_in_doubt else
                                                  "delivered" if in_doubt_delivered else "hold",
                                                  pdf_workers=pdf_workers)
    show(report)


@arrangements_app.command("check")
def arrangements_check(book: BookArgument, as_of: AsOfOption = None) -> None:
    """Mark instalments kept or broken from the allocations, judge promises to pay, refresh the Escalations sheet."""
    from arxl.app import receivables

    show(receivables.arrangements_check(session.writable(book), date_given(as_of, "--as-of")))


@report_app.command("collections")
def report_collections(
    book: BookArgument,
    period: PeriodOption,
    weekly: Annotated[bool, typer.Option("--weekly", help="Add the collections of each week of the month.")]
    = False,
) -> None:
    """The Collections KPIs sheet of a month: collections against target, DSO, CEI, invoicing, top overdue."""
    from arxl.app import receivables

    show(receivables.collections_report(session.writable(book), period, weekly))


QueryId = Annotated[str, typer.Argument(metavar="QUERY_ID", help="The query, e.g. Q-2025-0001.")]


@query_app.command("add")
def query_add(
    book: BookArgument,
    customer: Annotated[str, typer.Option("--customer", metavar="ID", help="The customer who asks, e.g. C001.")],
    invoice: Annotated[str, typer.Option("--invoice", metavar="INVOICE_NO", help="The invoice the query is "
                                         "about.")],
    question: Annotated[str, typer.Option("--question", metavar="TEXT", help="What the customer asked.")],
    channel: Annotated[str, typer.Option("--channel", metavar="HOW", help="How: call, e-mail, visit or letter.")]
    = "e-mail",
    owner: Annotated[str, typer.Option("--owner", metavar="NAME", help="Who answers it.")] = "",
    due: Annotated[str | None, typer.Option("--due", metavar="YYYY-MM-DD", help="Answer by this day (default: "
                                            "five working days after the query).")] = None,
    on: OnOption = None,
) -> None:
    """Record a customer's query on an invoice, asked --on a day; the invoice is held out of reminders until the
    query is closed."""
    from arxl.app import queries

    given(question, "--question", "what the customer asked")
    day = date_or_today(on)
    show(queries.add_query(session.writable(book), customer, invoice, question, day, channel=channel, owner=owner,
                           due=date_given(due, "--due")))


@query_app.command("answer")
def query_answer(
    book: BookArgument,
    query_id: QueryId,
    answer: Annotated[str, typer.Option("--answer", metavar="TEXT", help="What the customer was told.")],
    on: OnOption = None,
) -> None:
    """Record the answer given to a query --on a day (it stays open for reminders until it is closed)."""
    from arxl.app import queries

    given(answer, "--answer", "what the customer was told")
    show(queries.answer_query(session.writable(book), query_id, answer, date_or_today(on)))


@query_app.command("close")
def query_close(
    book: BookArgument,
    query_id: QueryId,
    resolution: Annotated[str, typer.Option("--resolution", metavar="HOW", help="How it ended: explanation, "
                                            "credit-note or re-issue.")],
    credit_note: Annotated[str, typer.Option("--credit-note", metavar="CN_NO", help="The credit note of the "
                                             "query's invoice (with credit-note, or re-issue).")] = "",
    on: OnOption = None,
) -> None:
    """Close an answered query --on a day: by an explanation, a credit note of its invoice, or a re-issued
    invoice."""
    from arxl.app import queries

    show(queries.close_query(session.writable(book), query_id, resolution, date_or_today(on), credit_note))


@query_app.command("list")
def query_list(book: BookArgument, as_of: AsOfOption = None) -> None:
    """The queries not closed at a date, oldest first, with their age (the workbook is not changed)."""
    from arxl.app import queries
    from arxl.app.workbook import readable

    show(queries.list_queries(readable(book), date_given(as_of, "--as-of")))
