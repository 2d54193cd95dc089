"""``arxl statement normalize``, ``arxl match`` and ``arxl reconcile propose|approve|post|customer``: cash
application, file to file or in the workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from arxl.cli.common import (
    AsOfOption,
    BookArgument,
    OnOption,
    app,
    date_given,
    date_or_today,
    err,
    group,
    output_option,
    session,
    show,
    warn,
)

statement_app = group("Bank statements: any supported file into the canonical statement CSV.")
reconcile_app = group("Cash application in the workbook: propose matches from a bank statement, approve the "
                      "automatic ones, post the decided lines; compare a customer's own statement with the ledger.")
app.add_typer(statement_app, name="statement")
app.add_typer(reconcile_app, name="reconcile")

# Each command imports its job when it runs: `arxl --help` and every other command start without loading the
# workbook and statement libraries the jobs need.

NoBalanceCheck = Annotated[bool, typer.Option("--no-balance-check", help="Read a statement whose balances are "
                                              "missing or do not add up (checked by hand).")]
Remittance = Annotated[list[Path] | None, typer.Option("--remittance", metavar="FILE", help="A customer's "
                                                       "remittance advice (CSV, XLSX or PDF) splitting the bank "
                                                       "line it announces; repeatable.")]


@statement_app.command("normalize")
def statement_normalize(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The bank statement: CSV, XLSX, MT940 or camt.")],
    out_file: Annotated[Path, output_option("The canonical statement CSV to write.", "OUT.csv")],
    profiles: Annotated[Path | None, typer.Option("--profiles", metavar="FILE", help="Bank profiles (JSON) for "
                                                  "CSV/XLSX layouts arxl does not know.")] = None,
    no_balance_check: NoBalanceCheck = False,
    max_lines: Annotated[int, typer.Option("--max-lines", metavar="N", min=1, help="Refuse a file with more "
                                           "statement lines than this (a guard against runaway files).")]
    = 200_000,
) -> None:
    """Read a bank statement (CSV, XLSX, MT940, camt.052/053/054), check it, write the canonical CSV."""
    from arxl.app import matching

    report, notes = matching.normalize_statement(file, out_file, profiles, check_balances=not no_balance_check,
                                                 max_lines=max_lines)
    show(report)
    for note in notes:
        warn(f"note: {note}")


@app.command("match")
def match_statement(
    open_items: Annotated[Path, typer.Option("--open-items", metavar="OPEN.csv", help="Open invoices (CSV).")],
    customers: Annotated[Path, typer.Option("--customers", metavar="CUSTOMERS.csv", help="Customers (CSV).")],
    statement: Annotated[Path, typer.Option("--statement", metavar="FILE", help="Bank statement: canonical CSV, "
                                            "bank CSV/XLSX, MT940 or camt.")],
    out_file: Annotated[Path, output_option("Allocation CSV to write.", "ALLOC.csv")],
    auto_threshold: Annotated[int, typer.Option("--auto-threshold", metavar="N", min=0, max=100,
                                                help="Lowest score applied automatically.")] = 90,
    review_threshold: Annotated[int | None, typer.Option("--review-threshold", metavar="N", min=0, max=100,
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
    from rich.progress import track  # a bar on a terminal only

    from arxl.app import matching

    settings = matching.match_settings(auto_threshold, review_threshold, bank_charges or [], third_party or [])
    report = matching.match_files(open_items, customers, statement, out_file, settings,
                                  lambda lines: track(lines, description="matching", console=err,
                                                      disable=not err.is_terminal))
    show(report)


@reconcile_app.command("propose")
def reconcile_propose(
    book: BookArgument,
    statement: Annotated[Path, typer.Option("--statement", metavar="FILE", help="The bank statement to import "
                                            "and match (CSV, XLSX, MT940, camt).")],
    on: OnOption = None,
    no_balance_check: NoBalanceCheck = False,
    max_lines: Annotated[int | None, typer.Option("--max-lines", metavar="N", min=1, help="Refuse a file with "
                                                  "more statement lines (default 200,000).")] = None,
    remittance: Remittance = None,
) -> None:
    """Import a bank statement and propose its new lines, matched, into the Reconciliation sheet; the
    Statements table records the import, dated --on. Each --remittance advice splits the line it announces."""
    from arxl.app import cash
    from arxl.app.workbook import existing

    today = date_or_today(on)
    show(cash.import_statement(session.writable(book), existing(statement), today,
                               check_balances=not no_balance_check, max_lines=max_lines,
                               remittances=[existing(f) for f in remittance or []]))


@reconcile_app.command("remittance")
def reconcile_remittance(
    book: BookArgument,
    advices: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Remittance advices (CSV, XLSX or PDF).")],
) -> None:
    """Split the bank lines of the Reconciliation sheet that customers' remittance advices announce: automatic
    when the amounts agree, else for review with what disagrees (then approve and post as usual)."""
    from arxl.app import cash
    from arxl.app.workbook import existing

    show(cash.split_remittances(session.writable(book), [existing(f) for f in advices]))


@reconcile_app.command("approve")
def reconcile_approve(book: BookArgument) -> None:
    """Approve the automatic matches of the Reconciliation sheet (the others wait for your decision)."""
    from arxl.app import cash

    show(cash.approve_matches(session.writable(book)))


@reconcile_app.command("post")
def reconcile_post(book: BookArgument, on: OnOption = None) -> None:
    """Post every decided line of the Reconciliation sheet to Receipts and Allocations (each bank line once),
    dated --on."""
    from arxl.app import cash

    today = date_or_today(on)
    show(cash.post_reconciliation(session.writable(book), today))


@reconcile_app.command("customer")
def reconcile_customer(
    book: BookArgument,
    customer: Annotated[str, typer.Argument(metavar="CUSTOMER_ID", help="The customer, e.g. C001.")],
    their: Annotated[Path, typer.Option("--their", metavar="FILE", help="Their statement, supplier ledger or "
                                        "remittance advice (CSV or XLSX).")],
    as_of: AsOfOption = None,
    out_file: Annotated[Path | None, output_option("Write the differences to this .csv or .xlsx file.")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", metavar="NAME", help="The sheet of their workbook "
                                              "(default: the first with a header arxl knows).")] = None,
    currency: Annotated[str | None, typer.Option("--currency", metavar="CCY", help="The currency to compare "
                                                 "(default: the customer's).")] = None,
    window: Annotated[int, typer.Option("--window", metavar="DAYS", min=0, max=60, help="Days either side "
                                        "within which a payment matches a receipt by amount.")] = 7,
) -> None:
    """Compare a customer's own statement or remittance advice with the ledger, up to --as-of (default: the
    last date in their file), and list what differs (the workbook is not changed)."""
    from arxl.app import cash
    from arxl.app.workbook import existing, readable

    day = date_given(as_of, "--as-of")
    show(cash.customer_reconciliation(readable(book), customer, existing(their), day, out=out_file, sheet=sheet,
                                      currency=currency, window_days=window))


