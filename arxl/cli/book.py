"""``arxl sample``, ``arxl validate``, ``arxl close``, ``arxl demo`` and ``arxl addin
build|install|uninstall|doctor``: the workbook as a whole, the month-end, and the Excel add-in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from arxl.cli.common import (
    BadInput,
    BookArgument,
    app,
    group,
    out,
    out_dir_option,
    output_option,
    progress,
    say,
    session,
    show,
    warn,
)
from arxl.core.dates import to_date
from arxl.core.errors import ArxlError

addin_app = group("The Excel add-in arxl.xlam: the arxl ribbon tab and the worksheet functions.")
app.add_typer(addin_app, name="addin")

# Each command imports its job when it runs: `arxl --help` and every other command start without loading the
# workbook libraries the jobs need.


@app.command()
def sample(
    out_path: Annotated[Path, typer.Argument(metavar="OUT.xlsx", help="Where to write the sample workbook.")],
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Seed of the sample's random story (same seed, "
                                      "same workbook).")] = 7,
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
    from arxl.app.workbook import readable

    show(jobs.validate(readable(book)))


@app.command("close")
def close_cmd(
    book: BookArgument,
    period: Annotated[str | None, typer.Option("--period", metavar="YYYY-MM", help="The month to close.")] = None,
    year: Annotated[str | None, typer.Option("--year", metavar="YYYY", help="Run the year-end instead: every month "
                                             "to Sage, aging, certificates and the YearEnd sheet at 31/12, then "
                                             "the year locked.")] = None,
    statement: Annotated[Path | None, typer.Option("--statement", metavar="FILE", help="The month's bank "
                                                   "statement (default: Settings' Statement File).")] = None,
    out_dir: Annotated[Path | None, out_dir_option("Folder for invoices, statements, reminders and the Sage file "
                                                   "(default: Settings' Output Folder beside the workbook).")]
    = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="PDFs of invoices and statements (LibreOffice).")] = False,
    send: Annotated[bool, typer.Option("--send", help="Send the reminders (through --smtp); else they are "
                                       "written as .eml.")] = False,
    smtp: Annotated[str | None, typer.Option("--smtp", metavar="HOST:PORT", help="The mail server for --send.")]
    = None,
    today: Annotated[str | None, typer.Option("--today", metavar="YYYY-MM-DD", help="The day the close runs as: "
                                              "posting and export date (default today).")] = None,
) -> None:
    """The month-end, step by step: review, invoices, statement and matches, (stop for decisions), posting,
    aging, certificates, statements and reminders, collections report, Sage export, then the month locked. Run it
    again to carry on. With --year YYYY, the year-end."""
    import datetime as dt

    from arxl.app import close, receivables
    from arxl.app.workbook import existing

    if send and not smtp:
        raise ArxlError("--send needs --smtp HOST:PORT")
    if (period is None) == (year is None):
        raise ArxlError("give --period YYYY-MM (the month-end) or --year YYYY (the year-end)")
    host = session.writable(book)
    folder = out_dir or close.output_folder(host)
    if year is not None:
        from arxl.app.yearend import year_end

        with progress() as shown:
            show(year_end(host, year, folder, to_date(today, "--today") if today else dt.date.today(), shown.step))
        return
    assert period is not None
    server = receivables.mail_server(smtp) if send and smtp else None
    day = to_date(today, "--today") if today else dt.date.today()
    with progress() as shown:
        report = close.month_end(host, period, folder, day, statement=existing(statement) if statement else None,
                                 pdf=pdf, server=server, progress=shown.step, stage_progress=shown)
    show(report)


@app.command()
def demo(
    out_dir: Annotated[Path, out_dir_option("Folder for the demo's workbook and outputs.")] = Path("out/demo"),
) -> None:
    """The month-end of July 2025 on the sample workbook, start to finish, with a local mail server.

    With LibreOffice, invoices and statements are made as PDFs too; without it, as .xlsx only (the reminders
    carry the statement workbook), and the demo says once what LibreOffice would add."""
    from arxl.app.demo import WITHOUT_LIBREOFFICE, Demo, what_happened

    with Demo(out_dir) as run:
        out.print(f"[bold]sample[/bold]: {run.book} (60 customers, Jan 2024 to Jun 2025) and its July bank "
                  "statement")
        show(run.validate())
        history = run.sage_history()
        out.print(f"[bold]Sage[/bold]: the demo's Sage is a new company; the history goes to it first: "
                  f"{len(history.files) // 2} monthly files (January 2024 to June 2025) in {run.sage_dir}/",
                  highlight=False)
        with progress() as shown:
            first = run.close(shown.step, shown)
        for line in first.lines:
            out.print(line, highlight=False)
        out.print("[bold]the close stops[/bold] for the accountant's decisions on the bank lines; the demo stands "
                  "in for them: automatic matches approved, the other lines decided from the sample's answer key")
        out.print(run.decide().lines[0], highlight=False)
        with progress() as shown:
            second = run.close(shown.step, shown)
        received = run.received
        if not second.refused:
            check, aged, balance = run.sage_check()
            out.print(f"[bold]Sage[/bold]: every file imported into a model of Sage 50 and its allocation sheets "
                      f"followed; its Aged Debtors report ({aged.name}) and trial balance ({balance.name}) tied out "
                      "against the register (arxl tieout, the TieOut sheet):", highlight=False)
            for line in check.lines[:1] + [line for line in check.lines if "debtors control" in line]:
                out.print(f"  {line}", highlight=False, markup=False)
            pack = run.audit(aged, balance)
            out.print(f"[bold]audit[/bold]: {pack.lines[0]}", highlight=False)
            for line in [*pack.lines[1:], *run.verify().lines]:
                if run.pdf or "LibreOffice" not in line:  # without it, the note at the end says it once
                    out.print(f"  {line}", highlight=False, markup=False)
    steps = RichTable(title="Month-end close of July 2025", show_lines=False)
    steps.add_column("step")
    steps.add_column("what it did", overflow="fold")
    for step, what in what_happened(first, second).items():
        steps.add_row(step, what)
    out.print(steps)
    out.print(f"{received} reminder e-mail(s) delivered to the local mail server (copies in {out_dir / 'mailbox'})")
    if not run.pdf:
        say(f"note: {WITHOUT_LIBREOFFICE}")
    out.print(f"[bold green]{second.headline}[/bold green]; every output is under {out_dir}/ and the workbook is "
              f"{run.book}")
    if second.refused:
        for reason in second.reasons:
            warn(reason)
        raise BadInput()


@addin_app.command("build")
def addin_build(
    out_file: Annotated[Path, output_option("Where to write the add-in.", "FILE.xlam")] = Path("arxl.xlam"),
    interpreter_win: Annotated[str | None, typer.Option("--interpreter-win", metavar="PATH", help="python.exe for "
                                                        "Excel on Windows to run (default: xlwings' own settings).")]
    = None,
    interpreter_mac: Annotated[str | None, typer.Option("--interpreter-mac", metavar="PATH", help="python for "
                                                        "Excel on macOS to run (default: xlwings' own settings).")]
    = None,
) -> None:
    """Build the add-in from workbooks/addin (ribbon, VBA, settings) and the installed xlwings."""
    from arxl.excel.addin import build_addin

    settings = {key: value for key, value in (("Interpreter_Win", interpreter_win),
                                              ("Interpreter_Mac", interpreter_mac)) if value}
    say(f"wrote {build_addin(out_file, settings=settings)}")


@addin_app.command("install")
def addin_install(
    file: Annotated[Path | None, typer.Option("--file", metavar="FILE.xlam", help="Install this add-in instead "
                                              "of building one for the Python running arxl.")] = None,
) -> None:
    """Build the add-in for this Python and install it into Excel's startup folder (Windows, macOS)."""
    from arxl.excel.addin import install

    say(f"installed {install(file)}; start Excel again to see the arxl tab")


@addin_app.command("uninstall")
def addin_uninstall() -> None:
    """Remove the add-in from Excel's startup folder."""
    from arxl.excel.addin import uninstall

    say(f"removed {uninstall()}")




@addin_app.command("doctor")
def addin_doctor(
    file: Annotated[Path | None, typer.Option("--file", metavar="FILE.xlam", help="Check this add-in instead of "
                                              "the one installed in Excel's startup folder.")] = None,
) -> None:
    """Check the chain from a ribbon click to arxl: the installed add-in, its interpreter, the Python, arxl and
    xlwings versions, and that arxl.udfs and arxl.macros import there; print the fix of each problem (exit 2)."""
    from arxl.excel.doctor import examine, report

    _, checks = examine(file)
    for line in report(checks):
        out.print(line, highlight=False, markup=False, soft_wrap=True)
    if not all(check.ok for check in checks):
        raise typer.Exit(2)
