"""``arxl tieout``: does Sage agree with arxl? Exit 0 when it does, 3 when it does not (the TieOut sheet says
where and why), 2 on bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from arxl.cli.common import BookArgument, app, session, show
from arxl.core.dates import to_date

DIFFERS = 3  # the exit code of a tie-out that found differences


@app.command("tieout")
def tieout_cmd(
    book: BookArgument,
    sage: Annotated[Path, typer.Option("--sage", metavar="FILE", help="Sage's Aged Debtors (customer balances) "
                                       "report, CSV or XLSX.")],
    as_of: Annotated[str, typer.Option("--as-of", metavar="YYYY-MM-DD", help="The date both books are compared "
                                       "at (the report's date).")],
    tb: Annotated[Path | None, typer.Option("--tb", metavar="FILE", help="Sage's trial balance (CSV or XLSX): "
                                            "its debtors control account is compared too.")] = None,
    profile: Annotated[Path | None, typer.Option("--profile", metavar="FILE.json", help="The report's headers, "
                                                 'e.g. {"account": "Cust Code", "balance": "Amount"}.')] = None,
) -> None:
    """Compare Sage's customer balances with arxl's at a date and write the TieOut sheet: each difference
    classified (not yet exported, exported but missing in Sage, timing, FX, unallocated in Sage, posted in Sage
    outside arxl). Exit 0 when Sage agrees with arxl, 3 when they differ."""
    from arxl.app.tieout import tieout

    day = to_date(as_of, "--as-of")
    run = tieout(session.writable(book), sage, day, trial_balance=tb, profile=profile)
    show(run.report)
    if not run.agrees:
        raise typer.Exit(DIFFERS)
