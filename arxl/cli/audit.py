"""``arxl audit verify``: the action journal's chain, the ledger against the state arxl last left, and an audit
pack's documents against its index. Exit 0 when clean, 3 when something changed, 2 on bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from arxl.cli.common import BookArgument, app, group, show

DIFFERS = 3  # the exit code of a verify that found differences (as arxl tieout's)

audit = group("The audit: the action journal kept beside the workbook, and the audit pack.")
app.add_typer(audit, name="audit")


@audit.command("verify")
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
