"""``arxl audit``: the auditor's working papers (``pack``) and the check of what arxl recorded (``verify``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from arxl.cli.common import BookArgument, app, group, session, show
from arxl.core.errors import ArxlError

DIFFERS = 3  # the exit code of a verify that found differences (as arxl tieout's)

audit_app = group("The audit pack: working papers for the auditor, and the check of arxl's own records.")
app.add_typer(audit_app, name="audit")


@audit_app.command("pack")
def pack_cmd(
    book: BookArgument,
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="The folder of the pack (made if missing).")],
    period: Annotated[str | None, typer.Option("--period", metavar="YYYY-MM", help="The month.")] = None,
    year: Annotated[str | None, typer.Option("--year", metavar="YYYY", help="The year instead.")] = None,
    sage: Annotated[Path | None, typer.Option("--sage", metavar="FILE", help="Sage's Aged Debtors report at the "
                                              "period end (CSV or XLSX): the lead schedule ties to it.")] = None,
    tb: Annotated[Path | None, typer.Option("--tb", metavar="FILE", help="Sage's trial balance: its debtors "
                                            "control account on the lead schedule.")] = None,
    profile: Annotated[Path | None, typer.Option("--profile", metavar="FILE.json",
                                                 help="The Sage report's headers, as for arxl tieout.")] = None,
    documents: Annotated[Path | None, typer.Option("--documents", metavar="DIR", help="Where arxl wrote the "
                                                   "period's documents (default: Settings' Output Folder).")]
    = None,
    preparer: Annotated[str | None, typer.Option("--preparer", metavar="NAME",
                                                 help="Who prepared the pack (default: your user name).")] = None,
    today: Annotated[str | None, typer.Option("--today", metavar="YYYY-MM-DD",
                                              help="The date the papers are prepared (default today).")] = None,
) -> None:
    """Build the audit pack of a month or a year: the workbook of working papers (lead schedule, roll-forward,
    invoice register and numbering, cut-off, subsequent receipts, confirmations, allowance, certificates, FX,
    credit balances, related parties), the confirmation letters, and index.csv of every document with its
    SHA-256."""
    from arxl.app.audit import audit_pack
    from arxl.app.journal import user
    from arxl.core.dates import to_date
    from arxl.core.period import Period

    if (period is None) == (year is None):
        raise ArxlError("give --period YYYY-MM (a month) or --year YYYY (a year)")
    chosen = Period.parse(year, year=True) if year is not None else Period.parse(period)
    day = to_date(today, "--today") if today else dt.date.today()
    show(audit_pack(session.writable(book), chosen, out, preparer=user() if preparer is None else preparer,
                    today=day, documents=documents, sage=sage, trial_balance=tb, profile=profile))


@audit_app.command("verify")
def verify_cmd(
    book: BookArgument,
    pack: Annotated[Path | None, typer.Option("--pack", metavar="DIR", help="An audit pack's folder: every "
                                              "document of its index.csv is checked too.")] = None,
) -> None:
    """Check the audit journal beside the workbook (a line removed, edited or torn), the ledger tables against
    the state the last journaled command left (each cell changed, row gone or added outside arxl) and, with
    --pack, every document of the pack (missing or changed). Exit 0 when clean, 3 when something differs."""
    from arxl.app.verify import verify

    run = verify(book, pack)
    show(run.report)
    if not run.clean:
        raise typer.Exit(DIFFERS)
