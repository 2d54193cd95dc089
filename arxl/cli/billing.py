"""``arxl invoices review|generate|credit|ebm`` and ``arxl export sage``: billing and the ledger of record."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from arxl.cli.common import (
    BadInput,
    BookArgument,
    OnOption,
    PdfFlag,
    PdfWorkersOption,
    PeriodOption,
    app,
    date_or_today,
    group,
    out_dir_option,
    output_option,
    progress,
    session,
    show,
    warn,
)
from arxl.core.errors import ArxlError
from arxl.core.money import to_decimal
from arxl.core.period import Period

invoices_app = group("Billing: review, generate, credit notes, EBM receipts.")
export_app = group("Export to the ledger of record (Sage).")
app.add_typer(invoices_app, name="invoices")
app.add_typer(export_app, name="export")

# Each command imports its job when it runs: `arxl --help` and every other command start without loading the
# workbook libraries (openpyxl, calamine) that the jobs need.


@invoices_app.command("review")
def invoices_review(book: BookArgument, period: PeriodOption) -> None:
    """Pre-billing review of a month: exceptions (with links to their cells) into the Review sheet."""
    from arxl.app import invoicing

    show(invoicing.review_billing(session.writable(book), period))


@invoices_app.command("generate")
def invoices_generate(
    book: BookArgument,
    period: PeriodOption,
    out_dir: Annotated[Path | None, out_dir_option("Folder for one .xlsx (and PDF) per invoice.")] = None,
    pdf: PdfFlag = False,
    pdf_workers: PdfWorkersOption = None,
) -> None:
    """Bill a month: numbered invoices into the register, schedule rows marked billed, Review sheet refreshed,
    and with --out the invoice documents."""
    from arxl.app import invoicing

    host = session.writable(book)
    with progress() as shown:
        report = invoicing.generate_invoices(host, period, out_dir, pdf, shown, pdf_workers)
    show(report)


@invoices_app.command("credit")
def invoices_credit(
    book: BookArgument,
    invoice_no: Annotated[str, typer.Argument(metavar="INVOICE_NO", help="The invoice to credit.")],
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help="Why the invoice is credited (kept in "
                                        "the notes).")],
    amount: Annotated[str | None, typer.Option("--amount", metavar="A", help="VAT-inclusive amount to credit "
                                               "(default: all that remains creditable).")] = None,
    lines: Annotated[str | None, typer.Option("--lines", metavar="L", help="Line numbers of the invoice to "
                                              "credit, e.g. 1,3.")] = None,
    on: OnOption = None,
) -> None:
    """Credit an invoice (whole, some lines or an amount) with a credit note of its own series, dated --on."""
    from arxl.app import credits

    value = to_decimal(amount, "--amount") if amount is not None else None
    numbers = line_numbers(lines) if lines is not None else None
    when = date_or_today(on)
    show(credits.credit_invoice(session.writable(book), invoice_no, amount=value, lines=numbers, reason=reason,
                                on=when))


def line_numbers(text: str) -> list[int]:
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
    report: Annotated[Path, typer.Option("--report", metavar="FILE", help="The EBM sales report (CSV).")],
    period: Annotated[str | None, typer.Option("--period", metavar="YYYY-MM", help="Month whose invoices must all "
                                               "have a receipt (default: the report's first to last date).")]
    = None,
) -> None:
    """Record the EBM receipts of a sales report in the register and list what does not agree."""
    from arxl.app import credits

    show(credits.import_ebm_report(session.writable(book), report, period))


@export_app.command("sage")
def export_sage(
    book: BookArgument,
    period: PeriodOption,
    out_file: Annotated[Path | None, output_option("The Sage 50 import file to write (.csv); the allocation sheet "
                                                   "is written beside it as FILE-allocations.csv.", "FILE.csv")]
    = None,
    through: Annotated[str | None, typer.Option("--through", metavar="YYYY-MM", help="Export every month from "
                                                "--period to this one, each to DIR/sage-YYYY-MM.csv.")] = None,
    out_dir: Annotated[Path | None, out_dir_option("The folder of the monthly files with --through.")] = None,
    again: Annotated[bool, typer.Option("--again", help="Export again what was already exported.")] = False,
) -> None:
    """Write the month's AR movements (invoices, credit notes, receipts, deductions, refunds, revaluation
    journals) as Sage 50 audit-trail transactions, the allocations to make in Sage beside them, and mark them."""
    from arxl.app import sage

    if (through is None) == (out_file is None) or (through is None) != (out_dir is None):
        warn("give -o/--output FILE.csv for one month, or --through YYYY-MM --out DIR for several")
        raise BadInput()
    host = session.writable(book)
    host.check_writable()  # before the files are written, so the files and the register cannot disagree
    if through is not None and out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        show(sage.export_sage_months(host, Period.parse(period), Period.parse(through), out_dir, again))
    elif out_file is not None:
        show(sage.export_sage(host, period, out_file, again))
