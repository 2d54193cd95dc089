"""The ``arxl`` command: the same workflows as the ribbon, for batch work and for the month-end.

Exit codes: 0 done, 2 bad input or refused (the message names the file, sheet and cell), 1 a bug in arxl
(the only case that prints a traceback).
"""

from __future__ import annotations

import contextlib
import sys
import traceback
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from arxl import __version__
from arxl.app.report import Refused, Report
from arxl.core.errors import ArxlError

if TYPE_CHECKING:
    import datetime
    from collections.abc import Iterator

    from arxl.formats.xlsx.host import FileHost
    from arxl.ledger.ledger import Ledger

app = typer.Typer(
    name="arxl",
    help="Accounts receivable in Excel: billing, cash application, aging and collections.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
invoices_app = typer.Typer(help="Billing: review, generate, credit notes, EBM receipts.", no_args_is_help=True)
export_app = typer.Typer(help="Export to the ledger of record (Sage).", no_args_is_help=True)
app.add_typer(invoices_app, name="invoices")
app.add_typer(export_app, name="export")
out = Console()
err = Console(stderr=True)


class BadInput(Exception):
    """Raised by a command after it has reported problems itself: exit 2 without a further message."""


def _version(value: bool) -> None:
    if value:
        out.print(f"arxl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
    wait: Annotated[float | None, typer.Option("--wait", metavar="SECONDS", min=0,
                                               help="How long a command waits for another arxl command that is "
                                                    "changing the same workbook (default 60, or ARXL_WAIT).")]
    = None,
) -> None:
    """arxl: the billing and recovery accountant's toolkit."""
    if wait is not None:
        _session.wait = wait


@app.command()
def sample(
    out_path: Annotated[Path, typer.Argument(metavar="OUT.xlsx", help="Where to write the sample workbook.")],
    seed: Annotated[int, typer.Option(help="Seed of the sample's random story (same seed, same workbook).")]
    = 7,
) -> None:
    """Write the sample billing workbook of a Kigali ICT company, and its July 2025 bank statement beside it."""
    from arxl.sample import write_sample

    out_path.parent.mkdir(parents=True, exist_ok=True)
    book, statement = write_sample(out_path, seed)
    out.print(f"wrote {book}")
    out.print(f"wrote {statement}")


@app.command()
def validate(
    book: Annotated[Path, typer.Argument(metavar="BOOK", help="The billing workbook (.xlsx) to check.")],
) -> None:
    """Check every table of a billing workbook and list each problem with its cell."""
    from arxl.app import jobs

    _show(jobs.validate(_reader(book)))


class _Session:
    """What one run of the command holds: the workbook locks (released when the command ends) and its words."""

    def __init__(self) -> None:
        self.locks = contextlib.ExitStack()
        self.command = "arxl"
        self.wait: float | None = None

    def lock(self, book: Path) -> None:
        """Take the workbook's lock for the rest of the command, before anything is read (one writer at a time)."""
        import os

        from arxl.formats.xlsx.lock import DEFAULT_WAIT, WorkbookLock

        wait = self.wait
        if wait is None:
            try:
                wait = float(os.environ.get("ARXL_WAIT", DEFAULT_WAIT))
            except ValueError:
                raise ArxlError(f'ARXL_WAIT "{os.environ["ARXL_WAIT"][:20]}" is not a number of seconds') from None
        self.locks.enter_context(WorkbookLock(book, self.command, wait, say=_warn))


_session = _Session()


def _host(book: Path) -> FileHost:
    """The workbook as the host of a command that changes it: its lock is taken first and held to the end."""
    from arxl.formats.xlsx.host import FileHost

    _session.lock(_existing(book))
    return FileHost(book)


def _reader(book: Path) -> FileHost:
    """The workbook for a command that only reads it (no lock: saves replace the file in one step)."""
    from arxl.formats.xlsx.host import FileHost

    return FileHost(_existing(book))


def _show(report: Report) -> None:
    """Print a job's report: problems (with their cells) and refusals on stderr, what was done on stdout;
    exit 2 if refused."""
    for problem in report.problems:
        label = "" if problem.severity == "error" else "  (warning)"
        err.print(f"{problem}{label}", highlight=False, markup=False, soft_wrap=True)
    for i, line in enumerate(report.lines):
        out.print(line, highlight=False, markup=False, soft_wrap=True)
        if i == 0 and len(report.table) > 1:
            _print_table(report.table)
    for reason in report.reasons:
        err.print(reason, highlight=False, markup=False, soft_wrap=True)
    if report.refused:
        raise BadInput()


def _print_table(rows: list[tuple[str, ...]]) -> None:
    """A report's table (its first row the header); columns of figures right-aligned."""
    table = RichTable(show_lines=False, highlight=False)
    header, body = rows[0], rows[1:]
    figures = [all(not r[j] or r[j].lstrip("-").replace(",", "").replace(".", "").isdigit() for r in body)
               for j in range(len(header))]
    for title, figure in zip(header, figures, strict=True):
        table.add_column(title, justify="right" if figure else "left", overflow="fold",
                         no_wrap=figure or title == "Date")
    for row in body:
        table.add_row(*(Text(cell) for cell in row))  # text from outside: never read as rich markup
    # on a terminal the table fits the window (notes fold); in a file or a pipe it keeps whole lines
    wide = out if out.is_terminal else Console(file=out.file, width=max(out.width, 200), color_system=None)
    wide.print(table)


def _existing(path: Path) -> Path:
    if not path.exists():
        raise ArxlError(f"file not found: {path}")
    if path.is_dir():
        raise ArxlError(f"{path} is a folder, not a workbook")
    return path


PeriodOption = Annotated[str, typer.Option("--period", help="The billing month, YYYY-MM.")]
BookArgument = Annotated[Path, typer.Argument(metavar="BOOK", help="The billing workbook (.xlsx).")]


def _ledger(book: Path) -> Ledger:
    """Open a workbook for a workflow, refused (exit 2, nothing written) when ``validate`` finds an error in it:
    the same check and messages as every job (:func:`arxl.app.jobs.open_for_work`)."""
    from arxl.app import jobs
    from arxl.ledger.ledger import check_ledger, open_ledger

    ledger, problems = open_ledger(_existing(book))
    jobs.refuse_errors(book.name, "open the workbook", problems + check_ledger(ledger))
    return ledger


@invoices_app.command("review")
def invoices_review(book: BookArgument, period: PeriodOption) -> None:
    """Pre-billing review of a month: exceptions (with links to their cells) into the Review sheet."""
    from arxl.app import jobs

    _show(jobs.review_billing(_host(book), period))


@invoices_app.command("generate")
def invoices_generate(
    book: BookArgument,
    period: PeriodOption,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder for one .xlsx (and PDF) per invoice.")]
    = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also render each invoice to PDF (LibreOffice).")] = False,
) -> None:
    """Bill a month: numbered invoices into the register, schedule rows marked billed, Review sheet refreshed,
    and with --out the invoice documents."""
    from arxl.app import jobs

    host = _host(book)
    with _progress() as progress:
        report = jobs.generate_invoices(host, period, out_dir, pdf, progress)
    _show(report)


@invoices_app.command("credit")
def invoices_credit(
    book: BookArgument,
    invoice_no: Annotated[str, typer.Argument(metavar="INVOICE_NO", help="The invoice to credit.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the invoice is credited (kept in the notes).")],
    amount: Annotated[str | None, typer.Option("--amount", help="VAT-inclusive amount to credit (default: all "
                                               "that remains creditable).")] = None,
    lines: Annotated[str | None, typer.Option("--lines", help="Line numbers of the invoice to credit, e.g. 1,3.")]
    = None,
    on: Annotated[str | None, typer.Option("--date", help="Date of the credit note, YYYY-MM-DD (default today).")]
    = None,
) -> None:
    """Credit an invoice (whole, some lines or an amount) with a credit note of its own series."""
    import datetime as dt

    from arxl.billing.credit import credit_note
    from arxl.core.dates import to_date
    from arxl.core.money import figure, to_decimal
    from arxl.formats.xlsx.apply import apply_changes
    from arxl.ledger.openitems import open_items
    from arxl.ledger.records import Invoice

    value = to_decimal(amount, "--amount") if amount is not None else None
    numbers = _line_numbers(lines) if lines is not None else None
    day = to_date(on, "--date") if on is not None else dt.date.today()
    _session.lock(_existing(book))
    ledger = _ledger(book)
    changes = credit_note(ledger, invoice_no, amount=value, lines=numbers, reason=reason, on=day)
    apply_changes(book, changes)
    note = changes.appends["Invoices"][0]
    assert isinstance(note, Invoice)
    status = " (now fully credited)" if changes.updates else ""
    out.print(f"{note.invoice_no}: credit note of {figure(-note.total_amount, note.currency)} {note.currency} on "
              f"{note.original_invoice}{status}", highlight=False)
    owed = next((i.open_amount for i in open_items(ledger.invoices, ledger.allocations, dt.date.max)
                 if i.reference == note.original_invoice), Decimal(0))
    beyond = -note.total_amount - max(owed, Decimal(0))
    if beyond > 0:  # the invoice was (partly) paid: that part of the credit is the customer's, not a negative invoice
        out.print(f"{figure(beyond, note.currency)} {note.currency} of it is more than {note.original_invoice} still "
                  f"owed ({figure(max(owed, Decimal(0)), note.currency)}): it stands as a credit on "
                  f"{note.customer_id}'s account, to refund or to offset against other invoices", highlight=False,
                  soft_wrap=True)


def _line_numbers(text: str) -> list[int]:
    """ "1,3" or "1 3" or "2-4" -> line numbers."""
    numbers: list[int] = []
    for word in text.replace(";", ",").replace(" ", ",").split(","):
        first, dash, last = word.strip().partition("-")
        if not first and not dash:
            continue
        if not first.isdigit() or (dash and not last.isdigit()):
            raise ArxlError(f'--lines "{text[:40]}" is not a list of line numbers such as 1,3 or 2-4')
        numbers.extend(range(int(first), int(last) + 1) if dash else [int(first)])
    if not numbers:
        raise ArxlError("--lines names no line")
    return numbers


@invoices_app.command("ebm")
def invoices_ebm(
    book: BookArgument,
    report: Annotated[Path, typer.Argument(metavar="REPORT.csv", help="The EBM sales report (CSV).")],
    period: Annotated[str | None, typer.Option("--period", help="Month whose invoices must all have a receipt, "
                                               "YYYY-MM (default: the report's first to last date).")] = None,
) -> None:
    """Record the EBM receipts of a sales report in the register and list what does not agree."""
    from arxl.billing.ebm import import_ebm
    from arxl.core.dates import parse_period
    from arxl.formats.ebm import read_ebm_report
    from arxl.formats.xlsx.apply import apply_changes

    span = parse_period(period) if period is not None else None
    receipts, problems = read_ebm_report(report)
    errors = [p for p in problems if p.severity == "error"]
    for problem in problems:
        err.print(str(problem), highlight=False, markup=False, soft_wrap=True)
    if errors:
        err.print(f"{report.name}: {len(errors)} row(s) cannot be read; nothing was imported", highlight=False)
        raise BadInput()
    _session.lock(_existing(book))
    ledger = _ledger(book)
    result = import_ebm(ledger, receipts, period=span)
    apply_changes(book, result.changes)
    for finding in result.findings:
        out.print(str(finding), highlight=False, markup=False, soft_wrap=True)
    for used in result.rates_used():
        out.print(f"compared in {result.base} at the rate of the invoice date: {used}", highlight=False, markup=False,
                  soft_wrap=True)
    shown = f" for {result.period[0]:%d/%m/%Y} to {result.period[1]:%d/%m/%Y}" if result.period else ""
    note = f", {result.not_compared} not compared (no rate: see above)" if result.not_compared else ""
    out.print(f"{report.name}: {len(receipts)} receipt(s){shown}: {result.recorded} recorded, {result.unchanged} "
              f"already in the register{note}; {len(result.findings)} difference(s) to look at", highlight=False,
              soft_wrap=True)


@export_app.command("sage")
def export_sage(
    book: BookArgument,
    period: PeriodOption,
    out_file: Annotated[Path, typer.Option("--out", help="The Sage 50 import file to write (.csv).")],
    again: Annotated[bool, typer.Option("--again", help="Export again documents already exported.")] = False,
) -> None:
    """Write the month's invoices and credit notes as Sage 50 audit-trail transactions, and mark them exported."""
    from arxl.app import jobs
    from arxl.formats.xlsx.save import ensure_not_open

    ensure_not_open(book)  # before the file is written, so the file and the register cannot disagree
    _show(jobs.export_sage(_host(book), period, out_file, again))


statement_app = typer.Typer(help="Bank statements: any supported file into the canonical statement CSV.",
                            no_args_is_help=True)
app.add_typer(statement_app, name="statement")


@statement_app.command("normalize")
def statement_normalize(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The bank statement: CSV, XLSX, MT940 or camt.")],
    out_file: Annotated[Path, typer.Option("-o", "--out", help="The canonical statement CSV to write.")],
    profiles: Annotated[Path | None, typer.Option("--profiles", help="Bank profiles (JSON) for CSV/XLSX "
                                                                      "layouts arxl does not know.")] = None,
    no_balance_check: Annotated[bool, typer.Option("--no-balance-check", help="Read a statement whose lines do "
                                                   "not add up to its balances (checked by hand).")] = False,
    max_lines: Annotated[int, typer.Option("--max-lines", metavar="N", min=1, help="Refuse a file with more "
                                           "statement lines than this (a guard against runaway files).")]
    = 200_000,
) -> None:
    """Read a bank statement (CSV, XLSX, MT940, camt.052/053/054), check it, write the canonical CSV."""
    from arxl.formats.statements import Limits, load_profiles, read_statement, write_statement_csv

    statement = read_statement(file, load_profiles(profiles) if profiles else (),
                               check_balances=not no_balance_check, limits=Limits(max_lines=max_lines))
    write_statement_csv(statement.lines, out_file)
    out.print(f"{statement.summary()}; written to {out_file}", highlight=False, markup=False, soft_wrap=True)
    for note in statement.notes:
        err.print(f"note: {note}", highlight=False, markup=False, soft_wrap=True)


@app.command("match")
def match_statement(
    open_items: Annotated[Path, typer.Option("--open-items", metavar="OPEN.csv", help="Open invoices (CSV).")],
    customers: Annotated[Path, typer.Option("--customers", metavar="CUSTOMERS.csv", help="Customers (CSV).")],
    statement: Annotated[Path, typer.Option("--statement", metavar="FILE", help="Bank statement: canonical CSV, "
                                            "bank CSV/XLSX, MT940 or camt.")],
    out_file: Annotated[Path, typer.Option("--out", metavar="ALLOC.csv", help="Allocation CSV to write.")],
    auto_threshold: Annotated[int, typer.Option("--auto-threshold", min=0, max=100,
                                                help="Lowest score applied automatically.")] = 90,
    review_threshold: Annotated[int | None, typer.Option("--review-threshold", min=0, max=100,
                                                         help="Lowest score proposed for review (default 50, "
                                                              "at most the auto threshold).")] = None,
    bank_charges: Annotated[list[str] | None, typer.Option("--bank-charges", metavar="CCY=AMOUNT",
                                                           help="Largest shortfall read as bank charges in a "
                                                                "currency, e.g. RWF=5000 (repeatable; defaults "
                                                                "USD/EUR/GBP/CHF 45, RWF 5000).")] = None,
    third_party: Annotated[list[str] | None, typer.Option("--third-party-payer", metavar="NAME",
                                                          help="A payer that pays for others (a treasury, a "
                                                               "parent company), repeatable.")] = None,
) -> None:
    """Match a bank statement to open invoices: allocations with status auto, review or unmatched."""
    from rich.progress import track

    from arxl.cashapp import MatchSettings, match
    from arxl.core.background import in_background, paused_gc
    from arxl.formats.matchcsv import read_customers, read_open_items, write_allocations
    from arxl.formats.statements import read_statement

    if review_threshold is not None and review_threshold > auto_threshold:
        raise ArxlError(f"--review-threshold {review_threshold} is above --auto-threshold {auto_threshold}")
    settings = MatchSettings(auto_threshold=auto_threshold,
                             review_threshold=min(MatchSettings.review_threshold, auto_threshold)
                             if review_threshold is None else review_threshold,
                             bank_charges={**MatchSettings().bank_charges, **_bank_charges(bank_charges or [])},
                             third_party_payers=tuple(third_party or ()))
    with paused_gc():  # hundreds of thousands of records: the cycle collector would double the time
        _existing(statement)
        with in_background(read_statement, statement, check_balances=True) as pending:  # on the other core
            people, items = read_customers(customers), read_open_items(open_items)
            read = pending.result()
        lines = list((read or read_statement(statement, check_balances=True)).lines)
        rows = match(track(lines, description="matching", console=err, disable=not err.is_terminal), items,
                     people, settings)
        write_allocations(rows, out_file, items)
    status = {r.line_id: r.status for r in rows}
    counts = {s: sum(1 for v in status.values() if v == s) for s in ("auto", "review", "unmatched")}
    out.print(f"{len(lines):,} lines: {counts['auto']:,} auto, {counts['review']:,} to review, "
              f"{counts['unmatched']:,} unmatched; written to {out_file}", highlight=False, markup=False)


def _bank_charges(options: list[str]) -> dict[str, Decimal]:
    """``--bank-charges RWF=5000`` options as a tolerance per currency."""
    from arxl.core.money import currency as currency_of

    tolerances: dict[str, Decimal] = {}
    for option in options:
        code, _, amount = option.partition("=")
        try:
            value = Decimal(amount.strip().replace(",", ""))
        except ArithmeticError:
            value = Decimal(-1)
        if not value.is_finite() or value < 0:
            raise ArxlError(f'--bank-charges "{option}": expected CCY=AMOUNT, such as RWF=5000')
        tolerances[currency_of(code.strip()).code] = value
    return tolerances


addin_app = typer.Typer(help="The Excel add-in arxl.xlam: the arxl ribbon tab and the worksheet functions.",
                        no_args_is_help=True)
app.add_typer(addin_app, name="addin")


@addin_app.command("build")
def addin_build(
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the add-in.")] = Path("arxl.xlam"),
    interpreter_win: Annotated[str | None, typer.Option("--interpreter-win", help="python.exe for Excel on "
                                                        "Windows to run (default: xlwings' own settings).")] = None,
    interpreter_mac: Annotated[str | None, typer.Option("--interpreter-mac", help="python for Excel on macOS to "
                                                        "run (default: xlwings' own settings).")] = None,
) -> None:
    """Build the add-in from workbooks/addin (ribbon, VBA, settings) and the installed xlwings."""
    from arxl.excel.addin import build_addin

    settings = {key: value for key, value in (("Interpreter_Win", interpreter_win),
                                              ("Interpreter_Mac", interpreter_mac)) if value}
    out.print(f"wrote {build_addin(out_file, settings=settings)}", highlight=False)


@addin_app.command("install")
def addin_install(
    file: Annotated[Path | None, typer.Option("--file", help="Install this add-in instead of building one for "
                                              "the Python running arxl.")] = None,
) -> None:
    """Build the add-in for this Python and install it into Excel's startup folder (Windows, macOS)."""
    from arxl.excel.addin import install

    target = install(file)
    out.print(f"installed {target}; start Excel again to see the arxl tab", highlight=False)


@addin_app.command("uninstall")
def addin_uninstall() -> None:
    """Remove the add-in from Excel's startup folder."""
    from arxl.excel.addin import uninstall

    out.print(f"removed {uninstall()}", highlight=False)


def _say(text: str) -> None:
    out.print(text, highlight=False, markup=False, soft_wrap=True)


def _warn(text: str) -> None:
    err.print(text, highlight=False, markup=False, soft_wrap=True)


AsOfOption = Annotated[str | None, typer.Option("--as-of", help="The date, YYYY-MM-DD (default: Settings' As Of).")]


def _as_of(ledger: Ledger, text: str | None) -> datetime.date:
    from arxl.core.dates import to_date

    if text is not None:
        return to_date(text, "--as-of")
    if ledger.settings.as_of is None:
        raise ArxlError("give --as-of YYYY-MM-DD (Settings has no As Of)")
    return ledger.settings.as_of


class _Progress:
    """Progress of long work (DESIGN §4): a rich progress bar per stage on a terminal; plain lines otherwise, never
    wrapped: one every few seconds while a stage runs and one when it ends, so that a log of thousands of items
    stays short and a quick stage takes one line. Called as a job's ``progress(stage, done, total)``; ``step``
    names the close's step under way."""

    SECONDS = 3.0

    def __init__(self) -> None:
        self.bar: Any = None  # rich.progress.Progress, started at the first report on a terminal
        self.tasks: dict[str, Any] = {}
        self.shown: dict[str, tuple[int, float]] = {}  # stage -> (done last shown, when)

    def step(self, name: str) -> None:
        self.close()  # the last step's bars stay above, finished; this step's come below its line
        out.print(f"[dim]... {name}[/dim]", soft_wrap=True)
        self.shown.clear()  # a later step may have a stage of the same name: shown afresh

    def __call__(self, stage: str, done: int, total: int) -> None:
        import time

        if out.is_terminal:
            if self.bar is None:
                from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

                self.bar = Progress(TextColumn("  {task.description}"), BarColumn(), MofNCompleteColumn(),
                                    TimeRemainingColumn(), console=out)
                self.bar.start()
            if stage not in self.tasks:
                self.tasks[stage] = self.bar.add_task(stage, total=total)
            self.bar.update(self.tasks[stage], completed=done, total=total)
            return
        now = time.monotonic()
        shown, when = self.shown.setdefault(stage, (0, now))  # a stage's first report (0 done) starts its clock
        if done == shown or (done < total and now - when < self.SECONDS):
            return
        out.print(f"  {stage}: {done:,}/{total:,}", soft_wrap=True, highlight=False, markup=False)
        self.shown[stage] = (done, now)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
        self.tasks.clear()


@contextlib.contextmanager
def _progress() -> Iterator[_Progress]:
    """The progress display of one long run, closed (its bar taken down) before the report is printed."""
    display = _Progress()
    try:
        yield display
    finally:
        display.close()


@app.command("aging")
def aging_cmd(book: BookArgument, as_of: AsOfOption = None) -> None:
    """Refresh the Aging sheet: open items at a date by customer and bucket, one block per currency, checked."""
    from arxl.app import jobs
    from arxl.core.dates import to_date

    _show(jobs.refresh_aging(_host(book), to_date(as_of, "--as-of") if as_of is not None else None))


@app.command("statements")
def statements_cmd(
    book: BookArgument,
    as_of: AsOfOption = None,
    start: Annotated[str | None, typer.Option("--from", help="First day of the period, YYYY-MM-DD (default: the "
                                              "first of the as-of month).")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder for statements/ and reminders/ (default: "
                                                 "Settings' Output Folder beside the workbook, or out).")] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also make PDFs (LibreOffice), attached to the reminders.")]
    = False,
    reminders: Annotated[bool, typer.Option("--reminders/--no-reminders", help="Write the reminders due (.eml).")]
    = True,
    send: Annotated[bool, typer.Option("--send", help="Send the reminders and log them in CollectionsLog.")] = False,
    smtp: Annotated[str | None, typer.Option("--smtp", metavar="HOST:PORT", help="The mail server for --send.")]
    = None,
    starttls: Annotated[bool, typer.Option("--starttls", help="Encrypt the SMTP session (STARTTLS).")] = False,
    user: Annotated[str | None, typer.Option("--user", help="SMTP login; the password is read from "
                                             "ARXL_SMTP_PASSWORD or asked for.")] = None,
    mark_sent: Annotated[bool, typer.Option("--mark-sent", help="Log the reminders written as sent (you send the "
                                            ".eml files yourself).")] = False,
    templates: Annotated[Path | None, typer.Option("--templates", help="Folder of the reminder templates "
                                                   "(default: templates/ beside the workbook, else arxl's).")]
    = None,
    resend_in_doubt: Annotated[bool, typer.Option("--resend-in-doubt", help="Send again the reminders listed as in "
                                                  "doubt (you checked: they did not arrive).")] = False,
    in_doubt_delivered: Annotated[bool, typer.Option("--in-doubt-delivered", help="Log the reminders listed as in "
                                                     "doubt as sent (you checked: they arrived).")] = False,
) -> None:
    """Statements of account (xlsx, PDF) and the reminders due (.eml, sent with --send), as of a date.

    Each reminder is sent once, even across a crash: the mail journal beside the workbook
    (BOOK.mail-journal.jsonl) records it before it goes. A reminder whose sending was cut off is "in doubt":
    listed, not sent again, exit 2, until you run again with --resend-in-doubt or --in-doubt-delivered."""
    import os

    from arxl.app import jobs
    from arxl.core.dates import to_date
    from arxl.formats.mail import SmtpServer, parse_server

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
        host, port = parse_server(smtp)
        password = ""
        if user:
            password = os.environ.get("ARXL_SMTP_PASSWORD") or typer.prompt(f"SMTP password for {user}",
                                                                            hide_input=True)
        server = SmtpServer(host, port, starttls, user or "", password)
    day = to_date(as_of, "--as-of") if as_of is not None else None
    first = to_date(start, "--from") if start is not None else None
    workbook = _host(book)
    with _progress() as progress:
        report = jobs.statements_reminders(workbook, day, out_dir, start=first, pdf=pdf, reminders=reminders,
                                           server=server, mark_sent=mark_sent, templates=templates,
                                           progress=progress, in_doubt="resend" if resend_in_doubt else
                                           "delivered" if in_doubt_delivered else "hold")
    _show(report)


arrangements_app = typer.Typer(help="Payment arrangements and promises to pay; escalations.", no_args_is_help=True)
app.add_typer(arrangements_app, name="arrangements")


@arrangements_app.command("check")
def arrangements_check(book: BookArgument, as_of: AsOfOption = None) -> None:
    """Mark instalments kept or broken from the allocations, judge promises to pay, refresh the Escalations sheet."""
    from arxl.app import jobs
    from arxl.core.dates import to_date

    _show(jobs.arrangements_check(_host(book), to_date(as_of, "--as-of") if as_of is not None else None))


report_app = typer.Typer(help="Reports for management.", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("collections")
def report_collections(
    book: BookArgument,
    period: PeriodOption,
    weekly: Annotated[bool, typer.Option("--weekly", help="Add the collections of each week of the month.")]
    = False,
) -> None:
    """The Collections KPIs sheet of a month: collections against target, DSO, CEI, invoicing, top overdue."""
    from arxl.app import jobs

    _show(jobs.collections_report(_host(book), period, weekly))


query_app = typer.Typer(help="Client queries on invoices: add, answer, close, list.", no_args_is_help=True)
app.add_typer(query_app, name="query")
DateOption = Annotated[str | None, typer.Option("--date", help="The day it happened, YYYY-MM-DD (default today).")]


def _day(text: str | None, option: str = "--date") -> datetime.date:
    import datetime as dt

    from arxl.core.dates import to_date

    return to_date(text, option) if text is not None else dt.date.today()


def _given(text: str, option: str, what: str) -> str:
    if not " ".join(text.split()):
        raise ArxlError(f"{option} is blank: write {what}")
    return text


@query_app.command("add")
def query_add(
    book: BookArgument,
    customer: Annotated[str, typer.Option("--customer", help="The customer who asks, e.g. C001.")],
    invoice: Annotated[str, typer.Option("--invoice", help="The invoice the query is about.")],
    question: Annotated[str, typer.Option("--question", help="What the customer asked.")],
    channel: Annotated[str, typer.Option("--channel", help="How: call, e-mail, visit or letter.")] = "e-mail",
    owner: Annotated[str, typer.Option("--owner", help="Who answers it.")] = "",
    due: Annotated[str | None, typer.Option("--due", help="Answer by this day, YYYY-MM-DD (default: five "
                                            "working days after the query).")] = None,
    on: DateOption = None,
) -> None:
    """Record a customer's query on an invoice; the invoice is held out of reminders until the query is closed."""
    from arxl.aging.queries import CHANNELS
    from arxl.app import jobs

    if channel.strip().lower() not in CHANNELS:
        raise ArxlError(f'--channel "{channel[:20]}" is not one of {", ".join(CHANNELS)}')
    _given(question, "--question", "what the customer asked")
    day = _day(on)
    _show(jobs.add_query(_host(book), customer, invoice, question, day, channel=channel, owner=owner,
                         due=_day(due, "--due") if due is not None else None))


@query_app.command("answer")
def query_answer(
    book: BookArgument,
    query_id: Annotated[str, typer.Argument(metavar="QUERY_ID", help="The query, e.g. Q-2025-0001.")],
    answer: Annotated[str, typer.Option("--answer", help="What the customer was told.")],
    on: DateOption = None,
) -> None:
    """Record the answer given to a query (it stays open for reminders until it is closed)."""
    from arxl.app import jobs

    _given(answer, "--answer", "what the customer was told")
    _show(jobs.answer_query(_host(book), query_id, answer, _day(on)))


@query_app.command("close")
def query_close(
    book: BookArgument,
    query_id: Annotated[str, typer.Argument(metavar="QUERY_ID", help="The query, e.g. Q-2025-0001.")],
    resolution: Annotated[str, typer.Option("--resolution", help="How it ended: explanation, credit-note or "
                                            "re-issue.")],
    credit_note: Annotated[str, typer.Option("--credit-note", help="The credit note of the query's invoice "
                                             "(with credit-note, or re-issue).")] = "",
    on: DateOption = None,
) -> None:
    """Close an answered query: by an explanation, a credit note of its invoice, or a re-issued invoice."""
    from arxl.app import jobs

    how = resolution.strip().lower()
    if how not in ("explanation", "credit-note", "re-issue"):
        raise ArxlError(f'--resolution "{resolution[:20]}" is not one of explanation, credit-note, re-issue')
    if how == "credit-note" and not credit_note.strip():
        raise ArxlError("--resolution credit-note needs --credit-note CN-YYYY-NNNNN (the credit note of the invoice)")
    if how == "explanation" and credit_note.strip():
        raise ArxlError("--credit-note goes with --resolution credit-note or re-issue, not explanation")
    _show(jobs.close_query(_host(book), query_id, how, _day(on), credit_note))


@query_app.command("list")
def query_list(book: BookArgument, as_of: AsOfOption = None) -> None:
    """The queries not closed at a date, oldest first, with their age (the workbook is not changed)."""
    from arxl.app import jobs

    _show(jobs.list_queries(_reader(book), _day(as_of, "--as-of") if as_of is not None else None))


@app.command("reconcile")
def reconcile(
    first: Annotated[str, typer.Argument(metavar="BOOK | post BOOK | approve BOOK | customer BOOK CUSTOMER_ID",
                                         help="The billing workbook, or an action (post, approve, customer) and "
                                              "then it.")],
    second: Annotated[str | None, typer.Argument(metavar="", help="The workbook, after an action.")] = None,
    third: Annotated[str | None, typer.Argument(metavar="", help="The customer id, after customer BOOK.")] = None,
    statement: Annotated[Path | None, typer.Option("--statement", help="The bank statement to import and match "
                                                   "(CSV, XLSX, MT940, camt).")] = None,
    on: Annotated[str | None, typer.Option("--date", help="Posting / import date, YYYY-MM-DD (default today).")]
    = None,
    their: Annotated[Path | None, typer.Option("--their", help="customer: their statement, supplier ledger or "
                                               "remittance advice (CSV or XLSX).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="customer: compare up to this date, YYYY-MM-DD "
                                              "(default: the last date in their file).")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="customer: write the differences to this .csv "
                                                  "or .xlsx file.")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="customer: the sheet of their workbook (default: "
                                              "the first with a header arxl knows).")] = None,
    currency: Annotated[str | None, typer.Option("--currency", help="customer: the currency to compare (default: "
                                                 "the customer's).")] = None,
    window: Annotated[int, typer.Option("--window", min=0, max=60, help="customer: days either side within which a "
                                        "payment matches a receipt by amount.")] = 7,
    no_balance_check: Annotated[bool, typer.Option("--no-balance-check", help="--statement: read a statement whose "
                                                   "balances are missing or do not add up (checked by hand); the "
                                                   "Statements table records it.")] = False,
    max_lines: Annotated[int | None, typer.Option("--max-lines", metavar="N", min=1, help="--statement: refuse a "
                                                  "file with more statement lines (default 200,000).")] = None,
) -> None:
    """Cash application in the workbook: `reconcile BOOK --statement FILE` proposes matches into the
    Reconciliation sheet; `reconcile approve BOOK` approves the automatic ones; `reconcile post BOOK` posts
    every decided line to Receipts and Allocations (each bank line once). `reconcile customer BOOK CUSTOMER_ID
    --their FILE` compares a customer's own statement or remittance advice with the ledger and lists what
    differs (the workbook is not changed)."""
    import datetime as dt

    from arxl.app import jobs
    from arxl.core.dates import to_date

    if first == "customer":
        if second is None or third is None:
            raise ArxlError("reconcile customer needs the workbook and the customer: "
                            "arxl reconcile customer BOOK CUSTOMER_ID --their FILE")
        if their is None:
            raise ArxlError("reconcile customer needs --their FILE (the customer's statement or remittance advice)")
        day = to_date(as_of, "--as-of") if as_of is not None else None
        _show(jobs.customer_reconciliation(_reader(Path(second)), third, _existing(their), day, out=out_file,
                                           sheet=sheet, currency=currency, window_days=window))
        return
    if third is not None:
        raise ArxlError(f'unexpected "{third}": arxl reconcile BOOK --statement FILE, or reconcile post BOOK')
    today = to_date(on, "--date") if on else dt.date.today()
    if first in ("post", "approve"):
        if second is None:
            raise ArxlError(f"reconcile {first} needs the workbook: arxl reconcile {first} BOOK")
        host = _host(Path(second))
        _show(jobs.post_reconciliation(host, today) if first == "post" else jobs.approve_matches(host))
        return
    if second is not None:
        raise ArxlError(f'unexpected "{second}": arxl reconcile BOOK --statement FILE, or reconcile post BOOK')
    if statement is None:
        raise ArxlError("reconcile BOOK needs --statement FILE (or use: reconcile post BOOK)")
    _show(jobs.import_statement(_host(Path(first)), _existing(statement), today, check_balances=not no_balance_check,
                                max_lines=max_lines))


@app.command("close")
def close_cmd(
    book: BookArgument,
    period: PeriodOption,
    statement: Annotated[Path | None, typer.Option("--statement", help="The month's bank statement (default: "
                                                   "Settings' Statement File).")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder for invoices, statements, reminders and the "
                                                 "Sage file (default: Settings' Output Folder beside the workbook)."
                                                 )] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="PDFs of invoices and statements (LibreOffice).")] = False,
    smtp: Annotated[str | None, typer.Option("--smtp", metavar="HOST:PORT", help="Send the reminders through "
                                             "this mail server (else they are written as .eml).")] = None,
    on: Annotated[str | None, typer.Option("--date", help="Today, YYYY-MM-DD (posting and export date).")] = None,
) -> None:
    """The month-end, step by step: review, invoices, statement and matches, (stop for decisions), posting,
    aging, statements and reminders, collections report, Sage export. Run it again to carry on."""
    import datetime as dt

    from arxl.app.close import month_end
    from arxl.core.dates import to_date
    from arxl.formats.mail import SmtpServer, parse_server

    host = _host(book)
    ledger = _ledger(book)
    folder = out_dir or (book.parent / (ledger.settings.output_folder or "out"))
    server = SmtpServer(*parse_server(smtp)) if smtp else None
    today = to_date(on, "--date") if on else dt.date.today()
    with _progress() as progress:
        report = month_end(host, period, folder, today, statement=_existing(statement) if statement else None,
                           pdf=pdf, server=server, progress=progress.step, stage_progress=progress)
    _show(report)


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the demo's workbook and outputs.")]
    = Path("out/demo"),
) -> None:
    """The month-end of July 2025 on the sample workbook, start to finish, with a local mail server.

    With LibreOffice, invoices and statements are made as PDFs too; without it, as .xlsx only (the reminders
    carry the statement workbook), and the demo says once what LibreOffice would add."""
    import datetime as dt
    import shutil
    from collections import defaultdict

    from arxl.app import jobs
    from arxl.app.close import month_end
    from arxl.cashapp.reconcile import decide
    from arxl.formats.libreoffice import WITHOUT_IT, find_soffice
    from arxl.formats.mailsink import MailSink
    from arxl.formats.xlsx.host import FileHost
    from arxl.sample import sample_decisions, write_sample

    marker = out_dir / ".arxl-demo"
    if out_dir.exists() and marker.exists():
        shutil.rmtree(out_dir)  # the demo's own folder from an earlier run: start afresh
    out_dir.mkdir(parents=True, exist_ok=True)
    marker.write_text("made by arxl demo; removed and rebuilt by the next one\n")
    book, statement = write_sample(out_dir / "billing.xlsx", seed=7)
    out.print(f"[bold]sample[/bold]: {book} (60 customers, Jan 2024 to Jun 2025) and its July bank statement")
    host = FileHost(book)
    _show(jobs.validate(host))
    today = dt.date(2025, 8, 1)
    steps = RichTable(title="Month-end close of July 2025", show_lines=False)
    steps.add_column("step")
    steps.add_column("what it did", overflow="fold")
    pdf = find_soffice() is not None  # the demo alone chooses by itself: a command given --pdf refuses instead
    with MailSink(out_dir / "mailbox") as sink:
        def run() -> Report:
            with _progress() as progress:
                return month_end(host, "2025-07", out_dir, today, statement=statement, pdf=pdf, server=sink.server,
                                 progress=progress.step, stage_progress=progress)

        first = run()
        for line in first.lines:
            out.print(line, highlight=False)
        out.print("[bold]the close stops[/bold] for the accountant's decisions on the bank lines; the demo stands in "
                  "for them: automatic matches approved, the other lines decided from the sample's answer key")
        out.print(jobs.approve_matches(host).lines[0], highlight=False)
        table = jobs.reconciliation_table(host)
        proposals: dict[str, set[str]] = defaultdict(set)
        for row in table.rows:
            if row.invoice_no:
                proposals[row.line_id].add(row.invoice_no)
        host.apply(decide(table, sample_decisions(proposals), "remaining lines decided (demo)"))
        second = run()
        received = sink.received
    what_happened: dict[str, str] = {}
    for line in [*first.lines, *second.lines[1:]]:
        step, _, what = line.partition(": ")
        if not what.startswith(("already done", "waiting")):
            what_happened[step] = what
    for step, what in what_happened.items():
        steps.add_row(step, what)
    out.print(steps)
    out.print(f"{received} reminder e-mail(s) delivered to the local mail server (copies in {out_dir / 'mailbox'})")
    if not pdf:
        out.print(f"note: {WITHOUT_IT}", highlight=False, markup=False, soft_wrap=True)
    out.print(f"[bold green]{second.headline}[/bold green]; every output is under {out_dir}/ and the workbook is "
              f"{book}")
    if second.refused:
        for reason in second.reasons:
            err.print(reason, highlight=False, markup=False)
        raise BadInput()


def _is_usage_error(exc: Exception) -> bool:
    """A mistake on the command line (typer's click layer, vendored or not): show it, exit 2."""
    show = getattr(exc, "show", None)
    if callable(show) and isinstance(getattr(exc, "exit_code", None), int):
        show()
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 done, 2 bad input, 1 bug)."""
    words = sys.argv[1:] if argv is None else argv
    _session.command = " ".join(["arxl", *words])[:160]
    _session.wait = None
    with _session.locks:  # every workbook lock this command took is released here, whatever happened
        return _run(argv)


def _run(argv: list[str] | None) -> int:
    try:
        app(args=argv, prog_name="arxl", standalone_mode=False)
    except ArxlError as exc:
        err.print(f"arxl: {exc}", highlight=False, markup=False, soft_wrap=True)
        return 2
    except BadInput:
        return 2
    except Refused as exc:
        with contextlib.suppress(BadInput):
            _show(exc.report)
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except (typer.Abort, KeyboardInterrupt):
        err.print("arxl: interrupted")
        return 2
    except MemoryError:
        err.print("arxl: out of memory: the input is too large for this machine")
        return 2
    except Exception as exc:
        if _is_usage_error(exc):
            return 2
        err.print("arxl: internal error (a bug in arxl, please report it with this text):", markup=False)
        traceback.print_exc(file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
