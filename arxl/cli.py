"""The ``arxl`` command: the same workflows as the ribbon, for batch work and for the month-end.

Exit codes: 0 done, 2 bad input or refused (the message names the file, sheet and cell), 1 a bug in arxl
(the only case that prints a traceback).
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

from arxl import __version__
from arxl.errors import ArxlError, Problem

if TYPE_CHECKING:
    from arxl.book.ledger import Ledger

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
) -> None:
    """arxl: the billing and recovery accountant's toolkit."""


@app.command()
def sample(
    out_path: Annotated[Path, typer.Argument(metavar="OUT.xlsx", help="Where to write the sample workbook.")],
    seed: Annotated[int, typer.Option(help="Seed of the sample's random story (same seed, same workbook).")]
    = 7,
) -> None:
    """Write the sample billing workbook of a Kigali ICT company, and its July 2025 bank statement beside it."""
    from arxl.sample import write_sample

    book, statement = write_sample(out_path, seed)
    out.print(f"wrote {book}")
    out.print(f"wrote {statement}")


@app.command()
def validate(
    book: Annotated[Path, typer.Argument(metavar="BOOK", help="The billing workbook (.xlsx) to check.")],
) -> None:
    """Check every table of a billing workbook and list each problem with its cell."""
    from arxl.book.ledger import validate as validate_book

    problems = validate_book(_existing(book))
    _report(book, problems)


def _existing(path: Path) -> Path:
    if not path.exists():
        raise ArxlError(f"file not found: {path}")
    if path.is_dir():
        raise ArxlError(f"{path} is a folder, not a workbook")
    return path


def _report(book: Path, problems: list[Problem]) -> None:
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    for problem in problems:
        label = "error" if problem.severity == "error" else "warning"
        err.print(f"{problem}  [dim]({label})[/dim]", highlight=False, markup=True, soft_wrap=True)
    if errors:
        err.print(f"[bold red]{book.name}: {len(errors)} error(s), {len(warnings)} warning(s)[/bold red]")
        raise BadInput()
    out.print(f"[green]{book.name} is valid[/green]" + (f" ({len(warnings)} warning(s))" if warnings else ""))


PeriodOption = Annotated[str, typer.Option("--period", help="The billing month, YYYY-MM.")]
BookArgument = Annotated[Path, typer.Argument(metavar="BOOK", help="The billing workbook (.xlsx).")]


def _ledger(book: Path) -> Ledger:
    """Open a workbook for a workflow. Cells that cannot be read leave their row out, and a workflow must not
    run on a ledger with rows missing, so those are refused; the checks across tables are the workflows' own
    reviews (a bad tax code holds back one customer, not the whole run)."""
    from arxl.book.ledger import open_ledger

    ledger, problems = open_ledger(_existing(book))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        for problem in errors[:20]:
            err.print(str(problem), highlight=False, markup=False, soft_wrap=True)
        more = f" (first 20 shown; run arxl validate {book.name} for all)" if len(errors) > 20 else ""
        err.print(f"{book.name}: {len(errors)} cell(s) to correct first{more}", highlight=False, markup=False)
        raise BadInput()
    return ledger


@invoices_app.command("review")
def invoices_review(book: BookArgument, period: PeriodOption) -> None:
    """Pre-billing review of a month: exceptions (with links to their cells) into the Review sheet."""
    from arxl.billing.review import review_sheet
    from arxl.billing.run import plan_billing
    from arxl.book.apply import apply_changes
    from arxl.book.changes import ChangeSet

    ledger = _ledger(book)
    plan = plan_billing(ledger, period)
    changes = ChangeSet()
    changes.replace_sheet(review_sheet(ledger, plan))
    apply_changes(book, changes)
    blocking = sum(1 for f in plan.findings if f.severity == "blocking")
    out.print(f"{period}: {len(plan.due)} line(s) due, {blocking} blocking exception(s) holding back "
              f"{len(plan.held)} customer(s), {len(plan.findings) - blocking} warning(s); see the Review sheet")


@invoices_app.command("generate")
def invoices_generate(book: BookArgument, period: PeriodOption) -> None:
    """Bill a month: numbered invoices into the register, schedule rows marked billed, Review sheet refreshed."""
    from arxl.billing.review import review_sheet
    from arxl.billing.run import generate_invoices
    from arxl.book.apply import apply_changes

    ledger = _ledger(book)
    run = generate_invoices(ledger, period)
    run.changes.replace_sheet(review_sheet(ledger, run.plan))
    apply_changes(book, run.changes)
    if run.invoices:
        first, last = run.invoices[0].invoice_no, run.invoices[-1].invoice_no
        amounts = ", ".join(f"{amount:,.{2 if code != 'RWF' else 0}f} {code}" for code, amount in run.totals().items())
        out.print(f"{period}: {len(run.invoices)} invoice(s) {first} to {last}, {amounts}")
    else:
        out.print(f"{period}: nothing new to bill")
    if run.plan.held:
        out.print(f"held back by blocking exceptions: {', '.join(sorted(run.plan.held))} (see the Review sheet)")


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the demo's workbook and outputs.")]
    = Path("out/demo"),
) -> None:
    """Run the month-end on the sample workbook (today: write the sample and validate it)."""
    from arxl.book.ledger import open_ledger
    from arxl.book.ledger import validate as validate_book
    from arxl.sample import write_sample

    out_dir.mkdir(parents=True, exist_ok=True)
    book, statement = write_sample(out_dir / "billing.xlsx", seed=7)
    out.print(f"[bold]1. sample[/bold] wrote {book} and {statement.name}")
    problems = validate_book(book)
    _report(book, problems)
    ledger, _ = open_ledger(book)
    summary = RichTable(title=f"{book.name}: tables")
    summary.add_column("table")
    summary.add_column("rows", justify="right")
    for name, table in ledger.tables.items():
        summary.add_row(name, f"{len(table):,}")
    out.print(summary)


def _is_usage_error(exc: Exception) -> bool:
    """A mistake on the command line (typer's click layer, vendored or not): show it, exit 2."""
    show = getattr(exc, "show", None)
    if callable(show) and isinstance(getattr(exc, "exit_code", None), int):
        show()
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 done, 2 bad input, 1 bug)."""
    try:
        app(args=argv, prog_name="arxl", standalone_mode=False)
    except ArxlError as exc:
        err.print(f"arxl: {exc}", highlight=False, markup=False, soft_wrap=True)
        return 2
    except BadInput:
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
