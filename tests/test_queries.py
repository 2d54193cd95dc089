"""Client queries: added, answered and closed through the command line; an invoice in query is not chased, reads
"in query" on the statement, and the collections report counts the open queries and their age."""

from __future__ import annotations

import datetime as dt
import email
import shutil
import subprocess
import sys
from decimal import Decimal as D
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from openpyxl import load_workbook

import arxl.macros as macros
from arxl.aging.dunning import plan_reminders
from arxl.aging.queries import QueryFigures, open_queries, summary
from arxl.aging.report import REPORT_SHEET, collections_report
from arxl.aging.statements import account_statements, statement_sheet
from arxl.formats.libreoffice import LibreOffice
from arxl.formats.statement_files import write_sheets
from arxl.formats.xlsx.book import open_ledger
from arxl.formats.xlsx.host import FileHost
from arxl.ledger.checks import check_ledger
from arxl.ledger.ledger import Ledger
from arxl.ledger.records import ClientQuery, Row
from arxl.sample import write_sample
from tests.builders import header_cell, recovery_book, recovery_tables, set_cells
from tests.calc import assert_formulas_match

ARXL = Path(sys.executable).with_name("arxl")
JULY = dt.date(2025, 7, 31)


def arxl(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ARXL), *map(str, args)], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    book, _ = write_sample(tmp_path_factory.mktemp("sample") / "billing.xlsx")
    return book


@pytest.fixture
def book(sample_file: Path, tmp_path: Path) -> Path:
    """A fresh copy of the sample: three queries, Q-2025-0003 still open on C029's INV-2025-00348."""
    return Path(shutil.copy(sample_file, tmp_path / "billing.xlsx"))


def queries(path: Path) -> dict[str, ClientQuery]:
    ledger, problems = open_ledger(path)
    assert [p for p in problems + check_ledger(ledger) if p.severity == "error"] == []
    return {q.query_id: q for q in ledger.queries}


# --- the sample -------------------------------------------------------------------------------------------------

def test_the_sample_has_an_open_query_and_one_closed_by_its_credit_note(book: Path) -> None:
    found = queries(book)
    assert list(found) == ["Q-2025-0001", "Q-2025-0002", "Q-2025-0003"]
    by_note = found["Q-2025-0002"]
    assert (by_note.customer_id, by_note.invoice_no, by_note.status, by_note.resolution, by_note.credit_note,
            by_note.closed_on) == ("C037", "INV-2025-00288", "closed", "credit note", "CN-2025-00001",
                                   dt.date(2025, 5, 20))
    ledger, _ = open_ledger(book)
    note = next(i for i in ledger.invoices if i.invoice_no == "CN-2025-00001")
    assert note.original_invoice == by_note.invoice_no  # the link is the credit note of the queried invoice
    assert found["Q-2025-0001"].resolution == "explanation"
    waiting = found["Q-2025-0003"]
    assert (waiting.customer_id, waiting.invoice_no, waiting.status, waiting.date, waiting.due_date) == (
        "C029", "INV-2025-00348", "open", dt.date(2025, 6, 12), dt.date(2025, 6, 19))
    invoice = next(i for i in ledger.invoices if i.invoice_no == "INV-2025-00348")
    assert invoice.due_date < JULY and invoice.status == "open"  # overdue on 31 July


# --- add, answer, close, list through the command line ---------------------------------------------------------

@pytest.mark.slow
def test_add_answer_close_and_list_through_the_command_line(book: Path) -> None:
    added = arxl("query", "add", book, "--customer", "C002", "--invoice", "INV-2025-00324", "--question",
                 "Asks for a copy of the invoice with the PO number on it", "--channel", "call", "--owner",
                 "Aline Uwase", "--on", "2025-07-02")
    assert added.returncode == 0, added.stderr
    # five working days from Wednesday 2 July: Liberation Day (Friday 4 July) is not one of them
    assert added.stdout.startswith("Q-2025-0004: C002 on INV-2025-00324 by call, to answer by 10/07/2025 "
                                   "(Aline Uwase)")
    assert queries(book)["Q-2025-0004"] == ClientQuery(
        query_id="Q-2025-0004", date=dt.date(2025, 7, 2), customer_id="C002", invoice_no="INV-2025-00324",
        channel="call", question="Asks for a copy of the invoice with the PO number on it", owner="Aline Uwase",
        due_date=dt.date(2025, 7, 10))

    listed = arxl("query", "list", book, "--as-of", "2025-07-31")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("31/07/2025: 2 client queries not closed, the oldest 49 days, on average "
                                    "39.00 days, 2 past their due date")  # (49 + 29) / 2
    rows = [line for line in listed.stdout.splitlines() if "Q-2025-" in line]
    assert [row.split()[1] for row in rows] == ["Q-2025-0003", "Q-2025-0004"]
    assert "49" in rows[0].split() and "29" in rows[1].split()

    answered = arxl("query", "answer", book, "q-2025-0004", "--answer", "Sent the copy; the PO is on it",
                    "--on", "2025-07-08")
    assert answered.returncode == 0, answered.stderr
    after = queries(book)["Q-2025-0004"]
    assert (after.status, after.answer, after.answered_on) == ("answered", "Sent the copy; the PO is on it",
                                                               dt.date(2025, 7, 8))
    closed = arxl("query", "close", book, "Q-2025-0004", "--resolution", "explanation", "--on", "2025-07-09")
    assert closed.returncode == 0, closed.stderr
    assert closed.stdout.startswith("Q-2025-0004: closed on 09/07/2025 by explanation")
    after = queries(book)["Q-2025-0004"]
    assert (after.status, after.resolution, after.credit_note, after.closed_on) == (
        "closed", "explanation", "", dt.date(2025, 7, 9))
    again = arxl("query", "close", book, "Q-2025-0004", "--resolution", "explanation", "--on", "2025-07-10")
    assert again.returncode == 2 and "Q-2025-0004 is already closed (explanation, 09/07/2025)" in again.stderr


def test_query_list_writes_nothing(book: Path) -> None:
    before = book.read_bytes(), book.stat().st_mtime_ns
    listed = arxl("query", "list", book, "--as-of", "2025-07-31")
    assert listed.returncode == 0, listed.stderr
    assert "Q-2025-0003" in listed.stdout and "Q-2025-0002" not in listed.stdout  # closed in May
    assert (book.read_bytes(), book.stat().st_mtime_ns) == before
    assert sorted(p.name for p in book.parent.iterdir()) == ["billing.xlsx"]  # no backup, no lock left behind
    early = arxl("query", "list", book, "--as-of", "2025-05-19")
    assert early.returncode == 0 and "Q-2025-0002" in early.stdout  # asked that day, credited the next


# --- reminders and statements ----------------------------------------------------------------------------------

def reminder_text(folder: Path, customer_id: str) -> str:
    found = list((folder / "reminders").glob(f"{customer_id}-level-*.eml"))
    if not found:
        return ""
    message = email.message_from_bytes(found[0].read_bytes(), policy=default_policy)
    assert isinstance(message, EmailMessage)
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def test_an_invoice_in_query_is_left_out_of_the_reminder_and_the_others_are_asked_for(book: Path) -> None:
    # C002's only overdue invoice goes into query: C002 is not reminded at all
    added = arxl("query", "add", book, "--customer", "C002", "--invoice", "INV-2025-00324", "--question",
                 "Says the June hosting was already invoiced in May", "--on", "2025-07-02")
    assert added.returncode == 0, added.stderr
    out = book.parent / "out"
    run = arxl("statements", book, "--as-of", "2025-07-31", "--out", out)
    assert run.returncode == 0, run.stderr
    assert "reminders: 51 due by e-mail (51 .eml written)" in run.stdout  # 52 without C002
    # C029: INV-2025-00347 (1,770,000) is reminded; INV-2025-00348 (1,062,000), in query, is not
    body = reminder_text(out, "C029")
    assert "INV-2025-00347" in body and "1,770,000" in body
    assert "INV-2025-00348" not in body and "1,062,000" not in body
    assert reminder_text(out, "C002") == ""
    ledger, _ = open_ledger(book)
    skipped = {s.customer_id: s.reason for s in plan_reminders(ledger, JULY).skipped}
    assert skipped["C002"] == "INV-2025-00324 in query Q-2025-0004 since 02/07/2025"
    assert "C029" not in skipped
    # the statement sent with it says why INV-2025-00348 is not asked for
    sheet = load_workbook(out / "statements" / "C029-2025-07.xlsx", read_only=True).worksheets[0]
    texts = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert ("In query, not asked for until we have answered: INV-2025-00348 (1,062,000 RWF, query Q-2025-0003 of "
            "12/06/2025).") in texts


def ledger_with(tmp_path: Path, *rows: ClientQuery) -> Ledger:
    tables: dict[str, list[Row]] = recovery_tables()
    tables["Queries"] = list(rows)
    found, problems = open_ledger(recovery_book(tmp_path / "billing.xlsx", tables))
    assert [p for p in problems + check_ledger(found) if p.severity == "error"] == []
    return found


def asked(number: int, day: dt.date, customer_id: str, invoice_no: str, **more: object) -> ClientQuery:
    return ClientQuery(query_id=f"Q-2025-{number:04d}", date=day, customer_id=customer_id, invoice_no=invoice_no,
                       channel="call", question="Asks why", **more)  # type: ignore[arg-type]


def test_a_query_holds_its_invoice_until_it_is_closed_not_merely_answered(tmp_path: Path) -> None:
    """C002's INV-2025-00005 (800.00 USD, 11 days overdue on 31/07) is its only overdue invoice."""
    answered = asked(1, dt.date(2025, 7, 22), "C002", "INV-2025-00005", answer="Rate as per the contract",
                     answered_on=dt.date(2025, 7, 24), status="answered")
    plan = plan_reminders(ledger_with(tmp_path, answered), JULY)
    assert "C002" not in {r.customer_id for r in plan.reminders}
    assert {s.customer_id: s.reason for s in plan.skipped}["C002"] == \
        "INV-2025-00005 in query Q-2025-0001 since 22/07/2025"
    closed = answered.model_copy(update={"status": "closed", "resolution": "explanation",
                                         "closed_on": dt.date(2025, 7, 30)})
    plan = plan_reminders(ledger_with(tmp_path, closed), JULY)
    assert [(r.customer_id, r.blocks[0].position.overdue) for r in plan.reminders
            if r.customer_id == "C002"] == [("C002", D("800.00"))]
    # closed only after the as-of date: on 31 July it was still in query
    later = closed.model_copy(update={"closed_on": dt.date(2025, 8, 4)})
    assert "C002" not in {r.customer_id for r in plan_reminders(ledger_with(tmp_path, later), JULY).reminders}


def test_the_statement_marks_the_invoice_in_query_in_its_details(book: Path) -> None:
    ledger, _ = open_ledger(book)
    statements, problems = account_statements(ledger, JULY, start=dt.date(2025, 6, 1))
    assert problems == []
    mine = next(s for s in statements if s.customer_id == "C029")
    details = {m.reference: m.details for m in mine.lines if m.kind == "invoice"}
    assert details == {"INV-2025-00347": "Invoice, period 2025-06, PO 4546930712",
                       "INV-2025-00348": "Invoice, period 2025-06, PO 4589077952; in query Q-2025-0003"}
    assert mine.in_query == (("INV-2025-00348", "query Q-2025-0003 of 12/06/2025", D(1062000)),)
    layout = statement_sheet(mine, ledger.settings)
    row = next(r for r in layout.sheet.rows if len(r) > 3 and r[2].value == "INV-2025-00348")
    assert row[3].value == "Invoice, period 2025-06, PO 4589077952; in query Q-2025-0003"
    other = next(s for s in statements if s.customer_id == "C030")
    assert other.in_query == () and all("in query" not in m.details for m in other.lines)


# --- the collections report -------------------------------------------------------------------------------------

REPORT_QUERIES = (
    # open, due 27/06, not answered: 41 days old on 31/07, past due
    asked(1, dt.date(2025, 6, 20), "C003", "INV-2025-00003", due_date=dt.date(2025, 6, 27)),
    # answered on 20/07, due 05/08: 21 days, not past due
    asked(2, dt.date(2025, 7, 10), "C004", "INV-2025-00006", due_date=dt.date(2025, 8, 5), answer="Explained",
          answered_on=dt.date(2025, 7, 20), status="answered"),
    # open, due 30/07: 6 days, past due on 31/07
    asked(3, dt.date(2025, 7, 25), "C001", "INV-2025-00004", due_date=dt.date(2025, 7, 30)),
    # closed in June: not counted
    asked(4, dt.date(2025, 6, 1), "C002", "INV-2025-00002", answer="Explained", answered_on=dt.date(2025, 6, 2),
          status="closed", resolution="explanation", closed_on=dt.date(2025, 6, 10)),
    # closed on 4 August, after the period: still open on 31/07, answered, 29 days, due 10/07 but answered
    asked(6, dt.date(2025, 7, 2), "C006", "INV-2025-00008", due_date=dt.date(2025, 7, 10), answer="Copy sent",
          answered_on=dt.date(2025, 7, 3), status="closed", resolution="re-issue", closed_on=dt.date(2025, 8, 4)),
    # asked in August: not yet on 31/07
    asked(5, dt.date(2025, 8, 2), "C001", "INV-2025-00001"),
)


def test_the_collections_report_counts_open_queries_and_their_age(tmp_path: Path) -> None:
    ledger = ledger_with(tmp_path, *REPORT_QUERIES)
    found = open_queries(ledger.queries, JULY)
    assert [(o.query.query_id, o.state, o.age, o.past_due) for o in found] == [
        ("Q-2025-0001", "open", 41, True), ("Q-2025-0006", "answered", 29, False),
        ("Q-2025-0002", "answered", 21, False), ("Q-2025-0003", "open", 6, True)]
    # by hand: 4 open; oldest 41; (41 + 29 + 21 + 6) / 4 = 97 / 4 = 24.25 days; 2 past due
    assert summary(found) == QueryFigures(count=4, oldest=41, average=D("24.25"), past_due=2)
    report = collections_report(ledger, "2025-07")
    assert report.query_figures == QueryFigures(4, 41, D("24.25"), 2)
    labels = {str(row[0].value): row for row in report.sheet.rows if row}
    assert labels["Open client queries"][1].formula.startswith("=COUNT(B")
    assert labels["  average age, days"][1].formula.startswith("=ROUND(AVERAGE(B")
    assert [labels[k][1].value for k in ("Open client queries", "  oldest, days", "  average age, days",
                                         "  past their due date without an answer")] == [4, 41, D("24.25"), 2]
    listed = [str(row[0].value) for row in report.sheet.rows if row and str(row[0].value).startswith("Q-")]
    assert listed == ["Q-2025-0001  C003 Umucyo Print & Media Ltd  INV-2025-00003",
                      "Q-2025-0006  C006 Gasabo District  INV-2025-00008",
                      "Q-2025-0002  C004 Irembo Ltd  INV-2025-00006",
                      "Q-2025-0003  C001 Ministry of ICT and Innovation  INV-2025-00004"]
    done = arxl("report", "collections", tmp_path / "billing.xlsx", "--period", "2025-07")
    assert done.returncode == 0, done.stderr
    assert "client queries not closed: 4, the oldest 41 days, on average 24.25 days, 2 past their due date" in \
        done.stdout
    # in June, three queries had been asked: Q-4 was closed on 10/06; Q-1 open, 10 days old, due 27/06: past due
    june = collections_report(ledger, "2025-06").query_figures
    assert june == QueryFigures(1, 10, D("10.00"), 1)


def test_a_report_with_no_open_query_says_nought(tmp_path: Path) -> None:
    report = collections_report(ledger_with(tmp_path), "2025-07")
    labels = {str(row[0].value): row[1] for row in report.sheet.rows if len(row) > 1}
    assert labels["Open client queries"].value == 0 and not labels["Open client queries"].formula
    assert labels["  oldest, days"].value is None


@pytest.mark.libreoffice
def test_the_query_figures_recalculate_to_arxls(tmp_path: Path, libreoffice: LibreOffice) -> None:
    report = collections_report(ledger_with(tmp_path, *REPORT_QUERIES), "2025-07")
    path = write_sheets(tmp_path / "report.xlsx", [report.sheet])
    rows = {str(row[0].value): n for n, row in enumerate(report.sheet.rows, start=1) if row}
    cells = [f"B{rows[k]}" for k in ("Open client queries", "  oldest, days", "  average age, days",
                                     "  past their due date without an answer")]
    assert [report.expected[c] for c in cells] == [D(4), D(41), D("24.25"), D(2)]
    assert_formulas_match(libreoffice, path, {(REPORT_SHEET, c): report.expected[c] for c in cells})


# --- credit notes ------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_query_closed_by_a_credit_note_links_it_and_refuses_a_credit_note_of_another_invoice(book: Path) -> None:
    credit = arxl("invoices", "credit", book, "INV-2025-00324", "--amount", "100000", "--reason",
                  "June hosting billed twice", "--on", "2025-07-10")
    assert credit.returncode == 0, credit.stderr
    assert credit.stdout.startswith("CN-2025-00002: credit note of 100,000 RWF on INV-2025-00324")
    assert arxl("query", "add", book, "--customer", "C002", "--invoice", "INV-2025-00324", "--question",
                "June hosting billed twice", "--on", "2025-07-02").returncode == 0
    assert arxl("query", "answer", book, "Q-2025-0004", "--answer", "Agreed: credited",
                "--on", "2025-07-10").returncode == 0
    before = book.read_bytes()
    wrong = arxl("query", "close", book, "Q-2025-0004", "--resolution", "credit-note", "--credit-note",
                 "CN-2025-00001", "--on", "2025-07-10")
    original = header_cell(book, "Invoices", "Original Invoice")
    ledger, _ = open_ledger(book)
    row = ledger.invoices.row_numbers[[i.invoice_no for i in ledger.invoices].index("CN-2025-00001")]
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == (f"arxl: [billing.xlsx]Invoices!{original}{row}: CN-2025-00001 credits "
                                    "INV-2025-00288, not INV-2025-00324, the invoice of the query")
    assert book.read_bytes() == before  # nothing written
    missing = arxl("query", "close", book, "Q-2025-0004", "--resolution", "credit-note", "--on", "2025-07-10")
    assert missing.returncode == 2 and "--resolution credit-note needs --credit-note" in missing.stderr
    done = arxl("query", "close", book, "Q-2025-0004", "--resolution", "credit-note", "--credit-note",
                "cn-2025-00002", "--on", "2025-07-10")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Q-2025-0004: closed on 10/07/2025 by credit note CN-2025-00002")
    closed = queries(book)["Q-2025-0004"]
    assert (closed.status, closed.resolution, closed.credit_note) == ("closed", "credit note", "CN-2025-00002")

    # typed by hand: Q-2025-0002 (INV-2025-00288) pointed at CN-2025-00002, which credits INV-2025-00324
    column = header_cell(book, "Queries", "Credit Note")
    set_cells(book, "Queries", {f"{column}3": "CN-2025-00002"})
    checked = arxl("validate", book)
    assert checked.returncode == 2
    assert (f"[billing.xlsx]Queries!{column}3: CN-2025-00002 credits INV-2025-00324, not INV-2025-00288, the "
            "invoice of this query") in checked.stderr
    refused = arxl("query", "list", book)
    assert refused.returncode == 2 and f"Queries!{column}3" in refused.stderr


# --- bad input -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "message"), [
    (["add", "--customer", "C002", "--invoice", "INV-2025-00324", "--question", "Why?", "--channel", "fax"],
     'arxl: --channel "fax" is not one of call, e-mail, visit, letter, sms'),
    (["add", "--customer", "C002", "--invoice", "INV-2025-00324", "--question", "Why?", "--on", "2025-13-01"],
     'arxl: --on "2025-13-01" is not a date'),
    (["add", "--customer", "C002", "--invoice", "INV-2025-00324", "--question", "  "],
     "arxl: --question is blank: write what the customer asked"),
    (["add", "--customer", "C999", "--invoice", "INV-2025-00324", "--question", "Why?"],
     'arxl: [billing.xlsx]Customers: customer "C999" is not in Customers'),
    (["add", "--customer", "C002", "--invoice", "INV-2025-09999", "--question", "Why?"],
     'arxl: [billing.xlsx]Invoices: invoice "INV-2025-09999" is not in the register'),
    (["add", "--customer", "C002", "--invoice", "INV-2025-00324", "--question", "Why?", "--on", "2025-07-02",
      "--due", "2025-07-01"],
     "arxl: the due date 01/07/2025 is before the query's date 02/07/2025"),
    (["answer", "Q-2025-0099", "--answer", "Done"],
     'arxl: [billing.xlsx]Queries: query "Q-2025-0099" is not in Queries'),
    (["close", "Q-2025-0003", "--resolution", "refund"],
     'arxl: --resolution "refund" is not one of explanation, credit-note, re-issue'),
])
def test_bad_input_names_the_option_or_the_sheet_and_writes_nothing(book: Path, args: list[str],
                                                                    message: str) -> None:
    before = book.read_bytes()
    done = arxl("query", args[0], book, *args[1:])
    assert done.returncode == 2 and done.stderr.strip() == message, done.stderr
    assert "Traceback" not in done.stderr
    assert book.read_bytes() == before


def test_bad_input_against_the_register_names_its_cell(book: Path) -> None:
    ledger, _ = open_ledger(book)
    number = ledger.invoices.row_numbers[[i.invoice_no for i in ledger.invoices].index("INV-2025-00324")]
    customer = header_cell(book, "Invoices", "Customer ID")
    other = arxl("query", "add", book, "--customer", "C001", "--invoice", "INV-2025-00324", "--question", "Why?")
    assert other.returncode == 2
    assert other.stderr.strip() == f"arxl: [billing.xlsx]Invoices!{customer}{number}: INV-2025-00324 is an invoice " \
                                   "of C002, not of C001"
    answer = header_cell(book, "Queries", "Answer")
    unanswered = arxl("query", "close", book, "Q-2025-0003", "--resolution", "explanation")
    assert unanswered.returncode == 2
    assert unanswered.stderr.strip() == f"arxl: [billing.xlsx]Queries!{answer}4: Q-2025-0003 has no answer yet: " \
                                        "answer it first (what the customer was told), then close it"
    status = header_cell(book, "Queries", "Status")
    twice = arxl("query", "answer", book, "Q-2025-0001", "--answer", "Again")
    assert twice.returncode == 2 and twice.stderr.startswith(f"arxl: [billing.xlsx]Queries!{status}2: Q-2025-0001 "
                                                             "was closed on ")


def test_validate_names_the_cells_of_a_query_typed_wrong(book: Path) -> None:
    customer, closed_on, resolution = (header_cell(book, "Queries", h) for h in ("Customer ID", "Closed On",
                                                                                  "Resolution"))
    # row 4 is Q-2025-0003 (C029's INV-2025-00348, asked 12/06/2025); row 2 Q-2025-0001, closed
    set_cells(book, "Queries", {f"{customer}4": "C030", f"{closed_on}2": dt.datetime(2025, 1, 5),
                                f"{resolution}2": None})
    checked = arxl("validate", book)
    assert checked.returncode == 2
    invoice = header_cell(book, "Queries", "Invoice No")
    assert f"[billing.xlsx]Queries!{invoice}4: invoice INV-2025-00348 is of customer C029, not of C030" in \
        checked.stderr
    assert f"[billing.xlsx]Queries!{closed_on}2: Closed On 05/01/2025 is before the query's Date 07/02/2025" in \
        checked.stderr
    assert f"[billing.xlsx]Queries!{resolution}2: a closed query needs its Resolution: explanation, credit note " \
           "or re-issue" in checked.stderr


# --- a workbook from before queries, and the ribbon ---------------------------------------------------------------

def test_a_workbook_without_the_queries_sheet_works_and_gets_it_on_the_first_query(book: Path) -> None:
    workbook = load_workbook(book)
    del workbook["Queries"]
    workbook.save(book)
    assert arxl("validate", book).returncode == 0
    listed = arxl("query", "list", book, "--as-of", "2025-07-31")
    assert listed.returncode == 0 and listed.stdout.startswith("31/07/2025: no client query waiting")
    added = arxl("query", "add", book, "--customer", "C029", "--invoice", "INV-2025-00348", "--question",
                 "Disputes the quantity", "--on", "2025-07-01", "--due", "2025-07-08")
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("Q-2025-0001: C029 on INV-2025-00348 by e-mail, to answer by 08/07/2025")
    assert "Queries" in load_workbook(book, read_only=True).sheetnames
    assert list(queries(book)) == ["Q-2025-0001"]


def test_the_client_queries_button_refreshes_the_open_queries_sheet(book: Path) -> None:
    host = FileHost(book)
    report = macros.run("client_queries", host)
    assert not report.refused, report.reasons
    assert report.lines[0] == "Open Queries refreshed as of 31/07/2025: 1 not closed, the oldest 49 days, 1 past " \
                              "their due date"
    sheet = load_workbook(book, read_only=True)["Open Queries"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[3])
    assert header[:12] == ["Query ID", "Date", "Customer", "Name", "Invoice No", "Currency", "Open Amount",
                           "Status", "Age, days", "Owner", "Due Date", "Past Due"]
    line = dict(zip(header, rows[4], strict=True))
    assert (line["Query ID"], line["Customer"], line["Invoice No"], line["Open Amount"], line["Age, days"],
            line["Owner"], line["Past Due"]) == ("Q-2025-0003", "C029", "INV-2025-00348", 1062000, 49,
                                                 "Jean Mugisha", "yes")
    assert line["Due Date"] == dt.datetime(2025, 6, 19)
    assert len(rows) == 5  # the closed ones are not listed
